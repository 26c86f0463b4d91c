/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire format between vtpm_managerd, the vtpmds, the kernel backend
 * (/dev/vtpm or its user-space stand-in) and vtpmctl: DESIGN.md 3.1-3.3.
 * Every frame is [u32 instance, big-endian][TPM-style packet]; the packet is
 * tag u16, size u32 (from the tag to the end), ordinal/status u32, body.
 * Frames are parsed only by vtpm_ipc_parse() (common/ipc.c).
 */
#ifndef VTPM_IPC_H
#define VTPM_IPC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The /dev/vtpm ABI (prefix word, locality, TPM_FAIL) shared with tpmbk. */
#include "vtpm_shared.h"

/* Bytes of the instance prefix and of a TPM-style header. */
#define VTPM_PREFIX_SIZE	4U
#define VTPM_HEADER_SIZE	10U

/*
 * Largest TPM packet on any path (tag to end), in bytes: what one write
 * of [instance][packet] into the shared response FIFO can carry and still
 * be atomic (PIPE_BUF, POSIX), so that responses of different vtpmds
 * never interleave (DESIGN 3.3).  The Xen rings carry less (4096 - 8).
 */
#define VTPM_MAX_TPM_PACKET	(PIPE_BUF - VTPM_PREFIX_SIZE)
/* Largest frame: prefix + packet. */
#define VTPM_MAX_FRAME		(VTPM_PREFIX_SIZE + VTPM_MAX_TPM_PACKET)
/* Largest vTPM state blob (SAVENVM/LOADNVM), in bytes. */
#define VTPM_MAX_STATE_BLOB	(64U * 1024U)
/*
 * SAVENVM travels over vtpm_cmd_from_all, which every vtpmd shares, so a
 * blob larger than one atomic write is sent as chunks, each a complete
 * frame of at most PIPE_BUF bytes: body = u32 total, u32 offset, bytes.
 * The manager reassembles per instance and answers only the last chunk
 * (docs/protocol.md).  LOADNVM's answer goes over the instance's own
 * vtpm_rsp_to_<N> FIFO and is one frame of any size up to this.
 */
#define VTPM_NVM_CHUNK_HDR	8U
#define VTPM_NVM_CHUNK_MAX	(PIPE_BUF - VTPM_PREFIX_SIZE - \
				 VTPM_HEADER_SIZE - VTPM_NVM_CHUNK_HDR)
#define VTPM_MAX_NVM_FRAME	(VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE + \
				 VTPM_MAX_STATE_BLOB)

/* Instance numbers: 0 is reserved (never a guest); classic limit 255 is
 * lifted to this (vtpm.db accepts 1..VTPM_MAX_INSTANCE). */
#define VTPM_INSTANCE_RESERVED	0U
#define VTPM_MAX_INSTANCE	65535U

/* Manager protocol tags (DESIGN 3.2). */
#define VTPM_TAG_REQ		0x01C1U
#define VTPM_TAG_RSP		0x01C4U

/* Manager ordinals (DESIGN 3.2; values kept from the classic toolstack). */
#define VTPM_ORD_SAVENVM	0x00000001U	/* vtpmd: blob -> none */
#define VTPM_ORD_LOADNVM	0x00000002U	/* vtpmd: none -> blob */
#define VTPM_ORD_TPMCOMMAND	0x00000003U	/* vtpmd: passthrough, off */
#define VTPM_PRIV_MASK		0x01000000U
#define VTPM_ORD_OPEN		0x01000001U	/* vtpmctl */
#define VTPM_ORD_CLOSE		0x01000002U	/* vtpmctl */
#define VTPM_ORD_DELETE		0x01000003U	/* vtpmctl */
/* New ordinals (docs/protocol.md). */
#define VTPM_ORD_LIST		0x01000010U	/* vtpmctl: -> table */
#define VTPM_ORD_STATUS		0x01000011U	/* vtpmctl: -> manager status */

/* Status codes (DESIGN 3.2). */
#define VTPM_SUCCESS			0U
#define VTPM_FAIL			1U
#define VTPM_UNSUPPORTED		2U
#define VTPM_FORBIDDEN			3U
#define VTPM_RESTORE_CONTEXT_FAILED	4U
#define VTPM_INVALID_REQUEST		5U

/* VTPM_ORD_OPEN fields. */
#define VTPM_MIG_NONE		0U
#define VTPM_MIG_MIGRATABLE	1U
#define VTPM_STARTUP_CLEAR	1U
#define VTPM_STARTUP_SAVE	2U
#define VTPM_STARTUP_DEACTIVATED 3U
#define VTPM_VM_PV		1U
#define VTPM_VM_HVM		2U
/* Body of OPEN: mig_type u8, startup u8, vm_type u8, instance u32 and,
 * new here, optionally u16 uuid length + uuid text (<= VTPM_MAX_UUID). */
