// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tpm_emulator/pcr.c: Extend, PcrRead, PCR_Reset against the
 * PC Client attribute table at every locality, Quote and Quote2 signatures
 * checked with OpenSSL, and the SHA-1 thread commands.  Expected values are
 * computed on the client side with OpenSSL, never with the engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "harness.h"

static const uint8_t key_auth[20] = "quote-key-secret-123";
static const uint8_t ff[20] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};
static const uint8_t zero[20];

/* ------------------------------------------------------------ helpers */

static uint32_t extend(struct th *t, uint32_t idx, const uint8_t d[20],
		       uint8_t out[20])
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_Extend);

	tb_put_u32(b, idx);
	tb_put_bytes(b, d, 20);
	if (th_run(t, 0, NULL, NULL) == TPM_SUCCESS && out &&
	    tb_get_bytes(&t->out, out, 20))
		fail_msg("short Extend response");
	return t->rc;
}

static uint32_t pcr_read(struct th *t, uint32_t idx, uint8_t out[20])
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_PcrRead);

	tb_put_u32(b, idx);
	if (th_run(t, 0, NULL, NULL) == TPM_SUCCESS &&
	    (tb_get_bytes(&t->out, out, 20) || tb_expect_end(&t->out)))
		fail_msg("bad PcrRead response");
	return t->rc;
}

static void assert_pcr(struct th *t, uint32_t idx, const uint8_t want[20])
{
	uint8_t v[20];

	assert_int_equal(pcr_read(t, idx, v), TPM_SUCCESS);
	assert_memory_equal(v, want, 20);
}

/* PCR_Reset of the PCRs in the 24-bit @mask (sizeOfSelect 3). */
static uint32_t pcr_reset(struct th *t, uint32_t mask)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_PCR_Reset);

	tb_put_u16(b, 3);
	tb_put_u8(b, (uint8_t)mask);
	tb_put_u8(b, (uint8_t)(mask >> 8));
	tb_put_u8(b, (uint8_t)(mask >> 16));
	return th_run(t, 0, NULL, NULL);
}

/* new = SHA1(old || d), on the client side. */
static void extend_sw(const uint8_t old[20], const uint8_t d[20],
		      uint8_t out[20])
{
	uint8_t m[40];

	memcpy(m, old, 20);
	memcpy(m + 20, d, 20);
	SHA1(m, sizeof(m), out);
}

static void set_locality(struct th *t, unsigned int l)
{
	assert_int_equal(tpm_set_locality(t->s, l), 0);
}

/* A TPM_KEY12 template for CreateWrapKey (no public key yet). */
static void key12_template(struct tpm_buf *b, uint16_t usage, uint16_t es,
			   uint16_t ss)
{
	tb_put_u16(b, TPM_TAG_KEY12);
	tb_put_u16(b, 0);
	tb_put_u16(b, usage);
	tb_put_u32(b, 0);		/* keyFlags */
	tb_put_u8(b, TPM_AUTH_ALWAYS);
	tb_put_u32(b, TPM_ALG_RSA);
	tb_put_u16(b, es);
	tb_put_u16(b, ss);
	tb_put_u32(b, 12);		/* TPM_RSA_KEY_PARMS */
	tb_put_u32(b, 2048);
	tb_put_u32(b, 2);
	tb_put_u32(b, 0);
	tb_put_u32(b, 0);		/* PCRInfoSize */
	tb_put_u32(b, 0);		/* pubKey */
	tb_put_u32(b, 0);		/* encData */
}

/*
 * CreateWrapKey under the SRK with the given schemes and key_auth, then
 * LoadKey2.  The harness' th_create_load_key() has fixed schemes; the
 * INFO and DER cases need others.  Returns the handle; the blob (for the
 * modulus) goes to @blob.
 */
static uint32_t create_key(struct th *t, uint16_t usage, uint16_t es,
			   uint16_t ss, uint8_t *blob, size_t *blob_len)
{
	uint8_t enc_usage[20], enc_mig[20];
	struct th_sess s;
	struct tpm_buf *b;
	uint32_t handle;

	if (th_osap(t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK, th_srk_auth))
		fail_msg("OSAP failed: 0x%x", t->rc);
	s.cont = false;
	th_adip(&s, key_auth, false, enc_usage);
	th_adip(&s, key_auth, true, enc_mig);
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, enc_usage, 20);
	tb_put_bytes(b, enc_mig, 20);
	key12_template(b, usage, es, ss);
	if (th_run(t, 1, &s, NULL))
		fail_msg("CreateWrapKey failed: 0x%x", t->rc);
	*blob_len = t->out.len;
	memcpy(blob, t->out.data, t->out.len);
	if (th_oiap(t, &s, th_srk_auth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	s.cont = false;
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, blob, *blob_len);
	th_out_handles(t, 1);
	if (th_run(t, 1, &s, NULL) || tb_get_u32(&t->out, &handle))
		fail_msg("LoadKey2 failed: 0x%x", t->rc);
	return handle;
}

/* Does @sig verify as RSASSA-PKCS1-v1_5 SHA-1 over SHA1(@msg)? */
static bool verify_sha1(const uint8_t *blob, size_t blob_len,
			const uint8_t *msg, size_t len, const uint8_t *sig,
			size_t siglen)
{
	const uint8_t *n;
	uint32_t n_len;
	uint8_t digest[20];

	th_key12_modulus(blob, blob_len, &n, &n_len);
	th_sha1(msg, len, digest);
	return th_verify_sha1(n, n_len, digest, sig, siglen);
}

