// SPDX-License-Identifier: GPL-2.0
/*
 * Maintenance (Part 3, 12; maint.c) and the revocable EK (Part 3, 14.2-14.3;
 * revek.c).  The test plays the manufacturer (TPME) with OpenSSL: it makes
 * the maintenance key pair, re-encrypts an archive from one engine to the
 * SRK of a second one and signs it, never using the engine's crypto.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "harness.h"

static const uint8_t nonce[20] = "anti-replay-nonce-01";
static const uint8_t reset_in[20] = "ek-reset-value-00001";

/* Two engines (the source and the target of an archive) and the TPME's
 * key pair, made once for the whole group. */
struct fx {
	struct th a, b;
};

static EVP_PKEY *manu;

static int group_setup(void **state)
{
	(void)state;
	manu = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return manu ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(manu);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	th_init(&f->a);
	th_init(&f->b);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	th_fini(&f->a);
	th_fini(&f->b);
	free(f);
	return 0;
}

/* Big-endian modulus of an OpenSSL key (256 bytes). */
static void modulus(EVP_PKEY *pk, uint8_t n[256])
{
	BIGNUM *bn = NULL;

	assert_true(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &bn));
	assert_int_equal(BN_bn2binpad(bn, n, 256), 256);
	BN_free(bn);
}

/* TPM_PUBKEY of an RSA key: @bits, encryption scheme @es, modulus @n. */
static size_t pubkey_bytes(uint8_t *out, uint32_t bits, uint16_t es,
			   const uint8_t *n, uint32_t n_len)
{
	struct tpm_buf b;

	tb_init_write(&b, out, 600);
	tb_put_u32(&b, TPM_ALG_RSA);
	tb_put_u16(&b, es);
	tb_put_u16(&b, TPM_SS_NONE);
	tb_put_u32(&b, 12);
	tb_put_u32(&b, bits);
	tb_put_u32(&b, 2);
	tb_put_u32(&b, 0);
	tb_put_sized(&b, n, n_len);
	return b.len;
}

static uint32_t load_manu(struct th *t, const uint8_t *pub, size_t len)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_LoadManuMaintPub);

	tb_put_bytes(b, nonce, 20);
	tb_put_bytes(b, pub, len);
	return th_run(t, 0, NULL, NULL);
}

static size_t manu_pub(uint8_t *out)
{
	uint8_t n[256];

	modulus(manu, n);
	return pubkey_bytes(out, 2048, TPM_ES_RSAESOAEP_SHA1_MGF1, n, 256);
}

static uint32_t read_manu(struct th *t)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_ReadManuMaintPub);

	tb_put_bytes(b, nonce, 20);
	return th_run(t, 0, NULL, NULL);
}

