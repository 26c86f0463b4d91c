// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal TPM 1.2 client for the hardware TPM (or tpmd/swtpm standing in
 * for it): transport, Startup, capability checks, ownership, OIAP/OSAP
 * sessions, Seal and Unseal.  It is the only manager code that talks to the
 * hardware TPM; it never logs secrets, nonces or sealed blobs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "constants.h"
#include "crypto.h"
#include "log.h"
#include "manager.h"
#include "marshal.h"

/* Largest TPM 1.2 packet we send or accept (TIS buffer size, and tpmd's
 * limit; tpmd.8). */
#define HWTPM_MAX_PACKET	4096U
#define HWTPM_HEADER_SIZE	10U
/* Authorization areas: handle, nonceOdd, continue, HMAC (Part 1, 11.2)
 * and nonceEven, continue, HMAC. */
#define HWTPM_AUTH_IN_SIZE	45U
#define HWTPM_AUTH_OUT_SIZE	41U
/* One command may take this long: TakeOwnership generates an RSA-2048 SRK,
 * which some TPM chips need more than a minute for (milliseconds). */
#define HWTPM_IO_TIMEOUT_MS	180000
/* --emulate-hw-tpm: how long tpmd may take to answer (milliseconds). */
#define HWTPM_SPAWN_TIMEOUT_MS	30000
#define HWTPM_SPAWN_POLL_MS	50
/* TPM_RETRY / TPM_DOING_SELFTEST: retries, 100 ms apart. */
#define HWTPM_BUSY_RETRIES	50U
/* PCRs of a TPM 1.2 (PC Client spec) and their selection size. */
#define HWTPM_NUM_PCRS		24U
#define HWTPM_PCR_SELECT_SIZE	3U
/* Limits on a TPM_STORED_DATA we accept for unsealing: one TPM_PCR_INFO
 * (2 + 3 + 20 + 20 bytes) at most, one RSA-2048 block of encData. */
#define HWTPM_MAX_SEAL_INFO	64U
#define HWTPM_MAX_ENC_DATA	512U
/* RSA-2048 EK: the largest modulus we encrypt under (bytes). */
#define HWTPM_MAX_RSA_BYTES	512U
#define HWTPM_OWNER_AUTH_FILE	"hwtpm-owner.auth"
/* Domain separation for the sealed blob's usage secret (see
 * docs/key-hierarchy.md, "Data secret of manager.sealed"). */
#define HWTPM_DATA_AUTH_LABEL	"vtpm manager.sealed data auth v1"
/* Lengths passed through the variadic (ptr, size_t) lists of crypto.h. */
#define LEN20			((size_t)20)
#define LEN1			((size_t)1)

struct hwtpm {
	pthread_mutex_t lock;		/* one command at a time */
	int fd;
	bool is_chardev;		/* one write, one read per command */
	bool emulated;
	uint8_t srk_auth[20];
	uint8_t data_auth[20];		/* usage secret of sealed blobs */
	uint32_t pcr_mask;
	char desc[PATH_MAX + 64];
};

/* A command being built and its response. */
struct cmd {
	uint32_t ordinal;
	unsigned int in_handles;	/* excluded from inParamDigest */
	unsigned int out_handles;	/* excluded from outParamDigest */
	struct tpm_buf b;
	uint8_t buf[HWTPM_MAX_PACKET];
	uint8_t rsp[HWTPM_MAX_PACKET];
	size_t rsp_len;
	uint32_t rc;
	struct tpm_buf out;		/* response parameters */
};

/* A client-side authorization session (Part 1, 11). */
struct sess {
	uint32_t handle;
	uint8_t nonce_even[20];
	uint8_t nonce_odd[20];
	uint8_t key[20];		/* usage secret or OSAP shared secret */
};

/* The spec of the tpmd we started (hwtpm_describe says "emulated"). */
static char emulated_spec[PATH_MAX + 8];

/* ---- transport ---- */

