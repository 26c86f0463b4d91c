// SPDX-License-Identifier: GPL-2.0
/*
 * tpmfront.c - tpm_xenu, the guest half of the classic Xen vTPM split driver.
 *
 * Owns the xenbus "vtpm" frontend: the classic ring of vtpm_shared.h (a page
 * of slots naming granted data pages), its event channel, and the TPM 1.2
 * chip registered with the TPM core under /sys/devices/xen/vtpm-<id>.  It
 * never interprets TPM packets: tpmbk checks them, the TPM core parses them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <asm/unaligned.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/platform_pci.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "tpm_core.h"
#include "vtpm_shared.h"

/*
 * Least time a request may take before its reader gets -ETIME, whatever
 * duration the vTPM reports for the ordinal (our engine says 2 s for short
 * commands).  A virtual TPM answers through dom0's scheduler, the manager
 * and a vtpmd that may be restarting, latencies no chip on a bus has.
 */
#define TPMFRONT_MIN_WAIT_MS	10000

/*
 * Times in a row the frontend asks a backend that closed for a new
 * connection without one succeeding (see rejoin()).
 */
#define TPMFRONT_MAX_REJOINS	5

/* ops->status() bits; the TPM core only compares them with the masks below. */
#define TPMFRONT_STS_BUSY	BIT(0)	/* a request is at the backend */
#define TPMFRONT_STS_IDLE	BIT(1)	/* no request at the backend */
#define TPMFRONT_STS_RESULT	BIT(2)	/* an answer waits to be read */
#define TPMFRONT_STS_CANCELED	BIT(3)	/* the reader gave the request up */

/* Where the one request the classic ring can carry stands. */
enum tpmfront_req {
	REQ_IDLE,	/* the pages are ours */
	REQ_SENT,	/* the backend owns the pages until it notifies us */
	REQ_ANSWERED,	/* the pages hold the backend's answer */
};

struct tpmfront {
	struct xenbus_device *xbdev;
	struct platform_device *pdev;	/* /sys/devices/xen/vtpm-N */
	struct tpm_chip *chip;		/* child of pdev, freed with it */
	struct work_struct register_work;
	bool chip_registered;		/* only register_chip() and remove */
	bool register_failed;
	unsigned int rejoins;		/* xenbus watch thread only */

	/*
	 * The ring of one connection.  Set up and torn down with ring_lock
	 * held and the link down; send() and recv() hold ring_lock while
	 * they touch the pages.
	 */
	struct mutex ring_lock;
	struct vtpm_classic_ring *ring;
	grant_ref_t ring_ref;
	void *data;			/* VTPM_CLASSIC_SLOTS pages */
	grant_ref_t data_ref[VTPM_CLASSIC_SLOTS];
	int irq;

	/* Request state; lock is taken by the event handler. */
	spinlock_t lock;
	wait_queue_head_t wq;
	bool connected;			/* backend Connected, ring usable */
	bool canceled;
	enum tpmfront_req req;
	unsigned int gen;		/* bumped whenever the link goes down */
	unsigned int req_gen;		/* gen when the request was sent */
	unsigned long req_wait;		/* jiffies the request may take */
};

/* /sys/devices/xen: parent of every vtpm-N, so the user's path exists. */
static struct device *tpmfront_root;

/* ---------------------------------------------------------------------
 * The TPM core's view: one request at a time (the core holds tpm_mutex
 * around send + recv), answered through the event channel.
 */

static bool request_settled(struct tpmfront *fe)
{
	unsigned long flags;
	bool settled;

	spin_lock_irqsave(&fe->lock, flags);
	settled = fe->gen != fe->req_gen || fe->canceled ||
		  fe->req == REQ_ANSWERED;
	spin_unlock_irqrestore(&fe->lock, flags);
	return settled;
}

static bool pages_free_or_link_down(struct tpmfront *fe)
{
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&fe->lock, flags);
	ready = !fe->connected || fe->req != REQ_SENT;
	spin_unlock_irqrestore(&fe->lock, flags);
	return ready;
}

/*
 * How long the backend may take: the vTPM's duration for the ordinal, at
 * least TPMFRONT_MIN_WAIT_MS.  A packet too short to hold an ordinal is
 * the backend's to refuse, at once.
 */
static unsigned long request_wait(struct tpm_chip *chip, const u8 *buf,
				  size_t len)
{
	unsigned long wait = msecs_to_jiffies(TPMFRONT_MIN_WAIT_MS);
	u32 ordinal;

	if (len >= VTPM_TPM_HEADER_SIZE) {
		ordinal = get_unaligned_be32(buf + 6);
		wait = max(wait, tpm_calc_ordinal_duration(chip, ordinal));
	}
	return wait;
}

