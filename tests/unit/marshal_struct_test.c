// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of marshal_struct.c: round trips of every Part 2 structure it
 * knows, a table of byte vectors for each rejection (bad tag, bad value,
 * size over its maximum, PCR info size mismatch, truncation), and the
 * private plaintexts (TPM_STORE_ASYMKEY, TPM_MIGRATE_ASYMKEY,
 * TPM_SEALED_DATA) cut at every length.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

/* Which getter a vector is fed to. */
enum target {
	T_SEL,		/* tpm_pcr_selection_get */
	T_INFO11,	/* tpm_pcr_info_get(PCR_INFO_11) */
	T_LONG,		/* tpm_pcr_info_get(PCR_INFO_LONG) */
	T_SHORT,	/* tpm_pcr_info_get(PCR_INFO_SHORT) */
	T_SIZED11,	/* tpm_pcr_info_get_sized(false) */
	T_SIZEDLONG,	/* tpm_pcr_info_get_sized(true) */
	T_PARMS,	/* tpm_key_parms_get */
	T_KEY,		/* tpm_key_get */
	T_PUBKEY,	/* tpm_pubkey_get */
};

struct vector {
	const char *title;
	enum target target;
	const uint8_t *bytes;
	size_t len;
	uint32_t rc;
};

#define V(t, tg, rc, ...) { t, tg, (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }), rc }

/* 20 bytes of 0xAA, 20 of 0xBB (digests in the vectors). */
#define DA 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, \
	   0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA
#define DB 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, \
	   0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB, 0xBB
/* RSA TPM_KEY_PARMS: OAEP, no signature, 2048 bits, 2 primes, e default. */
#define PARMS_RSA 0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12, 0, 0, 8, 0, \
	0, 0, 0, 2, 0, 0, 0, 0
/* TPM_KEY12 header up to and including algorithmParms. */
#define KEY12_HDR 0x00, 0x28, 0, 0, 0x00, 0x11, 0, 0, 0, 0, 0x01, PARMS_RSA