static int wait_fd(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, HWTPM_IO_TIMEOUT_MS);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t w;
	int err;

	while (len) {
		err = wait_fd(fd, POLLOUT);
		if (err)
			return err;
		w = write(fd, p, len);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int read_exact(int fd, uint8_t *p, size_t len)
{
	ssize_t r;
	int err;

	while (len) {
		err = wait_fd(fd, POLLIN);
		if (err)
			return err;
		r = read(fd, p, len);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ECONNRESET;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* One command, one response; only the framing is checked here. */
static int transact_fd(int fd, bool chardev, const uint8_t *cmd,
		       size_t len, uint8_t *rsp, size_t cap, size_t *rsp_len)
{
	uint32_t size;
	ssize_t r;
	int err;

	if (cap < HWTPM_HEADER_SIZE)
		return -ENOSPC;
	err = write_all(fd, cmd, len);
	if (err)
		return err;
	if (chardev) {
		/* The TPM driver hands over the whole response at once. */
		err = wait_fd(fd, POLLIN);
		if (err)
			return err;
		do {
			r = read(fd, rsp, cap);
		} while (r < 0 && errno == EINTR);
		if (r < 0)
			return -errno;
		if ((size_t)r < HWTPM_HEADER_SIZE ||
		    tb_be32(rsp + 2) != (uint32_t)r)
			return -EBADMSG;
		*rsp_len = (size_t)r;
		return 0;
	}
	err = read_exact(fd, rsp, HWTPM_HEADER_SIZE);
	if (err)
		return err;
	size = tb_be32(rsp + 2);
	if (size < HWTPM_HEADER_SIZE || size > cap)
		return -EBADMSG;
	err = read_exact(fd, rsp + HWTPM_HEADER_SIZE,
			 size - HWTPM_HEADER_SIZE);
	if (err)
		return err;
	*rsp_len = size;
	return 0;
}

int hwtpm_transact(struct hwtpm *h, const uint8_t *cmd, size_t len,
		   uint8_t *rsp, size_t cap, size_t *rsp_len)
{
	int err;

	if (h->fd < 0)
		return -ENOTCONN;
	pthread_mutex_lock(&h->lock);
	err = transact_fd(h->fd, h->is_chardev, cmd, len, rsp, cap, rsp_len);
	pthread_mutex_unlock(&h->lock);
	return err;
}

/* Connect to /dev/tpmN, tcp:HOST:PORT or unix:PATH. */
static int connect_device(const char *spec, bool *chardev)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char host[256];
	const char *colon;
	int fd, err;

	*chardev = false;
	if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		if (strlen(spec + 5) >= sizeof(sun.sun_path))
			return -ENAMETOOLONG;
		strcpy(sun.sun_path, spec + 5);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
			err = -errno;
			close(fd);
			return err;
		}
		return fd;
	}
	if (!strncmp(spec, "tcp:", 4)) {
		colon = strrchr(spec + 4, ':');
		if (!colon || colon == spec + 4 ||
		    (size_t)(colon - spec - 4) >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec + 4, (size_t)(colon - spec - 4));
		host[colon - spec - 4] = '\0';
		if (getaddrinfo(host, colon + 1, &hints, &res))
			return -EHOSTUNREACH;
		err = -ECONNREFUSED;
		for (ai = res; ai; ai = ai->ai_next) {
			fd = socket(ai->ai_family,
				    ai->ai_socktype | SOCK_CLOEXEC,
				    ai->ai_protocol);
			if (fd < 0)
				continue;
			if (!connect(fd, ai->ai_addr, ai->ai_addrlen)) {
				freeaddrinfo(res);
				return fd;
			}
			err = -errno;
			close(fd);
		}
		freeaddrinfo(res);
		return err;
	}
	*chardev = true;
	fd = open(spec, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- commands and authorization ---- */

static int cmd_begin(struct cmd *c, uint16_t tag, uint32_t ordinal,
		     unsigned int in_handles)
{
	memset(c, 0, offsetof(struct cmd, buf));
	c->ordinal = ordinal;
	c->in_handles = in_handles;
	tb_init_write(&c->b, c->buf, sizeof(c->buf));
	if (tb_put_u16(&c->b, tag) || tb_put_u32(&c->b, 0) ||
	    tb_put_u32(&c->b, ordinal))
		return -ENOSPC;
	return 0;
}

/* Send, retrying while the TPM is busy with its self-test. */
static int send_cmd(struct hwtpm *h, struct cmd *c)
{
	static const uint8_t cont_selftest[] = {
		0x00, 0xC1, 0, 0, 0, 10, 0, 0, 0, TPM_ORD_ContinueSelfTest
	};
	uint8_t tmp[HWTPM_MAX_PACKET];
	unsigned int tries;
	size_t n;
	int err;

	if (tb_patch_u32(&c->b, 2, (uint32_t)c->b.len))
		return -ENOSPC;
	for (tries = 0;; tries++) {
		err = hwtpm_transact(h, c->buf, c->b.len, c->rsp,
				     sizeof(c->rsp), &c->rsp_len);
		if (err)
			return err;
		c->rc = tb_be32(c->rsp + 6);
		if (tries >= HWTPM_BUSY_RETRIES)
			break;
		if (c->rc == TPM_NEEDS_SELFTEST) {
			err = hwtpm_transact(h, cont_selftest,
					     sizeof(cont_selftest), tmp,
					     sizeof(tmp), &n);
			if (err)
				return err;
		} else if (c->rc == TPM_RETRY || c->rc == TPM_DOING_SELFTEST) {
			struct timespec ts = { 0, 100000000L };

			nanosleep(&ts, NULL);
		} else {
			break;
		}
	}
	return 0;
}

/*
 * Finish @c with authorization areas for @s[0..nsess) (Part 1, 11.2:
 * HMAC(key, SHA1(ordinal || params) || nonceEven || nonceOdd || continue)),
 * run it, check the response header and, on success, every response HMAC.
 * Sessions are never continued: each command uses fresh ones.
 * Return: 0 (c->rc holds the TPM's answer, c->out its parameters) or
 * -errno when the transport failed or the response is malformed or not
 * authentic.
 */
static int run_cmd(struct hwtpm *h, struct cmd *c, struct sess **s,
		   unsigned int nsess)
{
	uint8_t in_digest[20], out_digest[20], hmac[20], ord[4], rc[4];
	const uint8_t cont = 0;
	size_t params, plen, i;
	uint16_t tag;
	int err;

	params = HWTPM_HEADER_SIZE + 4U * c->in_handles;
	if (params > c->b.len)
		return -EINVAL;
	tb_wr_be32(ord, c->ordinal);
	if (nsess) {
		err = tpm_sha1_v(in_digest, ord, sizeof(ord),
				 c->buf + params, c->b.len - params, NULL);
		if (err)
			return err;
	}
	for (i = 0; i < nsess; i++) {
		err = tpm_rand(s[i]->nonce_odd, 20);
		if (err)
			return err;
		err = tpm_hmac_sha1_v(s[i]->key, 20, hmac, in_digest, LEN20,
				      s[i]->nonce_even, LEN20,
				      s[i]->nonce_odd, LEN20, &cont, LEN1,
				      NULL);
		if (err)
			return err;
		if (tb_put_u32(&c->b, s[i]->handle) ||
		    tb_put_bytes(&c->b, s[i]->nonce_odd, 20) ||
		    tb_put_u8(&c->b, cont) || tb_put_bytes(&c->b, hmac, 20))
			return -ENOSPC;
	}
	err = send_cmd(h, c);
	if (err)
		return err;

	/* The header: tag matching the request, size already checked. */
	tag = tb_be16(c->rsp);
	if (c->rc != TPM_SUCCESS) {
		if (tag != TPM_TAG_RSP_COMMAND ||
		    c->rsp_len != HWTPM_HEADER_SIZE)
			return -EBADMSG;
		tb_init_read(&c->out, c->rsp, 0);
		return 0;
	}
	if (tag != TPM_TAG_RSP_COMMAND + nsess ||
	    c->rsp_len < HWTPM_HEADER_SIZE + 4U * c->out_handles +
			 nsess * HWTPM_AUTH_OUT_SIZE)
		return -EBADMSG;
	plen = c->rsp_len - nsess * HWTPM_AUTH_OUT_SIZE;
	tb_init_read(&c->out, c->rsp, plen);
	c->out.pos = HWTPM_HEADER_SIZE;
	if (!nsess)
		return 0;

	/* Part 1, 11.2: HMAC(key, SHA1(rc || ordinal || outParams) ||
	 * nonceEven || nonceOdd || continue). */
	tb_wr_be32(rc, c->rc);
	err = tpm_sha1_v(out_digest, rc, sizeof(rc), ord, sizeof(ord),
			 c->rsp + HWTPM_HEADER_SIZE + 4U * c->out_handles,
			 plen - HWTPM_HEADER_SIZE - 4U * c->out_handles,
			 NULL);
	if (err)
		return err;
	for (i = 0; i < nsess; i++) {
		const uint8_t *a = c->rsp + plen + i * HWTPM_AUTH_OUT_SIZE;

		memcpy(s[i]->nonce_even, a, 20);
		err = tpm_hmac_sha1_v(s[i]->key, 20, hmac, out_digest, LEN20,
				      s[i]->nonce_even, LEN20,
				      s[i]->nonce_odd, LEN20, a + 20, LEN1,
				      NULL);
		if (err)
			return err;
		if (tpm_memcmp_ct(hmac, a + 21, 20)) {
			log_warnx("hardware TPM: response to ordinal 0x%x "
				  "fails its authorization check",
				  c->ordinal);
			return -EBADMSG;
		}
	}
	return 0;
}

/* An unauthorized command that must succeed; rc reported in *rc. */
static int run_plain(struct hwtpm *h, struct cmd *c)
{
	return run_cmd(h, c, NULL, 0);
}

/* Release a session the TPM still holds (a command we never sent). */
static void sess_flush(struct hwtpm *h, const struct sess *s)
{
	struct cmd c;

	if (cmd_begin(&c, TPM_TAG_RQU_COMMAND, TPM_ORD_FlushSpecific, 0) ||
	    tb_put_u32(&c.b, s->handle) || tb_put_u32(&c.b, TPM_RT_AUTH))
		return;
	run_plain(h, &c);
}

static int oiap(struct hwtpm *h, struct sess *s, const uint8_t secret[20])
{
	struct cmd c;
	int err;

	err = cmd_begin(&c, TPM_TAG_RQU_COMMAND, TPM_ORD_OIAP, 0);
	if (!err)
		err = run_plain(h, &c);
	if (err)
		return err;
	if (c.rc) {
		log_warnx("hardware TPM: TPM_OIAP failed: 0x%x", c.rc);
		return -EIO;
	}
	if (tb_get_u32(&c.out, &s->handle) ||
	    tb_get_bytes(&c.out, s->nonce_even, 20) || tb_expect_end(&c.out))
		return -EBADMSG;
	memcpy(s->key, secret, 20);
	return 0;
}

/* OSAP for (@et, @ev); the session key becomes the shared secret
 * HMAC(secret, nonceEvenOSAP || nonceOddOSAP) (Part 1, 11.2.2). */
static int osap(struct hwtpm *h, struct sess *s, uint16_t et, uint32_t ev,
		const uint8_t secret[20])
{
	uint8_t odd_osap[20], even_osap[20];
	struct cmd c;
	int err;

	err = tpm_rand(odd_osap, sizeof(odd_osap));
	if (err)
		return err;
	err = cmd_begin(&c, TPM_TAG_RQU_COMMAND, TPM_ORD_OSAP, 0);
	if (err || tb_put_u16(&c.b, et) || tb_put_u32(&c.b, ev) ||
	    tb_put_bytes(&c.b, odd_osap, 20))
		return err ? err : -ENOSPC;
	err = run_plain(h, &c);
	if (err)
		return err;
	if (c.rc) {
		log_warnx("hardware TPM: TPM_OSAP failed: 0x%x", c.rc);
		return -EIO;
	}
	if (tb_get_u32(&c.out, &s->handle) ||
	    tb_get_bytes(&c.out, s->nonce_even, 20) ||
	    tb_get_bytes(&c.out, even_osap, 20) || tb_expect_end(&c.out))
		return -EBADMSG;
	err = tpm_hmac_sha1_v(secret, 20, s->key, even_osap, LEN20,
			      odd_osap, LEN20, NULL);
	if (err)
		sess_flush(h, s);
	return err;
}

static int startup_clear(struct hwtpm *h)
{
	struct cmd c;
	int err;

	err = cmd_begin(&c, TPM_TAG_RQU_COMMAND, TPM_ORD_Startup, 0);
	if (err || tb_put_u16(&c.b, TPM_ST_CLEAR))
		return err ? err : -ENOSPC;
	err = run_plain(h, &c);
	if (err)
		return err;
	if (c.rc) {
		log_warnx("hardware TPM: TPM_Startup(ST_CLEAR) failed: 0x%x",
			  c.rc);
		return -EIO;
	}
	return 0;
}

/* TPM_GetCapability; c->out holds the response body (respSize stripped). */
static int get_cap(struct hwtpm *h, struct cmd *c, uint32_t area,
		   uint32_t sub)
{
	const uint8_t *p;
	uint32_t n;
	int err;

	err = cmd_begin(c, TPM_TAG_RQU_COMMAND, TPM_ORD_GetCapability, 0);
	if (err || tb_put_u32(&c->b, area) || tb_put_u32(&c->b, 4) ||
	    tb_put_u32(&c->b, sub))
		return err ? err : -ENOSPC;
	err = run_plain(h, c);
	if (err || c->rc)
		return err;
	if (tb_get_sized(&c->out, &p, &n, HWTPM_MAX_PACKET) ||
	    tb_expect_end(&c->out))
		return -EBADMSG;
	tb_init_read(&c->out, p, n);
	return 0;
}

struct tpm_status {
	bool owned, disabled, deactivated, ownable;
};

/* Owner, TPM_PERMANENT_FLAGS and TPM_STCLEAR_FLAGS (Part 2, 7.1, 7.2). */
static int read_status(struct hwtpm *h, struct tpm_status *st)
{
	uint8_t ownership, disable, deact, vdeact, owned;
	uint16_t tag;
	struct cmd c;
	int err;

	err = get_cap(h, &c, TPM_CAP_PROPERTY, TPM_CAP_PROP_OWNER);
	if (!err && c.rc == TPM_INVALID_POSTINIT) {
		log_info("hardware TPM was not started; sending "
			 "TPM_Startup(ST_CLEAR)");
		err = startup_clear(h);
		if (!err)
			err = get_cap(h, &c, TPM_CAP_PROPERTY,
				      TPM_CAP_PROP_OWNER);
	}
	if (err)
		return err;
	if (c.rc) {
		log_warnx("hardware TPM: GetCapability(owner) failed: 0x%x",
			  c.rc);
		return -EIO;
	}
	if (tb_get_u8(&c.out, &owned) || owned > 1 || tb_expect_end(&c.out))
		return -EBADMSG;
	st->owned = owned;

	err = get_cap(h, &c, TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT);
	if (err || c.rc)
		return err ? err : -EIO;
	if (tb_get_u16(&c.out, &tag) || tag != TPM_TAG_PERMANENT_FLAGS ||
	    tb_get_u8(&c.out, &disable) || tb_get_u8(&c.out, &ownership) ||
	    tb_get_u8(&c.out, &deact))
		return -EBADMSG;
	err = get_cap(h, &c, TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE);
	if (err || c.rc)
		return err ? err : -EIO;
	if (tb_get_u16(&c.out, &tag) || tag != TPM_TAG_STCLEAR_FLAGS ||
	    tb_get_u8(&c.out, &vdeact))
		return -EBADMSG;
	st->disabled = disable;
	st->ownable = ownership;
	st->deactivated = deact || vdeact;
	return 0;
}

/* ---- ownership ---- */

/* TPM_PUBKEY (RSA) -> public key, with the checksum of ReadPubek /
 * CreateEndorsementKeyPair verified against @anti_replay. */
static int parse_pubek(struct cmd *c, const uint8_t anti_replay[20],
		       struct tpm_rsa **ek)
{
	uint32_t alg, parm_size, key_len, nprimes, exp_len, mod_len;
	const uint8_t *start, *exp, *mod, *sum;
	uint8_t digest[20];
	uint16_t es, ss;
	size_t pub_len;

	start = tb_cursor(&c->out);
	if (tb_get_u32(&c->out, &alg) || tb_get_u16(&c->out, &es) ||
	    tb_get_u16(&c->out, &ss) || tb_get_u32(&c->out, &parm_size) ||
	    tb_get_u32(&c->out, &key_len) || tb_get_u32(&c->out, &nprimes) ||
	    tb_get_sized(&c->out, &exp, &exp_len, 8) ||
	    parm_size != 12 + exp_len ||
	    tb_get_sized(&c->out, &mod, &mod_len, HWTPM_MAX_RSA_BYTES))
		return -EBADMSG;
	pub_len = (size_t)(tb_cursor(&c->out) - start);
	if (tb_get_ref(&c->out, &sum, 20) || tb_expect_end(&c->out))
		return -EBADMSG;
	if (alg != TPM_ALG_RSA || es != TPM_ES_RSAESOAEP_SHA1_MGF1 ||
	    mod_len < 128) {
		log_warnx("hardware TPM: the endorsement key is not an "
			  "RSA OAEP key");
		return -EPROTO;
	}
	if (tpm_sha1_v(digest, start, pub_len, anti_replay, LEN20, NULL))
		return -EIO;
	if (tpm_memcmp_ct(digest, sum, 20)) {
		log_warnx("hardware TPM: endorsement key checksum mismatch");
		return -EBADMSG;
	}
	return tpm_rsa_from_public(ek, mod, mod_len, exp, exp_len);
}

static int read_pubek(struct hwtpm *h, struct tpm_rsa **ek)
{
	uint8_t nonce[20];
	struct cmd c;
	int err;

	err = tpm_rand(nonce, sizeof(nonce));
	if (!err)
		err = cmd_begin(&c, TPM_TAG_RQU_COMMAND, TPM_ORD_ReadPubek,
				0);
	if (err || tb_put_bytes(&c.b, nonce, 20))
		return err ? err : -ENOSPC;
	err = run_plain(h, &c);
	if (err)
		return err;
	if (c.rc == TPM_NO_ENDORSEMENT) {
		/* A fresh swtpm has none; real chips are manufactured with
		 * one.  Without it ownership cannot be taken. */
		log_info("hardware TPM has no endorsement key; creating one "
			 "(TPM_CreateEndorsementKeyPair)");
		err = cmd_begin(&c, TPM_TAG_RQU_COMMAND,
				TPM_ORD_CreateEndorsementKeyPair, 0);
		if (err || tb_put_bytes(&c.b, nonce, 20) ||
		    tb_put_u32(&c.b, TPM_ALG_RSA) ||
		    tb_put_u16(&c.b, TPM_ES_RSAESOAEP_SHA1_MGF1) ||
		    tb_put_u16(&c.b, TPM_SS_NONE) || tb_put_u32(&c.b, 12) ||
		    tb_put_u32(&c.b, 2048) || tb_put_u32(&c.b, 2) ||
		    tb_put_u32(&c.b, 0))
			return err ? err : -ENOSPC;
		err = run_plain(h, &c);
		if (err)
			return err;
	}
	if (c.rc) {
		log_warnx("hardware TPM: cannot read the endorsement key: "
			  "0x%x", c.rc);
		return -EIO;
	}
	return parse_pubek(&c, nonce, ek);
}

/* TPM_KEY12 for the SRK: storage, RSA-2048, OAEP, auth always (Part 3,
 * 5.1 srkParams). */
static int put_srk_params(struct tpm_buf *b)
{
	if (tb_put_u16(b, TPM_TAG_KEY12) || tb_put_u16(b, 0) ||
	    tb_put_u16(b, TPM_KEY_STORAGE) || tb_put_u32(b, 0) ||
	    tb_put_u8(b, TPM_AUTH_ALWAYS) || tb_put_u32(b, TPM_ALG_RSA) ||
	    tb_put_u16(b, TPM_ES_RSAESOAEP_SHA1_MGF1) ||
	    tb_put_u16(b, TPM_SS_NONE) || tb_put_u32(b, 12) ||
	    tb_put_u32(b, 2048) || tb_put_u32(b, 2) || tb_put_u32(b, 0) ||
	    tb_put_u32(b, 0) || tb_put_u32(b, 0) || tb_put_u32(b, 0))
		return -ENOSPC;
	return 0;
}

/* Record the owner secret for the administrator before using it, so a
 * crash after TakeOwnership can never lose it. */
static int record_owner_auth(const char *root, const uint8_t auth[20],
			     char *path, size_t cap)
{
	char text[256];
	size_t i;
	int n, err;

	n = snprintf(path, cap, "%s/%s", root, HWTPM_OWNER_AUTH_FILE);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	n = snprintf(text, sizeof(text),
		     "# Owner secret of the hardware TPM, set by "
		     "vtpm_managerd (TPM_TakeOwnership).\n"
		     "# Keep it safe; it is the config file's owner_auth.\n"
		     "owner_auth = hex:");
	for (i = 0; i < 20; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%02x",
			      auth[i]);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\n");
	err = atomic_write_file(path, text, (size_t)n, 0600);
	explicit_bzero(text, sizeof(text));
	return err;
}

/* The owner secret we recorded earlier, if any: 0, -ENOENT or -EBADMSG. */
static int load_owner_auth(const char *root, uint8_t auth[20])
{
	char path[PATH_MAX], line[256];
	unsigned int i, v;
	int found = -ENOENT;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root,
			     HWTPM_OWNER_AUTH_FILE) >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	while (found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "owner_auth = hex:", 17))
			continue;
		found = -EBADMSG;
		for (i = 0; i < 20; i++) {
			if (sscanf(line + 17 + 2 * i, "%2x", &v) != 1)
				break;
			auth[i] = (uint8_t)v;
		}
		if (i == 20)
			found = 0;
	}
	explicit_bzero(line, sizeof(line));
	fclose(f);
	return found;
}

