// SPDX-License-Identifier: GPL-2.0
/*
 * Primitive readers and writers of struct tpm_buf.  Bounds are checked only
 * as "n > len - pos" (never "pos + n > len", which can wrap), and a failed
 * call changes nothing.  TPM structures are marshalled in marshal_struct.c.
 */
#include <errno.h>
#include <string.h>

#include "marshal.h"

void tb_init_read(struct tpm_buf *b, const uint8_t *data, size_t len)
{
	/* Readers never write through data; the cast is confined to here. */
	b->data = (uint8_t *)(uintptr_t)data;
	b->cap = len;
	b->len = len;
	b->pos = 0;
}

void tb_init_write(struct tpm_buf *b, uint8_t *data, size_t cap)
{
	b->data = data;
	b->cap = cap;
	b->len = 0;
	b->pos = 0;
}

int tb_get_bytes(struct tpm_buf *b, void *dst, size_t n)
{
	if (n > b->len - b->pos)
		return -EBADMSG;
	if (n)
		memcpy(dst, b->data + b->pos, n);
	b->pos += n;
	return 0;
}

int tb_get_ref(struct tpm_buf *b, const uint8_t **p, size_t n)
{
	if (n > b->len - b->pos)
		return -EBADMSG;
	*p = b->data + b->pos;
	b->pos += n;
	return 0;
}

int tb_skip(struct tpm_buf *b, size_t n)
{
	if (n > b->len - b->pos)
		return -EBADMSG;
	b->pos += n;
	return 0;
}

int tb_get_u8(struct tpm_buf *b, uint8_t *v)
{
	if (1 > b->len - b->pos)
		return -EBADMSG;
	*v = b->data[b->pos++];
	return 0;
}

int tb_get_u16(struct tpm_buf *b, uint16_t *v)
{
	if (2 > b->len - b->pos)
		return -EBADMSG;
	*v = tb_be16(b->data + b->pos);
	b->pos += 2;
	return 0;
}

int tb_get_u32(struct tpm_buf *b, uint32_t *v)
{
	if (4 > b->len - b->pos)
		return -EBADMSG;
	*v = tb_be32(b->data + b->pos);
	b->pos += 4;
	return 0;
}

int tb_get_u64(struct tpm_buf *b, uint64_t *v)
{
	if (8 > b->len - b->pos)
		return -EBADMSG;
	*v = ((uint64_t)tb_be32(b->data + b->pos) << 32) |
	     tb_be32(b->data + b->pos + 4);
	b->pos += 8;
	return 0;
}

int tb_get_bool(struct tpm_buf *b, bool *v)
{
	if (1 > b->len - b->pos)
		return -EBADMSG;
	/* Part 2, 2.2.1: a BOOL is 0x00 or 0x01; anything else is malformed. */
	if (b->data[b->pos] > 1)
		return -EBADMSG;
	*v = b->data[b->pos++] == 1;
	return 0;
}

/* A big-endian size of @width bytes (2 or 4), then that many bytes. */
static int get_sized(struct tpm_buf *b, const uint8_t **p, uint32_t *n,
		     size_t width, uint32_t max)
{
	uint32_t sz;

	if (width > b->len - b->pos)
		return -EBADMSG;
	sz = width == 2 ? tb_be16(b->data + b->pos) : tb_be32(b->data + b->pos);
	if (sz > max || sz > b->len - b->pos - width)
		return -EBADMSG;
	*p = b->data + b->pos + width;
	*n = sz;
	b->pos += width + (size_t)sz;
	return 0;
}

int tb_get_sized(struct tpm_buf *b, const uint8_t **p, uint32_t *n,
		 uint32_t max)
{
	return get_sized(b, p, n, 4, max);
}

int tb_get_sized16(struct tpm_buf *b, const uint8_t **p, uint16_t *n,
		   uint16_t max)
{
	uint32_t sz;

	if (get_sized(b, p, &sz, 2, max))
		return -EBADMSG;
	*n = (uint16_t)sz;
	return 0;
}

int tb_expect_end(const struct tpm_buf *b)
{
	return b->pos == b->len ? 0 : -EBADMSG;
}

int tb_put_bytes(struct tpm_buf *b, const void *src, size_t n)
{
	if (n > b->cap - b->len)
		return -ENOSPC;
	if (n)
		memcpy(b->data + b->len, src, n);
	b->len += n;
	return 0;
}

int tb_reserve(struct tpm_buf *b, uint8_t **p, size_t n)
{
	if (n > b->cap - b->len)
		return -ENOSPC;
	*p = b->data + b->len;
	b->len += n;
	return 0;
}

int tb_put_u8(struct tpm_buf *b, uint8_t v)
{
	return tb_put_bytes(b, &v, 1);
}

int tb_put_bool(struct tpm_buf *b, bool v)
{
	return tb_put_u8(b, v ? 1 : 0);
}

int tb_put_u16(struct tpm_buf *b, uint16_t v)
{
	uint8_t p[2];

	tb_wr_be16(p, v);
	return tb_put_bytes(b, p, sizeof(p));
}

int tb_put_u32(struct tpm_buf *b, uint32_t v)
{
	uint8_t p[4];

	tb_wr_be32(p, v);
	return tb_put_bytes(b, p, sizeof(p));
}

int tb_put_u64(struct tpm_buf *b, uint64_t v)
{
	uint8_t p[8];

	tb_wr_be32(p, (uint32_t)(v >> 32));
	tb_wr_be32(p + 4, (uint32_t)v);
	return tb_put_bytes(b, p, sizeof(p));
}

int tb_put_sized(struct tpm_buf *b, const void *src, uint32_t n)
{
	if (n > b->cap - b->len || 4 > b->cap - b->len - n)
		return -ENOSPC;
	tb_put_u32(b, n);
	return tb_put_bytes(b, src, n);
}

int tb_put_sized16(struct tpm_buf *b, const void *src, uint16_t n)
{
	if (n > b->cap - b->len || 2 > b->cap - b->len - n)
		return -ENOSPC;
	tb_put_u16(b, n);
	return tb_put_bytes(b, src, n);
}

int tb_patch_u32(struct tpm_buf *b, size_t off, uint32_t v)
{
	if (off > b->len || 4 > b->len - off)
		return -ENOSPC;
	tb_wr_be32(b->data + off, v);
	return 0;
}
