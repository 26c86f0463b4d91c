// SPDX-License-Identifier: GPL-2.0
/*
 * NV storage (Part 3, 20) and the DIR (Part 3, 27.3): defined areas, their
 * attribute and lock rules, TPM_NV_DATA_PUBLIC on the wire, and what
 * Startup(CLEAR) and an owner clear do to them.  Area data lives on the
 * heap (struct tpm_nv_area.data); nothing here does I/O: persistence is
 * state.c's blob, requested by marking the state dirty.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

/* Part 2, 19.1.1: bits 24-27 of an index are reserved and must be 0. */
#define NV_INDEX_RESERVED_BITS	0x0F000000U
/* Part 2, 19.1.2: an index that runs every DefineSpace check but never
 * creates an area. */
#define NV_INDEX_TRIAL		0x0000F004U
/* PC Client spec: the GPIO range; this TPM has no GPIO pins. */
#define NV_INDEX_GPIO_FIRST	0x00011600U
#define NV_INDEX_GPIO_LAST	0x000116FFU

struct tpm_nv_area *tpm_nv_find(struct tpm_state *s, uint32_t index)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		if (s->pd.nv[i].valid && s->pd.nv[i].index == index)
			return &s->pd.nv[i];
	}
	return NULL;
}

static struct tpm_nv_area *nv_free_slot(struct tpm_state *s)
{
	unsigned int i;

	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		if (!s->pd.nv[i].valid)
			return &s->pd.nv[i];
	}
	return NULL;
}

uint32_t tpm_nv_free_space(const struct tpm_state *s)
{
	uint32_t used = 0;
	unsigned int i;

	/* The sum never exceeds TPM_MAX_NV_SPACE: DefineSpace and the state
	 * loader both refuse areas that would not fit. */
	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		if (s->pd.nv[i].valid)
			used += s->pd.nv[i].data_size;
	}
	return used < TPM_MAX_NV_SPACE ? TPM_MAX_NV_SPACE - used : 0;
}

void tpm_nv_area_clear(struct tpm_nv_area *a)
{
	if (a->data) {
		tpm_wipe(a->data, a->data_size);
		free(a->data);
	}
	tpm_wipe(a, sizeof(*a));
	a->valid = false;
	a->data = NULL;
}

void tpm_nv_startup_clear(struct tpm_state *s)
{
	unsigned int i;

	/* Part 2, 19.3: bReadSTClear and bWriteSTClear reset at
	 * TPM_Startup(ST_CLEAR); bWriteDefine is permanent. */
	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		s->pd.nv[i].read_st_clear = false;
		s->pd.nv[i].write_st_clear = false;
	}
}

void tpm_nv_owner_clear(struct tpm_state *s)
{
	unsigned int i;

	/*
	 * Part 3, 6.1 OwnerClear step 12: deallocate the areas with
	 * TPM_NV_PER_OWNERWRITE or TPM_NV_PER_OWNERREAD unless their index
	 * has the D bit; keep every other area.  Step 6.a: noOwnerNVWrite
	 * returns to its manufacturing value.
	 */
	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		struct tpm_nv_area *a = &s->pd.nv[i];

		if (!a->valid || (a->index & TPM_NV_INDEX_D_BIT))
			continue;
		if (!(a->permission &
		      (TPM_NV_PER_OWNERWRITE | TPM_NV_PER_OWNERREAD)))
			continue;
		tpm_sessions_invalidate_entity(s, TPM_ET_NV, a->index);
		tpm_nv_area_clear(a);
	}
	s->pd.nv_writes_noowner = 0;
	tpm_mark_dirty(s);
}

/* Part 2, 19.3 TPM_NV_DATA_PUBLIC */
int tpm_nv_data_public_put(struct tpm_buf *b, const struct tpm_nv_area *a)
{
	if (tb_put_u16(b, TPM_TAG_NV_DATA_PUBLIC) ||
	    tb_put_u32(b, a->index) ||
	    tpm_pcr_info_put(b, &a->pcr_read) ||
	    tpm_pcr_info_put(b, &a->pcr_write) ||
	    tb_put_u16(b, TPM_TAG_NV_ATTRIBUTES) ||
	    tb_put_u32(b, a->permission) ||
	    tb_put_bool(b, a->read_st_clear) ||
	    tb_put_bool(b, a->write_st_clear) ||
	    tb_put_bool(b, a->write_define) ||
	    tb_put_u32(b, a->data_size))
		return -ENOSPC;
	return 0;
}