/* Part 3, 5.1: TPM_TakeOwnership with OIAP authorized by the new owner
 * secret; both secrets OAEP-encrypted under the EK. */
static int take_ownership(struct hwtpm *h, const struct hwtpm_config *cfg)
{
	uint8_t owner[20], enc_owner[HWTPM_MAX_RSA_BYTES];
	uint8_t enc_srk[HWTPM_MAX_RSA_BYTES];
	size_t enc_owner_len, enc_srk_len;
	char path[PATH_MAX];
	struct tpm_rsa *ek = NULL;
	struct sess s, *ps = &s;
	struct cmd c;
	int err;

	err = read_pubek(h, &ek);
	if (err)
		return err;
	if (cfg->owner_auth_set) {
		memcpy(owner, cfg->owner_auth, sizeof(owner));
	} else {
		err = tpm_rand(owner, sizeof(owner));
		if (err)
			goto err_free_ek;
		err = record_owner_auth(cfg->root, owner, path, sizeof(path));
		if (err) {
			log_warnx("cannot record the TPM owner secret in "
				  "%s/%s: %s; not taking ownership", cfg->root,
				  HWTPM_OWNER_AUTH_FILE, strerror(-err));
			goto err_wipe_owner;
		}
	}
	err = tpm_rsa_oaep_encrypt(ek, owner, 20, enc_owner,
				   sizeof(enc_owner), &enc_owner_len);
	if (!err)
		err = tpm_rsa_oaep_encrypt(ek, cfg->srk_auth, 20, enc_srk,
					   sizeof(enc_srk), &enc_srk_len);
	if (err)
		goto err_wipe_owner;
	err = oiap(h, &s, owner);
	if (err)
		goto err_wipe_owner;
	err = cmd_begin(&c, TPM_TAG_RQU_AUTH1_COMMAND, TPM_ORD_TakeOwnership,
			0);
	if (err || tb_put_u16(&c.b, TPM_PID_OWNER) ||
	    tb_put_sized(&c.b, enc_owner, (uint32_t)enc_owner_len) ||
	    tb_put_sized(&c.b, enc_srk, (uint32_t)enc_srk_len) ||
	    put_srk_params(&c.b)) {
		err = err ? err : -ENOSPC;
		sess_flush(h, &s);
		goto err_wipe_sess;
	}
	log_info("taking ownership of the hardware TPM (creating the SRK; "
		 "this can take a minute)");
	err = run_cmd(h, &c, &ps, 1);
	if (err)
		goto err_wipe_sess;
	if (c.rc) {
		log_warnx("hardware TPM refused TPM_TakeOwnership: 0x%x",
			  c.rc);
		err = -EACCES;
		goto err_wipe_sess;
	}
	if (cfg->owner_auth_set)
		log_info("took ownership of the hardware TPM with the "
			 "configured owner secret");
	else
		log_info("took ownership of the hardware TPM; the owner "
			 "secret is recorded in %s (mode 0600): back it up",
			 path);
err_wipe_sess:
	explicit_bzero(&s, sizeof(s));
err_wipe_owner:
	explicit_bzero(owner, sizeof(owner));
err_free_ek:
	tpm_rsa_free(ek);
	return err;
}

