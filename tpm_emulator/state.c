// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's lifecycle (manufacture, TPM_Init, destruction, failure
 * mode) and its persistence: one versioned blob holding everything
 * TPM_PERMANENT_FLAGS/DATA and the TPM_SaveState snapshot contain,
 * written and parsed only with the tb_* API.  The format is specified in
 * docs/state-format.md; this file must not do I/O or trust a blob.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

/* "TPMS": a state blob of this engine. */
#define STATE_MAGIC		0x54504D53U
/* Current format version; tpm_state_load() reads every version up to it
 * (docs/state-format.md, "Upgrade rule"). */
#define STATE_VERSION		2U
#define STATE_HEADER_SIZE	8U		/* magic, version */
#define STATE_DIGEST_SIZE	TPM_SHA1_SIZE	/* trailing SHA-1 */
/*
 * Upper bound of a blob, in bytes: about 20 KiB with every NV area and
 * counter in use (docs/state-format.md sums the records); loads of larger
 * blobs are refused before parsing.
 */
#define STATE_MAX_SIZE		32768U
/* Booleans in the permanent flags (Part 2, 7.1). */
#define STATE_NUM_PF		20U
/* Key record: which RSA key follows the public fields. */
#define KEY_RSA_NONE		0U
#define KEY_RSA_PUBLIC		1U
#define KEY_RSA_PRIVATE		2U
/* Default size of the EK (tpm_config.ek_bits == 0). */
#define EK_BITS_DEFAULT		2048U

/* Part 2, 8.x and the PC Client spec: localities that may reset each
 * PCR with TPM_PCR_Reset (0 = not resettable). */
static const uint8_t pcr_reset_defaults[TPM_NUM_PCR] = {
	[16] = TPM_LOC_ALL,
	[17] = TPM_LOC_FOUR,
	[18] = TPM_LOC_FOUR,
	[19] = TPM_LOC_FOUR,
	[20] = TPM_LOC_FOUR | TPM_LOC_TWO,
	[21] = TPM_LOC_TWO,
	[22] = TPM_LOC_TWO,
	[23] = TPM_LOC_ALL,
};

void tpm_enter_failure_mode(struct tpm_state *s, uint32_t why)
{
	/* Part 1, 9.x: only GetTestResult/GetCapability answer from now
	 * until TPM_Init; loaded keys and sessions are of no further use. */
	s->failure_mode = true;
	/* GetTestResult reports the accumulated reasons (admin.c's bits). */
	s->test_result |= why;
	tpm_sessions_clear(s);
}

/*
 * Volatile state as after a power-on: no keys (owner-evict keys stay, as
 * in NV on hardware), no sessions, no SHA-1 thread, Startup pending.
 * Permanent data and the TPM_SaveState snapshot are kept.
 */
static int reset_volatile(struct tpm_state *s)
{
	tpm_keys_flush_all(s, true);
	tpm_sessions_clear(s);
	tpm_context_reset_sessions(s);	/* issue 3: context */
	tpm_daa_sessions_clear(s);	/* issue 3: daa */
	tpm_delegation_reset_volatile(s);	/* issue 3: delegation */
	tpm_sha1_thread_end(s);
	s->post_init = true;
	s->started = false;
	s->selftest_done = false;
	s->failure_mode = false;
	s->test_result = 0;
	memset(&s->af, 0, sizeof(s->af));
	s->af.post_initialise = true;
	s->af.locality_modifier = (uint8_t)s->locality;
	s->tick_base_us = tpm_now_us();
	return tpm_rand(s->tick_nonce, sizeof(s->tick_nonce));
}

/* Part 2, 7.1: TPM_PERMANENT_FLAGS of a newly provisioned vTPM
 * (DESIGN.md section 6). */
static void manufacture_flags(struct tpm_permanent_flags *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->disable = false;
	pf->owner_installed = false;		/* no owner installed */
	pf->deactivated = false;
	pf->read_pubek = true;
	pf->allow_maintenance = true;
	pf->physical_presence_lifetime_lock = false;
	pf->physical_presence_hw_enable = false;
	pf->physical_presence_cmd_enable = true;
	/* Part 2, 7.1: nvLocked is FALSE as shipped. */
	pf->nv_locked = false;
}

struct tpm_state *tpm_create(const struct tpm_config *cfg)
{
	struct tpm_key_parms parms;
	struct tpm_state *s;
	unsigned int bits = cfg && cfg->ek_bits ? cfg->ek_bits :
		EK_BITS_DEFAULT;
	unsigned int i;

