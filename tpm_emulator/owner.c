// SPDX-License-Identifier: GPL-2.0
/*
 * Ownership and the endorsement key (Part 3, 6, 14, 17.2 and 27.6-27.7):
 * creating and reading the EK, taking, clearing and re-keying ownership.
 * Everything here is persistent state: every change marks it dirty.  Key
 * generation and wrapping belong to keys.c; this file only drives them.
 */
#include "internal.h"

/* Part 2, 5.1: the TPM_STRUCT_VER of a TPM_KEY made by a 1.2 TPM. */
static const uint8_t key_struct_ver[4] = { 1, 1, 0, 0 };

int tpm_ek_generate(struct tpm_state *s, const struct tpm_key_parms *parms)
{
	struct tpm_key *ek = &s->pd.ek;
	int err;

	tpm_key_clear(ek);	/* leaves it zeroed */
	/* Part 3, 14.1 step 3: a storage-like RSA key with OAEP and no
	 * signature scheme, no PCR binding, always authorized. */
	memcpy(ek->ver, key_struct_ver, sizeof(ek->ver));
	ek->usage = TPM_KEY_STORAGE;
	ek->auth_usage = TPM_AUTH_ALWAYS;
	ek->parms = *parms;
	ek->parms.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1;
	ek->parms.sig_scheme = TPM_SS_NONE;
	ek->pcr.kind = PCR_INFO_NONE;
	err = tpm_key_generate(ek);
	if (err) {
		tpm_key_clear(ek);
		return err;
	}
	ek->valid = true;
	ek->handle = TPM_KH_EK;
	tpm_mark_dirty(s);
	/* Part 2, 7.4: tpmDAASeed, daaProof, daaBlobKey change with the EK
	 * (issue 3: daa). */
	return tpm_daa_generate_secrets(s);
}

/* Part 3, 14.1 step 2: the keyInfo this TPM can make an EK from. */
static TPM_RESULT ek_parms_check(const struct tpm_key_parms *p)
{
	/* 2.a: RSA of at least 2048 bits; this TPM makes exactly 2048. */
	if (p->algorithm != TPM_ALG_RSA || p->key_bits != TPM_MAX_KEY_BITS ||
	    p->num_primes != 2)
		return TPM_BAD_KEY_PROPERTY;
	/* Step 3 sets OAEP; like hardware TPMs, refuse a caller asking for
	 * anything else rather than silently change it. */
	if (p->enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1)
		return TPM_BAD_KEY_PROPERTY;
	return TPM_SUCCESS;
}

