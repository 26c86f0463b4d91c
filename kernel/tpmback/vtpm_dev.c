// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vtpm (misc 10,225) and every guest request between its ring and
 * vtpm_managerd: the queue, the deadlines, the TPM_FAIL answers.  The only
 * code that parses a TPM header, from a guest or from the manager.  It
 * never touches a ring itself: the ring ops do (ring_v1.c, ring_v2.c).
 */
#include "common.h"

#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/unaligned.h>

/*
 * Seconds.  A queued request is normally read at once (the manager polls
 * the device); the classic backend allowed 30 s too.
 */
static unsigned int read_timeout = 30;
module_param(read_timeout, uint, 0644);
MODULE_PARM_DESC(read_timeout,
		 "Seconds a guest request may wait to be read from /dev/vtpm before it gets TPM_FAIL (default 30)");

/*
 * Seconds.  It must exceed the manager's own deadline (vtpm_managerd
 * answers TPM_FAIL itself after VTPM_CMD_TIMEOUT_S = 60 s and restarts
 * the vtpmd), twice over: one abandoned request may be ahead of this one
 * in the instance's queue.  Ours is the backstop for a stuck manager.
 */
static unsigned int answer_timeout = 150;
module_param(answer_timeout, uint, 0644);
MODULE_PARM_DESC(answer_timeout,
		 "Seconds vtpm_managerd may take to answer a request it read before the guest gets TPM_FAIL (default 150)");

/* A day: beyond that a "timeout" is a typo, and jiffies arithmetic stays tame. */
#define TPMBACK_TIMEOUT_MAX_S	86400U

/*
 * One lock for every request, list and connected ring: TPM traffic is a
 * few commands a second per guest, and one lock keeps the hand-over
 * between guest, timeout and manager easy to reason about.
 */
DEFINE_MUTEX(tpmback_lock);

/* All of these are guarded by tpmback_lock. */
static LIST_HEAD(tpmback_ifs);		/* every probed interface */
static LIST_HEAD(pending);		/* queued, not yet read */
static LIST_HEAD(outstanding);		/* read, answer owed, in read order */
static unsigned int nr_requests;	/* on both lists */
static bool dev_open;
static u8 *wbuf;			/* one page: the answer being written */

static DECLARE_WAIT_QUEUE_HEAD(readq);

static void expire(struct work_struct *work);
static DECLARE_DELAYED_WORK(expire_work, expire);

static unsigned long timeout_jiffies(unsigned int seconds)
{
	return (unsigned long)clamp(seconds, 1U, TPMBACK_TIMEOUT_MAX_S) * HZ;
}

/**
 * tpmback_if_add() - list a new interface (for tpmback_claim_instance()).
 * @tif: the interface, from probe
 */
void tpmback_if_add(struct tpmback_if *tif)
{
	mutex_lock(&tpmback_lock);
	list_add_tail(&tif->node, &tpmback_ifs);
	mutex_unlock(&tpmback_lock);
}

/**
 * tpmback_if_del() - unlist an interface.
 * @tif: a disconnected interface, from remove
 */
void tpmback_if_del(struct tpmback_if *tif)
{
	mutex_lock(&tpmback_lock);
	list_del(&tif->node);
	mutex_unlock(&tpmback_lock);
}

/**
 * tpmback_claim_instance() - make @instance the interface's, if no other
 * connected interface serves it.
 * @tif: the interface about to connect
 * @instance: 1 .. VTPM_INSTANCE_MAX
 *
 * Answers are paired with requests by instance, so two guests on one
 * instance would see each other's responses: that is refused here.
 *
 * Return: 0, or -EBUSY.
 */
int tpmback_claim_instance(struct tpmback_if *tif, u32 instance)
{
	struct tpmback_if *other;
	int err = 0;

	mutex_lock(&tpmback_lock);
	list_for_each_entry(other, &tpmback_ifs, node) {
		if (other != tif && other->instance == instance) {
			err = -EBUSY;
			goto out;
		}
	}
	tif->instance = instance;
out:
	mutex_unlock(&tpmback_lock);
	return err;
}

/**
 * tpmback_req_alloc() - a request with a page for its frame.
 *
 * Return: the request, or NULL when out of memory.
 */
struct tpmback_req *tpmback_req_alloc(void)
{
	struct tpmback_req *req;

