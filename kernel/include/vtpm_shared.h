/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vtpm_shared.h - the one definition of every interface between tpmbk,
 * tpm_xenu, the stock xen-tpmfront and vtpm_managerd.
 *
 * Included by the kernel modules (kernel/tpmback, kernel/tpmfront) and by
 * user space (vtpm_manager).  docs/protocol.md describes the same bytes in
 * prose; change both together.
 *
 * Three interfaces live here:
 *  1. /dev/vtpm (tpmbk <-> vtpm_managerd), DESIGN 3.1.
 *  2. The classic ring (tpm_xenu <-> tpmbk): one granted page holding
 *     VTPM_CLASSIC_SLOTS request slots, each naming one granted data page.
 *  3. Protocol v2 (stock xen-tpmfront <-> tpmbk): one granted
 *     struct vtpm_shared_page, as in Xen's public io/tpmif.h.
 * and the xenstore keys both ends use.
 */
#ifndef VTPM_SHARED_H
#define VTPM_SHARED_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u8 vtpm_u8;
typedef u16 vtpm_u16;
typedef u32 vtpm_u32;
typedef u64 vtpm_u64;
#else
#include <stdint.h>
typedef uint8_t vtpm_u8;
typedef uint16_t vtpm_u16;
typedef uint32_t vtpm_u32;
typedef uint64_t vtpm_u64;
#endif

/* ---------------------------------------------------------------------
 * 1. /dev/vtpm
 *
 * A character device, misc major 10, minor 225.  One packet per read()
 * and per write(): a 4-byte big-endian instance number, then one whole
 * TPM packet (tag u16, paramSize u32, ordinal / return code u32, body),
 * all big-endian as TPM 1.2 packets are.
 *  - read() returns exactly one queued request; a buffer too small for it
 *    fails with -EINVAL and the request stays queued.  O_NONBLOCK: -EAGAIN
 *    when nothing is queued.
 *  - write() must be exactly 4 + paramSize bytes, for an instance that has
 *    a request outstanding; otherwise -EINVAL and nothing is delivered.
 *  - Single opener (-EBUSY for a second open).  poll(): POLLIN when a
 *    request is queued; POLLOUT always.
 *  - Closing the device answers every outstanding request with TPM_FAIL.
 *  - Instance 0 is never a guest.
 *
 * The prefix word carries the instance in bits 0-23 and, in requests, the
 * TPM locality of the request in bits 24-31 (0..4; the classic ring has no
 * locality and always sends 0; protocol v2 passes the shared page's
 * locality).  Responses written by the manager carry locality 0.  So
 * instance numbers are 1 .. VTPM_INSTANCE_MAX, and a manager that reads a
 * prefix with a non-zero top byte gets the guest's locality there, never a
 * different instance.  The manager hands the same word to the vtpmd, which
 * sets the engine's locality before executing the command.
 */
#define VTPM_INSTANCE_MAX	0x00FFFFFFu
#define VTPM_LOCALITY_SHIFT	24
#define VTPM_LOCALITY_MAX	4
#define VTPM_PREFIX(inst, loc)	((vtpm_u32)(inst) | ((vtpm_u32)(loc) << VTPM_LOCALITY_SHIFT))
#define VTPM_PREFIX_INSTANCE(w)	((w) & VTPM_INSTANCE_MAX)
#define VTPM_PREFIX_LOCALITY(w)	((w) >> VTPM_LOCALITY_SHIFT)
#define VTPM_DEV_NAME		"vtpm"
#define VTPM_DEV_MINOR		225
#define VTPM_INSTANCE_SIZE	4		/* prefix bytes */
#define VTPM_INSTANCE_NONE	0u		/* reserved, never a guest */
/*
 * Largest TPM packet (prefix not counted) on /dev/vtpm, either way.  The
 * manager moves each frame through its FIFOs in one atomic write of at
 * most PIPE_BUF (4096) bytes, prefix included (DESIGN 2, step 4), and
 * reads the device with a buffer of that size; tpmbk answers a longer
 * guest request with TPM_FAIL instead of queueing it.
 */
#define VTPM_DEV_MAX_PACKET	(4096 - VTPM_INSTANCE_SIZE)

/* Smallest TPM packet: tag(2) + paramSize(4) + ordinal/return code(4). */
#define VTPM_TPM_HEADER_SIZE	10
#define VTPM_TPM_FAIL		0x00000009u	/* TPM_FAIL */
/*
 * A malformed guest request is answered with a 10-byte response whose
 * tag is the request's tag + 3 (0x00C1 -> 0x00C4, 0x00C2 -> 0x00C5,
 * 0x00C3 -> 0x00C6); an unknown request tag gets 0x00C4.
 */
#define VTPM_TAG_RQU_COMMAND	0x00C1
#define VTPM_TAG_RQU_AUTH2	0x00C3
#define VTPM_TAG_RSP_COMMAND	0x00C4

