// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of keys.c: CreateWrapKey, LoadKey/LoadKey2, GetPubKey,
 * EvictKey, Sign, CertifyKey and ChangeAuth through tpm_execute(), with
 * signatures checked by OpenSSL on the client side.  Every failure path
 * Part 3 lists for these commands has a case; malformed inputs are a
 * table of byte vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "harness.h"

static const uint8_t key_auth[20] = "key-secret-abcdefghi";
static const uint8_t new_auth[20] = "new-secret-jklmnopqr";
static const uint8_t mig_auth[20] = "migration-secret-xyz";
static const uint8_t bad_auth[20] = "wrong-secret-0000000";

/* A TPM_KEY/TPM_KEY12 template (keyInfo of CreateWrapKey). */
struct tmpl {
	bool key11;
	uint16_t usage;
	uint32_t flags;
	uint8_t auth_usage;
	uint32_t alg;
	uint16_t es, ss;
	uint32_t bits;
	const uint8_t *pcr;
	uint32_t pcr_len;
};

static struct tmpl sign512(void)
{
	return (struct tmpl){ .usage = TPM_KEY_SIGNING,
		.auth_usage = TPM_AUTH_ALWAYS, .alg = TPM_ALG_RSA,
		.es = TPM_ES_NONE, .ss = TPM_SS_RSASSAPKCS1v15_SHA1,
		.bits = 512 };
}

static struct tmpl storage2048(void)
{
	return (struct tmpl){ .usage = TPM_KEY_STORAGE,
		.auth_usage = TPM_AUTH_ALWAYS, .alg = TPM_ALG_RSA,
		.es = TPM_ES_RSAESOAEP_SHA1_MGF1, .ss = TPM_SS_NONE,
		.bits = 2048 };
}

static void tmpl_put(struct tpm_buf *b, const struct tmpl *k)
{
	if (k->key11) {
		tb_put_bytes(b, (const uint8_t[]){ 1, 1, 0, 0 }, 4);
	} else {
		tb_put_u16(b, TPM_TAG_KEY12);
		tb_put_u16(b, 0);
	}
	tb_put_u16(b, k->usage);
	tb_put_u32(b, k->flags);
	tb_put_u8(b, k->auth_usage);
	tb_put_u32(b, k->alg);
	tb_put_u16(b, k->es);
	tb_put_u16(b, k->ss);
	tb_put_u32(b, 12);
	tb_put_u32(b, k->bits);
	tb_put_u32(b, 2);
	tb_put_u32(b, 0);
	tb_put_sized(b, k->pcr, k->pcr_len);
	tb_put_u32(b, 0);
	tb_put_u32(b, 0);
}

static int setup_state(void **state)
{
	struct th *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	/* The TakeOwnership command is owner.c's and has its own test. */
	th_init_srk(t, 0);
	*state = t;
	return 0;
}

/* CreateWrapKey under @parent; the wrapped key goes to blob/blen. */
static uint32_t create_key(struct th *t, uint32_t parent,
			   const uint8_t psecret[20], const struct tmpl *k,
			   const uint8_t auth[20], uint8_t *blob, size_t *blen)
{
	uint8_t eu[20], em[20];
	struct th_sess s;
	struct tpm_buf *b;

	if (th_osap(t, &s, TPM_ET_KEYHANDLE, parent, psecret))
		return t->rc;
	s.cont = false;
	th_adip(&s, auth, false, eu);
	th_adip(&s, mig_auth, true, em);
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, parent);
	tb_put_bytes(b, eu, 20);
	tb_put_bytes(b, em, 20);
	tmpl_put(b, k);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	memcpy(blob, t->out.data, t->out.len);
	*blen = t->out.len;
	return 0;
}

/* LoadKey2 (or LoadKey when @v1) with an OIAP session, or no auth area
 * when @psecret is NULL. */
static uint32_t load_key_ord(struct th *t, uint32_t parent,
			     const uint8_t *psecret, const uint8_t *blob,
			     size_t blen, uint32_t *handle, bool v1)
{
	struct th_sess s, *sp = NULL;
	struct tpm_buf *b;

	if (psecret) {
		if (th_oiap(t, &s, psecret))
			return t->rc;
		s.cont = false;
		sp = &s;
	}
	b = th_begin(t, v1 ? TPM_ORD_LoadKey : TPM_ORD_LoadKey2);
	tb_put_u32(b, parent);
	tb_put_bytes(b, blob, blen);
	th_out_handles(t, v1 ? 0 : 1);
	if (th_run(t, 1, sp, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, handle), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	return 0;
}

static uint32_t load_key(struct th *t, uint32_t parent, const uint8_t *ps,
			 const uint8_t *blob, size_t blen, uint32_t *handle)
{
	return load_key_ord(t, parent, ps, blob, blen, handle, false);
}

/* Create under the SRK and load; returns the handle. */
static uint32_t make_key(struct th *t, const struct tmpl *k,
			 uint8_t *blob, size_t *blen)
{
	uint8_t buf[TPM_MAX_COMMAND_SIZE];
	size_t len;
	uint32_t h;

	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, k, key_auth,
				    buf, &len), TPM_SUCCESS);
	assert_int_equal(load_key(t, TPM_KH_SRK, th_srk_auth, buf, len, &h),
			 TPM_SUCCESS);
	if (blob) {
		memcpy(blob, buf, len);
		*blen = len;
	}
	return h;
}

/* Sign with an OIAP session on @secret (none when NULL); the signature
 * goes to sig/siglen.  @nonce_odd receives the nonceOdd used. */
