// SPDX-License-Identifier: GPL-2.0
/*
 * Transport sessions (Part 3, 24): establishment in clear and under a
 * storage key, wrapped commands with and without encryption (MGF1, AES-128
 * CTR/OFB), the session log signed by ReleaseTransportSigned, exclusive
 * sessions, the nesting rule and malformed input.  The client side is
 * modelled here with OpenSSL, independently of the engine's crypto.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "harness.h"

#define ATTR_ENCRYPT	0x1U
#define ATTR_LOG	0x2U
#define ATTR_EXCLUSIVE	0x4U

static const uint8_t trans_secret[20] = "transport-secret-001";
static const uint8_t key_auth[20] = "key-usage-secret-001";

/* The client's view of a transport session, including its own model of
 * the log digest. */
struct ts {
	uint32_t handle;
	uint8_t key[20];
	uint8_t even[20], odd[20];
	uint32_t attrs, alg;
	uint16_t es;
	bool cont;
	uint8_t ticks[32];	/* TPM_CURRENT_TICKS of EstablishTransport */
	uint8_t log[20];
};

/* ---- client-side crypto ---- */

/* SHA-1 over (ptr, len) pairs ended by NULL. */
static void sha1v(uint8_t out[20], ...)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const void *p;
	va_list ap;

	EVP_DigestInit_ex(md, EVP_sha1(), NULL);
	va_start(ap, out);
	while ((p = va_arg(ap, const void *)) != NULL)
		EVP_DigestUpdate(md, p, va_arg(ap, size_t));
	va_end(ap);
	EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
}

static void hmac5(const uint8_t key[20], const uint8_t digest[20],
		  const uint8_t even[20], const uint8_t odd[20], uint8_t cont,
		  uint8_t out[20])
{
	uint8_t m[61];
	unsigned int len = 20;

	memcpy(m, digest, 20);
	memcpy(m + 20, even, 20);
	memcpy(m + 40, odd, 20);
	m[60] = cont;
	HMAC(EVP_sha1(), key, 20, m, sizeof(m), out, &len);
}

/* MGF1-SHA1 (PKCS#1 B.2.1). */
static void mgf1(uint8_t *out, size_t n, const uint8_t *seed, size_t slen)
{
	uint8_t d[20], c[4];
	uint32_t i;
	size_t done;

	for (i = 0, done = 0; done < n; i++) {
		tb_wr_be32(c, i);
		sha1v(d, seed, slen, c, (size_t)4, NULL);
		memcpy(out + done, d, n - done < 20 ? n - done : 20);
		done += n - done < 20 ? n - done : 20;
	}
}

/* Part 3, 24.2 steps 4/17 from the caller's side. */
static void ts_crypt(const struct ts *s, const uint8_t even[20],
		     const uint8_t odd[20], const char *label, uint8_t *p,
		     size_t n)
{
	uint8_t seed[63], pad[TPM_MAX_COMMAND_SIZE], iv[16];
	size_t ll = strlen(label), i;
	EVP_CIPHER_CTX *cx;
	int outl;

	if (!n || !(s->attrs & ATTR_ENCRYPT))
		return;
	memcpy(seed, even, 20);
	memcpy(seed + 20, odd, 20);
	memcpy(seed + 40, label, ll);
	if (s->alg == TPM_ALG_MGF1) {
		memcpy(seed + 40 + ll, s->key, 20);
		mgf1(pad, n, seed, 60 + ll);
		for (i = 0; i < n; i++)
			p[i] ^= pad[i];
		return;
	}
	mgf1(iv, 16, seed, 40 + ll);
	cx = EVP_CIPHER_CTX_new();
	EVP_EncryptInit_ex(cx, s->es == TPM_ES_SYM_OFB ? EVP_aes_128_ofb() :
			   EVP_aes_128_ctr(), NULL, s->key, iv);
	EVP_EncryptUpdate(cx, p, &outl, p, (int)n);
	EVP_CIPHER_CTX_free(cx);
}

static void log_in(struct ts *s, const uint8_t params[20],
		   const uint8_t pkh[20])
{
	static const uint8_t tag[2] = { 0x00, 0x10 };

	sha1v(s->log, s->log, (size_t)20, tag, (size_t)2, params, (size_t)20,
	      pkh, (size_t)20, NULL);
}

static void log_out(struct ts *s, const uint8_t ticks[32],
		    const uint8_t params[20], uint32_t loc)
{
	static const uint8_t tag[2] = { 0x00, 0x11 };
	uint8_t l[4];

	tb_wr_be32(l, loc);
	sha1v(s->log, s->log, (size_t)20, tag, (size_t)2, ticks, (size_t)32,
	      params, (size_t)20, l, (size_t)4, NULL);
}

