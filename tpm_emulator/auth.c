// SPDX-License-Identifier: GPL-2.0
/*
 * Authorization sessions (OIAP, OSAP), their verification for every
 * authorized command, ADIP decryption of new secrets, the dictionary-attack
 * lockout, and the session commands (Terminate_Handle, FlushSpecific,
 * ResetLockValue).  Part 1, 11-13 and 19; Part 3, 18 and 5.x.
 */
#include "internal.h"

/* Session handles live in their own range so a stale key handle is never
 * mistaken for a session (and vice versa). */
#define SESSION_HANDLE_BASE	0x02000000U
#define SESSION_HANDLE_MASK	0x00FFFFFFU

struct tpm_session *tpm_session_find(struct tpm_state *s, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_SESSIONS; i++) {
		if (s->sessions[i].type != SESS_NONE &&
		    s->sessions[i].handle == handle)
			return &s->sessions[i];
	}
	return NULL;
}

TPM_RESULT tpm_session_alloc(struct tpm_state *s, enum tpm_session_type type,
			     struct tpm_session **out)
{
	struct tpm_session *sess = NULL;
	unsigned int i;
	uint32_t h;

	for (i = 0; i < TPM_MAX_SESSIONS && !sess; i++) {
		if (s->sessions[i].type == SESS_NONE)
			sess = &s->sessions[i];
	}
	if (!sess)
		return TPM_RESOURCES;
	/* A fresh handle not in use: at most TPM_MAX_SESSIONS collisions. */
	do {
		s->session_seq = (s->session_seq + 1) & SESSION_HANDLE_MASK;
		h = SESSION_HANDLE_BASE | s->session_seq;
	} while (s->session_seq == 0 || tpm_session_find(s, h));
	memset(sess, 0, sizeof(*sess));
	if (tpm_rand(sess->nonce_even, TPM_NONCE_SIZE))
		return TPM_FAIL;
	sess->type = type;
	sess->handle = h;
	*out = sess;
	return TPM_SUCCESS;
}

void tpm_session_free(struct tpm_session *sess)
{
	tpm_wipe(sess, sizeof(*sess));
	sess->type = SESS_NONE;
}

void tpm_sessions_invalidate_entity(struct tpm_state *s, uint16_t type,
				    uint32_t value)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_SESSIONS; i++) {
		struct tpm_session *sess = &s->sessions[i];

		if ((sess->type == SESS_OSAP || sess->type == SESS_DSAP) &&
		    (sess->entity_type & 0xFF) == type &&
		    sess->entity_value == value)
			tpm_session_free(sess);
	}
}

void tpm_sessions_clear(struct tpm_state *s)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_SESSIONS; i++)
		tpm_session_free(&s->sessions[i]);
}

/*
 * Dictionary attack (Part 1, 19.x leaves the policy to the vendor): after
 * TPM_DA_THRESHOLD failures each further failure locks authorization for
 * TPM_DA_BASE_SECONDS doubled per failure, at most TPM_DA_MAX_SECONDS.
 * The failure count is persistent, so a reboot does not reset it.
 */
bool tpm_da_locked(struct tpm_state *s, uint32_t *seconds_left)
{
	uint64_t now = tpm_now_us();

	if (!s->da_lock_until_us || now >= s->da_lock_until_us) {
		if (seconds_left)
			*seconds_left = 0;
		return false;
	}
	if (seconds_left)
		*seconds_left = (uint32_t)((s->da_lock_until_us - now +
					    999999) / 1000000);
	return true;
}

static void da_failure(struct tpm_state *s)
{
	uint32_t over, secs;

	if (s->pd.da_failures < UINT32_MAX)
		s->pd.da_failures++;
	tpm_mark_dirty(s);
	if (s->pd.da_failures < TPM_DA_THRESHOLD)
		return;
	over = s->pd.da_failures - TPM_DA_THRESHOLD;
	secs = over >= 16 ? TPM_DA_MAX_SECONDS :
		TPM_DA_BASE_SECONDS << over;
	if (secs > TPM_DA_MAX_SECONDS)
		secs = TPM_DA_MAX_SECONDS;
	s->da_lock_until_us = tpm_now_us() + (uint64_t)secs * 1000000;
}

/* SRK may be named as TPM_ET_SRK or as key handle TPM_KH_SRK. */
static void normalize_entity(uint16_t *type, uint32_t *value)
{
	if ((*type & 0xFF) == TPM_ET_SRK) {
		*type = (uint16_t)((*type & 0xFF00) | TPM_ET_KEYHANDLE);
		*value = TPM_KH_SRK;
	}
}

