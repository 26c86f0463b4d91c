// SPDX-License-Identifier: GPL-2.0
/*
 * bench_net: latency and throughput of TPM 1.2s reached over sockets (tpmd,
 * swtpm), driven by the independent tpmclient.  It provisions each TPM (EK,
 * owner, a signing and a storage key), then times whole client round trips
 * per command, taking the TPMs in turn so that they share the machine's
 * background load.  It only measures: judging targets is run-bench's job.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "constants.h"
#include "tpmclient.h"

/* Default timed iterations per command; override with --iters. */
#define DEFAULT_ITERS		2000U
/* RSA key generation takes 0.1-2 s per key: far fewer (--keygen-iters). */
#define DEFAULT_KEYGEN_ITERS	20U
/* Untimed warm-up runs: 1/WARMUP_DIV of the iterations, at most MAX. */
#define WARMUP_DIV		10U
#define WARMUP_MAX		100U
/* Upper bound on --iters so the sample array stays a sane size. */
#define MAX_ITERS		1000000U
/* All keys we create: 2048-bit RSA (the TPM 1.2 maximum we use). */
#define KEY_BITS		2048U
/* PCR used by PCRRead and Extend: 10 (the IMA PCR, not reset-restricted). */
#define BENCH_PCR		10U
/* Bytes sealed and unsealed: small, like a disk-encryption key. */
#define SEAL_DATA_LEN		32U
/* Size of the loopback echo message: a bare TPM response header. */
#define ECHO_MSG_LEN		10U
/* TPMs measured side by side in one run. */
#define MAX_TARGETS		4U
/*
 * Each command's iterations are split into this many blocks, taken from the
 * TPMs in turn: a burst of load elsewhere on the machine then hits all of
 * them alike instead of whichever happened to run at that moment.
 */
#define DEFAULT_ROUNDS		10U

/*
 * One TPM under test, or the in-process OpenSSL reference (@local): that
 * one runs only the ops with a @local variant, in the same rounds as the
 * TPMs, so that it sees the same background load.
 */
struct target {
	struct tc_conn c;
	bool local;
	EVP_PKEY_CTX *ossl;
	/* Name in the output ("tpmd"), and where to reach the TPM. */
	const char *label;
	const char *endpoint;
	/* Key handles loaded during provisioning (0: none). */
	uint32_t sign_key;
	uint32_t store_key;
	struct tc_pubkey sign_pub;
	/* Session left open by an op's pre step for the timed step. */
	struct tc_session sess;
	uint8_t sealed[TC_BUF_MAX];
	size_t sealed_len;
	/* Scratch for key blobs made inside the timed loop. */
	uint8_t blob[TC_BUF_MAX];
	/* Responses are 8 KiB: keep them off the stack of every op. */
	struct tc_rsp rsp;
	/* Samples of the op being measured, and its first failure. */
	uint64_t *ns;
	unsigned int nns;
	int rc;
	/* Provisioning failed with this: every op reports it, none runs. */
	int prov_rc;
	/* The current op has no local variant (OpenSSL reference only). */
	bool skip;
};

struct bench {
	struct target t[MAX_TARGETS];
	unsigned int ntargets;
	unsigned int iters;
	unsigned int keygen_iters;
	unsigned int rounds;
	bool csv;
	/* Add the in-process OpenSSL reference as a target (--openssl). */
	bool openssl;
};

/* Zero-padded to SEAL_DATA_LEN. */
static const uint8_t seal_data[SEAL_DATA_LEN] = "bench_net: sealed secret";

/*
 * One benchmarked operation.  Only @run is timed; @pre and @post set up
 * and undo what must not count (opening a session to be flushed, flushing
 * one that was opened).  @tpm_cmds says how many TPM commands @run sends,
 * so that composite rows can be read per command.
 */
struct op {
	const char *name;
	unsigned int tpm_cmds;
	bool keygen;
	int (*pre)(struct target *t);
	int (*run)(struct target *t);
	int (*post)(struct target *t);
	/* The comparable work done in process by OpenSSL, if any. */
	int (*local)(struct target *t);
	const char *local_name;
};

