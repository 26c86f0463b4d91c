// SPDX-License-Identifier: GPL-2.0
/*
 * random.c and ticks.c: TPM_GetRandom, TPM_StirRandom (Part 3, 13.6-13.7),
 * TPM_GetTicks and TPM_TickStampBlob (Part 3, 23), including the
 * signature of a tick stamp verified with OpenSSL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "harness.h"

static const uint8_t key_auth[20] = "tick-stamp-key-secr";

/* GetRandom returns the bytes asked for, different each time, and caps
 * a huge request to what one response can carry. */
static void get_random_sizes(void **state)
{
	uint8_t a[32], b[32];
	struct tpm_buf *in;
	uint32_t n;
	struct th t;

	(void)state;
	th_init(&t);
	in = th_begin(&t, TPM_ORD_GetRandom);
	tb_put_u32(in, 32);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&t.out, &n), 0);
	assert_int_equal(n, 32);
	assert_int_equal(tb_get_bytes(&t.out, a, 32), 0);
	in = th_begin(&t, TPM_ORD_GetRandom);
	tb_put_u32(in, 32);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_SUCCESS);
	tb_skip(&t.out, 4);
	tb_get_bytes(&t.out, b, 32);
	assert_memory_not_equal(a, b, 32);
	in = th_begin(&t, TPM_ORD_GetRandom);
	tb_put_u32(in, 0xFFFFFFFFU);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_SUCCESS);
	assert_true(t.rsp_len <= TPM_MAX_COMMAND_SIZE);
	assert_int_equal(tb_get_u32(&t.out, &n), 0);
	assert_int_equal(n, TPM_MAX_COMMAND_SIZE - 14);
	th_fini(&t);
}

/* StirRandom takes up to 255 bytes; 256 is TPM_BAD_PARAMETER and a size
 * larger than the data is TPM_BAD_PARAM_SIZE. */
static void stir_random_limits(void **state)
{
	uint8_t data[256] = { 0 };
	struct tpm_buf *in;
	struct th t;

	(void)state;
	th_init(&t);
	in = th_begin(&t, TPM_ORD_StirRandom);
	tb_put_sized(in, data, 255);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_SUCCESS);
	in = th_begin(&t, TPM_ORD_StirRandom);
	tb_put_sized(in, data, 256);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_BAD_PARAMETER);
	in = th_begin(&t, TPM_ORD_StirRandom);
	tb_put_u32(in, 10);
	tb_put_bytes(in, data, 5);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_BAD_PARAM_SIZE);
	th_fini(&t);
}

struct ticks {
	uint16_t tag, rate;
	uint64_t value;
	uint8_t nonce[20];
};

static void get_ticks(struct th *t, struct ticks *k)
{
	th_begin(t, TPM_ORD_GetTicks);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u16(&t->out, &k->tag), 0);
	assert_int_equal(tb_get_u64(&t->out, &k->value), 0);
	assert_int_equal(tb_get_u16(&t->out, &k->rate), 0);
	assert_int_equal(tb_get_bytes(&t->out, k->nonce, 20), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
}

/* Ticks advance within a session; a new Startup changes the tick nonce
 * (stamps of different sessions are not comparable) and restarts them. */
static void get_ticks_monotonic_and_nonce(void **state)
{
	static const uint8_t startup[] = { 0x00, 0xC1, 0, 0, 0, 12,
					   0, 0, 0, 0x99, 0x00, 0x01 };
	struct ticks a, b, c;
	struct th t;

	(void)state;
	th_init(&t);
	get_ticks(&t, &a);
	assert_int_equal(a.tag, TPM_TAG_CURRENT_TICKS);
	assert_int_equal(a.rate, 1);
	usleep(2000);
	get_ticks(&t, &b);
	assert_true(b.value >= a.value + 2000);
	assert_memory_equal(a.nonce, b.nonce, 20);
	tpm_init(t.s);
	assert_int_equal(th_raw(&t, startup, sizeof(startup)), TPM_SUCCESS);
	get_ticks(&t, &c);
	assert_memory_not_equal(a.nonce, c.nonce, 20);
	assert_true(c.value < b.value);
	/* Trailing bytes are malformed. */
	tb_put_u8(th_begin(&t, TPM_ORD_GetTicks), 0);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_BAD_PARAM_SIZE);
	th_fini(&t);
}

/* The public key of a loaded key, for OpenSSL. */
static EVP_PKEY *pubkey_of(struct th *t, uint32_t handle)
{
	struct th_sess s;
	struct tpm_key k;
	struct tpm_buf *in;
	EVP_PKEY *pkey;

	assert_int_equal(th_oiap(t, &s, key_auth), 0);
	in = th_begin(t, TPM_ORD_GetPubKey);
	tb_put_u32(in, handle);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_SUCCESS);
	memset(&k, 0, sizeof(k));
	assert_int_equal(tpm_pubkey_get(&t->out, &k), TPM_SUCCESS);
	pkey = th_rsa_pub(k.n, k.n_len);
	tpm_key_clear(&k);
	return pkey;
}