/* An owner-authorized command with @params (OIAP, owner secret @auth). */
static uint32_t owner_cmd(struct th *t, uint32_t ord, const uint8_t *params,
			  size_t len, const uint8_t auth[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, auth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	s.cont = false;
	b = th_begin(t, ord);
	if (len)
		tb_put_bytes(b, params, len);
	return th_run(t, 0, &s, NULL);
}

static uint32_t create_archive(struct th *t, bool random)
{
	uint8_t p = random;

	return owner_cmd(t, TPM_ORD_CreateMaintenanceArchive, &p, 1,
			 th_owner_auth);
}

/* What CreateMaintenanceArchive returned. */
struct archive {
	uint8_t random[256];
	uint32_t random_len;
	uint8_t key[2048];		/* a1: TPM_KEY12 of the SRK */
	uint32_t key_len;
};

static void archive_parse(struct th *t, struct archive *ar)
{
	const uint8_t *p;

	assert_int_equal(tb_get_sized(&t->out, &p, &ar->random_len, 256), 0);
	memcpy(ar->random, p, ar->random_len);
	assert_int_equal(tb_get_sized(&t->out, &p, &ar->key_len, 2048), 0);
	memcpy(ar->key, p, ar->key_len);
	assert_int_equal(tb_remaining(&t->out), 0);
}

/* The TPME's work: decrypt a1's encData (its last 256 bytes) with the
 * maintenance key, encrypt it again to @target's SRK, sign the result
 * and build LoadMaintenanceArchive's sized argument in @out. */
static size_t tpme_rewrap(const struct archive *ar, struct th *target,
			  bool with_random, uint8_t *out)
{
	uint8_t x1[256], key[2048], sig[256], digest[20];
	size_t x1_len = sizeof(x1), klen = ar->key_len, slen = sizeof(sig);
	const struct tpm_key *srk = &target->s->pd.srk;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *srk_pk;
	struct tpm_buf b;

	ctx = EVP_PKEY_CTX_new(manu, NULL);
	assert_true(EVP_PKEY_decrypt_init(ctx) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx,
						 RSA_PKCS1_OAEP_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) > 0);
	assert_true(EVP_PKEY_CTX_set0_rsa_oaep_label(ctx,
			OPENSSL_strdup("TCPA"), 4) > 0);
	assert_true(EVP_PKEY_decrypt(ctx, x1, &x1_len,
				     ar->key + klen - 256, 256) > 0);
	EVP_PKEY_CTX_free(ctx);
	/* Part 3, 12.1 step 7: o1 of a 2048-bit SRK is 198 bytes. */
	assert_int_equal(x1_len, 198);
	memcpy(key, ar->key, klen);
	{
		OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
		BIGNUM *n = BN_bin2bn(srk->n, (int)srk->n_len, NULL);
		BIGNUM *e = BN_new();
		OSSL_PARAM *params;

		BN_set_word(e, 65537);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
		params = OSSL_PARAM_BLD_to_param(bld);
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
		srk_pk = NULL;
		assert_true(EVP_PKEY_fromdata_init(ctx) > 0);
		assert_true(EVP_PKEY_fromdata(ctx, &srk_pk,
					      EVP_PKEY_PUBLIC_KEY,
					      params) > 0);
		EVP_PKEY_CTX_free(ctx);
		OSSL_PARAM_free(params);
		OSSL_PARAM_BLD_free(bld);
		BN_free(n);
		BN_free(e);
	}
	ctx = EVP_PKEY_CTX_new(srk_pk, NULL);
	slen = 256;
	assert_true(EVP_PKEY_encrypt_init(ctx) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx,
						 RSA_PKCS1_OAEP_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) > 0);
	assert_true(EVP_PKEY_CTX_set0_rsa_oaep_label(ctx,
			OPENSSL_strdup("TCPA"), 4) > 0);
	assert_true(EVP_PKEY_encrypt(ctx, key + klen - 256, &slen, x1,
				     x1_len) > 0);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(srk_pk);
	/* Signature over SHA-1 of a2. */
	th_sha1(key, klen, digest);
	ctx = EVP_PKEY_CTX_new(manu, NULL);
	slen = sizeof(sig);
	assert_true(EVP_PKEY_sign_init(ctx) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) > 0);
	assert_true(EVP_PKEY_sign(ctx, sig, &slen, digest, 20) > 0);
	EVP_PKEY_CTX_free(ctx);
	tb_init_write(&b, out, 4096);
	tb_put_u32(&b, 0);
	tb_put_bytes(&b, key, klen);
	tb_put_sized(&b, sig, (uint32_t)slen);
	if (with_random)
		tb_put_sized(&b, ar->random, ar->random_len);
	else
		tb_put_u32(&b, 0);
	tb_wr_be32(out, (uint32_t)(b.len - 4));
	return b.len;
}

static uint32_t load_archive(struct th *t, const uint8_t *arg, size_t len)
{
	return owner_cmd(t, TPM_ORD_LoadMaintenanceArchive, arg, len,
			 th_owner_auth);
}

/* LoadKey2 of @blob under the SRK with SRK secret @srk_auth. */
static uint32_t load_key2(struct th *t, const uint8_t *blob, size_t len,
			  const uint8_t srk_auth[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, srk_auth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	s.cont = false;
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, blob, len);
	th_out_handles(t, 1);
	return th_run(t, 1, &s, NULL);
}

/* Both engines owned, both with manuMaintPub loaded. */
static void prepare_pair(struct fx *f)
{
	uint8_t pub[600];
	size_t n = manu_pub(pub);

	assert_int_equal(load_manu(&f->a, pub, n), TPM_SUCCESS);
	assert_int_equal(load_manu(&f->b, pub, n), TPM_SUCCESS);
	th_take_ownership(&f->a);
	th_take_ownership(&f->b);
}