/* A started, owned TPM with a loaded key of @usage/@es/@ss. */
struct owned {
	struct th t;
	uint32_t key;
	uint8_t blob[TPM_MAX_COMMAND_SIZE];
	size_t blob_len;
};

static void owned_init(struct owned *o, uint16_t usage, uint16_t es,
		       uint16_t ss)
{
	th_init(&o->t);
	th_take_ownership(&o->t);
	o->key = create_key(&o->t, usage, es, ss, o->blob, &o->blob_len);
}

static void signing_init(struct owned *o)
{
	owned_init(o, TPM_KEY_SIGNING, TPM_ES_NONE,
		   TPM_SS_RSASSAPKCS1v15_SHA1);
}

/* Quote (or Quote2 when @q2) with @key authorized by OIAP with @auth
 * (or no auth area when NULL). */
static uint32_t quote(struct th *t, bool q2, uint32_t key,
		      const uint8_t *auth, const uint8_t nonce[20],
		      uint32_t mask, bool add_version)
{
	struct tpm_buf *b;
	struct th_sess s;

	if (auth && th_oiap(t, &s, auth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	s.cont = false;
	b = th_begin(t, q2 ? TPM_ORD_Quote2 : TPM_ORD_Quote);
	tb_put_u32(b, key);
	tb_put_bytes(b, nonce, 20);
	tb_put_u16(b, 3);
	tb_put_u8(b, (uint8_t)mask);
	tb_put_u8(b, (uint8_t)(mask >> 8));
	tb_put_u8(b, (uint8_t)(mask >> 16));
	if (q2)
		tb_put_u8(b, add_version);
	return th_run(t, 1, auth ? &s : NULL, NULL);
}

/* The TPM_PCR_COMPOSITE of @mask built from PcrRead values. */
static size_t composite_sw(struct th *t, uint32_t mask, uint8_t *out)
{
	uint8_t v[20];
	size_t len = 2 + 3 + 4;
	unsigned int i, n = 0;

	out[0] = 0;
	out[1] = 3;
	out[2] = (uint8_t)mask;
	out[3] = (uint8_t)(mask >> 8);
	out[4] = (uint8_t)(mask >> 16);
	for (i = 0; i < 24; i++) {
		if (!(mask & (1U << i)))
			continue;
		assert_int_equal(pcr_read(t, i, v), TPM_SUCCESS);
		memcpy(out + len, v, 20);
		len += 20;
		n++;
	}
	tb_wr_be32(out + 5, n * 20);
	return len;
}

/* ------------------------------------------------ Extend, PcrRead, Reset */

/* Extend returns and stores SHA1(old || inDigest), twice in a row. */
static void pcr_extend_math(void **state)
{
	uint8_t d1[20], d2[20], want[20], out[20];
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	memset(d1, 0x11, 20);
	memset(d2, 0x22, 20);
	assert_int_equal(extend(&t, 10, d1, out), TPM_SUCCESS);
	extend_sw(zero, d1, want);
	assert_memory_equal(out, want, 20);
	assert_int_equal(extend(&t, 10, d2, out), TPM_SUCCESS);
	extend_sw(want, d2, want);
	assert_memory_equal(out, want, 20);
	assert_pcr(&t, 10, want);
	/* Other PCRs are untouched. */
	assert_pcr(&t, 9, zero);
	th_fini(&t);
}

/* Extend and PcrRead of an index past the last PCR: TPM_BADINDEX. */
static void pcr_extend_bad_index(void **state)
{
	uint8_t d[20] = { 1 }, v[20];
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(extend(&t, TPM_NUM_PCR, d, NULL), TPM_BADINDEX);
	assert_int_equal(extend(&t, 0xFFFFFFFFU, d, NULL), TPM_BADINDEX);
	assert_int_equal(pcr_read(&t, TPM_NUM_PCR, v), TPM_BADINDEX);
	assert_int_equal(pcr_read(&t, 0x80000000U, v), TPM_BADINDEX);
	th_fini(&t);
}

/* Startup(CLEAR): PCRs 0-16 and 23 are zero, 17-22 all ones. */
static void pcr_startup_values(void **state)
{
	struct th t;
	unsigned int i;

	(void)state;
	th_init_no_ek(&t);
	for (i = 0; i < TPM_NUM_PCR; i++)
		assert_pcr(&t, i, i >= 17 && i <= 22 ? ff : zero);
	th_fini(&t);
}

/* A disabled or deactivated TPM still extends but reports zeros (Part 3,
 * 16.1 steps 8-9); the real value shows once the flag is cleared. */
static void pcr_extend_deactivated_zero_digest(void **state)
{
	uint8_t d[20], out[20], want[20];
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	memset(d, 0x5a, 20);
	/* Reaching these flags by command belongs to optin.c's tests. */
	t.s->sf.deactivated = true;
	assert_int_equal(extend(&t, 4, d, out), TPM_SUCCESS);
	assert_memory_equal(out, zero, 20);
	t.s->sf.deactivated = false;
	extend_sw(zero, d, want);
	assert_pcr(&t, 4, want);
	t.s->pf.disable = true;
	assert_int_equal(extend(&t, 4, d, out), TPM_SUCCESS);
	assert_memory_equal(out, zero, 20);
	t.s->pf.disable = false;
	extend_sw(want, d, want);
	assert_pcr(&t, 4, want);
	th_fini(&t);
}

/* PcrRead is not available while disabled (TPM_DISABLED) or deactivated
 * (TPM_DEACTIVATED) (Part 2, 17; libtpms and hardware TPMs agree), and
 * works again once the flag is cleared. */
static void pcr_read_disabled_deactivated(void **state)
{
	uint8_t v[20];
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	t.s->pf.disable = true;
	assert_int_equal(pcr_read(&t, 0, v), TPM_DISABLED);
	t.s->pf.disable = false;
	t.s->sf.deactivated = true;
	assert_int_equal(pcr_read(&t, 0, v), TPM_DEACTIVATED);
	t.s->sf.deactivated = false;
	assert_pcr(&t, 0, zero);
	th_fini(&t);
}

/* PC Client pcrExtendLocal of PCRs 16-23, bit l = locality l. */
static const uint8_t extend_local[8] = {
	0x1f, 0x1c, 0x1c, 0x0c, 0x0e, 0x04, 0x04, 0x1f,
};
/* PC Client pcrResetLocal of PCRs 16-23. */
static const uint8_t reset_local[8] = {
	0x1f, 0x10, 0x10, 0x10, 0x14, 0x04, 0x04, 0x1f,
};

/* Every PCR 0-23 at every locality extends exactly where the PC Client
 * table allows it, and a refused extend changes nothing. */
static void pcr_extend_locality_table(void **state)
{
	uint8_t d[20] = { 0x42 }, before[20], want[20];
	unsigned int pcr, loc;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	for (pcr = 0; pcr < TPM_NUM_PCR; pcr++) {
		for (loc = 0; loc <= 4; loc++) {
			bool ok = pcr < 16 ||
				  (extend_local[pcr - 16] & (1U << loc));

			set_locality(&t, loc);
			assert_int_equal(pcr_read(&t, pcr, before),
					 TPM_SUCCESS);
			assert_int_equal(extend(&t, pcr, d, NULL),
					 ok ? TPM_SUCCESS : TPM_BAD_LOCALITY);
			if (ok)
				extend_sw(before, d, want);
			else
				memcpy(want, before, 20);
			assert_pcr(&t, pcr, want);
		}
	}
	th_fini(&t);
}

/* Every resettable PCR at every locality resets exactly where the table
 * allows it (to zero), else TPM_NOTLOCAL with the value kept. */
static void pcr_reset_locality_table(void **state)
{
	uint8_t d[20] = { 0x17 }, before[20];
	unsigned int pcr, loc;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	for (pcr = 16; pcr < TPM_NUM_PCR; pcr++) {
		for (loc = 0; loc <= 4; loc++) {
			bool ok = reset_local[pcr - 16] & (1U << loc);

			/* Make the value neither reset value. */
			set_locality(&t, 3);
			if (pcr == 16 || pcr == 23)
				set_locality(&t, 0);
			if (pcr >= 21 && pcr <= 22)
				set_locality(&t, 2);
			if (pcr == 17)
				set_locality(&t, 4);
			assert_int_equal(extend(&t, pcr, d, NULL),
					 TPM_SUCCESS);
			assert_int_equal(pcr_read(&t, pcr, before),
					 TPM_SUCCESS);
			set_locality(&t, loc);
			assert_int_equal(pcr_reset(&t, 1U << pcr),
					 ok ? TPM_SUCCESS : TPM_NOTLOCAL);
			assert_pcr(&t, pcr, ok ? zero : before);
		}
	}
	th_fini(&t);
}

/* PCRs 0-15 are never resettable, whatever the locality. */
static void pcr_reset_static_notresetable(void **state)
{
	unsigned int pcr;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	set_locality(&t, 4);
	for (pcr = 0; pcr < 16; pcr++)
		assert_int_equal(pcr_reset(&t, 1U << pcr), TPM_NOTRESETABLE);
	th_fini(&t);
}

/* All selected PCRs are checked before any is reset: a selection with
 * one static PCR resets nothing. */
static void pcr_reset_checks_all_first(void **state)
{
	uint8_t d[20] = { 9 }, v16[20];
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(extend(&t, 16, d, v16), TPM_SUCCESS);
	assert_int_equal(pcr_reset(&t, (1U << 16) | (1U << 3)),
			 TPM_NOTRESETABLE);
	assert_pcr(&t, 16, v16);
	/* ...and one PCR not resettable here: TPM_NOTLOCAL, nothing reset. */
	assert_int_equal(pcr_reset(&t, (1U << 16) | (1U << 17)),
			 TPM_NOTLOCAL);
	assert_pcr(&t, 16, v16);
	assert_int_equal(pcr_reset(&t, (1U << 16) | (1U << 23)), TPM_SUCCESS);
	assert_pcr(&t, 16, zero);
	th_fini(&t);
}

/* A selection naming no PCR (any size) is TPM_INVALID_PCR_INFO. */
static void pcr_reset_empty_selection(void **state)
{
	static const uint8_t size0[] = { 0x00, 0xC1, 0, 0, 0, 12, 0, 0, 0,
					 0xC8, 0, 0 };
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(pcr_reset(&t, 0), TPM_INVALID_PCR_INFO);
	assert_int_equal(th_raw(&t, size0, sizeof(size0)),
			 TPM_INVALID_PCR_INFO);
	th_fini(&t);
}

/* PC Client TIS: after a reset to zero, the locality-4 PCR 17 is
 * extended first by locality 4, and then by 3 and 2 again. */
static void pcr_extend_locality4_pcr_at_zero(void **state)
{
	uint8_t d[20] = { 4 }, want[20];
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	set_locality(&t, 4);
	assert_int_equal(pcr_reset(&t, 1U << 17), TPM_SUCCESS);
	set_locality(&t, 2);
	assert_int_equal(extend(&t, 17, d, NULL), TPM_BAD_LOCALITY);
	assert_pcr(&t, 17, zero);
	set_locality(&t, 4);
	assert_int_equal(extend(&t, 17, d, NULL), TPM_SUCCESS);
	extend_sw(zero, d, want);
	set_locality(&t, 2);
	assert_int_equal(extend(&t, 17, d, NULL), TPM_SUCCESS);
	extend_sw(want, d, want);
	assert_pcr(&t, 17, want);
	th_fini(&t);
}

/* ------------------------------------------------------------ SHA-1 threads */

static uint32_t sha1_start(struct th *t, uint32_t *max)
{
	th_begin(t, TPM_ORD_SHA1Start);
	if (th_run(t, 0, NULL, NULL) == TPM_SUCCESS &&
	    (tb_get_u32(&t->out, max) || tb_expect_end(&t->out)))
		fail_msg("bad SHA1Start response");
	return t->rc;
}

static uint32_t sha1_update(struct th *t, const uint8_t *d, uint32_t n)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_SHA1Update);

	tb_put_sized(b, d, n);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t sha1_complete(struct th *t, const uint8_t *d, uint32_t n,
			      uint8_t out[20])
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_SHA1Complete);

	tb_put_sized(b, d, n);
	if (th_run(t, 0, NULL, NULL) == TPM_SUCCESS &&
	    (tb_get_bytes(&t->out, out, 20) || tb_expect_end(&t->out)))
		fail_msg("bad SHA1Complete response");
	return t->rc;
}

