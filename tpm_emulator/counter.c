// SPDX-License-Identifier: GPL-2.0
/*
 * Monotonic counters (Part 3, 25): CreateCounter, IncrementCounter,
 * ReadCounter, ReleaseCounter, ReleaseCounterOwner.  Counters live in
 * TPM_PERMANENT_DATA (s->pd.counters); which counter may be incremented
 * in this boot cycle lives in TPM_STCLEAR_DATA (s->sd.count_id).
 *
 * Handles: a counter's TPM_COUNT_ID is the value it started with.  New
 * counters start above every value any counter ever held (the internal
 * base s->pd.counter_next, Part 3, 25.1 steps 5-6), so start values, and
 * therefore handles, are never reused: a released handle stays dead.
 * Handle 0 means "no active counter" and COUNT_ID_ILLEGAL "the active
 * counter was released"; neither is ever assigned.
 */
#include "internal.h"

/* Part 3, 25.4 step 4: an illegal, non-NULL TPM_STCLEAR_DATA->countID. */
#define COUNT_ID_ILLEGAL	0xFFFFFFFFU

struct tpm_counter *tpm_counter_find(struct tpm_state *s, uint32_t handle)
{
	unsigned int i;

	if (handle == 0 || handle == COUNT_ID_ILLEGAL)
		return NULL;
	for (i = 0; i < TPM_MAX_COUNTERS; i++) {
		if (s->pd.counters[i].valid &&
		    s->pd.counters[i].handle == handle)
			return &s->pd.counters[i];
	}
	return NULL;
}

uint32_t tpm_counters_used(const struct tpm_state *s)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < TPM_MAX_COUNTERS; i++)
		n += s->pd.counters[i].valid;
	return n;
}

