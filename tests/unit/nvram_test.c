// SPDX-License-Identifier: GPL-2.0
/*
 * NV storage and DIR commands (Part 3, 20 and 27.3): definition rules,
 * attribute locks, PCR- and locality-bound areas, owner and area
 * authorization, the unowned write budget, and malformed input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define IDX		0x00001000U	/* an ordinary index */
#define IDX2		0x00001001U
#define IDX_DBIT	0x10001000U
#define IDX_TRIAL	0x0000F004U
#define AUTHW		TPM_NV_PER_AUTHWRITE
#define PPW		TPM_NV_PER_PPWRITE

static const uint8_t area_auth[20] = "nv-area-secret-12345";

/* Options of one TPM_NV_DATA_PUBLIC. */
struct nvdef {
	uint32_t index;
	uint32_t perm;
	uint32_t size;
	uint8_t rloc, wloc;		/* localityAtRelease */
	uint8_t rsel[3], wsel[3];	/* PCR bitmaps */
	uint8_t rdig[20], wdig[20];	/* digestAtRelease */
	uint8_t bools[3];		/* bReadSTClear etc. (ignored) */
};

static struct nvdef def(uint32_t index, uint32_t perm, uint32_t size)
{
	struct nvdef d;

	memset(&d, 0, sizeof(d));
	d.index = index;
	d.perm = perm;
	d.size = size;
	d.rloc = TPM_LOC_ALL;
	d.wloc = TPM_LOC_ALL;
	return d;
}

static void put_pcr_short(struct tpm_buf *b, const uint8_t sel[3],
			  uint8_t loc, const uint8_t dig[20])
{
	tb_put_u16(b, 3);
	tb_put_bytes(b, sel, 3);
	tb_put_u8(b, loc);
	tb_put_bytes(b, dig, 20);
}

static void put_pub(struct tpm_buf *b, const struct nvdef *d)
{
	tb_put_u16(b, TPM_TAG_NV_DATA_PUBLIC);
	tb_put_u32(b, d->index);
	put_pcr_short(b, d->rsel, d->rloc, d->rdig);
	put_pcr_short(b, d->wsel, d->wloc, d->wdig);
	tb_put_u16(b, TPM_TAG_NV_ATTRIBUTES);
	tb_put_u32(b, d->perm);
	tb_put_bytes(b, d->bools, 3);
	tb_put_u32(b, d->size);
}

/* Unauthorized NV_DefineSpace; the area secret goes in the clear. */
static uint32_t define_noauth(struct th *t, const struct nvdef *d)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_NV_DefineSpace);

	put_pub(b, d);
	tb_put_bytes(b, area_auth, 20);
	return th_run(t, 0, NULL, NULL);
}

static uint32_t define_plain(struct th *t, uint32_t index, uint32_t perm,
			     uint32_t size)
{
	struct nvdef d = def(index, perm, size);

	return define_noauth(t, &d);
}

/* Owner-authorized NV_DefineSpace in an OSAP session. */
static uint32_t define_owner(struct th *t, const struct nvdef *d,
			     const uint8_t owner[20])
{
	struct th_sess s;
	struct tpm_buf *b;
	uint8_t enc[20];

	if (th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER, owner))
		return t->rc;
	th_adip(&s, area_auth, false, enc);
	b = th_begin(t, TPM_ORD_NV_DefineSpace);
	put_pub(b, d);
	tb_put_bytes(b, enc, 20);
	return th_run(t, 0, &s, NULL);
}

static uint32_t lock_nv(struct th *t)
{
	return define_plain(t, TPM_NV_INDEX_LOCK, 0, 0);
}

/* NV_WriteValue, unauthorized (s NULL) or with session @s. */
static uint32_t nv_write(struct th *t, uint32_t index, uint32_t offset,
			 const void *data, uint32_t len, struct th_sess *s)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_NV_WriteValue);

	tb_put_u32(b, index);
	tb_put_u32(b, offset);
	tb_put_sized(b, data, len);
	return th_run(t, 0, s, NULL);
}

static uint32_t nv_write_owner(struct th *t, uint32_t index, uint32_t off,
			       const void *data, uint32_t len,
			       const uint8_t owner[20])
{
	struct th_sess s;

	if (th_oiap(t, &s, owner))
		return t->rc;
	s.cont = false;
	return nv_write(t, index, off, data, len, &s);
}

static uint32_t nv_write_auth(struct th *t, uint32_t index, uint32_t off,
			      const void *data, uint32_t len,
			      const uint8_t secret[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, secret))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_NV_WriteValueAuth);
	tb_put_u32(b, index);
	tb_put_u32(b, off);
	tb_put_sized(b, data, len);
	return th_run(t, 0, &s, NULL);
}

/* NV_ReadValue; on success t->out holds u32 size || data. */
static uint32_t nv_read(struct th *t, uint32_t index, uint32_t offset,
			uint32_t size, struct th_sess *s)
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_NV_ReadValue);

	tb_put_u32(b, index);
	tb_put_u32(b, offset);
	tb_put_u32(b, size);
	return th_run(t, 0, s, NULL);
}

static uint32_t nv_read_owner(struct th *t, uint32_t index, uint32_t off,
			      uint32_t size, const uint8_t owner[20])
{
	struct th_sess s;

	if (th_oiap(t, &s, owner))
		return t->rc;
	s.cont = false;
	return nv_read(t, index, off, size, &s);
}

static uint32_t nv_read_auth(struct th *t, uint32_t index, uint32_t off,
			     uint32_t size, const uint8_t secret[20])
{
	struct th_sess s;
	struct tpm_buf *b;

	if (th_oiap(t, &s, secret))
		return t->rc;
	s.cont = false;
	b = th_begin(t, TPM_ORD_NV_ReadValueAuth);
	tb_put_u32(b, index);
	tb_put_u32(b, off);
	tb_put_u32(b, size);
	return th_run(t, 0, &s, NULL);
}