	if (bits < TPM_RSA_MIN_BITS || bits > TPM_RSA_MAX_BITS || bits % 8) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->ek_bits = bits;
	manufacture_flags(&s->pf);
	for (i = 0; i < TPM_NUM_PCR; i++)
		s->pd.pcr_reset_locality[i] = pcr_reset_defaults[i];
	/* Part 3, 25.1: the first counter starts at 1. */
	s->pd.counter_next = 1;
	/* audit.c: the ordinals audited from manufacture. */
	tpm_audit_manufacture(s);
	if (tpm_rand(s->pd.tpm_proof, sizeof(s->pd.tpm_proof)) ||
	    tpm_rand(s->pd.ek_reset, sizeof(s->pd.ek_reset)) ||
	    tpm_rand(s->pd.context_key, sizeof(s->pd.context_key)) ||
	    reset_volatile(s))
		goto err_destroy;
	if (!cfg || !cfg->no_ek) {
		memset(&parms, 0, sizeof(parms));
		parms.algorithm = TPM_ALG_RSA;
		parms.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1;
		parms.sig_scheme = TPM_SS_NONE;
		parms.key_bits = bits;
		parms.num_primes = 2;
		if (tpm_ek_generate(s, &parms))
			goto err_destroy;
	}
	/* Never saved yet: the caller must store it. */
	s->dirty = true;
	return s;

err_destroy:
	tpm_destroy(s);
	errno = EIO;
	return NULL;
}

void tpm_destroy(struct tpm_state *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < TPM_MAX_KEYS; i++)
		tpm_key_clear(&s->keys[i]);
	tpm_key_clear(&s->pd.ek);
	tpm_key_clear(&s->pd.srk);
	for (i = 0; i < TPM_MAX_NV_INDEXES; i++)
		tpm_nv_area_clear(&s->pd.nv[i]);
	tpm_sha1_thread_end(s);
	tpm_wipe(s, sizeof(*s));
	free(s);
}

void tpm_init(struct tpm_state *s)
{
	if (reset_volatile(s))
		tpm_enter_failure_mode(s, TPM_FAIL);
}

int tpm_set_locality(struct tpm_state *s, unsigned int locality)
{
	if (!s || locality > 4)
		return -EINVAL;
	s->locality = locality;
	s->af.locality_modifier = (uint8_t)locality;
	return 0;
}

bool tpm_state_dirty(const struct tpm_state *s)
{
	return s->dirty;
}

/*
 * Serialization.  Writers return 0 or -ENOSPC (a failed put leaves a
 * partial record, but the whole blob is then discarded).
 */
static int put_bools(struct tpm_buf *b, const bool *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tb_put_bool(b, v[i]))
			return -ENOSPC;
	}
	return 0;
}

static int put_pf(struct tpm_buf *b, const struct tpm_permanent_flags *f)
{
	/* Part 2, 7.1 order; STATE_NUM_PF entries. */
	const bool v[STATE_NUM_PF] = {
		f->disable, f->owner_installed, f->deactivated, f->read_pubek,
		f->disable_owner_clear, f->allow_maintenance,
		f->physical_presence_lifetime_lock,
		f->physical_presence_hw_enable,
		f->physical_presence_cmd_enable, f->cekp_used, f->tpm_post,
		f->tpm_post_lock, f->fips, f->operator_, f->enable_revoke_ek,
		f->nv_locked, f->read_srk_pub, f->tpm_established,
		f->maintenance_done, f->disable_full_da_logic_info,
	};

	return put_bools(b, v, STATE_NUM_PF);
}

static int put_sel(struct tpm_buf *b, const struct tpm_pcr_selection *sel)
{
	if (tb_put_u16(b, sel->size) ||
	    tb_put_bytes(b, sel->sel, TPM_PCR_SELECT_MAX))
		return -ENOSPC;
	return 0;
}

/* Every field of struct tpm_pcr_info, whatever its kind. */
static int put_pcr_info(struct tpm_buf *b, const struct tpm_pcr_info *pi)
{
	if (tb_put_u8(b, (uint8_t)pi->kind) ||
	    tb_put_u8(b, pi->locality_at_creation) ||
	    tb_put_u8(b, pi->locality_at_release) ||
	    put_sel(b, &pi->creation_sel) || put_sel(b, &pi->release_sel) ||
	    tb_put_bytes(b, pi->digest_at_creation, TPM_DIGEST_SIZE) ||
	    tb_put_bytes(b, pi->digest_at_release, TPM_DIGEST_SIZE))
		return -ENOSPC;
	return 0;
}

