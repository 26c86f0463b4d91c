// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tpm_emulator/marshal.c: every reader and writer of struct
 * tpm_buf, on success and on each failure path.  Every failure must leave
 * the buffer (pos, len, cap, data bytes) and the output variable untouched.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "marshal.h"

/* Size of the scratch buffers; every test fits in it. */
#define BUF_SIZE 64

/* A copy of a buffer's fields and bytes, taken before a call that fails. */
struct snap {
	struct tpm_buf b;
	uint8_t bytes[BUF_SIZE];
	size_t nbytes;		/* bytes of data compared; 0 for fake buffers */
};

static void snap_take(struct snap *s, const struct tpm_buf *b)
{
	s->b = *b;
	s->nbytes = b->cap <= BUF_SIZE ? b->cap : 0;
	if (s->nbytes)
		memcpy(s->bytes, b->data, s->nbytes);
}

/* Assert that nothing in @b changed since snap_take(). */
static void snap_check(const struct snap *s, const struct tpm_buf *b)
{
	assert_ptr_equal(b->data, s->b.data);
	assert_int_equal(b->cap, s->b.cap);
	assert_int_equal(b->len, s->b.len);
	assert_int_equal(b->pos, s->b.pos);
	if (s->nbytes)
		assert_memory_equal(b->data, s->bytes, s->nbytes);
}

static const uint8_t seq[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
};

/* ------------------------------------------------------------ init, peek */

/* tb_init_read() makes all @len bytes readable from position 0. */
static void tb_init_read_sets_fields(void **state)
{
	struct tpm_buf b;

	(void)state;
	tb_init_read(&b, seq, sizeof(seq));
	assert_ptr_equal(b.data, seq);
	assert_int_equal(b.cap, sizeof(seq));
	assert_int_equal(b.len, sizeof(seq));
	assert_int_equal(b.pos, 0);
	assert_int_equal(tb_remaining(&b), sizeof(seq));
	assert_ptr_equal(tb_cursor(&b), seq);
}

/* tb_init_write() gives an empty buffer of capacity @cap. */
static void tb_init_write_sets_fields(void **state)
{
	uint8_t d[BUF_SIZE];
	struct tpm_buf b;

	(void)state;
	tb_init_write(&b, d, sizeof(d));
	assert_ptr_equal(b.data, d);
	assert_int_equal(b.cap, sizeof(d));
	assert_int_equal(b.len, 0);
	assert_int_equal(b.pos, 0);
	assert_int_equal(tb_remaining(&b), 0);
}

/* tb_remaining() and tb_cursor() follow the read position. */
static void tb_cursor_follows_pos(void **state)
{
	struct tpm_buf b;
	uint8_t v;

	(void)state;
	tb_init_read(&b, seq, sizeof(seq));
	assert_int_equal(tb_get_u8(&b, &v), 0);
	assert_int_equal(tb_remaining(&b), sizeof(seq) - 1);
	assert_ptr_equal(tb_cursor(&b), seq + 1);
	assert_int_equal(*tb_cursor(&b), 0x02);
}

/* The inline big-endian helpers read and write the same byte order. */
static void tb_be_helpers_big_endian(void **state)
{
	uint8_t p[4];

	(void)state;
	assert_int_equal(tb_be32(seq), 0x01020304);
	assert_int_equal(tb_be16(seq + 2), 0x0304);
	tb_wr_be32(p, 0xdeadbeef);
	assert_int_equal(p[0], 0xde);
	assert_int_equal(p[3], 0xef);
	assert_int_equal(tb_be32(p), 0xdeadbeef);
	tb_wr_be16(p, 0xfe01);
	assert_int_equal(p[0], 0xfe);
	assert_int_equal(p[1], 0x01);
	assert_int_equal(tb_be16(p), 0xfe01);
}

/* -------------------------------------------------------- fixed readers */

/* tb_get_u8() reads one byte and advances by one. */
static void tb_get_u8_ok(void **state)
{
	struct tpm_buf b;
	uint8_t v = 0;

	(void)state;
	tb_init_read(&b, seq, 1);
	assert_int_equal(tb_get_u8(&b, &v), 0);
	assert_int_equal(v, 0x01);
	assert_int_equal(b.pos, 1);
	assert_int_equal(tb_expect_end(&b), 0);
}

/* tb_get_u8() on an exhausted buffer is -EBADMSG and changes nothing. */
static void tb_get_u8_short_buffer(void **state)
{
	struct tpm_buf b;
	struct snap s;
	uint8_t v = 0x5a;

	(void)state;
	tb_init_read(&b, seq, 0);
	snap_take(&s, &b);
	assert_int_equal(tb_get_u8(&b, &v), -EBADMSG);
	snap_check(&s, &b);
	assert_int_equal(v, 0x5a);
}