static uint32_t sha1_complete_extend(struct th *t, uint32_t pcr,
				     const uint8_t *d, uint32_t n,
				     uint8_t hash[20], uint8_t out[20])
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_SHA1CompleteExtend);

	tb_put_u32(b, pcr);
	tb_put_sized(b, d, n);
	if (th_run(t, 0, NULL, NULL) == TPM_SUCCESS &&
	    (tb_get_bytes(&t->out, hash, 20) ||
	     tb_get_bytes(&t->out, out, 20) || tb_expect_end(&t->out)))
		fail_msg("bad SHA1CompleteExtend response");
	return t->rc;
}

/* Start, Update with whole blocks, Complete with a partial block: the
 * SHA-1 of all the bytes; maxNumBytes is a multiple of 64. */
static void sha1_thread_digest(void **state)
{
	uint8_t data[200], got[20], want[20];
	uint32_t max, i;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_true(max >= 64 && max % 64 == 0);
	assert_int_equal(sha1_update(&t, data, 128), TPM_SUCCESS);
	assert_int_equal(sha1_update(&t, data + 128, 64), TPM_SUCCESS);
	assert_int_equal(sha1_complete(&t, data + 192, 8, got), TPM_SUCCESS);
	SHA1(data, sizeof(data), want);
	assert_memory_equal(got, want, 20);
	/* The thread is over. */
	assert_int_equal(sha1_update(&t, data, 64), TPM_SHA_THREAD);
	th_fini(&t);
}