static uint32_t sign(struct th *t, uint32_t handle, const uint8_t *secret,
		     const uint8_t *data, uint32_t len, uint8_t *sig,
		     uint32_t *siglen, uint8_t nonce_odd[20])
{
	struct th_sess s, *sp = NULL;
	const uint8_t *p;
	struct tpm_buf *b;

	if (secret) {
		if (th_oiap(t, &s, secret))
			return t->rc;
		sp = &s;
		if (nonce_odd)
			memcpy(nonce_odd, s.nonce_odd, 20);
	}
	b = th_begin(t, TPM_ORD_Sign);
	tb_put_u32(b, handle);
	tb_put_sized(b, data, len);
	if (th_run(t, 1, sp, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, siglen), 0);
	assert_int_equal(tb_get_ref(&t->out, &p, *siglen), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	memcpy(sig, p, *siglen);
	return 0;
}

/* GetPubKey; the modulus goes to n/n_len. */
static uint32_t get_pubkey(struct th *t, uint32_t handle,
			   const uint8_t *secret, uint8_t *n, uint32_t *n_len)
{
	struct th_sess s, *sp = NULL;
	struct tpm_key k;
	struct tpm_buf *b;

	if (secret) {
		if (th_oiap(t, &s, secret))
			return t->rc;
		sp = &s;
	}
	b = th_begin(t, TPM_ORD_GetPubKey);
	tb_put_u32(b, handle);
	if (th_run(t, 1, sp, NULL))
		return t->rc;
	memset(&k, 0, sizeof(k));
	assert_int_equal(tpm_pubkey_get(&t->out, &k), TPM_SUCCESS);
	assert_int_equal(tb_expect_end(&t->out), 0);
	memcpy(n, k.n, k.n_len);
	*n_len = k.n_len;
	tpm_key_clear(&k);
	return 0;
}

static uint32_t evict(struct th *t, uint32_t handle)
{
	tb_put_u32(th_begin(t, TPM_ORD_EvictKey), handle);
	return th_run(t, 0, NULL, NULL);
}

/* Recover what a PKCS#1 v1.5 type-1 signature wraps (DER scheme). */
static size_t recover_raw(const uint8_t *n, size_t n_len, const uint8_t *sig,
			  size_t siglen, uint8_t *out, size_t cap)
{
	EVP_PKEY *pk = th_rsa_pub(n, n_len);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
	size_t len = cap;

	if (EVP_PKEY_verify_recover_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_verify_recover(ctx, out, &len, sig, siglen) <= 0)
		len = 0;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return len;
}

/* The public part of a wrapped key (parsed with marshal_struct.c). */
static void blob_parse(const uint8_t *blob, size_t blen, struct tpm_key *k,
		       const uint8_t **enc, uint32_t *elen)
{
	struct tpm_buf r;

	memset(k, 0, sizeof(*k));
	tb_init_read(&r, blob, blen);
	assert_int_equal(tpm_key_get(&r, k, enc, elen), TPM_SUCCESS);
	assert_int_equal(tb_expect_end(&r), 0);
}

/* TPM_PCR_COMPOSITE hash of the PCRs in a 3-byte selection, from the
 * engine's current values. */
static void composite(struct th *t, const uint8_t sel[3], uint8_t out[20])
{
	uint8_t buf[2 + 3 + 4 + 24 * 20];
	unsigned int i, n = 0;
	struct tpm_buf b;

	tb_init_write(&b, buf, sizeof(buf));
	tb_put_u16(&b, 3);
	tb_put_bytes(&b, sel, 3);
	for (i = 0; i < 24; i++)
		n += (sel[i / 8] >> (i % 8)) & 1;
	tb_put_u32(&b, n * 20);
	for (i = 0; i < 24; i++) {
		if ((sel[i / 8] >> (i % 8)) & 1)
			tb_put_bytes(&b, t->s->sd.pcr[i], 20);
	}
	th_sha1(buf, b.len, out);
}

/* TPM_PCR_INFO_LONG releasing at @loc when PCRs @sel hold their
 * current values. */
static uint32_t pcr_long(struct th *t, const uint8_t sel[3], uint8_t loc,
			 uint8_t out[54])
{
	struct tpm_buf b;
	uint8_t d[20];

	composite(t, sel, d);
	tb_init_write(&b, out, 54);
	tb_put_u16(&b, TPM_TAG_PCR_INFO_LONG);
	tb_put_u8(&b, TPM_LOC_ALL);	/* localityAtCreation: the TPM's */
	tb_put_u8(&b, loc);
	tb_put_sized16(&b, sel, 3);
	tb_put_sized16(&b, sel, 3);
	tb_put_bytes(&b, (const uint8_t[20]){ 0 }, 20);
	tb_put_bytes(&b, d, 20);
	return (uint32_t)b.len;
}

static const uint8_t digest20[20] = "0123456789abcdefghij";

/* A signing key is created, loaded, signs, and OpenSSL verifies it. */
static void keys_create_wrap_key_sign_verify(void **state)
{
	struct th *t = *state;
	uint8_t sig[256], n[256], blob[1024];
	uint32_t h, siglen, n_len;
	struct tpm_key k;
	size_t blen;
	struct tmpl tp = sign512();

	h = make_key(t, &tp, blob, &blen);
	assert_int_equal(h & 0xFF000000U, 0x01000000U);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
	assert_int_equal(siglen, 64);
	assert_int_equal(get_pubkey(t, h, key_auth, n, &n_len), TPM_SUCCESS);
	assert_true(th_verify_sha1(n, n_len, digest20, sig, siglen));
	/* The wrapped key carries the same modulus and a 2048-bit encData. */
	blob_parse(blob, blen, &k, NULL, NULL);
	assert_int_equal(k.n_len, 64);
	assert_memory_equal(k.n, n, 64);
	assert_true(k.key12);
	/* usageAuth came through ADIP (nonceEven): the wrong one fails. */
	assert_int_equal(sign(t, h, bad_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_AUTHFAIL);
}

/* migrationAuth is decrypted with nonceOdd; non-migratable keys get
 * tpmProof instead. */
static void keys_create_wrap_key_migration_auth(void **state)
{
	struct th *t = *state;
	struct tpm_key *k;
	uint32_t h;
	struct tmpl tp = sign512();

	tp.flags = TPM_KEY_FLAG_MIGRATABLE;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_SUCCESS);
	assert_memory_equal(k->migration_auth, mig_auth, 20);
	assert_memory_equal(k->usage_auth, key_auth, 20);
	tp.flags = 0;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_SUCCESS);
	assert_memory_equal(k->migration_auth, t->s->pd.tpm_proof, 20);
}

/* A 1.1 TPM_KEY template gives a TPM_KEY with version 1.1.0.0. */
static void keys_create_wrap_key_key11(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], sig[64];
	uint32_t h, siglen;
	size_t blen;
	struct tmpl tp = sign512();

	tp.key11 = true;
	h = make_key(t, &tp, blob, &blen);
	assert_memory_equal(blob, ((const uint8_t[]){ 1, 1, 0, 0 }), 4);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
}

/* Wrong parent secret, unknown parent, and an OIAP session all fail. */
static void keys_create_wrap_key_auth_failures(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], eu[20];
	struct th_sess s;
	struct tpm_buf *b;
	size_t blen;
	struct tmpl tp = sign512();

	assert_int_equal(create_key(t, TPM_KH_SRK, bad_auth, &tp, key_auth,
				    blob, &blen), TPM_AUTHFAIL);
	assert_int_equal(create_key(t, 0x01ABCDEF, th_srk_auth, &tp,
				    key_auth, blob, &blen),
			 TPM_INVALID_KEYHANDLE);
	/* Step 2: the parent's session must be OSAP. */
	assert_int_equal(th_oiap(t, &s, th_srk_auth), 0);
	memset(eu, 0, sizeof(eu));
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, eu, 20);
	tb_put_bytes(b, eu, 20);
	tmpl_put(b, &tp);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_BAD_MODE);
}

/* An OSAP session opened for another key does not authorize the SRK. */
static void keys_create_wrap_key_osap_other_entity(void **state)
{
	struct th *t = *state;
	uint8_t eu[20] = { 0 };
	struct th_sess s;
	struct tpm_buf *b;
	uint32_t h;
	struct tmpl tp = sign512();

	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(th_osap(t, &s, TPM_ET_KEYHANDLE, h, key_auth), 0);
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, eu, 20);
	tb_put_bytes(b, eu, 20);
	tmpl_put(b, &tp);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_AUTHFAIL);
}

/* The OSAP session of CreateWrapKey ends with the command (step 12). */
static void keys_create_wrap_key_session_ends(void **state)
{
	struct th *t = *state;
	uint8_t eu[20], em[20], blob[1024];
	struct th_sess s;
	struct tpm_buf *b;
	struct tmpl tp = sign512();

	assert_int_equal(th_osap(t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK,
				 th_srk_auth), 0);
	th_adip(&s, key_auth, false, eu);
	th_adip(&s, mig_auth, true, em);
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, eu, 20);
	tb_put_bytes(b, em, 20);
	tmpl_put(b, &tp);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_SUCCESS);
	/* The response said continueAuthSession = FALSE ... */
	assert_int_equal(t->rsp[t->rsp_len - 21], 0);
	/* ... and the session is gone. */
	assert_null(tpm_session_find(t->s, s.handle));
	(void)blob;
}

/* Key properties Part 3, 10.4 steps 3-8 refuse. */
static void keys_create_wrap_key_bad_properties(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024];
	size_t blen;
	struct tmpl tp;
	uint32_t h;

	tp = storage2048();
	tp.bits = 1024;		/* storage keys are 2048 bits */
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_BAD_KEY_PROPERTY);
	tp = sign512();
	/* Signing keys encrypt nothing. */
	tp.es = TPM_ES_RSAESOAEP_SHA1_MGF1;
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_BAD_KEY_PROPERTY);
	tp = sign512();
	tp.bits = 256;			/* below 512 */
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_BAD_KEY_PROPERTY);
	tp = sign512();
	tp.usage = TPM_KEY_BIND;	/* bind keys do not sign */
	tp.es = TPM_ES_RSAESPKCSv15;
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_BAD_KEY_PROPERTY);
	tp = sign512();
	tp.bits = 520;			/* not a multiple of 16 */
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_BAD_KEY_PROPERTY);
	tp = sign512();
	tp.usage = 0x0099;		/* unknown usage */
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_BAD_KEY_PROPERTY);
	/* Step 6: identity keys come from MakeIdentity only ... */
	tp = sign512();
	tp.usage = TPM_KEY_IDENTITY;
	tp.bits = 2048;
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_INVALID_KEYUSAGE);
	/* ... and certified-migration keys from CMK_CreateKey. */
	tp = sign512();
	tp.flags = TPM_KEY_FLAG_MIGRATE_AUTHORITY;
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_INVALID_KEYUSAGE);
	/* Step 4: only storage keys are parents. */
	tp = sign512();
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(create_key(t, h, key_auth, &tp, key_auth, blob,
				    &blen), TPM_INVALID_KEYUSAGE);
	/* Step 7: FIPS mode refuses keys under 1024 bits. */
	t->s->pf.fips = true;
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_NOTFIPS);
}