/* tb_get_u16() reads big-endian. */
static void tb_get_u16_ok(void **state)
{
	struct tpm_buf b;
	uint16_t v = 0;

	(void)state;
	tb_init_read(&b, seq, 3);
	assert_int_equal(tb_get_u16(&b, &v), 0);
	assert_int_equal(v, 0x0102);
	assert_int_equal(b.pos, 2);
}

/* tb_get_u16() with one byte left is -EBADMSG and changes nothing. */
static void tb_get_u16_short_buffer(void **state)
{
	struct tpm_buf b;
	struct snap s;
	uint16_t v = 0x5a5a;

	(void)state;
	tb_init_read(&b, seq, 3);
	assert_int_equal(tb_skip(&b, 2), 0);
	snap_take(&s, &b);
	assert_int_equal(tb_get_u16(&b, &v), -EBADMSG);
	snap_check(&s, &b);
	assert_int_equal(v, 0x5a5a);
}

/* tb_get_u32() reads big-endian from the current position. */
static void tb_get_u32_ok(void **state)
{
	struct tpm_buf b;
	uint32_t v = 0;

	(void)state;
	tb_init_read(&b, seq, 8);
	assert_int_equal(tb_skip(&b, 1), 0);
	assert_int_equal(tb_get_u32(&b, &v), 0);
	assert_int_equal(v, 0x02030405);
	assert_int_equal(b.pos, 5);
}

/* tb_get_u32() with three bytes left is -EBADMSG and changes nothing. */
static void tb_get_u32_short_buffer(void **state)
{
	struct tpm_buf b;
	struct snap s;
	uint32_t v = 0x5a5a5a5a;

	(void)state;
	tb_init_read(&b, seq, 7);
	assert_int_equal(tb_skip(&b, 4), 0);
	snap_take(&s, &b);
	assert_int_equal(tb_get_u32(&b, &v), -EBADMSG);
	snap_check(&s, &b);
	assert_int_equal(v, 0x5a5a5a5a);
}

/*
 * A position one byte short of SIZE_MAX must not wrap "pos + 4" past len.
 * The buffer is fake (nothing may be read from it); a naive check would
 * read far out of bounds and crash.
 */
static void tb_get_u32_pos_near_size_max(void **state)
{
	struct tpm_buf b = {
		.data = (uint8_t *)(uintptr_t)seq, .cap = SIZE_MAX,
		.len = SIZE_MAX, .pos = SIZE_MAX - 1,
	};
	struct snap s;
	uint32_t v = 0x5a5a5a5a;

	(void)state;
	snap_take(&s, &b);
	assert_int_equal(tb_get_u32(&b, &v), -EBADMSG);
	snap_check(&s, &b);
	assert_int_equal(v, 0x5a5a5a5a);
}

/* tb_get_u64() reads big-endian. */
static void tb_get_u64_ok(void **state)
{
	struct tpm_buf b;
	uint64_t v = 0;

	(void)state;
	tb_init_read(&b, seq, 8);
	assert_int_equal(tb_get_u64(&b, &v), 0);
	assert_true(v == 0x0102030405060708ULL);
	assert_int_equal(b.pos, 8);
	assert_int_equal(tb_expect_end(&b), 0);
}

/* tb_get_u64() with seven bytes left is -EBADMSG and changes nothing. */
static void tb_get_u64_short_buffer(void **state)
{
	struct tpm_buf b;
	struct snap s;
	uint64_t v = 0x5a;

	(void)state;
	tb_init_read(&b, seq, 7);
	snap_take(&s, &b);
	assert_int_equal(tb_get_u64(&b, &v), -EBADMSG);
	snap_check(&s, &b);
	assert_true(v == 0x5a);
}

/* tb_get_bool() reads 0 as false and 1 as true. */
static void tb_get_bool_ok(void **state)
{
	static const uint8_t d[] = { 0x00, 0x01 };
	struct tpm_buf b;
	bool v = true;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	assert_int_equal(tb_get_bool(&b, &v), 0);
	assert_false(v);
	assert_int_equal(tb_get_bool(&b, &v), 0);
	assert_true(v);
	assert_int_equal(tb_expect_end(&b), 0);
}

/* A BOOL byte of 2 (or 0xff) is -EBADMSG and is not consumed. */
static void tb_get_bool_value_2(void **state)
{
	static const uint8_t d[] = { 0x02, 0xff };
	struct tpm_buf b;
	struct snap s;
	bool v = true;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	snap_take(&s, &b);
	assert_int_equal(tb_get_bool(&b, &v), -EBADMSG);
	snap_check(&s, &b);
	assert_true(v);
	b.pos = 1;
	v = false;
	snap_take(&s, &b);
	assert_int_equal(tb_get_bool(&b, &v), -EBADMSG);
	snap_check(&s, &b);
	assert_false(v);
}

/* tb_get_bool() on an exhausted buffer is -EBADMSG and changes nothing. */
static void tb_get_bool_short_buffer(void **state)
{
	struct tpm_buf b;
	struct snap s;
	bool v = true;

	(void)state;
	tb_init_read(&b, seq, 0);
	snap_take(&s, &b);
	assert_int_equal(tb_get_bool(&b, &v), -EBADMSG);
	snap_check(&s, &b);
	assert_true(v);
}

