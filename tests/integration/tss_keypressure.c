// SPDX-License-Identifier: GPL-2.0
/*
 * tss_keypressure: key pressure through libtspi and tcsd.  Creates and
 * loads more keys than the TPM has slots (TPM_CAP_PROP_MAX_KEYS), then signs
 * with every one of them, three times in changing order, so that tcsd must
 * swap keys out and back in.  TrouSerS 0.3.15 swaps with TPM_EvictKey and
 * reloads the blob with TPM_LoadKey without parent authorization, so the
 * SRK this program installs needs none (a fresh TPM is required).  Every
 * signature is verified here with OpenSSL.  TAP on stdout.
 *
 * Known limit (not a TPM bug): with TrouSerS 0.3.15 the signs that need a
 * key tcsd evicted fail with TCS_E_KM_LOADFAILED against swtpm as well as
 * tpmd (tcsd's LoadKeyShim); tcsd never issues TPM_SaveKeyContext.  The
 * suite is therefore not in run.sh's default list.
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
#include <openssl/rsa.h>

#include <tss/tspi.h>
/* trousers.h uses size_t without including <stddef.h> (included above). */
#include <trousers/trousers.h>

#define SHA1_LEN	20	/* TPM_DIGEST, Part 2 5.4 */
/* Keys created and used: half again the TPM's 16 slots, so that at least
 * 8 live outside the TPM at any time. */
#define NKEYS		24
/* Ordinals tcsd asks about before it swaps keys (Part 2, 17). */
#define ORD_SAVE_KEY_CONTEXT	0x000000B4U
#define ORD_LOAD_KEY_CONTEXT	0x000000B5U

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

struct key {
	TSS_HKEY h;
	EVP_PKEY *pub;
	BYTE secret[SHA1_LEN];
};

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;
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

/* An RSA public key from big-endian modulus and exponent. */
static EVP_PKEY *rsa_pub(const BYTE *mod, size_t mod_len, const BYTE *exp,
			 size_t exp_len)
{
	static const BYTE f4[] = { 0x01, 0x00, 0x01 };
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

/* RSASSA-PKCS1-v1_5 with SHA-1 over the 20-byte digest @d. */
static bool rsa_verify(EVP_PKEY *pk, const BYTE d[SHA1_LEN], const BYTE *sig,
		       size_t sig_len)
{
	EVP_PKEY_CTX *c;
	bool good;

	if (!pk)
		return false;
	c = EVP_PKEY_CTX_new(pk, NULL);
	good = c && EVP_PKEY_verify_init(c) > 0 &&
	       EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_signature_md(c, EVP_sha1()) > 0 &&
	       EVP_PKEY_verify(c, sig, sig_len, d, SHA1_LEN) == 1;
	EVP_PKEY_CTX_free(c);
	return good;
}

/* The public half of a TSS key object, as the TPM returned it. */
static EVP_PKEY *key_pub(TSS_HKEY key)
{
	UINT32 mod_len, exp_len;
	BYTE *mod, *exp;

	if (Tspi_GetAttribData(key, TSS_TSPATTRIB_RSAKEY_INFO,
			       TSS_TSPATTRIB_KEYINFO_RSA_MODULUS, &mod_len,
			       &mod) ||
	    Tspi_GetAttribData(key, TSS_TSPATTRIB_RSAKEY_INFO,
			       TSS_TSPATTRIB_KEYINFO_RSA_EXPONENT, &exp_len,
			       &exp))
		return NULL;
	return rsa_pub(mod, mod_len, exp, exp_len);
}

static TSS_RESULT set_secret(TSS_HCONTEXT ctx, TSS_HOBJECT obj,
			     TSS_FLAG mode, BYTE *secret, UINT32 len)
{
	TSS_HPOLICY pol;
	TSS_RESULT r;

	r = Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_POLICY,
				      TSS_POLICY_USAGE, &pol);
	if (!r)
		r = Tspi_Policy_SetSecret(pol, mode, len, secret);
	if (!r)
		r = Tspi_Policy_AssignToObject(pol, obj);
	return r;
}

/* TPM_CAP_ORD for @ord: does the TPM (through tcsd) offer it? */
static bool tpm_has_ordinal(TSS_HTPM tpm, UINT32 ord)
{
	UINT32 len;
	BYTE *resp;

	if (Tspi_TPM_GetCapability(tpm, TSS_TPMCAP_ORD, sizeof(ord),
				   (BYTE *)&ord, &len, &resp))
		return false;
	return len >= 1 && resp[0];
}