/* TPM_GetCapabilityOwner: proves we hold the owner secret (Part 3, 7.3). */
static int check_owner_auth(struct hwtpm *h, const uint8_t owner[20])
{
	struct sess s, *ps = &s;
	struct cmd c;
	int err;

	err = oiap(h, &s, owner);
	if (err)
		return err;
	err = cmd_begin(&c, TPM_TAG_RQU_AUTH1_COMMAND,
			TPM_ORD_GetCapabilityOwner, 0);
	if (err) {
		sess_flush(h, &s);
		goto out;
	}
	err = run_cmd(h, &c, &ps, 1);
	if (!err && c.rc == TPM_AUTHFAIL)
		err = -EACCES;
	else if (!err && c.rc)
		err = -EIO;
out:
	explicit_bzero(&s, sizeof(s));
	return err;
}

static int setup_ownership(struct hwtpm *h, const struct hwtpm_config *cfg,
			   const struct tpm_status *st)
{
	uint8_t owner[20];
	bool known;
	int err;

	if (!st->owned) {
		if (!st->ownable) {
			log_warnx("hardware TPM is unowned and does not allow "
				  "taking ownership (ownership flag off); "
				  "enable it (tpm_setownable -s) and restart");
			return -EPERM;
		}
		return take_ownership(h, cfg);
	}
	known = cfg->owner_auth_set;
	if (known)
		memcpy(owner, cfg->owner_auth, sizeof(owner));
	else
		known = !load_owner_auth(cfg->root, owner);
	if (!known) {
		/* Sealing needs only the SRK secret. */
		log_info("hardware TPM is owned and its owner secret is not "
			 "configured; using the SRK secret only");
		return 0;
	}
	err = check_owner_auth(h, owner);
	explicit_bzero(owner, sizeof(owner));
	if (err == -EACCES)
		log_warnx("hardware TPM is owned, but not with the owner "
			  "secret configured (owner_auth) or recorded in "
			  "%s/%s: fix the config", cfg->root,
			  HWTPM_OWNER_AUTH_FILE);
	else if (err == -EIO)
		log_info("hardware TPM cannot check the owner secret "
			 "(TPM_GetCapabilityOwner); continuing");
	return err == -EIO ? 0 : err;
}