/* The RSA part of a key: its first prime when private (the rest is
 * derived on load, as from TPM_STORE_PRIVKEY). */
static int put_key_rsa(struct tpm_buf *b, const struct tpm_key *k)
{
	uint8_t p[TPM_MAX_KEY_BYTES];
	size_t plen;
	int rc;

	if (!k->rsa)
		return tb_put_u8(b, KEY_RSA_NONE) ? -ENOSPC : 0;
	if (!tpm_rsa_is_private(k->rsa))
		return tb_put_u8(b, KEY_RSA_PUBLIC) ? -ENOSPC : 0;
	if (tpm_rsa_get_prime(k->rsa, p, sizeof(p), &plen))
		return -EINVAL;
	rc = tb_put_u8(b, KEY_RSA_PRIVATE) ||
	     tb_put_sized(b, p, (uint32_t)plen) ? -ENOSPC : 0;
	tpm_wipe(p, sizeof(p));
	return rc;
}

static int put_key(struct tpm_buf *b, const struct tpm_key *k)
{
	const struct tpm_key_parms *p = &k->parms;

	if (tb_put_bool(b, k->valid))
		return -ENOSPC;
	if (!k->valid)
		return 0;
	if (tb_put_bool(b, k->key12) || tb_put_bytes(b, k->ver, 4) ||
	    tb_put_u16(b, k->usage) || tb_put_u32(b, k->flags) ||
	    tb_put_u8(b, k->auth_usage) || tb_put_u32(b, p->algorithm) ||
	    tb_put_u16(b, p->enc_scheme) || tb_put_u16(b, p->sig_scheme) ||
	    tb_put_u32(b, p->key_bits) || tb_put_u32(b, p->num_primes) ||
	    tb_put_sized(b, p->exponent, p->exp_size) ||
	    put_pcr_info(b, &k->pcr) || tb_put_sized(b, k->n, k->n_len) ||
	    tb_put_bytes(b, k->usage_auth, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, k->migration_auth, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, k->pub_digest, TPM_DIGEST_SIZE))
		return -ENOSPC;
	return put_key_rsa(b, k);
}

static int put_counters(struct tpm_buf *b, const struct tpm_state *s)
{
	unsigned int i;

	if (tb_put_u32(b, tpm_counters_used(s)))
		return -ENOSPC;
	for (i = 0; i < TPM_MAX_COUNTERS; i++) {
		const struct tpm_counter *c = &s->pd.counters[i];

		if (!c->valid)
			continue;
		if (tb_put_u32(b, c->handle) || tb_put_bytes(b, c->label, 4) ||
		    tb_put_u32(b, c->value) ||
		    tb_put_bytes(b, c->auth, TPM_SECRET_SIZE))
			return -ENOSPC;
	}
	return 0;
}

static int put_nv(struct tpm_buf *b, const struct tpm_state *s)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < TPM_MAX_NV_INDEXES; i++)
		n += s->pd.nv[i].valid;
	if (tb_put_u32(b, n))
		return -ENOSPC;
	for (i = 0; i < TPM_MAX_NV_INDEXES; i++) {
		const struct tpm_nv_area *a = &s->pd.nv[i];

		if (!a->valid)
			continue;
		if (tb_put_u32(b, a->index) ||
		    put_pcr_info(b, &a->pcr_read) ||
		    put_pcr_info(b, &a->pcr_write) ||
		    tb_put_u32(b, a->permission) ||
		    tb_put_bool(b, a->read_st_clear) ||
		    tb_put_bool(b, a->write_st_clear) ||
		    tb_put_bool(b, a->write_define) ||
		    tb_put_bytes(b, a->auth, TPM_SECRET_SIZE) ||
		    tb_put_sized(b, a->data, a->data_size))
			return -ENOSPC;
	}
	return 0;
}