/* Take ownership (well-known owner secret) with an SRK that tcsd can load
 * children under without authorization. */
static bool ensure_owned(TSS_HCONTEXT ctx, TSS_HTPM tpm)
{
	const char *name = "take ownership, SRK without authorization";
	UINT32 sub = TSS_TPMCAP_PROP_OWNER, len;
	TSS_HKEY srk, ek;
	TSS_RESULT r;
	BYTE *resp;

	if (!tss_call(name, "Tspi_TPM_GetCapability(PROP_OWNER)",
		      Tspi_TPM_GetCapability(tpm, TSS_TPMCAP_PROPERTY,
					     sizeof(sub), (BYTE *)&sub, &len,
					     &resp)))
		return false;
	if (len >= 1 && resp[0]) {
		not_ok(name, "the TPM is owned already (a fresh one is needed)");
		return false;
	}
	/* The harness may start the TPM without an EK. */
	r = Tspi_TPM_GetPubEndorsementKey(tpm, FALSE, NULL, &ek);
	if (r == TPM_E_NO_ENDORSEMENT) {
		printf("# no EK yet: creating one\n");
		if (!tss_call(name, "EK object",
			      Tspi_Context_CreateObject(
				  ctx, TSS_OBJECT_TYPE_RSAKEY,
				  TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_LEGACY,
				  &ek)) ||
		    !tss_call(name, "Tspi_TPM_CreateEndorsementKey",
			      Tspi_TPM_CreateEndorsementKey(tpm, ek, NULL)))
			return false;
	} else if (!tss_call(name, "Tspi_TPM_GetPubEndorsementKey", r)) {
		return false;
	}
	if (!tss_call(name, "SRK object",
		      Tspi_Context_CreateObject(
			  ctx, TSS_OBJECT_TYPE_RSAKEY,
			  TSS_KEY_TSP_SRK | TSS_KEY_NO_AUTHORIZATION, &srk)) ||
	    !tss_call(name, "SRK policy",
		      set_secret(ctx, srk, TSS_SECRET_MODE_SHA1, well_known,
				 sizeof(well_known))) ||
	    !tss_call(name, "Tspi_TPM_TakeOwnership",
		      Tspi_TPM_TakeOwnership(tpm, srk, 0)))
		return false;
	ok(name);
	return true;
}

static bool setup(TSS_HCONTEXT *ctx, TSS_HTPM *tpm, TSS_HKEY *srk)
{
	const char *name = "connect to tcsd and load the SRK";
	TSS_UUID srk_uuid = TSS_UUID_SRK;
	TSS_HPOLICY pol;

	if (!tss_call(name, "Tspi_Context_Create", Tspi_Context_Create(ctx)) ||
	    !tss_call(name, "Tspi_Context_Connect",
		      Tspi_Context_Connect(*ctx, NULL)) ||
	    !tss_call(name, "Tspi_Context_GetTpmObject",
		      Tspi_Context_GetTpmObject(*ctx, tpm)) ||
	    !tss_call(name, "owner policy",
		      Tspi_GetPolicyObject(*tpm, TSS_POLICY_USAGE, &pol)) ||
	    !tss_call(name, "owner secret",
		      Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1,
					    sizeof(well_known), well_known)))
		return false;
	if (!ensure_owned(*ctx, *tpm))
		return false;
	return tss_call(name, "Tspi_Context_LoadKeyByUUID(SRK)",
			Tspi_Context_LoadKeyByUUID(*ctx, TSS_PS_TYPE_SYSTEM,
						   srk_uuid, srk)) &&
	       tss_call(name, "SRK secret",
			set_secret(*ctx, *srk, TSS_SECRET_MODE_SHA1,
				   well_known, sizeof(well_known)));
}

/* Create and load signing key @i under @srk, with a secret of its own. */
static bool create_key(TSS_HCONTEXT ctx, TSS_HKEY srk, struct key *k, int i)
{
	char name[80], s[32];

	snprintf(name, sizeof(name), "key %d: create and load", i);
	snprintf(s, sizeof(s), "keypressure key %d", i);
	sha1(s, strlen(s), k->secret);
	if (!tss_call(name, "Tspi_Context_CreateObject",
		      Tspi_Context_CreateObject(
			  ctx, TSS_OBJECT_TYPE_RSAKEY,
			  TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_1024 |
			      TSS_KEY_AUTHORIZATION | TSS_KEY_NOT_MIGRATABLE,
			  &k->h)) ||
	    !tss_call(name, "usage policy",
		      set_secret(ctx, k->h, TSS_SECRET_MODE_SHA1, k->secret,
				 SHA1_LEN)) ||
	    !tss_call(name, "Tspi_Key_CreateKey (TPM_CreateWrapKey)",
		      Tspi_Key_CreateKey(k->h, srk, 0)) ||
	    !tss_call(name, "Tspi_Key_LoadKey (TPM_LoadKey2)",
		      Tspi_Key_LoadKey(k->h, srk)))
		return false;
	k->pub = key_pub(k->h);
	if (!k->pub) {
		not_ok(name, "no usable public key in the key blob");
		return false;
	}
	return true;
}

