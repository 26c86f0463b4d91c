// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tpm_emulator/storage.c: Seal/Unseal round trips in both
 * blob forms, PCR and locality binding, tampered blobs and wrong secrets,
 * and UnBind of data bound on the client side with OpenSSL (OAEP with the
 * "TCPA" label into TPM_BOUND_DATA, and raw PKCS#1 v1.5 for legacy keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "harness.h"

static const uint8_t key_auth[20] = "storage-key-secret-1";
static const uint8_t data_auth[20] = "sealed-data-secret-2";
static const uint8_t secret[] = "the quick brown fox jumps over the lazy dog";

/* Largest secret a 2048-bit storage key seals: 256 - 42 (OAEP) - 65
 * (TPM_SEALED_DATA header). */
#define SEAL_MAX 149U

/* ------------------------------------------------------------ helpers */

static void set_locality(struct th *t, unsigned int l)
{
	assert_int_equal(tpm_set_locality(t->s, l), 0);
}

static uint32_t extend(struct th *t, uint32_t idx, uint8_t fill)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_Extend);
	uint8_t d[20];

	memset(d, fill, sizeof(d));
	tb_put_u32(b, idx);
	tb_put_bytes(b, d, 20);
	return th_run(t, 0, NULL, NULL);
}

/* SHA-1 of the TPM_PCR_COMPOSITE of PCR @idx (a one-PCR selection),
 * from PcrRead on the client side. */
static void composite_hash(struct th *t, unsigned int idx, uint8_t out[20])
{
	uint8_t comp[2 + 3 + 4 + 20];
	struct tpm_buf *b = th_begin(t, TPM_ORD_PcrRead);

	tb_put_u32(b, idx);
	if (th_run(t, 0, NULL, NULL) || tb_get_bytes(&t->out, comp + 9, 20))
		fail_msg("PcrRead failed: 0x%x", t->rc);
	memset(comp, 0, 9);
	comp[1] = 3;
	comp[2 + idx / 8] = (uint8_t)(1U << (idx % 8));
	comp[8] = 20;
	SHA1(comp, sizeof(comp), out);
}

/* A TPM_PCR_INFO_LONG binding to PCR @idx (or none when @idx < 0) at
 * release localities @loc, with digestAtRelease @dig. */
static size_t pcr_info_long(uint8_t *p, int idx, uint8_t loc,
			    const uint8_t dig[20])
{
	memset(p, 0, 54);
	tb_wr_be16(p, TPM_TAG_PCR_INFO_LONG);
	p[3] = loc;
	p[5] = 3;		/* creationPCRSelection */
	p[10] = 3;		/* releasePCRSelection */
	if (idx >= 0) {
		p[6 + idx / 8] = (uint8_t)(1U << (idx % 8));
		p[11 + idx / 8] = (uint8_t)(1U << (idx % 8));
	}
	memcpy(p + 34, dig, 20);
	return 54;
}

/* A 1.1 TPM_PCR_INFO binding to PCR @idx with digestAtRelease @dig. */
static size_t pcr_info_11(uint8_t *p, unsigned int idx, const uint8_t dig[20])
{
	memset(p, 0, 45);
	p[1] = 3;
	p[2 + idx / 8] = (uint8_t)(1U << (idx % 8));
	memcpy(p + 5, dig, 20);
	return 45;
}