static const struct tpm_key *key_of(struct th *t, uint32_t handle)
{
	struct tpm_key *k;

	assert_int_equal(tpm_key_lookup(t->s, handle, &k), TPM_SUCCESS);
	return k;
}

/* ---- EstablishTransport ---- */

/*
 * EstablishTransport with the secret in clear (@key 0) or OAEP-encrypted
 * under loaded key @key (authorized by OIAP with key_auth).
 */
static uint32_t establish(struct th *t, struct ts *s, uint32_t key,
			  uint32_t attrs, uint32_t alg, uint16_t es)
{
	uint8_t pub[12], secret[256], plain[22], params[20], rc0[4] = { 0 };
	uint8_t ord[4], ssize[4], loc[4];
	struct th_sess o;
	struct tpm_buf *b, pb;
	size_t slen = 20;
	uint32_t locality;

	memset(s, 0, sizeof(*s));
	memcpy(s->key, trans_secret, 20);
	s->attrs = attrs;
	s->alg = alg;
	s->es = es;
	tb_init_write(&pb, pub, sizeof(pub));
	tb_put_u16(&pb, TPM_TAG_TRANSPORT_PUBLIC);
	tb_put_u32(&pb, attrs);
	tb_put_u32(&pb, alg);
	tb_put_u16(&pb, es);
	memcpy(secret, trans_secret, 20);
	if (key) {
		const struct tpm_key *k = key_of(t, key);

		tb_wr_be16(plain, TPM_TAG_TRANSPORT_AUTH);
		memcpy(plain + 2, trans_secret, 20);
		slen = th_oaep_n(k->n, k->n_len, plain, sizeof(plain), secret);
		if (th_oiap(t, &o, key_auth))
			return t->rc;
		o.cont = false;
	}
	b = th_begin(t, TPM_ORD_EstablishTransport);
	tb_put_u32(b, key ? key : TPM_KH_TRANSPORT);
	tb_put_bytes(b, pub, sizeof(pub));
	tb_put_sized(b, secret, (uint32_t)slen);
	th_out_handles(t, 1);
	if (th_run(t, 1, key ? &o : NULL, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, &s->handle), 0);
	assert_int_equal(tb_get_u32(&t->out, &locality), 0);
	assert_int_equal(tb_get_bytes(&t->out, s->ticks, 32), 0);
	assert_int_equal(tb_get_bytes(&t->out, s->even, 20), 0);
	assert_int_equal(tb_remaining(&t->out), 0);
	assert_int_equal(tb_be16(s->ticks), TPM_TAG_CURRENT_TICKS);
	s->cont = true;
	if (attrs & ATTR_LOG) {
		static const uint8_t zero[20];

		tb_wr_be32(ord, TPM_ORD_EstablishTransport);
		tb_wr_be32(ssize, (uint32_t)slen);
		tb_wr_be32(loc, locality);
		sha1v(params, ord, (size_t)4, pub, sizeof(pub), ssize,
		      (size_t)4, secret, slen, NULL);
		log_in(s, params, zero);
		sha1v(params, rc0, (size_t)4, ord, (size_t)4, loc, (size_t)4,
		      s->ticks, (size_t)32, s->even, (size_t)20, NULL);
		log_out(s, s->ticks, params, locality);
	}
	return 0;
}

/* ---- ExecuteTransport ---- */

/* A wrapped command: header, @params (handles first), optional auth. */
struct wcmd {
	uint8_t b[TPM_MAX_COMMAND_SIZE];
	size_t len;
	unsigned int in_handles, out_handles, nauth;
	uint32_t ordinal;
};

static void wcmd_build(struct wcmd *w, uint32_t ordinal,
		       const uint8_t *params, size_t plen,
		       unsigned int in_handles, struct th_sess *sess)
{
	uint8_t digest[20], ord[4], mac[20];
	struct tpm_buf b;

	memset(w, 0, sizeof(*w));
	w->ordinal = ordinal;
	w->in_handles = in_handles;
	w->nauth = sess ? 1 : 0;
	tb_init_write(&b, w->b, sizeof(w->b));
	tb_put_u16(&b, (uint16_t)(TPM_TAG_RQU_COMMAND + w->nauth));
	tb_put_u32(&b, 0);
	tb_put_u32(&b, ordinal);
	tb_put_bytes(&b, params, plen);
	if (sess) {
		tb_wr_be32(ord, ordinal);
		sha1v(digest, ord, (size_t)4, params + 4 * in_handles,
		      plen - 4 * in_handles, NULL);
		hmac5(sess->secret, digest, sess->nonce_even, sess->nonce_odd,
		      sess->cont, mac);
		tb_put_u32(&b, sess->handle);
		tb_put_bytes(&b, sess->nonce_odd, 20);
		tb_put_u8(&b, sess->cont);
		tb_put_bytes(&b, mac, 20);
	}
	tb_patch_u32(&b, 2, (uint32_t)b.len);
	w->len = b.len;
}