/* Check the data of the last successful read. */
static void expect_data(struct th *t, const void *want, uint32_t len)
{
	uint32_t n;
	const uint8_t *p;

	assert_int_equal(tb_get_u32(&t->out, &n), 0);
	assert_int_equal(n, len);
	assert_int_equal(tb_get_ref(&t->out, &p, n), 0);
	assert_memory_equal(p, want, len);
}

static uint32_t pcr_read(struct th *t, uint32_t idx, uint8_t out[20])
{
	struct tpm_buf *b = th_begin(t, TPM_ORD_PcrRead);

	tb_put_u32(b, idx);
	if (th_run(t, 0, NULL, NULL))
		return t->rc;
	return tb_get_bytes(&t->out, out, 20) ? 0xFFFF : 0;
}

static uint32_t pcr_extend(struct th *t, uint32_t idx)
{
	static const uint8_t d[20] = "measurement-0000000";
	struct tpm_buf *b = th_begin(t, TPM_ORD_Extend);

	tb_put_u32(b, idx);
	tb_put_bytes(b, d, 20);
	return th_run(t, 0, NULL, NULL);
}

/* TPM_PCR_COMPOSITE digest of one PCR, as a client computes it. */
static void composite_one(struct th *t, uint32_t idx, uint8_t sel[3],
			  uint8_t out[20])
{
	uint8_t m[2 + 3 + 4 + 20], v[20];

	assert_int_equal(pcr_read(t, idx, v), 0);
	memset(sel, 0, 3);
	sel[idx / 8] = (uint8_t)(1U << (idx % 8));
	tb_wr_be16(m, 3);
	memcpy(m + 2, sel, 3);
	tb_wr_be32(m + 5, 20);
	memcpy(m + 9, v, 20);
	th_sha1(m, sizeof(m), out);
}

/* Owned TPM with nvLocked set: the production configuration. */
static void own_and_lock(struct th *t)
{
	th_pp(t);
	th_take_ownership(t);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
}

/* Defining TPM_NV_INDEX_LOCK sets nvLocked; unauthorized definition then
 * needs physical presence. */
static void nv_define_lock_sets_nvlocked(void **state)
{
	struct th *t = *state;

	assert_false(t->s->pf.nv_locked);
	assert_int_equal(define_plain(t, IDX, PPW, 8), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	assert_true(t->s->pf.nv_locked);
	assert_int_equal(define_plain(t, IDX2, PPW, 8), TPM_BAD_PRESENCE);
	th_pp(t);
	assert_int_equal(define_plain(t, IDX2, PPW, 8), TPM_SUCCESS);
	/* Locking again is no error. */
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
}

/* TPM_NV_INDEX_LOCK with a data size is refused. */
static void nv_define_lock_nonzero_size(void **state)
{
	struct th *t = *state;

	assert_int_equal(define_plain(t, TPM_NV_INDEX_LOCK, 0, 4),
			 TPM_BADINDEX);
	assert_false(t->s->pf.nv_locked);
}

/* A new area reads as 0xFF and takes what is written. */
static void nv_define_write_read_roundtrip(void **state)
{
	struct th *t = *state;
	uint8_t ff[16], data[5] = { 1, 2, 3, 4, 5 }, want[16];

	memset(ff, 0xFF, sizeof(ff));
	assert_int_equal(define_plain(t, IDX, PPW, 16), TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 16, NULL), TPM_SUCCESS);
	expect_data(t, ff, 16);
	assert_int_equal(nv_write(t, IDX, 3, data, 5, NULL), TPM_SUCCESS);
	memcpy(want, ff, 16);
	memcpy(want + 3, data, 5);
	assert_int_equal(nv_read(t, IDX, 0, 16, NULL), TPM_SUCCESS);
	expect_data(t, want, 16);
	assert_int_equal(nv_read(t, IDX, 4, 2, NULL), TPM_SUCCESS);
	expect_data(t, data + 1, 2);
	assert_true(tpm_state_dirty(t->s));
}

/* Index 0, the DIR index, reserved bits and GPIO are not definable. */
static void nv_define_bad_index(void **state)
{
	struct th *t = *state;

	assert_int_equal(define_plain(t, TPM_NV_INDEX0, PPW, 4), TPM_BADINDEX);
	assert_int_equal(define_plain(t, TPM_NV_INDEX_DIR, PPW, 4),
			 TPM_BADINDEX);
	assert_int_equal(define_plain(t, 0x01001000U, PPW, 4), TPM_BADINDEX);
	assert_int_equal(define_plain(t, 0x00011600U, PPW, 4), TPM_BADINDEX);
}

/* The D bit is allowed before nvLocked, refused after; a D-bit area
 * cannot be deleted once locked. */