TPM_RESULT tpm_auth_check(struct tpm_cmd *c, unsigned int idx,
			  uint16_t entity_type, uint32_t entity_value,
			  const uint8_t secret[TPM_SECRET_SIZE])
{
	TPM_RESULT fail = idx ? TPM_AUTH2FAIL : TPM_AUTHFAIL;
	const struct tpm_auth_in *ai = &c->auth_in[idx];
	uint8_t mac[TPM_AUTH_SIZE], cont = ai->cont;
	struct tpm_session *sess;
	const uint8_t *key;

	if (idx >= c->nauth)
		return fail;
	sess = tpm_session_find(c->s, ai->handle);
	if (!sess || (sess->type != SESS_OIAP && sess->type != SESS_OSAP &&
		      sess->type != SESS_DSAP))
		return TPM_INVALID_AUTHHANDLE;
	/* Part 3, 5.3: the owner may reset the lockout while it runs. */
	if (c->ordinal != TPM_ORD_ResetLockValue && tpm_da_locked(c->s, NULL))
		return TPM_DEFEND_LOCK_RUNNING;
	/* Part 1, 20.x (delegation.c): a DSAP session, or an owner OIAP
	 * session under TPM_SetOwnerPointer, authorizes only what its
	 * delegation permits; the latter uses the row's authValue. */
	if (sess->type != SESS_OSAP) {
		TPM_RESULT rc = tpm_delegation_auth(c, idx, sess, entity_type,
						    entity_value, &secret);

		if (rc)
			return rc;
	}
	if (sess->type == SESS_DSAP) {
		key = sess->shared_secret;
	} else if (sess->type == SESS_OSAP) {
		uint16_t st = sess->entity_type;
		uint32_t sv = sess->entity_value;

		normalize_entity(&entity_type, &entity_value);
		normalize_entity(&st, &sv);
		/* Part 1, 11.x: an OSAP session authorizes only the entity
		 * it was opened for. */
		if ((st & 0xFF) != (entity_type & 0xFF))
			return fail;
		if ((st & 0xFF) != TPM_ET_OWNER && sv != entity_value)
			return fail;
		key = sess->shared_secret;
	} else {
		key = secret;
	}
	if (tpm_hmac_sha1_v(key, TPM_SECRET_SIZE, mac, c->in_digest,
			    (size_t)TPM_DIGEST_SIZE, sess->nonce_even,
			    (size_t)TPM_NONCE_SIZE, ai->nonce_odd,
			    (size_t)TPM_NONCE_SIZE, &cont, (size_t)1, NULL))
		return TPM_FAIL;
	if (tpm_memcmp_ct(mac, ai->auth, TPM_AUTH_SIZE)) {
		da_failure(c->s);
		return fail;
	}
	c->sess[idx] = sess;
	memcpy(c->res_secret[idx], key, TPM_SECRET_SIZE);
	return TPM_SUCCESS;
}

TPM_RESULT tpm_auth_owner(struct tpm_cmd *c)
{
	if (!c->s->pf.owner_installed)
		return TPM_NOSRK;
	return tpm_auth_check(c, 0, TPM_ET_OWNER, TPM_KH_OWNER,
			      c->s->pd.owner_auth);
}

TPM_RESULT tpm_auth_require_osap(struct tpm_cmd *c, unsigned int idx)
{
	struct tpm_session *sess;

	if (idx >= c->nauth)
		return idx ? TPM_AUTH2FAIL : TPM_AUTHFAIL;
	sess = tpm_session_find(c->s, c->auth_in[idx].handle);
	if (!sess || (sess->type != SESS_OSAP && sess->type != SESS_DSAP))
		return TPM_INVALID_AUTHHANDLE;
	return TPM_SUCCESS;
}

TPM_RESULT tpm_auth_decrypt(struct tpm_cmd *c, unsigned int idx,
			    const uint8_t enc[TPM_SECRET_SIZE],
			    uint8_t out[TPM_SECRET_SIZE], bool with_nonce_odd)
{
	const uint8_t *nonce;
	struct tpm_session *sess;
	uint8_t pad[TPM_DIGEST_SIZE];
	unsigned int i;
	TPM_RESULT rc;

	rc = tpm_auth_require_osap(c, idx);
	if (rc)
		return rc;
	sess = tpm_session_find(c->s, c->auth_in[idx].handle);
	/* Part 1, 13.1: the nonce is the session's last nonceEven (the one
	 * the caller saw), or nonceOdd for the second secret. */
	nonce = with_nonce_odd ? c->auth_in[idx].nonce_odd : sess->nonce_even;
	if ((sess->entity_type >> 8) == TPM_ET_AES128_CTR) {
		/* Part 1, 13.2: AES-128-CTR, key = first 16 bytes of the
		 * shared secret, IV = first 16 bytes of the nonce. */
		if (tpm_aes_ctr(sess->shared_secret, 16, nonce, enc, out,
				TPM_SECRET_SIZE))
			return TPM_FAIL;
		return TPM_SUCCESS;
	}
	if (tpm_sha1_v(pad, sess->shared_secret, (size_t)TPM_SECRET_SIZE,
		       nonce, (size_t)TPM_NONCE_SIZE, NULL))
		return TPM_FAIL;
	for (i = 0; i < TPM_SECRET_SIZE; i++)
		out[i] = enc[i] ^ pad[i];
	tpm_wipe(pad, sizeof(pad));
	return TPM_SUCCESS;
}

