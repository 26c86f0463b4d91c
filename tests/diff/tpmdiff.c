// SPDX-License-Identifier: GPL-2.0
/*
 * tpmdiff: run the same TPM 1.2 command sequences against TPM A (under test)
 * and TPM B (the oracle, swtpm) in lockstep and report every difference as
 * TAP.  Random and key-dependent values are verified, never compared.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "constants.h"
#include "tpmclient.h"

#define NSIDES		2
/* A framing test waits this long for an answer before calling it silent. */
#define FRESH_TIMEOUT_MS	3000
/* Response bytes shown as a TAP diagnostic when a step fails. */
#define DUMP_MAX	48
#define WHY_MAX		256
/* Largest malformed command written as hex in this file. */
#define HEX_CMD_MAX	128
/* Per-command timeout; RSA-2048 key generation is the slowest command. */
#define DEFAULT_TIMEOUT_MS	30000
/* A TPM that fails this many transactions in a row is given up on. */
#define MAX_IO_ERRORS	3
/* tag, paramSize, returnCode: a response with no parameters. */
#define RSP_HEADER_SIZE	10U

/*
 * Response shapes: a space-separated list of fields, compared A against B.
 *   u8 u16 u32 u64 bN   equal values (bN: N bytes)
 *   sz s16 rest         u32-/u16-sized or remaining bytes, equal
 * A suffix "~" compares only the length (or nothing, for scalars and bN);
 * "*" compares nothing but the framing; "sz(...)" parses the body with an
 * inner shape that must consume it exactly.
 */
/* TPM_KEY_PARMS: algorithm, schemes, RSA parms (bits, primes, exponent). */
#define SH_PARMS	"u32 u16 u16 sz"
/* TPM_PUBKEY: the modulus is key material, so only its length is equal. */
#define SH_PUB		SH_PARMS " sz~"
/*
 * TPM_KEY/TPM_KEY12: ver or tag+fill, usage, flags, authDataUsage, parms,
 * PCR info (equal: both TPMs have the same PCR values), pubKey, encData.
 */
#define SH_KEY		"b4 u16 u32 u8 " SH_PARMS " sz sz~ sz~"
/* TPM_STORED_DATA(12): ver/tag+et, sealInfo (equal), encData (length). */
#define SH_STORED	"b4 sz sz~"
/* TPM_COUNTER_VALUE */
#define SH_COUNTER	"u16 b4 u32"
/* TPM_PCR_INFO_SHORT */
#define SH_PCR_SHORT	"s16 u8 b20"
/* TPM_NV_DATA_PUBLIC */
#define SH_NV_PUBLIC	"u16 u32 " SH_PCR_SHORT " " SH_PCR_SHORT \
			" u16 u32 u8 u8 u8 u32"
/* A capability whose value is the vendor's choice: framing only. */
#define SH_VENDOR_U32	"sz(u32~)"
/*
 * TPM_PERMANENT_FLAGS.  Platform or vendor choices are not compared:
 * allowMaintenance, physicalPresenceHWEnable, CEKPUsed (tpmd makes its EK
 * itself, swtpm here through CreateEndorsementKeyPair), TPMpost,
 * TPMpostLock, FIPS and tpmEstablished.
 */
#define SH_PERM_FLAGS	"sz(u16 u8 u8 u8 u8 u8 u8~ u8 u8~ u8 u8~ u8~ u8~ " \
			"u8~ u8 u8 u8 u8 u8~ u8 u8)"
/*
 * The same, for a fresh TPM: DESIGN section 6 has tpmd come up with
 * physicalPresenceCMDEnable set, a fresh swtpm has it clear; both agree
 * once TSC_PhysicalPresence(CMD_ENABLE) has been sent (physpres).
 */
#define SH_PERM_FLAGS_FRESH "sz(u16 u8 u8 u8 u8 u8 u8~ u8 u8~ u8~ u8~ u8~ " \
			"u8~ u8~ u8 u8 u8 u8 u8~ u8 u8)"
/* TPM_DA_INFO: state and count equal; limits and actions the vendor's. */
#define SH_DA_INFO	"sz(u16 u8 u16 u16~ u16 u32~ u32~ sz*)"
/* TPM_KEY_HANDLE_LIST: the count is equal, handle values are not. */
#define SH_HANDLES	"sz(u16 rest~)"

struct side {
	struct tc_conn c;
	const char *ep;
	char name;
	/* Result of this side's last command, compared by step(). */
	int rc;
	/* Consecutive transport errors. */
	unsigned int io_errors;
	struct tc_rsp r;
	bool have_ek;
	struct tc_pubkey ek;
	/* Per-TPM objects: handles and blobs differ between the two. */
	uint32_t handle;
	uint32_t sign_key, storage_key, child_key;
	struct tc_pubkey sign_pub;
	uint8_t blob[3][TC_BUF_MAX];
	size_t blob_len[3];
	uint32_t ctr[2];
	uint32_t u32;
	uint64_t ticks;
	uint8_t digest[TC_DIGEST_SIZE];
	uint8_t tick_nonce[TC_DIGEST_SIZE];
	struct tc_session sess;
};

struct diff {
	struct side s[NSIDES];
	const char *scen;
	unsigned int pass, fail;
	/* -v: name the return code both sides agreed on. */
	bool verbose;
	bool owned;
	bool dead;
	int timeout_ms;
	/* Set by a step that passed on an allowed difference: the reason,
	 * printed by report() (docs/diff-allowed.md has the table). */
	const char *allowed;
};

/* Secrets, identical on both TPMs (tpm-tools style SHA-1 of a string). */
static uint8_t owner_auth[TC_DIGEST_SIZE], key_auth[TC_DIGEST_SIZE];
static uint8_t data_auth[TC_DIGEST_SIZE], nv_auth[TC_DIGEST_SIZE];
static uint8_t ctr_auth[TC_DIGEST_SIZE], wrong_auth[TC_DIGEST_SIZE];
/* The SRK secret is the well-known one, as TSS stacks use by default. */
static const uint8_t *srk_auth = tc_well_known;

/* ---- reporting ---- */

static const char *errstr(int rc)
{
	switch (rc) {
	case TC_EBADAUTH:
		return "response HMAC does not verify";
	case TC_EBADSIG:
		return "signature or checksum does not verify";
	case -EBADMSG:
		return "malformed response";
	default:
		return strerror(-rc);
	}
}

static void __attribute__((format(printf, 3, 4)))
say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static void dump(const struct side *s)
{
	size_t i, n = s->r.len < DUMP_MAX ? s->r.len : DUMP_MAX;

	printf("#   %c:", s->name);
	for (i = 0; i < n; i++)
		printf("%02x", s->r.data[i]);
	printf("%s\n", n < s->r.len ? "..." : "");
}

/*
 * Give up: the remaining steps of the scenario then fail at once (no
 * connection) and report() prints nothing more.
 */
static void bail_out(struct diff *d, const char *why)
{
	int i;

	printf("Bail out! %s\n", why);
	d->dead = true;
	for (i = 0; i < NSIDES; i++)
		tc_disconnect(&d->s[i].c);
}

/* Drop and re-open a side's connection after a transport error. */
static void reconnect(struct diff *d, struct side *s)
{
	char why[WHY_MAX];
	int err;

	tc_disconnect(&s->c);
	err = tc_connect(&s->c, s->ep);
	if (err) {
		say(why, sizeof(why), "%c: cannot reconnect to %s: %s",
		    s->name, s->ep, strerror(-err));
		bail_out(d, why);
		return;
	}
	s->c.timeout_ms = d->timeout_ms;
}

static bool transport_error(int rc)
{
	return rc < 0 && rc != TC_EBADAUTH && rc != TC_EBADSIG &&
	       rc != -EBADMSG;
}

static void report(struct diff *d, const char *step, bool ok, const char *why)
{
	unsigned int i;

	/* After "Bail out!" a TAP harness stops reading: say nothing more. */
	if (d->dead)
		return;
	if (ok) {
		d->pass++;
		printf("ok - %s/%s\n", d->scen, step);
		if (d->allowed)
			printf("#   allowed difference (docs/diff-allowed.md):"
			       " %s\n", d->allowed);
		else if (d->verbose && d->s[0].r.len)
			printf("#   both: %s\n", tc_rc_name(d->s[0].r.rc));
	} else {
		d->fail++;
		printf("not ok - %s/%s: %s\n", d->scen, step, why);
		for (i = 0; i < NSIDES; i++)
			if (d->s[i].r.len)
				dump(&d->s[i]);
	}
	d->allowed = NULL;
	for (i = 0; i < NSIDES && !d->dead; i++) {
		struct side *s = &d->s[i];

		if (!transport_error(s->rc)) {
			s->io_errors = 0;
			continue;
		}
		/* A hung TPM would cost a timeout per remaining step. */
		if (++s->io_errors >= MAX_IO_ERRORS) {
			char msg[WHY_MAX];

			say(msg, sizeof(msg),
			    "%c: %u transport errors in a row", s->name,
			    s->io_errors);
			bail_out(d, msg);
			break;
		}
		/* A transport error may leave the stream out of step. */
		reconnect(d, s);
	}
	fflush(stdout);
}

/* Format "X: ..." for side @i into @why and return false. */
static bool __attribute__((format(printf, 4, 5)))
side_fails(char *why, size_t n, char side, const char *fmt, ...)
{
	char msg[WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say(why, n, "%c: %s", side, msg);
	return false;
}

/* ---- shape comparison ---- */

struct walk {
	struct tpm_buf b[NSIDES];
	char *why;
	size_t n;
};

static bool walk(struct walk *w, const char **sp);

static bool short_rsp(struct walk *w, int i, const char *tok)
{
	say(w->why, w->n, "%c: response ends inside %s at offset %zu",
	    'A' + i, tok, w->b[i].pos);
	return false;
}

static bool scalar(struct walk *w, const char *tok, size_t size, char mode)
{
	uint64_t v[NSIDES] = { 0 };
	size_t off = w->b[0].pos;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;
	int i, err;

	for (i = 0; i < NSIDES; i++) {
		struct tpm_buf *b = &w->b[i];

		if (size == 1)
			err = tb_get_u8(b, &v8), v[i] = v8;
		else if (size == 2)
			err = tb_get_u16(b, &v16), v[i] = v16;
		else if (size == 4)
			err = tb_get_u32(b, &v32), v[i] = v32;
		else
			err = tb_get_u64(b, &v[i]);
		if (err)
			return short_rsp(w, i, tok);
	}
	if (mode == '=' && v[0] != v[1]) {
		say(w->why, w->n, "%s at offset %zu: A=0x%llx B=0x%llx", tok,
		    off, (unsigned long long)v[0], (unsigned long long)v[1]);
		return false;
	}
	return true;
}

/* Compare two byte ranges of possibly different length under @mode. */
static bool range(struct walk *w, const char *tok, size_t off,
		  const uint8_t *p[NSIDES], const size_t len[NSIDES],
		  char mode)
{
	size_t k;

	if (mode == '*')
		return true;
	if (len[0] != len[1]) {
		say(w->why, w->n, "%s at offset %zu: length A=%zu B=%zu", tok,
		    off, len[0], len[1]);
		return false;
	}
	if (mode == '~')
		return true;
	for (k = 0; k < len[0]; k++) {
		if (p[0][k] != p[1][k]) {
			say(w->why, w->n,
			    "%s at offset %zu, byte %zu: A=%02x B=%02x",
			    tok, off, k, p[0][k], p[1][k]);
			return false;
		}
	}
	return true;
}

static bool fixed(struct walk *w, const char *tok, size_t n, char mode)
{
	const uint8_t *p[NSIDES];
	size_t len[NSIDES] = { n, n }, off = w->b[0].pos;
	int i;

	for (i = 0; i < NSIDES; i++)
		if (tb_get_ref(&w->b[i], &p[i], n))
			return short_rsp(w, i, tok);
	/* Fixed-size fields: "~" means the value is not compared at all. */
	return range(w, tok, off, p, len, mode == '~' ? '*' : mode);
}

/* A u32- or u16-length field; with "(" its body is walked by a sub-shape. */
static bool sized(struct walk *w, const char *tok, size_t lsize, char mode,
		  const char **sp)
{
	struct walk sub = { .why = w->why, .n = w->n };
	const uint8_t *p[NSIDES];
	size_t len[NSIDES], off = w->b[0].pos;
	uint32_t n32 = 0;
	uint16_t n16 = 0;
	int i, err;

	for (i = 0; i < NSIDES; i++) {
		struct tpm_buf *b = &w->b[i];

		if (lsize == 4) {
			err = tb_get_u32(b, &n32);
		} else {
			err = tb_get_u16(b, &n16);
			n32 = n16;
		}
		if (err || tb_get_ref(b, &p[i], n32))
			return short_rsp(w, i, tok);
		len[i] = n32;
		sub.b[i] = *b;
		sub.b[i].pos = (size_t)(p[i] - b->data);
		sub.b[i].len = sub.b[i].pos + n32;
	}
	if (**sp != '(')
		return range(w, tok, off, p, len, mode);
	(*sp)++;
	if (!walk(&sub, sp))
		return false;
	if (**sp != ')') {
		fprintf(stderr, "tpmdiff: bad shape near '%s'\n", *sp);
		abort();
	}
	(*sp)++;
	for (i = 0; i < NSIDES; i++)
		if (tb_remaining(&sub.b[i]))
			return side_fails(w->why, w->n, (char)('A' + i),
					  "%zu extra bytes in %s at offset %zu",
					  tb_remaining(&sub.b[i]), tok, off);
	return true;
}

static bool rest(struct walk *w, const char *tok, char mode)
{
	const uint8_t *p[NSIDES];
	size_t len[NSIDES], off = w->b[0].pos;
	int i;

	for (i = 0; i < NSIDES; i++) {
		len[i] = tb_remaining(&w->b[i]);
		tb_get_ref(&w->b[i], &p[i], len[i]);
	}
	return range(w, tok, off, p, len, mode);
}

static bool field(struct walk *w, const char *tok, char mode,
		  const char **sp)
{
	if (!strcmp(tok, "u8"))
		return scalar(w, tok, 1, mode);
	if (!strcmp(tok, "u16"))
		return scalar(w, tok, 2, mode);
	if (!strcmp(tok, "u32"))
		return scalar(w, tok, 4, mode);
	if (!strcmp(tok, "u64"))
		return scalar(w, tok, 8, mode);
	if (!strcmp(tok, "sz"))
		return sized(w, tok, 4, mode, sp);
	if (!strcmp(tok, "s16"))
		return sized(w, tok, 2, mode, sp);
	if (!strcmp(tok, "rest"))
		return rest(w, tok, mode);
	if (tok[0] == 'b' && isdigit((unsigned char)tok[1]))
		return fixed(w, tok, strtoul(tok + 1, NULL, 10), mode);
	fprintf(stderr, "tpmdiff: unknown shape token '%s'\n", tok);
	abort();
}

static bool walk(struct walk *w, const char **sp)
{
	const char *s = *sp;
	char tok[8], mode;
	size_t k;

	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s || *s == ')')
			break;
		for (k = 0; isalnum((unsigned char)*s); s++)
			if (k < sizeof(tok) - 1)
				tok[k++] = *s;
		tok[k] = '\0';
		mode = '=';
		if (*s == '~' || *s == '*')
			mode = *s++;
		if (!field(w, tok, mode, &s))
			return false;
	}
	*sp = s;
	return true;
}

/*
 * same() - did both sides give the same answer?
 * Return codes, tags, the out parameters under @shape, and the returned
 * authorization trailers (verified by tc_call) must all agree.
 */
static bool same(struct diff *d, const char *shape, char *why, size_t n)
{
	struct side *a = &d->s[0], *b = &d->s[1];
	struct walk w = { .why = why, .n = n };
	int i;

	for (i = 0; i < NSIDES; i++)
		if (d->s[i].rc < 0)
			return side_fails(why, n, d->s[i].name, "%s",
					  errstr(d->s[i].rc));
	if (a->rc != b->rc) {
		say(why, n, "A: %s (0x%x), B: %s (0x%x)", tc_rc_name(a->rc),
		    a->rc, tc_rc_name(b->rc), b->rc);
		return false;
	}
	if (a->r.tag != b->r.tag) {
		say(why, n, "tag A=0x%04x B=0x%04x", a->r.tag, b->r.tag);
		return false;
	}
	if (a->r.nauth != b->r.nauth ||
	    memcmp(a->r.cont, b->r.cont, a->r.nauth)) {
		say(why, n, "authorization trailers differ");
		return false;
	}
	for (i = 0; i < NSIDES; i++)
		tc_rsp_params(&d->s[i].r, &w.b[i]);
	if (a->rc != TPM_SUCCESS || !shape)
		shape = "";
	if (!walk(&w, &shape))
		return false;
	for (i = 0; i < NSIDES; i++)
		if (tb_remaining(&w.b[i]))
			return side_fails(why, n, d->s[i].name,
					  "%zu bytes after the expected fields",
					  tb_remaining(&w.b[i]));
	return true;
}

/*
 * Allowed return-code differences: each row is a row of
 * docs/diff-allowed.md.  The step passes only when A and B give exactly
 * these two codes, each as a bare 10-byte error response; any other
 * answer is compared as usual.
 */
#define MAINT_NOT_IN_LIBTPMS \
	"libtpms does not implement the maintenance commands (Part 3, 12)"

struct allowed_rc {
	const char *scen, *step;
	uint32_t rc_a, rc_b;
	const char *why;
};

static const struct allowed_rc allowed_rcs[] = {
	{ "malformed", "auth1-short-trailer-unowned",
	  TPM_BAD_PARAM_SIZE, TPM_NOSRK,
	  "a frame too short for its auth trailer is refused before the "
	  "owner check (order of errors not fixed by Part 3)" },
	{ "nv", "define-too-big", TPM_NOSPACE, TPM_SIZE,
	  "Part 3, 20.1 step 11.a: TPM_NOSPACE when dataSize does not fit" },
	{ "audit", "set-unsupported", TPM_BADINDEX, TPM_BAD_PARAMETER,
	  "Part 3, 8.5 step 2: TPM_BADINDEX for an ordinal the TPM does "
	  "not support" },
	{ "context", "flush-key", TPM_SUCCESS, TPM_BAD_PARAMETER,
	  "libtpms: a LoadContext refused with TPM_BAD_HANDLE (keepHandle, "
	  "handle in use) unloads the live key of that handle; Part 3, "
	  "21.3 leaves it loaded" },
	/* libtpms compiles the maintenance commands (Part 3, 12) out. */
	{ "maintenance", "read-manu-maint-pub-none", TPM_KEYNOTFOUND,
	  TPM_BAD_ORDINAL, MAINT_NOT_IN_LIBTPMS },
	{ "maintenance", "load-manu-maint-pub-not-rsa", TPM_BAD_KEY_PROPERTY,
	  TPM_BAD_ORDINAL, MAINT_NOT_IN_LIBTPMS },
	{ "maintenance", "create-archive-no-auth", TPM_BADTAG,
	  TPM_BAD_ORDINAL, MAINT_NOT_IN_LIBTPMS },
	{ "maintenance", "kill-feature-no-auth", TPM_BADTAG, TPM_BAD_ORDINAL,
	  MAINT_NOT_IN_LIBTPMS },
	{ "transport", "exec-wrong-auth", TPM_AUTHFAIL, TPM_AUTH2FAIL,
	  "Part 3, 24.2 step 7.c: a bad transAuth of ExecuteTransport is "
	  "TPM_AUTHFAIL (libtpms answers TPM_AUTH2FAIL)" },
};

static const struct allowed_rc *allowed_rc(const struct diff *d,
					   const char *name)
{
	const struct side *a = &d->s[0], *b = &d->s[1];
	size_t i;

	if (a->r.len != RSP_HEADER_SIZE || b->r.len != RSP_HEADER_SIZE)
		return NULL;
	for (i = 0; i < sizeof(allowed_rcs) / sizeof(allowed_rcs[0]); i++) {
		const struct allowed_rc *e = &allowed_rcs[i];

		if (!strcmp(e->scen, d->scen) && !strcmp(e->step, name) &&
		    a->rc == (int)e->rc_a && b->rc == (int)e->rc_b)
			return e;
	}
	return NULL;
}

/* Compare the results both sides left behind and report the step. */
static bool step(struct diff *d, const char *name, const char *shape)
{
	const struct allowed_rc *e;
	char why[WHY_MAX] = "";
	bool ok = same(d, shape, why, sizeof(why));

	if (!ok && (e = allowed_rc(d, name))) {
		ok = true;
		d->allowed = e->why;
	}
	report(d, name, ok, why);
	return ok;
}

/* Both sides succeeded (and agreed)? For steps that verify afterwards. */
static bool both_ok(const struct diff *d)
{
	return d->s[0].rc == 0 && d->s[1].rc == 0;
}

/* ---- sending ---- */

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode a hex constant of this file; a malformed one is our bug. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi, lo;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		hi = nibble(s[0]);
		lo = hi < 0 ? -1 : nibble(s[1]);
		if (n == cap || lo < 0) {
			fprintf(stderr, "tpmdiff: bad hex constant\n");
			abort();
		}
		out[n++] = (uint8_t)(hi << 4 | lo);
		s++;
	}
	return n;
}

/* Send the same bytes (given as hex) to both sides and compare. */
static bool raw(struct diff *d, const char *name, const char *shape,
		const char *hex)
{
	uint8_t cmd[HEX_CMD_MAX];
	size_t len = unhex(hex, cmd, sizeof(cmd));
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_send_raw(&s->c, cmd, len, &s->r);
		if (s->rc == 0)
			s->rc = (int)s->r.rc;
	}
	return step(d, name, shape);
}

/* Send the same unauthorized command to both sides and compare. */
static bool cmd_step(struct diff *d, const char *name, const char *shape,
		     struct tc_cmd *cmd)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_call(&d->s[i].c, cmd, NULL, 0, &d->s[i].r);
	return step(d, name, shape);
}

static bool cap(struct diff *d, const char *name, uint32_t area,
		const void *sub, uint32_t n, const char *shape)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_get_capability(&d->s[i].c, area, sub, n,
					       &d->s[i].r);
	return step(d, name, shape);
}

static bool cap32(struct diff *d, const char *name, uint32_t area,
		  uint32_t sub, const char *shape)
{
	uint8_t b[4];

	tb_wr_be32(b, sub);
	return cap(d, name, area, b, sizeof(b), shape);
}

static bool cap16(struct diff *d, const char *name, uint32_t area,
		  uint16_t sub, const char *shape)
{
	uint8_t b[2];

	tb_wr_be16(b, sub);
	return cap(d, name, area, b, sizeof(b), shape);
}

/* What a TPM did with one command on a connection of its own. */
static void outcome(const char *ep, const uint8_t *cmd, size_t len,
		    bool half_close, char *out, size_t n)
{
	uint8_t rsp[TC_BUF_MAX];
	struct tc_conn c;
	size_t rlen;
	int err;

	err = tc_connect(&c, ep);
	if (err) {
		say(out, n, "cannot connect: %s", strerror(-err));
		return;
	}
	c.timeout_ms = FRESH_TIMEOUT_MS;
	if (send(c.fd, cmd, len, MSG_NOSIGNAL) != (ssize_t)len) {
		say(out, n, "send failed");
		goto out_close;
	}
	if (half_close)
		shutdown(c.fd, SHUT_WR);
	err = tc_transact(&c, NULL, 0, rsp, sizeof(rsp), &rlen);
	if (!err)
		say(out, n, "%zu-byte response, %s", rlen,
		    tc_rc_name(tb_be32(rsp + 6)));
	else if (err == -ECONNRESET)
		say(out, n, "connection closed without a response");
	else if (err == -ETIMEDOUT)
		say(out, n, "no response within %d ms", FRESH_TIMEOUT_MS);
	else
		say(out, n, "%s", strerror(-err));
out_close:
	tc_disconnect(&c);
}

/*
 * A framing test: a stream server cannot resynchronise after a bad
 * paramSize, so each such command gets a connection of its own and what
 * the TPM did is compared.  Allowed difference: an unusable frame may be
 * answered with TPM_BAD_PARAM_SIZE or the connection just closed; both
 * count as "refused".  Silence, or any other answer, does not.
 */
static void fresh_step(struct diff *d, const char *name, const char *hex,
		       bool half_close)
{
	static const char *const refused[] = {
		"connection closed without a response",
		"10-byte response, TPM_BAD_PARAM_SIZE",
	};
	char out[NSIDES][WHY_MAX / 2], why[WHY_MAX];
	uint8_t cmd[HEX_CMD_MAX];
	size_t len = unhex(hex, cmd, sizeof(cmd));
	int i;

	for (i = 0; i < NSIDES && !d->dead; i++) {
		struct side *s = &d->s[i];

		/* One client at a time: the main connection must go. */
		tc_disconnect(&s->c);
		outcome(s->ep, cmd, len, half_close, out[i], sizeof(out[i]));
		reconnect(d, s);
		s->rc = 0;
		s->r.len = 0;
	}
	if (d->dead)
		return;
	say(why, sizeof(why), "A: %s; B: %s", out[0], out[1]);
	for (i = 0; i < NSIDES; i++)
		if (!strcmp(out[i], refused[0]) || !strcmp(out[i], refused[1]))
			say(out[i], sizeof(out[i]), "refused");
	report(d, name, !strcmp(out[0], out[1]), why);
	if (d->verbose && !strcmp(out[0], out[1]))
		printf("#   both: %s\n", out[0]);
}

/* ---- preconditions ---- */

static void create_ek(struct diff *d, const char *name)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_create_ek(&s->c, 2048, &s->ek, &s->r);
		if (s->rc == 0)
			s->have_ek = true;
	}
	step(d, name, SH_PUB " b20~");
}

static void ensure_ek(struct diff *d)
{
	if (!d->s[0].have_ek && !d->s[1].have_ek)
		create_ek(d, "setup-create-ek");
}

static bool take_ownership(struct diff *d, const char *name)
{
	struct tc_pubkey srk[NSIDES];
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_take_ownership(&s->c, &s->ek, owner_auth, srk_auth,
					  false, &srk[i], &s->r);
	}
	ok = same(d, SH_KEY, why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++)
		if (srk[i].key_bits != 2048 || srk[i].modulus_len != 256)
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"SRK is not a 2048-bit RSA key");
	if (ok && both_ok(d))
		d->owned = true;
	report(d, name, ok, why);
	return ok;
}

static void ensure_owned(struct diff *d)
{
	uint32_t owned[NSIDES] = { 0 };
	int i;

	if (d->owned)
		return;
	ensure_ek(d);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_get_cap_u32(&d->s[i].c, TPM_CAP_PROPERTY,
					    TPM_CAP_PROP_OWNER, &owned[i],
					    &d->s[i].r);
	if (!step(d, "setup-owner-cap", "sz"))
		return;
	/* Owned already: assume by an earlier tpmdiff run, same secrets. */
	if (owned[0] && owned[1])
		d->owned = true;
	else
		take_ownership(d, "setup-take-ownership");
}

static void pp_present(struct diff *d, const char *name)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_assert_pp(&d->s[i].c, &d->s[i].r);
	step(d, name, "");
}

/* ---- scenario: startup ---- */

static void get_random(struct diff *d, const char *name, uint32_t want,
		       bool exact)
{
	uint32_t got[NSIDES] = { 0 };
	static uint8_t buf[NSIDES][TC_BUF_MAX];
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_get_random(&d->s[i].c, want, buf[i], &got[i],
					   &d->s[i].r);
	/*
	 * Part 3, 13.6: a TPM may return fewer bytes than asked for; small
	 * requests must be met in full, large ones only bounded.
	 */
	ok = same(d, exact ? "sz~" : "sz*", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		if (exact && got[i] != want)
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"%u bytes, asked for %u", got[i], want);
		else if (!exact && (got[i] == 0 || got[i] > want))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"%u bytes for a request of %u", got[i],
					want);
		else if (got[i] >= 16 && !memcmp(buf[i], d->s[i].digest, 16))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"same random bytes twice");
		if (got[i] >= 16)
			memcpy(d->s[i].digest, buf[i], 16);
	}
	report(d, name, ok, why);
}

static void scen_startup(struct diff *d)
{
	/* tpmd and swtpm both come up with Startup(CLEAR) done. */
	raw(d, "startup-clear-again", "", "00c1 0000000c 00000099 0001");
	raw(d, "startup-state-again", "", "00c1 0000000c 00000099 0002");
	raw(d, "startup-bad-type", "", "00c1 0000000c 00000099 0007");
	raw(d, "selftestfull", "", "00c1 0000000a 00000050");
	raw(d, "continueselftest", "", "00c1 0000000a 00000053");
	/* Part 3, 4.5: outData is manufacturer-specific; framing only. */
	raw(d, "gettestresult", "sz*", "00c1 0000000a 00000054");
	get_random(d, "getrandom-0", 0, true);
	get_random(d, "getrandom-20", 20, true);
	get_random(d, "getrandom-20-again", 20, true);
	get_random(d, "getrandom-128", 128, true);
	get_random(d, "getrandom-4096", 4096, false);
	raw(d, "stirrandom", "", "00c1 00000012 00000047 00000004 01020304");
}

/* ---- scenario: getcap ---- */

struct cap_case {
	const char *name;
	uint32_t area;
	uint32_t sub;
	/* 4: u32 sub-cap, 2: u16 sub-cap, 0: none. */
	uint8_t sub_size;
	const char *shape;
};

/*
 * Allowed differences (vendor choices, Part 2 section 21): manufacturer,
 * slot and session counts, timeouts and durations, NV size, buffer size,
 * startup effects, context distance, DAA interrupt, revision and vendor
 * data of VERSION_VAL, and DA thresholds: only their framing is compared.
 */
