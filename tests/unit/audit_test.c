// SPDX-License-Identifier: GPL-2.0
/*
 * Auditing (Part 1, 8; Part 3, 8): the audit digest recomputed here from
 * the commands sent, failed commands not audited, the SetOrdinalAuditStatus
 * corner case, the signed digest verified with OpenSSL, closing the audit
 * session, persistence across save/load, and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

static const uint8_t key_auth[20] = "audit-key-secret-001";
static const uint8_t bad_auth[20] = "not-the-right-secret";

/* What TPM_GetAuditDigest returned. */
struct audit_view {
	uint32_t counter;
	uint8_t digest[20];
	bool more;
	uint32_t n;
	uint32_t ords[300];
};

/* The client's copy of the audit digest, extended as Part 1, 8 says. */
struct audit_model {
	uint32_t counter;
	uint8_t digest[20];
};

static void get_digest(struct th *t, uint32_t start, struct audit_view *v)
{
	uint8_t label[4], more;
	uint16_t tag;
	uint32_t size, i;

	tb_put_u32(th_begin(t, TPM_ORD_GetAuditDigest), start);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(tb_get_u16(&t->out, &tag), 0);
	assert_int_equal(tag, TPM_TAG_COUNTER_VALUE);
	assert_int_equal(tb_get_bytes(&t->out, label, 4), 0);
	assert_memory_equal(label, "\0\0\0\0", 4);
	assert_int_equal(tb_get_u32(&t->out, &v->counter), 0);
	assert_int_equal(tb_get_bytes(&t->out, v->digest, 20), 0);
	assert_int_equal(tb_get_u8(&t->out, &more), 0);
	v->more = more;
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(size % 4, 0);
	v->n = size / 4;
	assert_true(v->n <= ARRAY_SIZE(v->ords));
	for (i = 0; i < v->n; i++)
		assert_int_equal(tb_get_u32(&t->out, &v->ords[i]), 0);
	assert_int_equal(tb_remaining(&t->out), 0);
}

static bool listed(const struct audit_view *v, uint32_t ord)
{
	uint32_t i;

	for (i = 0; i < v->n; i++)
		if (v->ords[i] == ord)
			return true;
	return false;
}

/* The model starts from what the TPM reports now. */
static void model_sync(struct th *t, struct audit_model *m)
{
	struct audit_view v;

	get_digest(t, 0, &v);
	m->counter = v.counter;
	memcpy(m->digest, v.digest, 20);
}

static void model_extend(struct audit_model *m, uint16_t tag,
			 const uint8_t d[20])
{
	uint8_t buf[20 + 2 + 20 + 10];
	struct tpm_buf b;

	tb_init_write(&b, buf, sizeof(buf));
	tb_put_bytes(&b, m->digest, 20);
	tb_put_u16(&b, tag);
	tb_put_bytes(&b, d, 20);
	tb_put_u16(&b, TPM_TAG_COUNTER_VALUE);
	tb_put_bytes(&b, "\0\0\0\0", 4);
	tb_put_u32(&b, m->counter);
	th_sha1(buf, b.len, m->digest);
}

/* Record a successful audited command: @in are its parameters after
 * the handles, @out its output parameters (as in t->out). */
static void model_command(struct audit_model *m, uint32_t ord,
			  const uint8_t *in, size_t in_len,
			  const uint8_t *out, size_t out_len)
{
	static const uint8_t zero[20];
	uint8_t buf[TPM_MAX_COMMAND_SIZE + 8], d[20];

	if (!memcmp(m->digest, zero, 20))
		m->counter++;
	tb_wr_be32(buf, ord);
	/* Commands and answers without parameters come as (NULL, 0). */
	if (in_len)
		memcpy(buf + 4, in, in_len);
	th_sha1(buf, 4 + in_len, d);
	model_extend(m, TPM_TAG_AUDIT_EVENT_IN, d);
	tb_wr_be32(buf, TPM_SUCCESS);
	tb_wr_be32(buf + 4, ord);
	if (out_len)
		memcpy(buf + 8, out, out_len);
	th_sha1(buf, 8 + out_len, d);
	model_extend(m, TPM_TAG_AUDIT_EVENT_OUT, d);
}