#define VTPM_OPEN_BODY_MIN	7U
#define VTPM_MAX_UUID		64U

/* TPM tags of guest packets and the 10-byte error the path answers with. */
#define VTPM_TPM_TAG_RQU_COMMAND	0x00C1U
#define VTPM_TPM_TAG_RQU_AUTH2_COMMAND	0x00C3U
/* VTPM_TPM_FAIL comes from vtpm_shared.h. */

/* Big-endian fields of frames (every integer on these paths). */
static inline uint32_t vtpm_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void vtpm_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One parsed frame: views into the caller's buffer, nothing copied. */
struct vtpm_frame {
	uint32_t instance;
	uint16_t tag;
	uint32_t size;			/* paramSize: tag to end */
	uint32_t code;			/* ordinal or status */
	const uint8_t *packet;		/* tag..end, size bytes */
	const uint8_t *body;		/* after the 10-byte header */
	size_t body_len;
};

/**
 * vtpm_ipc_parse() - check and split one frame.
 * @buf: the bytes received (one read or one datagram).
 * @len: their number.
 * @max_packet: the largest packet allowed on this channel.
 * @f: filled on success.
 *
 * The frame must be exactly prefix + size bytes, size >= 10 and
 * <= @max_packet.
 *
 * Return: 0 or -EBADMSG.
 */
int vtpm_ipc_parse(const uint8_t *buf, size_t len, size_t max_packet,
		   struct vtpm_frame *f);

/**
 * vtpm_ipc_build() - write a frame: prefix, header, body.
 * @out: destination of @cap bytes.
 * @cap: its size.
 * @instance: the prefix.
 * @tag: packet tag.
 * @code: ordinal or status.
 * @body: body bytes (may be NULL when @body_len is 0).
 * @body_len: their number.
 *
 * Return: the frame length, or -ENOSPC.
 */
long vtpm_ipc_build(uint8_t *out, size_t cap, uint32_t instance,
		    uint16_t tag, uint32_t code, const void *body,
		    size_t body_len);

/*
 * The read side of a FIFO whose writers each write whole frames of at most
 * PIPE_BUF bytes with one write() (every FIFO of DESIGN 3.3).  Such a
 * write is atomic: a reader sees all of it or none of it, so one read()
 * returns whole frames only, unless the buffer filled up first.  The
 * reader cuts frames out of what one read() returned and reads again only
 * when they are used up: one read() per wake-up, however many frames.
 */
struct vtpm_stream {
	int fd;
	uint8_t *buf;			/* @cap >= PIPE_BUF bytes */
	size_t cap;
	size_t start, end;		/* unread frames: buf[start..end) */
	bool drained;			/* the last read() emptied it */
};

/* Bind @s to @fd with the caller's buffer (no allocation). */
void vtpm_stream_init(struct vtpm_stream *s, int fd, uint8_t *buf,
		      size_t cap);

/**
 * vtpm_stream_next() - the next whole frame from a FIFO.
 * @s: the stream.
 * @max_packet: the largest packet (size field) allowed on this FIFO.
 * @frame: set to the frame (prefix included), valid until the next call.
 * @len: set to its length.
 *
 * A size field outside 10..@max_packet, or part of a frame left over when
 * the FIFO is empty (a writer that did not write a whole frame), means
 * the stream is out of sync: no later byte can be trusted to start a
 * frame, and the caller must replace the FIFO.
 *
 * Return: 0; -EAGAIN when no whole frame is left (O_NONBLOCK FIFO, or a
 * blocking one after a signal); -EPIPE at end of file; -EBADMSG when the
 * stream is out of sync; another -errno from read().
 */
int vtpm_stream_next(struct vtpm_stream *s, size_t max_packet,
		     const uint8_t **frame, size_t *len);

/**
 * vtpm_tpm_error() - the 10-byte TPM error a path answers a guest with
 * (tag = request tag + 3 for the three request tags, else 0x00C4).
 * @out: 10 bytes.
 * @req_tag: the guest request's tag (any value).
 * @rc: the TPM return code (usually VTPM_TPM_FAIL).
 */
void vtpm_tpm_error(uint8_t out[VTPM_HEADER_SIZE], uint16_t req_tag,
		    uint32_t rc);

#endif /* VTPM_IPC_H */