/* ---------------------------------------------------------------------
 * 2. The classic ring (feature-protocol-v2 absent or 0)
 *
 * Frontend writes: "ring-ref" (grant of one page holding
 * struct vtpm_classic_ring) and "event-channel".
 *
 * The frontend owns VTPM_CLASSIC_SLOTS data pages and grants each one to
 * the backend read-write.  To send a request of LEN bytes
 * (10 <= LEN <= VTPM_CLASSIC_MAX_PACKET) it
 *   - copies the bytes into data pages 0..k-1, k = ceil(LEN / PAGE_SIZE)
 *     (4096-byte pages on every Xen architecture),
 *   - fills slot i (i < k) with the page's grant "ref" and "size", the
 *     number of bytes in that page (4096 for every page but the last),
 *   - sets "size" of slot k (when k < VTPM_CLASSIC_SLOTS) to 0,
 *   - and notifies the event channel.
 * "addr" is a frontend-private value the backend ignores (the 2005 ABI
 * carried a machine address there); "unused" must be 0.
 *
 * The backend maps the slots' pages, concatenates their contents, checks
 * the packet (sum of sizes == paramSize, 10 <= LEN <= the maximum, every
 * ref mappable), and answers in the same pages the same way: the response
 * bytes in pages 0..m-1, slot sizes set accordingly, the size of slot m
 * set to 0, then a notification.  The frontend sends one request at a
 * time and waits for the notification before reading the slots again.
 * A request the backend refuses gets a 10-byte TPM_FAIL in page 0.
 */
#define VTPM_CLASSIC_SLOTS	10
#define VTPM_CLASSIC_PAGE_SIZE	4096
#define VTPM_CLASSIC_MAX_PACKET	(VTPM_CLASSIC_SLOTS * VTPM_CLASSIC_PAGE_SIZE)

struct vtpm_classic_slot {
	vtpm_u64 addr;		/* frontend-private, ignored by the backend */
	vtpm_u32 ref;		/* grant reference of this slot's data page */
	vtpm_u16 unused;	/* 0 */
	vtpm_u16 size;		/* bytes of the packet in this page */
};				/* 16 bytes, as "unsigned long" addr on x86-64 */

struct vtpm_classic_ring {
	struct vtpm_classic_slot slot[VTPM_CLASSIC_SLOTS];
};

/* ---------------------------------------------------------------------
 * 3. Protocol v2 (frontend wrote feature-protocol-v2 = 1)
 *
 * Xen's public io/tpmif.h, used by the stock xen-tpmfront.  Frontend
 * writes "ring-ref" (grant of this page), "event-channel" and
 * "feature-protocol-v2" = 1; the backend must have written
 * "feature-protocol-v2" = 1 before the frontend connects.
 *
 * The frontend writes the request at offset VTPM_V2_DATA_OFFSET(page),
 * sets length, locality and state = SUBMIT, then notifies.  The backend
 * writes the response at the same offset, sets length and state =
 * FINISH, then notifies.  CANCEL: the backend may answer or return to
 * IDLE.  Data beyond the first page (nr_extra_pages > 0) is not used by
 * any Linux frontend; tpmbk refuses such requests with TPM_FAIL.
 */
enum vtpm_shared_page_state {
	VTPM_STATE_IDLE = 0,	/* no contents / vTPM idle / cancel complete */
	VTPM_STATE_SUBMIT = 1,	/* request ready / vTPM working */
	VTPM_STATE_FINISH = 2,	/* response ready / vTPM idle */
	VTPM_STATE_CANCEL = 3,	/* cancel requested / vTPM working */
};

struct vtpm_shared_page {
	vtpm_u32 length;	/* request/response length in bytes */
	vtpm_u8 state;		/* enum vtpm_shared_page_state */
	vtpm_u8 locality;	/* for the current request */
	vtpm_u8 pad;
	vtpm_u8 nr_extra_pages;	/* extra pages for long packets; may be 0 */
	vtpm_u32 extra_pages[];	/* grant references, nr_extra_pages of them */
};

/* Data starts after the header and the extra-page grant list. */
#define VTPM_V2_DATA_OFFSET(nr_extra_pages) (8 + 4 * (nr_extra_pages))

/* ---------------------------------------------------------------------
 * xenstore keys
 *
 * Backend directory /local/domain/0/backend/vtpm/<domid>/<devid>/
 *   written by libxl: frontend, frontend-id, online, state, handle, uuid,
 *                     resume ("True"/"False")
 *   written by tpmbk: feature-protocol-v2 = "1" (at probe), state
 *   written by vtpm_managerd: instance (decimal, >= 1), once its vtpmd runs
 *   optional, written by a toolstack: pref_instance
 * Frontend directory /local/domain/<domid>/device/vtpm/<devid>/
 *   ring-ref, event-channel, feature-protocol-v2 (v2 frontends), state
 */
#define VTPM_XS_BACKEND_ROOT	"/local/domain/0/backend/vtpm"
#define VTPM_XS_INSTANCE	"instance"
#define VTPM_XS_PREF_INSTANCE	"pref_instance"
#define VTPM_XS_UUID		"uuid"
#define VTPM_XS_RESUME		"resume"
#define VTPM_XS_FEATURE_V2	"feature-protocol-v2"
#define VTPM_XS_RING_REF	"ring-ref"
#define VTPM_XS_EVTCHN		"event-channel"

#endif /* VTPM_SHARED_H */
