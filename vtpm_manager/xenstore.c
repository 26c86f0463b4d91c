// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore control plane (DESIGN 5): watch the vtpm backend
 * directories libxl writes, map each device's uuid to its instance
 * (vtpm.db), start that instance's vtpmd, and write "instance" once it
 * runs; save and stop it when the guest goes away.  Every xenstore value
 * is parsed here and nowhere else.  Xenstore is reached only through
 * struct xs_ops (xs_libxen.c, or an in-memory fake in the unit test), and
 * nothing here waits for more than one quick xenstored round trip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "manager.h"
#include "vtpm_shared.h"

/* Watch tokens: which of our watches an event belongs to. */
#define TOKEN_BACKEND		"vtpm-backend"
#define TOKEN_RELEASE		"vtpm-release"
#define TOKEN_FRONTEND		"vtpm-frontend"
#define XS_RELEASE_DOMAIN	"@releaseDomain"

/* A device's backend or frontend directory: at most 50 characters
 * ("/local/domain/<domid>/device/vtpm/<devid>", ids of up to 10 digits). */
#define XS_DIR_MAX		64U
/* A directory plus a key (xenstore allows 3072; ours are short). */
#define XS_PATH_MAX		128U
/* Longest value of a key we read (a uuid is 36). */
#define XS_VALUE_MAX		128U
/* Canonical uuid text: 8-4-4-4-12 hex digits (RFC 4122 section 3). */
#define XS_UUID_LEN		36U
/* Domain ids: DOMID_FIRST_RESERVED (xen/include/public/xen.h) and up are
 * special domains, never a guest. */
#define XS_DOMID_LIMIT		0x7FF0U
/* libxl numbers a domain's vtpm devices from 0; far fewer than this. */
#define XS_DEVID_MAX		65535U
/* Backend directories tracked at once: a bound on our memory, not a
 * limit anyone meets (only dom0 creates backend directories). */
#define XS_MAX_DEVICES		4096U
/* XenbusStateClosing and XenbusStateClosed (xen/include/public/io/xenbus.h). */
#define XB_STATE_CLOSING	5
#define XB_STATE_CLOSED		6
/* How often guests' domains are checked even without @releaseDomain. */
#define XS_DOMAIN_POLL_MS	5000U
/* When to retry writing "instance" after a transaction conflict. */
#define XS_RETRY_MS		100U

struct xs_dev {
	unsigned int domid;
	unsigned int devid;
	char dir[XS_DIR_MAX];		/* backend directory */
	char fe_state[XS_PATH_MAX];	/* watched frontend state node, or "" */
	/* The uuid as xenstore spells it (checked when writing "instance")
	 * and the instance serving it; both kept after a close, so that an
	 * instance number named in a directory that still exists is never
	 * given to another uuid. */
	char uuid[XS_UUID_LEN + 1];
	uint32_t instance;
	bool active;			/* its instance is open for it */
	bool written;			/* "instance" holds d->instance */
	bool dead;			/* directory gone: freed by sweep() */
	bool seen;			/* found by the scan in progress */
	char why[96];			/* last refusal, logged once */
};

struct xs_plane {
	const struct xs_ops *ops;
	void *h;
	struct xs_dev **dev;
	size_t ndev;
	size_t cap;
	unsigned int nactive;		/* devices being served */
	unsigned int unwritten;		/* active devices with !written */
	uint64_t poll_at_ms;		/* next domain liveness poll */
	uint64_t retry_at_ms;		/* 0, or when to retry a write */
};

/* Refusals are triggered by whoever writes the backend directory. */
static struct log_ratelimit xs_rl = LOG_RATELIMIT_INIT(10, 10);

/* ---- parsing: the only code that looks at xenstore values ---- */

/* Canonical decimal 0..max: no sign, no blanks, no leading zero. */
static bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	unsigned long n = 0;
	const char *p;

	if (!s[0] || (s[0] == '0' && s[1]) || strlen(s) > 10)
		return false;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n > max)
		return false;
	*v = n;
	return true;
}