/* The TPM_SaveState snapshot (Part 3, 3.3): STCLEAR flags and data. */
static int put_saved(struct tpm_buf *b, const struct tpm_state *s)
{
	const struct tpm_stclear_flags *f = &s->saved_sf;
	const struct tpm_stclear_data *d = &s->saved_sd;
	const bool v[] = {
		f->deactivated, f->disable_force_clear, f->physical_presence,
		f->physical_presence_lock, f->global_lock,
	};
	unsigned int i;

	if (tb_put_bool(b, s->saved_valid))
		return -ENOSPC;
	if (!s->saved_valid)
		return 0;
	if (put_bools(b, v, ARRAY_SIZE(v)) || tb_put_u32(b, TPM_NUM_PCR))
		return -ENOSPC;
	for (i = 0; i < TPM_NUM_PCR; i++) {
		if (tb_put_bytes(b, d->pcr[i], TPM_DIGEST_SIZE))
			return -ENOSPC;
	}
	if (tb_put_u32(b, d->count_id) ||
	    tb_put_u32(b, d->deferred_physical_presence) ||
	    tb_put_bool(b, d->disable_reset_lock) ||
	    tb_put_bool(b, d->nv_read_locked_any))
		return -ENOSPC;
	return 0;
}

static int put_pd(struct tpm_buf *b, const struct tpm_state *s)
{
	const struct tpm_permanent_data *pd = &s->pd;
	unsigned int i;

	if (tb_put_bytes(b, pd->tpm_proof, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, pd->ek_reset, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, pd->owner_auth, TPM_SECRET_SIZE) ||
	    tb_put_bytes(b, pd->operator_auth, TPM_SECRET_SIZE) ||
	    tb_put_u32(b, TPM_NUM_DIRS))
		return -ENOSPC;
	for (i = 0; i < TPM_NUM_DIRS; i++) {
		if (tb_put_bytes(b, pd->dir[i], TPM_DIGEST_SIZE))
			return -ENOSPC;
	}
	if (tb_put_bytes(b, pd->context_key, sizeof(pd->context_key)) ||
	    tb_put_u32(b, TPM_NUM_PCR))
		return -ENOSPC;
	for (i = 0; i < TPM_NUM_PCR; i++) {
		if (tb_put_u32(b, pd->pcr_reset_locality[i]))
			return -ENOSPC;
	}
	if (tb_put_u32(b, pd->nv_writes_noowner) ||
	    tb_put_u32(b, pd->counter_next) ||
	    tb_put_u32(b, pd->da_failures) ||
	    tb_put_bytes(b, pd->ordinal_audit, sizeof(pd->ordinal_audit)) ||
	    tb_put_bool(b, pd->no_owner_install))
		return -ENOSPC;
	if (put_key(b, &pd->ek) || put_key(b, &pd->srk) ||
	    put_counters(b, s) || put_nv(b, s))
		return -ENOSPC;
	return 0;
}

/*
 * Version 2 adds sections after the version-1 body: each command family
 * that keeps persistent state of its own (delegation tables, audit
 * status, ...) serialises it in its own file and is listed here once.
 * A section is u16 id, u32 length, body; ids are never reused; a loader
 * refuses an unknown id, a repeated id, or a body its family does not
 * consume exactly; a section absent from an older blob leaves its family
 * in the manufacturing state (all zero unless the family says otherwise).
 */
struct state_section {
	uint16_t id;
	const char *name;
	/* Return 0, or -ENOSPC when @b is full. */
	int (*put)(const struct tpm_state *s, struct tpm_buf *b);
	/* Parse exactly the section body in @b: 0 or -EBADMSG. */
	int (*get)(struct tpm_state *s, struct tpm_buf *b);
};

static const struct state_section sections[] = {
	/* Issue 3 families add one row each here, in id order. */
	{ 1, "delegation", tpm_delegation_state_put,
	  tpm_delegation_state_get },
	/* issue 3 anchor: delegation row goes above this line */
	/* issue 3 anchor: transport row goes above this line */
	/* issue 3 anchor: migration row goes above this line */
	{ 3, "context", tpm_context_state_put, tpm_context_state_get },
	/* issue 3 anchor: context row goes above this line */
	{ 2, "audit", tpm_audit_state_put, tpm_audit_state_get },
	/* issue 3 anchor: audit row goes above this line */
	{ 6, "daa", tpm_daa_state_put, tpm_daa_state_get },
	/* issue 3 anchor: daa row goes above this line */
	{ 5, "maintenance", tpm_maintenance_state_put,
	  tpm_maintenance_state_get },
	/* issue 3 anchor: maintenance row goes above this line */
	/* issue 3 anchor: keysmisc row goes above this line */
	{ 0, NULL, NULL, NULL },	/* placeholder: C has no empty arrays */
};

/* Maximum number of sections a blob may carry. */
#define STATE_MAX_SECTIONS	32U

