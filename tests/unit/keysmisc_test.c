// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the keysmisc family (issue 3): TPM_Sealx (storage.c),
 * TPM_CertifyKey2 (keys.c), TPM_ChangeAuthAsymStart/Finish
 * (changeauth_asym.c), TPM_Reset and TSC_ResetEstablishmentBit (misc.c),
 * and the answer to the optional SetRedirection/FieldUpgrade.  Client-side
 * crypto (MGF1 masks, OAEP, signature checks, HMACs) is OpenSSL's.
 * Identity keys are made by relabelling a loaded signing key in the
 * state: MakeIdentity is identity.c's and tested there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "harness.h"

static const uint8_t key_auth[20] = "keysmisc-key-secret1";
static const uint8_t id_auth[20] = "keysmisc-id-secret-2";
static const uint8_t data_auth[20] = "keysmisc-data-secret";
static const uint8_t new_auth[20] = "keysmisc-new-secret4";
static const uint8_t bad_auth[20] = "keysmisc-wrong-00000";
static const uint8_t secret[] = "sealx secret payload";

/* ------------------------------------------------------------ helpers */

static struct tpm_key *slot_of(struct th *t, uint32_t handle)
{
	struct tpm_key *k = NULL;

	assert_int_equal(tpm_key_lookup(t->s, handle, &k), TPM_SUCCESS);
	return k;
}

/* A loaded signing key relabelled as an identity key (see the header). */
static uint32_t identity_key(struct th *t)
{
	uint32_t h = th_create_load_key(t, TPM_KEY_SIGNING, id_auth, NULL,
					NULL);

	slot_of(t, h)->usage = TPM_KEY_IDENTITY;
	return h;
}

/* PKCS#1 v1.5 SHA-1 signature over SHA-1(@data) by modulus @n? */
static bool verify(const uint8_t *n, size_t n_len, const uint8_t *data,
		   size_t len, const uint8_t *sig, size_t siglen)
{
	uint8_t digest[20];

	th_sha1(data, len, digest);
	return th_verify_sha1(n, n_len, digest, sig, siglen);
}

/* MGF1-SHA1(nonceEven || nonceOdd || "XOR" || sharedSecret) XOR @in. */
static void sealx_mask(const uint8_t even[20], const uint8_t odd[20],
		       const uint8_t shared[20], const uint8_t *in,
		       uint8_t *out, size_t n)
{
	uint8_t block[63 + 4], h[20];
	size_t i;

	memcpy(block, even, 20);
	memcpy(block + 20, odd, 20);
	memcpy(block + 40, "XOR", 3);
	memcpy(block + 43, shared, 20);
	for (i = 0; i < n; i++) {
		if (i % 20 == 0) {
			tb_wr_be32(block + 63, (uint32_t)(i / 20));
			SHA1(block, sizeof(block), h);
		}
		out[i] = in[i] ^ h[i % 20];
	}
}

/* TPM_Sealx of @data under the SRK with @pcr (@pcr_len bytes); the
 * blob goes to @blob.  @sess_et picks the OSAP entity type (or OIAP
 * when 0).  Returns the return code. */
static uint32_t sealx(struct th *t, uint16_t sess_et, const uint8_t *kauth,
		      uint32_t key, const uint8_t *pcr, size_t pcr_len,
		      const uint8_t *data, size_t len, uint8_t *blob,
		      size_t *blob_len)
{
	uint8_t enc[20], masked[256];
	struct th_sess s;
	struct tpm_buf *b;

	if (sess_et ? th_osap(t, &s, sess_et, key, kauth) :
		      th_oiap(t, &s, kauth))
		fail_msg("session failed: 0x%x", t->rc);
	th_adip(&s, data_auth, false, enc);
	sealx_mask(s.nonce_even, s.nonce_odd, s.secret, data, masked, len);
	b = th_begin(t, TPM_ORD_Sealx);
	tb_put_u32(b, key);
	tb_put_bytes(b, enc, 20);
	tb_put_sized(b, pcr, (uint32_t)pcr_len);
	tb_put_sized(b, masked, (uint32_t)len);
	if (th_run(t, 1, &s, NULL) == TPM_SUCCESS && blob) {
		*blob_len = t->out.len;
		memcpy(blob, t->out.data, t->out.len);
	}
	return t->rc;
}

/* Unseal @blob under the SRK with an OSAP (@osap) or OIAP parent
 * session; the output, unmasked when @osap, goes to @out. */
