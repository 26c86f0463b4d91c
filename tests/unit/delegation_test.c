// SPDX-License-Identifier: GPL-2.0
/*
 * Delegation (Part 3, 18.x DSAP and SetOwnerPointer, 19): family
 * management, owner and key delegation blobs, the delegate table, DSAP
 * sessions authorizing only what their delegation permits, verification
 * counts invalidating old blobs, persistence, and malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "harness.h"

#define FAM_CREATE	1U
#define FAM_ENABLE	2U
#define FAM_ADMIN	3U
#define FAM_INVALIDATE	4U
#define DEL_OWNER	1U
#define DEL_KEY		2U
/* Part 2, 20.2 per1 bits used here. */
#define BIT_OWNER_READ_INTERNAL_PUB	(1U << 18)
#define BIT_DELEGATE_MANAGE		(1U << 2)
#define BIT_UPDATE_VERIFICATION		(1U << 5)
#define BIT_KEY_SIGN			(1U << 14)

static const uint8_t del_auth[20] = "delegate-secret-0001";
static const uint8_t key_auth[20] = "signing-key-secret-1";
static const uint8_t bad_auth[20] = "not-the-right-secret";

struct blob {
	uint8_t data[512];
	size_t len;
};

/* TPM_DELEGATE_PUBLIC without PCR binding. */
static void put_public(struct tpm_buf *b, uint32_t type, uint32_t per1,
		       uint32_t family, uint32_t count)
{
	static const uint8_t zero[20];

	tb_put_u16(b, TPM_TAG_DELEGATE_PUBLIC);
	tb_put_u8(b, 0x42);			/* rowLabel */
	tb_put_u16(b, 3);			/* sizeOfSelect */
	tb_put_bytes(b, zero, 3);
	tb_put_u8(b, 0x1F);			/* localityAtRelease */
	tb_put_bytes(b, zero, 20);		/* digestAtRelease */
	tb_put_u16(b, TPM_TAG_DELEGATIONS);
	tb_put_u32(b, type);
	tb_put_u32(b, per1);
	tb_put_u32(b, 0);
	tb_put_u32(b, family);
	tb_put_u32(b, count);
}

/* Delegate_Manage with owner OIAP (@owner) or without auth (NULL). */
static uint32_t manage(struct th *t, const uint8_t *owner, uint32_t family,
		       uint32_t op, const uint8_t *data, uint32_t len)
{
	struct th_sess s;
	struct tpm_buf *b;

	if (owner && th_oiap(t, &s, owner))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_Delegate_Manage);
	tb_put_u32(b, family);
	tb_put_u32(b, op);
	tb_put_u32(b, len);
	tb_put_bytes(b, data, len);
	return th_run(t, 0, owner ? &s : NULL, NULL);
}

static uint32_t family_create(struct th *t)
{
	static const uint8_t label = 7;
	uint32_t size, id;

	assert_int_equal(manage(t, th_owner_auth, 0, FAM_CREATE, &label, 1),
			 0);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(size, 4);
	assert_int_equal(tb_get_u32(&t->out, &id), 0);
	return id;
}

static void family_enable(struct th *t, uint32_t id, uint8_t on)
{
	assert_int_equal(manage(t, th_owner_auth, id, FAM_ENABLE, &on, 1), 0);
}

/* CreateOwnerDelegation in an OSAP session for the owner. */
static uint32_t create_owner_del(struct th *t, bool increment, uint32_t type,
				 uint32_t per1, uint32_t family,
				 struct blob *out)
{
	struct th_sess s;
	struct tpm_buf *b;
	uint8_t enc[20];
	uint32_t len;

	if (th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER, th_owner_auth))
		return t->rc;
	th_adip(&s, del_auth, false, enc);
	b = th_begin(t, TPM_ORD_Delegate_CreateOwnerDelegation);
	tb_put_u8(b, increment);
	put_public(b, type, per1, family, 0);
	tb_put_bytes(b, enc, 20);
	if (th_run(t, 0, &s, NULL))
		return t->rc;
	assert_int_equal(tb_get_u32(&t->out, &len), 0);
	assert_int_equal(len, tb_remaining(&t->out));
	assert_true(len <= sizeof(out->data));
	memcpy(out->data, tb_cursor(&t->out), len);
	out->len = len;
	/* Step 11: the session does not continue. */
	assert_null(tpm_session_find(t->s, s.handle));
	return 0;
}

