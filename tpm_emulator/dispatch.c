// SPDX-License-Identifier: GPL-2.0
/*
 * The whole command surface in one sorted table, and tpm_execute(): header
 * and tag checks, stripping and verifying the shape of authorization areas,
 * state pre-checks, the call to the handler and the response header and
 * authorization areas.  Handlers never see or write the framing.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

/* Shorthands for the table: which tags a command accepts. */
#define T0	CMD_TAG_RQU
#define T1	CMD_TAG_AUTH1
#define T2	CMD_TAG_AUTH2
#define T01	(CMD_TAG_RQU | CMD_TAG_AUTH1)
#define T12	(CMD_TAG_AUTH1 | CMD_TAG_AUTH2)
#define T012	(CMD_TAG_RQU | CMD_TAG_AUTH1 | CMD_TAG_AUTH2)
/* Available while disabled and while deactivated (Part 2, 17 table). */
#define AVAIL	(CMD_DISABLED_OK | CMD_DEACT_OK)

/*
 * Sorted by ordinal (binary search).  Columns: ordinal, name, handler,
 * leading handles excluded from inParamDigest, leading output handles
 * excluded from outParamDigest, flags.
 */
static const struct tpm_cmd_desc cmd_table[] = {
	{ TPM_ORD_OIAP, "OIAP", tpm_cmd_oiap, 0, 0, T0 | AVAIL },
	{ TPM_ORD_OSAP, "OSAP", tpm_cmd_osap, 0, 0, T0 | AVAIL },
	{ TPM_ORD_ChangeAuth, "ChangeAuth", tpm_cmd_change_auth, 1, 0, T2 },
	{ TPM_ORD_TakeOwnership, "TakeOwnership", tpm_cmd_take_ownership,
	  0, 0, T1 | CMD_DEACT_OK },
	{ TPM_ORD_ChangeAuthAsymStart, "ChangeAuthAsymStart",
	  tpm_cmd_change_auth_asym_start, 1, 0, T1 },
	{ TPM_ORD_ChangeAuthAsymFinish, "ChangeAuthAsymFinish",
	  tpm_cmd_change_auth_asym_finish, 1, 0, T1 },
	{ TPM_ORD_ChangeAuthOwner, "ChangeAuthOwner",
	  tpm_cmd_change_auth_owner, 0, 0, T1 },
	{ TPM_ORD_DSAP, "DSAP", tpm_cmd_dsap, 0, 0, T0 | AVAIL },
	{ TPM_ORD_CMK_CreateTicket, "CMK_CreateTicket",
	  tpm_cmd_cmk_create_ticket, 0, 0, T1 },
	{ TPM_ORD_CMK_CreateKey, "CMK_CreateKey", tpm_cmd_cmk_create_key,
	  1, 0, T1 },
	{ TPM_ORD_Extend, "Extend", tpm_cmd_extend, 0, 0, T0 | AVAIL },
	/* Part 2, 17: PcrRead is not available disabled or deactivated. */
	{ TPM_ORD_PcrRead, "PcrRead", tpm_cmd_pcr_read, 0, 0, T0 },
	{ TPM_ORD_Quote, "Quote", tpm_cmd_quote, 1, 0, T01 },
	{ TPM_ORD_Seal, "Seal", tpm_cmd_seal, 1, 0, T1 },
	{ TPM_ORD_Unseal, "Unseal", tpm_cmd_unseal, 1, 0, T12 },
	{ TPM_ORD_DirWriteAuth, "DirWriteAuth", tpm_cmd_dir_write_auth,
	  0, 0, T1 },
	{ TPM_ORD_DirRead, "DirRead", tpm_cmd_dir_read, 0, 0, T0 },
	{ TPM_ORD_CMK_CreateBlob, "CMK_CreateBlob", tpm_cmd_cmk_create_blob,
	  1, 0, T1 },
	{ TPM_ORD_CMK_SetRestrictions, "CMK_SetRestrictions",
	  tpm_cmd_cmk_set_restrictions, 0, 0, T1 },
	{ TPM_ORD_CMK_ApproveMA, "CMK_ApproveMA", tpm_cmd_cmk_approve_ma,
	  0, 0, T1 },
	{ TPM_ORD_UnBind, "UnBind", tpm_cmd_unbind, 1, 0, T01 },
	{ TPM_ORD_CreateWrapKey, "CreateWrapKey", tpm_cmd_create_wrap_key,
	  1, 0, T1 },
	{ TPM_ORD_LoadKey, "LoadKey", tpm_cmd_load_key, 1, 0, T01 },
	{ TPM_ORD_GetPubKey, "GetPubKey", tpm_cmd_get_pub_key, 1, 0, T01 },
	{ TPM_ORD_EvictKey, "EvictKey", tpm_cmd_evict_key, 0, 0, T0 },
	{ TPM_ORD_KeyControlOwner, "KeyControlOwner",
	  tpm_cmd_key_control_owner, 1, 0, T1 },
	{ TPM_ORD_CMK_ConvertMigration, "CMK_ConvertMigration",
	  tpm_cmd_cmk_convert_migration, 1, 0, T1 },
	{ TPM_ORD_MigrateKey, "MigrateKey", tpm_cmd_migrate_key, 1, 0, T1 },
	{ TPM_ORD_CreateMigrationBlob, "CreateMigrationBlob",
	  tpm_cmd_create_migration_blob, 1, 0, T12 },
	/* Part 2, 17: DAA is unavailable while disabled or deactivated. */
	{ TPM_ORD_DAA_Join, "DAA_Join", tpm_cmd_daa_join, 1, 0, T1 },
	{ TPM_ORD_ConvertMigrationBlob, "ConvertMigrationBlob",
	  tpm_cmd_convert_migration_blob, 1, 0, T1 },
	{ TPM_ORD_AuthorizeMigrationKey, "AuthorizeMigrationKey",
	  tpm_cmd_authorize_migration_key, 0, 0, T1 },
	{ TPM_ORD_CreateMaintenanceArchive, "CreateMaintenanceArchive",
	  tpm_cmd_create_maintenance_archive, 0, 0, T1 },
	{ TPM_ORD_LoadMaintenanceArchive, "LoadMaintenanceArchive",
	  tpm_cmd_load_maintenance_archive, 0, 0, T1 },
	{ TPM_ORD_KillMaintenanceFeature, "KillMaintenanceFeature",
	  tpm_cmd_kill_maintenance_feature, 0, 0, T1 },
	{ TPM_ORD_LoadManuMaintPub, "LoadManuMaintPub",
	  tpm_cmd_load_manu_maint_pub, 0, 0, T0 },
	{ TPM_ORD_ReadManuMaintPub, "ReadManuMaintPub",
	  tpm_cmd_read_manu_maint_pub, 0, 0, T0 },
	{ TPM_ORD_DAA_Sign, "DAA_Sign", tpm_cmd_daa_sign, 1, 0, T1 },
	{ TPM_ORD_CertifyKey, "CertifyKey", tpm_cmd_certify_key, 2, 0,
	  T012 },
	{ TPM_ORD_CertifyKey2, "CertifyKey2", tpm_cmd_certify_key2, 2, 0,
	  T012 },
	{ TPM_ORD_Sign, "Sign", tpm_cmd_sign, 1, 0, T01 },
	{ TPM_ORD_Sealx, "Sealx", tpm_cmd_sealx, 1, 0, T1 },
	{ TPM_ORD_Quote2, "Quote2", tpm_cmd_quote2, 1, 0, T01 },
	{ TPM_ORD_SetCapability, "SetCapability", tpm_cmd_set_capability,
	  0, 0, T01 | AVAIL },
	{ TPM_ORD_ResetLockValue, "ResetLockValue",
	  tpm_cmd_reset_lock_value, 0, 0, T1 | AVAIL },
	{ TPM_ORD_LoadKey2, "LoadKey2", tpm_cmd_load_key2, 1, 1, T01 },
	{ TPM_ORD_GetRandom, "GetRandom", tpm_cmd_get_random, 0, 0, T0 },
	{ TPM_ORD_StirRandom, "StirRandom", tpm_cmd_stir_random, 0, 0, T0 },
	{ TPM_ORD_SelfTestFull, "SelfTestFull", tpm_cmd_self_test_full,
	  0, 0, T0 | AVAIL | CMD_NOSELFTEST },
	{ TPM_ORD_ContinueSelfTest, "ContinueSelfTest",
	  tpm_cmd_continue_self_test, 0, 0, T0 | AVAIL | CMD_NOSELFTEST },
	{ TPM_ORD_GetTestResult, "GetTestResult", tpm_cmd_get_test_result,
	  0, 0, T0 | AVAIL | CMD_FAILMODE_OK | CMD_NOSELFTEST },
	{ TPM_ORD_Reset, "Reset", tpm_cmd_reset, 0, 0, T0 | AVAIL },
	{ TPM_ORD_OwnerClear, "OwnerClear", tpm_cmd_owner_clear, 0, 0,
	  T1 },
	{ TPM_ORD_DisableOwnerClear, "DisableOwnerClear",
	  tpm_cmd_disable_owner_clear, 0, 0, T1 },
	{ TPM_ORD_ForceClear, "ForceClear", tpm_cmd_force_clear, 0, 0,
	  T0 },
	{ TPM_ORD_DisableForceClear, "DisableForceClear",
	  tpm_cmd_disable_force_clear, 0, 0, T0 },
	{ TPM_ORD_GetCapability, "GetCapability", tpm_cmd_get_capability,
	  0, 0, T0 | AVAIL | CMD_FAILMODE_OK | CMD_NOSELFTEST },
	{ TPM_ORD_GetCapabilityOwner, "GetCapabilityOwner",
	  tpm_cmd_get_capability_owner, 0, 0, T1 },
	{ TPM_ORD_OwnerSetDisable, "OwnerSetDisable",
	  tpm_cmd_owner_set_disable, 0, 0, T1 | AVAIL },
	{ TPM_ORD_PhysicalEnable, "PhysicalEnable", tpm_cmd_physical_enable,
	  0, 0, T0 | AVAIL },
	{ TPM_ORD_PhysicalDisable, "PhysicalDisable",
	  tpm_cmd_physical_disable, 0, 0, T0 | CMD_DEACT_OK },
	{ TPM_ORD_SetOwnerInstall, "SetOwnerInstall",
	  tpm_cmd_set_owner_install, 0, 0, T0 },
	{ TPM_ORD_PhysicalSetDeactivated, "PhysicalSetDeactivated",
	  tpm_cmd_physical_set_deactivated, 0, 0, T0 | CMD_DEACT_OK },
	{ TPM_ORD_SetTempDeactivated, "SetTempDeactivated",
	  tpm_cmd_set_temp_deactivated, 0, 0, T01 | CMD_DISABLED_OK },
	{ TPM_ORD_SetOperatorAuth, "SetOperatorAuth",
	  tpm_cmd_set_operator_auth, 0, 0, T0 },
	{ TPM_ORD_SetOwnerPointer, "SetOwnerPointer",
	  tpm_cmd_set_owner_pointer, 0, 0, T0 },
	{ TPM_ORD_CreateEndorsementKeyPair, "CreateEndorsementKeyPair",
	  tpm_cmd_create_endorsement_key_pair, 0, 0, T0 },
	{ TPM_ORD_MakeIdentity, "MakeIdentity", tpm_cmd_make_identity,
	  0, 0, T12 },
	{ TPM_ORD_ActivateIdentity, "ActivateIdentity",
	  tpm_cmd_activate_identity, 1, 0, T12 },
	{ TPM_ORD_ReadPubek, "ReadPubek", tpm_cmd_read_pubek, 0, 0,
	  T0 },
	{ TPM_ORD_OwnerReadPubek, "OwnerReadPubek", tpm_cmd_owner_read_pubek,
	  0, 0, T1 },
	{ TPM_ORD_DisablePubekRead, "DisablePubekRead",
	  tpm_cmd_disable_pubek_read, 0, 0, T1 },
	{ TPM_ORD_CreateRevocableEK, "CreateRevocableEK",
	  tpm_cmd_create_revocable_ek, 0, 0, T0 },
	{ TPM_ORD_RevokeTrust, "RevokeTrust", tpm_cmd_revoke_trust, 0, 0,
	  T0 },
	{ TPM_ORD_OwnerReadInternalPub, "OwnerReadInternalPub",
	  tpm_cmd_owner_read_internal_pub, 0, 0, T1 },
	{ TPM_ORD_GetAuditDigest, "GetAuditDigest", tpm_cmd_get_audit_digest,
	  0, 0, T0 },
	{ TPM_ORD_GetAuditDigestSigned, "GetAuditDigestSigned",
	  tpm_cmd_get_audit_digest_signed, 1, 0, T01 },
	{ TPM_ORD_SetOrdinalAuditStatus, "SetOrdinalAuditStatus",
	  tpm_cmd_set_ordinal_audit_status, 0, 0, T1 },
	{ TPM_ORD_Terminate_Handle, "Terminate_Handle",
	  tpm_cmd_terminate_handle, 0, 0, T0 | AVAIL },
	{ TPM_ORD_SaveState, "SaveState", tpm_cmd_save_state, 0, 0,
	  T0 | AVAIL | CMD_NOSELFTEST },
	{ TPM_ORD_Startup, "Startup", tpm_cmd_startup, 0, 0,
	  T0 | AVAIL | CMD_NOSTARTUP | CMD_NOSELFTEST },
	{ TPM_ORD_SHA1Start, "SHA1Start", tpm_cmd_sha1_start, 0, 0,
	  T0 | AVAIL },
	{ TPM_ORD_SHA1Update, "SHA1Update", tpm_cmd_sha1_update, 0, 0,
	  T0 | AVAIL },
	{ TPM_ORD_SHA1Complete, "SHA1Complete", tpm_cmd_sha1_complete, 0, 0,
	  T0 | AVAIL },
	{ TPM_ORD_SHA1CompleteExtend, "SHA1CompleteExtend",
	  tpm_cmd_sha1_complete_extend, 0, 0, T0 | AVAIL },
	{ TPM_ORD_SaveKeyContext, "SaveKeyContext", tpm_cmd_save_key_context,
	  1, 0, T0 },
	{ TPM_ORD_LoadKeyContext, "LoadKeyContext", tpm_cmd_load_key_context,
	  0, 1, T0 },
	{ TPM_ORD_SaveAuthContext, "SaveAuthContext",
	  tpm_cmd_save_auth_context, 1, 0, T0 },
	{ TPM_ORD_LoadAuthContext, "LoadAuthContext",
	  tpm_cmd_load_auth_context, 0, 1, T0 },
	{ TPM_ORD_SaveContext, "SaveContext", tpm_cmd_save_context, 1, 0,
	  T0 },
	{ TPM_ORD_LoadContext, "LoadContext", tpm_cmd_load_context, 1, 1,
	  T0 },
	{ TPM_ORD_FlushSpecific, "FlushSpecific", tpm_cmd_flush_specific,
	  0, 0, T0 | AVAIL },
	{ TPM_ORD_PCR_Reset, "PCR_Reset", tpm_cmd_pcr_reset, 0, 0,
	  T0 | AVAIL },
	{ TPM_ORD_NV_DefineSpace, "NV_DefineSpace", tpm_cmd_nv_define_space,
	  0, 0, T01 | AVAIL },
	{ TPM_ORD_NV_WriteValue, "NV_WriteValue", tpm_cmd_nv_write_value,
	  0, 0, T01 | AVAIL },
	{ TPM_ORD_NV_WriteValueAuth, "NV_WriteValueAuth",
	  tpm_cmd_nv_write_value_auth, 0, 0, T1 },
	{ TPM_ORD_NV_ReadValue, "NV_ReadValue", tpm_cmd_nv_read_value, 0, 0,
	  T01 | AVAIL },
	{ TPM_ORD_NV_ReadValueAuth, "NV_ReadValueAuth",
	  tpm_cmd_nv_read_value_auth, 0, 0, T1 },
	{ TPM_ORD_Delegate_UpdateVerification, "Delegate_UpdateVerification",
	  tpm_cmd_delegate_update_verification, 0, 0, T1 },
	{ TPM_ORD_Delegate_Manage, "Delegate_Manage", tpm_cmd_delegate_manage,
	  0, 0, T01 },
	{ TPM_ORD_Delegate_CreateKeyDelegation, "Delegate_CreateKeyDelegation",
	  tpm_cmd_delegate_create_key_delegation, 1, 0, T1 },
	{ TPM_ORD_Delegate_CreateOwnerDelegation,
	  "Delegate_CreateOwnerDelegation",
	  tpm_cmd_delegate_create_owner_delegation, 0, 0, T1 },
	{ TPM_ORD_Delegate_VerifyDelegation, "Delegate_VerifyDelegation",
	  tpm_cmd_delegate_verify_delegation, 0, 0, T0 },
	{ TPM_ORD_Delegate_LoadOwnerDelegation, "Delegate_LoadOwnerDelegation",
	  tpm_cmd_delegate_load_owner_delegation, 0, 0, T01 },
	{ TPM_ORD_Delegate_ReadTable, "Delegate_ReadTable",
	  tpm_cmd_delegate_read_table, 0, 0, T0 },
	{ TPM_ORD_CreateCounter, "CreateCounter", tpm_cmd_create_counter,
	  0, 0, T1 },
	{ TPM_ORD_IncrementCounter, "IncrementCounter",
	  tpm_cmd_increment_counter, 0, 0, T1 },
	{ TPM_ORD_ReadCounter, "ReadCounter", tpm_cmd_read_counter, 0, 0,
	  T0 },
	{ TPM_ORD_ReleaseCounter, "ReleaseCounter", tpm_cmd_release_counter,
	  0, 0, T1 },
	{ TPM_ORD_ReleaseCounterOwner, "ReleaseCounterOwner",
	  tpm_cmd_release_counter_owner, 0, 0, T1 },
	/* Transport (transport.c): encHandle and transHandle are handles;
	 * ExecuteTransport's digests are its own (Part 3, 24.2 step 7). */
	{ TPM_ORD_EstablishTransport, "EstablishTransport",
	  tpm_cmd_establish_transport, 1, 1, T01 },
	{ TPM_ORD_ExecuteTransport, "ExecuteTransport",
	  tpm_cmd_execute_transport, 0, 0, T1 },
	{ TPM_ORD_ReleaseTransportSigned, "ReleaseTransportSigned",
	  tpm_cmd_release_transport_signed, 1, 0, T12 },
	{ TPM_ORD_GetTicks, "GetTicks", tpm_cmd_get_ticks, 0, 0, T0 },
	{ TPM_ORD_TickStampBlob, "TickStampBlob", tpm_cmd_tick_stamp_blob,
	  1, 0, T01 },
	{ TPM_ORD_TSC_PhysicalPresence, "TSC_PhysicalPresence",
	  tpm_cmd_tsc_physical_presence, 0, 0, T0 | AVAIL },
	{ TPM_ORD_TSC_ResetEstablishmentBit, "TSC_ResetEstablishmentBit",
	  tpm_cmd_tsc_reset_establishment_bit, 0, 0, T0 | AVAIL },
};

