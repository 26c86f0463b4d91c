// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of cmk.c (certified migration keys, Part 3, 11.5-11.10)
 * through tpm_execute(), with two engines: the owner of A approves a
 * migration authority (MA), A creates a CMK, the MA (an OpenSSL key in
 * the test) signs a restrictTicket, A and B turn the signature into
 * tickets, A makes the blob and B converts it; the key then signs on B
 * and OpenSSL verifies.  Failure paths of Part 3 and a table of
 * malformed commands have their own cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "harness.h"

static const uint8_t key_auth[20] = "cmk-key-secret-abcde";
static const uint8_t bad_auth[20] = "wrong-secret-0000000";
static const uint8_t digest20[20] = "0123456789abcdefghij";
static const uint8_t nonce20[20] = "certifykey2-nonce-cm";
/* keyFlags of a certified migration key (Part 3, 11.7 steps 6-7). */
#define CMK_FLAGS (TPM_KEY_FLAG_MIGRATABLE | TPM_KEY_FLAG_MIGRATE_AUTHORITY)

/* Two owned engines and the MA's signing key. */
struct pair {
	struct th a, b;
};

/* The MA key is generated once and reused by every test. */
static EVP_PKEY *ma_key;
static uint8_t ma_pub[300];		/* TPM_PUBKEY of ma_key */
static size_t ma_pub_len;

/* The MA: a 1024-bit RSA key made by OpenSSL, as TPM_PUBKEY with
 * encScheme NONE and sigScheme PKCS#1 v1.5 SHA-1. */
static void ma_setup(void)
{
	BIGNUM *n = NULL;
	struct tpm_buf b;
	uint8_t mod[128];

	if (ma_key)
		return;
	ma_key = EVP_RSA_gen(1024);
	assert_non_null(ma_key);
	assert_true(EVP_PKEY_get_bn_param(ma_key, OSSL_PKEY_PARAM_RSA_N, &n));
	assert_int_equal(BN_bn2binpad(n, mod, sizeof(mod)), 128);
	BN_free(n);
	tb_init_write(&b, ma_pub, sizeof(ma_pub));
	tb_put_u32(&b, TPM_ALG_RSA);
	tb_put_u16(&b, TPM_ES_NONE);
	tb_put_u16(&b, TPM_SS_RSASSAPKCS1v15_SHA1);
	tb_put_u32(&b, 12);
	tb_put_u32(&b, 1024);
	tb_put_u32(&b, 2);
	tb_put_u32(&b, 0);
	tb_put_sized(&b, mod, sizeof(mod));
	ma_pub_len = b.len;
}

/* RSASSA-PKCS1-v1_5 SHA-1 over the digest @d by the MA. */
static size_t ma_sign(const uint8_t d[20], uint8_t *sig)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(ma_key, NULL);
	size_t len = 256;

	assert_true(EVP_PKEY_sign_init(ctx) > 0 &&
		    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
		    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) > 0 &&
		    EVP_PKEY_sign(ctx, sig, &len, d, 20) > 0);
	EVP_PKEY_CTX_free(ctx);
	return len;
}

static int setup_pair(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	ma_setup();
	th_init_srk(&p->a, 0);
	th_init_srk(&p->b, 1);
	*state = p;
	return 0;
}

static int teardown_pair(void **state)
{
	struct pair *p = *state;

	th_fini(&p->a);
	th_fini(&p->b);
	free(p);
	return 0;
}

/* An owner-authorized command of @ord with the parameters in @prm. */
static uint32_t owner_cmd(struct th *t, uint32_t ord, const uint8_t *owner,
			  const uint8_t *prm, size_t len)
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, owner))
		return t->rc;
	s.cont = false;
	b = th_begin(t, ord);
	tb_put_bytes(b, prm, len);
	return th_run(t, 0, &s, NULL);
}

static uint32_t approve_ma(struct th *t, const uint8_t *owner,
			   const uint8_t msa_digest[20], uint8_t ticket[20])
{
	if (owner_cmd(t, TPM_ORD_CMK_ApproveMA, owner, msa_digest, 20))
		return t->rc;
	assert_int_equal(t->out.len, 20);
	memcpy(ticket, t->out.data, 20);
	return 0;
}

/* CMK_CreateTicket for @pub over @signed_data with @sig. */
static uint32_t create_ticket(struct th *t, const uint8_t *owner,
			      const uint8_t *pub, size_t plen,
			      const uint8_t signed_data[20],
			      const uint8_t *sig, size_t slen,
			      uint8_t ticket[20])
{
	uint8_t prm[600];
	struct tpm_buf b;

	tb_init_write(&b, prm, sizeof(prm));
	tb_put_bytes(&b, pub, plen);
	tb_put_bytes(&b, signed_data, 20);
	tb_put_sized(&b, sig, (uint32_t)slen);
	if (owner_cmd(t, TPM_ORD_CMK_CreateTicket, owner, prm, b.len))
		return t->rc;
	assert_int_equal(t->out.len, 20);
	memcpy(ticket, t->out.data, 20);
	return 0;
}

