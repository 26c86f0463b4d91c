// SPDX-License-Identifier: GPL-2.0
/*
 * tss_conformance: checks the TPM under test through libtspi and a tcsd
 * (found through TSS_TCSD_HOSTNAME/TSS_TCSD_PORT), printing TAP, one line
 * per check.  Every TPM answer is recomputed or verified here with OpenSSL;
 * nothing the TSS says about the TPM's work is taken on trust.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <tss/tspi.h>
/* trousers.h uses size_t without including <stddef.h> (included above). */
#include <trousers/trousers.h>

#define SHA1_LEN 20  /* TPM_DIGEST, Part 2 5.4 */
#define NONCE_LEN 20 /* TPM_NONCE, Part 2 5.5 */
/* 24 PCRs (PC Client) need a 3-byte TPM_PCR_SELECTION bitmap; libtspi sends
 * that size, and the signed composites below must use the same one. */
#define PCR_SELECT_LEN 3
#define PCR_QUOTED 10	   /* quoted only, never extended here */
#define PCR_DEBUG 16	   /* the debug PCR: this test extends it freely */
#define QUOTE_INFO_LEN 48  /* TPM_QUOTE_INFO, Part 2 11.3 */
#define QUOTE_INFO2_LEN 52 /* TPM_QUOTE_INFO2, Part 2 11.4 */
#define COMPOSITE_MAX (2 + PCR_SELECT_LEN + 4 + 2 * SHA1_LEN)

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

struct tss {
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HKEY srk;
	TSS_HKEY sign;		 /* 2048-bit signing key under the SRK */
	TSS_HPOLICY sign_policy; /* its correct usage secret */
	EVP_PKEY *sign_pub;	 /* its public half, for OpenSSL */
};

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;
static BYTE sign_secret[] = "tss-conformance sign key";
static BYTE bind_secret[] = "tss-conformance bind key";
static BYTE wrong_secret[] = "not the sign key secret";
static BYTE seal_secret[] = "tss-conformance sealed data";

static int n_pass, n_fail;

static void ok(const char *name)
{
	n_pass++;
	printf("ok - %s\n", name);
}