/* A thread that received no bytes digests the empty string; a full
 * maxNumBytes update is accepted. */
static void sha1_thread_empty_and_max(void **state)
{
	static uint8_t big[TPM_MAX_COMMAND_SIZE];
	uint8_t got[20], want[20];
	uint32_t max;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_complete(&t, NULL, 0, got), TPM_SUCCESS);
	SHA1((const uint8_t *)"", 0, want);
	assert_memory_equal(got, want, 20);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_true(max <= sizeof(big) - 64);
	assert_int_equal(sha1_update(&t, big, max), TPM_SUCCESS);
	assert_int_equal(sha1_complete(&t, big, 64, got), TPM_SUCCESS);
	SHA1(big, max + 64, want);
	assert_memory_equal(got, want, 20);
	th_fini(&t);
}

/* Update, Complete and CompleteExtend without a thread: TPM_SHA_THREAD. */
static void sha1_no_thread(void **state)
{
	uint8_t d[64] = { 0 }, h[20], o[20];
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(sha1_update(&t, d, 64), TPM_SHA_THREAD);
	assert_int_equal(sha1_complete(&t, d, 1, h), TPM_SHA_THREAD);
	assert_int_equal(sha1_complete_extend(&t, 16, d, 1, h, o),
			 TPM_SHA_THREAD);
	assert_pcr(&t, 16, zero);
	th_fini(&t);
}

/* Update with a partial block or more than maxNumBytes, and Complete with
 * more than one block: TPM_SHA_ERROR, and the thread ends. */