/* A TPM_KEY12 template for CreateWrapKey (no public key yet). */
static void key12_template(struct tpm_buf *b, uint16_t usage, uint32_t flags,
			   uint8_t auth_usage, uint16_t es, uint16_t ss)
{
	tb_put_u16(b, TPM_TAG_KEY12);
	tb_put_u16(b, 0);
	tb_put_u16(b, usage);
	tb_put_u32(b, flags);
	tb_put_u8(b, auth_usage);
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

/* A key made to order (the harness' th_create_load_key() has fixed
 * schemes, flags and auth usage), with usage secret key_auth. */
struct key_spec {
	uint16_t usage;
	uint32_t flags;
	uint8_t auth_usage;
	uint16_t es, ss;
};

static uint32_t create_key(struct th *t, const struct key_spec *k,
			   uint8_t *blob, size_t *blob_len)
{
	uint8_t enc_usage[20], enc_mig[20], buf[TPM_MAX_COMMAND_SIZE];
	struct th_sess s;
	struct tpm_buf *b;
	uint32_t handle;
	size_t len;

	if (th_osap(t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK, th_srk_auth))
		fail_msg("OSAP failed: 0x%x", t->rc);
	s.cont = false;
	th_adip(&s, key_auth, false, enc_usage);
	th_adip(&s, key_auth, true, enc_mig);
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, enc_usage, 20);
	tb_put_bytes(b, enc_mig, 20);
	key12_template(b, k->usage, k->flags, k->auth_usage, k->es, k->ss);
	if (th_run(t, 1, &s, NULL))
		fail_msg("CreateWrapKey failed: 0x%x", t->rc);
	len = t->out.len;
	memcpy(buf, t->out.data, len);
	if (blob) {
		memcpy(blob, buf, len);
		*blob_len = len;
	}
	if (th_oiap(t, &s, th_srk_auth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	s.cont = false;
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, buf, len);
	th_out_handles(t, 1);
	if (th_run(t, 1, &s, NULL) || tb_get_u32(&t->out, &handle))
		fail_msg("LoadKey2 failed: 0x%x", t->rc);
	return handle;
}

static const struct key_spec storage_key = {
	TPM_KEY_STORAGE, 0, TPM_AUTH_ALWAYS, TPM_ES_RSAESOAEP_SHA1_MGF1,
	TPM_SS_NONE,
};

/*
 * TPM_Seal of @data under @key (OSAP with @ksecret) with @pcr_info
 * (@pi_len bytes, 0 for none); the blob goes to @blob.  Returns the
 * return code.
 */
static uint32_t seal(struct th *t, uint32_t key, const uint8_t ksecret[20],
		     const uint8_t *pcr_info, size_t pi_len,
		     const uint8_t *data, size_t len, uint8_t *blob,
		     size_t *blob_len)
{
	uint8_t enc[20];
	struct th_sess s;
	struct tpm_buf *b;

	if (th_osap(t, &s, TPM_ET_KEYHANDLE, key, ksecret))
		fail_msg("OSAP failed: 0x%x", t->rc);
	th_adip(&s, data_auth, false, enc);
	b = th_begin(t, TPM_ORD_Seal);
	tb_put_u32(b, key);
	tb_put_bytes(b, enc, 20);
	tb_put_sized(b, pcr_info, (uint32_t)pi_len);
	tb_put_sized(b, data, (uint32_t)len);
	if (th_run(t, 1, &s, NULL) == TPM_SUCCESS && blob) {
		*blob_len = t->out.len;
		memcpy(blob, t->out.data, t->out.len);
	}
	return t->rc;
}

/*
 * TPM_Unseal of @blob under @key: AUTH2 with OIAP sessions for the key
 * (@ksecret) and the data (@dsecret), or AUTH1 with the data's alone
 * when @ksecret is NULL.  The secret goes to @out.
 */
static uint32_t unseal(struct th *t, uint32_t key, const uint8_t *ksecret,
		       const uint8_t *blob, size_t blob_len,
		       const uint8_t dsecret[20], uint8_t *out,
		       uint32_t *out_len)
{
	struct th_sess sk, sd;
	struct tpm_buf *b;
	const uint8_t *p;

	if (ksecret && th_oiap(t, &sk, ksecret))
		fail_msg("OIAP failed: 0x%x", t->rc);
	if (th_oiap(t, &sd, dsecret))
		fail_msg("OIAP failed: 0x%x", t->rc);
	b = th_begin(t, TPM_ORD_Unseal);
	tb_put_u32(b, key);
	tb_put_bytes(b, blob, blob_len);
	if (ksecret)
		th_run(t, 1, &sk, &sd);
	else
		th_run(t, 1, &sd, NULL);
	if (t->rc == TPM_SUCCESS &&
	    (tb_get_u32(&t->out, out_len) ||
	     tb_get_ref(&t->out, &p, *out_len) || tb_expect_end(&t->out)))
		fail_msg("malformed Unseal response");
	if (t->rc == TPM_SUCCESS)
		memcpy(out, p, *out_len);
	return t->rc;
}

/* Unseal @blob under the SRK and expect @want back. */
static void assert_unseals(struct th *t, const uint8_t *blob, size_t len,
			   const uint8_t *want, size_t want_len)
{
	uint8_t out[TPM_MAX_COMMAND_SIZE];
	uint32_t n;

	assert_int_equal(unseal(t, TPM_KH_SRK, th_srk_auth, blob, len,
				data_auth, out, &n), TPM_SUCCESS);
	assert_int_equal(n, want_len);
	assert_memory_equal(out, want, want_len);
}

/* ------------------------------------------------------------ Seal/Unseal */

/* Seal without PCR info makes a 1.1 TPM_STORED_DATA under the SRK that
 * unseals to the secret, twice. */
static void seal_unseal_no_pcr(void **state)
{
	uint8_t blob[1024];
	size_t len;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, NULL, 0, secret,
			      sizeof(secret), blob, &len), TPM_SUCCESS);
	/* ver 1.1.0.0, sealInfoSize 0, encDataSize 256. */
	assert_int_equal(len, 4 + 4 + 4 + 256);
	assert_memory_equal(blob, "\x01\x01\x00\x00\x00\x00\x00\x00", 8);
	assert_int_equal(tb_be32(blob + 8), 256);
	assert_unseals(&t, blob, len, secret, sizeof(secret));
	assert_unseals(&t, blob, len, secret, sizeof(secret));
	th_fini(&t);
}