/* TPM_DSAP; the session's secret becomes the shared secret. */
static uint32_t dsap(struct th *t, struct th_sess *s, uint16_t et,
		     uint32_t key, const void *ev, uint32_t ev_len,
		     const uint8_t secret[20])
{
	uint8_t odd[20], even[20], m[40];
	unsigned int mlen = 20;
	struct tpm_buf *b;

	memset(s, 0, sizeof(*s));
	RAND_bytes(odd, 20);
	b = th_begin(t, TPM_ORD_DSAP);
	tb_put_u16(b, et);
	tb_put_u32(b, key);
	tb_put_bytes(b, odd, 20);
	tb_put_u32(b, ev_len);
	tb_put_bytes(b, ev, ev_len);
	if (th_run(t, 0, NULL, NULL))
		return t->rc;
	if (tb_get_u32(&t->out, &s->handle) ||
	    tb_get_bytes(&t->out, s->nonce_even, 20) ||
	    tb_get_bytes(&t->out, even, 20))
		fail_msg("short DSAP response");
	memcpy(m, even, 20);
	memcpy(m + 20, odd, 20);
	HMAC(EVP_sha1(), secret, 20, m, sizeof(m), s->secret, &mlen);
	RAND_bytes(s->nonce_odd, 20);
	s->osap = true;
	s->cont = true;
	return 0;
}

static uint32_t dsap_row(struct th *t, struct th_sess *s, uint32_t row,
			 const uint8_t secret[20])
{
	uint8_t ev[4];

	tb_wr_be32(ev, row);
	return dsap(t, s, TPM_ET_DEL_ROW, 0, ev, 4, secret);
}

/* OwnerReadInternalPub(SRK) in session @s. */
static uint32_t read_internal_pub(struct th *t, struct th_sess *s)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_OwnerReadInternalPub);

	tb_put_u32(b, TPM_KH_SRK);
	return th_run(t, 0, s, NULL);
}

static uint32_t owner_read_pubek(struct th *t, struct th_sess *s)
{
	th_begin(t, TPM_ORD_OwnerReadPubek);
	return th_run(t, 0, s, NULL);
}

/* A family, enabled, and an owner blob permitting @per1. */
static uint32_t enabled_owner_del(struct th *t, uint32_t per1,
				  struct blob *bl)
{
	uint32_t id = family_create(t);

	family_enable(t, id, 1);
	assert_int_equal(create_owner_del(t, false, DEL_OWNER, per1, id, bl),
			 0);
	return id;
}

static uint32_t verify(struct th *t, const struct blob *bl)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_Delegate_VerifyDelegation);

	tb_put_u32(b, (uint32_t)bl->len);
	tb_put_bytes(b, bl->data, bl->len);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t load_owner_del(struct th *t, const uint8_t *owner,
			       uint32_t index, const struct blob *bl)
{
	struct th_sess s;
	struct tpm_buf *b;

	if (owner && th_oiap(t, &s, owner))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_Delegate_LoadOwnerDelegation);
	tb_put_u32(b, index);
	tb_put_u32(b, (uint32_t)bl->len);
	tb_put_bytes(b, bl->data, bl->len);
	return th_run(t, 0, owner ? &s : NULL, NULL);
}

/* ReadTable: number of family entries and of delegate rows. */
static void read_table(struct th *t, uint32_t *nfam, uint32_t *nrow)
{
	uint32_t fsize, dsize;

	th_begin(t, TPM_ORD_Delegate_ReadTable);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &fsize), 0);
	assert_int_equal(fsize % 15, 0);
	*nfam = fsize / 15;
	assert_int_equal(tb_skip(&t->out, fsize), 0);
	assert_int_equal(tb_get_u32(&t->out, &dsize), 0);
	assert_int_equal(dsize, tb_remaining(&t->out));
	/* index 4 + public 51 (3-byte selection). */
	assert_int_equal(dsize % 55, 0);
	*nrow = dsize / 55;
}

