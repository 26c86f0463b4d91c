// SPDX-License-Identifier: GPL-2.0
/*
 * tss_delegation: TPM delegation (Part 3, 18.x DSAP and 19) through
 * libtspi's Tspi_TPM_Delegate_* API and a tcsd (TSS_TCSD_HOSTNAME /
 * TSS_TCSD_PORT), printing TAP, one line per check: families, owner
 * delegation blobs, the delegate table, verification counts, a key
 * delegation used through DSAP, and family invalidation.  libtspi 0.3.15
 * authorizes owner commands only in OIAP sessions or, for OSAP-style
 * commands, with a tcsd that cannot open DSAP on an owner blob
 * (TSS_E_KEY_NOT_LOADED, with swtpm as with tpmd), so owner delegations
 * are used through DSAP by the unit and differential tests instead.
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

/* Part 2, 20.2.1 per1 bits. */
#define PER1_OWNER_READ_INTERNAL_PUB	(1U << 18)
#define PER1_NV_DEFINE_SPACE		(1U << 14)
/* Part 2, 20.2.3 key per1 bits. */
#define PER1_KEY_SIGN			(1U << 14)
#define PER1_KEY_CREATE_WRAP_KEY	(1U << 11)
/* TPM_E_* codes libtspi passes through (TPM_BASE + Part 2, 16). */
#define RC_AUTHFAIL	0x01U
#define RC_FAMILYCOUNT	0x40U

struct tss {
	TSS_HCONTEXT ctx;
	TSS_HTPM tpm;
	TSS_HPOLICY owner;	/* the owner's usage policy */
	TSS_HKEY srk;
	TSS_HPOLICY srk_pol;	/* the SRK's usage policy */
	TSS_HDELFAMILY family;
	UINT32 family_id;
};

static BYTE well_known[] = TSS_WELL_KNOWN_SECRET;
static BYTE del_secret[] = "tss-delegation owner delegate";

static int n_pass, n_fail;

/* Bytes of one family entry as libtspi returns it (see read_tables). */
#define FAM_ENTRY_PACKED	11U