	/* One page holds the largest frame, prefix included. */
	BUILD_BUG_ON(VTPM_INSTANCE_SIZE + VTPM_DEV_MAX_PACKET > PAGE_SIZE);

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return NULL;
	req->frame = (u8 *)__get_free_page(GFP_KERNEL);
	if (!req->frame) {
		kfree(req);
		return NULL;
	}
	return req;
}

/**
 * tpmback_req_free() - free a request that is on no list.
 * @req: from tpmback_req_alloc()
 */
void tpmback_req_free(struct tpmback_req *req)
{
	if (req->frame)
		free_page((unsigned long)req->frame);
	kfree(req);
}

/* Take a request off its list and free it. */
static void req_drop(struct tpmback_req *req)
{
	list_del(&req->node);
	nr_requests--;
	tpmback_req_free(req);
}

/**
 * tpmback_fail() - answer the request being served with a 10-byte TPM_FAIL.
 * @tif: a connected interface
 * @req_tag: the request's tag; the answer's tag is that + 3
 *
 * Context: tpmback_lock held.
 */
void tpmback_fail(struct tpmback_if *tif, u16 req_tag)
{
	u8 rsp[VTPM_TPM_HEADER_SIZE];
	u16 tag = VTPM_TAG_RSP_COMMAND;

	lockdep_assert_held(&tpmback_lock);
	if (req_tag >= VTPM_TAG_RQU_COMMAND && req_tag <= VTPM_TAG_RQU_AUTH2)
		tag = req_tag + 3;
	put_unaligned_be16(tag, rsp);
	put_unaligned_be32(VTPM_TPM_HEADER_SIZE, rsp + 2);
	put_unaligned_be32(VTPM_TPM_FAIL, rsp + 6);
	tif->ops->reply(tif, rsp, sizeof(rsp));
}

/**
 * tpmback_submit() - check a guest request and queue it for the manager,
 * or answer it with TPM_FAIL at once.
 * @tif: the connected interface the request came from, with no request
 *	being served
 * @req: from tpmback_req_alloc(); the request's bytes start at
 *	req->frame + VTPM_INSTANCE_SIZE.  Consumed either way.
 * @len: number of those bytes, at most VTPM_DEV_MAX_PACKET (the ring code
 *	checked that against its own limits)
 * @locality: the guest's TPM locality, 0 .. VTPM_LOCALITY_MAX
 *
 * Context: tpmback_lock held.
 */
void tpmback_submit(struct tpmback_if *tif, struct tpmback_req *req,
		    size_t len, u8 locality)
{
	const u8 *pkt = req->frame + VTPM_INSTANCE_SIZE;

	lockdep_assert_held(&tpmback_lock);
	if (WARN_ON_ONCE(tif->req || len > VTPM_DEV_MAX_PACKET ||
			 locality > VTPM_LOCALITY_MAX))
		goto err_free;

	/* guest-controlled: the TPM header of our copy, never the ring's */
	req->tag = len >= 2 ? get_unaligned_be16(pkt) : 0;
	if (len < VTPM_TPM_HEADER_SIZE) {
		tpmback_warn(tif, "request of %zu bytes is too short: TPM_FAIL\n",
			     len);
		goto err_refuse;
	}
	if (get_unaligned_be32(pkt + 2) != len) {
		tpmback_warn(tif, "request of %zu bytes says paramSize %u: TPM_FAIL\n",
			     len, get_unaligned_be32(pkt + 2));
		goto err_refuse;
	}
	if (!dev_open) {
		tpmback_warn(tif, "no vtpm_managerd has /dev/vtpm open: TPM_FAIL\n");
		goto err_refuse;
	}
	if (tif->nr_abandoned >= TPMBACK_MAX_ABANDONED ||
	    nr_requests >= TPMBACK_MAX_REQUESTS) {
		tpmback_warn(tif, "vtpm_managerd still owes answers for instance %u: TPM_FAIL\n",
			     tif->instance);
		goto err_refuse;
	}

	put_unaligned_be32(VTPM_PREFIX(tif->instance, locality), req->frame);
	req->len = VTPM_INSTANCE_SIZE + len;
	req->tif = tif;
	req->instance = tif->instance;
	req->state = TPMBACK_REQ_QUEUED;
	req->deadline = jiffies + timeout_jiffies(read_timeout);
	tif->req = req;
	list_add_tail(&req->node, &pending);
	nr_requests++;
	wake_up_interruptible(&readq);
	schedule_delayed_work(&expire_work, HZ);
	return;

err_refuse:
	tpmback_fail(tif, req->tag);
err_free:
	tpmback_req_free(req);
}