static uint32_t unseal(struct th *t, bool osap, const uint8_t *blob,
		       size_t len, const uint8_t dauth[20], uint8_t *out,
		       uint32_t *out_len)
{
	uint8_t even[20], odd[20];
	struct th_sess sk, sd;
	struct tpm_buf *b;
	const uint8_t *p;

	if (osap ? th_osap(t, &sk, TPM_ET_KEYHANDLE, TPM_KH_SRK, th_srk_auth) :
		   th_oiap(t, &sk, th_srk_auth))
		fail_msg("session failed: 0x%x", t->rc);
	if (th_oiap(t, &sd, dauth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	memcpy(even, sk.nonce_even, 20);
	memcpy(odd, sk.nonce_odd, 20);
	b = th_begin(t, TPM_ORD_Unseal);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, blob, len);
	if (th_run(t, 1, &sk, &sd))
		return t->rc;
	if (tb_get_u32(&t->out, out_len) ||
	    tb_get_ref(&t->out, &p, *out_len) || tb_expect_end(&t->out))
		fail_msg("malformed Unseal response");
	if (osap)
		sealx_mask(even, odd, sk.secret, p, out, *out_len);
	else
		memcpy(out, p, *out_len);
	return t->rc;
}

/* TPM_Seal (no PCRs) of @secret under the SRK with data_auth. */
static size_t seal(struct th *t, uint8_t *blob)
{
	uint8_t enc[20];
	struct th_sess s;
	struct tpm_buf *b;

	if (th_osap(t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK, th_srk_auth))
		fail_msg("OSAP failed: 0x%x", t->rc);
	th_adip(&s, data_auth, false, enc);
	b = th_begin(t, TPM_ORD_Seal);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, enc, 20);
	tb_put_u32(b, 0);
	tb_put_sized(b, secret, sizeof(secret));
	if (th_run(t, 1, &s, NULL))
		fail_msg("Seal failed: 0x%x", t->rc);
	memcpy(blob, t->out.data, t->out.len);
	return t->out.len;
}

/* ------------------------------------------------------------ misc.c */

/* TSC_ResetEstablishmentBit from locality 0 is TPM_BAD_LOCALITY and
 * leaves tpmEstablished set. */
static void misc_reset_establishment_locality0(void **state)
{
	struct th *t = *state;

	th_init(t);
	t->s->pf.tpm_established = true;
	th_begin(t, TPM_ORD_TSC_ResetEstablishmentBit);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_BAD_LOCALITY);
	assert_true(t->s->pf.tpm_established);
	assert_int_equal(tpm_set_locality(t->s, 2), 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_BAD_LOCALITY);
	th_fini(t);
}

/* From locality 3 (and 4) the bit is cleared, persistently. */
static void misc_reset_establishment_locality3(void **state)
{
	struct th *t = *state;

	th_init(t);
	t->s->pf.tpm_established = true;
	t->s->dirty = false;
	assert_int_equal(tpm_set_locality(t->s, 3), 0);
	th_begin(t, TPM_ORD_TSC_ResetEstablishmentBit);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_false(t->s->pf.tpm_established);
	assert_true(tpm_state_dirty(t->s));
	assert_int_equal(tpm_set_locality(t->s, 4), 0);
	th_begin(t, TPM_ORD_TSC_ResetEstablishmentBit);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	th_fini(t);
}

/* TPM_Reset ends the OIAP and OSAP sessions: using one afterwards is
 * TPM_INVALID_AUTHHANDLE. */
static void misc_reset_ends_sessions(void **state)
{
	struct th *t = *state;
	struct th_sess oiap, osap;

	th_init_owned(t, false);
	assert_int_equal(th_oiap(t, &oiap, th_owner_auth), TPM_SUCCESS);
	assert_int_equal(th_osap(t, &osap, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_owner_auth), TPM_SUCCESS);
	th_begin(t, TPM_ORD_Reset);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_null(tpm_session_find(t->s, oiap.handle));
	assert_null(tpm_session_find(t->s, osap.handle));
	tb_put_u32(th_begin(t, TPM_ORD_OwnerReadInternalPub), TPM_KH_SRK);
	assert_int_equal(th_run(t, 0, &oiap, NULL), TPM_INVALID_AUTHHANDLE);
	th_fini(t);
}

/* SetRedirection and FieldUpgrade are not implemented: TPM_BAD_ORDINAL,
 * and TPM_CAP_ORD says FALSE (docs/architecture.md). */
static void misc_optional_ordinals_absent(void **state)
{
	static const uint32_t ords[] = { TPM_ORD_SetRedirection,
					 TPM_ORD_FieldUpgrade };
	struct th *t = *state;
	uint32_t size;
	uint8_t v;
	size_t i;

	th_init(t);
	for (i = 0; i < ARRAY_SIZE(ords); i++) {
		struct tpm_buf *b = th_begin(t, ords[i]);

		tb_put_u32(b, 0);
		assert_int_equal(th_run(t, 0, NULL, NULL), TPM_BAD_ORDINAL);
		b = th_begin(t, TPM_ORD_GetCapability);
		tb_put_u32(b, TPM_CAP_ORD);
		tb_put_u32(b, 4);
		tb_put_u32(b, ords[i]);
		assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
		assert_int_equal(tb_get_u32(&t->out, &size), 0);
		assert_int_equal(tb_get_u8(&t->out, &v), 0);
		assert_int_equal(v, 0);
	}
	th_fini(t);
}

/* ------------------------------------------------------------ Sealx */

/* Sealx makes a TPM_STORED_DATA12 with et TPM_ET_XOR|TPM_ET_KEY from
 * masked input; Unseal with an OSAP parent returns it masked again and
 * it unmasks to the secret. */