static void sha1_size_errors(void **state)
{
	static uint8_t big[TPM_MAX_COMMAND_SIZE];
	uint32_t max;
	uint8_t h[20];
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_update(&t, big, 63), TPM_SHA_ERROR);
	assert_int_equal(sha1_update(&t, big, 64), TPM_SHA_THREAD);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_update(&t, big, max + 64), TPM_SHA_ERROR);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_complete(&t, big, 65, h), TPM_SHA_ERROR);
	assert_int_equal(sha1_complete(&t, big, 1, h), TPM_SHA_THREAD);
	th_fini(&t);
}

/* SHA1Start while a thread runs starts over. */
static void sha1_start_restarts(void **state)
{
	uint8_t a[64], got[20], want[20];
	uint32_t max;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	memset(a, 'a', sizeof(a));
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_update(&t, a, 64), TPM_SUCCESS);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_complete(&t, (const uint8_t *)"abc", 3, got),
			 TPM_SUCCESS);
	SHA1((const uint8_t *)"abc", 3, want);
	assert_memory_equal(got, want, 20);
	th_fini(&t);
}

/* Part 3, 13.1: any other command between Start and Complete ends the
 * thread (dispatch calls tpm_sha1_thread_notify()). */
static void sha1_other_command_ends_thread(void **state)
{
	uint8_t d[64] = { 0 }, v[20];
	uint32_t max;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_update(&t, d, 64), TPM_SUCCESS);
	assert_int_equal(pcr_read(&t, 0, v), TPM_SUCCESS);
	assert_int_equal(sha1_update(&t, d, 64), TPM_SHA_THREAD);
	th_fini(&t);
}

/* CompleteExtend returns the thread's digest and extends it into the
 * PCR like TPM_Extend. */
static void sha1_complete_extend_extends(void **state)
{
	uint8_t d[64], all[69], h[20], o[20], want_h[20], want_pcr[20];
	uint32_t max;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	memset(d, 0x33, sizeof(d));
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_update(&t, d, 64), TPM_SUCCESS);
	assert_int_equal(sha1_complete_extend(&t, 23, d, 5, h, o),
			 TPM_SUCCESS);
	memcpy(all, d, 64);
	memcpy(all + 64, d, 5);
	SHA1(all, sizeof(all), want_h);
	assert_memory_equal(h, want_h, 20);
	extend_sw(zero, want_h, want_pcr);
	assert_memory_equal(o, want_pcr, 20);
	assert_pcr(&t, 23, want_pcr);
	th_fini(&t);
}

/* CompleteExtend to a PCR this locality may not extend, or past the last
 * PCR, is refused and (Part 3, 13.4: the command terminates the pending
 * SHA-1 calculation) ends the thread; the PCR is untouched. */
static void sha1_complete_extend_refused(void **state)
{
	uint8_t d[64] = { 0 }, h[20], o[20];
	uint32_t max;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_complete_extend(&t, 17, NULL, 0, h, o),
			 TPM_BAD_LOCALITY);
	assert_pcr(&t, 17, ff);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_complete_extend(&t, 24, NULL, 0, h, o),
			 TPM_BADINDEX);
	assert_int_equal(sha1_update(&t, d, 64), TPM_SHA_THREAD);
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(sha1_complete_extend(&t, 24, NULL, 0, h, o),
			 TPM_BADINDEX);
	assert_int_equal(sha1_complete(&t, (const uint8_t *)"x", 1, h),
			 TPM_SHA_THREAD);
	th_fini(&t);
}

/* A malformed SHA1Complete/CompleteExtend (short input) is answered
 * TPM_BAD_PARAM_SIZE and, never having been parsed, leaves the thread
 * running. */
static void sha1_complete_malformed_keeps_thread(void **state)
{
	/* hashDataSize 1 (resp. 4) with no data following. */
	static const uint8_t complete_short[] = {
		0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0xA2, 0, 0, 0, 1,
	};
	static const uint8_t extend_short[] = {
		0x00, 0xC1, 0, 0, 0, 18, 0, 0, 0, 0xA3, 0, 0, 0, 16, 0, 0,
		0, 4,
	};
	uint8_t d[64], h[20], want[20];
	uint32_t max;
	struct th t;

	(void)state;
	th_init_no_ek(&t);
	memset(d, 0x44, sizeof(d));
	assert_int_equal(sha1_start(&t, &max), TPM_SUCCESS);
	assert_int_equal(th_raw(&t, complete_short, sizeof(complete_short)),
			 TPM_BAD_PARAM_SIZE);
	assert_int_equal(th_raw(&t, extend_short, sizeof(extend_short)),
			 TPM_BAD_PARAM_SIZE);
	assert_int_equal(sha1_update(&t, d, 64), TPM_SUCCESS);
	assert_int_equal(sha1_complete(&t, NULL, 0, h), TPM_SUCCESS);
	SHA1(d, sizeof(d), want);
	assert_memory_equal(h, want, 20);
	th_fini(&t);
}

/* ------------------------------------------------------------ Quote */

/* Quote returns the composite of the selected PCRs and a signature over
 * TPM_QUOTE_INFO (1.1.0.0, "QUOT", SHA1(composite), nonce) that OpenSSL
 * verifies with the key's public part. */