/**
 * tpmback_cancel_queued() - withdraw the interface's request if the manager
 * has not read it yet (protocol v2 CANCEL).
 * @tif: the interface
 *
 * A request the manager already read cannot be called back; it is answered
 * normally when its answer comes.
 *
 * Context: tpmback_lock held.
 * Return: true if a request was withdrawn.
 */
bool tpmback_cancel_queued(struct tpmback_if *tif)
{
	struct tpmback_req *req = tif->req;

	lockdep_assert_held(&tpmback_lock);
	if (!req || req->state != TPMBACK_REQ_QUEUED)
		return false;
	tif->req = NULL;
	req_drop(req);
	return true;
}

/* The guest gets TPM_FAIL now; the manager's answer, if any, is dropped. */
static void req_abandon(struct tpmback_req *req)
{
	struct tpmback_if *tif = req->tif;

	tpmback_fail(tif, req->tag);
	tif->req = NULL;
	if (req->state == TPMBACK_REQ_QUEUED) {
		/* The manager never saw it: nothing to swallow later. */
		req_drop(req);
		return;
	}
	req->abandoned = true;
	tif->nr_abandoned++;
}

/**
 * tpmback_detach() - forget an interface's requests; it is disconnecting.
 * @tif: the interface; its ring is still mapped but gets no more answers
 *
 * Context: tpmback_lock held.
 */
void tpmback_detach(struct tpmback_if *tif)
{
	struct tpmback_req *req, *tmp;

	lockdep_assert_held(&tpmback_lock);
	list_for_each_entry_safe(req, tmp, &pending, node)
		if (req->tif == tif)
			req_drop(req);
	list_for_each_entry(req, &outstanding, node) {
		if (req->tif == tif) {
			req->abandoned = true;
			req->tif = NULL;
		}
	}
	tif->req = NULL;
	tif->nr_abandoned = 0;
}

/* Deadlines, checked once a second while a request is live. */
static void expire(struct work_struct *work)
{
	struct tpmback_req *req, *tmp;
	bool live = false;

	mutex_lock(&tpmback_lock);
	list_for_each_entry_safe(req, tmp, &pending, node) {
		if (time_before(jiffies, req->deadline)) {
			live = true;
			continue;
		}
		tpmback_warn(req->tif, "request not read from /dev/vtpm within %u s: TPM_FAIL\n",
			     read_timeout);
		req_abandon(req);
	}
	list_for_each_entry(req, &outstanding, node) {
		if (req->abandoned)
			continue;
		if (time_before(jiffies, req->deadline)) {
			live = true;
			continue;
		}
		tpmback_warn(req->tif, "no answer from vtpm_managerd within %u s: TPM_FAIL\n",
			     answer_timeout);
		req_abandon(req);
	}
	if (live)
		schedule_delayed_work(&expire_work, HZ);
	mutex_unlock(&tpmback_lock);
}

static int vtpm_open(struct inode *inode, struct file *file)
{
	int err = 0;

	mutex_lock(&tpmback_lock);
	if (dev_open) {
		err = -EBUSY;
		goto out;
	}
	wbuf = (u8 *)__get_free_page(GFP_KERNEL);
	if (!wbuf) {
		err = -ENOMEM;
		goto out;
	}
	dev_open = true;
out:
	mutex_unlock(&tpmback_lock);
	if (err)
		return err;
	return nonseekable_open(inode, file);
}

/* The manager is gone: every guest still waiting gets TPM_FAIL. */
static int vtpm_release(struct inode *inode, struct file *file)
{
	struct tpmback_req *req, *tmp;
	unsigned int failed = 0;

	mutex_lock(&tpmback_lock);
	list_splice_tail_init(&outstanding, &pending);
	list_for_each_entry_safe(req, tmp, &pending, node) {
		if (!req->abandoned) {
			tpmback_fail(req->tif, req->tag);
			req->tif->req = NULL;
			failed++;
		} else if (req->tif) {
			req->tif->nr_abandoned--;
		}
		req_drop(req);
	}
	WARN_ON_ONCE(nr_requests);
	free_page((unsigned long)wbuf);
	wbuf = NULL;
	dev_open = false;
	mutex_unlock(&tpmback_lock);
	if (failed)
		pr_warn("/dev/vtpm closed: %u guest request(s) answered TPM_FAIL\n",
			failed);
	return 0;
}