/* Step 5: a migratable storage key cannot hold a non-migratable child;
 * keys under a loaded storage key work. */
static void keys_create_wrap_key_migratable_parent(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], sig[64];
	uint32_t parent, h, siglen;
	size_t blen;
	struct tmpl tp;

	tp = storage2048();
	tp.flags = TPM_KEY_FLAG_MIGRATABLE;
	parent = make_key(t, &tp, NULL, NULL);
	tp = sign512();
	assert_int_equal(create_key(t, parent, key_auth, &tp, key_auth, blob,
				    &blen), TPM_INVALID_KEYUSAGE);
	tp.flags = TPM_KEY_FLAG_MIGRATABLE;
	assert_int_equal(create_key(t, parent, key_auth, &tp, key_auth, blob,
				    &blen), TPM_SUCCESS);
	assert_int_equal(load_key(t, parent, key_auth, blob, blen, &h), 0);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
}

/* A PCR-bound key records digestAtCreation/localityAtCreation, signs
 * while the PCR holds, and refuses once it changes. */
static void keys_create_wrap_key_pcr_bound(void **state)
{
	static const uint8_t sel[3] = { 0x02, 0, 0 };	/* PCR 1 */
	struct th *t = *state;
	uint8_t pcr[54], blob[1024], sig[64], n[64], d[20];
	uint32_t h, siglen, n_len;
	struct tpm_key k;
	size_t blen;
	struct tmpl tp = sign512();

	t->s->sd.pcr[1][0] = 0x42;
	tp.pcr_len = pcr_long(t, sel, TPM_LOC_ALL, pcr);
	tp.pcr = pcr;
	h = make_key(t, &tp, blob, &blen);
	blob_parse(blob, blen, &k, NULL, NULL);
	assert_int_equal(k.pcr.kind, PCR_INFO_LONG);
	composite(t, sel, d);
	assert_memory_equal(k.pcr.digest_at_creation, d, 20);
	assert_int_equal(k.pcr.locality_at_creation, TPM_LOC_ZERO);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
	t->s->sd.pcr[1][0] ^= 1;
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_WRONGPCRVAL);
	/* Reading the public part checks PCRs unless pcrIgnoredOnRead. */
	assert_int_equal(get_pubkey(t, h, key_auth, n, &n_len),
			 TPM_WRONGPCRVAL);
	t->s->sd.pcr[1][0] ^= 1;
	tp.flags = TPM_KEY_FLAG_PCR_IGNORED_ON_READ;
	h = make_key(t, &tp, NULL, NULL);
	t->s->sd.pcr[1][0] ^= 1;
	assert_int_equal(get_pubkey(t, h, key_auth, n, &n_len), TPM_SUCCESS);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_WRONGPCRVAL);
}

/* A TPM_PCR_INFO_LONG naming no locality is refused (libtpms does the
 * same for either field). */
static void keys_create_wrap_key_zero_locality(void **state)
{
	static const uint8_t none[3] = { 0, 0, 0 };
	struct th *t = *state;
	uint8_t pcr[54], blob[1024];
	size_t blen;
	struct tmpl tp = sign512();

	tp.pcr_len = pcr_long(t, none, 0, pcr);
	tp.pcr = pcr;
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_INVALID_STRUCTURE);
	pcr_long(t, none, TPM_LOC_ALL, pcr);
	pcr[2] = 0;		/* localityAtCreation */
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_INVALID_STRUCTURE);
	pcr[2] = TPM_LOC_TWO;
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), TPM_SUCCESS);
}

/* An authDataUsage outside Part 2, 5.9 (1.1's TPM_AUTH_PRIV_USE_ONLY,
 * 0x11) is carried and means "authorization needed". */
static void keys_sign_unknown_auth_usage(void **state)
{
	struct th *t = *state;
	uint8_t sig[64], n[64];
	uint32_t h, siglen, n_len;
	struct tmpl tp = sign512();

	tp.auth_usage = 0x11;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(sign(t, h, NULL, digest20, 20, sig, &siglen, NULL),
			 TPM_AUTHFAIL);
	assert_int_equal(get_pubkey(t, h, NULL, n, &n_len), TPM_AUTHFAIL);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
}

/* localityAtRelease is enforced at use. */
static void keys_sign_locality_bound(void **state)
{
	static const uint8_t none[3] = { 0, 0, 0 };
	struct th *t = *state;
	uint8_t pcr[54], sig[64];
	uint32_t h, siglen;
	struct tmpl tp = sign512();

	tp.pcr_len = pcr_long(t, none, TPM_LOC_ONE, pcr);
	tp.pcr = pcr;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_BAD_LOCALITY);
	assert_int_equal(tpm_set_locality(t->s, 1), 0);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
}

/* LoadKey (1.1) covers the new handle with the response HMAC, LoadKey2
 * does not; the harness verifies both HMACs. */
static void keys_load_key_handle_hmac(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], sig[64];
	uint32_t h1, h2, siglen;
	size_t blen;
	struct tmpl tp = sign512();

	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), 0);
	assert_int_equal(load_key_ord(t, TPM_KH_SRK, th_srk_auth, blob, blen,
				      &h1, true), TPM_SUCCESS);
	assert_int_equal(load_key_ord(t, TPM_KH_SRK, th_srk_auth, blob, blen,
				      &h2, false), TPM_SUCCESS);
	assert_int_not_equal(h1, h2);
	assert_int_equal(sign(t, h1, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
	assert_int_equal(sign(t, h2, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
}

/* A blob whose encData or public part was changed does not load. */
static void keys_load_key2_tampered(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], bad[1024];
	size_t blen;
	uint32_t h;
	struct tmpl tp = sign512();

	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), 0);
	memcpy(bad, blob, blen);
	bad[blen - 10] ^= 0x01;		/* inside encData */
	assert_int_equal(load_key(t, TPM_KH_SRK, th_srk_auth, bad, blen, &h),
			 TPM_DECRYPT_ERROR);
	memcpy(bad, blob, blen);
	bad[10] = TPM_AUTH_NEVER;	/* authDataUsage: pubDataDigest */
	assert_int_equal(load_key(t, TPM_KH_SRK, th_srk_auth, bad, blen, &h),
			 TPM_AUTHFAIL);
	memcpy(bad, blob, blen);
	bad[blen - 4 - 256 - 4 - 1] ^= 0x80;	/* a modulus byte */
	assert_int_equal(load_key(t, TPM_KH_SRK, th_srk_auth, bad, blen, &h),
			 TPM_AUTHFAIL);
	assert_int_equal(load_key(t, TPM_KH_SRK, th_srk_auth, blob, blen, &h),
			 TPM_SUCCESS);
}

/* A key wrapped under one storage key does not load under another. */
static void keys_load_key2_other_parent(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024];
	uint32_t other, h;
	size_t blen;

	struct tmpl tp = storage2048();
	other = make_key(t, &tp, NULL, NULL);
	tp = sign512();
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), 0);
	assert_int_equal(load_key(t, other, key_auth, blob, blen, &h),
			 TPM_DECRYPT_ERROR);
}

/* Parent failures: wrong secret, no auth for an AUTH_ALWAYS parent,
 * unknown handle, the EK handle, a non-storage parent. */