static void quote_signature_verifies(void **state)
{
	static const uint32_t mask = (1U << 0) | (1U << 10) | (1U << 17);
	uint8_t nonce[20], d[20] = { 7 }, comp[600], info[48];
	const uint8_t *pcr_data, *sig;
	uint32_t siglen;
	size_t clen;
	struct owned o;

	(void)state;
	signing_init(&o);
	memset(nonce, 0xa5, sizeof(nonce));
	assert_int_equal(extend(&o.t, 10, d, NULL), TPM_SUCCESS);
	clen = composite_sw(&o.t, mask, comp);
	assert_int_equal(quote(&o.t, false, o.key, key_auth, nonce, mask,
			       false), TPM_SUCCESS);
	if (tb_get_ref(&o.t.out, &pcr_data, clen) ||
	    tb_get_u32(&o.t.out, &siglen) ||
	    tb_get_ref(&o.t.out, &sig, siglen) || tb_expect_end(&o.t.out))
		fail_msg("malformed Quote response");
	assert_memory_equal(pcr_data, comp, clen);
	memcpy(info, "\x01\x01\x00\x00QUOT", 8);
	SHA1(comp, clen, info + 8);
	memcpy(info + 28, nonce, 20);
	assert_true(verify_sha1(o.blob, o.blob_len, info, sizeof(info), sig,
				siglen));
	/* A different nonce does not verify against this signature. */
	info[47] ^= 1;
	assert_false(verify_sha1(o.blob, o.blob_len, info, sizeof(info), sig,
				 siglen));
	th_fini(&o.t);
}

/* Quote accepts INFO-scheme keys (signing the same digest) and refuses
 * DER-scheme and non-signing keys with TPM_INAPPROPRIATE_SIG. */
static void quote_key_schemes(void **state)
{
	uint8_t nonce[20] = { 1 }, comp[100], info[48], blob[4096];
	uint32_t der, siglen;
	const uint8_t *sig;
	size_t clen, blen;
	struct owned o;

	(void)state;
	owned_init(&o, TPM_KEY_SIGNING, TPM_ES_NONE,
		   TPM_SS_RSASSAPKCS1v15_INFO);
	clen = composite_sw(&o.t, 1U << 5, comp);
	assert_int_equal(quote(&o.t, false, o.key, key_auth, nonce, 1U << 5,
			       false), TPM_SUCCESS);
	if (tb_skip(&o.t.out, clen) || tb_get_u32(&o.t.out, &siglen) ||
	    tb_get_ref(&o.t.out, &sig, siglen))
		fail_msg("malformed Quote response");
	memcpy(info, "\x01\x01\x00\x00QUOT", 8);
	SHA1(comp, clen, info + 8);
	memcpy(info + 28, nonce, 20);
	assert_true(verify_sha1(o.blob, o.blob_len, info, sizeof(info), sig,
				siglen));
	der = create_key(&o.t, TPM_KEY_SIGNING, TPM_ES_NONE,
			 TPM_SS_RSASSAPKCS1v15_DER, blob, &blen);
	assert_int_equal(quote(&o.t, false, der, key_auth, nonce, 1, false),
			 TPM_INAPPROPRIATE_SIG);
	assert_int_equal(quote(&o.t, false, TPM_KH_SRK, th_srk_auth, nonce, 1,
			       false), TPM_INAPPROPRIATE_SIG);
	th_fini(&o.t);
}

/* Quote with a wrong key secret: TPM_AUTHFAIL; with no auth area for a
 * key that needs one: TPM_AUTHFAIL; with an unknown handle:
 * TPM_INVALID_KEYHANDLE. */
static void quote_auth_and_handle_errors(void **state)
{
	uint8_t nonce[20] = { 2 };
	struct owned o;

	(void)state;
	signing_init(&o);
	assert_int_equal(quote(&o.t, false, o.key, th_zero_auth, nonce, 1,
			       false), TPM_AUTHFAIL);
	assert_int_equal(quote(&o.t, false, o.key, NULL, nonce, 1, false),
			 TPM_AUTHFAIL);
	assert_int_equal(quote(&o.t, false, o.key ^ 0x1000, key_auth, nonce,
			       1, false), TPM_INVALID_KEYHANDLE);
	assert_int_equal(quote(&o.t, true, o.key, th_zero_auth, nonce, 1,
			       false), TPM_AUTHFAIL);
	th_fini(&o.t);
}

/* Quote of a selection wider than 24 PCRs: TPM_INVALID_PCR_INFO. */
static void quote_bad_selection(void **state)
{
	uint8_t nonce[20] = { 3 };
	struct tpm_buf *b;
	struct th_sess s;
	struct owned o;

	(void)state;
	signing_init(&o);
	assert_int_equal(th_oiap(&o.t, &s, key_auth), TPM_SUCCESS);
	b = th_begin(&o.t, TPM_ORD_Quote);
	tb_put_u32(b, o.key);
	tb_put_bytes(b, nonce, 20);
	tb_put_u16(b, 4);
	tb_put_u32(b, 0x01000000U);
	assert_int_equal(th_run(&o.t, 1, &s, NULL), TPM_INVALID_PCR_INFO);
	th_fini(&o.t);
}

/* TPM_CAP_VERSION_INFO as GetCapability(TPM_CAP_VERSION_VAL) reports it
 * (capability.c's code, not Quote2's); returns its length. */
static size_t cap_version_val(struct th *t, uint8_t *out, size_t cap)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_GetCapability);
	const uint8_t *p;
	uint32_t n;

	tb_put_u32(b, TPM_CAP_VERSION_VAL);
	tb_put_u32(b, 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	if (tb_get_u32(&t->out, &n) || n > cap || tb_get_ref(&t->out, &p, n) ||
	    tb_expect_end(&t->out))
		fail_msg("bad GetCapability(VERSION_VAL) response");
	memcpy(out, p, n);
	return n;
}