/* An archive from A loads on B: B then has A's SRK, tpmProof and owner,
 * so a non-migratable key made under A's SRK loads on B. */
static void archive_roundtrip(struct fx *f, bool random)
{
	uint8_t blob[TPM_MAX_COMMAND_SIZE], arg[4096];
	uint8_t one = 0;	/* OwnerSetDisable(FALSE) */
	struct archive ar;
	size_t blob_len, n;
	uint32_t out_len;

	prepare_pair(f);
	th_create_load_key(&f->a, TPM_KEY_STORAGE, th_zero_auth, blob,
			   &blob_len);
	assert_false(f->a.s->pf.maintenance_done);
	assert_int_equal(create_archive(&f->a, random), TPM_SUCCESS);
	archive_parse(&f->a, &ar);
	assert_int_equal(ar.random_len, random ? 198 : 0);
	assert_true(f->a.s->pf.maintenance_done);
	n = tpme_rewrap(&ar, &f->b, random, arg);
	assert_int_equal(load_archive(&f->b, arg, n), TPM_SUCCESS);
	/* The (vendor-specific) output is one empty sized buffer. */
	assert_int_equal(tb_get_u32(&f->b.out, &out_len), 0);
	assert_int_equal(out_len, 0);
	assert_true(f->b.s->pf.maintenance_done);
	assert_memory_equal(f->b.s->pd.tpm_proof, f->a.s->pd.tpm_proof, 20);
	assert_memory_equal(f->b.s->pd.srk.n, f->a.s->pd.srk.n, 256);
	/* Step 5 left B disabled (OwnerClear actions); the owner, now A's
	 * owner secret, enables it again. */
	assert_int_equal(owner_cmd(&f->b, TPM_ORD_OwnerSetDisable, &one, 1,
				   th_owner_auth), TPM_SUCCESS);
	/* Step 6.a: the SRK secret is the source owner's secret. */
	assert_int_equal(load_key2(&f->b, blob, blob_len, th_srk_auth),
			 TPM_AUTHFAIL);
	assert_int_equal(load_key2(&f->b, blob, blob_len, th_owner_auth),
			 TPM_SUCCESS);
}

/* maint_archive_roundtrip_owner_xor: generateRandom FALSE. */
static void maint_archive_roundtrip_owner_xor(void **state)
{
	archive_roundtrip(*state, false);
}

/* maint_archive_roundtrip_random: generateRandom TRUE, random passed on. */
static void maint_archive_roundtrip_random(void **state)
{
	archive_roundtrip(*state, true);
}

/* LoadManuMaintPub stores the key once and answers its checksum;
 * ReadManuMaintPub answers the same digest; a second load is refused. */
static void maint_load_manu_pub_once(void **state)
{
	struct fx *f = *state;
	uint8_t pub[600], want[20], buf[640];
	size_t n = manu_pub(pub);

	assert_int_equal(read_manu(&f->a), TPM_KEYNOTFOUND);
	assert_int_equal(load_manu(&f->a, pub, n), TPM_SUCCESS);
	memcpy(buf, pub, n);
	memcpy(buf + n, nonce, 20);
	th_sha1(buf, n + 20, want);
	assert_int_equal(tb_remaining(&f->a.out), 20);
	assert_memory_equal(tb_cursor(&f->a.out), want, 20);
	assert_true(tpm_state_dirty(f->a.s));
	assert_int_equal(read_manu(&f->a), TPM_SUCCESS);
	assert_memory_equal(tb_cursor(&f->a.out), want, 20);
	/* Step 4 */
	assert_int_equal(load_manu(&f->a, pub, n), TPM_DISABLED_CMD);
	/* Also with an owner: still the first key. */
	th_take_ownership(&f->a);
	assert_int_equal(load_manu(&f->a, pub, n), TPM_DISABLED_CMD);
	assert_int_equal(read_manu(&f->a), TPM_SUCCESS);
	assert_memory_equal(tb_cursor(&f->a.out), want, 20);
}