static void keys_load_key2_parent_failures(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024];
	uint32_t h, signer;
	size_t blen;
	struct tmpl tp = sign512();

	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), 0);
	assert_int_equal(load_key(t, TPM_KH_SRK, bad_auth, blob, blen, &h),
			 TPM_AUTHFAIL);
	assert_int_equal(load_key(t, TPM_KH_SRK, NULL, blob, blen, &h),
			 TPM_AUTHFAIL);
	assert_int_equal(load_key(t, 0x01777777, th_srk_auth, blob, blen, &h),
			 TPM_INVALID_KEYHANDLE);
	assert_int_equal(load_key(t, TPM_KH_EK, th_srk_auth, blob, blen, &h),
			 TPM_KEYNOTFOUND);
	signer = make_key(t, &tp, NULL, NULL);
	assert_int_equal(load_key(t, signer, key_auth, blob, blen, &h),
			 TPM_INVALID_KEYUSAGE);
}

/* An SRK whose secret needs no authorization loads without an area. */
static void keys_load_key2_auth_never_parent(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024];
	uint32_t h;
	size_t blen;
	struct tmpl tp = sign512();

	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), 0);
	t->s->pd.srk.auth_usage = TPM_AUTH_NEVER;
	assert_int_equal(load_key(t, TPM_KH_SRK, NULL, blob, blen, &h),
			 TPM_SUCCESS);
}

/* A non-migratable key of another TPM (other tpmProof) is refused. */
static void keys_load_key2_tpm_proof_mismatch(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024];
	uint32_t h;
	size_t blen;
	struct tmpl tp = sign512();

	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), 0);
	t->s->pd.tpm_proof[0] ^= 0xFF;
	assert_int_equal(load_key(t, TPM_KH_SRK, th_srk_auth, blob, blen, &h),
			 TPM_INVALID_KEYUSAGE);
}

/* Slots run out at TPM_MAX_KEYS with TPM_NOSPACE; handles are unique
 * and a freed slot is reused with a new handle. */
static void keys_load_key2_slots_exhausted(void **state)
{
	struct th *t = *state;
	uint32_t h[TPM_MAX_KEYS], extra;
	uint8_t blob[1024];
	unsigned int i, j;
	size_t blen;
	struct tmpl tp = sign512();

	tp.auth_usage = TPM_AUTH_NEVER;
	assert_int_equal(create_key(t, TPM_KH_SRK, th_srk_auth, &tp, key_auth,
				    blob, &blen), 0);
	t->s->pd.srk.auth_usage = TPM_AUTH_NEVER;
	for (i = 0; i < TPM_MAX_KEYS; i++) {
		assert_int_equal(load_key(t, TPM_KH_SRK, NULL, blob, blen,
					  &h[i]), TPM_SUCCESS);
		for (j = 0; j < i; j++)
			assert_int_not_equal(h[i], h[j]);
	}
	assert_int_equal(load_key(t, TPM_KH_SRK, NULL, blob, blen, &extra),
			 TPM_NOSPACE);
	assert_int_equal(evict(t, h[3]), TPM_SUCCESS);
	assert_int_equal(load_key(t, TPM_KH_SRK, NULL, blob, blen, &extra),
			 TPM_SUCCESS);
	for (i = 0; i < TPM_MAX_KEYS; i++)
		assert_int_not_equal(extra, h[i]);
}

/* parentPCRStatus is set for children of a PCR-bound parent. */
static void keys_load_key2_parent_pcr_status(void **state)
{
	static const uint8_t sel[3] = { 0x04, 0, 0 };	/* PCR 2 */
	struct th *t = *state;
	uint8_t pcr[54], blob[1024];
	struct tpm_key *k;
	uint32_t parent, h;
	size_t blen;

	struct tmpl tp = storage2048();
	tp.pcr_len = pcr_long(t, sel, TPM_LOC_ALL, pcr);
	tp.pcr = pcr;
	parent = make_key(t, &tp, NULL, NULL);
	tp = sign512();
	assert_int_equal(create_key(t, parent, key_auth, &tp, key_auth, blob,
				    &blen), 0);
	assert_int_equal(load_key(t, parent, key_auth, blob, blen, &h), 0);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_SUCCESS);
	assert_true(k->parent_pcr_status);
	assert_int_equal(k->parent_handle, parent);
	assert_int_equal(tpm_key_lookup(t->s, parent, &k), TPM_SUCCESS);
	assert_false(k->parent_pcr_status);
}

/* GetPubKey: TPM_AUTH_ALWAYS needs an area, TPM_NO_READ_PUBKEY_AUTH and
 * TPM_AUTH_NEVER do not; a wrong secret fails. */
static void keys_get_pub_key_auth_rules(void **state)
{
	struct th *t = *state;
	uint32_t h, n_len;
	uint8_t n[256];
	struct tmpl tp = sign512();

	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(get_pubkey(t, h, NULL, n, &n_len), TPM_AUTHFAIL);
	assert_int_equal(get_pubkey(t, h, bad_auth, n, &n_len), TPM_AUTHFAIL);
	assert_int_equal(get_pubkey(t, h, key_auth, n, &n_len), TPM_SUCCESS);
	tp.auth_usage = TPM_NO_READ_PUBKEY_AUTH;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(get_pubkey(t, h, NULL, n, &n_len), TPM_SUCCESS);
	assert_int_equal(n_len, 64);
	tp.auth_usage = TPM_AUTH_NEVER;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(get_pubkey(t, h, NULL, n, &n_len), TPM_SUCCESS);
	assert_int_equal(get_pubkey(t, 0x01234567, NULL, n, &n_len),
			 TPM_INVALID_KEYHANDLE);
	/* Reserved handles answer as libtpms does. */
	assert_int_equal(get_pubkey(t, TPM_KH_EK, NULL, n, &n_len),
			 TPM_KEYNOTFOUND);
	assert_int_equal(get_pubkey(t, TPM_KH_OWNER, NULL, n, &n_len),
			 TPM_INVALID_RESOURCE);
}

/* The SRK's public part is readable only when readSRKPub is set. */
static void keys_get_pub_key_srk_read_srk_pub(void **state)
{
	struct th *t = *state;
	uint32_t n_len;
	uint8_t n[256];

	assert_int_equal(get_pubkey(t, TPM_KH_SRK, th_srk_auth, n, &n_len),
			 TPM_INVALID_KEYHANDLE);
	t->s->pf.read_srk_pub = true;
	assert_int_equal(get_pubkey(t, TPM_KH_SRK, th_srk_auth, n, &n_len),
			 TPM_SUCCESS);
	assert_int_equal(n_len, 256);
	assert_memory_equal(n, t->s->pd.srk.n, 256);
	/* Without an owner there is no SRK at all. */
	t->s->pf.owner_installed = false;
	assert_int_equal(get_pubkey(t, TPM_KH_SRK, th_srk_auth, n, &n_len),
			 TPM_INVALID_KEYHANDLE);
}

/* EvictKey unloads the key and ends the OSAP sessions bound to it. */
static void keys_evict_key_unloads_and_ends_osap(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	uint8_t sig[64];
	uint32_t h, siglen;
	struct tmpl tp = sign512();

	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(th_osap(t, &s, TPM_ET_KEYHANDLE, h, key_auth), 0);
	assert_non_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(evict(t, h), TPM_SUCCESS);
	assert_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_INVALID_KEYHANDLE);
	assert_int_equal(evict(t, h), TPM_INVALID_KEYHANDLE);
}

/* FlushSpecific(TPM_RT_KEY) has the same effect on sessions. */
static void keys_flush_specific_ends_osap(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	struct tpm_buf *b;
	uint32_t h;
	struct tmpl tp = sign512();

	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(th_osap(t, &s, TPM_ET_KEYHANDLE, h, key_auth), 0);
	b = th_begin(t, TPM_ORD_FlushSpecific);
	tb_put_u32(b, h);
	tb_put_u32(b, TPM_RT_KEY);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_null(tpm_session_find(t->s, s.handle));
}