int hwtpm_open(struct hwtpm **hp, const struct hwtpm_config *cfg)
{
	struct tpm_status st;
	struct hwtpm *h;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	pthread_mutex_init(&h->lock, NULL);
	h->pcr_mask = cfg->seal_pcr_mask;
	memcpy(h->srk_auth, cfg->srk_auth, sizeof(h->srk_auth));
	err = tpm_sha1_v(h->data_auth, HWTPM_DATA_AUTH_LABEL,
			 strlen(HWTPM_DATA_AUTH_LABEL), cfg->srk_auth,
			 LEN20, NULL);
	if (err)
		goto err_free;
	h->fd = connect_device(cfg->device, &h->is_chardev);
	if (h->fd < 0) {
		err = h->fd;
		log_warnx("hardware TPM %s: cannot connect: %s", cfg->device,
			  strerror(-err));
		goto err_free;
	}
	h->emulated = emulated_spec[0] && !strcmp(cfg->device, emulated_spec);
	snprintf(h->desc, sizeof(h->desc), "%stpm1.2 %s",
		 h->emulated ? "emulated (no root of trust) " : "",
		 cfg->device);

	err = read_status(h, &st);
	if (err) {
		log_warnx("hardware TPM %s does not answer as a TPM 1.2: %s",
			  cfg->device, strerror(-err));
		goto err_close;
	}
	if (st.disabled) {
		log_warnx("hardware TPM %s is disabled: enable it in the "
			  "firmware setup (or tpm_setenable -e) and restart",
			  cfg->device);
		err = -EPERM;
		goto err_close;
	}
	if (st.deactivated) {
		log_warnx("hardware TPM %s is deactivated: activate it in "
			  "the firmware setup (or tpm_setactive -a), reboot "
			  "and restart", cfg->device);
		err = -EPERM;
		goto err_close;
	}
	err = setup_ownership(h, cfg, &st);
	if (err)
		goto err_close;
	log_info("hardware TPM: %s, %s", h->desc,
		 h->pcr_mask ? "sealing to dom0 PCRs" : "sealing without PCRs");
	*hp = h;
	return 0;

err_close:
	close(h->fd);
err_free:
	explicit_bzero(h, sizeof(*h));
	free(h);
	return err;
}