static const struct vector vectors[] = {
	V("selection: size 4 names PCRs beyond 23", T_SEL,
	  TPM_INVALID_PCR_INFO, 0, 4, 1, 2, 3, 4),
	V("selection: size 0xFFFF", T_SEL, TPM_INVALID_PCR_INFO, 0xFF, 0xFF),
	V("selection: short bitmap", T_SEL, TPM_BAD_PARAM_SIZE, 0, 3, 1, 2),
	V("selection: short size", T_SEL, TPM_BAD_PARAM_SIZE, 0),
	V("pcr_info: missing digestAtCreation", T_INFO11, TPM_BAD_PARAM_SIZE,
	  0, 1, 1, DA),
	V("pcr_info: oversized selection", T_INFO11, TPM_INVALID_PCR_INFO,
	  0, 4, 1, 1, 1, 1, DA, DB),
	V("pcr_info_long: bad tag", T_LONG, TPM_INVALID_STRUCTURE,
	  0, 0x05, 1, 1, 0, 0, 0, 0, DA, DB),
	V("pcr_info_long: creation locality bit 5", T_LONG,
	  TPM_INVALID_STRUCTURE, 0, 6, 0x20, 1, 0, 0, 0, 0, DA, DB),
	V("pcr_info_long: release locality 0xFF", T_LONG,
	  TPM_INVALID_STRUCTURE, 0, 6, 1, 0xFF, 0, 0, 0, 0, DA, DB),
	V("pcr_info_long: oversized release selection", T_LONG,
	  TPM_INVALID_PCR_INFO, 0, 6, 1, 1, 0, 0, 0, 9, DA, DB),
	V("pcr_info_long: short", T_LONG, TPM_BAD_PARAM_SIZE,
	  0, 6, 1, 1, 0, 0, 0, 0, DA),
	V("pcr_info_short: bad locality", T_SHORT, TPM_INVALID_STRUCTURE,
	  0, 1, 1, 0x40, DA),
	V("pcr_info_short: short digest", T_SHORT, TPM_BAD_PARAM_SIZE,
	  0, 1, 1, 0x1F, 0xAA),
	V("sized 1.1: size beyond the buffer", T_SIZED11, TPM_BAD_PARAM_SIZE,
	  0, 0, 0, 44, 0, 2, 0, 0),
	V("sized 1.1: size over TPM_PCR_INFO maximum", T_SIZED11,
	  TPM_INVALID_PCR_INFO, 0, 0, 0, 46, 0, 3, 0, 0, 0, DA, DB, 0),
	V("sized 1.1: size larger than the structure", T_SIZED11,
	  TPM_INVALID_PCR_INFO, 0, 0, 0, 45, 0, 2, 0, 0, DA, DB, 0),
	V("sized 1.1: size smaller than the structure", T_SIZED11,
	  TPM_INVALID_PCR_INFO, 0, 0, 0, 43, 0, 2, 0, 0, DA, DB),
	V("sized long: TPM_PCR_INFO where LONG expected", T_SIZEDLONG,
	  TPM_INVALID_STRUCTURE, 0, 0, 0, 44, 0, 2, 0, 0, DA, DB),
	V("sized long: size over maximum", T_SIZEDLONG, TPM_INVALID_PCR_INFO,
	  0, 0, 0, 55, 0, 6, 1, 1, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, DA, DB, 0),
	V("sized long: bad tag", T_SIZEDLONG, TPM_INVALID_STRUCTURE,
	  0, 0, 0, 48, 0, 7, 1, 1, 0, 0, 0, 0, DA, DB),
	V("parms: algorithm AES128", T_PARMS, TPM_BAD_KEY_PROPERTY,
	  0, 0, 0, 6, 0, 1, 0, 1, 0, 0, 0, 0),
	V("parms: parmSize beyond buffer", T_PARMS, TPM_BAD_PARAM_SIZE,
	  0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12, 0, 0, 8, 0),
	V("parms: parmSize over maximum", T_PARMS, TPM_BAD_KEY_PROPERTY,
	  0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 17, 0, 0, 8, 0, 0, 0, 0, 2,
	  0, 0, 0, 5, 1, 0, 1, 0, 0),
	V("parms: exponentSize over maximum", T_PARMS, TPM_BAD_KEY_PROPERTY,
	  0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 16, 0, 0, 8, 0, 0, 0, 0, 2,
	  0, 0, 0, 5, 1, 0, 1, 0),
	V("parms: parmSize larger than the RSA parms", T_PARMS,
	  TPM_BAD_KEY_PROPERTY, 0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 13,
	  0, 0, 8, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0),
	V("parms: parmSize smaller than the RSA parms", T_PARMS,
	  TPM_BAD_KEY_PROPERTY, 0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 8,
	  0, 0, 8, 0, 0, 0, 0, 2),
	V("parms: three primes", T_PARMS, TPM_BAD_KEY_PROPERTY,
	  0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12, 0, 0, 8, 0, 0, 0, 0, 3,
	  0, 0, 0, 0),
	V("parms: 4096-bit key", T_PARMS, TPM_BAD_KEY_PROPERTY,
	  0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12, 0, 0, 16, 0, 0, 0, 0, 2,
	  0, 0, 0, 0),
	V("key: empty", T_KEY, TPM_BAD_PARAM_SIZE, 0),
	V("key: TPM_KEY12 tag wrong", T_KEY, TPM_BAD_KEY_PROPERTY,
	  0x00, 0x15, 0, 0),
	V("key: TPM_KEY12 fill non-zero", T_KEY, TPM_BAD_KEY_PROPERTY,
	  0x00, 0x28, 0, 1),
	V("key: TPM_KEY version 1.2", T_KEY, TPM_BAD_VERSION, 1, 2, 0, 0),
	V("key: TPM_KEY version 2.1", T_KEY, TPM_BAD_VERSION, 2, 1, 0, 0),
	V("key: undefined keyFlags bit", T_KEY, TPM_BAD_KEY_PROPERTY,
	  0x00, 0x28, 0, 0, 0x00, 0x11, 0, 0, 0, 0x20, 0x01, PARMS_RSA,
	  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	V("key: PCRInfoSize mismatch", T_KEY, TPM_INVALID_PCR_INFO,
	  KEY12_HDR, 0, 0, 0, 3, 0, 6, 1, 0, 0, 0, 0, 0, 0, 0, 0),
	V("key: TPM_KEY with TPM_PCR_INFO_LONG", T_KEY, TPM_INVALID_PCR_INFO,
	  1, 1, 0, 0, 0x00, 0x11, 0, 0, 0, 0, 0x01, PARMS_RSA,
	  0, 0, 0, 54, 0, 6, 1, 1, 0, 3, 0, 0, 0, 0, 3, 0, 0, 0, DA, DB,
	  0, 0, 0, 0, 0, 0, 0, 0),
	V("key: pubKey beyond buffer", T_KEY, TPM_BAD_PARAM_SIZE,
	  KEY12_HDR, 0, 0, 0, 0, 0, 0, 0, 8, 1, 2),
	V("key: encData beyond buffer", T_KEY, TPM_BAD_PARAM_SIZE,
	  KEY12_HDR, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
	V("pubkey: empty modulus", T_PUBKEY, TPM_BAD_KEY_PROPERTY,
	  PARMS_RSA, 0, 0, 0, 0),
	V("pubkey: modulus shorter than keyLength", T_PUBKEY,
	  TPM_BAD_KEY_PROPERTY, PARMS_RSA, 0, 0, 0, 2, 0xC3, 0x01),
	V("pubkey: short", T_PUBKEY, TPM_BAD_PARAM_SIZE, PARMS_RSA, 0, 0),
};

static uint32_t run_vector(const struct vector *v, struct tpm_key *k)
{
	struct tpm_pcr_selection sel;
	struct tpm_key_parms parms;
	struct tpm_pcr_info pi;
	const uint8_t *enc;
	struct tpm_buf b;
	uint32_t elen, hint, rc = 0;

	tb_init_read(&b, v->bytes, v->len);
	switch (v->target) {
	case T_SEL:
		rc = tpm_pcr_selection_get(&b, &sel);
		break;
	case T_INFO11:
		rc = tpm_pcr_info_get(&b, PCR_INFO_11, &pi);
		break;
	case T_LONG:
		rc = tpm_pcr_info_get(&b, PCR_INFO_LONG, &pi);
		break;
	case T_SHORT:
		rc = tpm_pcr_info_get(&b, PCR_INFO_SHORT, &pi);
		break;
	case T_SIZED11:
		rc = tpm_pcr_info_get_sized(&b, false, &pi);
		break;
	case T_SIZEDLONG:
		rc = tpm_pcr_info_get_sized(&b, true, &pi);
		break;
	case T_PARMS:
		rc = tpm_key_parms_get(&b, &parms, &hint);
		break;
	case T_KEY:
		rc = tpm_key_get(&b, k, &enc, &elen);
		break;
	case T_PUBKEY:
		rc = tpm_pubkey_get(&b, k);
		break;
	}
	/* A failed get consumes nothing. */
	if (rc)
		assert_int_equal(b.pos, 0);
	return rc;
}

/* Every vector is rejected with its code, and a rejected key is unchanged. */
static void ms_get_rejects_vectors(void **state)
{
	struct tpm_key k, before;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		memset(&k, 0x5A, sizeof(k));
		k.rsa = NULL;
		before = k;
		if (run_vector(&vectors[i], &k) != vectors[i].rc)
			fail_msg("%s: got 0x%x, want 0x%x", vectors[i].title,
				 run_vector(&vectors[i], &k), vectors[i].rc);
		assert_memory_equal(&k, &before, sizeof(k));
	}
}

/* Selections of 0 to 3 bytes round-trip byte for byte. */
static void ms_pcr_selection_roundtrip_sizes(void **state)
{
	uint8_t in[5] = { 0, 0, 0x81, 0x42, 0x24 }, out[8];
	struct tpm_pcr_selection sel;
	struct tpm_buf r, w;
	uint16_t n;

	(void)state;
	for (n = 0; n <= 3; n++) {
		in[1] = (uint8_t)n;
		tb_init_read(&r, in, 2U + n);
		assert_int_equal(tpm_pcr_selection_get(&r, &sel), TPM_SUCCESS);
		assert_int_equal(sel.size, n);
		assert_int_equal(tb_expect_end(&r), 0);
		tb_init_write(&w, out, sizeof(out));
		assert_int_equal(tpm_pcr_selection_put(&w, &sel), 0);
		assert_int_equal(w.len, 2U + n);
		assert_memory_equal(out, in, w.len);
	}
}

static const uint8_t long_bytes[] = {
	0x00, 0x06, 0x01, 0x1F, 0x00, 0x03, 0x01, 0x00, 0x80,
	0x00, 0x02, 0xFF, 0x01, DA, DB
};

/* TPM_PCR_INFO_LONG round-trips and lands in the right fields. */
static void ms_pcr_info_long_roundtrip(void **state)
{
	struct tpm_pcr_info pi;
	uint8_t out[64];
	struct tpm_buf r, w;

	(void)state;
	tb_init_read(&r, long_bytes, sizeof(long_bytes));
	assert_int_equal(tpm_pcr_info_get(&r, PCR_INFO_LONG, &pi), 0);
	assert_int_equal(tb_expect_end(&r), 0);
	assert_int_equal(pi.kind, PCR_INFO_LONG);
	assert_int_equal(pi.locality_at_creation, 1);
	assert_int_equal(pi.locality_at_release, 0x1F);
	assert_int_equal(pi.creation_sel.size, 3);
	assert_int_equal(pi.creation_sel.sel[2], 0x80);
	assert_int_equal(pi.release_sel.size, 2);
	assert_int_equal(pi.digest_at_creation[0], 0xAA);
	assert_int_equal(pi.digest_at_release[0], 0xBB);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_pcr_info_put(&w, &pi), 0);
	assert_int_equal(w.len, sizeof(long_bytes));
	assert_memory_equal(out, long_bytes, sizeof(long_bytes));
}