static uint32_t be32(const BYTE *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

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

/* @r must be the TPM error @code (libtspi passes TPM codes through). */
static void expect_tpm_error(const char *name, TSS_RESULT r, UINT32 code)
{
	if (ERROR_CODE(r) == code && r != TSS_SUCCESS)
		ok(name);
	else
		not_ok(name, "got 0x%x (%s), want TPM code 0x%x", r,
		       Trspi_Error_String(r), code);
}

static bool ensure_owned(struct tss *t)
{
	const char *name = "take ownership with well-known owner/SRK secrets";
	UINT32 sub = TSS_TPMCAP_PROP_OWNER, len;
	TSS_HPOLICY pol;
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

static bool setup(struct tss *t)
{
	const char *name = "connect to tcsd";
	TSS_UUID srk_uuid = TSS_UUID_SRK;

	return tss_call(name, "Tspi_Context_Create",
			Tspi_Context_Create(&t->ctx)) &&
	       tss_call(name, "Tspi_Context_Connect",
			Tspi_Context_Connect(t->ctx, NULL)) &&
	       tss_call(name, "Tspi_Context_GetTpmObject",
			Tspi_Context_GetTpmObject(t->ctx, &t->tpm)) &&
	       tss_call(name, "owner policy",
			Tspi_GetPolicyObject(t->tpm, TSS_POLICY_USAGE,
					     &t->owner)) &&
	       tss_call(name, "owner secret",
			Tspi_Policy_SetSecret(t->owner, TSS_SECRET_MODE_SHA1,
					      sizeof(well_known),
					      well_known)) &&
	       ensure_owned(t) &&
	       tss_call(name, "Tspi_Context_LoadKeyByUUID(SRK)",
			Tspi_Context_LoadKeyByUUID(t->ctx, TSS_PS_TYPE_SYSTEM,
						   srk_uuid, &t->srk)) &&
	       tss_call(name, "SRK policy",
			Tspi_GetPolicyObject(t->srk, TSS_POLICY_USAGE,
					     &t->srk_pol)) &&
	       tss_call(name, "SRK secret",
			Tspi_Policy_SetSecret(t->srk_pol, TSS_SECRET_MODE_SHA1,
					      sizeof(well_known),
					      well_known));
}

/* Number of families and delegate rows the TPM reports. */
static bool read_tables(struct tss *t, const char *name, UINT32 *nfam,
			UINT32 *nrow, UINT32 *fam_count)
{
	TSS_FAMILY_TABLE_ENTRY *fam;
	TSS_DELEGATION_TABLE_ENTRY *del;
	UINT32 fsize, dsize, i;

	if (!tss_call(name, "Tspi_TPM_Delegate_ReadTables",
		      Tspi_TPM_Delegate_ReadTables(t->ctx, &fsize, &fam,
						   &dsize, &del)))
		return false;
	/* libtspi returns the numbers of entries. */
	*nfam = fsize;
	*nrow = dsize;
	/* libtspi 0.3.15 packs the entries as on the wire (familyID,
	 * label, verificationCount, enabled, locked: 11 bytes each, u32s
	 * big-endian) behind its TSS_FAMILY_TABLE_ENTRY pointer. */
	*fam_count = 0;
	for (i = 0; i < *nfam; i++) {
		const BYTE *p = (const BYTE *)fam + (size_t)i * FAM_ENTRY_PACKED;

		if (be32(p) == t->family_id)
			*fam_count = be32(p + 5);
	}
	(void)del;
	return true;
}

/* A new delegation policy (@type) for @obj permitting the ordinals of
 * @per1. */
static bool create_del(struct tss *t, const char *name, TSS_HOBJECT obj,
		       UINT32 flags, UINT32 type, UINT32 per1,
		       TSS_HPOLICY *pol)
{
	return tss_call(name, "delegation policy",
			Tspi_Context_CreateObject(t->ctx,
						  TSS_OBJECT_TYPE_POLICY,
						  TSS_POLICY_USAGE, pol)) &&
	       tss_call(name, "delegation secret",
			Tspi_Policy_SetSecret(*pol, TSS_SECRET_MODE_PLAIN,
					      sizeof(del_secret) - 1,
					      del_secret)) &&
	       tss_call(name, "delegation type",
			Tspi_SetAttribUint32(*pol,
					     TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					     TSS_TSPATTRIB_POLDEL_TYPE, type)) &&
	       tss_call(name, "delegation per1",
			Tspi_SetAttribUint32(*pol,
					     TSS_TSPATTRIB_POLICY_DELEGATION_INFO,
					     TSS_TSPATTRIB_POLDEL_PER1,
					     per1)) &&
	       tss_call(name, "Tspi_TPM_Delegate_CreateDelegation",
			Tspi_TPM_Delegate_CreateDelegation(obj, 1, flags, 0,
							   t->family, *pol));
}

static bool create_delegation(struct tss *t, const char *name, UINT32 flags,
			      UINT32 type, UINT32 per1, TSS_HPOLICY *pol)
{
	return create_del(t, name, t->tpm, flags, type, per1, pol);
}

static bool create_key_del(struct tss *t, const char *name, UINT32 per1,
			   TSS_HPOLICY *pol)
{
	return create_del(t, name, t->srk, 0, TSS_DELEGATIONTYPE_KEY, per1,
			  pol);
}

static void check_owner_delegation(struct tss *t)
{
	const char *name = "owner delegation: create and verify";
	TSS_HPOLICY pol, pol_inc;
	UINT32 nfam, nrow, count;

	if (!create_delegation(t, name, 0, TSS_DELEGATIONTYPE_OWNER,
			       PER1_NV_DEFINE_SPACE, &pol))
		return;
	if (tss_call(name, "Tspi_TPM_Delegate_VerifyDelegation",
		     Tspi_TPM_Delegate_VerifyDelegation(pol)))
		ok(name);
	name = "increment verification count invalidates the old blob";
	if (!create_delegation(t, name,
			       TSS_DELEGATE_INCREMENTVERIFICATIONCOUNT,
			       TSS_DELEGATIONTYPE_OWNER,
			       PER1_OWNER_READ_INTERNAL_PUB, &pol_inc))
		return;
	if (read_tables(t, name, &nfam, &nrow, &count) && count != 2)
		not_ok(name, "family count %u, want 2", count);
	expect_tpm_error(name, Tspi_TPM_Delegate_VerifyDelegation(pol),
			 RC_FAMILYCOUNT);
	name = "Delegate_UpdateVerificationCount revalidates the old blob";
	if (tss_call(name, "Tspi_TPM_Delegate_UpdateVerificationCount",
		     Tspi_TPM_Delegate_UpdateVerificationCount(t->tpm, pol)) &&
	    tss_call(name, "Tspi_TPM_Delegate_VerifyDelegation",
		     Tspi_TPM_Delegate_VerifyDelegation(pol)))
		ok(name);
	name = "Delegate_CacheOwnerDelegation loads row 0";
	if (tss_call(name, "Tspi_TPM_Delegate_CacheOwnerDelegation",
		     Tspi_TPM_Delegate_CacheOwnerDelegation(
			     t->tpm, pol_inc, 0,
			     TSS_DELEGATE_CACHEOWNERDELEGATION_OVERWRITEEXISTING)) &&
	    read_tables(t, name, &nfam, &nrow, &count)) {
		if (nrow == 1)
			ok(name);
		else
			not_ok(name, "%u delegate rows", nrow);
	}
}

/* Tspi_Key_CreateKey under the SRK, whose usage policy is @pol: libtspi
 * authorizes CreateWrapKey in an OSAP session, or in a DSAP session when
 * @pol holds a key delegation. */
static TSS_RESULT create_key_under(struct tss *t, TSS_HPOLICY pol)
{
	TSS_HKEY key;
	TSS_RESULT r;

	r = Tspi_Context_CreateObject(t->ctx, TSS_OBJECT_TYPE_RSAKEY,
				      TSS_KEY_SIZE_2048 | TSS_KEY_TYPE_BIND |
				      TSS_KEY_NO_AUTHORIZATION |
				      TSS_KEY_NOT_MIGRATABLE, &key);
	if (!r)
		r = Tspi_Policy_AssignToObject(pol, t->srk);
	if (!r)
		r = Tspi_Key_CreateKey(key, t->srk, 0);
	Tspi_Policy_AssignToObject(t->srk_pol, t->srk);
	Tspi_Context_CloseObject(t->ctx, key);
	return r;
}

static void check_key_delegation(struct tss *t)
{
	const char *name = "key delegation on the SRK: create and verify";
	TSS_HPOLICY pol, pol_sign;

	if (!create_key_del(t, name, PER1_KEY_CREATE_WRAP_KEY, &pol))
		return;
	if (tss_call(name, "Tspi_TPM_Delegate_VerifyDelegation",
		     Tspi_TPM_Delegate_VerifyDelegation(pol)))
		ok(name);
	name = "CreateWrapKey under the SRK through the delegation (DSAP)";
	if (tss_call(name, "Tspi_Key_CreateKey", create_key_under(t, pol)))
		ok(name);
	name = "a key delegation without CreateWrapKey is refused";
	if (!create_key_del(t, name, PER1_KEY_SIGN, &pol_sign))
		return;
	expect_tpm_error(name, create_key_under(t, pol_sign), RC_AUTHFAIL);
}

static void check_family(struct tss *t)
{
	const char *name = "Delegate_AddFamily and enable it";
	UINT32 nfam, nrow, count;

	if (!tss_call(name, "Tspi_TPM_Delegate_AddFamily",
		      Tspi_TPM_Delegate_AddFamily(t->tpm, 7, &t->family)) ||
	    !tss_call(name, "enable",
		      Tspi_SetAttribUint32(t->family,
					   TSS_TSPATTRIB_DELFAMILY_STATE,
					   TSS_TSPATTRIB_DELFAMILYSTATE_ENABLED,
					   TRUE)))
		return;
	if (!tss_call(name, "family ID",
		      Tspi_GetAttribUint32(t->family,
					   TSS_TSPATTRIB_DELFAMILY_INFO,
					   TSS_TSPATTRIB_DELFAMILYINFO_FAMILYID,
					   &t->family_id)))
		return;
	ok(name);
	name = "Delegate_ReadTables lists the family with count 1";
	if (read_tables(t, name, &nfam, &nrow, &count)) {
		if (nfam >= 1 && count == 1)
			ok(name);
		else
			not_ok(name, "%u families, count %u", nfam, count);
	}
}

static void check_invalidate(struct tss *t)
{
	const char *name = "Delegate_InvalidateFamily removes the family";
	UINT32 nfam, nrow, count;

	TSS_HDELFAMILY family;

	/* A fresh handle: libtspi may have replaced its family object. */
	if (!tss_call(name, "Tspi_TPM_Delegate_GetFamily",
		      Tspi_TPM_Delegate_GetFamily(t->tpm, t->family_id,
						  &family)) ||
	    !tss_call(name, "Tspi_TPM_Delegate_InvalidateFamily",
		      Tspi_TPM_Delegate_InvalidateFamily(t->tpm, family)))
		return;
	if (read_tables(t, name, &nfam, &nrow, &count)) {
		if (count == 0)
			ok(name);
		else
			not_ok(name, "the family is still listed");
	}
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
	check_family(&t);
	if (t.family) {
		check_owner_delegation(&t);
		check_key_delegation(&t);
		check_invalidate(&t);
	}
	printf("# tss_delegation: %d passed, %d failed\n", n_pass, n_fail);
	ret = n_fail ? 1 : 0;
out:
	if (t.ctx) {
		Tspi_Context_FreeMemory(t.ctx, NULL);
		Tspi_Context_Close(t.ctx);
	}
	return ret;
}