void hwtpm_close(struct hwtpm *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd);
	pthread_mutex_destroy(&h->lock);
	explicit_bzero(h, sizeof(*h));
	free(h);
}

const char *hwtpm_describe(const struct hwtpm *h)
{
	return h ? h->desc : "none";
}

/* ---- sealing ---- */

/* TPM_PCR_INFO for the configured mask: the selection, digestAtRelease =
 * SHA1(TPM_PCR_COMPOSITE of the current values), digestAtCreation zero
 * (the TPM fills it in; Part 2, 8.1 and 8.5). */
static int put_pcr_info(struct hwtpm *h, struct tpm_buf *b)
{
	uint8_t sel[HWTPM_PCR_SELECT_SIZE] = { 0 }, vals[HWTPM_NUM_PCRS][20];
	uint8_t size_be[2], vsize_be[4], digest[20], zero[20] = { 0 };
	unsigned int i, n = 0;
	struct cmd c;
	int err;

	for (i = 0; i < HWTPM_NUM_PCRS; i++) {
		if (!(h->pcr_mask & (1U << i)))
			continue;
		sel[i / 8] |= (uint8_t)(1U << (i % 8));
		err = cmd_begin(&c, TPM_TAG_RQU_COMMAND, TPM_ORD_PcrRead, 0);
		if (err || tb_put_u32(&c.b, i))
			return err ? err : -ENOSPC;
		err = run_plain(h, &c);
		if (err)
			return err;
		if (c.rc) {
			log_warnx("hardware TPM: cannot read PCR %u: 0x%x", i,
				  c.rc);
			return -EIO;
		}
		if (tb_get_bytes(&c.out, vals[n++], 20) ||
		    tb_expect_end(&c.out))
			return -EBADMSG;
	}
	tb_wr_be16(size_be, HWTPM_PCR_SELECT_SIZE);
	tb_wr_be32(vsize_be, 20U * n);
	err = tpm_sha1_v(digest, size_be, sizeof(size_be), sel, sizeof(sel),
			 vsize_be, sizeof(vsize_be), vals, LEN20 * n,
			 NULL);
	if (err)
		return err;
	if (tb_put_u16(b, HWTPM_PCR_SELECT_SIZE) ||
	    tb_put_bytes(b, sel, sizeof(sel)) || tb_put_bytes(b, digest, 20) ||
	    tb_put_bytes(b, zero, 20))
		return -ENOSPC;
	return 0;
}