/* Seal with TPM_PCR_INFO_LONG makes a TPM_STORED_DATA12 with the creation
 * digest and locality filled in; it unseals until the PCR changes, then
 * TPM_WRONGPCRVAL. */
static void seal_unseal_pcr_info_long(void **state)
{
	uint8_t pi[54], dig[20], blob[1024], out[256];
	size_t len;
	uint32_t n;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	assert_int_equal(extend(&t, 16, 0x61), TPM_SUCCESS);
	composite_hash(&t, 16, dig);
	pcr_info_long(pi, 16, TPM_LOC_ALL, dig);
	set_locality(&t, 1);
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, pi, sizeof(pi),
			      secret, sizeof(secret), blob, &len),
			 TPM_SUCCESS);
	/* tag, et 0, sealInfoSize 54, then the PCR info. */
	assert_int_equal(tb_be16(blob), TPM_TAG_STORED_DATA12);
	assert_int_equal(tb_be16(blob + 2), 0);
	assert_int_equal(tb_be32(blob + 4), 54);
	/* localityAtCreation, digestAtCreation, digestAtRelease */
	assert_int_equal(blob[8 + 2], TPM_LOC_ONE);
	assert_memory_equal(blob + 8 + 14, dig, 20);
	assert_memory_equal(blob + 8 + 34, dig, 20);
	assert_unseals(&t, blob, len, secret, sizeof(secret));
	assert_int_equal(extend(&t, 16, 0x62), TPM_SUCCESS);
	assert_int_equal(unseal(&t, TPM_KH_SRK, th_srk_auth, blob, len,
				data_auth, out, &n), TPM_WRONGPCRVAL);
	th_fini(&t);
}

/* A 1.1 TPM_PCR_INFO binding works the same way in a TPM_STORED_DATA. */
static void seal_unseal_pcr_info_11(void **state)
{
	uint8_t pi[45], dig[20], blob[1024], out[256];
	size_t len;
	uint32_t n;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	composite_hash(&t, 7, dig);
	pcr_info_11(pi, 7, dig);
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, pi, sizeof(pi),
			      secret, 5, blob, &len), TPM_SUCCESS);
	assert_memory_equal(blob, "\x01\x01\x00\x00", 4);
	assert_int_equal(tb_be32(blob + 4), 45);
	/* digestAtCreation */
	assert_memory_equal(blob + 8 + 25, dig, 20);
	assert_unseals(&t, blob, len, secret, 5);
	assert_int_equal(extend(&t, 7, 1), TPM_SUCCESS);
	assert_int_equal(unseal(&t, TPM_KH_SRK, th_srk_auth, blob, len,
				data_auth, out, &n), TPM_WRONGPCRVAL);
	th_fini(&t);
}

/* A blob bound to locality 3 only (no PCRs) unseals at locality 3 and
 * gets TPM_BAD_LOCALITY elsewhere. */
static void unseal_wrong_locality(void **state)
{
	uint8_t pi[54], blob[1024], out[256];
	size_t len;
	uint32_t n;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	pcr_info_long(pi, -1, TPM_LOC_THREE, (const uint8_t[20]){ 0 });
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, pi, sizeof(pi),
			      secret, 8, blob, &len), TPM_SUCCESS);
	assert_int_equal(unseal(&t, TPM_KH_SRK, th_srk_auth, blob, len,
				data_auth, out, &n), TPM_BAD_LOCALITY);
	set_locality(&t, 3);
	assert_unseals(&t, blob, len, secret, 8);
	th_fini(&t);
}