static void nv_define_dbit(void **state)
{
	struct th *t = *state;

	assert_int_equal(define_plain(t, IDX_DBIT, PPW, 4), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	th_pp(t);
	assert_int_equal(define_plain(t, IDX_DBIT | 1, PPW, 4), TPM_BADINDEX);
	assert_int_equal(define_plain(t, IDX_DBIT, PPW, 0), TPM_BADINDEX);
	assert_non_null(tpm_nv_find(t->s, IDX_DBIT));
}

/* Size 0 deletes an area, but defines nothing new. */
static void nv_define_size0(void **state)
{
	struct th *t = *state;

	assert_int_equal(define_plain(t, IDX, PPW, 0), TPM_BAD_PARAM_SIZE);
	assert_int_equal(define_plain(t, IDX, PPW, 8), TPM_SUCCESS);
	assert_int_equal(define_plain(t, IDX, PPW, 0), TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_BADINDEX);
	assert_int_equal(tpm_nv_free_space(t->s), TPM_MAX_NV_SPACE);
}

/* After nvLocked, deleting without owner authorization is refused. */
static void nv_define_size0_noauth_locked(void **state)
{
	struct th *t = *state;

	assert_int_equal(define_plain(t, IDX, PPW, 8), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	th_pp(t);
	assert_int_equal(define_plain(t, IDX, PPW, 0), TPM_BAD_DATASIZE);
	assert_non_null(tpm_nv_find(t->s, IDX));
}

/* Attribute consistency (Part 3, 20.1 step 9). */
static void nv_define_attribute_rules(void **state)
{
	struct th *t = *state;
	struct nvdef d;

	assert_int_equal(define_plain(t, IDX, TPM_NV_PER_OWNERWRITE | AUTHW,
				      4), TPM_AUTH_CONFLICT);
	assert_int_equal(define_plain(t, IDX, PPW | TPM_NV_PER_OWNERREAD |
				      TPM_NV_PER_AUTHREAD, 4),
			 TPM_AUTH_CONFLICT);
	assert_int_equal(define_plain(t, IDX, TPM_NV_PER_PPREAD, 4),
			 TPM_PER_NOWRITE);
	assert_int_equal(define_plain(t, IDX, PPW | 0x00000100U, 4),
			 TPM_BAD_ATTRIBUTES);
	/* A write locality restriction is a write restriction. */
	d = def(IDX, 0, 4);
	d.wloc = TPM_LOC_ZERO;
	assert_int_equal(define_noauth(t, &d), TPM_SUCCESS);
	assert_null(tpm_nv_find(t->s, IDX2));
}

/* PCR infos must name a locality and existing PCRs. */
static void nv_define_bad_pcr_info(void **state)
{
	struct th *t = *state;
	struct nvdef d = def(IDX, PPW, 4);

	d.rloc = 0;
	assert_int_equal(define_noauth(t, &d), TPM_INVALID_PCR_INFO);
	d = def(IDX, PPW, 4);
	d.wloc = 0x20;
	assert_int_not_equal(define_noauth(t, &d), TPM_SUCCESS);
	assert_null(tpm_nv_find(t->s, IDX));
}

/* Space is bounded by TPM_MAX_NV_SPACE and TPM_MAX_NV_INDEXES. */
static void nv_define_nospace(void **state)
{
	struct th *t = *state;
	unsigned int i;

	assert_int_equal(define_plain(t, IDX, PPW, TPM_MAX_NV_SPACE + 1),
			 TPM_NOSPACE);
	assert_int_equal(define_plain(t, IDX, PPW, TPM_MAX_NV_SPACE),
			 TPM_SUCCESS);
	assert_int_equal(tpm_nv_free_space(t->s), 0);
	assert_int_equal(define_plain(t, IDX2, PPW, 1), TPM_NOSPACE);
	/* Redefinition reuses the space of the area it replaces. */
	assert_int_equal(define_plain(t, IDX, PPW, TPM_MAX_NV_SPACE),
			 TPM_SUCCESS);
	assert_int_equal(define_plain(t, IDX, PPW, 0), TPM_SUCCESS);
	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		/* (Keep clear of the unowned write budget.) */
		t->s->pd.nv_writes_noowner = 0;
		assert_int_equal(define_plain(t, IDX + i, PPW, 1),
				 TPM_SUCCESS);
	}
	assert_int_equal(define_plain(t, IDX + i, PPW, 1), TPM_NOSPACE);
}

/* The trial index runs the checks and creates nothing. */
static void nv_define_trial(void **state)
{
	struct th *t = *state;

	assert_int_equal(define_plain(t, IDX_TRIAL, PPW, 16), TPM_SUCCESS);
	assert_null(tpm_nv_find(t->s, IDX_TRIAL));
	assert_int_equal(define_plain(t, IDX_TRIAL, PPW,
				      TPM_MAX_NV_SPACE + 1), TPM_NOSPACE);
}

/* Unauthorized definitions and writes share a budget of 64 while there
 * is no owner. */
static void nv_define_maxnvwrites(void **state)
{
	struct th *t = *state;
	uint8_t x = 0;

	assert_int_equal(define_plain(t, IDX, PPW, 4), TPM_SUCCESS);
	assert_int_equal(t->s->pd.nv_writes_noowner, 1);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_SUCCESS);
	assert_int_equal(t->s->pd.nv_writes_noowner, 2);
	t->s->pd.nv_writes_noowner = TPM_MAX_NV_WRITE_NOOWNER;
	assert_int_equal(define_plain(t, IDX2, PPW, 4), TPM_MAXNVWRITES);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_MAXNVWRITES);
	/* An owner clear resets the budget. */
	tpm_nv_owner_clear(t->s);
	assert_int_equal(t->s->pd.nv_writes_noowner, 0);
}

