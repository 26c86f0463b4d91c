// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmd's persistence, entirely through the manager: LOADNVM at start and
 * SAVENVM (chunked: docs/protocol.md) after every command that changed
 * persistent state.  Nothing here touches disk.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vtpmd.h"

/* Read the manager's answer on vtpm_rsp_to_<N> into @buf (cap bytes). */
static int read_answer(struct vtpmd_fifos *f, uint32_t instance,
		       uint8_t *buf, size_t cap, struct vtpm_frame *fr)
{
	size_t len;
	int err;

	err = vtpmd_read_frame(f->nvm_in, buf, cap, &len);
	if (err)
		return err;
	if (vtpm_ipc_parse(buf, len, cap - VTPM_PREFIX_SIZE, fr) ||
	    fr->instance != instance || fr->tag != VTPM_TAG_RSP)
		return -EBADMSG;
	return 0;
}

int vtpmd_load_state(struct vtpmd_fifos *f, uint32_t instance,
		     uint8_t **blob, size_t *len)
{
	uint8_t req[VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE];
	struct vtpm_frame fr;
	uint8_t *buf;
	size_t size;
	int err;

	vtpm_ipc_build(req, sizeof(req), instance, VTPM_TAG_REQ,
		       VTPM_ORD_LOADNVM, NULL, 0);
	err = vtpmd_write_all(f->nvm_out, req, sizeof(req));
	if (err)
		return err;
	/* The header first, then a buffer of the answer's own size: a whole
	 * VTPM_MAX_NVM_FRAME would stay in this process's memory. */
	err = vtpmd_read_exact(f->nvm_in, req, sizeof(req));
	if (err)
		return err;
	size = vtpm_be32(req + 6);
	if (size < VTPM_HEADER_SIZE ||
	    size > VTPM_MAX_NVM_FRAME - VTPM_PREFIX_SIZE)
		return -EBADMSG;
	buf = malloc(VTPM_PREFIX_SIZE + size);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, req, sizeof(req));
	err = vtpmd_read_exact(f->nvm_in, buf + sizeof(req),
			       size - VTPM_HEADER_SIZE);
	if (err)
		goto out_free;
	if (vtpm_ipc_parse(buf, VTPM_PREFIX_SIZE + size, size, &fr) ||
	    fr.instance != instance || fr.tag != VTPM_TAG_RSP) {
		err = -EBADMSG;
		goto out_free;
	}
	if (fr.code == VTPM_RESTORE_CONTEXT_FAILED) {
		err = -EACCES;
		goto out_free;
	}
	if (fr.code != VTPM_SUCCESS) {
		err = -EIO;
		goto out_free;
	}
	/* The blob is handed over in place: moved to the buffer's start. */
	*len = fr.body_len;
	*blob = NULL;
	if (fr.body_len) {
		memmove(buf, fr.body, fr.body_len);
		/* What the move left behind is the blob's last bytes. */
		explicit_bzero(buf + fr.body_len, sizeof(req));
		*blob = buf;
		return 0;
	}
	err = 0;
out_free:
	/* The answer held the whole engine state, secrets included. */
	explicit_bzero(buf, VTPM_PREFIX_SIZE + size);
	free(buf);
	return err;
}

int vtpmd_save_state(struct vtpmd_fifos *f, uint32_t instance,
		     const uint8_t *blob, size_t len)
{
	uint8_t frame[PIPE_BUF], ans[VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE];
	uint8_t body[VTPM_NVM_CHUNK_HDR + VTPM_NVM_CHUNK_MAX];
	struct vtpm_frame fr;
	size_t off = 0, n;
	long flen;
	int err = 0;

	if (len == 0 || len > VTPM_MAX_STATE_BLOB)
		return -EMSGSIZE;
	/* Each chunk is one complete frame of at most PIPE_BUF bytes, so
	 * chunks of different vtpmds never interleave mid-frame. */
	while (off < len) {
		n = len - off < VTPM_NVM_CHUNK_MAX ? len - off :
			VTPM_NVM_CHUNK_MAX;
		vtpm_put_be32(body, (uint32_t)len);
		vtpm_put_be32(body + 4, (uint32_t)off);
		memcpy(body + VTPM_NVM_CHUNK_HDR, blob + off, n);
		flen = vtpm_ipc_build(frame, sizeof(frame), instance,
				      VTPM_TAG_REQ, VTPM_ORD_SAVENVM, body,
				      VTPM_NVM_CHUNK_HDR + n);
		if (flen < 0) {
			err = (int)flen;
			break;
		}
		err = vtpmd_write_all(f->nvm_out, frame, (size_t)flen);
		if (err)
			break;
		off += n;
	}
	explicit_bzero(body, sizeof(body));
	explicit_bzero(frame, sizeof(frame));
	if (err)
		return err;
	err = read_answer(f, instance, ans, sizeof(ans), &fr);
	if (err)
		return err;
	if (fr.code != VTPM_SUCCESS) {
		log_warnx("the manager refused to store the state (status %u)",
			  fr.code);
		return -EIO;
	}
	return 0;
}