/* Changing any byte of the blob (encrypted part or public part) makes it
 * TPM_NOTSEALED_BLOB. */
static void unseal_tampered_blob(void **state)
{
	uint8_t pi[54], dig[20], blob[1024], bad[1024], out[256];
	static const size_t where[] = { 8 + 34, 8 + 54 + 4 + 100,
					8 + 54 + 4 + 255 };
	size_t len, i;
	uint32_t n;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	composite_hash(&t, 2, dig);
	pcr_info_long(pi, 2, TPM_LOC_ALL, dig);
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, pi, sizeof(pi),
			      secret, sizeof(secret), blob, &len),
			 TPM_SUCCESS);
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		memcpy(bad, blob, len);
		bad[where[i]] ^= 0x01;
		assert_int_equal(unseal(&t, TPM_KH_SRK, th_srk_auth, bad, len,
					data_auth, out, &n),
				 TPM_NOTSEALED_BLOB);
	}
	/* An unknown blob version is TPM_BAD_VERSION. */
	memcpy(bad, blob, len);
	bad[0] = 0x02;
	assert_int_equal(unseal(&t, TPM_KH_SRK, th_srk_auth, bad, len,
				data_auth, out, &n), TPM_BAD_VERSION);
	assert_unseals(&t, blob, len, secret, sizeof(secret));
	th_fini(&t);
}

/* A blob sealed under one storage key does not unseal under another. */
static void unseal_other_parent(void **state)
{
	uint8_t blob[1024], out[256];
	uint32_t key, n;
	size_t len;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	key = create_key(&t, &storage_key, NULL, NULL);
	assert_int_equal(seal(&t, key, key_auth, NULL, 0, secret, 10, blob,
			      &len), TPM_SUCCESS);
	assert_int_equal(unseal(&t, key, key_auth, blob, len, data_auth, out,
				&n), TPM_SUCCESS);
	assert_int_equal(n, 10);
	assert_int_equal(unseal(&t, TPM_KH_SRK, th_srk_auth, blob, len,
				data_auth, out, &n), TPM_NOTSEALED_BLOB);
	th_fini(&t);
}

/* A wrong data secret is TPM_AUTH2FAIL, a wrong parent secret
 * TPM_AUTHFAIL, an unknown parent TPM_INVALID_KEYHANDLE. */
static void unseal_wrong_secrets(void **state)
{
	uint8_t blob[1024], out[256];
	size_t len;
	uint32_t n;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, NULL, 0, secret, 3,
			      blob, &len), TPM_SUCCESS);
	assert_int_equal(unseal(&t, TPM_KH_SRK, th_srk_auth, blob, len,
				key_auth, out, &n), TPM_AUTH2FAIL);
	assert_int_equal(unseal(&t, TPM_KH_SRK, key_auth, blob, len,
				data_auth, out, &n), TPM_AUTHFAIL);
	assert_int_equal(unseal(&t, 0x01000123U, th_srk_auth, blob, len,
				data_auth, out, &n), TPM_INVALID_KEYHANDLE);
	/* AUTH1 needs a parent with authDataUsage NEVER. */
	assert_int_equal(unseal(&t, TPM_KH_SRK, NULL, blob, len, data_auth,
				out, &n), TPM_AUTHFAIL);
	assert_unseals(&t, blob, len, secret, 3);
	th_fini(&t);
}

/* Under a storage key with authDataUsage NEVER, Unseal works with the
 * data's auth area alone (AUTH1). */
static void unseal_auth1_never_parent(void **state)
{
	static const struct key_spec never = {
		TPM_KEY_STORAGE, 0, TPM_AUTH_NEVER,
		TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE,
	};
	uint8_t blob[1024], out[256];
	uint32_t key, n;
	size_t len;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	key = create_key(&t, &never, NULL, NULL);
	assert_int_equal(seal(&t, key, key_auth, NULL, 0, secret, 12, blob,
			      &len), TPM_SUCCESS);
	assert_int_equal(unseal(&t, key, NULL, blob, len, data_auth, out, &n),
			 TPM_SUCCESS);
	assert_int_equal(n, 12);
	assert_memory_equal(out, secret, 12);
	assert_int_equal(unseal(&t, key, NULL, blob, len, key_auth, out, &n),
			 TPM_AUTHFAIL);
	th_fini(&t);
}