/* EvictKey refuses reserved handles and owner-evict keys. */
static void keys_evict_key_refusals(void **state)
{
	struct th *t = *state;
	struct tmpl tp = sign512();
	struct tpm_key *k;
	uint32_t h;

	assert_int_equal(evict(t, TPM_KH_SRK), TPM_INVALID_KEYHANDLE);
	assert_int_equal(evict(t, TPM_KH_EK), TPM_INVALID_KEYHANDLE);
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_SUCCESS);
	k->owner_evict = true;
	assert_int_equal(evict(t, h), TPM_KEY_OWNER_CONTROL);
	tpm_keys_flush_all(t->s, true);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_SUCCESS);
	tpm_keys_flush_all(t->s, false);
	assert_int_equal(tpm_key_lookup(t->s, h, &k), TPM_INVALID_KEYHANDLE);
}

/* Sign: sizes the SHA1 scheme refuses, an empty area, the usage rules
 * and authorization failures. */
static void keys_sign_failures(void **state)
{
	struct th *t = *state;
	uint8_t sig[256], big[64] = { 0 };
	uint32_t h, siglen;
	struct tmpl tp = sign512();

	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(sign(t, h, key_auth, big, 19, sig, &siglen, NULL),
			 TPM_BAD_PARAMETER);
	assert_int_equal(sign(t, h, key_auth, big, 21, sig, &siglen, NULL),
			 TPM_BAD_PARAMETER);
	assert_int_equal(sign(t, h, key_auth, big, 0, sig, &siglen, NULL),
			 TPM_BAD_PARAMETER);
	assert_int_equal(sign(t, h, bad_auth, big, 20, sig, &siglen, NULL),
			 TPM_AUTHFAIL);
	assert_int_equal(sign(t, h, NULL, big, 20, sig, &siglen, NULL),
			 TPM_AUTHFAIL);
	assert_int_equal(sign(t, 0x01FEDCBA, key_auth, big, 20, sig, &siglen,
			      NULL), TPM_INVALID_KEYHANDLE);
	/* Step 3: storage keys do not sign. */
	assert_int_equal(sign(t, TPM_KH_SRK, th_srk_auth, big, 20, sig,
			      &siglen, NULL), TPM_INVALID_KEYUSAGE);
}

/* An AUTH_NEVER key signs without an auth area; legacy keys sign. */
static void keys_sign_auth_never_and_legacy(void **state)
{
	struct th *t = *state;
	uint8_t sig[64], n[64];
	uint32_t h, siglen, n_len;
	struct tmpl tp = sign512();

	tp.auth_usage = TPM_AUTH_NEVER;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(sign(t, h, NULL, digest20, 20, sig, &siglen, NULL),
			 TPM_SUCCESS);
	assert_int_equal(get_pubkey(t, h, NULL, n, &n_len), 0);
	assert_true(th_verify_sha1(n, n_len, digest20, sig, siglen));
	tp = sign512();
	tp.usage = TPM_KEY_LEGACY;
	tp.es = TPM_ES_RSAESOAEP_SHA1_MGF1;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
	assert_int_equal(get_pubkey(t, h, key_auth, n, &n_len), 0);
	assert_true(th_verify_sha1(n, n_len, digest20, sig, siglen));
}

/* The DER scheme signs the caller's DigestInfo as given, up to k - 11. */
static void keys_sign_der_scheme(void **state)
{
	struct th *t = *state;
	uint8_t sig[64], n[64], data[54], rec[64];
	uint32_t h, siglen, n_len;
	struct tmpl tp = sign512();

	tp.ss = TPM_SS_RSASSAPKCS1v15_DER;
	h = make_key(t, &tp, NULL, NULL);
	memset(data, 0x3C, sizeof(data));
	assert_int_equal(sign(t, h, key_auth, data, 35, sig, &siglen, NULL),
			 TPM_SUCCESS);
	assert_int_equal(get_pubkey(t, h, key_auth, n, &n_len), 0);
	assert_int_equal(recover_raw(n, n_len, sig, siglen, rec, sizeof(rec)),
			 35);
	assert_memory_equal(rec, data, 35);
	assert_int_equal(sign(t, h, key_auth, data, 53, sig, &siglen, NULL),
			 TPM_SUCCESS);
	assert_int_equal(sign(t, h, key_auth, data, 54, sig, &siglen, NULL),
			 TPM_BAD_PARAMETER);
}

/* The INFO scheme signs TPM_SIGN_INFO("SIGN", nonceOdd, area) and needs
 * an auth area for its nonce. */
static void keys_sign_info_scheme(void **state)
{
	struct th *t = *state;
	uint8_t sig[64], n[64], nonce[20], info[30 + 7], d[20];
	uint32_t h, siglen, n_len;
	struct tpm_buf b;
	struct tmpl tp = sign512();

	tp.ss = TPM_SS_RSASSAPKCS1v15_INFO;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(sign(t, h, key_auth, (const uint8_t *)"payload", 7,
			      sig, &siglen, nonce), TPM_SUCCESS);
	tb_init_write(&b, info, sizeof(info));
	tb_put_u16(&b, TPM_TAG_SIGNINFO);
	tb_put_bytes(&b, "SIGN", 4);
	tb_put_bytes(&b, nonce, 20);
	tb_put_sized(&b, "payload", 7);
	th_sha1(info, b.len, d);
	assert_int_equal(get_pubkey(t, h, key_auth, n, &n_len), 0);
	assert_true(th_verify_sha1(n, n_len, d, sig, siglen));
	tp.auth_usage = TPM_AUTH_NEVER;
	h = make_key(t, &tp, NULL, NULL);
	assert_int_equal(sign(t, h, NULL, digest20, 20, sig, &siglen, NULL),
			 TPM_BAD_PARAMETER);
}

/* CertifyKey with its certifyInfo parsed and fields checked. */
static uint32_t certify(struct th *t, uint32_t cert, const uint8_t *cs,
			uint32_t key, const uint8_t *ks,
			const uint8_t nonce[20])
{
	struct th_sess s1, s2;
	struct tpm_buf *b;

	if (cs && th_oiap(t, &s1, cs))
		return t->rc;
	if (ks && th_oiap(t, &s2, ks))
		return t->rc;
	b = th_begin(t, TPM_ORD_CertifyKey);
	tb_put_u32(b, cert);
	tb_put_u32(b, key);
	tb_put_bytes(b, nonce, 20);
	if (cs && ks)
		return th_run(t, 2, &s1, &s2);
	return th_run(t, 2, ks ? &s2 : NULL, NULL);
}

/* The response splits into certifyInfo and a signature over it. */
static void certify_split(struct th *t, const uint8_t *cert_n,
			  size_t cert_n_len, const uint8_t **info,
			  size_t *info_len)
{
	size_t siglen = cert_n_len;
	uint8_t d[20];

	assert_true(t->out.len > 4 + siglen);
	*info = t->out.data;
	*info_len = t->out.len - 4 - siglen;
	assert_int_equal(tb_be32(t->out.data + *info_len), siglen);
	th_sha1(*info, *info_len, d);
	assert_true(th_verify_sha1(cert_n, cert_n_len, d,
				   t->out.data + *info_len + 4, siglen));
}