static int tpmfront_send(struct tpm_chip *chip, u8 *buf, size_t len)
{
	struct tpmfront *fe = dev_get_drvdata(&chip->dev);
	unsigned long wait = request_wait(chip, buf, len);
	size_t left = len;
	unsigned int i;
	long ret;
	int err = 0;

	if (len > VTPM_CLASSIC_MAX_PACKET)
		return -E2BIG;

	/*
	 * A request whose reader gave up is still at the backend, which will
	 * write its answer into these pages: wait for that answer first.
	 */
	ret = wait_event_killable_timeout(fe->wq,
					  pages_free_or_link_down(fe), wait);
	if (ret < 0)
		return -EINTR;
	if (!ret) {
		dev_warn_ratelimited(&fe->xbdev->dev,
				     "backend still busy with an abandoned request\n");
		return -EBUSY;
	}

	mutex_lock(&fe->ring_lock);
	spin_lock_irq(&fe->lock);
	if (!fe->connected)
		err = -EPIPE;
	else
		fe->req = REQ_IDLE;	/* drops an abandoned request's answer */
	spin_unlock_irq(&fe->lock);
	if (err)
		goto out_unlock;

	memcpy(fe->data, buf, len);
	for (i = 0; i < VTPM_CLASSIC_SLOTS; i++) {
		struct vtpm_classic_slot *slot = &fe->ring->slot[i];
		size_t size = min_t(size_t, left, VTPM_CLASSIC_PAGE_SIZE);

		slot->addr = 0;
		slot->ref = fe->data_ref[i];
		slot->unused = 0;
		slot->size = size;
		left -= size;
	}
	/* The backend reads the slots and pages once it sees the event. */
	wmb();

	spin_lock_irq(&fe->lock);
	/* The backend may have gone while we copied: no answer would come. */
	if (fe->connected) {
		fe->req = REQ_SENT;
		fe->canceled = false;
		fe->req_gen = fe->gen;
		fe->req_wait = wait;
	} else {
		err = -EPIPE;
	}
	spin_unlock_irq(&fe->lock);
	if (!err)
		notify_remote_via_irq(fe->irq);

out_unlock:
	mutex_unlock(&fe->ring_lock);
	return err;
}

/* Length of the answer the slots describe, or -EIO.  backend-controlled */
static int answer_length(struct tpmfront *fe, size_t max)
{
	u16 size[VTPM_CLASSIC_SLOTS];
	unsigned int i, n;
	size_t len = 0;

	/* Read each size once: the backend can still write the ring. */
	for (n = 0; n < VTPM_CLASSIC_SLOTS; n++) {
		size[n] = READ_ONCE(fe->ring->slot[n].size);
		if (!size[n])
			break;
	}
	for (i = 0; i < n; i++) {
		if (size[i] > VTPM_CLASSIC_PAGE_SIZE)
			return -EIO;
		/* Only the last page of a packet may be partly filled. */
		if (i + 1 < n && size[i] != VTPM_CLASSIC_PAGE_SIZE)
			return -EIO;
		len += size[i];
	}
	if (len > max)
		return -EIO;
	return len;
}

static int tpmfront_recv(struct tpm_chip *chip, u8 *buf, size_t count)
{
	struct tpmfront *fe = dev_get_drvdata(&chip->dev);
	long ret;
	int len = 0;

	ret = wait_event_killable_timeout(fe->wq, request_settled(fe),
					  fe->req_wait);
	/* Both leave the request at the backend; the next send() waits. */
	if (ret < 0)
		return -EINTR;
	if (!ret) {
		dev_warn_ratelimited(&fe->xbdev->dev,
				     "no answer from the backend in %u ms\n",
				     jiffies_to_msecs(fe->req_wait));
		return -ETIME;
	}

	mutex_lock(&fe->ring_lock);
	spin_lock_irq(&fe->lock);
	if (fe->gen != fe->req_gen)
		len = -EPIPE;
	else if (fe->req != REQ_ANSWERED)
		len = -ECANCELED;
	spin_unlock_irq(&fe->lock);
	if (len)
		goto out_unlock;

	/* Pairs with the backend's barrier before it notified us. */
	rmb();
	len = answer_length(fe, count);
	if (len < 0)
		dev_warn_ratelimited(&fe->xbdev->dev,
				     "malformed answer from the backend\n");
	else
		memcpy(buf, fe->data, len);

	spin_lock_irq(&fe->lock);
	fe->req = REQ_IDLE;
	spin_unlock_irq(&fe->lock);
out_unlock:
	mutex_unlock(&fe->ring_lock);
	return len;
}