static const struct cap_case cap_cases[] = {
	{ "ord-getrandom", TPM_CAP_ORD, TPM_ORD_GetRandom, 4, "sz" },
	{ "ord-extend", TPM_CAP_ORD, TPM_ORD_Extend, 4, "sz" },
	{ "ord-takeownership", TPM_CAP_ORD, TPM_ORD_TakeOwnership, 4, "sz" },
	{ "ord-loadkey2", TPM_CAP_ORD, TPM_ORD_LoadKey2, 4, "sz" },
	{ "ord-quote2", TPM_CAP_ORD, TPM_ORD_Quote2, 4, "sz" },
	{ "ord-nv-definespace", TPM_CAP_ORD, TPM_ORD_NV_DefineSpace, 4, "sz" },
	{ "ord-daa-join", TPM_CAP_ORD, TPM_ORD_DAA_Join, 4, "sz" },
	{ "ord-tsc-pp", TPM_CAP_ORD, TPM_ORD_TSC_PhysicalPresence, 4, "sz" },
	{ "ord-unknown", TPM_CAP_ORD, 0x0000ffffU, 4, "sz" },
	{ "alg-rsa", TPM_CAP_ALG, TPM_ALG_RSA, 4, "sz" },
	{ "alg-des", TPM_CAP_ALG, TPM_ALG_DES, 4, "sz" },
	{ "alg-3des", TPM_CAP_ALG, TPM_ALG_3DES, 4, "sz" },
	{ "alg-sha", TPM_CAP_ALG, TPM_ALG_SHA, 4, "sz" },
	{ "alg-hmac", TPM_CAP_ALG, TPM_ALG_HMAC, 4, "sz" },
	{ "alg-aes128", TPM_CAP_ALG, TPM_ALG_AES128, 4, "sz" },
	{ "alg-mgf1", TPM_CAP_ALG, TPM_ALG_MGF1, 4, "sz" },
	{ "alg-aes192", TPM_CAP_ALG, TPM_ALG_AES192, 4, "sz" },
	{ "alg-aes256", TPM_CAP_ALG, TPM_ALG_AES256, 4, "sz" },
	{ "alg-xor", TPM_CAP_ALG, TPM_ALG_XOR, 4, "sz" },
	{ "pid-oiap", TPM_CAP_PID, TPM_PID_OIAP, 2, "sz" },
	{ "pid-osap", TPM_CAP_PID, TPM_PID_OSAP, 2, "sz" },
	{ "pid-adip", TPM_CAP_PID, TPM_PID_ADIP, 2, "sz" },
	{ "pid-adcp", TPM_CAP_PID, TPM_PID_ADCP, 2, "sz" },
	{ "pid-owner", TPM_CAP_PID, TPM_PID_OWNER, 2, "sz" },
	{ "pid-dsap", TPM_CAP_PID, TPM_PID_DSAP, 2, "sz" },
	{ "pid-transport", TPM_CAP_PID, TPM_PID_TRANSPORT, 2, "sz" },
	{ "flag-permanent", TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT, 4,
	  SH_PERM_FLAGS_FRESH },
	{ "flag-volatile", TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE, 4, "sz" },
	{ "prop-pcr", TPM_CAP_PROPERTY, TPM_CAP_PROP_PCR, 4, "sz" },
	{ "prop-dir", TPM_CAP_PROPERTY, TPM_CAP_PROP_DIR, 4, "sz" },
	{ "prop-manufacturer", TPM_CAP_PROPERTY, TPM_CAP_PROP_MANUFACTURER, 4,
	  "sz(b4~)" },
	{ "prop-keys", TPM_CAP_PROPERTY, TPM_CAP_PROP_KEYS, 4,
	  SH_VENDOR_U32 },
	{ "prop-min-counter", TPM_CAP_PROPERTY, TPM_CAP_PROP_MIN_COUNTER, 4,
	  SH_VENDOR_U32 },
	{ "prop-authsess", TPM_CAP_PROPERTY, TPM_CAP_PROP_AUTHSESS, 4,
	  SH_VENDOR_U32 },
	{ "prop-transess", TPM_CAP_PROPERTY, TPM_CAP_PROP_TRANSESS, 4,
	  SH_VENDOR_U32 },
	{ "prop-counters", TPM_CAP_PROPERTY, TPM_CAP_PROP_COUNTERS, 4,
	  SH_VENDOR_U32 },
	{ "prop-max-authsess", TPM_CAP_PROPERTY, TPM_CAP_PROP_MAX_AUTHSESS, 4,
	  SH_VENDOR_U32 },
	{ "prop-max-transess", TPM_CAP_PROPERTY, TPM_CAP_PROP_MAX_TRANSESS, 4,
	  SH_VENDOR_U32 },
	{ "prop-max-counters", TPM_CAP_PROPERTY, TPM_CAP_PROP_MAX_COUNTERS, 4,
	  SH_VENDOR_U32 },
	{ "prop-max-keys", TPM_CAP_PROPERTY, TPM_CAP_PROP_MAX_KEYS, 4,
	  SH_VENDOR_U32 },
	{ "prop-owner", TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER, 4, "sz" },
	{ "prop-context", TPM_CAP_PROPERTY, TPM_CAP_PROP_CONTEXT, 4,
	  SH_VENDOR_U32 },
	{ "prop-max-context", TPM_CAP_PROPERTY, TPM_CAP_PROP_MAX_CONTEXT, 4,
	  SH_VENDOR_U32 },
	{ "prop-familyrows", TPM_CAP_PROPERTY, TPM_CAP_PROP_FAMILYROWS, 4,
	  SH_VENDOR_U32 },
	{ "prop-tis-timeout", TPM_CAP_PROPERTY, TPM_CAP_PROP_TIS_TIMEOUT, 4,
	  "sz(u32~ u32~ u32~ u32~)" },
	{ "prop-startup-effect", TPM_CAP_PROPERTY,
	  TPM_CAP_PROP_STARTUP_EFFECT, 4, SH_VENDOR_U32 },
	{ "prop-delegate-row", TPM_CAP_PROPERTY, TPM_CAP_PROP_DELEGATE_ROW, 4,
	  SH_VENDOR_U32 },
	{ "prop-max-daasess", TPM_CAP_PROPERTY, TPM_CAP_PROP_MAX_DAASESS, 4,
	  SH_VENDOR_U32 },
	{ "prop-daasess", TPM_CAP_PROPERTY, TPM_CAP_PROP_DAASESS, 4,
	  SH_VENDOR_U32 },
	{ "prop-context-dist", TPM_CAP_PROPERTY, TPM_CAP_PROP_CONTEXT_DIST, 4,
	  SH_VENDOR_U32 },
	{ "prop-daa-interrupt", TPM_CAP_PROPERTY, TPM_CAP_PROP_DAA_INTERRUPT,
	  4, "sz(u8~)" },
	{ "prop-sessions", TPM_CAP_PROPERTY, TPM_CAP_PROP_SESSIONS, 4,
	  SH_VENDOR_U32 },
	{ "prop-max-sessions", TPM_CAP_PROPERTY, TPM_CAP_PROP_MAX_SESSIONS, 4,
	  SH_VENDOR_U32 },
	{ "prop-cmk-restriction", TPM_CAP_PROPERTY,
	  TPM_CAP_PROP_CMK_RESTRICTION, 4, "sz" },
	{ "prop-duration", TPM_CAP_PROPERTY, TPM_CAP_PROP_DURATION, 4,
	  "sz(u32~ u32~ u32~)" },
	{ "prop-active-counter", TPM_CAP_PROPERTY, TPM_CAP_PROP_ACTIVE_COUNTER,
	  4, "sz" },
	{ "prop-max-nv-available", TPM_CAP_PROPERTY,
	  TPM_CAP_PROP_MAX_NV_AVAILABLE, 4, SH_VENDOR_U32 },
	{ "prop-input-buffer", TPM_CAP_PROPERTY, TPM_CAP_PROP_INPUT_BUFFER, 4,
	  SH_VENDOR_U32 },
	{ "prop-unknown", TPM_CAP_PROPERTY, 0x00000999U, 4, "sz" },
	{ "version", TPM_CAP_VERSION, 0, 0, "sz" },
	/* TPM_CAP_VERSION_INFO: revision and vendor fields are the vendor's. */
	{ "version-val", TPM_CAP_VERSION_VAL, 0, 0,
	  "sz(u16 u8 u8 u8~ u8~ u16 u8 b4~ s16*)" },
	{ "key-handle", TPM_CAP_KEY_HANDLE, 0, 0, SH_HANDLES },
	{ "handle-key", TPM_CAP_HANDLE, TPM_RT_KEY, 4, SH_HANDLES },
	{ "handle-auth", TPM_CAP_HANDLE, TPM_RT_AUTH, 4, SH_HANDLES },
	{ "handle-trans", TPM_CAP_HANDLE, TPM_RT_TRANS, 4, SH_HANDLES },
	{ "handle-counter", TPM_CAP_HANDLE, TPM_RT_COUNTER, 4, SH_HANDLES },
	{ "sym-mode-ecb", TPM_CAP_SYM_MODE, TPM_SYM_MODE_ECB, 4, "sz" },
	{ "sym-mode-cbc", TPM_CAP_SYM_MODE, TPM_SYM_MODE_CBC, 4, "sz" },
	/* The list is exact: a predefined index would be a difference. */
	{ "nv-list", TPM_CAP_NV_LIST, 0, 0, "sz" },
	{ "nv-index-undefined", TPM_CAP_NV_INDEX, 0x00011234U, 4, "sz" },
	{ "trans-alg-sha", TPM_CAP_TRANS_ALG, TPM_ALG_SHA, 4, "sz" },
	{ "trans-alg-aes128", TPM_CAP_TRANS_ALG, TPM_ALG_AES128, 4, "sz" },
	{ "trans-es-none", TPM_CAP_TRANS_ES, TPM_ES_NONE, 2, "sz" },
	{ "auth-encrypt-xor", TPM_CAP_AUTH_ENCRYPT, TPM_ALG_XOR, 4, "sz" },
	{ "auth-encrypt-aes128", TPM_CAP_AUTH_ENCRYPT, TPM_ALG_AES128, 4,
	  "sz" },
	{ "da-logic-owner", TPM_CAP_DA_LOGIC, TPM_ET_OWNER, 2,
	  SH_DA_INFO },
	{ "da-logic-keyhandle", TPM_CAP_DA_LOGIC, TPM_ET_KEYHANDLE, 2,
	  SH_DA_INFO },
	{ "bad-area", 0x00000099U, 0, 4, "sz" },
};

/*
 * Ordinals tpmd does not dispatch.  Issue 3 implemented the rest of TPM
 * 1.2; what remains here are the TPM 1.1-only ordinals and TPM_Init,
 * which libtpms does not implement either, so no capability answer
 * differs any more.  The getcap step "until-issue-3-list" still fails if
 * tpmd ever dispatches a listed ordinal, keeping the list truthful.
 */
static const uint32_t until_issue_3[] = {
	TPM_ORD_CertifySelfTest,
	TPM_ORD_GetCapabilitySigned,
	TPM_ORD_GetAuditEvent, TPM_ORD_GetAuditEventSigned,
	TPM_ORD_GetOrdinalAuditStatus,
	TPM_ORD_Init,
};

#define N_UNTIL_ISSUE_3 (sizeof(until_issue_3) / sizeof(until_issue_3[0]))

static bool until_issue_3_lists(uint32_t ordinal)
{
	size_t i;

	for (i = 0; i < N_UNTIL_ISSUE_3; i++)
		if (until_issue_3[i] == ordinal)
			return true;
	return false;
}

/*
 * The ordinal a yes/no capability answer stands for (Part 2, 21.1): the
 * ordinal itself, the command that opens a DSAP or transport session, the
 * transport commands for TPM_CAP_TRANS_*; 0 for any other question.
 */
static uint32_t cap_ordinal(const struct cap_case *c)
{
	switch (c->area) {
	case TPM_CAP_ORD:
		return c->sub;
	case TPM_CAP_PID:
		if (c->sub == TPM_PID_DSAP)
			return TPM_ORD_DSAP;
		if (c->sub == TPM_PID_TRANSPORT)
			return TPM_ORD_EstablishTransport;
		return 0;
	case TPM_CAP_TRANS_ALG:
	case TPM_CAP_TRANS_ES:
		return TPM_ORD_EstablishTransport;
	default:
		return 0;
	}
}

/* A yes/no capability answer: a 1-byte resp of @side, or -1. */
static int cap_bool(const struct side *s)
{
	struct tc_rsp r = s->r;
	struct tpm_buf b;
	uint32_t n;
	uint8_t v;

	if (s->rc != TPM_SUCCESS)
		return -1;
	tc_rsp_params(&r, &b);
	if (tb_get_u32(&b, &n) || n != 1 || tb_get_u8(&b, &v) ||
	    tb_remaining(&b) || v > 1)
		return -1;
	return v;
}

static void run_cap_case(struct diff *d, const struct cap_case *c)
{
	char why[WHY_MAX] = "";
	uint32_t ord = cap_ordinal(c);
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++) {
		uint8_t sub[4];

		tb_wr_be32(sub, c->sub);
		if (c->sub_size == 2)
			tb_wr_be16(sub, (uint16_t)c->sub);
		d->s[i].rc = tc_get_capability(&d->s[i].c, c->area, sub,
					       c->sub_size, &d->s[i].r);
	}
	ok = same(d, c->shape, why, sizeof(why));
	/* Until issue 3 (see until_issue_3[]): exactly A FALSE, B TRUE. */
	if (!ok && ord && until_issue_3_lists(ord) &&
	    cap_bool(&d->s[0]) == 0 && cap_bool(&d->s[1]) == 1) {
		ok = true;
		d->allowed = "until issue 3: tpmd does not implement this "
			     "ordinal yet and answers FALSE";
	}
	report(d, c->name, ok, why);
}

/*
 * The until-issue-3 list names only ordinals tpmd still lacks.  Checked
 * only when A is tpmd (its manufacturer is TPM_VENDOR_ID): with
 * DIFF_A=swtpm the harness compares libtpms with itself.
 */
static void until_issue_3_current(struct diff *d)
{
	struct side *a = &d->s[0];
	char why[WHY_MAX] = "";
	uint8_t vendor[4];
	bool ok = true;
	uint32_t val;
	size_t i;

	a->rc = tc_get_cap_u32(&a->c, TPM_CAP_PROPERTY,
			       TPM_CAP_PROP_MANUFACTURER, &val, &a->r);
	tb_wr_be32(vendor, val);
	if (a->rc != TPM_SUCCESS || memcmp(vendor, TPM_VENDOR_ID, 4)) {
		printf("# getcap/until-issue-3-list: A is not tpmd, "
		       "not checked\n");
		return;
	}
	for (i = 0; ok && i < N_UNTIL_ISSUE_3; i++) {
		a->rc = tc_get_cap_u32(&a->c, TPM_CAP_ORD, until_issue_3[i],
				       &val, &a->r);
		if (a->rc == TPM_SUCCESS && !val)
			continue;
		ok = side_fails(why, sizeof(why), a->name,
				a->rc ? "TPM_CAP_ORD 0x%x: %s" :
				"implements ordinal 0x%x now%s: drop it from "
				"until_issue_3[]", until_issue_3[i],
				a->rc ? tc_rc_name((uint32_t)a->rc) : "");
	}
	d->s[1].rc = 0;
	d->s[1].r.len = 0;
	report(d, "until-issue-3-list", ok, why);
}

static void scen_getcap(struct diff *d)
{
	/* TPM_KEY_PARMS of RSA-2048 storage key, and of RSA-4096. */
	static const char *const parms[2] = {
		"00000001 0003 0001 0000000c 00000800 00000002 00000000",
		"00000001 0003 0001 0000000c 00001000 00000002 00000000",
	};
	uint8_t sub[32];
	size_t i, n;

	for (i = 0; i < sizeof(cap_cases) / sizeof(cap_cases[0]); i++)
		run_cap_case(d, &cap_cases[i]);
	until_issue_3_current(d);
	n = unhex(parms[0], sub, sizeof(sub));
	cap(d, "check-loaded-rsa2048", TPM_CAP_CHECK_LOADED, sub,
	    (uint32_t)n, "sz");
	/* Whether a 4096-bit key would fit is the vendor's capacity. */
	n = unhex(parms[1], sub, sizeof(sub));
	cap(d, "check-loaded-rsa4096", TPM_CAP_CHECK_LOADED, sub,
	    (uint32_t)n, "sz(u8~)");
	/* TPM_SELECT_SIZE: major, minor, reqSize. */
	n = unhex("01 02 0003", sub, sizeof(sub));
	cap(d, "select-size-3", TPM_CAP_SELECT_SIZE, sub, (uint32_t)n, "sz");
	n = unhex("01 02 0002", sub, sizeof(sub));
	cap(d, "select-size-2", TPM_CAP_SELECT_SIZE, sub, (uint32_t)n, "sz");
	n = unhex("01 01 0002", sub, sizeof(sub));
	cap(d, "select-size-11", TPM_CAP_SELECT_SIZE, sub, (uint32_t)n,
	    "sz");
	cap16(d, "prop-short-subcap", TPM_CAP_PROPERTY, 0x0101, "sz");
}

/* ---- scenario: malformed ---- */

static void scen_malformed(struct diff *d)
{
	/* Extend with only the PCR index: a parameter is missing. */
	raw(d, "short-body", "", "00c1 0000000e 00000014 00000010");
	raw(d, "short-header-only", "", "00c1 0000000a 00000046");
	/* GetRandom with 4 bytes too many, paramSize counting them. */
	raw(d, "trailing-bytes", "",
	    "00c1 00000012 00000046 00000010 00000000");
	raw(d, "bad-tag-rsp", "", "00c4 0000000e 00000046 00000010");
	raw(d, "bad-tag-junk", "", "1234 0000000e 00000046 00000010");
	raw(d, "auth-tag-on-unauth", "", "00c2 0000000e 00000046 00000010");
	/* OwnerReadPubek (unowned) with an AUTH1 tag, no room for a trailer. */
	raw(d, "auth1-short-trailer-unowned", "",
	    "00c2 00000012 0000007d 00000001 00000000");
	raw(d, "unknown-ordinal", "", "00c1 0000000a 0000ffff");
	raw(d, "unknown-tsc-ordinal", "", "00c1 0000000a 400000ff");
	raw(d, "pcrread-badindex", "", "00c1 0000000e 00000015 00000018");
	raw(d, "pcrread-hugeindex", "", "00c1 0000000e 00000015 ffffffff");
	/* PhysicalSetDeactivated with BOOL 2. */
	raw(d, "bad-bool", "", "00c1 0000000b 00000072 02");
	/* GetCapability whose subCapSize runs past the end. */
	raw(d, "getcap-subcap-overrun", "",
	    "00c1 00000016 00000065 00000005 00000010 00000101");
	/* Framing: paramSize below the header, or beyond what was sent. */
	fresh_step(d, "paramsize-below-header", "00c1 00000008 00000046",
		   false);
	fresh_step(d, "paramsize-zero", "00c1 00000000 00000046", false);
	fresh_step(d, "paramsize-beyond-eof",
		   "00c1 00000012 00000046 00000010", true);
	fresh_step(d, "paramsize-huge", "00c1 7fffffff 00000046 00000010",
		   true);
	raw(d, "still-serving", "sz~", "00c1 0000000e 00000046 00000010");
}

/* ---- scenario: pcr ---- */

static void pcr_read(struct diff *d, const char *name, uint32_t pcr)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_pcr_read(&d->s[i].c, pcr, d->s[i].digest,
					 &d->s[i].r);
	step(d, name, "b20");
}

/* Extend, and check each new value is SHA1(old || in) with OpenSSL. */
static void pcr_extend(struct diff *d, const char *name, uint32_t pcr,
		       const char *what)
{
	uint8_t in[TC_DIGEST_SIZE], old[NSIDES][TC_DIGEST_SIZE];
	uint8_t cat[2 * TC_DIGEST_SIZE], want[TC_DIGEST_SIZE];
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	tc_sha1(what, strlen(what), in);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		if (tc_pcr_read(&s->c, pcr, old[i], &s->r))
			memset(old[i], 0, TC_DIGEST_SIZE);
		s->rc = tc_extend(&s->c, pcr, in, s->digest, &s->r);
	}
	ok = same(d, "b20", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		memcpy(cat, old[i], TC_DIGEST_SIZE);
		memcpy(cat + TC_DIGEST_SIZE, in, TC_DIGEST_SIZE);
		tc_sha1(cat, sizeof(cat), want);
		if (memcmp(want, d->s[i].digest, TC_DIGEST_SIZE))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"outDigest is not SHA1(old || in)");
	}
	report(d, name, ok, why);
}

static void pcr_reset(struct diff *d, const char *name, uint32_t mask)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_pcr_reset(&d->s[i].c, mask, &d->s[i].r);
	step(d, name, "");
}

static void scen_pcr(struct diff *d)
{
	pcr_read(d, "read-0", 0);
	pcr_read(d, "read-10", 10);
	pcr_read(d, "read-16", 16);
	pcr_read(d, "read-17", 17);
	pcr_read(d, "read-23", 23);
	pcr_read(d, "read-24", 24);
	pcr_extend(d, "extend-10", 10, "tpmdiff pcr 10");
	pcr_extend(d, "extend-16", 16, "tpmdiff pcr 16");
	pcr_extend(d, "extend-23", 23, "tpmdiff pcr 23");
	pcr_extend(d, "extend-24", 24, "tpmdiff pcr 24");
	pcr_read(d, "read-16-extended", 16);
	/* PC Client: 16 and 23 are resettable from locality 0. */
	pcr_reset(d, "reset-16", 1u << 16);
	pcr_read(d, "read-16-after-reset", 16);
	pcr_reset(d, "reset-23", 1u << 23);
	pcr_read(d, "read-23-after-reset", 23);
	pcr_reset(d, "reset-10", 1u << 10);
	pcr_read(d, "read-10-after-failed-reset", 10);
	pcr_reset(d, "reset-17", 1u << 17);
	pcr_reset(d, "reset-16-and-10", 1u << 16 | 1u << 10);
	pcr_reset(d, "reset-none", 0);
	/* sizeOfSelect 4 selects PCR 24 and up, which do not exist. */
	raw(d, "reset-select-size-4", "",
	    "00c1 00000010 000000c8 0004 00000001");
	raw(d, "reset-select-size-0", "", "00c1 0000000c 000000c8 0000");
}

/* ---- scenario: sha1 ---- */

static void sha1_cmd(struct tc_cmd *cmd, uint32_t ord, int pcr,
		     const uint8_t *p, uint32_t n)
{
	tc_cmd_init(cmd, ord);
	if (pcr >= 0)
		tc_cmd_u32(cmd, (uint32_t)pcr);
	if (ord != TPM_ORD_SHA1Start)
		tc_cmd_sized(cmd, p, n);
}

/* Check hashValue (first 20 bytes of the out params) against OpenSSL. */
static void sha1_check(struct diff *d, const char *name, const char *shape,
		       struct tc_cmd *cmd, const uint8_t *msg, size_t n)
{
	uint8_t want[TC_DIGEST_SIZE];
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_call(&d->s[i].c, cmd, NULL, 0, &d->s[i].r);
	ok = same(d, shape, why, sizeof(why));
	tc_sha1(msg, n, want);
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++)
		if (memcmp(d->s[i].r.data + 10, want, TC_DIGEST_SIZE))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"hashValue is not SHA-1 of the data");
	report(d, name, ok, why);
}

static void sha1_start(struct diff *d, const char *name)
{
	char why[WHY_MAX] = "";
	struct tc_cmd cmd;
	struct tpm_buf b;
	uint32_t max;
	bool ok;
	int i;

	sha1_cmd(&cmd, TPM_ORD_SHA1Start, -1, NULL, 0);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_call(&d->s[i].c, &cmd, NULL, 0, &d->s[i].r);
	/* maxNumBytes is the vendor's, but must be a multiple of 64. */
	ok = same(d, "u32~", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		tc_rsp_params(&d->s[i].r, &b);
		tb_get_u32(&b, &max);
		if (max < 64 || max % 64)
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"maxNumBytes %u: not a multiple of 64",
					max);
	}
	report(d, name, ok, why);
}

static void scen_sha1(struct diff *d)
{
	uint8_t msg[200];
	struct tc_cmd cmd;
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	sha1_start(d, "start");
	sha1_cmd(&cmd, TPM_ORD_SHA1Update, -1, msg, 64);
	cmd_step(d, "update-64", "", &cmd);
	sha1_cmd(&cmd, TPM_ORD_SHA1Update, -1, msg + 64, 128);
	cmd_step(d, "update-128", "", &cmd);
	sha1_cmd(&cmd, TPM_ORD_SHA1Complete, -1, msg + 192, 8);
	sha1_check(d, "complete", "b20", &cmd, msg, 200);
	cmd_step(d, "complete-without-start", "b20", &cmd);
	sha1_start(d, "start-2");
	sha1_cmd(&cmd, TPM_ORD_SHA1Update, -1, msg, 63);
	cmd_step(d, "update-63", "", &cmd);
	sha1_cmd(&cmd, TPM_ORD_SHA1Complete, -1, msg, 0);
	cmd_step(d, "complete-after-bad-update", "b20", &cmd);
	sha1_start(d, "start-3");
	sha1_cmd(&cmd, TPM_ORD_SHA1Complete, -1, msg, 65);
	cmd_step(d, "complete-65", "b20", &cmd);
	sha1_start(d, "start-4");
	sha1_cmd(&cmd, TPM_ORD_SHA1CompleteExtend, 16, msg, 3);
	sha1_check(d, "completeextend-16", "b20 b20", &cmd, msg, 3);
	sha1_start(d, "start-5");
	sha1_cmd(&cmd, TPM_ORD_SHA1CompleteExtend, 24, msg, 3);
	cmd_step(d, "completeextend-badindex", "b20 b20", &cmd);
	/* Does a failed CompleteExtend end the SHA-1 thread? */
	sha1_cmd(&cmd, TPM_ORD_SHA1Update, -1, msg, 64);
	cmd_step(d, "update-after-failed-completeextend", "", &cmd);
	sha1_start(d, "start-6");
	sha1_cmd(&cmd, TPM_ORD_SHA1Complete, -1, msg, 1);
	sha1_check(d, "complete-1-byte", "b20", &cmd, msg, 1);
	sha1_cmd(&cmd, TPM_ORD_SHA1Update, -1, msg, 64);
	cmd_step(d, "update-after-complete", "", &cmd);
	pcr_reset(d, "reset-16", 1u << 16);
}

/* ---- scenario: ek ---- */

static void read_pubek(struct diff *d, const char *name)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		struct tc_pubkey pk;

		s->rc = tc_read_pubek(&s->c, &pk, &s->r);
		if (s->rc == 0) {
			s->ek = pk;
			s->have_ek = true;
		}
	}
	step(d, name, SH_PUB " b20~");
}

static void scen_ek(struct diff *d)
{
	char why[WHY_MAX] = "";
	bool ok = true;
	int i;

	if (!d->s[0].have_ek) {
		read_pubek(d, "readpubek-none");
		create_ek(d, "create");
	}
	read_pubek(d, "readpubek");
	for (i = 0; i < NSIDES; i++)
		if (!d->s[i].have_ek || d->s[i].ek.key_bits != 2048 ||
		    d->s[i].ek.modulus_len != 256 ||
		    d->s[i].ek.exponent != 65537)
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"EK is not RSA-2048 with e=65537");
	report(d, "ek-is-rsa2048", ok, why);
	/* Part 3, 27.7: a second EK is refused. */
	for (i = 0; i < NSIDES; i++) {
		struct tc_pubkey pk;

		d->s[i].rc = tc_create_ek(&d->s[i].c, 2048, &pk, &d->s[i].r);
	}
	step(d, "create-again", SH_PUB " b20~");
}

/* ---- scenario: physpres ---- */

static void pp(struct diff *d, const char *name, uint16_t bits)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_physical_presence(&d->s[i].c, bits,
						  &d->s[i].r);
	step(d, name, "");
}

static void simple(struct diff *d, const char *name, uint32_t ord)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, ord);
	cmd_step(d, name, "", &cmd);
}

static void set_deactivated(struct diff *d, const char *name, bool state)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_physical_set_deactivated(&d->s[i].c, state,
							 &d->s[i].r);
	step(d, name, "");
}

static void flags(struct diff *d, const char *suffix)
{
	bool fresh = !strcmp(suffix, "before");
	char name[64];

	snprintf(name, sizeof(name), "flags-permanent-%s", suffix);
	run_cap_case(d, &(struct cap_case){ name, TPM_CAP_FLAG,
		     TPM_CAP_FLAG_PERMANENT, 4,
		     fresh ? SH_PERM_FLAGS_FRESH : SH_PERM_FLAGS });
	snprintf(name, sizeof(name), "flags-volatile-%s", suffix);
	cap32(d, name, TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE, "sz");
}

static void scen_physpres(struct diff *d)
{
	flags(d, "before");
	simple(d, "enable-without-pp", TPM_ORD_PhysicalEnable);
	pp(d, "cmd-enable", TPM_PHYSICAL_PRESENCE_CMD_ENABLE);
	pp(d, "present-and-notpresent", TPM_PHYSICAL_PRESENCE_PRESENT |
	   TPM_PHYSICAL_PRESENCE_NOTPRESENT);
	pp(d, "present", TPM_PHYSICAL_PRESENCE_PRESENT);
	flags(d, "present");
	simple(d, "enable", TPM_ORD_PhysicalEnable);
	set_deactivated(d, "set-deactivated-false", false);
	simple(d, "disable", TPM_ORD_PhysicalDisable);
	flags(d, "disabled");
	raw(d, "getrandom-disabled", "sz~", "00c1 0000000e 00000046 00000010");
	raw(d, "pcrread-disabled", "b20", "00c1 0000000e 00000015 00000000");
	simple(d, "enable-again", TPM_ORD_PhysicalEnable);
	set_deactivated(d, "set-deactivated-true", true);
	flags(d, "deactivated");
	set_deactivated(d, "set-deactivated-false-again", false);
	pp(d, "notpresent", TPM_PHYSICAL_PRESENCE_NOTPRESENT);
	simple(d, "enable-notpresent", TPM_ORD_PhysicalEnable);
	pp(d, "present-again", TPM_PHYSICAL_PRESENCE_PRESENT);
	flags(d, "after");
}

/* ---- scenario: owner ---- */

static void get_pub_key(struct diff *d, const char *name, uint32_t key,
			const uint8_t *auth, bool per_side_key)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_get_pub_key(&s->c, per_side_key ? s->handle : key,
				       auth, &s->sign_pub, &s->r);
	}
	step(d, name, SH_PUB);
}

static void scen_owner(struct diff *d)
{
	char why[WHY_MAX] = "";
	struct tc_pubkey pk[NSIDES];
	bool ok;
	int i;

	ensure_ek(d);
	cap32(d, "cap-owner-before", TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER,
	      "sz");
	take_ownership(d, "take");
	take_ownership(d, "take-again");
	cap32(d, "cap-owner-after", TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER, "sz");
	flags(d, "owned");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_read_pubek(&d->s[i].c, &pk[i], &d->s[i].r);
	step(d, "readpubek-owned", SH_PUB " b20~");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_owner_read_pubek(&d->s[i].c, owner_auth, &pk[i],
						 &d->s[i].r);
	ok = same(d, SH_PUB, why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++)
		if (memcmp(pk[i].modulus, d->s[i].ek.modulus, 256))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"OwnerReadPubek is not ReadPubek");
	report(d, "ownerreadpubek", ok, why);
	get_pub_key(d, "getpubkey-srk", TPM_KH_SRK, srk_auth, false);
	get_pub_key(d, "getpubkey-srk-noauth", TPM_KH_SRK, NULL, false);
	get_pub_key(d, "getpubkey-ek-handle", TPM_KH_EK, srk_auth, false);
}

/* ---- scenario: auth ---- */

static void open_oiap(struct diff *d, const char *name, const uint8_t *auth)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_oiap(&d->s[i].c, &d->s[i].sess, auth,
				     &d->s[i].r);
	step(d, name, "u32~ b20~");
}

static void open_osap(struct diff *d, const char *name, uint16_t et,
		      uint32_t ev, const uint8_t *auth)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_osap(&d->s[i].c, &d->s[i].sess, et, ev, auth,
				     &d->s[i].r);
	step(d, name, "u32~ b20~ b20~");
}

static void close_sessions(struct diff *d)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		tc_session_close(&d->s[i].c, &d->s[i].sess);
}

/* OwnerReadPubek through each side's own open session. */
static void owner_read_in_session(struct diff *d, const char *name,
				  bool cont)
{
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		tc_cmd_init(&cmd, TPM_ORD_OwnerReadPubek);
		s->sess.cont = cont;
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, name, SH_PUB);
}

static void flush_session(struct diff *d, const char *name)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c,
					       d->s[i].sess.handle,
					       TPM_RT_AUTH, &d->s[i].r);
	step(d, name, "");
}

static void reset_lock(struct diff *d, const char *name)
{
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_oiap(&s->c, &s->sess, owner_auth, &s->r);
		if (s->rc)
			continue;
		tc_cmd_init(&cmd, TPM_ORD_ResetLockValue);
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, name, "");
}