/* Seal of nothing is TPM_BAD_PARAMETER; of more than one OAEP block can
 * hold, TPM_BAD_DATASIZE; the largest that fits round-trips. */
static void seal_data_sizes(void **state)
{
	uint8_t data[SEAL_MAX + 1], blob[1024];
	size_t len;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	memset(data, 0xd7, sizeof(data));
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, NULL, 0, data, 0,
			      NULL, NULL), TPM_BAD_PARAMETER);
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, NULL, 0, data,
			      SEAL_MAX + 1, NULL, NULL), TPM_BAD_DATASIZE);
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, NULL, 0, data,
			      SEAL_MAX, blob, &len), TPM_SUCCESS);
	assert_unseals(&t, blob, len, data, SEAL_MAX);
	th_fini(&t);
}

/* Seal under a bind key or a migratable storage key:
 * TPM_INVALID_KEYUSAGE; with a wrong key secret: TPM_AUTHFAIL. */
static void seal_key_errors(void **state)
{
	static const struct key_spec bind = {
		TPM_KEY_BIND, 0, TPM_AUTH_ALWAYS, TPM_ES_RSAESOAEP_SHA1_MGF1,
		TPM_SS_NONE,
	};
	static const struct key_spec migratable = {
		TPM_KEY_STORAGE, TPM_KEY_FLAG_MIGRATABLE, TPM_AUTH_ALWAYS,
		TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE,
	};
	uint32_t kb, km;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	kb = create_key(&t, &bind, NULL, NULL);
	km = create_key(&t, &migratable, NULL, NULL);
	assert_int_equal(seal(&t, kb, key_auth, NULL, 0, secret, 4, NULL,
			      NULL), TPM_INVALID_KEYUSAGE);
	assert_int_equal(seal(&t, km, key_auth, NULL, 0, secret, 4, NULL,
			      NULL), TPM_INVALID_KEYUSAGE);
	assert_int_equal(seal(&t, TPM_KH_SRK, key_auth, NULL, 0, secret, 4,
			      NULL, NULL), TPM_AUTHFAIL);
	th_fini(&t);
}

/* Seal needs an OSAP session (ADIP); an OIAP one is refused, and the OSAP
 * session ends after a successful Seal. */
static void seal_session_rules(void **state)
{
	uint8_t enc[20] = { 0 };
	struct th_sess s;
	struct tpm_buf *b;
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	assert_int_equal(th_oiap(&t, &s, th_srk_auth), TPM_SUCCESS);
	b = th_begin(&t, TPM_ORD_Seal);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, enc, 20);
	tb_put_u32(b, 0);
	tb_put_sized(b, secret, 4);
	assert_int_equal(th_run(&t, 1, &s, NULL), TPM_INVALID_AUTHHANDLE);

	assert_int_equal(th_osap(&t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK,
				 th_srk_auth), TPM_SUCCESS);
	b = th_begin(&t, TPM_ORD_Seal);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, enc, 20);
	tb_put_u32(b, 0);
	tb_put_sized(b, secret, 4);
	assert_int_equal(th_run(&t, 1, &s, NULL), TPM_SUCCESS);
	/* continueAuthSession was TRUE, but Seal ends the session. */
	b = th_begin(&t, TPM_ORD_Seal);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, enc, 20);
	tb_put_u32(b, 0);
	tb_put_sized(b, secret, 4);
	assert_int_equal(th_run(&t, 1, &s, NULL), TPM_INVALID_AUTHHANDLE);
	th_fini(&t);
}

/* Invalid PCR info for Seal is TPM_BADINDEX: localityAtRelease 0, and a
 * selection wider than 24 PCRs. */
static void seal_bad_pcr_info(void **state)
{
	uint8_t pi[54], bad11[46] = { 0, 4 };
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	pcr_info_long(pi, 1, 0, (const uint8_t[20]){ 0 });
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, pi, sizeof(pi),
			      secret, 4, NULL, NULL), TPM_BADINDEX);
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, bad11,
			      sizeof(bad11), secret, 4, NULL, NULL),
			 TPM_BADINDEX);
	th_fini(&t);
}

/* ------------------------------------------------------------ UnBind */

/* Encrypt @in to the key of @blob: OAEP-SHA1 with label "TCPA", or
 * PKCS#1 v1.5 when !@oaep. */
