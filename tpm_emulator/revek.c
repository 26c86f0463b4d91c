// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable endorsement keys (Part 3, 14.2-14.3): CreateRevocableEK makes
 * an EK that RevokeTrust may later destroy, with the owner, given EKreset
 * and physical presence.  EK generation and the OwnerClear actions belong
 * to owner.c; this file only decides when they run.
 */
#include "internal.h"

/* Part 3, 14.2 TPM_CreateRevocableEK */
TPM_RESULT tpm_cmd_create_revocable_ek(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out)
{
	uint8_t anti_replay[TPM_NONCE_SIZE], input_reset[TPM_NONCE_SIZE];
	struct tpm_state *s = c->s;
	struct tpm_key_parms parms;
	bool generate_reset;
	TPM_RESULT rc;

	if (tb_get_bytes(in, anti_replay, sizeof(anti_replay)))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_key_parms_get(in, &parms, NULL);
	if (rc)
		return rc;
	if (tb_get_bool(in, &generate_reset) ||
	    tb_get_bytes(in, input_reset, sizeof(input_reset)) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1-2: the actions of CreateEndorsementKeyPair; step 3 sets
	 * enableRevokeEK. */
	rc = tpm_ek_create(s, &parms, true);
	if (rc)
		return rc;
	/* Step 3 */
	if (generate_reset) {
		if (tpm_rand(s->pd.ek_reset, TPM_NONCE_SIZE))
			return TPM_FAIL;
	} else {
		memcpy(s->pd.ek_reset, input_reset, TPM_NONCE_SIZE);
	}
	tpm_wipe(input_reset, sizeof(input_reset));
	tpm_mark_dirty(s);
	/* Step 4: PUBEK, checksum, outputEKreset. */
	rc = tpm_pubek_put(s, out, anti_replay, true);
	if (rc)
		return rc;
	return tb_put_bytes(out, s->pd.ek_reset, TPM_NONCE_SIZE) ? TPM_SIZE :
								   TPM_SUCCESS;
}

/* Step 4.a: owner-authorized NV areas go whatever their D bit. */
static void nv_owner_areas_clear(struct tpm_state *s)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		struct tpm_nv_area *a = &s->pd.nv[i];

		if (!a->valid || !(a->permission & (TPM_NV_PER_OWNERWRITE |
						    TPM_NV_PER_OWNERREAD)))
			continue;
		tpm_sessions_invalidate_entity(s, TPM_ET_NV, a->index);
		tpm_nv_area_clear(a);
	}
}

/* Part 3, 14.3 TPM_RevokeTrust */
TPM_RESULT tpm_cmd_revoke_trust(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out)
{
	uint8_t ek_reset[TPM_NONCE_SIZE];
	struct tpm_state *s = c->s;
	int diff;

	(void)out;
	if (tb_get_bytes(in, ek_reset, sizeof(ek_reset)) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	if (!s->pf.enable_revoke_ek)
		return TPM_PERMANENTEK;
	/* Step 2 */
	diff = tpm_memcmp_ct(ek_reset, s->pd.ek_reset, TPM_NONCE_SIZE);
	tpm_wipe(ek_reset, sizeof(ek_reset));
	if (diff)
		return TPM_AUTHFAIL;
	/* Step 3 */
	if (!tpm_physical_presence(s))
		return TPM_BAD_PRESENCE;
	/* Step 4: the OwnerClear actions, D-bit areas included (4.a). */
	tpm_owner_clear_actions(s);
	nv_owner_areas_clear(s);
	s->pf.nv_locked = false;		/* 4.b */
	/* Step 5 */
	tpm_key_clear(&s->pd.ek);
	/* Steps 6-7 */
	s->pf.cekp_used = false;
	s->pf.enable_revoke_ek = false;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}
