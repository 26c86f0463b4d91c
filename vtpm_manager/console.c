// SPDX-License-Identifier: GPL-2.0
/*
 * The administrator's channel: <root>/manager.sock (0600), one request
 * frame and one answer frame per connection (docs/protocol.md): OPEN,
 * CLOSE, DELETE, LIST, STATUS.  The socket is root-only; a client that
 * connects and sends nothing delays the loop by at most CONSOLE_WAIT_MS.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

#define CONSOLE_WAIT_MS		1000
#define CONSOLE_MAX_REQ		256U	/* bytes of a console request */
#define CONSOLE_MAX_ANSWER	(VTPM_MAX_INSTANCE * 16U)

int console_open(struct mgr *m)
{
	struct sockaddr_un sa;
	int fd, n;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/manager.sock",
		     m->cfg.root);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A stale socket of a previous manager; the state root is ours
	 * (0700), so nobody else can have put it there. */
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(sa.sun_path, 0600) || listen(fd, 16)) {
		log_warn("console socket %s", sa.sun_path);
		close(fd);
		return -errno;
	}
	m->console_fd = fd;
	return 0;
}

void console_close(struct mgr *m)
{
	char path[108];

	if (m->console_fd < 0)
		return;
	close(m->console_fd);
	m->console_fd = -1;
	snprintf(path, sizeof(path), "%s/manager.sock", m->cfg.root);
	unlink(path);
}

static uint32_t do_open(struct mgr *m, const struct vtpm_frame *f,
			uint8_t *out, size_t *out_len)
{
	char uuid[VTPM_MAX_UUID + 1] = "";
	uint32_t id, by_uuid;
	struct instance *in;
	uint16_t n = 0;

	if (f->body_len != VTPM_OPEN_BODY_MIN) {
		if (f->body_len < VTPM_OPEN_BODY_MIN + 2)
			return VTPM_INVALID_REQUEST;
		n = (uint16_t)((f->body[7] << 8) | f->body[8]);
		if (!n || n > VTPM_MAX_UUID ||
		    f->body_len != VTPM_OPEN_BODY_MIN + 2U + n)
			return VTPM_INVALID_REQUEST;
		memcpy(uuid, f->body + 9, n);
		if (memchr(uuid, '\0', n) || strpbrk(uuid, " \t\n#/"))
			return VTPM_INVALID_REQUEST;
	}
	if (f->body[1] < VTPM_STARTUP_CLEAR ||
	    f->body[1] > VTPM_STARTUP_DEACTIVATED ||
	    (f->body[2] != VTPM_VM_PV && f->body[2] != VTPM_VM_HVM))
		return VTPM_INVALID_REQUEST;
	id = vtpm_be32(f->body + 3);
	by_uuid = db_lookup_uuid(m, uuid);
	/* Instance 0 with a uuid: the manager picks (the uuid's instance,
	 * else the lowest free one).  Instance 0 alone is never a guest. */
	if (!id)
		id = by_uuid ? by_uuid : uuid[0] ? db_alloc_instance(m, 0) : 0;
	if (!id || id > VTPM_MAX_INSTANCE)
		return VTPM_FORBIDDEN;
	if (by_uuid && by_uuid != id)
		return VTPM_FORBIDDEN;
	in = inst_find(m, id);
	if (in && uuid[0] && in->uuid[0] && strcmp(in->uuid, uuid))
		return VTPM_FORBIDDEN;
	if (!in)
		in = inst_get(m, id);
	if (!in)
		return VTPM_FAIL;
	if (uuid[0] && !in->uuid[0])
		memcpy(in->uuid, uuid, sizeof(in->uuid));
	vtpm_put_be32(out, id);
	*out_len = 4;
	if (in->open && in->state != INST_STOPPED)
		return VTPM_SUCCESS;
	in->open = true;
	in->delete_after_stop = false;
	inst_set_start(in, f->body[1], f->body[2]);
	if (db_save(m))
		return VTPM_FAIL;
	if (in->state == INST_STOPPED && inst_start(m, in))
		return VTPM_FAIL;
	return VTPM_SUCCESS;
}

static uint32_t do_close(struct mgr *m, const struct vtpm_frame *f,
			 bool delete)
{
	struct instance *in;
	uint32_t id;

	if (f->body_len != 4)
		return VTPM_INVALID_REQUEST;
	id = vtpm_be32(f->body);
	in = id ? inst_find(m, id) : NULL;
	if (!in)
		return id ? VTPM_INVALID_REQUEST : VTPM_FORBIDDEN;
	in->open = false;
	in->delete_after_stop = delete;
	if (in->state == INST_STOPPED) {
		if (delete) {
			seal_state_delete(m->seal, in->id);
			inst_remove(m, in);
		}
	} else {
		inst_stop(m, in);
	}
	return db_save(m) ? VTPM_FAIL : VTPM_SUCCESS;
}