/*
 * The classic ring has no cancel message: the reader stops waiting, and
 * the backend's answer, when it comes, is dropped by the next send().
 */
static void tpmfront_cancel(struct tpm_chip *chip)
{
	struct tpmfront *fe = dev_get_drvdata(&chip->dev);
	unsigned long flags;

	spin_lock_irqsave(&fe->lock, flags);
	if (fe->req == REQ_SENT)
		fe->canceled = true;
	spin_unlock_irqrestore(&fe->lock, flags);
	wake_up_all(&fe->wq);
}

static u8 tpmfront_status(struct tpm_chip *chip)
{
	struct tpmfront *fe = dev_get_drvdata(&chip->dev);
	unsigned long flags;
	u8 status;

	spin_lock_irqsave(&fe->lock, flags);
	switch (fe->req) {
	case REQ_SENT:
		status = TPMFRONT_STS_BUSY;
		break;
	case REQ_ANSWERED:
		status = TPMFRONT_STS_IDLE | TPMFRONT_STS_RESULT;
		break;
	default:
		status = TPMFRONT_STS_IDLE;
		break;
	}
	if (fe->canceled)
		status |= TPMFRONT_STS_CANCELED;
	spin_unlock_irqrestore(&fe->lock, flags);
	return status;
}

static bool tpmfront_req_canceled(struct tpm_chip *chip, u8 status)
{
	return status & TPMFRONT_STS_CANCELED;
}

static const struct tpm_class_ops tpmfront_ops = {
	.req_complete_mask = TPMFRONT_STS_IDLE | TPMFRONT_STS_RESULT,
	.req_complete_val = TPMFRONT_STS_IDLE | TPMFRONT_STS_RESULT,
	.req_canceled = tpmfront_req_canceled,
	.recv = tpmfront_recv,
	.send = tpmfront_send,
	.cancel = tpmfront_cancel,
	.status = tpmfront_status,
};

/*
 * An event while a request is out is its answer.  Any other event is
 * spurious; lateeoi lets Xen throttle a backend that floods us with them.
 */
static irqreturn_t on_backend_event(int irq, void *dev_id)
{
	struct tpmfront *fe = dev_id;
	unsigned int eoi_flags = XEN_EOI_FLAG_SPURIOUS;

	spin_lock(&fe->lock);
	if (fe->req == REQ_SENT) {
		fe->req = REQ_ANSWERED;
		eoi_flags = 0;
	}
	spin_unlock(&fe->lock);
	if (!eoi_flags)
		wake_up_all(&fe->wq);
	xen_irq_lateeoi(irq, eoi_flags);
	return IRQ_HANDLED;
}

/* ---------------------------------------------------------------------
 * The link: ring pages, grants, event channel.
 */

static void link_up(struct tpmfront *fe)
{
	spin_lock_irq(&fe->lock);
	fe->connected = true;
	spin_unlock_irq(&fe->lock);
}

/* Fails the request in flight (-EPIPE) and every later one until link_up. */
static void link_down(struct tpmfront *fe)
{
	spin_lock_irq(&fe->lock);
	fe->connected = false;
	fe->req = REQ_IDLE;
	fe->gen++;
	spin_unlock_irq(&fe->lock);
	wake_up_all(&fe->wq);
}

/*
 * Allocate an event channel to the backend and bind it to our handler.
 * Returns the irq, which owns the port from then on (unbinding closes it).
 */
static int bind_event(struct tpmfront *fe, evtchn_port_t *port)
{
	struct xenbus_device *dev = fe->xbdev;
	int irq, err;

	err = xenbus_alloc_evtchn(dev, port);
	if (err)
		return err;

	irq = bind_evtchn_to_irqhandler_lateeoi(*port, on_backend_event, 0,
						KBUILD_MODNAME, fe);
	if (irq < 0) {
		xenbus_dev_fatal(dev, irq, "binding event channel %u", *port);
		xenbus_free_evtchn(dev, *port);
	}
	return irq;
}

/*
 * Write ring-ref and event-channel.  feature-protocol-v2 is removed: a
 * v2 frontend bound to this device before us may have left it behind, and
 * it would make the backend speak the wrong protocol.
 */