static void assert_model(struct th *t, const struct audit_model *m)
{
	struct audit_view v;

	get_digest(t, 0, &v);
	assert_int_equal(v.counter, m->counter);
	assert_memory_equal(v.digest, m->digest, 20);
}

static uint32_t set_status(struct th *t, uint32_t ord, bool state,
			   const uint8_t owner[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, owner))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_SetOrdinalAuditStatus);
	tb_put_u32(b, ord);
	tb_put_u8(b, state);
	return th_run(t, 0, &s, NULL);
}

/* GetRandom(8) through the harness; its output stays in t->out. */
static void get_random(struct th *t, struct audit_model *m)
{
	uint8_t in[4];

	tb_wr_be32(in, 8);
	tb_put_u32(th_begin(t, TPM_ORD_GetRandom), 8);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	if (m)
		model_command(m, TPM_ORD_GetRandom, in, 4, t->out.data,
			      t->out.len);
}

/* A fresh TPM audits the default set, has counter 0 and no digest. */
static void audit_get_digest_fresh(void **state)
{
	static const uint8_t zero[20];
	struct audit_view v;
	struct th t;

	(void)state;
	th_init(&t);
	get_digest(&t, 0, &v);
	assert_int_equal(v.counter, 0);
	assert_memory_equal(v.digest, zero, 20);
	assert_false(v.more);
	assert_true(listed(&v, TPM_ORD_TakeOwnership));
	assert_true(listed(&v, TPM_ORD_OwnerClear));
	assert_true(listed(&v, TPM_ORD_SetOrdinalAuditStatus));
	assert_false(listed(&v, TPM_ORD_GetRandom));
	assert_false(listed(&v, TPM_ORD_GetAuditDigest));
	/* Step 3: the list starts at startOrdinal. */
	get_digest(&t, TPM_ORD_TakeOwnership + 1, &v);
	assert_false(listed(&v, TPM_ORD_TakeOwnership));
	assert_true(listed(&v, TPM_ORD_OwnerClear));
	th_fini(&t);
}

/* TakeOwnership (audited by default) opens the digest: counter 1. */
static void audit_take_ownership_counts(void **state)
{
	struct audit_view v;
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	get_digest(&t, 0, &v);
	assert_int_equal(v.counter, 1);
	th_fini(&t);
}

/* An audited command extends the digest exactly as the model does. */
static void audit_command_extends_digest(void **state)
{
	struct audit_model m;
	struct audit_view v;
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	assert_int_equal(set_status(&t, TPM_ORD_GetRandom, true,
				    th_owner_auth), TPM_SUCCESS);
	get_digest(&t, 0, &v);
	assert_true(listed(&v, TPM_ORD_GetRandom));
	model_sync(&t, &m);
	get_random(&t, &m);
	get_random(&t, &m);
	assert_model(&t, &m);
	/* Clearing the status stops the auditing. */
	assert_int_equal(set_status(&t, TPM_ORD_GetRandom, false,
				    th_owner_auth), TPM_SUCCESS);
	model_sync(&t, &m);
	get_random(&t, NULL);
	assert_model(&t, &m);
	th_fini(&t);
}