struct stats {
	unsigned int n;
	double median_us, p99_us, mean_us, min_us, ops_per_s;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @ns.  p99 is the nearest-rank percentile (the maximum if n < 100). */
static struct stats summarize(uint64_t *ns, unsigned int n)
{
	struct stats st = { .n = n };
	uint64_t sum = 0;
	unsigned int i, rank;

	qsort(ns, n, sizeof(*ns), cmp_u64);
	for (i = 0; i < n; i++)
		sum += ns[i];
	st.median_us = n % 2 ? (double)ns[n / 2] / 1e3 :
			       (double)(ns[n / 2 - 1] + ns[n / 2]) / 2e3;
	rank = (unsigned int)(((uint64_t)n * 99 + 99) / 100);
	st.p99_us = (double)ns[rank - 1] / 1e3;
	st.mean_us = (double)sum / n / 1e3;
	st.min_us = (double)ns[0] / 1e3;
	/* One client, one command outstanding: back-to-back rate. */
	st.ops_per_s = sum ? (double)n * 1e9 / (double)sum : 0;
	return st;
}

static unsigned int warmup_for(unsigned int n)
{
	return n / WARMUP_DIV < WARMUP_MAX ? n / WARMUP_DIV : WARMUP_MAX;
}

/* Print a TPM rc or -errno the way a reader of the report wants it. */
static const char *rc_str(int rc, char *buf, size_t len)
{
	if (rc > 0)
		return tc_rc_name((uint32_t)rc);
	snprintf(buf, len, "%s", strerror(-rc));
	return buf;
}

static void print_header(const struct bench *b)
{
	if (b->csv)
		printf("target,command,tpm_cmds,iters,median_us,p99_us,"
		       "mean_us,min_us,ops_per_s,cmds_per_s,status\n");
	else
		printf("%-10s %-26s %4s %6s %10s %10s %10s %10s\n", "target",
		       "command", "cmds", "iters", "median us", "p99 us",
		       "mean us", "ops/s");
}

static void print_row(const struct bench *b, const struct target *t,
		      const struct op *op, const struct stats *st)
{
	/* The OpenSSL reference sends no TPM commands. */
	const char *name = t->local ? op->local_name : op->name;
	unsigned int cmds = t->local ? 0 : op->tpm_cmds;

	if (b->csv)
		printf("%s,%s,%u,%u,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,ok\n",
		       t->label, name, cmds, st->n, st->median_us,
		       st->p99_us, st->mean_us, st->min_us, st->ops_per_s,
		       st->ops_per_s * cmds);
	else
		printf("%-10s %-26s %4u %6u %10.1f %10.1f %10.1f %10.1f\n",
		       t->label, name, cmds, st->n, st->median_us,
		       st->p99_us, st->mean_us, st->ops_per_s);
}

static void print_failed(const struct bench *b, const struct target *t,
			 const struct op *op)
{
	const char *name = t->local ? op->local_name : op->name;
	char buf[64];

	if (b->csv)
		printf("%s,%s,%u,0,,,,,,,%s\n", t->label, name,
		       t->local ? 0 : op->tpm_cmds,
		       rc_str(t->rc, buf, sizeof(buf)));
	else
		printf("%-10s %-26s failed: %s\n", t->label, name,
		       rc_str(t->rc, buf, sizeof(buf)));
}

/*
 * Run @op @warmup times untimed, then @n times timed, appending the samples
 * to t->ns.  A failure stops the op at once: a TPM that answers errors
 * fast must not look fast.
 */
static int measure(struct target *t, const struct op *op, unsigned int n,
		   unsigned int warmup)
{
	int (*run)(struct target *t) = t->local ? op->local : op->run;
	unsigned int i;
	uint64_t t0, dt;
	int rc;

	for (i = 0; i < warmup + n; i++) {
		if (op->pre && !t->local) {
			rc = op->pre(t);
			if (rc)
				return rc;
		}
		t0 = now_ns();
		rc = run(t);
		dt = now_ns() - t0;
		if (rc)
			return rc;
		if (i >= warmup)
			t->ns[t->nns++] = dt;
		if (op->post && !t->local) {
			rc = op->post(t);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/*
 * Measure @op on every target: warm each up, then take the iterations in
 * b->rounds blocks, one target after the other, and print a row each.
 */
static int run_op(struct bench *b, const struct op *op)
{
	unsigned int n, warmup, rounds, r, chunk, i;
	struct target *t;
	struct stats st;
	int failed = 0;

	n = op->keygen ? b->keygen_iters : b->iters;
	/* One key generation warms up the RSA code well enough. */
	warmup = op->keygen ? 1 : warmup_for(n);
	rounds = b->rounds < n ? b->rounds : n;
	for (i = 0; i < b->ntargets; i++) {
		t = &b->t[i];
		t->nns = 0;
		t->skip = t->local && !op->local;
		if (t->skip)
			continue;
		t->rc = t->prov_rc ? t->prov_rc : measure(t, op, 0, warmup);
	}
	for (r = 0; r < rounds; r++) {
		chunk = (unsigned int)((uint64_t)n * (r + 1) / rounds -
				       (uint64_t)n * r / rounds);
		for (i = 0; i < b->ntargets; i++) {
			t = &b->t[i];
			if (!t->rc && !t->skip)
				t->rc = measure(t, op, chunk, 0);
		}
	}
	for (i = 0; i < b->ntargets; i++) {
		t = &b->t[i];
		if (t->skip)
			continue;
		if (t->rc) {
			/* Do not leave a session of a failed step behind. */
			tc_session_close(&t->c, &t->sess);
			print_failed(b, t, op);
			failed = 1;
			continue;
		}
		st = summarize(t->ns, t->nns);
		print_row(b, t, op, &st);
	}
	fflush(stdout);
	return failed;
}

/* ---- the operations ---- */

static int op_get_random(struct target *t)
{
	uint8_t out[16];
	uint32_t got;
	int rc;

	rc = tc_get_random(&t->c, sizeof(out), out, &got, &t->rsp);
	/* A short answer is legal (TPM_SHORTRANDOM is not), but not cheaper. */
	return rc ? rc : got == sizeof(out) ? 0 : -EBADMSG;
}

static int op_pcr_read(struct target *t)
{
	uint8_t out[TC_DIGEST_SIZE];

	return tc_pcr_read(&t->c, BENCH_PCR, out, &t->rsp);
}

static int op_extend(struct target *t)
{
	static const uint8_t in[TC_DIGEST_SIZE] = { 0x5a, 0xa5, 0x5a, 0xa5 };

	return tc_extend(&t->c, BENCH_PCR, in, NULL, &t->rsp);
}

static int op_get_cap(struct target *t)
{
	uint32_t v;

	return tc_get_cap_u32(&t->c, TPM_CAP_PROPERTY, TPM_CAP_PROP_PCR, &v,
			      &t->rsp);
}

static int op_oiap(struct target *t)
{
	return tc_oiap(&t->c, &t->sess, tc_well_known, &t->rsp);
}

static int op_flush_sess(struct target *t)
{
	/* Flush explicitly: tc_session_close() hides the TPM's answer. */
	t->sess.open = false;
	return tc_flush_specific(&t->c, t->sess.handle, TPM_RT_AUTH, &t->rsp);
}

static int op_oiap_sign(struct target *t)
{
	uint8_t digest[TC_DIGEST_SIZE] = "bench_net: a digest";
	uint8_t sig[TC_MAX_MODULUS];
	uint32_t sig_len;

	/* tc_sign() opens its own OIAP session: the pair is what we time. */
	return tc_sign(&t->c, t->sign_key, tc_well_known, digest,
		       sizeof(digest), sig, &sig_len, &t->rsp);
}

/*
 * The reference: the private-key operation of Sign alone, PKCS#1 v1.5 over
 * a SHA-1 DigestInfo, as TPM_SS_RSASSAPKCS1v15_SHA1, with a context made
 * once, as `openssl speed rsa2048` does.
 */
static int ossl_sign(struct target *t)
{
	uint8_t digest[TC_DIGEST_SIZE] = "bench_net: a digest";
	uint8_t sig[TC_MAX_MODULUS];
	size_t sig_len = sizeof(sig);

	if (EVP_PKEY_sign(t->ossl, sig, &sig_len, digest, sizeof(digest)) <= 0)
		return -EIO;
	return 0;
}

static int op_seal(struct target *t)
{
	size_t len;

	return tc_seal(&t->c, t->store_key, tc_well_known, tc_well_known, 0,
		       NULL, seal_data, sizeof(seal_data), t->blob, &len,
		       &t->rsp);
}

static int op_unseal(struct target *t)
{
	uint8_t out[TC_BUF_MAX];
	uint32_t len;
	int rc;

	rc = tc_unseal(&t->c, t->store_key, tc_well_known, tc_well_known,
		       t->sealed, t->sealed_len, out, &len, &t->rsp);
	if (rc)
		return rc;
	/* A wrong answer would be a bug worth more than any timing. */
	if (len != sizeof(seal_data) || memcmp(out, seal_data, len))
		return -EBADMSG;
	return 0;
}

static const struct tc_key_template bind_template = {
	.usage = TPM_KEY_BIND,
	.auth_usage = TPM_AUTH_ALWAYS,
	.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
	.sig_scheme = TPM_SS_NONE,
	.key_bits = KEY_BITS,
};

static int op_create_wrap_key(struct target *t)
{
	size_t len;

	return tc_create_wrap_key(&t->c, t->store_key, tc_well_known,
				  &bind_template, tc_well_known,
				  tc_well_known, t->blob, &len, &t->rsp);
}

/* Defined at the end of the file. */
static int op_nv_prepare(struct target *t);
static int op_nv_write(struct target *t);

/* Cheapest useful light commands first; the RSA ones last. */
static const struct op ops[] = {
	{ .name = "GetRandom(16)", .tpm_cmds = 1, .run = op_get_random },
	{ .name = "PCRRead", .tpm_cmds = 1, .run = op_pcr_read },
	{ .name = "Extend", .tpm_cmds = 1, .run = op_extend },
	{ .name = "GetCapability(PROP_PCR)", .tpm_cmds = 1,
	  .run = op_get_cap },
	{ .name = "OIAP", .tpm_cmds = 1, .run = op_oiap,
	  .post = op_flush_sess },
	{ .name = "FlushSpecific(OIAP)", .tpm_cmds = 1, .pre = op_oiap,
	  .run = op_flush_sess },
	{ .name = "OIAP+Sign(2048)", .tpm_cmds = 2, .run = op_oiap_sign,
	  .local = ossl_sign, .local_name = "EVP_PKEY_sign(2048)" },
	{ .name = "OSAP+Seal(32B)", .tpm_cmds = 2, .run = op_seal },
	{ .name = "2xOIAP+Unseal", .tpm_cmds = 3, .run = op_unseal },
	{ .name = "OSAP+CreateWrapKey(2048)", .tpm_cmds = 2, .keygen = true,
	  .run = op_create_wrap_key },
	{ .name = "OIAP+NV_WriteValue(32B)", .tpm_cmds = 2,
	  .pre = op_nv_prepare, .run = op_nv_write },
};

/* ---- provisioning ---- */

/* Report a failed provisioning step; returns @rc for the caller. */
static int prov_fail(const struct target *t, const char *step, int rc)
{
	char buf[64];

	fprintf(stderr, "bench_net: %s: %s: %s\n", t->label, step,
		rc_str(rc, buf, sizeof(buf)));
	return rc;
}

/*
 * TPM_PERMANENT_FLAGS: tag, then disable, ownership, deactivated (BOOLs).
 * "ownership" means an owner may be installed, not that one is: whether
 * there is an owner is TPM_CAP_PROP_OWNER.
 */
static int read_state(struct target *t, bool *disabled, bool *deactivated,
		      bool *owned)
{
	uint8_t sub[4];
	struct tpm_buf in;
	uint32_t n, owner;
	uint16_t tag;
	uint8_t f[3];
	int rc;

	tb_wr_be32(sub, TPM_CAP_FLAG_PERMANENT);
	rc = tc_get_capability(&t->c, TPM_CAP_FLAG, sub, sizeof(sub),
			       &t->rsp);
	if (rc)
		return prov_fail(t, "GetCapability(FLAG_PERMANENT)", rc);
	tc_rsp_params(&t->rsp, &in);
	if (tb_get_u32(&in, &n) || n < 2 + sizeof(f) ||
	    tb_get_u16(&in, &tag) || tag != TPM_TAG_PERMANENT_FLAGS ||
	    tb_get_bytes(&in, f, sizeof(f)))
		return prov_fail(t, "GetCapability(FLAG_PERMANENT)", -EBADMSG);
	*disabled = f[0];
	*deactivated = f[2];
	rc = tc_get_cap_u32(&t->c, TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER,
			    &owner, &t->rsp);
	if (rc)
		return prov_fail(t, "GetCapability(PROP_OWNER)", rc);
	*owned = owner;
	return 0;
}

/* Enable the TPM under physical presence; deactivation needs a restart. */
static int make_usable(struct target *t, bool disabled, bool deactivated)
{
	int rc;

	rc = tc_assert_pp(&t->c, &t->rsp);
	if (rc)
		return prov_fail(t, "TSC_PhysicalPresence", rc);
	if (disabled) {
		rc = tc_physical_enable(&t->c, &t->rsp);
		if (rc)
			return prov_fail(t, "PhysicalEnable", rc);
	}
	if (deactivated) {
		/* Part 3, 6.4: takes effect at the next TPM_Startup only. */
		rc = tc_physical_set_deactivated(&t->c, false, &t->rsp);
		fprintf(stderr, "bench_net: %s: TPM is deactivated; %s\n",
			t->label, rc ? "PhysicalSetDeactivated failed" :
				       "activated, restart it and run again");
		return -EAGAIN;
	}
	return 0;
}

static int take_ownership(struct target *t)
{
	struct tc_pubkey ek;
	int rc;

	rc = tc_read_pubek(&t->c, &ek, &t->rsp);
	if (rc == TPM_NO_ENDORSEMENT) {
		/* swtpm starts without an EK, as a TPM fresh from the fab. */
		rc = tc_create_ek(&t->c, KEY_BITS, &ek, &t->rsp);
		if (rc)
			return prov_fail(t, "CreateEndorsementKeyPair", rc);
	} else if (rc) {
		return prov_fail(t, "ReadPubek", rc);
	}
	rc = tc_take_ownership(&t->c, &ek, tc_well_known, tc_well_known,
			       false, NULL, &t->rsp);
	return rc ? prov_fail(t, "TakeOwnership", rc) : 0;
}

/* CreateWrapKey under the SRK, then LoadKey2; @pk gets its public key. */
static int make_key(struct target *t, const struct tc_key_template *tmpl,
		    uint32_t *handle, struct tc_pubkey *pk)
{
	struct tpm_buf in;
	size_t len;
	int rc;

	rc = tc_create_wrap_key(&t->c, TPM_KH_SRK, tc_well_known, tmpl,
				tc_well_known, tc_well_known, t->blob, &len,
				&t->rsp);
	if (rc)
		return prov_fail(t, "CreateWrapKey", rc);
	tb_init_read(&in, t->blob, len);
	if (tc_get_key(&in, pk))
		return prov_fail(t, "CreateWrapKey", -EBADMSG);
	rc = tc_load_key2(&t->c, TPM_KH_SRK, tc_well_known, t->blob, len,
			  handle, &t->rsp);
	return rc ? prov_fail(t, "LoadKey2", rc) : 0;
}

/* Sign once and check the signature, so that we never time garbage. */
static int check_sign(struct target *t)
{
	uint8_t digest[TC_DIGEST_SIZE] = "bench_net: a digest";
	uint8_t sig[TC_MAX_MODULUS];
	uint32_t sig_len;
	int rc;

	rc = tc_sign(&t->c, t->sign_key, tc_well_known, digest,
		     sizeof(digest), sig, &sig_len, &t->rsp);
	if (rc)
		return prov_fail(t, "Sign", rc);
	rc = tc_rsa_verify_sha1(&t->sign_pub, digest, sig, sig_len);
	return rc ? prov_fail(t, "Sign: signature does not verify", rc) : 0;
}

/*
 * Bring the TPM to the state the ops need.  An owned TPM is assumed to use
 * the well-known owner and SRK secrets (as left by a previous run).
 */
static int provision(struct target *t)
{
	static const struct tc_key_template sign_t = {
		.usage = TPM_KEY_SIGNING,
		.auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1,
		.key_bits = KEY_BITS,
	};
	static const struct tc_key_template store_t = {
		.usage = TPM_KEY_STORAGE,
		.auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
		.sig_scheme = TPM_SS_NONE,
		.key_bits = KEY_BITS,
	};
	struct tc_pubkey store_pub;
	bool disabled = false, owned = false, deactivated = false;
	int rc;

	rc = read_state(t, &disabled, &deactivated, &owned);
	if (rc)
		return rc;
	if (disabled || deactivated) {
		rc = make_usable(t, disabled, deactivated);
		if (rc)
			return rc;
	}
	if (!owned) {
		rc = take_ownership(t);
		if (rc)
			return rc;
	}
	rc = make_key(t, &sign_t, &t->sign_key, &t->sign_pub);
	if (rc)
		return rc;
	rc = make_key(t, &store_t, &t->store_key, &store_pub);
	if (rc)
		return rc;
	rc = check_sign(t);
	if (rc)
		return rc;
	/* Unseal needs a blob; sealing it also proves Seal works. */
	rc = tc_seal(&t->c, t->store_key, tc_well_known, tc_well_known, 0,
		     NULL, seal_data, sizeof(seal_data), t->sealed,
		     &t->sealed_len, &t->rsp);
	return rc ? prov_fail(t, "Seal", rc) : 0;
}

/* A fresh RSA-2048 key and a signing context for ossl_sign(). */
static int ossl_init(struct target *t)
{
	EVP_PKEY *pkey;

	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)KEY_BITS);
	if (!pkey)
		return prov_fail(t, "RSA key generation", -EIO);
	t->ossl = EVP_PKEY_CTX_new(pkey, NULL);
	/* The context holds its own reference to the key. */
	EVP_PKEY_free(pkey);
	if (!t->ossl)
		return prov_fail(t, "EVP_PKEY_CTX_new", -ENOMEM);
	if (EVP_PKEY_sign_init(t->ossl) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(t->ossl, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(t->ossl, EVP_sha1()) <= 0)
		return prov_fail(t, "EVP_PKEY_sign_init", -EIO);
	return 0;
}

/* Flush our keys so that repeated runs do not fill the TPM's key slots. */
static void unprovision(struct target *t)
{
	if (t->store_key)
		tc_flush_specific(&t->c, t->store_key, TPM_RT_KEY, &t->rsp);
	if (t->sign_key)
		tc_flush_specific(&t->c, t->sign_key, TPM_RT_KEY, &t->rsp);
	t->store_key = 0;
	t->sign_key = 0;
}

/* ---- loopback echo: the transport's floor ---- */

/*
 * Echo server: the least a TPM server can do per command (poll, one read,
 * one write).  It inherits the client's CPU affinity, so under
 * `taskset -c 0` both sides share one CPU, as the TPMs do.
 */
static void __attribute__((noreturn)) echo_serve(int lfd)
{
	struct pollfd pfd = { .events = POLLIN };
	uint8_t buf[TC_BUF_MAX];
	ssize_t n;

	pfd.fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (pfd.fd < 0)
		_exit(1);
	for (;;) {
		if (poll(&pfd, 1, -1) < 0)
			_exit(1);
		n = read(pfd.fd, buf, sizeof(buf));
		if (n <= 0)
			_exit(n < 0);
		if (write(pfd.fd, buf, (size_t)n) != n)
			_exit(1);
	}
}

static int op_echo(struct target *t)
{
	/* A well-formed TPM_SUCCESS response header, 10 bytes. */
	static const uint8_t msg[ECHO_MSG_LEN] = { 0x00, 0xc4, 0, 0, 0,
						   ECHO_MSG_LEN };
	size_t len;

	return tc_transact(&t->c, msg, sizeof(msg), t->rsp.data,
			   sizeof(t->rsp.data), &len);
}

static const struct op echo_op = { .name = "loopback-echo(10B)",
				   .tpm_cmds = 1, .run = op_echo };

/*
 * Time an echo over loopback TCP through the same tc_transact() path as
 * the TPMs, with a forked server.  b->t[0] is the echo target.
 */
static int run_echo(struct bench *b)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t slen = sizeof(sin);
	struct target *t = &b->t[0];
	char ep[64];
	pid_t pid;
	int lfd, rc, status;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return prov_fail(t, "socket", -errno);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sin, &slen)) {
		rc = prov_fail(t, "echo server", -errno);
		goto err_close;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		rc = prov_fail(t, "fork", -errno);
		goto err_close;
	}
	if (pid == 0)
		echo_serve(lfd);
	close(lfd);
	snprintf(ep, sizeof(ep), "tcp:127.0.0.1:%u", ntohs(sin.sin_port));
	rc = tc_connect(&t->c, ep);
	if (rc) {
		prov_fail(t, "connect to echo server", rc);
		/* It waits in accept(): it will not notice on its own. */
		kill(pid, SIGTERM);
	} else {
		print_header(b);
		rc = run_op(b, &echo_op);
		/* The server exits when we hang up. */
		tc_disconnect(&t->c);
	}
	waitpid(pid, &status, 0);
	return rc;

err_close:
	close(lfd);
	return rc;
}

