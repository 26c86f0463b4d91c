// SPDX-License-Identifier: GPL-2.0
/*
 * Frames of the dom0 daemons (vtpm_ipc.h, docs/protocol.md): the only code
 * that splits or builds [instance][packet] frames, or cuts them out of a
 * FIFO.  Callers get views into their own buffers; nothing is copied or
 * trusted before it is checked.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vtpm_ipc.h"

int vtpm_ipc_parse(const uint8_t *buf, size_t len, size_t max_packet,
		   struct vtpm_frame *f)
{
	const uint8_t *pkt;
	uint32_t size;

	if (!buf || len < VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE)
		return -EBADMSG;
	pkt = buf + VTPM_PREFIX_SIZE;
	size = vtpm_be32(pkt + 2);
	/* The frame is exactly prefix + size: no short, no trailing bytes. */
	if (size < VTPM_HEADER_SIZE || size > max_packet ||
	    size != len - VTPM_PREFIX_SIZE)
		return -EBADMSG;
	f->instance = vtpm_be32(buf);
	f->tag = (uint16_t)((pkt[0] << 8) | pkt[1]);
	f->size = size;
	f->code = vtpm_be32(pkt + 6);
	f->packet = pkt;
	f->body = pkt + VTPM_HEADER_SIZE;
	f->body_len = size - VTPM_HEADER_SIZE;
	return 0;
}

long vtpm_ipc_build(uint8_t *out, size_t cap, uint32_t instance,
		    uint16_t tag, uint32_t code, const void *body,
		    size_t body_len)
{
	size_t need = VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE;

	if (body_len > cap || need > cap - body_len ||
	    body_len > UINT32_MAX - VTPM_HEADER_SIZE)
		return -ENOSPC;
	vtpm_put_be32(out, instance);
	out[4] = (uint8_t)(tag >> 8);
	out[5] = (uint8_t)tag;
	vtpm_put_be32(out + 6, (uint32_t)(VTPM_HEADER_SIZE + body_len));
	vtpm_put_be32(out + 10, code);
	if (body_len)
		/* memmove: callers may build in place (body already at
		 * out + 14). */
		memmove(out + need, body, body_len);
	return (long)(need + body_len);
}

void vtpm_stream_init(struct vtpm_stream *s, int fd, uint8_t *buf,
		      size_t cap)
{
	s->fd = fd;
	s->buf = buf;
	s->cap = cap;
	s->start = s->end = 0;
	s->drained = false;
}

int vtpm_stream_next(struct vtpm_stream *s, size_t max_packet,
		     const uint8_t **frame, size_t *len)
{
	size_t avail, size, want;
	ssize_t r;

	for (;;) {
		avail = s->end - s->start;
		if (avail >= VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE) {
			size = vtpm_be32(s->buf + s->start + 6);
			if (size < VTPM_HEADER_SIZE || size > max_packet ||
			    size > s->cap - VTPM_PREFIX_SIZE)
				return -EBADMSG;
			if (avail >= VTPM_PREFIX_SIZE + size) {
				*frame = s->buf + s->start;
				*len = VTPM_PREFIX_SIZE + size;
				s->start += *len;
				return 0;
			}
		}
		if (s->drained) {
			/* Whole frames only ever reach a pipe: a rest after
			 * the FIFO ran empty was written by no honest
			 * writer. */
			s->drained = false;
			return avail ? -EBADMSG : -EAGAIN;
		}
		/* Keep the rest of a frame the buffer cut, then refill. */
		if (s->start) {
			memmove(s->buf, s->buf + s->start, avail);
			s->start = 0;
			s->end = avail;
		}
		want = s->cap - s->end;
		r = read(s->fd, s->buf + s->end, want);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				/* Between frames: the caller polls (or checks
				 * for a stop request) and calls again. */
				if (!avail)
					return -EAGAIN;
				if (errno == EAGAIN)
					s->drained = true;
				continue;
			}
			return -errno;
		}
		if (r == 0)
			return -EPIPE;
		s->end += (size_t)r;
		/* A short read emptied the FIFO (Linux pipes return what they
		 * hold, up to the count): no second read() to learn it. */
		s->drained = (size_t)r < want;
	}
}

void vtpm_tpm_error(uint8_t out[VTPM_HEADER_SIZE], uint16_t req_tag,
		    uint32_t rc)
{
	uint16_t tag = 0x00C4;

	/* DESIGN 2: the response tag is the request tag + 3 when the request
	 * tag is a TPM request tag. */
	if (req_tag >= VTPM_TPM_TAG_RQU_COMMAND &&
	    req_tag <= VTPM_TPM_TAG_RQU_AUTH2_COMMAND)
		tag = (uint16_t)(req_tag + 3);
	out[0] = (uint8_t)(tag >> 8);
	out[1] = (uint8_t)tag;
	vtpm_put_be32(out + 2, VTPM_HEADER_SIZE);
	vtpm_put_be32(out + 6, rc);
}