/* Once locked, commands touching owner NV need an enabled, active TPM. */
static void nv_define_disabled(void **state)
{
	struct th *t = *state;

	t->s->pf.disable = true;
	assert_int_equal(define_plain(t, IDX, PPW, 4), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	th_pp(t);
	assert_int_equal(define_plain(t, IDX2, PPW, 4), TPM_DISABLED);
	t->s->pf.disable = false;
	t->s->sf.deactivated = true;
	assert_int_equal(define_plain(t, IDX2, PPW, 4), TPM_DEACTIVATED);
}

/* Owner-authorized definition: OSAP only, the owner secret, the session
 * ends, and the ADIP-decrypted area secret authorizes the area. */
static void nv_define_owner(void **state)
{
	struct th *t = *state;
	struct nvdef d = def(IDX, AUTHW | TPM_NV_PER_AUTHREAD, 8);
	uint8_t data[8] = "12345678", bad[20] = "wrong-owner-secret!";
	struct th_sess s;
	struct tpm_buf *b;

	own_and_lock(t);
	assert_int_equal(define_owner(t, &d, bad), TPM_AUTHFAIL);
	assert_int_equal(define_noauth(t, &d), TPM_OWNER_SET);
	/* OIAP cannot carry an encrypted secret. */
	assert_int_equal(th_oiap(t, &s, th_owner_auth), 0);
	b = th_begin(t, TPM_ORD_NV_DefineSpace);
	put_pub(b, &d);
	tb_put_bytes(b, area_auth, 20);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_INVALID_AUTHHANDLE);
	/* Success; the session does not continue. */
	assert_int_equal(th_osap(t, &s, TPM_ET_OWNER, TPM_KH_OWNER,
				 th_owner_auth), 0);
	{
		uint8_t enc[20];

		th_adip(&s, area_auth, false, enc);
		b = th_begin(t, TPM_ORD_NV_DefineSpace);
		put_pub(b, &d);
		tb_put_bytes(b, enc, 20);
		assert_int_equal(th_run(t, 0, &s, NULL), TPM_SUCCESS);
	}
	assert_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(nv_write_auth(t, IDX, 0, data, 8, area_auth),
			 TPM_SUCCESS);
	assert_int_equal(nv_read_auth(t, IDX, 0, 8, area_auth), TPM_SUCCESS);
	expect_data(t, data, 8);
	assert_int_equal(nv_write_auth(t, IDX, 0, data, 8, th_owner_auth),
			 TPM_AUTHFAIL);
	/* The owner may delete it. */
	d.size = 0;
	assert_int_equal(define_owner(t, &d, th_owner_auth), TPM_SUCCESS);
	assert_null(tpm_nv_find(t->s, IDX));
}

/* A write-locked or globally locked area cannot be redefined. */
static void nv_define_locked_area(void **state)
{
	struct th *t = *state;
	struct nvdef d = def(IDX, TPM_NV_PER_OWNERWRITE |
			     TPM_NV_PER_WRITE_STCLEAR, 8);
	struct nvdef g = def(IDX2, TPM_NV_PER_OWNERWRITE |
			     TPM_NV_PER_GLOBALLOCK, 8);

	own_and_lock(t);
	assert_int_equal(define_owner(t, &d, th_owner_auth), TPM_SUCCESS);
	assert_int_equal(define_owner(t, &g, th_owner_auth), TPM_SUCCESS);
	assert_int_equal(nv_write_owner(t, IDX, 0, NULL, 0, th_owner_auth),
			 TPM_SUCCESS);
	assert_int_equal(define_owner(t, &d, th_owner_auth),
			 TPM_AREA_LOCKED);
	assert_int_equal(nv_write(t, TPM_NV_INDEX0, 0, NULL, 0, NULL),
			 TPM_SUCCESS);
	assert_int_equal(define_owner(t, &g, th_owner_auth),
			 TPM_AREA_LOCKED);
	/* Startup(CLEAR) lifts both locks. */
	th_restart(t, TPM_ST_CLEAR);
	assert_int_equal(define_owner(t, &d, th_owner_auth), TPM_SUCCESS);
	assert_int_equal(define_owner(t, &g, th_owner_auth), TPM_SUCCESS);
}

/* Out-of-range writes, including offsets that would wrap. */
static void nv_write_bounds(void **state)
{
	struct th *t = *state;
	uint8_t data[8] = { 0 };

	assert_int_equal(define_plain(t, IDX, PPW, 8), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 1, data, 8, NULL), TPM_NOSPACE);
	assert_int_equal(nv_write(t, IDX, 0xFFFFFFFFU, data, 2, NULL),
			 TPM_NOSPACE);
	assert_int_equal(nv_write(t, IDX, 9, data, 1, NULL), TPM_NOSPACE);
	assert_int_equal(nv_write(t, IDX2, 0, data, 1, NULL), TPM_BADINDEX);
	assert_int_equal(nv_read(t, IDX, 4, 5, NULL), TPM_NOSPACE);
	assert_int_equal(nv_read(t, IDX, 0xFFFFFFFFU, 2, NULL), TPM_NOSPACE);
	assert_int_equal(nv_read(t, IDX2, 0, 1, NULL), TPM_BADINDEX);
}

/* TPM_NV_PER_WRITEALL refuses partial writes. */
static void nv_write_writeall(void **state)
{
	struct th *t = *state;
	uint8_t data[8] = "abcdefgh";

	assert_int_equal(define_plain(t, IDX, PPW | TPM_NV_PER_WRITEALL, 8),
			 TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, data, 4, NULL),
			 TPM_NOT_FULLWRITE);
	assert_int_equal(nv_write(t, IDX, 0, data, 8, NULL), TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 8, NULL), TPM_SUCCESS);
	expect_data(t, data, 8);
}

/* Area-authorized areas are written only with NV_WriteValueAuth. */
static void nv_write_authwrite_conflict(void **state)
{
	struct th *t = *state;
	uint8_t x = 7;

	assert_int_equal(define_plain(t, IDX, AUTHW, 4), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_AUTH_CONFLICT);
	assert_int_equal(nv_write_auth(t, IDX, 0, &x, 1, area_auth),
			 TPM_SUCCESS);
	assert_int_equal(define_plain(t, IDX2, PPW, 4), TPM_SUCCESS);
	assert_int_equal(nv_write_auth(t, IDX2, 0, &x, 1, area_auth),
			 TPM_AUTH_CONFLICT);
	assert_int_equal(nv_write_auth(t, 0x2222, 0, &x, 1, area_auth),
			 TPM_BADINDEX);
	assert_int_equal(nv_write_auth(t, IDX, 0, &x, 1, th_owner_auth),
			 TPM_AUTHFAIL);
}

/* bWriteDefine: a zero-length write locks the area for good. */
static void nv_write_writedefine(void **state)
{
	struct th *t = *state;
	uint8_t x = 1;

	assert_int_equal(define_plain(t, IDX, PPW | TPM_NV_PER_WRITEDEFINE,
				      4), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	th_pp(t);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, NULL, 0, NULL), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_AREA_LOCKED);
	th_restart(t, TPM_ST_CLEAR);
	th_pp(t);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_AREA_LOCKED);
}