const struct tpm_cmd_desc *tpm_dispatch_lookup(uint32_t ordinal)
{
	size_t lo = 0, hi = ARRAY_SIZE(cmd_table);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmd_table[mid].ordinal == ordinal)
			return &cmd_table[mid];
		if (cmd_table[mid].ordinal < ordinal)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t tpm_dispatch_count(void)
{
	return ARRAY_SIZE(cmd_table);
}

const struct tpm_cmd_desc *tpm_dispatch_entry(size_t i)
{
	return i < ARRAY_SIZE(cmd_table) ? &cmd_table[i] : NULL;
}

/* Response tag for a request tag (Part 2, 6: request + 3). */
static uint16_t rsp_tag(uint16_t tag)
{
	if (tag >= TPM_TAG_RQU_COMMAND && tag <= TPM_TAG_RQU_AUTH2_COMMAND)
		return (uint16_t)(tag + 3);
	return TPM_TAG_RSP_COMMAND;
}

/*
 * A 10-byte error response.  It carries no output parameters and no auth
 * areas, so its tag is TPM_TAG_RSP_COMMAND whatever the request's tag
 * (Part 1, 11.x; libtpms and hardware TPMs answer the same way).
 */
static void error_response(TPM_RESULT rc, uint8_t *rsp, size_t *rsp_len)
{
	tb_wr_be16(rsp, TPM_TAG_RSP_COMMAND);
	tb_wr_be32(rsp + 2, TPM_HEADER_SIZE);
	tb_wr_be32(rsp + 6, rc);
	*rsp_len = TPM_HEADER_SIZE;
}

