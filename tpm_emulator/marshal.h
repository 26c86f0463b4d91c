/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one bounds-checked marshalling API.  Every byte that enters or leaves
 * the engine (commands, responses, state blobs, encrypted blobs) goes through
 * a struct tpm_buf; nothing else does pointer arithmetic on wire data.
 * Exported to the daemons (vtpm_manager uses it for its own framing).
 */
#ifndef TPM_MARSHAL_H
#define TPM_MARSHAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Invariant: pos <= len <= cap.  Readers consume [pos, len); writers append
 * at len and never grow past cap (no realloc: every buffer has a fixed cap).
 */
struct tpm_buf {
	uint8_t *data;
	size_t cap;
	size_t len;
	size_t pos;
};

/**
 * tb_init_read() - view @len bytes at @data as an input buffer.
 * @b: buffer to set up.
 * @data: bytes to read (not copied; cast away const is confined here).
 * @len: number of valid bytes.
 */
void tb_init_read(struct tpm_buf *b, const uint8_t *data, size_t len);

/**
 * tb_init_write() - use @cap bytes at @data as an empty output buffer.
 * @b: buffer to set up.
 * @data: storage.
 * @cap: capacity in bytes.
 */
void tb_init_write(struct tpm_buf *b, uint8_t *data, size_t cap);

/* Bytes not yet consumed by a reader. */
static inline size_t tb_remaining(const struct tpm_buf *b)
{
	return b->len - b->pos;
}

/* Pointer to the next unread byte (valid for tb_remaining() bytes). */
static inline const uint8_t *tb_cursor(const struct tpm_buf *b)
{
	return b->data + b->pos;
}

/*
 * Readers: big-endian; return 0, or -EBADMSG when the buffer is too short,
 * in which case neither pos nor *v changed.
 */
int tb_get_u8(struct tpm_buf *b, uint8_t *v);
int tb_get_u16(struct tpm_buf *b, uint16_t *v);
int tb_get_u32(struct tpm_buf *b, uint32_t *v);
int tb_get_u64(struct tpm_buf *b, uint64_t *v);
/* A TPM BOOL: one byte that must be 0 or 1. */
int tb_get_bool(struct tpm_buf *b, bool *v);
int tb_get_bytes(struct tpm_buf *b, void *dst, size_t n);
/* Borrow n bytes in place (no copy). */
int tb_get_ref(struct tpm_buf *b, const uint8_t **p, size_t n);
/* u32 length then body; length must be <= max.  *p points into @b. */
int tb_get_sized(struct tpm_buf *b, const uint8_t **p, uint32_t *n,
		 uint32_t max);
/* u16 length then body (TPM_PCR_SELECTION style); length <= max. */
int tb_get_sized16(struct tpm_buf *b, const uint8_t **p, uint16_t *n,
		   uint16_t max);
/* Skip n bytes. */
int tb_skip(struct tpm_buf *b, size_t n);
/* Trailing bytes are an error: -EBADMSG unless everything was consumed. */
int tb_expect_end(const struct tpm_buf *b);

/*
 * Writers: return 0, or -ENOSPC when the buffer is full, in which case
 * len did not change and nothing was written.
 */
int tb_put_u8(struct tpm_buf *b, uint8_t v);
int tb_put_u16(struct tpm_buf *b, uint16_t v);
int tb_put_u32(struct tpm_buf *b, uint32_t v);
int tb_put_u64(struct tpm_buf *b, uint64_t v);
int tb_put_bool(struct tpm_buf *b, bool v);
int tb_put_bytes(struct tpm_buf *b, const void *src, size_t n);
/* u32 length then body. */
int tb_put_sized(struct tpm_buf *b, const void *src, uint32_t n);
/* u16 length then body. */
int tb_put_sized16(struct tpm_buf *b, const void *src, uint16_t n);
/* Reserve n bytes to be filled later; *p points at them. */
int tb_reserve(struct tpm_buf *b, uint8_t **p, size_t n);
/* Overwrite a u32 already written at offset @off (e.g. paramSize). */
int tb_patch_u32(struct tpm_buf *b, size_t off, uint32_t v);

/* Plain big-endian helpers for fixed headers already length-checked. */
static inline uint32_t tb_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline uint16_t tb_be16(const uint8_t *p)
{
	return (uint16_t)(((unsigned int)p[0] << 8) | p[1]);
}

static inline void tb_wr_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void tb_wr_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif /* TPM_MARSHAL_H */
