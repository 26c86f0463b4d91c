// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tpm_emulator/identity.c: MakeIdentity (the identity
 * binding checked with OpenSSL over TPM_IDENTITY_CONTENTS, the key usable
 * after LoadKey2) and ActivateIdentity with blobs built on the client side
 * the way a privacy CA does: OAEP ("TCPA") under the EK read by ReadPubek.
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

static const uint8_t id_auth[20] = "identity-key-secret1";
static const uint8_t label[20] = "privacy-ca-label-dig";
static const uint8_t aes_key[16] = "session-key-0123";

/* ------------------------------------------------------------ helpers */

/* A parsed TPM_KEY/TPM_KEY12 blob: where its TPM_PUBKEY parts are. */
struct key_blob {
	uint8_t bytes[TPM_MAX_COMMAND_SIZE];
	size_t len;
	const uint8_t *parms;		/* TPM_KEY_PARMS */
	size_t parms_len;
	const uint8_t *n;		/* modulus */
	uint32_t n_len;
};

/* Parse a TPM_KEY(12) at the front of @b into @k (client side). */
static void key_blob_get(struct tpm_buf *b, struct key_blob *k)
{
	uint32_t psize, pcr_size, enc_size;
	const uint8_t *start = tb_cursor(b), *p;

	if (tb_skip(b, 4 + 2 + 4 + 1))
		fail_msg("short TPM_KEY");
	k->parms = tb_cursor(b);
	if (tb_skip(b, 4 + 2 + 2) || tb_get_u32(b, &psize) ||
	    tb_skip(b, psize))
		fail_msg("short TPM_KEY_PARMS");
	k->parms_len = (size_t)(tb_cursor(b) - k->parms);
	if (tb_get_u32(b, &pcr_size) || tb_skip(b, pcr_size) ||
	    tb_get_u32(b, &k->n_len) || tb_get_ref(b, &p, k->n_len) ||
	    tb_get_u32(b, &enc_size) || tb_skip(b, enc_size))
		fail_msg("short TPM_KEY");
	k->len = (size_t)(tb_cursor(b) - start);
	memcpy(k->bytes, start, k->len);
	/* Point into our copy, not the response buffer. */
	k->parms = k->bytes + (k->parms - start);
	k->n = k->bytes + (p - start);
}

/* TPM_PUBKEY of @k (parms, keyLength, modulus); returns its length. */
static size_t pubkey_bytes(const struct key_blob *k, uint8_t *out)
{
	memcpy(out, k->parms, k->parms_len);
	tb_wr_be32(out + k->parms_len, k->n_len);
	memcpy(out + k->parms_len + 4, k->n, k->n_len);
	return k->parms_len + 4 + k->n_len;
}

/* A template for MakeIdentity: TPM_KEY12, or TPM_KEY when @v11. */
struct id_template {
	bool v11;
	uint16_t usage;
	uint32_t flags;
	uint8_t auth_usage;
	uint16_t es;
	uint32_t bits;
};

static const struct id_template id12 = {
	false, TPM_KEY_IDENTITY, 0, TPM_AUTH_ALWAYS, TPM_ES_NONE, 2048,
};

static void template_put(struct tpm_buf *b, const struct id_template *tp)
{
	if (tp->v11) {
		tb_put_bytes(b, "\x01\x01\x00\x00", 4);
	} else {
		tb_put_u16(b, TPM_TAG_KEY12);
		tb_put_u16(b, 0);
	}
	tb_put_u16(b, tp->usage);
	tb_put_u32(b, tp->flags);
	tb_put_u8(b, tp->auth_usage);
	tb_put_u32(b, TPM_ALG_RSA);
	tb_put_u16(b, tp->es);
	tb_put_u16(b, TPM_SS_RSASSAPKCS1v15_SHA1);
	tb_put_u32(b, 12);		/* TPM_RSA_KEY_PARMS */
	tb_put_u32(b, tp->bits);
	tb_put_u32(b, 2);
	tb_put_u32(b, 0);
	tb_put_u32(b, 0);		/* PCRInfoSize */
	tb_put_u32(b, 0);		/* pubKey */
	tb_put_u32(b, 0);		/* encData */
}