/* A key weaker than RSA-2048 or without OAEP is not a manuMaintPub. */
static void maint_load_manu_pub_bad_key(void **state)
{
	struct fx *f = *state;
	uint8_t pub[600], n[256];
	size_t len;

	memset(n, 0xC5, sizeof(n));
	len = pubkey_bytes(pub, 1024, TPM_ES_RSAESOAEP_SHA1_MGF1, n, 128);
	assert_int_equal(load_manu(&f->a, pub, len), TPM_BAD_KEY_PROPERTY);
	modulus(manu, n);
	len = pubkey_bytes(pub, 2048, TPM_ES_RSAESPKCSv15, n, 256);
	assert_int_equal(load_manu(&f->a, pub, len), TPM_BAD_KEY_PROPERTY);
	/* Nothing was loaded: a proper key still loads. */
	assert_int_equal(read_manu(&f->a), TPM_KEYNOTFOUND);
	len = manu_pub(pub);
	assert_int_equal(load_manu(&f->a, pub, len), TPM_SUCCESS);
}

/* CreateMaintenanceArchive: no owner, wrong owner secret, no
 * manuMaintPub, maintenance killed. */
static void maint_create_archive_failures(void **state)
{
	struct fx *f = *state;
	uint8_t pub[600], wrong[20];
	size_t n = manu_pub(pub);

	memset(wrong, 0x77, sizeof(wrong));
	assert_int_equal(create_archive(&f->a, false), TPM_NOSRK);
	th_take_ownership(&f->a);
	assert_int_equal(create_archive(&f->a, false), TPM_KEYNOTFOUND);
	assert_int_equal(load_manu(&f->a, pub, n), TPM_SUCCESS);
	assert_int_equal(owner_cmd(&f->a, TPM_ORD_CreateMaintenanceArchive,
				   (const uint8_t *)"\0", 1, wrong),
			 TPM_AUTHFAIL);
	assert_false(f->a.s->pf.maintenance_done);
	/* KillMaintenanceFeature then CreateMaintenanceArchive. */
	assert_int_equal(owner_cmd(&f->a, TPM_ORD_KillMaintenanceFeature,
				   NULL, 0, wrong), TPM_AUTHFAIL);
	assert_true(f->a.s->pf.allow_maintenance);
	assert_int_equal(owner_cmd(&f->a, TPM_ORD_KillMaintenanceFeature,
				   NULL, 0, th_owner_auth), TPM_SUCCESS);
	assert_false(f->a.s->pf.allow_maintenance);
	assert_int_equal(create_archive(&f->a, false), TPM_DISABLED_CMD);
	assert_int_equal(create_archive(&f->a, true), TPM_DISABLED_CMD);
	assert_false(f->a.s->pf.maintenance_done);
	/* Only a new owner gets the feature back (OwnerClear actions). */
	assert_int_equal(owner_cmd(&f->a, TPM_ORD_OwnerClear, NULL, 0,
				   th_owner_auth), TPM_SUCCESS);
	assert_true(f->a.s->pf.allow_maintenance);
	assert_int_equal(owner_cmd(&f->b, TPM_ORD_KillMaintenanceFeature,
				   NULL, 0, th_owner_auth), TPM_NOSRK);
}

/* LoadMaintenanceArchive: bad signature, wrong random, missing random,
 * another TPM's archive, no manuMaintPub on the target. */