/* The wrapped response, decrypted. */
struct wrsp {
	uint8_t b[TPM_MAX_COMMAND_SIZE];
	size_t len;
	uint32_t rc;
	struct tpm_buf params;	/* after handles, before auth areas */
};

/*
 * ExecuteTransport of @w in session @s; @pkh is the expected pubKeyHash
 * of the log (NULL: none).  Verifies the outer response authorization
 * and updates the client's nonces and log model.
 */
static uint32_t execute(struct th *t, struct ts *s, const struct wcmd *w,
			const uint8_t *pkh, struct wrsp *r)
{
	uint8_t cmd[TPM_MAX_COMMAND_SIZE], e[TPM_MAX_COMMAND_SIZE];
	uint8_t h1[20], h2[20], digest[20], mac[20], ord[4], sz[4], hdr[8];
	uint8_t loc[4], ticks[32];
	size_t off = 10 + 4 * w->in_handles, len, rlen, s2, n2, nauth;
	static const uint8_t zero[20];
	const uint8_t *p;
	struct tpm_buf b, o;
	uint32_t wrlen, locality;

	RAND_bytes(s->odd, 20);
	memcpy(e, w->b, w->len);
	len = w->len >= off + 45 * w->nauth ? w->len - off - 45 * w->nauth : 0;
	if (w->ordinal == TPM_ORD_OIAP || w->ordinal == TPM_ORD_OSAP)
		len = 0;
	tb_wr_be32(ord, w->ordinal);
	sha1v(h1, ord, (size_t)4, e + off, len, NULL);
	ts_crypt(s, s->even, s->odd, "in", e + off, len);
	tb_wr_be32(ord, TPM_ORD_ExecuteTransport);
	tb_wr_be32(sz, (uint32_t)w->len);
	sha1v(digest, ord, (size_t)4, sz, (size_t)4, h1, (size_t)20, NULL);
	hmac5(s->key, digest, s->even, s->odd, s->cont, mac);
	tb_init_write(&b, cmd, sizeof(cmd));
	tb_put_u16(&b, TPM_TAG_RQU_AUTH1_COMMAND);
	tb_put_u32(&b, 0);
	tb_put_u32(&b, TPM_ORD_ExecuteTransport);
	tb_put_sized(&b, e, (uint32_t)w->len);
	tb_put_u32(&b, s->handle);
	tb_put_bytes(&b, s->odd, 20);
	tb_put_u8(&b, s->cont);
	tb_put_bytes(&b, mac, 20);
	tb_patch_u32(&b, 2, (uint32_t)b.len);
	if (th_raw(t, cmd, b.len))
		return t->rc;
	/* Output: currentTicks, locality, wrappedRsp, auth area. */
	o = t->out;
	assert_true(tb_remaining(&o) >= 16 + 41);
	memcpy(ticks, s->ticks, 32);
	assert_int_equal(tb_get_bytes(&o, ticks + 2, 8), 0);
	assert_int_equal(tb_get_u32(&o, &locality), 0);
	assert_int_equal(tb_get_u32(&o, &wrlen), 0);
	assert_int_equal(tb_get_ref(&o, &p, wrlen), 0);
	assert_int_equal(tb_remaining(&o), 41);
	memcpy(r->b, p, wrlen);
	r->len = rlen = wrlen;
	memcpy(s->even, tb_cursor(&o), 20);
	/* S2 and its decryption under the new nonceEven. */
	r->rc = tb_be32(r->b + 6);
	nauth = tb_be16(r->b) - TPM_TAG_RSP_COMMAND;
	s2 = 10 + 4 * w->out_handles;
	n2 = r->rc || w->ordinal == TPM_ORD_OIAP ||
	     w->ordinal == TPM_ORD_OSAP ? 0 : rlen - s2 - 41 * nauth;
	ts_crypt(s, s->even, s->odd, "out", r->b + s2, n2);
	tb_wr_be32(ord, w->ordinal);
	sha1v(h2, r->b + 6, (size_t)4, ord, (size_t)4, r->b + s2, n2, NULL);
	tb_init_read(&r->params, r->b + s2, n2);
	/* Outer resAuth over SHA-1(0 || ORDet || ticks || locality ||
	 * wrappedRspSize || H2). */
	tb_wr_be32(hdr, 0);
	tb_wr_be32(hdr + 4, TPM_ORD_ExecuteTransport);
	tb_wr_be32(loc, locality);
	tb_wr_be32(sz, wrlen);
	sha1v(digest, hdr, (size_t)8, ticks + 2, (size_t)8, loc, (size_t)4,
	      sz, (size_t)4, h2, (size_t)20, NULL);
	hmac5(s->key, digest, s->even, s->odd, tb_cursor(&o)[20], mac);
	assert_memory_equal(mac, tb_cursor(&o) + 21, 20);
	if (s->attrs & ATTR_LOG) {
		log_in(s, h1, pkh ? pkh : zero);
		log_out(s, ticks, h2, locality);
	}
	return 0;
}