static int publish_ring(struct tpmfront *fe, evtchn_port_t port)
{
	struct xenbus_device *dev = fe->xbdev;
	struct xenbus_transaction xbt;
	const char *what;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err) {
		xenbus_dev_fatal(dev, err, "starting transaction");
		return err;
	}

	what = VTPM_XS_RING_REF;
	err = xenbus_printf(xbt, dev->nodename, VTPM_XS_RING_REF, "%u",
			    fe->ring_ref);
	if (!err) {
		what = VTPM_XS_EVTCHN;
		err = xenbus_printf(xbt, dev->nodename, VTPM_XS_EVTCHN, "%u",
				    port);
	}
	if (!err) {
		what = VTPM_XS_FEATURE_V2;
		err = xenbus_rm(xbt, dev->nodename, VTPM_XS_FEATURE_V2);
		if (err == -ENOENT)
			err = 0;
	}
	if (err) {
		xenbus_transaction_end(xbt, 1);
		xenbus_dev_fatal(dev, err, "writing %s", what);
		return err;
	}

	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err)
		xenbus_dev_fatal(dev, err, "completing transaction");
	return err;
}

/* Undo ring_setup(); safe on a half-built or absent ring. */
static void ring_teardown(struct tpmfront *fe)
{
	lockdep_assert_held(&fe->ring_lock);

	/* No more events, then the pages; still-mapped grants are deferred. */
	if (fe->irq > 0) {
		unbind_from_irqhandler(fe->irq, fe);
		fe->irq = 0;
	}
	xenbus_teardown_ring(&fe->data, VTPM_CLASSIC_SLOTS, fe->data_ref);
	xenbus_teardown_ring((void **)&fe->ring, 1, &fe->ring_ref);
}

/* Grant the ring and data pages, bind the event channel, publish them. */
static int ring_setup(struct tpmfront *fe)
{
	struct xenbus_device *dev = fe->xbdev;
	evtchn_port_t port;
	unsigned int i;
	int err;

	lockdep_assert_held(&fe->ring_lock);

	err = xenbus_setup_ring(dev, GFP_KERNEL, (void **)&fe->ring, 1,
				&fe->ring_ref);
	if (err)
		goto err_report;
	err = xenbus_setup_ring(dev, GFP_KERNEL, &fe->data,
				VTPM_CLASSIC_SLOTS, fe->data_ref);
	if (err)
		goto err_report;
	for (i = 0; i < VTPM_CLASSIC_SLOTS; i++)
		fe->ring->slot[i].ref = fe->data_ref[i];

	fe->irq = bind_event(fe, &port);
	if (fe->irq < 0) {
		err = fe->irq;
		fe->irq = 0;
		goto err_teardown;
	}

	err = publish_ring(fe, port);
	if (err)
		goto err_teardown;
	return 0;

err_report:
	/* xenbus_setup_ring() reports only grant failures itself. */
	if (err == -ENOMEM)
		xenbus_dev_fatal(dev, err, "allocating ring pages");
err_teardown:
	ring_teardown(fe);
	return err;
}

/* Offer the backend a fresh ring: new pages, grants and event channel. */
static void connect_ring(struct tpmfront *fe)
{
	int err;

	link_down(fe);
	mutex_lock(&fe->ring_lock);
	ring_teardown(fe);
	err = ring_setup(fe);
	mutex_unlock(&fe->ring_lock);
	if (!err)
		xenbus_switch_state(fe->xbdev, XenbusStateInitialised);
}

static void disconnect_ring(struct tpmfront *fe)
{
	link_down(fe);
	mutex_lock(&fe->ring_lock);
	ring_teardown(fe);
	mutex_unlock(&fe->ring_lock);
}

/* ---------------------------------------------------------------------
 * The chip is registered once, at the first connection, from a work item:
 * registering sends TPM commands, and the xenbus watch thread must stay
 * free to tell us if the backend goes away meanwhile.  It stays registered
 * across reconnections, so /dev/tpm0 and open files survive a backend
 * restart; requests meanwhile fail with -EPIPE.
 */
