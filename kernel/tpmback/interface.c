// SPDX-License-Identifier: GPL-2.0
/*
 * Connecting one device to its guest: read the frontend's ring-ref,
 * event-channel and protocol, map the ring page, bind the event channel,
 * and undo all of it.  Events are handled in process context (a work
 * item), because a request may need memory and grant copies.
 */
#include "common.h"

#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <xen/events.h>

static irqreturn_t tpmback_interrupt(int irq, void *dev_id)
{
	struct tpmback_if *tif = dev_id;

	/*
	 * Binding sets the port pending, so this runs before the bind call
	 * has returned our irq number: the work needs it for the late EOI,
	 * and the event channel stays masked until that EOI.
	 */
	WRITE_ONCE(tif->irq, irq);
	schedule_work(&tif->work);
	return IRQ_HANDLED;
}

static void tpmback_work(struct work_struct *work)
{
	struct tpmback_if *tif = container_of(work, struct tpmback_if, work);
	bool did_work = false;

	mutex_lock(&tpmback_lock);
	if (tif->connected)
		did_work = tif->ops->receive(tif);
	mutex_unlock(&tpmback_lock);
	/* Spurious events (a busy or hostile guest) get throttled by Xen. */
	xen_irq_lateeoi(READ_ONCE(tif->irq),
			did_work ? 0 : XEN_EOI_FLAG_SPURIOUS);
}

/**
 * tpmback_kick() - serve a request the guest left in the ring before the
 * event channel was bound (the stock xen-tpmfront sends commands from its
 * probe, possibly before we connected).
 * @tif: a connected interface
 */
void tpmback_kick(struct tpmback_if *tif)
{
	mutex_lock(&tpmback_lock);
	if (tif->connected)
		tif->ops->receive(tif);
	mutex_unlock(&tpmback_lock);
}

/*
 * guest-controlled: the frontend's keys.  Bad values fail the connection
 * (the hypervisor checks the reference and the port themselves).
 */
static int read_frontend(struct tpmback_if *tif, u32 *ring_ref, u32 *evtchn,
			 bool *v2)
{
	struct xenbus_device *dev = tif->dev;
	u32 feature;
	int err;

	err = tpmback_read_u32(dev->otherend, VTPM_XS_RING_REF, ring_ref);
	if (err) {
		xenbus_dev_fatal(dev, err, "reading %s/%s", dev->otherend,
				 VTPM_XS_RING_REF);
		return err;
	}
	err = tpmback_read_u32(dev->otherend, VTPM_XS_EVTCHN, evtchn);
	if (err) {
		xenbus_dev_fatal(dev, err, "reading %s/%s", dev->otherend,
				 VTPM_XS_EVTCHN);
		return err;
	}
	/* Absent or 0: the classic ring; 1: protocol v2. */
	err = tpmback_read_u32(dev->otherend, VTPM_XS_FEATURE_V2, &feature);
	if (err == -ENOENT) {
		feature = 0;
	} else if (err || feature > 1) {
		err = -EINVAL;
		xenbus_dev_fatal(dev, err, "reading %s/%s (0 or 1)",
				 dev->otherend, VTPM_XS_FEATURE_V2);
		return err;
	}
	*v2 = feature;
	return 0;
}

/**
 * tpmback_connect() - map the guest's ring and bind its event channel.
 * @tif: a disconnected interface whose frontend is Initialised or Connected
 * @instance: the vTPM instance the manager assigned, 1 .. VTPM_INSTANCE_MAX
 *
 * Errors the protocol cannot go on from are reported with
 * xenbus_dev_fatal(); an instance already in use with xenbus_dev_error()
 * (the manager may fix it by writing another one).
 *
 * Context: tif->state_lock held.
 * Return: 0 or -errno.
 */
