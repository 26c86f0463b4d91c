// SPDX-License-Identifier: GPL-2.0
/*
 * guest_tpm: the system test's TPM client inside a Xen guest.  It drives
 * the guest's /dev/tpm0 through tests/lib/tpmclient and prints one
 * "PASS: guest T: <check>" or "FAIL: guest T: <check> (why)" line per check,
 * plus "VALUE: key=value" lines dom0 compares across guests and boots.
 * It judges only what it can verify itself (expected digests, auth).
 *
 * Phase "first" expects a fresh vTPM and provisions it: ownership, PCR 10
 * extend, an NV index.  Phase "again" expects the same vTPM after the guest
 * was destroyed and the manager restarted: owner and NV kept, PCRs reset.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "constants.h"
#include "tpmclient.h"

/* The PCR the checks extend: a static, OS-usable PCR (PC Client 10). */
#define CHECK_PCR		10U
/* The NV index of guest T: one per tag, so guests can look for others'. */
#define NV_INDEX_BASE		0x00012000U
#define NV_SIZE			32U
/*
 * Whole-run limit: the kernel bounds each command, this bounds them all
 * (RSA-2048 key generation in a vTPM under TCG takes seconds each).
 */
#define RUN_LIMIT_SECS		900U
/* The tags whose NV indices a guest checks are not visible to it. */
static const char all_tags[] = "AB";

static const char *tag = "X";
static unsigned int fails;