static void maint_load_archive_failures(void **state)
{
	struct fx *f = *state;
	uint8_t arg[4096], arg2[4096];
	struct archive ar;
	size_t n, n2;

	prepare_pair(f);
	assert_int_equal(create_archive(&f->a, true), TPM_SUCCESS);
	archive_parse(&f->a, &ar);
	n = tpme_rewrap(&ar, &f->b, true, arg);
	/* A flipped bit in a2's modulus breaks the TPME's signature (a2
	 * ends with pubKey, encData; then sig and random follow). */
	memcpy(arg2, arg, n);
	arg2[n - (4 + 198) - (4 + 256) - (4 + 256) - 100] ^= 1;
	assert_int_equal(load_archive(&f->b, arg2, n), TPM_BAD_SIGNATURE);
	/* The XOR mask must be the archive's random. */
	n2 = tpme_rewrap(&ar, &f->b, false, arg2);
	assert_int_equal(load_archive(&f->b, arg2, n2), TPM_DECRYPT_ERROR);
	ar.random_len = 100;
	n2 = tpme_rewrap(&ar, &f->b, true, arg2);
	assert_int_equal(load_archive(&f->b, arg2, n2), TPM_BAD_PARAMETER);
	ar.random_len = 198;
	/* An archive wrapped for B's SRK does not open on A. */
	assert_int_equal(load_archive(&f->a, arg, n), TPM_DECRYPT_ERROR);
	/* Wrong owner secret. */
	assert_int_equal(owner_cmd(&f->b, TPM_ORD_LoadMaintenanceArchive, arg,
				   n, th_zero_auth), TPM_AUTHFAIL);
	/* B is unchanged by all of that, and the archive still loads. */
	assert_false(f->b.s->pf.maintenance_done);
	assert_int_equal(load_archive(&f->b, arg, n), TPM_SUCCESS);
}

/* Without manuMaintPub the target cannot check the TPME's signature. */
static void maint_load_archive_no_manu_key(void **state)
{
	struct fx *f = *state;
	uint8_t pub[600], arg[4096];
	struct archive ar;
	size_t n = manu_pub(pub);

	assert_int_equal(load_manu(&f->a, pub, n), TPM_SUCCESS);
	th_take_ownership(&f->a);
	th_take_ownership(&f->b);
	assert_int_equal(create_archive(&f->a, false), TPM_SUCCESS);
	archive_parse(&f->a, &ar);
	n = tpme_rewrap(&ar, &f->b, false, arg);
	assert_int_equal(load_archive(&f->b, arg, n), TPM_KEYNOTFOUND);
	/* Unowned: no owner to authorize. */
	th_fini(&f->b);
	th_init(&f->b);
	assert_int_equal(load_archive(&f->b, arg, n), TPM_NOSRK);
}

/* manuMaintPub survives save/load (state section 5); a blob whose
 * section is damaged is refused. */
static void maint_state_section_roundtrip(void **state)
{
	struct fx *f = *state;
	uint8_t pub[600], want[20], *blob;
	size_t n = manu_pub(pub), len;
	struct tpm_state *s2;
	const char *why;

	assert_int_equal(load_manu(&f->a, pub, n), TPM_SUCCESS);
	assert_int_equal(read_manu(&f->a), TPM_SUCCESS);
	memcpy(want, tb_cursor(&f->a.out), 20);
	assert_int_equal(tpm_state_save(f->a.s, &blob, &len), 0);
	s2 = tpm_state_load(blob, len, &why);
	assert_non_null(s2);
	free(blob);
	tpm_destroy(f->a.s);
	f->a.s = s2;
	{
		static const uint8_t su[] = { 0, 0xC1, 0, 0, 0, 12, 0, 0,
					      0, 0x99, 0, 1 };
		assert_int_equal(th_raw(&f->a, su, sizeof(su)), TPM_SUCCESS);
	}
	assert_int_equal(read_manu(&f->a), TPM_SUCCESS);
	assert_memory_equal(tb_cursor(&f->a.out), want, 20);
	assert_int_equal(load_manu(&f->a, pub, n), TPM_DISABLED_CMD);
	/* A fresh TPM's section says "not loaded". */
	assert_int_equal(tpm_state_save(f->b.s, &blob, &len), 0);
	s2 = tpm_state_load(blob, len, &why);
	assert_non_null(s2);
	assert_false(s2->maint.manu_maint_loaded);
	tpm_destroy(s2);
	free(blob);
}

/* State section bodies: exact parse, bad boolean and truncation refused. */
static void maint_state_get_malformed(void **state)
{
	struct fx *f = *state;
	uint8_t body[700], pub[600];
	struct tpm_buf b;
	size_t n = manu_pub(pub);

	body[0] = 2;
	tb_init_read(&b, body, 1);
	assert_int_equal(tpm_maintenance_state_get(f->a.s, &b), -EBADMSG);
	body[0] = 1;
	memcpy(body + 1, pub, n);
	tb_init_read(&b, body, n);	/* one byte short */
	assert_int_equal(tpm_maintenance_state_get(f->a.s, &b), -EBADMSG);
	tb_init_read(&b, body, n + 1);
	assert_int_equal(tpm_maintenance_state_get(f->a.s, &b), 0);
	assert_int_equal(tb_remaining(&b), 0);
	assert_true(f->a.s->maint.manu_maint_loaded);
}

