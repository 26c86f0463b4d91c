/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of tpmbk share: the per-device interface, the request
 * that travels from a guest's ring to /dev/vtpm and back, and each file's
 * entry points.  Byte layouts live in vtpm_shared.h only.
 */
#ifndef TPMBACK_COMMON_H
#define TPMBACK_COMMON_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "vtpm_shared.h"

/*
 * Answers the manager still owes for requests whose guest already got
 * TPM_FAIL (timed out), per device; past this the manager is stuck for
 * that instance and new requests are refused at once rather than queued.
 */
#define TPMBACK_MAX_ABANDONED	2
/* Requests tpmbk tracks at once, all guests together: a memory bound. */
#define TPMBACK_MAX_REQUESTS	1024

struct tpmback_if;

enum tpmback_req_state {
	TPMBACK_REQ_QUEUED,	/* on the pending list, not yet read */
	TPMBACK_REQ_READ,	/* read by the manager, answer owed */
};

/*
 * One guest request.  Every field is guarded by tpmback_lock.  A request
 * belongs to its interface (tif->req) until it is answered; one that is
 * "abandoned" (its guest already got TPM_FAIL, or went away) stays on the
 * outstanding list only to swallow the manager's late answer, because
 * /dev/vtpm pairs answers with requests by instance, in order.
 */
struct tpmback_req {
	struct list_head node;
	struct tpmback_if *tif;		/* NULL once the interface is gone */
	enum tpmback_req_state state;
	bool abandoned;
	u32 instance;
	u16 tag;			/* request tag, for a TPM_FAIL answer */
	unsigned long deadline;		/* jiffies; not for abandoned ones */
	size_t len;			/* bytes in frame: prefix + packet */
	u8 *frame;			/* one page; freed once read */
};

/* What differs between the classic ring and protocol v2. */
struct tpmback_ring_ops {
	const char *name;
	/* Optional: prepare a freshly mapped ring, before any event. */
	void (*reset)(struct tpmback_if *tif);
	/*
	 * Look at the ring after an event; refuse a malformed request or
	 * pass a request to tpmback_submit().  Returns false when there was
	 * nothing to do (a spurious event).
	 */
	bool (*receive)(struct tpmback_if *tif);
	/* Largest response the ring holds for the request being served. */
	size_t (*capacity)(struct tpmback_if *tif);
	/* Put a response (len <= capacity) in the ring and notify. */
	void (*reply)(struct tpmback_if *tif, const u8 *rsp, size_t len);
};

/* One vtpm backend device: /local/domain/0/backend/vtpm/<domid>/<devid>. */
struct tpmback_if {
	struct xenbus_device *dev;

	/* Guards the xenbus state machine, connect and disconnect. */
	struct mutex state_lock;
	struct xenbus_watch instance_watch;
	struct xenbus_watch state_watch;
	u32 instance_want;		/* last valid "instance" value, or 0 */
	u32 ring_ref;			/* the frontend's keys while connected */
	u32 evtchn;

	/*
	 * Guarded by tpmback_lock; connected and instance change only in
	 * connect/disconnect, under both locks, so either lock reads them.
	 */
	struct list_head node;		/* on the list of all interfaces */
	bool connected;			/* ring mapped, event channel bound */
	u32 instance;			/* while connected */
	const struct tpmback_ring_ops *ops;
	void *ring;			/* the mapped ring-ref page */
	void *bounce;			/* one page for grant copies (classic) */
	unsigned int irq;
	struct tpmback_req *req;	/* the request being served */
	unsigned int nr_abandoned;	/* of this interface's requests */
	grant_ref_t reply_ref;		/* classic: data page of the request */
	size_t reply_off;		/* v2: data offset of the request */

	struct work_struct work;	/* runs receive() after an event */
	struct ratelimit_state rs;	/* guest-triggered log lines */
};

/* A log line a guest can trigger: rate-limited per device. */
#define tpmback_warn(tif, fmt, ...)					\
	do {								\
		struct tpmback_if *__tif = (tif);			\
									\
		if (__ratelimit(&__tif->rs))				\
			dev_warn(&__tif->dev->dev, fmt, ##__VA_ARGS__);	\
	} while (0)

/* vtpm_dev.c: /dev/vtpm and the requests in flight */
extern struct mutex tpmback_lock;
int tpmback_dev_init(void);
void tpmback_dev_fini(void);
void tpmback_if_add(struct tpmback_if *tif);
void tpmback_if_del(struct tpmback_if *tif);
int tpmback_claim_instance(struct tpmback_if *tif, u32 instance);
void tpmback_detach(struct tpmback_if *tif);
struct tpmback_req *tpmback_req_alloc(void);
void tpmback_req_free(struct tpmback_req *req);
void tpmback_submit(struct tpmback_if *tif, struct tpmback_req *req,
		    size_t len, u8 locality);
bool tpmback_cancel_queued(struct tpmback_if *tif);
void tpmback_fail(struct tpmback_if *tif, u16 req_tag);

/* interface.c: map/bind/unbind */
int tpmback_connect(struct tpmback_if *tif, u32 instance);
void tpmback_disconnect(struct tpmback_if *tif);
void tpmback_kick(struct tpmback_if *tif);
void tpmback_if_init_work(struct tpmback_if *tif);

/* xenbus.c: the state machine and the module */
int tpmback_read_u32(const char *dir, const char *node, u32 *val);

/* ring_v1.c, ring_v2.c */
extern const struct tpmback_ring_ops tpmback_classic_ops;
extern const struct tpmback_ring_ops tpmback_v2_ops;

#endif /* TPMBACK_COMMON_H */