/* TickStampBlob signs TPM_SIGN_INFO{"TSTP", antiReplay, digest ||
 * ticks}: rebuilt here independently and verified with OpenSSL. */
static void tick_stamp_blob_signature(void **state)
{
	uint8_t nonce[20] = "anti-replay-nonce-01", digest[20] = "blob-digest-blob-dig";
	uint8_t info[128], ticks[32], sig[256], sha[20];
	struct th_sess s;
	struct tpm_buf *in, ib;
	EVP_PKEY_CTX *vctx;
	EVP_PKEY *pk;
	uint32_t h, siglen;
	struct th t;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	h = th_create_load_key(&t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	pk = pubkey_of(&t, h);
	assert_int_equal(th_oiap(&t, &s, key_auth), 0);
	in = th_begin(&t, TPM_ORD_TickStampBlob);
	tb_put_u32(in, h);
	tb_put_bytes(in, nonce, 20);
	tb_put_bytes(in, digest, 20);
	assert_int_equal(th_run(&t, 1, &s, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_bytes(&t.out, ticks, 32), 0);
	assert_int_equal(tb_get_u32(&t.out, &siglen), 0);
	assert_int_equal(siglen, 256);
	assert_int_equal(tb_get_bytes(&t.out, sig, siglen), 0);
	tb_init_write(&ib, info, sizeof(info));
	tb_put_u16(&ib, TPM_TAG_SIGNINFO);
	tb_put_bytes(&ib, "TSTP", 4);
	tb_put_bytes(&ib, nonce, 20);
	tb_put_u32(&ib, 20 + 32);
	tb_put_bytes(&ib, digest, 20);
	tb_put_bytes(&ib, ticks, 32);
	th_sha1(ib.data, ib.len, sha);
	vctx = EVP_PKEY_CTX_new(pk, NULL);
	assert_true(EVP_PKEY_verify_init(vctx) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(vctx, RSA_PKCS1_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_signature_md(vctx, EVP_sha1()) > 0);
	assert_int_equal(EVP_PKEY_verify(vctx, sig, siglen, sha, 20), 1);
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_free(pk);
	th_fini(&t);
}

/* TickStampBlob failures: a bad handle, a wrong key secret, a key that
 * cannot sign (bind), short input. */
static void tick_stamp_blob_failures(void **state)
{
	static const uint8_t wrong[20] = "not-the-key-secret!";
	uint8_t z[20] = { 0 };
	struct th_sess s;
	struct tpm_buf *in;
	uint32_t sign, bind;
	struct th t;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	sign = th_create_load_key(&t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	bind = th_create_load_key(&t, TPM_KEY_BIND, key_auth, NULL, NULL);
	in = th_begin(&t, TPM_ORD_TickStampBlob);
	tb_put_u32(in, 0x01FFFFFFU);
	tb_put_bytes(in, z, 20);
	tb_put_bytes(in, z, 20);
	assert_int_equal(th_run(&t, 1, NULL, NULL), TPM_INVALID_KEYHANDLE);
	assert_int_equal(th_oiap(&t, &s, wrong), 0);
	in = th_begin(&t, TPM_ORD_TickStampBlob);
	tb_put_u32(in, sign);
	tb_put_bytes(in, z, 20);
	tb_put_bytes(in, z, 20);
	assert_int_equal(th_run(&t, 1, &s, NULL), TPM_AUTHFAIL);
	assert_int_equal(th_oiap(&t, &s, key_auth), 0);
	in = th_begin(&t, TPM_ORD_TickStampBlob);
	tb_put_u32(in, bind);
	tb_put_bytes(in, z, 20);
	tb_put_bytes(in, z, 20);
	assert_int_equal(th_run(&t, 1, &s, NULL), TPM_INVALID_KEYUSAGE);
	assert_int_equal(th_oiap(&t, &s, key_auth), 0);
	in = th_begin(&t, TPM_ORD_TickStampBlob);
	tb_put_u32(in, sign);
	tb_put_bytes(in, z, 20);
	assert_int_equal(th_run(&t, 1, &s, NULL), TPM_BAD_PARAM_SIZE);
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_random_sizes),
		cmocka_unit_test(stir_random_limits),
		cmocka_unit_test(get_ticks_monotonic_and_nonce),
		cmocka_unit_test(tick_stamp_blob_signature),
		cmocka_unit_test(tick_stamp_blob_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