/* ---- main ---- */

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: bench_net [options] [NAME=]ENDPOINT...\n"
		"       bench_net [options] echo\n"
		"  ENDPOINT      tcp:HOST:PORT or unix:PATH of a TPM 1.2\n"
		"                (at most %u targets in all);\n"
		"                NAME labels it in the output\n"
		"  echo          time a loopback TCP echo instead (no TPM)\n"
		"  --iters N     timed runs per command (default %u)\n"
		"  --keygen-iters N  timed CreateWrapKey runs (default %u)\n"
		"  --rounds N    blocks per command, TPMs in turn (default %u)\n"
		"  --csv         machine-readable output\n"
		"  --openssl     also time OpenSSL's RSA-2048 sign in process,\n"
		"                in the same rounds as the TPMs' OIAP+Sign\n"
		"Pin it and the TPMs to one CPU (taskset -c 0) for latency.\n",
		MAX_TARGETS, DEFAULT_ITERS, DEFAULT_KEYGEN_ITERS,
		DEFAULT_ROUNDS);
	exit(status);
}

static unsigned int parse_count(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v == 0 || v > MAX_ITERS)
		usage(2);
	return (unsigned int)v;
}

/* "NAME=ENDPOINT" or "ENDPOINT"; a NAME has no ':' (endpoints do). */
static void parse_target(struct target *t, char *arg)
{
	char *eq = strchr(arg, '=');

	t->label = arg;
	t->endpoint = arg;
	if (eq && eq != arg && memchr(arg, ':', (size_t)(eq - arg)) == NULL) {
		*eq = '\0';
		t->endpoint = eq + 1;
	}
}