/* 8-4-4-4-12 hex digits, either case. */
static bool valid_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != XS_UUID_LEN)
		return false;
	for (i = 0; i < XS_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		char c = s[i];

		if (dash ? c != '-' :
		    !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/* "True"/"False" (what libxl writes) or "1"/"0", in any case. */
static int parse_bool(const char *s, bool *v)
{
	if (!strcasecmp(s, "true") || !strcmp(s, "1"))
		*v = true;
	else if (!strcasecmp(s, "false") || !strcmp(s, "0"))
		*v = false;
	else
		return -EINVAL;
	return 0;
}

/*
 * Read one key.  Return: 0 (@buf holds the value), -ENOENT (missing), or
 * -EINVAL (longer than @cap - 1, or with a NUL inside: never a value we
 * wrote or libxl wrote).
 */
static int read_key(struct xs_plane *xs, const char *path, char *buf,
		    size_t cap)
{
	unsigned int len;
	char *v;
	int err = 0;

	v = xs->ops->read(xs->h, path, &len);
	if (!v)
		return errno == ENOENT ? -ENOENT : -EIO;
	if (len >= cap || strlen(v) != len)
		err = -EINVAL;
	else
		memcpy(buf, v, (size_t)len + 1);
	free(v);
	return err;
}

static int read_dev_key(struct xs_plane *xs, const struct xs_dev *d,
			const char *key, char *buf, size_t cap)
{
	char path[XS_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", d->dir, key);
	return read_key(xs, path, buf, cap);
}

/* A xenbus state node: the state, or -1 when missing or not a number
 * (a frontend's state is written by the guest: garbage closes nothing). */
static int read_state(struct xs_plane *xs, const char *path)
{
	char v[XS_VALUE_MAX];
	unsigned long n;

	if (!path[0] || read_key(xs, path, v, sizeof(v)) ||
	    !parse_uint(v, 255, &n))
		return -1;
	return (int)n;
}

/* What a device's backend directory asks for. */
struct dev_keys {
	char uuid[XS_UUID_LEN + 1];
	uint32_t pref;			/* 0: none */
	uint8_t startup;		/* VTPM_STARTUP_* */
	char frontend[XS_DIR_MAX];	/* its frontend directory */
};

/*
 * Read and check the keys of @d's backend directory.
 * Return: NULL, or why the device is refused (for the log).
 */
static const char *read_keys(struct xs_plane *xs, const struct xs_dev *d,
			     struct dev_keys *k)
{
	char v[XS_VALUE_MAX], expect[XS_DIR_MAX];
	unsigned long n;
	bool resume = false;
	int err;

	memset(k, 0, sizeof(*k));
	err = read_dev_key(xs, d, VTPM_XS_UUID, v, sizeof(v));
	if (err == -ENOENT)
		return "no uuid";
	if (err || !valid_uuid(v))
		return "uuid is not a canonical 36-character uuid";
	memcpy(k->uuid, v, XS_UUID_LEN + 1);

	err = read_dev_key(xs, d, VTPM_XS_PREF_INSTANCE, v, sizeof(v));
	if (!err) {
		if (!parse_uint(v, VTPM_MAX_INSTANCE, &n) || !n)
			return "pref_instance is not a decimal 1..65535";
		k->pref = (uint32_t)n;
	} else if (err != -ENOENT) {
		return "pref_instance is unreadable";
	}

	err = read_dev_key(xs, d, VTPM_XS_RESUME, v, sizeof(v));
	if (!err && parse_bool(v, &resume))
		return "resume is not True/False/1/0";
	if (err && err != -ENOENT)
		return "resume is unreadable";
	k->startup = resume ? VTPM_STARTUP_SAVE : VTPM_STARTUP_CLEAR;

	/* libxl writes the backend directory of domain D's device V as
	 * <root>/D/V, with frontend-id D and frontend
	 * /local/domain/D/device/vtpm/V; anything else would make us watch
	 * and trust a node chosen by whoever wrote the directory. */
	err = read_dev_key(xs, d, "frontend-id", v, sizeof(v));
	if (!err && (!parse_uint(v, XS_DOMID_LIMIT - 1, &n) ||
		     n != d->domid))
		return "frontend-id is not the domain of the directory";
	if (err && err != -ENOENT)
		return "frontend-id is unreadable";
	snprintf(expect, sizeof(expect), "/local/domain/%u/device/vtpm/%u",
		 d->domid, d->devid);
	err = read_dev_key(xs, d, "frontend", v, sizeof(v));
	if (!err && strcmp(v, expect))
		return "frontend is not the domain's own vtpm directory";
	if (err && err != -ENOENT)
		return "frontend is unreadable";
	memcpy(k->frontend, expect, sizeof(expect));
	return NULL;
}

/* ---- the device table ---- */

static struct xs_dev *dev_find(struct xs_plane *xs, unsigned int domid,
			       unsigned int devid)
{
	size_t i;

	for (i = 0; i < xs->ndev; i++)
		if (!xs->dev[i]->dead && xs->dev[i]->domid == domid &&
		    xs->dev[i]->devid == devid)
			return xs->dev[i];
	return NULL;
}

static struct xs_dev *dev_get(struct xs_plane *xs, unsigned int domid,
			      unsigned int devid)
{
	struct xs_dev *d = dev_find(xs, domid, devid), **grown;

	if (d)
		return d;
	if (xs->ndev >= XS_MAX_DEVICES) {
		if (log_ratelimit(&xs_rl))
			log_warnx("xenstore: more than %u vtpm devices; "
				  "ignoring domain %u device %u",
				  XS_MAX_DEVICES, domid, devid);
		return NULL;
	}
	if (xs->ndev == xs->cap) {
		size_t cap = xs->cap ? xs->cap * 2 : 16;

		grown = realloc(xs->dev, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		xs->dev = grown;
		xs->cap = cap;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->domid = domid;
	d->devid = devid;
	snprintf(d->dir, sizeof(d->dir), "%s/%u/%u", VTPM_XS_BACKEND_ROOT,
		 domid, devid);
	xs->dev[xs->ndev++] = d;
	return d;
}

static void set_frontend_watch(struct xs_plane *xs, struct xs_dev *d,
			       const char *fe_dir)
{
	char path[XS_PATH_MAX];

	if (fe_dir)
		snprintf(path, sizeof(path), "%s/state", fe_dir);
	else
		path[0] = '\0';
	if (!strcmp(path, d->fe_state))
		return;
	if (d->fe_state[0])
		xs->ops->unwatch(xs->h, d->fe_state, TOKEN_FRONTEND);
	d->fe_state[0] = '\0';
	if (!path[0])
		return;
	/* Without the watch the backend's own Closing/Closed, the
	 * directory's removal and the domain poll still end the device. */
	if (xs->ops->watch(xs->h, path, TOKEN_FRONTEND))
		log_warnx("xenstore: cannot watch %s", path);
	else
		memcpy(d->fe_state, path, sizeof(path));
}

/* Free the devices whose directory is gone (deferred, so that loops over
 * the table never see an entry vanish). */
static void sweep(struct xs_plane *xs)
{
	size_t i, j;

	for (i = j = 0; i < xs->ndev; i++) {
		struct xs_dev *d = xs->dev[i];

		if (d->dead) {
			set_frontend_watch(xs, d, NULL);
			free(d);
		} else {
			xs->dev[j++] = d;
		}
	}
	xs->ndev = j;
}

/* ---- opening and closing a device's instance ---- */

static void refuse(struct xs_dev *d, const char *why)
{
	/* Once per reason and device, and rate-limited over all devices:
	 * whoever writes the directory decides how often it changes. */
	if (!strcmp(d->why, why))
		return;
	snprintf(d->why, sizeof(d->why), "%s", why);
	if (log_ratelimit(&xs_rl))
		log_warnx("xenstore: domain %u vtpm %u refused: %s", d->domid,
			  d->devid, why);
}

/* Stop serving @d: save and stop its vtpmd, as CLOSE does. */
static void deactivate(struct mgr *m, struct xs_dev *d, const char *why)
{
	struct xs_plane *xs = m->xs;
	struct instance *in;

	if (!d->active)
		return;
	d->active = false;
	xs->nactive--;
	if (!d->written)
		xs->unwritten--;
	d->written = false;
	in = inst_find(m, d->instance);
	if (!in || !in->xs_managed) {
		/* The administrator closed or deleted it meanwhile. */
		log_info("xenstore: domain %u vtpm %u: %s (instance %u was "
			 "not running for it)", d->domid, d->devid, why,
			 d->instance);
		return;
	}
	/* Not in open.list (db.c): nothing to rewrite.  The vtpmd's last
	 * save is already durable; it stops between commands. */
	in->open = false;
	in->xs_managed = false;
	in->delete_after_stop = false;
	in->domain[0] = '\0';
	inst_stop(m, in);
	log_info("xenstore: domain %u vtpm %u: %s; instance %u stopped, its "
		 "state kept", d->domid, d->devid, why, d->instance);
}

static const char *dev_owner_of(struct xs_plane *xs, const struct xs_dev *d,
				const char *uuid, uint32_t id)
{
	size_t i;

	for (i = 0; i < xs->ndev; i++) {
		const struct xs_dev *o = xs->dev[i];

		if (o == d || o->dead)
			continue;
		if (o->active && !strcasecmp(o->uuid, uuid))
			return "its uuid already has a vTPM for another device";
		if (o->instance == id && strcasecmp(o->uuid, uuid))
			return "its instance is still named in another device's "
			       "directory";
	}
	return NULL;
}

static void set_domain_name(struct xs_plane *xs, struct instance *in,
			    unsigned int domid)
{
	char path[XS_PATH_MAX], v[sizeof(in->domain)];
	size_t i;

	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	if (read_key(xs, path, v, sizeof(v)) || !v[0]) {
		snprintf(in->domain, sizeof(in->domain), "dom%u", domid);
		return;
	}
	/* For `vtpmctl list` only; keep it printable. */
	for (i = 0; v[i]; i++)
		if (v[i] < 0x21 || v[i] > 0x7E)
			v[i] = '?';
	memcpy(in->domain, v, sizeof(v));
}

/* Open @d's instance: the steps of vtpmctl open (console.c do_open). */
static void activate(struct mgr *m, struct xs_dev *d,
		     const struct dev_keys *k, bool hvm)
{
	struct xs_plane *xs = m->xs;
	struct instance *in;
	bool created, listed;
	const char *why;
	uint32_t id;
	int err;

	err = db_bind_uuid(m, k->uuid, k->pref, &id, &created);
	if (err) {
		refuse(d, err == -EEXIST ? "pref_instance belongs to another "
			   "vTPM" : err == -ENOSPC ? "no free instance" :
			   err == -EINVAL ? "uuid or pref_instance unusable" :
			   "out of memory");
		return;
	}
	in = inst_find(m, id);
	why = dev_owner_of(xs, d, k->uuid, id);
	if (why || !in) {
		if (created && in)
			inst_remove(m, in);
		refuse(d, why ? why : "out of memory");
		return;
	}
	if (k->pref && k->pref != id)
		log_info("xenstore: domain %u vtpm %u: uuid %s has instance "
			 "%u; pref_instance %u ignored", d->domid, d->devid,
			 k->uuid, id, k->pref);
	listed = in->open && !in->xs_managed;
	in->xs_managed = true;
	in->open = true;
	in->delete_after_stop = false;
	/* A running vtpmd keeps its start; a crash restart is always clear
	 * (instance.c), so only a vtpmd about to start gets the mode. */
	if (in->state == INST_STOPPED || in->state == INST_STOPPING)
		inst_set_start(in, k->startup, hvm ? VTPM_VM_HVM : VTPM_VM_PV);
	/* A new uuid must be in vtpm.db before the guest can use its TPM
	 * (one durable write per newly provisioned guest, the only disk
	 * I/O here); an instance that was in open.list leaves it. */
	if ((created || listed) && db_save(m)) {
		in->xs_managed = false;
		in->open = listed;
		if (created)
			inst_remove(m, in);
		refuse(d, "cannot record it in vtpm.db");
		return;
	}
	set_domain_name(xs, in, d->domid);
	memcpy(d->uuid, k->uuid, sizeof(d->uuid));
	d->instance = id;
	d->active = true;
	d->written = false;
	d->why[0] = '\0';
	xs->nactive++;
	xs->unwritten++;
	log_info("xenstore: domain %u vtpm %u: uuid %s -> instance %u%s%s",
		 d->domid, d->devid, k->uuid, id, created ? " (new)" : "",
		 k->startup == VTPM_STARTUP_SAVE ? ", resumed" : "");
	if (in->state != INST_STOPPED)
		return;
	/* A failure here is retried by inst_tick() (the instance is open). */
	err = inst_start(m, in);
	if (err)
		log_warnx("instance %u: cannot start vtpmd: %s", id,
			  strerror(-err));
}

/*
 * Bring @d in line with xenstore: serve it when its directory exists, its
 * keys are good, its domain lives and neither end is closing; otherwise
 * stop serving it.  Idempotent: any event may call it any number of times.
 */
static void reconcile(struct mgr *m, struct xs_dev *d)
{
	struct xs_plane *xs = m->xs;
	char v[XS_VALUE_MAX], path[XS_PATH_MAX];
	struct dev_keys k;
	const char *why;
	bool hvm = false;
	int alive, err;

	if (d->dead)
		return;
	/* Reading a directory node gives its (empty) value: it exists. */
	err = read_key(xs, d->dir, v, sizeof(v));
	if (err == -ENOENT) {
		deactivate(m, d, "backend directory removed");
		d->dead = true;
		return;
	}
	why = read_keys(xs, d, &k);
	set_frontend_watch(xs, d, why ? NULL : k.frontend);
	if (d->active && (why || strcmp(k.uuid, d->uuid)))
		deactivate(m, d, why ? why : "its uuid changed");
	alive = xs->ops->domain_alive(xs->h, d->domid, &hvm);
	if (alive == 0) {
		deactivate(m, d, "domain gone");
		return;
	}
	/* alive < 0: the hypervisor could not tell; assume it lives, the
	 * directory's removal or the next poll will tell. */
	snprintf(path, sizeof(path), "%s/state", d->dir);
	err = read_state(xs, path);
	if (err == XB_STATE_CLOSING || err == XB_STATE_CLOSED) {
		deactivate(m, d, "backend closing");
		return;
	}
	err = read_state(xs, d->fe_state);
	if (err == XB_STATE_CLOSING || err == XB_STATE_CLOSED) {
		deactivate(m, d, "frontend closed");
		return;
	}
	if (why) {
		refuse(d, why);
		return;
	}
	if (!d->active)
		activate(m, d, &k, hvm);
}

/* ---- scanning and events ---- */

static void scan_domain(struct mgr *m, unsigned int domid)
{
	struct xs_plane *xs = m->xs;
	char path[XS_PATH_MAX];
	unsigned int n = 0, i;
	unsigned long devid;
	char **names;
	size_t j;

	for (j = 0; j < xs->ndev; j++)
		xs->dev[j]->seen = false;
	snprintf(path, sizeof(path), "%s/%u", VTPM_XS_BACKEND_ROOT, domid);
	names = xs->ops->directory(xs->h, path, &n);
	for (i = 0; names && i < n; i++) {
		struct xs_dev *d;

		if (!parse_uint(names[i], XS_DEVID_MAX, &devid)) {
			if (log_ratelimit(&xs_rl))
				log_warnx("xenstore: ignoring %s/%.32s", path,
					  names[i]);
			continue;
		}
		d = dev_get(xs, domid, (unsigned int)devid);
		if (!d)
			continue;
		d->seen = true;
		reconcile(m, d);
	}
	free(names);
	/* Devices of this domain that are no longer listed. */
	for (j = 0; j < xs->ndev; j++)
		if (xs->dev[j]->domid == domid && !xs->dev[j]->seen)
			reconcile(m, xs->dev[j]);
}

/* Everything under the backend root: at start (re-adopting the devices of
 * guests that ran while we did not) and when the root itself changes. */
static void scan_all(struct mgr *m)
{
	struct xs_plane *xs = m->xs;
	unsigned int n = 0, i;
	unsigned long domid;
	char **names;
	size_t j;

	names = xs->ops->directory(xs->h, VTPM_XS_BACKEND_ROOT, &n);
	for (i = 0; names && i < n; i++) {
		if (!parse_uint(names[i], XS_DOMID_LIMIT - 1, &domid)) {
			if (log_ratelimit(&xs_rl))
				log_warnx("xenstore: ignoring %s/%.32s",
					  VTPM_XS_BACKEND_ROOT, names[i]);
			continue;
		}
		scan_domain(m, (unsigned int)domid);
	}
	free(names);
	/* Domains whose whole directory went away. */
	for (j = 0; j < xs->ndev; j++)
		reconcile(m, xs->dev[j]);
}

/* An event under the backend root: <root>[/domid[/devid[/key...]]]. */
static void on_backend_event(struct mgr *m, const char *path)
{
	size_t rl = strlen(VTPM_XS_BACKEND_ROOT);
	char comp[2][16];
	unsigned long domid, devid;
	const char *p, *slash;
	int i, ncomp = 0;
	struct xs_dev *d;

	if (strncmp(path, VTPM_XS_BACKEND_ROOT, rl) ||
	    (path[rl] && path[rl] != '/') || !path[rl] || !path[rl + 1]) {
		scan_all(m);
		return;
	}
	for (p = path + rl + 1, i = 0; i < 2 && *p; i++) {
		size_t len;

		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (!len || len >= sizeof(comp[0]))
			return;		/* not a name of ours: ignore */
		memcpy(comp[i], p, len);
		comp[i][len] = '\0';
		ncomp++;
		p += len + (slash ? 1 : 0);
		if (!slash)
			break;
	}
	if (!parse_uint(comp[0], XS_DOMID_LIMIT - 1, &domid))
		return;
	if (ncomp == 1) {
		scan_domain(m, (unsigned int)domid);
		return;
	}
	if (!parse_uint(comp[1], XS_DEVID_MAX, &devid))
		return;
	d = dev_get(m->xs, (unsigned int)domid, (unsigned int)devid);
	if (d)
		reconcile(m, d);
}

static void on_frontend_event(struct mgr *m, const char *path)
{
	struct xs_plane *xs = m->xs;
	size_t i;

	for (i = 0; i < xs->ndev; i++)
		if (!strcmp(xs->dev[i]->fe_state, path))
			reconcile(m, xs->dev[i]);
}

/* @releaseDomain or the poll timer: is each served guest still there?
 * One hypercall per served device; xenstore is read only for the dead. */
static void check_domains(struct mgr *m)
{
	struct xs_plane *xs = m->xs;
	bool hvm;
	size_t i;

	for (i = 0; i < xs->ndev; i++) {
		struct xs_dev *d = xs->dev[i];

		if (d->active && !d->dead &&
		    !xs->ops->domain_alive(xs->h, d->domid, &hvm))
			reconcile(m, d);
	}
}

void xs_on_readable(struct mgr *m)
{
	struct xs_plane *xs = m->xs;
	char *path, *token;
	int err;

	if (!xs)
		return;
	for (;;) {
		err = xs->ops->next_event(xs->h, &path, &token);
		if (err == -EAGAIN)
			break;
		if (err)
			fatalx("lost the connection to xenstore: %s",
			       strerror(-err));
		if (!strcmp(token, TOKEN_BACKEND))
			on_backend_event(m, path);
		else if (!strcmp(token, TOKEN_FRONTEND))
			on_frontend_event(m, path);
		else if (!strcmp(token, TOKEN_RELEASE))
			check_domains(m);
		free(path);
		free(token);
	}
	sweep(xs);
}

/* Write "instance" into @d's directory, once its vtpmd runs. */
static void write_instance(struct mgr *m, struct xs_dev *d)
{
	struct xs_plane *xs = m->xs;
	char val[16], cur[XS_VALUE_MAX] = "(unreadable)";
	int err;

	snprintf(val, sizeof(val), "%u", d->instance);
	err = read_dev_key(xs, d, VTPM_XS_INSTANCE, cur, sizeof(cur));
	if (!err && !strcmp(cur, val)) {
		/* A restarted manager re-adopting a running guest. */
		d->written = true;
		xs->unwritten--;
		return;
	}
	if (!err || err == -EINVAL)
		log_warnx("xenstore: domain %u vtpm %u: replacing instance "
			  "%.16s by %s", d->domid, d->devid, cur, val);
	/* One short transaction, so that a directory removed meanwhile is
	 * not recreated by our write, nor a new device (same path, other
	 * uuid) given this one's instance. */
	err = xs->ops->write_if(xs->h, d->dir, VTPM_XS_UUID, d->uuid,
				VTPM_XS_INSTANCE, val);
	if (err == -EAGAIN || (err && err != -ENOENT)) {
		if (err != -EAGAIN)
			log_warnx("xenstore: cannot write %s/%s: %s", d->dir,
				  VTPM_XS_INSTANCE, strerror(-err));
		xs->retry_at_ms = mgr_now_ms() + XS_RETRY_MS;
		return;
	}
	if (err == -ENOENT) {
		char uuid[sizeof(d->uuid)];

		/* The directory changed under us: look again.  If that
		 * finds the same binding (the uuid was changed and changed
		 * back meanwhile), write again a little later. */
		memcpy(uuid, d->uuid, sizeof(uuid));
		reconcile(m, d);
		if (d->active && !d->written && !strcmp(d->uuid, uuid))
			xs->retry_at_ms = mgr_now_ms() + XS_RETRY_MS;
		return;
	}
	d->written = true;
	xs->unwritten--;
	log_info("xenstore: domain %u vtpm %u: instance %u ready", d->domid,
		 d->devid, d->instance);
}

void xs_tick(struct mgr *m)
{
	struct xs_plane *xs = m->xs;
	uint64_t now;
	size_t i;

	/* O(1) on the data path unless a write is pending or due. */
	if (!xs || (!xs->unwritten && !xs->nactive))
		return;
	now = mgr_now_ms();
	if (xs->unwritten && now >= xs->retry_at_ms) {
		xs->retry_at_ms = 0;
		for (i = 0; i < xs->ndev; i++) {
			struct xs_dev *d = xs->dev[i];
			struct instance *in;

			if (!d->active || d->written || d->dead)
				continue;
			in = inst_find(m, d->instance);
			if (in && in->state == INST_RUNNING)
				write_instance(m, d);
		}
	}
	if (now >= xs->poll_at_ms) {
		xs->poll_at_ms = now + XS_DOMAIN_POLL_MS;
		check_domains(m);
	}
	sweep(xs);
}

uint64_t xs_next_deadline(struct mgr *m)
{
	struct xs_plane *xs = m->xs;
	uint64_t next;

	if (!xs)
		return 0;
	next = xs->nactive ? xs->poll_at_ms : 0;
	if (xs->unwritten && xs->retry_at_ms && (!next ||
						 xs->retry_at_ms < next))
		next = xs->retry_at_ms;
	return next;
}

int xs_fd(struct mgr *m)
{
	return m->xs ? m->xs->ops->fileno(m->xs->h) : -1;
}

int xs_init(struct mgr *m, const struct xs_ops *ops)
{
	struct xs_plane *xs;
	int err;

	if (!ops)
		return -ENOTSUP;
	xs = calloc(1, sizeof(*xs));
	if (!xs)
		return -ENOMEM;
	xs->ops = ops;
	err = ops->open(&xs->h);
	if (err)
		goto err_free;
	err = ops->watch(xs->h, VTPM_XS_BACKEND_ROOT, TOKEN_BACKEND);
	if (err)
		goto err_close;
	err = ops->watch(xs->h, XS_RELEASE_DOMAIN, TOKEN_RELEASE);
	if (err)
		goto err_unwatch;
	m->xs = xs;
	xs->poll_at_ms = mgr_now_ms() + XS_DOMAIN_POLL_MS;
	/* Re-adopt the devices of guests that ran while we did not. */
	scan_all(m);
	sweep(xs);
	log_info("xenstore: watching %s (%zu device%s)", VTPM_XS_BACKEND_ROOT,
		 xs->ndev, xs->ndev == 1 ? "" : "s");
	return 0;

err_unwatch:
	ops->unwatch(xs->h, VTPM_XS_BACKEND_ROOT, TOKEN_BACKEND);
err_close:
	ops->close(xs->h);
err_free:
	free(xs);
	return err;
}

void xs_fini(struct mgr *m)
{
	struct xs_plane *xs = m->xs;
	size_t i;

	if (!xs)
		return;
	/* The instances stay as they are (shutdown stops them); the
	 * "instance" keys stay for the next manager to re-adopt. */
	for (i = 0; i < xs->ndev; i++)
		xs->dev[i]->dead = true;
	sweep(xs);
	xs->ops->unwatch(xs->h, XS_RELEASE_DOMAIN, TOKEN_RELEASE);
	xs->ops->unwatch(xs->h, VTPM_XS_BACKEND_ROOT, TOKEN_BACKEND);
	xs->ops->close(xs->h);
	free(xs->dev);
	free(xs);
	m->xs = NULL;
}