/* CMK_CreateKey under the SRK (OSAP, or OIAP when @oiap). */
static uint32_t cmk_create_key(struct th *t, uint16_t usage, uint32_t flags,
			       const uint8_t approval[20],
			       const uint8_t msa_digest[20], bool oiap,
			       uint8_t *blob, size_t *blen)
{
	uint8_t eu[20];
	struct th_sess s;
	struct tpm_buf *b;

	if (oiap)
		th_oiap(t, &s, th_srk_auth);
	else
		th_osap(t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK, th_srk_auth);
	if (t->rc)
		return t->rc;
	s.cont = false;
	th_adip(&s, key_auth, false, eu);
	b = th_begin(t, TPM_ORD_CMK_CreateKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, eu, 20);
	th_key12_template(b, usage, flags,
			  usage == TPM_KEY_SIGNING ? 512 : 2048);
	tb_put_bytes(b, approval, 20);
	tb_put_bytes(b, msa_digest, 20);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	memcpy(blob, t->out.data, t->out.len);
	*blen = t->out.len;
	return 0;
}

/* CreateWrapKey under the SRK (a plain key, for contrast). */
static uint32_t create_key(struct th *t, uint16_t usage, uint32_t flags,
			   uint8_t *blob, size_t *blen)
{
	uint8_t eu[20], em[20];
	struct th_sess s;
	struct tpm_buf *b;

	if (th_osap(t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK, th_srk_auth))
		return t->rc;
	s.cont = false;
	th_adip(&s, key_auth, false, eu);
	th_adip(&s, key_auth, true, em);
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, eu, 20);
	tb_put_bytes(b, em, 20);
	th_key12_template(b, usage, flags, 512);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	memcpy(blob, t->out.data, t->out.len);
	*blen = t->out.len;
	return 0;
}

static uint32_t load_key(struct th *t, const uint8_t *blob, size_t blen,
			 uint32_t *handle)
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, th_srk_auth))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, blob, blen);
	th_out_handles(t, 1);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, handle), 0);
	return 0;
}

/* Public part of a key blob: the key (public), the length of the bytes
 * before encDataSize, encData, and SHA-1 of its TPM_PUBKEY. */
struct blob_info {
	struct tpm_key k;
	size_t head;
	const uint8_t *enc;
	uint32_t elen;
	uint8_t pub_digest[20];
};

static void blob_info(const uint8_t *blob, size_t blen, struct blob_info *i)
{
	uint8_t pub[600];
	struct tpm_buf b;

	memset(i, 0, sizeof(*i));
	tb_init_read(&b, blob, blen);
	assert_int_equal(tpm_key_get(&b, &i->k, &i->enc, &i->elen),
			 TPM_SUCCESS);
	i->head = blen - 4 - i->elen;
	tb_init_write(&b, pub, sizeof(pub));
	assert_int_equal(tpm_pubkey_put(&b, &i->k), 0);
	th_sha1(pub, b.len, i->pub_digest);
	tpm_key_clear(&i->k);
}

/* Everything one CMK migration from A to B's SRK needs. */
struct cmk {
	uint8_t msa[4 + 2 * 20];		/* TPM_MSA_COMPOSITE */
	size_t msa_len;
	uint8_t msa_digest[20], approval[20];
	uint8_t key[TPM_MAX_COMMAND_SIZE];	/* the CMK blob on A */
	size_t key_len;
	struct blob_info ki;
	uint8_t restrict_ticket[60], signed_data[20], sig[256];
	size_t sig_len;
	uint8_t sig_ticket_a[20], sig_ticket_b[20];
	uint8_t mka[600];			/* TPM_MIGRATIONKEYAUTH */
	size_t mka_len;
	uint8_t rnd[256], out[256];
	uint32_t rlen, olen;
};

static void digest_of(const uint8_t *d, size_t n, uint8_t out[20])
{
	th_sha1(d, n, out);
}

/*
 * A CMK on A for an MSA list of the MA (and B's SRK when @srk_is_ma),
 * the MA's restrictTicket for migration to B's SRK signed and turned
 * into tickets on both engines, and an owner ticket for B's SRK with
 * @scheme.
 */
static void cmk_prepare(struct pair *p, struct cmk *m, uint16_t scheme,
			bool srk_is_ma)
{
	uint8_t pub[600], ma_digest[20], dest[20];
	size_t plen = th_srk_pubkey(&p->b, pub, sizeof(pub));
	struct tpm_buf b;

	digest_of(ma_pub, ma_pub_len, ma_digest);
	digest_of(pub, plen, dest);
	tb_init_write(&b, m->msa, sizeof(m->msa));
	tb_put_u32(&b, srk_is_ma ? 2 : 1);
	tb_put_bytes(&b, ma_digest, 20);
	if (srk_is_ma)
		tb_put_bytes(&b, dest, 20);
	m->msa_len = b.len;
	digest_of(m->msa, m->msa_len, m->msa_digest);
	assert_int_equal(approve_ma(&p->a, th_owner_auth, m->msa_digest,
				    m->approval), 0);
	assert_int_equal(cmk_create_key(&p->a, TPM_KEY_SIGNING, CMK_FLAGS,
					m->approval, m->msa_digest, false,
					m->key, &m->key_len), 0);
	blob_info(m->key, m->key_len, &m->ki);
	/* TPM_CMK_AUTH(MA, destination, source), signed by the MA. */
	memcpy(m->restrict_ticket, ma_digest, 20);
	memcpy(m->restrict_ticket + 20, dest, 20);
	memcpy(m->restrict_ticket + 40, m->ki.pub_digest, 20);
	digest_of(m->restrict_ticket, 60, m->signed_data);
	m->sig_len = ma_sign(m->signed_data, m->sig);
	assert_int_equal(create_ticket(&p->a, th_owner_auth, ma_pub,
				       ma_pub_len, m->signed_data, m->sig,
				       m->sig_len, m->sig_ticket_a), 0);
	assert_int_equal(create_ticket(&p->b, th_owner_auth, ma_pub,
				       ma_pub_len, m->signed_data, m->sig,
				       m->sig_len, m->sig_ticket_b), 0);
	/* The owner of A names B's SRK as a destination. */
	tb_init_write(&b, pub + plen, sizeof(pub) - plen);
	memmove(pub + 2, pub, plen);
	tb_wr_be16(pub, scheme);
	assert_int_equal(owner_cmd(&p->a, TPM_ORD_AuthorizeMigrationKey,
				   th_owner_auth, pub, plen + 2), 0);
	memcpy(m->mka, p->a.out.data, p->a.out.len);
	m->mka_len = p->a.out.len;
}

