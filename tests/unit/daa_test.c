// SPDX-License-Identifier: GPL-2.0
/*
 * DAA (Part 3, 26): a complete TPM_DAA_Join against an issuer built here
 * with GMP (real sizes: 2048-bit n, 208-bit q, 1632-bit gamma), then a
 * complete TPM_DAA_Sign; the TPM's outputs are checked with the issuer's
 * verification equations.  Also the stage, input, blob, authorization and
 * resource failures, and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmp.h>

#include "harness.h"

#define NBYTES		256U	/* issuer modulus n, R0, R1, S0, S1 */
#define GAMMA_BITS	1632U
#define GAMMA_BYTES	(GAMMA_BITS / 8)
#define Q_BITS		208U

/* The issuer: public key, its RSA signing keys, and the settings. */
struct issuer {
	mpz_t n, r0, r1, s0, s1, gamma, q, w;
	uint8_t nb[NBYTES], r0b[NBYTES], r1b[NBYTES], s0b[NBYTES];
	uint8_t s1b[NBYTES], gammab[GAMMA_BYTES], wb[DAA_SIZE_w];
	uint8_t settings[2 + 6 * 20 + DAA_SIZE_q];
	struct tpm_rsa *root, *key;	/* stage-1 chain: root signs key */
	uint8_t root_n[NBYTES], key_n[NBYTES];
};

static struct issuer iss;

/* Results of a join that the sign tests reuse. */
struct joined {
	mpz_t u;		/* U of stage 7 */
	mpz_t u2, u3;		/* the issuer's parts of v */
	uint8_t v0[512], v1[512], tpm[512];
	uint32_t v0_len, v1_len, tpm_len;
};

static void to_fixed(const mpz_t x, uint8_t *p, size_t n)
{
	size_t cnt, need = (mpz_sizeinbase(x, 2) + 7) / 8;

	assert_true(need <= n);
	memset(p, 0, n);
	mpz_export(p + n - need, &cnt, 1, 1, 1, 0, x);
}

static void from_bytes(mpz_t x, const uint8_t *p, size_t n)
{
	mpz_init(x);
	mpz_import(x, n, 1, 1, 1, 0, p);
}

static void random_prime(mpz_t p, gmp_randstate_t rs, unsigned int bits)
{
	mpz_urandomb(p, rs, bits);
	mpz_setbit(p, bits - 1);
	mpz_setbit(p, bits - 2);
	mpz_nextprime(p, p);
}

/* A random quadratic residue mod n. */
static void qr(mpz_t x, gmp_randstate_t rs)
{
	mpz_init(x);
	mpz_urandomm(x, rs, iss.n);
	mpz_powm_ui(x, x, 2, iss.n);
}

