// SPDX-License-Identifier: GPL-2.0
/*
 * tss_transport: TPM transport sessions (Part 3, 24) through libtspi and a
 * tcsd (TSS_TCSD_HOSTNAME / TSS_TCSD_PORT), printing TAP.  TrouSerS 0.3.15
 * has no tcsd.conf option that wraps commands in transport sessions (its
 * only transport key, enforce_exclusive_transport, restricts other
 * clients); transport is a TSP feature, turned on per context with
 * TSS_TSPATTRIB_CONTEXT_TRANSPORT and Tspi_Context_SetTransEncryptionKey.
 * The program runs commands in an encrypted, logged transport session and
 * closes it with Tspi_Context_CloseSignTransport (TPM_ReleaseTransportSigned).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <tss/tspi.h>
/* trousers.h uses size_t without including <stddef.h> (included above). */
#include <trousers/trousers.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define SHA1_LEN 20U
/* TPM_TAG_SIGNINFO then "TRAN" (Part 2, 12.1; Part 3, 24.3 step 8). */
static const BYTE sign_info_head[6] = { 0x00, 0x05, 'T', 'R', 'A', 'N' };

struct tss {
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HKEY srk;
	TSS_HKEY enc;		/* storage key the transport secret goes to */
	TSS_HKEY sign;		/* signing key used inside the session */
	/* The log's signing key.  TrouSerS 0.3.15 deadlocks in
	 * Tspi_Context_CloseSignTransport when that key needs authorization
	 * (obj_context_transport_close() holds the context list lock and
	 * secret_PerformAuth_OIAP() takes it again), so it has none: the
	 * command goes out with only the transport session (AUTH1). */
	TSS_HKEY log_sign;
};

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;
static BYTE key_secret[] = "tss-transport key";

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

static bool tss_call(const char *name, const char *call, TSS_RESULT r)
{
	if (r == TSS_SUCCESS)
		return true;
	not_ok(name, "%s: 0x%x (%s)", call, r, Trspi_Error_String(r));
	return false;
}

static TSS_RESULT set_secret(struct tss *t, TSS_HOBJECT obj, BYTE *secret,
			     UINT32 len)
{
	TSS_HPOLICY pol;
	TSS_RESULT r;

	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY,
				      TSS_POLICY_USAGE, &pol);
	if (!r)
		r = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_PLAIN, len,
					  secret);
	if (!r)
		r = Tspi_Policy_AssignToObject(pol, obj);
	return r;
}

/* Take ownership with the well-known secrets unless owned already. */
static bool ensure_owned(struct tss *t)
{
	const char *name = "take ownership with well-known owner/SRK secrets";
	UINT32 sub = TSS_TPMCAP_PROP_OWNER, len;
	TSS_HKEY srk, ek;
	TSS_RESULT r;
	TSS_HPOLICY pol;
	BYTE *resp;

	if (!tss_call(name, "Tspi_TPM_GetCapability(PROP_OWNER)",
		      Tspi_TPM_GetCapability(t->tpm, TSS_TPMCAP_PROPERTY,
					     sizeof(sub), (BYTE *)&sub, &len,
					     &resp)))
		return false;
	if (len >= 1 && resp[0])
		return true;
	r = Tspi_TPM_GetPubEndorsementKey(t->tpm, FALSE, NULL, &ek);
	if (r == TPM_E_NO_ENDORSEMENT) {
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
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY,
						TSS_POLICY_USAGE, &pol)) ||
	    !tss_call(name, "SRK secret",
		      Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1,
					    sizeof(well_known), well_known)) ||
	    !tss_call(name, "SRK policy assign",
		      Tspi_Policy_AssignToObject(pol, srk)) ||
	    !tss_call(name, "Tspi_TPM_TakeOwnership",
		      Tspi_TPM_TakeOwnership(t->tpm, srk, 0)))
		return false;
	ok(name);
	return true;
}

/* A 2048-bit key of @flags under the SRK, created and loaded; with the
 * usage secret key_secret when @flags asks for authorization. */
static bool make_key(struct tss *t, const char *name, TSS_FLAG flags,
		     TSS_HKEY *key)
{
	return tss_call(name, "key object",
			Tspi_Context_CreateObject(t->ctx,
						  TSS_OBJECT_TYPE_RSAKEY,
						  flags | TSS_KEY_SIZE_2048,
						  key)) &&
	       (!(flags & TSS_KEY_AUTHORIZATION) ||
		tss_call(name, "key secret",
			 set_secret(t, *key, key_secret,
				    sizeof(key_secret) - 1))) &&
	       tss_call(name, "Tspi_Key_CreateKey",
			Tspi_Key_CreateKey(*key, t->srk, 0)) &&
	       tss_call(name, "Tspi_Key_LoadKey",
			Tspi_Key_LoadKey(*key, t->srk));
}

static bool setup(struct tss *t)
{
	const char *name = "connect to tcsd, own the TPM, make the keys";
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
					    sizeof(well_known), well_known)) ||
	    !ensure_owned(t) ||
	    !tss_call(name, "Tspi_Context_LoadKeyByUUID(SRK)",
		      Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM,
						 srk_uuid, &t->srk)) ||
	    !tss_call(name, "SRK policy",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY,
						TSS_POLICY_USAGE, &pol)) ||
	    !tss_call(name, "SRK secret",
		      Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1,
					    sizeof(well_known), well_known)) ||
	    !tss_call(name, "SRK policy assign",
		      Tspi_Policy_AssignToObject(pol, t->srk)) ||
	    !make_key(t, name, TSS_KEY_TYPE_STORAGE | TSS_KEY_AUTHORIZATION,
		      &t->enc) ||
	    !make_key(t, name, TSS_KEY_TYPE_SIGNING | TSS_KEY_AUTHORIZATION,
		      &t->sign) ||
	    !make_key(t, name, TSS_KEY_TYPE_SIGNING |
		      TSS_KEY_NO_AUTHORIZATION, &t->log_sign))
		return false;
	ok(name);
	return true;
}