static void wrap_get_random(struct wcmd *w, uint32_t n)
{
	uint8_t p[4];

	tb_wr_be32(p, n);
	wcmd_build(w, TPM_ORD_GetRandom, p, 4, 0, NULL);
}

/* ---- fixtures ---- */

/* ---- tests ---- */

/* A clear-text session wraps GetRandom; continue FALSE ends it. */
static void transport_exec_clear_get_random(void **state)
{
	struct th *t = *state;
	struct wcmd w;
	struct wrsp r;
	struct ts s;
	uint32_t n;

	assert_int_equal(establish(t, &s, 0, 0, 0, 0), 0);
	assert_non_null(tpm_session_find(t->s, s.handle));
	wrap_get_random(&w, 16);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	assert_int_equal(r.rc, TPM_SUCCESS);
	assert_int_equal(tb_get_u32(&r.params, &n), 0);
	assert_int_equal(n, 16);
	assert_int_equal(tb_remaining(&r.params), 16);
	s.cont = false;
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	assert_null(tpm_session_find(t->s, s.handle));
}

/* Wrap Extend (PCR 16) in an encrypted session and check the PCR. */
static void exec_encrypted(struct th *t, uint32_t alg, uint16_t es)
{
	uint8_t p[24], pcr[20], want[20], zero[20] = { 0 };
	struct wcmd w;
	struct wrsp r;
	struct ts s;
	uint32_t key;

	key = th_create_load_key(t, TPM_KEY_STORAGE, key_auth, NULL, NULL);
	assert_int_equal(establish(t, &s, key, ATTR_ENCRYPT, alg, es), 0);
	tb_wr_be32(p, 16);
	memset(p + 4, 0xA5, 20);
	wcmd_build(&w, TPM_ORD_Extend, p, sizeof(p), 0, NULL);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	assert_int_equal(r.rc, TPM_SUCCESS);
	sha1v(want, zero, (size_t)20, p + 4, (size_t)20, NULL);
	assert_int_equal(tb_get_bytes(&r.params, pcr, 20), 0);
	assert_memory_equal(pcr, want, 20);
	/* The effect, seen outside the session. */
	assert_memory_equal(t->s->sd.pcr[16], want, 20);
}

/* MGF1 keystream encryption of the wrapped parameters. */
static void transport_exec_mgf1(void **state)
{
	exec_encrypted(*state, TPM_ALG_MGF1, TPM_ES_NONE);
}

/* AES-128 in CTR mode. */
static void transport_exec_aes_ctr(void **state)
{
	exec_encrypted(*state, TPM_ALG_AES128, TPM_ES_SYM_CNT);
}

/* AES-128 in OFB mode. */
static void transport_exec_aes_ofb(void **state)
{
	exec_encrypted(*state, TPM_ALG_AES128, TPM_ES_SYM_OFB);
}

/* The ciphertext really differs from the plaintext (MGF1). */
static void transport_exec_mgf1_wire_encrypted(void **state)
{
	struct th *t = *state;
	uint8_t p[24];
	struct wcmd w;
	struct wrsp r;
	struct ts s;
	uint32_t key;

	key = th_create_load_key(t, TPM_KEY_STORAGE, key_auth, NULL, NULL);
	assert_int_equal(establish(t, &s, key, ATTR_ENCRYPT, TPM_ALG_MGF1,
				   TPM_ES_NONE), 0);
	tb_wr_be32(p, 16);
	memset(p + 4, 0x11, 20);
	wcmd_build(&w, TPM_ORD_Extend, p, sizeof(p), 0, NULL);
	/* Send the parameters unencrypted: the TPM decrypts them into
	 * garbage, the authorization (over the plaintext) fails. */
	s.attrs = 0;
	assert_int_equal(execute(t, &s, &w, NULL, &r), TPM_AUTHFAIL);
	assert_null(tpm_session_find(t->s, s.handle));
}

/* ReleaseTransportSigned with @key (AUTH2: OIAP, then the session); the
 * signature must verify over the client's model of the log. */
