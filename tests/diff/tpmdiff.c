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
 * Until issue 3: the ordinals absent from tpmd's dispatch table (DAA,
 * DSAP and delegation, transport sessions, migration, audit, context
 * saving, maintenance, ...).  tpmd answers FALSE for them, and for the
 * protocols and transport algorithms that need them, where libtpms
 * answers TRUE; that is the one expected, documented difference of
 * these capabilities (docs/diff-allowed.md, "until issue 3").  Drop an
 * ordinal from this list when it lands: the getcap step
 * "until-issue-3-list" fails while tpmd implements a listed ordinal.
 */
static const uint32_t until_issue_3[] = {
	TPM_ORD_ChangeAuthAsymStart, TPM_ORD_ChangeAuthAsymFinish,
	TPM_ORD_DSAP, TPM_ORD_CMK_CreateTicket, TPM_ORD_CMK_CreateKey,
	TPM_ORD_CMK_CreateBlob, TPM_ORD_CMK_SetRestrictions,
	TPM_ORD_CMK_ApproveMA, TPM_ORD_KeyControlOwner,
	TPM_ORD_CMK_ConvertMigration, TPM_ORD_MigrateKey,
	TPM_ORD_CreateMigrationBlob, TPM_ORD_DAA_Join,
	TPM_ORD_ConvertMigrationBlob, TPM_ORD_AuthorizeMigrationKey,
	TPM_ORD_CreateMaintenanceArchive, TPM_ORD_LoadMaintenanceArchive,
	TPM_ORD_KillMaintenanceFeature, TPM_ORD_LoadManuMaintPub,
	TPM_ORD_ReadManuMaintPub, TPM_ORD_DAA_Sign, TPM_ORD_CertifyKey2,
	TPM_ORD_Sealx, TPM_ORD_CertifySelfTest, TPM_ORD_Reset,
	TPM_ORD_GetCapabilitySigned, TPM_ORD_SetOwnerPointer,
	TPM_ORD_CreateRevocableEK, TPM_ORD_RevokeTrust,
	TPM_ORD_GetAuditEvent, TPM_ORD_GetAuditEventSigned,
	TPM_ORD_GetAuditDigest, TPM_ORD_GetAuditDigestSigned,
	TPM_ORD_GetOrdinalAuditStatus, TPM_ORD_SetOrdinalAuditStatus,
	TPM_ORD_Init, TPM_ORD_SetRedirection, TPM_ORD_FieldUpgrade,
	TPM_ORD_SaveKeyContext, TPM_ORD_LoadKeyContext,
	TPM_ORD_SaveAuthContext, TPM_ORD_LoadAuthContext,
	TPM_ORD_SaveContext, TPM_ORD_LoadContext,
	TPM_ORD_Delegate_UpdateVerification, TPM_ORD_Delegate_Manage,
	TPM_ORD_Delegate_CreateKeyDelegation,
	TPM_ORD_Delegate_CreateOwnerDelegation,
	TPM_ORD_Delegate_VerifyDelegation,
	TPM_ORD_Delegate_LoadOwnerDelegation, TPM_ORD_Delegate_ReadTable,
	TPM_ORD_EstablishTransport, TPM_ORD_ExecuteTransport,
	TPM_ORD_ReleaseTransportSigned, TPM_ORD_TSC_ResetEstablishmentBit,
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

/* ---- issue 3 anchor: delegation scenarios go above this line ---- */

/* ---- issue 3 anchor: transport scenarios go above this line ---- */

/* ---- issue 3 anchor: migration scenarios go above this line ---- */

/* ---- issue 3 anchor: context scenarios go above this line ---- */

/* ---- issue 3 anchor: audit scenarios go above this line ---- */

/* ---- issue 3 anchor: daa scenarios go above this line ---- */

/* ---- issue 3 anchor: maintenance scenarios go above this line ---- */

/* ---- issue 3 anchor: keysmisc scenarios go above this line ---- */

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
	/* issue 3 anchor: delegation rows go above this line */
	/* issue 3 anchor: transport rows go above this line */
	/* issue 3 anchor: migration rows go above this line */
	/* issue 3 anchor: context rows go above this line */
	/* issue 3 anchor: audit rows go above this line */
	/* issue 3 anchor: daa rows go above this line */
	/* issue 3 anchor: maintenance rows go above this line */
	/* issue 3 anchor: keysmisc rows go above this line */
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