/* A TPM BOOL: short input and a value other than 0/1 are told apart. */
static TPM_RESULT get_bool(struct tpm_buf *b, bool *v)
{
	uint8_t x;

	if (tb_get_u8(b, &x))
		return TPM_BAD_PARAM_SIZE;
	if (x > 1)
		return TPM_BAD_PARAMETER;
	*v = x;
	return TPM_SUCCESS;
}

/* Part 2, 19.3 TPM_NV_DATA_PUBLIC (with its TPM_NV_ATTRIBUTES, 19.2). */
static TPM_RESULT nv_data_public_get(struct tpm_buf *b, struct tpm_nv_area *a)
{
	uint16_t tag;
	TPM_RESULT rc;

	if (tb_get_u16(b, &tag) || tb_get_u32(b, &a->index))
		return TPM_BAD_PARAM_SIZE;
	if (tag != TPM_TAG_NV_DATA_PUBLIC)
		return TPM_INVALID_STRUCTURE;
	rc = tpm_pcr_info_get(b, PCR_INFO_SHORT, &a->pcr_read);
	if (rc)
		return rc;
	rc = tpm_pcr_info_get(b, PCR_INFO_SHORT, &a->pcr_write);
	if (rc)
		return rc;
	a->pcr_read.kind = PCR_INFO_SHORT;
	a->pcr_write.kind = PCR_INFO_SHORT;
	if (tb_get_u16(b, &tag) || tb_get_u32(b, &a->permission))
		return TPM_BAD_PARAM_SIZE;
	if (tag != TPM_TAG_NV_ATTRIBUTES)
		return TPM_INVALID_STRUCTURE;
	rc = get_bool(b, &a->read_st_clear);
	if (!rc)
		rc = get_bool(b, &a->write_st_clear);
	if (!rc)
		rc = get_bool(b, &a->write_define);
	if (rc)
		return rc;
	if (tb_get_u32(b, &a->data_size))
		return TPM_BAD_PARAM_SIZE;
	return TPM_SUCCESS;
}

/* Commands that touch owner-controlled NV are refused while the TPM is
 * disabled or deactivated (dispatch lets NV commands through so that an
 * unlocked TPM can be provisioned in any state). */
static TPM_RESULT check_enabled(const struct tpm_state *s)
{
	if (s->pf.disable)
		return TPM_DISABLED;
	/* The STCLEAR flag, as dispatch.c: see check_state(). */
	if (s->sf.deactivated)
		return TPM_DEACTIVATED;
	return TPM_SUCCESS;
}

static bool pcr_selected(const struct tpm_pcr_selection *sel)
{
	unsigned int i;

	for (i = 0; i < sel->size && i < TPM_PCR_SELECT_MAX; i++) {
		if (sel->sel[i])
			return true;
	}
	return false;
}

/* localityAtRelease must include the locality of this command. */
static TPM_RESULT locality_check(const struct tpm_state *s,
				 const struct tpm_pcr_info *pi)
{
	if (!(pi->locality_at_release & (1U << s->locality)))
		return TPM_BAD_LOCALITY;
	return TPM_SUCCESS;
}

/* digestAtRelease is compared only when PCRs are selected. */
static TPM_RESULT pcr_digest_check(const struct tpm_state *s,
				   const struct tpm_pcr_info *pi)
{
	if (!pcr_selected(&pi->release_sel))
		return TPM_SUCCESS;
	return tpm_pcr_info_check_release(s, pi);
}

/* Part 3, 20.1 steps 7-8: a TPM_PCR_INFO_SHORT must select existing PCRs
 * and name at least one locality, and only localities 0-4. */
static TPM_RESULT pcr_info_validate(const struct tpm_pcr_info *pi)
{
	if (tpm_pcr_selection_check(&pi->release_sel))
		return TPM_INVALID_PCR_INFO;
	if (pi->locality_at_release == 0 ||
	    (pi->locality_at_release & ~TPM_LOC_ALL))
		return TPM_INVALID_PCR_INFO;
	return TPM_SUCCESS;
}

/* Part 3, 20.1 step 9.e: indices that may hold an area. */
static TPM_RESULT index_valid(uint32_t index)
{
	if (index == TPM_NV_INDEX_LOCK || index == TPM_NV_INDEX0 ||
	    index == TPM_NV_INDEX_DIR)
		return TPM_BADINDEX;
	if (index & NV_INDEX_RESERVED_BITS)
		return TPM_BADINDEX;
	if (index >= NV_INDEX_GPIO_FIRST && index <= NV_INDEX_GPIO_LAST)
		return TPM_BADINDEX;
	return TPM_SUCCESS;
}