static PRINTF_LIKE(2, 3) void not_ok(const char *name, const char *fmt, ...)
{
	va_list ap;

	n_fail++;
	printf("not ok - %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void check(const char *name, bool cond, const char *why)
{
	if (cond)
		ok(name);
	else
		not_ok(name, "%s", why);
}

/* A failed TSS call fails check @name; returns true when @r is success. */
static bool tss_call(const char *name, const char *call, TSS_RESULT r)
{
	if (r == TSS_SUCCESS)
		return true;
	not_ok(name, "%s: 0x%x (%s)", call, r, Trspi_Error_String(r));
	return false;
}

static void sha1(const void *data, size_t len, BYTE out[SHA1_LEN])
{
	unsigned int n = SHA1_LEN;

	if (!EVP_Digest(data, len, out, &n, EVP_sha1(), NULL))
		memset(out, 0, SHA1_LEN);
}

static void sha1_str(const char *s, BYTE out[SHA1_LEN])
{
	sha1(s, strlen(s), out);
}

static void put_u32(BYTE *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get_u32(const BYTE *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* An RSA public key from big-endian modulus and exponent. */
static EVP_PKEY *rsa_pub(const BYTE *mod, size_t mod_len, const BYTE *exp,
			 size_t exp_len)
{
	static const BYTE f4[] = {0x01, 0x00, 0x01};
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *e = NULL;

	/* An empty exponent means the default 2^16+1 (Part 2 5.10). */
	if (!exp_len) {
		exp = f4;
		exp_len = sizeof(f4);
	}
	n = BN_bin2bn(mod, (int)mod_len, NULL);
	e = BN_bin2bn(exp, (int)exp_len, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!n || !e || !bld ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !pctx || EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
out:
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_free(n);
	return pk;
}

/* RSASSA-PKCS1-v1_5 with SHA-1 over @data, as TPM_SS_RSASSAPKCS1v15_SHA1. */
static bool rsa_verify(EVP_PKEY *pk, const void *data, size_t len,
		       const BYTE *sig, size_t sig_len)
{
	BYTE d[SHA1_LEN];
	EVP_PKEY_CTX *c;
	bool good;

	if (!pk)
		return false;
	sha1(data, len, d);
	c = EVP_PKEY_CTX_new(pk, NULL);
	good = c && EVP_PKEY_verify_init(c) > 0 &&
	       EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_signature_md(c, EVP_sha1()) > 0 &&
	       EVP_PKEY_verify(c, sig, sig_len, d, sizeof(d)) == 1;
	EVP_PKEY_CTX_free(c);
	return good;
}

/* The public half of a TSS key object, as the TPM returned it. */
static EVP_PKEY *key_pub(TSS_HKEY key, BYTE **mod, UINT32 *mod_len)
{
	UINT32 exp_len;
	BYTE *exp;

	if (Tspi_GetAttribData(key, TSS_TSPATTRIB_RSAKEY_INFO,
			       TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, mod_len,
			       mod) ||
	    Tspi_GetAttribData(key, TSS_TSPATTRIB_RSAKEY_INFO,
			       TSS_TSPATTRIB_KEYINFO_RSA_EXPONENT, &exp_len,
			       &exp))
		return NULL;
	return rsa_pub(*mod, *mod_len, exp, exp_len);
}

static TSS_RESULT set_secret(struct tss *t, TSS_HOBJECT obj, TSS_FLAG mode,
			     BYTE *secret, UINT32 len, TSS_HPOLICY *out)
{
	TSS_HPOLICY pol;
	TSS_RESULT r;

	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY,
				      TSS_POLICY_USAGE, &pol);
	if (!r)
		r = Tspi_Policy_SetSecret(pol, mode, len, secret);
	if (!r)
		r = Tspi_Policy_AssignToObject(pol, obj);
	if (!r && out)
		*out = pol;
	return r;
}

/* TPM_PCR_COMPOSITE of the PCRs in @idx (ascending), read back here. */
static bool pcr_composite(struct tss *t, const UINT32 *idx, size_t n, BYTE *out,
			  size_t *out_len, BYTE sel[2 + PCR_SELECT_LEN])
{
	size_t i, pos = 2 + PCR_SELECT_LEN + 4;
	UINT32 len;
	BYTE *val;

	memset(sel, 0, 2 + PCR_SELECT_LEN);
	sel[1] = PCR_SELECT_LEN;
	for (i = 0; i < n; i++) {
		if (Tspi_TPM_PcrRead(t->tpm, idx[i], &len, &val) ||
		    len != SHA1_LEN)
			return false;
		sel[2 + idx[i] / 8] |= 1 << (idx[i] % 8);
		memcpy(out + pos, val, SHA1_LEN);
		pos += SHA1_LEN;
	}
	memcpy(out, sel, 2 + PCR_SELECT_LEN);
	put_u32(out + 2 + PCR_SELECT_LEN, (uint32_t)(n * SHA1_LEN));
	*out_len = pos;
	return true;
}

static void check_random(struct tss *t)
{
	static const BYTE zero[32];
	const char *name = "TPM_GetRandom returns fresh, non-zero bytes";
	BYTE *a, *b;

	if (!tss_call(name, "Tspi_TPM_GetRandom",
		      Tspi_TPM_GetRandom(t->tpm, sizeof(zero), &a)) ||
	    !tss_call(name, "Tspi_TPM_GetRandom",
		      Tspi_TPM_GetRandom(t->tpm, sizeof(zero), &b)))
		return;
	check(name, memcmp(a, zero, sizeof(zero)) && memcmp(a, b, sizeof(zero)),
	      "two 32-byte draws were equal or all zero");
}

static void check_pcr_extend(struct tss *t)
{
	const char *name = "TPM_Extend returns SHA1(old || data)";
	BYTE data[SHA1_LEN], cat[2 * SHA1_LEN], want[SHA1_LEN];
	BYTE *old, *val, *now;
	UINT32 len;

	sha1_str("tss_conformance extend", data);
	if (!tss_call(name, "Tspi_TPM_PcrRead",
		      Tspi_TPM_PcrRead(t->tpm, PCR_DEBUG, &len, &old)))
		return;
	if (len != SHA1_LEN) {
		not_ok(name, "PCR read returned %u bytes", len);
		return;
	}
	memcpy(cat, old, SHA1_LEN);
	memcpy(cat + SHA1_LEN, data, SHA1_LEN);
	sha1(cat, sizeof(cat), want);
	if (!tss_call(name, "Tspi_TPM_PcrExtend",
		      Tspi_TPM_PcrExtend(t->tpm, PCR_DEBUG, SHA1_LEN, data,
					 NULL, &len, &val)))
		return;
	check(name, len == SHA1_LEN && !memcmp(val, want, SHA1_LEN),
	      "outDigest differs from SHA1(old || data)");
	name = "TPM_PCRRead after the extend shows the new value";
	if (tss_call(name, "Tspi_TPM_PcrRead",
		     Tspi_TPM_PcrRead(t->tpm, PCR_DEBUG, &len, &now)))
		check(name, len == SHA1_LEN && !memcmp(now, want, SHA1_LEN),
		      "PCR value differs from SHA1(old || data)");
}

/* create_key: a key under the SRK, created and loaded; @secret may be NULL. */
static bool create_key(struct tss *t, const char *name, TSS_FLAG flags,
		       BYTE *secret, UINT32 secret_len, TSS_HKEY *key,
		       TSS_HPOLICY *pol)
{
	if (!tss_call(name, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_RSAKEY,
						flags, key)))
		return false;
	if (secret && !tss_call(name, "usage policy",
				set_secret(t, *key, TSS_SECRET_MODE_PLAIN,
					   secret, secret_len, pol)))
		return false;
	return tss_call(name, "Tspi_Key_CreateKey (TPM_CreateWrapKey)",
			Tspi_Key_CreateKey(*key, t->srk, 0)) &&
	       tss_call(name, "Tspi_Key_LoadKey (TPM_LoadKey2)",
			Tspi_Key_LoadKey(*key, t->srk));
}

static void check_sign_key(struct tss *t)
{
	const char *name = "create and load a 2048-bit signing key with auth";
	UINT32 mod_len = 0;
	BYTE *mod;

	if (!create_key(t, name,
			TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_2048 |
			    TSS_KEY_AUTHORIZATION | TSS_KEY_NOT_MIGRATABLE,
			sign_secret, sizeof(sign_secret) - 1, &t->sign,
			&t->sign_policy)) {
		t->sign = 0;
		return;
	}
	t->sign_pub = key_pub(t->sign, &mod, &mod_len);
	check(name, t->sign_pub && mod_len == 256,
	      "no usable 2048-bit public key in the key blob");
}

/* sign_msg: TPM_Sign of SHA1(@msg) with the signing key. */
static TSS_RESULT sign_msg(struct tss *t, const char *msg, BYTE **sig,
			   UINT32 *sig_len)
{
	BYTE d[SHA1_LEN];
	TSS_HHASH h;
	TSS_RESULT r;

	sha1(msg, strlen(msg), d);
	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_HASH,
				      TSS_HASH_SHA1, &h);
	if (!r)
		r = Tspi_Hash_SetHashValue(h, SHA1_LEN, d);
	if (!r)
		r = Tspi_Hash_Sign(h, t->sign, sig_len, sig);
	return r;
}

static void check_sign(struct tss *t)
{
	const char *name = "TPM_Sign: PKCS#1 v1.5 SHA-1 signature verifies";
	const char *msg = "tss_conformance message to sign";
	BYTE *sig;
	UINT32 sig_len;

	if (!t->sign) {
		not_ok(name, "no signing key");
		return;
	}
	if (!tss_call(name, "Tspi_Hash_Sign", sign_msg(t, msg, &sig, &sig_len)))
		return;
	check(name, rsa_verify(t->sign_pub, msg, strlen(msg), sig, sig_len),
	      "OpenSSL rejected the signature");
	check("TPM_Sign: the signature does not verify another message",
	      !rsa_verify(t->sign_pub, "another message",
			  strlen("another message"), sig, sig_len),
	      "OpenSSL accepted the signature for another message");
}

/* quote_pcrs: a PCR object of @type selecting the quoted PCRs. */
static TSS_RESULT quote_pcrs(struct tss *t, TSS_FLAG type, TSS_HPCRS *pcrs)
{
	TSS_RESULT r;

	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_PCRS, type, pcrs);
	/* INFO_SHORT objects take a selection for a direction only. */
	if (!r && type == TSS_PCRS_STRUCT_INFO_SHORT)
		r = Tspi_PcrComposite_SelectPcrIndexEx(
		    *pcrs, PCR_QUOTED, TSS_PCRS_DIRECTION_RELEASE);
	else if (!r)
		r = Tspi_PcrComposite_SelectPcrIndex(*pcrs, PCR_QUOTED);
	if (!r && type == TSS_PCRS_STRUCT_INFO_SHORT)
		r = Tspi_PcrComposite_SelectPcrIndexEx(
		    *pcrs, PCR_DEBUG, TSS_PCRS_DIRECTION_RELEASE);
	else if (!r)
		r = Tspi_PcrComposite_SelectPcrIndex(*pcrs, PCR_DEBUG);
	return r;
}

static void check_quote(struct tss *t)
{
	static const UINT32 idx[] = {PCR_QUOTED, PCR_DEBUG};
	const char *name = "TPM_Quote: the composite returned is that of "
			   "the PCRs read back";
	BYTE nonce[NONCE_LEN], comp[COMPOSITE_MAX], sel[2 + PCR_SELECT_LEN];
	BYTE qi[QUOTE_INFO_LEN];
	TSS_VALIDATION v = {0};
	TSS_HPCRS pcrs;
	size_t comp_len;

	if (!t->sign) {
		not_ok(name, "no signing key");
		return;
	}
	RAND_bytes(nonce, sizeof(nonce));
	v.ulExternalDataLength = sizeof(nonce);
	v.rgbExternalData = nonce;
	if (!tss_call(name, "PCR object",
		      quote_pcrs(t, TSS_PCRS_STRUCT_INFO, &pcrs)) ||
	    !tss_call(name, "Tspi_TPM_Quote",
		      Tspi_TPM_Quote(t->tpm, t->sign, pcrs, &v)))
		return;
	if (!pcr_composite(t, idx, 2, comp, &comp_len, sel)) {
		not_ok(name, "could not read the quoted PCRs back");
		return;
	}
	/* Part 2 11.3: version 1.1.0.0, "QUOT", digestValue, externalData.
	 * libtspi builds rgbData itself from the TPM's pcrData and our nonce,
	 * so only the signature shows what the TPM really signed. */
	memcpy(qi, "\x01\x01\x00\x00QUOT", 8);
	sha1(comp, comp_len, qi + 8);
	memcpy(qi + 8 + SHA1_LEN, nonce, NONCE_LEN);
	check(name,
	      v.ulDataLength == sizeof(qi) &&
		  !memcmp(v.rgbData, qi, sizeof(qi)),
	      "composite differs from the PCRs read back");
	check("TPM_Quote: signature verifies over our TPM_QUOTE_INFO",
	      rsa_verify(t->sign_pub, qi, sizeof(qi), v.rgbValidationData,
			 v.ulValidationDataLength),
	      "OpenSSL rejected the signature");
	qi[sizeof(qi) - 1] ^= 1;
	check("TPM_Quote: the signature does not verify another nonce",
	      !rsa_verify(t->sign_pub, qi, sizeof(qi), v.rgbValidationData,
			  v.ulValidationDataLength),
	      "OpenSSL accepted a changed nonce");
}

/* quote2_info: the TPM_QUOTE_INFO2 (Part 2 11.4) for @nonce and the quoted
 * PCRs as read back here; @nonce_last gives the layout with externalData
 * after infoShort, only to name that mistake when a signature fails. */
static bool quote2_info(struct tss *t, const BYTE *nonce, bool nonce_last,
			BYTE qi[QUOTE_INFO2_LEN])
{
	static const UINT32 idx[] = {PCR_QUOTED, PCR_DEBUG};
	BYTE comp[COMPOSITE_MAX], sel[2 + PCR_SELECT_LEN], *p = qi;
	size_t comp_len;

	if (!pcr_composite(t, idx, 2, comp, &comp_len, sel))
		return false;
	/* tag TPM_TAG_QUOTE_INFO2, "QUT2", externalData, then
	 * TPM_PCR_INFO_SHORT { pcrSelection, localityAtRelease,
	 * digestAtRelease }; locality 0 is the bit TPM_LOC_ZERO. */
	memcpy(p, "\x00\x36QUT2", 6);
	p += 6;
	if (!nonce_last) {
		memcpy(p, nonce, NONCE_LEN);
		p += NONCE_LEN;
	}
	memcpy(p, sel, sizeof(sel));
	p += sizeof(sel);
	*p++ = TPM_LOC_ZERO;
	sha1(comp, comp_len, p);
	p += SHA1_LEN;
	if (nonce_last)
		memcpy(p, nonce, NONCE_LEN);
	return true;
}

/* quote2_verify: the signature over @qi, then @vinfo when there is one. */
static bool quote2_verify(struct tss *t, const BYTE *qi, const BYTE *vinfo,
			  UINT32 vinfo_len, const TSS_VALIDATION *v)
{
	BYTE all[QUOTE_INFO2_LEN + 256];

	if (vinfo_len > sizeof(all) - QUOTE_INFO2_LEN)
		return false;
	memcpy(all, qi, QUOTE_INFO2_LEN);
	if (vinfo_len)
		memcpy(all + QUOTE_INFO2_LEN, vinfo, vinfo_len);
	return rsa_verify(t->sign_pub, all, QUOTE_INFO2_LEN + vinfo_len,
			  v->rgbValidationData, v->ulValidationDataLength);
}

/* One TPM_Quote2, with or without the TPM_CAP_VERSION_INFO appended. */
static void quote2(struct tss *t, bool add_version, const char *name,
		   const char *sig_name)
{
	BYTE nonce[NONCE_LEN], qi[QUOTE_INFO2_LEN], alt[QUOTE_INFO2_LEN];
	BYTE *vinfo = NULL;
	TSS_VALIDATION v = {0};
	UINT32 vinfo_len = 0;
	TSS_HPCRS pcrs;

	if (!t->sign) {
		not_ok(name, "no signing key");
		return;
	}
	RAND_bytes(nonce, sizeof(nonce));
	v.ulExternalDataLength = sizeof(nonce);
	v.rgbExternalData = nonce;
	if (!tss_call(name, "PCR object",
		      quote_pcrs(t, TSS_PCRS_STRUCT_INFO_SHORT, &pcrs)) ||
	    !tss_call(name, "Tspi_TPM_Quote2",
		      Tspi_TPM_Quote2(t->tpm, t->sign, add_version, pcrs, &v,
				      &vinfo_len, &vinfo)))
		return;
	if (!quote2_info(t, nonce, false, qi) ||
	    !quote2_info(t, nonce, true, alt)) {
		not_ok(name, "could not read the quoted PCRs back");
		return;
	}
	/* As for TPM_Quote, libtspi rebuilds rgbData around the pcrData. */
	if (v.ulDataLength < sizeof(qi) || memcmp(v.rgbData, qi, sizeof(qi)))
		not_ok(name, "pcrData differs from the one rebuilt here");
	else if (add_version &&
		 (vinfo_len < 2 || vinfo[0] != 0x00 || vinfo[1] != 0x30))
		not_ok(name, "versionInfo is not a TPM_CAP_VERSION_INFO");
	else
		ok(name);
	if (quote2_verify(t, qi, vinfo, vinfo_len, &v))
		ok(sig_name);
	else if (quote2_verify(t, alt, vinfo, vinfo_len, &v))
		not_ok(sig_name, "the TPM signed externalData after infoShort");
	else
		not_ok(sig_name, "OpenSSL rejected the signature");
}

static void check_quote2(struct tss *t)
{
	quote2(t, false,
	       "TPM_Quote2: TPM_PCR_INFO_SHORT returned has our "
	       "selection, locality 0 and composite",
	       "TPM_Quote2: signature verifies over our TPM_QUOTE_INFO2");
	quote2(t, true,
	       "TPM_Quote2 with addVersion: returns a "
	       "TPM_CAP_VERSION_INFO",
	       "TPM_Quote2 with addVersion: signature covers "
	       "TPM_QUOTE_INFO2 || versionInfo");
}

/*
 * parse_certify_info: the fields of a TPM_CERTIFY_INFO (Part 2 11.1) this
 * test judges; false when the structure is truncated.
 */
static bool parse_certify_info(const BYTE *b, size_t len, uint16_t *usage,
			       BYTE *auth, const BYTE **digest,
			       const BYTE **nonce)
{
	/* version, keyUsage, keyFlags, authDataUsage, algorithmID,
	 * encScheme, sigScheme, parmSize */
	size_t pos = 4 + 2 + 4 + 1 + 4 + 2 + 2 + 4;
	uint32_t parm_size;

	if (len < pos)
		return false;
	*usage = (uint16_t)(b[4] << 8 | b[5]);
	*auth = b[10];
	parm_size = get_u32(b + pos - 4);
	if (parm_size > len - pos)
		return false;
	pos += parm_size;
	/* pubkeyDigest, data, parentPCRStatus, PCRInfoSize */
	if (len - pos < SHA1_LEN + NONCE_LEN + 1 + 4)
		return false;
	*digest = b + pos;
	*nonce = b + pos + SHA1_LEN;
	return true;
}

static void check_certify(struct tss *t)
{
	const char *name = "TPM_CertifyKey: TPM_CERTIFY_INFO describes the "
			   "bind key, with our nonce";
	BYTE nonce[NONCE_LEN], want[SHA1_LEN], *mod, auth;
	const BYTE *digest, *got_nonce;
	TSS_VALIDATION v = {0};
	TSS_HKEY bind;
	UINT32 mod_len;
	uint16_t usage;

	if (!t->sign) {
		not_ok(name, "no signing key");
		return;
	}
	/* libtspi refuses (TSS_E_BAD_PARAMETER) to certify a key without
	 * auth with a key that has auth, so both have a secret: AUTH2. */
	if (!create_key(t, name,
			TSS_KEY_TYPE_BIND | TSS_KEY_SIZE_2048 |
			    TSS_KEY_AUTHORIZATION | TSS_KEY_NOT_MIGRATABLE,
			bind_secret, sizeof(bind_secret) - 1, &bind, NULL))
		return;
	if (Tspi_GetAttribData(bind, TSS_TSPATTRIB_RSAKEY_INFO,
			       TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len,
			       &mod)) {
		not_ok(name, "no modulus for the bind key");
		return;
	}
	RAND_bytes(nonce, sizeof(nonce));
	v.ulExternalDataLength = sizeof(nonce);
	v.rgbExternalData = nonce;
	if (!tss_call(name, "Tspi_Key_CertifyKey",
		      Tspi_Key_CertifyKey(bind, t->sign, &v)))
		return;
	/* Part 2 11.1: pubkeyDigest is SHA1 of TPM_KEY->pubKey->key, the
	 * modulus alone (not the whole TPM_STORE_PUBKEY with its size). */
	sha1(mod, mod_len, want);
	if (!parse_certify_info(v.rgbData, v.ulDataLength, &usage, &auth,
				&digest, &got_nonce))
		not_ok(name, "truncated TPM_CERTIFY_INFO (%u bytes)",
		       v.ulDataLength);
	else if (usage != TPM_KEY_BIND)
		not_ok(name, "keyUsage 0x%04x, not TPM_KEY_BIND", usage);
	else if (auth != TPM_AUTH_ALWAYS)
		not_ok(name, "authDataUsage %u, not TPM_AUTH_ALWAYS", auth);
	else if (memcmp(digest, want, SHA1_LEN))
		not_ok(name, "pubkeyDigest is not SHA1(modulus)");
	else if (memcmp(got_nonce, nonce, NONCE_LEN))
		not_ok(name, "data is not our nonce");
	else
		ok(name);
	check("TPM_CertifyKey: signature verifies with the certifying key",
	      rsa_verify(t->sign_pub, v.rgbData, v.ulDataLength,
			 v.rgbValidationData, v.ulValidationDataLength),
	      "OpenSSL rejected the signature");
}

static void check_seal_pcr(struct tss *t)
{
	const char *name = "TPM_Seal bound to PCR 16, TPM_Unseal returns it";
	BYTE secret[32], more[SHA1_LEN], *cur, *out;
	UINT32 len, out_len;
	TSS_HENCDATA enc;
	TSS_HPCRS pcrs;
	TSS_RESULT r;

	RAND_bytes(secret, sizeof(secret));
	if (!tss_call(name, "Tspi_TPM_PcrRead",
		      Tspi_TPM_PcrRead(t->tpm, PCR_DEBUG, &len, &cur)) ||
	    !tss_call(name, "PCR object",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_PCRS,
						TSS_PCRS_STRUCT_INFO, &pcrs)) ||
	    !tss_call(
		name, "Tspi_PcrComposite_SetPcrValue",
		Tspi_PcrComposite_SetPcrValue(pcrs, PCR_DEBUG, len, cur)) ||
	    !tss_call(name, "encdata object",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_ENCDATA,
						TSS_ENCDATA_SEAL, &enc)) ||
	    !tss_call(name, "encdata policy",
		      set_secret(t, enc, TSS_SECRET_MODE_PLAIN, seal_secret,
				 sizeof(seal_secret) - 1, NULL)) ||
	    !tss_call(
		name, "Tspi_Data_Seal",
		Tspi_Data_Seal(enc, t->srk, sizeof(secret), secret, pcrs)) ||
	    !tss_call(name, "Tspi_Data_Unseal",
		      Tspi_Data_Unseal(enc, t->srk, &out_len, &out)))
		return;
	check(name,
	      out_len == sizeof(secret) && !memcmp(out, secret, sizeof(secret)),
	      "unsealed bytes differ from the sealed ones");

	name = "TPM_Unseal after extending PCR 16 fails with TPM_WRONGPCRVAL";
	sha1_str("tss_conformance break seal", more);
	if (!tss_call(name, "Tspi_TPM_PcrExtend",
		      Tspi_TPM_PcrExtend(t->tpm, PCR_DEBUG, SHA1_LEN, more,
					 NULL, &len, &cur)))
		return;
	r = Tspi_Data_Unseal(enc, t->srk, &out_len, &out);
	if (r == TPM_E_WRONGPCRVAL)
		ok(name);
	else
		not_ok(name, "got 0x%x (%s)", r, Trspi_Error_String(r));
}