/* ---- revocable EK ---- */

static uint32_t create_revocable_ek(struct th *t, bool generate,
				    uint16_t es)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_CreateRevocableEK);

	tb_put_bytes(b, nonce, 20);
	tb_put_u32(b, TPM_ALG_RSA);
	tb_put_u16(b, es);
	tb_put_u16(b, TPM_SS_NONE);
	tb_put_u32(b, 12);
	tb_put_u32(b, 2048);
	tb_put_u32(b, 2);
	tb_put_u32(b, 0);
	tb_put_u8(b, generate);
	tb_put_bytes(b, reset_in, 20);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t revoke_trust(struct th *t, const uint8_t reset[20])
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_RevokeTrust);

	tb_put_bytes(b, reset, 20);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t read_pubek(struct th *t)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_ReadPubek);

	tb_put_bytes(b, nonce, 20);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t no_params(struct th *t, uint32_t ord)
{
	th_begin(t, ord);
	return th_run(t, 0, NULL, NULL);
}

/* Returns outputEKreset after checking PUBEK and its checksum. */
static void revocable_ek_output(struct th *t, uint8_t reset[20])
{
	const uint8_t *start = tb_cursor(&t->out), *n;
	uint8_t want[20], buf[400];
	uint32_t psize, klen;
	size_t publen;

	assert_int_equal(tb_skip(&t->out, 8), 0);
	assert_int_equal(tb_get_u32(&t->out, &psize), 0);
	assert_int_equal(tb_skip(&t->out, psize), 0);
	assert_int_equal(tb_get_u32(&t->out, &klen), 0);
	assert_int_equal(klen, 256);
	assert_int_equal(tb_get_ref(&t->out, &n, klen), 0);
	publen = (size_t)(tb_cursor(&t->out) - start);
	memcpy(buf, start, publen);
	memcpy(buf + publen, nonce, 20);
	th_sha1(buf, publen + 20, want);
	assert_memory_equal(tb_cursor(&t->out), want, 20);
	assert_int_equal(tb_skip(&t->out, 20), 0);
	assert_int_equal(tb_get_bytes(&t->out, reset, 20), 0);
	assert_int_equal(tb_remaining(&t->out), 0);
}

/* CreateRevocableEK with the caller's EKreset; RevokeTrust with it and
 * presence removes the EK and the owner. */
static void revek_create_and_revoke(void **state)
{
	struct fx *f = *state;
	struct th *t = &f->a;
	uint8_t reset[20], wrong[20];

	th_fini(t);
	th_init_no_ek(t);
	assert_int_equal(read_pubek(t), TPM_NO_ENDORSEMENT);
	assert_int_equal(create_revocable_ek(t, false,
					     TPM_ES_RSAESOAEP_SHA1_MGF1),
			 TPM_SUCCESS);
	revocable_ek_output(t, reset);
	assert_memory_equal(reset, reset_in, 20);
	assert_true(t->s->pf.enable_revoke_ek);
	assert_true(t->s->pf.cekp_used);
	assert_int_equal(read_pubek(t), TPM_SUCCESS);
	/* Step 1: an EK exists. */
	assert_int_equal(create_revocable_ek(t, false,
					     TPM_ES_RSAESOAEP_SHA1_MGF1),
			 TPM_DISABLED_CMD);
	th_take_ownership(t);
	memcpy(wrong, reset, 20);
	wrong[19] ^= 1;
	assert_int_equal(revoke_trust(t, wrong), TPM_AUTHFAIL);
	assert_int_equal(revoke_trust(t, reset), TPM_BAD_PRESENCE);
	assert_true(t->s->pd.ek.valid);
	th_pp(t);
	assert_int_equal(revoke_trust(t, reset), TPM_SUCCESS);
	assert_false(t->s->pd.ek.valid);
	assert_false(t->s->pf.owner_installed);
	assert_false(t->s->pf.enable_revoke_ek);
	assert_false(t->s->pf.cekp_used);
	assert_false(t->s->pf.nv_locked);
	/* The clear left the TPM disabled: enable, then see no EK. */
	assert_int_equal(no_params(t, TPM_ORD_PhysicalEnable), TPM_SUCCESS);
	assert_int_equal(read_pubek(t), TPM_NO_ENDORSEMENT);
	/* Step 1 of RevokeTrust: no revocable EK any more. */
	assert_int_equal(revoke_trust(t, reset), TPM_PERMANENTEK);
	/* A new EK may be made again. */
	assert_int_equal(create_revocable_ek(t, true,
					     TPM_ES_RSAESOAEP_SHA1_MGF1),
			 TPM_SUCCESS);
}