/* Part 1, 9.x: the gates a command passes before its handler runs. */
static TPM_RESULT check_state(const struct tpm_state *s,
			      const struct tpm_cmd_desc *d)
{
	if (s->failure_mode && !(d->flags & CMD_FAILMODE_OK))
		return TPM_FAILEDSELFTEST;
	if (!s->started && !(d->flags & CMD_NOSTARTUP))
		return TPM_INVALID_POSTINIT;
	if (s->started && d->ordinal == TPM_ORD_Startup)
		return TPM_INVALID_POSTINIT;
	if (s->pf.disable && !(d->flags & CMD_DISABLED_OK))
		return TPM_DISABLED;
	/* Part 1, 9.x: the permanent flag is copied into the STCLEAR one at
	 * TPM_Startup, so PhysicalSetDeactivated takes effect at the next
	 * boot; only the STCLEAR flag gates commands now. */
	if (s->sf.deactivated && !(d->flags & CMD_DEACT_OK))
		return TPM_DEACTIVATED;
	return TPM_SUCCESS;
}

/*
 * Split the trailing authorization areas off the parameters.  @params
 * covers everything after the header; on return it covers only the
 * parameters.
 */
static TPM_RESULT strip_auth(struct tpm_cmd *c, struct tpm_buf *params)
{
	size_t need = (size_t)c->nauth * TPM_AUTH_IN_SIZE;
	struct tpm_buf a;
	unsigned int i;

	if (need > params->len)
		return TPM_BAD_PARAM_SIZE;
	tb_init_read(&a, params->data + params->len - need, need);
	params->len -= need;
	params->cap = params->len;
	for (i = 0; i < c->nauth; i++) {
		struct tpm_auth_in *ai = &c->auth_in[i];

		if (tb_get_u32(&a, &ai->handle) ||
		    tb_get_bytes(&a, ai->nonce_odd, TPM_NONCE_SIZE) ||
		    tb_get_bool(&a, &ai->cont) ||
		    tb_get_bytes(&a, ai->auth, TPM_AUTH_SIZE))
			return TPM_BAD_PARAMETER;
	}
	return TPM_SUCCESS;
}

