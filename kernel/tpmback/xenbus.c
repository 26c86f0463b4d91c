// SPDX-License-Identifier: GPL-2.0
/*
 * The vtpm backend's xenbus state machine, its xenstore keys and the
 * module itself.  It decides when to connect and disconnect; interface.c
 * does the mapping and binding, vtpm_dev.c the requests.
 */
#include "common.h"

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <xen/xen.h>

/* Guest-triggered log lines: at most 10 per 5 s per device. */
#define TPMBACK_LOG_INTERVAL	(5 * HZ)
#define TPMBACK_LOG_BURST	10

/**
 * tpmback_read_u32() - read a decimal xenstore value.
 * @dir: directory
 * @node: key
 * @val: the value
 *
 * The one parser of xenstore values in tpmbk: the whole string must be a
 * decimal number that fits 32 bits (kstrtou32 allows a leading '+' and a
 * trailing newline, nothing else).
 *
 * Return: 0, -ENOENT when the key is absent, -EINVAL or -ERANGE when it
 * is not a number, or another -errno from xenstore.
 */
int tpmback_read_u32(const char *dir, const char *node, u32 *val)
{
	char *str;
	int err;

	str = xenbus_read(XBT_NIL, dir, node, NULL);
	if (IS_ERR(str))
		return PTR_ERR(str);
	/* guest- or toolstack-controlled */
	err = kstrtou32(str, 10, val);
	kfree(str);
	return err;
}

/*
 * Our state.  Arrows are what moves us; the frontend's state is in
 * frontend_changed(), a toolstack's write of Closing in state_changed().
 *
 *   Initialising --probe--> InitWait --"instance" valid and frontend
 *                             ^  ^      Initialised/Connected--> Connected
 *                             |  |                                  |
 *                             |  +---frontend new ring-ref/evtchn---+
 *                             |                                     |
 *           frontend back     |          frontend or toolstack      |
 *           (online = 1)      |          Closing, fatal error       v
 *                           Closed <------frontend Closed------- Closing
 *                             |
 *           online = 0, or frontend Unknown: device unregistered (remove)
 */
static int set_backend_state(struct tpmback_if *tif, enum xenbus_state state)
{
	struct xenbus_device *dev = tif->dev;

	lockdep_assert_held(&tif->state_lock);
	if (dev->state == state)
		return 0;
	dev_dbg(&dev->dev, "state %s -> %s\n", xenbus_strstate(dev->state),
		xenbus_strstate(state));
	return xenbus_switch_state(dev, state);
}

static void try_connect(struct tpmback_if *tif)
{
	struct xenbus_device *dev = tif->dev;
	enum xenbus_state fe;

	if (dev->state != XenbusStateInitWait || !tif->instance_want)
		return;
	fe = xenbus_read_driver_state(dev->otherend);
	if (fe != XenbusStateInitialised && fe != XenbusStateConnected)
		return;
	if (tpmback_connect(tif, tif->instance_want))
		return;
	set_backend_state(tif, XenbusStateConnected);
	tpmback_kick(tif);
}

/* A frontend that closed and starts again (its module was reloaded). */
static void reopen(struct tpmback_if *tif)
{
	if (tif->dev->state == XenbusStateClosed &&
	    xenbus_dev_is_online(tif->dev))
		set_backend_state(tif, XenbusStateInitWait);
}

/* Initialised again while connected: did the frontend start over? */
static bool frontend_moved(struct tpmback_if *tif)
{
	const char *fe = tif->dev->otherend;
	u32 ring_ref, evtchn;

	if (tpmback_read_u32(fe, VTPM_XS_RING_REF, &ring_ref) ||
	    tpmback_read_u32(fe, VTPM_XS_EVTCHN, &evtchn))
		return true;
	return ring_ref != tif->ring_ref || evtchn != tif->evtchn;
}

/* Every case is idempotent: the watch may fire more than once a state. */
static void frontend_changed(struct xenbus_device *dev,
			     enum xenbus_state fe)
{
	struct tpmback_if *tif = dev_get_drvdata(&dev->dev);
	bool gone = false;