static void result(bool ok, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One result line; @fmt (the reason) only for a failure. */
static void result(bool ok, const char *check, const char *fmt, ...)
{
	char why[256] = "";
	va_list ap;

	if (ok) {
		printf("PASS: guest %s: %s\n", tag, check);
	} else {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		printf("FAIL: guest %s: %s (%s)\n", tag, check, why);
		fails++;
	}
	fflush(stdout);
}

/* A return code as text: a TPM code by name or a negative errno. */
static const char *rc_text(int rc)
{
	static char buf[64];

	if (rc < 0)
		snprintf(buf, sizeof(buf), "%s", strerror(-rc));
	else
		snprintf(buf, sizeof(buf), "%s", tc_rc_name((uint32_t)rc));
	return buf;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

static uint32_t nv_index(char t)
{
	return NV_INDEX_BASE | (uint8_t)t;
}

/* The NV contents guest T writes and expects back. */
static void nv_pattern(uint8_t out[NV_SIZE])
{
	memset(out, 0, NV_SIZE);
	snprintf((char *)out, NV_SIZE, "systest NV of guest %s", tag);
}

static void on_alarm(int sig)
{
	static const char msg[] =
		"FAIL: guest: guest_tpm finished (no end within the limit)\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* Print the EK's fingerprint for dom0 (SHA-1 of the modulus). */
static void report_ek(const struct tc_pubkey *ek)
{
	uint8_t d[TC_DIGEST_SIZE];
	char h[2 * TC_DIGEST_SIZE + 1];

	tc_sha1(ek->modulus, ek->modulus_len, d);
	hex(d, sizeof(d), h);
	printf("VALUE: ek=%s\n", h);
}

static bool owned(struct tc_conn *c, struct tc_rsp *r, int *rc)
{
	uint32_t v = 0;

	*rc = tc_get_cap_u32(c, TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER, &v, r);
	return *rc == 0 && v;
}

/* PCR 10 holds 20 zero bytes (a reset or fresh TPM). */
static void check_pcr_zero(struct tc_conn *c, struct tc_rsp *r,
			   const char *check)
{
	static const uint8_t zero[TC_DIGEST_SIZE];
	uint8_t v[TC_DIGEST_SIZE];
	char h[2 * TC_DIGEST_SIZE + 1];
	int rc;

	rc = tc_pcr_read(c, CHECK_PCR, v, r);
	if (rc) {
		result(false, check, "PcrRead: %s", rc_text(rc));
		return;
	}
	hex(v, sizeof(v), h);
	result(!memcmp(v, zero, sizeof(v)), check, "PCR %u is %s", CHECK_PCR,
	       h);
}

/* No guest's NV index but (in phase "again") our own is defined. */
static void check_foreign_nv(struct tc_conn *c, struct tc_rsp *r,
			     bool own_too)
{
	uint8_t buf[NV_SIZE];
	uint32_t got;
	const char *t;
	char check[96];
	int rc;

	for (t = all_tags; *t; t++) {
		if (*t == tag[0] && !own_too)
			continue;
		snprintf(check, sizeof(check),
			 "NV index 0x%08x (guest %c) is not defined here",
			 nv_index(*t), *t);
		rc = tc_nv_read(c, NULL, nv_index(*t), 0, NV_SIZE, buf, &got,
				r);
		result(rc == TPM_BADINDEX, check, "NV_ReadValue: %s",
		       rc_text(rc));
	}
}

static void check_extend(struct tc_conn *c, struct tc_rsp *r)
{
	uint8_t before[TC_DIGEST_SIZE], in[TC_DIGEST_SIZE];
	uint8_t cat[2 * TC_DIGEST_SIZE], want[TC_DIGEST_SIZE];
	uint8_t out[TC_DIGEST_SIZE], now[TC_DIGEST_SIZE];
	char m[64];
	int rc;

	snprintf(m, sizeof(m), "systest measurement of guest %s", tag);
	tc_sha1(m, strlen(m), in);
	rc = tc_pcr_read(c, CHECK_PCR, before, r);
	if (!rc)
		rc = tc_extend(c, CHECK_PCR, in, out, r);
	if (rc) {
		result(false, "extend PCR 10", "%s", rc_text(rc));
		return;
	}
	/* Part 3, 16.1: PCR = SHA1(PCR || inDigest). */
	memcpy(cat, before, TC_DIGEST_SIZE);
	memcpy(cat + TC_DIGEST_SIZE, in, TC_DIGEST_SIZE);
	tc_sha1(cat, sizeof(cat), want);
	rc = tc_pcr_read(c, CHECK_PCR, now, r);
	result(!rc && !memcmp(out, want, sizeof(want)) &&
	       !memcmp(now, want, sizeof(want)), "extend PCR 10",
	       "%s, or the value is not SHA1(old || digest)", rc_text(rc));
}

static void check_owner(struct tc_conn *c, struct tc_rsp *r,
			const uint8_t owner[TC_DIGEST_SIZE],
			struct tc_pubkey *ek)
{
	uint8_t wrong[TC_DIGEST_SIZE];
	struct tc_pubkey pk;
	bool yes;
	int rc;

	yes = owned(c, r, &rc);
	result(yes, "TPM reports an owner", "GetCapability(PROP_OWNER): %s",
	       rc ? rc_text(rc) : "FALSE");
	rc = tc_owner_read_pubek(c, owner, &pk, r);
	result(rc == 0 && (!ek->modulus_len ||
			   (pk.modulus_len == ek->modulus_len &&
			    !memcmp(pk.modulus, ek->modulus, pk.modulus_len))),
	       "owner secret accepted (OwnerReadPubek)", "%s%s", rc_text(rc),
	       rc ? "" : ", but a different EK");
	if (!rc) {
		*ek = pk;
		report_ek(ek);
	}
	tc_auth_from_string("not the owner secret", wrong);
	rc = tc_owner_read_pubek(c, wrong, &pk, r);
	result(rc == TPM_AUTHFAIL, "wrong owner secret refused",
	       "OwnerReadPubek: %s", rc_text(rc));
}

static void check_nv(struct tc_conn *c, struct tc_rsp *r,
		     const uint8_t owner[TC_DIGEST_SIZE], bool define)
{
	uint8_t want[NV_SIZE], got[NV_SIZE];
	uint32_t n = 0, index = nv_index(tag[0]);
	int rc;

	nv_pattern(want);
	if (define) {
		rc = tc_nv_define(c, owner, index, TPM_NV_PER_OWNERWRITE,
				  NV_SIZE, tc_well_known, r);
		result(rc == 0, "NV_DefineSpace (owner)", "%s", rc_text(rc));
		rc = tc_nv_write(c, owner, index, 0, want, NV_SIZE, r);
		result(rc == 0, "NV_WriteValue (owner)", "%s", rc_text(rc));
	}
	rc = tc_nv_read(c, NULL, index, 0, NV_SIZE, got, &n, r);
	result(rc == 0 && n == NV_SIZE && !memcmp(got, want, NV_SIZE),
	       define ? "NV_ReadValue returns what was written" :
	       "NV data kept across destroy and manager restart",
	       "%s, %u bytes", rc_text(rc), n);
}

/*
 * A request whose paramSize (5) is below the header size: the kernel's TPM
 * core sends only those 5 bytes, and the backend must answer at once with
 * a 10-byte TPM_FAIL whose tag is the request's plus 3.  The next good
 * request must work.
 */
static void check_malformed(struct tc_conn *c, struct tc_rsp *r)
{
	static const uint8_t bad[10] = {
		0x00, 0xc1, 0x00, 0x00, 0x00, 0x05,	/* paramSize 5 */
		0x00, 0x00, 0x00, 0x15,			/* TPM_ORD_PcrRead */
	};
	uint8_t v[TC_DIGEST_SIZE];
	int rc;

	rc = tc_send_raw(c, bad, sizeof(bad), r);
	result(rc == 0 && r->len == 10 && r->tag == TPM_TAG_RSP_COMMAND &&
	       r->rc == TPM_FAIL,
	       "malformed request (paramSize 5) answered with a 10-byte TPM_FAIL",
	       "%s, %zu bytes, tag 0x%04x, rc %s", rc ? strerror(-rc) : "sent",
	       r->len, r->tag, rc ? "-" : tc_rc_name(r->rc));
	rc = tc_pcr_read(c, CHECK_PCR, v, r);
	result(rc == 0, "a good request after the malformed one works",
	       "PcrRead: %s", rc_text(rc));
}

/* Run @what, print its duration (TCG makes some commands slow). */
#define TIMED(what, stmt) do {						\
	int64_t t0_ = now_ms();						\
	stmt;								\
	printf("INFO: guest %s: %s took %lld ms\n", tag, what,		\
	       (long long)(now_ms() - t0_));				\
} while (0)

static void phase_first(struct tc_conn *c, struct tc_rsp *r,
			const uint8_t owner[TC_DIGEST_SIZE])
{
	struct tc_pubkey ek = { 0 };
	bool yes;
	int rc;

	yes = owned(c, r, &rc);
	result(!yes && rc == 0, "fresh vTPM has no owner", "%s",
	       rc ? rc_text(rc) : "it is owned");
	check_pcr_zero(c, r, "PCR 10 of a fresh vTPM is zero");
	check_foreign_nv(c, r, true);
	rc = tc_read_pubek(c, &ek, r);
	result(rc == 0, "ReadPubek (the vTPM has an EK)", "%s", rc_text(rc));
	if (rc)
		return;
	TIMED("TakeOwnership",
	      rc = tc_take_ownership(c, &ek, owner, tc_well_known, false,
				     NULL, r));
	result(rc == 0, "TakeOwnership", "%s", rc_text(rc));
	if (rc)
		return;
	check_owner(c, r, owner, &ek);
	check_extend(c, r);
	TIMED("NV define/write/read", check_nv(c, r, owner, true));
	check_malformed(c, r);
}

static void phase_again(struct tc_conn *c, struct tc_rsp *r,
			const uint8_t owner[TC_DIGEST_SIZE])
{
	struct tc_pubkey ek = { 0 };

	check_owner(c, r, owner, &ek);
	check_nv(c, r, owner, false);
	check_foreign_nv(c, r, false);
	check_pcr_zero(c, r, "PCR 10 was reset by the new boot");
	check_malformed(c, r);
}

static void usage(void)
{
	fputs("usage: guest_tpm --tag T --phase first|again DEVICE\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	uint8_t owner[TC_DIGEST_SIZE];
	static struct tc_rsp r;
	const char *phase = "first";
	char secret[64];
	struct tc_conn c;
	int i, rc;

	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--tag"))
			tag = argv[i + 1];
		else if (!strcmp(argv[i], "--phase"))
			phase = argv[i + 1];
		else
			usage();
	}
	if (i != argc - 1 || !tag[0] ||
	    (strcmp(phase, "first") && strcmp(phase, "again")))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(RUN_LIMIT_SECS);

	/* Each guest's own owner secret: sharing a vTPM would show. */
	snprintf(secret, sizeof(secret), "systest owner of guest %s", tag);
	tc_auth_from_string(secret, owner);
	rc = tc_connect(&c, argv[i]);
	result(rc == 0, "open the TPM device", "%s: %s", argv[i],
	       rc_text(rc));
	if (rc)
		return 1;
	if (!strcmp(phase, "first"))
		phase_first(&c, &r, owner);
	else
		phase_again(&c, &r, owner);
	tc_disconnect(&c);
	printf("INFO: guest %s: guest_tpm done, %u failed\n", tag, fails);
	return fails ? 1 : 0;
}