/* CMK_CreateBlob on A of encData @enc. */
static uint32_t cmk_create_blob(struct th *t, struct cmk *m, uint16_t type,
				const uint8_t *src, const uint8_t *msa,
				size_t msa_len, const uint8_t *rt, size_t rtlen,
				const uint8_t *st, size_t stlen,
				const uint8_t *enc, uint32_t elen)
{
	const uint8_t *q;
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, th_srk_auth))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_CMK_CreateBlob);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_u16(b, type);
	tb_put_bytes(b, m->mka, m->mka_len);
	tb_put_bytes(b, src, 20);
	tb_put_sized(b, msa, (uint32_t)msa_len);
	tb_put_sized(b, rt, (uint32_t)rtlen);
	tb_put_sized(b, st, (uint32_t)stlen);
	tb_put_sized(b, enc, elen);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	assert_int_equal(tb_get_sized(&t->out, &q, &m->rlen, 256), 0);
	memcpy(m->rnd, q, m->rlen);
	assert_int_equal(tb_get_sized(&t->out, &q, &m->olen, 256), 0);
	memcpy(m->out, q, m->olen);
	assert_int_equal(tb_expect_end(&t->out), 0);
	return 0;
}

/* The usual CMK_CreateBlob of m->key with the ticket scheme's inputs. */
static uint32_t create_blob_ok(struct th *t, struct cmk *m, uint16_t type)
{
	bool approve = type == TPM_MS_RESTRICT_APPROVE;

	return cmk_create_blob(t, m, type, m->ki.pub_digest, m->msa,
			       m->msa_len, m->restrict_ticket,
			       approve ? 60 : 0, m->sig_ticket_a,
			       approve ? 20 : 0, m->ki.enc, m->ki.elen);
}

/* CMK_ConvertMigration on @t of m->out as the encData of m->key (the
 * public part @key_head bytes long, possibly modified by the caller). */
static uint32_t cmk_convert(struct th *t, struct cmk *m, const uint8_t *key,
			    const uint8_t *rt, const uint8_t *st,
			    const uint8_t *msa, size_t msa_len,
			    uint8_t *enc, uint32_t *elen)
{
	const uint8_t *q;
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, th_srk_auth))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_CMK_ConvertMigration);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, rt, 60);
	tb_put_bytes(b, st, 20);
	tb_put_bytes(b, key, m->ki.head);
	tb_put_sized(b, m->out, m->olen);
	tb_put_sized(b, msa, (uint32_t)msa_len);
	tb_put_sized(b, m->rnd, m->rlen);
	if (th_run(t, 1, &s, NULL))
		return t->rc;
	assert_int_equal(tb_get_sized(&t->out, &q, elen, 256), 0);
	memcpy(enc, q, *elen);
	return 0;
}

static uint32_t convert_ok(struct th *t, struct cmk *m, uint8_t *enc,
			   uint32_t *elen)
{
	return cmk_convert(t, m, m->key, m->restrict_ticket, m->sig_ticket_b,
			   m->msa, m->msa_len, enc, elen);
}

/* m->key's public part with @enc as its encData, into @blob. */
static size_t rebuild(const struct cmk *m, const uint8_t *enc, uint32_t elen,
		      uint8_t *blob)
{
	memcpy(blob, m->key, m->ki.head);
	tb_wr_be32(blob + m->ki.head, elen);
	memcpy(blob + m->ki.head + 4, enc, elen);
	return m->ki.head + 4 + elen;
}

/* CertifyKey2 of @key by @cert (both with key_auth): payload and the
 * migrationAuthority digest of the certificate; the signature checks. */
static uint32_t certify2(struct th *t, uint32_t key, uint32_t cert,
			 const uint8_t *cert_blob, size_t cert_len,
			 const uint8_t msa_digest[20], uint8_t *payload,
			 uint8_t ma[20])
{
	const uint8_t *info, *sig;
	struct th_sess s1, s2;
	struct tpm_buf *b, kb;
	struct tpm_key k;
	uint8_t d[20];
	const uint8_t *enc;
	uint32_t elen, slen;
	size_t ilen;

	assert_int_equal(th_oiap(t, &s1, key_auth), 0);
	assert_int_equal(th_oiap(t, &s2, key_auth), 0);
	s1.cont = s2.cont = false;
	b = th_begin(t, TPM_ORD_CertifyKey2);
	tb_put_u32(b, key);
	tb_put_u32(b, cert);
	tb_put_bytes(b, msa_digest, 20);
	tb_put_bytes(b, nonce20, 20);
	if (th_run(t, 2, &s1, &s2))
		return t->rc;
	/* certifyInfo, then u32 size and a 64-byte (512-bit) signature. */
	info = t->out.data;
	ilen = t->out.len - 4 - 64;
	assert_int_equal(tb_be32(info + ilen), 64);
	sig = info + ilen + 4;
	slen = 64;
	*payload = info[3];
	assert_int_equal(tb_be32(info + ilen - 24), 20);
	memcpy(ma, info + ilen - 20, 20);
	th_sha1(info, ilen, d);
	memset(&k, 0, sizeof(k));
	tb_init_read(&kb, cert_blob, cert_len);
	assert_int_equal(tpm_key_get(&kb, &k, &enc, &elen), TPM_SUCCESS);
	assert_true(th_verify_sha1(k.n, k.n_len, d, sig, slen));
	tpm_key_clear(&k);
	return 0;
}

