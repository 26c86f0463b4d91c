// SPDX-License-Identifier: GPL-2.0
/*
 * The manager's FIFOs (docs/protocol.md): creating them 0600 under
 * <root>/fifos, opening the manager's ends O_RDWR|O_NONBLOCK (so no open
 * blocks and a restarting vtpmd never causes EOF), and cutting frames out
 * of the two shared FIFO streams.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

static int fifo_path(char *buf, size_t cap, const char *root,
		     const char *name, uint32_t instance)
{
	int n;

	if (instance)
		n = snprintf(buf, cap, "%s/fifos/%s_%u.fifo", root, name,
			     instance);
	else
		n = snprintf(buf, cap, "%s/fifos/%s.fifo", root, name);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* mkfifo (or keep an existing FIFO) and open it read-write. */
static int make_fifo(const char *root, const char *name, uint32_t instance)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (fifo_path(path, sizeof(path), root, name, instance))
		return -ENAMETOOLONG;
	if (mkfifo(path, 0600) && errno != EEXIST) {
		log_warn("mkfifo %s", path);
		return -errno;
	}
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		log_warn("open %s", path);
		return -errno;
	}
	/* Something else at that path (a file an attacker planted) is not
	 * a FIFO we may use. */
	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		log_warnx("%s is not a FIFO", path);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int fifo_init(struct mgr *m)
{
	char dir[PATH_MAX];
	int n;

	n = snprintf(dir, sizeof(dir), "%s/fifos", m->cfg.root);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		log_warn("mkdir %s", dir);
		return -errno;
	}
	m->rsp_fd = make_fifo(m->cfg.root, "tpm_rsp_from_all", 0);
	if (m->rsp_fd < 0)
		return m->rsp_fd;
	m->nvm_fd = make_fifo(m->cfg.root, "vtpm_cmd_from_all", 0);
	if (m->nvm_fd < 0) {
		close(m->rsp_fd);
		m->rsp_fd = -1;
		return m->nvm_fd;
	}
	return 0;
}

void fifo_fini(struct mgr *m)
{
	if (m->rsp_fd >= 0)
		close(m->rsp_fd);
	if (m->nvm_fd >= 0)
		close(m->nvm_fd);
	m->rsp_fd = m->nvm_fd = -1;
}

int fifo_instance_open(struct mgr *m, struct instance *in)
{
	if (in->cmd_fd < 0)
		in->cmd_fd = make_fifo(m->cfg.root, "tpm_cmd_to", in->id);
	if (in->cmd_fd < 0)
		return in->cmd_fd;
	if (in->nvm_rsp_fd < 0) {
		in->nvm_rsp_fd = make_fifo(m->cfg.root, "vtpm_rsp_to", in->id);
		if (in->nvm_rsp_fd < 0)
			return in->nvm_rsp_fd;
		/* A LOADNVM answer (a whole state blob) must fit in the pipe,
		 * so the event loop never waits for a vtpmd to read it. */
		if (fcntl(in->nvm_rsp_fd, F_SETPIPE_SZ,
			  2 * VTPM_MAX_NVM_FRAME) < 0)
			log_warn("instance %u: cannot enlarge its pipe",
				 in->id);
	}
	return 0;
}

void fifo_instance_close(struct instance *in, const char *root, bool unlink_them)
{
	char path[PATH_MAX];

	if (in->cmd_fd >= 0)
		close(in->cmd_fd);
	if (in->nvm_rsp_fd >= 0)
		close(in->nvm_rsp_fd);
	in->cmd_fd = in->nvm_rsp_fd = -1;
	if (!unlink_them)
		return;
	if (!fifo_path(path, sizeof(path), root, "tpm_cmd_to", in->id))
		unlink(path);
	if (!fifo_path(path, sizeof(path), root, "vtpm_rsp_to", in->id))
		unlink(path);
}

/*
 * Frames on the shared FIFOs are written whole (<= PIPE_BUF, atomic), so
 * a reader that sees the header of a frame also finds its body: read the
 * 14-byte header, then exactly the rest.  A size that cannot be right
 * means the stream is no longer in sync; the caller treats that as fatal
 * for the stream (only a vtpmd bug or a hostile local process does it).
 */
int fifo_read_frame(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	size_t hdr = VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE, size, got;
	ssize_t r;

	r = read(fd, buf, hdr);
	if (r < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	if ((size_t)r != hdr)
		return -EBADMSG;
	size = ((size_t)buf[6] << 24) | ((size_t)buf[7] << 16) |
	       ((size_t)buf[8] << 8) | buf[9];
	if (size < VTPM_HEADER_SIZE || size > cap - VTPM_PREFIX_SIZE ||
	    size > PIPE_BUF - VTPM_PREFIX_SIZE)
		return -EBADMSG;
	for (got = hdr; got < VTPM_PREFIX_SIZE + size; got += (size_t)r) {
		r = read(fd, buf + got, VTPM_PREFIX_SIZE + size - got);
		if (r <= 0 && !(r < 0 && errno == EINTR))
			return -EBADMSG;
		if (r < 0)
			r = 0;
	}
	*len = VTPM_PREFIX_SIZE + size;
	return 0;
}