/* Part 3, 20.1 steps 3-4: authorize and recover the area secret A1. */
static TPM_RESULT define_authorize(struct tpm_cmd *c,
				   const struct tpm_nv_area *pub,
				   const uint8_t enc[TPM_SECRET_SIZE],
				   uint8_t a1[TPM_SECRET_SIZE], bool ignore,
				   bool *counted)
{
	struct tpm_state *s = c->s;
	TPM_RESULT rc;

	if (c->nauth) {
		/* Step 3.b: OSAP, whose shared secret encrypts encAuth. */
		rc = tpm_auth_require_osap(c, 0);
		if (rc)
			return rc;
		/* Step 3.a: owner authorization (checked even before
		 * nvLocked, which the spec allows). */
		rc = tpm_auth_owner(c);
		if (rc)
			return rc;
		/* Step 3.c: A1 = ADIP decryption of encAuth. */
		return tpm_auth_decrypt(c, 0, enc, a1, false);
	}
	if (!ignore) {
		/* Step 4.a-c: unauthorized definition needs physical
		 * presence, no owner, and may not delete. */
		if (!tpm_physical_presence(s))
			return TPM_BAD_PRESENCE;
		if (s->pf.owner_installed)
			return TPM_OWNER_SET;
		if (pub->data_size == 0)
			return TPM_BAD_DATASIZE;
	}
	/* Step 4.d: bounded number of unauthorized NV writes. */
	if (s->pd.nv_writes_noowner >= TPM_MAX_NV_WRITE_NOOWNER)
		return TPM_MAXNVWRITES;
	*counted = true;
	/* Step 4.e: no session encrypts it, so A1 arrives in the clear. */
	memcpy(a1, enc, TPM_SECRET_SIZE);
	return TPM_SUCCESS;
}

/* Part 3, 20.1 steps 7-11: the new definition must be consistent and
 * fit (the area it replaces, @old, gives its space back). */
static TPM_RESULT define_validate(struct tpm_state *s,
				  const struct tpm_nv_area *pub,
				  const struct tpm_nv_area *old)
{
	uint32_t p = pub->permission, avail;
	TPM_RESULT rc;

	rc = pcr_info_validate(&pub->pcr_read);
	if (!rc)
		rc = pcr_info_validate(&pub->pcr_write);
	if (rc)
		return rc;
	if (p & ~TPM_NV_PER_MASK)
		return TPM_BAD_ATTRIBUTES;
	/* Step 9.b-c: owner and area authorization exclude each other. */
	if ((p & TPM_NV_PER_OWNERWRITE) && (p & TPM_NV_PER_AUTHWRITE))
		return TPM_AUTH_CONFLICT;
	if ((p & TPM_NV_PER_OWNERREAD) && (p & TPM_NV_PER_AUTHREAD))
		return TPM_AUTH_CONFLICT;
	/* Step 9.d: some write restriction (localities count) is needed. */
	if (!(p & (TPM_NV_PER_OWNERWRITE | TPM_NV_PER_AUTHWRITE |
		   TPM_NV_PER_WRITEDEFINE | TPM_NV_PER_PPWRITE)) &&
	    pub->pcr_write.locality_at_release == TPM_LOC_ALL)
		return TPM_PER_NOWRITE;
	/* Step 9.e-f */
	rc = index_valid(pub->index);
	if (rc)
		return rc;
	if (pub->data_size == 0)
		return TPM_BAD_PARAM_SIZE;
	/* Step 11: room for the data and for the area itself. */
	avail = tpm_nv_free_space(s) + (old ? old->data_size : 0);
	if (pub->data_size > avail)
		return TPM_NOSPACE;
	if (!old && !nv_free_slot(s))
		return TPM_NOSPACE;
	return TPM_SUCCESS;
}

/* Step 6.d-f: drop an area and every session bound to it. */
static void nv_delete(struct tpm_state *s, struct tpm_nv_area *a)
{
	tpm_sessions_invalidate_entity(s, TPM_ET_NV, a->index);
	tpm_nv_area_clear(a);
}