static void sealx_unseal_round_trip(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], out[256];
	size_t len;
	uint32_t n;

	th_init_owned(t, false);
	assert_int_equal(sealx(t, TPM_ET_KEYHANDLE, th_srk_auth, TPM_KH_SRK,
			       NULL, 0, secret, sizeof(secret), blob, &len),
			 TPM_SUCCESS);
	assert_int_equal(tb_be16(blob), TPM_TAG_STORED_DATA12);
	assert_int_equal(tb_be16(blob + 2), TPM_ET_XOR | TPM_ET_KEY);
	assert_int_equal(unseal(t, true, blob, len, data_auth, out, &n),
			 TPM_SUCCESS);
	assert_int_equal(n, sizeof(secret));
	assert_memory_equal(out, secret, sizeof(secret));
	/* The plain secret never appears in the blob. */
	assert_null(memmem(blob, len, secret, sizeof(secret)));
	th_fini(t);
}

/* A Sealx blob needs an OSAP parent session (TPM_BAD_MODE for OIAP) and
 * its own secret (TPM_AUTH2FAIL). */
static void sealx_unseal_failures(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], out[256];
	size_t len;
	uint32_t n;

	th_init_owned(t, false);
	assert_int_equal(sealx(t, TPM_ET_KEYHANDLE, th_srk_auth, TPM_KH_SRK,
			       NULL, 0, secret, sizeof(secret), blob, &len),
			 TPM_SUCCESS);
	assert_int_equal(unseal(t, false, blob, len, data_auth, out, &n),
			 TPM_BAD_MODE);
	assert_int_equal(unseal(t, true, blob, len, bad_auth, out, &n),
			 TPM_AUTH2FAIL);
	th_fini(t);
}

/* A TPM_PCR_INFO_LONG binding is kept and enforced: after an extend of
 * the PCR the blob no longer unseals (TPM_WRONGPCRVAL). */
static void sealx_pcr_info_long_bound(void **state)
{
	struct th *t = *state;
	uint8_t pi[54] = { 0 }, blob[1024], out[256], zero[20] = { 0 };
	struct tpm_buf *b;
	size_t len;
	uint32_t n;
	uint8_t comp[2 + 3 + 4 + 20];

	th_init_owned(t, false);
	/* PCR 16 is zero after Startup: composite of one zero PCR. */
	memset(comp, 0, sizeof(comp));
	comp[1] = 3;
	comp[4] = 0x01;
	comp[8] = 20;
	memcpy(comp + 9, zero, 20);
	tb_wr_be16(pi, TPM_TAG_PCR_INFO_LONG);
	pi[2] = TPM_LOC_ALL;
	pi[3] = TPM_LOC_ALL;
	pi[5] = 3;
	pi[8] = 0x01;
	pi[10] = 3;
	pi[13] = 0x01;
	SHA1(comp, sizeof(comp), pi + 34);
	assert_int_equal(sealx(t, TPM_ET_KEYHANDLE, th_srk_auth, TPM_KH_SRK,
			       pi, sizeof(pi), secret, sizeof(secret), blob,
			       &len), TPM_SUCCESS);
	assert_int_equal(unseal(t, true, blob, len, data_auth, out, &n),
			 TPM_SUCCESS);
	assert_memory_equal(out, secret, sizeof(secret));
	b = th_begin(t, TPM_ORD_Extend);
	tb_put_u32(b, 16);
	tb_put_bytes(b, secret, 20);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(unseal(t, true, blob, len, data_auth, out, &n),
			 TPM_WRONGPCRVAL);
	th_fini(t);
}

/* The failure paths of Part 3, 10.7: OIAP session, wrong key secret,
 * empty data, a 1.1 TPM_PCR_INFO, a non-storage key. */
static void sealx_failures(void **state)
{
	static const uint8_t pi11[45] = { 0, 3, 0, 0, 1 };
	struct th *t = *state;
	uint32_t sign;

	th_init_owned(t, false);
	assert_int_equal(sealx(t, 0, th_srk_auth, TPM_KH_SRK, NULL, 0, secret,
			       sizeof(secret), NULL, NULL),
			 TPM_INVALID_AUTHHANDLE);
	assert_int_equal(sealx(t, TPM_ET_KEYHANDLE, bad_auth, TPM_KH_SRK, NULL,
			       0, secret, sizeof(secret), NULL, NULL),
			 TPM_AUTHFAIL);
	assert_int_equal(sealx(t, TPM_ET_KEYHANDLE, th_srk_auth, TPM_KH_SRK,
			       NULL, 0, secret, 0, NULL, NULL),
			 TPM_BAD_PARAMETER);
	assert_int_equal(sealx(t, TPM_ET_KEYHANDLE, th_srk_auth, TPM_KH_SRK,
			       pi11, sizeof(pi11), secret, sizeof(secret),
			       NULL, NULL), TPM_BADINDEX);
	sign = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	assert_int_equal(sealx(t, TPM_ET_KEYHANDLE, key_auth, sign, NULL, 0,
			       secret, sizeof(secret), NULL, NULL),
			 TPM_INVALID_KEYUSAGE);
	assert_int_equal(sealx(t, 0, key_auth, 0x01abcdefU,
			       NULL, 0, secret, sizeof(secret), NULL, NULL),
			 TPM_INVALID_KEYHANDLE);
	th_fini(t);
}