/*
 * Check a Quote2 response for @mask and @nonce at locality @loc.  The
 * expected TPM_PCR_INFO_SHORT and TPM_QUOTE_INFO2 are built here field by
 * field from Part 2 (8.5 and 11.4), from PcrRead values and from
 * GetCapability, never from the response: pcrData must equal the built
 * TPM_PCR_INFO_SHORT byte for byte, and the signature must verify over
 * the built TPM_QUOTE_INFO2 (tag, "QUT2", externalData, infoShort, then
 * TPM_CAP_VERSION_INFO when addVersion).
 */
static void check_quote2(struct owned *o, uint32_t mask,
			 const uint8_t nonce[20], unsigned int loc,
			 bool add_version)
{
	uint8_t comp[600], short_info[26], cap_ver[64], info[200];
	const uint8_t *pcr_data, *ver, *sig;
	uint32_t ver_len, siglen;
	struct th *t = &o->t;
	size_t clen, cap_len, n;

	/* Built before the quote: both reuse t->out. */
	clen = composite_sw(t, mask, comp);
	cap_len = cap_version_val(t, cap_ver, sizeof(cap_ver));
	/* TPM_PCR_INFO_SHORT: pcrSelection (sizeOfSelect 3 and the mask as
	 * sent), localityAtRelease = the current locality's bit,
	 * digestAtRelease = SHA-1 of the TPM_PCR_COMPOSITE (also for an
	 * empty selection, see docs/diff-allowed.md). */
	short_info[0] = 0;
	short_info[1] = 3;
	short_info[2] = (uint8_t)mask;
	short_info[3] = (uint8_t)(mask >> 8);
	short_info[4] = (uint8_t)(mask >> 16);
	short_info[5] = (uint8_t)(1U << loc);
	SHA1(comp, clen, short_info + 6);
	set_locality(t, loc);
	assert_int_equal(quote(t, true, o->key, key_auth, nonce, mask,
			       add_version), TPM_SUCCESS);
	if (tb_get_ref(&t->out, &pcr_data, sizeof(short_info)) ||
	    tb_get_u32(&t->out, &ver_len) ||
	    tb_get_ref(&t->out, &ver, ver_len) ||
	    tb_get_u32(&t->out, &siglen) ||
	    tb_get_ref(&t->out, &sig, siglen) || tb_expect_end(&t->out))
		fail_msg("malformed Quote2 response");
	assert_memory_equal(pcr_data, short_info, sizeof(short_info));
	if (add_version) {
		/* TPM_CAP_VERSION_INFO: tag, version 1.2, specLevel 2, ...
		 * and the same bytes GetCapability(VERSION_VAL) gives. */
		assert_int_equal(ver_len, cap_len);
		assert_memory_equal(ver, cap_ver, cap_len);
		assert_int_equal(tb_be16(ver), TPM_TAG_CAP_VERSION_INFO);
		assert_int_equal(ver[2], 1);
		assert_int_equal(ver[3], 2);
		assert_int_equal(tb_be16(ver + 6), 2);
	} else {
		assert_int_equal(ver_len, 0);
		cap_len = 0;
	}
	/* TPM_QUOTE_INFO2 (Part 2, 11.4), then the version info. */
	tb_wr_be16(info, TPM_TAG_QUOTE_INFO2);
	memcpy(info + 2, "QUT2", 4);
	memcpy(info + 6, nonce, 20);
	memcpy(info + 26, short_info, sizeof(short_info));
	n = 26 + sizeof(short_info);
	memcpy(info + n, cap_ver, cap_len);
	n += cap_len;
	assert_true(verify_sha1(o->blob, o->blob_len, info, n, sig, siglen));
	/* The layout with infoShort before the nonce must not verify. */
	memcpy(info + 6, short_info, sizeof(short_info));
	memcpy(info + 6 + sizeof(short_info), nonce, 20);
	assert_false(verify_sha1(o->blob, o->blob_len, info, n, sig, siglen));
}

/* Quote2 reports TPM_PCR_INFO_SHORT with the current locality and signs
 * TPM_QUOTE_INFO2, with and without TPM_CAP_VERSION_INFO. */
static void quote2_signature_verifies(void **state)
{
	uint8_t nonce[20], d[20] = { 8 };
	struct owned o;

	(void)state;
	signing_init(&o);
	memset(nonce, 0x3c, sizeof(nonce));
	assert_int_equal(extend(&o.t, 16, d, NULL), TPM_SUCCESS);
	check_quote2(&o, (1U << 16) | (1U << 2), nonce, 0, false);
	check_quote2(&o, (1U << 16) | (1U << 20), nonce, 3, true);
	check_quote2(&o, 0, nonce, 4, true);
	th_fini(&o.t);
}

/* Quote2 takes only the SHA1 scheme: an INFO key gets
 * TPM_INAPPROPRIATE_SIG (Part 3, 16.5 step 2). */
static void quote2_info_key_refused(void **state)
{
	uint8_t nonce[20] = { 4 };
	struct owned o;

	(void)state;
	owned_init(&o, TPM_KEY_SIGNING, TPM_ES_NONE,
		   TPM_SS_RSASSAPKCS1v15_INFO);
	assert_int_equal(quote(&o.t, true, o.key, key_auth, nonce, 1, true),
			 TPM_INAPPROPRIATE_SIG);
	th_fini(&o.t);
}