/* TPM_PUBKEY of the EK, then checksum = SHA1(PUBEK || antiReplay). */
TPM_RESULT tpm_pubek_put(const struct tpm_state *s, struct tpm_buf *out,
			 const uint8_t anti_replay[TPM_NONCE_SIZE],
			 bool with_checksum)
{
	uint8_t checksum[TPM_DIGEST_SIZE];

	if (tpm_pubkey_put(out, &s->pd.ek))
		return TPM_SIZE;
	if (!with_checksum)
		return TPM_SUCCESS;
	if (tpm_pubkey_checksum(&s->pd.ek, anti_replay, checksum))
		return TPM_FAIL;
	if (tb_put_bytes(out, checksum, sizeof(checksum)))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_ek_create(struct tpm_state *s,
			 const struct tpm_key_parms *key_info, bool revocable)
{
	struct tpm_key_parms parms = *key_info;
	TPM_RESULT rc;

	/* Step 1: an EK exists. */
	if (s->pd.ek.valid)
		return TPM_DISABLED_CMD;
	/* Step 2 */
	rc = ek_parms_check(&parms);
	if (rc)
		return rc;
	/* Steps 3 and 5: make and keep the pair (default exponent). */
	parms.exp_size = 0;
	if (tpm_ek_generate(s, &parms))
		return TPM_FAIL;
	/* Steps 9-10; CreateRevocableEK step 3 sets enableRevokeEK. */
	s->pf.cekp_used = true;
	s->pf.enable_revoke_ek = revocable;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/* Part 3, 14.1 TPM_CreateEndorsementKeyPair */
TPM_RESULT tpm_cmd_create_endorsement_key_pair(struct tpm_cmd *c,
					       struct tpm_buf *in,
					       struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE];
	struct tpm_state *s = c->s;
	struct tpm_key_parms parms;
	TPM_RESULT rc;

	if (tb_get_bytes(in, anti_replay, sizeof(anti_replay)))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_parms_get(in, &parms, NULL);
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-3, 5, 9-10 */
	rc = tpm_ek_create(s, &parms, false);
	if (rc)
		return rc;
	/* Step 4: PUBEK and checksum. */
	return tpm_pubek_put(s, out, anti_replay, true);
}

/* Part 3, 14.4 TPM_ReadPubek */
TPM_RESULT tpm_cmd_read_pubek(struct tpm_cmd *c, struct tpm_buf *in,
			      struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE];
	const struct tpm_state *s = c->s;

	if (tb_get_bytes(in, anti_replay, sizeof(anti_replay)) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	if (!s->pf.read_pubek)
		return TPM_DISABLED_CMD;
	/* Step 2 */
	if (!s->pd.ek.valid)
		return TPM_NO_ENDORSEMENT;
	/* Steps 3-4 */
	return tpm_pubek_put(s, out, anti_replay, true);
}

/* Part 3, 27.6 TPM_OwnerReadPubek */
TPM_RESULT tpm_cmd_owner_read_pubek(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out)
{
	TPM_RESULT rc;

	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	if (!c->s->pd.ek.valid)
		return TPM_NO_ENDORSEMENT;
	/* Step 2 */
	return tpm_pubek_put(c->s, out, NULL, false);
}

/* Part 3, 14.5 TPM_OwnerReadInternalPub */
TPM_RESULT tpm_cmd_owner_read_internal_pub(struct tpm_cmd *c,
					   struct tpm_buf *in,
					   struct tpm_buf *out)
{
	const struct tpm_key *k;
	uint32_t handle;
	TPM_RESULT rc;

	/* keyHandle is a parameter here (it is in the HMAC), so that it
	 * cannot be swapped from the SRK to the EK on the way. */
	if (tb_get_u32(in, &handle) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Steps 2-4 */
	if (handle == TPM_KH_EK)
		k = &c->s->pd.ek;
	else if (handle == TPM_KH_SRK)
		k = &c->s->pd.srk;
	else
		return TPM_BAD_PARAMETER;
	if (!k->valid)
		return handle == TPM_KH_EK ? TPM_NO_ENDORSEMENT : TPM_NOSRK;
	/* Step 5 */
	return tpm_pubkey_put(out, k) ? TPM_SIZE : TPM_SUCCESS;
}

TPM_RESULT tpm_owner_set_pflag(struct tpm_cmd *c, struct tpm_buf *in,
			       bool *flag, bool value)
{
	TPM_RESULT rc;

	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_auth_owner(c);
	if (!rc)
		tpm_set_pflag(c->s, flag, value);
	return rc;
}

/* Part 3, 27.7 TPM_DisablePubekRead (step 1) */
TPM_RESULT tpm_cmd_disable_pubek_read(struct tpm_cmd *c, struct tpm_buf *in,
				      struct tpm_buf *out)
{
	(void)out;
	return tpm_owner_set_pflag(c, in, &c->s->pf.read_pubek, false);
}

/* A 20-byte secret encrypted under the PUBEK (Part 3, 6.1 steps 6, 10). */
static TPM_RESULT ek_decrypt_secret(const struct tpm_state *s,
				    const uint8_t *enc, uint32_t enc_len,
				    uint8_t secret[TPM_SECRET_SIZE])
{
	uint8_t buf[TPM_MAX_KEY_BYTES];
	size_t n = 0;
	TPM_RESULT rc = TPM_SUCCESS;

	if (tpm_rsa_oaep_decrypt(s->pd.ek.rsa, enc, enc_len, buf,
				 sizeof(buf), &n))
		rc = TPM_DECRYPT_ERROR;
	else if (n != TPM_SECRET_SIZE)
		rc = TPM_BAD_KEY_PROPERTY;	/* steps 6.b, 10.b */
	else
		memcpy(secret, buf, TPM_SECRET_SIZE);
	tpm_wipe(buf, sizeof(buf));
	return rc;
}

/* Part 3, 6.1 step 8: srkParams must describe a proper SRK. */
static TPM_RESULT srk_params_check(const struct tpm_state *s,
				   const struct tpm_key *k)
{
	const struct tpm_key_parms *p = &k->parms;

	/* 8.a, 8.b */
	if (k->usage != TPM_KEY_STORAGE ||
	    (k->flags & TPM_KEY_FLAG_MIGRATABLE))
		return TPM_INVALID_KEYUSAGE;
	/* 8.c-8.g: RSA, OAEP, no signatures, >= 2048 bits, default
	 * exponent. */
	if (p->algorithm != TPM_ALG_RSA ||
	    p->enc_scheme != TPM_ES_RSAESOAEP_SHA1_MGF1 ||
	    p->sig_scheme != TPM_SS_NONE || p->key_bits < 2048 ||
	    p->exp_size != 0)
		return TPM_BAD_KEY_PROPERTY;
	/* 8.h */
	if (s->pf.fips && k->auth_usage == TPM_AUTH_NEVER)
		return TPM_NOTFIPS;
	return TPM_SUCCESS;
}

/* TakeOwnership inputs (Part 3, 6.1). */
struct take_ownership_in {
	uint16_t protocol_id;
	const uint8_t *enc_owner;
	uint32_t enc_owner_len;
	const uint8_t *enc_srk;
	uint32_t enc_srk_len;
	struct tpm_key srk;	/* srkParams (public fields only) */
};

/* Part 3, 6.1 steps 9-17: make the SRK and install the owner. */
static TPM_RESULT install_owner(struct tpm_state *s,
				struct take_ownership_in *ti,
				const uint8_t owner_auth[TPM_SECRET_SIZE])
{
	struct tpm_key *srk = &s->pd.srk;
	uint8_t srk_auth[TPM_SECRET_SIZE];
	TPM_RESULT rc;

	/* Step 10: A2, the SRK's usage secret. */
	rc = ek_decrypt_secret(s, ti->enc_srk, ti->enc_srk_len, srk_auth);
	if (rc)
		return rc;
	/* Step 15 (first: the SRK's migrationAuth is tpmProof) and 13. */
	if (tpm_rand(s->pd.tpm_proof, TPM_SECRET_SIZE) ||
	    tpm_rand(s->pd.context_key, sizeof(s->pd.context_key))) {
		tpm_wipe(srk_auth, sizeof(srk_auth));
		return TPM_FAIL;
	}
	/* Steps 9, 10.c, 11: K1 from srkParams, with A2 and tpmProof. */
	tpm_key_clear(srk);
	*srk = ti->srk;
	memcpy(srk->usage_auth, srk_auth, TPM_SECRET_SIZE);
	memcpy(srk->migration_auth, s->pd.tpm_proof, TPM_SECRET_SIZE);
	tpm_wipe(srk_auth, sizeof(srk_auth));
	rc = tpm_srk_create(s, srk);
	if (rc) {
		tpm_key_clear(srk);
		return rc;
	}
	/* Step 12: A1 is the owner's secret. */
	memcpy(s->pd.owner_auth, owner_auth, TPM_SECRET_SIZE);
	s->pf.owner_installed = true;
	/* Step 17 */
	s->pf.read_pubek = false;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/* Part 3, 6.1 steps 1-8: everything checked before anything changes. */
static TPM_RESULT take_ownership_check(struct tpm_cmd *c,
				       struct take_ownership_in *ti,
				       uint8_t owner_auth[TPM_SECRET_SIZE])
{
	struct tpm_state *s = c->s;
	struct tpm_session *sess;
	TPM_RESULT rc;

	if (s->pf.owner_installed)
		return TPM_OWNER_SET;		/* step 1 */
	if (s->pd.no_owner_install)
		return TPM_INSTALL_DISABLED;	/* step 2 */
	if (!s->pd.ek.valid || !s->pd.ek.rsa)
		return TPM_NO_ENDORSEMENT;	/* step 3 */
	/* Step 4: the session must be OIAP (there is no owner to OSAP). */
	sess = tpm_session_find(s, c->auth_in[0].handle);
	if (!sess)
		return TPM_INVALID_AUTHHANDLE;
	if (sess->type != SESS_OIAP)
		return TPM_AUTHFAIL;
	if (ti->protocol_id != TPM_PID_OWNER)
		return TPM_BAD_PARAMETER;	/* step 5 */
	/* Step 6: A1; step 7: the HMAC is keyed with it. */
	rc = ek_decrypt_secret(s, ti->enc_owner, ti->enc_owner_len,
			       owner_auth);
	if (rc)
		return rc;
	rc = tpm_auth_check(c, 0, TPM_ET_OWNER, TPM_KH_OWNER, owner_auth);
	if (rc)
		return rc;
	return srk_params_check(s, &ti->srk);	/* step 8 */
}

/* Part 3, 6.1 TPM_TakeOwnership */
TPM_RESULT tpm_cmd_take_ownership(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	uint8_t owner_auth[TPM_SECRET_SIZE];
	struct take_ownership_in ti;
	TPM_RESULT rc;

	memset(&ti, 0, sizeof(ti));
	if (tb_get_u16(in, &ti.protocol_id) ||
	    tb_get_sized(in, &ti.enc_owner, &ti.enc_owner_len,
			 TPM_MAX_KEY_BYTES) ||
	    tb_get_sized(in, &ti.enc_srk, &ti.enc_srk_len,
			 TPM_MAX_KEY_BYTES))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_get(in, &ti.srk, NULL, NULL);
	if (rc)
		return rc;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;

	rc = take_ownership_check(c, &ti, owner_auth);
	if (!rc)
		rc = install_owner(c->s, &ti, owner_auth);
	tpm_wipe(owner_auth, sizeof(owner_auth));
	if (rc)
		return rc;
	/* Step 16: srkPub, the SRK's TPM_KEY with empty encData.  Step 18
	 * (resAuth keyed with the new ownerAuth) is dispatch's, from the
	 * secret the HMAC was checked with. */
	return tpm_key_put(out, &c->s->pd.srk, NULL, 0) ? TPM_SIZE :
							   TPM_SUCCESS;
}

void tpm_owner_clear_actions(struct tpm_state *s)
{
	struct tpm_permanent_data *pd = &s->pd;
	struct tpm_permanent_flags *pf = &s->pf;
	unsigned int i;

	/* Step 3: unload every key, owner-evict keys included. */
	tpm_keys_flush_all(s, false);
	/* Step 5: invalidate ownerAuth, SRK, contextKey, tpmProof,
	 * operatorAuth (the EK, DIR and counter base stay: step 4). */
	tpm_wipe(pd->owner_auth, sizeof(pd->owner_auth));
	tpm_key_clear(&pd->srk);
	tpm_wipe(pd->context_key, sizeof(pd->context_key));
	tpm_wipe(pd->tpm_proof, sizeof(pd->tpm_proof));
	tpm_wipe(pd->operator_auth, sizeof(pd->operator_auth));
	/* Step 6: manufacturing defaults. */
	pd->nv_writes_noowner = 0;
	/* audit.c: default audit set, audit digest closed. */
	tpm_audit_owner_clear(s);
	/* Steps 7, 8, 14: every session; STCLEAR data but the PCRs. */
	tpm_sessions_clear(s);
	tpm_daa_sessions_clear(s);	/* issue 3: daa */
	s->sd.count_id = 0;
	s->sd.deferred_physical_presence = 0;
	s->sd.disable_reset_lock = false;
	/* Step 9: flags to their Part 2 defaults; the TPM comes back
	 * disabled and deactivated, as hardware does. */
	pf->disable = true;
	pf->deactivated = true;
	pf->read_pubek = true;
	pf->disable_owner_clear = false;
	pf->disable_full_da_logic_info = false;
	pf->allow_maintenance = true;
	pf->read_srk_pub = false;
	/* Step 10 */
	pf->owner_installed = false;
	pd->no_owner_install = false;
	pf->operator_ = false;
	pf->maintenance_done = false;
	/* Step 11: release every counter; counter_next keeps the values
	 * monotonic. */
	for (i = 0; i < TPM_MAX_COUNTERS; i++)
		tpm_wipe(&pd->counters[i], sizeof(pd->counters[i]));
	/* Step 12: owner-authorized NV areas without the D bit. */
	tpm_nv_owner_clear(s);
	/* The dictionary-attack state belongs to the old owner. */
	pd->da_failures = 0;
	s->da_lock_until_us = 0;
	/* Delegation tables and key (issue 3: delegation). */
	tpm_delegation_owner_clear(s);
	tpm_mark_dirty(s);
}

/* Part 3, 6.2 TPM_OwnerClear */
TPM_RESULT tpm_cmd_owner_clear(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out)
{
	TPM_RESULT rc;

	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2 */
	if (c->s->pf.disable_owner_clear)
		return TPM_CLEAR_DISABLED;
	/* Steps 3-14; the session ends with the owner (continueAuthSession
	 * is FALSE in the response, which is keyed with the old secret). */
	tpm_owner_clear_actions(c->s);
	c->terminate[0] = true;
	return TPM_SUCCESS;
}

/* Part 3, 6.3 TPM_ForceClear */
TPM_RESULT tpm_cmd_force_clear(struct tpm_cmd *c, struct tpm_buf *in,
			       struct tpm_buf *out)
{
	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	if (!tpm_physical_presence(c->s))
		return TPM_BAD_PRESENCE;
	/* Step 2 */
	if (c->s->sf.disable_force_clear)
		return TPM_CLEAR_DISABLED;
	/* Step 3: the OwnerClear actions, also without an owner. */
	tpm_owner_clear_actions(c->s);
	return TPM_SUCCESS;
}

/* Part 3, 6.4 TPM_DisableOwnerClear (steps 1-2); only ForceClear resets
 * the flag. */
TPM_RESULT tpm_cmd_disable_owner_clear(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out)
{
	(void)out;
	return tpm_owner_set_pflag(c, in, &c->s->pf.disable_owner_clear, true);
}

/* Part 3, 6.5 TPM_DisableForceClear: until the next Startup. */
TPM_RESULT tpm_cmd_disable_force_clear(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out)
{
	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	c->s->sf.disable_force_clear = true;
	return TPM_SUCCESS;
}

/* Part 3, 17.2 step 8: end the OSAP/DSAP sessions bound to the entity
 * whose secret changed (all owner sessions for the owner), except the
 * command's own, which dispatch ends after the response. */
static void end_entity_sessions(struct tpm_cmd *c, uint16_t et)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_SESSIONS; i++) {
		struct tpm_session *sess = &c->s->sessions[i];
		uint16_t t = sess->entity_type & 0xFF;

		if (sess == c->sess[0] ||
		    (sess->type != SESS_OSAP && sess->type != SESS_DSAP))
			continue;
		if (t == et || (et == TPM_ET_SRK && t == TPM_ET_KEYHANDLE &&
				sess->entity_value == TPM_KH_SRK))
			tpm_session_free(sess);
	}
}

/* Part 3, 17.2 TPM_ChangeAuthOwner */
TPM_RESULT tpm_cmd_change_auth_owner(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	uint8_t enc[TPM_SECRET_SIZE], secret[TPM_SECRET_SIZE];
	struct tpm_state *s = c->s;
	uint16_t protocol_id, et;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u16(in, &protocol_id) ||
	    tb_get_bytes(in, enc, sizeof(enc)) || tb_get_u16(in, &et) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	if (!s->pf.owner_installed)
		return TPM_NOSRK;
	/* Steps 1-2: an OSAP session for the owner. */
	rc = tpm_auth_require_osap(c, 0);
	if (!rc)
		rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 6: the session ends whatever happens next. */
	c->terminate[0] = true;
	if (protocol_id != TPM_PID_ADCP)
		return TPM_BAD_PARAMETER;	/* step 3 */
	if (et != TPM_ET_OWNER && et != TPM_ET_SRK)
		return TPM_WRONG_ENTITYTYPE;	/* step 4 */
	/* Step 5: ADIP with the session's shared secret. */
	rc = tpm_auth_decrypt(c, 0, enc, secret, false);
	if (rc)
		return rc;
	/* Step 7 */
	memcpy(et == TPM_ET_OWNER ? s->pd.owner_auth : s->pd.srk.usage_auth,
	       secret, TPM_SECRET_SIZE);
	tpm_wipe(secret, sizeof(secret));
	end_entity_sessions(c, TPM_ET_OWNER);
	if (et == TPM_ET_SRK)
		end_entity_sessions(c, TPM_ET_SRK);
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}