static void check_wrong_auth(struct tss *t)
{
	const char *name = "TPM_Sign with a wrong key password: TPM_AUTHFAIL";
	const char *msg = "tss_conformance wrong password";
	BYTE *sig;
	UINT32 sig_len;
	TSS_RESULT r;

	if (!t->sign) {
		not_ok(name, "no signing key");
		return;
	}
	if (!tss_call(name, "wrong policy",
		      set_secret(t, t->sign, TSS_SECRET_MODE_PLAIN,
				 wrong_secret, sizeof(wrong_secret) - 1, NULL)))
		return;
	r = sign_msg(t, msg, &sig, &sig_len);
	if (r == TPM_E_AUTHFAIL)
		ok(name);
	else
		not_ok(name, "got 0x%x (%s)", r, Trspi_Error_String(r));

	/* One failure must not lock the key out for its rightful user. */
	name = "TPM_Sign with the right password after a failure";
	if (tss_call(name, "restore policy",
		     Tspi_Policy_AssignToObject(t->sign_policy, t->sign)) &&
	    tss_call(name, "Tspi_Hash_Sign", sign_msg(t, msg, &sig, &sig_len)))
		check(name,
		      rsa_verify(t->sign_pub, msg, strlen(msg), sig, sig_len),
		      "OpenSSL rejected the signature");
}