/* Part 1, 8 rule 2.b: a failed or malformed command is not audited. */
static void audit_failed_command_not_audited(void **state)
{
	static const uint8_t short_read[] = {
		0x00, 0xc1, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x15,
		0x00, 0x00,
	};
	struct audit_model m;
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	assert_int_equal(set_status(&t, TPM_ORD_PcrRead, true,
				    th_owner_auth), TPM_SUCCESS);
	model_sync(&t, &m);
	tb_put_u32(th_begin(&t, TPM_ORD_PcrRead), 99);
	assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_BADINDEX);
	assert_int_equal(th_raw(&t, short_read, sizeof(short_read)),
			 TPM_BAD_PARAM_SIZE);
	assert_model(&t, &m);
	/* A successful PcrRead is audited. */
	{
		uint8_t in[4];

		tb_wr_be32(in, 1);
		tb_put_u32(th_begin(&t, TPM_ORD_PcrRead), 1);
		assert_int_equal(th_run(&t, 0, NULL, NULL), TPM_SUCCESS);
		model_command(&m, TPM_ORD_PcrRead, in, 4, t.out.data,
			      t.out.len);
	}
	assert_model(&t, &m);
	th_fini(&t);
}

/* Corner case 3.b: SetOrdinalAuditStatus is audited by its initial
 * state, not the one it sets. */
static void audit_set_self_initial_state(void **state)
{
	struct audit_model m;
	uint8_t in[5];
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	model_sync(&t, &m);
	/* Audited by default: clearing it is still audited. */
	assert_int_equal(set_status(&t, TPM_ORD_SetOrdinalAuditStatus, false,
				    th_owner_auth), TPM_SUCCESS);
	tb_wr_be32(in, TPM_ORD_SetOrdinalAuditStatus);
	in[4] = 0;
	model_command(&m, TPM_ORD_SetOrdinalAuditStatus, in, 5, NULL, 0);
	assert_model(&t, &m);
	/* Not audited now: setting it again is not. */
	assert_int_equal(set_status(&t, TPM_ORD_SetOrdinalAuditStatus, true,
				    th_owner_auth), TPM_SUCCESS);
	assert_model(&t, &m);
	th_fini(&t);
}

/* Part 3, 8.5 failure paths: authorization, owner, ordinal. */
static void audit_set_status_failures(void **state)
{
	struct audit_model m;
	struct th t;

	(void)state;
	th_init(&t);
	assert_int_equal(set_status(&t, TPM_ORD_GetRandom, true,
				    th_owner_auth), TPM_NOSRK);
	th_fini(&t);
	th_init_owned(&t, true);
	model_sync(&t, &m);
	assert_int_equal(set_status(&t, TPM_ORD_GetRandom, true, bad_auth),
			 TPM_AUTHFAIL);
	/* Step 2: an ordinal this TPM does not support. */
	assert_int_equal(set_status(&t, 0x12345678U, true, th_owner_auth),
			 TPM_BADINDEX);
	assert_int_equal(set_status(&t, TPM_ORD_GetAuditEvent, false,
				    th_owner_auth), TPM_BADINDEX);
	/* The digest readers are never audited. */
	assert_int_equal(set_status(&t, TPM_ORD_GetAuditDigest, true,
				    th_owner_auth), TPM_BAD_PARAMETER);
	assert_int_equal(set_status(&t, TPM_ORD_GetAuditDigestSigned, true,
				    th_owner_auth), TPM_BAD_PARAMETER);
	assert_false(tpm_audit_is_audited(t.s, TPM_ORD_GetRandom));
	/* Failed SetOrdinalAuditStatus (audited) leaves the digest. */
	assert_model(&t, &m);
	/* TSC ordinals have their own bits. */
	assert_int_equal(set_status(&t, TPM_ORD_TSC_PhysicalPresence, true,
				    th_owner_auth), TPM_SUCCESS);
	assert_true(tpm_audit_is_audited(t.s, TPM_ORD_TSC_PhysicalPresence));
	th_fini(&t);
}

/* GetAuditDigestSigned with key @h (secret @auth). */
static uint32_t get_signed(struct th *t, uint32_t h, const uint8_t auth[20],
			   bool close, const uint8_t nonce[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, auth))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_GetAuditDigestSigned);
	tb_put_u32(b, h);
	tb_put_u8(b, close);
	tb_put_bytes(b, nonce, 20);
	return th_run(t, 1, &s, NULL);
}