static void scen_auth(struct diff *d)
{
	static const struct tc_key_template t = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1024,
	};
	struct tc_pubkey pk;
	int i;

	ensure_owned(d);
	open_oiap(d, "oiap", owner_auth);
	flush_session(d, "flush-oiap");
	flush_session(d, "flush-oiap-again");
	open_osap(d, "osap-owner", TPM_ET_OWNER, TPM_KH_OWNER, owner_auth);
	close_sessions(d);
	open_osap(d, "osap-srk", TPM_ET_SRK, TPM_KH_SRK, srk_auth);
	close_sessions(d);
	open_osap(d, "osap-bad-keyhandle", TPM_ET_KEYHANDLE, 0x0badbad0U,
		  srk_auth);
	open_osap(d, "osap-bad-entity-type", 0x0077, 0, srk_auth);
	/* One session, continueAuthSession TRUE: nonces must roll. */
	open_oiap(d, "oiap-continue", owner_auth);
	owner_read_in_session(d, "continue-1", true);
	owner_read_in_session(d, "continue-2", true);
	owner_read_in_session(d, "continue-3-last", false);
	/* The session ended with continueAuthSession FALSE. */
	for (i = 0; i < NSIDES; i++)
		d->s[i].sess.open = true;
	owner_read_in_session(d, "ended-session", false);
	/* Three failures in total in a run, below libtpms' DA threshold 5. */
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_owner_read_pubek(&d->s[i].c, wrong_auth, &pk,
						 &d->s[i].r);
	step(d, "oiap-wrong-owner-auth", SH_PUB);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_create_wrap_key(&s->c, TPM_KH_SRK, wrong_auth, &t,
					   key_auth, key_auth, s->blob[0],
					   &s->blob_len[0], &s->r);
	}
	step(d, "osap-wrong-srk-auth", SH_KEY);
	cap16(d, "da-logic-owner", TPM_CAP_DA_LOGIC, TPM_ET_OWNER,
	      SH_DA_INFO);
	reset_lock(d, "resetlockvalue");
}

/* ---- scenario: keys ---- */

static void create_key(struct diff *d, const char *name, int slot,
		       bool under_storage, const struct tc_key_template *t)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint32_t parent = under_storage ? s->storage_key : TPM_KH_SRK;
		const uint8_t *pa = under_storage ? key_auth : srk_auth;

		s->rc = tc_create_wrap_key(&s->c, parent, pa, t, key_auth,
					   key_auth, s->blob[slot],
					   &s->blob_len[slot], &s->r);
	}
	step(d, name, SH_KEY);
}

static void load_key(struct diff *d, const char *name, int slot,
		     bool under_storage)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint32_t parent = under_storage ? s->storage_key : TPM_KH_SRK;
		const uint8_t *pa = under_storage ? key_auth : srk_auth;

		s->handle = 0;
		s->rc = tc_load_key2(&s->c, parent, pa, s->blob[slot],
				     s->blob_len[slot], &s->handle, &s->r);
	}
	step(d, name, "u32~");
}

static void sign(struct diff *d, const char *name, const char *msg,
		 uint32_t len, bool verify)
{
	uint8_t digest[TC_DIGEST_SIZE + 1] = { 0 }, sig[NSIDES][256];
	uint32_t sig_len[NSIDES] = { 0 };
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	tc_sha1(msg, strlen(msg), digest);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_sign(&d->s[i].c, d->s[i].handle, key_auth,
				     digest, len, sig[i], &sig_len[i],
				     &d->s[i].r);
	ok = same(d, "sz~", why, sizeof(why));
	for (i = 0; verify && ok && both_ok(d) && i < NSIDES; i++) {
		int err = tc_rsa_verify_sha1(&d->s[i].sign_pub, digest,
					     sig[i], sig_len[i]);

		if (err)
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"signature: %s", errstr(err));
	}
	report(d, name, ok, why);
}

/* How a side signed a quote of no PCRs (see quote_none()). */
enum quote_digest { QD_NONE, QD_COMPOSITE, QD_ZERO };

/*
 * Which digestValue @s signed in its TPM_QUOTE_INFO for @nonce: SHA-1 of
 * the returned TPM_PCR_COMPOSITE (Part 3, 16.3 step 5) or twenty zero
 * bytes (libtpms for an empty selection); QD_NONE if neither verifies.
 */
static enum quote_digest quote_digest_of(const struct side *s,
					 const uint8_t nonce[TC_DIGEST_SIZE])
{
	uint8_t info[8 + 2 * TC_DIGEST_SIZE], digest[TC_DIGEST_SIZE];
	struct tc_rsp r = s->r;
	const uint8_t *comp, *sig;
	struct tpm_buf b;
	uint32_t nvals, nsig;
	uint16_t nsel;
	int k;

	tc_rsp_params(&r, &b);
	comp = b.data + b.pos;
	if (tb_get_u16(&b, &nsel) || tb_skip(&b, nsel) ||
	    tb_get_u32(&b, &nvals) || tb_skip(&b, nvals))
		return QD_NONE;
	memcpy(info, "\x01\x01\x00\x00QUOT", 8);
	memcpy(info + 8 + TC_DIGEST_SIZE, nonce, TC_DIGEST_SIZE);
	tc_sha1(comp, (size_t)(b.data + b.pos - comp), info + 8);
	if (tb_get_u32(&b, &nsig) || tb_get_ref(&b, &sig, nsig))
		return QD_NONE;
	for (k = 0; k < 2; k++) {
		if (k)
			memset(info + 8, 0, TC_DIGEST_SIZE);
		tc_sha1(info, sizeof(info), digest);
		if (!tc_rsa_verify_sha1(&s->sign_pub, digest, sig, nsig))
			return k ? QD_ZERO : QD_COMPOSITE;
	}
	return QD_NONE;
}

/*
 * Quote with an empty selection.  Both sides must return the same
 * composite and a signature that verifies under the same digestValue
 * convention, except for one allowed difference (docs/diff-allowed.md):
 * A signs SHA-1 of the composite as Part 3, 16.3 step 5 says, B (libtpms)
 * the all-zero digest.  Any other combination fails.
 */
static void quote_none(struct diff *d, const char *name,
		       const uint8_t nonce[TC_DIGEST_SIZE])
{
	enum quote_digest qd[NSIDES];
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_quote(&d->s[i].c, d->s[i].handle, key_auth,
				      nonce, 0, NULL, &d->s[i].r);
	ok = same(d, "s16 sz sz~", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		qd[i] = quote_digest_of(&d->s[i], nonce);
		if (qd[i] == QD_NONE)
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"signature verifies under no "
					"digestValue");
	}
	if (ok && both_ok(d) && qd[0] != qd[1]) {
		if (qd[0] == QD_COMPOSITE && qd[1] == QD_ZERO)
			d->allowed = "empty selection: A signs SHA-1 of the "
				     "composite (Part 3, 16.3 step 5), B zeros";
		else
			ok = side_fails(why, sizeof(why), 'A',
					"signs the all-zero digestValue, B "
					"SHA-1 of the composite");
	}
	report(d, name, ok, why);
}

static void quote(struct diff *d, const char *name, uint32_t mask)
{
	uint8_t nonce[TC_DIGEST_SIZE];
	int i;

	tc_sha1(name, strlen(name), nonce);
	if (!mask) {
		quote_none(d, name, nonce);
		return;
	}
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_quote(&d->s[i].c, d->s[i].handle, key_auth,
				      nonce, mask, &d->s[i].sign_pub,
				      &d->s[i].r);
	/* The PCR composite is equal; the signature is verified instead. */
	step(d, name, "s16 sz sz~");
}

static void flush_key(struct diff *d, const char *name)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c, d->s[i].handle,
					       TPM_RT_KEY, &d->s[i].r);
	step(d, name, "");
}

/* Keep the handle LoadKey2 just gave each side in one of its slots. */
static void keep_handle(struct diff *d, int which)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		if (which == 0)
			s->sign_key = s->handle;
		else if (which == 1)
			s->storage_key = s->handle;
		else
			s->child_key = s->handle;
	}
}

static void use_key(struct diff *d, int which)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->handle = which == 0 ? s->sign_key :
			    which == 1 ? s->storage_key : s->child_key;
	}
}

static void scen_keys_create(struct diff *d)
{
	static const struct tc_key_template sign12 = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 2048,
		.key12 = true,
	};
	static const struct tc_key_template storage = {
		.usage = TPM_KEY_STORAGE, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
		.sig_scheme = TPM_SS_NONE, .key_bits = 2048,
	};
	static const struct tc_key_template child = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1024,
		.flags = TPM_KEY_FLAG_MIGRATABLE,
	};
	static const struct tc_key_template bad_bits = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1000,
	};
	static const struct tc_key_template bad_scheme = {
		.usage = TPM_KEY_STORAGE, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_RSAESPKCSv15,
		.sig_scheme = TPM_SS_NONE, .key_bits = 2048,
	};

	create_key(d, "createwrapkey-sign-key12", 0, false, &sign12);
	create_key(d, "createwrapkey-storage", 1, false, &storage);
	create_key(d, "createwrapkey-bad-bits", 2, false, &bad_bits);
	create_key(d, "createwrapkey-storage-pkcs1", 2, false, &bad_scheme);
	load_key(d, "loadkey2-sign", 0, false);
	keep_handle(d, 0);
	load_key(d, "loadkey2-storage", 1, false);
	keep_handle(d, 1);
	create_key(d, "createwrapkey-child", 2, true, &child);
	load_key(d, "loadkey2-child", 2, true);
	keep_handle(d, 2);
}

static void tampered_load(struct diff *d, const char *name)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		size_t len = s->blob_len[0];
		/* Flip a bit in the last byte: inside encData. */
		uint8_t *last = &s->blob[0][len ? len - 1 : 0];

		*last ^= 0x01;
		s->rc = tc_load_key2(&s->c, TPM_KH_SRK, srk_auth, s->blob[0],
				     s->blob_len[0], &s->handle, &s->r);
		*last ^= 0x01;
	}
	step(d, name, "u32~");
}

static void scen_keys(struct diff *d)
{
	ensure_owned(d);
	scen_keys_create(d);
	cap(d, "cap-key-handle", TPM_CAP_KEY_HANDLE, NULL, 0, SH_HANDLES);
	cap32(d, "cap-handle-key", TPM_CAP_HANDLE, TPM_RT_KEY, SH_HANDLES);
	use_key(d, 0);
	get_pub_key(d, "getpubkey-sign", 0, key_auth, true);
	sign(d, "sign", "tpmdiff message", TC_DIGEST_SIZE, true);
	sign(d, "sign-19-bytes", "tpmdiff message", TC_DIGEST_SIZE - 1, false);
	sign(d, "sign-21-bytes", "tpmdiff message", TC_DIGEST_SIZE + 1, false);
	quote(d, "quote-0-10-16", 1u << 0 | 1u << 10 | 1u << 16);
	quote(d, "quote-none", 0);
	use_key(d, 2);
	get_pub_key(d, "getpubkey-child", 0, key_auth, true);
	sign(d, "sign-child", "tpmdiff child", TC_DIGEST_SIZE, true);
	use_key(d, 1);
	sign(d, "sign-with-storage-key", "tpmdiff", TC_DIGEST_SIZE, false);
	quote(d, "quote-with-storage-key", 1u << 0);
	tampered_load(d, "loadkey2-tampered");
	use_key(d, 2);
	flush_key(d, "flush-child");
	sign(d, "sign-flushed", "tpmdiff", TC_DIGEST_SIZE, false);
	flush_key(d, "flush-child-again");
	use_key(d, 1);
	flush_key(d, "flush-storage");
	use_key(d, 0);
	flush_key(d, "flush-sign");
	cap32(d, "cap-handle-key-after", TPM_CAP_HANDLE, TPM_RT_KEY,
	      SH_HANDLES);
}

/* ---- scenario: seal ---- */

static void seal(struct diff *d, const char *name, int slot, uint32_t mask)
{
	uint8_t vals[24][TC_DIGEST_SIZE];
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		memset(vals, 0, sizeof(vals));
		/* The current value of PCR 16, read just before. */
		memcpy(vals[16], s->digest, TC_DIGEST_SIZE);
		s->rc = tc_seal(&s->c, TPM_KH_SRK, srk_auth, data_auth, mask,
				vals, name, (uint32_t)strlen(name),
				s->blob[slot], &s->blob_len[slot], &s->r);
	}
	step(d, name, SH_STORED);
}

static void unseal(struct diff *d, const char *name, int slot,
		   const uint8_t *auth, const char *want, bool tamper)
{
	uint8_t out[NSIDES][TC_BUF_MAX];
	uint32_t len[NSIDES] = { 0 };
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		size_t len_ = s->blob_len[slot];
		uint8_t *last = &s->blob[slot][len_ ? len_ - 1 : 0];

		*last ^= tamper;
		s->rc = tc_unseal(&s->c, TPM_KH_SRK, srk_auth, auth,
				  s->blob[slot], s->blob_len[slot], out[i],
				  &len[i], &s->r);
		*last ^= tamper;
	}
	ok = same(d, "sz", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++)
		if (len[i] != strlen(want) || memcmp(out[i], want, len[i]))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"unsealed data differs from sealed");
	report(d, name, ok, why);
}

static void scen_seal(struct diff *d)
{
	ensure_owned(d);
	pcr_reset(d, "reset-16", 1u << 16);
	pcr_extend(d, "extend-16", 16, "tpmdiff seal");
	pcr_read(d, "read-16", 16);
	seal(d, "seal-pcr16", 0, 1u << 16);
	seal(d, "seal-nopcr", 1, 0);
	unseal(d, "unseal-pcr16", 0, data_auth, "seal-pcr16", false);
	unseal(d, "unseal-nopcr", 1, data_auth, "seal-nopcr", false);
	unseal(d, "unseal-wrong-data-auth", 1, wrong_auth, "", false);
	unseal(d, "unseal-tampered", 1, data_auth, "", true);
	pcr_extend(d, "extend-16-again", 16, "tpmdiff seal 2");
	unseal(d, "unseal-pcr16-after-extend", 0, data_auth, "", false);
	unseal(d, "unseal-nopcr-after-extend", 1, data_auth, "seal-nopcr",
	       false);
	pcr_reset(d, "reset-16-again", 1u << 16);
	reset_lock(d, "resetlockvalue");
}

/* ---- scenario: nv ---- */

#define NV_OWNER_IDX	0x00011001U
#define NV_AUTH_IDX	0x00011002U

static void nv_define(struct diff *d, const char *name, bool owner,
		      uint32_t idx, uint32_t perm, uint32_t size)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_nv_define(&d->s[i].c, owner ? owner_auth : NULL,
					  idx, perm, size, nv_auth,
					  &d->s[i].r);
	step(d, name, "");
}

static void nv_write(struct diff *d, const char *name, bool owner,
		     uint32_t idx, uint32_t off, const char *data)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_nv_write(&d->s[i].c, owner ? owner_auth : NULL,
					 idx, off, data,
					 (uint32_t)strlen(data), &d->s[i].r);
	step(d, name, "");
}

static void nv_read(struct diff *d, const char *name, bool owner,
		    uint32_t idx, uint32_t off, uint32_t len)
{
	uint8_t out[256];
	uint32_t got;
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_nv_read(&d->s[i].c, owner ? owner_auth : NULL,
					idx, off, len, out, &got, &d->s[i].r);
	step(d, name, "sz");
}

/* NV_WriteValueAuth / NV_ReadValueAuth with the index's own secret. */
static void nv_auth_cmd(struct diff *d, const char *name, uint32_t ord,
			const uint8_t *auth, const char *data)
{
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_oiap(&s->c, &s->sess, auth, &s->r);
		if (s->rc)
			continue;
		tc_cmd_init(&cmd, ord);
		tc_cmd_u32(&cmd, NV_AUTH_IDX);
		tc_cmd_u32(&cmd, 0);
		if (ord == TPM_ORD_NV_WriteValueAuth)
			tc_cmd_sized(&cmd, data, (uint32_t)strlen(data));
		else
			tc_cmd_u32(&cmd, (uint32_t)strlen(data));
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, name, ord == TPM_ORD_NV_WriteValueAuth ? "" : "sz");
}

static void scen_nv(struct diff *d)
{
	ensure_owned(d);
	nv_define(d, "define-owner", true, NV_OWNER_IDX,
		  TPM_NV_PER_OWNERWRITE, 16);
	nv_define(d, "define-again", true, NV_OWNER_IDX,
		  TPM_NV_PER_OWNERWRITE, 16);
	cap32(d, "cap-nv-index", TPM_CAP_NV_INDEX, NV_OWNER_IDX,
	      "sz(" SH_NV_PUBLIC ")");
	cap(d, "cap-nv-list", TPM_CAP_NV_LIST, NULL, 0, "sz");
	nv_write(d, "write-owner", true, NV_OWNER_IDX, 0, "tpmdiff!");
	nv_write(d, "write-owner-at-12", true, NV_OWNER_IDX, 12, "past");
	nv_write(d, "write-past-end", true, NV_OWNER_IDX, 12, "overflow");
	nv_read(d, "read", false, NV_OWNER_IDX, 0, 16);
	nv_read(d, "read-owner", true, NV_OWNER_IDX, 0, 8);
	nv_read(d, "read-past-end", false, NV_OWNER_IDX, 10, 10);
	nv_read(d, "read-undefined", false, 0x00011999U, 0, 4);
	nv_define(d, "define-d-bit", true, TPM_NV_INDEX_D_BIT | 0x11003U,
		  TPM_NV_PER_OWNERWRITE, 8);
	nv_define(d, "define-index0", true, TPM_NV_INDEX0, 0, 8);
	nv_define(d, "define-too-big", true, 0x00011004U,
		  TPM_NV_PER_OWNERWRITE, 0x00100000U);
	nv_define(d, "define-bad-perm", true, 0x00011005U,
		  TPM_NV_PER_OWNERWRITE | TPM_NV_PER_AUTHWRITE, 8);
	nv_define(d, "define-authrw", true, NV_AUTH_IDX,
		  TPM_NV_PER_AUTHREAD | TPM_NV_PER_AUTHWRITE, 32);
	nv_auth_cmd(d, "writevalueauth", TPM_ORD_NV_WriteValueAuth, nv_auth,
		    "auth data");
	nv_auth_cmd(d, "readvalueauth", TPM_ORD_NV_ReadValueAuth, nv_auth,
		    "auth data");
	nv_read(d, "read-authread-without-auth", false, NV_AUTH_IDX, 0, 4);
	cap32(d, "prop-max-nv-available", TPM_CAP_PROPERTY,
	      TPM_CAP_PROP_MAX_NV_AVAILABLE, SH_VENDOR_U32);
	nv_define(d, "release-authrw", true, NV_AUTH_IDX, 0, 0);
	nv_define(d, "release-authrw-again", true, NV_AUTH_IDX, 0, 0);
	nv_read(d, "read-released", false, NV_AUTH_IDX, 0, 4);
	/* nvLocked: from here on NV permissions are enforced. */
	nv_define(d, "define-lock", false, TPM_NV_INDEX_LOCK, 0, 0);
	nv_write(d, "write-noauth-locked", false, NV_OWNER_IDX, 0, "x");
	nv_define(d, "define-noauth-locked", false, 0x00011006U, 0, 8);
	cap32(d, "flags-permanent-locked", TPM_CAP_FLAG,
	      TPM_CAP_FLAG_PERMANENT, SH_PERM_FLAGS);
}

/* ---- scenario: counter ---- */

static void counter_value_step(struct diff *d, const char *name, int which,
			       int op)
{
	uint32_t value;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint32_t id = which < 0 ? 0xdeadU : s->ctr[which];

		if (op == 0)
			s->rc = tc_read_counter(&s->c, id, &value, &s->r);
		else if (op == 1)
			s->rc = tc_increment_counter(&s->c, id, ctr_auth,
						     &value, &s->r);
		else
			s->rc = tc_release_counter(&s->c, id, ctr_auth, &s->r);
	}
	step(d, name, op == 2 ? "" : SH_COUNTER);
}

static void scen_counter(struct diff *d)
{
	struct tc_cmd cmd;
	uint32_t value;
	int i, k;

	ensure_owned(d);
	cap32(d, "prop-active-counter-before", TPM_CAP_PROPERTY,
	      TPM_CAP_PROP_ACTIVE_COUNTER, "sz");
	for (k = 0; k < 2; k++) {
		for (i = 0; i < NSIDES; i++)
			d->s[i].rc = tc_create_counter(&d->s[i].c, owner_auth,
						       ctr_auth, "TDIF",
						       &d->s[i].ctr[k], &value,
						       &d->s[i].r);
		/* countID is the TPM's handle; the value is equal. */
		step(d, k ? "create-2" : "create-1", "u32~ " SH_COUNTER);
	}
	counter_value_step(d, "increment-1", 0, 1);
	counter_value_step(d, "increment-1-again", 0, 1);
	counter_value_step(d, "increment-2-not-active", 1, 1);
	counter_value_step(d, "read-1", 0, 0);
	counter_value_step(d, "read-2", 1, 0);
	counter_value_step(d, "read-bad-id", -1, 0);
	cap32(d, "prop-active-counter", TPM_CAP_PROPERTY,
	      TPM_CAP_PROP_ACTIVE_COUNTER, SH_VENDOR_U32);
	cap32(d, "handle-counter", TPM_CAP_HANDLE, TPM_RT_COUNTER, SH_HANDLES);
	counter_value_step(d, "release-1", 0, 2);
	counter_value_step(d, "read-released", 0, 0);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		tc_cmd_init(&cmd, TPM_ORD_ReleaseCounterOwner);
		tc_cmd_u32(&cmd, s->ctr[1]);
		s->rc = tc_oiap(&s->c, &s->sess, owner_auth, &s->r);
		if (s->rc == 0)
			s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, "releasecounterowner-2", "");
	counter_value_step(d, "release-2-again", 1, 2);
}

/* ---- scenario: ticks ---- */

static void ticks(struct diff *d, const char *name, bool check)
{
	char why[WHY_MAX] = "";
	uint64_t t[NSIDES] = { 0 };
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_get_ticks(&d->s[i].c, &t[i], &d->s[i].r);
	/* TPM_CURRENT_TICKS: tickRate is the vendor's. */
	ok = same(d, "u16 u64~ u16~ b20~", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		struct side *s = &d->s[i];
		/* tag(2) currentTicks(8) tickRate(2), then tickNonce */
		const uint8_t *nonce = s->r.data + 10 + 12;

		if (check && t[i] < s->ticks)
			ok = side_fails(why, sizeof(why), s->name,
					"currentTicks went backwards");
		else if (check && memcmp(nonce, s->tick_nonce, TC_DIGEST_SIZE))
			ok = side_fails(why, sizeof(why), s->name,
					"tickNonce changed within a session");
		s->ticks = t[i];
		memcpy(s->tick_nonce, nonce, TC_DIGEST_SIZE);
	}
	report(d, name, ok, why);
}

static void scen_ticks(struct diff *d)
{
	ticks(d, "getticks", false);
	ticks(d, "getticks-again", true);
}

/* ---- scenario: clear ---- */

static void scen_clear(struct diff *d)
{
	int i;

	ensure_owned(d);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_owner_clear(&d->s[i].c, owner_auth,
					    &d->s[i].r);
	step(d, "ownerclear", "");
	if (both_ok(d))
		d->owned = false;
	cap32(d, "cap-owner", TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER, "sz");
	flags(d, "cleared");
	nv_read(d, "nv-read-after-clear", false, NV_OWNER_IDX, 0, 4);
	raw(d, "getrandom-after-clear", "sz~",
	    "00c1 0000000e 00000046 00000010");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_owner_clear(&d->s[i].c, owner_auth,
					    &d->s[i].r);
	step(d, "ownerclear-again", "");
	/* libtpms leaves the TPM disabled after a clear: enable it again. */
	pp_present(d, "pp-present");
	simple(d, "enable", TPM_ORD_PhysicalEnable);
	set_deactivated(d, "set-deactivated-false", false);
	simple(d, "forceclear", TPM_ORD_ForceClear);
	simple(d, "enable-after-forceclear", TPM_ORD_PhysicalEnable);
	raw(d, "getrandom-after-enable", "sz~",
	    "00c1 0000000e 00000046 00000010");
	flags(d, "after");
}

/* ---- driver ---- */

/* ---- scenario: delegation ---- */

/* TPM_DELEGATE_PUBLIC; the family ID is each TPM's own. */
#define SH_DEL_PUBLIC	"u16 u8 " SH_PCR_SHORT " u16 u32 u32 u32 u32~ u32"
/* TPM_DELEGATE_OWNER_BLOB / _KEY_BLOB: integrity, the TPM's own
 * additional and encrypted sensitive areas. */
#define SH_OWNER_BLOB	"sz(u16 " SH_DEL_PUBLIC " b20~ sz* sz*)"
#define SH_KEY_BLOB	"sz(u16 " SH_DEL_PUBLIC " b20~ b20~ sz* sz*)"
#define DEL_OWNER_BITS	1U
#define DEL_KEY_BITS	2U
/* Part 2, 20.2 per1 bits. */
#define DEL_BIT_OWNER_READ_INTERNAL_PUB	(1U << 18)
#define DEL_BIT_KEY_SIGN		(1U << 14)
/* Part 2, 20.9 TPM_FAMILY_OPERATION */
#define FAM_CREATE	1U
#define FAM_ENABLE	2U
#define FAM_INVALIDATE	4U

static const uint8_t del_auth_value[TC_DIGEST_SIZE] = "tpmdiff delegation!";

static void del_public(struct tc_cmd *cmd, uint32_t type, uint32_t per1,
		       uint32_t family)
{
	static const uint8_t zero[TC_DIGEST_SIZE];

	tc_cmd_u16(cmd, TPM_TAG_DELEGATE_PUBLIC);
	tc_cmd_u8(cmd, 1);
	tc_cmd_u16(cmd, 3);
	tc_cmd_bytes(cmd, zero, 3);
	tc_cmd_u8(cmd, 0x1F);
	tc_cmd_bytes(cmd, zero, TC_DIGEST_SIZE);
	tc_cmd_u16(cmd, TPM_TAG_DELEGATIONS);
	tc_cmd_u32(cmd, type);
	tc_cmd_u32(cmd, per1);
	tc_cmd_u32(cmd, 0);
	tc_cmd_u32(cmd, family);
	tc_cmd_u32(cmd, 0);
}

/* Copy a u32-sized blob of the response to @slot. */
static void del_keep_blob(struct side *s, int slot)
{
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;

	tc_rsp_params(&s->r, &b);
	if (!tb_get_sized(&b, &p, &n, TC_BUF_MAX)) {
		memcpy(s->blob[slot], p, n);
		s->blob_len[slot] = n;
	}
}

/* Delegate_Manage of each side's family (s->u32) with owner OIAP. */
static void del_manage_send(struct diff *d, uint32_t op, uint8_t data)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_oiap(&s->c, &s->sess, owner_auth, &s->r);
		if (s->rc)
			continue;
		tc_cmd_init(&cmd, TPM_ORD_Delegate_Manage);
		tc_cmd_u32(&cmd, s->u32);
		tc_cmd_u32(&cmd, op);
		tc_cmd_sized(&cmd, &data, 1);
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
		tc_rsp_params(&s->r, &b);
		if (s->rc == 0 && op == FAM_CREATE && tb_skip(&b, 4) == 0 &&
		    tb_get_u32(&b, &s->u32))
			s->u32 = 0;
	}
}

static void del_manage(struct diff *d, const char *name, uint32_t op,
		       uint8_t data, const char *shape)
{
	del_manage_send(d, op, data);
	step(d, name, shape);
}

/*
 * TPM_FAMILY_ENABLE with opData 2: Part 3, 19.1 step 8.a has the TPM
 * check that opData is a Boolean; libtpms takes any non-zero byte as TRUE
 * (docs/diff-allowed.md, delegation/manage-bad-bool).
 */
static void del_manage_bad_bool(struct diff *d)
{
	char why[WHY_MAX] = "";
	bool ok;

	del_manage_send(d, FAM_ENABLE, 2);
	ok = same(d, "", why, sizeof(why));
	if (!ok && d->s[0].rc == (int)TPM_BAD_PARAMETER && d->s[1].rc == 0) {
		ok = true;
		d->allowed = "Part 3, 19.1 step 8.a: opData must be a Boolean";
	}
	report(d, "manage-bad-bool", ok, why);
}

static void del_read_table(struct diff *d, const char *name,
			   const char *shape)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_Delegate_ReadTable);
	cmd_step(d, name, shape, &cmd);
}

/* CreateOwnerDelegation (owner OSAP) into blob[@slot]. */
static void del_create_owner(struct diff *d, const char *name,
			     bool increment, uint32_t type, int slot)
{
	uint8_t enc[TC_DIGEST_SIZE];
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_osap(&s->c, &s->sess, TPM_ET_OWNER, TPM_KH_OWNER,
				owner_auth, &s->r);
		if (s->rc)
			continue;
		tc_adip_encrypt(&s->sess, false, del_auth_value, enc);
		tc_cmd_init(&cmd, TPM_ORD_Delegate_CreateOwnerDelegation);
		tc_cmd_u8(&cmd, increment);
		del_public(&cmd, type, DEL_BIT_OWNER_READ_INTERNAL_PUB, s->u32);
		tc_cmd_bytes(&cmd, enc, sizeof(enc));
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
		if (s->rc == 0)
			del_keep_blob(s, slot);
	}
	step(d, name, type == DEL_OWNER_BITS ? SH_OWNER_BLOB : "");
}

/* VerifyDelegation of blob[@slot], optionally with its last byte
 * flipped. */
static void del_verify(struct diff *d, const char *name, int slot,
		       bool tamper)
{
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint8_t *last = &s->blob[slot][s->blob_len[slot] - 1];

		*last ^= tamper;
		tc_cmd_init(&cmd, TPM_ORD_Delegate_VerifyDelegation);
		tc_cmd_sized(&cmd, s->blob[slot], (uint32_t)s->blob_len[slot]);
		s->rc = tc_call(&s->c, &cmd, NULL, 0, &s->r);
		*last ^= tamper;
	}
	step(d, name, "");
}

/* DSAP on blob[@slot] (@et owner/key blob) or on row 0 (TPM_ET_DEL_ROW). */
static void del_dsap(struct diff *d, const char *name, uint16_t et,
		     int slot, const uint8_t *auth)
{
	static const uint8_t row0[4];
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		if (et == TPM_ET_DEL_ROW)
			s->rc = tc_dsap(&s->c, &s->sess, et, 0, row0, 4, auth,
					&s->r);
		else
			s->rc = tc_dsap(&s->c, &s->sess, et, s->sign_key,
					s->blob[slot],
					(uint32_t)s->blob_len[slot], auth,
					&s->r);
	}
	step(d, name, "u32~ b20~ b20~");
}

/* OwnerReadInternalPub(SRK) / OwnerReadPubek in each side's session. */
static void del_owner_cmd(struct diff *d, const char *name, uint32_t ord)
{
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		tc_cmd_init(&cmd, ord);
		if (ord == TPM_ORD_OwnerReadInternalPub)
			tc_cmd_u32(&cmd, TPM_KH_SRK);
		s->sess.cont = true;
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, name, SH_PUB);
}

static void del_load_row(struct diff *d, const char *name, int slot)
{
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_oiap(&s->c, &s->sess, owner_auth, &s->r);
		if (s->rc)
			continue;
		tc_cmd_init(&cmd, TPM_ORD_Delegate_LoadOwnerDelegation);
		tc_cmd_u32(&cmd, 0);
		tc_cmd_sized(&cmd, s->blob[slot], (uint32_t)s->blob_len[slot]);
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, name, "");
}

static void del_update(struct diff *d, const char *name, int slot)
{
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_oiap(&s->c, &s->sess, owner_auth, &s->r);
		if (s->rc)
			continue;
		tc_cmd_init(&cmd, TPM_ORD_Delegate_UpdateVerification);
		tc_cmd_sized(&cmd, s->blob[slot], (uint32_t)s->blob_len[slot]);
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
		if (s->rc == 0)
			del_keep_blob(s, slot);
	}
	step(d, name, SH_OWNER_BLOB);
}

static void del_owner_pointer(struct diff *d, const char *name, uint16_t et,
			      uint32_t ev)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_SetOwnerPointer);
	tc_cmd_u16(&cmd, et);
	tc_cmd_u32(&cmd, ev);
	cmd_step(d, name, "", &cmd);
}