/* A created family is listed with count 1, disabled, unlocked. */
static void deleg_manage_create_read(void **state)
{
	struct th *t = *state;
	uint32_t id = family_create(t), size, fid, count, flags;
	uint16_t tag;
	uint8_t label;

	th_begin(t, TPM_ORD_Delegate_ReadTable);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(size, 15);
	assert_int_equal(tb_get_u16(&t->out, &tag), 0);
	assert_int_equal(tag, TPM_TAG_FAMILY_TABLE_ENTRY);
	assert_int_equal(tb_get_u8(&t->out, &label), 0);
	assert_int_equal(label, 7);
	assert_int_equal(tb_get_u32(&t->out, &fid), 0);
	assert_int_equal(fid, id);
	assert_int_equal(tb_get_u32(&t->out, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(tb_get_u32(&t->out, &flags), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(size, 0);
	/* IDs are unique and grow. */
	assert_true(family_create(t) > id);
}

/* Enable and admin set the flags; invalidate removes the family. */
static void deleg_manage_flags_invalidate(void **state)
{
	struct th *t = *state;
	uint32_t id = family_create(t), nf, nr, flags;
	uint8_t one = 1;

	family_enable(t, id, 1);
	assert_int_equal(manage(t, th_owner_auth, id, FAM_ADMIN, &one, 1), 0);
	th_begin(t, TPM_ORD_Delegate_ReadTable);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(tb_skip(&t->out, 4 + 2 + 1 + 4 + 4), 0);
	assert_int_equal(tb_get_u32(&t->out, &flags), 0);
	assert_int_equal(flags, 3);
	assert_int_equal(manage(t, th_owner_auth, id, FAM_INVALIDATE, NULL,
				0), 0);
	read_table(t, &nf, &nr);
	assert_int_equal(nf, 0);
	assert_int_equal(manage(t, th_owner_auth, id, FAM_ENABLE, &one, 1),
			 TPM_BADINDEX);
}

/* Manage's failure paths: auth, family, opcode and opData checks. */
static void deleg_manage_errors(void **state)
{
	struct th *t = *state;
	uint32_t id = family_create(t);
	uint8_t two[2] = { 1, 1 }, bad = 2;

	assert_int_equal(manage(t, bad_auth, id, FAM_ENABLE, two, 1),
			 TPM_AUTHFAIL);
	/* Step 3.a: an owner exists, so no unauthorized management. */
	assert_int_equal(manage(t, NULL, id, FAM_ENABLE, two, 1),
			 TPM_AUTHFAIL);
	assert_int_equal(manage(t, th_owner_auth, id + 100, FAM_ENABLE, two,
				1), TPM_BADINDEX);
	assert_int_equal(manage(t, th_owner_auth, id, 9, two, 1),
			 TPM_BAD_PARAMETER);
	assert_int_equal(manage(t, th_owner_auth, id, FAM_ENABLE, two, 2),
			 TPM_BAD_PARAM_SIZE);
	assert_int_equal(manage(t, th_owner_auth, id, FAM_ENABLE, &bad, 1),
			 TPM_BAD_PARAMETER);
	assert_int_equal(manage(t, th_owner_auth, 0, FAM_CREATE, two, 2),
			 TPM_BAD_PARAM_SIZE);
}

/* The family table holds TPM_NUM_FAMILY_ROWS families, then NOSPACE. */
static void deleg_manage_table_full(void **state)
{
	struct th *t = *state;
	uint8_t label = 1;
	unsigned int i;

	for (i = 0; i < TPM_NUM_FAMILY_ROWS; i++)
		family_create(t);
	assert_int_equal(manage(t, th_owner_auth, 0, FAM_CREATE, &label, 1),
			 TPM_NOSPACE);
}

/* Without an owner, management needs no auth until the admin lock. */
static void deleg_manage_no_owner_admin_lock(void **state)
{
	struct th *t = *state;
	uint8_t label = 1, one = 1;
	uint32_t id;

	assert_int_equal(manage(t, NULL, 0, FAM_CREATE, &label, 1), 0);
	assert_int_equal(tb_skip(&t->out, 4), 0);
	assert_int_equal(tb_get_u32(&t->out, &id), 0);
	assert_int_equal(manage(t, NULL, id, FAM_ADMIN, &one, 1), 0);
	assert_int_equal(manage(t, NULL, id, FAM_ENABLE, &one, 1),
			 TPM_DELEGATE_LOCK);
}

/* An owner delegation permits exactly its ordinals through DSAP. */
static void deleg_dsap_owner_blob_permits(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	struct blob bl;

	enabled_owner_del(t, BIT_OWNER_READ_INTERNAL_PUB, &bl);
	assert_int_equal(verify(t, &bl), 0);
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_OWNER_BLOB, 0, bl.data,
			      (uint32_t)bl.len, del_auth), 0);
	assert_int_equal(read_internal_pub(t, &s), 0);
	/* Not permitted: OwnerReadPubek (bit 9). */
	assert_int_equal(owner_read_pubek(t, &s), TPM_AUTHFAIL);
	/* The wrong delegation secret does not authorize. */
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_OWNER_BLOB, 0, bl.data,
			      (uint32_t)bl.len, bad_auth), 0);
	assert_int_equal(read_internal_pub(t, &s), TPM_AUTHFAIL);
}