static void release_check(struct th *t, struct ts *s, uint32_t key)
{
	uint8_t anti[20], ord[4], in_digest[20], info[50], digest[20];
	uint8_t ticks[32];
	struct th_sess o, ts2 = { .cont = true };
	const struct tpm_key *k;
	struct tpm_buf *b, out;
	const uint8_t *sig;
	uint32_t loc, slen;

	RAND_bytes(anti, 20);
	assert_int_equal(th_oiap(t, &o, key_auth), 0);
	o.cont = false;
	b = th_begin(t, TPM_ORD_ReleaseTransportSigned);
	tb_put_u32(b, key);
	tb_put_bytes(b, anti, 20);
	/* th_run() knows OIAP/OSAP only: a th_sess with the transport key
	 * and nonces gives the same HMAC. */
	ts2.handle = s->handle;
	memcpy(ts2.secret, s->key, 20);
	memcpy(ts2.nonce_even, s->even, 20);
	RAND_bytes(ts2.nonce_odd, 20);
	assert_int_equal(th_run(t, 1, &o, &ts2), 0);
	out = t->out;
	assert_int_equal(tb_get_u32(&out, &loc), 0);
	assert_int_equal(tb_get_bytes(&out, ticks, 32), 0);
	assert_int_equal(tb_get_u32(&out, &slen), 0);
	assert_int_equal(tb_get_ref(&out, &sig, slen), 0);
	/* The model: A1 = LOG_OUT(SHA-1(ordinal || antiReplay)). */
	tb_wr_be32(ord, TPM_ORD_ReleaseTransportSigned);
	sha1v(in_digest, ord, (size_t)4, anti, (size_t)20, NULL);
	log_out(s, ticks, in_digest, loc);
	tb_wr_be16(info, TPM_TAG_SIGNINFO);
	memcpy(info + 2, "TRAN", 4);
	memcpy(info + 6, anti, 20);
	tb_wr_be32(info + 26, 20);
	memcpy(info + 30, s->log, 20);
	sha1v(digest, info, sizeof(info), NULL);
	k = key_of(t, key);
	assert_true(th_verify_sha1(k->n, k->n_len, digest, sig, slen));
	assert_null(tpm_session_find(t->s, s->handle));
}

/* Logging, then ReleaseTransportSigned: the signature verifies over the
 * client's own model of the log, and the session is gone. */
static void transport_release_signed_log(void **state)
{
	struct th *t = *state;
	uint8_t p[4];
	uint32_t key;
	struct wcmd w;
	struct wrsp r;
	struct ts s;

	key = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	assert_int_equal(establish(t, &s, 0, ATTR_LOG, 0, 0), 0);
	wrap_get_random(&w, 8);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	tb_wr_be32(p, 0);
	wcmd_build(&w, TPM_ORD_PcrRead, p, 4, 0, NULL);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	release_check(t, &s, key);
}

/* The log of an encrypted session under a storage key, with a wrapped
 * command naming a key (pubKeyHash) that fails inside. */
static void transport_release_signed_keyed_log(void **state)
{
	struct th *t = *state;
	uint8_t p[4], kd[20], pkh[20], l[4];
	const struct tpm_key *k;
	uint32_t key, stor;
	struct wcmd w;
	struct wrsp r;
	struct ts s;

	stor = th_create_load_key(t, TPM_KEY_STORAGE, key_auth, NULL, NULL);
	key = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	assert_int_equal(establish(t, &s, stor, ATTR_ENCRYPT | ATTR_LOG,
				   TPM_ALG_MGF1, TPM_ES_NONE), 0);
	k = key_of(t, key);
	tb_wr_be32(l, k->n_len);
	sha1v(kd, l, (size_t)4, k->n, (size_t)k->n_len, NULL);
	sha1v(pkh, kd, (size_t)20, NULL);
	tb_wr_be32(p, key);
	wcmd_build(&w, TPM_ORD_GetPubKey, p, 4, 1, NULL);
	assert_int_equal(execute(t, &s, &w, pkh, &r), 0);
	assert_int_equal(r.rc, TPM_AUTHFAIL);
	release_check(t, &s, key);
}

/* Exclusive: any other command ends the session. */
static void transport_exclusive_ended_by_other(void **state)
{
	struct th *t = *state;
	uint8_t p[4] = { 0, 0, 0, 4 };
	struct wcmd w;
	struct wrsp r;
	struct ts s;

	assert_int_equal(establish(t, &s, 0, ATTR_EXCLUSIVE, 0, 0), 0);
	wrap_get_random(&w, 4);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	assert_non_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(th_raw(t, (const uint8_t[]){ 0, 0xC1, 0, 0, 0, 14,
				0, 0, 0, 0x46, p[0], p[1], p[2], p[3] }, 14),
			 TPM_SUCCESS);
	assert_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(execute(t, &s, &w, NULL, &r),
			 TPM_INVALID_AUTHHANDLE);
}

/* A non-exclusive session survives other commands. */
static void transport_nonexclusive_survives(void **state)
{
	struct th *t = *state;
	struct wcmd w;
	struct wrsp r;
	struct ts s;

	assert_int_equal(establish(t, &s, 0, 0, 0, 0), 0);
	wrap_get_random(&w, 4);
	assert_int_equal(th_raw(t, w.b, w.len), TPM_SUCCESS);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
}