/* A signing key and a key delegation for Sign, used through DSAP. */
static void scen_delegation_key(struct diff *d)
{
	static const struct tc_key_template sign12 = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 2048,
		.key12 = true,
	};
	static const uint8_t digest[TC_DIGEST_SIZE] = "tpmdiff delegated!!";
	uint8_t enc[TC_DIGEST_SIZE];
	struct tc_cmd cmd;
	int i;

	create_key(d, "key-create", 2, false, &sign12);
	load_key(d, "key-load", 2, false);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->sign_key = s->handle;
		s->rc = tc_osap(&s->c, &s->sess, TPM_ET_KEYHANDLE, s->sign_key,
				key_auth, &s->r);
		if (s->rc)
			continue;
		tc_adip_encrypt(&s->sess, false, del_auth_value, enc);
		tc_cmd_init(&cmd, TPM_ORD_Delegate_CreateKeyDelegation);
		tc_cmd_handle(&cmd, s->sign_key);
		del_public(&cmd, DEL_KEY_BITS, DEL_BIT_KEY_SIGN, s->u32);
		tc_cmd_bytes(&cmd, enc, sizeof(enc));
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
		if (s->rc == 0)
			del_keep_blob(s, 2);
	}
	step(d, "create-key-delegation", SH_KEY_BLOB);
	del_verify(d, "verify-key-blob", 2, false);
	del_dsap(d, "dsap-key-blob", TPM_ET_DEL_KEY_BLOB, 2, del_auth_value);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		tc_cmd_init(&cmd, TPM_ORD_Sign);
		tc_cmd_handle(&cmd, s->sign_key);
		tc_cmd_sized(&cmd, digest, sizeof(digest));
		s->sess.cont = true;
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, "sign-delegated", "sz~");
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		tc_cmd_init(&cmd, TPM_ORD_GetPubKey);
		tc_cmd_handle(&cmd, s->sign_key);
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, "getpubkey-not-delegated", SH_PUB);
	close_sessions(d);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c, d->s[i].sign_key,
					       TPM_RT_KEY, &d->s[i].r);
	step(d, "key-flush", "");
}

static void scen_delegation(struct diff *d)
{
	ensure_owned(d);
	del_read_table(d, "readtable-empty", "sz sz");
	del_manage(d, "manage-create", FAM_CREATE, 1, "sz(u32~)");
	del_read_table(d, "readtable-family", "sz(u16 u8 u32~ u32 u32) sz");
	del_manage_bad_bool(d);
	del_manage(d, "manage-disable", FAM_ENABLE, 0, "sz");
	del_create_owner(d, "create-owner-disabled-family", false,
			 DEL_OWNER_BITS, 0);
	del_verify(d, "verify-disabled-family", 0, false);
	del_manage(d, "manage-enable", FAM_ENABLE, 1, "sz");
	del_create_owner(d, "create-owner-key-bits", false, DEL_KEY_BITS, 0);
	del_create_owner(d, "create-owner", false, DEL_OWNER_BITS, 0);
	del_verify(d, "verify", 0, false);
	del_verify(d, "verify-tampered", 0, true);
	del_dsap(d, "dsap-owner-blob", TPM_ET_DEL_OWNER_BLOB, 0,
		 del_auth_value);
	del_owner_cmd(d, "readinternalpub-delegated",
		      TPM_ORD_OwnerReadInternalPub);
	del_owner_cmd(d, "readpubek-not-delegated", TPM_ORD_OwnerReadPubek);
	del_dsap(d, "dsap-owner-blob-wrong-auth", TPM_ET_DEL_OWNER_BLOB, 0,
		 wrong_auth);
	del_owner_cmd(d, "readinternalpub-wrong-auth",
		      TPM_ORD_OwnerReadInternalPub);
	close_sessions(d);
	del_load_row(d, "load-owner-delegation", 0);
	del_read_table(d, "readtable-row",
		       "sz(u16 u8 u32~ u32 u32) sz(u32 " SH_DEL_PUBLIC ")");
	del_dsap(d, "dsap-row", TPM_ET_DEL_ROW, 0, del_auth_value);
	del_owner_cmd(d, "readinternalpub-row", TPM_ORD_OwnerReadInternalPub);
	close_sessions(d);
	del_owner_pointer(d, "set-owner-pointer-row", TPM_ET_DEL_ROW, 0);
	del_owner_pointer(d, "set-owner-pointer-empty-row", TPM_ET_DEL_ROW, 5);
	del_owner_pointer(d, "set-owner-pointer-bad-type", TPM_ET_KEYHANDLE,
			  0);
	del_owner_pointer(d, "set-owner-pointer-owner", TPM_ET_OWNER, 0);
	del_create_owner(d, "create-owner-increment", true, DEL_OWNER_BITS, 1);
	del_verify(d, "verify-old-count", 0, false);
	del_verify(d, "verify-new-count", 1, false);
	del_dsap(d, "dsap-old-count", TPM_ET_DEL_OWNER_BLOB, 0,
		 del_auth_value);
	del_update(d, "update-verification", 0);
	del_verify(d, "verify-updated", 0, false);
	scen_delegation_key(d);
	del_manage(d, "manage-invalidate", FAM_INVALIDATE, 0, "sz");
	del_verify(d, "verify-invalidated-family", 1, false);
	del_read_table(d, "readtable-after-invalidate",
		       "sz sz(u32 " SH_DEL_PUBLIC ")");
}

/* ---- issue 3 anchor: delegation scenarios go above this line ---- */

/* ---- scenario: transport ---- */

static const uint8_t trans_secret[TC_DIGEST_SIZE] = "tpmdiff transport!!";

/* Per-side objects of the transport scenario. */
struct trans_side {
	uint32_t storage, sign;
	struct tc_pubkey storage_pub, sign_pub;
	struct tc_transport t;
	uint8_t wr[TC_BUF_MAX];
	size_t wr_len;
};

static struct trans_side trans[NSIDES];

/* TPM_CURRENT_TICKS: tag equal; ticks, rate and nonce the TPM's. */
#define SH_TICKS	"u16 u64~ u16~ b20~"

/* EstablishTransport on both sides; @key: under the storage key. */
static void trans_establish(struct diff *d, const char *name, bool key,
			    uint32_t attrs, uint32_t alg, uint16_t es)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		struct trans_side *x = &trans[i];

		s->rc = tc_establish_transport(&s->c, &x->t, x->storage,
					       key ? &x->storage_pub : NULL,
					       key_auth, attrs, alg, es,
					       trans_secret, &s->r);
	}
	step(d, name, "u32~ u32 " SH_TICKS " b20~");
}

/*
 * ExecuteTransport of @w on both sides: the outer answers are compared
 * under "@name", the decrypted wrapped answers under "@name-wrapped"
 * with @shape.  @key_handle: the wrapped command names the sign key.
 */
static void trans_exec(struct diff *d, const char *name, uint8_t *w,
		       size_t wlen, bool key_handle, unsigned int out_handles,
		       const char *shape)
{
	char inner[WHY_MAX];
	uint8_t pkh[TC_DIGEST_SIZE];
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		struct trans_side *x = &trans[i];

		if (key_handle) {
			tb_wr_be32(w + 10, x->sign);
			tc_transport_pubkey_hash(&x->sign_pub, pkh);
		}
		s->rc = tc_execute_transport(&s->c, &x->t, w, wlen,
					     key_handle ? 1 : 0, out_handles,
					     key_handle ? pkh : NULL, x->wr,
					     &x->wr_len, &s->r);
	}
	if (!step(d, name, "u64~ u32 sz~") || !both_ok(d))
		return;
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		struct trans_side *x = &trans[i];

		memcpy(s->r.data, x->wr, x->wr_len);
		s->r.len = s->r.params_end = x->wr_len;
		s->r.tag = tb_be16(x->wr);
		s->r.rc = tb_be32(x->wr + 6);
		s->r.nauth = 0;
		s->rc = (int)s->r.rc;
	}
	snprintf(inner, sizeof(inner), "%s-wrapped", name);
	step(d, inner, shape);
}

/* A wrapped command with parameters @p (u32 values) and no auth. */
static size_t trans_cmd(uint8_t *w, uint32_t ord, const uint32_t *p,
			size_t n)
{
	struct tpm_buf b;
	size_t i;

	tb_init_write(&b, w, TC_BUF_MAX);
	tb_put_u16(&b, TPM_TAG_RQU_COMMAND);
	tb_put_u32(&b, 0);
	tb_put_u32(&b, ord);
	for (i = 0; i < n; i++)
		tb_put_u32(&b, p[i]);
	tb_patch_u32(&b, 2, (uint32_t)b.len);
	return b.len;
}

/* Extend(16, digest) then PcrRead(16) inside the current sessions. */
static void trans_extend_read(struct diff *d, const char *prefix)
{
	static const uint32_t ext[6] = { 16, 0x01020304, 0x05060708,
					 0x090a0b0c, 0x0d0e0f10, 0x11121314 };
	static const uint32_t rd[1] = { 16 };
	uint8_t w[TC_BUF_MAX];
	char name[64];
	size_t n;

	n = trans_cmd(w, TPM_ORD_Extend, ext, 6);
	snprintf(name, sizeof(name), "%s-extend", prefix);
	trans_exec(d, name, w, n, false, 0, "b20");
	n = trans_cmd(w, TPM_ORD_PcrRead, rd, 1);
	snprintf(name, sizeof(name), "%s-pcrread", prefix);
	trans_exec(d, name, w, n, false, 0, "b20");
}

static void trans_release(struct diff *d, const char *name, bool key)
{
	static const uint8_t anti[TC_DIGEST_SIZE] = "tpmdiff anti-replay";
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		struct trans_side *x = &trans[i];

		s->rc = tc_release_transport_signed(&s->c, &x->t,
						    key ? x->sign : x->storage,
						    key_auth, &x->sign_pub,
						    anti, &s->r);
	}
	step(d, name, "u32 " SH_TICKS " sz~");
}

/* The storage and signing keys of the scenario (blob slot 2 only). */
static void trans_keys(struct diff *d)
{
	static const struct tc_key_template storage = {
		.usage = TPM_KEY_STORAGE, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
		.sig_scheme = TPM_SS_NONE, .key_bits = 2048,
	};
	static const struct tc_key_template sign = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 2048,
	};
	int i;

	create_key(d, "setup-create-storage", 2, false, &storage);
	load_key(d, "setup-load-storage", 2, false);
	for (i = 0; i < NSIDES; i++) {
		trans[i].storage = d->s[i].handle;
		d->s[i].rc = tc_get_pub_key(&d->s[i].c, d->s[i].handle,
					    key_auth, &trans[i].storage_pub,
					    &d->s[i].r);
	}
	step(d, "setup-pub-storage", SH_PUB);
	create_key(d, "setup-create-sign", 2, false, &sign);
	load_key(d, "setup-load-sign", 2, false);
	for (i = 0; i < NSIDES; i++) {
		trans[i].sign = d->s[i].handle;
		d->s[i].rc = tc_get_pub_key(&d->s[i].c, d->s[i].handle,
					    key_auth, &trans[i].sign_pub,
					    &d->s[i].r);
	}
	step(d, "setup-pub-sign", SH_PUB);
}

static void trans_flush_keys(struct diff *d)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c, trans[i].storage,
					       TPM_RT_KEY, &d->s[i].r);
	step(d, "flush-storage-key", "");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c, trans[i].sign,
					       TPM_RT_KEY, &d->s[i].r);
	step(d, "flush-sign-key", "");
}

static void scen_transport_caps(struct diff *d)
{
	cap32(d, "cap-trans-alg-mgf1", TPM_CAP_TRANS_ALG, TPM_ALG_MGF1, "sz");
	cap32(d, "cap-trans-alg-aes128", TPM_CAP_TRANS_ALG, TPM_ALG_AES128,
	      "sz");
	cap32(d, "cap-trans-alg-aes256", TPM_CAP_TRANS_ALG, TPM_ALG_AES256,
	      "sz");
	cap32(d, "cap-trans-alg-rsa", TPM_CAP_TRANS_ALG, TPM_ALG_RSA, "sz");
	cap16(d, "cap-trans-es-none", TPM_CAP_TRANS_ES, TPM_ES_NONE, "sz");
	cap16(d, "cap-trans-es-ctr", TPM_CAP_TRANS_ES, TPM_ES_SYM_CNT, "sz");
	cap16(d, "cap-trans-es-ofb", TPM_CAP_TRANS_ES, TPM_ES_SYM_OFB, "sz");
	cap16(d, "cap-trans-es-cbc", TPM_CAP_TRANS_ES,
	      TPM_ES_SYM_CBC_PKCS5PAD, "sz");
	cap16(d, "cap-pid-transport", TPM_CAP_PID, TPM_PID_TRANSPORT, "sz");
}

static void scen_transport(struct diff *d)
{
	static const uint32_t rnd[1] = { 8 }, bad_pcr[1] = { 99 };
	uint8_t w[TC_BUF_MAX];
	size_t n;
	int i;

	scen_transport_caps(d);
	ensure_owned(d);
	trans_keys(d);
	/* In clear: wrapped success, wrapped failure, nesting refused. */
	trans_establish(d, "establish-clear", false, 0, 0, 0);
	n = trans_cmd(w, TPM_ORD_GetRandom, rnd, 1);
	trans_exec(d, "exec-getrandom", w, n, false, 0, "sz~");
	n = trans_cmd(w, TPM_ORD_PcrRead, bad_pcr, 1);
	trans_exec(d, "exec-pcrread-badindex", w, n, false, 0, "");
	trans_extend_read(d, "clear");
	n = trans_cmd(w, TPM_ORD_ExecuteTransport, rnd, 1);
	trans_exec(d, "exec-nested", w, n, false, 0, "");
	n = trans_cmd(w, TPM_ORD_GetRandom, rnd, 1);
	trans_exec(d, "exec-after-nested", w, n, false, 0, "sz~");
	/* Encrypted sessions under the storage key. */
	trans_establish(d, "establish-mgf1-log", true,
			TC_TRANSPORT_ENCRYPT | TC_TRANSPORT_LOG, TPM_ALG_MGF1,
			TPM_ES_NONE);
	trans_extend_read(d, "mgf1");
	n = trans_cmd(w, TPM_ORD_GetPubKey, rnd, 1);
	/* GetPubKey of the sign key without auth: TPM_AUTHFAIL inside,
	 * and the key handle in the log. */
	trans_exec(d, "exec-getpubkey-noauth", w, n, true, 0, "");
	trans_release(d, "release-signed", true);
	trans_establish(d, "establish-aes-ctr", true, TC_TRANSPORT_ENCRYPT,
			TPM_ALG_AES128, TPM_ES_SYM_CNT);
	trans_extend_read(d, "aes-ctr");
	trans_release(d, "release-no-log", true);
	trans_establish(d, "establish-aes-ofb-log", true,
			TC_TRANSPORT_ENCRYPT | TC_TRANSPORT_LOG,
			TPM_ALG_AES128, TPM_ES_SYM_OFB);
	trans_extend_read(d, "aes-ofb");
	trans_release(d, "release-storage-key", false);
	/* Exclusive: any other command ends the session. */
	trans_establish(d, "establish-exclusive", false,
			TC_TRANSPORT_EXCLUSIVE, 0, 0);
	n = trans_cmd(w, TPM_ORD_GetRandom, rnd, 1);
	trans_exec(d, "exclusive-exec", w, n, false, 0, "sz~");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_send_raw(&d->s[i].c, w, n, &d->s[i].r) ?:
			     (int)d->s[i].r.rc;
	step(d, "exclusive-outside-command", "sz~");
	trans_exec(d, "exclusive-exec-after", w, n, false, 0, "sz~");
	/* EstablishTransport's refusals. */
	trans_establish(d, "establish-clear-encrypt", false,
			TC_TRANSPORT_ENCRYPT, TPM_ALG_MGF1, TPM_ES_NONE);
	trans_establish(d, "establish-aes-cbc", true, TC_TRANSPORT_ENCRYPT,
			TPM_ALG_AES128, TPM_ES_SYM_CBC_PKCS5PAD);
	trans_establish(d, "establish-alg-rsa", true, TC_TRANSPORT_ENCRYPT,
			TPM_ALG_RSA, TPM_ES_NONE);
	for (i = 0; i < NSIDES; i++) {
		trans[i].storage ^= trans[i].sign;
		trans[i].sign ^= trans[i].storage;
		trans[i].storage ^= trans[i].sign;
	}
	trans_establish(d, "establish-sign-key", true, 0, 0, 0);
	for (i = 0; i < NSIDES; i++) {
		trans[i].storage ^= trans[i].sign;
		trans[i].sign ^= trans[i].storage;
		trans[i].storage ^= trans[i].sign;
	}
	/* FlushSpecific ends a transport session. */
	trans_establish(d, "establish-to-flush", false, 0, 0, 0);
	cap32(d, "cap-handle-trans", TPM_CAP_HANDLE, TPM_RT_TRANS,
	      SH_HANDLES);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c, trans[i].t.handle,
					       TPM_RT_TRANS, &d->s[i].r);
	step(d, "flush-transport", "");
	n = trans_cmd(w, TPM_ORD_GetRandom, rnd, 1);
	trans_exec(d, "exec-after-flush", w, n, false, 0, "sz~");
	/* A wrong transport HMAC fails and ends the session. */
	trans_establish(d, "establish-for-bad-auth", false, 0, 0, 0);
	for (i = 0; i < NSIDES; i++)
		trans[i].t.key[0] ^= 1;
	trans_exec(d, "exec-wrong-auth", w, n, false, 0, "sz~");
	for (i = 0; i < NSIDES; i++)
		trans[i].t.key[0] ^= 1;
	trans_exec(d, "exec-after-wrong-auth", w, n, false, 0, "sz~");
	trans_flush_keys(d);
}

/* ---- issue 3 anchor: transport scenarios go above this line ---- */

/* ---- scenario: migration ---- */

/*
 * Per-side migration data.  Each TPM migrates to a storage key of the
 * other, so a blob tpmd made is converted by libtpms and the other way
 * round: the formats must agree byte for byte.
 */
struct mig_side {
	struct tc_pubkey dest, key;
	uint32_t dest_handle;
	uint8_t ticket[TC_BUF_MAX];
	size_t ticket_len;
	uint8_t random[TC_MAX_MODULUS], out[TC_MAX_MODULUS];
	uint32_t random_len, out_len;
};

/* A step that must succeed on both sides (and agree). */
static bool mig_step_ok(struct diff *d, const char *name, const char *shape)
{
	char why[WHY_MAX] = "";
	bool ok = same(d, shape, why, sizeof(why));

	if (ok && !both_ok(d))
		ok = side_fails(why, sizeof(why), 'A', "%s",
				"both failed where success was expected");
	report(d, name, ok, why);
	return ok;
}

static void mig_authorize(struct diff *d, const char *name,
			  struct mig_side *m, uint16_t scheme,
			  const struct tc_pubkey *override)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		const struct tc_pubkey *pk = override ? override :
					     &m[NSIDES - 1 - i].dest;

		s->rc = tc_authorize_migration_key(&s->c, owner_auth, scheme,
						   pk, m[i].ticket,
						   &m[i].ticket_len, &s->r);
	}
	if (override || scheme > TPM_MS_REWRAP)
		step(d, name, SH_PUB " u16 b20~");
	else
		mig_step_ok(d, name, SH_PUB " u16 b20~");
}

static bool mig_create_blob(struct diff *d, const char *name,
			    struct mig_side *m, uint16_t type, bool tamper,
			    bool expect_ok)
{
	const char *shape = type == TPM_MS_MIGRATE ? "sz~ sz~" : "sz sz~";
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint8_t ticket[TC_BUF_MAX];
		const uint8_t *enc = NULL;
		uint32_t elen = 0;
		size_t head;

		memcpy(ticket, m[i].ticket, m[i].ticket_len);
		if (tamper && m[i].ticket_len)
			ticket[m[i].ticket_len - 1] ^= 1;
		tc_key_split(s->blob[0], s->blob_len[0], &head, &enc, &elen);
		s->rc = tc_create_migration_blob(&s->c, TPM_KH_SRK, srk_auth,
						 key_auth, type, ticket,
						 m[i].ticket_len, enc, elen,
						 m[i].random, &m[i].random_len,
						 m[i].out, &m[i].out_len,
						 &s->r);
	}
	if (!expect_ok)
		return step(d, name, shape);
	return mig_step_ok(d, name, shape);
}

/* @s's blob[1]: @from's migrated key blob with encData @enc. */
static void mig_rebuild(struct side *s, const struct side *from,
			const uint8_t *enc, uint32_t elen)
{
	const uint8_t *old;
	uint32_t olen;
	size_t head;

	s->blob_len[1] = 0;
	if (tc_key_split(from->blob[0], from->blob_len[0], &head, &old, &olen))
		return;
	memcpy(s->blob[1], from->blob[0], head);
	tb_wr_be32(s->blob[1] + head, elen);
	memcpy(s->blob[1] + head + 4, enc, elen);
	s->blob_len[1] = head + 4 + elen;
}

/* Each side converts the other's blob (MIGRATE) or takes it as it is
 * (REWRAP), loads the key under its destination key and signs. */
static void mig_convert_load_sign(struct diff *d, const char *name,
				  struct mig_side *m, bool convert)
{
	uint8_t out[NSIDES][TC_MAX_MODULUS];
	uint32_t out_len[NSIDES] = { 0 };
	char sub[64];
	int i;

	for (i = 0; convert && i < NSIDES; i++) {
		struct side *s = &d->s[i];
		struct mig_side *o = &m[NSIDES - 1 - i];

		s->rc = tc_convert_migration_blob(&s->c, m[i].dest_handle,
						  key_auth, o->out, o->out_len,
						  o->random, o->random_len,
						  out[i], &out_len[i], &s->r);
	}
	snprintf(sub, sizeof(sub), "%s-convert", name);
	if (convert && !mig_step_ok(d, sub, "sz~"))
		return;
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		struct mig_side *o = &m[NSIDES - 1 - i];

		mig_rebuild(s, &d->s[NSIDES - 1 - i], convert ? out[i] : o->out,
			    convert ? out_len[i] : o->out_len);
		s->sign_pub = o->key;
		s->handle = 0;
		s->rc = tc_load_key2(&s->c, m[i].dest_handle, key_auth,
				     s->blob[1], s->blob_len[1], &s->handle,
				     &s->r);
	}
	snprintf(sub, sizeof(sub), "%s-load", name);
	if (!mig_step_ok(d, sub, "u32~"))
		return;
	snprintf(sub, sizeof(sub), "%s-sign", name);
	sign(d, sub, "tpmdiff migrated", TC_DIGEST_SIZE, true);
	snprintf(sub, sizeof(sub), "%s-flush", name);
	flush_key(d, sub);
}

/* A storage key per side to migrate to, and the migratable key. */
static bool mig_setup_keys(struct diff *d, struct mig_side *m)
{
	static const struct tc_key_template storage = {
		.usage = TPM_KEY_STORAGE, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
		.sig_scheme = TPM_SS_NONE, .key_bits = 2048, .key12 = true,
	};
	static const struct tc_key_template mig_sign = {
		.usage = TPM_KEY_SIGNING, .flags = TPM_KEY_FLAG_MIGRATABLE,
		.auth_usage = TPM_AUTH_ALWAYS, .enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1024,
		.key12 = true,
	};
	struct tpm_buf b;
	int i;

	create_key(d, "create-destination", 2, false, &storage);
	load_key(d, "load-destination", 2, false);
	if (!both_ok(d))
		return false;
	for (i = 0; i < NSIDES; i++) {
		m[i].dest_handle = d->s[i].handle;
		tb_init_read(&b, d->s[i].blob[2], d->s[i].blob_len[2]);
		tc_get_key(&b, &m[i].dest);
	}
	create_key(d, "create-migratable", 0, false, &mig_sign);
	if (!both_ok(d))
		return false;
	for (i = 0; i < NSIDES; i++) {
		tb_init_read(&b, d->s[i].blob[0], d->s[i].blob_len[0]);
		tc_get_key(&b, &m[i].key);
	}
	return true;
}

static void scen_migration(struct diff *d)
{
	struct mig_side m[NSIDES];
	struct tc_pubkey small;
	int i;

	memset(m, 0, sizeof(m));
	ensure_owned(d);
	if (!mig_setup_keys(d, m))
		return;
	/* Part 3, 11.1 step 1: below RSA-2048, and a PKCS#1 v1.5 key. */
	small = m[0].dest;
	small.key_bits = 1024;
	small.modulus_len = 128;
	mig_authorize(d, "authorize-1024-bit", m, TPM_MS_MIGRATE, &small);
	small = m[0].dest;
	small.enc_scheme = TPM_ES_RSAESPKCSv15;
	mig_authorize(d, "authorize-pkcs1-key", m, TPM_MS_MIGRATE, &small);
	mig_authorize(d, "authorize-bad-scheme", m, 0x0077, NULL);
	mig_authorize(d, "authorize-migrate", m, TPM_MS_MIGRATE, NULL);
	mig_create_blob(d, "create-blob-tampered-ticket", m, TPM_MS_MIGRATE,
			true, false);
	mig_create_blob(d, "create-blob-unknown-type", m, 0x0077, false,
			false);
	if (mig_create_blob(d, "create-blob-migrate", m, TPM_MS_MIGRATE,
			    false, true)) {
		mig_convert_load_sign(d, "migrate", m, true);
		/* The random string one byte short. */
		for (i = 0; i < NSIDES; i++) {
			struct side *s = &d->s[i];
			struct mig_side *o = &m[NSIDES - 1 - i];
			uint8_t out[TC_MAX_MODULUS];
			uint32_t n;

			s->rc = tc_convert_migration_blob(&s->c,
							  m[i].dest_handle,
							  key_auth, o->out,
							  o->out_len,
							  o->random,
							  o->random_len - 1,
							  out, &n, &s->r);
		}
		step(d, "convert-short-random", "sz~");
	}
	mig_authorize(d, "authorize-rewrap", m, TPM_MS_REWRAP, NULL);
	if (mig_create_blob(d, "create-blob-rewrap", m, TPM_MS_REWRAP, false,
			    true))
		mig_convert_load_sign(d, "rewrap", m, false);
	for (i = 0; i < NSIDES; i++)
		d->s[i].handle = m[i].dest_handle;
	flush_key(d, "flush-destination");
}

/* ---- scenario: cmk (certified migration keys, Part 3, 11.5-11.10) ---- */

/*
 * Per-side CMK data.  One migration authority, a signing key of A, signs
 * for both TPMs (so libtpms checks tpmd's signatures and the other way
 * round); each TPM migrates its CMK to a storage key of the other, so
 * the restricted blob formats must agree byte for byte.
 */
struct cmk_side {
	struct tc_pubkey dest, key;
	uint32_t dest_handle;
	uint8_t msa[4 + TC_DIGEST_SIZE], msa_digest[TC_DIGEST_SIZE];
	uint8_t approval[TC_DIGEST_SIZE];
	uint8_t rt[3 * TC_DIGEST_SIZE], signed_data[TC_DIGEST_SIZE];
	uint8_t sig[TC_MAX_MODULUS];
	uint32_t sig_len;
	/* Signature tickets of this TPM over its own / the other's rt. */
	uint8_t st_own[TC_DIGEST_SIZE], st_other[TC_DIGEST_SIZE];
	uint8_t mka[TC_BUF_MAX];
	size_t mka_len;
	uint8_t random[TC_MAX_MODULUS], out[TC_MAX_MODULUS];
	uint32_t random_len, out_len;
};

/* Signing key: the MA's (slot 1); CMKs: signing, 1024 bits (slot 0). */
static const struct tc_key_template cmk_ma_tmpl = {
	.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
	.enc_scheme = TPM_ES_NONE, .sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1,
	.key_bits = 1024, .key12 = true,
};

static void cmk_approve(struct diff *d, const char *name, struct cmk_side *m,
			const uint8_t *owner)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_cmk_approve_ma(&d->s[i].c, owner,
					       m[i].msa_digest, m[i].approval,
					       &d->s[i].r);
	step(d, name, "b20~");
}

static bool cmk_create(struct diff *d, const char *name, struct cmk_side *m,
		       uint32_t flags, bool key12, bool oiap, bool tamper)
{
	struct tc_key_template t = {
		.usage = TPM_KEY_SIGNING, .flags = flags,
		.auth_usage = TPM_AUTH_ALWAYS, .enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1024,
		.key12 = key12,
	};
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint8_t appr[TC_DIGEST_SIZE];

		memcpy(appr, m[i].approval, sizeof(appr));
		appr[0] ^= tamper;
		s->rc = tc_cmk_create_key(&s->c, TPM_KH_SRK, srk_auth, oiap,
					  &t, key_auth, appr, m[i].msa_digest,
					  s->blob[0], &s->blob_len[0], &s->r);
	}
	return step(d, name, SH_KEY);
}

/* The MA (A's slot-1 key, handle in s[0].sign_key) signs each side's
 * restrictTicket; each TPM makes tickets for both signatures. */
static bool cmk_sign_tickets(struct diff *d, struct cmk_side *m,
			     const struct tc_pubkey *ma)
{
	uint8_t ma_digest[TC_DIGEST_SIZE];
	int i;

	tc_pubkey_digest(ma, ma_digest);
	for (i = 0; i < NSIDES; i++) {
		struct cmk_side *o = &m[NSIDES - 1 - i];

		memcpy(m[i].rt, ma_digest, TC_DIGEST_SIZE);
		tc_pubkey_digest(&o->dest, m[i].rt + TC_DIGEST_SIZE);
		tc_pubkey_digest(&m[i].key, m[i].rt + 2 * TC_DIGEST_SIZE);
		tc_sha1(m[i].rt, sizeof(m[i].rt), m[i].signed_data);
		d->s[i].rc = tc_sign(&d->s[0].c, d->s[0].sign_key, key_auth,
				     m[i].signed_data, TC_DIGEST_SIZE,
				     m[i].sig, &m[i].sig_len, &d->s[i].r);
	}
	if (!mig_step_ok(d, "ma-sign", "sz~"))
		return false;
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_cmk_create_ticket(&d->s[i].c, owner_auth, ma,
						  m[i].signed_data, m[i].sig,
						  m[i].sig_len, m[i].st_own,
						  &d->s[i].r);
	if (!mig_step_ok(d, "create-ticket", "b20~"))
		return false;
	for (i = 0; i < NSIDES; i++) {
		struct cmk_side *o = &m[NSIDES - 1 - i];

		d->s[i].rc = tc_cmk_create_ticket(&d->s[i].c, owner_auth, ma,
						  o->signed_data, o->sig,
						  o->sig_len, m[i].st_other,
						  &d->s[i].r);
	}
	return mig_step_ok(d, "create-ticket-other", "b20~");
}

/* CreateTicket failures: a signature over other data, an OAEP key. */
static void cmk_ticket_failures(struct diff *d, struct cmk_side *m,
				const struct tc_pubkey *ma)
{
	struct tc_pubkey bad = *ma;
	uint8_t data[TC_DIGEST_SIZE], t[TC_DIGEST_SIZE];
	int i;

	for (i = 0; i < NSIDES; i++) {
		memcpy(data, m[0].signed_data, sizeof(data));
		data[0] ^= 1;
		d->s[i].rc = tc_cmk_create_ticket(&d->s[i].c, owner_auth, ma,
						  data, m[0].sig,
						  m[0].sig_len, t, &d->s[i].r);
	}
	step(d, "create-ticket-bad-signature", "b20~");
	bad.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1;
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_cmk_create_ticket(&d->s[i].c, owner_auth,
						  &bad, m[0].signed_data,
						  m[0].sig, m[0].sig_len, t,
						  &d->s[i].r);
	step(d, "create-ticket-oaep-key", "b20~");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_cmk_create_ticket(&d->s[i].c, wrong_auth, ma,
						  m[0].signed_data, m[0].sig,
						  m[0].sig_len, t, &d->s[i].r);
	step(d, "create-ticket-wrong-owner", "b20~");
}