/* Part 3, 20.1 steps 6 and 10-12: replace @old (if any) by @pub. */
static TPM_RESULT define_commit(struct tpm_state *s,
				const struct tpm_nv_area *pub,
				struct tpm_nv_area *old,
				const uint8_t a1[TPM_SECRET_SIZE])
{
	struct tpm_nv_area *a;
	uint8_t *data;

	/* Allocate first so that a failure leaves the old area intact; a
	 * shortage of host memory is reported as lack of NV space. */
	data = malloc(pub->data_size);
	if (!data)
		return TPM_NOSPACE;
	/* Step 12.b: a new area reads as all 0xFF. */
	memset(data, 0xFF, pub->data_size);
	if (old)
		nv_delete(s, old);
	a = old ? old : nv_free_slot(s);
	*a = *pub;
	a->valid = true;
	a->data = data;
	memcpy(a->auth, a1, TPM_SECRET_SIZE);
	/* Step 10.c-e */
	a->read_st_clear = false;
	a->write_st_clear = false;
	a->write_define = false;
	return TPM_SUCCESS;
}

/* Part 3, 20.1 step 6.b-c: a locked area cannot be redefined. */
static TPM_RESULT define_check_locks(const struct tpm_state *s,
				     const struct tpm_nv_area *old)
{
	if ((old->permission & TPM_NV_PER_GLOBALLOCK) && s->sf.global_lock)
		return TPM_AREA_LOCKED;
	if ((old->permission & TPM_NV_PER_WRITE_STCLEAR) &&
	    old->write_st_clear)
		return TPM_AREA_LOCKED;
	return TPM_SUCCESS;
}

/* Part 3, 20.1 TPM_NV_DefineSpace */
TPM_RESULT tpm_cmd_nv_define_space(struct tpm_cmd *c, struct tpm_buf *in,
				   struct tpm_buf *out)
{
	uint8_t enc[TPM_SECRET_SIZE], a1[TPM_SECRET_SIZE];
	struct tpm_state *s = c->s;
	struct tpm_nv_area pub, *old;
	bool ignore, counted = false;
	TPM_RESULT rc;