/* Part 3, 18.1 TPM_OIAP */
TPM_RESULT tpm_cmd_oiap(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out)
{
	struct tpm_session *sess;
	TPM_RESULT rc;

	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	rc = tpm_session_alloc(c->s, SESS_OIAP, &sess);
	if (rc)
		return rc;
	if (tb_put_u32(out, sess->handle) ||
	    tb_put_bytes(out, sess->nonce_even, TPM_NONCE_SIZE)) {
		tpm_session_free(sess);
		return TPM_SIZE;
	}
	return TPM_SUCCESS;
}

/*
 * The usage secret of an OSAP entity, and the digest that pins a key
 * entity (so a session dies with its key even if the handle is reused).
 */
static TPM_RESULT osap_entity_secret(struct tpm_state *s, uint16_t type,
				     uint32_t value, const uint8_t **secret,
				     const uint8_t **digest)
{
	struct tpm_counter *ctr;
	struct tpm_nv_area *nv;
	struct tpm_key *k;
	TPM_RESULT rc;

	*digest = NULL;
	switch (type & 0xFF) {
	case TPM_ET_KEYHANDLE:
		rc = tpm_key_lookup(s, value, &k);
		if (rc)
			return rc;
		*secret = k->usage_auth;
		*digest = k->pub_digest;
		return TPM_SUCCESS;
	case TPM_ET_SRK:
		if (!s->pf.owner_installed)
			return TPM_NOSRK;
		*secret = s->pd.srk.usage_auth;
		*digest = s->pd.srk.pub_digest;
		return TPM_SUCCESS;
	case TPM_ET_OWNER:
		if (!s->pf.owner_installed)
			return TPM_NOSRK;
		*secret = s->pd.owner_auth;
		return TPM_SUCCESS;
	case TPM_ET_COUNTER:
		ctr = tpm_counter_find(s, value);
		if (!ctr)
			return TPM_BAD_COUNTER;
		*secret = ctr->auth;
		return TPM_SUCCESS;
	case TPM_ET_NV:
		nv = tpm_nv_find(s, value);
		if (!nv)
			return TPM_BADINDEX;
		*secret = nv->auth;
		return TPM_SUCCESS;
	default:
		return TPM_BAD_PARAMETER;
	}
}

/* Part 3, 18.2 TPM_OSAP */
TPM_RESULT tpm_cmd_osap(struct tpm_cmd *c, struct tpm_buf *in,
			struct tpm_buf *out)
{
	uint8_t nonce_odd_osap[TPM_NONCE_SIZE], nonce_even_osap[TPM_NONCE_SIZE];
	const uint8_t *secret, *digest;
	struct tpm_session *sess;
	uint32_t entity_value;
	uint16_t entity_type;
	TPM_RESULT rc;