int tpmback_connect(struct tpmback_if *tif, u32 instance)
{
	struct xenbus_device *dev = tif->dev;
	const struct tpmback_ring_ops *ops;
	u32 ring_ref, evtchn;
	void *ring, *bounce;
	bool v2;
	int irq, err;

	lockdep_assert_held(&tif->state_lock);
	err = read_frontend(tif, &ring_ref, &evtchn, &v2);
	if (err)
		return err;

	err = tpmback_claim_instance(tif, instance);
	if (err) {
		xenbus_dev_error(dev, err, "instance %u is served by another device",
				 instance);
		return err;
	}
	/* Grant copies (classic ring) need a page of ours. */
	bounce = v2 ? NULL : (void *)__get_free_page(GFP_KERNEL);
	if (!v2 && !bounce) {
		err = -ENOMEM;
		goto err_release;
	}
	/* A bad reference is reported by xenbus_dev_fatal() in there. */
	err = xenbus_map_ring_valloc(dev, &ring_ref, 1, &ring);
	if (err)
		goto err_free_bounce;
	ops = v2 ? &tpmback_v2_ops : &tpmback_classic_ops;
	tif->ring = ring;
	if (ops->reset)
		ops->reset(tif);

	irq = bind_interdomain_evtchn_to_irqhandler_lateeoi(dev, evtchn,
							    tpmback_interrupt,
							    0, "tpmbk", tif);
	if (irq < 0) {
		err = irq;
		xenbus_dev_fatal(dev, err, "binding event channel %u", evtchn);
		goto err_unmap;
	}

	/* An event before this finds the interface not connected: harmless. */
	mutex_lock(&tpmback_lock);
	tif->bounce = bounce;
	tif->irq = irq;
	tif->ops = ops;
	tif->connected = true;
	mutex_unlock(&tpmback_lock);

	tif->ring_ref = ring_ref;
	tif->evtchn = evtchn;
	dev_info(&dev->dev, "connected: instance %u, %s ring, domain %d\n",
		 instance, tif->ops->name, dev->otherend_id);
	return 0;

err_unmap:
	tif->ring = NULL;
	xenbus_unmap_ring_vfree(dev, ring);
err_free_bounce:
	free_page((unsigned long)bounce);
err_release:
	mutex_lock(&tpmback_lock);
	tif->instance = VTPM_INSTANCE_NONE;
	mutex_unlock(&tpmback_lock);
	return err;
}

/**
 * tpmback_disconnect() - stop serving the guest and undo tpmback_connect().
 * @tif: the interface; nothing happens if it is not connected
 *
 * A request the manager has not read is dropped; one it has read is
 * abandoned (its answer will be swallowed).  The guest gets no answer:
 * its ring is going away.
 *
 * Context: tif->state_lock held.
 */
void tpmback_disconnect(struct tpmback_if *tif)
{
	lockdep_assert_held(&tif->state_lock);

	mutex_lock(&tpmback_lock);
	if (!tif->connected) {
		mutex_unlock(&tpmback_lock);
		return;
	}
	tif->connected = false;
	tpmback_detach(tif);
	tif->instance = VTPM_INSTANCE_NONE;
	mutex_unlock(&tpmback_lock);

	/*
	 * No new event work after disable_irq(); the work in progress may
	 * still send its late EOI, so the irq stays bound until it is done.
	 */
	disable_irq(tif->irq);
	cancel_work_sync(&tif->work);
	unbind_from_irqhandler(tif->irq, tif);
	tif->irq = 0;
	xenbus_unmap_ring_vfree(tif->dev, tif->ring);
	tif->ring = NULL;
	free_page((unsigned long)tif->bounce);
	tif->bounce = NULL;
	tif->ops = NULL;
	dev_info(&tif->dev->dev, "disconnected\n");
}

/**
 * tpmback_if_init_work() - set up the event work of a new interface.
 * @tif: the interface, not yet connected
 */
void tpmback_if_init_work(struct tpmback_if *tif)
{
	INIT_WORK(&tif->work, tpmback_work);
}