	mutex_lock(&tif->state_lock);
	dev_dbg(&dev->dev, "frontend %s\n", xenbus_strstate(fe));
	switch (fe) {
	case XenbusStateInitialising:
		/*
		 * A frontend that restarts goes Closed then Initialising;
		 * the watch may show us only the second.  Still connected
		 * (or closing) means we missed its Closed: drop the old ring
		 * and offer InitWait again, without passing through Closed,
		 * which a frontend that is initialising may take as a
		 * backend gone for good.
		 */
		if (dev->state != XenbusStateInitWait &&
		    dev->state != XenbusStateClosed) {
			tpmback_disconnect(tif);
			set_backend_state(tif, xenbus_dev_is_online(dev) ?
					  XenbusStateInitWait :
					  XenbusStateClosed);
		}
		reopen(tif);
		break;
	case XenbusStateInitialised:
		if (tif->connected && frontend_moved(tif)) {
			tpmback_disconnect(tif);
			set_backend_state(tif, XenbusStateInitWait);
		}
		fallthrough;
	case XenbusStateConnected:
		reopen(tif);
		try_connect(tif);
		break;
	case XenbusStateClosing:
		tpmback_disconnect(tif);
		set_backend_state(tif, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		tpmback_disconnect(tif);
		set_backend_state(tif, XenbusStateClosed);
		gone = !xenbus_dev_is_online(dev);
		break;
	case XenbusStateUnknown:
		/* The frontend's directory is gone: so is the guest. */
		tpmback_disconnect(tif);
		set_backend_state(tif, XenbusStateClosed);
		gone = true;
		break;
	default:
		/* guest-controlled: InitWait, Reconfiguring... */
		xenbus_dev_fatal(dev, -EINVAL, "frontend in state %s",
				 xenbus_strstate(fe));
		break;
	}
	mutex_unlock(&tif->state_lock);
	/* This removes tif (tpmback_remove): not after the unlock above. */
	if (gone)
		device_unregister(&dev->dev);
}

/*
 * Our own "state" key.  libxl detaches a device (xl vtpm-detach, domain
 * destroy) by writing Closing there and waits 10 s for Closed; a frontend
 * that is not connected will never answer, so we close by ourselves.
 */
static void state_changed(struct xenbus_watch *watch, const char *path,
			  const char *token)
{
	struct tpmback_if *tif = container_of(watch, struct tpmback_if,
					      state_watch);
	struct xenbus_device *dev = tif->dev;
	enum xenbus_state ours, fe;
	bool gone = false;

	mutex_lock(&tif->state_lock);
	ours = xenbus_read_driver_state(dev->nodename);
	/* Our own writes change nothing: dev->state is already there. */
	if ((ours != XenbusStateClosing && ours != XenbusStateClosed) ||
	    dev->state == XenbusStateClosing ||
	    dev->state == XenbusStateClosed)
		goto out;
	dev_info(&dev->dev, "closed by the toolstack\n");
	tpmback_disconnect(tif);
	fe = xenbus_read_driver_state(dev->otherend);
	if (fe == XenbusStateInitialised || fe == XenbusStateConnected ||
	    fe == XenbusStateClosing) {
		/* It answers our Closing with Closed: frontend_changed(). */
		set_backend_state(tif, XenbusStateClosing);
	} else {
		set_backend_state(tif, XenbusStateClosed);
		gone = !xenbus_dev_is_online(dev);
	}
out:
	mutex_unlock(&tif->state_lock);
	if (gone)
		device_unregister(&dev->dev);
}

/* The manager writes "instance" once the instance's vtpmd runs. */
static void instance_changed(struct xenbus_watch *watch, const char *path,
			     const char *token)
{
	struct tpmback_if *tif = container_of(watch, struct tpmback_if,
					      instance_watch);
	u32 instance;
	int err;

	err = tpmback_read_u32(tif->dev->nodename, VTPM_XS_INSTANCE,
			       &instance);
	mutex_lock(&tif->state_lock);
	if (err == -ENOENT) {
		instance = VTPM_INSTANCE_NONE;
	} else if (err || instance == VTPM_INSTANCE_NONE ||
		   instance > VTPM_INSTANCE_MAX) {
		tpmback_warn(tif, "%s/%s is not a decimal in 1..%u: ignored\n",
			     tif->dev->nodename, VTPM_XS_INSTANCE,
			     VTPM_INSTANCE_MAX);
		instance = VTPM_INSTANCE_NONE;
	}
	tif->instance_want = instance;
	if (tif->connected && instance && instance != tif->instance)
		dev_info(&tif->dev->dev, "instance %u applies from the next connection\n",
			 instance);
	try_connect(tif);
	mutex_unlock(&tif->state_lock);
}

static void unwatch(struct xenbus_watch *watch)
{
	if (!watch->node)
		return;
	unregister_xenbus_watch(watch);
	kfree(watch->node);
	watch->node = NULL;
}

static int tpmback_probe(struct xenbus_device *dev,
			 const struct xenbus_device_id *id)
{
	struct tpmback_if *tif;
	int err;

	tif = kzalloc(sizeof(*tif), GFP_KERNEL);
	if (!tif)
		return -ENOMEM;
	tif->dev = dev;
	mutex_init(&tif->state_lock);
	tpmback_if_init_work(tif);
	ratelimit_state_init(&tif->rs, TPMBACK_LOG_INTERVAL,
			     TPMBACK_LOG_BURST);
	dev_set_drvdata(&dev->dev, tif);
	tpmback_if_add(tif);

	/*
	 * At once: libxl fails xl create when we are not in InitWait within
	 * 10 s, and the stock xen-tpmfront refuses a backend without v2.
	 */
	mutex_lock(&tif->state_lock);
	err = xenbus_write(XBT_NIL, dev->nodename, VTPM_XS_FEATURE_V2, "1");
	if (err)
		xenbus_dev_fatal(dev, err, "writing %s/%s", dev->nodename,
				 VTPM_XS_FEATURE_V2);
	else
		err = set_backend_state(tif, XenbusStateInitWait);
	mutex_unlock(&tif->state_lock);
	if (err)
		goto err_free;

	/* Both watches fire once at once, with the keys' current values. */
	err = xenbus_watch_pathfmt(dev, &tif->state_watch, NULL, state_changed,
				   "%s/state", dev->nodename);
	if (err)
		goto err_free;
	err = xenbus_watch_pathfmt(dev, &tif->instance_watch, NULL,
				   instance_changed, "%s/%s", dev->nodename,
				   VTPM_XS_INSTANCE);
	if (err)
		goto err_unwatch_state;
	return 0;

err_unwatch_state:
	unwatch(&tif->state_watch);
err_free:
	tpmback_if_del(tif);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(tif);
	return err;
}

/* Device gone, frontend gone, or rmmod: leaves nothing behind. */
static void tpmback_remove(struct xenbus_device *dev)
{
	struct tpmback_if *tif = dev_get_drvdata(&dev->dev);

	/* Waits for callbacks in progress, which take state_lock. */
	unwatch(&tif->instance_watch);
	unwatch(&tif->state_watch);
	mutex_lock(&tif->state_lock);
	tpmback_disconnect(tif);
	mutex_unlock(&tif->state_lock);
	tpmback_if_del(tif);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(tif);
}

static const struct xenbus_device_id tpmback_ids[] = {
	{ "vtpm" },
	{ "" }
};

static struct xenbus_driver tpmback_driver = {
	.ids = tpmback_ids,
	.probe = tpmback_probe,
	.remove = tpmback_remove,
	.otherend_changed = frontend_changed,
};

static int __init tpmback_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	err = tpmback_dev_init();
	if (err)
		return err;
	err = xenbus_register_backend(&tpmback_driver);
	if (err)
		goto err_dev;
	return 0;

err_dev:
	tpmback_dev_fini();
	return err;
}
module_init(tpmback_init);

static void __exit tpmback_exit(void)
{
	/* Removes every device: all rings unmapped, channels unbound. */
	xenbus_unregister_driver(&tpmback_driver);
	tpmback_dev_fini();
}
module_exit(tpmback_exit);

MODULE_DESCRIPTION("Xen vTPM backend: guest TPM rings to /dev/vtpm");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen-backend:vtpm");