static int issuer_setup(void **state)
{
	gmp_randstate_t rs;
	mpz_t p, k, h;
	uint8_t *d;
	size_t len;

	(void)state;
	gmp_randinit_default(rs);
	gmp_randseed_ui(rs, 0xDAA);
	mpz_inits(iss.n, iss.gamma, iss.q, iss.w, p, k, h, NULL);
	random_prime(p, rs, 1024);
	random_prime(k, rs, 1024);
	mpz_mul(iss.n, p, k);
	qr(iss.r0, rs);
	qr(iss.r1, rs);
	qr(iss.s0, rs);
	/* S1 = S0^(2^DAA_power1): v0 and v1 are one exponent split. */
	mpz_init(iss.s1);
	mpz_set_ui(p, 1);
	mpz_mul_2exp(p, p, DAA_power1);
	mpz_powm(iss.s1, iss.s0, p, iss.n);
	/* q prime, gamma = k q + 1 prime, w of order q. */
	random_prime(iss.q, rs, Q_BITS);
	do {
		mpz_urandomb(k, rs, GAMMA_BITS - Q_BITS);
		mpz_setbit(k, GAMMA_BITS - Q_BITS - 1);
		mpz_clrbit(k, 0);
		mpz_mul(iss.gamma, iss.q, k);
		mpz_add_ui(iss.gamma, iss.gamma, 1);
	} while (mpz_sizeinbase(iss.gamma, 2) != GAMMA_BITS ||
		 !mpz_probab_prime_p(iss.gamma, 25));
	do {
		mpz_urandomm(h, rs, iss.gamma);
		mpz_powm(iss.w, h, k, iss.gamma);
	} while (mpz_cmp_ui(iss.w, 1) <= 0);
	to_fixed(iss.n, iss.nb, NBYTES);
	to_fixed(iss.r0, iss.r0b, NBYTES);
	to_fixed(iss.r1, iss.r1b, NBYTES);
	to_fixed(iss.s0, iss.s0b, NBYTES);
	to_fixed(iss.s1, iss.s1b, NBYTES);
	to_fixed(iss.gamma, iss.gammab, GAMMA_BYTES);
	to_fixed(iss.w, iss.wb, DAA_SIZE_w);
	/* TPM_DAA_ISSUER */
	d = iss.settings;
	tb_wr_be16(d, TPM_TAG_DAA_ISSUER);
	th_sha1(iss.r0b, NBYTES, d + 2);
	th_sha1(iss.r1b, NBYTES, d + 22);
	th_sha1(iss.s0b, NBYTES, d + 42);
	th_sha1(iss.s1b, NBYTES, d + 62);
	th_sha1(iss.nb, NBYTES, d + 82);
	th_sha1(iss.gammab, GAMMA_BYTES, d + 102);
	to_fixed(iss.q, d + 122, DAA_SIZE_q);
	/* The issuer's RSA keys of stages 1-2. */
	assert_int_equal(tpm_rsa_generate(&iss.root, 2048, NULL, 0), 0);
	assert_int_equal(tpm_rsa_generate(&iss.key, 2048, NULL, 0), 0);
	assert_int_equal(tpm_rsa_get_modulus(iss.root, iss.root_n, NBYTES,
					     &len), 0);
	assert_int_equal(len, NBYTES);
	assert_int_equal(tpm_rsa_get_modulus(iss.key, iss.key_n, NBYTES,
					     &len), 0);
	assert_int_equal(len, NBYTES);
	mpz_clears(p, k, h, NULL);
	gmp_randclear(rs);
	return 0;
}

static int issuer_teardown(void **state)
{
	(void)state;
	tpm_rsa_free(iss.root);
	tpm_rsa_free(iss.key);
	mpz_clears(iss.n, iss.r0, iss.r1, iss.s0, iss.s1, iss.gamma, iss.q,
		   iss.w, NULL);
	return 0;
}

/* An owner OIAP session that continues. */
static void owner_sess(struct th *t, struct th_sess *s,
		       const uint8_t secret[20])
{
	assert_int_equal(th_oiap(t, s, secret), TPM_SUCCESS);
	s->cont = true;
}

/* One DAA_Join/DAA_Sign stage; outputData into @o (cap 1024). */
static uint32_t daa(struct th *t, struct th_sess *s, uint32_t ord,
		    uint32_t handle, uint8_t stage, const void *in0,
		    uint32_t len0, const void *in1, uint32_t len1,
		    uint8_t *o, uint32_t *olen)
{
	const uint8_t *p;
	struct tpm_buf *b;
	uint32_t n;

	b = th_begin(t, ord);
	tb_put_u32(b, handle);
	tb_put_u8(b, stage);
	tb_put_sized(b, in0, len0);
	tb_put_sized(b, in1, len1);
	if (th_run(t, 1, s, NULL))
		return t->rc;
	assert_int_equal(tb_get_sized(&t->out, &p, &n, 1024), 0);
	assert_int_equal(tb_remaining(&t->out), 0);
	if (o) {
		memcpy(o, p, n);
		*olen = n;
	}
	return 0;
}

#define JOIN(st, a, al, b, bl) \
	daa(t, &s, TPM_ORD_DAA_Join, h, (st), (a), (al), (b), (bl), o, &olen)
#define SIGN(st, a, al, b, bl) \
	daa(t, &s, TPM_ORD_DAA_Sign, h, (st), (a), (al), (b), (bl), o, &olen)

static void sig(struct tpm_rsa *k, const uint8_t *d, size_t n, uint8_t *out)
{
	uint8_t h[20];
	size_t len;

	th_sha1(d, n, h);
	assert_int_equal(tpm_rsa_sign_sha1(k, h, out, NBYTES, &len), 0);
	assert_int_equal(len, NBYTES);
}