/* bWriteSTClear locks until the next Startup(CLEAR). */
static void nv_write_stclear(void **state)
{
	struct th *t = *state;
	uint8_t x = 1;

	assert_int_equal(define_plain(t, IDX, PPW | TPM_NV_PER_WRITE_STCLEAR,
				      4), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	th_pp(t);
	assert_int_equal(nv_write(t, IDX, 0, NULL, 0, NULL), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_AREA_LOCKED);
	th_restart(t, TPM_ST_CLEAR);
	th_pp(t);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_SUCCESS);
}

/* bGlobalLock: set by a zero-length write to index 0. */
static void nv_write_globallock(void **state)
{
	struct th *t = *state;
	uint8_t x = 1;

	assert_int_equal(define_plain(t, IDX, PPW | TPM_NV_PER_GLOBALLOCK, 4),
			 TPM_SUCCESS);
	assert_int_equal(define_plain(t, IDX2, PPW, 4), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	th_pp(t);
	assert_int_equal(nv_write(t, TPM_NV_INDEX0, 0, &x, 1, NULL),
			 TPM_BADINDEX);
	assert_int_equal(nv_write(t, TPM_NV_INDEX0, 0, NULL, 0, NULL),
			 TPM_SUCCESS);
	assert_true(t->s->sf.global_lock);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_AREA_LOCKED);
	assert_int_equal(nv_write(t, IDX2, 0, &x, 1, NULL), TPM_SUCCESS);
	th_restart(t, TPM_ST_CLEAR);
	th_pp(t);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_SUCCESS);
}

/* PPWRITE / PPREAD need physical presence once locked; before the lock
 * nothing but AUTHREAD/AUTHWRITE is enforced. */
static void nv_write_read_physical_presence(void **state)
{
	struct th *t = *state;
	uint8_t x = 1;

	assert_int_equal(define_plain(t, IDX, PPW | TPM_NV_PER_PPREAD, 4),
			 TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_BAD_PRESENCE);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_BAD_PRESENCE);
	th_pp(t);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_SUCCESS);
	expect_data(t, &x, 1);
}

/* A write-PCR-bound area follows the PCR: extend it and writes fail. */
static void nv_write_pcr_bound(void **state)
{
	struct th *t = *state;
	struct nvdef d = def(IDX, PPW, 4);
	uint8_t x = 1;

	composite_one(t, 16, d.wsel, d.wdig);
	assert_int_equal(define_noauth(t, &d), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	th_pp(t);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_SUCCESS);
	assert_int_equal(pcr_extend(t, 16), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_WRONGPCRVAL);
	/* Reads are not bound. */
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_SUCCESS);
}

/* A read-PCR-bound area (read with area authorization). */
static void nv_read_pcr_bound(void **state)
{
	struct th *t = *state;
	struct nvdef d = def(IDX, PPW | TPM_NV_PER_AUTHREAD, 4);

	composite_one(t, 16, d.rsel, d.rdig);
	assert_int_equal(define_noauth(t, &d), TPM_SUCCESS);
	assert_int_equal(nv_read_auth(t, IDX, 0, 4, area_auth), TPM_SUCCESS);
	assert_int_equal(pcr_extend(t, 16), TPM_SUCCESS);
	assert_int_equal(nv_read_auth(t, IDX, 0, 4, area_auth),
			 TPM_WRONGPCRVAL);
}

/* localityAtRelease restricts reads and writes to named localities. */
static void nv_locality_bound(void **state)
{
	struct th *t = *state;
	struct nvdef d = def(IDX, PPW, 4);
	uint8_t x = 1;

	d.wloc = TPM_LOC_ONE;
	d.rloc = TPM_LOC_ONE | TPM_LOC_TWO;
	assert_int_equal(define_noauth(t, &d), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	th_pp(t);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_BAD_LOCALITY);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_BAD_LOCALITY);
	assert_int_equal(tpm_set_locality(t->s, 1), 0);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_SUCCESS);
	assert_int_equal(tpm_set_locality(t->s, 2), 0);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_BAD_LOCALITY);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_SUCCESS);
	assert_int_equal(tpm_set_locality(t->s, 5), -EINVAL);
}

/* Owner-written areas: owner authorization only, once locked. */
static void nv_write_owner_area(void **state)
{
	struct th *t = *state;
	struct nvdef d = def(IDX, TPM_NV_PER_OWNERWRITE |
			     TPM_NV_PER_OWNERREAD, 4);
	struct nvdef p = def(IDX2, PPW, 4);
	uint8_t x = 9;

	own_and_lock(t);
	assert_int_equal(define_owner(t, &d, th_owner_auth), TPM_SUCCESS);
	assert_int_equal(define_owner(t, &p, th_owner_auth), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_AUTH_CONFLICT);
	assert_int_equal(nv_write_owner(t, IDX, 0, &x, 1, area_auth),
			 TPM_AUTHFAIL);
	assert_int_equal(nv_write_owner(t, IDX, 0, &x, 1, th_owner_auth),
			 TPM_SUCCESS);
	assert_int_equal(nv_write_owner(t, IDX2, 0, &x, 1, th_owner_auth),
			 TPM_AUTH_CONFLICT);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_AUTH_CONFLICT);
	assert_int_equal(nv_read_owner(t, IDX, 0, 1, th_owner_auth),
			 TPM_SUCCESS);
	expect_data(t, &x, 1);
	assert_int_equal(nv_read_owner(t, IDX2, 0, 1, th_owner_auth),
			 TPM_AUTH_CONFLICT);
	/* Owner-controlled NV is closed while disabled. */
	t->s->pf.disable = true;
	assert_int_equal(nv_write_owner(t, IDX, 0, &x, 1, th_owner_auth),
			 TPM_DISABLED);
	assert_int_equal(nv_read_owner(t, IDX, 0, 1, th_owner_auth),
			 TPM_DISABLED);
	/* ...but other areas stay usable. */
	th_pp(t);
	assert_int_equal(nv_write(t, IDX2, 0, &x, 1, NULL), TPM_SUCCESS);
}