/* CertifyKey2 on @t of CMK @handle by a fresh non-migratable signing
 * key: the certificate names @want_payload and SHA-1(msaDigest ||
 * payload). */
static void certify_cmk(struct th *t, uint32_t handle,
			const uint8_t msa_digest[20], uint8_t want_payload)
{
	uint8_t blob[TPM_MAX_COMMAND_SIZE], ma[20], want[21], h[20], pl;
	uint32_t cert;
	size_t blen;

	assert_int_equal(create_key(t, TPM_KEY_SIGNING, 0, blob, &blen), 0);
	assert_int_equal(load_key(t, blob, blen, &cert), 0);
	assert_int_equal(certify2(t, handle, cert, blob, blen, msa_digest,
				  &pl, ma), 0);
	assert_int_equal(pl, want_payload);
	memcpy(want, msa_digest, 20);
	want[20] = want_payload;
	th_sha1(want, sizeof(want), h);
	assert_memory_equal(ma, h, 20);
}

/* TPM_MS_RESTRICT_APPROVE end to end: A -> B, load and sign on B, and
 * CertifyKey2 of the CMK on both sides. */
static void cmk_restrict_approve_convert_sign(void **state)
{
	struct pair *p = *state;
	uint8_t enc[256], blob[TPM_MAX_COMMAND_SIZE], mac[20], m2[22];
	uint32_t elen, ha, hb;
	unsigned int mlen;
	size_t blen;
	struct cmk m;

	cmk_prepare(p, &m, TPM_MS_RESTRICT_APPROVE, false);
	/* ApproveMA is HMAC(tpmProof, TPM_CMK_MA_APPROVAL). */
	tb_wr_be16(m2, TPM_TAG_CMK_MA_APPROVAL);
	memcpy(m2 + 2, m.msa_digest, 20);
	HMAC(EVP_sha1(), p->a.s->pd.tpm_proof, 20, m2, sizeof(m2), mac,
	     &mlen);
	assert_memory_equal(mac, m.approval, 20);
	/* The CMK works on A and is certified as RESTRICTED there. */
	assert_int_equal(load_key(&p->a, m.key, m.key_len, &ha), 0);
	th_sign_check(&p->a, ha, key_auth, m.key, m.key_len, digest20);
	certify_cmk(&p->a, ha, m.msa_digest, TPM_PT_MIGRATE_RESTRICTED);
	assert_int_equal(create_blob_ok(&p->a, &m, TPM_MS_RESTRICT_APPROVE),
			 0);
	assert_int_equal(m.olen, 256);
	/* o1 of a 512-bit key: OAEP overhead 41 + TPM_MIGRATE_ASYMKEY 61. */
	assert_int_equal(m.rlen, 102);
	assert_int_equal(convert_ok(&p->b, &m, enc, &elen), 0);
	blen = rebuild(&m, enc, elen, blob);
	assert_int_equal(load_key(&p->b, blob, blen, &hb), 0);
	th_sign_check(&p->b, hb, key_auth, blob, blen, digest20);
	/* On B it is a TPM_PT_MIGRATE_EXTERNAL CMK bound to the same MAs. */
	certify_cmk(&p->b, hb, m.msa_digest, TPM_PT_MIGRATE_EXTERNAL);
}

/* TPM_MS_RESTRICT_MIGRATE: the destination (B's SRK) is itself in the
 * MSA list; no tickets go into CMK_CreateBlob. */
static void cmk_restrict_migrate_convert_sign(void **state)
{
	struct pair *p = *state;
	uint8_t enc[256], blob[TPM_MAX_COMMAND_SIZE];
	uint32_t elen, hb;
	size_t blen;
	struct cmk m;

	cmk_prepare(p, &m, TPM_MS_RESTRICT_MIGRATE, true);
	assert_int_equal(create_blob_ok(&p->a, &m, TPM_MS_RESTRICT_MIGRATE),
			 0);
	assert_int_equal(convert_ok(&p->b, &m, enc, &elen), 0);
	blen = rebuild(&m, enc, elen, blob);
	assert_int_equal(load_key(&p->b, blob, blen, &hb), 0);
	th_sign_check(&p->b, hb, key_auth, blob, blen, digest20);
}

/* Part 3, 11.5: SetRestrictions sets restrictDelegate (GetCapability
 * shows it, the state blob keeps it); only the owner may; the check
 * delegation.c applies to DSAP use of a key obeys it. */