/* TPM_PCR_INFO (1.1) and TPM_PCR_INFO_SHORT round-trip too. */
static void ms_pcr_info_11_short_roundtrip(void **state)
{
	static const uint8_t v11[] = { 0, 2, 0x03, 0x00, DA, DB };
	static const uint8_t vs[] = { 0, 3, 0, 0, 1, 0x04, DB };
	struct tpm_pcr_info pi;
	uint8_t out[64];
	struct tpm_buf r, w;

	(void)state;
	tb_init_read(&r, v11, sizeof(v11));
	assert_int_equal(tpm_pcr_info_get(&r, PCR_INFO_11, &pi), 0);
	/* 1.1 has one selection and releases at any locality. */
	assert_memory_equal(&pi.creation_sel, &pi.release_sel,
			    sizeof(pi.release_sel));
	assert_int_equal(pi.locality_at_release, TPM_LOC_ALL);
	assert_int_equal(pi.digest_at_release[0], 0xAA);
	assert_int_equal(pi.digest_at_creation[0], 0xBB);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_pcr_info_put(&w, &pi), 0);
	assert_memory_equal(out, v11, sizeof(v11));

	tb_init_read(&r, vs, sizeof(vs));
	assert_int_equal(tpm_pcr_info_get(&r, PCR_INFO_SHORT, &pi), 0);
	assert_int_equal(pi.locality_at_release, 0x04);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_pcr_info_put(&w, &pi), 0);
	assert_int_equal(w.len, sizeof(vs));
	assert_memory_equal(out, vs, sizeof(vs));
}

/* A zero size means no PCR binding, and put_sized writes it back. */
static void ms_pcr_info_sized_zero_is_none(void **state)
{
	static const uint8_t zero[] = { 0, 0, 0, 0 };
	struct tpm_pcr_info pi;
	uint8_t out[8];
	struct tpm_buf r, w;

	(void)state;
	memset(&pi, 0x77, sizeof(pi));
	tb_init_read(&r, zero, sizeof(zero));
	assert_int_equal(tpm_pcr_info_get_sized(&r, true, &pi), 0);
	assert_int_equal(pi.kind, PCR_INFO_NONE);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_pcr_info_put_sized(&w, &pi), 0);
	assert_int_equal(w.len, 4);
	assert_memory_equal(out, zero, 4);
}

