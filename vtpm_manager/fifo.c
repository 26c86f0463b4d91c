// SPDX-License-Identifier: GPL-2.0
/*
 * The manager's FIFOs (docs/protocol.md): creating them 0600 under
 * <root>/fifos, opening the manager's ends O_RDWR|O_NONBLOCK (so no open
 * blocks and a restarting vtpmd never causes EOF), the read buffers of the
 * two shared FIFOs, and replacing those when one is out of sync.
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

/*
 * What one read() of a shared FIFO may return: a pipe's default capacity
 * (64 KiB), so one wake-up empties it, however many vtpmds answered.
 */
#define SHARED_READ_BUF	(64U * 1024U)

static uint8_t rsp_buf[SHARED_READ_BUF], nvm_buf[SHARED_READ_BUF];

static int shared_open(struct mgr *m)
{
	m->rsp_fd = make_fifo(m->cfg.root, "tpm_rsp_from_all", 0);
	if (m->rsp_fd < 0)
		return m->rsp_fd;
	m->nvm_fd = make_fifo(m->cfg.root, "vtpm_cmd_from_all", 0);
	if (m->nvm_fd < 0) {
		close(m->rsp_fd);
		m->rsp_fd = -1;
		return m->nvm_fd;
	}
	vtpm_stream_init(&m->rsp_in, m->rsp_fd, rsp_buf, sizeof(rsp_buf));
	vtpm_stream_init(&m->nvm_in, m->nvm_fd, nvm_buf, sizeof(nvm_buf));
	return 0;
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
	return shared_open(m);
}

void fifo_fini(struct mgr *m)
{
	if (m->rsp_fd >= 0)
		close(m->rsp_fd);
	if (m->nvm_fd >= 0)
		close(m->nvm_fd);
	m->rsp_fd = m->nvm_fd = -1;
}

/*
 * Only vtpmds write the shared FIFOs; one wrote something that is not a
 * whole frame (a bug, or a vtpmd compromised through its engine), so no
 * later byte can be trusted to start a frame, and which vtpmd did it
 * cannot be known.  New FIFOs, unlinked first so that nothing written to
 * the old ones reaches us, and every vtpmd restarted from its last
 * acknowledged state: each request in flight is answered TPM_FAIL when its
 * vtpmd is reaped, queued ones wait for the restart, and a save already
 * with the workers completes before its instance restarts.
 */
void fifo_recover(struct mgr *m, const char *which)
{
	char path[PATH_MAX];

	log_warnx("%s is out of sync (a vtpmd wrote a malformed frame): "
		  "recreating the shared FIFOs and restarting every vtpmd "
		  "from its last saved state", which);
	if (!fifo_path(path, sizeof(path), m->cfg.root, "tpm_rsp_from_all", 0))
		unlink(path);
	if (!fifo_path(path, sizeof(path), m->cfg.root, "vtpm_cmd_from_all",
		       0))
		unlink(path);
	fifo_fini(m);
	if (shared_open(m))
		fatalx("cannot recreate the shared FIFOs under %s/fifos",
		       m->cfg.root);
	inst_restart_all(m);
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
