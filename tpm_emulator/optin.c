// SPDX-License-Identifier: GPL-2.0
/*
 * Opt-in and physical presence (Part 3, 5 and 6.6): the commands that
 * enable, activate and open the TPM for an owner, and the software
 * physical-presence signal of TSC_PhysicalPresence.  A vTPM has no
 * hardware presence pin, so presence is only ever asserted by command.
 */
#include "internal.h"

/* Part 2, 4.9: every TPM_PHYSICAL_PRESENCE bit this TPM knows. */
#define PP_LIFETIME_BITS	(TPM_PHYSICAL_PRESENCE_LIFETIME_LOCK | \
				 TPM_PHYSICAL_PRESENCE_HW_ENABLE | \
				 TPM_PHYSICAL_PRESENCE_CMD_ENABLE | \
				 TPM_PHYSICAL_PRESENCE_HW_DISABLE | \
				 TPM_PHYSICAL_PRESENCE_CMD_DISABLE)
#define PP_ASSERT_BITS		(TPM_PHYSICAL_PRESENCE_LOCK | \
				 TPM_PHYSICAL_PRESENCE_PRESENT | \
				 TPM_PHYSICAL_PRESENCE_NOTPRESENT)

bool tpm_physical_presence(const struct tpm_state *s)
{
	/* Part 1, 12.x: the command signal counts only while software
	 * presence is enabled; there is no hardware signal here. */
	return s->pf.physical_presence_cmd_enable && s->sf.physical_presence;
}

/* Set a permanent flag, marking the state dirty only on a change. */
/* Part 3, 6.6 step 2: the lifetime settings (A1). */
static TPM_RESULT pp_lifetime(struct tpm_state *s, uint16_t pp)
{
	/* 2.a: frozen once the lifetime lock is set. */
	if (s->pf.physical_presence_lifetime_lock)
		return TPM_BAD_PARAMETER;
	/* 2.c, 2.d: contradictory requests. */
	if ((pp & TPM_PHYSICAL_PRESENCE_HW_ENABLE) &&
	    (pp & TPM_PHYSICAL_PRESENCE_HW_DISABLE))
		return TPM_BAD_PARAMETER;
	if ((pp & TPM_PHYSICAL_PRESENCE_CMD_ENABLE) &&
	    (pp & TPM_PHYSICAL_PRESENCE_CMD_DISABLE))
		return TPM_BAD_PARAMETER;
	/* 2.e-2.i */
	if (pp & TPM_PHYSICAL_PRESENCE_HW_ENABLE)
		tpm_set_pflag(s, &s->pf.physical_presence_hw_enable, true);
	if (pp & TPM_PHYSICAL_PRESENCE_HW_DISABLE)
		tpm_set_pflag(s, &s->pf.physical_presence_hw_enable, false);
	if (pp & TPM_PHYSICAL_PRESENCE_CMD_ENABLE)
		tpm_set_pflag(s, &s->pf.physical_presence_cmd_enable, true);
	if (pp & TPM_PHYSICAL_PRESENCE_CMD_DISABLE)
		tpm_set_pflag(s, &s->pf.physical_presence_cmd_enable, false);
	if (pp & TPM_PHYSICAL_PRESENCE_LIFETIME_LOCK)
		tpm_set_pflag(s, &s->pf.physical_presence_lifetime_lock, true);
	return TPM_SUCCESS;
}

/* Part 3, 6.6 step 3: the assertion settings (A2). */
static TPM_RESULT pp_assert(struct tpm_state *s, uint16_t pp)
{
	/* 3.b: software presence must be enabled. */
	if (!s->pf.physical_presence_cmd_enable)
		return TPM_BAD_PARAMETER;
	/* 3.c, 3.d: contradictory requests. */
	if ((pp & TPM_PHYSICAL_PRESENCE_LOCK) &&
	    (pp & TPM_PHYSICAL_PRESENCE_PRESENT))
		return TPM_BAD_PARAMETER;
	if ((pp & TPM_PHYSICAL_PRESENCE_PRESENT) &&
	    (pp & TPM_PHYSICAL_PRESENCE_NOTPRESENT))
		return TPM_BAD_PARAMETER;
	/* 3.e: locked until the next Startup(CLEAR). */
	if (s->sf.physical_presence_lock)
		return TPM_BAD_PARAMETER;
	/* 3.f-3.h */
	if (pp & TPM_PHYSICAL_PRESENCE_LOCK) {
		s->sf.physical_presence = false;
		s->sf.physical_presence_lock = true;
	}
	if (pp & TPM_PHYSICAL_PRESENCE_PRESENT)
		s->sf.physical_presence = true;
	if (pp & TPM_PHYSICAL_PRESENCE_NOTPRESENT)
		s->sf.physical_presence = false;
	return TPM_SUCCESS;
}

/* Part 3, 6.6 TSC_PhysicalPresence */
TPM_RESULT tpm_cmd_tsc_physical_presence(struct tpm_cmd *c,
					 struct tpm_buf *in,
					 struct tpm_buf *out)
{
	uint16_t pp;