/* ------------------------------------------------------------ CertifyKey2 */

struct cert2 {
	uint16_t tag;
	uint8_t payload;
	uint32_t ma_len;
	uint8_t ma[20];
	size_t info_len;
	bool sig_ok;
};

/* CertifyKey2 of @key by @cert with areas for the non-NULL secrets
 * (keyAuth first); parses the TPM_CERTIFY_INFO2 and checks the
 * signature with the certifier's modulus. */
static uint32_t certify2(struct th *t, uint32_t key, const uint8_t *kauth,
			 uint32_t cert, const uint8_t *cauth,
			 const uint8_t msa[20], struct cert2 *c)
{
	static const uint8_t nonce[20] = "certifykey2-nonce-01";
	struct th_sess s1, s2, *a = NULL, *b2 = NULL;
	const struct tpm_key *ck;
	const uint8_t *start, *sig, *p;
	struct tpm_buf *b;
	uint32_t n, sl;

	if (kauth) {
		assert_int_equal(th_oiap(t, &s1, kauth), TPM_SUCCESS);
		a = &s1;
	}
	if (cauth) {
		assert_int_equal(th_oiap(t, &s2, cauth), TPM_SUCCESS);
		if (a)
			b2 = &s2;
		else
			a = &s2;
	}
	b = th_begin(t, TPM_ORD_CertifyKey2);
	tb_put_u32(b, key);
	tb_put_u32(b, cert);
	tb_put_bytes(b, msa, 20);
	tb_put_bytes(b, nonce, 20);
	if (th_run(t, 2, a, b2))
		return t->rc;
	start = tb_cursor(&t->out);
	memset(c, 0, sizeof(*c));
	assert_int_equal(tb_get_u16(&t->out, &c->tag), 0);
	assert_int_equal(tb_skip(&t->out, 1), 0);
	assert_int_equal(tb_get_u8(&t->out, &c->payload), 0);
	/* usage, flags, authDataUsage, parms header, RSA parms */
	assert_int_equal(tb_skip(&t->out, 2 + 4 + 1 + 8), 0);
	assert_int_equal(tb_get_u32(&t->out, &n), 0);
	assert_int_equal(tb_skip(&t->out, n), 0);
	assert_int_equal(tb_get_ref(&t->out, &p, 20), 0);
	assert_int_equal(tb_get_ref(&t->out, &p, 20), 0);
	assert_memory_equal(p, nonce, 20);
	assert_int_equal(tb_skip(&t->out, 1), 0);
	assert_int_equal(tb_get_u32(&t->out, &n), 0);
	assert_int_equal(tb_skip(&t->out, n), 0);
	assert_int_equal(tb_get_u32(&t->out, &c->ma_len), 0);
	assert_true(c->ma_len == 0 || c->ma_len == 20);
	assert_int_equal(tb_get_bytes(&t->out, c->ma, c->ma_len), 0);
	c->info_len = (size_t)(tb_cursor(&t->out) - start);
	assert_int_equal(tb_get_u32(&t->out, &sl), 0);
	assert_int_equal(tb_get_ref(&t->out, &sig, sl), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	ck = slot_of(t, cert);
	c->sig_ok = verify(ck->n, ck->n_len, start, c->info_len, sig, sl);
	return t->rc;
}

/* An identity key certifies a signing key: TPM_CERTIFY_INFO2 (0x0029),
 * payload TPM_PT_ASYM, no migrationAuthority, and the signature
 * verifies with OpenSSL. */
static void certify_key2_identity_signs(void **state)
{
	static const uint8_t msa[20] = { 0 };
	struct th *t = *state;
	uint32_t id, key;
	struct cert2 c;

	th_init_owned(t, false);
	id = identity_key(t);
	key = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	assert_int_equal(certify2(t, key, key_auth, id, id_auth, msa, &c),
			 TPM_SUCCESS);
	assert_int_equal(c.tag, TPM_TAG_CERTIFY_INFO2);
	assert_int_equal(c.payload, TPM_PT_ASYM);
	assert_int_equal(c.ma_len, 0);
	assert_true(c.sig_ok);
	th_fini(t);
}

/* Make @key a CMK whose migrationAuth binds @msa (as CMK_CreateKey
 * would: HMAC(tpmProof, TPM_CMK_MIGAUTH)). */
static void make_cmk(struct th *t, uint32_t key, const uint8_t msa[20])
{
	struct tpm_key *k = slot_of(t, key);
	uint8_t pub[600], mig[42];
	struct tpm_buf b;
	unsigned int mlen;

	k->flags |= TPM_KEY_FLAG_MIGRATABLE | TPM_KEY_FLAG_MIGRATE_AUTHORITY;
	tb_init_write(&b, pub, sizeof(pub));
	assert_int_equal(tpm_pubkey_put(&b, k), 0);
	tb_wr_be16(mig, TPM_TAG_CMK_MIGAUTH);
	memcpy(mig + 2, msa, 20);
	SHA1(pub, b.len, mig + 22);
	HMAC(EVP_sha1(), t->s->pd.tpm_proof, 20, mig, sizeof(mig),
	     k->migration_auth, &mlen);
}

/* A CMK certified with its migration authority digest: payload
 * TPM_PT_MIGRATE_RESTRICTED and migrationAuthority = SHA-1(msaDigest ||
 * payload); a different digest is TPM_MA_SOURCE. */
static void certify_key2_cmk_migration_authority(void **state)
{
	static const uint8_t msa[20] = "msa-composite-digest";
	static const uint8_t other[20] = "another-msa-digest-0";
	struct th *t = *state;
	uint8_t want[21], h[20];
	uint32_t id, key;
	struct cert2 c;

	th_init_owned(t, false);
	id = identity_key(t);
	key = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	make_cmk(t, key, msa);
	assert_int_equal(certify2(t, key, key_auth, id, id_auth, msa, &c),
			 TPM_SUCCESS);
	assert_int_equal(c.payload, TPM_PT_MIGRATE_RESTRICTED);
	assert_int_equal(c.ma_len, 20);
	memcpy(want, msa, 20);
	want[20] = TPM_PT_MIGRATE_RESTRICTED;
	SHA1(want, sizeof(want), h);
	assert_memory_equal(c.ma, h, 20);
	assert_true(c.sig_ok);
	assert_int_equal(certify2(t, key, key_auth, id, id_auth, other, &c),
			 TPM_MA_SOURCE);
	th_fini(t);
}

/* The failure paths of Part 3, 13.9: each area's secret, AUTH1 with a
 * key needing authorization, a migratable non-CMK key under an identity
 * key, a certifier that does not sign SHA-1, a bad handle. */
static void certify_key2_failures(void **state)
{
	static const uint8_t msa[20] = { 0 };
	struct th *t = *state;
	uint32_t id, key, mig, st;
	struct cert2 c;

	th_init_owned(t, false);
	id = identity_key(t);
	key = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	assert_int_equal(certify2(t, key, bad_auth, id, id_auth, msa, &c),
			 TPM_AUTHFAIL);
	assert_int_equal(certify2(t, key, key_auth, id, bad_auth, msa, &c),
			 TPM_AUTH2FAIL);
	assert_int_equal(certify2(t, key, NULL, id, id_auth, msa, &c),
			 TPM_AUTHFAIL);
	assert_int_equal(certify2(t, key, NULL, id, NULL, msa, &c),
			 TPM_AUTHFAIL);
	mig = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	slot_of(t, mig)->flags |= TPM_KEY_FLAG_MIGRATABLE;
	assert_int_equal(certify2(t, mig, key_auth, id, id_auth, msa, &c),
			 TPM_MIGRATEFAIL);
	st = th_create_load_key(t, TPM_KEY_STORAGE, key_auth, NULL, NULL);
	assert_int_equal(certify2(t, key, key_auth, st, key_auth, msa, &c),
			 TPM_BAD_KEY_PROPERTY);
	assert_int_equal(certify2(t, 0x01abcdefU, key_auth, id, id_auth, msa,
				  &c), TPM_INVALID_KEYHANDLE);
	th_fini(t);
}

/* ---------------------------------------------------- ChangeAuthAsym */

struct eph {
	uint32_t handle;
	uint8_t n[256];
	size_t n_len;
};

/* ChangeAuthAsymStart with identity key @id for an RSA-@bits key of
 * schemes @es/@ss; checks certifyInfo's signature and tempKey. */
static uint32_t asym_start(struct th *t, uint32_t id, const uint8_t *auth,
			   uint32_t bits, uint16_t es, uint16_t ss,
			   struct eph *e)
{
	static const uint8_t nonce[20] = "asym-start-nonce-001";
	const uint8_t *info, *sig, *p;
	const struct tpm_key *ik;
	struct th_sess s;
	struct tpm_buf *b;
	uint32_t n, sl;
	uint16_t usage;

	assert_int_equal(th_oiap(t, &s, auth), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_ChangeAuthAsymStart);
	tb_put_u32(b, id);
	tb_put_bytes(b, nonce, 20);
	tb_put_u32(b, TPM_ALG_RSA);
	tb_put_u16(b, es);
	tb_put_u16(b, ss);
	tb_put_u32(b, 12);
	tb_put_u32(b, bits);
	tb_put_u32(b, 2);
	tb_put_u32(b, 0);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	/* TPM_CERTIFY_INFO: ver 4, usage 2, flags 4, authDataUsage 1,
	 * parms 12 + 12, pubkeyDigest, data, parentPCRStatus, PCRInfo. */
	info = tb_cursor(&t->out);
	assert_int_equal(tb_skip(&t->out, 4), 0);
	assert_int_equal(tb_get_u16(&t->out, &usage), 0);
	assert_int_equal(usage, TPM_KEY_AUTHCHANGE);
	assert_int_equal(tb_skip(&t->out, 4 + 1 + 24 + 20), 0);
	assert_int_equal(tb_get_ref(&t->out, &p, 20), 0);
	assert_memory_equal(p, nonce, 20);
	assert_int_equal(tb_skip(&t->out, 1), 0);
	assert_int_equal(tb_get_u32(&t->out, &n), 0);
	assert_int_equal(n, 0);
	n = (uint32_t)(tb_cursor(&t->out) - info);
	assert_int_equal(tb_get_u32(&t->out, &sl), 0);
	assert_int_equal(tb_get_ref(&t->out, &sig, sl), 0);
	ik = slot_of(t, id);
	assert_true(verify(ik->n, ik->n_len, info, n, sig, sl));
	assert_int_equal(tb_get_u32(&t->out, &e->handle), 0);
	/* tempKey: a 1.1 TPM_KEY, authchange, no auth, encData empty. */
	assert_int_equal(tb_get_ref(&t->out, &p, 4), 0);
	assert_int_equal(p[0], 1);
	assert_int_equal(tb_get_u16(&t->out, &usage), 0);
	assert_int_equal(usage, TPM_KEY_AUTHCHANGE);
	assert_int_equal(tb_skip(&t->out, 4 + 1 + 24), 0);
	assert_int_equal(tb_get_u32(&t->out, &n), 0);
	assert_int_equal(tb_skip(&t->out, n), 0);
	assert_int_equal(tb_get_u32(&t->out, &n), 0);
	e->n_len = n;
	assert_int_equal(tb_get_bytes(&t->out, e->n, n), 0);
	assert_int_equal(tb_get_u32(&t->out, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	return t->rc;
}

/* ChangeAuthAsymFinish of @enc (entity @et with secret @cur) under the
 * SRK to new_auth; the new encData goes to @out, changeProof is
 * checked.  @validate_len lets a test send a wrong-size validate. */
static uint32_t asym_finish(struct th *t, const struct eph *e, uint16_t et,
			    const uint8_t cur[20], const uint8_t *enc,
			    uint32_t elen, size_t validate_len, uint8_t *out,
			    uint32_t *out_len)
{
	uint8_t val[41], link[20], blob[256], msg[40], proof[20];
	const uint8_t *p, *salt, *got;
	struct th_sess s;
	struct tpm_buf *b;
	unsigned int mlen;
	size_t blen;

	memcpy(val, new_auth, 20);
	memcpy(val + 20, "asym-finish-n1-nonce", 20);
	val[40] = 0;
	blen = th_oaep_n(e->n, e->n_len, val, validate_len, blob);
	HMAC(EVP_sha1(), cur, 20, new_auth, 20, link, &mlen);
	assert_int_equal(th_oiap(t, &s, th_srk_auth), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_ChangeAuthAsymFinish);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_u32(b, e->handle);
	tb_put_u16(b, et);
	tb_put_bytes(b, link, 20);
	tb_put_sized(b, blob, (uint32_t)blen);
	tb_put_sized(b, enc, elen);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, out_len), 0);
	assert_int_equal(tb_get_ref(&t->out, &p, *out_len), 0);
	memcpy(out, p, *out_len);
	assert_int_equal(tb_get_ref(&t->out, &salt, 20), 0);
	assert_int_equal(tb_get_ref(&t->out, &got, 20), 0);
	assert_int_equal(tb_expect_end(&t->out), 0);
	memcpy(msg, salt, 20);
	memcpy(msg + 20, val + 20, 20);
	HMAC(EVP_sha1(), new_auth, 20, msg, sizeof(msg), proof, &mlen);
	assert_memory_equal(proof, got, 20);
	return t->rc;
}

/* Offset of encDataSize in a TPM_KEY12 blob from the harness. */
static size_t key_enc_off(const uint8_t *blob, size_t len)
{
	/* tag, fill, usage, flags, authDataUsage, then algorithm and
	 * schemes of the parms: parmSize follows. */
	size_t off = 2 + 2 + 2 + 4 + 1 + 4 + 2 + 2;
	uint32_t n;

	n = tb_be32(blob + off);
	off += 4 + n;
	off += 4 + tb_be32(blob + off);		/* PCRInfo */
	off += 4 + tb_be32(blob + off);		/* pubKey */
	assert_true(off + 4 <= len);
	return off;
}

/* Sign with @key under secret @auth; returns the return code. */
static uint32_t sign(struct th *t, uint32_t key, const uint8_t auth[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	assert_int_equal(th_oiap(t, &s, auth), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_Sign);
	tb_put_u32(b, key);
	tb_put_sized(b, secret, 20);
	return th_run(t, 1, &s, NULL);
}

/* The whole protocol on a wrapped key: after Finish the re-wrapped key
 * loads and signs with the new secret only, and the ephemeral key is
 * gone. */
static void changeauthasym_key_new_auth_only(void **state)
{
	struct th *t = *state;
	uint8_t blob[TPM_MAX_COMMAND_SIZE], out[512];
	struct th_sess s;
	struct tpm_buf *b;
	uint32_t id, key, out_len;
	size_t len, off;
	struct eph e;

	th_init_owned(t, false);
	id = identity_key(t);
	th_create_load_key(t, TPM_KEY_SIGNING, key_auth, blob, &len);
	assert_int_equal(asym_start(t, id, id_auth, 1024,
				    TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE,
				    &e), TPM_SUCCESS);
	off = key_enc_off(blob, len);
	assert_int_equal(asym_finish(t, &e, TPM_ET_KEY, key_auth,
				     blob + off + 4,
				     (uint32_t)(len - off - 4), 40, out,
				     &out_len), TPM_SUCCESS);
	/* The ephemeral key was destroyed (step 11). */
	assert_int_equal(tpm_key_lookup(t->s, e.handle,
					&(struct tpm_key *){ NULL }),
			 TPM_INVALID_KEYHANDLE);
	tb_wr_be32(blob + off, out_len);
	memcpy(blob + off + 4, out, out_len);
	len = off + 4 + out_len;
	assert_int_equal(th_oiap(t, &s, th_srk_auth), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, blob, len);
	th_out_handles(t, 1);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&t->out, &key), 0);
	assert_int_equal(sign(t, key, new_auth), TPM_SUCCESS);
	assert_int_equal(sign(t, key, key_auth), TPM_AUTHFAIL);
	th_fini(t);
}