/* generateReset TRUE: the TPM picks EKreset and returns it. */
static void revek_generated_reset(void **state)
{
	struct fx *f = *state;
	struct th *t = &f->a;
	uint8_t reset[20];

	th_fini(t);
	th_init_no_ek(t);
	assert_int_equal(create_revocable_ek(t, true,
					     TPM_ES_RSAESOAEP_SHA1_MGF1),
			 TPM_SUCCESS);
	revocable_ek_output(t, reset);
	assert_memory_not_equal(reset, reset_in, 20);
	assert_memory_equal(reset, t->s->pd.ek_reset, 20);
	th_pp(t);
	assert_int_equal(revoke_trust(t, reset_in), TPM_AUTHFAIL);
	assert_int_equal(revoke_trust(t, reset), TPM_SUCCESS);
	assert_false(t->s->pd.ek.valid);
}

/* The manufacturer's EK (and CreateEndorsementKeyPair's) is permanent;
 * bad keyInfo is refused before anything changes. */
static void revek_failures(void **state)
{
	struct fx *f = *state;
	struct th *t = &f->a;

	th_pp(t);
	assert_int_equal(revoke_trust(t, t->s->pd.ek_reset),
			 TPM_PERMANENTEK);
	assert_true(t->s->pd.ek.valid);
	th_fini(t);
	th_init_no_ek(t);
	assert_int_equal(create_revocable_ek(t, false, TPM_ES_RSAESPKCSv15),
			 TPM_BAD_KEY_PROPERTY);
	assert_false(t->s->pd.ek.valid);
	assert_false(t->s->pf.enable_revoke_ek);
}

/* ---- malformed input ---- */

#define HDR(tag, size, ord) \
	0x00, (tag), 0, 0, 0, (size), 0, 0, 0, (ord)
#define AUTH_AREA \
	0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define B19 \
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19
#define B20 B19, 20

static const uint8_t v_read_short[] = { HDR(0xC1, 29, 0x30), B19 };
static const uint8_t v_read_trailing[] = { HDR(0xC1, 31, 0x30), B20, 0 };
static const uint8_t v_loadpub_nokey[] = { HDR(0xC1, 30, 0x2F), B20 };
static const uint8_t v_loadpub_short[] = {
	HDR(0xC1, 42, 0x2F), B20, 0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12 };
static const uint8_t v_loadpub_badalg[] = {
	HDR(0xC1, 50, 0x2F), B20, 0, 0, 0, 9, 0, 3, 0, 1, 0, 0, 0, 0,
	0, 0, 0, 4, 0, 0, 0, 0 };
static const uint8_t v_create_nobool[] = { HDR(0xC2, 55, 0x2C), AUTH_AREA };
static const uint8_t v_create_badbool[] = {
	HDR(0xC2, 56, 0x2C), 2, AUTH_AREA };
static const uint8_t v_create_trailing[] = {
	HDR(0xC2, 57, 0x2C), 0, 0, AUTH_AREA };
static const uint8_t v_create_noauth[] = { HDR(0xC1, 11, 0x2C), 0 };
static const uint8_t v_kill_trailing[] = {
	HDR(0xC2, 56, 0x2E), 0, AUTH_AREA };
static const uint8_t v_loadarch_short[] = {
	HDR(0xC2, 57, 0x2D), 0, 0, AUTH_AREA };
static const uint8_t v_loadarch_oversize[] = {
	HDR(0xC2, 60, 0x2D), 0, 0, 0, 9, 1, AUTH_AREA };