/* Secrets MakeIdentity is sent with; NULL srk means AUTH1. */
struct id_auths {
	const uint8_t *srk;
	const uint8_t *owner;
	bool owner_oiap;
};

static const struct id_auths good = { th_srk_auth, th_owner_auth, false };

/* MakeIdentity; on success @key and @binding/@blen get the outputs. */
static uint32_t make_identity(struct th *t, const struct id_template *tp,
			      const struct id_auths *a, struct key_blob *key,
			      uint8_t *binding, uint32_t *blen)
{
	struct th_sess ss, so;
	struct tpm_buf *b;
	const uint8_t *p;
	uint8_t enc[20];

	if (a->owner_oiap ? th_oiap(t, &so, a->owner) :
	    th_osap(t, &so, TPM_ET_OWNER, TPM_KH_OWNER, a->owner))
		return t->rc;
	if (a->srk && th_oiap(t, &ss, a->srk))
		fail_msg("OIAP failed: 0x%x", t->rc);
	th_adip(&so, id_auth, false, enc);
	b = th_begin(t, TPM_ORD_MakeIdentity);
	tb_put_bytes(b, enc, 20);
	tb_put_bytes(b, label, 20);
	template_put(b, tp);
	if (a->srk)
		th_run(t, 0, &ss, &so);
	else
		th_run(t, 0, &so, NULL);
	if (t->rc)
		return t->rc;
	key_blob_get(&t->out, key);
	if (tb_get_u32(&t->out, blen) || tb_get_ref(&t->out, &p, *blen) ||
	    tb_expect_end(&t->out))
		fail_msg("malformed MakeIdentity response");
	memcpy(binding, p, *blen);
	return TPM_SUCCESS;
}

/* Does @sig verify (PKCS#1 v1.5, SHA-1) over SHA1(@msg) with @k? */
static bool verify_sha1(const struct key_blob *k, const uint8_t *msg,
			size_t len, const uint8_t *sig, size_t siglen)
{
	uint8_t digest[20];

	th_sha1(msg, len, digest);
	return th_verify_sha1(k->n, k->n_len, digest, sig, siglen);
}

/* Check identityBinding: a signature over TPM_IDENTITY_CONTENTS
 * (1.1.0.0, TPM_ORD_MakeIdentity, labelPrivCADigest, TPM_PUBKEY). */
static void assert_binding(const struct key_blob *k, const uint8_t *sig,
			   uint32_t siglen)
{
	uint8_t ic[1024];
	size_t n;

	memcpy(ic, "\x01\x01\x00\x00", 4);
	tb_wr_be32(ic + 4, TPM_ORD_MakeIdentity);
	memcpy(ic + 8, label, 20);
	n = 28 + pubkey_bytes(k, ic + 28);
	assert_true(verify_sha1(k, ic, n, sig, siglen));
	/* Another label does not verify. */
	ic[8] ^= 1;
	assert_false(verify_sha1(k, ic, n, sig, siglen));
}