/* On sealed data (TPM_ET_DATA) the blob unseals with the new secret
 * only. */
static void changeauthasym_data_new_auth_only(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], out[512], plain[256];
	uint32_t id, out_len, n;
	size_t len, off;
	struct eph e;

	th_init_owned(t, false);
	id = identity_key(t);
	len = seal(t, blob);
	assert_int_equal(asym_start(t, id, id_auth, 1024,
				    TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE,
				    &e), TPM_SUCCESS);
	/* TPM_STORED_DATA: ver 4, sealInfoSize 4 (0), encDataSize. */
	off = 8;
	assert_int_equal(asym_finish(t, &e, TPM_ET_DATA, data_auth,
				     blob + off + 4,
				     (uint32_t)(len - off - 4), 40, out,
				     &out_len), TPM_SUCCESS);
	tb_wr_be32(blob + off, out_len);
	memcpy(blob + off + 4, out, out_len);
	len = off + 4 + out_len;
	assert_int_equal(unseal(t, false, blob, len, new_auth, plain, &n),
			 TPM_SUCCESS);
	assert_memory_equal(plain, secret, sizeof(secret));
	assert_int_equal(unseal(t, false, blob, len, data_auth, plain, &n),
			 TPM_AUTH2FAIL);
	th_fini(t);
}