/* The sized form carries the exact structure length. */
static void ms_pcr_info_sized_long_roundtrip(void **state)
{
	uint8_t in[4 + sizeof(long_bytes)], out[80];
	struct tpm_pcr_info pi;
	struct tpm_buf r, w;

	(void)state;
	tb_wr_be32(in, sizeof(long_bytes));
	memcpy(in + 4, long_bytes, sizeof(long_bytes));
	tb_init_read(&r, in, sizeof(in));
	assert_int_equal(tpm_pcr_info_get_sized(&r, true, &pi), 0);
	assert_int_equal(tb_expect_end(&r), 0);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_pcr_info_put_sized(&w, &pi), 0);
	assert_int_equal(w.len, sizeof(in));
	assert_memory_equal(out, in, sizeof(in));
}

/* Key parameters with an explicit exponent round-trip; the hint is the
 * modulus length in bytes. */
static void ms_key_parms_roundtrip_exponent(void **state)
{
	static const uint8_t in[] = { 0, 0, 0, 1, 0, 1, 0, 2, 0, 0, 0, 15,
				      0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 3,
				      1, 0, 1 };
	struct tpm_key_parms p;
	uint8_t out[32];
	struct tpm_buf r, w;
	uint32_t hint = 0;

	(void)state;
	tb_init_read(&r, in, sizeof(in));
	assert_int_equal(tpm_key_parms_get(&r, &p, &hint), 0);
	assert_int_equal(hint, 64);
	assert_int_equal(p.algorithm, TPM_ALG_RSA);
	assert_int_equal(p.enc_scheme, TPM_ES_NONE);
	assert_int_equal(p.sig_scheme, TPM_SS_RSASSAPKCS1v15_SHA1);
	assert_int_equal(p.key_bits, 512);
	assert_int_equal(p.exp_size, 3);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_key_parms_put(&w, &p), 0);
	assert_int_equal(w.len, sizeof(in));
	assert_memory_equal(out, in, sizeof(in));
}

/* A TPM_KEY12 with PCR info, modulus and encData round-trips. */
static void ms_key12_roundtrip(void **state)
{
	uint8_t in[512], out[512];
	struct tpm_buf r, w;
	const uint8_t *enc;
	struct tpm_key k;
	uint32_t elen;
	size_t i;

	(void)state;
	tb_init_write(&w, in, sizeof(in));
	tb_put_bytes(&w, (const uint8_t[]){ KEY12_HDR }, 35);
	tb_put_sized(&w, long_bytes, sizeof(long_bytes));
	tb_put_u32(&w, 256);
	for (i = 0; i < 256; i++)
		tb_put_u8(&w, (uint8_t)i);
	tb_put_sized(&w, "encrypted", 9);
	memset(&k, 0, sizeof(k));
	tb_init_read(&r, in, w.len);
	assert_int_equal(tpm_key_get(&r, &k, &enc, &elen), 0);
	assert_int_equal(tb_expect_end(&r), 0);
	assert_true(k.key12);
	assert_int_equal(k.usage, TPM_KEY_STORAGE);
	assert_int_equal(k.auth_usage, TPM_AUTH_ALWAYS);
	assert_int_equal(k.pcr.kind, PCR_INFO_LONG);
	assert_int_equal(k.n_len, 256);
	assert_int_equal(k.n[255], 255);
	assert_int_equal(elen, 9);
	assert_memory_equal(enc, "encrypted", 9);
	tb_init_write(&r, out, sizeof(out));
	assert_int_equal(tpm_key_put(&r, &k, enc, elen), 0);
	assert_int_equal(r.len, w.len);
	assert_memory_equal(out, in, w.len);
}

/* A 1.1 TPM_KEY keeps its version bytes and takes a TPM_PCR_INFO. */
static void ms_key11_roundtrip(void **state)
{
	static const uint8_t in[] = {
		1, 1, 0, 7, 0x00, 0x10, 0, 0, 0, 0x0A, 0x03,
		0, 0, 0, 1, 0, 1, 0, 2, 0, 0, 0, 12, 0, 0, 2, 0,
		0, 0, 0, 2, 0, 0, 0, 0,
		0, 0, 0, 44, 0, 2, 1, 0, DA, DB,
		0, 0, 0, 0, 0, 0, 0, 0
	};
	uint8_t out[sizeof(in)];
	struct tpm_buf r, w;
	struct tpm_key k;

	(void)state;
	memset(&k, 0, sizeof(k));
	tb_init_read(&r, in, sizeof(in));
	assert_int_equal(tpm_key_get(&r, &k, NULL, NULL), 0);
	assert_false(k.key12);
	assert_int_equal(k.ver[3], 7);
	assert_int_equal(k.flags, 0x0A);
	assert_int_equal(k.auth_usage, TPM_NO_READ_PUBKEY_AUTH);
	assert_int_equal(k.pcr.kind, PCR_INFO_11);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_key_put(&w, &k, NULL, 0), 0);
	assert_memory_equal(out, in, sizeof(in));
}

/* authDataUsage values outside Part 2, 5.9 are carried, not refused
 * (libtpms accepts them; keys.c requires authorization for them). */