/* Owner authorization of an unowned TPM is refused. */
static void nv_write_owner_unowned(void **state)
{
	struct th *t = *state;
	uint8_t x = 1;

	assert_int_equal(define_plain(t, IDX, TPM_NV_PER_OWNERWRITE, 4),
			 TPM_SUCCESS);
	assert_int_equal(nv_write_owner(t, IDX, 0, &x, 1, th_zero_auth),
			 TPM_NOSRK);
}

/* bReadSTClear: a zero-length read locks reads until Startup(CLEAR) or
 * a successful write. */
static void nv_read_stclear(void **state)
{
	struct th *t = *state;
	uint8_t x = 3;

	assert_int_equal(define_plain(t, IDX, PPW | TPM_NV_PER_READ_STCLEAR,
				      4), TPM_SUCCESS);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 0, NULL), TPM_SUCCESS);
	expect_data(t, NULL, 0);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_DISABLED_CMD);
	th_pp(t);
	assert_int_equal(nv_write(t, IDX, 0, &x, 1, NULL), TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 0, NULL), TPM_SUCCESS);
	th_restart(t, TPM_ST_CLEAR);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_SUCCESS);
	expect_data(t, &x, 1);
}

/* AUTHREAD areas: ReadValueAuth only, with the area secret. */
static void nv_read_authread(void **state)
{
	struct th *t = *state;

	assert_int_equal(define_plain(t, IDX, PPW | TPM_NV_PER_AUTHREAD, 4),
			 TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 1, NULL), TPM_AUTH_CONFLICT);
	assert_int_equal(nv_read_auth(t, IDX, 0, 1, th_zero_auth),
			 TPM_AUTHFAIL);
	assert_int_equal(nv_read_auth(t, IDX, 0, 4, area_auth), TPM_SUCCESS);
	assert_int_equal(nv_read_auth(t, IDX, 2, 4, area_auth), TPM_NOSPACE);
	assert_int_equal(define_plain(t, IDX2, PPW, 4), TPM_SUCCESS);
	assert_int_equal(nv_read_auth(t, IDX2, 0, 1, area_auth),
			 TPM_AUTH_CONFLICT);
	assert_int_equal(nv_read_auth(t, 0x3333, 0, 1, area_auth),
			 TPM_BADINDEX);
}

/* An OSAP session bound to an area ends when the area is redefined. */
static void nv_define_invalidates_sessions(void **state)
{
	struct th *t = *state;
	struct th_sess s;

	assert_int_equal(define_plain(t, IDX, AUTHW, 4), TPM_SUCCESS);
	assert_int_equal(th_osap(t, &s, TPM_ET_NV, IDX, area_auth), 0);
	assert_non_null(tpm_session_find(t->s, s.handle));
	assert_int_equal(define_plain(t, IDX, AUTHW, 8), TPM_SUCCESS);
	assert_null(tpm_session_find(t->s, s.handle));
}

/* DirWriteAuth / DirRead, and the DIR seen through NV. */
static void dir_write_read(void **state)
{
	struct th *t = *state;
	uint8_t v[20] = "dir-value-0123456789", w[20] = "dir-by-nv-9876543210";
	struct th_sess s;
	struct tpm_buf *b;

	th_pp(t);
	th_take_ownership(t);
	assert_int_equal(th_oiap(t, &s, th_owner_auth), 0);
	b = th_begin(t, TPM_ORD_DirWriteAuth);
	tb_put_u32(b, 0);
	tb_put_bytes(b, v, 20);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_DirRead);
	tb_put_u32(b, 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_int_equal(t->out.len, 20);
	assert_memory_equal(t->out.data, v, 20);
	/* The same register is TPM_NV_INDEX_DIR. */
	assert_int_equal(nv_read(t, TPM_NV_INDEX_DIR, 0, 20, NULL),
			 TPM_SUCCESS);
	expect_data(t, v, 20);
	assert_int_equal(nv_read(t, TPM_NV_INDEX_DIR, 10, 11, NULL),
			 TPM_NOSPACE);
	assert_int_equal(lock_nv(t), TPM_SUCCESS);
	assert_int_equal(nv_write(t, TPM_NV_INDEX_DIR, 0, w, 20, NULL),
			 TPM_AUTH_CONFLICT);
	assert_int_equal(nv_write_owner(t, TPM_NV_INDEX_DIR, 0, w, 10,
					th_owner_auth), TPM_NOT_FULLWRITE);
	assert_int_equal(nv_write_owner(t, TPM_NV_INDEX_DIR, 0, w, 20,
					th_owner_auth), TPM_SUCCESS);
	b = th_begin(t, TPM_ORD_DirRead);
	tb_put_u32(b, 0);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_SUCCESS);
	assert_memory_equal(t->out.data, w, 20);
}

