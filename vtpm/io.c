// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmd's FIFO I/O: opening the instance's four FIFOs and moving whole
 * frames.  The manager creates the FIFOs and holds them open, so these
 * opens never block; EOF on a read means the manager is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "vtpmd.h"

static int open_fifo(const char *root, const char *name, uint32_t instance,
		     int flags)
{
	char path[PATH_MAX];
	int fd, n;

	if (instance)
		n = snprintf(path, sizeof(path), "%s/fifos/%s_%u.fifo", root,
			     name, instance);
	else
		n = snprintf(path, sizeof(path), "%s/fifos/%s.fifo", root,
			     name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		log_warn("cannot open %s", path);
		return -errno;
	}
	return fd;
}

int vtpmd_fifos_open(struct vtpmd_fifos *f, const char *root,
		     uint32_t instance)
{
	int err;

	f->cmd_in = f->rsp_out = f->nvm_out = f->nvm_in = -1;
	err = f->cmd_in = open_fifo(root, "tpm_cmd_to", instance, O_RDONLY);
	if (err < 0)
		goto err_close;
	err = f->nvm_in = open_fifo(root, "vtpm_rsp_to", instance, O_RDONLY);
	if (err < 0)
		goto err_close;
	err = f->rsp_out = open_fifo(root, "tpm_rsp_from_all", 0, O_WRONLY);
	if (err < 0)
		goto err_close;
	err = f->nvm_out = open_fifo(root, "vtpm_cmd_from_all", 0, O_WRONLY);
	if (err < 0)
		goto err_close;
	return 0;

err_close:
	vtpmd_fifos_close(f);
	return err;
}

void vtpmd_fifos_close(struct vtpmd_fifos *f)
{
	int *fds[] = { &f->cmd_in, &f->rsp_out, &f->nvm_out, &f->nvm_in };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int vtpmd_read_exact(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r == 0)
			return -EPIPE;
		if (r < 0) {
			/* A signal between frames lets the caller check for a
			 * stop request; inside a frame the read goes on. */
			if (errno == EINTR && got)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	return 0;
}

int vtpmd_read_frame(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	size_t hdr = VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE, size;
	int err;

	if (cap < hdr)
		return -ENOSPC;
	err = vtpmd_read_exact(fd, buf, hdr);
	if (err)
		return err;
	size = vtpm_be32(buf + 6);
	/* The manager writes whole frames; a bad size means the stream can
	 * no longer be trusted, so the caller gives up on it. */
	if (size < VTPM_HEADER_SIZE || size > cap - VTPM_PREFIX_SIZE)
		return -EBADMSG;
	err = vtpmd_read_exact(fd, buf + hdr, size - VTPM_HEADER_SIZE);
	if (err)
		return err;
	*len = VTPM_PREFIX_SIZE + size;
	return 0;
}

int vtpmd_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t w;

	do {
		w = write(fd, buf, len);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	/* A FIFO write of <= PIPE_BUF bytes is all or nothing. */
	return (size_t)w == len ? 0 : -EIO;
}