static int put_sections(struct tpm_buf *b, const struct tpm_state *s)
{
	uint16_t n = 0;
	size_t i, count_at = b->len, len_at;

	if (tb_put_u16(b, 0))
		return -ENOSPC;
	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		if (!sections[i].put)
			continue;
		if (tb_put_u16(b, sections[i].id) || tb_put_u32(b, 0))
			return -ENOSPC;
		len_at = b->len;
		if (sections[i].put(s, b))
			return -ENOSPC;
		tb_patch_u32(b, len_at - 4, (uint32_t)(b->len - len_at));
		n++;
	}
	tb_wr_be16(b->data + count_at, n);
	return 0;
}

int tpm_state_save(struct tpm_state *s, uint8_t **blob, size_t *len)
{
	uint8_t *buf, digest[STATE_DIGEST_SIZE];
	struct tpm_buf b;
	int err;

	buf = malloc(STATE_MAX_SIZE);
	if (!buf)
		return -ENOMEM;
	tb_init_write(&b, buf, STATE_MAX_SIZE);
	err = -EOVERFLOW;
	if (tb_put_u32(&b, STATE_MAGIC) || tb_put_u32(&b, STATE_VERSION) ||
	    tb_put_u32(&b, s->ek_bits) || put_pf(&b, &s->pf) ||
	    put_pd(&b, s) || put_saved(&b, s) || put_sections(&b, s))
		goto err_free;
	err = -EIO;
	if (tpm_sha1(b.data, b.len, digest))
		goto err_free;
	err = -EOVERFLOW;
	if (tb_put_bytes(&b, digest, sizeof(digest)))
		goto err_free;
	/* Hand out a buffer of the exact size; the big one is wiped. */
	err = -ENOMEM;
	*blob = malloc(b.len);
	if (!*blob)
		goto err_free;
	memcpy(*blob, b.data, b.len);
	*len = b.len;
	s->dirty = false;
	err = 0;
err_free:
	tpm_wipe(buf, STATE_MAX_SIZE);
	free(buf);
	return err;
}

/*
 * Parsing.  Readers return 0 or -EBADMSG and record the first reason in
 * *why; nothing from the blob is trusted before it is checked against
 * its named limit.
 */
struct loader {
	struct tpm_buf b;
	const char *why;
};

static int bad(struct loader *l, const char *why)
{
	if (!l->why)
		l->why = why;
	return -EBADMSG;
}

static int get_u8(struct loader *l, uint8_t *v)
{
	return tb_get_u8(&l->b, v) ? bad(l, "truncated") : 0;
}

static int get_u16(struct loader *l, uint16_t *v)
{
	return tb_get_u16(&l->b, v) ? bad(l, "truncated") : 0;
}

static int get_u32(struct loader *l, uint32_t *v)
{
	return tb_get_u32(&l->b, v) ? bad(l, "truncated") : 0;
}

static int get_bytes(struct loader *l, void *dst, size_t n)
{
	return tb_get_bytes(&l->b, dst, n) ? bad(l, "truncated") : 0;
}

static int get_bool(struct loader *l, bool *v)
{
	uint8_t x;

	if (get_u8(l, &x))
		return -EBADMSG;
	if (x > 1)
		return bad(l, "bad boolean");
	*v = x;
	return 0;
}

/* u32 length (at most @max) then that many bytes into @dst. */
static int get_sized(struct loader *l, void *dst, uint32_t *n, uint32_t max)
{
	const uint8_t *p;

	if (tb_get_sized(&l->b, &p, n, max))
		return bad(l, "bad length");
	memcpy(dst, p, *n);
	return 0;
}

/* A u32 that must equal this build's constant (a dimension). */
static int get_dim(struct loader *l, uint32_t want)
{
	uint32_t v;

	if (get_u32(l, &v))
		return -EBADMSG;
	return v == want ? 0 : bad(l, "dimension mismatch");
}

static int get_pf(struct loader *l, struct tpm_permanent_flags *f)
{
	bool *v[STATE_NUM_PF] = {
		&f->disable, &f->owner_installed, &f->deactivated, &f->read_pubek,
		&f->disable_owner_clear, &f->allow_maintenance,
		&f->physical_presence_lifetime_lock,
		&f->physical_presence_hw_enable,
		&f->physical_presence_cmd_enable, &f->cekp_used, &f->tpm_post,
		&f->tpm_post_lock, &f->fips, &f->operator_,
		&f->enable_revoke_ek, &f->nv_locked, &f->read_srk_pub,
		&f->tpm_established, &f->maintenance_done,
		&f->disable_full_da_logic_info,
	};
	unsigned int i;

	for (i = 0; i < STATE_NUM_PF; i++) {
		if (get_bool(l, v[i]))
			return -EBADMSG;
	}
	return 0;
}