static size_t encrypt_to(const uint8_t *blob, size_t blob_len, bool oaep,
			 const uint8_t *in, size_t n, uint8_t *out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *bn, *e = BN_new();
	EVP_PKEY *pk = NULL;
	OSSL_PARAM *params;
	const uint8_t *mod;
	uint32_t mod_len;
	size_t outlen = 256;

	th_key12_modulus(blob, blob_len, &mod, &mod_len);
	bn = BN_bin2bn(mod, (int)mod_len, NULL);
	BN_set_word(e, 65537);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
	params = OSSL_PARAM_BLD_to_param(bld);
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		fail_msg("cannot build RSA public key");
	EVP_PKEY_CTX_free(ctx);
	ctx = EVP_PKEY_CTX_new(pk, NULL);
	if (EVP_PKEY_encrypt_init(ctx) <= 0)
		fail_msg("encrypt init failed");
	if (oaep) {
		char *label = OPENSSL_strdup("TCPA");

		if (EVP_PKEY_CTX_set_rsa_padding(ctx,
						 RSA_PKCS1_OAEP_PADDING) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) <= 0 ||
		    EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, 4) <= 0)
			fail_msg("OAEP setup failed");
	} else if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
		fail_msg("PKCS#1 setup failed");
	}
	if (EVP_PKEY_encrypt(ctx, out, &outlen, in, n) <= 0)
		fail_msg("encryption failed");
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(e);
	return outlen;
}

/* TPM_BOUND_DATA: 1.1.0.0, payload @pt, then @d. */
static size_t bound_data(uint8_t *p, uint8_t pt, const uint8_t *d, size_t n)
{
	memcpy(p, "\x01\x01\x00\x00", 4);
	p[4] = pt;
	memcpy(p + 5, d, n);
	return 5 + n;
}