	(void)out;
	if (tb_get_u16(in, &pp) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Bits the structure does not define. */
	if (pp & ~(uint16_t)(PP_LIFETIME_BITS | PP_ASSERT_BITS))
		return TPM_BAD_PARAMETER;
	/* Step 2.b / 3.a: the two groups never mix; step 4: one of them
	 * must be present. */
	if ((pp & PP_LIFETIME_BITS) && (pp & PP_ASSERT_BITS))
		return TPM_BAD_PARAMETER;
	if (pp & PP_LIFETIME_BITS)
		return pp_lifetime(c->s, pp);
	if (pp & PP_ASSERT_BITS)
		return pp_assert(c->s, pp);
	return TPM_BAD_PARAMETER;
}

/*
 * The only parameter of several commands: one TPM BOOL.  Short or
 * trailing input is TPM_BAD_PARAM_SIZE; a byte other than 0/1 is
 * TPM_BAD_PARAMETER.
 */
static TPM_RESULT get_bool_param(struct tpm_buf *in, bool *v)
{
	uint8_t x;

	if (tb_get_u8(in, &x) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	if (x > 1)
		return TPM_BAD_PARAMETER;
	*v = x;
	return TPM_SUCCESS;
}

/* Shared body of the presence-authorized permanent-flag commands. */
static TPM_RESULT pp_set_pflag(struct tpm_cmd *c, struct tpm_buf *in,
			       bool *flag, bool fixed, bool has_state)
{
	bool value = fixed;
	TPM_RESULT rc;

	if (has_state) {
		rc = get_bool_param(in, &value);
		if (rc)
			return rc;
	} else if (tb_expect_end(in)) {
		return TPM_BAD_PARAM_SIZE;
	}
	/* Step 1: validate the assertion of physical presence. */
	if (!tpm_physical_presence(c->s))
		return TPM_BAD_PRESENCE;
	/* Step 2 */
	tpm_set_pflag(c->s, flag, value);
	return TPM_SUCCESS;
}

/* Part 3, 5.3 TPM_PhysicalEnable: disable := FALSE */
TPM_RESULT tpm_cmd_physical_enable(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out)
{
	(void)out;
	return pp_set_pflag(c, in, &c->s->pf.disable, false, false);
}

/* Part 3, 5.4 TPM_PhysicalDisable: disable := TRUE */
TPM_RESULT tpm_cmd_physical_disable(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out)
{
	(void)out;
	return pp_set_pflag(c, in, &c->s->pf.disable, true, false);
}

/* Part 3, 5.5 TPM_PhysicalSetDeactivated: deactivated := state.  The
 * STCLEAR copy follows at the next Startup(CLEAR). */
TPM_RESULT tpm_cmd_physical_set_deactivated(struct tpm_cmd *c,
					    struct tpm_buf *in,
					    struct tpm_buf *out)
{
	(void)out;
	return pp_set_pflag(c, in, &c->s->pf.deactivated, false, true);
}

/* Part 3, 5.6 TPM_SetTempDeactivated */
TPM_RESULT tpm_cmd_set_temp_deactivated(struct tpm_cmd *c,
					struct tpm_buf *in,
					struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	TPM_RESULT rc;

	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	if (c->nauth) {
		/* Step 1.a: an operator must have been set. */
		if (!s->pf.operator_)
			return TPM_NOOPERATOR;
		/* Step 1.b: operatorAuth (OIAP; no OSAP entity exists). */
		rc = tpm_auth_check(c, 0, TPM_ET_OPERATOR, TPM_KH_OPERATOR,
				    s->pd.operator_auth);
		if (rc)
			return rc;
	} else if (!tpm_physical_presence(s)) {
		/* Step 2.a */
		return TPM_BAD_PRESENCE;
	}
	/* Step 3: deactivated until the next Startup. */
	s->sf.deactivated = true;
	return TPM_SUCCESS;
}

/* Part 3, 5.1 TPM_SetOwnerInstall */
TPM_RESULT tpm_cmd_set_owner_install(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	TPM_RESULT rc;
	bool state;

	(void)out;
	rc = get_bool_param(in, &state);
	if (rc)
		return rc;
	/* Step 1: with an owner this is a no-op. */
	if (s->pf.owner_installed)
		return TPM_SUCCESS;
	/* Step 2: physical presence, then the flag (kept negated). */
	if (!tpm_physical_presence(s))
		return TPM_BAD_PRESENCE;
	tpm_set_pflag(s, &s->pd.no_owner_install, !state);
	return TPM_SUCCESS;
}

/* Part 3, 5.2 TPM_OwnerSetDisable */
TPM_RESULT tpm_cmd_owner_set_disable(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	bool disable;
	TPM_RESULT rc;

	(void)out;
	rc = get_bool_param(in, &disable);
	if (rc)
		return rc;
	/* Step 1: owner authorization. */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2 */
	tpm_set_pflag(c->s, &c->s->pf.disable, disable);
	return TPM_SUCCESS;
}

/* Part 3, 5.7 TPM_SetOperatorAuth */
TPM_RESULT tpm_cmd_set_operator_auth(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint8_t auth[TPM_SECRET_SIZE];

	(void)out;
	if (tb_get_bytes(in, auth, sizeof(auth)) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	if (!tpm_physical_presence(s)) {
		tpm_wipe(auth, sizeof(auth));
		return TPM_BAD_PRESENCE;
	}
	/* Steps 2-3 */
	memcpy(s->pd.operator_auth, auth, sizeof(auth));
	tpm_wipe(auth, sizeof(auth));
	s->pf.operator_ = true;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}