enum cmk_tamper { CT_NONE, CT_SIG_TICKET, CT_SOURCE };

/* The owner of each side names the other's storage key. */
static void cmk_authorize(struct diff *d, const char *name,
			  struct cmk_side *m, uint16_t scheme)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_authorize_migration_key(&d->s[i].c,
							owner_auth, scheme,
							&m[NSIDES - 1 - i].dest,
							m[i].mka,
							&m[i].mka_len,
							&d->s[i].r);
	mig_step_ok(d, name, SH_PUB " u16 b20~");
}

static bool cmk_blob(struct diff *d, const char *name, struct cmk_side *m,
		     uint16_t type, enum cmk_tamper how, bool expect_ok)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint8_t st[TC_DIGEST_SIZE], src[TC_DIGEST_SIZE];
		bool tickets = type == TPM_MS_RESTRICT_APPROVE;
		const uint8_t *enc = NULL;
		uint32_t elen = 0;
		size_t head;

		memcpy(st, m[i].st_own, sizeof(st));
		st[0] ^= how == CT_SIG_TICKET;
		tc_pubkey_digest(&m[i].key, src);
		src[0] ^= how == CT_SOURCE;
		tc_key_split(s->blob[0], s->blob_len[0], &head, &enc, &elen);
		s->rc = tc_cmk_create_blob(&s->c, TPM_KH_SRK, srk_auth, type,
					   m[i].mka, m[i].mka_len, src,
					   m[i].msa, sizeof(m[i].msa), m[i].rt,
					   tickets ? sizeof(m[i].rt) : 0, st,
					   tickets ? sizeof(st) : 0, enc, elen,
					   m[i].random, &m[i].random_len,
					   m[i].out, &m[i].out_len, &s->r);
	}
	if (!expect_ok)
		return step(d, name, "sz~ sz~");
	return mig_step_ok(d, name, "sz~ sz~");
}

/* Each side converts the other's blob with its ticket over the other's
 * restrictTicket (or, when @wrong_ticket, over its own), then loads the
 * key and signs. */
static void cmk_convert_load_sign(struct diff *d, struct cmk_side *m,
				  bool wrong_ticket)
{
	uint8_t out[NSIDES][TC_MAX_MODULUS];
	uint32_t out_len[NSIDES] = { 0 };
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i], *f = &d->s[NSIDES - 1 - i];
		struct cmk_side *o = &m[NSIDES - 1 - i];
		const uint8_t *enc = NULL;
		uint32_t elen = 0;
		size_t head = 0;

		tc_key_split(f->blob[0], f->blob_len[0], &head, &enc, &elen);
		s->rc = tc_cmk_convert_migration(&s->c, m[i].dest_handle,
						 key_auth, o->rt,
						 wrong_ticket ? m[i].st_own :
								m[i].st_other,
						 f->blob[0], head, o->out,
						 o->out_len, o->msa,
						 sizeof(o->msa), o->random,
						 o->random_len, out[i],
						 &out_len[i], &s->r);
	}
	if (wrong_ticket) {
		step(d, "convert-wrong-ticket", "sz~");
		return;
	}
	if (!mig_step_ok(d, "convert", "sz~"))
		return;
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		mig_rebuild(s, &d->s[NSIDES - 1 - i], out[i], out_len[i]);
		s->sign_pub = m[NSIDES - 1 - i].key;
		s->handle = 0;
		s->rc = tc_load_key2(&s->c, m[i].dest_handle, key_auth,
				     s->blob[1], s->blob_len[1], &s->handle,
				     &s->r);
	}
	if (!mig_step_ok(d, "load-migrated", "u32~"))
		return;
	sign(d, "sign-migrated", "tpmdiff cmk migrated", TC_DIGEST_SIZE,
	     true);
	flush_key(d, "flush-migrated");
}

/* The MA signing key (slot 1) and a storage key per side (slot 2). */
static bool cmk_setup_keys(struct diff *d, struct cmk_side *m,
			   struct tc_pubkey *ma)
{
	static const struct tc_key_template storage = {
		.usage = TPM_KEY_STORAGE, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
		.sig_scheme = TPM_SS_NONE, .key_bits = 2048, .key12 = true,
	};
	struct tpm_buf b;
	int i;

	create_key(d, "create-ma", 1, false, &cmk_ma_tmpl);
	load_key(d, "load-ma", 1, false);
	if (!both_ok(d))
		return false;
	for (i = 0; i < NSIDES; i++)
		d->s[i].sign_key = d->s[i].handle;
	tb_init_read(&b, d->s[0].blob[1], d->s[0].blob_len[1]);
	tc_get_key(&b, ma);
	create_key(d, "create-destination", 2, false, &storage);
	load_key(d, "load-destination", 2, false);
	if (!both_ok(d))
		return false;
	for (i = 0; i < NSIDES; i++) {
		m[i].dest_handle = d->s[i].handle;
		tb_init_read(&b, d->s[i].blob[2], d->s[i].blob_len[2]);
		tc_get_key(&b, &m[i].dest);
		/* TPM_MSA_COMPOSITE: the MA alone. */
		tb_wr_be32(m[i].msa, 1);
		tc_pubkey_digest(ma, m[i].msa + 4);
		tc_sha1(m[i].msa, sizeof(m[i].msa), m[i].msa_digest);
	}
	return true;
}

/* SetRestrictions: owner only; GetCapability shows the value. */
static void cmk_restrictions(struct diff *d)
{
	static const uint32_t vals[] = { 0x80000000U, 0 };
	char name[48];
	size_t k;
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_cmk_set_restrictions(&d->s[i].c, wrong_auth,
						     0x80000000U, &d->s[i].r);
	step(d, "set-restrictions-wrong-owner", "");
	for (k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
		for (i = 0; i < NSIDES; i++)
			d->s[i].rc = tc_cmk_set_restrictions(&d->s[i].c,
							     owner_auth,
							     vals[k],
							     &d->s[i].r);
		snprintf(name, sizeof(name), "set-restrictions-%08x",
			 vals[k]);
		mig_step_ok(d, name, "");
		snprintf(name, sizeof(name), "prop-cmk-restriction-%08x",
			 vals[k]);
		cap32(d, name, TPM_CAP_PROPERTY, TPM_CAP_PROP_CMK_RESTRICTION,
		      "sz");
	}
}

static void scen_cmk(struct diff *d)
{
	struct cmk_side m[NSIDES];
	struct tc_pubkey ma;
	int i;

	memset(m, 0, sizeof(m));
	ensure_owned(d);
	cmk_restrictions(d);
	if (!cmk_setup_keys(d, m, &ma))
		return;
	cmk_approve(d, "approve-ma-wrong-owner", m, wrong_auth);
	cmk_approve(d, "approve-ma", m, owner_auth);
	if (!both_ok(d))
		return;
	cmk_create(d, "create-key-bad-approval", m, TPM_KEY_FLAG_MIGRATABLE |
		   TPM_KEY_FLAG_MIGRATE_AUTHORITY, true, false, true);
	cmk_create(d, "create-key-not-cmk", m, TPM_KEY_FLAG_MIGRATABLE,
		   true, false, false);
	cmk_create(d, "create-key-tpm-key-11", m, TPM_KEY_FLAG_MIGRATABLE |
		   TPM_KEY_FLAG_MIGRATE_AUTHORITY, false, false, false);
	cmk_create(d, "create-key-oiap", m, TPM_KEY_FLAG_MIGRATABLE |
		   TPM_KEY_FLAG_MIGRATE_AUTHORITY, true, true, false);
	if (!cmk_create(d, "create-key", m, TPM_KEY_FLAG_MIGRATABLE |
			TPM_KEY_FLAG_MIGRATE_AUTHORITY, true, false, false) ||
	    !both_ok(d))
		return;
	for (i = 0; i < NSIDES; i++) {
		struct tpm_buf b;

		tb_init_read(&b, d->s[i].blob[0], d->s[i].blob_len[0]);
		tc_get_key(&b, &m[i].key);
		d->s[i].sign_pub = m[i].key;
	}
	/* A CMK loads (payload TPM_PT_MIGRATE_RESTRICTED) and signs. */
	load_key(d, "load-cmk", 0, false);
	sign(d, "sign-cmk", "tpmdiff cmk", TC_DIGEST_SIZE, true);
	flush_key(d, "flush-cmk");
	if (!cmk_sign_tickets(d, m, &ma))
		goto out;
	cmk_ticket_failures(d, m, &ma);
	/* RESTRICT_MIGRATE to a destination that is no MA. */
	cmk_authorize(d, "authorize-restrict-migrate", m,
		      TPM_MS_RESTRICT_MIGRATE);
	cmk_blob(d, "create-blob-migrate-not-ma", m, TPM_MS_RESTRICT_MIGRATE,
		 CT_NONE, false);
	cmk_authorize(d, "authorize-restrict-approve", m,
		      TPM_MS_RESTRICT_APPROVE);
	cmk_blob(d, "create-blob-bad-sig-ticket", m, TPM_MS_RESTRICT_APPROVE,
		 CT_SIG_TICKET, false);
	cmk_blob(d, "create-blob-bad-source", m, TPM_MS_RESTRICT_APPROVE,
		 CT_SOURCE, false);
	if (cmk_blob(d, "create-blob-approve", m, TPM_MS_RESTRICT_APPROVE,
		     CT_NONE, true)) {
		cmk_convert_load_sign(d, m, true);
		cmk_convert_load_sign(d, m, false);
	}
	raw(d, "create-blob-short", "",
	    "00c2 0000003d 0000001b 40000000 0005 "
	    "00000000 "
	    "0000000000000000000000000000000000000000"
	    "00 "
	    "0000000000000000000000000000000000000000");
out:
	for (i = 0; i < NSIDES; i++)
		d->s[i].handle = m[i].dest_handle;
	flush_key(d, "flush-destination");
	for (i = 0; i < NSIDES; i++)
		d->s[i].handle = d->s[i].sign_key;
	flush_key(d, "flush-ma");
	/* The wrong-owner steps count as dictionary-attack failures. */
	reset_lock(d, "resetlockvalue");
}

/* ---- issue 3 anchor: migration scenarios go above this line ---- */

/* ---- scenario: context ---- */

/* Which handle a context step names on each side. */
#define CTX_KEY		0U	/* s->handle */
#define CTX_SESS	1U	/* s->sess.handle */
/* Part 2, 18.1: contextCount follows tag, resourceType, handle, label. */
#define CTX_COUNT_OFF	26U
#define CTX_LABEL_OFF	10U

static const uint8_t ctx_label[16] = "tpmdiff context";

static uint32_t ctx_handle(const struct side *s, uint32_t which)
{
	if (which == CTX_KEY)
		return s->handle;
	if (which == CTX_SESS)
		return s->sess.handle;
	return which;
}

/* SaveContext (with @rt) or a deprecated Save into blob[@slot]; the
 * blobs are each TPM's own format: framing only. */
static void ctx_save(struct diff *d, const char *name, uint32_t ord,
		     uint32_t rt, uint32_t which, int slot)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		tc_cmd_init(&cmd, ord);
		tc_cmd_handle(&cmd, ctx_handle(s, which));
		if (ord == TPM_ORD_SaveContext) {
			tc_cmd_u32(&cmd, rt);
			tc_cmd_bytes(&cmd, ctx_label, sizeof(ctx_label));
		}
		s->rc = tc_call(&s->c, &cmd, NULL, 0, &s->r);
		if (s->rc)
			continue;
		tc_rsp_params(&s->r, &b);
		if (tb_get_sized(&b, &p, &n, TC_BUF_MAX)) {
			s->rc = -EBADMSG;
			continue;
		}
		memcpy(s->blob[slot], p, n);
		s->blob_len[slot] = n;
	}
	step(d, name, "sz*");
}

/* LoadContext(entity, keepHandle) or a deprecated Load of blob[@slot],
 * with byte @tamper flipped when >= 0; the new handle goes to s->u32. */
static void ctx_load(struct diff *d, const char *name, uint32_t ord,
		     uint32_t entity, uint8_t keep, int slot, int tamper)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint8_t *blob = s->blob[slot];

		if (tamper >= 0)
			blob[tamper] ^= 0x01;
		tc_cmd_init(&cmd, ord);
		if (ord == TPM_ORD_LoadContext) {
			tc_cmd_handle(&cmd, ctx_handle(s, entity));
			tc_cmd_u8(&cmd, keep);
		}
		tc_cmd_sized(&cmd, blob, (uint32_t)s->blob_len[slot]);
		if (tamper >= 0)
			blob[tamper] ^= 0x01;
		s->rc = tc_call(&s->c, &cmd, NULL, 0, &s->r);
		tc_rsp_params(&s->r, &b);
		if (s->rc == 0 && tb_get_u32(&b, &s->u32))
			s->rc = -EBADMSG;
	}
	step(d, name, "u32~");
}

/* The handle LoadContext gave becomes the key (or session) in use. */
static void ctx_adopt(struct diff *d, uint32_t which)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		if (which == CTX_KEY)
			s->handle = s->u32;
		else
			s->sess.handle = s->u32;
	}
}

/* FlushSpecific(TPM_RT_CONTEXT) of the contextCount in blob[@slot]. */
static void ctx_flush(struct diff *d, const char *name, int slot)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_flush_specific(&s->c,
					  tb_be32(s->blob[slot] +
						  CTX_COUNT_OFF),
					  TPM_RT_CONTEXT, &s->r);
	}
	step(d, name, "");
}

static void ctx_oiap(struct diff *d, const char *name)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_oiap(&s->c, &s->sess, key_auth, &s->r);
		s->sess.cont = true;
	}
	step(d, name, "u32~ b20~");
}

/* Sign under the side's own session s->sess, kept open. */
static void ctx_sess_sign(struct diff *d, const char *name)
{
	uint8_t digest[TC_DIGEST_SIZE];
	struct tc_cmd cmd;
	int i;

	tc_sha1("tpmdiff context", 15, digest);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		tc_cmd_init(&cmd, TPM_ORD_Sign);
		tc_cmd_handle(&cmd, s->handle);
		tc_cmd_sized(&cmd, digest, sizeof(digest));
		s->sess.cont = true;
		s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, name, "sz~");
}

/* KeyControlOwner(s->handle, its TPM_PUBKEY, @bit, @value). */
static void ctx_key_control(struct diff *d, const char *name, uint32_t bit,
			    uint8_t value)
{
	struct tc_session os;
	struct tc_pubkey pk;
	struct tc_cmd cmd;
	struct tpm_buf b;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_get_pub_key(&s->c, s->handle, key_auth, &pk, &s->r);
		if (s->rc)
			continue;
		tc_rsp_params(&s->r, &b);
		tc_cmd_init(&cmd, TPM_ORD_KeyControlOwner);
		tc_cmd_handle(&cmd, s->handle);
		tc_cmd_bytes(&cmd, tb_cursor(&b), tb_remaining(&b));
		tc_cmd_u32(&cmd, bit);
		tc_cmd_u8(&cmd, value);
		s->rc = tc_oiap(&s->c, &os, owner_auth, &s->r);
		if (s->rc == 0)
			s->rc = tc_call(&s->c, &cmd, &os, 1, &s->r);
	}
	step(d, name, "");
}

static void scen_context(struct diff *d)
{
	static const struct tc_key_template sign1024 = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1024,
		.key12 = true,
	};
	int i;

	ensure_owned(d);
	create_key(d, "create-sign", 0, false, &sign1024);
	load_key(d, "load-sign", 0, false);
	get_pub_key(d, "getpubkey", 0, key_auth, true);
	ctx_save(d, "save-key", TPM_ORD_SaveContext, TPM_RT_KEY, CTX_KEY, 1);
	sign(d, "sign-after-save", "tpmdiff context", TC_DIGEST_SIZE, true);
	ctx_load(d, "load-key-keephandle-in-use", TPM_ORD_LoadContext, 0, 1,
		 1, -1);
	flush_key(d, "flush-key");
	ctx_load(d, "load-key", TPM_ORD_LoadContext, 0, 0, 1, -1);
	ctx_adopt(d, CTX_KEY);
	sign(d, "sign-reloaded", "tpmdiff context", TC_DIGEST_SIZE, true);
	ctx_load(d, "load-key-tampered-label", TPM_ORD_LoadContext, 0, 0, 1,
		 CTX_LABEL_OFF + 3);
	ctx_save(d, "save-srk", TPM_ORD_SaveContext, TPM_RT_KEY, TPM_KH_SRK,
		 2);
	ctx_save(d, "save-bad-type", TPM_ORD_SaveContext, 0x77, CTX_KEY, 2);
	ctx_save(d, "save-key-as-auth", TPM_ORD_SaveContext, TPM_RT_AUTH,
		 CTX_KEY, 2);
	raw(d, "save-short-label", "",
	    "00c1 00000014 000000b8 01000001 00000001 0000");
	/* A session saved mid-use, reloaded and used again; replayed. */
	ctx_oiap(d, "oiap");
	ctx_sess_sign(d, "sign-session");
	ctx_save(d, "save-session", TPM_ORD_SaveContext, TPM_RT_AUTH,
		 CTX_SESS, 2);
	cap32(d, "handle-context", TPM_CAP_HANDLE, TPM_RT_CONTEXT,
	      SH_HANDLES);
	ctx_load(d, "load-session", TPM_ORD_LoadContext, 0, 0, 2, -1);
	ctx_adopt(d, CTX_SESS);
	ctx_sess_sign(d, "sign-session-reloaded");
	ctx_load(d, "load-session-replay", TPM_ORD_LoadContext, 0, 0, 2, -1);
	ctx_save(d, "save-session-again", TPM_ORD_SaveContext, TPM_RT_AUTH,
		 CTX_SESS, 2);
	cap32(d, "handle-context-again", TPM_CAP_HANDLE, TPM_RT_CONTEXT,
	      SH_HANDLES);
	ctx_flush(d, "flush-context", 2);
	ctx_flush(d, "flush-context-again", 2);
	ctx_load(d, "load-flushed-session", TPM_ORD_LoadContext, 0, 0, 2,
		 -1);
	/* The deprecated 1.1 commands. */
	ctx_save(d, "savekeycontext", TPM_ORD_SaveKeyContext, 0, CTX_KEY, 1);
	sign(d, "sign-after-savekeycontext", "tpmdiff context",
	     TC_DIGEST_SIZE, false);
	ctx_load(d, "loadkeycontext", TPM_ORD_LoadKeyContext, 0, 0, 1, -1);
	ctx_adopt(d, CTX_KEY);
	sign(d, "sign-after-loadkeycontext", "tpmdiff context",
	     TC_DIGEST_SIZE, true);
	ctx_oiap(d, "oiap-2");
	ctx_save(d, "saveauthcontext", TPM_ORD_SaveAuthContext, 0, CTX_SESS,
		 2);
	ctx_load(d, "loadkeycontext-auth-blob", TPM_ORD_LoadKeyContext, 0, 0,
		 2, -1);
	ctx_load(d, "loadauthcontext", TPM_ORD_LoadAuthContext, 0, 0, 2, -1);
	ctx_adopt(d, CTX_SESS);
	ctx_sess_sign(d, "sign-authcontext");
	/* Owner-evict keys. */
	ctx_key_control(d, "keycontrolowner-set", 1, 1);
	flush_key(d, "flush-owner-evict");
	ctx_save(d, "save-owner-evict", TPM_ORD_SaveContext, TPM_RT_KEY,
		 CTX_KEY, 2);
	ctx_key_control(d, "keycontrolowner-bad-bit", 2, 1);
	ctx_key_control(d, "keycontrolowner-clear", 1, 0);
	flush_key(d, "flush-after-clear");
	for (i = 0; i < NSIDES; i++)
		tc_session_close(&d->s[i].c, &d->s[i].sess);
}

/* ---- issue 3 anchor: context scenarios go above this line ---- */

/* ---- scenario: audit (audit.c) ---- */

/* TPM_GetAuditDigest: counterValue, auditDigest, more, ordList. */
#define SH_AUDIT_DIGEST	SH_COUNTER " b20~ u8 sz"

/* Each side's copy of its audit digest, extended as Part 1, 8 says. */
struct audit_model {
	uint32_t counter;
	uint8_t digest[TC_DIGEST_SIZE];
};

static struct audit_model audit_m[NSIDES];

static void audit_extend(struct audit_model *m, uint16_t tag,
			 const uint8_t d[TC_DIGEST_SIZE])
{
	uint8_t buf[TC_DIGEST_SIZE + 2 + TC_DIGEST_SIZE + 10];

	memcpy(buf, m->digest, TC_DIGEST_SIZE);
	tb_wr_be16(buf + 20, tag);
	memcpy(buf + 22, d, TC_DIGEST_SIZE);
	tb_wr_be16(buf + 42, TPM_TAG_COUNTER_VALUE);
	memset(buf + 44, 0, 4);
	tb_wr_be32(buf + 48, m->counter);
	tc_sha1(buf, sizeof(buf), m->digest);
}

/* Record a successful audited command with @in after its handles and
 * the out params the side returned in s->r. */
static void audit_record(struct side *s, struct audit_model *m, uint32_t ord,
			 const uint8_t *in, size_t in_len)
{
	static const uint8_t zero[TC_DIGEST_SIZE];
	uint8_t buf[TC_BUF_MAX + 8], d[TC_DIGEST_SIZE];
	size_t out_len = s->r.params_end - RSP_HEADER_SIZE;

	if (!memcmp(m->digest, zero, sizeof(zero)))
		m->counter++;
	tb_wr_be32(buf, ord);
	memcpy(buf + 4, in, in_len);
	tc_sha1(buf, 4 + in_len, d);
	audit_extend(m, TPM_TAG_AUDIT_EVENT_IN, d);
	tb_wr_be32(buf, TPM_SUCCESS);
	tb_wr_be32(buf + 4, ord);
	memcpy(buf + 8, s->r.data + RSP_HEADER_SIZE, out_len);
	tc_sha1(buf, 8 + out_len, d);
	audit_extend(m, TPM_TAG_AUDIT_EVENT_OUT, d);
}

/* GetAuditDigest on both sides; with @check, each side's digest and
 * counter must be what its model says; the model then follows the TPM. */
static void audit_digest(struct diff *d, const char *name, uint32_t start,
			 bool check)
{
	char why[WHY_MAX] = "";
	struct tc_cmd cmd;
	bool ok;
	int i;

	tc_cmd_init(&cmd, TPM_ORD_GetAuditDigest);
	tc_cmd_u32(&cmd, start);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_call(&d->s[i].c, &cmd, NULL, 0, &d->s[i].r);
	ok = same(d, SH_AUDIT_DIGEST, why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		struct side *s = &d->s[i];
		const uint8_t *p = s->r.data + RSP_HEADER_SIZE;

		if (check && (tb_be32(p + 6) != audit_m[i].counter ||
			      memcmp(p + 10, audit_m[i].digest,
				     TC_DIGEST_SIZE)))
			ok = side_fails(why, sizeof(why), s->name,
					"audit digest is not the one the "
					"commands sent make");
		audit_m[i].counter = tb_be32(p + 6);
		memcpy(audit_m[i].digest, p + 10, TC_DIGEST_SIZE);
	}
	report(d, name, ok, why);
}

static void audit_set(struct diff *d, const char *name, uint32_t ord,
		      uint8_t state, const uint8_t *auth)
{
	struct tc_cmd cmd;
	int i;

	tc_cmd_init(&cmd, TPM_ORD_SetOrdinalAuditStatus);
	tc_cmd_u32(&cmd, ord);
	tc_cmd_u8(&cmd, state);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_oiap(&s->c, &s->sess, auth, &s->r);
		if (s->rc == 0)
			s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	step(d, name, "");
}

/* PcrRead(@pcr), audited: each side's model records it on success. */
static void audit_pcr_read(struct diff *d, const char *name, uint32_t pcr)
{
	uint8_t in[4], out[TC_DIGEST_SIZE];
	int i;

	tb_wr_be32(in, pcr);
	for (i = 0; i < NSIDES; i++) {
		d->s[i].rc = tc_pcr_read(&d->s[i].c, pcr, out, &d->s[i].r);
		if (d->s[i].rc == 0)
			audit_record(&d->s[i], &audit_m[i], TPM_ORD_PcrRead,
				     in, sizeof(in));
	}
	step(d, name, "b20");
}

/* GetAuditDigestSigned with the key in s->handle; the signature over
 * TPM_SIGN_INFO("ADIG", antiReplay, D2) is verified on each side. */
static void audit_signed(struct diff *d, const char *name, bool close)
{
	static const uint8_t nonce[TC_DIGEST_SIZE] = "tpmdiff audit nonce";
	uint8_t info[2 + 4 + TC_DIGEST_SIZE + 4 + 50], h1[TC_DIGEST_SIZE];
	char why[WHY_MAX] = "";
	struct tc_cmd cmd;
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		tc_cmd_init(&cmd, TPM_ORD_GetAuditDigestSigned);
		tc_cmd_handle(&cmd, s->handle);
		tc_cmd_u8(&cmd, close);
		tc_cmd_bytes(&cmd, nonce, sizeof(nonce));
		s->rc = tc_oiap(&s->c, &s->sess, key_auth, &s->r);
		if (s->rc == 0)
			s->rc = tc_call(&s->c, &cmd, &s->sess, 1, &s->r);
	}
	/* counterValue, auditDigest (differs), ordinalDigest, sig. */
	ok = same(d, SH_COUNTER " b20~ b20 sz~", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		struct side *s = &d->s[i];
		const uint8_t *p = s->r.data + RSP_HEADER_SIZE;
		uint32_t nsig = tb_be32(p + 50);

		tb_wr_be16(info, TPM_TAG_SIGNINFO);
		memcpy(info + 2, "ADIG", 4);
		memcpy(info + 6, nonce, sizeof(nonce));
		tb_wr_be32(info + 26, 50);
		/* D2 = auditDigest || counterValue || ordinalDigest */
		memcpy(info + 30, p + 10, TC_DIGEST_SIZE);
		memcpy(info + 50, p, 10);
		memcpy(info + 60, p + 30, TC_DIGEST_SIZE);
		tc_sha1(info, sizeof(info), h1);
		if (tc_rsa_verify_sha1(&s->sign_pub, h1, p + 54, nsig))
			ok = side_fails(why, sizeof(why), s->name,
					"ADIG signature does not verify");
	}
	report(d, name, ok, why);
}

static void scen_audit(struct diff *d)
{
	static const struct tc_key_template sign12 = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 2048,
		.key12 = true,
	};
	uint8_t raw_set[5];
	int i;

	ensure_owned(d);
	audit_digest(d, "getauditdigest", 0, false);
	audit_digest(d, "getauditdigest-from-0x5b", TPM_ORD_OwnerClear, false);
	audit_set(d, "set-pcrread", TPM_ORD_PcrRead, 1, owner_auth);
	audit_digest(d, "getauditdigest-after-set", 0, false);
	audit_pcr_read(d, "pcrread-audited", 1);
	audit_pcr_read(d, "pcrread-audited-again", 2);
	audit_digest(d, "digest-after-pcrread", 0, true);
	/* Part 1, 8 rule 2.b: a failed command is not audited. */
	audit_pcr_read(d, "pcrread-bad-index", 99);
	raw(d, "pcrread-short", "", "00c1 0000000c 00000015 0000");
	audit_digest(d, "digest-after-failures", 0, true);
	audit_set(d, "set-getauditdigest", TPM_ORD_GetAuditDigest, 1,
		  owner_auth);
	audit_set(d, "set-wrong-auth", TPM_ORD_PcrRead, 0, wrong_auth);
	audit_set(d, "set-unsupported", 0x12345678U, 1, owner_auth);
	audit_set(d, "clear-pcrread", TPM_ORD_PcrRead, 0, owner_auth);
	/* SetOrdinalAuditStatus is audited by default. */
	tb_wr_be32(raw_set, TPM_ORD_PcrRead);
	raw_set[4] = 0;
	for (i = 0; i < NSIDES; i++)
		if (d->s[i].rc == 0)
			audit_record(&d->s[i], &audit_m[i],
				     TPM_ORD_SetOrdinalAuditStatus, raw_set,
				     sizeof(raw_set));
	audit_digest(d, "digest-after-clear", 0, true);
	/* Corner case 3.b: audited by its state before the command. */
	audit_set(d, "clear-setordinalauditstatus",
		  TPM_ORD_SetOrdinalAuditStatus, 0, owner_auth);
	tb_wr_be32(raw_set, TPM_ORD_SetOrdinalAuditStatus);
	raw_set[4] = 0;
	for (i = 0; i < NSIDES; i++)
		if (d->s[i].rc == 0)
			audit_record(&d->s[i], &audit_m[i],
				     TPM_ORD_SetOrdinalAuditStatus, raw_set,
				     sizeof(raw_set));
	audit_set(d, "set-setordinalauditstatus",
		  TPM_ORD_SetOrdinalAuditStatus, 1, owner_auth);
	audit_digest(d, "digest-after-self", 0, true);
	raw(d, "getauditdigest-short", "", "00c1 0000000c 00000085 0000");
	raw(d, "getordinalauditstatus-11", "", "00c1 0000000e 0000008c 00000046");
	create_key(d, "createwrapkey-sign", 0, false, &sign12);
	load_key(d, "loadkey2-sign", 0, false);
	get_pub_key(d, "getpubkey-sign", 0, key_auth, true);
	audit_signed(d, "getauditdigestsigned", false);
	audit_signed(d, "getauditdigestsigned-close-signing-key", true);
	flush_key(d, "flush-sign");
}

/* ---- issue 3 anchor: audit scenarios go above this line ---- */

/* ---- scenario: daa (daa.c) ---- */

/*
 * The issuer's public values.  The TPM only hashes them and computes with
 * them, so fixed patterns do; w = 1 has order dividing any q (stage 13).
 */
#define DAA_N_LEN	256U
#define DAA_GAMMA_LEN	204U
#define DAA_ISSUER_LEN	(2U + 6U * TC_DIGEST_SIZE + 26U)

struct daa_issuer {
	uint8_t n[DAA_N_LEN], r0[DAA_N_LEN], r1[DAA_N_LEN];
	uint8_t s0[DAA_N_LEN], s1[DAA_N_LEN], gamma[DAA_GAMMA_LEN];
	uint8_t w[DAA_N_LEN], settings[DAA_ISSUER_LEN];
	uint8_t root_n[DAA_N_LEN], sig[DAA_N_LEN];
	/* Per side: stage-22..24 blobs of DAA_Join. */
	uint8_t v0[NSIDES][TC_BUF_MAX], v1[NSIDES][TC_BUF_MAX];
	uint8_t tpm[NSIDES][TC_BUF_MAX];
	uint32_t v0_len[NSIDES], v1_len[NSIDES], tpm_len[NSIDES];
};

static void daa_issuer_init(struct daa_issuer *is)
{
	uint8_t *p = is->settings;

	memset(is->n, 0xC5, DAA_N_LEN);
	memset(is->r0, 0x31, DAA_N_LEN);
	memset(is->r1, 0x32, DAA_N_LEN);
	memset(is->s0, 0x53, DAA_N_LEN);
	memset(is->s1, 0x54, DAA_N_LEN);
	memset(is->gamma, 0xE7, DAA_GAMMA_LEN);
	memset(is->w, 0, DAA_N_LEN);
	is->w[DAA_N_LEN - 1] = 1;
	tb_wr_be16(p, TPM_TAG_DAA_ISSUER);
	tc_sha1(is->r0, DAA_N_LEN, p + 2);
	tc_sha1(is->r1, DAA_N_LEN, p + 22);
	tc_sha1(is->s0, DAA_N_LEN, p + 42);
	tc_sha1(is->s1, DAA_N_LEN, p + 62);
	tc_sha1(is->n, DAA_N_LEN, p + 82);
	tc_sha1(is->gamma, DAA_GAMMA_LEN, p + 102);
	memset(p + 122, 0x9D, 26);		/* DAA_generic_q */
}