static uint32_t do_list(struct mgr *m, uint8_t *out, size_t cap,
			size_t *out_len)
{
	size_t i, len = 4, ul, dl;

	vtpm_put_be32(out, (uint32_t)m->ninst);
	for (i = 0; i < m->ninst; i++) {
		struct instance *in = m->inst[i];
		uint64_t t = seal_state_mtime(m->seal, in->id);

		ul = strlen(in->uuid);
		dl = strlen(in->domain);
		if (len + 4 + 1 + 8 + 2 + ul + 2 + dl > cap)
			return VTPM_FAIL;
		vtpm_put_be32(out + len, in->id);
		out[len + 4] = in->state == INST_RUNNING ||
			       in->state == INST_STARTING;
		vtpm_put_be32(out + len + 5, (uint32_t)(t >> 32));
		vtpm_put_be32(out + len + 9, (uint32_t)t);
		out[len + 13] = (uint8_t)(ul >> 8);
		out[len + 14] = (uint8_t)ul;
		memcpy(out + len + 15, in->uuid, ul);
		len += 15 + ul;
		out[len] = (uint8_t)(dl >> 8);
		out[len + 1] = (uint8_t)dl;
		memcpy(out + len + 2, in->domain, dl);
		len += 2 + dl;
	}
	*out_len = len;
	return VTPM_SUCCESS;
}

static uint32_t do_status(struct mgr *m, uint8_t *out, size_t cap,
			  size_t *out_len)
{
	size_t i, running = 0;
	int n;

	for (i = 0; i < m->ninst; i++)
		running += m->inst[i]->state == INST_RUNNING;
	n = snprintf((char *)out, cap,
		     "hwtpm=%s\nemulated=%s\ninstances=%zu\nrunning=%zu\n"
		     "uptime=%llu\nroot=%s\n",
		     hwtpm_describe(m->hw),
		     m->cfg.emulate_hw_tpm ? "yes (no hardware root of trust)"
					   : "no",
		     m->ninst, running,
		     (unsigned long long)((mgr_now_ms() - m->started_ms) /
					  1000), m->cfg.root);
	if (n < 0 || (size_t)n >= cap)
		return VTPM_FAIL;
	*out_len = (size_t)n;
	return VTPM_SUCCESS;
}

static void handle(struct mgr *m, int fd)
{
	static uint8_t answer[CONSOLE_MAX_ANSWER + 64];
	uint8_t req[CONSOLE_MAX_REQ];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct vtpm_frame f;
	size_t out_len = 0;
	uint32_t status;
	ssize_t r;
	long n;

	if (poll(&p, 1, CONSOLE_WAIT_MS) <= 0)
		return;
	r = read(fd, req, sizeof(req));
	if (r <= 0)
		return;
	if (vtpm_ipc_parse(req, (size_t)r, CONSOLE_MAX_REQ, &f) ||
	    f.tag != VTPM_TAG_REQ || f.instance != 0) {
		status = VTPM_INVALID_REQUEST;
		goto reply;
	}
	switch (f.code) {
	case VTPM_ORD_OPEN:
		status = do_open(m, &f, answer + 14, &out_len);
		break;
	case VTPM_ORD_CLOSE:
		status = do_close(m, &f, false);
		break;
	case VTPM_ORD_DELETE:
		status = do_close(m, &f, true);
		break;
	case VTPM_ORD_LIST:
		status = f.body_len ? VTPM_INVALID_REQUEST :
			do_list(m, answer + 14, CONSOLE_MAX_ANSWER, &out_len);
		break;
	case VTPM_ORD_STATUS:
		status = f.body_len ? VTPM_INVALID_REQUEST :
			do_status(m, answer + 14, CONSOLE_MAX_ANSWER,
				  &out_len);
		break;
	default:
		status = VTPM_UNSUPPORTED;
		break;
	}
	if (status != VTPM_SUCCESS)
		out_len = 0;
	log_info("console: ordinal 0x%08x -> status %u", f.code, status);
reply:
	n = vtpm_ipc_build(answer, sizeof(answer), 0, VTPM_TAG_RSP, status,
			   answer + 14, out_len);
	if (n > 0 && write(fd, answer, (size_t)n) != n)
		log_warn("console: short answer");
}

void console_on_readable(struct mgr *m)
{
	int fd;

	fd = accept4(m->console_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	handle(m, fd);
	close(fd);
}