/*
 * ensure_owned: take ownership with the well-known owner and SRK secrets
 * (creating the EK first if there is none) unless the TPM is owned, in
 * which case those secrets are assumed.
 */
static bool ensure_owned(struct tss *t)
{
	const char *name = "take ownership with well-known owner/SRK secrets";
	UINT32 sub = TSS_TPMCAP_PROP_OWNER, len;
	TSS_HKEY ek, srk;
	TSS_RESULT r;
	BYTE *resp;

	if (!tss_call(name, "Tspi_TPM_GetCapability(PROP_OWNER)",
		      Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_PROPERTY,
					     sizeof(sub), (BYTE *)&sub, &len,
					     &resp)))
		return false;
	if (len >= 1 && resp[0]) {
		printf("# TPM already owned: assuming well-known secrets\n");
		return true;
	}
	r = Tspi_TPM_GetPubEndorsementKey(t->tpm, FALSE, NULL, &ek);
	if (r == TPM_E_NO_ENDORSEMENT) {
		printf("# no EK yet: creating one\n");
		if (!tss_call(name, "EK object",
			      Tspi_Context_CreateObject(
				  t->ctx, TSS_OBJECT_TYPE_RSAKEY,
				  TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_LEGACY,
				  &ek)) ||
		    !tss_call(name, "Tspi_TPM_CreateEndorsementKey",
			      Tspi_TPM_CreateEndorsementKey(t->tpm, ek, NULL)))
			return false;
	} else if (!tss_call(name, "Tspi_TPM_GetPubEndorsementKey", r)) {
		return false;
	}
	if (!tss_call(name, "SRK object",
		      Tspi_Context_CreateObject(
			  t->ctx, TSS_OBJECT_TYPE_RSAKEY,
			  TSS_KEY_TSP_SRK | TSS_KEY_AUTHORIZATION, &srk)) ||
	    !tss_call(name, "SRK policy",
		      set_secret(t, srk, TSS_SECRET_MODE_SHA1, well_known,
				 sizeof(well_known), NULL)) ||
	    !tss_call(name, "Tspi_TPM_TakeOwnership",
		      Tspi_TPM_TakeOwnership(t->tpm, srk, 0)))
		return false;
	ok(name);
	return true;
}