/* DIR indices other than 0, wrong owner secret, no owner. */
static void dir_errors(void **state)
{
	struct th *t = *state;
	uint8_t v[20] = { 0 };
	struct th_sess s;
	struct tpm_buf *b;

	b = th_begin(t, TPM_ORD_DirRead);
	tb_put_u32(b, 1);
	assert_int_equal(th_run(t, 0, NULL, NULL), TPM_BADINDEX);
	assert_int_equal(th_oiap(t, &s, th_zero_auth), 0);
	b = th_begin(t, TPM_ORD_DirWriteAuth);
	tb_put_u32(b, 0);
	tb_put_bytes(b, v, 20);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_NOSRK);
	th_pp(t);
	th_take_ownership(t);
	assert_int_equal(th_oiap(t, &s, th_zero_auth), 0);
	b = th_begin(t, TPM_ORD_DirWriteAuth);
	tb_put_u32(b, 0);
	tb_put_bytes(b, v, 20);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_AUTHFAIL);
	assert_int_equal(th_oiap(t, &s, th_owner_auth), 0);
	b = th_begin(t, TPM_ORD_DirWriteAuth);
	tb_put_u32(b, 1);
	tb_put_bytes(b, v, 20);
	assert_int_equal(th_run(t, 0, &s, NULL), TPM_BADINDEX);
}

/* Owner clear deletes owner areas without the D bit, nothing else. */
static void nv_owner_clear_rules(void **state)
{
	struct th *t = *state;

	assert_int_equal(define_plain(t, IDX, TPM_NV_PER_OWNERWRITE, 4), 0);
	assert_int_equal(define_plain(t, IDX2, PPW | TPM_NV_PER_OWNERREAD,
				      4), 0);
	assert_int_equal(define_plain(t, IDX_DBIT, TPM_NV_PER_OWNERWRITE, 4),
			 0);
	assert_int_equal(define_plain(t, 0x2000, PPW, 4), 0);
	t->s->dirty = false;
	tpm_nv_owner_clear(t->s);
	assert_null(tpm_nv_find(t->s, IDX));
	assert_null(tpm_nv_find(t->s, IDX2));
	assert_non_null(tpm_nv_find(t->s, IDX_DBIT));
	assert_non_null(tpm_nv_find(t->s, 0x2000));
	assert_true(tpm_state_dirty(t->s));
}

/* TPM_NV_DATA_PUBLIC as GetCapability(TPM_CAP_NV_INDEX) reports it. */
static void nv_data_public_put_layout(void **state)
{
	struct th *t = *state;
	struct nvdef d = def(IDX, PPW | TPM_NV_PER_WRITE_STCLEAR, 12);
	uint8_t want[128], got[128];
	struct tpm_buf w, g;

	assert_int_equal(define_noauth(t, &d), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, NULL, 0, NULL), TPM_SUCCESS);
	d.bools[1] = 1;		/* bWriteSTClear */
	d.bools[2] = 1;		/* bWriteDefine */
	tb_init_write(&w, want, sizeof(want));
	put_pub(&w, &d);
	tb_init_write(&g, got, sizeof(got));
	assert_int_equal(tpm_nv_data_public_put(&g, tpm_nv_find(t->s, IDX)),
			 0);
	assert_int_equal(g.len, w.len);
	assert_memory_equal(got, want, w.len);
	tb_init_write(&g, got, 10);
	assert_int_equal(tpm_nv_data_public_put(&g, tpm_nv_find(t->s, IDX)),
			 -ENOSPC);
}

/* Startup(CLEAR) effects on NV flags (tpm_nv_startup_clear). */
static void nv_startup_clear_flags(void **state)
{
	struct th *t = *state;
	struct tpm_nv_area *a;

	assert_int_equal(define_plain(t, IDX, PPW, 4), TPM_SUCCESS);
	assert_int_equal(nv_write(t, IDX, 0, NULL, 0, NULL), TPM_SUCCESS);
	assert_int_equal(nv_read(t, IDX, 0, 0, NULL), TPM_SUCCESS);
	a = tpm_nv_find(t->s, IDX);
	assert_true(a->read_st_clear && a->write_st_clear && a->write_define);
	tpm_nv_startup_clear(t->s);
	assert_false(a->read_st_clear || a->write_st_clear);
	assert_true(a->write_define);
}

#define HDR(tag, size, ord) \
	0x00, (tag), 0, 0, 0, (size), 0, 0, 0, (ord)
#define AUTH_AREA \
	0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
/* A TPM_PCR_INFO_SHORT selecting nothing, locality all. */
#define PCR_SHORT \
	0, 3, 0, 0, 0, 0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0, 0, 0
#define ENC20 \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define PUB(tag, atag, b0) \
	0, (tag), 0, 0, 0x10, 0, PCR_SHORT, PCR_SHORT, 0, (atag), \
	0, 0, 0, 1, (b0), 0, 0, 0, 0, 0, 4

static const uint8_t v_define_short[] = { HDR(0xC1, 14, 0xCC), 0, 0x18,
					  0, 0 };
static const uint8_t v_define_badtag[] = { HDR(0xC1, 101, 0xCC),
					   PUB(0x19, 0x17, 0), ENC20 };
static const uint8_t v_define_badatag[] = { HDR(0xC1, 101, 0xCC),
					    PUB(0x18, 0x16, 0), ENC20 };
static const uint8_t v_define_badbool[] = { HDR(0xC1, 101, 0xCC),
					    PUB(0x18, 0x17, 2), ENC20 };
static const uint8_t v_define_noenc[] = { HDR(0xC1, 81, 0xCC),
					  PUB(0x18, 0x17, 0) };
static const uint8_t v_define_trailing[] = { HDR(0xC1, 102, 0xCC),
					     PUB(0x18, 0x17, 0), ENC20, 0 };
static const uint8_t v_write_short[] = { HDR(0xC1, 18, 0xCD), 0, 0, 0x10,
					 0, 0, 0, 0, 0 };
static const uint8_t v_write_datashort[] = { HDR(0xC1, 24, 0xCD),
					     0, 0, 0x10, 0, 0, 0, 0, 0,
					     0, 0, 0, 4, 1, 2 };
static const uint8_t v_write_trailing[] = { HDR(0xC1, 24, 0xCD),
					    0, 0, 0x10, 0, 0, 0, 0, 0,
					    0, 0, 0, 1, 1, 2 };
