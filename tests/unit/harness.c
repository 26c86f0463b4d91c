// SPDX-License-Identifier: GPL-2.0
/*
 * Unit-test harness: an in-process engine and a minimal TPM client.  The
 * client's crypto (SHA-1, HMAC, OAEP) is OpenSSL called directly, so the
 * engine's own wrappers are checked, not trusted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "harness.h"

const uint8_t th_zero_auth[20];
const uint8_t th_owner_auth[20] = "owner-secret-0123456";
const uint8_t th_srk_auth[20] = "srk-secret-987654321";

/* Command under construction (one at a time per harness). */
static uint8_t cmd_buf[TPM_MAX_COMMAND_SIZE];
static struct tpm_buf cmd_params;
static uint32_t cmd_ordinal;
static unsigned int cmd_out_handles;

void th_sha1(const void *d, size_t n, uint8_t out[20])
{
	SHA1(d, n, out);
}

static void hmac(const uint8_t key[20], const uint8_t *d, size_t n,
		 uint8_t out[20])
{
	unsigned int len = 20;

	if (!HMAC(EVP_sha1(), key, 20, d, n, out, &len))
		fail_msg("HMAC failed");
}

static void start(struct th *t, bool no_ek)
{
	static const uint8_t startup[] = { 0x00, 0xC1, 0, 0, 0, 12,
					   0, 0, 0, 0x99, 0x00, 0x01 };
	struct tpm_config cfg = { .no_ek = no_ek, .ek_bits = 2048 };

	memset(t, 0, sizeof(*t));
	t->s = tpm_create(&cfg);
	if (!t->s)
		fail_msg("tpm_create failed");
	tpm_init(t->s);
	if (th_raw(t, startup, sizeof(startup)) != TPM_SUCCESS)
		fail_msg("TPM_Startup failed: 0x%x", t->rc);
}

void th_init(struct th *t)
{
	start(t, false);
}

void th_init_no_ek(struct th *t)
{
	start(t, true);
}

void th_fini(struct th *t)
{
	tpm_destroy(t->s);
	t->s = NULL;
}

uint32_t th_raw(struct th *t, const uint8_t *cmd, size_t len)
{
	if (tpm_execute(t->s, cmd, len, t->rsp, &t->rsp_len))
		fail_msg("tpm_execute refused its arguments");
	if (t->rsp_len < 10 || tb_be32(t->rsp + 2) != t->rsp_len)
		fail_msg("malformed response (len %zu)", t->rsp_len);
	t->rc = tb_be32(t->rsp + 6);
	tb_init_read(&t->out, t->rsp + 10, t->rsp_len - 10);
	return t->rc;
}

struct tpm_buf *th_begin(struct th *t, uint32_t ordinal)
{
	(void)t;
	tb_init_write(&cmd_params, cmd_buf + 10, sizeof(cmd_buf) - 10 -
		      2 * TPM_AUTH_IN_SIZE);
	cmd_ordinal = ordinal;
	cmd_out_handles = 0;
	return &cmd_params;
}

void th_out_handles(struct th *t, unsigned int n)
{
	(void)t;
	cmd_out_handles = n;
}

static void auth_area(struct th_sess *s, const uint8_t digest[20],
		      struct tpm_buf *b)
{
	uint8_t mac[20], m[61], cont = s->cont;

	memcpy(m, digest, 20);
	memcpy(m + 20, s->nonce_even, 20);
	memcpy(m + 40, s->nonce_odd, 20);
	m[60] = cont;
	hmac(s->secret, m, sizeof(m), mac);
	tb_put_u32(b, s->handle);
	tb_put_bytes(b, s->nonce_odd, 20);
	tb_put_u8(b, cont);
	tb_put_bytes(b, mac, 20);
}

/* Check a response auth area and roll the session's nonces. */
static void check_auth_out(struct th_sess *s, const uint8_t digest[20],
			   const uint8_t *area)
{
	uint8_t mac[20], m[61];

	memcpy(m, digest, 20);
	memcpy(m + 20, area, 20);
	memcpy(m + 40, s->nonce_odd, 20);
	m[60] = area[20];
	hmac(s->secret, m, sizeof(m), mac);
	if (memcmp(mac, area + 21, 20))
		fail_msg("response HMAC does not verify");
	memcpy(s->nonce_even, area, 20);
	RAND_bytes(s->nonce_odd, 20);
}