static bool setup(struct tss *t)
{
	const char *name = "connect to tcsd and load the SRK";
	TSS_UUID srk_uuid = TSS_UUID_SRK;
	TSS_HPOLICY pol;

	if (!tss_call(name, "Tspi_Context_Create",
		      Tspi_Context_Create(&t->ctx)) ||
	    !tss_call(name, "Tspi_Context_Connect",
		      Tspi_Context_Connect(t->ctx, NULL)) ||
	    !tss_call(name, "Tspi_Context_GetTpmObject",
		      Tspi_Context_GetTpmObject(t->ctx, &t->tpm)) ||
	    !tss_call(name, "owner policy",
		      Tspi_GetPolicyObject(t->tpm, TSS_POLICY_USAGE, &pol)) ||
	    !tss_call(name, "owner secret",
		      Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1,
					    sizeof(well_known), well_known)))
		return false;
	if (!ensure_owned(t))
		return false;
	return tss_call(name, "Tspi_Context_LoadKeyByUUID(SRK)",
			Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM,
						   srk_uuid, &t->srk)) &&
	       tss_call(name, "SRK secret",
			set_secret(t, t->srk, TSS_SECRET_MODE_SHA1, well_known,
				   sizeof(well_known), NULL));
}

int main(void)
{
	struct tss t = {0};
	int ret = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!setup(&t)) {
		printf("Bail out! no usable TPM behind tcsd\n");
		ret = 2;
		goto out;
	}
	check_random(&t);
	check_pcr_extend(&t);
	check_sign_key(&t);
	check_sign(&t);
	check_quote(&t);
	check_quote2(&t);
	check_certify(&t);
	check_seal_pcr(&t);
	/* Last: an authorization failure may count towards the TPM's
	 * dictionary-attack defence. */
	check_wrong_auth(&t);
	printf("# tss_conformance: %d passed, %d failed\n", n_pass, n_fail);
	ret = n_fail ? 1 : 0;
out:
	EVP_PKEY_free(t.sign_pub);
	if (t.ctx) {
		Tspi_Context_FreeMemory(t.ctx, NULL);
		Tspi_Context_Close(t.ctx);
	}
	return ret;
}