	(void)out;
	memset(&pub, 0, sizeof(pub));
	rc = nv_data_public_get(in, &pub);
	if (rc)
		return rc;
	if (tb_get_bytes(in, enc, sizeof(enc)) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: unauthorized TPM_NV_INDEX_LOCK sets nvLocked. */
	if (pub.index == TPM_NV_INDEX_LOCK && c->nauth == 0) {
		if (pub.data_size)
			return TPM_BADINDEX;
		tpm_set_pflag(s, &s->pf.nv_locked, true);
		return TPM_SUCCESS;
	}
	/* Step 2: until nvLocked, only the max-writes check applies; the
	 * index 0 check of step 3 is never ignored. */
	ignore = !s->pf.nv_locked;
	if (!ignore) {
		rc = check_enabled(s);
		if (rc)
			return rc;
	}
	/* Step 3: index 0 is reserved; D-bit indices are manufacturing's. */
	if (pub.index == TPM_NV_INDEX0 ||
	    (!ignore && (pub.index & TPM_NV_INDEX_D_BIT)))
		return TPM_BADINDEX;
	rc = define_authorize(c, &pub, enc, a1, ignore, &counted);
	if (rc)
		goto out_wipe;
	/* Step 6 */
	old = tpm_nv_find(s, pub.index);
	if (old && !ignore) {
		rc = define_check_locks(s, old);
		if (rc)
			goto out_wipe;
	}
	if (old && pub.data_size == 0) {
		/* Step 6.g: size 0 deletes the area. */
		nv_delete(s, old);
	} else {
		rc = define_validate(s, &pub, old);
		/* Step 12: a trial index is checked but never created. */
		if (!rc && pub.index != NV_INDEX_TRIAL)
			rc = define_commit(s, &pub, old, a1);
		if (rc)
			goto out_wipe;
	}
	/* Step 12.c */
	if (counted)
		s->pd.nv_writes_noowner++;
	/* Step 13: the authorization session ends with this command. */
	if (c->nauth)
		c->terminate[0] = true;
	tpm_mark_dirty(s);
out_wipe:
	tpm_wipe(a1, sizeof(a1));
	tpm_wipe(enc, sizeof(enc));
	return rc;
}

/* Part 3, 20.2 steps 8-13 / 20.3 steps 4-9: attribute locks on a write. */
static TPM_RESULT write_checks(const struct tpm_state *s,
			       const struct tpm_nv_area *a)
{
	uint32_t p = a->permission;
	TPM_RESULT rc;

	rc = locality_check(s, &a->pcr_write);
	if (rc)
		return rc;
	if ((p & TPM_NV_PER_PPWRITE) && !tpm_physical_presence(s))
		return TPM_BAD_PRESENCE;
	if ((p & TPM_NV_PER_WRITEDEFINE) && a->write_define)
		return TPM_AREA_LOCKED;
	if ((p & TPM_NV_PER_GLOBALLOCK) && s->sf.global_lock)
		return TPM_AREA_LOCKED;
	if ((p & TPM_NV_PER_WRITE_STCLEAR) && a->write_st_clear)
		return TPM_AREA_LOCKED;
	return pcr_digest_check(s, &a->pcr_write);
}

/* Part 3, 20.2 steps 14-16 / 20.3 steps 10-12: the write itself. */
static TPM_RESULT write_data(struct tpm_state *s, struct tpm_nv_area *a,
			     uint32_t offset, const uint8_t *data,
			     uint32_t size)
{
	if (size == 0) {
		/* A zero-length write sets the write locks. */
		a->write_st_clear = true;
		a->write_define = true;
	} else {
		if (offset > a->data_size || size > a->data_size - offset)
			return TPM_NOSPACE;
		if ((a->permission & TPM_NV_PER_WRITEALL) &&
		    size != a->data_size)
			return TPM_NOT_FULLWRITE;
		memcpy(a->data + offset, data, size);
	}
	/* A successful write unlocks bReadSTClear. */
	a->read_st_clear = false;
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/* The DIR through NV: TPM_NV_PER_OWNERWRITE | TPM_NV_PER_WRITEALL. */
static TPM_RESULT dir_write(struct tpm_state *s, uint32_t offset,
			    const uint8_t *data, uint32_t size)
{
	/* A zero-length write is no error, and its locks do not apply. */
	if (size == 0)
		return TPM_SUCCESS;
	if (offset != 0 || size != TPM_DIGEST_SIZE)
		return TPM_NOT_FULLWRITE;
	memcpy(s->pd.dir[0], data, TPM_DIGEST_SIZE);
	tpm_mark_dirty(s);
	return TPM_SUCCESS;
}

/* Part 3, 20.2 steps 4-5: who may write, and the unowned write budget. */
static TPM_RESULT write_authorize(struct tpm_cmd *c,
				  const struct tpm_nv_area *a, uint32_t index,
				  bool ignore, bool *counted)
{
	struct tpm_state *s = c->s;
	bool owner_area;

	owner_area = index == TPM_NV_INDEX_DIR ||
		     (a && (a->permission & TPM_NV_PER_OWNERWRITE));
	if (c->nauth) {
		/* Step 4.a (not for index 0, which has no area) */
		if (a && !(a->permission & TPM_NV_PER_OWNERWRITE))
			return TPM_AUTH_CONFLICT;
		return tpm_auth_owner(c);
	}
	if (index == TPM_NV_INDEX0)
		return TPM_SUCCESS;
	if (!ignore && owner_area)
		return TPM_AUTH_CONFLICT;
	if (!s->pf.owner_installed) {
		if (s->pd.nv_writes_noowner >= TPM_MAX_NV_WRITE_NOOWNER)
			return TPM_MAXNVWRITES;
		*counted = true;
	}
	return TPM_SUCCESS;
}

/* Part 3, 20.2 TPM_NV_WriteValue */
TPM_RESULT tpm_cmd_nv_write_value(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	struct tpm_nv_area *a = NULL;
	uint32_t index, offset, size;
	bool ignore, counted = false;
	const uint8_t *data;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &index) || tb_get_u32(in, &offset) ||
	    tb_get_sized(in, &data, &size, TPM_MAX_NV_SPACE) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: before nvLocked, only the max-writes check and
	 * TPM_NV_PER_AUTHWRITE apply. */
	ignore = !s->pf.nv_locked;
	/* Step 2: index 0 and the DIR have no area. */
	if (index != TPM_NV_INDEX0 && index != TPM_NV_INDEX_DIR) {
		a = tpm_nv_find(s, index);
		if (!a)
			return TPM_BADINDEX;
	}
	/* Step 3: owner-written NV needs an enabled, active TPM. */
	if (!ignore && (index == TPM_NV_INDEX_DIR ||
			(a && (a->permission & TPM_NV_PER_OWNERWRITE)))) {
		rc = check_enabled(s);
		if (rc)
			return rc;
	}
	rc = write_authorize(c, a, index, ignore, &counted);
	if (rc)
		return rc;
	if (index == TPM_NV_INDEX0) {
		/* Step 6: a zero-length write to index 0 sets bGlobalLock. */
		if (size)
			return TPM_BADINDEX;
		s->sf.global_lock = true;
		return TPM_SUCCESS;
	}
	if (!a) {
		rc = dir_write(s, offset, data, size);
	} else {
		/* Step 7: area-authorized areas use NV_WriteValueAuth. */
		if (a->permission & TPM_NV_PER_AUTHWRITE)
			return TPM_AUTH_CONFLICT;
		rc = ignore ? TPM_SUCCESS : write_checks(s, a);
		if (!rc)
			rc = write_data(s, a, offset, data, size);
	}
	/* Step 15.e */
	if (!rc && counted) {
		s->pd.nv_writes_noowner++;
		tpm_mark_dirty(s);
	}
	return rc;
}

/* Part 3, 20.3 TPM_NV_WriteValueAuth */
TPM_RESULT tpm_cmd_nv_write_value_auth(struct tpm_cmd *c, struct tpm_buf *in,
				       struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint32_t index, offset, size;
	struct tpm_nv_area *a;
	const uint8_t *data;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &index) || tb_get_u32(in, &offset) ||
	    tb_get_sized(in, &data, &size, TPM_MAX_NV_SPACE) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	a = tpm_nv_find(s, index);
	if (!a)
		return TPM_BADINDEX;
	/* Step 2 */
	if (!(a->permission & TPM_NV_PER_AUTHWRITE))
		return TPM_AUTH_CONFLICT;
	/* Step 3 */
	rc = tpm_auth_check(c, 0, TPM_ET_NV, index, a->auth);
	if (rc)
		return rc;
	/* Steps 4-9 */
	rc = write_checks(s, a);
	if (rc)
		return rc;
	/* Steps 10-12 */
	return write_data(s, a, offset, data, size);
}