/* TPM_Sign of a digest naming key @i and @round; verified with OpenSSL. */
static bool sign_key(TSS_HCONTEXT ctx, struct key *k, int i, int round)
{
	char name[80], msg[64];
	BYTE d[SHA1_LEN], *sig;
	UINT32 sig_len;
	TSS_HHASH h;

	snprintf(name, sizeof(name), "round %d: key %d signs", round, i);
	snprintf(msg, sizeof(msg), "keypressure round %d key %d", round, i);
	sha1(msg, strlen(msg), d);
	if (!tss_call(name, "hash object",
		      Tspi_Context_CreateObject(ctx, TSS_OBJECT_TYPE_HASH,
						TSS_HASH_SHA1, &h)) ||
	    !tss_call(name, "Tspi_Hash_SetHashValue",
		      Tspi_Hash_SetHashValue(h, SHA1_LEN, d)) ||
	    !tss_call(name, "Tspi_Hash_Sign (TPM_Sign)",
		      Tspi_Hash_Sign(h, k->h, &sig_len, &sig)))
		return false;
	if (!rsa_verify(k->pub, d, sig, sig_len)) {
		not_ok(name, "signature does not verify under key %d", i);
		return false;
	}
	return true;
}

/* Sign with every key in an order that keeps tcsd swapping: forwards,
 * backwards, then odd keys before even ones. */
static void sign_round(TSS_HCONTEXT ctx, struct key *keys, int round)
{
	char name[80];
	int n, i, good = 0;

	for (n = 0; n < NKEYS; n++) {
		if (round == 0)
			i = n;
		else if (round == 1)
			i = NKEYS - 1 - n;
		else
			i = n < NKEYS / 2 ? 2 * n + 1 : 2 * (n - NKEYS / 2);
		good += sign_key(ctx, &keys[i], i, round);
	}
	snprintf(name, sizeof(name),
		 "round %d: all %d keys signed, signatures verify", round,
		 NKEYS);
	if (good == NKEYS)
		ok(name);
	else
		not_ok(name, "%d of %d keys failed", NKEYS - good, NKEYS);
}

int main(void)
{
	static struct key keys[NKEYS];
	TSS_HCONTEXT ctx = 0;
	TSS_HTPM tpm;
	TSS_HKEY srk;
	int i, made = 0, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!setup(&ctx, &tpm, &srk)) {
		printf("Bail out! no usable TPM behind tcsd\n");
		ret = 2;
		goto out;
	}
	if (tpm_has_ordinal(tpm, ORD_SAVE_KEY_CONTEXT) &&
	    tpm_has_ordinal(tpm, ORD_LOAD_KEY_CONTEXT))
		ok("TPM reports TPM_SaveKeyContext and TPM_LoadKeyContext");
	else
		not_ok("TPM reports TPM_SaveKeyContext and "
		       "TPM_LoadKeyContext", "TPM_CAP_ORD answered FALSE");
	for (i = 0; i < NKEYS; i++)
		made += create_key(ctx, srk, &keys[i], i);
	if (made == NKEYS)
		ok("created and loaded 24 keys (more than the TPM's slots)");
	else
		not_ok("created and loaded 24 keys", "%d failed",
		       NKEYS - made);
	if (made == NKEYS) {
		sign_round(ctx, keys, 0);
		sign_round(ctx, keys, 1);
		sign_round(ctx, keys, 2);
	}
	printf("# tss_keypressure: %d passed, %d failed\n", n_pass, n_fail);
	ret = n_fail ? 1 : 0;
out:
	for (i = 0; i < NKEYS; i++)
		EVP_PKEY_free(keys[i].pub);
	if (ctx) {
		Tspi_Context_FreeMemory(ctx, NULL);
		Tspi_Context_Close(ctx);
	}
	return ret;
}