static void register_chip(struct work_struct *work)
{
	struct tpmfront *fe = container_of(work, struct tpmfront,
					   register_work);
	struct tpm_chip *chip = fe->chip;
	int err;

	if (fe->chip_registered) {
		/* The first connection could not read them: try again. */
		if (!(chip->flags & TPM_CHIP_FLAG_HAVE_TIMEOUTS) &&
		    !tpm_try_get_ops(chip)) {
			tpm_get_timeouts(chip);
			tpm_put_ops(chip);
		}
		return;
	}
	if (fe->register_failed)
		return;

	/* Not fatal: the core falls back to its defaults meanwhile. */
	err = tpm_get_timeouts(chip);
	if (err)
		dev_warn(&fe->xbdev->dev,
			 "cannot read the vTPM's timeouts (%d)\n", err);

	err = tpm_chip_register(chip);
	if (err) {
		dev_err(&fe->xbdev->dev, "registering the TPM chip: %d\n",
			err);
		fe->register_failed = true;
		return;
	}
	fe->chip_registered = true;
	dev_info(&fe->xbdev->dev, "vTPM is /dev/%s, sysfs %s/%s\n",
		 dev_name(&chip->dev), dev_name(tpmfront_root),
		 dev_name(&fe->pdev->dev));
}

/*
 * The backend closed, but the device stays: tpmbk was reloaded or rebound,
 * not a detach (the toolstack clears "online" in the same transaction as
 * it writes Closing).  Ask for a new connection the way a freshly bound
 * frontend does, by (re)announcing Initialising: a backend looks at the
 * frontend again only when the frontend's state node is written.  Bounded,
 * so that a backend failing every connection cannot keep both ends
 * looping; a successful connection resets the count.
 */
static void rejoin(struct tpmfront *fe)
{
	struct xenbus_device *dev = fe->xbdev;

	if (fe->rejoins >= TPMFRONT_MAX_REJOINS ||
	    !xenbus_read_unsigned(dev->otherend, "online", 0))
		return;
	fe->rejoins++;
	/* xenbus_switch_state() skips a write of the state we are in. */
	if (dev->state == XenbusStateInitialising)
		xenbus_printf(XBT_NIL, dev->nodename, "state", "%d",
			      XenbusStateInitialising);
	else
		xenbus_switch_state(dev, XenbusStateInitialising);
}

/* ---------------------------------------------------------------------
 * xenbus state machine (frontend side):
 *
 *   probe: Initialising (again, if a previous driver left it Closed)
 *      |  backend InitWait: connect_ring()
 *      v
 *   Initialised --- backend Connected ---> Connected (chip registered once)
 *      ^                                      |
 *      | backend InitWait                     | backend Closing: link down
 *      |                                      v
 *   Initialising <-- backend Closed, -- Closed (ring ungranted once the
 *                    "online" still 1          backend is Closed)
 *
 * A backend still Closed from a previous connection is asked again
 * (Initialising rewritten); one still Connected to a ring we no longer
 * have (after a rebind) is told Closed first.  Every case tolerates
 * repeated watch events.
 */
static void backend_changed(struct xenbus_device *dev,
			    enum xenbus_state state)
{
	struct tpmfront *fe = dev_get_drvdata(&dev->dev);

	dev_dbg(&dev->dev, "backend %s, frontend %s\n",
		xenbus_strstate(state), xenbus_strstate(dev->state));

	switch (state) {
	case XenbusStateInitWait:
	case XenbusStateInitialised:
		if (dev->state == XenbusStateInitialised)
			break;
		connect_ring(fe);
		break;

	case XenbusStateConnected:
		if (dev->state == XenbusStateConnected)
			break;
		if (dev->state != XenbusStateInitialised) {
			/* Serving a ring of ours from before a rebind. */
			if (dev->state != XenbusStateClosed)
				xenbus_frontend_closed(dev);
			break;
		}
		fe->rejoins = 0;
		link_up(fe);
		xenbus_switch_state(dev, XenbusStateConnected);
		schedule_work(&fe->register_work);
		break;

	case XenbusStateClosing:
		/* The backend may still have pages mapped: keep them. */
		link_down(fe);
		if (dev->state != XenbusStateClosed)
			xenbus_frontend_closed(dev);
		break;

	case XenbusStateClosed:
	case XenbusStateUnknown:
		disconnect_ring(fe);
		/*
		 * Initialising: we asked for a connection already, but a
		 * backend that closed after it saw that (a fast rebind)
		 * needs to be asked again; saying Closed would make it close
		 * once more.
		 */
		if (dev->state != XenbusStateClosed &&
		    dev->state != XenbusStateInitialising)
			xenbus_frontend_closed(dev);
		if (state == XenbusStateClosed)
			rejoin(fe);
		break;

	default:
		break;
	}
}