/* Start's failure paths: a non-identity key (TPM_INVALID_KEYUSAGE), a
 * wrong secret (TPM_AUTHFAIL), key parameters an authchange key cannot
 * have (TPM_BAD_KEY_PROPERTY). */
static void changeauthasym_start_failures(void **state)
{
	struct th *t = *state;
	uint32_t id, key;
	struct eph e;

	th_init_owned(t, false);
	id = identity_key(t);
	key = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	assert_int_equal(asym_start(t, key, key_auth, 1024,
				    TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE,
				    &e), TPM_INVALID_KEYUSAGE);
	assert_int_equal(asym_start(t, id, bad_auth, 1024,
				    TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE,
				    &e), TPM_AUTHFAIL);
	assert_int_equal(asym_start(t, id, id_auth, 1024, TPM_ES_NONE,
				    TPM_SS_RSASSAPKCS1v15_SHA1, &e),
			 TPM_BAD_KEY_PROPERTY);
	assert_int_equal(asym_start(t, id, id_auth, 1000,
				    TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE,
				    &e), TPM_BAD_KEY_PROPERTY);
	th_fini(t);
}

/* Finish's failure paths: a wrong newAuthLink (TPM_AUTHFAIL), a wrong
 * entity type, a validate structure of the wrong size
 * (TPM_DECRYPT_ERROR), an ephemeral handle that is no authchange key. */