/* A tampered blob fails its integrity check; other DSAP failures. */
static void deleg_dsap_errors(void **state)
{
	struct th *t = *state;
	struct th_sess s;
	struct blob bl, bad;
	uint32_t id = enabled_owner_del(t, BIT_OWNER_READ_INTERNAL_PUB, &bl);

	bad = bl;
	bad.data[bad.len - 1] ^= 1;
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_OWNER_BLOB, 0, bad.data,
			      (uint32_t)bad.len, del_auth), TPM_AUTHFAIL);
	assert_int_equal(verify(t, &bad), TPM_AUTHFAIL);
	/* A key entity type for an owner blob. */
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_KEY_BLOB, TPM_KH_SRK, bl.data,
			      (uint32_t)bl.len, del_auth),
			 TPM_WRONG_ENTITYTYPE);
	assert_int_equal(dsap(t, &s, TPM_ET_OWNER, 0, bl.data,
			      (uint32_t)bl.len, del_auth), TPM_BAD_PARAMETER);
	assert_int_equal(dsap_row(t, &s, 0, del_auth), TPM_BADINDEX);
	/* A disabled family refuses DSAP and verification. */
	family_enable(t, id, 0);
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_OWNER_BLOB, 0, bl.data,
			      (uint32_t)bl.len, del_auth), TPM_DISABLED_CMD);
	assert_int_equal(verify(t, &bl), TPM_DISABLED_CMD);
	/* An invalidated family is unknown. */
	assert_int_equal(manage(t, th_owner_auth, id, FAM_INVALIDATE, NULL,
				0), 0);
	assert_int_equal(verify(t, &bl), TPM_BADINDEX);
}

/* Incrementing the count invalidates old blobs; UpdateVerification
 * brings one back. */
static void deleg_increment_invalidates(void **state)
{
	struct th *t = *state;
	struct blob old, nw, upd;
	struct th_sess s, live;
	struct tpm_buf *b;
	uint32_t id, len;

	id = enabled_owner_del(t, BIT_OWNER_READ_INTERNAL_PUB, &old);
	assert_int_equal(dsap(t, &live, TPM_ET_DEL_OWNER_BLOB, 0, old.data,
			      (uint32_t)old.len, del_auth), 0);
	assert_int_equal(create_owner_del(t, true, DEL_OWNER,
					  BIT_OWNER_READ_INTERNAL_PUB, id,
					  &nw), 0);
	/* Step 4.c: DSAP sessions were ended. */
	assert_null(tpm_session_find(t->s, live.handle));
	assert_int_equal(verify(t, &old), TPM_FAMILYCOUNT);
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_OWNER_BLOB, 0, old.data,
			      (uint32_t)old.len, del_auth), TPM_FAMILYCOUNT);
	assert_int_equal(verify(t, &nw), 0);
	/* UpdateVerification (owner) re-stamps the old blob. */
	assert_int_equal(th_oiap(t, &s, th_owner_auth), 0);
	s.cont = false;
	b = th_begin(t, TPM_ORD_Delegate_UpdateVerification);
	tb_put_u32(b, (uint32_t)old.len);
	tb_put_bytes(b, old.data, old.len);
	assert_int_equal(th_run(t, 0, &s, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &len), 0);
	assert_int_equal(len, tb_remaining(&t->out));
	memcpy(upd.data, tb_cursor(&t->out), len);
	upd.len = len;
	assert_int_equal(verify(t, &upd), 0);
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_OWNER_BLOB, 0, upd.data,
			      (uint32_t)upd.len, del_auth), 0);
	assert_int_equal(read_internal_pub(t, &s), 0);
}