uint32_t th_run(struct th *t, unsigned int handles, struct th_sess *s1,
		struct th_sess *s2)
{
	struct th_sess *sess[2] = { s1, s2 };
	unsigned int nauth = s2 ? 2 : s1 ? 1 : 0, i;
	uint8_t digest[20], ord[4];
	struct tpm_buf all;
	size_t plen = cmd_params.len, skip = (size_t)handles * 4;
	EVP_MD_CTX *md;

	tb_wr_be32(ord, cmd_ordinal);
	if (nauth) {
		md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(md, EVP_sha1(), NULL);
		EVP_DigestUpdate(md, ord, 4);
		EVP_DigestUpdate(md, cmd_params.data + skip, plen - skip);
		EVP_DigestFinal_ex(md, digest, NULL);
		EVP_MD_CTX_free(md);
	}
	tb_init_write(&all, cmd_buf, sizeof(cmd_buf));
	tb_put_u16(&all, (uint16_t)(TPM_TAG_RQU_COMMAND + nauth));
	tb_put_u32(&all, 0);
	tb_put_u32(&all, cmd_ordinal);
	all.len += plen;
	for (i = 0; i < nauth; i++)
		auth_area(sess[i], digest, &all);
	tb_patch_u32(&all, 2, (uint32_t)all.len);
	th_raw(t, cmd_buf, all.len);
	if (t->rc || !nauth)
		return t->rc;

	/* Split the auth areas off and verify them. */
	if (t->out.len < nauth * TPM_AUTH_OUT_SIZE)
		fail_msg("response too short for its auth areas");
	t->out.len -= nauth * TPM_AUTH_OUT_SIZE;
	skip = (size_t)cmd_out_handles * 4;
	if (skip > t->out.len)
		fail_msg("response shorter than its handles");
	{
		uint8_t hdr[8];

		tb_wr_be32(hdr, 0);
		tb_wr_be32(hdr + 4, cmd_ordinal);
		md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(md, EVP_sha1(), NULL);
		EVP_DigestUpdate(md, hdr, 8);
		EVP_DigestUpdate(md, t->out.data + skip, t->out.len - skip);
		EVP_DigestFinal_ex(md, digest, NULL);
		EVP_MD_CTX_free(md);
	}
	for (i = 0; i < nauth; i++)
		check_auth_out(sess[i], digest, t->out.data + t->out.len +
			       i * TPM_AUTH_OUT_SIZE);
	return t->rc;
}

uint32_t th_oiap(struct th *t, struct th_sess *s, const uint8_t secret[20])
{
	static const uint8_t oiap[] = { 0x00, 0xC1, 0, 0, 0, 10,
					0, 0, 0, 0x0A };

	memset(s, 0, sizeof(*s));
	if (th_raw(t, oiap, sizeof(oiap)))
		return t->rc;
	if (tb_get_u32(&t->out, &s->handle) ||
	    tb_get_bytes(&t->out, s->nonce_even, 20))
		fail_msg("short OIAP response");
	memcpy(s->secret, secret, 20);
	RAND_bytes(s->nonce_odd, 20);
	s->cont = true;
	return 0;
}

uint32_t th_osap(struct th *t, struct th_sess *s, uint16_t et, uint32_t ev,
		 const uint8_t secret[20])
{
	uint8_t odd_osap[20], even_osap[20], m[40];
	struct tpm_buf *b;

	memset(s, 0, sizeof(*s));
	RAND_bytes(odd_osap, 20);
	b = th_begin(t, TPM_ORD_OSAP);
	tb_put_u16(b, et);
	tb_put_u32(b, ev);
	tb_put_bytes(b, odd_osap, 20);
	if (th_run(t, 0, NULL, NULL))
		return t->rc;
	if (tb_get_u32(&t->out, &s->handle) ||
	    tb_get_bytes(&t->out, s->nonce_even, 20) ||
	    tb_get_bytes(&t->out, even_osap, 20))
		fail_msg("short OSAP response");
	memcpy(m, even_osap, 20);
	memcpy(m + 20, odd_osap, 20);
	hmac(secret, m, sizeof(m), s->secret);
	RAND_bytes(s->nonce_odd, 20);
	s->osap = true;
	s->cont = true;
	return 0;
}

void th_adip(const struct th_sess *s, const uint8_t secret[20], bool odd,
	     uint8_t enc[20])
{
	uint8_t m[40], pad[20];
	unsigned int i;

	memcpy(m, s->secret, 20);
	memcpy(m + 20, odd ? s->nonce_odd : s->nonce_even, 20);
	th_sha1(m, sizeof(m), pad);
	for (i = 0; i < 20; i++)
		enc[i] = secret[i] ^ pad[i];
}