/* AUTH2: a signing key certifies a bind key; TPM_CERTIFY_INFO checks. */
static void keys_certify_key_auth2_verify(void **state)
{
	static const uint8_t nonce[20] = "anti-replay-nonce-01";
	struct th *t = *state;
	uint8_t cn[64], kn[64], d[20];
	uint32_t cert, key, cn_len, kn_len;
	const uint8_t *info;
	size_t info_len;
	struct tmpl tp = sign512();

	cert = make_key(t, &tp, NULL, NULL);
	tp.usage = TPM_KEY_BIND;
	tp.es = TPM_ES_RSAESOAEP_SHA1_MGF1;
	tp.ss = TPM_SS_NONE;
	key = make_key(t, &tp, NULL, NULL);
	assert_int_equal(get_pubkey(t, cert, key_auth, cn, &cn_len), 0);
	assert_int_equal(get_pubkey(t, key, key_auth, kn, &kn_len), 0);
	assert_int_equal(certify(t, cert, key_auth, key, key_auth, nonce),
			 TPM_SUCCESS);
	certify_split(t, cn, cn_len, &info, &info_len);
	/* TPM_CERTIFY_INFO: ver, usage, flags, authDataUsage, parms (24),
	 * pubkeyDigest, data, parentPCRStatus, PCRInfoSize 0. */
	assert_int_equal(info_len, 4 + 2 + 4 + 1 + 24 + 20 + 20 + 1 + 4);
	assert_memory_equal(info, ((const uint8_t[]){ 1, 1, 0, 0 }), 4);
	assert_int_equal(tb_be16(info + 4), TPM_KEY_BIND);
	th_sha1(kn, kn_len, d);
	assert_memory_equal(info + 35, d, 20);
	assert_memory_equal(info + 55, nonce, 20);
	assert_int_equal(info[75], 0);
	/* Step 2a: a wrong key secret is the second area's failure. */
	assert_int_equal(certify(t, cert, key_auth, key, bad_auth, nonce),
			 TPM_AUTH2FAIL);
	assert_int_equal(certify(t, cert, bad_auth, key, key_auth, nonce),
			 TPM_AUTHFAIL);
}

/* AUTH1 and unauthorized CertifyKey follow step 2b/2c. */
static void keys_certify_key_auth1_and_none(void **state)
{
	static const uint8_t nonce[20] = { 7 };
	struct th *t = *state;
	uint32_t cert_never, cert_always, key, key_never, n_len;
	uint8_t n[64];
	const uint8_t *info;
	size_t info_len;
	struct tmpl tp = sign512();

	cert_always = make_key(t, &tp, NULL, NULL);
	key = make_key(t, &tp, NULL, NULL);
	tp.auth_usage = TPM_AUTH_NEVER;
	cert_never = make_key(t, &tp, NULL, NULL);
	key_never = make_key(t, &tp, NULL, NULL);
	assert_int_equal(get_pubkey(t, cert_never, NULL, n, &n_len), 0);
	/* 2b: one area for keyHandle, certifier needs none. */
	assert_int_equal(certify(t, cert_never, NULL, key, key_auth, nonce),
			 TPM_SUCCESS);
	certify_split(t, n, n_len, &info, &info_len);
	assert_int_equal(certify(t, cert_always, NULL, key, key_auth, nonce),
			 TPM_AUTHFAIL);
	assert_int_equal(certify(t, cert_never, NULL, key, bad_auth, nonce),
			 TPM_AUTHFAIL);
	/* 2c: no areas at all. */
	assert_int_equal(certify(t, cert_never, NULL, key_never, NULL, nonce),
			 TPM_SUCCESS);
	certify_split(t, n, n_len, &info, &info_len);
	assert_int_equal(certify(t, cert_never, NULL, key, NULL, nonce),
			 TPM_AUTHFAIL);
	assert_int_equal(certify(t, cert_always, NULL, key_never, NULL, nonce),
			 TPM_AUTHFAIL);
	assert_int_equal(certify(t, 0x01010101, NULL, key_never, NULL, nonce),
			 TPM_INVALID_KEYHANDLE);
}

/* Certifiers must sign with SHA1/INFO and be signing/legacy/identity
 * keys; targets must not be authchange/migrate keys. */
static void keys_certify_key_bad_certifier(void **state)
{
	static const uint8_t nonce[20] = { 9 };
	struct th *t = *state;
	uint32_t der, bind, key;
	struct tmpl tp = sign512();

	tp.auth_usage = TPM_AUTH_NEVER;
	key = make_key(t, &tp, NULL, NULL);
	tp.ss = TPM_SS_RSASSAPKCS1v15_DER;
	der = make_key(t, &tp, NULL, NULL);
	assert_int_equal(certify(t, der, NULL, key, NULL, nonce),
			 TPM_BAD_KEY_PROPERTY);
	tp.usage = TPM_KEY_BIND;
	tp.es = TPM_ES_RSAESOAEP_SHA1_MGF1;
	tp.ss = TPM_SS_NONE;
	bind = make_key(t, &tp, NULL, NULL);
	assert_int_equal(certify(t, bind, NULL, key, NULL, nonce),
			 TPM_BAD_KEY_PROPERTY);
	assert_int_equal(certify(t, TPM_KH_SRK, th_srk_auth, key, key_auth,
				 nonce), TPM_BAD_KEY_PROPERTY);
}

/* A key bound to PCR 16 is certified with TPM_CERTIFY_INFO2 and a
 * TPM_PCR_INFO_SHORT. */
static void keys_certify_key_info2_for_high_pcr(void **state)
{
	static const uint8_t sel[3] = { 0, 0, 0x01 };	/* PCR 16 */
	static const uint8_t nonce[20] = { 3 };
	struct th *t = *state;
	uint8_t pcr[54], n[64];
	uint32_t cert, key, n_len;
	const uint8_t *info;
	size_t info_len;
	struct tmpl tp = sign512();

	tp.auth_usage = TPM_AUTH_NEVER;
	cert = make_key(t, &tp, NULL, NULL);
	assert_int_equal(get_pubkey(t, cert, NULL, n, &n_len), 0);
	tp.pcr_len = pcr_long(t, sel, TPM_LOC_ALL, pcr);
	tp.pcr = pcr;
	key = make_key(t, &tp, NULL, NULL);
	assert_int_equal(certify(t, cert, NULL, key, NULL, nonce), 0);
	certify_split(t, n, n_len, &info, &info_len);
	assert_int_equal(tb_be16(info), TPM_TAG_CERTIFY_INFO2);
	assert_int_equal(info[3], TPM_PT_ASYM);
	/* ... pcrInfoSize of a TPM_PCR_INFO_SHORT (5 + 1 + 20), then an
	 * empty migrationAuthority. */
	assert_int_equal(info_len, 2 + 1 + 1 + 2 + 4 + 1 + 24 + 20 + 20 + 1 +
				   4 + 26 + 4);
	assert_int_equal(tb_be32(info + info_len - 34), 26);
	assert_int_equal(tb_be32(info + info_len - 4), 0);
}

/* A key bound to PCRs 0-15 only keeps the 1.1 form: a TPM_PCR_INFO with
 * the key's selection (3 bytes here, so 45 bytes, as libtpms answers) and
 * digestAtCreation zero. */
static void keys_certify_key_info11_for_low_pcr(void **state)
{
	static const uint8_t sel[3] = { 0x01, 0, 0 };	/* PCR 0 */
	static const uint8_t nonce[20] = { 4 };
	struct th *t = *state;
	uint8_t pcr[54], n[64], d[20];
	uint32_t cert, key, n_len;
	const uint8_t *info;
	size_t info_len;
	struct tmpl tp = sign512();

	tp.auth_usage = TPM_AUTH_NEVER;
	cert = make_key(t, &tp, NULL, NULL);
	assert_int_equal(get_pubkey(t, cert, NULL, n, &n_len), 0);
	tp.pcr_len = pcr_long(t, sel, TPM_LOC_ALL, pcr);
	tp.pcr = pcr;
	key = make_key(t, &tp, NULL, NULL);
	assert_int_equal(certify(t, cert, NULL, key, NULL, nonce), 0);
	certify_split(t, n, n_len, &info, &info_len);
	assert_int_equal(info_len, 76 + 4 + 45);
	assert_int_equal(tb_be32(info + 76), 45);
	assert_int_equal(tb_be16(info + 80), 3);
	assert_memory_equal(info + 82, sel, 3);
	composite(t, sel, d);
	assert_memory_equal(info + 85, d, 20);
	assert_memory_equal(info + 105, ((const uint8_t[20]){ 0 }), 20);
}