/*
 * Both sides run one stage of @ord, each on its own DAA session (s->u32,
 * set by stage 0); outputData goes to @out[side] when not NULL.
 */
static bool daa_step(struct diff *d, const char *name, const char *shape,
		     uint32_t ord, uint8_t stage, const void *in0,
		     uint32_t len0, const void *in1, uint32_t len1,
		     uint8_t (*out)[TC_BUF_MAX], uint32_t *out_len)
{
	uint8_t buf[TC_BUF_MAX];
	uint32_t n;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_daa_stage(&s->c, ord, owner_auth, s->u32, stage,
				     in0, len0, in1, len1, buf, &n, &s->r);
		if (s->rc)
			continue;
		if (stage == 0 && n == 4)
			s->u32 = tb_be32(buf);
		if (out) {
			memcpy(out[i], buf, n);
			out_len[i] = n;
		}
	}
	return step(d, name, shape);
}

#define JOIN(name, sh, st, a, al, b, bl) \
	daa_step(d, name, sh, TPM_ORD_DAA_Join, st, a, al, b, bl, NULL, NULL)
#define SIGN(name, sh, st, a, al, b, bl) \
	daa_step(d, name, sh, TPM_ORD_DAA_Sign, st, a, al, b, bl, NULL, NULL)

/* Join stages 0-3 with a one-key chain; false if a step failed. */
static bool daa_join_start(struct diff *d, struct daa_issuer *is,
			   const char *prefix)
{
	static const uint8_t one[4] = { 0, 0, 0, 1 };
	char name[64];

	snprintf(name, sizeof(name), "%s-join0", prefix);
	if (!JOIN(name, "sz(u32~)", 0, one, 4, NULL, 0))
		return false;
	snprintf(name, sizeof(name), "%s-join1", prefix);
	if (!JOIN(name, "sz", 1, is->root_n, DAA_N_LEN, NULL, 0))
		return false;
	snprintf(name, sizeof(name), "%s-join2", prefix);
	if (!JOIN(name, "sz", 2, is->settings, DAA_ISSUER_LEN, is->sig,
		  DAA_N_LEN))
		return false;
	snprintf(name, sizeof(name), "%s-join3", prefix);
	return JOIN(name, "sz", 3, one, 4, NULL, 0) && both_ok(d);
}

/* Stages 4-24 of a join on both sides, issuer-side values fixed. */
static void daa_join_rest(struct diff *d, struct daa_issuer *is)
{
	uint8_t ch[TC_DIGEST_SIZE], u2[128], u3[192], (*o)[TC_BUF_MAX];
	uint32_t olen[NSIDES];
	int i;

	JOIN("join4", "sz", 4, is->r0, DAA_N_LEN, is->n, DAA_N_LEN);
	JOIN("join5", "sz", 5, is->r1, DAA_N_LEN, is->n, DAA_N_LEN);
	JOIN("join6", "sz", 6, is->s0, DAA_N_LEN, is->n, DAA_N_LEN);
	JOIN("join7", "sz~", 7, is->s1, DAA_N_LEN, is->n, DAA_N_LEN);
	/* Stage 8: each side gets NE under its own EK. */
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint8_t ne[TC_DIGEST_SIZE], enc[TC_MAX_MODULUS];
		size_t elen = 0;

		memset(ne, 0x4E, sizeof(ne));
		if (tc_rsa_oaep_encrypt(&s->ek, ne, sizeof(ne), enc, &elen))
			elen = 0;
		s->rc = tc_daa_stage(&s->c, TPM_ORD_DAA_Join, owner_auth,
				     s->u32, 8, enc, (uint32_t)elen, NULL, 0,
				     NULL, NULL, &s->r);
	}
	step(d, "join8-ek-challenge", "sz~");
	JOIN("join9", "sz", 9, is->r0, DAA_N_LEN, is->n, DAA_N_LEN);
	JOIN("join10", "sz", 10, is->r1, DAA_N_LEN, is->n, DAA_N_LEN);
	JOIN("join11", "sz", 11, is->s0, DAA_N_LEN, is->n, DAA_N_LEN);
	JOIN("join12", "sz~", 12, is->s1, DAA_N_LEN, is->n, DAA_N_LEN);
	JOIN("join13", "sz", 13, is->gamma, DAA_GAMMA_LEN, is->w, DAA_N_LEN);
	JOIN("join14", "sz", 14, is->gamma, DAA_GAMMA_LEN, NULL, 0);
	JOIN("join15", "sz", 15, is->gamma, DAA_GAMMA_LEN, NULL, 0);
	memset(ch, 0xC4, sizeof(ch));
	JOIN("join16", "sz~", 16, ch, sizeof(ch), NULL, 0);
	JOIN("join17", "sz*", 17, NULL, 0, NULL, 0);
	JOIN("join18", "sz*", 18, NULL, 0, NULL, 0);
	JOIN("join19", "sz~", 19, NULL, 0, NULL, 0);
	JOIN("join20", "sz~", 20, NULL, 0, NULL, 0);
	JOIN("join21", "sz*", 21, NULL, 0, NULL, 0);
	memset(u2, 0x22, sizeof(u2));
	memset(u3, 0x33, sizeof(u3));
	o = is->v0;
	daa_step(d, "join22", "sz*", TPM_ORD_DAA_Join, 22, u2, sizeof(u2),
		 NULL, 0, o, is->v0_len);
	o = is->v1;
	daa_step(d, "join23", "sz*", TPM_ORD_DAA_Join, 23, u3, sizeof(u3),
		 NULL, 0, o, is->v1_len);
	o = is->tpm;
	daa_step(d, "join24", "sz*", TPM_ORD_DAA_Join, 24, NULL, 0, NULL, 0,
		 o, is->tpm_len);
	(void)olen;
	/* Stage 24 ended the session. */
	JOIN("join-after-last", "", 1, is->root_n, DAA_N_LEN, NULL, 0);
}

/* A sign with each side's own join blobs (Part 3, 26.2). */
static void daa_sign(struct diff *d, struct daa_issuer *is)
{
	uint8_t ch[TC_DIGEST_SIZE], msg[TC_DIGEST_SIZE];
	static const uint8_t sel1 = 1;
	int i;

	SIGN("sign0", "sz(u32~)", 0, is->settings, DAA_ISSUER_LEN, NULL, 0);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_daa_stage(&s->c, TPM_ORD_DAA_Sign, owner_auth,
				     s->u32, 1, is->tpm[i], is->tpm_len[i],
				     NULL, 0, NULL, NULL, &s->r);
	}
	step(d, "sign1", "sz");
	SIGN("sign2", "sz", 2, is->r0, DAA_N_LEN, is->n, DAA_N_LEN);
	SIGN("sign3", "sz", 3, is->r1, DAA_N_LEN, is->n, DAA_N_LEN);
	SIGN("sign4", "sz", 4, is->s0, DAA_N_LEN, is->n, DAA_N_LEN);
	SIGN("sign5", "sz~", 5, is->s1, DAA_N_LEN, is->n, DAA_N_LEN);
	SIGN("sign6", "sz", 6, is->gamma, DAA_GAMMA_LEN, is->w, DAA_N_LEN);
	SIGN("sign7", "sz", 7, is->gamma, DAA_GAMMA_LEN, NULL, 0);
	SIGN("sign8", "sz", 8, is->gamma, DAA_GAMMA_LEN, NULL, 0);
	memset(ch, 0x77, sizeof(ch));
	SIGN("sign9", "sz~", 9, ch, sizeof(ch), NULL, 0);
	memset(msg, 0xAB, sizeof(msg));
	SIGN("sign10-message", "sz~", 10, &sel1, 1, msg, sizeof(msg));
	SIGN("sign11", "sz*", 11, NULL, 0, NULL, 0);
	SIGN("sign12", "sz*", 12, NULL, 0, NULL, 0);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_daa_stage(&s->c, TPM_ORD_DAA_Sign, owner_auth,
				     s->u32, 13, is->v0[i], is->v0_len[i],
				     NULL, 0, NULL, NULL, &s->r);
	}
	step(d, "sign13", "sz*");
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_daa_stage(&s->c, TPM_ORD_DAA_Sign, owner_auth,
				     s->u32, 14, is->v0[i], is->v0_len[i],
				     NULL, 0, NULL, NULL, &s->r);
	}
	step(d, "sign14", "sz");
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_daa_stage(&s->c, TPM_ORD_DAA_Sign, owner_auth,
				     s->u32, 15, is->v1[i], is->v1_len[i],
				     NULL, 0, NULL, NULL, &s->r);
	}
	step(d, "sign15", "sz*");
	SIGN("sign-after-last", "", 2, is->r0, DAA_N_LEN, is->n, DAA_N_LEN);
}

static void scen_daa(struct diff *d)
{
	static const uint8_t zero[4], one[4] = { 0, 0, 0, 1 };
	struct tc_issuer_key *root;
	struct daa_issuer *is;
	uint8_t sd[TC_DIGEST_SIZE + DAA_ISSUER_LEN], bad[DAA_N_LEN];
	int i;

	ensure_owned(d);
	is = calloc(1, sizeof(*is));
	root = is ? tc_issuer_key_new(is->root_n) : NULL;
	if (!root) {
		report(d, "setup-issuer", false, "cannot make the issuer key");
		free(is);
		return;
	}
	daa_issuer_init(is);
	tc_sha1(is->root_n, DAA_N_LEN, sd);
	memcpy(sd + TC_DIGEST_SIZE, is->settings, DAA_ISSUER_LEN);
	tc_issuer_sign(root, sd, sizeof(sd), is->sig);
	/* Part 3, 26.1 stage 0.f-g: DAA_count is a non-zero u32. */
	JOIN("join0-count-zero", "", 0, zero, 4, NULL, 0);
	JOIN("join0-short", "", 0, one, 3, NULL, 0);
	/* Stage 1.c, and step 2: the failure ended the session. */
	JOIN("join0", "sz(u32~)", 0, one, 4, NULL, 0);
	JOIN("join1-short-modulus", "", 1, is->root_n, DAA_N_LEN - 1, NULL,
	     0);
	JOIN("join1-after-failure", "", 1, is->root_n, DAA_N_LEN, NULL, 0);
	/* A stage out of order */
	JOIN("join0-b", "sz(u32~)", 0, one, 4, NULL, 0);
	JOIN("join3-out-of-order", "", 3, one, 4, NULL, 0);
	JOIN("join25-beyond-last", "", 25, NULL, 0, NULL, 0);
	/* Stage 2.h: settings not signed by the chain's key */
	JOIN("join0-c", "sz(u32~)", 0, one, 4, NULL, 0);
	JOIN("join1-c", "sz", 1, is->root_n, DAA_N_LEN, NULL, 0);
	memset(bad, 0x5B, sizeof(bad));
	JOIN("join2-bad-signature", "", 2, is->settings, DAA_ISSUER_LEN, bad,
	     DAA_N_LEN);
	/* Stage 4.e: R0 must hash to DAA_digest_R0 */
	if (daa_join_start(d, is, "wrong-r0"))
		JOIN("join4-wrong-r0", "", 4, is->s0, DAA_N_LEN, is->n,
		     DAA_N_LEN);
	/* Wrong owner authorization */
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_daa_stage(&s->c, TPM_ORD_DAA_Join, wrong_auth, 0, 0,
				     one, 4, NULL, 0, NULL, NULL, &s->r);
	}
	step(d, "join0-wrong-owner-auth", "");
	/* Leave the dictionary-attack counters as they were. */
	reset_lock(d, "resetlockvalue");
	/* FlushSpecific(TPM_RT_DAA_TPM) of a live session, then again */
	JOIN("join0-flush", "sz(u32~)", 0, one, 4, NULL, 0);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c, d->s[i].u32,
					       TPM_RT_DAA_TPM, &d->s[i].r);
	step(d, "flush-daa-session", "");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c, d->s[i].u32,
					       TPM_RT_DAA_TPM, &d->s[i].r);
	step(d, "flush-daa-session-again", "");
	/* The whole protocol, then a signature with its blobs. */
	if (daa_join_start(d, is, "full")) {
		daa_join_rest(d, is);
		daa_sign(d, is);
	}
	/* Sign stage 0.b-c and 1.b: malformed issuer settings and blob */
	SIGN("sign0-short-settings", "", 0, is->settings, DAA_ISSUER_LEN - 1,
	     NULL, 0);
	SIGN("sign0-b", "sz(u32~)", 0, is->settings, DAA_ISSUER_LEN, NULL, 0);
	SIGN("sign1-garbage-blob", "", 1, bad, 64, NULL, 0);
	tc_issuer_key_free(root);
	free(is);
}

/* ---- issue 3 anchor: daa scenarios go above this line ---- */

/* ---- scenario: maintenance (maint.c, revek.c) ---- */

#define MAINT_Z20	"00000000000000000000000000000000 00000000"
/* An auth area naming a session that does not matter. */
#define MAINT_AUTH	"00000001 " MAINT_Z20 " 00 " MAINT_Z20
/* TPM_KEY_PARMS of an RSA-2048 OAEP key. */
#define MAINT_PARMS	"00000001 0003 0001 0000000c 00000800 00000002 " \
			"00000000"

static void scen_maintenance(struct diff *d)
{
	/* Part 3, 14.2 step 1: both TPMs have an EK. */
	raw(d, "create-revocable-ek-exists", "",
	    "00c1 0000004b 0000007f " MAINT_Z20 " " MAINT_PARMS " 01 "
	    MAINT_Z20);
	raw(d, "create-revocable-ek-trailing", "",
	    "00c1 0000004c 0000007f " MAINT_Z20 " " MAINT_PARMS " 01 "
	    MAINT_Z20 " 00");
	/* Part 3, 14.3 step 1: neither EK is revocable. */
	pp_present(d, "pp-present");
	raw(d, "revoke-trust-permanent-ek", "",
	    "00c1 0000001e 00000080 " MAINT_Z20);
	raw(d, "revoke-trust-short", "",
	    "00c1 0000001d 00000080 00000000000000000000000000000000 000000");
	raw(d, "revoke-trust-auth1", "",
	    "00c2 0000004b 00000080 " MAINT_Z20 " " MAINT_AUTH);
	raw(d, "readpubek-after", SH_PUB " b20~",
	    "00c1 0000001e 0000007c " MAINT_Z20);
	/* Maintenance: libtpms answers TPM_BAD_ORDINAL (allowed_rcs[]). */
	raw(d, "read-manu-maint-pub-none", "",
	    "00c1 0000001e 00000030 " MAINT_Z20);
	raw(d, "load-manu-maint-pub-not-rsa", "",
	    "00c1 00000032 0000002f " MAINT_Z20
	    " 00000009 0003 0001 00000000 00000004 00000000");
	/* Owner commands without their owner auth area (whether an owner
	 * exists here depends on the scenarios before). */
	raw(d, "create-archive-no-auth", "", "00c1 0000000b 0000002c 00");
	raw(d, "kill-feature-no-auth", "", "00c1 0000000a 0000002e");
}

/* ---- issue 3 anchor: maintenance scenarios go above this line ---- */

/* ---- scenario: keysmisc (issue 3) ---- */

/* What keysmisc keeps per TPM between its steps. */
struct km_side {
	uint32_t id, sign, eph;
	struct tc_pubkey id_pub, eph_pub;
	uint8_t blob[TC_BUF_MAX];
	size_t blob_len;
};

static struct km_side km[NSIDES];
static uint8_t km_id_auth[TC_DIGEST_SIZE], km_new_auth[TC_DIGEST_SIZE];

/* TPM_CERTIFY_INFO (1.1): ver, usage, flags, authDataUsage, parms,
 * pubkeyDigest (key material), data, parentPCRStatus, PCRInfo. */
#define SH_CERTIFY_INFO	"b4 u16 u32 u8 " SH_PARMS " b20~ b20 u8 sz"
/* TPM_CERTIFY_INFO2: tag, fill, payloadType, then as above and
 * migrationAuthority. */
#define SH_CERTIFY_INFO2 "u16 u8 u8 u16 u32 u8 " SH_PARMS " b20~ b20 u8 sz sz"

static void km_sealx(struct diff *d, const char *name, const char *data)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_sealx(&d->s[i].c, TPM_KH_SRK, srk_auth,
				      data_auth, data, (uint32_t)strlen(data),
				      km[i].blob, &km[i].blob_len, &d->s[i].r);
	step(d, name, SH_STORED);
}

static void km_unseal(struct diff *d, const char *name, bool sealx,
		      const uint8_t *auth, const char *want)
{
	uint8_t out[NSIDES][TC_BUF_MAX];
	uint32_t len[NSIDES] = { 0 };
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		if (sealx)
			s->rc = tc_unsealx(&s->c, TPM_KH_SRK, srk_auth, auth,
					   km[i].blob, km[i].blob_len, out[i],
					   &len[i], &s->r);
		else
			s->rc = tc_unseal(&s->c, TPM_KH_SRK, srk_auth, auth,
					  km[i].blob, km[i].blob_len, out[i],
					  &len[i], &s->r);
	}
	/* Sealx output leaves masked, so only its length is equal. */
	ok = same(d, sealx ? "sz~" : "sz", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++)
		if (len[i] != strlen(want) || memcmp(out[i], want, len[i]))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"unsealed data differs from sealed");
	report(d, name, ok, why);
}

static void km_keys(struct diff *d)
{
	static const struct tc_key_template sign = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1024,
	};
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_make_identity(&d->s[i].c, owner_auth, srk_auth,
					      km_id_auth, 2048, km[i].blob,
					      &km[i].blob_len, &d->s[i].r);
	step(d, "makeidentity", "rest~");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_load_key2(&d->s[i].c, TPM_KH_SRK, srk_auth,
					  km[i].blob, km[i].blob_len,
					  &km[i].id, &d->s[i].r);
	step(d, "load-identity", "u32~");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_get_pub_key(&d->s[i].c, km[i].id, km_id_auth,
					    &km[i].id_pub, &d->s[i].r);
	step(d, "getpubkey-identity", SH_PUB);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_create_wrap_key(&d->s[i].c, TPM_KH_SRK,
						srk_auth, &sign, key_auth,
						key_auth, km[i].blob,
						&km[i].blob_len, &d->s[i].r);
	step(d, "createwrapkey-sign", SH_KEY);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_load_key2(&d->s[i].c, TPM_KH_SRK, srk_auth,
					  km[i].blob, km[i].blob_len,
					  &km[i].sign, &d->s[i].r);
	step(d, "load-sign", "u32~");
}

static void km_certify2(struct diff *d, const char *name, bool by_id,
			const uint8_t *kauth, const uint8_t *cauth)
{
	uint8_t msa[TC_DIGEST_SIZE] = { 0 }, nonce[TC_DIGEST_SIZE];
	size_t info_len;
	int i;

	tc_auth_from_string(name, nonce);
	for (i = 0; i < NSIDES; i++) {
		struct km_side *k = &km[i];

		d->s[i].rc = tc_certify_key2(&d->s[i].c,
					     by_id ? k->sign : k->id, kauth,
					     by_id ? k->id : k->sign, cauth,
					     msa, nonce,
					     by_id ? &k->id_pub : NULL,
					     &info_len, &d->s[i].r);
	}
	step(d, name, SH_CERTIFY_INFO2 " sz~");
}

static void km_asym_start(struct diff *d, const char *name, bool id)
{
	uint8_t nonce[TC_DIGEST_SIZE];
	int i;

	tc_auth_from_string(name, nonce);
	for (i = 0; i < NSIDES; i++) {
		struct km_side *k = &km[i];

		const uint8_t *auth = id ? km_id_auth : key_auth;

		d->s[i].rc = tc_change_auth_asym_start(&d->s[i].c,
						       id ? k->id : k->sign,
						       auth, nonce, 1024,
						       &k->id_pub, &k->eph,
						       &k->eph_pub,
						       &d->s[i].r);
	}
	step(d, name, SH_CERTIFY_INFO " sz~ u32~ " SH_KEY);
}

/*
 * ChangeAuthAsymFinish of the sealed blob in km[].blob (data_auth ->
 * km_new_auth), keeping the new blob; returns the side whose blob now
 * has the new secret (bit 0: A, bit 1: B).  libtpms answers
 * TPM_AUTHFAIL to every well-formed request (whatever the newAuthLink
 * construction or handle digest tried), where Part 3, 17.3 steps 4-8
 * change the secret: that one answer is an allowed difference
 * (docs/diff-allowed.md, "changeauthasymfinish").
 */
static unsigned int km_asym_finish(struct diff *d, const char *name,
				   const uint8_t *cur, bool allow)
{
	char why[WHY_MAX] = "";
	unsigned int changed = 0;
	bool ok;
	uint8_t out[TC_BUF_MAX];
	uint32_t out_len;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct km_side *k = &km[i];
		size_t head;
		const uint8_t *enc;
		uint32_t elen;

		/* TPM_STORED_DATA: encData is the last sized field. */
		head = k->blob_len;
		enc = NULL;
		elen = 0;
		if (k->blob_len >= 4 + 4 + 4) {
			uint32_t sil = (uint32_t)k->blob[4] << 24 |
				       (uint32_t)k->blob[5] << 16 |
				       (uint32_t)k->blob[6] << 8 | k->blob[7];

			head = 8 + (size_t)sil;
			if (head + 4 <= k->blob_len) {
				enc = k->blob + head + 4;
				elen = (uint32_t)(k->blob_len - head - 4);
			}
		}
		d->s[i].rc = tc_change_auth_asym_finish(&d->s[i].c, TPM_KH_SRK,
							srk_auth, k->eph,
							&k->eph_pub,
							TPM_ET_DATA, cur,
							km_new_auth, enc, elen,
							out, &out_len,
							&d->s[i].r);
		if (d->s[i].rc == 0 && head + 4 + out_len <= TC_BUF_MAX) {
			tb_wr_be32(k->blob + head, out_len);
			memcpy(k->blob + head + 4, out, out_len);
			k->blob_len = head + 4 + out_len;
			changed |= 1u << i;
		}
	}
	ok = same(d, "sz~ b20~ b20~", why, sizeof(why));
	if (!ok && allow && d->s[0].rc == TPM_SUCCESS &&
	    d->s[1].rc == (int)TPM_AUTHFAIL && d->s[1].r.len == 10) {
		ok = true;
		d->allowed = "libtpms refuses TPM_ChangeAuthAsymFinish "
			     "(TPM_AUTHFAIL); tpmd changes the secret and its "
			     "changeProof verifies";
	}
	report(d, name, ok, why);
	return changed;
}

/* Unseal km[].blob on each side with the secret that side's blob has:
 * @changed says which sides hold the new one (@right picks the right or
 * the wrong secret for each). */
static void km_unseal_after(struct diff *d, const char *name,
			    unsigned int changed, bool right)
{
	uint8_t out[NSIDES][TC_BUF_MAX];
	uint32_t len[NSIDES] = { 0 };
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++) {
		bool has_new = changed & (1u << i);
		const uint8_t *a = has_new == right ? km_new_auth : data_auth;

		d->s[i].rc = tc_unseal(&d->s[i].c, TPM_KH_SRK, srk_auth, a,
				       km[i].blob, km[i].blob_len, out[i],
				       &len[i], &d->s[i].r);
	}
	ok = same(d, "sz", why, sizeof(why));
	for (i = 0; ok && right && both_ok(d) && i < NSIDES; i++)
		if (len[i] != strlen("seal-for-asym") ||
		    memcmp(out[i], "seal-for-asym", len[i]))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"unsealed data differs from sealed");
	report(d, name, ok, why);
}

static void km_reset(struct diff *d)
{
	struct tc_session s[NSIDES];
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_oiap(&d->s[i].c, &s[i], key_auth, &d->s[i].r);
	step(d, "oiap-before-reset", "u32~ b20~");
	raw(d, "reset", "", "00c1 0000000a 0000005a");
	/* The session is gone: flushing it fails the same way on both. */
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c, s[i].handle,
					       TPM_RT_AUTH, &d->s[i].r);
	step(d, "flush-session-after-reset", "");
	raw(d, "reset-trailing", "", "00c1 0000000e 0000005a 00000000");
}

static void scen_keysmisc(struct diff *d)
{
	unsigned int changed;

	ensure_owned(d);
	tc_auth_from_string("tpmdiff identity", km_id_auth);
	tc_auth_from_string("tpmdiff new", km_new_auth);
	/* Locality 0 may not reset tpmEstablished (Part 3, 6.7). */
	raw(d, "reset-establishment-loc0", "", "00c1 0000000a 4000000b");
	/* Optional commands neither TPM implements (architecture.md). */
	raw(d, "setredirection", "", "00c1 00000016 0000009a 00000000"
	    "00000001 00000000");
	raw(d, "fieldupgrade", "", "00c1 0000000a 000000aa");
	cap32(d, "ord-setredirection", TPM_CAP_ORD, TPM_ORD_SetRedirection,
	      "sz");
	cap32(d, "ord-fieldupgrade", TPM_CAP_ORD, TPM_ORD_FieldUpgrade, "sz");
	cap32(d, "ord-sealx", TPM_CAP_ORD, TPM_ORD_Sealx, "sz");
	/* Earlier scenarios leave the two TPMs' dictionary-attack counters
	 * at different places (their lockout policies differ): each wrong
	 * secret below comes right after a ResetLockValue. */
	reset_lock(d, "resetlockvalue-start");
	km_sealx(d, "sealx", "tpmdiff sealx");
	km_unseal(d, "unseal-sealx", true, data_auth, "tpmdiff sealx");
	km_unseal(d, "unseal-sealx-wrong-auth", true, wrong_auth, "");
	reset_lock(d, "resetlockvalue-sealx");
	km_unseal(d, "unseal-sealx-oiap-parent", false, data_auth, "");
	km_keys(d);
	km_certify2(d, "certifykey2", true, key_auth, km_id_auth);
	km_certify2(d, "certifykey2-wrong-certauth", true, key_auth,
		    wrong_auth);
	reset_lock(d, "resetlockvalue-certauth");
	km_certify2(d, "certifykey2-wrong-keyauth", true, wrong_auth,
		    km_id_auth);
	reset_lock(d, "resetlockvalue-keyauth");
	km_certify2(d, "certifykey2-one-area", true, NULL, km_id_auth);
	reset_lock(d, "resetlockvalue-one-area");
	km_certify2(d, "certifykey2-by-identity-reversed", false,
		    km_id_auth, key_auth);
	km_asym_start(d, "changeauthasymstart-not-identity", false);
	km_asym_start(d, "changeauthasymstart", true);
	seal(d, "seal-for-asym", 0, 0);
	for (int i = 0; i < NSIDES; i++) {
		memcpy(km[i].blob, d->s[i].blob[0], d->s[i].blob_len[0]);
		km[i].blob_len = d->s[i].blob_len[0];
	}
	km_asym_finish(d, "changeauthasymfinish-wrong-link", wrong_auth,
		       false);
	reset_lock(d, "resetlockvalue-link");
	changed = km_asym_finish(d, "changeauthasymfinish", data_auth, true);
	reset_lock(d, "resetlockvalue");
	km_unseal_after(d, "unseal-after-asym", changed, true);
	km_unseal_after(d, "unseal-after-asym-other-auth", changed, false);
	reset_lock(d, "resetlockvalue-2");
	km_reset(d);
	for (int i = 0; i < NSIDES; i++) {
		tc_flush_specific(&d->s[i].c, km[i].id, TPM_RT_KEY,
				  &d->s[i].r);
		tc_flush_specific(&d->s[i].c, km[i].sign, TPM_RT_KEY,
				  &d->s[i].r);
	}
}

/* ---- issue 3 anchor: keysmisc scenarios go above this line ---- */

/* ---- scenarios: ordA (ChangeAuth, ChangeAuthOwner, DIR, UnBind,
 * MigrateKey, LoadKey, EvictKey, CertifyKey) ---- */

/* What the ordA scenarios keep per TPM between their steps. */
struct oa_side {
	uint32_t sign, bind, ma;
	struct tc_pubkey sign_pub, bind_pub, ma_pub;
	uint8_t out[TC_BUF_MAX];
	uint32_t out_len;
};

static struct oa_side oa[NSIDES];
static uint8_t oa_new_auth[TC_DIGEST_SIZE];

static const struct tc_key_template oa_sign_tmpl = {
	.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
	.enc_scheme = TPM_ES_NONE,
	.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1024,
};

static const struct tc_key_template oa_bind_tmpl = {
	.usage = TPM_KEY_BIND, .auth_usage = TPM_AUTH_ALWAYS,
	.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1, .sig_scheme = TPM_SS_NONE,
	.key_bits = 2048,
};

/* The encData of the TPM_KEY (et TPM_ET_KEY) or TPM_STORED_DATA in
 * @blob: *head gets the bytes before its size field. */
static int oa_enc_of(uint16_t et, const uint8_t *blob, size_t len,
		     size_t *head, const uint8_t **enc, uint32_t *elen)
{
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;

	if (et == TPM_ET_KEY)
		return tc_key_split(blob, len, head, enc, elen);
	/* TPM_STORED_DATA: ver, sealInfo, encData. */
	tb_init_read(&b, blob, len);
	if (tb_skip(&b, 4) || tb_get_sized(&b, &p, &n, TC_BUF_MAX))
		return -EBADMSG;
	*head = b.pos;
	if (tb_get_sized(&b, enc, elen, TC_BUF_MAX) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

/* ChangeAuth of the entity in blob[@slot] (parent SRK); on success the
 * blob with the new encData goes to blob[@dst]. */
static void oa_change_auth(struct diff *d, const char *name, int slot,
			   int dst, uint16_t et, const uint8_t *parent_auth,
			   const uint8_t *cur)
{
	static uint8_t out[TC_BUF_MAX];
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		const uint8_t *enc = NULL;
		uint32_t elen = 0, olen = 0;
		size_t head = 0;

		oa_enc_of(et == TPM_ET_DATA ? TPM_ET_DATA : TPM_ET_KEY,
			  s->blob[slot], s->blob_len[slot], &head, &enc,
			  &elen);
		s->rc = tc_change_auth(&s->c, TPM_KH_SRK, parent_auth, et, cur,
				       oa_new_auth, enc, elen, out, &olen,
				       &s->r);
		if (s->rc || head + 4 + olen > TC_BUF_MAX)
			continue;
		memmove(s->blob[dst], s->blob[slot], head);
		tb_wr_be32(s->blob[dst] + head, olen);
		memcpy(s->blob[dst] + head + 4, out, olen);
		s->blob_len[dst] = head + 4 + olen;
	}
	step(d, name, "sz~");
}

/* Sign with each side's s->handle under @auth; verified with sign_pub. */
static void oa_sign(struct diff *d, const char *name, const uint8_t *auth)
{
	uint8_t digest[TC_DIGEST_SIZE], sig[NSIDES][TC_MAX_MODULUS];
	uint32_t sig_len[NSIDES] = { 0 };
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	tc_sha1(name, strlen(name), digest);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_sign(&d->s[i].c, d->s[i].handle, auth, digest,
				     TC_DIGEST_SIZE, sig[i], &sig_len[i],
				     &d->s[i].r);
	ok = same(d, "sz~", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		int err = tc_rsa_verify_sha1(&d->s[i].sign_pub, digest,
					     sig[i], sig_len[i]);

		if (err)
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"signature: %s", errstr(err));
	}
	report(d, name, ok, why);
}