/* The signature covers TPM_SIGN_INFO("ADIG", antiReplay, auditDigest ||
 * counterValue || SHA1(ordList)) and verifies with OpenSSL. */
static void audit_signed_verifies(void **state)
{
	static const uint8_t nonce[20] = "audit-anti-replay-01";
	uint8_t info[2 + 4 + 20 + 4 + 50], h1[20], cv[10], ad[20], od[20];
	uint8_t list[4 * 300], *sig;
	struct audit_view v;
	struct tpm_key *k;
	struct tpm_buf b;
	uint32_t h, siglen, i;
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	h = th_create_load_key(&t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	get_digest(&t, 0, &v);
	assert_int_equal(get_signed(&t, h, key_auth, false, nonce),
			 TPM_SUCCESS);
	assert_int_equal(tb_get_bytes(&t.out, cv, 10), 0);
	assert_int_equal(tb_get_bytes(&t.out, ad, 20), 0);
	assert_int_equal(tb_get_bytes(&t.out, od, 20), 0);
	assert_int_equal(tb_get_u32(&t.out, &siglen), 0);
	assert_int_equal(siglen, tb_remaining(&t.out));
	sig = t.out.data + t.out.pos;
	assert_memory_equal(ad, v.digest, 20);
	assert_int_equal(tb_be32(cv + 6), v.counter);
	for (i = 0; i < v.n; i++)
		tb_wr_be32(list + 4 * i, v.ords[i]);
	th_sha1(list, 4 * v.n, h1);
	assert_memory_equal(od, h1, 20);
	tb_init_write(&b, info, sizeof(info));
	tb_put_u16(&b, TPM_TAG_SIGNINFO);
	tb_put_bytes(&b, "ADIG", 4);
	tb_put_bytes(&b, nonce, 20);
	tb_put_u32(&b, 50);
	tb_put_bytes(&b, ad, 20);
	tb_put_bytes(&b, cv, 10);
	tb_put_bytes(&b, od, 20);
	th_sha1(info, b.len, h1);
	assert_int_equal(tpm_key_lookup(t.s, h, &k), TPM_SUCCESS);
	assert_true(th_verify_sha1(k->n, k->n_len, h1, sig, siglen));
	/* Wrong key secret. */
	assert_int_equal(get_signed(&t, h, bad_auth, false, nonce),
			 TPM_AUTHFAIL);
	assert_int_equal(get_signed(&t, 0x01000999U, key_auth, false, nonce),
			 TPM_INVALID_KEYHANDLE);
	th_fini(&t);
}

/* Step 5: only an identity key closes the audit; a closed digest is
 * restarted by the next audited command, which bumps the counter. */
static void audit_close_needs_identity(void **state)
{
	static const uint8_t nonce[20] = "audit-anti-replay-02";
	static const uint8_t zero[20];
	struct audit_model m;
	struct audit_view v;
	struct tpm_key *k;
	uint32_t h, hs;
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	hs = th_create_load_key(&t, TPM_KEY_STORAGE, key_auth, NULL, NULL);
	assert_int_equal(get_signed(&t, hs, key_auth, false, nonce),
			 TPM_INVALID_KEYUSAGE);
	h = th_create_load_key(&t, TPM_KEY_SIGNING, key_auth, NULL, NULL);
	model_sync(&t, &m);
	assert_int_equal(get_signed(&t, h, key_auth, true, nonce),
			 TPM_INVALID_KEYUSAGE);
	assert_model(&t, &m);
	/* Identity keys come from MakeIdentity only; relabel the loaded
	 * signing key so the close path can be driven here. */
	assert_int_equal(tpm_key_lookup(t.s, h, &k), TPM_SUCCESS);
	k->usage = TPM_KEY_IDENTITY;
	assert_int_equal(get_signed(&t, h, key_auth, true, nonce),
			 TPM_SUCCESS);
	get_digest(&t, 0, &v);
	assert_memory_equal(v.digest, zero, 20);
	assert_int_equal(v.counter, m.counter);
	/* The next audited command starts a new digest: counter + 1. */
	assert_int_equal(set_status(&t, TPM_ORD_GetRandom, true,
				    th_owner_auth), TPM_SUCCESS);
	model_sync(&t, &m);
	get_random(&t, &m);
	assert_model(&t, &m);
	assert_int_equal(m.counter, v.counter + 1);
	th_fini(&t);
}

static void save_load(struct th *t)
{
	uint8_t *blob;
	size_t len;
	const char *why = NULL;

	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	tpm_destroy(t->s);
	t->s = tpm_state_load(blob, len, &why);
	free(blob);
	assert_non_null(t->s);
}

static void startup(struct th *t, uint16_t type)
{
	tb_put_u16(th_begin(t, TPM_ORD_Startup), type);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
}

/* The status, TSC bits and counter survive save/load; Startup(STATE)
 * keeps the digest, Startup(CLEAR) zeroes it. */
static void audit_state_persists(void **state)
{
	static const uint8_t zero[20];
	struct audit_view before, after;
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	assert_int_equal(set_status(&t, TPM_ORD_GetRandom, true,
				    th_owner_auth), TPM_SUCCESS);
	assert_int_equal(set_status(&t, TPM_ORD_TSC_PhysicalPresence, true,
				    th_owner_auth), TPM_SUCCESS);
	get_random(&t, NULL);
	/* Read first: any command after SaveState drops its snapshot. */
	get_digest(&t, 0, &before);
	th_raw(&t, (const uint8_t *)"\x00\xc1\x00\x00\x00\x0a\x00\x00\x00\x98",
	       10);
	assert_int_equal(t.rc, TPM_SUCCESS);
	save_load(&t);
	startup(&t, TPM_ST_STATE);
	get_digest(&t, 0, &after);
	assert_int_equal(after.counter, before.counter);
	assert_memory_equal(after.digest, before.digest, 20);
	assert_int_equal(after.n, before.n);
	assert_true(listed(&after, TPM_ORD_GetRandom));
	assert_true(listed(&after, TPM_ORD_TSC_PhysicalPresence));
	tpm_init(t.s);
	startup(&t, TPM_ST_CLEAR);
	get_digest(&t, 0, &after);
	assert_memory_equal(after.digest, zero, 20);
	assert_int_equal(after.counter, before.counter);
	th_fini(&t);
}

/* OwnerClear restores the default audit set and closes the digest; the
 * counter is monotonic and survives (OwnerClear itself is audited). */
static void audit_owner_clear_resets_status(void **state)
{
	static const uint8_t zero[20];
	struct audit_view before;
	struct th_sess s;
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	assert_int_equal(set_status(&t, TPM_ORD_GetRandom, true,
				    th_owner_auth), TPM_SUCCESS);
	assert_int_equal(set_status(&t, TPM_ORD_TakeOwnership, false,
				    th_owner_auth), TPM_SUCCESS);
	get_digest(&t, 0, &before);
	assert_int_equal(th_oiap(&t, &s, th_owner_auth), TPM_SUCCESS);
	s.cont = false;
	th_begin(&t, TPM_ORD_OwnerClear);
	assert_int_equal(th_run(&t, 0, &s, NULL), TPM_SUCCESS);
	/* The TPM comes back disabled: look at the state directly. */
	assert_false(tpm_audit_is_audited(t.s, TPM_ORD_GetRandom));
	assert_true(tpm_audit_is_audited(t.s, TPM_ORD_TakeOwnership));
	assert_int_equal(t.s->audit.counter, before.counter + 1);
	assert_memory_not_equal(t.s->audit.digest, zero, 20);
	th_fini(&t);
}

#define V TH_VEC_BYTES

/* Malformed commands of this family and what they must get. */
static const struct th_vector vectors[] = {
	V("getauditdigest no startOrdinal", TPM_BAD_PARAM_SIZE,
	  0x00, 0xc1, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x85),
	V("getauditdigest short startOrdinal", TPM_BAD_PARAM_SIZE,
	  0x00, 0xc1, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x85,
	  0x00, 0x00),
	V("getauditdigest trailing byte", TPM_BAD_PARAM_SIZE,
	  0x00, 0xc1, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x85,
	  0x00, 0x00, 0x00, 0x00, 0x00),
	V("getauditdigest auth1 tag", TPM_BADTAG,
	  0x00, 0xc2, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x85,
	  0x00, 0x00, 0x00, 0x00),
	V("getauditdigestsigned short", TPM_BAD_PARAM_SIZE,
	  0x00, 0xc1, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x86,
	  0x00, 0x00, 0x00, 0x01, 0x00),
	V("getauditdigestsigned bad bool", TPM_BAD_PARAM_SIZE,
	  0x00, 0xc1, 0x00, 0x00, 0x00, 0x23, 0x00, 0x00, 0x00, 0x86,
	  0x00, 0x00, 0x00, 0x01, 0x02,
	  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	V("setordinalauditstatus without auth", TPM_BADTAG,
	  0x00, 0xc1, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x8d,
	  0x00, 0x00, 0x00, 0x46, 0x01),
	V("setordinalauditstatus no auth trailer", TPM_BAD_PARAM_SIZE,
	  0x00, 0xc2, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x8d,
	  0x00, 0x00, 0x00, 0x46, 0x01),
	V("getordinalauditstatus is 1.1 only", TPM_BAD_ORDINAL,
	  0x00, 0xc1, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x8c,
	  0x00, 0x00, 0x00, 0x46),
	V("getauditevent is 1.1 only", TPM_BAD_ORDINAL,
	  0x00, 0xc1, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x82,
	  0x00, 0x00, 0x00, 0x00),
	V("getauditeventsigned is 1.1 only", TPM_BAD_ORDINAL,
	  0x00, 0xc1, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x83,
	  0x00, 0x00, 0x00, 0x00),
};

/* Every malformed vector gets its code. */
static void audit_malformed_vectors(void **state)
{
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	th_run_vectors(&t, vectors, ARRAY_SIZE(vectors));
	th_fini(&t);
}

/* SetOrdinalAuditStatus with a non-boolean auditState is malformed. */
static void audit_set_status_bad_bool(void **state)
{
	struct th_sess s;
	struct tpm_buf *b;
	struct th t;

	(void)state;
	th_init_owned(&t, true);
	assert_int_equal(th_oiap(&t, &s, th_owner_auth), TPM_SUCCESS);
	b = th_begin(&t, TPM_ORD_SetOrdinalAuditStatus);
	tb_put_u32(b, TPM_ORD_GetRandom);
	tb_put_u8(b, 2);
	assert_int_equal(th_run(&t, 0, &s, NULL), TPM_BAD_PARAM_SIZE);
	th_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(audit_get_digest_fresh),
		cmocka_unit_test(audit_take_ownership_counts),
		cmocka_unit_test(audit_command_extends_digest),
		cmocka_unit_test(audit_failed_command_not_audited),
		cmocka_unit_test(audit_set_self_initial_state),
		cmocka_unit_test(audit_set_status_failures),
		cmocka_unit_test(audit_signed_verifies),
		cmocka_unit_test(audit_close_needs_identity),
		cmocka_unit_test(audit_state_persists),
		cmocka_unit_test(audit_owner_clear_resets_status),
		cmocka_unit_test(audit_malformed_vectors),
		cmocka_unit_test(audit_set_status_bad_bool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
