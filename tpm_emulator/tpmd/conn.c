// SPDX-License-Identifier: GPL-2.0
/*
 * tpmd's connection: framing raw TPM 1.2 bytes from the one connected
 * client.  This is the only place tpmd reads client bytes; it checks
 * paramSize before trusting it and hands whole commands to tpmd_execute().
 * It never interprets a command beyond its header.
 */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "constants.h"
#include "marshal.h"
#include "tpmd.h"

/*
 * After refusing a command we read and discard the client's remaining
 * bytes this long (ms) before closing: closing with unread data makes TCP
 * send a reset, which can destroy the error response in flight.
 */
#define TPMD_DRAIN_MS		1000
/* Bytes needed to know a command's length: tag and paramSize. */
#define TPM_SIZE_KNOWN		6U

/**
 * error_response() - build a 10-byte error response.
 * @rsp: buffer of at least TPM_HEADER_SIZE bytes.
 * @req_tag: the request's tag; the response tag is its RSP counterpart
 *           (request tag + 3) for the three request tags, else
 *           TPM_TAG_RSP_COMMAND.
 * @rc: the return code.
 *
 * Return: the response length, TPM_HEADER_SIZE.
 */
size_t error_response(uint8_t *rsp, uint16_t req_tag, uint32_t rc)
{
	uint16_t tag = TPM_TAG_RSP_COMMAND;

	if (req_tag >= TPM_TAG_RQU_COMMAND &&
	    req_tag <= TPM_TAG_RQU_AUTH2_COMMAND)
		tag = req_tag + 3;
	tb_wr_be16(rsp, tag);
	tb_wr_be32(rsp + 2, TPM_HEADER_SIZE);
	tb_wr_be32(rsp + 6, rc);
	return TPM_HEADER_SIZE;
}

/**
 * client_close() - hang up on the client.
 * @d: the daemon; a client must be connected.
 * @why: reason, for the debug log.
 */
void client_close(struct tpmd *d, const char *why)
{
	struct client *cl = &d->cl;

	log_debug("%s: connection closed (%s)", cl->peer, why);
	close(cl->fd);
	cl->fd = -1;
	cl->have = 0;
	cl->draining = false;
}

/* Answer a refused command and let the client's leftover bytes drain. */
static void client_refuse(struct tpmd *d, uint16_t tag, uint32_t rc)
{
	struct client *cl = &d->cl;
	size_t len = error_response(d->rsp, tag, rc);

	if (net_send_all(cl->fd, d->rsp, len, TPMD_DRAIN_MS)) {
		client_close(d, "refused");
		return;
	}
	shutdown(cl->fd, SHUT_WR);
	cl->draining = true;
	cl->have = 0;
	cl->deadline = monotonic_ms() + TPMD_DRAIN_MS;
}

/* Is a whole command, or a header to refuse, buffered? */
static bool client_pending(const struct client *cl)
{
	uint32_t size;

	if (cl->draining || cl->have < TPM_SIZE_KNOWN)
		return false;
	size = tb_be32(cl->buf + 2);
	if (size < TPM_HEADER_SIZE || size > TPM_MAX_COMMAND_SIZE)
		return true;
	return cl->have >= size;
}

/* Run the buffered command; the caller checked client_pending(). */
static void client_command(struct tpmd *d)
{
	struct client *cl = &d->cl;
	uint16_t tag = tb_be16(cl->buf);
	uint32_t size = tb_be32(cl->buf + 2);
	size_t rsp_len;
	int err;

	/* paramSize is client-controlled: refuse before trusting it. */
	if (size < TPM_HEADER_SIZE || size > TPM_MAX_COMMAND_SIZE) {
		if (log_ratelimit(&d->rl_client))
			log_warnx("%s: paramSize %u out of range, closing",
				  cl->peer, size);
		client_refuse(d, tag, TPM_BAD_PARAM_SIZE);
		return;
	}
	rsp_len = tpmd_execute(d, cl->buf, size);
	log_debug("%s: ordinal 0x%08x len %u -> rc 0x%x len %zu", cl->peer,
		  tb_be32(cl->buf + 6), size, tb_be32(d->rsp + 6), rsp_len);
	err = net_send_all(cl->fd, d->rsp, rsp_len, TPMD_CMD_TIMEOUT_MS);
	if (err) {
		client_close(d, strerror(-err));
		return;
	}
	/* A pipelining client may have sent the next command already. */
	cl->have -= size;
	if (cl->have) {
		memmove(cl->buf, cl->buf + size, cl->have);
		cl->deadline = monotonic_ms() + TPMD_CMD_TIMEOUT_MS;
	}
}

static void client_read(struct tpmd *d)
{
	struct client *cl = &d->cl;
	size_t room = sizeof(cl->buf) - cl->have;
	ssize_t n;

	/* A full buffer always holds a whole command (client_pending). */
	assert(room > 0 || cl->draining);
	n = read(cl->fd, cl->draining ? cl->buf : cl->buf + cl->have,
		 cl->draining ? sizeof(cl->buf) : room);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_close(d, strerror(errno));
		return;
	}
	if (n == 0) {
		client_close(d, cl->have ? "EOF mid-command" : "EOF");
		return;
	}
	if (cl->draining)
		return;
	if (!cl->have)
		cl->deadline = monotonic_ms() + TPMD_CMD_TIMEOUT_MS;
	cl->have += (size_t)n;
}

/**
 * client_accept() - take the next client from a listener.
 * @d: the daemon; no client may be connected.
 * @l: a listener poll() found readable.
 */
void client_accept(struct tpmd *d, struct listener *l)
{
	struct client *cl = &d->cl;
	int fd = listener_accept(l, cl->peer, sizeof(cl->peer));

	if (fd < 0) {
		if (fd != -EAGAIN && fd != -ECONNABORTED &&
		    log_ratelimit(&d->rl_client))
			log_warnx("%s: accept: %s", l->spec, strerror(-fd));
		return;
	}
	cl->fd = fd;
	cl->have = 0;
	cl->draining = false;
	log_debug("%s: connection opened", cl->peer);
}

/**
 * client_timeout() - how long poll() may wait for the connected client.
 * @cl: the client.
 *
 * An idle client (between commands) may stay connected indefinitely; a
 * command must arrive whole within TPMD_CMD_TIMEOUT_MS of its first byte.
 *
 * Return: milliseconds, 0 when work is due now, -1 for no limit.
 */
int client_timeout(const struct client *cl)
{
	uint64_t now;

	if (client_pending(cl))
		return 0;
	if (!cl->have && !cl->draining)
		return -1;	/* idle between commands: no limit */
	now = monotonic_ms();
	return now >= cl->deadline ? 0 : (int)(cl->deadline - now);
}

/**
 * client_event() - advance the connection after poll().
 * @d: the daemon; a client is connected.
 * @revents: poll() events of the client socket (0 on a timeout).
 *
 * At most one command runs per call, so signals are checked between
 * commands even for a client that pipelines them.
 */
void client_event(struct tpmd *d, short revents)
{
	struct client *cl = &d->cl;

	if (client_pending(cl)) {
		client_command(d);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		client_read(d);
		if (cl->fd >= 0 && client_pending(cl))
			client_command(d);
		return;
	}
	if ((cl->have || cl->draining) && monotonic_ms() >= cl->deadline) {
		if (!cl->draining && log_ratelimit(&d->rl_client))
			log_warnx("%s: no complete command within %d s, dropping",
				  cl->peer, TPMD_CMD_TIMEOUT_MS / 1000);
		client_close(d, "timeout");
	}
}