/* inParamDigest = SHA1(ordinal || parameters after the handles). */
static TPM_RESULT in_param_digest(struct tpm_cmd *c,
				  const struct tpm_buf *params)
{
	size_t skip = (size_t)c->desc->in_handles * 4;
	uint8_t ord[4];

	if (skip > params->len)
		return TPM_BAD_PARAM_SIZE;
	tb_wr_be32(ord, c->ordinal);
	if (tpm_sha1_v(c->in_digest, ord, sizeof(ord),
		       params->data + skip, params->len - skip, NULL))
		return TPM_FAIL;
	return TPM_SUCCESS;
}

/*
 * Append the response authorization areas: a fresh nonceEven per session,
 * continueAuthSession, and resAuth = HMAC(secret, outParamDigest ||
 * nonceEven || nonceOdd || continue) (Part 1, 11.2).
 */
static TPM_RESULT put_auth_out(struct tpm_cmd *c, struct tpm_buf *rsp,
			       size_t out_start)
{
	size_t skip = out_start + (size_t)c->desc->out_handles * 4;
	uint8_t digest[TPM_DIGEST_SIZE], hdr[8];
	unsigned int i;

	if (skip > rsp->len)
		return TPM_FAIL;
	tb_wr_be32(hdr, TPM_SUCCESS);
	tb_wr_be32(hdr + 4, c->ordinal);
	/* ExecuteTransport supplies its own digest and nonce (internal.h). */
	if (c->out_digest_set)
		memcpy(digest, c->out_digest, sizeof(digest));
	else if (tpm_sha1_v(digest, hdr, sizeof(hdr), rsp->data + skip,
			    rsp->len - skip, NULL))
		return TPM_FAIL;
	for (i = 0; i < c->nauth; i++) {
		struct tpm_session *sess = c->sess[i];
		uint8_t cont = c->auth_in[i].cont && !c->terminate[i];
		uint8_t *area;

		if (tb_reserve(rsp, &area, TPM_AUTH_OUT_SIZE))
			return TPM_SIZE;
		if (!c->out_digest_set &&
		    tpm_rand(sess->nonce_even, TPM_NONCE_SIZE))
			return TPM_FAIL;
		memcpy(area, sess->nonce_even, TPM_NONCE_SIZE);
		area[TPM_NONCE_SIZE] = cont;
		if (tpm_hmac_sha1_v(c->res_secret[i], TPM_SECRET_SIZE,
				    area + TPM_NONCE_SIZE + 1,
				    digest, sizeof(digest),
				    sess->nonce_even, TPM_NONCE_SIZE,
				    c->auth_in[i].nonce_odd, TPM_NONCE_SIZE,
				    &cont, (size_t)1, NULL))
			return TPM_FAIL;
	}
	return TPM_SUCCESS;
}