/* UnBind with OIAP (@auth) or no auth area (NULL). */
static uint32_t unbind(struct th *t, uint32_t key, const uint8_t *auth,
		       const uint8_t *in, size_t n, uint8_t *out,
		       uint32_t *out_len)
{
	struct th_sess s;
	struct tpm_buf *b;
	const uint8_t *p;

	if (auth && th_oiap(t, &s, auth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	b = th_begin(t, TPM_ORD_UnBind);
	tb_put_u32(b, key);
	tb_put_sized(b, in, (uint32_t)n);
	th_run(t, 1, auth ? &s : NULL, NULL);
	if (t->rc == TPM_SUCCESS &&
	    (tb_get_u32(&t->out, out_len) ||
	     tb_get_ref(&t->out, &p, *out_len) || tb_expect_end(&t->out)))
		fail_msg("malformed UnBind response");
	if (t->rc == TPM_SUCCESS)
		memcpy(out, p, *out_len);
	return t->rc;
}

struct bind_key {
	struct th t;
	uint32_t key;
	uint8_t blob[TPM_MAX_COMMAND_SIZE];
	size_t blob_len;
};

static void bind_init(struct bind_key *k, uint16_t usage, uint16_t es)
{
	const struct key_spec spec = {
		usage, 0, TPM_AUTH_ALWAYS, es,
		usage == TPM_KEY_LEGACY ? TPM_SS_RSASSAPKCS1v15_SHA1 :
					  TPM_SS_NONE,
	};

	th_init_owned(&k->t, false);
	k->key = create_key(&k->t, &spec, k->blob, &k->blob_len);
}

/* Data bound with OAEP ("TCPA") as TPM_BOUND_DATA unbinds to its
 * payloadData; another payload type is TPM_INVALID_STRUCTURE. */
static void unbind_oaep_bound_data(void **state)
{
	uint8_t pt[64], ct[256], out[256];
	struct bind_key k;
	size_t n;
	uint32_t len;

	(void)state;
	bind_init(&k, TPM_KEY_BIND, TPM_ES_RSAESOAEP_SHA1_MGF1);
	n = bound_data(pt, TPM_PT_BIND, secret, 20);
	n = encrypt_to(k.blob, k.blob_len, true, pt, n, ct);
	assert_int_equal(unbind(&k.t, k.key, key_auth, ct, n, out, &len),
			 TPM_SUCCESS);
	assert_int_equal(len, 20);
	assert_memory_equal(out, secret, 20);
	n = bound_data(pt, TPM_PT_SEAL, secret, 20);
	n = encrypt_to(k.blob, k.blob_len, true, pt, n, ct);
	assert_int_equal(unbind(&k.t, k.key, key_auth, ct, n, out, &len),
			 TPM_INVALID_STRUCTURE);
	th_fini(&k.t);
}

/* A legacy key with PKCS#1 v1.5 unbinds raw data (no TPM_BOUND_DATA). */
static void unbind_legacy_pkcs1_raw(void **state)
{
	uint8_t ct[256], out[256];
	struct bind_key k;
	uint32_t len;
	size_t n;

	(void)state;
	bind_init(&k, TPM_KEY_LEGACY, TPM_ES_RSAESPKCSv15);
	n = encrypt_to(k.blob, k.blob_len, false, secret, sizeof(secret), ct);
	assert_int_equal(unbind(&k.t, k.key, key_auth, ct, n, out, &len),
			 TPM_SUCCESS);
	assert_int_equal(len, sizeof(secret));
	assert_memory_equal(out, secret, sizeof(secret));
	/* OAEP ciphertext does not decrypt as PKCS#1 v1.5. */
	n = encrypt_to(k.blob, k.blob_len, true, secret, 10, ct);
	assert_int_equal(unbind(&k.t, k.key, key_auth, ct, n, out, &len),
			 TPM_DECRYPT_ERROR);
	th_fini(&k.t);
}

/* A bind key with PKCS#1 v1.5 still expects TPM_BOUND_DATA (Part 3,
 * 10.3 step 5 exempts only legacy keys). */
static void unbind_bind_pkcs1_bound_data(void **state)
{
	uint8_t pt[64], ct[256], out[256];
	struct bind_key k;
	uint32_t len;
	size_t n;

	(void)state;
	bind_init(&k, TPM_KEY_BIND, TPM_ES_RSAESPKCSv15);
	n = bound_data(pt, TPM_PT_BIND, secret, 7);
	n = encrypt_to(k.blob, k.blob_len, false, pt, n, ct);
	assert_int_equal(unbind(&k.t, k.key, key_auth, ct, n, out, &len),
			 TPM_SUCCESS);
	assert_int_equal(len, 7);
	assert_memory_equal(out, secret, 7);
	th_fini(&k.t);
}

/* UnBind errors: empty input TPM_BAD_PARAMETER, garbage TPM_DECRYPT_ERROR,
 * wrong secret or no auth area TPM_AUTHFAIL, a storage key
 * TPM_INVALID_KEYUSAGE, unknown handle TPM_INVALID_KEYHANDLE. */
static void unbind_errors(void **state)
{
	uint8_t ct[256], out[256];
	struct bind_key k;
	uint32_t len;

	(void)state;
	bind_init(&k, TPM_KEY_BIND, TPM_ES_RSAESOAEP_SHA1_MGF1);
	memset(ct, 0x42, sizeof(ct));
	assert_int_equal(unbind(&k.t, k.key, key_auth, ct, 0, out, &len),
			 TPM_BAD_PARAMETER);
	assert_int_equal(unbind(&k.t, k.key, key_auth, ct, 256, out, &len),
			 TPM_DECRYPT_ERROR);
	assert_int_equal(unbind(&k.t, k.key, data_auth, ct, 256, out, &len),
			 TPM_AUTHFAIL);
	assert_int_equal(unbind(&k.t, k.key, NULL, ct, 256, out, &len),
			 TPM_AUTHFAIL);
	assert_int_equal(unbind(&k.t, TPM_KH_SRK, th_srk_auth, ct, 256, out,
				&len), TPM_INVALID_KEYUSAGE);
	assert_int_equal(unbind(&k.t, k.key + 0x100, key_auth, ct, 256, out,
				&len), TPM_INVALID_KEYHANDLE);
	th_fini(&k.t);
}

/* ------------------------------------------------------------ malformed */

#define V TH_VEC_BYTES
#define D20 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
/* One authorization area (handle, nonceOdd, continue 0, auth). */
#define AUTH 0x02, 0, 0, 1, D20, 0, D20

/* Short, trailing and malformed inputs of Seal, Unseal and UnBind; the
 * auth areas are never reached. */
static const struct th_vector vectors[] = {
	V("Seal without inData", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC2, 0, 0, 0, 83, 0, 0, 0, 0x17, 0x40, 0, 0, 0, D20,
	  0, 0, 0, 0, AUTH),
	V("Seal with pcrInfoSize past the end", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC2, 0, 0, 0, 88, 0, 0, 0, 0x17, 0x40, 0, 0, 0, D20,
	  0, 0, 0, 45, 0, 0, 0, 1, 7, AUTH),
	V("Seal with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC2, 0, 0, 0, 89, 0, 0, 0, 0x17, 0x40, 0, 0, 0, D20,
	  0, 0, 0, 0, 0, 0, 0, 1, 7, 8, AUTH),
	V("Seal with a wrongly sized PCR info", TPM_BADINDEX,
	  0x00, 0xC2, 0, 0, 0, 91, 0, 0, 0, 0x17, 0x40, 0, 0, 0, D20,
	  0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 1, 7, AUTH),
	V("Seal without an auth area", TPM_BADTAG,
	  0x00, 0xC1, 0, 0, 0, 43, 0, 0, 0, 0x17, 0x40, 0, 0, 0, D20,
	  0, 0, 0, 0, 0, 0, 0, 1, 7),
	V("Unseal of a blob cut short", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC3, 0, 0, 0, 116, 0, 0, 0, 0x18, 0x40, 0, 0, 0,
	  1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, AUTH, AUTH),
	V("Unseal with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC3, 0, 0, 0, 118, 0, 0, 0, 0x18, 0x40, 0, 0, 0,
	  1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9, 0, AUTH, AUTH),
	V("Unseal of a TPM_STORED_DATA 1.2", TPM_BAD_VERSION,
	  0x00, 0xC3, 0, 0, 0, 117, 0, 0, 0, 0x18, 0x40, 0, 0, 0,
	  1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9, AUTH, AUTH),
	V("Unseal of a STORED_DATA12 with a 1.1 PCR info",
	  TPM_INVALID_STRUCTURE,
	  0x00, 0xC3, 0, 0, 0, 162, 0, 0, 0, 0x18, 0x40, 0, 0, 0,
	  0, 0x16, 0, 0, 0, 0, 0, 45, 0, 3, 1, 0, 0, D20, D20,
	  0, 0, 0, 1, 9, AUTH, AUTH),
	V("Unseal without auth areas", TPM_BADTAG,
	  0x00, 0xC1, 0, 0, 0, 27, 0, 0, 0, 0x18, 0x40, 0, 0, 0,
	  1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9),
	V("UnBind without inData", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0x1E, 0x40, 0, 0, 0),
	V("UnBind with inDataSize past the end", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 20, 0, 0, 0, 0x1E, 0x40, 0, 0, 0,
	  0, 0, 1, 0, 1, 2),
	V("UnBind with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 20, 0, 0, 0, 0x1E, 0x40, 0, 0, 0,
	  0, 0, 0, 1, 1, 2),
	V("UnBind with an AUTH2 tag", TPM_BADTAG,
	  0x00, 0xC3, 0, 0, 0, 19, 0, 0, 0, 0x1E, 0x40, 0, 0, 0,
	  0, 0, 0, 1, 1),
};

/* Every vector gets its return code, and sealing still works after. */
static void storage_malformed_vectors(void **state)
{
	uint8_t blob[1024];
	struct th t;
	size_t len;

	(void)state;
	th_init_owned(&t, false);
	th_run_vectors(&t, vectors, ARRAY_SIZE(vectors));
	assert_int_equal(seal(&t, TPM_KH_SRK, th_srk_auth, NULL, 0, secret, 2,
			      blob, &len), TPM_SUCCESS);
	assert_unseals(&t, blob, len, secret, 2);
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seal_unseal_no_pcr),
		cmocka_unit_test(seal_unseal_pcr_info_long),
		cmocka_unit_test(seal_unseal_pcr_info_11),
		cmocka_unit_test(unseal_wrong_locality),
		cmocka_unit_test(unseal_tampered_blob),
		cmocka_unit_test(unseal_other_parent),
		cmocka_unit_test(unseal_wrong_secrets),
		cmocka_unit_test(unseal_auth1_never_parent),
		cmocka_unit_test(seal_data_sizes),
		cmocka_unit_test(seal_key_errors),
		cmocka_unit_test(seal_session_rules),
		cmocka_unit_test(seal_bad_pcr_info),
		cmocka_unit_test(unbind_oaep_bound_data),
		cmocka_unit_test(unbind_legacy_pkcs1_raw),
		cmocka_unit_test(unbind_bind_pkcs1_bound_data),
		cmocka_unit_test(unbind_errors),
		cmocka_unit_test(storage_malformed_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