/* ------------------------------------------------- variable-length reads */

/* tb_get_bytes() copies n bytes; n = 0 succeeds even at the end. */
static void tb_get_bytes_ok(void **state)
{
	uint8_t dst[8] = { 0 };
	struct tpm_buf b;

	(void)state;
	tb_init_read(&b, seq, 8);
	assert_int_equal(tb_get_bytes(&b, dst, 8), 0);
	assert_memory_equal(dst, seq, 8);
	assert_int_equal(b.pos, 8);
	assert_int_equal(tb_get_bytes(&b, dst, 0), 0);
	assert_int_equal(b.pos, 8);
}

/* tb_get_bytes() of one byte more than remains is -EBADMSG and copies
 * nothing. */
static void tb_get_bytes_short_buffer(void **state)
{
	uint8_t dst[8];
	struct tpm_buf b;
	struct snap s;

	(void)state;
	memset(dst, 0x5a, sizeof(dst));
	tb_init_read(&b, seq, 8);
	assert_int_equal(tb_skip(&b, 1), 0);
	snap_take(&s, &b);
	assert_int_equal(tb_get_bytes(&b, dst, 8), -EBADMSG);
	snap_check(&s, &b);
	assert_int_equal(dst[0], 0x5a);
	assert_int_equal(dst[7], 0x5a);
}

/* n = SIZE_MAX (pos + n wraps to pos - 1) is -EBADMSG, not a huge copy. */
static void tb_get_bytes_size_max(void **state)
{
	uint8_t dst[1] = { 0x5a };
	struct tpm_buf b;
	struct snap s;

	(void)state;
	tb_init_read(&b, seq, 8);
	assert_int_equal(tb_skip(&b, 1), 0);
	snap_take(&s, &b);
	assert_int_equal(tb_get_bytes(&b, dst, SIZE_MAX), -EBADMSG);
	assert_int_equal(tb_get_bytes(&b, dst, SIZE_MAX - 6), -EBADMSG);
	snap_check(&s, &b);
	assert_int_equal(dst[0], 0x5a);
}

/* tb_get_ref() borrows n bytes in place and advances. */
static void tb_get_ref_ok(void **state)
{
	const uint8_t *p = NULL;
	struct tpm_buf b;

	(void)state;
	tb_init_read(&b, seq, 8);
	assert_int_equal(tb_skip(&b, 2), 0);
	assert_int_equal(tb_get_ref(&b, &p, 6), 0);
	assert_ptr_equal(p, seq + 2);
	assert_int_equal(b.pos, 8);
	assert_int_equal(tb_get_ref(&b, &p, 0), 0);
	assert_ptr_equal(p, seq + 8);
}

/* tb_get_ref() past the end (also by SIZE_MAX) is -EBADMSG and leaves the
 * pointer alone. */
static void tb_get_ref_short_buffer(void **state)
{
	const uint8_t *p = seq + 15;
	struct tpm_buf b;
	struct snap s;

	(void)state;
	tb_init_read(&b, seq, 8);
	assert_int_equal(tb_skip(&b, 3), 0);
	snap_take(&s, &b);
	assert_int_equal(tb_get_ref(&b, &p, 6), -EBADMSG);
	assert_int_equal(tb_get_ref(&b, &p, SIZE_MAX), -EBADMSG);
	snap_check(&s, &b);
	assert_ptr_equal(p, seq + 15);
}

/* tb_skip() advances by n; exactly the rest is allowed. */
static void tb_skip_ok(void **state)
{
	struct tpm_buf b;

	(void)state;
	tb_init_read(&b, seq, 8);
	assert_int_equal(tb_skip(&b, 3), 0);
	assert_int_equal(b.pos, 3);
	assert_int_equal(tb_skip(&b, 5), 0);
	assert_int_equal(tb_expect_end(&b), 0);
	assert_int_equal(tb_skip(&b, 0), 0);
}

/* tb_skip() past the end, or by SIZE_MAX, is -EBADMSG and changes
 * nothing. */
static void tb_skip_short_buffer(void **state)
{
	struct tpm_buf b;
	struct snap s;

	(void)state;
	tb_init_read(&b, seq, 8);
	assert_int_equal(tb_skip(&b, 3), 0);
	snap_take(&s, &b);
	assert_int_equal(tb_skip(&b, 6), -EBADMSG);
	assert_int_equal(tb_skip(&b, SIZE_MAX), -EBADMSG);
	assert_int_equal(tb_skip(&b, SIZE_MAX - 2), -EBADMSG);
	snap_check(&s, &b);
}

/* --------------------------------------------------------- sized fields */