static void ms_key_get_any_auth_usage(void **state)
{
	static const uint8_t in[] = { 0x00, 0x28, 0, 0, 0x00, 0x10, 0, 0, 0, 0,
				      0x11, PARMS_RSA, 0, 0, 0, 0, 0, 0, 0, 0,
				      0, 0, 0, 0 };
	uint8_t out[sizeof(in)];
	struct tpm_buf r, w;
	struct tpm_key k;

	(void)state;
	memset(&k, 0, sizeof(k));
	tb_init_read(&r, in, sizeof(in));
	assert_int_equal(tpm_key_get(&r, &k, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(k.auth_usage, 0x11);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_key_put(&w, &k, NULL, 0), 0);
	assert_memory_equal(out, in, sizeof(in));
}

/* Every proper prefix of a valid key is rejected as short, changing
 * nothing. */
static void ms_key_get_truncated_every_length(void **state)
{
	uint8_t in[128];
	struct tpm_buf w, r;
	struct tpm_key k;
	size_t n;

	(void)state;
	tb_init_write(&w, in, sizeof(in));
	tb_put_bytes(&w, (const uint8_t[]){ KEY12_HDR }, 35);
	tb_put_sized(&w, long_bytes, sizeof(long_bytes));
	tb_put_sized(&w, "mod", 3);
	tb_put_sized(&w, "enc", 3);
	for (n = 0; n < w.len; n++) {
		memset(&k, 0, sizeof(k));
		tb_init_read(&r, in, n);
		if (tpm_key_get(&r, &k, NULL, NULL) == TPM_SUCCESS)
			fail_msg("prefix of %zu bytes accepted", n);
		assert_int_equal(r.pos, 0);
	}
	tb_init_read(&r, in, w.len);
	assert_int_equal(tpm_key_get(&r, &k, NULL, NULL), 0);
}

/* A modulus or encData longer than one 2048-bit block is a key property
 * this TPM does not support, even when the bytes are all there. */
static void ms_key_get_oversized_fields(void **state)
{
	static uint8_t in[700];
	struct tpm_buf w, r;
	struct tpm_key k;

	(void)state;
	memset(&k, 0, sizeof(k));
	tb_init_write(&w, in, sizeof(in));
	tb_put_bytes(&w, (const uint8_t[]){ KEY12_HDR }, 35);
	tb_put_u32(&w, 0);
	tb_put_u32(&w, TPM_MAX_KEY_BYTES + 1);
	w.len += TPM_MAX_KEY_BYTES + 1;
	tb_put_u32(&w, 0);
	tb_init_read(&r, in, w.len);
	assert_int_equal(tpm_key_get(&r, &k, NULL, NULL), TPM_BAD_KEY_PROPERTY);
	assert_int_equal(r.pos, 0);

	tb_init_write(&w, in, sizeof(in));
	tb_put_bytes(&w, (const uint8_t[]){ KEY12_HDR }, 35);
	tb_put_u32(&w, 0);
	tb_put_u32(&w, 0);
	tb_put_u32(&w, TPM_MAX_KEY_BYTES + 1);
	w.len += TPM_MAX_KEY_BYTES + 1;
	tb_init_read(&r, in, w.len);
	assert_int_equal(tpm_key_get(&r, &k, NULL, NULL), TPM_BAD_KEY_PROPERTY);
	assert_int_equal(r.pos, 0);
}

/* tpm_pubkey_get builds a usable RSA public key from TPM_PUBKEY bytes. */
static void ms_pubkey_roundtrip_rsa(void **state)
{
	struct tpm_key k, back;
	uint8_t out[512], n[64];
	struct tpm_buf w, r;
	size_t n_len;

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_int_equal(tpm_rsa_generate(&k.rsa, 512, NULL, 0), 0);
	assert_int_equal(tpm_rsa_get_modulus(k.rsa, n, sizeof(n), &n_len), 0);
	k.parms = (struct tpm_key_parms){ .algorithm = TPM_ALG_RSA,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1,
		.key_bits = 512, .num_primes = 2 };
	memcpy(k.n, n, n_len);
	k.n_len = (uint32_t)n_len;
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_pubkey_put(&w, &k), 0);
	assert_int_equal(w.len, 24 + 4 + 64);

	memset(&back, 0, sizeof(back));
	tb_init_read(&r, out, w.len);
	assert_int_equal(tpm_pubkey_get(&r, &back), 0);
	assert_non_null(back.rsa);
	assert_int_equal(tpm_rsa_size(back.rsa), 64);
	assert_memory_equal(back.n, n, 64);
	assert_int_equal(tpm_rsa_is_private(back.rsa), 0);
	tpm_key_clear(&k);
	tpm_key_clear(&back);
}

/* Puts into a buffer too small fail with -ENOSPC and write nothing. */
static void ms_put_no_space_changes_nothing(void **state)
{
	struct tpm_pcr_info pi;
	struct tpm_key k;
	uint8_t out[64];
	struct tpm_buf r, w;
	size_t cap;

	(void)state;
	tb_init_read(&r, long_bytes, sizeof(long_bytes));
	assert_int_equal(tpm_pcr_info_get(&r, PCR_INFO_LONG, &pi), 0);
	for (cap = 0; cap < 4 + sizeof(long_bytes); cap++) {
		tb_init_write(&w, out, cap);
		assert_int_equal(tpm_pcr_info_put_sized(&w, &pi), -ENOSPC);
		assert_int_equal(w.len, 0);
	}
	memset(&k, 0, sizeof(k));
	k.key12 = true;
	k.parms.algorithm = TPM_ALG_RSA;
	k.n_len = 64;
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_key_put(&w, &k, NULL, 0), -ENOSPC);
	assert_int_equal(w.len, 0);
	/* Invariants are checked too: a 4-byte selection is refused. */
	pi.release_sel.size = 4;
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_pcr_info_put(&w, &pi), -EINVAL);
	assert_int_equal(w.len, 0);
}