/* Stages 0-3: session, key chain, issuer settings, count and u0/u1. */
static uint32_t join_start(struct th *t, struct th_sess *s_)
{
	uint8_t o[1024], sg[NBYTES], cnt[4], sd[20 + sizeof(iss.settings)];
	struct th_sess s = *s_;
	uint32_t olen, h = 0;

	tb_wr_be32(cnt, 2);
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), 0);
	assert_int_equal(olen, 4);
	h = tb_be32(o);
	assert_int_equal(JOIN(1, iss.root_n, NBYTES, NULL, 0), 0);
	sig(iss.root, iss.key_n, NBYTES, sg);
	assert_int_equal(JOIN(1, iss.key_n, NBYTES, sg, NBYTES), 0);
	/* signedData = SHA-1(root modulus) || settings */
	th_sha1(iss.root_n, NBYTES, sd);
	memcpy(sd + 20, iss.settings, sizeof(iss.settings));
	sig(iss.key, sd, sizeof(sd), sg);
	assert_int_equal(JOIN(2, iss.settings, sizeof(iss.settings), sg,
			      NBYTES), 0);
	tb_wr_be32(cnt, 0);
	assert_int_equal(JOIN(3, cnt, 4, NULL, 0), 0);
	*s_ = s;
	return h;
}

/* R0^s0 R1^s1 S0^s2 S1^s3 == T * X^c (mod n). */
static void check_proof(const mpz_t tt, const mpz_t x, const mpz_t c,
			const mpz_t s0, const mpz_t s1, const mpz_t s2,
			const mpz_t s3)
{
	mpz_t l, r, a;

	mpz_inits(l, r, a, NULL);
	mpz_powm(l, iss.r0, s0, iss.n);
	mpz_powm(a, iss.r1, s1, iss.n);
	mpz_mul(l, l, a);
	mpz_powm(a, iss.s0, s2, iss.n);
	mpz_mul(l, l, a);
	mpz_powm(a, iss.s1, s3, iss.n);
	mpz_mul(l, l, a);
	mpz_mod(l, l, iss.n);
	mpz_powm(r, x, c, iss.n);
	mpz_mul(r, r, tt);
	mpz_mod(r, r, iss.n);
	assert_int_equal(mpz_cmp(l, r), 0);
	mpz_clears(l, r, a, NULL);
}

/* w^(s0 + 2^DAA_power0 s1) == E1 * E^c (mod gamma). */
static void check_gamma(const mpz_t e, const mpz_t e1, const mpz_t c,
			const mpz_t s0, const mpz_t s1)
{
	mpz_t l, r;

	mpz_inits(l, r, NULL);
	mpz_mul_2exp(l, s1, DAA_power0);
	mpz_add(l, l, s0);
	mpz_powm(l, iss.w, l, iss.gamma);
	mpz_powm(r, e, c, iss.gamma);
	mpz_mul(r, r, e1);
	mpz_mod(r, r, iss.gamma);
	assert_int_equal(mpz_cmp(l, r), 0);
	mpz_clears(l, r, NULL);
}

/* Stages 13-15 (Sign 6-8): E and E1. */
static void gamma_stages(struct th *t, struct th_sess *s_, uint32_t ord,
			 uint32_t h, uint8_t first, mpz_t e, mpz_t e1)
{
	struct th_sess s = *s_;
	uint8_t o[1024];
	uint32_t olen;

	assert_int_equal(daa(t, &s, ord, h, first, iss.gammab, GAMMA_BYTES,
			     iss.wb, DAA_SIZE_w, o, &olen), 0);
	assert_int_equal(olen, 0);
	assert_int_equal(daa(t, &s, ord, h, first + 1, iss.gammab,
			     GAMMA_BYTES, NULL, 0, o, &olen), 0);
	from_bytes(e, o, olen);
	assert_int_equal(daa(t, &s, ord, h, first + 2, iss.gammab,
			     GAMMA_BYTES, NULL, 0, o, &olen), 0);
	from_bytes(e1, o, olen);
	*s_ = s;
}