/* tb_get_sized() returns the body in place and consumes 4 + n bytes. */
static void tb_get_sized_ok(void **state)
{
	static const uint8_t d[] = { 0, 0, 0, 3, 'a', 'b', 'c', 0xee };
	const uint8_t *p = NULL;
	struct tpm_buf b;
	uint32_t n = 0;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	assert_int_equal(tb_get_sized(&b, &p, &n, 3), 0);
	assert_int_equal(n, 3);
	assert_ptr_equal(p, d + 4);
	assert_int_equal(b.pos, 7);
	assert_int_equal(tb_expect_end(&b), -EBADMSG);
}

/* A zero length gives n = 0 and consumes only the header. */
static void tb_get_sized_zero_length(void **state)
{
	static const uint8_t d[] = { 0, 0, 0, 0 };
	const uint8_t *p = NULL;
	struct tpm_buf b;
	uint32_t n = 9;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	assert_int_equal(tb_get_sized(&b, &p, &n, 0), 0);
	assert_int_equal(n, 0);
	assert_ptr_equal(p, d + 4);
	assert_int_equal(tb_expect_end(&b), 0);
}

/* A length above max is -EBADMSG even when the bytes are there. */
static void tb_get_sized_length_over_max(void **state)
{
	static const uint8_t d[] = { 0, 0, 0, 3, 'a', 'b', 'c' };
	const uint8_t *p = seq;
	struct tpm_buf b;
	struct snap s;
	uint32_t n = 9;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	snap_take(&s, &b);
	assert_int_equal(tb_get_sized(&b, &p, &n, 2), -EBADMSG);
	snap_check(&s, &b);
	assert_ptr_equal(p, seq);
	assert_int_equal(n, 9);
}

/* A length above what remains is -EBADMSG and changes nothing. */
static void tb_get_sized_length_over_remaining(void **state)
{
	static const uint8_t d[] = { 0xee, 0, 0, 0, 4, 'a', 'b', 'c' };
	const uint8_t *p = seq;
	struct tpm_buf b;
	struct snap s;
	uint32_t n = 9;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	assert_int_equal(tb_skip(&b, 1), 0);
	snap_take(&s, &b);
	assert_int_equal(tb_get_sized(&b, &p, &n, 100), -EBADMSG);
	snap_check(&s, &b);
	assert_ptr_equal(p, seq);
	assert_int_equal(n, 9);
}

/* Fewer than four bytes for the length itself is -EBADMSG. */
static void tb_get_sized_short_header(void **state)
{
	static const uint8_t d[] = { 0, 0, 0 };
	const uint8_t *p = seq;
	struct tpm_buf b;
	struct snap s;
	uint32_t n = 9;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	snap_take(&s, &b);
	assert_int_equal(tb_get_sized(&b, &p, &n, 100), -EBADMSG);
	snap_check(&s, &b);
	assert_ptr_equal(p, seq);
	assert_int_equal(n, 9);
}

/*
 * Lengths 0xFFFFFFFF and 0xFFFFFFFC with max 0xFFFFFFFF are -EBADMSG: a
 * check computed as "4 + n" in 32 bits would wrap to 3 or 0 and pass.
 */