static void parse_args(struct bench *b, int argc, char **argv)
{
	enum { OPT_ITERS = 256, OPT_KEYGEN_ITERS, OPT_ROUNDS, OPT_CSV,
	       OPT_OPENSSL };
	static const struct option long_opts[] = {
		{ "iters", required_argument, NULL, OPT_ITERS },
		{ "keygen-iters", required_argument, NULL, OPT_KEYGEN_ITERS },
		{ "rounds", required_argument, NULL, OPT_ROUNDS },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "openssl", no_argument, NULL, OPT_OPENSSL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	b->iters = DEFAULT_ITERS;
	b->keygen_iters = DEFAULT_KEYGEN_ITERS;
	b->rounds = DEFAULT_ROUNDS;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ITERS:
			b->iters = parse_count(optarg);
			break;
		case OPT_KEYGEN_ITERS:
			b->keygen_iters = parse_count(optarg);
			break;
		case OPT_ROUNDS:
			b->rounds = parse_count(optarg);
			break;
		case OPT_CSV:
			b->csv = true;
			break;
		case OPT_OPENSSL:
			b->openssl = true;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind == argc || argc - optind + b->openssl > (int)MAX_TARGETS)
		usage(2);
	for (; optind < argc; optind++)
		parse_target(&b->t[b->ntargets++], argv[optind]);
	if (b->openssl) {
		b->t[b->ntargets].label = "openssl";
		b->t[b->ntargets++].local = true;
	}
}