/* A loaded row is listed, usable through DSAP and the owner pointer. */
static void deleg_load_row_and_owner_pointer(void **state)
{
	struct th *t = *state;
	uint32_t nf, nr;
	struct th_sess s;
	struct tpm_buf *b;
	struct blob bl;

	enabled_owner_del(t, BIT_OWNER_READ_INTERNAL_PUB, &bl);
	assert_int_equal(load_owner_del(t, th_owner_auth, TPM_NUM_DELEGATE_ROWS,
					&bl), TPM_BADINDEX);
	assert_int_equal(load_owner_del(t, bad_auth, 1, &bl), TPM_AUTHFAIL);
	assert_int_equal(load_owner_del(t, th_owner_auth, 1, &bl), 0);
	read_table(t, &nf, &nr);
	assert_int_equal(nf, 1);
	assert_int_equal(nr, 1);
	assert_int_equal(dsap_row(t, &s, 1, del_auth), 0);
	assert_int_equal(read_internal_pub(t, &s), 0);
	/* SetOwnerPointer: an owner OIAP session now uses the row. */
	b = th_begin(t, TPM_ORD_SetOwnerPointer);
	tb_put_u16(b, TPM_ET_DEL_ROW);
	tb_put_u32(b, 1);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(th_oiap(t, &s, del_auth), 0);
	assert_int_equal(read_internal_pub(t, &s), 0);
	assert_int_equal(th_oiap(t, &s, del_auth), 0);
	assert_int_equal(owner_read_pubek(t, &s), TPM_AUTHFAIL);
	assert_int_equal(th_oiap(t, &s, th_owner_auth), 0);
	assert_int_equal(read_internal_pub(t, &s), TPM_AUTHFAIL);
	/* Back to the owner. */
	b = th_begin(t, TPM_ORD_SetOwnerPointer);
	tb_put_u16(b, TPM_ET_OWNER);
	tb_put_u32(b, 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(th_oiap(t, &s, th_owner_auth), 0);
	assert_int_equal(read_internal_pub(t, &s), 0);
	/* Pointer to an empty row, or a bad type. */
	b = th_begin(t, TPM_ORD_SetOwnerPointer);
	tb_put_u16(b, TPM_ET_DEL_ROW);
	tb_put_u32(b, 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_BADINDEX);
	b = th_begin(t, TPM_ORD_SetOwnerPointer);
	tb_put_u16(b, TPM_ET_KEYHANDLE);
	tb_put_u32(b, 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_BAD_PARAMETER);
}

/* CreateOwnerDelegation's failure paths. */
static void deleg_create_owner_errors(void **state)
{
	struct th *t = *state;
	uint32_t id = family_create(t);
	struct th_sess s;
	struct tpm_buf *b;
	struct blob bl;
	uint8_t enc[20] = { 0 };

	assert_int_equal(create_owner_del(t, false, DEL_KEY, 1, id, &bl),
			 TPM_BAD_PARAMETER);
	assert_int_equal(create_owner_del(t, false, DEL_OWNER, 1, id + 9,
					  &bl), TPM_BADINDEX);
	/* An OIAP session cannot carry the encrypted secret. */
	assert_int_equal(th_oiap(t, &s, th_owner_auth), 0);
	b = th_begin(t, TPM_ORD_Delegate_CreateOwnerDelegation);
	tb_put_u8(b, 0);
	put_public(b, DEL_OWNER, 1, id, 0);
	tb_put_bytes(b, enc, 20);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_INVALID_AUTHHANDLE);
	assert_int_equal(th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER,
				 bad_auth), 0);
	b = th_begin(t, TPM_ORD_Delegate_CreateOwnerDelegation);
	tb_put_u8(b, 0);
	put_public(b, DEL_OWNER, 1, id, 0);
	tb_put_bytes(b, enc, 20);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_AUTHFAIL);
}