static void changeauthasym_finish_failures(void **state)
{
	struct th *t = *state;
	uint8_t blob[1024], out[512];
	uint32_t id, out_len;
	struct eph e, not_eph;
	size_t len;

	th_init_owned(t, false);
	id = identity_key(t);
	len = seal(t, blob);
	assert_int_equal(asym_start(t, id, id_auth, 1024,
				    TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE,
				    &e), TPM_SUCCESS);
	assert_int_equal(asym_finish(t, &e, TPM_ET_DATA, bad_auth, blob + 12,
				     (uint32_t)(len - 12), 40, out, &out_len),
			 TPM_AUTHFAIL);
	assert_int_equal(asym_finish(t, &e, TPM_ET_OWNER, data_auth,
				     blob + 12, (uint32_t)(len - 12), 40, out,
				     &out_len), TPM_WRONG_ENTITYTYPE);
	assert_int_equal(asym_finish(t, &e, TPM_ET_DATA, data_auth, blob + 12,
				     (uint32_t)(len - 12), 41, out, &out_len),
			 TPM_DECRYPT_ERROR);
	not_eph = e;
	not_eph.handle = id;
	assert_int_equal(asym_finish(t, &not_eph, TPM_ET_DATA, data_auth,
				     blob + 12, (uint32_t)(len - 12), 40, out,
				     &out_len), TPM_INVALID_KEYUSAGE);
	/* The ephemeral key survives failures and still works. */
	assert_int_equal(asym_finish(t, &e, TPM_ET_DATA, data_auth, blob + 12,
				     (uint32_t)(len - 12), 40, out, &out_len),
			 TPM_SUCCESS);
	th_fini(t);
}