void th_pp(struct th *t)
{
	static const uint8_t en[] = { 0x00, 0xC1, 0, 0, 0, 12, 0x40, 0, 0,
				      0x0A, 0x00, 0x20 };
	static const uint8_t pr[] = { 0x00, 0xC1, 0, 0, 0, 12, 0x40, 0, 0,
				      0x0A, 0x00, 0x08 };

	if (th_raw(t, en, sizeof(en)) || th_raw(t, pr, sizeof(pr)))
		fail_msg("TSC_PhysicalPresence failed: 0x%x", t->rc);
}

EVP_PKEY *th_rsa_pub(const uint8_t *n, size_t n_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL), *e = BN_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pk = NULL;
	OSSL_PARAM *params;

	BN_set_word(e, 65537);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
	params = OSSL_PARAM_BLD_to_param(bld);
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		fail_msg("cannot build RSA public key");
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn);
	BN_free(e);
	return pk;
}

size_t th_oaep(EVP_PKEY *pk, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
	char *label = OPENSSL_strdup("TCPA");
	size_t outlen = 256;

	if (EVP_PKEY_encrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) <= 0 ||
	    EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, 4) <= 0 ||
	    EVP_PKEY_encrypt(ctx, out, &outlen, in, len) <= 0)
		fail_msg("OAEP encryption failed");
	EVP_PKEY_CTX_free(ctx);
	return outlen;
}

size_t th_oaep_n(const uint8_t *n, size_t n_len, const uint8_t *in,
		 size_t len, uint8_t *out)
{
	EVP_PKEY *pk = th_rsa_pub(n, n_len);
	size_t outlen = th_oaep(pk, in, len, out);

	EVP_PKEY_free(pk);
	return outlen;
}

bool th_verify_sha1(const uint8_t *n, size_t n_len, const uint8_t digest[20],
		    const uint8_t *sig, size_t siglen)
{
	EVP_PKEY *pk = th_rsa_pub(n, n_len);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
	bool ok;

	ok = EVP_PKEY_verify_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) > 0 &&
	     EVP_PKEY_verify(ctx, sig, siglen, digest, 20) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok;
}

void th_key12_modulus(const uint8_t *blob, size_t len, const uint8_t **n,
		      uint32_t *n_len)
{
	uint32_t psize, pcr_size;
	struct tpm_buf b;

	/* tag, fill, keyUsage, keyFlags, authDataUsage, algorithmID,
	 * encScheme, sigScheme; then parms, PCR info and pubKey, sized. */
	tb_init_read(&b, blob, len);
	if (tb_skip(&b, 2 + 2 + 2 + 4 + 1 + 4 + 2 + 2) ||
	    tb_get_u32(&b, &psize) || tb_skip(&b, psize) ||
	    tb_get_u32(&b, &pcr_size) || tb_skip(&b, pcr_size) ||
	    tb_get_u32(&b, n_len) || tb_get_ref(&b, n, *n_len))
		fail_msg("malformed TPM_KEY12");
}

/* Read the EK's modulus with ReadPubek and build an OpenSSL key. */
static EVP_PKEY *read_ek(struct th *t)
{
	uint32_t alg, psize, klen;
	uint16_t es, ss;
	const uint8_t *n;
	struct tpm_buf *b;
	uint8_t nonce[20] = { 0 };

	b = th_begin(t, TPM_ORD_ReadPubek);
	tb_put_bytes(b, nonce, 20);
	if (th_run(t, 0, NULL, NULL))
		fail_msg("ReadPubek failed: 0x%x", t->rc);
	if (tb_get_u32(&t->out, &alg) || tb_get_u16(&t->out, &es) ||
	    tb_get_u16(&t->out, &ss) || tb_get_u32(&t->out, &psize) ||
	    tb_skip(&t->out, psize) || tb_get_u32(&t->out, &klen) ||
	    tb_get_ref(&t->out, &n, klen))
		fail_msg("malformed TPM_PUBKEY");
	return th_rsa_pub(n, klen);
}