static int tpmfront_probe(struct xenbus_device *dev,
			  const struct xenbus_device_id *id)
{
	struct platform_device_info info = {
		.parent = tpmfront_root,
		.name = dev_name(&dev->dev),
		.id = PLATFORM_DEVID_NONE,
	};
	struct tpmfront *fe;
	unsigned int i;
	int err;

	fe = kzalloc(sizeof(*fe), GFP_KERNEL);
	if (!fe)
		return -ENOMEM;
	fe->xbdev = dev;
	INIT_WORK(&fe->register_work, register_chip);
	mutex_init(&fe->ring_lock);
	fe->ring_ref = INVALID_GRANT_REF;
	for (i = 0; i < VTPM_CLASSIC_SLOTS; i++)
		fe->data_ref[i] = INVALID_GRANT_REF;
	spin_lock_init(&fe->lock);
	init_waitqueue_head(&fe->wq);

	/*
	 * The chip's parent is /sys/devices/xen/vtpm-N, not the xenbus device
	 * (/sys/devices/vtpm-N): the TPM core links a TPM 1.2 chip's
	 * attributes into its parent, which gives the classic path
	 * /sys/devices/xen/vtpm-N/pcrs.  A platform device is used because
	 * its release function is the driver core's: an open /dev/tpm0 can
	 * keep it alive after this module is gone.
	 */
	fe->pdev = platform_device_register_full(&info);
	if (IS_ERR(fe->pdev)) {
		err = PTR_ERR(fe->pdev);
		goto err_free_fe;
	}

	fe->chip = tpmm_chip_alloc(&fe->pdev->dev, &tpmfront_ops);
	if (IS_ERR(fe->chip)) {
		err = PTR_ERR(fe->chip);
		goto err_unregister_pdev;
	}
	/* send() returns at once; recv() sleeps until the backend's event. */
	fe->chip->flags |= TPM_CHIP_FLAG_IRQ;
	dev_set_drvdata(&fe->chip->dev, fe);
	dev_set_drvdata(&dev->dev, fe);

	/*
	 * A driver bound before us (tpm_xenu reloaded, or xen-tpmfront
	 * unbound) left the device Closed; Initialising asks the backend to
	 * prepare for a new connection, as blkback and netback do.
	 */
	if (dev->state != XenbusStateInitialising)
		xenbus_switch_state(dev, XenbusStateInitialising);
	return 0;

err_unregister_pdev:
	platform_device_unregister(fe->pdev);
err_free_fe:
	kfree(fe);
	return err;
}

static void tpmfront_remove(struct xenbus_device *dev)
{
	struct tpmfront *fe = dev_get_drvdata(&dev->dev);

	/* Waiters return -EPIPE, so unregistering does not wait on them. */
	link_down(fe);
	cancel_work_sync(&fe->register_work);
	if (fe->chip_registered)
		tpm_chip_unregister(fe->chip);
	disconnect_ring(fe);
	/* Drops the chip (tpmm); an open /dev/tpm0 holds it until closed. */
	platform_device_unregister(fe->pdev);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(fe);
}

/* After save/restore or migration the grants and the backend are new. */
static int tpmfront_resume(struct xenbus_device *dev)
{
	disconnect_ring(dev_get_drvdata(&dev->dev));
	return 0;
}

static const struct xenbus_device_id tpmfront_ids[] = {
	{ "vtpm" },
	{ "" }
};

static struct xenbus_driver tpmfront_driver = {
	/* Not "vtpm": xen-tpmfront's driver has that name on the same bus. */
	.name = KBUILD_MODNAME,
	.ids = tpmfront_ids,
	.probe = tpmfront_probe,
	.remove = tpmfront_remove,
	.resume = tpmfront_resume,
	.otherend_changed = backend_changed,
	.not_essential = true,
};

static int __init tpmfront_init(void)
{
	int err;

	if (!xen_domain() || !xen_has_pv_devices())
		return -ENODEV;

	tpmfront_root = root_device_register("xen");
	if (IS_ERR(tpmfront_root))
		return PTR_ERR(tpmfront_root);

	err = xenbus_register_frontend(&tpmfront_driver);
	if (err)
		goto err_unregister_root;
	return 0;

err_unregister_root:
	root_device_unregister(tpmfront_root);
	return err;
}
module_init(tpmfront_init);

static void __exit tpmfront_exit(void)
{
	xenbus_unregister_driver(&tpmfront_driver);
	root_device_unregister(tpmfront_root);
}
module_exit(tpmfront_exit);

MODULE_DESCRIPTION("Xen classic vTPM frontend (tpm_xenu)");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen:vtpm");