int main(int argc, char **argv)
{
	static struct bench b;
	unsigned int i, nmax, nok, ntpm;
	size_t j;
	int rc = 0;

	parse_args(&b, argc, argv);
	nmax = b.iters > b.keygen_iters ? b.iters : b.keygen_iters;
	for (i = 0; i < b.ntargets; i++) {
		b.t[i].c.fd = -1;
		b.t[i].ns = calloc(nmax, sizeof(*b.t[i].ns));
		if (!b.t[i].ns) {
			perror("bench_net");
			rc = 1;
			goto out_free;
		}
	}
	if (b.ntargets == 1 && !strcmp(b.t[0].label, "echo")) {
		rc = run_echo(&b) ? 1 : 0;
		goto out_free;
	}
	/* A TPM that cannot be provisioned still gets (failed) rows. */
	nok = 0;
	ntpm = b.ntargets;
	for (i = 0; i < b.ntargets; i++) {
		struct target *t = &b.t[i];

		if (t->local) {
			t->prov_rc = ossl_init(t);
			ntpm--;
			continue;
		}
		t->prov_rc = tc_connect(&t->c, t->endpoint);
		if (t->prov_rc)
			prov_fail(t, "connect", t->prov_rc);
		else
			t->prov_rc = provision(t);
		nok += !t->prov_rc;
	}
	rc = nok < ntpm;
	if (nok) {
		print_header(&b);
		for (j = 0; j < sizeof(ops) / sizeof(ops[0]); j++)
			rc |= run_op(&b, &ops[j]);
	}
	for (i = 0; i < b.ntargets; i++) {
		unprovision(&b.t[i]);
		tc_disconnect(&b.t[i].c);
		EVP_PKEY_CTX_free(b.t[i].ossl);
	}
out_free:
	for (i = 0; i < b.ntargets; i++)
		free(b.t[i].ns);
	return rc ? 1 : 0;
}