	if (tb_get_u16(in, &entity_type) || tb_get_u32(in, &entity_value) ||
	    tb_get_bytes(in, nonce_odd_osap, TPM_NONCE_SIZE) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Part 2, 4.3: the high byte selects the ADIP scheme. */
	if ((entity_type >> 8) != TPM_ET_XOR &&
	    (entity_type >> 8) != TPM_ET_AES128_CTR)
		return TPM_BAD_MODE;
	rc = osap_entity_secret(c->s, entity_type, entity_value, &secret,
				&digest);
	if (rc)
		return rc;
	rc = tpm_session_alloc(c->s, SESS_OSAP, &sess);
	if (rc)
		return rc;
	sess->entity_type = entity_type;
	sess->entity_value = entity_value;
	if (digest)
		memcpy(sess->entity_digest, digest, TPM_DIGEST_SIZE);
	/* sharedSecret = HMAC(entity secret, nonceEvenOSAP || nonceOddOSAP) */
	if (tpm_rand(nonce_even_osap, TPM_NONCE_SIZE) ||
	    tpm_hmac_sha1_v(secret, TPM_SECRET_SIZE, sess->shared_secret,
			    nonce_even_osap, (size_t)TPM_NONCE_SIZE,
			    nonce_odd_osap, (size_t)TPM_NONCE_SIZE, NULL)) {
		tpm_session_free(sess);
		return TPM_FAIL;
	}
	if (tb_put_u32(out, sess->handle) ||
	    tb_put_bytes(out, sess->nonce_even, TPM_NONCE_SIZE) ||
	    tb_put_bytes(out, nonce_even_osap, TPM_NONCE_SIZE)) {
		tpm_session_free(sess);
		return TPM_SIZE;
	}
	return TPM_SUCCESS;
}

/* Part 3, 18.3 TPM_Terminate_Handle */
TPM_RESULT tpm_cmd_terminate_handle(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out)
{
	struct tpm_session *sess;
	uint32_t handle;

	(void)out;
	if (tb_get_u32(in, &handle) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	sess = tpm_session_find(c->s, handle);
	if (!sess || sess->type == SESS_TRANSPORT)
		return TPM_INVALID_AUTHHANDLE;
	tpm_session_free(sess);
	return TPM_SUCCESS;
}

static TPM_RESULT flush_key(struct tpm_state *s, uint32_t handle)
{
	struct tpm_key *k;

	/* Part 3, 22.3: the handle must name an allocated resource of
	 * resourceType, else TPM_BAD_PARAMETER (not TPM_INVALID_KEYHANDLE:
	 * FlushSpecific names a resource, not a key to use).  Reserved
	 * handles (SRK, EK, ...) are not loaded keys. */
	if ((handle & 0xFF000000U) == 0x40000000U ||
	    tpm_key_lookup(s, handle, &k))
		return TPM_BAD_PARAMETER;
	/* Part 3, 22.3 / 27.x: owner-evict keys leave only by the owner. */
	if (k->owner_evict)
		return TPM_KEY_OWNER_CONTROL;
	tpm_sessions_invalidate_entity(s, TPM_ET_KEYHANDLE, handle);
	tpm_key_clear(k);
	return TPM_SUCCESS;
}

/* Part 3, 22.3 TPM_FlushSpecific */
TPM_RESULT tpm_cmd_flush_specific(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	struct tpm_session *sess;
	uint32_t handle, rt;

	(void)out;
	if (tb_get_u32(in, &handle) || tb_get_u32(in, &rt) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	switch (rt) {
	case TPM_RT_KEY:
		return flush_key(c->s, handle);
	case TPM_RT_AUTH:
		sess = tpm_session_find(c->s, handle);
		if (!sess || sess->type == SESS_TRANSPORT)
			return TPM_INVALID_AUTHHANDLE;
		tpm_session_free(sess);
		return TPM_SUCCESS;
	case TPM_RT_TRANS:
		sess = tpm_session_find(c->s, handle);
		if (!sess || sess->type != SESS_TRANSPORT)
			return TPM_INVALID_AUTHHANDLE;
		tpm_session_free(sess);
		return TPM_SUCCESS;
	case TPM_RT_CONTEXT:
		return tpm_context_flush(c->s, handle);
	case TPM_RT_DAA_TPM:
		return tpm_daa_flush(c->s, handle);	/* issue 3: daa */
	default:
		return TPM_INVALID_RESOURCE;
	}
}

/* Part 3, 5.3 TPM_ResetLockValue */
TPM_RESULT tpm_cmd_reset_lock_value(struct tpm_cmd *c, struct tpm_buf *in,
				    struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	TPM_RESULT rc;

	(void)out;
	if (tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	if (!s->pf.owner_installed)
		return TPM_NOSRK;
	/* Step 1: after a failed attempt, none until the lockout period
	 * that failure started is over (1.a: the flag then clears).  Below
	 * the threshold no lockout runs, so the owner may retry at once. */
	if (s->sd.disable_reset_lock) {
		if (tpm_da_locked(s, NULL))
			return TPM_AUTHFAIL;
		s->sd.disable_reset_lock = false;
	}
	/* Step 2: a failure (counted by tpm_auth_check(), which restarts
	 * the lockout period when over the threshold) disables resets. */
	rc = tpm_auth_check(c, 0, TPM_ET_OWNER, TPM_KH_OWNER,
			    s->pd.owner_auth);
	if (rc == TPM_AUTHFAIL) {
		s->sd.disable_reset_lock = true;
		return rc;
	}
	if (rc)
		return rc;
	/* Step 3: reset the failure count and end any lockout. */
	s->pd.da_failures = 0;
	s->da_lock_until_us = 0;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}