static int get_sel(struct loader *l, struct tpm_pcr_selection *sel)
{
	if (get_u16(l, &sel->size) ||
	    get_bytes(l, sel->sel, TPM_PCR_SELECT_MAX))
		return -EBADMSG;
	return sel->size <= TPM_PCR_SELECT_MAX ? 0 :
		bad(l, "bad PCR selection");
}

static int get_pcr_info(struct loader *l, struct tpm_pcr_info *pi)
{
	uint8_t kind;

	if (get_u8(l, &kind))
		return -EBADMSG;
	if (kind > PCR_INFO_SHORT)
		return bad(l, "bad PCR info kind");
	pi->kind = (enum tpm_pcr_info_kind)kind;
	if (get_u8(l, &pi->locality_at_creation) ||
	    get_u8(l, &pi->locality_at_release) ||
	    get_sel(l, &pi->creation_sel) || get_sel(l, &pi->release_sel) ||
	    get_bytes(l, pi->digest_at_creation, TPM_DIGEST_SIZE) ||
	    get_bytes(l, pi->digest_at_release, TPM_DIGEST_SIZE))
		return -EBADMSG;
	if ((pi->locality_at_creation | pi->locality_at_release) &
	    ~TPM_LOC_ALL)
		return bad(l, "bad locality");
	return 0;
}

/* Rebuild the RSA key of @k from the record (Part 2, 10.7: the private
 * part is the first prime). */
static int get_key_rsa(struct loader *l, struct tpm_key *k)
{
	uint8_t p[TPM_MAX_KEY_BYTES], how;
	uint32_t plen;
	int err;

	if (get_u8(l, &how))
		return -EBADMSG;
	switch (how) {
	case KEY_RSA_NONE:
		return 0;
	case KEY_RSA_PUBLIC:
		err = tpm_rsa_from_public(&k->rsa, k->n, k->n_len,
					  k->parms.exponent,
					  k->parms.exp_size);
		return err ? bad(l, "bad public key") : 0;
	case KEY_RSA_PRIVATE:
		if (get_sized(l, p, &plen, sizeof(p)))
			return -EBADMSG;
		err = tpm_rsa_from_prime(&k->rsa, k->n, k->n_len,
					 k->parms.exponent, k->parms.exp_size,
					 p, plen);
		tpm_wipe(p, sizeof(p));
		return err ? bad(l, "bad private key") : 0;
	default:
		return bad(l, "bad key kind");
	}
}

static int get_key(struct loader *l, struct tpm_key *k)
{
	struct tpm_key_parms *p = &k->parms;

	if (get_bool(l, &k->valid))
		return -EBADMSG;
	if (!k->valid)
		return 0;
	if (get_bool(l, &k->key12) || get_bytes(l, k->ver, 4) ||
	    get_u16(l, &k->usage) || get_u32(l, &k->flags) ||
	    get_u8(l, &k->auth_usage) || get_u32(l, &p->algorithm) ||
	    get_u16(l, &p->enc_scheme) || get_u16(l, &p->sig_scheme) ||
	    get_u32(l, &p->key_bits) || get_u32(l, &p->num_primes) ||
	    get_sized(l, p->exponent, &p->exp_size, TPM_MAX_EXP_BYTES) ||
	    get_pcr_info(l, &k->pcr) ||
	    get_sized(l, k->n, &k->n_len, TPM_MAX_KEY_BYTES) ||
	    get_bytes(l, k->usage_auth, TPM_SECRET_SIZE) ||
	    get_bytes(l, k->migration_auth, TPM_SECRET_SIZE) ||
	    get_bytes(l, k->pub_digest, TPM_DIGEST_SIZE))
		return -EBADMSG;
	if (k->n_len == 0)
		return bad(l, "bad modulus");
	return get_key_rsa(l, k);
}

static int get_counters(struct loader *l, struct tpm_state *s)
{
	uint32_t n, i;

	if (get_u32(l, &n))
		return -EBADMSG;
	if (n > TPM_MAX_COUNTERS)
		return bad(l, "too many counters");
	for (i = 0; i < n; i++) {
		struct tpm_counter *c = &s->pd.counters[i];

		if (get_u32(l, &c->handle) || get_bytes(l, c->label, 4) ||
		    get_u32(l, &c->value) ||
		    get_bytes(l, c->auth, TPM_SECRET_SIZE))
			return -EBADMSG;
		/* Handles are start values: below the base, unique. */
		if (c->handle == 0 || c->handle >= s->pd.counter_next ||
		    c->value < c->handle || tpm_counter_find(s, c->handle))
			return bad(l, "bad counter");
		c->valid = true;
	}
	return 0;
}