static ssize_t vtpm_read(struct file *file, char __user *buf, size_t count,
			 loff_t *ppos)
{
	struct tpmback_req *req;
	ssize_t ret;

	mutex_lock(&tpmback_lock);
	while (list_empty(&pending)) {
		mutex_unlock(&tpmback_lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(readq, !list_empty(&pending)))
			return -ERESTARTSYS;
		mutex_lock(&tpmback_lock);
	}
	req = list_first_entry(&pending, struct tpmback_req, node);
	/* One packet per read; a short buffer leaves it queued. */
	if (count < req->len) {
		ret = -EINVAL;
		goto out;
	}
	if (copy_to_user(buf, req->frame, req->len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = req->len;
	free_page((unsigned long)req->frame);
	req->frame = NULL;
	req->state = TPMBACK_REQ_READ;
	req->deadline = jiffies + timeout_jiffies(answer_timeout);
	list_move_tail(&req->node, &outstanding);
out:
	mutex_unlock(&tpmback_lock);
	return ret;
}

/* The manager's answer to the oldest request read for its instance. */
static ssize_t vtpm_write(struct file *file, const char __user *buf,
			  size_t count, loff_t *ppos)
{
	struct tpmback_req *req, *found = NULL;
	struct tpmback_if *tif;
	size_t len;
	u32 prefix;
	ssize_t ret;

	if (count < VTPM_INSTANCE_SIZE + VTPM_TPM_HEADER_SIZE ||
	    count > VTPM_INSTANCE_SIZE + VTPM_DEV_MAX_PACKET)
		return -EINVAL;
	len = count - VTPM_INSTANCE_SIZE;

	mutex_lock(&tpmback_lock);
	if (copy_from_user(wbuf, buf, count)) {
		ret = -EFAULT;
		goto out;
	}
	prefix = get_unaligned_be32(wbuf);
	/* Answers carry locality 0: any other top byte is not an instance. */
	if (VTPM_PREFIX_LOCALITY(prefix) != 0 ||
	    prefix == VTPM_INSTANCE_NONE ||
	    get_unaligned_be32(wbuf + VTPM_INSTANCE_SIZE + 2) != len) {
		ret = -EINVAL;
		goto out;
	}
	list_for_each_entry(req, &outstanding, node) {
		if (req->instance == prefix) {
			found = req;
			break;
		}
	}
	if (!found) {
		ret = -EINVAL;
		goto out;
	}
	ret = count;
	tif = found->tif;
	if (found->abandoned) {
		/* A late answer: its guest already got TPM_FAIL. */
		pr_debug("late answer for instance %u dropped\n", prefix);
		if (tif)
			tif->nr_abandoned--;
		req_drop(found);
		goto out;
	}
	if (len > tif->ops->capacity(tif)) {
		tpmback_warn(tif, "answer of %zu bytes does not fit the %s ring: TPM_FAIL\n",
			     len, tif->ops->name);
		tpmback_fail(tif, found->tag);
	} else {
		tif->ops->reply(tif, wbuf + VTPM_INSTANCE_SIZE, len);
	}
	tif->req = NULL;
	req_drop(found);
out:
	mutex_unlock(&tpmback_lock);
	return ret;
}

static __poll_t vtpm_poll(struct file *file, poll_table *wait)
{
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &readq, wait);
	mutex_lock(&tpmback_lock);
	if (!list_empty(&pending))
		mask |= EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&tpmback_lock);
	return mask;
}

static const struct file_operations vtpm_fops = {
	.owner = THIS_MODULE,
	.open = vtpm_open,
	.release = vtpm_release,
	.read = vtpm_read,
	.write = vtpm_write,
	.poll = vtpm_poll,
	.llseek = no_llseek,
};

static struct miscdevice vtpm_misc = {
	.minor = VTPM_DEV_MINOR,
	.name = VTPM_DEV_NAME,
	.fops = &vtpm_fops,
	.mode = 0600,
};

/**
 * tpmback_dev_init() - register /dev/vtpm.
 *
 * Return: 0 or -errno.
 */
int tpmback_dev_init(void)
{
	return misc_register(&vtpm_misc);
}

/**
 * tpmback_dev_fini() - unregister /dev/vtpm.
 *
 * Context: no interface left, so no request can be queued any more.
 */
void tpmback_dev_fini(void)
{
	/* The module cannot go while the device is open: nothing is left. */
	misc_deregister(&vtpm_misc);
	cancel_delayed_work_sync(&expire_work);
	WARN_ON_ONCE(!list_empty(&pending) || !list_empty(&outstanding) ||
		     !list_empty(&tpmback_ifs));
}

MODULE_ALIAS_MISCDEV(VTPM_DEV_MINOR);
