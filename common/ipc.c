// SPDX-License-Identifier: GPL-2.0
/*
 * Frames of the dom0 daemons (vtpm_ipc.h, docs/protocol.md): the only code
 * that splits or builds [instance][packet] frames.  Callers get views into
 * their own buffers; nothing is copied or trusted before it is checked.
 */
#include <errno.h>
#include <string.h>

#include "vtpm_ipc.h"

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int vtpm_ipc_parse(const uint8_t *buf, size_t len, size_t max_packet,
		   struct vtpm_frame *f)
{
	const uint8_t *pkt;
	uint32_t size;

	if (!buf || len < VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE)
		return -EBADMSG;
	pkt = buf + VTPM_PREFIX_SIZE;
	size = be32(pkt + 2);
	/* The frame is exactly prefix + size: no short, no trailing bytes. */
	if (size < VTPM_HEADER_SIZE || size > max_packet ||
	    size != len - VTPM_PREFIX_SIZE)
		return -EBADMSG;
	f->instance = be32(buf);
	f->tag = (uint16_t)((pkt[0] << 8) | pkt[1]);
	f->size = size;
	f->code = be32(pkt + 6);
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
	put_be32(out, instance);
	out[4] = (uint8_t)(tag >> 8);
	out[5] = (uint8_t)tag;
	put_be32(out + 6, (uint32_t)(VTPM_HEADER_SIZE + body_len));
	put_be32(out + 10, code);
	if (body_len)
		/* memmove: callers may build in place (body already at
		 * out + 14). */
		memmove(out + need, body, body_len);
	return (long)(need + body_len);
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
	put_be32(out + 2, VTPM_HEADER_SIZE);
	put_be32(out + 6, rc);
}