/* Part 3, 20.4 steps 6-9 / 20.5 steps 4-7: attribute locks on a read. */
static TPM_RESULT read_checks(const struct tpm_state *s,
			      const struct tpm_nv_area *a)
{
	TPM_RESULT rc;

	rc = locality_check(s, &a->pcr_read);
	if (rc)
		return rc;
	if ((a->permission & TPM_NV_PER_PPREAD) && !tpm_physical_presence(s))
		return TPM_BAD_PRESENCE;
	if ((a->permission & TPM_NV_PER_READ_STCLEAR) && a->read_st_clear)
		return TPM_DISABLED_CMD;
	return pcr_digest_check(s, &a->pcr_read);
}

/* Part 3, 20.4 steps 10-11 / 20.5 steps 8-9: the read itself. */
static TPM_RESULT read_data(struct tpm_state *s, struct tpm_nv_area *a,
			    uint32_t offset, uint32_t size,
			    struct tpm_buf *out)
{
	if (size == 0) {
		/* A zero-length read sets the read lock. */
		a->read_st_clear = true;
		tpm_mark_dirty(s);
		return tb_put_u32(out, 0) ? TPM_SIZE : TPM_SUCCESS;
	}
	if (offset > a->data_size || size > a->data_size - offset)
		return TPM_NOSPACE;
	if (tb_put_sized(out, a->data + offset, size))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

static TPM_RESULT dir_read(const struct tpm_state *s, uint32_t offset,
			   uint32_t size, struct tpm_buf *out)
{
	if (offset > TPM_DIGEST_SIZE || size > TPM_DIGEST_SIZE - offset)
		return TPM_NOSPACE;
	if (tb_put_sized(out, s->pd.dir[0] + offset, size))
		return TPM_SIZE;
	return TPM_SUCCESS;
}

/* Part 3, 20.4 steps 4-5: who may read. */
static TPM_RESULT read_authorize(struct tpm_cmd *c,
				 const struct tpm_nv_area *a, bool ignore)
{
	if (c->nauth) {
		/* Step 4.a: the DIR is owner-readable too. */
		if (a && !(a->permission & TPM_NV_PER_OWNERREAD))
			return TPM_AUTH_CONFLICT;
		return tpm_auth_owner(c);
	}
	if (!a)
		return TPM_SUCCESS;
	/* Step 5.a-b */
	if (a->permission & TPM_NV_PER_AUTHREAD)
		return TPM_AUTH_CONFLICT;
	if (!ignore && (a->permission & TPM_NV_PER_OWNERREAD))
		return TPM_AUTH_CONFLICT;
	return TPM_SUCCESS;
}

/* Part 3, 20.4 TPM_NV_ReadValue */
TPM_RESULT tpm_cmd_nv_read_value(struct tpm_cmd *c, struct tpm_buf *in,
				 struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint32_t index, offset, size;
	struct tpm_nv_area *a = NULL;
	bool ignore;
	TPM_RESULT rc;

	if (tb_get_u32(in, &index) || tb_get_u32(in, &offset) ||
	    tb_get_u32(in, &size) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1: before nvLocked, only TPM_NV_PER_AUTHREAD applies. */
	ignore = !s->pf.nv_locked;
	/* Step 2 */
	if (index != TPM_NV_INDEX_DIR) {
		a = tpm_nv_find(s, index);
		if (!a)
			return TPM_BADINDEX;
	}
	/* Step 3 */
	if (!ignore && a && (a->permission & TPM_NV_PER_OWNERREAD)) {
		rc = check_enabled(s);
		if (rc)
			return rc;
	}
	/* Steps 4-5 */
	rc = read_authorize(c, a, ignore);
	if (rc)
		return rc;
	if (!a)
		return dir_read(s, offset, size, out);
	/* Steps 6-9 */
	if (!ignore) {
		rc = read_checks(s, a);
		if (rc)
			return rc;
	}
	/* Steps 10-11 */
	return read_data(s, a, offset, size, out);
}

/* Part 3, 20.5 TPM_NV_ReadValueAuth */
TPM_RESULT tpm_cmd_nv_read_value_auth(struct tpm_cmd *c, struct tpm_buf *in,
				      struct tpm_buf *out)
{
	struct tpm_state *s = c->s;
	uint32_t index, offset, size;
	struct tpm_nv_area *a;
	TPM_RESULT rc;

	if (tb_get_u32(in, &index) || tb_get_u32(in, &offset) ||
	    tb_get_u32(in, &size) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	a = tpm_nv_find(s, index);
	if (!a)
		return TPM_BADINDEX;
	/* Step 2 */
	if (!(a->permission & TPM_NV_PER_AUTHREAD))
		return TPM_AUTH_CONFLICT;
	/* Step 3 */
	rc = tpm_auth_check(c, 0, TPM_ET_NV, index, a->auth);
	if (rc)
		return rc;
	/* Steps 4-7 */
	rc = read_checks(s, a);
	if (rc)
		return rc;
	/* Steps 8-9 */
	return read_data(s, a, offset, size, out);
}

/* Part 3, 27.3.1 TPM_DirWriteAuth */
TPM_RESULT tpm_cmd_dir_write_auth(struct tpm_cmd *c, struct tpm_buf *in,
				  struct tpm_buf *out)
{
	uint8_t contents[TPM_DIGEST_SIZE];
	uint32_t dir_index;
	TPM_RESULT rc;

	(void)out;
	if (tb_get_u32(in, &dir_index) ||
	    tb_get_bytes(in, contents, sizeof(contents)) ||
	    tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	rc = tpm_auth_owner(c);
	if (rc)
		return rc;
	/* Step 2: this TPM has TPM_NUM_DIRS (1) DIR. */
	if (dir_index >= TPM_NUM_DIRS)
		return TPM_BADINDEX;
	/* Step 3 */
	memcpy(c->s->pd.dir[dir_index], contents, TPM_DIGEST_SIZE);
	tpm_mark_dirty(c->s);
	return TPM_SUCCESS;
}

/* Part 3, 27.3.2 TPM_DirRead */
TPM_RESULT tpm_cmd_dir_read(struct tpm_cmd *c, struct tpm_buf *in,
			    struct tpm_buf *out)
{
	uint32_t dir_index;

	if (tb_get_u32(in, &dir_index) || tb_expect_end(in))
		return TPM_BAD_PARAM_SIZE;
	/* Step 1 */
	if (dir_index >= TPM_NUM_DIRS)
		return TPM_BADINDEX;
	/* Step 2 */
	if (tb_put_bytes(out, c->s->pd.dir[dir_index], TPM_DIGEST_SIZE))
		return TPM_SIZE;
	return TPM_SUCCESS;
}