/* A delegated Delegate_Manage is confined to its own family. */
static void deleg_delegated_manage_family(void **state)
{
	struct th *t = *state;
	uint32_t other, id;
	struct th_sess s;
	struct tpm_buf *b;
	struct blob bl;
	uint8_t one = 1;

	id = enabled_owner_del(t, BIT_DELEGATE_MANAGE, &bl);
	other = family_create(t);
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_OWNER_BLOB, 0, bl.data,
			      (uint32_t)bl.len, del_auth), 0);
	b = th_begin(t, TPM_ORD_Delegate_Manage);
	tb_put_u32(b, other);
	tb_put_u32(b, FAM_ENABLE);
	tb_put_u32(b, 1);
	tb_put_u8(b, one);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_DELEGATE_FAMILY);
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_OWNER_BLOB, 0, bl.data,
			      (uint32_t)bl.len, del_auth), 0);
	b = th_begin(t, TPM_ORD_Delegate_Manage);
	tb_put_u32(b, id);
	tb_put_u32(b, FAM_ADMIN);
	tb_put_u32(b, 1);
	tb_put_u8(b, one);
	assert_int_equal(th_run(t, 0, &s, NULL), 0);
	/* Step 6: a DSAP session does not continue. */
	assert_null(tpm_session_find(t->s, s.handle));
}

/* A key delegation authorizes Sign with its key only. */
static void deleg_key_delegation_sign(void **state)
{
	struct th *t = *state;
	uint32_t key = th_create_load_key(t, TPM_KEY_SIGNING, key_auth, NULL,
					  NULL);
	uint32_t id = family_create(t), len;
	uint8_t enc[20], digest[20] = { 1, 2, 3 };
	struct th_sess s;
	struct tpm_buf *b;
	struct blob bl;

	family_enable(t, id, 1);
	assert_int_equal(th_osap(t, &s, TPM_ET_KEYHANDLE, key, key_auth), 0);
	th_adip(&s, del_auth, false, enc);
	b = th_begin(t, TPM_ORD_Delegate_CreateKeyDelegation);
	tb_put_u32(b, key);
	put_public(b, DEL_KEY, BIT_KEY_SIGN, id, 0);
	tb_put_bytes(b, enc, 20);
	assert_int_equal(th_run(t, 1, &s, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &len), 0);
	memcpy(bl.data, tb_cursor(&t->out), len);
	bl.len = len;
	assert_int_equal(verify(t, &bl), 0);
	/* Step 3.h: the blob names this key, not the SRK. */
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_KEY_BLOB, TPM_KH_SRK, bl.data,
			      len, del_auth), TPM_KEYNOTFOUND);
	assert_int_equal(dsap(t, &s, TPM_ET_DEL_KEY_BLOB, key, bl.data, len,
			      del_auth), 0);
	b = th_begin(t, TPM_ORD_Sign);
	tb_put_u32(b, key);
	tb_put_u32(b, 20);
	tb_put_bytes(b, digest, 20);
	assert_int_equal(th_run(t, 1, &s, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &len), 0);
	assert_int_equal(len, 256);
	/* GetPubKey (bit 5) is not delegated. */
	b = th_begin(t, TPM_ORD_GetPubKey);
	tb_put_u32(b, key);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_AUTHFAIL);
	/* An owner-type public is refused for a key delegation. */
	assert_int_equal(th_osap(t, &s, TPM_ET_KEYHANDLE, key, key_auth), 0);
	th_adip(&s, del_auth, false, enc);
	b = th_begin(t, TPM_ORD_Delegate_CreateKeyDelegation);
	tb_put_u32(b, key);
	put_public(b, DEL_OWNER, BIT_KEY_SIGN, id, 0);
	tb_put_bytes(b, enc, 20);
	assert_int_equal(th_run(t, 1, &s, NULL), TPM_BAD_PARAMETER);
}