/* ChangeAuth on a key blob; returns the new encData in enc/elen. */
static uint32_t change_auth(struct th *t, uint32_t parent,
			    const uint8_t psecret[20], uint16_t protocol,
			    uint16_t et, const uint8_t *enc, uint32_t elen,
			    const uint8_t old[20], const uint8_t newa[20],
			    uint8_t *out, uint32_t *out_len)
{
	struct th_sess s1, s2;
	const uint8_t *p;
	struct tpm_buf *b;
	uint8_t ea[20];

	if (th_osap(t, &s1, TPM_ET_KEYHANDLE, parent, psecret) ||
	    th_oiap(t, &s2, old))
		return t->rc;
	th_adip(&s1, newa, false, ea);
	b = th_begin(t, TPM_ORD_ChangeAuth);
	tb_put_u32(b, parent);
	tb_put_u16(b, protocol);
	tb_put_bytes(b, ea, 20);
	tb_put_u16(b, et);
	tb_put_sized(b, enc, elen);
	if (th_run(t, 1, &s1, &s2))
		return t->rc;
	/* Both sessions end (step 13). */
	assert_null(tpm_session_find(t->s, s1.handle));
	assert_null(tpm_session_find(t->s, s2.handle));
	assert_int_equal(tb_get_u32(&t->out, out_len), 0);
	assert_int_equal(tb_get_ref(&t->out, &p, *out_len), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	memcpy(out, p, *out_len);
	return 0;
}

/* A key's secret changes; the rebuilt blob loads and takes only the new
 * secret. */
static void keys_change_auth_key_roundtrip(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], enc2[256], sig[64];
	uint32_t elen, elen2, h, siglen;
	const uint8_t *enc;
	struct tpm_key k;
	size_t blen, prefix;
	struct tmpl tp = sign512();

	make_key(t, &tp, blob, &blen);
	blob_parse(blob, blen, &k, &enc, &elen);
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_ADCP,
				     TPM_ET_KEY, enc, elen, key_auth, new_auth,
				     enc2, &elen2), TPM_SUCCESS);
	assert_int_equal(elen2, 256);
	prefix = blen - 4 - elen;
	tb_wr_be32(blob + prefix, elen2);
	memcpy(blob + prefix + 4, enc2, elen2);
	assert_int_equal(load_key(t, TPM_KH_SRK, th_srk_auth, blob,
				  prefix + 4 + elen2, &h), TPM_SUCCESS);
	assert_int_equal(sign(t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_AUTHFAIL);
	assert_int_equal(sign(t, h, new_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
}

/* ChangeAuth refusals: entity secret, entity type, protocol, session
 * types, parent usage, garbage encData. */
static void keys_change_auth_failures(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], out[256], junk[256], ea[20] = { 0 };
	uint32_t elen, olen, signer;
	struct th_sess s1, s2;
	const uint8_t *enc;
	struct tpm_buf *b;
	struct tpm_key k;
	size_t blen;
	struct tmpl tp = sign512();

	signer = make_key(t, &tp, blob, &blen);
	blob_parse(blob, blen, &k, &enc, &elen);
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_ADCP,
				     TPM_ET_KEY, enc, elen, bad_auth, new_auth,
				     out, &olen), TPM_AUTH2FAIL);
	assert_int_equal(change_auth(t, TPM_KH_SRK, bad_auth, TPM_PID_ADCP,
				     TPM_ET_KEY, enc, elen, key_auth, new_auth,
				     out, &olen), TPM_AUTHFAIL);
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_ADCP,
				     TPM_ET_OWNER, enc, elen, key_auth,
				     new_auth, out, &olen),
			 TPM_WRONG_ENTITYTYPE);
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_OIAP,
				     TPM_ET_KEY, enc, elen, key_auth, new_auth,
				     out, &olen), TPM_BAD_PARAMETER);
	assert_int_equal(change_auth(t, signer, key_auth, TPM_PID_ADCP,
				     TPM_ET_KEY, enc, elen, key_auth, new_auth,
				     out, &olen), TPM_INVALID_KEYUSAGE);
	memset(junk, 0x11, sizeof(junk));
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_ADCP,
				     TPM_ET_KEY, junk, 256, key_auth, new_auth,
				     out, &olen), TPM_DECRYPT_ERROR);
	/* Step 2: the parent's session must be OSAP ... */
	assert_int_equal(th_oiap(t, &s1, th_srk_auth), 0);
	assert_int_equal(th_oiap(t, &s2, key_auth), 0);
	b = th_begin(t, TPM_ORD_ChangeAuth);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_u16(b, TPM_PID_ADCP);
	tb_put_bytes(b, ea, 20);
	tb_put_u16(b, TPM_ET_KEY);
	tb_put_sized(b, enc, elen);
	assert_int_equal(th_run(t, 1, &s1, &s2), TPM_BAD_MODE);
	/* ... and the entity's OIAP. */
	assert_int_equal(th_osap(t, &s1, TPM_ET_KEYHANDLE, TPM_KH_SRK,
				 th_srk_auth), 0);
	assert_int_equal(th_osap(t, &s2, TPM_ET_KEYHANDLE, TPM_KH_SRK,
				 th_srk_auth), 0);
	b = th_begin(t, TPM_ORD_ChangeAuth);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_u16(b, TPM_PID_ADCP);
	tb_put_bytes(b, ea, 20);
	tb_put_u16(b, TPM_ET_KEY);
	tb_put_sized(b, enc, elen);
	assert_int_equal(th_run(t, 1, &s1, &s2), TPM_BAD_MODE);
}

/* TPM_ET_DATA: a TPM_SEALED_DATA blob (made here as Seal would) gets a
 * new secret; the second change proves the first took. */
static void keys_change_auth_sealed_data(void **state)
{
	struct th *t = *state;
	uint8_t plain[128], enc[256], enc2[256], enc3[256];
	uint32_t elen2, elen3;
	struct tpm_buf b;
	size_t elen;

	tb_init_write(&b, plain, sizeof(plain));
	tb_put_u8(&b, TPM_PT_SEAL);
	tb_put_bytes(&b, key_auth, 20);
	tb_put_bytes(&b, t->s->pd.tpm_proof, 20);
	tb_put_bytes(&b, digest20, 20);
	tb_put_sized(&b, "sealed secret", 13);
	elen = th_oaep_n(t->s->pd.srk.n, 256, plain, b.len, enc);
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_ADCP,
				     TPM_ET_DATA, enc, (uint32_t)elen,
				     key_auth, new_auth, enc2, &elen2),
			 TPM_SUCCESS);
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_ADCP,
				     TPM_ET_DATA, enc2, elen2, key_auth,
				     key_auth, enc3, &elen3), TPM_AUTH2FAIL);
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_ADCP,
				     TPM_ET_DATA, enc2, elen2, new_auth,
				     key_auth, enc3, &elen3), TPM_SUCCESS);
	/* A key blob is not sealed data, and another TPM's data is not
	 * ours. */
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_ADCP,
				     TPM_ET_KEY, enc, (uint32_t)elen, key_auth,
				     new_auth, enc2, &elen2),
			 TPM_INVALID_STRUCTURE);
	plain[21] ^= 0xFF;	/* tpmProof */
	elen = th_oaep_n(t->s->pd.srk.n, 256, plain, b.len, enc);
	assert_int_equal(change_auth(t, TPM_KH_SRK, th_srk_auth, TPM_PID_ADCP,
				     TPM_ET_DATA, enc, (uint32_t)elen,
				     key_auth, new_auth, enc2, &elen2),
			 TPM_AUTHFAIL);
}