/* Close the sessions of a command that failed or asked to end them. */
static void end_sessions(struct tpm_cmd *c, bool failed)
{
	unsigned int i;

	for (i = 0; i < c->nauth; i++) {
		struct tpm_session *sess;

		/* Part 1, 11.x: on any error the TPM terminates the
		 * sessions the command carried, authorized or not. */
		sess = c->sess[i] ? c->sess[i] :
			tpm_session_find(c->s, c->auth_in[i].handle);
		if (!sess)
			continue;
		/* A transport session ends only when a transport command
		 * says so (transport.c sets terminate; Part 3, 24). */
		if (sess->type == SESS_TRANSPORT) {
			if (c->terminate[i])
				tpm_session_free(sess);
			continue;
		}
		if (failed || !c->auth_in[i].cont || c->terminate[i])
			tpm_session_free(sess);
	}
}

static TPM_RESULT run_command(struct tpm_cmd *c, struct tpm_buf *params,
			      struct tpm_buf *rsp)
{
	struct tpm_buf out;
	unsigned int i;
	TPM_RESULT rc;
	bool audited;

	rc = check_state(c->s, c->desc);
	if (rc)
		return rc;
	/* Part 3, 3.3: the TPM_SaveState snapshot dies with the first
	 * command after it, except Startup (which consumes it) and the
	 * read-only queries. */
	if (c->ordinal != TPM_ORD_Startup &&
	    c->ordinal != TPM_ORD_GetCapability &&
	    c->ordinal != TPM_ORD_GetTestResult)
		tpm_saved_state_invalidate(c->s);
	/* Auditing (audit.c, Part 1 8): whether a command is audited is
	 * decided before it runs (corner case 3.b, SetOrdinalAuditStatus),
	 * and an audited command needs inParamDigest even without auth
	 * areas; unaudited unauthorized commands skip the SHA-1. */
	audited = tpm_audit_is_audited(c->s, c->ordinal);
	if (c->nauth || audited) {
		rc = in_param_digest(c, params);
		if (rc)
			return rc;
	}
	if (audited) {
		rc = tpm_audit_before(c);
		if (rc)
			return rc;
	}
	/* Output parameters go after the header; room is kept for the
	 * response auth areas so a handler can never crowd them out. */
	tb_init_write(&out, rsp->data + TPM_HEADER_SIZE,
		      rsp->cap - TPM_HEADER_SIZE -
		      (size_t)c->nauth * TPM_AUTH_OUT_SIZE);
	rc = c->desc->fn(c, params, &out);
	if (rc)
		return rc;
	for (i = 0; i < c->nauth; i++) {
		/* Our invariant: a handler that accepts an auth area has
		 * verified it.  A bug here must not pass unauthorized. */
		if (!c->sess[i])
			return TPM_AUTHFAIL;
	}
	rsp->len = TPM_HEADER_SIZE + out.len;
	/* Unauthorized commands need no outParamDigest: skip the SHA-1. */
	if (c->nauth) {
		rc = put_auth_out(c, rsp, TPM_HEADER_SIZE);
		if (rc)
			return rc;
	}
	/* Part 1, 8: only a successful command is audited, with its output
	 * parameters after the output handles. */
	if (audited) {
		size_t skip = (size_t)c->desc->out_handles * 4;

		if (skip > out.len)
			return TPM_FAIL;
		return tpm_audit_after(c, out.data + skip, out.len - skip);
	}
	return TPM_SUCCESS;
}