static int get_nv_area(struct loader *l, struct tpm_state *s,
		       struct tpm_nv_area *a, uint32_t *used)
{
	const uint8_t *p;

	if (get_u32(l, &a->index) || get_pcr_info(l, &a->pcr_read) ||
	    get_pcr_info(l, &a->pcr_write) || get_u32(l, &a->permission) ||
	    get_bool(l, &a->read_st_clear) ||
	    get_bool(l, &a->write_st_clear) ||
	    get_bool(l, &a->write_define) ||
	    get_bytes(l, a->auth, TPM_SECRET_SIZE))
		return -EBADMSG;
	if (tb_get_sized(&l->b, &p, &a->data_size, TPM_MAX_NV_SPACE - *used))
		return bad(l, "NV space exceeded");
	if (a->data_size == 0 || a->index == TPM_NV_INDEX0 ||
	    a->index == TPM_NV_INDEX_LOCK || a->index == TPM_NV_INDEX_DIR ||
	    tpm_nv_find(s, a->index) ||
	    (a->permission & ~TPM_NV_PER_MASK))
		return bad(l, "bad NV area");
	a->data = malloc(a->data_size);
	if (!a->data) {
		a->data_size = 0;
		return bad(l, "out of memory");
	}
	memcpy(a->data, p, a->data_size);
	*used += a->data_size;
	a->valid = true;
	return 0;
}

static int get_nv(struct loader *l, struct tpm_state *s)
{
	uint32_t n, i, used = 0;

	if (get_u32(l, &n))
		return -EBADMSG;
	if (n > TPM_MAX_NV_INDEXES)
		return bad(l, "too many NV areas");
	for (i = 0; i < n; i++) {
		if (get_nv_area(l, s, &s->pd.nv[i], &used))
			return -EBADMSG;
	}
	return 0;
}

static int get_pd(struct loader *l, struct tpm_state *s)
{
	struct tpm_permanent_data *pd = &s->pd;
	unsigned int i;

	if (get_bytes(l, pd->tpm_proof, TPM_SECRET_SIZE) ||
	    get_bytes(l, pd->ek_reset, TPM_SECRET_SIZE) ||
	    get_bytes(l, pd->owner_auth, TPM_SECRET_SIZE) ||
	    get_bytes(l, pd->operator_auth, TPM_SECRET_SIZE) ||
	    get_dim(l, TPM_NUM_DIRS) ||
	    get_bytes(l, pd->dir, sizeof(pd->dir)) ||
	    get_bytes(l, pd->context_key, sizeof(pd->context_key)) ||
	    get_dim(l, TPM_NUM_PCR))
		return -EBADMSG;
	for (i = 0; i < TPM_NUM_PCR; i++) {
		if (get_u32(l, &pd->pcr_reset_locality[i]))
			return -EBADMSG;
		if (pd->pcr_reset_locality[i] & ~TPM_LOC_ALL)
			return bad(l, "bad locality");
	}
	if (get_u32(l, &pd->nv_writes_noowner) ||
	    get_u32(l, &pd->counter_next) || get_u32(l, &pd->da_failures) ||
	    get_bytes(l, pd->ordinal_audit, sizeof(pd->ordinal_audit)) ||
	    get_bool(l, &pd->no_owner_install))
		return -EBADMSG;
	if (pd->nv_writes_noowner > TPM_MAX_NV_WRITE_NOOWNER ||
	    pd->counter_next == 0)
		return bad(l, "bad permanent data");
	if (get_key(l, &pd->ek) || get_key(l, &pd->srk) ||
	    get_counters(l, s) || get_nv(l, s))
		return -EBADMSG;
	/* An installed owner always has an SRK. */
	if (s->pf.owner_installed && !pd->srk.valid)
		return bad(l, "owner without SRK");
	return 0;
}