/* A failing wrapped command: the outer command succeeds and carries the
 * inner error; the session continues. */
static void transport_exec_wrapped_failure(void **state)
{
	struct th *t = *state;
	uint8_t p[4] = { 0, 0, 0, 99 };
	struct wcmd w;
	struct wrsp r;
	struct ts s;

	assert_int_equal(establish(t, &s, 0, ATTR_LOG, 0, 0), 0);
	wcmd_build(&w, TPM_ORD_PcrRead, p, 4, 0, NULL);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	assert_int_equal(r.rc, TPM_BADINDEX);
	assert_int_equal(r.len, 10);
	wrap_get_random(&w, 4);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	assert_int_equal(r.rc, TPM_SUCCESS);
}

/* OIAP inside an encrypted session (its parameters stay clear), then an
 * authorized GetPubKey in that OIAP session, also wrapped. */
static void transport_exec_wrapped_oiap_auth(void **state)
{
	struct th *t = *state;
	uint8_t p[4], digest[20], mac[20], hdr[8];
	const struct tpm_key *k;
	struct th_sess o;
	struct wcmd w;
	struct wrsp r;
	struct ts s;
	uint32_t key, stor;
	struct tpm_key pub;

	stor = th_create_load_key(t, TPM_KEY_STORAGE, key_auth, NULL, NULL);
	key = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	assert_int_equal(establish(t, &s, stor, ATTR_ENCRYPT | ATTR_LOG,
				   TPM_ALG_MGF1, TPM_ES_NONE), 0);
	wcmd_build(&w, TPM_ORD_OIAP, NULL, 0, 0, NULL);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	assert_int_equal(r.rc, TPM_SUCCESS);
	memset(&o, 0, sizeof(o));
	tb_init_read(&r.params, r.b + 10, r.len - 10);
	assert_int_equal(tb_get_u32(&r.params, &o.handle), 0);
	assert_int_equal(tb_get_bytes(&r.params, o.nonce_even, 20), 0);
	assert_non_null(tpm_session_find(t->s, o.handle));
	memcpy(o.secret, key_auth, 20);
	RAND_bytes(o.nonce_odd, 20);
	o.cont = false;
	tb_wr_be32(p, key);
	wcmd_build(&w, TPM_ORD_GetPubKey, p, 4, 1, &o);
	k = key_of(t, key);
	{
		uint8_t kd[20], pkh[20], l[4];

		tb_wr_be32(l, k->n_len);
		sha1v(kd, l, (size_t)4, k->n, (size_t)k->n_len, NULL);
		sha1v(pkh, kd, (size_t)20, NULL);
		assert_int_equal(execute(t, &s, &w, pkh, &r), 0);
	}
	assert_int_equal(r.rc, TPM_SUCCESS);
	/* The inner response authorization (after S2), over the decrypted
	 * output. */
	assert_int_equal(r.len, 10 + r.params.len + 41);
	tb_wr_be32(hdr, 0);
	tb_wr_be32(hdr + 4, TPM_ORD_GetPubKey);
	sha1v(digest, hdr, (size_t)8, r.params.data, r.params.len, NULL);
	hmac5(key_auth, digest, r.params.data + r.params.len, o.nonce_odd,
	      r.params.data[r.params.len + 20], mac);
	assert_memory_equal(mac, r.params.data + r.params.len + 21, 20);
	memset(&pub, 0, sizeof(pub));
	assert_int_equal(tpm_pubkey_get(&r.params, &pub), TPM_SUCCESS);
	assert_int_equal(pub.n_len, k->n_len);
	assert_memory_equal(pub.n, k->n, k->n_len);
	tpm_key_clear(&pub);
}

/* Transport commands cannot be wrapped: TPM_NO_WRAP_TRANSPORT, and the
 * failed ExecuteTransport ends the session. */
static void transport_exec_nested_refused(void **state)
{
	struct th *t = *state;
	uint8_t p[40] = { 0 };
	struct wcmd w;
	struct wrsp r;
	struct ts s;

	assert_int_equal(establish(t, &s, 0, 0, 0, 0), 0);
	wcmd_build(&w, TPM_ORD_ExecuteTransport, p, 4, 0, NULL);
	assert_int_equal(execute(t, &s, &w, NULL, &r), TPM_NO_WRAP_TRANSPORT);
	assert_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(establish(t, &s, 0, 0, 0, 0), 0);
	wcmd_build(&w, TPM_ORD_EstablishTransport, p, 4, 1, NULL);
	assert_int_equal(execute(t, &s, &w, NULL, &r), TPM_NO_WRAP_TRANSPORT);
	/* A wrapped command nobody knows: TPM_BAD_PARAMETER. */
	assert_int_equal(establish(t, &s, 0, 0, 0, 0), 0);
	wcmd_build(&w, 0x0000FFFF, p, 4, 0, NULL);
	assert_int_equal(execute(t, &s, &w, NULL, &r), TPM_BAD_PARAMETER);
}