static void scen_orda_changeauth(struct diff *d)
{
	ensure_owned(d);
	tc_auth_from_string("tpmdiff ordA new", oa_new_auth);
	create_key(d, "create-sign", 0, false, &oa_sign_tmpl);
	reset_lock(d, "resetlockvalue-start");
	oa_change_auth(d, "changeauth-wrong-parent-auth", 0, 1, TPM_ET_KEY,
		       wrong_auth, key_auth);
	reset_lock(d, "resetlockvalue-parent");
	oa_change_auth(d, "changeauth-wrong-entity-auth", 0, 1, TPM_ET_KEY,
		       srk_auth, wrong_auth);
	reset_lock(d, "resetlockvalue-entity");
	oa_change_auth(d, "changeauth-bad-entity-type", 0, 1, TPM_ET_OWNER,
		       srk_auth, key_auth);
	oa_change_auth(d, "changeauth-key", 0, 1, TPM_ET_KEY, srk_auth,
		       key_auth);
	/* The re-wrapped blob loads, and its key takes the new secret. */
	load_key(d, "load-changed", 1, false);
	get_pub_key(d, "getpubkey-changed", 0, oa_new_auth, true);
	oa_sign(d, "sign-new-auth", oa_new_auth);
	reset_lock(d, "resetlockvalue-sign");
	oa_sign(d, "sign-old-auth", key_auth);
	reset_lock(d, "resetlockvalue-sign-old");
	flush_key(d, "flush-changed");
	/* The same for sealed data (TPM_ET_DATA). */
	seal(d, "seal-to-change", 2, 0);
	oa_change_auth(d, "changeauth-data", 2, 2, TPM_ET_DATA, srk_auth,
		       data_auth);
	unseal(d, "unseal-new-auth", 2, oa_new_auth, "seal-to-change", false);
	reset_lock(d, "resetlockvalue-unseal");
	unseal(d, "unseal-old-auth", 2, data_auth, "", false);
	reset_lock(d, "resetlockvalue");
}

static void oa_owner_change(struct diff *d, const char *name,
			    const uint8_t *cur, uint16_t et,
			    const uint8_t *next)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_change_auth_owner(&d->s[i].c, cur, et, next,
						  &d->s[i].r);
	step(d, name, "");
}

static void oa_owner_read(struct diff *d, const char *name,
			  const uint8_t *auth)
{
	struct tc_pubkey pk;
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_owner_read_pubek(&d->s[i].c, auth, &pk,
						 &d->s[i].r);
	step(d, name, SH_PUB);
}

static void oa_dir_write(struct diff *d, const char *name,
			 const uint8_t *auth, uint32_t index, const char *v)
{
	uint8_t value[TC_DIGEST_SIZE];
	int i;

	tc_sha1(v, strlen(v), value);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_dir_write_auth(&d->s[i].c, auth, index, value,
					       &d->s[i].r);
	step(d, name, "");
}

/* DirRead; @v (when not NULL) is what DIR @index must hold. */
static void oa_dir_read(struct diff *d, const char *name, uint32_t index,
			const char *v)
{
	uint8_t want[TC_DIGEST_SIZE], got[NSIDES][TC_DIGEST_SIZE];
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_dir_read(&d->s[i].c, index, got[i],
					 &d->s[i].r);
	ok = same(d, "b20", why, sizeof(why));
	if (v)
		tc_sha1(v, strlen(v), want);
	for (i = 0; v && ok && both_ok(d) && i < NSIDES; i++)
		if (memcmp(got[i], want, TC_DIGEST_SIZE))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"DIR %u is not the value written",
					index);
	report(d, name, ok, why);
}

static void scen_orda_owner(struct diff *d)
{
	struct tc_rsp r;
	int i;

	ensure_owned(d);
	tc_auth_from_string("tpmdiff ordA new", oa_new_auth);
	reset_lock(d, "resetlockvalue-start");
	oa_owner_change(d, "changeauthowner-wrong-auth", wrong_auth,
			TPM_ET_OWNER, oa_new_auth);
	reset_lock(d, "resetlockvalue-wrong");
	oa_owner_change(d, "changeauthowner-bad-entity-type", owner_auth,
			TPM_ET_KEY, oa_new_auth);
	oa_owner_read(d, "ownerreadpubek-unchanged", owner_auth);
	oa_owner_change(d, "changeauthowner", owner_auth, TPM_ET_OWNER,
			oa_new_auth);
	oa_owner_read(d, "ownerreadpubek-new-auth", oa_new_auth);
	oa_owner_read(d, "ownerreadpubek-old-auth", owner_auth);
	oa_owner_change(d, "changeauthowner-back", oa_new_auth, TPM_ET_OWNER,
			owner_auth);
	/* Later scenarios need the well-known owner secret back. */
	for (i = 0; i < NSIDES; i++)
		if (d->s[i].rc)
			tc_change_auth_owner(&d->s[i].c, oa_new_auth,
					     TPM_ET_OWNER, owner_auth, &r);
	oa_owner_read(d, "ownerreadpubek-restored", owner_auth);
	reset_lock(d, "resetlockvalue-owner");
	oa_dir_write(d, "dirwriteauth-0", owner_auth, 0, "tpmdiff dir 0");
	oa_dir_read(d, "dirread-0", 0, "tpmdiff dir 0");
	oa_dir_read(d, "dirread-1-badindex", 1, NULL);
	oa_dir_write(d, "dirwriteauth-1-badindex", owner_auth, 1, "dir 1");
	oa_dir_write(d, "dirwriteauth-wrong-auth", wrong_auth, 0, "other");
	reset_lock(d, "resetlockvalue-dir");
	oa_dir_read(d, "dirread-0-unchanged", 0, "tpmdiff dir 0");
	oa_dir_write(d, "dirwriteauth-0-zero-back", owner_auth, 0, "");
}

/* TPM_BOUND_DATA (Part 2, 9.5): ver 1.1.0.0, @payload, then @msg. */
static size_t oa_bound_data(uint8_t *out, uint8_t payload, const char *msg)
{
	size_t n = strlen(msg);

	memcpy(out, "\x01\x01\x00\x00", 4);
	out[4] = payload;
	memcpy(out + 5, msg, n);
	return 5 + n;
}

/* UnBind with each side's bind key: of a TPM_BOUND_DATA (@payload, @msg)
 * OAEP-encrypted here (one bit flipped when @corrupt), or, with @use_out,
 * of what the other TPM's MigrateKey made; the result must be @msg. */
static void oa_unbind(struct diff *d, const char *name, const uint8_t *auth,
		      uint8_t payload, const char *msg, bool corrupt,
		      bool use_out)
{
	uint8_t plain[TC_BUF_MAX], enc[TC_MAX_MODULUS];
	uint8_t out[NSIDES][TC_MAX_MODULUS];
	uint32_t out_len[NSIDES] = { 0 };
	char why[WHY_MAX] = "";
	size_t n, elen;
	bool ok;
	int i;

	n = oa_bound_data(plain, payload, msg);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		const uint8_t *in = enc;
		uint32_t inlen;

		if (use_out) {
			/* What the other TPM's MigrateKey made for us. */
			in = oa[NSIDES - 1 - i].out;
			inlen = oa[NSIDES - 1 - i].out_len;
		} else {
			elen = 0;
			tc_rsa_oaep_encrypt(&oa[i].bind_pub, plain, n, enc,
					    &elen);
			if (corrupt && elen)
				enc[elen / 2] ^= 0x01;
			inlen = (uint32_t)elen;
		}
		s->rc = tc_unbind(&s->c, oa[i].bind, auth, in, inlen, out[i],
				  &out_len[i], &s->r);
	}
	ok = same(d, "sz", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++)
		if (out_len[i] != strlen(msg) ||
		    memcmp(out[i], msg, out_len[i]))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"unbound data is not what was bound");
	report(d, name, ok, why);
}

/* Load blob[@slot] under the SRK with LoadKey2 and read its public key:
 * each side's s->handle and s->sign_pub then hold them. */
static void oa_load_pub(struct diff *d, const char *name, int slot)
{
	char sub[64];

	load_key(d, name, slot, false);
	snprintf(sub, sizeof(sub), "%s-getpubkey", name);
	get_pub_key(d, sub, 0, key_auth, true);
}

/* MigrateKey of a TPM_BOUND_DATA of @msg, OAEP-encrypted to each side's
 * migrate key @ma[i], to the other TPM's bind key (or @dest). */
static void oa_migrate(struct diff *d, const char *name, bool by_bind,
		       const uint8_t *auth, const struct tc_pubkey *dest,
		       const char *msg)
{
	uint8_t plain[TC_BUF_MAX], enc[TC_MAX_MODULUS];
	size_t n, elen;
	int i;

	n = oa_bound_data(plain, TPM_PT_BIND, msg);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		struct oa_side *o = &oa[i];

		elen = 0;
		tc_rsa_oaep_encrypt(&o->ma_pub, plain, n, enc, &elen);
		s->rc = tc_migrate_key(&s->c, by_bind ? o->bind : o->ma, auth,
				       dest ? dest :
				       &oa[NSIDES - 1 - i].bind_pub,
				       enc, (uint32_t)elen, o->out,
				       &o->out_len, &s->r);
	}
	step(d, name, "sz~");
}

static void scen_orda_bind(struct diff *d)
{
	static const struct tc_key_template ma_tmpl = {
		.usage = TPM_KEY_MIGRATE, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
		.sig_scheme = TPM_SS_NONE, .key_bits = 2048,
	};
	int i;

	ensure_owned(d);
	tc_auth_from_string("tpmdiff ordA new", oa_new_auth);
	create_key(d, "create-bind", 0, false, &oa_bind_tmpl);
	oa_load_pub(d, "load-bind", 0);
	for (i = 0; i < NSIDES; i++) {
		oa[i].bind = d->s[i].handle;
		oa[i].bind_pub = d->s[i].sign_pub;
	}
	oa_unbind(d, "unbind", key_auth, TPM_PT_BIND, "tpmdiff bound",
		  false, false);
	reset_lock(d, "resetlockvalue-start");
	oa_unbind(d, "unbind-wrong-auth", wrong_auth, TPM_PT_BIND,
		  "tpmdiff bound", false, false);
	reset_lock(d, "resetlockvalue-unbind");
	oa_unbind(d, "unbind-not-bound-data", key_auth, TPM_PT_SEAL,
		  "tpmdiff bound", false, false);
	oa_unbind(d, "unbind-corrupt", key_auth, TPM_PT_BIND,
		  "tpmdiff bound", true, false);
	/* MigrateKey: from a TPM_KEY_MIGRATE key to the other TPM's bind
	 * key, which then unbinds it. */
	create_key(d, "create-migrate-key", 1, false, &ma_tmpl);
	oa_load_pub(d, "load-migrate-key", 1);
	for (i = 0; i < NSIDES; i++) {
		oa[i].ma = d->s[i].handle;
		oa[i].ma_pub = d->s[i].sign_pub;
	}
	oa_migrate(d, "migratekey", false, key_auth, NULL,
		   "tpmdiff migratekey");
	if (both_ok(d))
		oa_unbind(d, "unbind-migrated", key_auth, TPM_PT_BIND,
			  "tpmdiff migratekey", false, true);
	reset_lock(d, "resetlockvalue-migrate");
	oa_migrate(d, "migratekey-wrong-auth", false, wrong_auth, NULL,
		   "tpmdiff migratekey");
	reset_lock(d, "resetlockvalue-migrate-wrong");
	oa_migrate(d, "migratekey-not-migrate-key", true, key_auth, NULL,
		   "tpmdiff migratekey");
	for (i = 0; i < NSIDES; i++)
		d->s[i].handle = oa[i].ma;
	flush_key(d, "flush-migrate-key");
	for (i = 0; i < NSIDES; i++)
		d->s[i].handle = oa[i].bind;
	flush_key(d, "flush-bind");
}

static void oa_load_key(struct diff *d, const char *name, int slot,
			const uint8_t *auth, bool tamper)
{
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		size_t len = s->blob_len[slot];
		uint8_t *last = &s->blob[slot][len ? len - 1 : 0];

		*last ^= tamper;
		s->handle = 0;
		s->rc = tc_load_key(&s->c, TPM_KH_SRK, auth, s->blob[slot],
				    len, &s->handle, &s->r);
		*last ^= tamper;
	}
	step(d, name, "u32~");
}

/* CertifyKey of each side's bind key by its signing key (or swapped);
 * the signature is verified with the certifying key's public key and
 * pubkeyDigest checked against the certified key. */
static void oa_certify(struct diff *d, const char *name, bool swap,
		       const uint8_t *cauth, const uint8_t *kauth)
{
	uint8_t nonce[TC_DIGEST_SIZE], info[NSIDES][TC_BUF_MAX];
	uint8_t want[TC_DIGEST_SIZE];
	size_t info_len[NSIDES] = { 0 };
	/* ver, usage, flags, authDataUsage, TPM_KEY_PARMS of RSA-2048. */
	const size_t digest_off = 4 + 2 + 4 + 1 + 4 + 2 + 2 + 4 + 12;
	char why[WHY_MAX] = "";
	bool ok;
	int i;

	tc_sha1(name, strlen(name), nonce);
	for (i = 0; i < NSIDES; i++) {
		struct oa_side *o = &oa[i];

		d->s[i].rc = tc_certify_key(&d->s[i].c,
					    swap ? o->bind : o->sign, cauth,
					    swap ? o->sign : o->bind, kauth,
					    nonce, &o->sign_pub, info[i],
					    &info_len[i], &d->s[i].r);
	}
	ok = same(d, SH_CERTIFY_INFO " sz~", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		/* Part 2, 11.1: the digest of TPM_KEY -> pubKey -> key. */
		tc_sha1(oa[i].bind_pub.modulus, oa[i].bind_pub.modulus_len,
			want);
		if (info_len[i] < digest_off + TC_DIGEST_SIZE ||
		    memcmp(info[i] + digest_off, want, TC_DIGEST_SIZE))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"pubkeyDigest is not the certified "
					"key's");
	}
	report(d, name, ok, why);
}

static void oa_evict(struct diff *d, const char *name, bool bind,
		     uint32_t handle)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_evict_key(&d->s[i].c,
					  handle ? handle :
					  bind ? oa[i].bind : oa[i].sign,
					  &d->s[i].r);
	step(d, name, "");
}

static void scen_orda_loadkey(struct diff *d)
{
	int i;

	ensure_owned(d);
	tc_auth_from_string("tpmdiff ordA new", oa_new_auth);
	create_key(d, "create-sign", 0, false, &oa_sign_tmpl);
	create_key(d, "create-bind", 1, false, &oa_bind_tmpl);
	reset_lock(d, "resetlockvalue-start");
	oa_load_key(d, "loadkey-wrong-parent-auth", 0, wrong_auth, false);
	reset_lock(d, "resetlockvalue-load");
	oa_load_key(d, "loadkey-tampered", 0, srk_auth, true);
	oa_load_key(d, "loadkey-sign", 0, srk_auth, false);
	for (i = 0; i < NSIDES; i++)
		oa[i].sign = d->s[i].handle;
	get_pub_key(d, "getpubkey-sign", 0, key_auth, true);
	for (i = 0; i < NSIDES; i++)
		oa[i].sign_pub = d->s[i].sign_pub;
	oa_sign(d, "sign-loadkey", key_auth);
	oa_load_key(d, "loadkey-bind", 1, srk_auth, false);
	for (i = 0; i < NSIDES; i++)
		oa[i].bind = d->s[i].handle;
	get_pub_key(d, "getpubkey-bind", 0, key_auth, true);
	for (i = 0; i < NSIDES; i++) {
		oa[i].bind_pub = d->s[i].sign_pub;
		d->s[i].sign_pub = oa[i].sign_pub;
	}
	oa_certify(d, "certifykey", false, key_auth, key_auth);
	reset_lock(d, "resetlockvalue-certify");
	oa_certify(d, "certifykey-wrong-cert-auth", false, wrong_auth,
		   key_auth);
	reset_lock(d, "resetlockvalue-cert-auth");
	oa_certify(d, "certifykey-wrong-key-auth", false, key_auth,
		   wrong_auth);
	reset_lock(d, "resetlockvalue-key-auth");
	oa_certify(d, "certifykey-by-bind-key", true, key_auth, key_auth);
	/* EvictKey: the key is gone afterwards. */
	oa_evict(d, "evictkey", false, 0);
	for (i = 0; i < NSIDES; i++)
		d->s[i].handle = oa[i].sign;
	oa_sign(d, "sign-evicted", key_auth);
	oa_evict(d, "evictkey-again", false, 0);
	oa_evict(d, "evictkey-bad-handle", false, 0x0badbad0U);
	/* Earlier scenarios leave different key counts (see context), so
	 * the evicted key is observed by handle, not by TPM_CAP_HANDLE. */
	oa_evict(d, "evictkey-bind", true, 0);
	for (i = 0; i < NSIDES; i++)
		d->s[i].handle = oa[i].bind;
	get_pub_key(d, "getpubkey-evicted", 0, key_auth, true);
}

/* ---- anchor: diffA scenarios go above this line ---- */

/* ---- scenarios: diffB (Quote2 and the administrative opt-in ordinals) ---- */

/* Operator secret set by SetOperatorAuth in ordB-operatorauth. */
static const uint8_t ordb_operator_auth[TC_DIGEST_SIZE] = "tpmdiff operator!!!";
/* GetRandom(16), refused while disabled or deactivated. */
#define ORDB_GETRANDOM	"00c1 0000000e 00000046 00000010"
/* TPM_CAP_VERSION_INFO: revision and vendor fields are the vendor's. */
#define SH_ORDB_VERSION	"u16 u8 u8 u8~ u8~ u16 u8 b4~ s16*"
/*
 * GetCapabilityOwner's non_volatile_flags bit n is field n of
 * TPM_PERMANENT_FLAGS; these are the fields SH_PERM_FLAGS leaves
 * uncompared (allowMaintenance, physicalPresenceHWEnable, CEKPUsed,
 * TPMpost, TPMpostLock, FIPS, tpmEstablished).
 */
#define ORDB_PF_VENDOR	(1U << 5 | 1U << 7 | 1U << 9 | 1U << 10 | \
			 1U << 11 | 1U << 12 | 1U << 17)

/* Send the same command to both sides, under @auth (NULL: none). */
static bool ordb_send(struct diff *d, const char *name, const char *shape,
		      struct tc_cmd *cmd, const uint8_t *auth)
{
	int i;

	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_call_auth(&d->s[i].c, cmd, auth, &d->s[i].r);
	return step(d, name, shape);
}

/* An ordinal whose only parameter is a BOOL. */
static bool ordb_bool(struct diff *d, const char *name, uint32_t ord,
		      uint8_t v, const uint8_t *auth)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, ord);
	tc_cmd_u8(&cmd, v);
	return ordb_send(d, name, "", &cmd, auth);
}

static bool ordb_setcap(struct diff *d, const char *name, uint32_t area,
			uint32_t sub, uint8_t v, const uint8_t *auth)
{
	uint8_t sub_be[4];
	struct tc_cmd cmd;

	tb_wr_be32(sub_be, sub);
	tc_cmd_init(&cmd, TPM_ORD_SetCapability);
	tc_cmd_u32(&cmd, area);
	tc_cmd_sized(&cmd, sub_be, sizeof(sub_be));
	tc_cmd_sized(&cmd, &v, 1);
	return ordb_send(d, name, "", &cmd, auth);
}

static void ordb_quote2(struct diff *d, const char *name, uint32_t mask,
			bool add_version, const uint8_t *auth)
{
	static uint8_t vals[NSIDES][24][TC_DIGEST_SIZE];
	uint8_t nonce[TC_DIGEST_SIZE];
	struct tc_rsp r;
	int i, k, rc;

	tc_sha1(name, strlen(name), nonce);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		/* Each side's own PCR values, read just before. */
		rc = 0;
		for (k = 0; k < 24 && !rc; k++)
			if (mask >> k & 1)
				rc = tc_pcr_read(&s->c, (uint32_t)k,
						 vals[i][k], &r);
		s->rc = rc ? rc : tc_quote2(&s->c, s->handle, auth, nonce,
					    mask, add_version, vals[i],
					    &s->sign_pub, &s->r);
	}
	step(d, name, add_version ?
	     SH_PCR_SHORT " sz(" SH_ORDB_VERSION ") sz~" :
	     SH_PCR_SHORT " sz sz~");
}

static void scen_ordb_quote2(struct diff *d)
{
	static const struct tc_key_template sign = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1024,
	};
	const uint32_t mask = 1u << 0 | 1u << 10 | 1u << 16;
	struct tc_cmd cmd;

	ensure_owned(d);
	create_key(d, "setup-createwrapkey", 0, false, &sign);
	load_key(d, "setup-loadkey2", 0, false);
	get_pub_key(d, "setup-getpubkey", 0, key_auth, true);
	pcr_extend(d, "extend-16", 16, "tpmdiff quote2");
	ordb_quote2(d, "quote2", mask, false, key_auth);
	ordb_quote2(d, "quote2-addversion", mask, true, key_auth);
	/* One PCR only, and the selection's third byte. */
	ordb_quote2(d, "quote2-16", 1u << 16, true, key_auth);
	ordb_quote2(d, "quote2-wrong-auth", mask, false, wrong_auth);
	/* A BOOL is 0 or 1. */
	tc_cmd_init(&cmd, TPM_ORD_Quote2);
	tc_cmd_handle(&cmd, 0x0badbad0U);
	tc_cmd_bytes(&cmd, tc_well_known, TC_DIGEST_SIZE);
	tc_cmd_pcr_selection(&cmd, mask);
	tc_cmd_u8(&cmd, 0);
	ordb_send(d, "quote2-bad-handle", "", &cmd, key_auth);
	tc_cmd_init(&cmd, TPM_ORD_Quote2);
	tc_cmd_handle(&cmd, d->s[0].handle);
	tc_cmd_bytes(&cmd, tc_well_known, TC_DIGEST_SIZE);
	ordb_send(d, "quote2-truncated", "", &cmd, NULL);
	flush_key(d, "flush-key");
	reset_lock(d, "resetlockvalue");
}

/* Bitmap of the TPM_PERMANENT_FLAGS that @s returned to GetCapability. */
static bool ordb_perm_bitmap(const struct side *s, uint32_t *bits)
{
	struct tc_rsp r = s->r;
	struct tpm_buf b;
	uint32_t n, k;
	uint16_t tag;
	uint8_t v;

	tc_rsp_params(&r, &b);
	if (tb_get_u32(&b, &n) || tb_get_u16(&b, &tag) || n < 2 || n > 34)
		return false;
	*bits = 0;
	for (k = 0; k < n - 2; k++) {
		if (tb_get_u8(&b, &v))
			return false;
		*bits |= (uint32_t)(v & 1) << k;
	}
	return true;
}

static void ordb_getcap_owner(struct diff *d, const char *name,
			      const uint8_t *auth)
{
	uint32_t nv[NSIDES] = { 0 }, perm[NSIDES] = { 0 };
	char why[WHY_MAX] = "";
	struct tc_cmd cmd;
	struct tpm_buf b;
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_get_capability(&s->c, TPM_CAP_FLAG, "\0\0\x01\x08",
					  4, &s->r);
		if (s->rc || !ordb_perm_bitmap(s, &perm[i]))
			perm[i] = ~0U;
		tc_cmd_init(&cmd, TPM_ORD_GetCapabilityOwner);
		s->rc = tc_call_auth(&s->c, &cmd, auth, &s->r);
		tc_rsp_params(&s->r, &b);
		if (!s->rc && (tb_skip(&b, 4) || tb_get_u32(&b, &nv[i])))
			s->rc = -EBADMSG;
	}
	/* TPM_VERSION: revision bytes are the vendor's. */
	ok = same(d, "u8 u8 u8~ u8~ u32~ u32", why, sizeof(why));
	if (ok && both_ok(d) &&
	    (nv[0] & ~ORDB_PF_VENDOR) != (nv[1] & ~ORDB_PF_VENDOR))
		ok = side_fails(why, sizeof(why), 'A',
				"non_volatile_flags 0x%x, B 0x%x", nv[0],
				nv[1]);
	/* Each side's bitmap is its own GetCapability flags. */
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++)
		if (nv[i] != perm[i])
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"non_volatile_flags 0x%x, "
					"TPM_PERMANENT_FLAGS 0x%x", nv[i],
					perm[i]);
	report(d, name, ok, why);
}

static void scen_ordb_getcap_owner(struct diff *d)
{
	struct tc_cmd cmd;

	ensure_owned(d);
	/* A fresh tpmd has physicalPresenceCMDEnable set (SH_PERM_FLAGS). */
	pp_present(d, "pp-present");
	ordb_getcap_owner(d, "getcapowner", owner_auth);
	ordb_getcap_owner(d, "getcapowner-wrong-auth", wrong_auth);
	tc_cmd_init(&cmd, TPM_ORD_GetCapabilityOwner);
	ordb_send(d, "getcapowner-no-auth", "", &cmd, NULL);
	reset_lock(d, "resetlockvalue");
}

static void scen_ordb_owner_set_disable(struct diff *d)
{
	ensure_owned(d);
	pp_present(d, "pp-present");
	ordb_bool(d, "disable-wrong-auth", TPM_ORD_OwnerSetDisable, 1,
		  wrong_auth);
	raw(d, "getrandom-still-enabled", "sz~", ORDB_GETRANDOM);
	ordb_bool(d, "disable", TPM_ORD_OwnerSetDisable, 1, owner_auth);
	flags(d, "disabled");
	raw(d, "getrandom-disabled", "sz~", ORDB_GETRANDOM);
	ordb_bool(d, "enable", TPM_ORD_OwnerSetDisable, 0, owner_auth);
	flags(d, "enabled");
	raw(d, "getrandom-enabled", "sz~", ORDB_GETRANDOM);
	reset_lock(d, "resetlockvalue");
}

static void scen_ordb_pubek(struct diff *d)
{
	struct tc_pubkey pk[NSIDES];
	char why[WHY_MAX] = "";
	struct tc_cmd cmd;
	bool ok;
	int i;

	ensure_owned(d);
	pp_present(d, "pp-present");
	/*
	 * The clear scenario's ForceClear left TPM_PERMANENT_FLAGS
	 * deactivated TRUE (in force only from the next Startup); tpmd's
	 * SetCapability wrongly refuses owner flags on it (TPM_DEACTIVATED)
	 * where libtpms looks at the STCLEAR flag only.  Clear it first.
	 */
	set_deactivated(d, "set-deactivated-false", false);
	/* TakeOwnership cleared readPubek; the owner may set it again. */
	ordb_setcap(d, "setcap-readpubek-true", TPM_SET_PERM_FLAGS,
		    TPM_PF_READPUBEK, 1, owner_auth);
	read_pubek(d, "readpubek-allowed");
	tc_cmd_init(&cmd, TPM_ORD_DisablePubekRead);
	ordb_send(d, "disable-wrong-auth", "", &cmd, wrong_auth);
	ordb_send(d, "disable-no-auth", "", &cmd, NULL);
	ordb_send(d, "disable", "", &cmd, owner_auth);
	flags(d, "disabled");
	read_pubek(d, "readpubek-refused");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_owner_read_pubek(&d->s[i].c, owner_auth, &pk[i],
						 &d->s[i].r);
	ok = same(d, SH_PUB, why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++)
		if (memcmp(pk[i].modulus, d->s[i].ek.modulus, 256))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"OwnerReadPubek is not the EK");
	report(d, "ownerreadpubek", ok, why);
	ordb_send(d, "disable-again", "", &cmd, owner_auth);
	reset_lock(d, "resetlockvalue");
}

static void scen_ordb_owner_install(struct diff *d)
{
	int i;

	ensure_owned(d);
	pp_present(d, "pp-present");
	ordb_bool(d, "setownerinstall-owned", TPM_ORD_SetOwnerInstall, 0,
		  NULL);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_owner_clear(&d->s[i].c, owner_auth,
					    &d->s[i].r);
	step(d, "ownerclear", "");
	if (both_ok(d))
		d->owned = false;
	/* libtpms leaves the TPM disabled after a clear. */
	simple(d, "enable", TPM_ORD_PhysicalEnable);
	set_deactivated(d, "set-deactivated-false", false);
	pp(d, "pp-notpresent", TPM_PHYSICAL_PRESENCE_NOTPRESENT);
	ordb_bool(d, "setownerinstall-no-pp", TPM_ORD_SetOwnerInstall, 0,
		  NULL);
	pp(d, "pp-present-again", TPM_PHYSICAL_PRESENCE_PRESENT);
	ordb_bool(d, "setownerinstall-false", TPM_ORD_SetOwnerInstall, 0,
		  NULL);
	flags(d, "install-disabled");
	take_ownership(d, "takeownership-refused");
	ordb_bool(d, "setownerinstall-true", TPM_ORD_SetOwnerInstall, 1,
		  NULL);
	flags(d, "install-enabled");
	take_ownership(d, "takeownership");
}

static void scen_ordb_setcap(struct diff *d)
{
	ensure_owned(d);
	cap32(d, "flags-volatile-before", TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE,
	      "sz");
	ordb_setcap(d, "disableforceclear-false", TPM_SET_STCLEAR_FLAGS,
		    TPM_SF_DISABLEFORCECLEAR, 0, NULL);
	/* Part 2, 7.2: STCLEAR deactivated is not settable (value moot). */
	ordb_setcap(d, "deactivated-not-settable", TPM_SET_STCLEAR_FLAGS,
		    TPM_SF_DEACTIVATED, 0, NULL);
	ordb_setcap(d, "bad-area", 0x99, TPM_SF_DISABLEFORCECLEAR, 1, NULL);
	ordb_setcap(d, "wrong-owner-auth", TPM_SET_STCLEAR_FLAGS,
		    TPM_SF_DISABLEFORCECLEAR, 1, wrong_auth);
	/*
	 * disableForceClear lasts until the next TPM_Startup: ForceClear
	 * stays refused for every scenario after this one.
	 */
	ordb_setcap(d, "disableforceclear-true", TPM_SET_STCLEAR_FLAGS,
		    TPM_SF_DISABLEFORCECLEAR, 1, NULL);
	cap32(d, "flags-volatile-after", TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE,
	      "sz");
	pp_present(d, "pp-present");
	simple(d, "forceclear-refused", TPM_ORD_ForceClear);
	cap32(d, "cap-owner-after", TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER,
	      "sz");
	reset_lock(d, "resetlockvalue");
}

static void ordb_set_operator(struct diff *d, const char *name, size_t len)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_SetOperatorAuth);
	tc_cmd_bytes(&cmd, ordb_operator_auth, len);
	ordb_send(d, name, "", &cmd, NULL);
}

static void scen_ordb_operator_auth(struct diff *d)
{
	ensure_owned(d);
	pp_present(d, "pp-present");
	pp(d, "pp-notpresent", TPM_PHYSICAL_PRESENCE_NOTPRESENT);
	ordb_set_operator(d, "setoperatorauth-no-pp", TC_DIGEST_SIZE);
	pp(d, "pp-present-again", TPM_PHYSICAL_PRESENCE_PRESENT);
	ordb_set_operator(d, "setoperatorauth-short", TC_DIGEST_SIZE - 1);
	ordb_set_operator(d, "setoperatorauth", TC_DIGEST_SIZE);
	flags(d, "operator");
}

/*
 * SetTempDeactivated lasts until the next TPM_Startup, which tpmdiff
 * cannot send (no TPM_Init): every command after it but a few is refused
 * with TPM_DEACTIVATED.  Scenarios of other rows run after this one, so
 * its success and what it deactivates are run only when it runs alone
 * (--only ordB-settempdeactivated, nothing reported before it); in the
 * whole run only the refusals are.
 */
static void scen_ordb_temp_deactivated(struct diff *d)
{
	bool alone = d->pass + d->fail == 0;
	struct tc_cmd cmd;

	scen_ordb_operator_auth(d);
	tc_cmd_init(&cmd, TPM_ORD_SetTempDeactivated);
	pp(d, "pp-notpresent-2", TPM_PHYSICAL_PRESENCE_NOTPRESENT);
	ordb_send(d, "no-auth-no-pp", "", &cmd, NULL);
	ordb_send(d, "wrong-operator-auth", "", &cmd, wrong_auth);
	reset_lock(d, "resetlockvalue");
	raw(d, "getrandom-active", "sz~", ORDB_GETRANDOM);
	pp(d, "pp-present-3", TPM_PHYSICAL_PRESENCE_PRESENT);
	if (!alone) {
		printf("# ordB-settempdeactivated: success steps skipped: "
		       "later scenarios need active TPMs\n");
		return;
	}
	ordb_send(d, "operator-auth", "", &cmd, ordb_operator_auth);
	cap32(d, "flags-volatile-deactivated", TPM_CAP_FLAG,
	      TPM_CAP_FLAG_VOLATILE, "sz");
	raw(d, "getrandom-deactivated", "sz~", ORDB_GETRANDOM);
	ordb_send(d, "again-with-pp", "", &cmd, NULL);
}