/* TPM_VERSION is 1.2 with this TPM's revision; TPM_STRUCT_VER 1.1.0.0. */
static void ms_version_put_values(void **state)
{
	uint8_t out[8];
	struct tpm_buf w;

	(void)state;
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_version_put(&w), 0);
	assert_int_equal(tpm_struct_ver_put(&w), 0);
	assert_memory_equal(out, ((const uint8_t[]){ 1, 2, 3, 0, 1, 1, 0, 0 }),
			    8);
	tb_init_write(&w, out, 3);
	assert_int_equal(tpm_version_put(&w), -ENOSPC);
}

/* A TPM_STORE_ASYMKEY with a @plen-byte prime of 0xC0, 0xC1, ... */
static void store_asymkey_fill(struct tpm_store_asymkey *a, uint32_t plen)
{
	uint32_t i;

	memset(a, 0, sizeof(*a));
	a->payload = TPM_PT_ASYM;
	memset(a->usage_auth, 0x11, TPM_SECRET_SIZE);
	memset(a->migration_auth, 0x22, TPM_SECRET_SIZE);
	memset(a->pub_digest, 0x33, TPM_DIGEST_SIZE);
	tb_wr_be32(a->priv, plen);
	for (i = 0; i < plen; i++)
		a->priv[4 + i] = (uint8_t)(0xC0 + i);
	a->priv_len = 4 + plen;
}

/* TPM_STORE_ASYMKEY puts the Part 2, 10.6 layout and reads back equal. */
static void ms_store_asymkey_roundtrip(void **state)
{
	struct tpm_store_asymkey a, back;
	uint8_t out[TPM_STORE_ASYMKEY_MAX];
	struct tpm_buf w, r;

	(void)state;
	store_asymkey_fill(&a, 128);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_store_asymkey_put(&w, &a), 0);
	assert_int_equal(w.len, 1 + 60 + 4 + 128);
	assert_int_equal(out[0], TPM_PT_ASYM);
	assert_int_equal(out[1], 0x11);
	assert_int_equal(out[21], 0x22);
	assert_int_equal(out[41], 0x33);
	assert_int_equal(tb_be32(out + 61), 128);
	assert_int_equal(out[65], 0xC0);

	memset(&back, 0x5A, sizeof(back));
	tb_init_read(&r, out, w.len);
	assert_int_equal(tpm_store_asymkey_get(&r, &back), TPM_SUCCESS);
	assert_int_equal(r.pos, w.len);
	assert_int_equal(back.payload, a.payload);
	assert_memory_equal(back.usage_auth, a.usage_auth, TPM_SECRET_SIZE);
	assert_memory_equal(back.migration_auth, a.migration_auth,
			    TPM_SECRET_SIZE);
	assert_memory_equal(back.pub_digest, a.pub_digest, TPM_DIGEST_SIZE);
	assert_int_equal(back.priv_len, a.priv_len);
	assert_memory_equal(back.priv, a.priv, a.priv_len);
}

/* Every truncation, a trailing byte and a prime over TPM_MAX_KEY_BYTES are
 * TPM_INVALID_STRUCTURE, and a failed get changes neither the position nor
 * the output. */
static void ms_store_asymkey_get_rejects(void **state)
{
	uint8_t out[TPM_STORE_ASYMKEY_MAX + 1];
	struct tpm_store_asymkey a, t, before;
	struct tpm_buf w, r;
	size_t len, cut;

	(void)state;
	store_asymkey_fill(&a, 64);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_store_asymkey_put(&w, &a), 0);
	len = w.len;
	memset(&before, 0x5A, sizeof(before));
	for (cut = 0; cut <= len + 1; cut++) {
		if (cut == len)
			continue;
		/* cut == len + 1: one trailing byte. */
		t = before;
		tb_init_read(&r, out, cut);
		assert_int_equal(tpm_store_asymkey_get(&r, &t),
				 TPM_INVALID_STRUCTURE);
		assert_int_equal(r.pos, 0);
		assert_memory_equal(&t, &before, sizeof(t));
	}
	/* privKey size field TPM_MAX_KEY_BYTES + 1, with that many bytes. */
	store_asymkey_fill(&a, 0);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_store_asymkey_put(&w, &a), 0);
	tb_wr_be32(out + 61, TPM_MAX_KEY_BYTES + 1);
	memset(out + 65, 0xC0, TPM_MAX_KEY_BYTES + 1);
	t = before;
	tb_init_read(&r, out, 65 + TPM_MAX_KEY_BYTES + 1);
	assert_int_equal(tpm_store_asymkey_get(&r, &t), TPM_INVALID_STRUCTURE);
	assert_memory_equal(&t, &before, sizeof(t));
}

/* A put refuses a privKey that is no whole TPM_STORE_PRIVKEY (-EINVAL)
 * and, short of room, writes nothing (-ENOSPC). */