/* TakeOwnership's SRK checks (tpm_srk_create, Part 3, 6.1 step 8). */
static void keys_srk_create_checks(void **state)
{
	struct th *t = *state;
	struct tpm_key k;

	memset(&k, 0, sizeof(k));
	k.key12 = true;
	k.usage = TPM_KEY_STORAGE;
	k.auth_usage = TPM_AUTH_ALWAYS;
	k.parms = t->s->pd.srk.parms;
	k.usage = TPM_KEY_SIGNING;
	assert_int_equal(tpm_srk_create(t->s, &k), TPM_INVALID_KEYUSAGE);
	k.usage = TPM_KEY_STORAGE;
	k.flags = TPM_KEY_FLAG_MIGRATABLE;
	assert_int_equal(tpm_srk_create(t->s, &k), TPM_INVALID_KEYUSAGE);
	k.flags = 0;
	k.parms.key_bits = 1024;
	assert_int_equal(tpm_srk_create(t->s, &k), TPM_BAD_KEY_PROPERTY);
	k.parms.key_bits = 2048;
	k.parms.enc_scheme = TPM_ES_RSAESPKCSv15;
	assert_int_equal(tpm_srk_create(t->s, &k), TPM_BAD_KEY_PROPERTY);
	k.parms.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1;
	k.parms.exp_size = 3;
	assert_int_equal(tpm_srk_create(t->s, &k), TPM_BAD_KEY_PROPERTY);
	k.parms.exp_size = 0;
	k.auth_usage = TPM_AUTH_NEVER;
	t->s->pf.fips = true;
	assert_int_equal(tpm_srk_create(t->s, &k), TPM_NOTFIPS);
	assert_null(k.rsa);
}

/* The real TakeOwnership builds an SRK that wraps and loads keys. */
static void keys_take_ownership_srk_usable(void **state)
{
	struct tmpl tp = sign512();
	uint8_t blob[1024], sig[64];
	uint32_t h, siglen;
	size_t blen;
	struct th t;

	(void)state;
	th_init(&t);
	th_pp(&t);
	th_take_ownership(&t);
	assert_true(t.s->pd.srk.valid);
	assert_memory_equal(t.s->pd.srk.migration_auth, t.s->pd.tpm_proof,
			    20);
	assert_int_equal(create_key(&t, TPM_KH_SRK, th_srk_auth, &tp,
				    key_auth, blob, &blen), 0);
	assert_int_equal(load_key(&t, TPM_KH_SRK, th_srk_auth, blob, blen, &h),
			 0);
	assert_int_equal(sign(&t, h, key_auth, digest20, 20, sig, &siglen,
			      NULL), TPM_SUCCESS);
	th_fini(&t);
}

/* Malformed commands of this family, as raw bytes.  The 45-byte auth
 * areas are dummies: parsing fails before they are looked at. */
#define AUTH45 0x02, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0
#define HDR(tag, size, ord) 0, tag, 0, 0, 0, size, 0, 0, 0, ord

#define CMD TH_VEC_BYTES

static const struct th_vector malformed[] = {
	CMD("EvictKey: short handle", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 12, 0x22), 1, 0),
	CMD("EvictKey: trailing byte", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 15, 0x22), 1, 0, 0, 1, 0),
	CMD("EvictKey: AUTH1 tag", TPM_BADTAG,
	    HDR(0xC2, 59, 0x22), 1, 0, 0, 1, AUTH45),
	CMD("GetPubKey: no handle", TPM_BAD_PARAM_SIZE, HDR(0xC1, 10, 0x21)),
	CMD("GetPubKey: trailing byte", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 15, 0x21), 0x40, 0, 0, 0, 9),
	CMD("GetPubKey: AUTH2 tag", TPM_BADTAG,
	    HDR(0xC3, 104, 0x21), 0x40, 0, 0, 0, AUTH45, AUTH45),
	CMD("Sign: areaToSign beyond the command", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 18, 0x3C), 1, 0, 0, 1, 0, 0, 0, 20),
	CMD("Sign: trailing byte", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 20, 0x3C), 1, 0, 0, 1, 0, 0, 0, 1, 0xAA, 0),
	CMD("Sign: short size", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 16, 0x3C), 1, 0, 0, 1, 0, 0),
	CMD("LoadKey2: parent only", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 14, 0x41), 0x40, 0, 0, 0),
	CMD("LoadKey2: bad TPM_KEY12 tag", TPM_BAD_KEY_PROPERTY,
	    HDR(0xC1, 18, 0x41), 0x40, 0, 0, 0, 0, 0x15, 0, 0),
	CMD("LoadKey2: TPM_KEY version 1.2", TPM_BAD_VERSION,
	    HDR(0xC1, 18, 0x41), 0x40, 0, 0, 0, 1, 2, 0, 0),
	CMD("LoadKey: truncated key", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 22, 0x20), 0x40, 0, 0, 0, 0, 0x28, 0, 0, 0, 0x10, 0, 0),
	CMD("LoadKey2: AUTH2 tag", TPM_BADTAG,
	    HDR(0xC3, 104, 0x41), 0x40, 0, 0, 0, AUTH45, AUTH45),
	CMD("CertifyKey: no antiReplay", TPM_BAD_PARAM_SIZE,
	    HDR(0xC1, 18, 0x32), 1, 0, 0, 1, 1, 0, 0, 2),
	CMD("CreateWrapKey: RQU tag", TPM_BADTAG,
	    HDR(0xC1, 14, 0x1F), 0x40, 0, 0, 0),
	CMD("CreateWrapKey: no keyInfo", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 59, 0x1F), 0x40, 0, 0, 0, AUTH45),
	CMD("CreateWrapKey: too short for its handle", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 57, 0x1F), 0x40, 0, AUTH45),
	CMD("ChangeAuth: AUTH1 tag", TPM_BADTAG,
	    HDR(0xC2, 59, 0x0C), 0x40, 0, 0, 0, AUTH45),
	CMD("ChangeAuth: no encData", TPM_BAD_PARAM_SIZE,
	    HDR(0xC3, 104, 0x0C), 0x40, 0, 0, 0, AUTH45, AUTH45),
};

/* Each malformed command gets its return code and a bare header. */
static void keys_malformed_vectors(void **state)
{
	th_run_vectors(*state, malformed, ARRAY_SIZE(malformed));
}

#define KT(f) cmocka_unit_test_setup_teardown(f, setup_state, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT(keys_create_wrap_key_sign_verify),
		KT(keys_create_wrap_key_migration_auth),
		KT(keys_create_wrap_key_key11),
		KT(keys_create_wrap_key_auth_failures),
		KT(keys_create_wrap_key_osap_other_entity),
		KT(keys_create_wrap_key_session_ends),
		KT(keys_create_wrap_key_bad_properties),
		KT(keys_create_wrap_key_migratable_parent),
		KT(keys_create_wrap_key_pcr_bound),
		KT(keys_create_wrap_key_zero_locality),
		KT(keys_sign_unknown_auth_usage),
		KT(keys_sign_locality_bound),
		KT(keys_load_key_handle_hmac),
		KT(keys_load_key2_tampered),
		KT(keys_load_key2_other_parent),
		KT(keys_load_key2_parent_failures),
		KT(keys_load_key2_auth_never_parent),
		KT(keys_load_key2_tpm_proof_mismatch),
		KT(keys_load_key2_slots_exhausted),
		KT(keys_load_key2_parent_pcr_status),
		KT(keys_get_pub_key_auth_rules),
		KT(keys_get_pub_key_srk_read_srk_pub),
		KT(keys_evict_key_unloads_and_ends_osap),
		KT(keys_flush_specific_ends_osap),
		KT(keys_evict_key_refusals),
		KT(keys_sign_failures),
		KT(keys_sign_auth_never_and_legacy),
		KT(keys_sign_der_scheme),
		KT(keys_sign_info_scheme),
		KT(keys_certify_key_auth2_verify),
		KT(keys_certify_key_auth1_and_none),
		KT(keys_certify_key_bad_certifier),
		KT(keys_certify_key_info2_for_high_pcr),
		KT(keys_certify_key_info11_for_low_pcr),
		KT(keys_change_auth_key_roundtrip),
		KT(keys_change_auth_failures),
		KT(keys_change_auth_sealed_data),
		KT(keys_srk_create_checks),
		cmocka_unit_test(keys_take_ownership_srk_usable),
		KT(keys_malformed_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