/* The tables survive a save/load; OwnerClear empties them. */
static void deleg_state_persist_and_clear(void **state)
{
	struct th *t = *state;
	struct tpm_state *s2;
	const char *why;
	uint8_t *blob;
	struct th_sess s;
	struct blob bl;
	size_t len;

	enabled_owner_del(t, BIT_OWNER_READ_INTERNAL_PUB, &bl);
	assert_int_equal(load_owner_del(t, th_owner_auth, 0, &bl), 0);
	assert_int_equal(tpm_state_save(t->s, &blob, &len), 0);
	s2 = tpm_state_load(blob, len, &why);
	assert_non_null(s2);
	free(blob);
	assert_memory_equal(&s2->deleg.family, &t->s->deleg.family,
			    sizeof(s2->deleg.family));
	assert_true(s2->deleg.rows[0].valid);
	assert_memory_equal(s2->deleg.rows[0].auth, del_auth, 20);
	assert_memory_equal(s2->deleg.key, t->s->deleg.key,
			    sizeof(s2->deleg.key));
	tpm_destroy(s2);
	assert_int_equal(th_oiap(t, &s, th_owner_auth), 0);
	s.cont = false;
	th_begin(t, TPM_ORD_OwnerClear);
	assert_int_equal(th_run(t, 0, &s, NULL), 0);
	assert_int_equal(t->s->deleg.rows[0].valid, false);
	assert_int_equal(t->s->deleg.family[0].valid, false);
	assert_false(t->s->deleg.key_valid);
}

/* GetCapability reports the table sizes. */
static void deleg_capability_rows(void **state)
{
	struct th *t = *state;
	uint32_t size, v;
	struct tpm_buf *b;

	b = th_begin(t, TPM_ORD_GetCapability);
	tb_put_u32(b, TPM_CAP_PROPERTY);
	tb_put_u32(b, 4);
	tb_put_u32(b, TPM_CAP_PROP_FAMILYROWS);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(tb_get_u32(&t->out, &v), 0);
	assert_int_equal(v, TPM_NUM_FAMILY_ROWS);
	b = th_begin(t, TPM_ORD_GetCapability);
	tb_put_u32(b, TPM_CAP_PROPERTY);
	tb_put_u32(b, 4);
	tb_put_u32(b, TPM_CAP_PROP_DELEGATE_ROW);
	assert_int_equal(th_run(t, 0, NULL, NULL), 0);
	assert_int_equal(tb_get_u32(&t->out, &size), 0);
	assert_int_equal(tb_get_u32(&t->out, &v), 0);
	assert_int_equal(v, TPM_NUM_DELEGATE_ROWS);
}

/* ---- malformed input ---- */

#define HDR(tag, size, ord) \
	0x00, (tag), 0, 0, 0, (size), 0, 0, 0, (ord)
#define AUTH_AREA \
	0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define NONCE \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

static const uint8_t v_dsap_short[] = { HDR(0xC1, 16, 0x11), 0, 8, 0, 0,
					0, 0 };
static const uint8_t v_dsap_ev_over[] = { HDR(0xC1, 42, 0x11), 0, 8,
					  0, 0, 0, 0, NONCE, 0, 0, 0, 5,
					  0, 0 };
static const uint8_t v_dsap_trailing[] = { HDR(0xC1, 45, 0x11), 0, 8,
					   0, 0, 0, 0, NONCE, 0, 0, 0, 4,
					   0, 0, 0, 0, 9 };
static const uint8_t v_dsap_badmode[] = { HDR(0xC1, 44, 0x11), 0x07, 8,
					  0, 0, 0, 0, NONCE, 0, 0, 0, 4,
					  0, 0, 0, 0 };
static const uint8_t v_read_trailing[] = { HDR(0xC1, 11, 0xDB), 0 };
static const uint8_t v_read_auth[] = { HDR(0xC2, 55, 0xDB), AUTH_AREA };
static const uint8_t v_manage_short[] = { HDR(0xC1, 18, 0xD2), 0, 0, 0, 0,
					  0, 0, 0, 1 };
static const uint8_t v_manage_over[] = { HDR(0xC1, 23, 0xD2), 0, 0, 0, 0,
					 0, 0, 0, 1, 0, 0, 0, 2, 7 };
static const uint8_t v_verify_empty[] = { HDR(0xC1, 14, 0xD6), 0, 0, 0, 0 };
static const uint8_t v_verify_badtag[] = { HDR(0xC1, 16, 0xD6), 0, 0, 0, 2,
					   0, 0x99 };
static const uint8_t v_verify_short[] = { HDR(0xC1, 17, 0xD6), 0, 0, 0, 3,
					  0, 0x2A, 0 };
static const uint8_t v_load_short[] = { HDR(0xC1, 13, 0xD8), 0, 0, 0 };
static const uint8_t v_load_trailing[] = { HDR(0xC1, 19, 0xD8), 0, 0, 0, 0,
					   0, 0, 0, 0, 1 };