/* A wrong transport HMAC: TPM_AUTHFAIL, session ended. */
static void transport_exec_bad_auth(void **state)
{
	struct th *t = *state;
	struct wcmd w;
	struct wrsp r;
	struct ts s;

	assert_int_equal(establish(t, &s, 0, 0, 0, 0), 0);
	s.key[0] ^= 1;
	wrap_get_random(&w, 4);
	assert_int_equal(execute(t, &s, &w, NULL, &r), TPM_AUTHFAIL);
	assert_null(tpm_session_find(t->s, s.handle));
	/* Not a transport session at all. */
	s.handle = 0x12345678;
	assert_int_equal(execute(t, &s, &w, NULL, &r),
			 TPM_INVALID_AUTHHANDLE);
}

/* EstablishTransport's failure paths (Part 3, 24.1 steps 1-3). */
static void transport_establish_errors(void **state)
{
	struct th *t = *state;
	uint32_t stor, sig;
	struct ts s;

	/* 1.b: no encryption without a key. */
	assert_int_equal(establish(t, &s, 0, ATTR_ENCRYPT, TPM_ALG_MGF1,
				   TPM_ES_NONE), TPM_BAD_SCHEME);
	stor = th_create_load_key(t, TPM_KEY_STORAGE, key_auth, NULL, NULL);
	sig = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	/* 2.a: only storage and legacy keys. */
	assert_int_equal(establish(t, &s, sig, 0, 0, 0),
			 TPM_INVALID_KEYUSAGE);
	/* 3.b: unknown algorithm. */
	assert_int_equal(establish(t, &s, stor, ATTR_ENCRYPT, TPM_ALG_RSA,
				   TPM_ES_NONE), TPM_BAD_KEY_PROPERTY);
	/* 3.c: AES in a mode this TPM lacks. */
	assert_int_equal(establish(t, &s, stor, ATTR_ENCRYPT, TPM_ALG_AES128,
				   TPM_ES_SYM_CBC_PKCS5PAD),
			 TPM_INAPPROPRIATE_ENC);
	/* No session was left behind by any of them. */
	assert_int_equal(establish(t, &s, stor, ATTR_ENCRYPT, TPM_ALG_AES128,
				   TPM_ES_SYM_CNT), 0);
}

/* ReleaseTransportSigned's failure paths (Part 3, 24.3). */
static void transport_release_errors(void **state)
{
	struct th *t = *state;
	uint8_t anti[20] = { 0 };
	struct th_sess o, ts2;
	struct tpm_buf *b;
	uint32_t key, stor;
	struct ts s;

	key = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	stor = th_create_load_key(t, TPM_KEY_STORAGE, key_auth, NULL, NULL);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(establish(t, &s, 0, i ? ATTR_LOG : 0, 0, 0),
				 0);
		assert_int_equal(th_oiap(t, &o, key_auth), 0);
		b = th_begin(t, TPM_ORD_ReleaseTransportSigned);
		tb_put_u32(b, i == 2 ? stor : key);
		tb_put_bytes(b, anti, 20);
		memset(&ts2, 0, sizeof(ts2));
		ts2.handle = s.handle;
		ts2.cont = true;
		memcpy(ts2.secret, s.key, 20);
		ts2.secret[0] ^= (uint8_t)(i == 1);
		memcpy(ts2.nonce_even, s.even, 20);
		/* 0: no log; 1: wrong session secret; 2: a storage key
		 * cannot sign. */
		assert_int_equal(th_run(t, 1, &o, &ts2),
				 i == 0 ? TPM_BAD_MODE :
				 i == 1 ? TPM_AUTH2FAIL : TPM_INAPPROPRIATE_SIG);
		/* Every failure ends the transport session. */
		assert_null(tpm_session_find(t->s, s.handle));
	}
}

