// SPDX-License-Identifier: GPL-2.0
/*
 * tss_audit: TPM auditing (Part 3, 8) through libtspi and a tcsd
 * (TSS_TCSD_HOSTNAME / TSS_TCSD_PORT), printing TAP, one line per check:
 * the ordinal audit status set and cleared with Tspi_SetAttribUint32
 * (TSS_TSPATTRIB_TPM_ORDINAL_AUDIT_STATUS), the audit digest read with
 * Tspi_TPM_GetAuditDigest and recomputed here from an audited GetRandom,
 * and the signed digest, which libtspi verifies itself.
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

#define ORD_GET_RANDOM		0x00000046U
#define ORD_GET_AUDIT_DIGEST	0x00000085U
#define ORD_TAKE_OWNERSHIP	0x0000000DU
/* Bytes of random data the audited GetRandom asks for. */
#define RANDOM_LEN		16U
/* TPM_E_* code libtspi passes through (TPM_BASE + Part 2, 16). */
#define RC_BAD_PARAMETER	0x03U

struct tss {
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HKEY srk;
	TSS_HKEY sign;
};

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;
static TSS_UUID srk_uuid = TSS_UUID_SRK;

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

static void check(const char *name, bool cond, const char *why)
{
	if (cond)
		ok(name);
	else
		not_ok(name, "%s", why);
}

static TSS_RESULT set_secret(struct tss *t, TSS_HOBJECT obj, BYTE *secret,
			     UINT32 len)
{
	TSS_HPOLICY pol;
	TSS_RESULT r;

	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_POLICY,
				      TSS_POLICY_USAGE, &pol);
	if (!r)
		r = Tspi_Policy_SetSecret(pol, TSS_SECRET_MODE_SHA1, len,
					  secret);
	if (!r)
		r = Tspi_Policy_AssignToObject(pol, obj);
	return r;
}

static bool ensure_owned(struct tss *t)
{
	const char *name = "take ownership with well-known owner/SRK secrets";
	UINT32 sub = TSS_TPMCAP_PROP_OWNER, len;
	TSS_HKEY srk, ek;
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
	    !tss_call(name, "SRK secret",
		      set_secret(t, srk, well_known, sizeof(well_known))) ||
	    !tss_call(name, "Tspi_TPM_TakeOwnership",
		      Tspi_TPM_TakeOwnership(t->tpm, srk, 0)))
		return false;
	ok(name);
	return true;
}

static bool setup(struct tss *t)
{
	const char *name = "connect to tcsd";
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
			set_secret(t, t->srk, well_known, sizeof(well_known)));
}

/* The unsigned audit digest, counter and audited ordinals. */
struct audit_view {
	BYTE digest[20];
	UINT32 counter;
	UINT32 nords;
	UINT32 *ords;
};

static bool read_digest(struct tss *t, const char *name,
			struct audit_view *v)
{
	TPM_COUNTER_VALUE cv;
	UINT32 len;
	BYTE *dig;

	if (!tss_call(name, "Tspi_TPM_GetAuditDigest",
		      Tspi_TPM_GetAuditDigest(t->tpm, 0, FALSE, &len, &dig,
					      &cv, NULL, &v->nords,
					      &v->ords)))
		return false;
	if (len != sizeof(v->digest)) {
		not_ok(name, "audit digest of %u bytes", len);
		return false;
	}
	memcpy(v->digest, dig, sizeof(v->digest));
	v->counter = cv.counter;
	return true;
}

/*
 * TrouSerS 0.3 hands ordList through as the TPM sent it (big-endian
 * words), not in host order: read each entry's bytes as big-endian.
 */
static bool listed(const struct audit_view *v, UINT32 ord)
{
	const BYTE *p;
	UINT32 i;

	for (i = 0; i < v->nords; i++) {
		p = (const BYTE *)&v->ords[i];
		if (((UINT32)p[0] << 24 | (UINT32)p[1] << 16 |
		     (UINT32)p[2] << 8 | p[3]) == ord)
			return true;
	}
	return false;
}

static void put32(BYTE *p, UINT32 v)
{
	p[0] = (BYTE)(v >> 24);
	p[1] = (BYTE)(v >> 16);
	p[2] = (BYTE)(v >> 8);
	p[3] = (BYTE)v;
}

/* digest = SHA1(digest || TPM_AUDIT_EVENT_IN/OUT(tag, d, counter)). */
static void extend(BYTE digest[20], UINT16 tag, const BYTE d[20],
		   UINT32 counter)
{
	BYTE buf[20 + 2 + 20 + 10];

	memcpy(buf, digest, 20);
	buf[20] = (BYTE)(tag >> 8);
	buf[21] = (BYTE)tag;
	memcpy(buf + 22, d, 20);
	buf[42] = 0x00;
	buf[43] = 0x0e;		/* TPM_TAG_COUNTER_VALUE, empty label */
	memset(buf + 44, 0, 4);
	put32(buf + 48, counter);
	Trspi_Hash(TSS_HASH_SHA1, sizeof(buf), buf, digest);
}

static bool set_audit(struct tss *t, const char *name, UINT32 ord, bool on)
{
	return tss_call(name, "Tspi_SetAttribUint32(ORDINAL_AUDIT_STATUS)",
			Tspi_SetAttribUint32(
				t->tpm, TSS_TSPATTRIB_TPM_ORDINAL_AUDIT_STATUS,
				on ? TPM_CAP_PROP_TPM_SET_ORDINAL_AUDIT :
				     TPM_CAP_PROP_TPM_CLEAR_ORDINAL_AUDIT,
				ord));
}