/* LoadKey2 of @k under the SRK; returns the handle. */
static uint32_t load_key(struct th *t, const struct key_blob *k)
{
	struct th_sess s;
	struct tpm_buf *b;
	uint32_t handle;

	if (th_oiap(t, &s, th_srk_auth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	s.cont = false;
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, k->bytes, k->len);
	th_out_handles(t, 1);
	if (th_run(t, 1, &s, NULL) || tb_get_u32(&t->out, &handle))
		fail_msg("LoadKey2 failed: 0x%x", t->rc);
	return handle;
}

/* The EK modulus by ReadPubek (before TakeOwnership disables it). */
static void read_pubek(struct th *t, uint8_t ek[256])
{
	uint8_t nonce[20] = { 0 };
	uint32_t psize, n_len;
	struct tpm_buf *b;

	b = th_begin(t, TPM_ORD_ReadPubek);
	tb_put_bytes(b, nonce, 20);
	if (th_run(t, 0, NULL, NULL) || tb_skip(&t->out, 8) ||
	    tb_get_u32(&t->out, &psize) || tb_skip(&t->out, psize) ||
	    tb_get_u32(&t->out, &n_len) || n_len != 256 ||
	    tb_get_bytes(&t->out, ek, n_len))
		fail_msg("ReadPubek failed: 0x%x", t->rc);
}

/* An owned TPM with a loaded identity key made by MakeIdentity, and the
 * EK a privacy CA would have from the EK certificate. */
struct ident {
	struct th t;
	uint8_t ek[256];
	struct key_blob key;
	uint32_t handle;
};

static void ident_init(struct ident *id, const struct id_template *tp)
{
	uint8_t binding[512];
	uint32_t blen;

	th_init(&id->t);
	read_pubek(&id->t, id->ek);
	th_take_ownership(&id->t);
	if (make_identity(&id->t, tp, &good, &id->key, binding, &blen))
		fail_msg("MakeIdentity failed: 0x%x", id->t.rc);
	id->handle = load_key(&id->t, &id->key);
}

/* ------------------------------------------------------------ MakeIdentity */

/* MakeIdentity returns a TPM_KEY12 identity key and a binding that
 * OpenSSL verifies with that key; the key loads under the SRK. */
static void make_identity_binding_verifies(void **state)
{
	uint8_t binding[512];
	struct key_blob k;
	uint32_t blen;
	struct th t;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	assert_int_equal(make_identity(&t, &id12, &good, &k, binding, &blen),
			 TPM_SUCCESS);
	assert_int_equal(tb_be16(k.bytes), TPM_TAG_KEY12);
	assert_int_equal(tb_be16(k.bytes + 4), TPM_KEY_IDENTITY);
	assert_int_equal(k.n_len, 256);
	assert_int_equal(blen, 256);
	assert_binding(&k, binding, blen);
	assert_true(load_key(&t, &k) != 0);
	th_fini(&t);
}

/* A TPM_KEY (1.1) template gives a TPM_KEY identity whose binding
 * verifies the same way. */
static void make_identity_key11(void **state)
{
	static const struct id_template id11 = {
		true, TPM_KEY_IDENTITY, 0, TPM_AUTH_ALWAYS, TPM_ES_NONE, 2048,
	};
	uint8_t binding[512];
	struct key_blob k;
	uint32_t blen;
	struct th t;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	assert_int_equal(make_identity(&t, &id11, &good, &k, binding, &blen),
			 TPM_SUCCESS);
	assert_memory_equal(k.bytes, "\x01\x01", 2);
	assert_binding(&k, binding, blen);
	assert_true(load_key(&t, &k) != 0);
	th_fini(&t);
}

/* Wrong owner secret: TPM_AUTH2FAIL; wrong SRK secret: TPM_AUTHFAIL;
 * an OIAP owner session: TPM_INVALID_AUTHHANDLE; no SRK area for an SRK
 * that needs one: TPM_AUTHFAIL. */
static void make_identity_auth_errors(void **state)
{
	static const struct id_auths bad_owner = { th_srk_auth, th_zero_auth,
						   false };
	static const struct id_auths bad_srk = { th_zero_auth, th_owner_auth,
						 false };
	static const struct id_auths oiap = { th_srk_auth, th_owner_auth,
					      true };
	static const struct id_auths no_srk = { NULL, th_owner_auth, false };
	uint8_t binding[512];
	struct key_blob k;
	uint32_t blen;
	struct th t;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	/* A wrong owner secret gives another shared secret: the OSAP
	 * session is opened, the HMAC fails. */
	assert_int_equal(make_identity(&t, &id12, &bad_owner, &k, binding,
				       &blen), TPM_AUTH2FAIL);
	assert_int_equal(make_identity(&t, &id12, &bad_srk, &k, binding,
				       &blen), TPM_AUTHFAIL);
	assert_int_equal(make_identity(&t, &id12, &oiap, &k, binding, &blen),
			 TPM_INVALID_AUTHHANDLE);
	assert_int_equal(make_identity(&t, &id12, &no_srk, &k, binding,
				       &blen), TPM_AUTHFAIL);
	th_fini(&t);
}

/* Templates that are not non-migratable RSA-2048 identity keys with
 * TPM_ES_NONE are refused. */
static void make_identity_bad_templates(void **state)
{
	static const struct {
		struct id_template tp;
		uint32_t rc;
	} cases[] = {
		{ { false, TPM_KEY_SIGNING, 0, TPM_AUTH_ALWAYS, TPM_ES_NONE,
		    2048 }, TPM_INVALID_KEYUSAGE },
		{ { false, TPM_KEY_IDENTITY, TPM_KEY_FLAG_MIGRATABLE,
		    TPM_AUTH_ALWAYS, TPM_ES_NONE, 2048 },
		  TPM_INVALID_KEYUSAGE },
		{ { false, TPM_KEY_IDENTITY, 0, TPM_AUTH_ALWAYS, TPM_ES_NONE,
		    1024 }, TPM_BAD_KEY_PROPERTY },
		{ { false, TPM_KEY_IDENTITY, 0, TPM_AUTH_ALWAYS,
		    TPM_ES_RSAESOAEP_SHA1_MGF1, 2048 }, TPM_BAD_KEY_PROPERTY },
	};
	uint8_t binding[512];
	struct key_blob k;
	uint32_t blen;
	struct th t;
	size_t i;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(make_identity(&t, &cases[i].tp, &good, &k,
					       binding, &blen), cases[i].rc);
	th_fini(&t);
}

/* Without an owner MakeIdentity is TPM_NOSRK. */
static void make_identity_no_owner(void **state)
{
	static const struct id_auths oiap = { th_srk_auth, th_owner_auth,
					      true };
	uint8_t binding[512];
	struct key_blob k;
	uint32_t blen;
	struct th t;

	(void)state;
	th_init(&t);
	assert_int_equal(make_identity(&t, &id12, &oiap, &k, binding, &blen),
			 TPM_NOSRK);
	th_fini(&t);
}

/* MakeIdentity ends both sessions even when asked to continue them. */
static void make_identity_ends_sessions(void **state)
{
	uint8_t enc[20];
	struct th_sess ss, so;
	struct tpm_buf *b;
	struct th t;

	(void)state;
	th_init(&t);
	th_take_ownership(&t);
	assert_int_equal(th_osap(&t, &so, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_owner_auth), TPM_SUCCESS);
	assert_int_equal(th_oiap(&t, &ss, th_srk_auth), TPM_SUCCESS);
	th_adip(&so, id_auth, false, enc);
	b = th_begin(&t, TPM_ORD_MakeIdentity);
	tb_put_bytes(b, enc, 20);
	tb_put_bytes(b, label, 20);
	template_put(b, &id12);
	assert_int_equal(th_run(&t, 0, &ss, &so), TPM_SUCCESS);
	/* Both sessions are gone: the next use is an unknown handle. */
	b = th_begin(&t, TPM_ORD_MakeIdentity);
	tb_put_bytes(b, enc, 20);
	tb_put_bytes(b, label, 20);
	template_put(b, &id12);
	assert_int_equal(th_run(&t, 0, &ss, &so), TPM_INVALID_AUTHHANDLE);
	th_fini(&t);
}

/* ------------------------------------------------------ ActivateIdentity */

/* TPM_SYMMETRIC_KEY of the test's AES-128 session key. */
static size_t sym_key(uint8_t *p)
{
	tb_wr_be32(p, TPM_ALG_AES128);
	tb_wr_be16(p + 4, TPM_ES_SYM_CBC_PKCS5PAD);
	tb_wr_be16(p + 6, sizeof(aes_key));
	memcpy(p + 8, aes_key, sizeof(aes_key));
	return 8 + sizeof(aes_key);
}

/* What a privacy CA binds the session key to. */
struct ca_blob {
	bool legacy;		/* TPM_ASYM_CA_CONTENTS, not an EK blob */
	uint16_t ek_type;
	uint32_t pcr_mask;	/* PCRs of the TPM_PCR_INFO_SHORT */
	uint8_t locality;
	uint8_t pcr_digest[20];
	bool wrong_digest;	/* idDigest of another key */
};

/* Build the blob for the identity key of @id and encrypt it to the EK;
 * returns its size. */
static size_t ca_blob_make(const struct ident *id, const struct ca_blob *cb,
			   uint8_t out[256])
{
	uint8_t pub[600], plain[200], *p = plain;
	size_t n;

	if (!cb->legacy) {
		tb_wr_be16(p, TPM_TAG_EK_BLOB);
		tb_wr_be16(p + 2, cb->ek_type);
		p += 8;			/* blobSize set below */
		tb_wr_be16(p, TPM_TAG_EK_BLOB_ACTIVATE);
		p += 2;
	}
	p += sym_key(p);
	/* idDigest = SHA1(TPM_PUBKEY of the identity key). */
	n = pubkey_bytes(&id->key, pub);
	if (cb->wrong_digest)
		pub[n - 1] ^= 1;
	SHA1(pub, n, p);
	p += 20;
	if (!cb->legacy) {
		/* TPM_PCR_INFO_SHORT */
		tb_wr_be16(p, 3);
		p[2] = (uint8_t)cb->pcr_mask;
		p[3] = (uint8_t)(cb->pcr_mask >> 8);
		p[4] = (uint8_t)(cb->pcr_mask >> 16);
		p[5] = cb->locality;
		memcpy(p + 6, cb->pcr_digest, 20);
		p += 26;
		tb_wr_be32(plain + 4, (uint32_t)(p - plain - 8));
	}
	return th_oaep_n(id->ek, 256, plain, (size_t)(p - plain), out);
}

/* ActivateIdentity with OIAP sessions for the key (@kauth, NULL for an
 * AUTH1 command) and the owner (@oauth); the key goes to @out. */
static uint32_t activate(struct th *t, uint32_t handle, const uint8_t *kauth,
			 const uint8_t *oauth, const uint8_t *blob, size_t n,
			 uint8_t *out, size_t *out_len)
{
	struct th_sess sk, so;
	struct tpm_buf *b;

	if (kauth && th_oiap(t, &sk, kauth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	if (th_oiap(t, &so, oauth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	b = th_begin(t, TPM_ORD_ActivateIdentity);
	tb_put_u32(b, handle);
	tb_put_sized(b, blob, (uint32_t)n);
	if (kauth)
		th_run(t, 1, &sk, &so);
	else
		th_run(t, 1, &so, NULL);
	if (t->rc == TPM_SUCCESS) {
		*out_len = t->out.len;
		memcpy(out, t->out.data, t->out.len);
	}
	return t->rc;
}

static void assert_activates(struct ident *id, const uint8_t *blob, size_t n)
{
	uint8_t out[256], want[64];
	size_t len;

	assert_int_equal(activate(&id->t, id->handle, id_auth, th_owner_auth,
				  blob, n, out, &len), TPM_SUCCESS);
	assert_int_equal(len, sym_key(want));
	assert_memory_equal(out, want, len);
}

/* A TPM_EK_BLOB (TPM_EK_BLOB_ACTIVATE, no PCRs) for this identity key
 * gives back the CA's TPM_SYMMETRIC_KEY. */
static void activate_identity_ek_blob(void **state)
{
	static const struct ca_blob cb = { .ek_type = TPM_EK_TYPE_ACTIVATE };
	uint8_t blob[256];
	struct ident id;
	size_t n;

	(void)state;
	ident_init(&id, &id12);
	n = ca_blob_make(&id, &cb, blob);
	assert_activates(&id, blob, n);
	th_fini(&id.t);
}

/* The 1.1 TPM_ASYM_CA_CONTENTS form works too. */
static void activate_identity_asym_ca_contents(void **state)
{
	static const struct ca_blob cb = { .legacy = true };
	uint8_t blob[256];
	struct ident id;
	size_t n;

	(void)state;
	ident_init(&id, &id12);
	n = ca_blob_make(&id, &cb, blob);
	assert_activates(&id, blob, n);
	th_fini(&id.t);
}

/* A blob for another key (idDigest mismatch) is TPM_BAD_PARAMETER in
 * both forms; an EK blob of another type is TPM_BAD_TYPE. */
static void activate_identity_wrong_blob(void **state)
{
	static const struct ca_blob wrong = {
		.ek_type = TPM_EK_TYPE_ACTIVATE, .wrong_digest = true,
	};
	static const struct ca_blob wrong11 = {
		.legacy = true, .wrong_digest = true,
	};
	static const struct ca_blob auth_type = {
		.ek_type = TPM_EK_TYPE_AUTH,
	};
	uint8_t blob[256], out[256];
	struct ident id;
	size_t n, len;

	(void)state;
	ident_init(&id, &id12);
	n = ca_blob_make(&id, &wrong, blob);
	assert_int_equal(activate(&id.t, id.handle, id_auth, th_owner_auth,
				  blob, n, out, &len), TPM_BAD_PARAMETER);
	n = ca_blob_make(&id, &wrong11, blob);
	assert_int_equal(activate(&id.t, id.handle, id_auth, th_owner_auth,
				  blob, n, out, &len), TPM_BAD_PARAMETER);
	n = ca_blob_make(&id, &auth_type, blob);
	assert_int_equal(activate(&id.t, id.handle, id_auth, th_owner_auth,
				  blob, n, out, &len), TPM_BAD_TYPE);
	/* Bytes that are not OAEP under the EK: TPM_DECRYPT_ERROR. */
	memset(blob, 0x5c, sizeof(blob));
	assert_int_equal(activate(&id.t, id.handle, id_auth, th_owner_auth,
				  blob, 256, out, &len), TPM_DECRYPT_ERROR);
	th_fini(&id.t);
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

/* A blob bound to PCR 16 activates only while PCR 16 matches
 * (TPM_WRONGPCRVAL after an extend), and one bound to locality 3 only
 * there (TPM_BAD_LOCALITY elsewhere). */
static void activate_identity_pcr_bound(void **state)
{
	struct ca_blob cb = {
		.ek_type = TPM_EK_TYPE_ACTIVATE, .pcr_mask = 1U << 16,
		.locality = TPM_LOC_ALL,
	};
	uint8_t blob[256], out[256], comp[29] = { 0, 3, 0, 0, 1, 0, 0, 0, 20 };
	struct ident id;
	size_t n, len;

	(void)state;
	ident_init(&id, &id12);
	/* PCR 16 is zero after Startup: composite of one zero PCR. */
	SHA1(comp, sizeof(comp), cb.pcr_digest);
	n = ca_blob_make(&id, &cb, blob);
	assert_activates(&id, blob, n);
	assert_int_equal(extend(&id.t, 16, 0x10), TPM_SUCCESS);
	assert_int_equal(activate(&id.t, id.handle, id_auth, th_owner_auth,
				  blob, n, out, &len), TPM_WRONGPCRVAL);

	cb.pcr_mask = 0;
	cb.locality = TPM_LOC_THREE;
	n = ca_blob_make(&id, &cb, blob);
	assert_int_equal(activate(&id.t, id.handle, id_auth, th_owner_auth,
				  blob, n, out, &len), TPM_BAD_LOCALITY);
	assert_int_equal(tpm_set_locality(id.t.s, 3), 0);
	assert_activates(&id, blob, n);
	th_fini(&id.t);
}

/* Wrong owner secret: TPM_AUTH2FAIL; wrong key secret: TPM_AUTHFAIL;
 * a key that is not an identity: TPM_BAD_PARAMETER. */
static void activate_identity_auth_errors(void **state)
{
	static const struct ca_blob cb = { .ek_type = TPM_EK_TYPE_ACTIVATE };
	uint8_t blob[256], out[256];
	uint32_t sign;
	struct ident id;
	size_t n, len;

	(void)state;
	ident_init(&id, &id12);
	n = ca_blob_make(&id, &cb, blob);
	assert_int_equal(activate(&id.t, id.handle, id_auth, th_zero_auth,
				  blob, n, out, &len), TPM_AUTH2FAIL);
	assert_int_equal(activate(&id.t, id.handle, th_zero_auth,
				  th_owner_auth, blob, n, out, &len),
			 TPM_AUTHFAIL);
	/* AUTH1 needs an identity key with authDataUsage NEVER. */
	assert_int_equal(activate(&id.t, id.handle, NULL, th_owner_auth, blob,
				  n, out, &len), TPM_AUTHFAIL);
	sign = th_create_load_key(&id.t, TPM_KEY_SIGNING, id_auth, NULL,
				  NULL);
	assert_int_equal(activate(&id.t, sign, id_auth, th_owner_auth, blob,
				  n, out, &len), TPM_BAD_PARAMETER);
	assert_activates(&id, blob, n);
	th_fini(&id.t);
}

/* An identity key with authDataUsage NEVER activates with the owner's
 * area alone (AUTH1). */
static void activate_identity_auth1_never_key(void **state)
{
	static const struct id_template never = {
		false, TPM_KEY_IDENTITY, 0, TPM_AUTH_NEVER, TPM_ES_NONE, 2048,
	};
	static const struct ca_blob cb = { .ek_type = TPM_EK_TYPE_ACTIVATE };
	uint8_t blob[256], out[256], want[64];
	struct ident id;
	size_t n, len;

	(void)state;
	ident_init(&id, &never);
	n = ca_blob_make(&id, &cb, blob);
	assert_int_equal(activate(&id.t, id.handle, NULL, th_owner_auth, blob,
				  n, out, &len), TPM_SUCCESS);
	assert_int_equal(len, sym_key(want));
	assert_memory_equal(out, want, len);
	th_fini(&id.t);
}

/* ------------------------------------------------------------ malformed */

#define V TH_VEC_BYTES
#define D20 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
/* One authorization area (handle, nonceOdd, continue 0, auth). */
#define AUTH 0x02, 0, 0, 1, D20, 0, D20

/* Short, trailing and malformed inputs; the auth areas are never
 * reached. */
static const struct th_vector vectors[] = {
	V("MakeIdentity without idKeyParams", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC3, 0, 0, 0, 140, 0, 0, 0, 0x79, D20, D20, AUTH, AUTH),
	V("MakeIdentity with a cut TPM_KEY12", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC3, 0, 0, 0, 146, 0, 0, 0, 0x79, D20, D20,
	  0, 0x28, 0, 0, 0, 0x12, AUTH, AUTH),
	V("MakeIdentity with a bad key tag", TPM_BAD_KEY_PROPERTY,
	  0x00, 0xC3, 0, 0, 0, 146, 0, 0, 0, 0x79, D20, D20,
	  0, 0x29, 0, 0, 0, 0x12, AUTH, AUTH),
	V("MakeIdentity without auth areas", TPM_BADTAG,
	  0x00, 0xC1, 0, 0, 0, 50, 0, 0, 0, 0x79, D20, D20),
	V("ActivateIdentity without blob", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC3, 0, 0, 0, 104, 0, 0, 0, 0x7A, 0x01, 0, 0, 1,
	  AUTH, AUTH),
	V("ActivateIdentity with blobSize past the end", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC3, 0, 0, 0, 110, 0, 0, 0, 0x7A, 0x01, 0, 0, 1,
	  0, 0, 1, 0, 1, 2, AUTH, AUTH),
	V("ActivateIdentity with a trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC3, 0, 0, 0, 110, 0, 0, 0, 0x7A, 0x01, 0, 0, 1,
	  0, 0, 0, 1, 1, 2, AUTH, AUTH),
	V("ActivateIdentity without auth areas", TPM_BADTAG,
	  0x00, 0xC1, 0, 0, 0, 19, 0, 0, 0, 0x7A, 0x01, 0, 0, 1,
	  0, 0, 0, 1, 1),
};

/* Every vector gets its return code. */
static void identity_malformed_vectors(void **state)
{
	struct th t;

	(void)state;
	th_init_owned(&t, false);
	th_run_vectors(&t, vectors, ARRAY_SIZE(vectors));
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(make_identity_binding_verifies),
		cmocka_unit_test(make_identity_key11),
		cmocka_unit_test(make_identity_auth_errors),
		cmocka_unit_test(make_identity_bad_templates),
		cmocka_unit_test(make_identity_no_owner),
		cmocka_unit_test(make_identity_ends_sessions),
		cmocka_unit_test(activate_identity_ek_blob),
		cmocka_unit_test(activate_identity_asym_ca_contents),
		cmocka_unit_test(activate_identity_wrong_blob),
		cmocka_unit_test(activate_identity_pcr_bound),
		cmocka_unit_test(activate_identity_auth_errors),
		cmocka_unit_test(activate_identity_auth1_never_key),
		cmocka_unit_test(identity_malformed_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