static void ms_store_asymkey_put_checks(void **state)
{
	uint8_t out[TPM_STORE_ASYMKEY_MAX];
	struct tpm_store_asymkey a;
	struct tpm_buf w;
	size_t cap;

	(void)state;
	store_asymkey_fill(&a, 16);
	a.priv_len = 3;
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_store_asymkey_put(&w, &a), -EINVAL);
	store_asymkey_fill(&a, 16);
	a.priv_len++;
	assert_int_equal(tpm_store_asymkey_put(&w, &a), -EINVAL);
	a.priv_len = sizeof(a.priv) + 1;
	assert_int_equal(tpm_store_asymkey_put(&w, &a), -EINVAL);
	assert_int_equal(w.len, 0);
	store_asymkey_fill(&a, 16);
	for (cap = 0; cap < 1 + 60 + 4 + 16; cap++) {
		tb_init_write(&w, out, cap);
		assert_int_equal(tpm_store_asymkey_put(&w, &a), -ENOSPC);
		assert_int_equal(w.len, 0);
	}
}

/* TPM_MIGRATE_ASYMKEY round-trips with partPrivKey borrowed from the
 * buffer; over @max, truncated or trailing it is TPM_INVALID_STRUCTURE and
 * changes nothing. */
static void ms_migrate_asymkey_roundtrip_and_limits(void **state)
{
	static const uint8_t part[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct tpm_migrate_asymkey m = { .payload = TPM_PT_MIGRATE,
		.part_priv = part, .part_priv_len = sizeof(part) };
	struct tpm_migrate_asymkey back, before;
	uint8_t out[TPM_MIGRATE_ASYMKEY_FIXED + sizeof(part) + 1];
	struct tpm_buf w, r;
	size_t cut;

	(void)state;
	memset(m.usage_auth, 0x44, TPM_SECRET_SIZE);
	memset(m.pub_digest, 0x55, TPM_DIGEST_SIZE);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_migrate_asymkey_put(&w, &m), 0);
	assert_int_equal(w.len, TPM_MIGRATE_ASYMKEY_FIXED + sizeof(part));
	tb_init_read(&r, out, w.len);
	assert_int_equal(tpm_migrate_asymkey_get(&r, &back, sizeof(part)),
			 TPM_SUCCESS);
	assert_int_equal(back.payload, TPM_PT_MIGRATE);
	assert_memory_equal(back.usage_auth, m.usage_auth, TPM_SECRET_SIZE);
	assert_memory_equal(back.pub_digest, m.pub_digest, TPM_DIGEST_SIZE);
	assert_int_equal(back.part_priv_len, sizeof(part));
	assert_ptr_equal(back.part_priv, out + TPM_MIGRATE_ASYMKEY_FIXED);

	memset(&before, 0x5A, sizeof(before));
	back = before;
	tb_init_read(&r, out, w.len);
	assert_int_equal(tpm_migrate_asymkey_get(&r, &back, sizeof(part) - 1),
			 TPM_INVALID_STRUCTURE);
	assert_int_equal(r.pos, 0);
	assert_memory_equal(&back, &before, sizeof(back));
	for (cut = 0; cut <= w.len + 1; cut++) {
		if (cut == w.len)
			continue;
		tb_init_read(&r, out, cut);
		assert_int_equal(tpm_migrate_asymkey_get(&r, &back,
							 sizeof(part)),
				 TPM_INVALID_STRUCTURE);
		assert_int_equal(r.pos, 0);
		assert_memory_equal(&back, &before, sizeof(back));
	}
	tb_init_write(&w, out, TPM_MIGRATE_ASYMKEY_FIXED + sizeof(part) - 1);
	assert_int_equal(tpm_migrate_asymkey_put(&w, &m), -ENOSPC);
	assert_int_equal(w.len, 0);
}

/* TPM_SEALED_DATA round-trips with data borrowed from the buffer; cut
 * short or with a trailing byte it is TPM_INVALID_STRUCTURE and changes
 * nothing; short of room a put writes nothing. */
static void ms_sealed_data_roundtrip_and_limits(void **state)
{
	static const uint8_t secret[5] = { 's', 'e', 'c', 'r', 't' };
	struct tpm_sealed_data d = { .payload = TPM_PT_SEAL, .data = secret,
				     .data_len = sizeof(secret) };
	struct tpm_sealed_data back, before;
	uint8_t out[TPM_SEALED_DATA_FIXED + sizeof(secret) + 1];
	struct tpm_buf w, r;
	size_t cut;

	(void)state;
	memset(d.auth, 0x66, TPM_SECRET_SIZE);
	memset(d.proof, 0x77, TPM_SECRET_SIZE);
	memset(d.digest, 0x88, TPM_DIGEST_SIZE);
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_sealed_data_put(&w, &d), 0);
	assert_int_equal(w.len, TPM_SEALED_DATA_FIXED + sizeof(secret));
	assert_int_equal(out[1], 0x66);
	assert_int_equal(out[21], 0x77);
	assert_int_equal(out[41], 0x88);
	tb_init_read(&r, out, w.len);
	assert_int_equal(tpm_sealed_data_get(&r, &back), TPM_SUCCESS);
	assert_int_equal(back.payload, TPM_PT_SEAL);
	assert_memory_equal(back.auth, d.auth, TPM_SECRET_SIZE);
	assert_memory_equal(back.proof, d.proof, TPM_SECRET_SIZE);
	assert_memory_equal(back.digest, d.digest, TPM_DIGEST_SIZE);
	assert_int_equal(back.data_len, sizeof(secret));
	assert_memory_equal(back.data, secret, sizeof(secret));
	assert_ptr_equal(back.data, out + TPM_SEALED_DATA_FIXED);

	memset(&before, 0x5A, sizeof(before));
	for (cut = 0; cut <= w.len + 1; cut++) {
		if (cut == w.len)
			continue;
		back = before;
		tb_init_read(&r, out, cut);
		assert_int_equal(tpm_sealed_data_get(&r, &back),
				 TPM_INVALID_STRUCTURE);
		assert_int_equal(r.pos, 0);
		assert_memory_equal(&back, &before, sizeof(back));
	}
	for (cut = 0; cut < TPM_SEALED_DATA_FIXED + sizeof(secret); cut++) {
		tb_init_write(&w, out, cut);
		assert_int_equal(tpm_sealed_data_put(&w, &d), -ENOSPC);
		assert_int_equal(w.len, 0);
	}
}