/* Check that @blob is exactly one TPM_STORED_DATA (Part 2, 9.1). */
static int check_stored_data(const uint8_t *blob, size_t len)
{
	const uint8_t *p;
	struct tpm_buf b;
	uint8_t ver[4];
	uint32_t n;

	tb_init_read(&b, blob, len);
	/* TPM_STRUCT_VER 1.1.0.0 exactly: a TPM outputs revMajor and
	 * revMinor as 0 and ignores them on input, so a changed one can
	 * only be damage. */
	if (tb_get_bytes(&b, ver, 4) || ver[0] != 1 || ver[1] != 1 ||
	    ver[2] != 0 || ver[3] != 0 ||
	    tb_get_sized(&b, &p, &n, HWTPM_MAX_SEAL_INFO) ||
	    tb_get_sized(&b, &p, &n, HWTPM_MAX_ENC_DATA) || n == 0 ||
	    tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int hwtpm_seal(struct hwtpm *h, const uint8_t *data, size_t len,
	       uint8_t **blob, size_t *blob_len)
{
	uint8_t pad[20], enc_auth[20];
	struct sess s, *ps = &s;
	size_t info_at, i;
	struct cmd c;
	int err;

	if (len > 256)
		return -EINVAL;
	/* Part 3, 10.1: OSAP on the SRK; the blob's usage secret goes in
	 * encrypted with ADIP (XOR with SHA1(sharedSecret || nonceEven)). */
	err = osap(h, &s, TPM_ET_SRK, TPM_KH_SRK, h->srk_auth);
	if (err)
		return err;
	err = tpm_sha1_v(pad, s.key, LEN20, s.nonce_even, LEN20,
			 NULL);
	for (i = 0; i < 20; i++)
		enc_auth[i] = h->data_auth[i] ^ pad[i];
	if (!err)
		err = cmd_begin(&c, TPM_TAG_RQU_AUTH1_COMMAND, TPM_ORD_Seal,
				1);
	if (err || tb_put_u32(&c.b, TPM_KH_SRK) ||
	    tb_put_bytes(&c.b, enc_auth, 20)) {
		err = err ? err : -ENOSPC;
		goto err_flush;
	}
	info_at = c.b.len;
	if (tb_put_u32(&c.b, 0)) {
		err = -ENOSPC;
		goto err_flush;
	}
	if (h->pcr_mask) {
		err = put_pcr_info(h, &c.b);
		if (err)
			goto err_flush;
		tb_patch_u32(&c.b, info_at, (uint32_t)(c.b.len - info_at - 4));
	}
	if (tb_put_sized(&c.b, data, (uint32_t)len)) {
		err = -ENOSPC;
		goto err_flush;
	}
	err = run_cmd(h, &c, &ps, 1);
	explicit_bzero(c.buf, sizeof(c.buf));
	if (err)
		goto err_wipe;
	if (c.rc) {
		log_warnx("hardware TPM refused TPM_Seal: 0x%x%s", c.rc,
			  c.rc == TPM_AUTHFAIL ?
			  " (wrong SRK secret: check srk_auth)" : "");
		err = c.rc == TPM_AUTHFAIL ? -EACCES : -EIO;
		goto err_wipe;
	}
	if (check_stored_data(tb_cursor(&c.out), tb_remaining(&c.out))) {
		err = -EBADMSG;
		goto err_wipe;
	}
	*blob = malloc(tb_remaining(&c.out));
	if (!*blob) {
		err = -ENOMEM;
		goto err_wipe;
	}
	*blob_len = tb_remaining(&c.out);
	memcpy(*blob, tb_cursor(&c.out), *blob_len);
	goto err_wipe;

err_flush:
	explicit_bzero(c.buf, sizeof(c.buf));
	sess_flush(h, &s);
err_wipe:
	explicit_bzero(&s, sizeof(s));
	explicit_bzero(pad, sizeof(pad));
	explicit_bzero(enc_auth, sizeof(enc_auth));
	return err;
}

/* A TPM's refusal to unseal, as an errno with a line for the operator. */
static int unseal_refused(uint32_t rc)
{
	switch (rc) {
	case TPM_WRONGPCRVAL:
		log_warnx("hardware TPM refused TPM_Unseal: dom0 PCRs differ "
			  "from those the master key was sealed to");
		return -EACCES;
	case TPM_AUTHFAIL:
		log_warnx("hardware TPM refused TPM_Unseal: wrong SRK secret "
			  "(check srk_auth)");
		return -EACCES;
	case TPM_AUTH2FAIL:
		log_warnx("hardware TPM refused TPM_Unseal: the blob's data "
			  "secret does not match (other SRK secret?)");
		return -EACCES;
	case TPM_DECRYPT_ERROR:
	case TPM_NOTSEALED_BLOB:
	case TPM_NOSRK:
	case TPM_INVALID_KEYHANDLE:
	case TPM_KEYNOTFOUND:
		log_warnx("hardware TPM refused TPM_Unseal (0x%x): the blob "
			  "was not sealed by this TPM's current SRK (other "
			  "TPM, cleared ownership, or damaged blob)", rc);
		return -EACCES;
	case TPM_DEFEND_LOCK_RUNNING:
		log_warnx("hardware TPM is in dictionary-attack lockout; "
			  "retry later");
		return -EBUSY;
	case TPM_BAD_PARAMETER:
	case TPM_BAD_PARAM_SIZE:
	case TPM_INVALID_STRUCTURE:
	case TPM_BAD_VERSION:
	case TPM_BADTAG:
	case TPM_INVALID_PCR_INFO:
		log_warnx("hardware TPM refused TPM_Unseal (0x%x): the "
			  "sealed blob is malformed", rc);
		return -EBADMSG;
	default:
		log_warnx("hardware TPM refused TPM_Unseal: 0x%x", rc);
		return -EIO;
	}
}

int hwtpm_unseal(struct hwtpm *h, const uint8_t *blob, size_t blob_len,
		 uint8_t *out, size_t cap, size_t *len)
{
	struct sess s1, s2, *ps[2] = { &s1, &s2 };
	const uint8_t *secret;
	uint32_t n;
	struct cmd c;
	int err;

	if (check_stored_data(blob, blob_len))
		return -EBADMSG;
	/* Part 3, 10.2: AUTH1 for the SRK, AUTH2 for the blob. */
	err = oiap(h, &s1, h->srk_auth);
	if (err)
		return err;
	err = oiap(h, &s2, h->data_auth);
	if (err)
		goto err_flush1;
	err = cmd_begin(&c, TPM_TAG_RQU_AUTH2_COMMAND, TPM_ORD_Unseal, 1);
	if (err || tb_put_u32(&c.b, TPM_KH_SRK) ||
	    tb_put_bytes(&c.b, blob, blob_len)) {
		err = err ? err : -ENOSPC;
		goto err_flush2;
	}
	err = run_cmd(h, &c, ps, 2);
	if (err)
		goto err_wipe;
	if (c.rc) {
		err = unseal_refused(c.rc);
		goto err_wipe;
	}
	if (tb_get_sized(&c.out, &secret, &n, HWTPM_MAX_PACKET) ||
	    tb_expect_end(&c.out)) {
		err = -EBADMSG;
		goto err_wipe;
	}
	if (n > cap) {
		err = -ENOSPC;
		goto err_wipe;
	}
	memcpy(out, secret, n);
	*len = n;
	goto err_wipe;

err_flush2:
	sess_flush(h, &s2);
err_flush1:
	sess_flush(h, &s1);
err_wipe:
	explicit_bzero(c.rsp, sizeof(c.rsp));
	explicit_bzero(&s1, sizeof(s1));
	explicit_bzero(&s2, sizeof(s2));
	return err;
}

/* ---- --emulate-hw-tpm ---- */

/* Connect and get any well-formed answer: tpmd is up. */
static int probe_emulator(const char *spec)
{
	static const uint8_t cap_owner[] = {
		0x00, 0xC1, 0, 0, 0, 22, 0, 0, 0, 0x65,
		0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 1, 0x11
	};
	uint8_t rsp[HWTPM_MAX_PACKET];
	size_t n;
	bool chardev;
	int fd, err;

	fd = connect_device(spec, &chardev);
	if (fd < 0)
		return fd;
	err = transact_fd(fd, false, cap_owner, sizeof(cap_owner), rsp,
			  sizeof(rsp), &n);
	close(fd);
	return err;
}

static void warn_no_root_of_trust(const char *spec)
{
	log_warnx("**************************************************"
		  "**********");
	log_warnx("* EMULATOR-IN-DOM0 TEST MODE (--emulate-hw-tpm)");
	log_warnx("* The \"hardware\" TPM is tpmd at %s, a process in", spec);
	log_warnx("* dom0 whose secrets are plain files.  There is NO");
	log_warnx("* hardware root of trust: anyone who can read dom0's");
	log_warnx("* disk can unseal every guest's vTPM.  Use it for tests");
	log_warnx("* and development only, never for guests you protect.");
	log_warnx("**************************************************"
		  "**********");
}

int hwtpm_spawn_emulator(const char *root, const char *tpmd_path,
			 char *spec, size_t spec_cap, int *pid)
{
	char dir[PATH_MAX];
	int waited, status, err, n;
	pid_t child;

	n = snprintf(dir, sizeof(dir), "%s/hwtpm", root);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	n = snprintf(spec, spec_cap, "unix:%s/tpmd.sock", dir);
	if (n < 0 || (size_t)n >= spec_cap ||
	    (size_t)n - 5 >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		log_warn("mkdir %s", dir);
		return err;
	}
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		/* Not the manager's blocked signals; and no emulator left
		 * behind if the manager dies. */
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(tpmd_path, "tpmd", "--listen", spec, "--state-dir", dir,
		      "-d", (char *)NULL);
		fprintf(stderr, "vtpm_managerd: exec %s: %s\n", tpmd_path,
			strerror(errno));
		_exit(127);
	}
	for (waited = 0; waited < HWTPM_SPAWN_TIMEOUT_MS;
	     waited += HWTPM_SPAWN_POLL_MS) {
		if (waitpid(child, &status, WNOHANG) == child) {
			log_warnx("emulated hardware TPM (%s) exited at once "
				  "(status 0x%x)", tpmd_path, status);
			return -ECHILD;
		}
		if (!probe_emulator(spec))
			break;
		usleep(HWTPM_SPAWN_POLL_MS * 1000);
	}
	if (waited >= HWTPM_SPAWN_TIMEOUT_MS) {
		log_warnx("emulated hardware TPM (%s) did not answer within "
			  "%d s", tpmd_path, HWTPM_SPAWN_TIMEOUT_MS / 1000);
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		return -ETIMEDOUT;
	}
	snprintf(emulated_spec, sizeof(emulated_spec), "%s", spec);
	warn_no_root_of_trust(spec);
	*pid = child;
	return 0;
}
