// SPDX-License-Identifier: GPL-2.0
/*
 * Two stand-alone resets that belong to no command family: TPM_Reset
 * (Part 3, 27.5, deprecated: ends the authorization sessions) and
 * TSC_ResetEstablishmentBit (Part 3, 6.7: clears tpmEstablished from
 * locality 3 or 4).  No state of its own; it never touches keys or NV.
 */
#include "internal.h"

/* Part 3, 6.7 step 1: the localities that may reset the bit. */
#define ESTABLISHMENT_LOCALITY_MIN	3U

/* Part 3, 27.5 TPM_Reset */
TPM_RESULT tpm_cmd_reset(struct tpm_cmd *c, struct tpm_buf *in,
			 struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	unsigned int i;

	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/*
	 * Action 1: invalidate the authorization sessions "as per version
	 * 1.1".  The 1.2 note says the command is not extended to other
	 * entities, so transport sessions survive (as in libtpms); DSAP
	 * sessions are authorization sessions and end too.
	 */
	for (i = 0; i < TPM_MAX_SESSIONS; i++) {
		struct tpm_session *sess = &s->sessions[i];

		if (sess->type != SESS_NONE && sess->type != SESS_TRANSPORT)
			tpm_session_free(sess);
	}
	return TPM_SUCCESS;
}

/* Part 3, 6.7 TSC_ResetEstablishmentBit */
TPM_RESULT tpm_cmd_tsc_reset_establishment_bit(struct tpm_cmd *c,
					       struct tpm_buf *in,
					       struct tpm_buf *out)
{
	struct tpm_state *s = c->s;

	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: only locality 3 or 4 may do this, else TPM_BAD_LOCALITY. */
	if (s->locality < ESTABLISHMENT_LOCALITY_MIN)
		return TPM_BAD_LOCALITY;
	/* Step 2: tpmEstablished is a permanent flag. */
	tpm_set_pflag(s, &s->pf.tpm_established, false);
	return TPM_SUCCESS;
}