/* TPM_COUNTER_VALUE is tag 0x000E, label, counter; short of room it
 * writes nothing. */
static void ms_counter_value_put_bytes(void **state)
{
	static const uint8_t label[TPM_COUNTER_LABEL_SIZE] = { 'a', 'b', 'c',
							      'd' };
	static const uint8_t want[TPM_COUNTER_VALUE_SIZE] = {
		0x00, 0x0E, 'a', 'b', 'c', 'd', 0x01, 0x02, 0x03, 0x04 };
	uint8_t out[TPM_COUNTER_VALUE_SIZE];
	struct tpm_buf w;
	size_t cap;

	(void)state;
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_counter_value_put(&w, label, 0x01020304), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	for (cap = 0; cap < sizeof(want); cap++) {
		tb_init_write(&w, out, cap);
		assert_int_equal(tpm_counter_value_put(&w, label, 1), -ENOSPC);
		assert_int_equal(w.len, 0);
	}
}

/* tpm_pubkey_digest is SHA-1 (computed by the harness, not the engine)
 * of the bytes tpm_pubkey_put writes, for a 2048-bit key with an explicit
 * exponent (the largest TPM_PUBKEY); tpm_pubkey_checksum hashes antiReplay
 * after them. */
static void ms_pubkey_digest_matches_put(void **state)
{
	static const uint8_t e[4] = { 0x00, 0x01, 0x00, 0x01 };
	uint8_t out[512], want[TPM_DIGEST_SIZE], got[TPM_DIGEST_SIZE];
	struct tpm_key k;
	struct tpm_buf w;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.parms = (struct tpm_key_parms){ .algorithm = TPM_ALG_RSA,
		.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
		.sig_scheme = TPM_SS_NONE, .key_bits = 2048,
		.num_primes = 2, .exp_size = sizeof(e) };
	memcpy(k.parms.exponent, e, sizeof(e));
	memset(k.n, 0xC5, TPM_MAX_KEY_BYTES);
	k.n_len = TPM_MAX_KEY_BYTES;
	tb_init_write(&w, out, sizeof(out));
	assert_int_equal(tpm_pubkey_put(&w, &k), 0);
	th_sha1(out, w.len, want);
	assert_int_equal(tpm_pubkey_digest(&k, got), 0);
	assert_memory_equal(got, want, sizeof(want));
	/* The checksum appends antiReplay to the same bytes. */
	memset(out + w.len, 0xA7, TPM_NONCE_SIZE);
	th_sha1(out, w.len + TPM_NONCE_SIZE, want);
	assert_int_equal(tpm_pubkey_checksum(&k, out + w.len, got), 0);
	assert_memory_equal(got, want, sizeof(want));
	/* A modulus over the maximum is refused, not hashed. */
	k.n_len = TPM_MAX_KEY_BYTES + 1;
	assert_int_equal(tpm_pubkey_digest(&k, got), -EINVAL);
	assert_int_equal(tpm_pubkey_checksum(&k, out, got), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ms_get_rejects_vectors),
		cmocka_unit_test(ms_pcr_selection_roundtrip_sizes),
		cmocka_unit_test(ms_pcr_info_long_roundtrip),
		cmocka_unit_test(ms_pcr_info_11_short_roundtrip),
		cmocka_unit_test(ms_pcr_info_sized_zero_is_none),
		cmocka_unit_test(ms_pcr_info_sized_long_roundtrip),
		cmocka_unit_test(ms_key_parms_roundtrip_exponent),
		cmocka_unit_test(ms_key12_roundtrip),
		cmocka_unit_test(ms_key11_roundtrip),
		cmocka_unit_test(ms_key_get_truncated_every_length),
		cmocka_unit_test(ms_key_get_oversized_fields),
		cmocka_unit_test(ms_key_get_any_auth_usage),
		cmocka_unit_test(ms_pubkey_roundtrip_rsa),
		cmocka_unit_test(ms_put_no_space_changes_nothing),
		cmocka_unit_test(ms_version_put_values),
		cmocka_unit_test(ms_store_asymkey_roundtrip),
		cmocka_unit_test(ms_store_asymkey_get_rejects),
		cmocka_unit_test(ms_store_asymkey_put_checks),
		cmocka_unit_test(ms_migrate_asymkey_roundtrip_and_limits),
		cmocka_unit_test(ms_sealed_data_roundtrip_and_limits),
		cmocka_unit_test(ms_counter_value_put_bytes),
		cmocka_unit_test(ms_pubkey_digest_matches_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
