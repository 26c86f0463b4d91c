// SPDX-License-Identifier: GPL-2.0
/*
 * struct xs_ops over the real libxenstore and libxenctrl; built only when
 * pkg-config finds them (vtpm_manager/Makefile).  No policy: xenstore.c
 * decides, this file turns its calls into xenstored requests and one
 * hypercall.  Every call is one synchronous round trip to xenstored.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenstore.h>

#include "log.h"
#include "manager.h"

struct libxen {
	struct xs_handle *xsh;
	xc_interface *xch;		/* NULL: liveness from xenstore only */
};

/*
 * libxenstore and libxenctrl open their sockets, pipes and devices
 * themselves; whether each is close-on-exec depends on their version.  A
 * vtpmd (run from a fork of the manager) must never hold a xenstore or
 * hypervisor handle, so every descriptor the manager has at this point is
 * marked close-on-exec: all of ours already are.
 */
static void cloexec_all(void)
{
	struct dirent *e;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir) {
		log_warn("/proc/self/fd");
		return;
	}
	while ((e = readdir(dir))) {
		int fd = atoi(e->d_name), fl;

		if (fd <= 2 || fd == dirfd(dir))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
	closedir(dir);
}

static int lx_open(void **hp)
{
	struct libxen *lx;
	int err;

	lx = calloc(1, sizeof(*lx));
	if (!lx)
		return -ENOMEM;
	lx->xsh = xs_open(0);
	if (!lx->xsh) {
		err = errno ? -errno : -EIO;
		goto err_free;
	}
	/* Creates the pipe watch events are signalled on. */
	if (xs_fileno(lx->xsh) < 0) {
		err = errno ? -errno : -EIO;
		goto err_close_xs;
	}
	lx->xch = xc_interface_open(NULL, NULL, 0);
	if (!lx->xch)
		log_warn("libxenctrl: no hypervisor interface; guests' "
			 "domains are checked through xenstore only");
	cloexec_all();
	*hp = lx;
	return 0;

err_close_xs:
	xs_close(lx->xsh);
err_free:
	free(lx);
	return err;
}

static void lx_close(void *h)
{
	struct libxen *lx = h;

	if (!lx)
		return;
	if (lx->xch)
		xc_interface_close(lx->xch);
	xs_close(lx->xsh);
	free(lx);
}

static int lx_fileno(void *h)
{
	struct libxen *lx = h;

	return xs_fileno(lx->xsh);
}

static int lx_watch(void *h, const char *path, const char *token)
{
	struct libxen *lx = h;

	return xs_watch(lx->xsh, path, token) ? 0 : -errno;
}

static int lx_unwatch(void *h, const char *path, const char *token)
{
	struct libxen *lx = h;

	return xs_unwatch(lx->xsh, path, token) ? 0 : -errno;
}

static int lx_next_event(void *h, char **path, char **token)
{
	struct libxen *lx = h;
	char **w;
	int err = 0;

	w = xs_check_watch(lx->xsh);
	if (!w)
		return errno == EAGAIN ? -EAGAIN : errno ? -errno : -EIO;
	*path = strdup(w[XS_WATCH_PATH]);
	*token = strdup(w[XS_WATCH_TOKEN]);
	if (!*path || !*token) {
		free(*path);
		free(*token);
		err = -ENOMEM;
	}
	free(w);
	return err;
}

static char *lx_read(void *h, const char *path, unsigned int *len)
{
	struct libxen *lx = h;

	return xs_read(lx->xsh, XBT_NULL, path, len);
}

static char **lx_directory(void *h, const char *path, unsigned int *n)
{
	struct libxen *lx = h;

	return xs_directory(lx->xsh, XBT_NULL, path, n);
}

static int lx_write_if(void *h, const char *dir, const char *check_key,
		       const char *check_value, const char *key,
		       const char *value)
{
	struct libxen *lx = h;
	char cpath[512], wpath[512];
	xs_transaction_t t;
	unsigned int len;
	char *v;
	int err;

	if (snprintf(cpath, sizeof(cpath), "%s/%s", dir, check_key) >=
	    (int)sizeof(cpath) ||
	    snprintf(wpath, sizeof(wpath), "%s/%s", dir, key) >=
	    (int)sizeof(wpath))
		return -ENAMETOOLONG;
	t = xs_transaction_start(lx->xsh);
	if (t == XBT_NULL)
		return errno ? -errno : -EIO;
	v = xs_read(lx->xsh, t, cpath, &len);
	if (!v || strcmp(v, check_value)) {
		err = !v && errno != ENOENT ? -errno : -ENOENT;
		goto err_abort;
	}
	if (!xs_write(lx->xsh, t, wpath, value, (unsigned int)strlen(value))) {
		err = -errno;
		goto err_abort;
	}
	free(v);
	if (!xs_transaction_end(lx->xsh, t, false))
		return errno == EAGAIN ? -EAGAIN : -errno;
	return 0;

err_abort:
	free(v);
	xs_transaction_end(lx->xsh, t, true);
	return err;
}

/* Without libxenctrl: the toolstack removes /local/domain/<domid> when it
 * destroys a domain (a domain that crashed unattended stays "alive"). */
static int domain_in_xenstore(struct libxen *lx, unsigned int domid)
{
	char path[64];
	unsigned int len;
	char *v;

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	v = xs_read(lx->xsh, XBT_NULL, path, &len);
	if (v) {
		free(v);
		return 1;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int lx_domain_alive(void *h, unsigned int domid, bool *hvm)
{
	struct libxen *lx = h;
	xc_domaininfo_t info;
	int n;

	*hvm = false;
	if (!lx->xch)
		return domain_in_xenstore(lx, domid);
	/* The first domain with an id >= domid: ours, or it is gone. */
	n = xc_domain_getinfolist(lx->xch, domid, 1, &info);
	if (n < 0)
		return -errno;
	if (n == 0 || info.domain != domid ||
	    (info.flags & XEN_DOMINF_dying))
		return 0;
	*hvm = !!(info.flags & XEN_DOMINF_hvm_guest);
	return 1;
}

const struct xs_ops xs_libxen_ops = {
	.open = lx_open,
	.close = lx_close,
	.fileno = lx_fileno,
	.watch = lx_watch,
	.unwatch = lx_unwatch,
	.next_event = lx_next_event,
	.read = lx_read,
	.directory = lx_directory,
	.write_if = lx_write_if,
	.domain_alive = lx_domain_alive,
};