static const uint8_t v_loadarch_empty[] = {
	HDR(0xC2, 59, 0x2D), 0, 0, 0, 0, AUTH_AREA };
static const uint8_t v_revoke_short[] = { HDR(0xC1, 29, 0x80), B19 };
static const uint8_t v_revoke_trailing[] = { HDR(0xC1, 31, 0x80), B20, 1 };
static const uint8_t v_revoke_auth1[] = {
	HDR(0xC2, 75, 0x80), B20, AUTH_AREA };
static const uint8_t v_crek_noreset[] = {
	HDR(0xC1, 55, 0x7F), B20, 0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12,
	0, 0, 8, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0 };
static const uint8_t v_crek_badbool[] = {
	HDR(0xC1, 75, 0x7F), B20, 0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12,
	0, 0, 8, 0, 0, 0, 0, 2, 0, 0, 0, 0, 7, B20 };

#define V TH_VEC

static const struct th_vector vectors[] = {
	V("ReadManuMaintPub: 19-byte nonce", v_read_short,
	  TPM_BAD_PARAM_SIZE),
	V("ReadManuMaintPub: trailing byte", v_read_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("LoadManuMaintPub: no pubKey", v_loadpub_nokey, TPM_BAD_PARAM_SIZE),
	V("LoadManuMaintPub: parms cut short", v_loadpub_short,
	  TPM_BAD_PARAM_SIZE),
	V("LoadManuMaintPub: not RSA", v_loadpub_badalg,
	  TPM_BAD_KEY_PROPERTY),
	V("CreateMaintenanceArchive: no generateRandom", v_create_nobool,
	  TPM_BAD_PARAM_SIZE),
	V("CreateMaintenanceArchive: generateRandom 2", v_create_badbool,
	  TPM_BAD_PARAM_SIZE),
	V("CreateMaintenanceArchive: trailing byte", v_create_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("CreateMaintenanceArchive: no auth area", v_create_noauth,
	  TPM_BADTAG),
	V("KillMaintenanceFeature: trailing byte", v_kill_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("LoadMaintenanceArchive: 2-byte size", v_loadarch_short,
	  TPM_BAD_PARAM_SIZE),
	V("LoadMaintenanceArchive: size beyond data", v_loadarch_oversize,
	  TPM_BAD_PARAM_SIZE),
	V("LoadMaintenanceArchive: empty archive", v_loadarch_empty,
	  TPM_BAD_PARAM_SIZE),
	V("RevokeTrust: 19-byte EKreset", v_revoke_short, TPM_BAD_PARAM_SIZE),
	V("RevokeTrust: trailing byte", v_revoke_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("RevokeTrust: AUTH1 tag", v_revoke_auth1, TPM_BADTAG),
	V("CreateRevocableEK: no inputEKreset", v_crek_noreset,
	  TPM_BAD_PARAM_SIZE),
	V("CreateRevocableEK: generateReset 7", v_crek_badbool,
	  TPM_BAD_PARAM_SIZE),
};

/* maint_malformed_vectors: every malformed frame gets its code and
 * changes nothing. */
static void maint_malformed_vectors(void **state)
{
	struct fx *f = *state;
	struct th *t = &f->a;

	th_take_ownership(t);
	th_pp(t);
	th_run_vectors(t, vectors, ARRAY_SIZE(vectors));
	assert_true(t->s->pf.owner_installed);
	assert_true(t->s->pd.ek.valid);
	assert_true(t->s->pf.allow_maintenance);
	assert_false(t->s->maint.manu_maint_loaded);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(maint_load_manu_pub_once),
		T(maint_load_manu_pub_bad_key),
		T(maint_archive_roundtrip_owner_xor),
		T(maint_archive_roundtrip_random),
		T(maint_create_archive_failures),
		T(maint_load_archive_failures),
		T(maint_load_archive_no_manu_key),
		T(maint_state_section_roundtrip),
		T(maint_state_get_malformed),
		T(revek_create_and_revoke),
		T(revek_generated_reset),
		T(revek_failures),
		T(maint_malformed_vectors),
	};

	return cmocka_run_group_tests_name("maintenance", tests, group_setup,
					   group_teardown);
}