/* ---- a durable write: NV_WriteValue ---- */

/* The NV index written (no D bit: the owner can define and release it),
 * and its size: a small record, like a monotonic boot counter's. */
#define BENCH_NV_INDEX		0x00011000U
#define BENCH_NV_SIZE		32U

/*
 * Define the index once per target (untimed), owner-writable.  Each timed
 * write then changes the TPM's persistent state: swtpm writes its state
 * file, a vTPM saves and seals its state durably before it answers.
 */
static int op_nv_prepare(struct target *t)
{
	static const struct target *ready[MAX_TARGETS];
	unsigned int i;
	int rc;

	for (i = 0; i < MAX_TARGETS && ready[i]; i++)
		if (ready[i] == t)
			return 0;
	if (i == MAX_TARGETS)
		return -ENOSPC;
	rc = tc_nv_define(&t->c, tc_well_known, BENCH_NV_INDEX,
			  TPM_NV_PER_OWNERWRITE, BENCH_NV_SIZE, tc_well_known,
			  &t->rsp);
	if (rc)
		return rc;
	ready[i] = t;
	return 0;
}

static int op_nv_write(struct target *t)
{
	static uint32_t n;
	uint8_t data[BENCH_NV_SIZE] = "bench_net: NV record";

	/* A different value each time: nothing can skip the write. */
	n++;
	memcpy(data + BENCH_NV_SIZE - sizeof(n), &n, sizeof(n));
	return tc_nv_write(&t->c, tc_well_known, BENCH_NV_INDEX, 0, data,
			   sizeof(data), &t->rsp);
}