/* An audited GetRandom extends the digest as Part 1, 8 says. */
static void check_digest(struct tss *t)
{
	const char *name = "GetRandom audited: digest recomputed matches";
	BYTE in[8], out[12 + RANDOM_LEN], d[20], want[20], *rnd;
	struct audit_view v0, v1;
	static const BYTE zero[20];
	UINT32 counter;

	if (!set_audit(t, "SetOrdinalAuditStatus(GetRandom, TRUE)",
		       ORD_GET_RANDOM, true))
		return;
	ok("SetOrdinalAuditStatus(GetRandom, TRUE)");
	if (!read_digest(t, name, &v0))
		return;
	check("GetAuditDigest lists GetRandom and TakeOwnership",
	      listed(&v0, ORD_GET_RANDOM) && listed(&v0, ORD_TAKE_OWNERSHIP),
	      "ordList lacks GetRandom or TakeOwnership");
	check("GetAuditDigest never lists itself",
	      !listed(&v0, ORD_GET_AUDIT_DIGEST), "GetAuditDigest listed");
	if (!tss_call(name, "Tspi_TPM_GetRandom",
		      Tspi_TPM_GetRandom(t->tpm, RANDOM_LEN, &rnd)) ||
	    !read_digest(t, name, &v1))
		return;
	counter = v0.counter + !memcmp(v0.digest, zero, 20);
	memcpy(want, v0.digest, 20);
	put32(in, ORD_GET_RANDOM);
	put32(in + 4, RANDOM_LEN);
	Trspi_Hash(TSS_HASH_SHA1, sizeof(in), in, d);
	extend(want, 0x0012, d, counter);
	put32(out, 0);
	put32(out + 4, ORD_GET_RANDOM);
	put32(out + 8, RANDOM_LEN);
	memcpy(out + 12, rnd, RANDOM_LEN);
	Trspi_Hash(TSS_HASH_SHA1, sizeof(out), out, d);
	extend(want, 0x0013, d, counter);
	check(name, v1.counter == counter && !memcmp(v1.digest, want, 20),
	      "digest or counter differs from the recomputed one");
	if (set_audit(t, "SetOrdinalAuditStatus(GetRandom, FALSE)",
		      ORD_GET_RANDOM, false) &&
	    read_digest(t, "GetRandom no longer audited", &v1))
		check("GetRandom no longer audited",
		      !listed(&v1, ORD_GET_RANDOM), "still listed");
}

/* GetAuditDigest itself can never be audited. */
static void check_never_audited(struct tss *t)
{
	const char *name = "SetOrdinalAuditStatus(GetAuditDigest) refused";
	TSS_RESULT r;

	r = Tspi_SetAttribUint32(t->tpm,
				     TSS_TSPATTRIB_TPM_ORDINAL_AUDIT_STATUS,
				     TPM_CAP_PROP_TPM_SET_ORDINAL_AUDIT,
				     ORD_GET_AUDIT_DIGEST);
	check(name, r != TSS_SUCCESS && ERROR_CODE(r) == RC_BAD_PARAMETER,
	      "not refused with TPM_BAD_PARAMETER");
}

/* GetAuditDigestSigned with a signing key; libtspi verifies the
 * signature over TPM_SIGN_INFO("ADIG", ...) itself. */
static void check_signed(struct tss *t)
{
	const char *name = "GetAuditDigestSigned verified by libtspi";
	TPM_COUNTER_VALUE cv;
	struct audit_view v;
	UINT32 len;
	BYTE *dig;

	if (!tss_call(name, "signing key object",
		      Tspi_Context_CreateObject(
			  t->ctx, TSS_OBJECT_TYPE_RSAKEY,
			  TSS_KEY_TYPE_SIGNING | TSS_KEY_SIZE_2048 |
			      TSS_KEY_NO_AUTHORIZATION |
			      TSS_KEY_NOT_MIGRATABLE,
			  &t->sign)) ||
	    !tss_call(name, "Tspi_Key_CreateKey",
		      Tspi_Key_CreateKey(t->sign, t->srk, 0)) ||
	    !tss_call(name, "Tspi_Key_LoadKey",
		      Tspi_Key_LoadKey(t->sign, t->srk)) ||
	    !read_digest(t, name, &v) ||
	    !tss_call(name, "Tspi_TPM_GetAuditDigest(signed)",
		      Tspi_TPM_GetAuditDigest(t->tpm, t->sign, FALSE, &len,
					      &dig, &cv, NULL, NULL, NULL)))
		return;
	check(name, len == 20 && !memcmp(dig, v.digest, 20) &&
		    cv.counter == v.counter,
	      "signed digest differs from the unsigned one");
	/* Part 3, 8.4 step 5.b: only an identity key closes the audit. */
	check("closeAudit with a signing key refused",
	      Tspi_TPM_GetAuditDigest(t->tpm, t->sign, TRUE, &len, &dig, &cv,
				      NULL, NULL, NULL) != TSS_SUCCESS,
	      "closeAudit accepted");
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
	check_digest(&t);
	check_never_audited(&t);
	check_signed(&t);
	printf("# tss_audit: %d passed, %d failed\n", n_pass, n_fail);
	ret = n_fail ? 1 : 0;
out:
	if (t.ctx) {
		Tspi_Context_FreeMemory(t.ctx, NULL);
		Tspi_Context_Close(t.ctx);
	}
	return ret;
}