/* Quote and Quote2 are not available while deactivated. */
static void quote_deactivated(void **state)
{
	uint8_t nonce[20] = { 5 };
	struct owned o;

	(void)state;
	signing_init(&o);
	o.t.s->sf.deactivated = true;
	assert_int_equal(quote(&o.t, false, o.key, key_auth, nonce, 1, false),
			 TPM_DEACTIVATED);
	assert_int_equal(quote(&o.t, true, o.key, key_auth, nonce, 1, false),
			 TPM_DEACTIVATED);
	th_fini(&o.t);
}

/* ------------------------------------------------------------ malformed */

#define V TH_VEC_BYTES
#define D20 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/* Short, trailing and malformed inputs of this family's ordinals. */
static const struct th_vector vectors[] = {
	V("Extend without inDigest", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0x14, 0, 0, 0, 1),
	V("Extend with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 35, 0, 0, 0, 0x14, 0, 0, 0, 1, D20, 0),
	V("Extend with an auth tag", TPM_BADTAG,
	  0x00, 0xC2, 0, 0, 0, 34, 0, 0, 0, 0x14, 0, 0, 0, 1, D20),
	V("PcrRead with a short index", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0x15, 0, 0),
	V("PcrRead with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 15, 0, 0, 0, 0x15, 0, 0, 0, 1, 9),
	V("PCR_Reset with a short select", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0xC8, 0, 3, 0, 1),
	V("PCR_Reset with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 16, 0, 0, 0, 0xC8, 0, 3, 0, 0, 1, 0),
	V("PCR_Reset with sizeOfSelect 4", TPM_INVALID_PCR_INFO,
	  0x00, 0xC1, 0, 0, 0, 16, 0, 0, 0, 0xC8, 0, 4, 0, 0, 1, 0),
	V("SHA1Start with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 11, 0, 0, 0, 0xA0, 0),
	V("SHA1Update with numBytes past the end", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 16, 0, 0, 0, 0xA1, 0, 0, 0, 64, 1, 2),
	V("SHA1Update without numBytes", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0xA1, 0, 0),
	V("SHA1Complete with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 16, 0, 0, 0, 0xA2, 0, 0, 0, 1, 'a', 'b'),
	V("SHA1CompleteExtend without hashDataSize", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0xA3, 0, 0, 0, 16),
	V("Quote without targetPCR", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 34, 0, 0, 0, 0x16, 1, 0, 0, 0, D20),
	V("Quote with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 40, 0, 0, 0, 0x16, 1, 0, 0, 0, D20,
	  0, 3, 1, 0, 0, 0),
	V("Quote2 with addVersion 2", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 40, 0, 0, 0, 0x3E, 1, 0, 0, 0, D20,
	  0, 3, 1, 0, 0, 2),
	V("Quote2 without addVersion", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 39, 0, 0, 0, 0x3E, 1, 0, 0, 0, D20,
	  0, 3, 1, 0, 0),
	V("Quote with an AUTH2 tag", TPM_BADTAG,
	  0x00, 0xC3, 0, 0, 0, 39, 0, 0, 0, 0x16, 1, 0, 0, 0, D20,
	  0, 3, 1, 0, 0),
};

/* Every vector gets its return code, and the TPM still works after. */
static void pcr_malformed_vectors(void **state)
{
	struct th t;
	uint8_t v[20];

	(void)state;
	th_init_no_ek(&t);
	th_run_vectors(&t, vectors, ARRAY_SIZE(vectors));
	assert_pcr(&t, 1, zero);
	assert_int_equal(pcr_read(&t, 0, v), TPM_SUCCESS);
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pcr_extend_math),
		cmocka_unit_test(pcr_extend_bad_index),
		cmocka_unit_test(pcr_startup_values),
		cmocka_unit_test(pcr_extend_deactivated_zero_digest),
		cmocka_unit_test(pcr_read_disabled_deactivated),
		cmocka_unit_test(pcr_extend_locality_table),
		cmocka_unit_test(pcr_reset_locality_table),
		cmocka_unit_test(pcr_reset_static_notresetable),
		cmocka_unit_test(pcr_reset_checks_all_first),
		cmocka_unit_test(pcr_reset_empty_selection),
		cmocka_unit_test(pcr_extend_locality4_pcr_at_zero),
		cmocka_unit_test(sha1_thread_digest),
		cmocka_unit_test(sha1_thread_empty_and_max),
		cmocka_unit_test(sha1_no_thread),
		cmocka_unit_test(sha1_size_errors),
		cmocka_unit_test(sha1_start_restarts),
		cmocka_unit_test(sha1_other_command_ends_thread),
		cmocka_unit_test(sha1_complete_extend_extends),
		cmocka_unit_test(sha1_complete_extend_refused),
		cmocka_unit_test(sha1_complete_malformed_keeps_thread),
		cmocka_unit_test(quote_signature_verifies),
		cmocka_unit_test(quote_key_schemes),
		cmocka_unit_test(quote_auth_and_handle_errors),
		cmocka_unit_test(quote_bad_selection),
		cmocka_unit_test(quote2_signature_verifies),
		cmocka_unit_test(quote2_info_key_refused),
		cmocka_unit_test(quote_deactivated),
		cmocka_unit_test(pcr_malformed_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