/* ------------------------------------------------------------ vectors */

struct vector {
	const char *title;
	const char *hex;
	uint32_t rc;
};

/* Malformed commands of this family's ordinals.  AUTH1 frames carry a
 * 45-byte trailer of zeros (handle 0): the parse fails first. */
#define TRAILER "00000000" "0000000000000000000000000000000000000000" "00" \
		"0000000000000000000000000000000000000000"
static const struct vector vectors[] = {
	{ "reset-trailing", "00c1 0000000e 0000005a 00000000",
	  TPM_BAD_PARAM_SIZE },
	{ "reset-auth1-tag", "00c2 0000000a 0000005a", TPM_BADTAG },
	{ "tsc-reset-trailing", "00c1 0000000e 4000000b 00000000",
	  TPM_BAD_PARAM_SIZE },
	{ "sealx-rqu-tag", "00c1 0000000e 0000003d 40000000", TPM_BADTAG },
	{ "sealx-short", "00c2 00000037 0000003d" TRAILER,
	  TPM_BAD_PARAM_SIZE },
	{ "sealx-oversized-data", "00c2 00000057 0000003d 40000000"
	  "0000000000000000000000000000000000000000 00000000 ffffffff"
	  TRAILER, TPM_BAD_PARAM_SIZE },
	{ "certifykey2-short", "00c1 0000000e 00000033 40000000",
	  TPM_BAD_PARAM_SIZE },
	{ "certifykey2-trailing", "00c1 0000003b 00000033 40000000 40000000"
	  "0000000000000000000000000000000000000000"
	  "0000000000000000000000000000000000000000 00",
	  TPM_BAD_PARAM_SIZE },
	{ "asymstart-rqu-tag", "00c1 0000000e 0000000e 40000000",
	  TPM_BADTAG },
	{ "asymstart-short", "00c2 0000003b 0000000e 40000000" TRAILER,
	  TPM_BAD_PARAM_SIZE },
	{ "asymfinish-short", "00c2 0000003f 0000000f 40000000 01000001"
	  TRAILER, TPM_BAD_PARAM_SIZE },
	{ "setredirection", "00c1 00000016 0000009a 00000000 00000001"
	  "00000000", TPM_BAD_ORDINAL },
	{ "fieldupgrade", "00c1 0000000a 000000aa", TPM_BAD_ORDINAL },
};

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ')
			continue;
		v = *s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

/* Every vector gets its return code, as a bare 10-byte error. */
static void keysmisc_malformed_vectors(void **state)
{
	struct th *t = *state;
	uint8_t cmd[256];
	size_t i, len;

	th_init_owned(t, false);
	for (i = 0; i < ARRAY_SIZE(vectors); i++) {
		len = unhex(vectors[i].hex, cmd, sizeof(cmd));
		assert_int_equal(tb_be32(cmd + 2), len);
		if (th_raw(t, cmd, len) != vectors[i].rc)
			fail_msg("%s: got 0x%x, want 0x%x", vectors[i].title,
				 t->rc, vectors[i].rc);
		assert_int_equal(t->rsp_len, 10);
	}
	th_fini(t);
}

static int setup(void **state)
{
	static struct th t;

	*state = &t;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(misc_reset_establishment_locality0),
		cmocka_unit_test(misc_reset_establishment_locality3),
		cmocka_unit_test(misc_reset_ends_sessions),
		cmocka_unit_test(misc_optional_ordinals_absent),
		cmocka_unit_test(sealx_unseal_round_trip),
		cmocka_unit_test(sealx_unseal_failures),
		cmocka_unit_test(sealx_pcr_info_long_bound),
		cmocka_unit_test(sealx_failures),
		cmocka_unit_test(certify_key2_identity_signs),
		cmocka_unit_test(certify_key2_cmk_migration_authority),
		cmocka_unit_test(certify_key2_failures),
		cmocka_unit_test(changeauthasym_key_new_auth_only),
		cmocka_unit_test(changeauthasym_data_new_auth_only),
		cmocka_unit_test(changeauthasym_start_failures),
		cmocka_unit_test(changeauthasym_finish_failures),
		cmocka_unit_test(keysmisc_malformed_vectors),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