static void tb_get_sized_length_wraps_u32(void **state)
{
	static const uint8_t d1[] = { 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c' };
	static const uint8_t d2[] = { 0xff, 0xff, 0xff, 0xfc, 'a', 'b', 'c',
				      'd' };
	const uint8_t *p = seq;
	struct tpm_buf b;
	struct snap s;
	uint32_t n = 9;

	(void)state;
	tb_init_read(&b, d1, sizeof(d1));
	snap_take(&s, &b);
	assert_int_equal(tb_get_sized(&b, &p, &n, UINT32_MAX), -EBADMSG);
	snap_check(&s, &b);
	tb_init_read(&b, d2, sizeof(d2));
	snap_take(&s, &b);
	assert_int_equal(tb_get_sized(&b, &p, &n, UINT32_MAX), -EBADMSG);
	snap_check(&s, &b);
	assert_ptr_equal(p, seq);
	assert_int_equal(n, 9);
}

/* tb_get_sized16() returns the body in place and consumes 2 + n bytes;
 * a length equal to max is accepted. */
static void tb_get_sized16_ok(void **state)
{
	static const uint8_t d[] = { 0, 2, 'a', 'b', 0, 0 };
	const uint8_t *p = NULL;
	struct tpm_buf b;
	uint16_t n = 0;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	assert_int_equal(tb_get_sized16(&b, &p, &n, 2), 0);
	assert_int_equal(n, 2);
	assert_ptr_equal(p, d + 2);
	assert_int_equal(b.pos, 4);
	assert_int_equal(tb_get_sized16(&b, &p, &n, 0), 0);
	assert_int_equal(n, 0);
	assert_int_equal(tb_expect_end(&b), 0);
}

/* A 16-bit length above max is -EBADMSG and changes nothing. */
static void tb_get_sized16_length_over_max(void **state)
{
	static const uint8_t d[] = { 0, 2, 'a', 'b' };
	const uint8_t *p = seq;
	struct tpm_buf b;
	struct snap s;
	uint16_t n = 9;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	snap_take(&s, &b);
	assert_int_equal(tb_get_sized16(&b, &p, &n, 1), -EBADMSG);
	snap_check(&s, &b);
	assert_ptr_equal(p, seq);
	assert_int_equal(n, 9);
}

/* A 16-bit length above what remains (also 0xFFFF) is -EBADMSG. */
static void tb_get_sized16_length_over_remaining(void **state)
{
	static const uint8_t d1[] = { 0, 3, 'a', 'b' };
	static const uint8_t d2[] = { 0xff, 0xff, 'a', 'b' };
	const uint8_t *p = seq;
	struct tpm_buf b;
	struct snap s;
	uint16_t n = 9;

	(void)state;
	tb_init_read(&b, d1, sizeof(d1));
	snap_take(&s, &b);
	assert_int_equal(tb_get_sized16(&b, &p, &n, UINT16_MAX), -EBADMSG);
	snap_check(&s, &b);
	tb_init_read(&b, d2, sizeof(d2));
	snap_take(&s, &b);
	assert_int_equal(tb_get_sized16(&b, &p, &n, UINT16_MAX), -EBADMSG);
	snap_check(&s, &b);
	assert_ptr_equal(p, seq);
	assert_int_equal(n, 9);
}

/* One byte where the 16-bit length should be is -EBADMSG. */
static void tb_get_sized16_short_header(void **state)
{
	static const uint8_t d[] = { 0 };
	const uint8_t *p = seq;
	struct tpm_buf b;
	struct snap s;
	uint16_t n = 9;

	(void)state;
	tb_init_read(&b, d, sizeof(d));
	snap_take(&s, &b);
	assert_int_equal(tb_get_sized16(&b, &p, &n, 100), -EBADMSG);
	snap_check(&s, &b);
	assert_ptr_equal(p, seq);
	assert_int_equal(n, 9);
}

/* ---------------------------------------------------------- expect_end */

/* tb_expect_end() accepts an empty buffer and a fully consumed one. */
static void tb_expect_end_ok(void **state)
{
	struct tpm_buf b;

	(void)state;
	tb_init_read(&b, seq, 0);
	assert_int_equal(tb_expect_end(&b), 0);
	tb_init_read(&b, seq, 4);
	assert_int_equal(tb_skip(&b, 4), 0);
	assert_int_equal(tb_expect_end(&b), 0);
}

/* One unread byte is -EBADMSG, and the check does not consume it. */
static void tb_expect_end_trailing_bytes(void **state)
{
	struct tpm_buf b;
	struct snap s;

	(void)state;
	tb_init_read(&b, seq, 5);
	assert_int_equal(tb_skip(&b, 4), 0);
	snap_take(&s, &b);
	assert_int_equal(tb_expect_end(&b), -EBADMSG);
	snap_check(&s, &b);
	tb_init_read(&b, seq, 5);
	assert_int_equal(tb_expect_end(&b), -EBADMSG);
}

/* -------------------------------------------------------------- writers */

/* A write buffer holding @used bytes of 0xaa out of @cap. */
static void init_used(struct tpm_buf *b, uint8_t *d, size_t cap, size_t used)
{
	memset(d, 0xaa, cap);
	tb_init_write(b, d, cap);
	b->len = used;
}

/* Every fixed-size writer stores big-endian bytes at len and advances. */
static void tb_put_fixed_ok(void **state)
{
	static const uint8_t want[] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0x00,
	};
	uint8_t d[sizeof(want)];
	struct tpm_buf b;

	(void)state;
	tb_init_write(&b, d, sizeof(d));
	assert_int_equal(tb_put_u8(&b, 0x11), 0);
	assert_int_equal(tb_put_u16(&b, 0x2233), 0);
	assert_int_equal(tb_put_u32(&b, 0x44556677), 0);
	assert_int_equal(tb_put_u64(&b, 0x0102030405060708ULL), 0);
	assert_int_equal(tb_put_bool(&b, true), 0);
	assert_int_equal(tb_put_bool(&b, false), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_int_equal(b.pos, 0);
	assert_memory_equal(d, want, sizeof(want));
}

/* Values written by each writer read back unchanged. */
static void tb_put_get_roundtrip(void **state)
{
	uint8_t d[BUF_SIZE], body[3] = { 'x', 'y', 'z' };
	const uint8_t *p;
	struct tpm_buf w, r;
	uint64_t v64;
	uint32_t v32, n32;
	uint16_t v16, n16;
	uint8_t v8;
	bool vb;

	(void)state;
	tb_init_write(&w, d, sizeof(d));
	assert_int_equal(tb_put_u8(&w, 0xfe), 0);
	assert_int_equal(tb_put_u16(&w, 0xfedc), 0);
	assert_int_equal(tb_put_u32(&w, 0xfedcba98), 0);
	assert_int_equal(tb_put_u64(&w, 0xfedcba9876543210ULL), 0);
	assert_int_equal(tb_put_bool(&w, true), 0);
	assert_int_equal(tb_put_sized(&w, body, 3), 0);
	assert_int_equal(tb_put_sized16(&w, body, 2), 0);
	assert_int_equal(tb_put_bytes(&w, body, 1), 0);

	tb_init_read(&r, d, w.len);
	assert_int_equal(tb_get_u8(&r, &v8), 0);
	assert_int_equal(v8, 0xfe);
	assert_int_equal(tb_get_u16(&r, &v16), 0);
	assert_int_equal(v16, 0xfedc);
	assert_int_equal(tb_get_u32(&r, &v32), 0);
	assert_int_equal(v32, 0xfedcba98);
	assert_int_equal(tb_get_u64(&r, &v64), 0);
	assert_true(v64 == 0xfedcba9876543210ULL);
	assert_int_equal(tb_get_bool(&r, &vb), 0);
	assert_true(vb);
	assert_int_equal(tb_get_sized(&r, &p, &n32, 3), 0);
	assert_int_equal(n32, 3);
	assert_memory_equal(p, body, 3);
	assert_int_equal(tb_get_sized16(&r, &p, &n16, 2), 0);
	assert_int_equal(n16, 2);
	assert_memory_equal(p, body, 2);
	assert_int_equal(tb_get_bytes(&r, &v8, 1), 0);
	assert_int_equal(v8, 'x');
	assert_int_equal(tb_expect_end(&r), 0);
}

/* A write that exactly fills the buffer succeeds. */
static void tb_put_u32_fills_cap(void **state)
{
	uint8_t d[6];
	struct tpm_buf b;

	(void)state;
	init_used(&b, d, sizeof(d), 2);
	assert_int_equal(tb_put_u32(&b, 0x01020304), 0);
	assert_int_equal(b.len, 6);
	assert_int_equal(tb_be32(d + 2), 0x01020304);
	assert_int_equal(tb_put_bytes(&b, d, 0), 0);
	assert_int_equal(b.len, 6);
}

/* Each fixed-size writer with one byte too few left is -ENOSPC and writes
 * nothing. */
static void tb_put_fixed_cap_exhausted(void **state)
{
	uint8_t d[16];
	struct tpm_buf b;
	struct snap s;

	(void)state;
	init_used(&b, d, 8, 8);
	snap_take(&s, &b);
	assert_int_equal(tb_put_u8(&b, 0x11), -ENOSPC);
	snap_check(&s, &b);
	assert_int_equal(tb_put_bool(&b, true), -ENOSPC);
	snap_check(&s, &b);

	init_used(&b, d, 8, 7);
	snap_take(&s, &b);
	assert_int_equal(tb_put_u16(&b, 0x1122), -ENOSPC);
	snap_check(&s, &b);

	init_used(&b, d, 8, 5);
	snap_take(&s, &b);
	assert_int_equal(tb_put_u32(&b, 0x11223344), -ENOSPC);
	snap_check(&s, &b);

	init_used(&b, d, 8, 1);
	snap_take(&s, &b);
	assert_int_equal(tb_put_u64(&b, 0x1122334455667788ULL), -ENOSPC);
	snap_check(&s, &b);
}

/*
 * A fake buffer whose len is SIZE_MAX - 1: "len + n > cap" would wrap and
 * let the writers scribble far out of bounds; each must be -ENOSPC.
 */
static void tb_put_len_near_size_max(void **state)
{
	struct tpm_buf b = {
		.data = (uint8_t *)(uintptr_t)seq, .cap = SIZE_MAX,
		.len = SIZE_MAX - 1, .pos = 0,
	};
	uint8_t *p = NULL;
	struct snap s;

	(void)state;
	snap_take(&s, &b);
	assert_int_equal(tb_put_u16(&b, 1), -ENOSPC);
	assert_int_equal(tb_put_u32(&b, 1), -ENOSPC);
	assert_int_equal(tb_put_u64(&b, 1), -ENOSPC);
	assert_int_equal(tb_put_bytes(&b, seq, 2), -ENOSPC);
	assert_int_equal(tb_put_sized(&b, seq, 0), -ENOSPC);
	assert_int_equal(tb_put_sized16(&b, seq, 0), -ENOSPC);
	assert_int_equal(tb_reserve(&b, &p, 2), -ENOSPC);
	snap_check(&s, &b);
	assert_null(p);
}

/* tb_put_bytes() appends n bytes; n = 0 is a no-op. */
static void tb_put_bytes_ok(void **state)
{
	uint8_t d[8];
	struct tpm_buf b;

	(void)state;
	init_used(&b, d, sizeof(d), 1);
	assert_int_equal(tb_put_bytes(&b, seq, 7), 0);
	assert_int_equal(b.len, 8);
	assert_int_equal(d[0], 0xaa);
	assert_memory_equal(d + 1, seq, 7);
	assert_int_equal(tb_put_bytes(&b, seq, 0), 0);
	assert_int_equal(b.len, 8);
}

/* tb_put_bytes() one byte over, or SIZE_MAX bytes, is -ENOSPC. */
static void tb_put_bytes_cap_exhausted(void **state)
{
	uint8_t d[8];
	struct tpm_buf b;
	struct snap s;

	(void)state;
	init_used(&b, d, sizeof(d), 1);
	snap_take(&s, &b);
	assert_int_equal(tb_put_bytes(&b, seq, 8), -ENOSPC);
	assert_int_equal(tb_put_bytes(&b, seq, SIZE_MAX), -ENOSPC);
	snap_check(&s, &b);
}

/* tb_put_sized() writes a u32 length then the body. */
static void tb_put_sized_ok(void **state)
{
	static const uint8_t want[] = { 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0 };
	uint8_t d[sizeof(want)];
	struct tpm_buf b;

	(void)state;
	tb_init_write(&b, d, sizeof(d));
	assert_int_equal(tb_put_sized(&b, seq, 3), 0);
	assert_int_equal(tb_put_sized(&b, NULL, 0), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(d, want, sizeof(want));
}

/* tb_put_sized() with room for the header but not the body, or not even
 * the header, or n = 0xFFFFFFFF, is -ENOSPC and writes nothing. */
static void tb_put_sized_cap_exhausted(void **state)
{
	uint8_t d[16];
	struct tpm_buf b;
	struct snap s;

	(void)state;
	init_used(&b, d, 10, 3);
	snap_take(&s, &b);
	assert_int_equal(tb_put_sized(&b, seq, 4), -ENOSPC);
	snap_check(&s, &b);
	assert_int_equal(tb_put_sized(&b, seq, UINT32_MAX), -ENOSPC);
	snap_check(&s, &b);
	init_used(&b, d, 10, 7);
	snap_take(&s, &b);
	assert_int_equal(tb_put_sized(&b, seq, 0), -ENOSPC);
	snap_check(&s, &b);
	init_used(&b, d, 10, 3);
	assert_int_equal(tb_put_sized(&b, seq, 3), 0);
	assert_int_equal(b.len, 10);
}

/* tb_put_sized16() writes a u16 length then the body. */
static void tb_put_sized16_ok(void **state)
{
	static const uint8_t want[] = { 0, 2, 1, 2, 0, 0 };
	uint8_t d[sizeof(want)];
	struct tpm_buf b;

	(void)state;
	tb_init_write(&b, d, sizeof(d));
	assert_int_equal(tb_put_sized16(&b, seq, 2), 0);
	assert_int_equal(tb_put_sized16(&b, NULL, 0), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(d, want, sizeof(want));
}

/* tb_put_sized16() without room for body or header, or with n = 0xFFFF,
 * is -ENOSPC and writes nothing. */
static void tb_put_sized16_cap_exhausted(void **state)
{
	uint8_t d[16];
	struct tpm_buf b;
	struct snap s;

	(void)state;
	init_used(&b, d, 6, 1);
	snap_take(&s, &b);
	assert_int_equal(tb_put_sized16(&b, seq, 4), -ENOSPC);
	snap_check(&s, &b);
	assert_int_equal(tb_put_sized16(&b, seq, UINT16_MAX), -ENOSPC);
	snap_check(&s, &b);
	init_used(&b, d, 6, 5);
	snap_take(&s, &b);
	assert_int_equal(tb_put_sized16(&b, seq, 0), -ENOSPC);
	snap_check(&s, &b);
	init_used(&b, d, 6, 1);
	assert_int_equal(tb_put_sized16(&b, seq, 3), 0);
	assert_int_equal(b.len, 6);
}

/* tb_reserve() hands out the next n bytes and advances len. */
static void tb_reserve_ok(void **state)
{
	uint8_t d[8], *p = NULL;
	struct tpm_buf b;

	(void)state;
	init_used(&b, d, sizeof(d), 2);
	assert_int_equal(tb_reserve(&b, &p, 4), 0);
	assert_ptr_equal(p, d + 2);
	assert_int_equal(b.len, 6);
	assert_int_equal(tb_reserve(&b, &p, 2), 0);
	assert_ptr_equal(p, d + 6);
	assert_int_equal(tb_reserve(&b, &p, 0), 0);
	assert_ptr_equal(p, d + 8);
	assert_int_equal(b.len, 8);
}

/* tb_reserve() beyond cap, or of SIZE_MAX bytes, is -ENOSPC and leaves the
 * pointer alone. */
static void tb_reserve_cap_exhausted(void **state)
{
	uint8_t d[8], *p = d + 7;
	struct tpm_buf b;
	struct snap s;

	(void)state;
	init_used(&b, d, sizeof(d), 5);
	snap_take(&s, &b);
	assert_int_equal(tb_reserve(&b, &p, 4), -ENOSPC);
	assert_int_equal(tb_reserve(&b, &p, SIZE_MAX), -ENOSPC);
	snap_check(&s, &b);
	assert_ptr_equal(p, d + 7);
}

/* tb_patch_u32() overwrites four written bytes at the start and the end. */
static void tb_patch_u32_ok(void **state)
{
	uint8_t d[16];
	struct tpm_buf b;

	(void)state;
	init_used(&b, d, sizeof(d), 10);
	assert_int_equal(tb_patch_u32(&b, 0, 0x01020304), 0);
	assert_int_equal(tb_patch_u32(&b, 6, 0x05060708), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(tb_be32(d), 0x01020304);
	assert_int_equal(tb_be32(d + 6), 0x05060708);
	assert_int_equal(d[4], 0xaa);
	assert_int_equal(d[10], 0xaa);
}

/*
 * Patching bytes not yet written (off + 4 > len, even when within cap),
 * at or past len, or at offsets near SIZE_MAX where "off + 4" wraps, is
 * -ENOSPC and writes nothing.
 */
static void tb_patch_u32_out_of_range(void **state)
{
	uint8_t d[16];
	struct tpm_buf b;
	struct snap s;

	(void)state;
	init_used(&b, d, sizeof(d), 10);
	snap_take(&s, &b);
	assert_int_equal(tb_patch_u32(&b, 7, 1), -ENOSPC);
	assert_int_equal(tb_patch_u32(&b, 10, 1), -ENOSPC);
	assert_int_equal(tb_patch_u32(&b, 11, 1), -ENOSPC);
	assert_int_equal(tb_patch_u32(&b, SIZE_MAX, 1), -ENOSPC);
	assert_int_equal(tb_patch_u32(&b, SIZE_MAX - 2, 1), -ENOSPC);
	snap_check(&s, &b);
	init_used(&b, d, sizeof(d), 3);
	snap_take(&s, &b);
	assert_int_equal(tb_patch_u32(&b, 0, 1), -ENOSPC);
	snap_check(&s, &b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tb_init_read_sets_fields),
		cmocka_unit_test(tb_init_write_sets_fields),
		cmocka_unit_test(tb_cursor_follows_pos),
		cmocka_unit_test(tb_be_helpers_big_endian),
		cmocka_unit_test(tb_get_u8_ok),
		cmocka_unit_test(tb_get_u8_short_buffer),
		cmocka_unit_test(tb_get_u16_ok),
		cmocka_unit_test(tb_get_u16_short_buffer),
		cmocka_unit_test(tb_get_u32_ok),
		cmocka_unit_test(tb_get_u32_short_buffer),
		cmocka_unit_test(tb_get_u32_pos_near_size_max),
		cmocka_unit_test(tb_get_u64_ok),
		cmocka_unit_test(tb_get_u64_short_buffer),
		cmocka_unit_test(tb_get_bool_ok),
		cmocka_unit_test(tb_get_bool_value_2),
		cmocka_unit_test(tb_get_bool_short_buffer),
		cmocka_unit_test(tb_get_bytes_ok),
		cmocka_unit_test(tb_get_bytes_short_buffer),
		cmocka_unit_test(tb_get_bytes_size_max),
		cmocka_unit_test(tb_get_ref_ok),
		cmocka_unit_test(tb_get_ref_short_buffer),
		cmocka_unit_test(tb_skip_ok),
		cmocka_unit_test(tb_skip_short_buffer),
		cmocka_unit_test(tb_get_sized_ok),
		cmocka_unit_test(tb_get_sized_zero_length),
		cmocka_unit_test(tb_get_sized_length_over_max),
		cmocka_unit_test(tb_get_sized_length_over_remaining),
		cmocka_unit_test(tb_get_sized_short_header),
		cmocka_unit_test(tb_get_sized_length_wraps_u32),
		cmocka_unit_test(tb_get_sized16_ok),
		cmocka_unit_test(tb_get_sized16_length_over_max),
		cmocka_unit_test(tb_get_sized16_length_over_remaining),
		cmocka_unit_test(tb_get_sized16_short_header),
		cmocka_unit_test(tb_expect_end_ok),
		cmocka_unit_test(tb_expect_end_trailing_bytes),
		cmocka_unit_test(tb_put_fixed_ok),
		cmocka_unit_test(tb_put_get_roundtrip),
		cmocka_unit_test(tb_put_u32_fills_cap),
		cmocka_unit_test(tb_put_fixed_cap_exhausted),
		cmocka_unit_test(tb_put_len_near_size_max),
		cmocka_unit_test(tb_put_bytes_ok),
		cmocka_unit_test(tb_put_bytes_cap_exhausted),
		cmocka_unit_test(tb_put_sized_ok),
		cmocka_unit_test(tb_put_sized_cap_exhausted),
		cmocka_unit_test(tb_put_sized16_ok),
		cmocka_unit_test(tb_put_sized16_cap_exhausted),
		cmocka_unit_test(tb_reserve_ok),
		cmocka_unit_test(tb_reserve_cap_exhausted),
		cmocka_unit_test(tb_patch_u32_ok),
		cmocka_unit_test(tb_patch_u32_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