void th_key12_template(struct tpm_buf *b, uint16_t usage, uint32_t flags,
		       uint32_t bits)
{
	uint16_t es = TPM_ES_RSAESOAEP_SHA1_MGF1, ss = TPM_SS_NONE;

	if (usage == TPM_KEY_SIGNING || usage == TPM_KEY_IDENTITY) {
		es = TPM_ES_NONE;
		ss = TPM_SS_RSASSAPKCS1v15_SHA1;
	} else if (usage == TPM_KEY_LEGACY) {
		ss = TPM_SS_RSASSAPKCS1v15_SHA1;
	}
	tb_put_u16(b, TPM_TAG_KEY12);
	tb_put_u16(b, 0);
	tb_put_u16(b, usage);
	tb_put_u32(b, flags);
	tb_put_u8(b, TPM_AUTH_ALWAYS);
	tb_put_u32(b, TPM_ALG_RSA);
	tb_put_u16(b, es);
	tb_put_u16(b, ss);
	tb_put_u32(b, 12);		/* TPM_RSA_KEY_PARMS */
	tb_put_u32(b, bits);
	tb_put_u32(b, 2);
	tb_put_u32(b, 0);
	tb_put_u32(b, 0);		/* PCRInfoSize */
	tb_put_u32(b, 0);		/* pubKey */
	tb_put_u32(b, 0);		/* encData */
}

