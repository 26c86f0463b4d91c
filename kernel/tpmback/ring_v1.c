// SPDX-License-Identifier: GPL-2.0
/*
 * The classic ring (struct vtpm_classic_ring): slots naming granted data
 * pages, as tpm_xenu speaks it.  The data pages are reached by grant copy,
 * never mapped: a bad reference then fails that one copy (the guest's
 * problem) instead of closing the device from inside
 * xenbus_map_ring_valloc(), and there is no mapping to leak.
 */
#include "common.h"

#include <asm/barrier.h>
#include <asm/unaligned.h>
#include <xen/events.h>
#include <xen/page.h>

static struct vtpm_classic_ring *classic(struct tpmback_if *tif)
{
	return tif->ring;
}

/* Copy @len bytes between the guest's page @ref and our @local. */
static int grant_copy(struct tpmback_if *tif, grant_ref_t ref, void *local,
		      size_t len, bool to_guest)
{
	struct gnttab_copy op = { .len = len };
	struct gnttab_copy_ptr *ours = to_guest ? &op.source : &op.dest;
	struct gnttab_copy_ptr *theirs = to_guest ? &op.dest : &op.source;

	ours->u.gmfn = virt_to_gfn(local);
	ours->domid = DOMID_SELF;
	ours->offset = xen_offset_in_page(local);
	theirs->u.ref = ref;
	theirs->domid = tif->dev->otherend_id;
	theirs->offset = 0;
	op.flags = to_guest ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
	gnttab_batch_copy(&op, 1);
	return op.status == GNTST_okay ? 0 : -EFAULT;
}

/* The answer is in page 0 of the request, slot 1 marks its end. */
static void set_sizes(struct tpmback_if *tif, u16 size)
{
	struct vtpm_classic_ring *ring = classic(tif);

	WRITE_ONCE(ring->slot[0].size, size);
	if (VTPM_CLASSIC_SLOTS > 1)
		WRITE_ONCE(ring->slot[1].size, 0);
	/* The sizes before the event that makes the guest read them. */
	virt_wmb();
	notify_remote_via_irq(tif->irq);
}

/*
 * The classic ring has no "request here" flag; binding the event channel
 * raises one event of its own, and a frontend sends nothing before we are
 * Connected.  So a ring starts with no sizes, and a notification with
 * slot 0 empty is no request.
 */
static void v1_reset(struct tpmback_if *tif)
{
	struct vtpm_classic_ring *ring = classic(tif);
	int i;

	for (i = 0; i < VTPM_CLASSIC_SLOTS; i++)
		WRITE_ONCE(ring->slot[i].size, 0);
}

static bool v1_receive(struct tpmback_if *tif)
{
	struct vtpm_classic_ring *ring = classic(tif);
	struct tpmback_req *req;
	u16 size, unused, next = 0;
	size_t len;

	/* One request at a time: the frontend waits for our answer. */
	if (tif->req)
		return false;

	/* guest-controlled: each field read once, checked before use */
	tif->reply_ref = READ_ONCE(ring->slot[0].ref);
	size = READ_ONCE(ring->slot[0].size);
	unused = READ_ONCE(ring->slot[0].unused);
	if (VTPM_CLASSIC_SLOTS > 1)
		next = READ_ONCE(ring->slot[1].size);
	if (!size)
		return false;

	req = tpmback_req_alloc();
	if (!req) {
		tpmback_warn(tif, "out of memory: TPM_FAIL\n");
		tpmback_fail(tif, 0);
		return true;
	}
	/*
	 * The path carries VTPM_DEV_MAX_PACKET bytes (< one page), so a
	 * request that is more than page 0 is refused; its head is still
	 * read, for the tag of the answer.
	 */
	len = min_t(size_t, size, VTPM_DEV_MAX_PACKET);
	if (grant_copy(tif, tif->reply_ref, req->frame + VTPM_INSTANCE_SIZE,
		       len, false)) {
		tpmback_warn(tif, "grant %u of slot 0 cannot be read: no answer possible\n",
			     tif->reply_ref);
		tpmback_req_free(req);
		/* A zero-sized answer: the only signal left. */
		set_sizes(tif, 0);
		return true;
	}
	if (size > len || next || unused) {
		tpmback_warn(tif, "malformed slots (size %u, next %u, unused %u): TPM_FAIL\n",
			     size, next, unused);
		tpmback_fail(tif, len >= 2 ?
			     get_unaligned_be16(req->frame + VTPM_INSTANCE_SIZE) :
			     0);
		tpmback_req_free(req);
		return true;
	}
	/* The classic ring has no locality. */
	tpmback_submit(tif, req, len, 0);
	return true;
}

static size_t v1_capacity(struct tpmback_if *tif)
{
	/* Answers go to page 0 of the request (see v1_receive). */
	return XEN_PAGE_SIZE;
}

static void v1_reply(struct tpmback_if *tif, const u8 *rsp, size_t len)
{
	/* A grant copy needs a frame of ours: stage the bytes in one. */
	memcpy(tif->bounce, rsp, len);
	if (grant_copy(tif, tif->reply_ref, tif->bounce, len, true)) {
		tpmback_warn(tif, "grant %u of slot 0 cannot be written: no answer possible\n",
			     tif->reply_ref);
		len = 0;
	}
	set_sizes(tif, len);
}

const struct tpmback_ring_ops tpmback_classic_ops = {
	.name = "classic",
	.reset = v1_reset,
	.receive = v1_receive,
	.capacity = v1_capacity,
	.reply = v1_reply,
};