static void cmk_set_restrictions(void **state)
{
	struct pair *p = *state;
	uint8_t prm[4], *st;
	struct tpm_state *s2;
	struct tpm_key *k = NULL;
	const char *why;
	struct tpm_buf *b;
	uint32_t v, h, i;
	size_t len;
	struct cmk m;

	tb_wr_be32(prm, 0x80000000U);
	assert_int_equal(owner_cmd(&p->a, TPM_ORD_CMK_SetRestrictions,
				   bad_auth, prm, 4), TPM_AUTHFAIL);
	assert_int_equal(owner_cmd(&p->a, TPM_ORD_CMK_SetRestrictions,
				   th_owner_auth, prm, 4), TPM_SUCCESS);
	assert_true(tpm_state_dirty(p->a.s));
	b = th_begin(&p->a, TPM_ORD_GetCapability);
	tb_put_u32(b, TPM_CAP_PROPERTY);
	tb_put_u32(b, 4);
	tb_put_u32(b, TPM_CAP_PROP_CMK_RESTRICTION);
	assert_int_equal(th_run(&p->a, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&p->a.out, &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(tb_get_u32(&p->a.out, &v), 0);
	assert_int_equal(v, 0x80000000U);
	/* Persistent: survives save and load. */
	assert_int_equal(tpm_state_save(p->a.s, &st, &len), 0);
	s2 = tpm_state_load(st, len, &why);
	assert_non_null(s2);
	assert_int_equal(s2->deleg.restrict_delegate, 0x80000000U);
	tpm_destroy(s2);
	free(st);
	/* Delegated use of a CMK: signing allowed, the others not; plain
	 * keys are never restricted. */
	cmk_prepare(p, &m, TPM_MS_RESTRICT_APPROVE, false);
	assert_int_equal(load_key(&p->a, m.key, m.key_len, &h), 0);
	for (i = 0; i < TPM_MAX_KEYS; i++)
		if (p->a.s->keys[i].valid && p->a.s->keys[i].handle == h)
			k = &p->a.s->keys[i];
	assert_non_null(k);
	assert_int_equal(tpm_cmk_restrict_check(p->a.s, k), TPM_SUCCESS);
	k->usage = TPM_KEY_BIND;
	assert_int_equal(tpm_cmk_restrict_check(p->a.s, k),
			 TPM_INVALID_KEYUSAGE);
	k->flags &= ~TPM_KEY_FLAG_MIGRATE_AUTHORITY;
	assert_int_equal(tpm_cmk_restrict_check(p->a.s, k), TPM_SUCCESS);
	k->flags |= TPM_KEY_FLAG_MIGRATE_AUTHORITY;
	k->usage = TPM_KEY_SIGNING;
	tb_wr_be32(prm, 0);
	assert_int_equal(owner_cmd(&p->a, TPM_ORD_CMK_SetRestrictions,
				   th_owner_auth, prm, 4), TPM_SUCCESS);
	assert_int_equal(tpm_cmk_restrict_check(p->a.s, k),
			 TPM_INVALID_KEYUSAGE);
	/* No owner: TPM_NOSRK. */
	p->a.s->pf.owner_installed = false;
	assert_int_equal(owner_cmd(&p->a, TPM_ORD_CMK_SetRestrictions,
				   th_owner_auth, prm, 4), TPM_NOSRK);
}

/* Part 3, 11.6-11.7: owner auth, the MA ticket, flags, session type,
 * key usage and structure. */
static void cmk_create_key_failures(void **state)
{
	struct pair *p = *state;
	uint8_t blob[TPM_MAX_COMMAND_SIZE], appr[20], msa[20] = { 1 };
	size_t blen;

	assert_int_equal(approve_ma(&p->a, bad_auth, msa, appr),
			 TPM_AUTHFAIL);
	assert_int_equal(approve_ma(&p->a, th_owner_auth, msa, appr), 0);
	/* A ticket for another MSA list. */
	msa[0] ^= 1;
	assert_int_equal(cmk_create_key(&p->a, TPM_KEY_SIGNING, CMK_FLAGS,
					appr, msa, false, blob, &blen),
			 TPM_MA_AUTHORITY);
	msa[0] ^= 1;
	assert_int_equal(cmk_create_key(&p->a, TPM_KEY_SIGNING,
					TPM_KEY_FLAG_MIGRATABLE, appr, msa,
					false, blob, &blen),
			 TPM_INVALID_KEYUSAGE);
	assert_int_equal(cmk_create_key(&p->a, TPM_KEY_SIGNING,
					TPM_KEY_FLAG_MIGRATE_AUTHORITY, appr,
					msa, false, blob, &blen),
			 TPM_INVALID_KEYUSAGE);
	assert_int_equal(cmk_create_key(&p->a, TPM_KEY_SIGNING, CMK_FLAGS,
					appr, msa, true, blob, &blen),
			 TPM_BAD_MODE);
	assert_int_equal(cmk_create_key(&p->a, TPM_KEY_AUTHCHANGE, CMK_FLAGS,
					appr, msa, false, blob, &blen),
			 TPM_INVALID_KEYUSAGE);
	/* CreateWrapKey never makes a CMK. */
	assert_int_equal(create_key(&p->a, TPM_KEY_SIGNING, CMK_FLAGS, blob,
				    &blen), TPM_INVALID_KEYUSAGE);
	/* A storage CMK works (2048 bits). */
	assert_int_equal(cmk_create_key(&p->a, TPM_KEY_STORAGE, CMK_FLAGS,
					appr, msa, false, blob, &blen), 0);
}

/* Part 3, 11.8: owner auth, key type, signature. */
static void cmk_create_ticket_failures(void **state)
{
	struct pair *p = *state;
	uint8_t sig[256], pub[300], t[20], d[20];
	size_t slen;

	memcpy(d, digest20, 20);
	slen = ma_sign(d, sig);
	assert_int_equal(create_ticket(&p->a, bad_auth, ma_pub, ma_pub_len,
				       d, sig, slen, t), TPM_AUTHFAIL);
	d[0] ^= 1;
	assert_int_equal(create_ticket(&p->a, th_owner_auth, ma_pub,
				       ma_pub_len, d, sig, slen, t),
			 TPM_BAD_SIGNATURE);
	d[0] ^= 1;
	memcpy(pub, ma_pub, ma_pub_len);
	pub[5] = TPM_ES_RSAESOAEP_SHA1_MGF1;
	assert_int_equal(create_ticket(&p->a, th_owner_auth, pub,
				       ma_pub_len, d, sig, slen, t),
			 TPM_INAPPROPRIATE_ENC);
	memcpy(pub, ma_pub, ma_pub_len);
	pub[7] = TPM_SS_NONE;
	assert_int_equal(create_ticket(&p->a, th_owner_auth, pub,
				       ma_pub_len, d, sig, slen, t),
			 TPM_INVALID_KEYUSAGE);
	assert_int_equal(create_ticket(&p->a, th_owner_auth, ma_pub,
				       ma_pub_len, d, sig, slen, t), 0);
}

/* Part 3, 11.9: tickets, MSA list, source, destination, payload. */
static void cmk_create_blob_failures(void **state)
{
	struct pair *p = *state;
	uint8_t rt[60], st[20], src[20], msa[44], blob[TPM_MAX_COMMAND_SIZE];
	struct blob_info bi;
	size_t blen;
	struct cmk m;

	cmk_prepare(p, &m, TPM_MS_RESTRICT_APPROVE, false);
	/* B's signature ticket means nothing to A. */
	assert_int_equal(cmk_create_blob(&p->a, &m, TPM_MS_RESTRICT_APPROVE,
					 m.ki.pub_digest, m.msa, m.msa_len,
					 m.restrict_ticket, 60, m.sig_ticket_b,
					 20, m.ki.enc, m.ki.elen),
			 TPM_MA_TICKET_SIGNATURE);
	/* restrictTicket altered after signing. */
	memcpy(rt, m.restrict_ticket, 60);
	rt[59] ^= 1;
	assert_int_equal(cmk_create_blob(&p->a, &m, TPM_MS_RESTRICT_APPROVE,
					 m.ki.pub_digest, m.msa, m.msa_len, rt,
					 60, m.sig_ticket_a, 20, m.ki.enc,
					 m.ki.elen), TPM_MA_TICKET_SIGNATURE);
	/* A properly signed ticket for another destination / source. */
	rt[59] ^= 1;
	rt[20] ^= 1;
	digest_of(rt, 60, m.signed_data);
	m.sig_len = ma_sign(m.signed_data, m.sig);
	assert_int_equal(create_ticket(&p->a, th_owner_auth, ma_pub,
				       ma_pub_len, m.signed_data, m.sig,
				       m.sig_len, st), 0);
	assert_int_equal(cmk_create_blob(&p->a, &m, TPM_MS_RESTRICT_APPROVE,
					 m.ki.pub_digest, m.msa, m.msa_len, rt,
					 60, st, 20, m.ki.enc, m.ki.elen),
			 TPM_MA_DESTINATION);
	rt[20] ^= 1;
	rt[40] ^= 1;
	digest_of(rt, 60, m.signed_data);
	m.sig_len = ma_sign(m.signed_data, m.sig);
	assert_int_equal(create_ticket(&p->a, th_owner_auth, ma_pub,
				       ma_pub_len, m.signed_data, m.sig,
				       m.sig_len, st), 0);
	memcpy(src, m.ki.pub_digest, 20);
	assert_int_equal(cmk_create_blob(&p->a, &m, TPM_MS_RESTRICT_APPROVE,
					 src, m.msa, m.msa_len, rt, 60, st, 20,
					 m.ki.enc, m.ki.elen), TPM_MA_SOURCE);
	/* The key was not made for this source digest / this MSA list. */
	src[0] ^= 1;
	assert_int_equal(cmk_create_blob(&p->a, &m, TPM_MS_RESTRICT_APPROVE,
					 src, m.msa, m.msa_len,
					 m.restrict_ticket, 60, m.sig_ticket_a,
					 20, m.ki.enc, m.ki.elen),
			 TPM_MA_AUTHORITY);
	memcpy(msa, m.msa, m.msa_len);
	msa[4] ^= 1;
	assert_int_equal(cmk_create_blob(&p->a, &m, TPM_MS_RESTRICT_APPROVE,
					 m.ki.pub_digest, msa, m.msa_len,
					 m.restrict_ticket, 60, m.sig_ticket_a,
					 20, m.ki.enc, m.ki.elen),
			 TPM_MA_AUTHORITY);
	/* An empty MSA list is no TPM_MSA_COMPOSITE. */
	tb_wr_be32(msa, 0);
	assert_int_equal(cmk_create_blob(&p->a, &m, TPM_MS_RESTRICT_APPROVE,
					 m.ki.pub_digest, msa, 4,
					 m.restrict_ticket, 60, m.sig_ticket_a,
					 20, m.ki.enc, m.ki.elen),
			 TPM_INVALID_STRUCTURE);
	/* A plain migratable key is no CMK. */
	assert_int_equal(create_key(&p->a, TPM_KEY_SIGNING,
				    TPM_KEY_FLAG_MIGRATABLE, blob, &blen), 0);
	blob_info(blob, blen, &bi);
	assert_int_equal(cmk_create_blob(&p->a, &m, TPM_MS_RESTRICT_APPROVE,
					 m.ki.pub_digest, m.msa, m.msa_len,
					 m.restrict_ticket, 60, m.sig_ticket_a,
					 20, bi.enc, bi.elen),
			 TPM_INVALID_STRUCTURE);
}

/* Part 3, 11.9 steps 8 and 10: RESTRICT_MIGRATE only to a listed MA
 * and without tickets; other schemes are refused. */
static void cmk_create_blob_schemes(void **state)
{
	struct pair *p = *state;
	uint8_t pub[600];
	size_t plen;
	struct cmk m;

	/* B's SRK is not in this MSA list. */
	cmk_prepare(p, &m, TPM_MS_RESTRICT_MIGRATE, false);
	assert_int_equal(create_blob_ok(&p->a, &m, TPM_MS_RESTRICT_MIGRATE),
			 TPM_MA_TICKET_SIGNATURE);
	th_fini(&p->a);
	th_fini(&p->b);
	th_init_srk(&p->a, 0);
	th_init_srk(&p->b, 1);
	cmk_prepare(p, &m, TPM_MS_RESTRICT_MIGRATE, true);
	assert_int_equal(cmk_create_blob(&p->a, &m, TPM_MS_RESTRICT_MIGRATE,
					 m.ki.pub_digest, m.msa, m.msa_len,
					 m.restrict_ticket, 60, m.sig_ticket_a,
					 20, m.ki.enc, m.ki.elen),
			 TPM_BAD_PARAMETER);
	/* A TPM_MS_MIGRATE owner ticket is for CreateMigrationBlob. */
	plen = th_srk_pubkey(&p->b, pub + 2, sizeof(pub) - 2);
	tb_wr_be16(pub, TPM_MS_MIGRATE);
	assert_int_equal(owner_cmd(&p->a, TPM_ORD_AuthorizeMigrationKey,
				   th_owner_auth, pub, plen + 2), 0);
	memcpy(m.mka, p->a.out.data, p->a.out.len);
	assert_int_equal(create_blob_ok(&p->a, &m, TPM_MS_MIGRATE),
			 TPM_BAD_PARAMETER);
	/* ... which in turn refuses a CMK (Part 3, 11.2 step 2a). */
	{
		struct th_sess s1, s2;
		struct tpm_buf *b;

		assert_int_equal(th_oiap(&p->a, &s1, th_srk_auth), 0);
		assert_int_equal(th_oiap(&p->a, &s2, key_auth), 0);
		s1.cont = s2.cont = false;
		b = th_begin(&p->a, TPM_ORD_CreateMigrationBlob);
		tb_put_u32(b, TPM_KH_SRK);
		tb_put_u16(b, TPM_MS_MIGRATE);
		tb_put_bytes(b, m.mka, m.mka_len);
		tb_put_sized(b, m.ki.enc, m.ki.elen);
		assert_int_equal(th_run(&p->a, 1, &s1, &s2),
				 TPM_INVALID_KEYUSAGE);
	}
	/* A forged owner ticket. */
	m.mka[m.mka_len - 1] ^= 1;
	assert_int_equal(create_blob_ok(&p->a, &m, TPM_MS_MIGRATE),
			 TPM_AUTHFAIL);
	/* Wrong parent secret. */
	{
		struct th_sess s;
		struct tpm_buf *b;

		assert_int_equal(th_oiap(&p->a, &s, bad_auth), 0);
		s.cont = false;
		b = th_begin(&p->a, TPM_ORD_CMK_CreateBlob);
		tb_put_u32(b, TPM_KH_SRK);
		tb_put_u16(b, TPM_MS_RESTRICT_MIGRATE);
		tb_put_bytes(b, m.mka, m.mka_len);
		tb_put_bytes(b, m.ki.pub_digest, 20);
		tb_put_sized(b, m.msa, (uint32_t)m.msa_len);
		tb_put_u32(b, 0);
		tb_put_u32(b, 0);
		tb_put_sized(b, m.ki.enc, m.ki.elen);
		assert_int_equal(th_run(&p->a, 1, &s, NULL), TPM_AUTHFAIL);
	}
}

/* Part 3, 11.10: tickets of the destination, MSA list, flags, random,
 * payload; the plain and the CMK conversions do not mix. */
static void cmk_convert_failures(void **state)
{
	struct pair *p = *state;
	uint8_t enc[256], key[TPM_MAX_COMMAND_SIZE], rt[60], msa[44];
	uint32_t elen;
	struct cmk m;

	cmk_prepare(p, &m, TPM_MS_RESTRICT_APPROVE, false);
	assert_int_equal(create_blob_ok(&p->a, &m, TPM_MS_RESTRICT_APPROVE),
			 0);
	/* A's ticket means nothing to B. */
	assert_int_equal(cmk_convert(&p->b, &m, m.key, m.restrict_ticket,
				     m.sig_ticket_a, m.msa, m.msa_len, enc,
				     &elen), TPM_MA_TICKET_SIGNATURE);
	memcpy(rt, m.restrict_ticket, 60);
	rt[0] ^= 1;
	assert_int_equal(cmk_convert(&p->b, &m, m.key, rt, m.sig_ticket_b,
				     m.msa, m.msa_len, enc, &elen),
			 TPM_MA_TICKET_SIGNATURE);
	/* Another MSA list breaks pHash. */
	memcpy(msa, m.msa, m.msa_len);
	msa[5] ^= 1;
	assert_int_equal(cmk_convert(&p->b, &m, m.key, m.restrict_ticket,
				     m.sig_ticket_b, msa, m.msa_len, enc,
				     &elen), TPM_AUTHFAIL);
	/* The public part must still say CMK (pHash covers only the
	 * TPM_PUBKEY): flags at bytes 6-9 of the TPM_KEY12. */
	memcpy(key, m.key, m.key_len);
	key[9] &= (uint8_t)~TPM_KEY_FLAG_MIGRATE_AUTHORITY;
	assert_int_equal(cmk_convert(&p->b, &m, key, m.restrict_ticket,
				     m.sig_ticket_b, m.msa, m.msa_len, enc,
				     &elen), TPM_INVALID_KEYUSAGE);
	/* Random of the wrong length. */
	m.rlen--;
	assert_int_equal(convert_ok(&p->b, &m, enc, &elen),
			 TPM_BAD_PARAMETER);
	m.rlen++;
	/* A CMK blob is not for ConvertMigrationBlob. */
	{
		struct th_sess s;
		struct tpm_buf *b;

		assert_int_equal(th_oiap(&p->b, &s, th_srk_auth), 0);
		s.cont = false;
		b = th_begin(&p->b, TPM_ORD_ConvertMigrationBlob);
		tb_put_u32(b, TPM_KH_SRK);
		tb_put_sized(b, m.out, m.olen);
		tb_put_sized(b, m.rnd, m.rlen);
		assert_int_equal(th_run(&p->b, 1, &s, NULL),
				 TPM_BAD_MIGRATION);
	}
	/* A's SRK cannot decrypt a blob for B; wrong parent secret. */
	assert_int_equal(cmk_convert(&p->a, &m, m.key, m.restrict_ticket,
				     m.sig_ticket_a, m.msa, m.msa_len, enc,
				     &elen), TPM_DECRYPT_ERROR);
	{
		struct th_sess s;
		struct tpm_buf *b;

		assert_int_equal(th_oiap(&p->b, &s, bad_auth), 0);
		s.cont = false;
		b = th_begin(&p->b, TPM_ORD_CMK_ConvertMigration);
		tb_put_u32(b, TPM_KH_SRK);
		tb_put_bytes(b, m.restrict_ticket, 60);
		tb_put_bytes(b, m.sig_ticket_b, 20);
		tb_put_bytes(b, m.key, m.ki.head);
		tb_put_sized(b, m.out, m.olen);
		tb_put_sized(b, m.msa, (uint32_t)m.msa_len);
		tb_put_sized(b, m.rnd, m.rlen);
		assert_int_equal(th_run(&p->b, 1, &s, NULL), TPM_AUTHFAIL);
	}
	/* Still converts with the right inputs. */
	assert_int_equal(convert_ok(&p->b, &m, enc, &elen), 0);
}

#define AUTH45 0x02, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0
#define HDR(tag, size, ord) 0, tag, 0, 0, 0, size, 0, 0, 0, ord
#define Z20 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

#define CMD TH_VEC_BYTES

static const struct th_vector malformed[] = {
	CMD("SetRestrictions: RQU tag", TPM_BADTAG,
	    HDR(0xC1, 14, 0x1C), 0, 0, 0, 0),
	CMD("SetRestrictions: short", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 57, 0x1C), 0, 0, AUTH45),
	CMD("SetRestrictions: trailing byte", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 60, 0x1C), 0, 0, 0, 0, 9, AUTH45),
	CMD("ApproveMA: RQU tag", TPM_BADTAG,
	    HDR(0xC1, 30, 0x1D), Z20),
	CMD("ApproveMA: 19-byte digest", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 74, 0x1D), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, AUTH45),
	CMD("CreateTicket: truncated TPM_PUBKEY", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 61, 0x12), 0, 0, 0, 1, 0, 1, AUTH45),
	CMD("CreateKey: RQU tag", TPM_BADTAG,
	    HDR(0xC1, 14, 0x13), 0x40, 0, 0, 0),
	CMD("CreateKey: handle and encAuth only", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 79, 0x13), 0x40, 0, 0, 0, Z20, AUTH45),
	CMD("CreateBlob: handle and type only", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 61, 0x1B), 0x40, 0, 0, 0, 0, 5, AUTH45),
	CMD("CreateBlob: AUTH2 tag", TPM_BADTAG,
	    HDR(0xC3, 61, 0x1B), 0x40, 0, 0, 0, 0, 5, AUTH45),
	CMD("ConvertMigration: tickets cut short", TPM_BAD_PARAM_SIZE,
	    HDR(0xC2, 79, 0x24), 0x40, 0, 0, 0, Z20, AUTH45),
	CMD("ConvertMigration: RQU tag", TPM_BADTAG,
	    HDR(0xC1, 14, 0x24), 0x40, 0, 0, 0),
};

/* Malformed commands of this family answer with the listed code. */
static void cmk_malformed_vectors(void **state)
{
	struct pair *p = *state;

	th_run_vectors(&p->a, malformed, ARRAY_SIZE(malformed));
}

#define CT(f) cmocka_unit_test_setup_teardown(f, setup_pair, teardown_pair)

int main(void)
{
	const struct CMUnitTest tests[] = {
		CT(cmk_restrict_approve_convert_sign),
		CT(cmk_restrict_migrate_convert_sign),
		CT(cmk_set_restrictions),
		CT(cmk_create_key_failures),
		CT(cmk_create_ticket_failures),
		CT(cmk_create_blob_failures),
		CT(cmk_create_blob_schemes),
		CT(cmk_convert_failures),
		CT(cmk_malformed_vectors),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	EVP_PKEY_free(ma_key);
	return rc;
}