/* ---- anchor: diffB scenarios go above this line ---- */

/* ---- scenarios: ordC (diffC) ---- */

/*
 * ordC-identity, ordC-tickstamp, ordC-terminate, ordC-savestate,
 * ordC-maintenance, ordC-ownerclear, ordC-forceclear.  They run last, in
 * this order: ordC-ownerclear needs ForceClear to undo DisableOwnerClear,
 * and ordC-forceclear leaves ForceClear refused until the next
 * TPM_Startup, which tpmdiff cannot send (the TPMs are already started).
 * A scenario that needs ForceClear or OwnerClear goes above both.
 */

/* What the ordC scenarios keep per TPM between their steps. */
struct ordc_side {
	uint32_t id;
	struct tc_pubkey id_pub;
	uint8_t blob[TC_BUF_MAX];
	size_t blob_len;
};

static struct ordc_side ordc[NSIDES];
static uint8_t ordc_id_auth[TC_DIGEST_SIZE];
/* The session key the "CA" hands to both TPMs (Part 2, 11.3). */
static const uint8_t ordc_session_key[16] = "tpmdiff session";

/* An owner-authorized command with no parameters, OIAP with @auth. */
static void ordc_owner_cmd(struct diff *d, const char *name, uint32_t ord,
			   const uint8_t *auth)
{
	struct tc_session sess;
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_oiap(&s->c, &sess, auth, &s->r);
		if (s->rc)
			continue;
		tc_cmd_init(&cmd, ord);
		s->rc = tc_call(&s->c, &cmd, &sess, 1, &s->r);
		tc_session_close(&s->c, &sess);
	}
	step(d, name, "");
}

/* Enable and activate after a clear (libtpms leaves the TPM disabled),
 * then take ownership again with the well-known secrets. */
static void ordc_reown(struct diff *d, const char *prefix)
{
	char name[64];

	snprintf(name, sizeof(name), "%s-pp-present", prefix);
	pp_present(d, name);
	snprintf(name, sizeof(name), "%s-enable", prefix);
	simple(d, name, TPM_ORD_PhysicalEnable);
	snprintf(name, sizeof(name), "%s-set-deactivated-false", prefix);
	set_deactivated(d, name, false);
	snprintf(name, sizeof(name), "%s-take-ownership", prefix);
	take_ownership(d, name);
}

/* ---- ordC-identity: ActivateIdentity ---- */

/*
 * The CA's answer for side @i (Part 2, 11.3-11.4, 7.8-7.9): a
 * TPM_EK_BLOB of type ACTIVATE (@ek_blob) or a 1.1 TPM_ASYM_CA_CONTENTS,
 * for the identity key of side @id_of, OAEP-encrypted to @to.
 */
static int ordc_ca_blob(int id_of, bool ek_blob, const struct tc_pubkey *to,
			uint8_t *out, size_t *out_len)
{
	uint8_t digest[TC_DIGEST_SIZE], zero[TC_DIGEST_SIZE] = { 0 };
	static struct tc_cmd act, cmd;

	tc_pubkey_digest(&ordc[id_of].id_pub, digest);
	/* TPM_EK_BLOB_ACTIVATE / TPM_ASYM_CA_CONTENTS */
	tc_cmd_init(&act, 0);
	if (ek_blob)
		tc_cmd_u16(&act, TPM_TAG_EK_BLOB_ACTIVATE);
	tc_cmd_u32(&act, TPM_ALG_AES128);
	tc_cmd_u16(&act, TPM_ES_SYM_CBC_PKCS5PAD);
	tc_cmd_u16(&act, sizeof(ordc_session_key));
	tc_cmd_bytes(&act, ordc_session_key, sizeof(ordc_session_key));
	tc_cmd_bytes(&act, digest, sizeof(digest));
	if (ek_blob) {
		/* pcrInfo: no PCRs, released at any locality. */
		tc_cmd_pcr_selection(&act, 0);
		tc_cmd_u8(&act, 0x1f);
		tc_cmd_bytes(&act, zero, sizeof(zero));
	}
	if (act.err)
		return act.err;
	if (!ek_blob)
		return tc_rsa_oaep_encrypt(to, act.data + act.params_off,
					   act.b.len - act.params_off, out,
					   out_len);
	tc_cmd_init(&cmd, 0);
	tc_cmd_u16(&cmd, TPM_TAG_EK_BLOB);
	tc_cmd_u16(&cmd, TPM_EK_TYPE_ACTIVATE);
	tc_cmd_sized(&cmd, act.data + act.params_off,
		     (uint32_t)(act.b.len - act.params_off));
	if (cmd.err)
		return cmd.err;
	return tc_rsa_oaep_encrypt(to, cmd.data + cmd.params_off,
				   cmd.b.len - cmd.params_off, out, out_len);
}

/*
 * The allowed difference of docs/diff-allowed.md for a wrong secret in
 * ActivateIdentity: tpmd answers by the position of the failing area
 * (idKey first: TPM_AUTHFAIL, owner second: TPM_AUTH2FAIL), libtpms by
 * its action step (owner, step 1: TPM_AUTHFAIL; idKey: TPM_AUTH2FAIL).
 * Exactly this swapped pair, as bare error responses, passes.
 */
static bool ordc_auth_swapped(const struct diff *d, const uint8_t *id_auth,
			      const uint8_t *owner)
{
	const struct side *a = &d->s[0], *b = &d->s[1];
	bool bad_owner = owner == wrong_auth, bad_id = id_auth == wrong_auth;

	if (bad_owner == bad_id || a->r.len != RSP_HEADER_SIZE ||
	    b->r.len != RSP_HEADER_SIZE)
		return false;
	if (bad_owner)
		return a->rc == (int)TPM_AUTH2FAIL &&
		       b->rc == (int)TPM_AUTHFAIL;
	return a->rc == (int)TPM_AUTHFAIL && b->rc == (int)TPM_AUTH2FAIL;
}

/*
 * ActivateIdentity of identity key @key (TPM_KH_SRK: the SRK, secret
 * srk_auth) with a CA blob for the identity of side i ^ @other, encrypted
 * to the EK (or, with @to_id, to the identity key).  The returned
 * TPM_SYMMETRIC_KEY must be the CA's session key.
 */
static void ordc_activate(struct diff *d, const char *name, bool ek_blob,
			  bool other, bool to_id, uint32_t key,
			  const uint8_t *id_auth, const uint8_t *owner)
{
	uint8_t enc[TC_MAX_MODULUS];
	struct tc_session sess[2];
	char why[WHY_MAX] = "";
	struct tc_cmd cmd;
	size_t enc_len;
	bool ok;
	int i;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];
		uint32_t h = key ? key : ordc[i].id;

		s->r.len = 0;
		s->rc = ordc_ca_blob(other ? !i : i, ek_blob,
				     to_id ? &ordc[i].id_pub : &s->ek, enc,
				     &enc_len);
		if (s->rc)
			continue;
		s->rc = tc_oiap(&s->c, &sess[0], id_auth, &s->r);
		if (s->rc)
			continue;
		s->rc = tc_oiap(&s->c, &sess[1], owner, &s->r);
		if (s->rc) {
			tc_session_close(&s->c, &sess[0]);
			continue;
		}
		tc_cmd_init(&cmd, TPM_ORD_ActivateIdentity);
		tc_cmd_handle(&cmd, h);
		tc_cmd_sized(&cmd, enc, (uint32_t)enc_len);
		s->rc = tc_call(&s->c, &cmd, sess, 2, &s->r);
		tc_session_close(&s->c, &sess[0]);
		tc_session_close(&s->c, &sess[1]);
	}
	/* TPM_SYMMETRIC_KEY: algId, encScheme, key; equal (the CA's). */
	ok = same(d, "u32 u16 s16", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		struct tpm_buf b;
		const uint8_t *p;
		uint16_t n;

		tc_rsp_params(&d->s[i].r, &b);
		if (tb_skip(&b, 4 + 2) || tb_get_u16(&b, &n) ||
		    tb_get_ref(&b, &p, n) || n != sizeof(ordc_session_key) ||
		    memcmp(p, ordc_session_key, n))
			ok = side_fails(why, sizeof(why), d->s[i].name,
					"returned key is not the CA's");
	}
	if (!ok && ordc_auth_swapped(d, id_auth, owner)) {
		ok = true;
		d->allowed = "ActivateIdentity: libtpms numbers the failed "
			     "authorization by action step (owner = step 1), "
			     "tpmd by position of the auth area (Part 3, "
			     "15.2 names no code)";
	}
	report(d, name, ok, why);
}

static void scen_ordc_identity(struct diff *d)
{
	int i;

	ensure_owned(d);
	tc_auth_from_string("tpmdiff ordC identity", ordc_id_auth);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_make_identity(&d->s[i].c, owner_auth, srk_auth,
					      ordc_id_auth, 2048, ordc[i].blob,
					      &ordc[i].blob_len, &d->s[i].r);
	step(d, "makeidentity", "rest~");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_load_key2(&d->s[i].c, TPM_KH_SRK, srk_auth,
					  ordc[i].blob, ordc[i].blob_len,
					  &ordc[i].id, &d->s[i].r);
	step(d, "load-identity", "u32~");
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_get_pub_key(&d->s[i].c, ordc[i].id,
					    ordc_id_auth, &ordc[i].id_pub,
					    &d->s[i].r);
	step(d, "getpubkey-identity", SH_PUB);
	ordc_activate(d, "activate-ek-blob", true, false, false, 0,
		      ordc_id_auth, owner_auth);
	ordc_activate(d, "activate-asym-ca-contents", false, false, false, 0,
		      ordc_id_auth, owner_auth);
	/* Part 3, 15.2 steps 7.a, 8.c: idDigest names the other TPM's
	 * identity key. */
	ordc_activate(d, "activate-other-identity", true, true, false, 0,
		      ordc_id_auth, owner_auth);
	ordc_activate(d, "activate-other-identity-1.1", false, true, false, 0,
		      ordc_id_auth, owner_auth);
	/* Step 5: the blob is not encrypted to the EK. */
	ordc_activate(d, "activate-not-to-ek", true, false, true, 0,
		      ordc_id_auth, owner_auth);
	/* Step 3: the SRK is no identity key. */
	ordc_activate(d, "activate-srk", true, false, false, TPM_KH_SRK,
		      srk_auth, owner_auth);
	reset_lock(d, "resetlockvalue-before-wrong-owner");
	ordc_activate(d, "activate-wrong-owner-auth", true, false, false, 0,
		      ordc_id_auth, wrong_auth);
	reset_lock(d, "resetlockvalue-before-wrong-idkey");
	ordc_activate(d, "activate-wrong-idkey-auth", true, false, false, 0,
		      wrong_auth, owner_auth);
	reset_lock(d, "resetlockvalue");
	/* Still usable after the failures. */
	ordc_activate(d, "activate-again", true, false, false, 0,
		      ordc_id_auth, owner_auth);
	for (i = 0; i < NSIDES; i++)
		d->s[i].rc = tc_flush_specific(&d->s[i].c, ordc[i].id,
					       TPM_RT_KEY, &d->s[i].r);
	step(d, "flush-identity", "");
}

/* ---- ordC-tickstamp: TickStampBlob ---- */

/*
 * TickStampBlob of @stamp with @key (0: each side's s->handle, whose
 * public key is s->sign_pub) under OIAP with @auth.  The signature is
 * verified over the TPM_SIGN_INFO "TSTP" (Part 3, 23.2 step 5) built from
 * that side's own TPM_CURRENT_TICKS.
 */
static void ordc_tickstamp(struct diff *d, const char *name, uint32_t key,
			   const uint8_t *auth)
{
	static const uint8_t anti[TC_DIGEST_SIZE] = "tpmdiff anti-replay";
	static const char stamped[] = "tpmdiff stamped blob";
	uint8_t stamp[TC_DIGEST_SIZE], info[128], digest[TC_DIGEST_SIZE];
	struct tc_session sess;
	char why[WHY_MAX] = "";
	struct tc_cmd cmd;
	bool ok;
	int i;

	tc_sha1(stamped, strlen(stamped), stamp);
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->r.len = 0;
		s->rc = tc_oiap(&s->c, &sess, auth, &s->r);
		if (s->rc)
			continue;
		tc_cmd_init(&cmd, TPM_ORD_TickStampBlob);
		tc_cmd_handle(&cmd, key ? key : s->handle);
		tc_cmd_bytes(&cmd, anti, sizeof(anti));
		tc_cmd_bytes(&cmd, stamp, sizeof(stamp));
		s->rc = tc_call(&s->c, &cmd, &sess, 1, &s->r);
		tc_session_close(&s->c, &sess);
	}
	/* TPM_CURRENT_TICKS (tickRate the vendor's), then the signature. */
	ok = same(d, "u16 u64~ u16~ b20~ sz~", why, sizeof(why));
	for (i = 0; ok && both_ok(d) && i < NSIDES; i++) {
		struct side *s = &d->s[i];
		const uint8_t *ticks, *sig;
		struct tpm_buf b, ib;
		uint32_t n;
		int err;

		tc_rsp_params(&s->r, &b);
		tb_init_write(&ib, info, sizeof(info));
		if (tb_get_ref(&b, &ticks, 32) || tb_get_u32(&b, &n) ||
		    tb_get_ref(&b, &sig, n) ||
		    tb_put_u16(&ib, TPM_TAG_SIGNINFO) ||
		    tb_put_bytes(&ib, "TSTP", 4) ||
		    tb_put_bytes(&ib, anti, sizeof(anti)) ||
		    tb_put_u32(&ib, sizeof(stamp) + 32) ||
		    tb_put_bytes(&ib, stamp, sizeof(stamp)) ||
		    tb_put_bytes(&ib, ticks, 32)) {
			ok = side_fails(why, sizeof(why), s->name,
					"malformed response");
			break;
		}
		tc_sha1(ib.data, ib.len, digest);
		err = tc_rsa_verify_sha1(&s->sign_pub, digest, sig, n);
		if (err)
			ok = side_fails(why, sizeof(why), s->name,
					"TSTP signature: %s", errstr(err));
	}
	report(d, name, ok, why);
}

static void scen_ordc_tickstamp(struct diff *d)
{
	static const struct tc_key_template t = {
		.usage = TPM_KEY_SIGNING, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = 1024,
	};

	ensure_owned(d);
	create_key(d, "createwrapkey-sign", 0, false, &t);
	load_key(d, "load-sign", 0, false);
	get_pub_key(d, "getpubkey-sign", 0, key_auth, true);
	ordc_tickstamp(d, "tickstampblob", 0, key_auth);
	ordc_tickstamp(d, "tickstampblob-again", 0, key_auth);
	/* Part 3, 23.2 step 3: a storage key may not stamp. */
	ordc_tickstamp(d, "tickstampblob-srk", TPM_KH_SRK, srk_auth);
	ordc_tickstamp(d, "tickstampblob-bad-handle", 0x0badbad0U, key_auth);
	reset_lock(d, "resetlockvalue-before-wrong-auth");
	ordc_tickstamp(d, "tickstampblob-wrong-auth", 0, wrong_auth);
	reset_lock(d, "resetlockvalue");
	/* keyHandle, antiReplay, and 4 of the 20 bytes of digestToStamp. */
	raw(d, "tickstampblob-short", "",
	    "00c1 00000026 000000f2 40000000 " MAINT_Z20 " 00000000");
	flush_key(d, "flush-sign");
}

/* ---- ordC-terminate: Terminate_Handle ---- */

static void ordc_terminate(struct diff *d, const char *name, uint32_t h)
{
	struct tc_cmd cmd;
	int i;

	for (i = 0; i < NSIDES; i++) {
		tc_cmd_init(&cmd, TPM_ORD_Terminate_Handle);
		tc_cmd_u32(&cmd, h ? h : d->s[i].sess.handle);
		d->s[i].rc = tc_call(&d->s[i].c, &cmd, NULL, 0, &d->s[i].r);
	}
	step(d, name, "");
}

static void scen_ordc_terminate(struct diff *d)
{
	int i;

	ensure_owned(d);
	open_oiap(d, "oiap", owner_auth);
	owner_read_in_session(d, "use-before-terminate", true);
	ordc_terminate(d, "terminate-oiap", 0);
	/* Part 3, 18.3: the session is gone; using it fails on both. */
	for (i = 0; i < NSIDES; i++)
		d->s[i].sess.open = true;
	owner_read_in_session(d, "use-after-terminate", false);
	ordc_terminate(d, "terminate-again", 0);
	open_osap(d, "osap", TPM_ET_OWNER, TPM_KH_OWNER, owner_auth);
	ordc_terminate(d, "terminate-osap", 0);
	for (i = 0; i < NSIDES; i++)
		d->s[i].sess.open = false;
	ordc_terminate(d, "terminate-unknown", 0x12345678U);
	ordc_terminate(d, "terminate-srk-handle", TPM_KH_SRK);
	raw(d, "terminate-short", "", "00c1 0000000c 00000096 0000");
	raw(d, "terminate-trailing", "",
	    "00c1 00000012 00000096 12345678 00000000");
}

/* ---- ordC-savestate: SaveState ---- */

/*
 * tpmdiff cannot restart a TPM, so what a snapshot restores at
 * TPM_Startup(ST_STATE) is not observed here (tests/unit has that); what
 * is compared is SaveState itself, the commands that keep or drop the
 * snapshot, and that a running TPM refuses Startup(ST_STATE).
 */
static void scen_ordc_savestate(struct diff *d)
{
	raw(d, "savestate", "", "00c1 0000000a 00000098");
	/* Part 3, 3.3: a query leaves the snapshot alone. */
	cap32(d, "getcap-after-savestate", TPM_CAP_PROPERTY,
	      TPM_CAP_PROP_OWNER, "sz");
	/* Any other command invalidates it. */
	raw(d, "getrandom-after-savestate", "sz~",
	    "00c1 0000000e 00000046 00000010");
	raw(d, "savestate-again", "", "00c1 0000000a 00000098");
	raw(d, "startup-state-after-savestate", "",
	    "00c1 0000000c 00000099 0002");
	raw(d, "pcrread-after-startup", "b20",
	    "00c1 0000000e 00000015 00000000");
	raw(d, "savestate-trailing", "", "00c1 0000000e 00000098 00000000");
	raw(d, "savestate-auth1-tag", "", "00c2 0000000a 00000098");
	raw(d, "savestate-last", "", "00c1 0000000a 00000098");
}

/* ---- ordC-maintenance: LoadMaintenanceArchive ---- */

/*
 * Compared as step() does, but libtpms does not implement the maintenance
 * commands: exactly A @rc_a / B TPM_BAD_ORDINAL, both bare error
 * responses, is the allowed difference of docs/diff-allowed.md.
 */
static void ordc_maint_step(struct diff *d, const char *name,
			    uint32_t rc_a)
{
	const struct side *a = &d->s[0], *b = &d->s[1];
	char why[WHY_MAX] = "";
	bool ok = same(d, "", why, sizeof(why));

	if (!ok && a->rc == (int)rc_a && b->rc == (int)TPM_BAD_ORDINAL &&
	    a->r.len == RSP_HEADER_SIZE && b->r.len == RSP_HEADER_SIZE) {
		ok = true;
		d->allowed = MAINT_NOT_IN_LIBTPMS;
	}
	report(d, name, ok, why);
}

static void scen_ordc_maintenance(struct diff *d)
{
	static const uint8_t cmd_no_auth[] = {
		0x00, 0xc1, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x2d,
		0x00, 0x00, 0x00, 0x00,
	};
	struct tc_session sess;
	struct tc_cmd cmd;
	int i;

	ensure_owned(d);
	/* An owner command without its owner auth area. */
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->rc = tc_send_raw(&s->c, cmd_no_auth, sizeof(cmd_no_auth),
				    &s->r);
		if (s->rc == 0)
			s->rc = (int)s->r.rc;
	}
	ordc_maint_step(d, "load-archive-no-auth", TPM_BADTAG);
	/*
	 * A well-formed archive (the SRK's TPM_KEY as the key part, empty
	 * signature and random) under the right owner auth: no
	 * manuMaintPub was ever loaded, so nothing can have signed it
	 * (Part 3, 12.2 step 2).
	 */
	create_key(d, "createwrapkey-for-archive", 0,
		   false, &(struct tc_key_template){
			.usage = TPM_KEY_STORAGE,
			.auth_usage = TPM_AUTH_ALWAYS,
			.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
			.sig_scheme = TPM_SS_NONE, .key_bits = 2048 });
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		s->r.len = 0;
		s->rc = tc_oiap(&s->c, &sess, owner_auth, &s->r);
		if (s->rc)
			continue;
		tc_cmd_init(&cmd, TPM_ORD_LoadMaintenanceArchive);
		tc_cmd_u32(&cmd, (uint32_t)s->blob_len[0] + 8);
		tc_cmd_bytes(&cmd, s->blob[0], s->blob_len[0]);
		tc_cmd_u32(&cmd, 0);
		tc_cmd_u32(&cmd, 0);
		s->rc = tc_call(&s->c, &cmd, &sess, 1, &s->r);
		tc_session_close(&s->c, &sess);
	}
	ordc_maint_step(d, "load-archive-no-manu-maint-pub", TPM_KEYNOTFOUND);
}

/* ---- ordC-ownerclear: DisableOwnerClear ---- */

static void scen_ordc_ownerclear(struct diff *d)
{
	ensure_owned(d);
	/* Alone (--only), a fresh swtpm has physicalPresenceCMDEnable
	 * clear; this makes the permanent flags comparable. */
	pp_present(d, "pp-present-start");
	reset_lock(d, "resetlockvalue-before-wrong-auth");
	ordc_owner_cmd(d, "disableownerclear-wrong-auth",
		       TPM_ORD_DisableOwnerClear, wrong_auth);
	reset_lock(d, "resetlockvalue");
	flags(d, "pre-disable");
	ordc_owner_cmd(d, "disableownerclear", TPM_ORD_DisableOwnerClear,
		       owner_auth);
	flags(d, "owner-clear-disabled");
	/* Part 3, 6.2 step 2 (OwnerClear): TPM_CLEAR_DISABLED. */
	ordc_owner_cmd(d, "ownerclear-disabled", TPM_ORD_OwnerClear,
		       owner_auth);
	cap32(d, "cap-owner-still", TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER,
	      "sz");
	ordc_owner_cmd(d, "disableownerclear-again",
		       TPM_ORD_DisableOwnerClear, owner_auth);
	raw(d, "disableownerclear-no-auth", "", "00c1 0000000a 0000005c");
	/*
	 * disableOwnerClear is permanent; only ForceClear (physical
	 * presence) resets it (Part 3, 6.3: the actions of OwnerClear).
	 */
	pp_present(d, "pp-present");
	simple(d, "forceclear", TPM_ORD_ForceClear);
	if (both_ok(d))
		d->owned = false;
	ordc_reown(d, "after-forceclear");
	flags(d, "reowned");
	/* OwnerClear works again. */
	ordc_owner_cmd(d, "ownerclear", TPM_ORD_OwnerClear, owner_auth);
	if (both_ok(d))
		d->owned = false;
	cap32(d, "cap-owner-cleared", TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER,
	      "sz");
	ordc_reown(d, "after-ownerclear");
}

/* ---- ordC-forceclear: DisableForceClear (must run last) ---- */

static void scen_ordc_forceclear(struct diff *d)
{
	ensure_owned(d);
	raw(d, "disableforceclear-trailing", "",
	    "00c1 0000000e 0000005e 00000000");
	raw(d, "disableforceclear", "", "00c1 0000000a 0000005e");
	/* TPM_STCLEAR_FLAGS.disableForceClear, compared in full. */
	cap32(d, "flags-volatile", TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE, "sz");
	pp_present(d, "pp-present");
	/* Part 3, 6.3 step 2: refused until the next TPM_Startup. */
	simple(d, "forceclear-disabled", TPM_ORD_ForceClear);
	raw(d, "disableforceclear-again", "", "00c1 0000000a 0000005e");
	simple(d, "forceclear-disabled-again", TPM_ORD_ForceClear);
	/* Still owned: OwnerClear is not affected, but is not sent, so the
	 * TPMs stay owned for whatever runs after. */
	cap32(d, "cap-owner-still", TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER,
	      "sz");
	ordc_owner_cmd(d, "owner-still-usable", TPM_ORD_ResetLockValue,
		       owner_auth);
}

/* ---- anchor: diffC scenarios go above this line ---- */

struct scenario {
	const char *name;
	void (*run)(struct diff *d);
};

/* In run order: later scenarios rely on the state earlier ones leave. */
static const struct scenario scenarios[] = {
	{ "startup", scen_startup },
	{ "getcap", scen_getcap },
	{ "malformed", scen_malformed },
	{ "pcr", scen_pcr },
	{ "sha1", scen_sha1 },
	{ "ek", scen_ek },
	{ "physpres", scen_physpres },
	{ "owner", scen_owner },
	{ "auth", scen_auth },
	{ "keys", scen_keys },
	{ "seal", scen_seal },
	{ "nv", scen_nv },
	{ "counter", scen_counter },
	{ "ticks", scen_ticks },
	{ "clear", scen_clear },
	{ "delegation", scen_delegation },
	/* issue 3 anchor: delegation rows go above this line */
	{ "transport", scen_transport },
	/* issue 3 anchor: transport rows go above this line */
	{ "migration", scen_migration },
	{ "cmk", scen_cmk },
	/* issue 3 anchor: migration rows go above this line */
	{ "context", scen_context },
	/* issue 3 anchor: context rows go above this line */
	{ "audit", scen_audit },
	/* issue 3 anchor: audit rows go above this line */
	{ "daa", scen_daa },
	/* issue 3 anchor: daa rows go above this line */
	{ "maintenance", scen_maintenance },
	/* issue 3 anchor: maintenance rows go above this line */
	{ "keysmisc", scen_keysmisc },
	/* issue 3 anchor: keysmisc rows go above this line */
	{ "ordA-changeauth", scen_orda_changeauth },
	{ "ordA-owner", scen_orda_owner },
	{ "ordA-bind", scen_orda_bind },
	{ "ordA-loadkey", scen_orda_loadkey },
	/* anchor: diffA rows go above this line */
	{ "ordB-quote2", scen_ordb_quote2 },
	{ "ordB-getcapowner", scen_ordb_getcap_owner },
	{ "ordB-ownersetdisable", scen_ordb_owner_set_disable },
	{ "ordB-disablepubekread", scen_ordb_pubek },
	{ "ordB-setownerinstall", scen_ordb_owner_install },
	{ "ordB-setoperatorauth", scen_ordb_operator_auth },
	/* ordB-setcapability and ordB-settempdeactivated last: their
	 * effects last until the next TPM_Startup. */
	{ "ordB-setcapability", scen_ordb_setcap },
	{ "ordB-settempdeactivated", scen_ordb_temp_deactivated },
	/* anchor: diffB rows go above this line */
	/* ordC: last; ordC-forceclear leaves ForceClear refused until the
	 * next Startup, so anything needing ForceClear goes above it. */
	{ "ordC-identity", scen_ordc_identity },
	{ "ordC-tickstamp", scen_ordc_tickstamp },
	{ "ordC-terminate", scen_ordc_terminate },
	{ "ordC-savestate", scen_ordc_savestate },
	{ "ordC-maintenance", scen_ordc_maintenance },
	{ "ordC-ownerclear", scen_ordc_ownerclear },
	{ "ordC-forceclear", scen_ordc_forceclear },
	/* anchor: diffC rows go above this line */
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* Bring both TPMs to the same EK state before anything is compared. */
static int setup(struct diff *d)
{
	struct tc_pubkey pk;
	int i, err, rc;

	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		err = tc_connect(&s->c, s->ep);
		if (err) {
			printf("Bail out! %c: cannot connect to %s: %s\n",
			       s->name, s->ep, strerror(-err));
			return err;
		}
		s->c.timeout_ms = d->timeout_ms;
		rc = tc_read_pubek(&s->c, &pk, &s->r);
		if (rc == 0) {
			s->ek = pk;
			s->have_ek = true;
		} else if (rc < 0) {
			printf("Bail out! %c: ReadPubek: %s\n", s->name,
			       errstr(rc));
			return rc;
		}
	}
	for (i = 0; i < NSIDES; i++) {
		struct side *s = &d->s[i];

		if (s->have_ek || !d->s[!i].have_ek)
			continue;
		rc = tc_create_ek(&s->c, 2048, &s->ek, &s->r);
		printf("# setup: %c had no EK; CreateEndorsementKeyPair: %s\n",
		       s->name, rc < 0 ? errstr(rc) : tc_rc_name((uint32_t)rc));
		s->have_ek = rc == 0;
	}
	return 0;
}

static void usage(void)
{
	size_t i;

	fprintf(stderr,
		"usage: tpmdiff [-v] [--timeout MS] [--only NAME] "
		"ENDPOINT_A ENDPOINT_B\n"
		"  endpoints: tcp:HOST:PORT or unix:PATH; scenarios:");
	for (i = 0; i < NSCENARIOS; i++)
		fprintf(stderr, " %s", scenarios[i].name);
	fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	static struct diff d = { .timeout_ms = DEFAULT_TIMEOUT_MS };
	const char *only = NULL, *ep[NSIDES];
	int argi, nep = 0;
	size_t i;

	for (argi = 1; argi < argc; argi++) {
		if (!strcmp(argv[argi], "-v")) {
			d.verbose = true;
		} else if (!strcmp(argv[argi], "--timeout") &&
			   argi + 1 < argc) {
			d.timeout_ms = atoi(argv[++argi]);
			if (d.timeout_ms <= 0) {
				usage();
				return 2;
			}
		} else if (!strcmp(argv[argi], "--only") && argi + 1 < argc) {
			only = argv[++argi];
		} else if (argv[argi][0] != '-' && nep < NSIDES) {
			ep[nep++] = argv[argi];
		} else {
			usage();
			return 2;
		}
	}
	if (nep != NSIDES) {
		usage();
		return 2;
	}
	for (i = 0; only && i < NSCENARIOS; i++)
		if (!strcmp(only, scenarios[i].name))
			break;
	if (only && i == NSCENARIOS) {
		usage();
		return 2;
	}
	tc_auth_from_string("tpmdiff owner", owner_auth);
	tc_auth_from_string("tpmdiff key", key_auth);
	tc_auth_from_string("tpmdiff data", data_auth);
	tc_auth_from_string("tpmdiff nv", nv_auth);
	tc_auth_from_string("tpmdiff counter", ctr_auth);
	tc_auth_from_string("tpmdiff wrong", wrong_auth);
	d.s[0].ep = ep[0];
	d.s[0].name = 'A';
	d.s[1].ep = ep[1];
	d.s[1].name = 'B';
	printf("# A: %s\n# B: %s\n", ep[0], ep[1]);
	if (setup(&d))
		return 1;
	for (i = 0; i < NSCENARIOS && !d.dead; i++) {
		if (only && strcmp(only, scenarios[i].name))
			continue;
		d.scen = scenarios[i].name;
		scenarios[i].run(&d);
	}
	for (i = 0; i < NSIDES; i++)
		tc_disconnect(&d.s[i].c);
	printf("1..%u\n# %u passed, %u failed\n", d.pass + d.fail, d.pass,
	       d.fail);
	return d.fail || d.dead ? 1 : 0;
}