/* TPM_COUNTER_VALUE of @ctr, the output of every counter command. */
static TPM_RESULT counter_value_put(struct tpm_buf *b,
				    const struct tpm_counter *ctr)
{
	if (tpm_counter_value_put(b, ctr->label, ctr->value))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/*
 * Part 3, 25.4 steps 2-4 / 25.5 steps 3-5: end the counter's sessions,
 * forget it, and poison countID if it was this cycle's active counter.
 */
static void counter_release(struct tpm_cmd *c, struct tpm_counter *ctr)
{
	struct tpm_session *sess = c->sess[0];
	struct tpm_state *s = c->s;

	/* The command's own session dies with the counter it names. */
	if (sess && (sess->type == SESS_OSAP || sess->type == SESS_DSAP) &&
	    (sess->entity_type & 0xFF) == TPM_ET_COUNTER &&
	    sess->entity_value == ctr->handle)
		c->terminate[0] = true;
	tpm_sessions_invalidate_entity(s, TPM_ET_COUNTER, ctr->handle);
	if (s->sd.count_id == ctr->handle)
		s->sd.count_id = COUNT_ID_ILLEGAL;
	/* The value is not needed to stay monotonic: counter_next keeps
	 * the internal base. */
	tpm_wipe(ctr, sizeof(*ctr));
	ctr->valid = false;
	tpm_mark_dirty(s);
}

/* Part 3, 25.1 TPM_CreateCounter */
TPM_RESULT tpm_cmd_create_counter(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	uint8_t enc[TPM_SECRET_SIZE], label[TPM_COUNTER_LABEL_SIZE];
	struct tpm_counter *ctr = NULL;
	struct tpm_state *s = c->s;
	unsigned int i;
	TPM_RESULT rc;

	if (tb_get_bytes(in, enc, sizeof(enc)) ||
	    tb_get_bytes(in, label, sizeof(label)) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: owner authorization in an OSAP (or DSAP) session. */
	rc = tpm_auth_require_osap(c, 0);
	if (rc)
		return rc;
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2: continueAuthSession is FALSE on output. */
	c->terminate[0] = true;
	/* Step 4: room for a new counter.  The base cannot run out in
	 * practice, but a wrapped base would break monotonicity. */
	for (i = 0; i < TPM_MAX_COUNTERS && !ctr; i++) {
		if (!s->pd.counters[i].valid)
			ctr = &s->pd.counters[i];
	}
	if (!ctr || s->pd.counter_next == 0 ||
	    s->pd.counter_next >= COUNT_ID_ILLEGAL)
		return TPM_RESOURCES;
	/* Step 3: the counter secret, ADIP-encrypted. */
	rc = tpm_auth_decrypt(c, 0, enc, ctr->auth, false);
	if (rc) {
		tpm_wipe(ctr->auth, sizeof(ctr->auth));
		return rc;
	}
	/* Steps 5-8: start above every value ever held; the start value is
	 * the handle. */
	ctr->value = s->pd.counter_next++;
	ctr->handle = ctr->value;
	memcpy(ctr->label, label, sizeof(label));
	ctr->valid = true;
	tpm_mark_dirty(s);
	if (tb_put_u32(out, ctr->handle))
		return TPM_SIZE;
	return counter_value_put(out, ctr);
}

/* Part 3, 25.2 TPM_IncrementCounter */
TPM_RESULT tpm_cmd_increment_counter(struct tpm_cmd *c, struct tpm_buf *in,
				     struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	struct tpm_counter *ctr;
	uint32_t id;
	TPM_RESULT rc;

	if (tb_get_u32(in, &id) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Steps 1.a, 2.a: a valid counter, and once one counter has been
	 * incremented in this cycle, only that one. */
	if (s->sd.count_id != 0 && s->sd.count_id != id)
		return TPM_BAD_COUNTER;
	ctr = tpm_counter_find(s, id);
	if (!ctr)
		return TPM_BAD_COUNTER;
	/* Step 1.b */
	rc = tpm_auth_check(c, 0, TPM_ET_COUNTER, id, ctr->auth);
	if (rc)
		return rc;
	/* A counter at the top of its range can never move again. */
	if (ctr->value == UINT32_MAX)
		return TPM_BAD_COUNTER;
	/* Step 1.c */
	s->sd.count_id = id;
	/* Step 3: increment, and keep the internal base above it. */
	ctr->value++;
	if (ctr->value >= s->pd.counter_next)
		s->pd.counter_next = ctr->value == UINT32_MAX ?
			UINT32_MAX : ctr->value + 1;
	tpm_mark_dirty(s);
	/* Step 4 */
	return counter_value_put(out, ctr);
}

/* Part 3, 25.3 TPM_ReadCounter */
TPM_RESULT tpm_cmd_read_counter(struct tpm_cmd *c, struct tpm_buf *in,
				struct tpm_buf *out)
{
	struct tpm_counter *ctr;
	uint32_t id;

	if (tb_get_u32(in, &id) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	ctr = tpm_counter_find(c->s, id);
	if (!ctr)
		return TPM_BAD_COUNTER;
	/* Step 2 */
	return counter_value_put(out, ctr);
}

/* Part 3, 25.4 TPM_ReleaseCounter */
TPM_RESULT tpm_cmd_release_counter(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out)
{
	struct tpm_counter *ctr;
	uint32_t id;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &id) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	ctr = tpm_counter_find(c->s, id);
	if (!ctr)
		return TPM_BAD_COUNTER;
	/* Step 1 */
	rc = tpm_auth_check(c, 0, TPM_ET_COUNTER, id, ctr->auth);
	if (rc)
		return rc;
	/* Steps 2-4 */
	counter_release(c, ctr);
	return TPM_SUCCESS;
}

/* Part 3, 25.5 TPM_ReleaseCounterOwner */
TPM_RESULT tpm_cmd_release_counter_owner(struct tpm_cmd *c,
					 struct tpm_buf *in,
					 struct tpm_buf *out)
{
	struct tpm_counter *ctr;
	uint32_t id;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &id) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2 */
	ctr = tpm_counter_find(c->s, id);
	if (!ctr)
		return TPM_BAD_COUNTER;
	/* Steps 3-5 */
	counter_release(c, ctr);
	return TPM_SUCCESS;
}