/* Turn transport on: encrypted, logged, the secret sealed to t->enc. */
static bool transport_on(struct tss *t)
{
	const char *name = "enable an encrypted, logged transport session";

	if (!tss_call(name, "Tspi_Context_SetTransEncryptionKey",
		      Tspi_Context_SetTransEncryptionKey(t->ctx, t->enc)) ||
	    /* libtspi takes one mode value per call. */
	    !tss_call(name, "TRANS_MODE encryption",
		      Tspi_SetAttribUint32(
			      t->ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
			      TSS_TSPATTRIB_CONTEXTTRANS_MODE,
			      TSS_TSPATTRIB_TRANSPORT_DEFAULT_ENCRYPTION)) ||
	    !tss_call(name, "TRANS_MODE log",
		      Tspi_SetAttribUint32(
			      t->ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
			      TSS_TSPATTRIB_CONTEXTTRANS_MODE,
			      TSS_TSPATTRIB_TRANSPORT_AUTHENTIC_CHANNEL)) ||
	    !tss_call(name, "TRANS_CONTROL",
		      Tspi_SetAttribUint32(
			      t->ctx, TSS_TSPATTRIB_CONTEXT_TRANSPORT,
			      TSS_TSPATTRIB_CONTEXTTRANS_CONTROL,
			      TSS_TSPATTRIB_ENABLE_TRANSPORT)))
		return false;
	ok(name);
	return true;
}

/* GetRandom and an Extend/PcrRead round trip inside the session. */
static void check_commands(struct tss *t)
{
	const char *name = "GetRandom, PcrExtend, PcrRead in the transport";
	BYTE ext[SHA1_LEN], *rnd, *out, *val;
	UINT32 out_len, val_len;

	memset(ext, 0x5a, sizeof(ext));
	if (!tss_call(name, "Tspi_TPM_GetRandom",
		      Tspi_TPM_GetRandom(t->tpm, 32, &rnd)) ||
	    !tss_call(name, "Tspi_TPM_PcrExtend",
		      Tspi_TPM_PcrExtend(t->tpm, 16, sizeof(ext), ext, NULL,
					 &out_len, &out)) ||
	    !tss_call(name, "Tspi_TPM_PcrRead",
		      Tspi_TPM_PcrRead(t->tpm, 16, &val_len, &val)))
		return;
	if (out_len != SHA1_LEN || val_len != SHA1_LEN ||
	    memcmp(out, val, SHA1_LEN)) {
		not_ok(name, "PcrRead does not return the extended value");
		return;
	}
	ok(name);
}

/* A signature made inside the session. */
static void check_sign(struct tss *t)
{
	const char *name = "Tspi_Hash_Sign (TPM_Sign) in the transport";
	BYTE digest[SHA1_LEN], *sig;
	UINT32 sig_len;
	TSS_HHASH h;

	memset(digest, 0x33, sizeof(digest));
	if (!tss_call(name, "hash object",
		      Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_HASH,
						TSS_HASH_SHA1, &h)) ||
	    !tss_call(name, "Tspi_Hash_SetHashValue",
		      Tspi_Hash_SetHashValue(h, sizeof(digest), digest)) ||
	    !tss_call(name, "Tspi_Hash_Sign",
		      Tspi_Hash_Sign(h, t->sign, &sig_len, &sig)))
		return;
	if (sig_len != 256) {
		not_ok(name, "%u-byte signature", sig_len);
		return;
	}
	ok(name);
}

/* ReleaseTransportSigned: a signed TPM_SIGN_INFO "TRAN" over the log. */
static void check_close(struct tss *t)
{
	const char *name = "Tspi_Context_CloseSignTransport (signed log)";
	TSS_VALIDATION v;

	memset(&v, 0, sizeof(v));
	v.ulExternalDataLength = SHA1_LEN;
	v.rgbExternalData = (BYTE *)"tss-transport nonce!";
	if (!tss_call(name, "Tspi_Context_CloseSignTransport",
		      Tspi_Context_CloseSignTransport(t->ctx, t->log_sign, &v)))
		return;
	if (v.ulValidationDataLength != 256) {
		not_ok(name, "%u-byte signature", v.ulValidationDataLength);
		return;
	}
	if (v.ulDataLength >= sizeof(sign_info_head) &&
	    memcmp(v.rgbData, sign_info_head, sizeof(sign_info_head))) {
		not_ok(name, "signed data is not a TPM_SIGN_INFO \"TRAN\"");
		return;
	}
	ok(name);
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
	if (transport_on(&t)) {
		check_commands(&t);
		check_sign(&t);
		check_close(&t);
	}
	printf("# tss_transport: %d passed, %d failed\n", n_pass, n_fail);
	ret = n_fail ? 1 : 0;
out:
	if (t.ctx) {
		Tspi_Context_FreeMemory(t.ctx, NULL);
		Tspi_Context_Close(t.ctx);
	}
	return ret;
}