static const uint8_t v_update_rqu[] = { HDR(0xC1, 14, 0xD1), 0, 0, 0, 0 };
static const uint8_t v_update_short[] = { HDR(0xC2, 57, 0xD1), 0, 0,
					  AUTH_AREA };
static const uint8_t v_cod_rqu[] = { HDR(0xC1, 11, 0xD5), 0 };
static const uint8_t v_cod_short[] = { HDR(0xC2, 56, 0xD5), 0, AUTH_AREA };
static const uint8_t v_ckd_short[] = { HDR(0xC2, 57, 0xD4), 0, 0,
				       AUTH_AREA };
static const uint8_t v_sop_short[] = { HDR(0xC1, 14, 0x75), 0, 8, 0, 0 };
static const uint8_t v_sop_trailing[] = { HDR(0xC1, 17, 0x75), 0, 8, 0, 0,
					  0, 0, 0 };

#define V TH_VEC
static const struct th_vector vectors[] = {
	V("DSAP: cut short", v_dsap_short, TPM_BAD_PARAM_SIZE),
	V("DSAP: entityValueSize beyond the command", v_dsap_ev_over,
	  TPM_BAD_PARAM_SIZE),
	V("DSAP: trailing byte", v_dsap_trailing, TPM_BAD_PARAM_SIZE),
	V("DSAP: unknown ADIP scheme", v_dsap_badmode, TPM_BAD_MODE),
	V("ReadTable: trailing byte", v_read_trailing, TPM_BAD_PARAM_SIZE),
	V("ReadTable: with auth area", v_read_auth, TPM_BADTAG),
	V("Manage: no opDataSize", v_manage_short, TPM_BAD_PARAM_SIZE),
	V("Manage: opDataSize beyond the command", v_manage_over,
	  TPM_BAD_PARAM_SIZE),
	V("VerifyDelegation: empty blob", v_verify_empty, TPM_BAD_PARAM_SIZE),
	V("VerifyDelegation: unknown blob tag", v_verify_badtag,
	  TPM_BAD_PARAMETER),
	V("VerifyDelegation: blob cut short", v_verify_short,
	  TPM_BAD_PARAM_SIZE),
	V("LoadOwnerDelegation: index cut short", v_load_short,
	  TPM_BAD_PARAM_SIZE),
	V("LoadOwnerDelegation: trailing byte", v_load_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("UpdateVerification: without auth area", v_update_rqu, TPM_BADTAG),
	V("UpdateVerification: inputSize cut short", v_update_short,
	  TPM_BAD_PARAM_SIZE),
	V("CreateOwnerDelegation: without auth area", v_cod_rqu, TPM_BADTAG),
	V("CreateOwnerDelegation: public missing", v_cod_short,
	  TPM_BAD_PARAM_SIZE),
	V("CreateKeyDelegation: keyHandle cut short", v_ckd_short,
	  TPM_BAD_PARAM_SIZE),
	V("SetOwnerPointer: entityValue cut short", v_sop_short,
	  TPM_BAD_PARAM_SIZE),
	V("SetOwnerPointer: trailing byte", v_sop_trailing,
	  TPM_BAD_PARAM_SIZE),
};

/* Every malformed-input vector gets its return code, and no table
 * changes. */
static void deleg_malformed_vectors(void **state)
{
	struct th *t = *state;

	th_run_vectors(t, vectors, ARRAY_SIZE(vectors));
	assert_false(t->s->deleg.family[0].valid);
	assert_false(t->s->deleg.rows[0].valid);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup_owned_pp, th_teardown)
#define TU(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(deleg_manage_create_read),
		T(deleg_manage_flags_invalidate),
		T(deleg_manage_errors),
		T(deleg_manage_table_full),
		TU(deleg_manage_no_owner_admin_lock),
		T(deleg_dsap_owner_blob_permits),
		T(deleg_dsap_errors),
		T(deleg_increment_invalidates),
		T(deleg_load_row_and_owner_pointer),
		T(deleg_create_owner_errors),
		T(deleg_delegated_manage_family),
		T(deleg_key_delegation_sign),
		T(deleg_state_persist_and_clear),
		T(deleg_capability_rows),
		T(deleg_malformed_vectors),
	};

	return cmocka_run_group_tests_name("delegation", tests, NULL, NULL);
}