/* FlushSpecific(TPM_RT_TRANS) ends a session; GetCapability lists it. */
static void transport_flush_and_handle_list(void **state)
{
	struct th *t = *state;
	struct tpm_buf *b;
	uint32_t size, h;
	uint16_t n;
	struct ts s;

	assert_int_equal(establish(t, &s, 0, 0, 0, 0), 0);
	b = th_begin(t, TPM_ORD_GetCapability);
	tb_put_u32(b, TPM_CAP_HANDLE);
	tb_put_u32(b, 4);
	tb_put_u32(b, TPM_RT_TRANS);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(tb_get_u16(&t->out, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(tb_get_u32(&t->out, &h), 0);
	assert_int_equal(h, s.handle);
	b = th_begin(t, TPM_ORD_FlushSpecific);
	tb_put_u32(b, s.handle);
	tb_put_u32(b, TPM_RT_TRANS);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_null(tpm_session_find(t->s, s.handle));
}

/* The wrapped command ends its own session (FlushSpecific of it): the
 * answer still comes, with continueTransSession FALSE. */
static void transport_exec_wrapped_flush_self(void **state)
{
	struct th *t = *state;
	uint8_t p[8];
	struct wcmd w;
	struct wrsp r;
	struct ts s;

	assert_int_equal(establish(t, &s, 0, 0, 0, 0), 0);
	tb_wr_be32(p, s.handle);
	tb_wr_be32(p + 4, TPM_RT_TRANS);
	wcmd_build(&w, TPM_ORD_FlushSpecific, p, 8, 0, NULL);
	assert_int_equal(execute(t, &s, &w, NULL, &r), 0);
	assert_int_equal(r.rc, TPM_SUCCESS);
	assert_int_equal(t->out.data[t->out.len - 21], 0);
	assert_null(tpm_session_find(t->s, s.handle));
}

#define V TH_VEC_BYTES

static const struct th_vector vectors[] = {
	V("establish: no parameters", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 10, 0, 0, 0, 0xE6),
	V("establish: transPublic cut short", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 20, 0, 0, 0, 0xE6,
	  0x40, 0, 0, 3, 0, 0x1E, 0, 0, 0, 0),
	V("establish: secretSize beyond the data", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 30, 0, 0, 0, 0xE6,
	  0x40, 0, 0, 3, 0, 0x1E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	  0, 0, 0, 20),
	V("establish: trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 31, 0, 0, 0, 0xE6,
	  0x40, 0, 0, 3, 0, 0x1E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	  0, 0, 0, 0, 0xFF),
	V("establish: bad transPublic tag", TPM_INVALID_STRUCTURE,
	  0x00, 0xC1, 0, 0, 0, 30, 0, 0, 0, 0xE6,
	  0x40, 0, 0, 3, 0, 0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	  0, 0, 0, 0),
	V("establish: clear secret not 20 bytes", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC1, 0, 0, 0, 31, 0, 0, 0, 0xE6,
	  0x40, 0, 0, 3, 0, 0x1E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	  0, 0, 0, 1, 0x55),
	V("establish: unknown encHandle", TPM_INVALID_KEYHANDLE,
	  0x00, 0xC1, 0, 0, 0, 30, 0, 0, 0, 0xE6,
	  0x01, 0x23, 0x45, 0x67, 0, 0x1E, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	  0, 0, 0, 0),
	V("execute: wrong tag (no auth)", TPM_BADTAG,
	  0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0xE7, 0, 0, 0, 0),
	V("execute: too short for its auth area", TPM_BAD_PARAM_SIZE,
	  0x00, 0xC2, 0, 0, 0, 14, 0, 0, 0, 0xE7, 0, 0, 0, 0),
	V("release: wrong tag (no auth)", TPM_BADTAG,
	  0x00, 0xC1, 0, 0, 0, 34, 0, 0, 0, 0xE8, 0, 0, 0, 1,
	  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
};

/* Every vector gets its code and leaves no transport session behind. */
static void transport_malformed_vectors(void **state)
{
	struct th *t = *state;
	unsigned int i;

	th_run_vectors(t, vectors, ARRAY_SIZE(vectors));
	for (i = 0; i < TPM_MAX_SESSIONS; i++)
		assert_int_not_equal(t->s->sessions[i].type, SESS_TRANSPORT);
}

/* ExecuteTransport with a wrapped command too short for its header. */
static void transport_exec_short_wrapped(void **state)
{
	struct th *t = *state;
	struct wcmd w;
	struct wrsp r;
	struct ts s;

	assert_int_equal(establish(t, &s, 0, 0, 0, 0), 0);
	memset(&w, 0, sizeof(w));
	w.len = 6;
	assert_int_equal(execute(t, &s, &w, NULL, &r), TPM_BAD_PARAMETER);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)
#define TO(f) cmocka_unit_test_setup_teardown(f, th_setup_owned_pp, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(transport_exec_clear_get_random),
		TO(transport_exec_mgf1),
		TO(transport_exec_aes_ctr),
		TO(transport_exec_aes_ofb),
		TO(transport_exec_mgf1_wire_encrypted),
		TO(transport_release_signed_log),
		TO(transport_release_signed_keyed_log),
		T(transport_exclusive_ended_by_other),
		T(transport_nonexclusive_survives),
		T(transport_exec_wrapped_failure),
		TO(transport_exec_wrapped_oiap_auth),
		T(transport_exec_nested_refused),
		T(transport_exec_bad_auth),
		TO(transport_establish_errors),
		TO(transport_release_errors),
		T(transport_flush_and_handle_list),
		T(transport_exec_wrapped_flush_self),
		T(transport_malformed_vectors),
		T(transport_exec_short_wrapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