/* The whole join; @j receives what the sign needs. */
static void do_join(struct th *t, struct joined *j)
{
	uint8_t o[1024], ne[20], enc[NBYTES], n0[20], dg[20], ch[20];
	uint8_t u2[DAA_SIZE_v0], u3[DAA_SIZE_v1], cnt[4] = { 0 };
	mpz_t ut, e, e1, c, s0, s1, s2, s3;
	struct th_sess s;
	uint32_t olen, h;
	size_t elen;

	owner_sess(t, &s, th_owner_auth);
	h = join_start(t, &s);
	assert_int_equal(JOIN(4, iss.r0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(olen, 0);
	assert_int_equal(JOIN(5, iss.r1b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(6, iss.s0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(7, iss.s1b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(olen, NBYTES);
	from_bytes(j->u, o, olen);
	/* Stage 8: SHA-1(SHA-1(U || count || n0) || NE) */
	th_sha1(iss.root_n, NBYTES, n0);
	memset(ne, 0x5A, sizeof(ne));
	assert_int_equal(tpm_rsa_oaep_encrypt(t->s->pd.ek.rsa, ne, 20, enc,
					      sizeof(enc), &elen), 0);
	assert_int_equal(JOIN(8, enc, (uint32_t)elen, NULL, 0), 0);
	{
		uint8_t m[NBYTES + 4 + 20], m2[40];

		to_fixed(j->u, m, NBYTES);
		memcpy(m + NBYTES, cnt, 4);
		memcpy(m + NBYTES + 4, n0, 20);
		th_sha1(m, sizeof(m), m2);
		memcpy(m2 + 20, ne, 20);
		th_sha1(m2, 40, dg);
		assert_int_equal(olen, 20);
		assert_memory_equal(o, dg, 20);
	}
	/* Stages 9-12: the commitment U~ */
	assert_int_equal(JOIN(9, iss.r0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(10, iss.r1b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(11, iss.s0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(12, iss.s1b, NBYTES, iss.nb, NBYTES), 0);
	from_bytes(ut, o, olen);
	gamma_stages(t, &s, TPM_ORD_DAA_Join, h, 13, e, e1);
	/* Stage 16: c = SHA-1(c_h || NT) */
	memset(ch, 0xC4, sizeof(ch));
	assert_int_equal(JOIN(16, ch, 20, NULL, 0), 0);
	assert_int_equal(olen, DAA_SIZE_NT);
	{
		uint8_t m[40];

		memcpy(m, ch, 20);
		memcpy(m + 20, o, 20);
		th_sha1(m, 40, dg);
	}
	from_bytes(c, dg, 20);
	assert_int_equal(JOIN(17, NULL, 0, NULL, 0), 0);
	from_bytes(s0, o, olen);
	assert_int_equal(JOIN(18, NULL, 0, NULL, 0), 0);
	from_bytes(s1, o, olen);
	assert_int_equal(JOIN(19, NULL, 0, NULL, 0), 0);
	assert_int_equal(olen, DAA_power1 / 8);
	from_bytes(s2, o, olen);
	assert_int_equal(JOIN(20, NULL, 0, NULL, 0), 0);
	assert_int_equal(olen, 20);
	assert_memory_equal(o, dg, 20);
	assert_int_equal(JOIN(21, NULL, 0, NULL, 0), 0);
	from_bytes(s3, o, olen);
	check_proof(ut, j->u, c, s0, s1, s2, s3);
	check_gamma(e, e1, c, s0, s1);
	/* Stages 22-24: v0, v1 and DAA_tpmSpecific come back wrapped. */
	memset(u2, 0x3C, sizeof(u2));
	memset(u3, 0x1D, sizeof(u3));
	from_bytes(j->u2, u2, sizeof(u2));
	from_bytes(j->u3, u3, sizeof(u3));
	assert_int_equal(JOIN(22, u2, sizeof(u2), NULL, 0), 0);
	memcpy(j->v0, o, olen);
	j->v0_len = olen;
	assert_int_equal(JOIN(23, u3, sizeof(u3), NULL, 0), 0);
	memcpy(j->v1, o, olen);
	j->v1_len = olen;
	assert_int_equal(JOIN(24, NULL, 0, NULL, 0), 0);
	memcpy(j->tpm, o, olen);
	j->tpm_len = olen;
	/* Stage 24 ends the session. */
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
	mpz_clears(ut, e, e1, c, s0, s1, s2, s3, NULL);
}

static void joined_clear(struct joined *j)
{
	mpz_clears(j->u, j->u2, j->u3, NULL);
}

/* Sign stages 0-1 with the join's DAA_tpmSpecific blob. */
static uint32_t sign_start(struct th *t, struct th_sess *s_,
			   const uint8_t *blob, uint32_t blob_len,
			   uint32_t *h_out)
{
	struct th_sess s = *s_;
	uint8_t o[1024];
	uint32_t olen, h = 0, rc;

	rc = SIGN(0, iss.settings, sizeof(iss.settings), NULL, 0);
	if (rc)
		return rc;
	assert_int_equal(olen, 4);
	h = tb_be32(o);
	*h_out = h;
	rc = SIGN(1, blob, blob_len, NULL, 0);
	*s_ = s;
	return rc;
}

/* The whole sign of message digest @msg; checks the proof. */
static void do_sign(struct th *t, const struct joined *j)
{
	uint8_t o[1024], ch[20], msg[20], dg[20];
	mpz_t tt, e, e1, c, s0, s1, s2, s3, x, a;
	struct th_sess s;
	uint32_t olen, h;

	owner_sess(t, &s, th_owner_auth);
	assert_int_equal(sign_start(t, &s, j->tpm, j->tpm_len, &h), 0);
	assert_int_equal(SIGN(2, iss.r0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(SIGN(3, iss.r1b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(SIGN(4, iss.s0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(SIGN(5, iss.s1b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(olen, NBYTES);
	from_bytes(tt, o, olen);
	gamma_stages(t, &s, TPM_ORD_DAA_Sign, h, 6, e, e1);
	memset(ch, 0x77, sizeof(ch));
	assert_int_equal(SIGN(9, ch, 20, NULL, 0), 0);
	{
		uint8_t m[41];

		memcpy(m, ch, 20);
		memcpy(m + 20, o, 20);
		th_sha1(m, 40, dg);
		/* Stage 10, selector 1: c = SHA-1(c' || 1 || message) */
		memset(msg, 0xAB, sizeof(msg));
		memcpy(m, dg, 20);
		m[20] = 1;
		assert_int_equal(SIGN(10, &m[20], 1, msg, 20), 0);
		memcpy(m + 21, msg, 20);
		th_sha1(m, 41, dg);
		assert_int_equal(olen, 20);
		assert_memory_equal(o, dg, 20);
	}
	from_bytes(c, dg, 20);
	assert_int_equal(SIGN(11, NULL, 0, NULL, 0), 0);
	from_bytes(s0, o, olen);
	assert_int_equal(SIGN(12, NULL, 0, NULL, 0), 0);
	from_bytes(s1, o, olen);
	assert_int_equal(SIGN(13, j->v0, j->v0_len, NULL, 0), 0);
	from_bytes(s2, o, olen);
	assert_int_equal(SIGN(14, j->v0, j->v0_len, NULL, 0), 0);
	assert_int_equal(olen, 0);
	assert_int_equal(SIGN(15, j->v1, j->v1_len, NULL, 0), 0);
	from_bytes(s3, o, olen);
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
	/* X = U * S0^u2 * S1^u3: the credential's R0^f0 R1^f1 S^v. */
	mpz_inits(x, a, NULL);
	mpz_powm(x, iss.s0, j->u2, iss.n);
	mpz_powm(a, iss.s1, j->u3, iss.n);
	mpz_mul(x, x, a);
	mpz_mul(x, x, j->u);
	mpz_mod(x, x, iss.n);
	check_proof(tt, x, c, s0, s1, s2, s3);
	check_gamma(e, e1, c, s0, s1);
	mpz_clears(tt, e, e1, c, s0, s1, s2, s3, x, a, NULL);
}

/* A full join verifies against the issuer's equations, and a sign with
 * its blobs too. */
static void daa_join_sign_verify(void **state)
{
	struct th *t = *state;
	struct joined j;

	do_join(t, &j);
	do_sign(t, &j);
	/* The blobs stay usable: a second signature. */
	do_sign(t, &j);
	joined_clear(&j);
}

/* The DAA secrets are saved: a blob from before a save/load signs. */
static void daa_secrets_persist(void **state)
{
	struct th *t = *state;
	static const uint8_t su[] = { 0x00, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0x99,
				      0x00, 0x01 };
	struct tpm_key_parms parms;
	struct tpm_state *n;
	struct th_sess s;
	struct joined j;
	uint8_t *blob;
	size_t len;
	uint32_t h;

	do_join(t, &j);
	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	n = tpm_state_load(blob, len, NULL);
	free(blob);
	assert_non_null(n);
	tpm_destroy(t->s);
	t->s = n;
	assert_int_equal(th_raw(t, su, sizeof(su)), TPM_SUCCESS);
	owner_sess(t, &s, th_owner_auth);
	assert_int_equal(sign_start(t, &s, j.tpm, j.tpm_len, &h), 0);
	/* A new EK makes new DAA secrets (Part 2, 7.4): blob refused. */
	assert_int_equal(tpm_daa_flush(t->s, h), TPM_SUCCESS);
	parms = t->s->pd.ek.parms;
	assert_int_equal(tpm_ek_generate(t->s, &parms), 0);
	assert_int_equal(sign_start(t, &s, j.tpm, j.tpm_len, &h),
			 TPM_DAA_INPUT_DATA0);
	joined_clear(&j);
}

/* A stage out of order answers TPM_DAA_STAGE and ends the session. */
static void daa_join_wrong_stage(void **state)
{
	struct th *t = *state;
	uint8_t o[1024], cnt[4];
	struct th_sess s;
	uint32_t olen, h = 0;

	owner_sess(t, &s, th_owner_auth);
	tb_wr_be32(cnt, 1);
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), 0);
	h = tb_be32(o);
	assert_int_equal(tpm_daa_sessions_used(t->s), 1);
	assert_int_equal(JOIN(2, iss.settings, sizeof(iss.settings), NULL, 0),
			 TPM_DAA_STAGE);
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
	owner_sess(t, &s, th_owner_auth);
	assert_int_equal(JOIN(1, iss.root_n, NBYTES, NULL, 0),
			 TPM_BAD_HANDLE);
	/* Beyond the last stage */
	owner_sess(t, &s, th_owner_auth);
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), 0);
	h = tb_be32(o);
	assert_int_equal(JOIN(25, NULL, 0, NULL, 0), TPM_DAA_STAGE);
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
}

/* Wrong owner authorization: TPM_AUTHFAIL and the session ends. */
static void daa_join_wrong_auth(void **state)
{
	struct th *t = *state;
	uint8_t o[1024], cnt[4];
	struct th_sess s;
	uint32_t olen, h = 0;

	owner_sess(t, &s, th_zero_auth);
	tb_wr_be32(cnt, 1);
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), TPM_AUTHFAIL);
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
	owner_sess(t, &s, th_owner_auth);
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), 0);
	h = tb_be32(o);
	owner_sess(t, &s, th_zero_auth);
	assert_int_equal(JOIN(1, iss.root_n, NBYTES, NULL, 0), TPM_AUTHFAIL);
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
}

/* Stage 0 and 1 input checks: count, sizes, the key-chain signature. */
static void daa_join_input_checks(void **state)
{
	struct th *t = *state;
	uint8_t o[1024], cnt[4] = { 0 }, sg[NBYTES];
	struct th_sess s;
	uint32_t olen, h = 0;

	owner_sess(t, &s, th_owner_auth);
	/* Stage 0.g: DAA_count must be > 0; 0.f: 4 bytes */
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), TPM_DAA_INPUT_DATA0);
	owner_sess(t, &s, th_owner_auth);
	assert_int_equal(JOIN(0, cnt, 3, NULL, 0), TPM_DAA_INPUT_DATA0);
	owner_sess(t, &s, th_owner_auth);
	tb_wr_be32(cnt, 2);
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), 0);
	h = tb_be32(o);
	/* 1.c: the modulus is 256 bytes */
	assert_int_equal(JOIN(1, iss.root_n, NBYTES - 1, NULL, 0),
			 TPM_DAA_INPUT_DATA0);
	owner_sess(t, &s, th_owner_auth);
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), 0);
	h = tb_be32(o);
	assert_int_equal(JOIN(1, iss.root_n, NBYTES, NULL, 0), 0);
	/* 1.e.iv: a certificate not signed by the previous key */
	sig(iss.key, iss.key_n, NBYTES, sg);
	assert_int_equal(JOIN(1, iss.key_n, NBYTES, sg, NBYTES),
			 TPM_DAA_ISSUER_VALIDITY);
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
}

/* Issuer values that do not hash to the settings, and a wrong w. */
static void daa_join_issuer_values(void **state)
{
	struct th *t = *state;
	uint8_t o[1024], bad[NBYTES], cnt[4];
	struct th_sess s;
	uint32_t olen, h;

	owner_sess(t, &s, th_owner_auth);
	h = join_start(t, &s);
	memcpy(bad, iss.r0b, NBYTES);
	bad[7] ^= 1;
	/* 4.e and 4.g */
	assert_int_equal(JOIN(4, bad, NBYTES, iss.nb, NBYTES),
			 TPM_DAA_INPUT_DATA0);
	owner_sess(t, &s, th_owner_auth);
	h = join_start(t, &s);
	assert_int_equal(JOIN(4, iss.r0b, NBYTES, bad, NBYTES),
			 TPM_DAA_INPUT_DATA1);
	/* Stage 13 with a w of the wrong order */
	owner_sess(t, &s, th_owner_auth);
	h = join_start(t, &s);
	assert_int_equal(JOIN(4, iss.r0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(5, iss.r1b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(6, iss.s0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(7, iss.s1b, NBYTES, iss.nb, NBYTES), 0);
	memset(bad, 0xFF, sizeof(bad));
	assert_int_equal(tpm_rsa_oaep_encrypt(t->s->pd.ek.rsa, cnt, 4, o, 256,
					      (size_t[]){ 0 }), 0);
	assert_int_equal(JOIN(8, o, 256, NULL, 0), 0);
	assert_int_equal(JOIN(9, iss.r0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(10, iss.r1b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(11, iss.s0b, NBYTES, iss.nb, NBYTES), 0);
	assert_int_equal(JOIN(12, iss.s1b, NBYTES, iss.nb, NBYTES), 0);
	memcpy(bad, iss.wb, sizeof(bad));
	bad[DAA_SIZE_w - 1] ^= 2;
	assert_int_equal(JOIN(13, iss.gammab, GAMMA_BYTES, bad, DAA_SIZE_w),
			 TPM_DAA_WRONG_W);
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
}

/* A tampered or mistyped blob is refused by DAA_Sign stage 1. */
static void daa_sign_tampered_blob(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	struct joined j;
	uint8_t bad[512];
	uint32_t h;

	do_join(t, &j);
	owner_sess(t, &s, th_owner_auth);
	memcpy(bad, j.tpm, j.tpm_len);
	bad[j.tpm_len - 3] ^= 0x10;
	assert_int_equal(sign_start(t, &s, bad, j.tpm_len, &h),
			 TPM_DAA_INPUT_DATA0);
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
	/* the v0 blob is not a DAA_tpmSpecific (resourceType) */
	owner_sess(t, &s, th_owner_auth);
	assert_int_equal(sign_start(t, &s, j.v0, j.v0_len, &h),
			 TPM_DAA_INPUT_DATA0);
	/* Sign stage 0 wants a well-formed TPM_DAA_ISSUER */
	owner_sess(t, &s, th_owner_auth);
	{
		uint8_t o[1024];
		uint32_t olen;

		h = 0;
		assert_int_equal(SIGN(0, iss.settings,
				      sizeof(iss.settings) - 1, NULL, 0),
				 TPM_DAA_INPUT_DATA0);
	}
	joined_clear(&j);
}

/* Sessions are a resource: TPM_RESOURCES when full, FlushSpecific and
 * the capability see them. */
static void daa_sessions_resource(void **state)
{
	struct th *t = *state;
	uint8_t o[1024], cnt[4];
	uint32_t olen, h = 0, h1, i;
	struct th_sess s;
	struct tpm_buf *b;

	owner_sess(t, &s, th_owner_auth);
	tb_wr_be32(cnt, 1);
	for (i = 0; i < TPM_MAX_DAA_SESSIONS; i++)
		assert_int_equal(JOIN(0, cnt, 4, NULL, 0), 0);
	h1 = tb_be32(o);
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), TPM_RESOURCES);
	b = th_begin(t, TPM_ORD_GetCapability);
	tb_put_u32(b, TPM_CAP_PROPERTY);
	tb_put_u32(b, 4);
	tb_put_u32(b, TPM_CAP_PROP_DAASESS);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(tb_be32(t->out.data + t->out.pos + 4), 0);
	b = th_begin(t, TPM_ORD_FlushSpecific);
	tb_put_u32(b, h1);
	tb_put_u32(b, TPM_RT_DAA_TPM);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(tpm_daa_sessions_used(t->s),
			 TPM_MAX_DAA_SESSIONS - 1);
	b = th_begin(t, TPM_ORD_FlushSpecific);
	tb_put_u32(b, h1);
	tb_put_u32(b, TPM_RT_DAA_TPM);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_BAD_HANDLE);
}

/* Without an owner there is no owner authorization. */
static void daa_join_no_owner(void **state)
{
	struct th *t = *state;
	uint8_t o[1024], cnt[4];
	struct th_sess s;
	uint32_t olen, h = 0;

	th_fini(t);
	th_init(t);
	owner_sess(t, &s, th_owner_auth);
	tb_wr_be32(cnt, 1);
	assert_int_equal(JOIN(0, cnt, 4, NULL, 0), TPM_NOSRK);
}

#define HDR(tag, size, ord) \
	0x00, (tag), 0, 0, 0, (size), 0, 0, 0, (ord)
#define AUTH_AREA \
	0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static const uint8_t v_join_short[] = { HDR(0xC2, 59, 0x29), 0, 0, 0, 0,
					AUTH_AREA };
static const uint8_t v_join_no_in1[] = { HDR(0xC2, 68, 0x29), 0, 0, 0, 0,
	0, 0, 0, 0, 4, 0, 0, 0, 1, AUTH_AREA };
static const uint8_t v_join_trailing[] = { HDR(0xC2, 73, 0x29), 0, 0, 0, 0,
	0, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 9, AUTH_AREA };
static const uint8_t v_join_oversize[] = { HDR(0xC2, 72, 0x29), 0, 0, 0, 0,
	0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, AUTH_AREA };
static const uint8_t v_join_rqu[] = { HDR(0xC1, 24, 0x29), 0, 0, 0, 0,
	0, 0, 0, 0, 1, 1, 0, 0, 0, 0 };
static const uint8_t v_sign_short[] = { HDR(0xC2, 61, 0x31), 0, 0, 0, 0,
	0, 0, AUTH_AREA };
static const uint8_t v_sign_trailing[] = { HDR(0xC2, 69, 0x31), 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 7, AUTH_AREA };
static const uint8_t v_sign_rqu[] = { HDR(0xC1, 23, 0x31), 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0 };

#define V TH_VEC
static const struct th_vector vectors[] = {
	V("DAA_Join: no inputData", v_join_short, TPM_BAD_PARAM_SIZE),
	V("DAA_Join: inputData1 missing", v_join_no_in1, TPM_BAD_PARAM_SIZE),
	V("DAA_Join: trailing byte", v_join_trailing, TPM_BAD_PARAM_SIZE),
	V("DAA_Join: inputSize0 beyond the command", v_join_oversize,
	  TPM_BAD_PARAM_SIZE),
	V("DAA_Join: without auth area", v_join_rqu, TPM_BADTAG),
	V("DAA_Sign: inputSize0 cut short", v_sign_short, TPM_BAD_PARAM_SIZE),
	V("DAA_Sign: trailing byte", v_sign_trailing, TPM_BAD_PARAM_SIZE),
	V("DAA_Sign: without auth area", v_sign_rqu, TPM_BADTAG),
};

/* Every malformed-input vector gets its return code. */
static void daa_malformed_vectors(void **state)
{
	struct th *t = *state;

	th_run_vectors(t, vectors, ARRAY_SIZE(vectors));
	assert_int_equal(tpm_daa_sessions_used(t->s), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup_owned_pp, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(daa_join_sign_verify),
		T(daa_secrets_persist),
		T(daa_join_wrong_stage),
		T(daa_join_wrong_auth),
		T(daa_join_input_checks),
		T(daa_join_issuer_values),
		T(daa_sign_tampered_blob),
		T(daa_sessions_resource),
		T(daa_join_no_owner),
		T(daa_malformed_vectors),
	};

	return cmocka_run_group_tests(tests, issuer_setup, issuer_teardown);
}