static const uint8_t v_write_huge[] = { HDR(0xC1, 22, 0xCD),
					0, 0, 0x10, 0, 0, 0, 0, 0,
					0xFF, 0xFF, 0xFF, 0xFF };
static const uint8_t v_read_short[] = { HDR(0xC1, 21, 0xCF), 0, 0, 0x10,
					0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t v_read_trailing[] = { HDR(0xC1, 23, 0xCF), 0, 0,
					   0x10, 0, 0, 0, 0, 0, 0, 0, 0, 1,
					   0 };
static const uint8_t v_writeauth_short[] = { HDR(0xC2, 63, 0xCE), 0, 0,
					     0x10, 0, 0, 0, 0, 0, AUTH_AREA };
static const uint8_t v_readauth_short[] = { HDR(0xC2, 63, 0xD0), 0, 0,
					    0x10, 0, 0, 0, 0, 0, AUTH_AREA };
static const uint8_t v_readauth_rqu[] = { HDR(0xC1, 22, 0xD0), 0, 0, 0x10,
					  0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t v_dirread_short[] = { HDR(0xC1, 12, 0x1A), 0, 0 };
static const uint8_t v_dirread_trailing[] = { HDR(0xC1, 15, 0x1A), 0, 0,
					      0, 0, 0 };
static const uint8_t v_dirread_auth[] = { HDR(0xC2, 59, 0x1A), 0, 0, 0, 0,
					  AUTH_AREA };
static const uint8_t v_dirwrite_short[] = { HDR(0xC2, 74, 0x19), 0, 0, 0,
					    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
					    10, 11, 12, 13, 14, 15,
					    AUTH_AREA };
static const uint8_t v_dirwrite_rqu[] = { HDR(0xC1, 34, 0x19), 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 0, 0 };

#define V TH_VEC
static const struct th_vector vectors[] = {
	V("NV_DefineSpace: pubInfo cut short", v_define_short,
	  TPM_BAD_PARAM_SIZE),
	V("NV_DefineSpace: wrong TPM_NV_DATA_PUBLIC tag", v_define_badtag,
	  TPM_INVALID_STRUCTURE),
	V("NV_DefineSpace: wrong TPM_NV_ATTRIBUTES tag", v_define_badatag,
	  TPM_INVALID_STRUCTURE),
	V("NV_DefineSpace: BOOL of 2", v_define_badbool, TPM_BAD_PARAMETER),
	V("NV_DefineSpace: no encAuth", v_define_noenc, TPM_BAD_PARAM_SIZE),
	V("NV_DefineSpace: trailing byte", v_define_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("NV_WriteValue: no data size", v_write_short, TPM_BAD_PARAM_SIZE),
	V("NV_WriteValue: data shorter than its size", v_write_datashort,
	  TPM_BAD_PARAM_SIZE),
	V("NV_WriteValue: trailing byte", v_write_trailing,
	  TPM_BAD_PARAM_SIZE),
	V("NV_WriteValue: size 0xFFFFFFFF", v_write_huge, TPM_BAD_PARAM_SIZE),
	V("NV_ReadValue: dataSize cut short", v_read_short,
	  TPM_BAD_PARAM_SIZE),
	V("NV_ReadValue: trailing byte", v_read_trailing, TPM_BAD_PARAM_SIZE),
	V("NV_WriteValueAuth: no data", v_writeauth_short,
	  TPM_BAD_PARAM_SIZE),
	V("NV_ReadValueAuth: no dataSize", v_readauth_short,
	  TPM_BAD_PARAM_SIZE),
	V("NV_ReadValueAuth: without auth area", v_readauth_rqu, TPM_BADTAG),
	V("DirRead: index cut short", v_dirread_short, TPM_BAD_PARAM_SIZE),
	V("DirRead: trailing byte", v_dirread_trailing, TPM_BAD_PARAM_SIZE),
	V("DirRead: with auth area", v_dirread_auth, TPM_BADTAG),
	V("DirWriteAuth: digest cut short", v_dirwrite_short,
	  TPM_BAD_PARAM_SIZE),
	V("DirWriteAuth: without auth area", v_dirwrite_rqu, TPM_BADTAG),
};

/* Every malformed-input vector gets its return code and changes
 * nothing. */
static void nv_malformed_vectors(void **state)
{
	struct th *t = *state;

	th_run_vectors(t, vectors, ARRAY_SIZE(vectors));
	assert_null(tpm_nv_find(t->s, IDX));
	assert_false(t->s->pf.nv_locked);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(nv_define_lock_sets_nvlocked),
		T(nv_define_lock_nonzero_size),
		T(nv_define_write_read_roundtrip),
		T(nv_define_bad_index),
		T(nv_define_dbit),
		T(nv_define_size0),
		T(nv_define_size0_noauth_locked),
		T(nv_define_attribute_rules),
		T(nv_define_bad_pcr_info),
		T(nv_define_nospace),
		T(nv_define_trial),
		T(nv_define_maxnvwrites),
		T(nv_define_disabled),
		T(nv_define_owner),
		T(nv_define_locked_area),
		T(nv_define_invalidates_sessions),
		T(nv_write_bounds),
		T(nv_write_writeall),
		T(nv_write_authwrite_conflict),
		T(nv_write_writedefine),
		T(nv_write_stclear),
		T(nv_write_globallock),
		T(nv_write_read_physical_presence),
		T(nv_write_pcr_bound),
		T(nv_read_pcr_bound),
		T(nv_locality_bound),
		T(nv_write_owner_area),
		T(nv_write_owner_unowned),
		T(nv_read_stclear),
		T(nv_read_authread),
		T(dir_write_read),
		T(dir_errors),
		T(nv_owner_clear_rules),
		T(nv_data_public_put_layout),
		T(nv_startup_clear_flags),
		T(nv_malformed_vectors),
	};

	return cmocka_run_group_tests_name("nvram", tests, NULL, NULL);
}
