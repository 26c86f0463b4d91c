// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol v2: one shared page (struct vtpm_shared_page), as the stock
 * xen-tpmfront speaks it.  Reads requests out of the page and writes
 * responses into it; the page is the guest's and may change under us at
 * any time, so every field is read once and only our copy is used.
 */
#include "common.h"

#include <asm/barrier.h>
#include <asm/unaligned.h>
#include <xen/events.h>
#include <xen/page.h>

static struct vtpm_shared_page *shared(struct tpmback_if *tif)
{
	return tif->ring;
}

/* Tell the guest its request is over: after the data and length. */
static void set_state(struct tpmback_if *tif, u8 state)
{
	/* Data and length must be visible before the guest sees the state. */
	virt_wmb();
	WRITE_ONCE(shared(tif)->state, state);
	notify_remote_via_irq(tif->irq);
}

static void refuse(struct tpmback_if *tif, const char *why)
{
	const u8 *data = (const u8 *)tif->ring + tif->reply_off;

	tpmback_warn(tif, "%s: TPM_FAIL\n", why);
	/* guest-controlled tag, only echoed (+ 3) in the answer */
	tpmback_fail(tif, get_unaligned_be16(data));
}

static bool v2_receive(struct tpmback_if *tif)
{
	struct vtpm_shared_page *shr = shared(tif);
	struct tpmback_req *req;
	u8 state, nr_extra, locality;
	u32 len;

	state = READ_ONCE(shr->state);
	if (tif->req) {
		/* Only a request the manager has not read can be withdrawn. */
		if (state == VTPM_STATE_CANCEL && tpmback_cancel_queued(tif)) {
			set_state(tif, VTPM_STATE_IDLE);
			return true;
		}
		return false;
	}
	switch (state) {
	case VTPM_STATE_SUBMIT:
		break;
	case VTPM_STATE_CANCEL:
		/* Nothing in progress: the cancel is complete. */
		set_state(tif, VTPM_STATE_IDLE);
		return true;
	default:
		return false;
	}
	/* The fields below were written before state = SUBMIT. */
	virt_rmb();

	/* guest-controlled: each field read once, checked before use */
	nr_extra = READ_ONCE(shr->nr_extra_pages);
	len = READ_ONCE(shr->length);
	locality = READ_ONCE(shr->locality);
	/* At most 8 + 4 * 255 bytes: the page always holds a 10-byte answer. */
	tif->reply_off = VTPM_V2_DATA_OFFSET(nr_extra);

	if (nr_extra) {
		refuse(tif, "request uses extra pages");
		return true;
	}
	if (len > XEN_PAGE_SIZE - tif->reply_off ||
	    len > VTPM_DEV_MAX_PACKET) {
		refuse(tif, "request longer than the ring holds");
		return true;
	}
	if (locality > VTPM_LOCALITY_MAX) {
		refuse(tif, "request with an invalid locality");
		return true;
	}
	req = tpmback_req_alloc();
	if (!req) {
		refuse(tif, "out of memory");
		return true;
	}
	memcpy(req->frame + VTPM_INSTANCE_SIZE, (u8 *)shr + tif->reply_off,
	       len);
	tpmback_submit(tif, req, len, locality);
	return true;
}

static size_t v2_capacity(struct tpmback_if *tif)
{
	return XEN_PAGE_SIZE - tif->reply_off;
}

static void v2_reply(struct tpmback_if *tif, const u8 *rsp, size_t len)
{
	struct vtpm_shared_page *shr = shared(tif);

	memcpy((u8 *)shr + tif->reply_off, rsp, len);
	WRITE_ONCE(shr->length, len);
	set_state(tif, VTPM_STATE_FINISH);
}

const struct tpmback_ring_ops tpmback_v2_ops = {
	.name = "protocol v2",
	.receive = v2_receive,
	.capacity = v2_capacity,
	.reply = v2_reply,
};