void th_take_ownership(struct th *t)
{
	uint8_t enc_owner[256], enc_srk[256];
	struct th_sess s;
	struct tpm_buf *b;
	EVP_PKEY *ek;
	size_t n1, n2;

	ek = read_ek(t);
	n1 = th_oaep(ek, th_owner_auth, 20, enc_owner);
	n2 = th_oaep(ek, th_srk_auth, 20, enc_srk);
	EVP_PKEY_free(ek);
	if (th_oiap(t, &s, th_owner_auth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	s.cont = false;
	b = th_begin(t, TPM_ORD_TakeOwnership);
	tb_put_u16(b, TPM_PID_OWNER);
	tb_put_sized(b, enc_owner, (uint32_t)n1);
	tb_put_sized(b, enc_srk, (uint32_t)n2);
	th_key12_template(b, TPM_KEY_STORAGE, 0, 2048);
	if (th_run(t, 0, &s, NULL))
		fail_msg("TakeOwnership failed: 0x%x", t->rc);
}

uint32_t th_create_load_key(struct th *t, uint16_t usage,
			    const uint8_t auth[20], uint8_t *blob,
			    size_t *blob_len)
{
	uint8_t enc_usage[20], enc_mig[20], key[TPM_MAX_COMMAND_SIZE];
	struct th_sess s;
	struct tpm_buf *b;
	size_t klen;
	uint32_t handle;

	if (th_osap(t, &s, TPM_ET_KEYHANDLE, TPM_KH_SRK, th_srk_auth))
		fail_msg("OSAP on SRK failed: 0x%x", t->rc);
	s.cont = false;
	th_adip(&s, auth, false, enc_usage);
	th_adip(&s, auth, true, enc_mig);
	b = th_begin(t, TPM_ORD_CreateWrapKey);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, enc_usage, 20);
	tb_put_bytes(b, enc_mig, 20);
	th_key12_template(b, usage, 0, 2048);
	if (th_run(t, 1, &s, NULL))
		fail_msg("CreateWrapKey failed: 0x%x", t->rc);
	klen = t->out.len;
	memcpy(key, t->out.data, klen);
	if (blob) {
		memcpy(blob, key, klen);
		*blob_len = klen;
	}
	if (th_oiap(t, &s, th_srk_auth))
		fail_msg("OIAP failed: 0x%x", t->rc);
	s.cont = false;
	b = th_begin(t, TPM_ORD_LoadKey2);
	tb_put_u32(b, TPM_KH_SRK);
	tb_put_bytes(b, key, klen);
	th_out_handles(t, 1);
	if (th_run(t, 1, &s, NULL))
		fail_msg("LoadKey2 failed: 0x%x", t->rc);
	if (tb_get_u32(&t->out, &handle))
		fail_msg("short LoadKey2 response");
	return handle;
}

void th_init_owned(struct th *t, bool pp)
{
	th_init(t);
	if (pp)
		th_pp(t);
	th_take_ownership(t);
}

/* SRKs made by th_init_srk(), per slot: generated once per process, then
 * rebuilt from their primes, which keeps the suites fast. */
static uint8_t srk_n[TH_SRK_SLOTS][256], srk_p[TH_SRK_SLOTS][256];
static size_t srk_n_len[TH_SRK_SLOTS], srk_p_len[TH_SRK_SLOTS];

void th_init_srk(struct th *t, unsigned int slot)
{
	struct tpm_key *srk;
	struct tpm_state *s;

	if (slot >= TH_SRK_SLOTS)
		fail_msg("no SRK slot %u", slot);
	th_init_no_ek(t);
	s = t->s;
	s->pf.owner_installed = true;
	memcpy(s->pd.owner_auth, th_owner_auth, 20);
	srk = &s->pd.srk;
	tpm_key_clear(srk);
	srk->key12 = true;
	srk->usage = TPM_KEY_STORAGE;
	srk->auth_usage = TPM_AUTH_ALWAYS;
	srk->parms = (struct tpm_key_parms){ .algorithm = TPM_ALG_RSA,
		.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
		.sig_scheme = TPM_SS_NONE, .key_bits = 2048, .num_primes = 2 };
	memcpy(srk->usage_auth, th_srk_auth, 20);
	if (!srk_n_len[slot]) {
		assert_int_equal(tpm_srk_create(s, srk), TPM_SUCCESS);
		assert_int_equal(tpm_rsa_get_modulus(srk->rsa, srk_n[slot], 256,
						     &srk_n_len[slot]), 0);
		assert_int_equal(tpm_rsa_get_prime(srk->rsa, srk_p[slot], 256,
						   &srk_p_len[slot]), 0);
		return;
	}
	memcpy(srk->migration_auth, s->pd.tpm_proof, 20);
	memcpy(srk->n, srk_n[slot], srk_n_len[slot]);
	srk->n_len = (uint32_t)srk_n_len[slot];
	assert_int_equal(tpm_rsa_from_prime(&srk->rsa, srk_n[slot],
					    srk_n_len[slot], NULL, 0,
					    srk_p[slot], srk_p_len[slot]), 0);
	assert_int_equal(tpm_key_pub_digest(srk), 0);
	srk->handle = TPM_KH_SRK;
	srk->valid = true;
}

uint32_t th_startup(struct th *t, uint16_t type)
{
	tb_put_u16(th_begin(t, TPM_ORD_Startup), type);
	return th_run(t, 0, NULL, NULL);
}

void th_restart(struct th *t, uint16_t type)
{
	tpm_init(t->s);
	if (th_startup(t, type))
		fail_msg("TPM_Startup(%u) failed: 0x%x", type, t->rc);
}

/* The fixtures: a struct th on the heap in *state. */
static int fixture(void **state, bool owned, bool pp)
{
	struct th *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	if (owned)
		th_init_owned(t, pp);
	else
		th_init(t);
	*state = t;
	return 0;
}

int th_setup(void **state)
{
	return fixture(state, false, false);
}

int th_setup_owned(void **state)
{
	return fixture(state, true, false);
}

int th_setup_owned_pp(void **state)
{
	return fixture(state, true, true);
}

int th_teardown(void **state)
{
	struct th *t = *state;

	th_fini(t);
	free(t);
	return 0;
}

void th_run_vectors(struct th *t, const struct th_vector *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		/* The table itself: paramSize must be the vector's length. */
		if (v[i].len < 10 || tb_be32(v[i].cmd + 2) != v[i].len)
			fail_msg("%s: paramSize is not the length %zu",
				 v[i].title, v[i].len);
		if (th_raw(t, v[i].cmd, v[i].len) != v[i].rc)
			fail_msg("%s: got 0x%x, want 0x%x", v[i].title, t->rc,
				 v[i].rc);
		/* An error answer has no output parameters, only the header. */
		if (v[i].rc && t->rsp_len != TPM_HEADER_SIZE)
			fail_msg("%s: %zu-byte error response", v[i].title,
				 t->rsp_len);
	}
}

size_t th_srk_pubkey(struct th *t, uint8_t *out, size_t cap)
{
	struct tpm_buf b;

	tb_init_write(&b, out, cap);
	assert_int_equal(tpm_pubkey_put(&b, &t->s->pd.srk), 0);
	return b.len;
}

void th_sign_check(struct th *t, uint32_t handle, const uint8_t auth[20],
		   const uint8_t *blob, size_t blen, const uint8_t digest[20])
{
	const uint8_t *enc, *sig;
	struct tpm_buf *b, kb;
	struct th_sess s;
	struct tpm_key k;
	uint32_t elen, siglen;

	assert_int_equal(th_oiap(t, &s, auth), 0);
	s.cont = false;
	b = th_begin(t, TPM_ORD_Sign);
	tb_put_u32(b, handle);
	tb_put_sized(b, digest, 20);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_sized(&t->out, &sig, &siglen, 256), 0);
	memset(&k, 0, sizeof(k));
	tb_init_read(&kb, blob, blen);
	assert_int_equal(tpm_key_get(&kb, &k, &enc, &elen), TPM_SUCCESS);
	assert_true(th_verify_sha1(k.n, k.n_len, digest, sig, siglen));
	tpm_key_clear(&k);
}