static int get_saved(struct loader *l, struct tpm_state *s)
{
	struct tpm_stclear_flags *f = &s->saved_sf;
	struct tpm_stclear_data *d = &s->saved_sd;
	bool *v[] = {
		&f->deactivated, &f->disable_force_clear, &f->physical_presence,
		&f->physical_presence_lock, &f->global_lock,
	};
	unsigned int i;

	if (get_bool(l, &s->saved_valid))
		return -EBADMSG;
	if (!s->saved_valid)
		return 0;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		if (get_bool(l, v[i]))
			return -EBADMSG;
	}
	if (get_dim(l, TPM_NUM_PCR) || get_bytes(l, d->pcr, sizeof(d->pcr)) ||
	    get_u32(l, &d->count_id) ||
	    get_u32(l, &d->deferred_physical_presence) ||
	    get_bool(l, &d->disable_reset_lock) ||
	    get_bool(l, &d->nv_read_locked_any))
		return -EBADMSG;
	return 0;
}

/* The version-1 body: everything a version-1 blob holds. */
static int load_v1_body(struct loader *l, struct tpm_state *s)
{
	if (get_u32(l, &s->ek_bits))
		return -EBADMSG;
	if (s->ek_bits < TPM_RSA_MIN_BITS || s->ek_bits > TPM_RSA_MAX_BITS)
		return bad(l, "bad EK size");
	if (get_pf(l, &s->pf) || get_pd(l, s) || get_saved(l, s))
		return -EBADMSG;
	return 0;
}

static const struct state_section *find_section(uint16_t id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sections); i++)
		if (sections[i].get && sections[i].id == id)
			return &sections[i];
	return NULL;
}

/* Version 2: the family sections after the version-1 body. */
static int load_sections(struct loader *l, struct tpm_state *s)
{
	uint32_t seen = 0, len;
	uint16_t n, id, i;
	const struct state_section *sec;
	struct tpm_buf body;
	const uint8_t *p;

	if (get_u16(l, &n))
		return -EBADMSG;
	if (n > STATE_MAX_SECTIONS)
		return bad(l, "too many sections");
	for (i = 0; i < n; i++) {
		if (get_u16(l, &id) || get_u32(l, &len))
			return -EBADMSG;
		sec = find_section(id);
		if (!sec || id >= 32)
			return bad(l, "unknown section");
		if (seen & (1U << id))
			return bad(l, "repeated section");
		seen |= 1U << id;
		if (tb_get_ref(&l->b, &p, len))
			return bad(l, "truncated");
		tb_init_read(&body, p, len);
		if (sec->get(s, &body) || tb_expect_end(&body))
			return bad(l, "bad section");
	}
	return 0;
}

/* Magic, version and digest; on success @l covers the body. */
static int check_envelope(struct loader *l, const uint8_t *blob, size_t len,
			  uint32_t *version)
{
	uint8_t digest[STATE_DIGEST_SIZE];
	uint32_t magic;

	if (!blob || len < STATE_HEADER_SIZE + STATE_DIGEST_SIZE)
		return bad(l, "too short");
	if (len > STATE_MAX_SIZE)
		return bad(l, "too long");
	tb_init_read(&l->b, blob, len - STATE_DIGEST_SIZE);
	if (get_u32(l, &magic) || get_u32(l, version))
		return -EBADMSG;
	if (magic != STATE_MAGIC)
		return bad(l, "bad magic");
	if (*version == 0 || *version > STATE_VERSION) {
		l->why = "unsupported version";
		return -EPROTONOSUPPORT;
	}
	if (tpm_sha1(blob, len - STATE_DIGEST_SIZE, digest))
		return bad(l, "cannot hash");
	if (tpm_memcmp_ct(digest, blob + len - STATE_DIGEST_SIZE,
			  STATE_DIGEST_SIZE))
		return bad(l, "digest mismatch");
	return 0;
}

struct tpm_state *tpm_state_load(const uint8_t *blob, size_t len,
				 const char **err)
{
	struct loader l = { .why = NULL };
	struct tpm_state *s = NULL;
	uint32_t version;
	int rc;

	rc = check_envelope(&l, blob, len, &version);
	if (rc)
		goto err_out;
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = -ENOMEM;
		l.why = "out of memory";
		goto err_out;
	}
	/* Every older version stays loadable (docs/state-format.md). */
	rc = load_v1_body(&l, s);
	if (!rc && version >= 2)
		rc = load_sections(&l, s);
	if (!rc && tb_expect_end(&l.b))
		rc = bad(&l, "trailing bytes");
	if (!rc && reset_volatile(s))
		rc = bad(&l, "no randomness");
	if (rc)
		goto err_out;
	s->dirty = false;
	if (err)
		*err = NULL;
	return s;

err_out:
	tpm_destroy(s);
	if (err)
		*err = l.why;
	errno = -rc;
	return NULL;
}