/*
 * The whole command path.  @wrapped: the command came out of
 * TPM_ExecuteTransport (tpm_execute_wrapped()), so it runs inside its
 * transport session and does not count as a command "outside" it.
 */
static int execute(struct tpm_state *s, const uint8_t *cmd, size_t len,
		   uint8_t *rsp, size_t *rsp_len, bool wrapped)
{
	struct tpm_buf params, r;
	struct tpm_cmd c;
	uint32_t size;
	TPM_RESULT rc;

	if (!rsp || !rsp_len)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.s = s;
	/* Part 1, 10.x: anything shorter than a header, or whose paramSize
	 * is not its length, is malformed before its tag is looked at. */
	if (!s || !cmd || len < TPM_HEADER_SIZE ||
	    len > TPM_MAX_COMMAND_SIZE) {
		error_response(TPM_BAD_PARAM_SIZE, rsp, rsp_len);
		return 0;
	}
	c.tag = tb_be16(cmd);
	size = tb_be32(cmd + 2);
	c.ordinal = tb_be32(cmd + 6);
	/* Part 3, 13.1: any command other than the SHA-1 thread's own ends
	 * the thread, whether or not it is itself well formed. */
	tpm_sha1_thread_notify(s, c.ordinal);
	if (c.tag < TPM_TAG_RQU_COMMAND || c.tag > TPM_TAG_RQU_AUTH2_COMMAND) {
		rc = TPM_BADTAG;
		goto out_error;
	}
	if (size != len) {
		rc = TPM_BAD_PARAM_SIZE;
		goto out_error;
	}
	/* Part 1, 24.x (exclusive transport): any command but
	 * ExecuteTransport/ReleaseTransportSigned on the exclusive session
	 * ends that session; commands it wraps run inside it.  A wrapped
	 * command can never be a transport command (Part 3, 24.2 step 9). */
	if (!wrapped) {
		tpm_transport_notify(s, c.ordinal);
	} else if (!tpm_transport_wrappable(c.ordinal)) {
		rc = TPM_NO_WRAP_TRANSPORT;
		goto out_error;
	}
	c.desc = tpm_dispatch_lookup(c.ordinal);
	if (!c.desc) {
		rc = TPM_BAD_ORDINAL;
		goto out_error;
	}
	c.nauth = c.tag - TPM_TAG_RQU_COMMAND;
	if (!(c.desc->flags & (CMD_TAG_RQU << c.nauth))) {
		rc = TPM_BADTAG;
		goto out_error;
	}
	tb_init_read(&params, cmd + TPM_HEADER_SIZE, len - TPM_HEADER_SIZE);
	rc = strip_auth(&c, &params);
	if (rc)
		goto out_error;

	tb_init_write(&r, rsp, TPM_MAX_COMMAND_SIZE);
	rc = run_command(&c, &params, &r);
	end_sessions(&c, rc != TPM_SUCCESS);
	tpm_wipe(c.res_secret, sizeof(c.res_secret));
	if (rc)
		goto out_error;
	tb_wr_be16(rsp, rsp_tag(c.tag));
	tb_wr_be32(rsp + 2, (uint32_t)r.len);
	tb_wr_be32(rsp + 6, TPM_SUCCESS);
	*rsp_len = r.len;
	return 0;

out_error:
	error_response(rc, rsp, rsp_len);
	return 0;
}

int tpm_execute(struct tpm_state *s, const uint8_t *cmd, size_t len,
		uint8_t *rsp, size_t *rsp_len)
{
	return execute(s, cmd, len, rsp, rsp_len, false);
}

int tpm_execute_wrapped(struct tpm_state *s, const uint8_t *cmd, size_t len,
			uint8_t *rsp, size_t *rsp_len)
{
	return execute(s, cmd, len, rsp, rsp_len, true);
}
