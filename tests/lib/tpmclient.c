// SPDX-License-Identifier: GPL-2.0
/*
 * tpmclient: transport, command builder, OIAP/OSAP authorization and helpers
 * for common TPM 1.2 commands.  All crypto is OpenSSL's; wire bytes go
 * through marshal.h.  Test code: it trusts nothing the TPM sends back.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "constants.h"
#include "tpmclient.h"

/* Part 2, 5.1: TPM_STRUCT_VER of 1.1 structures (TPM_KEY, QUOTE_INFO). */
static const uint8_t struct_ver_11[4] = { 1, 1, 0, 0 };
/* Part 1, 31.1.1: the OAEP encoding parameter is the string "TCPA". */
static const uint8_t oaep_label[4] = { 'T', 'C', 'P', 'A' };
/* Part 2, 5.4: the default RSA public exponent when exponentSize is 0. */
#define DEFAULT_EXPONENT	65537U
/* Largest TPM_KEY_PARMS.parms and PCR info we accept from a TPM. */
#define MAX_PARMS		64U
#define MAX_PCR_INFO		256U
/* sizeOfSelect for 24 PCRs (PC Client). */
#define PCR_SELECT_SIZE		3U
#define NUM_PCRS		24U

const uint8_t tc_well_known[TC_DIGEST_SIZE];

/* ---- transport ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_unix(struct tc_conn *c, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = -errno;
		goto err_close;
	}
	return 0;

err_close:
	close(c->fd);
	c->fd = -1;
	return err;
}

static int connect_tcp(struct tc_conn *c, const char *hostport)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char host[256];
	const char *colon, *h = hostport;
	size_t hlen;
	int one = 1, err;

	colon = strrchr(hostport, ':');
	if (!colon || !colon[1])
		return -EINVAL;
	hlen = (size_t)(colon - hostport);
	/* "[::1]:2321": strip the brackets of an IPv6 literal. */
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &res))
		return -EHOSTUNREACH;
	err = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			       ai->ai_protocol);
		if (c->fd < 0) {
			err = -errno;
			continue;
		}
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = -errno;
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (c->fd < 0)
		return err;
	/* One small request at a time: Nagle would only add latency. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

/*
 * A TPM character device (/dev/tpmN): the kernel's TPM core serves one open
 * file at a time and wants each command in a single write().
 */
static int connect_chardev(struct tc_conn *c, const char *path)
{
	c->fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0)
		return -errno;
	c->chardev = true;
	return 0;
}

int tc_connect(struct tc_conn *c, const char *endpoint)
{
	c->fd = -1;
	c->timeout_ms = TC_DEFAULT_TIMEOUT_MS;
	c->chardev = false;
	if (endpoint[0] == '/')
		return connect_chardev(c, endpoint);
	if (!strncmp(endpoint, "unix:", 5))
		return connect_unix(c, endpoint + 5);
	if (!strncmp(endpoint, "tcp:", 4))
		return connect_tcp(c, endpoint + 4);
	return -EINVAL;
}

void tc_disconnect(struct tc_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Wait until @fd is ready for @events or the deadline passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left;
	int n;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int write_all(int fd, const uint8_t *p, size_t n, int64_t deadline)
{
	ssize_t w;
	int err;

	while (n) {
		err = wait_fd(fd, POLLOUT, deadline);
		if (err)
			return err;
		/* MSG_NOSIGNAL: a TPM that hung up is an error, no signal. */
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return errno == EPIPE ? -ECONNRESET : -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_full(int fd, uint8_t *p, size_t n, int64_t deadline)
{
	ssize_t r;
	int err;

	while (n) {
		err = wait_fd(fd, POLLIN, deadline);
		if (err)
			return err;
		r = read(fd, p, n);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * One command on a TPM character device: the core transmits it during the
 * write() (blocking until the TPM answered or the core's timeout for that
 * ordinal passed) and hands the whole response to the next read().
 */
static int transact_chardev(struct tc_conn *c, const void *cmd, size_t len,
			    uint8_t *rsp, size_t cap, size_t *rsp_len)
{
	ssize_t n;

	do {
		n = write(c->fd, cmd, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	do {
		n = read(c->fd, rsp, cap);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/*
	 * The core checked paramSize against the length read from the TPM;
	 * check again rather than trust it.
	 */
	if (n < 10 || tb_be32(rsp + 2) != (uint32_t)n)
		return -EBADMSG;
	*rsp_len = (size_t)n;
	return 0;
}

int tc_transact(struct tc_conn *c, const void *cmd, size_t len,
		uint8_t *rsp, size_t cap, size_t *rsp_len)
{
	int64_t deadline = now_ms() + c->timeout_ms;
	uint32_t size;
	int err;

	if (c->fd < 0)
		return -ENOTCONN;
	if (cap < 10)
		return -EINVAL;
	if (c->chardev)
		return transact_chardev(c, cmd, len, rsp, cap, rsp_len);
	err = write_all(c->fd, cmd, len, deadline);
	if (err)
		return err;
	err = read_full(c->fd, rsp, 10, deadline);
	if (err)
		return err;
	size = tb_be32(rsp + 2);
	if (size < 10)
		return -EBADMSG;
	if (size > cap)
		return -EMSGSIZE;
	err = read_full(c->fd, rsp + 10, size - 10, deadline);
	if (err)
		return err;
	*rsp_len = size;
	return 0;
}

int tc_send_raw(struct tc_conn *c, const void *cmd, size_t len,
		struct tc_rsp *r)
{
	int err;

	r->len = 0;
	r->nauth = 0;
	err = tc_transact(c, cmd, len, r->data, sizeof(r->data), &r->len);
	if (err)
		return err;
	r->tag = tb_be16(r->data);
	r->rc = tb_be32(r->data + 6);
	r->params_end = r->len;
	return 0;
}

/* ---- command builder ---- */

void tc_cmd_init(struct tc_cmd *cmd, uint32_t ordinal)
{
	tb_init_write(&cmd->b, cmd->data, sizeof(cmd->data));
	cmd->ordinal = ordinal;
	cmd->rsp_handles = 0;
	cmd->trailers_at = 0;
	/* The tag and paramSize are patched in by tc_call(). */
	cmd->err = tb_put_u16(&cmd->b, TPM_TAG_RQU_COMMAND) ||
		   tb_put_u32(&cmd->b, 0) || tb_put_u32(&cmd->b, ordinal) ?
		   -ENOSPC : 0;
	cmd->params_off = cmd->b.len;
}

void tc_cmd_handle(struct tc_cmd *cmd, uint32_t handle)
{
	tc_cmd_u32(cmd, handle);
	cmd->params_off = cmd->b.len;
}

void tc_cmd_u8(struct tc_cmd *cmd, uint8_t v)
{
	if (!cmd->err)
		cmd->err = tb_put_u8(&cmd->b, v);
}

void tc_cmd_u16(struct tc_cmd *cmd, uint16_t v)
{
	if (!cmd->err)
		cmd->err = tb_put_u16(&cmd->b, v);
}

void tc_cmd_u32(struct tc_cmd *cmd, uint32_t v)
{
	if (!cmd->err)
		cmd->err = tb_put_u32(&cmd->b, v);
}

void tc_cmd_bytes(struct tc_cmd *cmd, const void *p, size_t n)
{
	if (!cmd->err)
		cmd->err = tb_put_bytes(&cmd->b, p, n);
}

void tc_cmd_sized(struct tc_cmd *cmd, const void *p, uint32_t n)
{
	if (!cmd->err)
		cmd->err = tb_put_sized(&cmd->b, p, n);
}

/* ---- crypto ---- */

void tc_sha1(const void *p, size_t n, uint8_t out[TC_DIGEST_SIZE])
{
	SHA1(p, n, out);
}

void tc_auth_from_string(const char *s, uint8_t out[TC_DIGEST_SIZE])
{
	tc_sha1(s, strlen(s), out);
}

/* SHA-1 of the concatenation a || b. */
static void sha1_2(const void *a, size_t an, const void *b, size_t bn,
		   uint8_t out[TC_DIGEST_SIZE])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	/* Out of memory in a test client: leave a digest nothing matches. */
	memset(out, 0xa5, TC_DIGEST_SIZE);
	if (!ctx)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, an) == 1 &&
	    EVP_DigestUpdate(ctx, b, bn) == 1)
		EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

/* Part 1, 13.6: HMAC(key, digest || nonceEven || nonceOdd || continue). */
static void auth_hmac(const uint8_t key[TC_DIGEST_SIZE],
		      const uint8_t digest[TC_DIGEST_SIZE],
		      const uint8_t even[TC_DIGEST_SIZE],
		      const uint8_t odd[TC_DIGEST_SIZE], uint8_t cont,
		      uint8_t out[TC_DIGEST_SIZE])
{
	uint8_t msg[3 * TC_DIGEST_SIZE + 1];

	memcpy(msg, digest, TC_DIGEST_SIZE);
	memcpy(msg + TC_DIGEST_SIZE, even, TC_DIGEST_SIZE);
	memcpy(msg + 2 * TC_DIGEST_SIZE, odd, TC_DIGEST_SIZE);
	msg[3 * TC_DIGEST_SIZE] = cont;
	HMAC(EVP_sha1(), key, TC_DIGEST_SIZE, msg, sizeof(msg), out, NULL);
}

static void random_nonce(uint8_t out[TC_DIGEST_SIZE])
{
	/* A failing RNG would make nonces repeat: that must not pass. */
	if (RAND_bytes(out, TC_DIGEST_SIZE) != 1)
		abort();
}

/* Build an OpenSSL RSA public key from @pk; NULL on failure. */
static EVP_PKEY *pkey_from(const struct tc_pubkey *pk)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n, *e;

	n = BN_bin2bn(pk->modulus, (int)pk->modulus_len, NULL);
	e = BN_new();
	bld = OSSL_PARAM_BLD_new();
	if (!n || !e || !bld || !BN_set_word(e, pk->exponent))
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0)
		goto out;
	if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_free(n);
	return pkey;
}

int tc_rsa_oaep_encrypt(const struct tc_pubkey *pk, const void *in,
			size_t n, uint8_t *out, size_t *out_len)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey;
	void *label;
	size_t olen = TC_MAX_MODULUS;
	int err = -EIO;

	pkey = pkey_from(pk);
	if (!pkey)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new(pkey, NULL);
	if (!ctx)
		goto err_free_pkey;
	if (EVP_PKEY_encrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) <= 0)
		goto err_free_ctx;
	/* set0 takes ownership of the label on success only. */
	label = OPENSSL_memdup(oaep_label, sizeof(oaep_label));
	if (!label)
		goto err_free_ctx;
	if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label,
					     sizeof(oaep_label)) <= 0) {
		OPENSSL_free(label);
		goto err_free_ctx;
	}
	if (EVP_PKEY_encrypt(ctx, out, &olen, in, n) <= 0)
		goto err_free_ctx;
	*out_len = olen;
	err = 0;
err_free_ctx:
	EVP_PKEY_CTX_free(ctx);
err_free_pkey:
	EVP_PKEY_free(pkey);
	return err;
}

int tc_rsa_verify_sha1(const struct tc_pubkey *pk,
		       const uint8_t digest[TC_DIGEST_SIZE],
		       const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey;
	int err = -EIO, v;

	pkey = pkey_from(pk);
	if (!pkey)
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new(pkey, NULL);
	if (!ctx)
		goto err_free_pkey;
	if (EVP_PKEY_verify_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) <= 0)
		goto err_free_ctx;
	v = EVP_PKEY_verify(ctx, sig, sig_len, digest, TC_DIGEST_SIZE);
	err = v == 1 ? 0 : TC_EBADSIG;
err_free_ctx:
	EVP_PKEY_CTX_free(ctx);
err_free_pkey:
	EVP_PKEY_free(pkey);
	return err;
}

/* ---- authorization ---- */

int tc_call(struct tc_conn *c, struct tc_cmd *cmd, struct tc_session *sess,
	    unsigned int nsess, struct tc_rsp *r)
{
	uint8_t digest[TC_DIGEST_SIZE], hmac[TC_DIGEST_SIZE];
	uint8_t ord[4], rc_ord[8];
	const uint8_t *t;
	unsigned int i;
	int err = 0;

	if (nsess > 2)
		return -EINVAL;
	if (cmd->err)
		return -ENOSPC;
	/* Sent before: drop the old trailers, keep the parameters. */
	if (cmd->trailers_at)
		cmd->b.len = cmd->trailers_at;
	cmd->trailers_at = cmd->b.len;
	/* Part 1, 13.6: inParamDigest = SHA1(ordinal || params sans handles) */
	tb_wr_be32(ord, cmd->ordinal);
	sha1_2(ord, sizeof(ord), cmd->data + cmd->params_off,
	       cmd->b.len - cmd->params_off, digest);
	for (i = 0; i < nsess; i++) {
		struct tc_session *s = &sess[i];

		if (!s->odd_ready)
			random_nonce(s->nonce_odd);
		s->odd_ready = false;
		auth_hmac(s->key, digest, s->nonce_even, s->nonce_odd,
			  s->cont, hmac);
		tc_cmd_u32(cmd, s->handle);
		tc_cmd_bytes(cmd, s->nonce_odd, TC_DIGEST_SIZE);
		tc_cmd_u8(cmd, s->cont);
		tc_cmd_bytes(cmd, hmac, TC_DIGEST_SIZE);
	}
	if (cmd->err)
		return -ENOSPC;
	tb_wr_be16(cmd->data, (uint16_t)(TPM_TAG_RQU_COMMAND + nsess));
	tb_wr_be32(cmd->data + 2, (uint32_t)cmd->b.len);

	err = tc_send_raw(c, cmd->data, cmd->b.len, r);
	if (err)
		return err;
	/*
	 * A failed command may or may not have ended its sessions (libtpms
	 * keeps them when the command fails before authorization), so they
	 * stay "open" and tc_session_close() flushes them either way.
	 */
	if (r->rc != TPM_SUCCESS || nsess == 0)
		return (int)r->rc;

	if (r->tag != TPM_TAG_RSP_COMMAND + nsess ||
	    r->len < 10 + cmd->rsp_handles + nsess * TC_AUTH_OUT_SIZE)
		return -EBADMSG;
	r->params_end = r->len - nsess * TC_AUTH_OUT_SIZE;
	/* outParamDigest = SHA1(returnCode || ordinal || params w/o handles) */
	tb_wr_be32(rc_ord, r->rc);
	tb_wr_be32(rc_ord + 4, cmd->ordinal);
	sha1_2(rc_ord, sizeof(rc_ord), r->data + 10 + cmd->rsp_handles,
	       r->params_end - 10 - cmd->rsp_handles, digest);
	for (i = 0; i < nsess; i++) {
		struct tc_session *s = &sess[i];

		t = r->data + r->params_end + i * TC_AUTH_OUT_SIZE;
		if (t[TC_DIGEST_SIZE] > 1)
			return -EBADMSG;
		memcpy(s->nonce_even, t, TC_DIGEST_SIZE);
		auth_hmac(s->key, digest, s->nonce_even, s->nonce_odd,
			  t[TC_DIGEST_SIZE], hmac);
		if (CRYPTO_memcmp(hmac, t + TC_DIGEST_SIZE + 1,
				  TC_DIGEST_SIZE))
			err = TC_EBADAUTH;
		r->cont[i] = t[TC_DIGEST_SIZE];
		s->open = r->cont[i];
	}
	r->nauth = nsess;
	return err ? err : (int)r->rc;
}

void tc_rsp_params(const struct tc_rsp *r, struct tpm_buf *b)
{
	tb_init_read(b, r->data, r->params_end);
	b->pos = r->len >= 10 ? 10 : r->len;
}

int tc_oiap(struct tc_conn *c, struct tc_session *s,
	    const uint8_t auth[TC_DIGEST_SIZE], struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	memset(s, 0, sizeof(*s));
	tc_cmd_init(&cmd, TPM_ORD_OIAP);
	rc = tc_call(c, &cmd, NULL, 0, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_u32(&b, &s->handle) ||
	    tb_get_bytes(&b, s->nonce_even, TC_DIGEST_SIZE) ||
	    tb_expect_end(&b))
		return -EBADMSG;
	memcpy(s->key, auth, TC_DIGEST_SIZE);
	s->open = true;
	return 0;
}

int tc_osap(struct tc_conn *c, struct tc_session *s, uint16_t et,
	    uint32_t ev, const uint8_t auth[TC_DIGEST_SIZE],
	    struct tc_rsp *r)
{
	uint8_t odd_osap[TC_DIGEST_SIZE], even_osap[TC_DIGEST_SIZE];
	uint8_t msg[2 * TC_DIGEST_SIZE];
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	memset(s, 0, sizeof(*s));
	random_nonce(odd_osap);
	tc_cmd_init(&cmd, TPM_ORD_OSAP);
	tc_cmd_u16(&cmd, et);
	tc_cmd_u32(&cmd, ev);
	tc_cmd_bytes(&cmd, odd_osap, sizeof(odd_osap));
	rc = tc_call(c, &cmd, NULL, 0, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_u32(&b, &s->handle) ||
	    tb_get_bytes(&b, s->nonce_even, TC_DIGEST_SIZE) ||
	    tb_get_bytes(&b, even_osap, TC_DIGEST_SIZE) || tb_expect_end(&b))
		return -EBADMSG;
	/* Part 1, 13.8.1: sharedSecret = HMAC(auth, evenOSAP || oddOSAP) */
	memcpy(msg, even_osap, TC_DIGEST_SIZE);
	memcpy(msg + TC_DIGEST_SIZE, odd_osap, TC_DIGEST_SIZE);
	HMAC(EVP_sha1(), auth, TC_DIGEST_SIZE, msg, sizeof(msg), s->key,
	     NULL);
	s->osap = true;
	s->open = true;
	return 0;
}

int tc_session_close(struct tc_conn *c, struct tc_session *s)
{
	struct tc_rsp r;
	int rc;

	if (!s->open)
		return 0;
	s->open = false;
	rc = tc_flush_specific(c, s->handle, TPM_RT_AUTH, &r);
	return rc < 0 ? rc : 0;
}

void tc_adip_encrypt(struct tc_session *s, bool second,
		     const uint8_t auth[TC_DIGEST_SIZE],
		     uint8_t out[TC_DIGEST_SIZE])
{
	uint8_t pad[TC_DIGEST_SIZE];
	int i;

	if (second && !s->odd_ready) {
		random_nonce(s->nonce_odd);
		s->odd_ready = true;
	}
	sha1_2(s->key, TC_DIGEST_SIZE,
	       second ? s->nonce_odd : s->nonce_even, TC_DIGEST_SIZE, pad);
	for (i = 0; i < TC_DIGEST_SIZE; i++)
		out[i] = auth[i] ^ pad[i];
}

/* ---- structures ---- */

/* TPM_KEY_PARMS with TPM_RSA_KEY_PARMS inside. */
static int get_key_parms(struct tpm_buf *b, struct tc_pubkey *pk)
{
	const uint8_t *p;
	uint32_t n, primes, esize;
	uint8_t exp[4];
	struct tpm_buf sub;
	uint32_t i;

	if (tb_get_u32(b, &pk->alg) || tb_get_u16(b, &pk->enc_scheme) ||
	    tb_get_u16(b, &pk->sig_scheme) ||
	    tb_get_sized(b, &p, &n, MAX_PARMS))
		return -EBADMSG;
	pk->key_bits = 0;
	pk->exponent = DEFAULT_EXPONENT;
	if (pk->alg != TPM_ALG_RSA)
		return 0;
	tb_init_read(&sub, p, n);
	if (tb_get_u32(&sub, &pk->key_bits) || tb_get_u32(&sub, &primes) ||
	    tb_get_u32(&sub, &esize) || esize > sizeof(exp) ||
	    tb_get_bytes(&sub, exp, esize) || tb_expect_end(&sub))
		return -EBADMSG;
	if (esize) {
		pk->exponent = 0;
		for (i = 0; i < esize; i++)
			pk->exponent = pk->exponent << 8 | exp[i];
	}
	return 0;
}

static int get_store_pubkey(struct tpm_buf *b, struct tc_pubkey *pk)
{
	const uint8_t *p;
	uint32_t n;

	if (tb_get_sized(b, &p, &n, TC_MAX_MODULUS))
		return -EBADMSG;
	memcpy(pk->modulus, p, n);
	pk->modulus_len = n;
	return 0;
}

int tc_get_pubkey(struct tpm_buf *b, struct tc_pubkey *pk)
{
	size_t pos = b->pos;

	if (get_key_parms(b, pk) || get_store_pubkey(b, pk)) {
		b->pos = pos;
		return -EBADMSG;
	}
	return 0;
}

int tc_get_key(struct tpm_buf *b, struct tc_pubkey *pk)
{
	const uint8_t *p;
	uint16_t usage;
	uint32_t flags, n;
	uint8_t head[4], adu;
	size_t pos = b->pos;

	/* TPM_KEY starts with ver 1.1.0.0, TPM_KEY12 with tag + fill 0. */
	if (tb_get_bytes(b, head, sizeof(head)))
		goto err;
	if (memcmp(head, struct_ver_11, 4) &&
	    (tb_be16(head) != TPM_TAG_KEY12 || tb_be16(head + 2) != 0))
		goto err;
	if (tb_get_u16(b, &usage) || tb_get_u32(b, &flags) ||
	    tb_get_u8(b, &adu) || get_key_parms(b, pk) ||
	    tb_get_sized(b, &p, &n, MAX_PCR_INFO) ||
	    get_store_pubkey(b, pk) ||
	    tb_get_sized(b, &p, &n, TC_BUF_MAX))
		goto err;
	return 0;
err:
	b->pos = pos;
	return -EBADMSG;
}

static void cmd_rsa_parms(struct tc_cmd *cmd, uint16_t es, uint16_t ss,
			  uint32_t bits)
{
	tc_cmd_u32(cmd, TPM_ALG_RSA);
	tc_cmd_u16(cmd, es);
	tc_cmd_u16(cmd, ss);
	/* TPM_RSA_KEY_PARMS: keyLength, numPrimes 2, default exponent. */
	tc_cmd_u32(cmd, 12);
	tc_cmd_u32(cmd, bits);
	tc_cmd_u32(cmd, 2);
	tc_cmd_u32(cmd, 0);
}

void tc_cmd_key_template(struct tc_cmd *cmd, const struct tc_key_template *t)
{
	if (t->key12) {
		tc_cmd_u16(cmd, TPM_TAG_KEY12);
		tc_cmd_u16(cmd, 0);
	} else {
		tc_cmd_bytes(cmd, struct_ver_11, sizeof(struct_ver_11));
	}
	tc_cmd_u16(cmd, t->usage);
	tc_cmd_u32(cmd, t->flags);
	tc_cmd_u8(cmd, t->auth_usage);
	cmd_rsa_parms(cmd, t->enc_scheme, t->sig_scheme, t->key_bits);
	tc_cmd_u32(cmd, 0);	/* PCRInfoSize */
	tc_cmd_u32(cmd, 0);	/* pubKey.keyLength */
	tc_cmd_u32(cmd, 0);	/* encSize */
}

static void pcr_select_bytes(uint32_t mask, uint8_t sel[PCR_SELECT_SIZE])
{
	unsigned int i;

	for (i = 0; i < PCR_SELECT_SIZE; i++)
		sel[i] = (uint8_t)(mask >> (8 * i));
}

/* The PCRs a returned TPM_PCR_SELECTION selects, as a mask. */
static uint32_t pcr_mask_of(const uint8_t *sel, uint16_t n)
{
	uint32_t mask = 0;
	uint16_t i;

	for (i = 0; i < n && i < PCR_SELECT_SIZE; i++)
		mask |= (uint32_t)sel[i] << (8 * i);
	return mask;
}

void tc_cmd_pcr_selection(struct tc_cmd *cmd, uint32_t mask)
{
	uint8_t sel[PCR_SELECT_SIZE];

	pcr_select_bytes(mask, sel);
	tc_cmd_u16(cmd, PCR_SELECT_SIZE);
	tc_cmd_bytes(cmd, sel, sizeof(sel));
}

void tc_pcr_composite_digest(uint32_t mask,
			     const uint8_t values[][TC_DIGEST_SIZE],
			     uint8_t out[TC_DIGEST_SIZE])
{
	uint8_t buf[2 + PCR_SELECT_SIZE + 4 + NUM_PCRS * TC_DIGEST_SIZE];
	struct tpm_buf b;
	uint8_t sel[PCR_SELECT_SIZE];
	uint32_t n = 0;
	unsigned int i;

	for (i = 0; i < NUM_PCRS; i++)
		n += (mask >> i) & 1;
	pcr_select_bytes(mask, sel);
	/* Cannot overflow: buf is sized for all 24 PCRs. */
	tb_init_write(&b, buf, sizeof(buf));
	tb_put_u16(&b, PCR_SELECT_SIZE);
	tb_put_bytes(&b, sel, sizeof(sel));
	tb_put_u32(&b, n * TC_DIGEST_SIZE);
	for (i = 0; i < NUM_PCRS; i++)
		if ((mask >> i) & 1)
			tb_put_bytes(&b, values[i], TC_DIGEST_SIZE);
	tc_sha1(buf, b.len, out);
}

/* ---- commands ---- */

/* Run @cmd with no authorization. */
static int call0(struct tc_conn *c, struct tc_cmd *cmd, struct tc_rsp *r)
{
	return tc_call(c, cmd, NULL, 0, r);
}

/* Run @cmd with one fresh OIAP session keyed by @auth. */
static int call_oiap(struct tc_conn *c, struct tc_cmd *cmd,
		     const uint8_t auth[TC_DIGEST_SIZE], struct tc_rsp *r)
{
	struct tc_session s;
	int rc;

	rc = tc_oiap(c, &s, auth, r);
	if (rc)
		return rc;
	rc = tc_call(c, cmd, &s, 1, r);
	tc_session_close(c, &s);
	return rc;
}

/* Entity type and value for an OSAP session on a key handle. */
static void key_entity(uint32_t key, uint16_t *et, uint32_t *ev)
{
	*et = key == TPM_KH_SRK ? TPM_ET_SRK : TPM_ET_KEYHANDLE;
	*ev = key;
}

int tc_startup(struct tc_conn *c, uint16_t type, struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_Startup);
	tc_cmd_u16(&cmd, type);
	return call0(c, &cmd, r);
}

int tc_get_random(struct tc_conn *c, uint32_t want, uint8_t *out,
		  uint32_t *got, struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_GetRandom);
	tc_cmd_u32(&cmd, want);
	rc = call0(c, &cmd, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, &n, want) || tb_expect_end(&b))
		return -EBADMSG;
	if (out)
		memcpy(out, p, n);
	*got = n;
	return 0;
}

int tc_pcr_read(struct tc_conn *c, uint32_t pcr,
		uint8_t out[TC_DIGEST_SIZE], struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_PcrRead);
	tc_cmd_u32(&cmd, pcr);
	rc = call0(c, &cmd, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_bytes(&b, out, TC_DIGEST_SIZE) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_extend(struct tc_conn *c, uint32_t pcr,
	      const uint8_t in[TC_DIGEST_SIZE], uint8_t out[TC_DIGEST_SIZE],
	      struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	uint8_t tmp[TC_DIGEST_SIZE];
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_Extend);
	tc_cmd_u32(&cmd, pcr);
	tc_cmd_bytes(&cmd, in, TC_DIGEST_SIZE);
	rc = call0(c, &cmd, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_bytes(&b, out ? out : tmp, TC_DIGEST_SIZE) ||
	    tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_pcr_reset(struct tc_conn *c, uint32_t mask, struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_PCR_Reset);
	tc_cmd_pcr_selection(&cmd, mask);
	return call0(c, &cmd, r);
}

int tc_get_capability(struct tc_conn *c, uint32_t area, const void *sub,
		      uint32_t sub_len, struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_GetCapability);
	tc_cmd_u32(&cmd, area);
	tc_cmd_sized(&cmd, sub, sub_len);
	return call0(c, &cmd, r);
}

int tc_get_cap_u32(struct tc_conn *c, uint32_t area, uint32_t sub,
		   uint32_t *val, struct tc_rsp *r)
{
	struct tpm_buf b;
	const uint8_t *p;
	uint8_t s[4];
	uint32_t n;
	int rc;

	tb_wr_be32(s, sub);
	rc = tc_get_capability(c, area, s, sizeof(s), r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, &n, 4) || tb_expect_end(&b))
		return -EBADMSG;
	if (n == 4)
		*val = tb_be32(p);
	else if (n == 1)
		*val = p[0];
	else
		return -EBADMSG;
	return 0;
}

/* TPM_PUBKEY then checksum = SHA1(pubkey || antiReplay). */
static int get_pubek_checked(struct tc_rsp *r,
			     const uint8_t nonce[TC_DIGEST_SIZE],
			     struct tc_pubkey *pk)
{
	uint8_t sum[TC_DIGEST_SIZE], want[TC_DIGEST_SIZE];
	struct tpm_buf b;
	size_t start;

	tc_rsp_params(r, &b);
	start = b.pos;
	if (tc_get_pubkey(&b, pk))
		return -EBADMSG;
	sha1_2(b.data + start, b.pos - start, nonce, TC_DIGEST_SIZE, want);
	if (tb_get_bytes(&b, sum, sizeof(sum)) || tb_expect_end(&b))
		return -EBADMSG;
	return CRYPTO_memcmp(sum, want, sizeof(sum)) ? TC_EBADSIG : 0;
}

int tc_read_pubek(struct tc_conn *c, struct tc_pubkey *pk, struct tc_rsp *r)
{
	uint8_t nonce[TC_DIGEST_SIZE];
	struct tc_cmd cmd;
	int rc;

	random_nonce(nonce);
	tc_cmd_init(&cmd, TPM_ORD_ReadPubek);
	tc_cmd_bytes(&cmd, nonce, sizeof(nonce));
	rc = call0(c, &cmd, r);
	if (rc)
		return rc;
	return get_pubek_checked(r, nonce, pk);
}

int tc_owner_read_pubek(struct tc_conn *c,
			const uint8_t owner[TC_DIGEST_SIZE],
			struct tc_pubkey *pk, struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_OwnerReadPubek);
	rc = call_oiap(c, &cmd, owner, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tc_get_pubkey(&b, pk) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_create_ek(struct tc_conn *c, uint32_t bits, struct tc_pubkey *pk,
		 struct tc_rsp *r)
{
	uint8_t nonce[TC_DIGEST_SIZE];
	struct tc_cmd cmd;
	int rc;

	random_nonce(nonce);
	tc_cmd_init(&cmd, TPM_ORD_CreateEndorsementKeyPair);
	tc_cmd_bytes(&cmd, nonce, sizeof(nonce));
	cmd_rsa_parms(&cmd, TPM_ES_RSAESOAEP_SHA1_MGF1, TPM_SS_NONE, bits);
	rc = call0(c, &cmd, r);
	if (rc)
		return rc;
	return get_pubek_checked(r, nonce, pk);
}

int tc_physical_presence(struct tc_conn *c, uint16_t bits, struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_TSC_PhysicalPresence);
	tc_cmd_u16(&cmd, bits);
	return call0(c, &cmd, r);
}

int tc_assert_pp(struct tc_conn *c, struct tc_rsp *r)
{
	int rc;

	rc = tc_physical_presence(c, TPM_PHYSICAL_PRESENCE_CMD_ENABLE, r);
	if (rc)
		return rc;
	return tc_physical_presence(c, TPM_PHYSICAL_PRESENCE_PRESENT, r);
}

/* An unauthorized command without parameters. */
static int simple(struct tc_conn *c, uint32_t ordinal, struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, ordinal);
	return call0(c, &cmd, r);
}

int tc_physical_enable(struct tc_conn *c, struct tc_rsp *r)
{
	return simple(c, TPM_ORD_PhysicalEnable, r);
}

int tc_physical_disable(struct tc_conn *c, struct tc_rsp *r)
{
	return simple(c, TPM_ORD_PhysicalDisable, r);
}

int tc_force_clear(struct tc_conn *c, struct tc_rsp *r)
{
	return simple(c, TPM_ORD_ForceClear, r);
}

int tc_physical_set_deactivated(struct tc_conn *c, bool state,
				struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_PhysicalSetDeactivated);
	tc_cmd_u8(&cmd, state);
	return call0(c, &cmd, r);
}

int tc_take_ownership(struct tc_conn *c, const struct tc_pubkey *ek,
		      const uint8_t owner[TC_DIGEST_SIZE],
		      const uint8_t srk[TC_DIGEST_SIZE], bool key12,
		      struct tc_pubkey *srk_pub, struct tc_rsp *r)
{
	/* Part 3, 6.1: the SRK is a 2048-bit non-migratable storage key. */
	const struct tc_key_template t = {
		.usage = TPM_KEY_STORAGE,
		.auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_RSAESOAEP_SHA1_MGF1,
		.sig_scheme = TPM_SS_NONE,
		.key_bits = 2048,
		.key12 = key12,
	};
	uint8_t eo[TC_MAX_MODULUS], es[TC_MAX_MODULUS];
	size_t eo_len, es_len;
	struct tc_pubkey tmp;
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	rc = tc_rsa_oaep_encrypt(ek, owner, TC_DIGEST_SIZE, eo, &eo_len);
	if (rc)
		return rc;
	rc = tc_rsa_oaep_encrypt(ek, srk, TC_DIGEST_SIZE, es, &es_len);
	if (rc)
		return rc;
	tc_cmd_init(&cmd, TPM_ORD_TakeOwnership);
	tc_cmd_u16(&cmd, TPM_PID_OWNER);
	tc_cmd_sized(&cmd, eo, (uint32_t)eo_len);
	tc_cmd_sized(&cmd, es, (uint32_t)es_len);
	tc_cmd_key_template(&cmd, &t);
	rc = call_oiap(c, &cmd, owner, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tc_get_key(&b, srk_pub ? srk_pub : &tmp) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_owner_clear(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		   struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_OwnerClear);
	return call_oiap(c, &cmd, owner, r);
}

/* Copy the whole out-param area (one structure) into a caller buffer. */
static int copy_params(const struct tc_rsp *r, uint8_t *out, size_t *len)
{
	size_t n = r->params_end - 10;

	if (n > TC_BUF_MAX)
		return -EMSGSIZE;
	memcpy(out, r->data + 10, n);
	*len = n;
	return 0;
}

int tc_create_wrap_key(struct tc_conn *c, uint32_t parent,
		       const uint8_t parent_auth[TC_DIGEST_SIZE],
		       const struct tc_key_template *t,
		       const uint8_t usage[TC_DIGEST_SIZE],
		       const uint8_t migration[TC_DIGEST_SIZE],
		       uint8_t *blob, size_t *blob_len, struct tc_rsp *r)
{
	uint8_t eu[TC_DIGEST_SIZE], em[TC_DIGEST_SIZE];
	struct tc_session s;
	struct tc_pubkey pk;
	struct tc_cmd cmd;
	struct tpm_buf b;
	uint32_t ev;
	uint16_t et;
	int rc;

	key_entity(parent, &et, &ev);
	rc = tc_osap(c, &s, et, ev, parent_auth, r);
	if (rc)
		return rc;
	tc_adip_encrypt(&s, false, usage, eu);
	tc_adip_encrypt(&s, true, migration, em);
	tc_cmd_init(&cmd, TPM_ORD_CreateWrapKey);
	tc_cmd_handle(&cmd, parent);
	tc_cmd_bytes(&cmd, eu, sizeof(eu));
	tc_cmd_bytes(&cmd, em, sizeof(em));
	tc_cmd_key_template(&cmd, t);
	rc = tc_call(c, &cmd, &s, 1, r);
	tc_session_close(c, &s);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tc_get_key(&b, &pk) || tb_expect_end(&b))
		return -EBADMSG;
	return copy_params(r, blob, blob_len);
}

int tc_load_key2(struct tc_conn *c, uint32_t parent,
		 const uint8_t parent_auth[TC_DIGEST_SIZE],
		 const uint8_t *blob, size_t blob_len, uint32_t *handle,
		 struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_LoadKey2);
	tc_cmd_handle(&cmd, parent);
	tc_cmd_bytes(&cmd, blob, blob_len);
	/* Part 3, 10.5: inkeyHandle is a handle, outside outParamDigest. */
	cmd.rsp_handles = 4;
	rc = call_oiap(c, &cmd, parent_auth, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_u32(&b, handle) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_get_pub_key(struct tc_conn *c, uint32_t key,
		   const uint8_t auth[TC_DIGEST_SIZE], struct tc_pubkey *pk,
		   struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_GetPubKey);
	tc_cmd_handle(&cmd, key);
	rc = auth ? call_oiap(c, &cmd, auth, r) : call0(c, &cmd, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tc_get_pubkey(&b, pk) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_sign(struct tc_conn *c, uint32_t key,
	    const uint8_t auth[TC_DIGEST_SIZE], const void *area,
	    uint32_t area_len, uint8_t *sig, uint32_t *sig_len,
	    struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_Sign);
	tc_cmd_handle(&cmd, key);
	tc_cmd_sized(&cmd, area, area_len);
	rc = call_oiap(c, &cmd, auth, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, &n, TC_MAX_MODULUS) || tb_expect_end(&b))
		return -EBADMSG;
	memcpy(sig, p, n);
	*sig_len = n;
	return 0;
}

int tc_seal(struct tc_conn *c, uint32_t key,
	    const uint8_t key_auth[TC_DIGEST_SIZE],
	    const uint8_t data_auth[TC_DIGEST_SIZE], uint32_t mask,
	    const uint8_t values[][TC_DIGEST_SIZE], const void *data,
	    uint32_t len, uint8_t *blob, size_t *blob_len, struct tc_rsp *r)
{
	uint8_t enc[TC_DIGEST_SIZE], rel[TC_DIGEST_SIZE];
	struct tc_session s;
	struct tc_cmd cmd;
	uint32_t ev;
	uint16_t et;
	int rc;

	key_entity(key, &et, &ev);
	rc = tc_osap(c, &s, et, ev, key_auth, r);
	if (rc)
		return rc;
	tc_adip_encrypt(&s, false, data_auth, enc);
	tc_cmd_init(&cmd, TPM_ORD_Seal);
	tc_cmd_handle(&cmd, key);
	tc_cmd_bytes(&cmd, enc, sizeof(enc));
	if (mask) {
		/* TPM_PCR_INFO; the TPM fills in digestAtCreation. */
		tc_pcr_composite_digest(mask, values, rel);
		tc_cmd_u32(&cmd, 2 + PCR_SELECT_SIZE + 2 * TC_DIGEST_SIZE);
		tc_cmd_pcr_selection(&cmd, mask);
		tc_cmd_bytes(&cmd, rel, sizeof(rel));
		tc_cmd_bytes(&cmd, tc_well_known, TC_DIGEST_SIZE);
	} else {
		tc_cmd_u32(&cmd, 0);
	}
	tc_cmd_sized(&cmd, data, len);
	rc = tc_call(c, &cmd, &s, 1, r);
	tc_session_close(c, &s);
	if (rc)
		return rc;
	return copy_params(r, blob, blob_len);
}

int tc_unseal(struct tc_conn *c, uint32_t key,
	      const uint8_t key_auth[TC_DIGEST_SIZE],
	      const uint8_t data_auth[TC_DIGEST_SIZE], const uint8_t *blob,
	      size_t blob_len, uint8_t *out, uint32_t *out_len,
	      struct tc_rsp *r)
{
	struct tc_session s[2];
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;
	int rc;

	rc = tc_oiap(c, &s[0], key_auth, r);
	if (rc)
		return rc;
	rc = tc_oiap(c, &s[1], data_auth, r);
	if (rc)
		goto out_close;
	tc_cmd_init(&cmd, TPM_ORD_Unseal);
	tc_cmd_handle(&cmd, key);
	tc_cmd_bytes(&cmd, blob, blob_len);
	rc = tc_call(c, &cmd, s, 2, r);
	if (rc)
		goto out_close;
	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, &n, TC_BUF_MAX) || tb_expect_end(&b)) {
		rc = -EBADMSG;
		goto out_close;
	}
	memcpy(out, p, n);
	*out_len = n;
out_close:
	tc_session_close(c, &s[1]);
	tc_session_close(c, &s[0]);
	return rc;
}

int tc_quote(struct tc_conn *c, uint32_t key,
	     const uint8_t auth[TC_DIGEST_SIZE],
	     const uint8_t nonce[TC_DIGEST_SIZE], uint32_t mask,
	     const struct tc_pubkey *pk, struct tc_rsp *r)
{
	/* TPM_QUOTE_INFO: ver 1.1.0.0, "QUOT", digestValue, externalData */
	uint8_t info[8 + 2 * TC_DIGEST_SIZE], digest[TC_DIGEST_SIZE];
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *sel, *vals, *sig;
	uint32_t nvals, nsig;
	uint16_t nsel;
	size_t start;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_Quote);
	tc_cmd_handle(&cmd, key);
	tc_cmd_bytes(&cmd, nonce, TC_DIGEST_SIZE);
	tc_cmd_pcr_selection(&cmd, mask);
	rc = call_oiap(c, &cmd, auth, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	start = b.pos;
	if (tb_get_sized16(&b, &sel, &nsel, PCR_SELECT_SIZE) ||
	    tb_get_sized(&b, &vals, &nvals, NUM_PCRS * TC_DIGEST_SIZE))
		return -EBADMSG;
	memcpy(info, struct_ver_11, 4);
	memcpy(info + 4, "QUOT", 4);
	/*
	 * A composite of no PCRs is the all-zero digest, as libtpms (the
	 * oracle) signs it; otherwise SHA-1 of the TPM_PCR_COMPOSITE.
	 */
	if (!pcr_mask_of(sel, nsel))
		memset(info + 8, 0, TC_DIGEST_SIZE);
	else
		tc_sha1(b.data + start, b.pos - start, info + 8);
	memcpy(info + 8 + TC_DIGEST_SIZE, nonce, TC_DIGEST_SIZE);
	if (tb_get_sized(&b, &sig, &nsig, TC_MAX_MODULUS) ||
	    tb_expect_end(&b))
		return -EBADMSG;
	if (!pk)
		return 0;
	tc_sha1(info, sizeof(info), digest);
	return tc_rsa_verify_sha1(pk, digest, sig, nsig);
}

int tc_flush_specific(struct tc_conn *c, uint32_t handle, uint32_t type,
		      struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_FlushSpecific);
	tc_cmd_handle(&cmd, handle);
	tc_cmd_u32(&cmd, type);
	return call0(c, &cmd, r);
}

/* TPM_PCR_INFO_SHORT selecting no PCR, any locality. */
static void cmd_pcr_info_short_none(struct tc_cmd *cmd)
{
	tc_cmd_pcr_selection(cmd, 0);
	tc_cmd_u8(cmd, TPM_LOC_ALL);
	tc_cmd_bytes(cmd, tc_well_known, TC_DIGEST_SIZE);
}

int tc_nv_define(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		 uint32_t index, uint32_t perm, uint32_t size,
		 const uint8_t auth[TC_DIGEST_SIZE], struct tc_rsp *r)
{
	uint8_t enc[TC_DIGEST_SIZE];
	struct tc_session s;
	struct tc_cmd cmd;
	int rc;

	if (owner) {
		rc = tc_osap(c, &s, TPM_ET_OWNER, TPM_KH_OWNER, owner, r);
		if (rc)
			return rc;
		tc_adip_encrypt(&s, false, auth, enc);
	} else {
		/* Without a session, encAuth travels in the clear. */
		memcpy(enc, auth, sizeof(enc));
	}
	tc_cmd_init(&cmd, TPM_ORD_NV_DefineSpace);
	/* TPM_NV_DATA_PUBLIC */
	tc_cmd_u16(&cmd, TPM_TAG_NV_DATA_PUBLIC);
	tc_cmd_u32(&cmd, index);
	cmd_pcr_info_short_none(&cmd);
	cmd_pcr_info_short_none(&cmd);
	tc_cmd_u16(&cmd, TPM_TAG_NV_ATTRIBUTES);
	tc_cmd_u32(&cmd, perm);
	tc_cmd_u8(&cmd, 0);	/* bReadSTClear */
	tc_cmd_u8(&cmd, 0);	/* bWriteSTClear */
	tc_cmd_u8(&cmd, 0);	/* bWriteDefine */
	tc_cmd_u32(&cmd, size);
	tc_cmd_bytes(&cmd, enc, sizeof(enc));
	if (!owner)
		return call0(c, &cmd, r);
	rc = tc_call(c, &cmd, &s, 1, r);
	tc_session_close(c, &s);
	return rc;
}

int tc_nv_write(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		uint32_t index, uint32_t off, const void *data, uint32_t len,
		struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_NV_WriteValue);
	tc_cmd_u32(&cmd, index);
	tc_cmd_u32(&cmd, off);
	tc_cmd_sized(&cmd, data, len);
	return owner ? call_oiap(c, &cmd, owner, r) : call0(c, &cmd, r);
}

int tc_nv_read(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
	       uint32_t index, uint32_t off, uint32_t len, uint8_t *out,
	       uint32_t *got, struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_NV_ReadValue);
	tc_cmd_u32(&cmd, index);
	tc_cmd_u32(&cmd, off);
	tc_cmd_u32(&cmd, len);
	rc = owner ? call_oiap(c, &cmd, owner, r) : call0(c, &cmd, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, &n, len) || tb_expect_end(&b))
		return -EBADMSG;
	memcpy(out, p, n);
	*got = n;
	return 0;
}

/* TPM_COUNTER_VALUE: tag, label[4], counter. */
static int get_counter_value(struct tpm_buf *b, uint32_t *value)
{
	uint16_t tag;

	if (tb_get_u16(b, &tag) || tag != TPM_TAG_COUNTER_VALUE ||
	    tb_skip(b, 4) || tb_get_u32(b, value) || tb_expect_end(b))
		return -EBADMSG;
	return 0;
}

int tc_create_counter(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		      const uint8_t auth[TC_DIGEST_SIZE], const char label[4],
		      uint32_t *id, uint32_t *value, struct tc_rsp *r)
{
	uint8_t enc[TC_DIGEST_SIZE];
	struct tc_session s;
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	rc = tc_osap(c, &s, TPM_ET_OWNER, TPM_KH_OWNER, owner, r);
	if (rc)
		return rc;
	tc_adip_encrypt(&s, false, auth, enc);
	tc_cmd_init(&cmd, TPM_ORD_CreateCounter);
	tc_cmd_bytes(&cmd, enc, sizeof(enc));
	tc_cmd_bytes(&cmd, label, 4);
	rc = tc_call(c, &cmd, &s, 1, r);
	tc_session_close(c, &s);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_u32(&b, id) || get_counter_value(&b, value))
		return -EBADMSG;
	return 0;
}

int tc_increment_counter(struct tc_conn *c, uint32_t id,
			 const uint8_t auth[TC_DIGEST_SIZE], uint32_t *value,
			 struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_IncrementCounter);
	tc_cmd_u32(&cmd, id);
	rc = call_oiap(c, &cmd, auth, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	return get_counter_value(&b, value);
}

int tc_read_counter(struct tc_conn *c, uint32_t id, uint32_t *value,
		    struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_ReadCounter);
	tc_cmd_u32(&cmd, id);
	rc = call0(c, &cmd, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	return get_counter_value(&b, value);
}

int tc_release_counter(struct tc_conn *c, uint32_t id,
		       const uint8_t auth[TC_DIGEST_SIZE], struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_ReleaseCounter);
	tc_cmd_u32(&cmd, id);
	return call_oiap(c, &cmd, auth, r);
}

int tc_get_ticks(struct tc_conn *c, uint64_t *ticks, struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	uint16_t tag;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_GetTicks);
	rc = call0(c, &cmd, r);
	if (rc)
		return rc;
	/* TPM_CURRENT_TICKS: tag, currentTicks, tickRate, tickNonce */
	tc_rsp_params(r, &b);
	if (tb_get_u16(&b, &tag) || tag != TPM_TAG_CURRENT_TICKS ||
	    tb_get_u64(&b, ticks) || tb_skip(&b, 2 + TC_DIGEST_SIZE) ||
	    tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

/* ---- names ---- */

#define RC(x) { x, #x }
static const struct {
	uint32_t rc;
	const char *name;
} rc_names[] = {
	RC(TPM_SUCCESS), RC(TPM_AUTHFAIL), RC(TPM_BADINDEX),
	RC(TPM_BAD_PARAMETER), RC(TPM_AUDITFAILURE), RC(TPM_CLEAR_DISABLED),
	RC(TPM_DEACTIVATED), RC(TPM_DISABLED), RC(TPM_DISABLED_CMD),
	RC(TPM_FAIL), RC(TPM_BAD_ORDINAL), RC(TPM_INSTALL_DISABLED),
	RC(TPM_INVALID_KEYHANDLE), RC(TPM_KEYNOTFOUND),
	RC(TPM_INAPPROPRIATE_ENC), RC(TPM_MIGRATEFAIL),
	RC(TPM_INVALID_PCR_INFO), RC(TPM_NOSPACE), RC(TPM_NOSRK),
	RC(TPM_NOTSEALED_BLOB), RC(TPM_OWNER_SET), RC(TPM_RESOURCES),
	RC(TPM_SHORTRANDOM), RC(TPM_SIZE), RC(TPM_WRONGPCRVAL),
	RC(TPM_BAD_PARAM_SIZE), RC(TPM_SHA_THREAD), RC(TPM_SHA_ERROR),
	RC(TPM_FAILEDSELFTEST), RC(TPM_AUTH2FAIL), RC(TPM_BADTAG),
	RC(TPM_IOERROR), RC(TPM_ENCRYPT_ERROR), RC(TPM_DECRYPT_ERROR),
	RC(TPM_INVALID_AUTHHANDLE), RC(TPM_NO_ENDORSEMENT),
	RC(TPM_INVALID_KEYUSAGE), RC(TPM_WRONG_ENTITYTYPE),
	RC(TPM_INVALID_POSTINIT), RC(TPM_INAPPROPRIATE_SIG),
	RC(TPM_BAD_KEY_PROPERTY), RC(TPM_BAD_MIGRATION), RC(TPM_BAD_SCHEME),
	RC(TPM_BAD_DATASIZE), RC(TPM_BAD_MODE), RC(TPM_BAD_PRESENCE),
	RC(TPM_BAD_VERSION), RC(TPM_NO_WRAP_TRANSPORT),
	RC(TPM_AUDITFAIL_UNSUCCESSFUL), RC(TPM_AUDITFAIL_SUCCESSFUL),
	RC(TPM_NOTRESETABLE), RC(TPM_NOTLOCAL), RC(TPM_BAD_TYPE),
	RC(TPM_INVALID_RESOURCE), RC(TPM_NOTFIPS), RC(TPM_INVALID_FAMILY),
	RC(TPM_NO_NV_PERMISSION), RC(TPM_REQUIRES_SIGN),
	RC(TPM_KEY_NOTSUPPORTED), RC(TPM_AUTH_CONFLICT), RC(TPM_AREA_LOCKED),
	RC(TPM_BAD_LOCALITY), RC(TPM_READ_ONLY), RC(TPM_PER_NOWRITE),
	RC(TPM_FAMILYCOUNT), RC(TPM_WRITE_LOCKED), RC(TPM_BAD_ATTRIBUTES),
	RC(TPM_INVALID_STRUCTURE), RC(TPM_KEY_OWNER_CONTROL),
	RC(TPM_BAD_COUNTER), RC(TPM_NOT_FULLWRITE), RC(TPM_CONTEXT_GAP),
	RC(TPM_MAXNVWRITES), RC(TPM_NOOPERATOR), RC(TPM_RESOURCEMISSING),
	RC(TPM_DELEGATE_LOCK), RC(TPM_DELEGATE_FAMILY),
	RC(TPM_DELEGATE_ADMIN), RC(TPM_TRANSPORT_NOTEXCLUSIVE),
	RC(TPM_OWNER_CONTROL), RC(TPM_DAA_RESOURCES), RC(TPM_BAD_HANDLE),
	RC(TPM_BAD_DELEGATE), RC(TPM_BADCONTEXT), RC(TPM_TOOMANYCONTEXTS),
	RC(TPM_MA_TICKET_SIGNATURE), RC(TPM_MA_DESTINATION),
	RC(TPM_MA_SOURCE), RC(TPM_MA_AUTHORITY), RC(TPM_PERMANENTEK),
	RC(TPM_BAD_SIGNATURE), RC(TPM_NOCONTEXTSPACE), RC(TPM_RETRY),
	RC(TPM_NEEDS_SELFTEST), RC(TPM_DOING_SELFTEST),
	RC(TPM_DEFEND_LOCK_RUNNING),
};
#undef RC

const char *tc_rc_name(uint32_t rc)
{
	size_t i;

	for (i = 0; i < sizeof(rc_names) / sizeof(rc_names[0]); i++)
		if (rc_names[i].rc == rc)
			return rc_names[i].name;
	return "TPM_(unknown)";
}

/* ---- migration family (Part 3, 11) ---- */

void tc_cmd_pubkey(struct tc_cmd *cmd, const struct tc_pubkey *pk)
{
	cmd_rsa_parms(cmd, pk->enc_scheme, pk->sig_scheme, pk->key_bits);
	tc_cmd_sized(cmd, pk->modulus, pk->modulus_len);
}

int tc_key_split(const uint8_t *blob, size_t len, size_t *head_len,
		 const uint8_t **enc, uint32_t *enc_len)
{
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;

	/* ver/tag, usage, flags, authDataUsage, algorithm, schemes, parms,
	 * PCR info, pubKey, then encData. */
	tb_init_read(&b, blob, len);
	if (tb_skip(&b, 4 + 2 + 4 + 1 + 4 + 2 + 2) ||
	    tb_get_sized(&b, &p, &n, TC_BUF_MAX) ||
	    tb_get_sized(&b, &p, &n, TC_BUF_MAX) ||
	    tb_get_sized(&b, &p, &n, TC_BUF_MAX))
		return -EBADMSG;
	*head_len = b.pos;
	if (tb_get_sized(&b, enc, enc_len, TC_BUF_MAX) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_authorize_migration_key(struct tc_conn *c,
			       const uint8_t owner[TC_DIGEST_SIZE],
			       uint16_t scheme, const struct tc_pubkey *pk,
			       uint8_t *ticket, size_t *ticket_len,
			       struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_AuthorizeMigrationKey);
	tc_cmd_u16(&cmd, scheme);
	tc_cmd_pubkey(&cmd, pk);
	rc = call_oiap(c, &cmd, owner, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	*ticket_len = tb_remaining(&b);
	memcpy(ticket, tb_cursor(&b), *ticket_len);
	return 0;
}

int tc_create_migration_blob(struct tc_conn *c, uint32_t parent,
			     const uint8_t parent_auth[TC_DIGEST_SIZE],
			     const uint8_t mig_auth[TC_DIGEST_SIZE],
			     uint16_t type, const uint8_t *ticket,
			     size_t ticket_len, const uint8_t *enc,
			     uint32_t enc_len, uint8_t *random,
			     uint32_t *random_len, uint8_t *out,
			     uint32_t *out_len, struct tc_rsp *r)
{
	struct tc_session s[2];
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p, *q;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_CreateMigrationBlob);
	tc_cmd_handle(&cmd, parent);
	tc_cmd_u16(&cmd, type);
	tc_cmd_bytes(&cmd, ticket, ticket_len);
	tc_cmd_sized(&cmd, enc, enc_len);
	rc = tc_oiap(c, &s[0], parent_auth, r);
	if (rc)
		return rc;
	rc = tc_oiap(c, &s[1], mig_auth, r);
	if (!rc)
		rc = tc_call(c, &cmd, s, 2, r);
	tc_session_close(c, &s[0]);
	tc_session_close(c, &s[1]);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, random_len, TC_MAX_MODULUS) ||
	    tb_get_sized(&b, &q, out_len, TC_MAX_MODULUS) ||
	    tb_expect_end(&b))
		return -EBADMSG;
	memcpy(random, p, *random_len);
	memcpy(out, q, *out_len);
	return 0;
}

int tc_convert_migration_blob(struct tc_conn *c, uint32_t parent,
			      const uint8_t parent_auth[TC_DIGEST_SIZE],
			      const uint8_t *in, uint32_t in_len,
			      const uint8_t *random, uint32_t random_len,
			      uint8_t *out, uint32_t *out_len,
			      struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_ConvertMigrationBlob);
	tc_cmd_handle(&cmd, parent);
	tc_cmd_sized(&cmd, in, in_len);
	tc_cmd_sized(&cmd, random, random_len);
	rc = call_oiap(c, &cmd, parent_auth, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, out_len, TC_MAX_MODULUS) ||
	    tb_expect_end(&b))
		return -EBADMSG;
	memcpy(out, p, *out_len);
	return 0;
}

/* ---- keysmisc (issue 3): Sealx, CertifyKey2, ChangeAuthAsym, MakeIdentity */

/* Part 3, 10.7 step 13: XOR @n bytes with MGF1(nonceEven || nonceOdd ||
 * "XOR" || sharedSecret), the Sealx/Unseal payload mask. */
static void sealx_mask(const struct tc_session *s,
		       const uint8_t even[TC_DIGEST_SIZE], const uint8_t *in,
		       uint8_t *out, size_t n)
{
	uint8_t seed[2 * TC_DIGEST_SIZE + 3 + TC_DIGEST_SIZE];
	uint8_t block[4 + sizeof(seed)], h[TC_DIGEST_SIZE];
	uint32_t counter;
	size_t i;

	memcpy(seed, even, TC_DIGEST_SIZE);
	memcpy(seed + TC_DIGEST_SIZE, s->nonce_odd, TC_DIGEST_SIZE);
	memcpy(seed + 2 * TC_DIGEST_SIZE, "XOR", 3);
	memcpy(seed + 2 * TC_DIGEST_SIZE + 3, s->key, TC_DIGEST_SIZE);
	memcpy(block, seed, sizeof(seed));
	for (i = 0; i < n; i++) {
		if (i % TC_DIGEST_SIZE == 0) {
			counter = (uint32_t)(i / TC_DIGEST_SIZE);
			tb_wr_be32(block + sizeof(seed), counter);
			tc_sha1(block, sizeof(block), h);
		}
		out[i] = in[i] ^ h[i % TC_DIGEST_SIZE];
	}
}

int tc_sealx(struct tc_conn *c, uint32_t key,
	     const uint8_t key_auth[TC_DIGEST_SIZE],
	     const uint8_t data_auth[TC_DIGEST_SIZE], const void *data,
	     uint32_t len, uint8_t *blob, size_t *blob_len, struct tc_rsp *r)
{
	uint8_t enc[TC_DIGEST_SIZE], masked[TC_BUF_MAX];
	struct tc_session s;
	struct tc_cmd cmd;
	uint32_t ev;
	uint16_t et;
	int rc;

	if (len > sizeof(masked))
		return -EMSGSIZE;
	key_entity(key, &et, &ev);
	rc = tc_osap(c, &s, et, ev, key_auth, r);
	if (rc)
		return rc;
	tc_adip_encrypt(&s, false, data_auth, enc);
	random_nonce(s.nonce_odd);
	s.odd_ready = true;
	sealx_mask(&s, s.nonce_even, data, masked, len);
	tc_cmd_init(&cmd, TPM_ORD_Sealx);
	tc_cmd_handle(&cmd, key);
	tc_cmd_bytes(&cmd, enc, sizeof(enc));
	tc_cmd_u32(&cmd, 0);	/* pcrInfoSize */
	tc_cmd_sized(&cmd, masked, len);
	rc = tc_call(c, &cmd, &s, 1, r);
	tc_session_close(c, &s);
	if (rc)
		return rc;
	return copy_params(r, blob, blob_len);
}

int tc_unsealx(struct tc_conn *c, uint32_t key,
	       const uint8_t key_auth[TC_DIGEST_SIZE],
	       const uint8_t data_auth[TC_DIGEST_SIZE], const uint8_t *blob,
	       size_t blob_len, uint8_t *out, uint32_t *out_len,
	       struct tc_rsp *r)
{
	uint8_t even[TC_DIGEST_SIZE];
	struct tc_session s[2];
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n, ev;
	uint16_t et;
	int rc;

	key_entity(key, &et, &ev);
	rc = tc_osap(c, &s[0], et, ev, key_auth, r);
	if (rc)
		return rc;
	rc = tc_oiap(c, &s[1], data_auth, r);
	if (rc) {
		tc_session_close(c, &s[0]);
		return rc;
	}
	memcpy(even, s[0].nonce_even, TC_DIGEST_SIZE);
	random_nonce(s[0].nonce_odd);
	s[0].odd_ready = true;
	tc_cmd_init(&cmd, TPM_ORD_Unseal);
	tc_cmd_handle(&cmd, key);
	tc_cmd_bytes(&cmd, blob, blob_len);
	rc = tc_call(c, &cmd, s, 2, r);
	tc_session_close(c, &s[0]);
	tc_session_close(c, &s[1]);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_u32(&b, &n) || tb_get_ref(&b, &p, n) || tb_expect_end(&b) ||
	    n > TC_BUF_MAX)
		return -EBADMSG;
	sealx_mask(&s[0], even, p, out, n);
	*out_len = n;
	return 0;
}

/* Length of the TPM_CERTIFY_INFO(2) at the start of @b (Part 2, 11). */
static int certify_info_len(const struct tpm_buf *b, bool v2, size_t *len)
{
	struct tpm_buf t = *b;
	uint32_t n;

	/* ver or tag+fill+payload, usage, flags, authDataUsage */
	if (tb_skip(&t, 4 + 2 + 4 + 1) ||
	    tb_skip(&t, 4 + 2 + 2) || tb_get_u32(&t, &n) || tb_skip(&t, n) ||
	    tb_skip(&t, 2 * TC_DIGEST_SIZE + 1) || tb_get_u32(&t, &n) ||
	    tb_skip(&t, n))
		return -EBADMSG;
	if (v2 && (tb_get_u32(&t, &n) || tb_skip(&t, n)))
		return -EBADMSG;
	*len = t.pos - b->pos;
	return 0;
}

int tc_certify_key2(struct tc_conn *c, uint32_t key,
		    const uint8_t *key_auth, uint32_t cert,
		    const uint8_t *cert_auth,
		    const uint8_t msa[TC_DIGEST_SIZE],
		    const uint8_t nonce[TC_DIGEST_SIZE],
		    const struct tc_pubkey *cert_pub, size_t *info_len,
		    struct tc_rsp *r)
{
	uint8_t digest[TC_DIGEST_SIZE];
	struct tc_session s[2];
	unsigned int ns = 0, i;
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p, *sig;
	uint32_t n;
	size_t len;
	int rc = 0;

	if (key_auth)
		rc = tc_oiap(c, &s[ns++], key_auth, r);
	if (!rc && cert_auth)
		rc = tc_oiap(c, &s[ns++], cert_auth, r);
	if (rc)
		goto out;
	tc_cmd_init(&cmd, TPM_ORD_CertifyKey2);
	tc_cmd_handle(&cmd, key);
	tc_cmd_handle(&cmd, cert);
	tc_cmd_bytes(&cmd, msa, TC_DIGEST_SIZE);
	tc_cmd_bytes(&cmd, nonce, TC_DIGEST_SIZE);
	rc = tc_call(c, &cmd, s, ns, r);
	if (rc)
		goto out;
	tc_rsp_params(r, &b);
	if (certify_info_len(&b, true, &len) || tb_get_ref(&b, &p, len) ||
	    tb_get_u32(&b, &n) || tb_get_ref(&b, &sig, n) ||
	    tb_expect_end(&b)) {
		rc = -EBADMSG;
		goto out;
	}
	*info_len = len;
	tc_sha1(p, len, digest);
	if (cert_pub)
		rc = tc_rsa_verify_sha1(cert_pub, digest, sig, n);
out:
	for (i = 0; i < ns; i++)
		tc_session_close(c, &s[i]);
	return rc;
}

int tc_make_identity(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		     const uint8_t srk[TC_DIGEST_SIZE],
		     const uint8_t id_auth[TC_DIGEST_SIZE], uint32_t bits,
		     uint8_t *blob, size_t *blob_len, struct tc_rsp *r)
{
	const struct tc_key_template t = {
		.usage = TPM_KEY_IDENTITY, .auth_usage = TPM_AUTH_ALWAYS,
		.enc_scheme = TPM_ES_NONE,
		.sig_scheme = TPM_SS_RSASSAPKCS1v15_SHA1, .key_bits = bits,
	};
	uint8_t enc[TC_DIGEST_SIZE], label[TC_DIGEST_SIZE] = { 0 };
	struct tc_session s[2];
	struct tc_pubkey pk;
	struct tc_cmd cmd;
	struct tpm_buf b;
	size_t start, klen;
	uint32_t n;
	int rc;

	rc = tc_oiap(c, &s[0], srk, r);
	if (rc)
		return rc;
	rc = tc_osap(c, &s[1], TPM_ET_OWNER, TPM_KH_OWNER, owner, r);
	if (rc) {
		tc_session_close(c, &s[0]);
		return rc;
	}
	tc_adip_encrypt(&s[1], false, id_auth, enc);
	tc_cmd_init(&cmd, TPM_ORD_MakeIdentity);
	tc_cmd_bytes(&cmd, enc, sizeof(enc));
	tc_cmd_bytes(&cmd, label, sizeof(label));
	tc_cmd_key_template(&cmd, &t);
	rc = tc_call(c, &cmd, s, 2, r);
	tc_session_close(c, &s[0]);
	tc_session_close(c, &s[1]);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	start = b.pos;
	if (tc_get_key(&b, &pk))
		return -EBADMSG;
	klen = b.pos - start;
	if (tb_get_u32(&b, &n) || tb_skip(&b, n) || tb_expect_end(&b))
		return -EBADMSG;
	memcpy(blob, b.data + start, klen);
	*blob_len = klen;
	return 0;
}

int tc_change_auth_asym_start(struct tc_conn *c, uint32_t id,
			      const uint8_t id_auth[TC_DIGEST_SIZE],
			      const uint8_t nonce[TC_DIGEST_SIZE],
			      uint32_t bits, const struct tc_pubkey *id_pub,
			      uint32_t *eph, struct tc_pubkey *eph_pub,
			      struct tc_rsp *r)
{
	uint8_t digest[TC_DIGEST_SIZE];
	const uint8_t *p, *sig;
	struct tc_session s;
	struct tc_cmd cmd;
	struct tpm_buf b;
	uint32_t n;
	size_t len;
	int rc;

	rc = tc_oiap(c, &s, id_auth, r);
	if (rc)
		return rc;
	tc_cmd_init(&cmd, TPM_ORD_ChangeAuthAsymStart);
	tc_cmd_handle(&cmd, id);
	tc_cmd_bytes(&cmd, nonce, TC_DIGEST_SIZE);
	/* tempKey: TPM_KEY_PARMS, RSA OAEP, default exponent. */
	tc_cmd_u32(&cmd, TPM_ALG_RSA);
	tc_cmd_u16(&cmd, TPM_ES_RSAESOAEP_SHA1_MGF1);
	tc_cmd_u16(&cmd, TPM_SS_NONE);
	tc_cmd_u32(&cmd, 12);
	tc_cmd_u32(&cmd, bits);
	tc_cmd_u32(&cmd, 2);
	tc_cmd_u32(&cmd, 0);
	rc = tc_call(c, &cmd, &s, 1, r);
	tc_session_close(c, &s);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (certify_info_len(&b, false, &len) || tb_get_ref(&b, &p, len) ||
	    tb_get_u32(&b, &n) || tb_get_ref(&b, &sig, n) ||
	    tb_get_u32(&b, eph) || tc_get_key(&b, eph_pub) ||
	    tb_expect_end(&b))
		return -EBADMSG;
	tc_sha1(p, len, digest);
	return id_pub ? tc_rsa_verify_sha1(id_pub, digest, sig, n) : 0;
}

int tc_change_auth_asym_finish(struct tc_conn *c, uint32_t parent,
			       const uint8_t parent_auth[TC_DIGEST_SIZE],
			       uint32_t eph, const struct tc_pubkey *eph_pub,
			       uint16_t et,
			       const uint8_t cur_auth[TC_DIGEST_SIZE],
			       const uint8_t new_auth[TC_DIGEST_SIZE],
			       const uint8_t *enc, uint32_t enc_len,
			       uint8_t *out, uint32_t *out_len,
			       struct tc_rsp *r)
{
	uint8_t val[2 * TC_DIGEST_SIZE], link[TC_DIGEST_SIZE];
	uint8_t blob[TC_MAX_MODULUS], proof[TC_DIGEST_SIZE];
	uint8_t msg[2 * TC_DIGEST_SIZE];
	const uint8_t *p, *salt, *got;
	struct tc_session s;
	struct tc_cmd cmd;
	struct tpm_buf b;
	size_t blen;
	uint32_t n;
	int rc;

	/* TPM_CHANGEAUTH_VALIDATE: newAuthSecret || n1. */
	memcpy(val, new_auth, TC_DIGEST_SIZE);
	random_nonce(val + TC_DIGEST_SIZE);
	if (tc_rsa_oaep_encrypt(eph_pub, val, sizeof(val), blob, &blen))
		return -EINVAL;
	HMAC(EVP_sha1(), cur_auth, TC_DIGEST_SIZE, new_auth, TC_DIGEST_SIZE,
	     link, NULL);
	rc = tc_oiap(c, &s, parent_auth, r);
	if (rc)
		return rc;
	tc_cmd_init(&cmd, TPM_ORD_ChangeAuthAsymFinish);
	tc_cmd_handle(&cmd, parent);
	/* ephHandle is a parameter: inParamDigest covers it (libtpms). */
	tc_cmd_u32(&cmd, eph);
	tc_cmd_u16(&cmd, et);
	tc_cmd_bytes(&cmd, link, sizeof(link));
	tc_cmd_sized(&cmd, blob, (uint32_t)blen);
	tc_cmd_sized(&cmd, enc, enc_len);
	rc = tc_call(c, &cmd, &s, 1, r);
	tc_session_close(c, &s);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_u32(&b, &n) || tb_get_ref(&b, &p, n) || n > TC_BUF_MAX ||
	    tb_get_ref(&b, &salt, TC_DIGEST_SIZE) ||
	    tb_get_ref(&b, &got, TC_DIGEST_SIZE) || tb_expect_end(&b))
		return -EBADMSG;
	/* changeProof = HMAC(newAuthSecret, saltNonce || n1). */
	memcpy(msg, salt, TC_DIGEST_SIZE);
	memcpy(msg + TC_DIGEST_SIZE, val + TC_DIGEST_SIZE, TC_DIGEST_SIZE);
	HMAC(EVP_sha1(), new_auth, TC_DIGEST_SIZE, msg, sizeof(msg), proof,
	     NULL);
	if (CRYPTO_memcmp(proof, got, TC_DIGEST_SIZE))
		return TC_EBADSIG;
	memcpy(out, p, n);
	*out_len = n;
	return 0;
}

/* ---- daa (issue 3): DAA_Join / DAA_Sign ---- */

int tc_daa_stage(struct tc_conn *c, uint32_t ord,
		 const uint8_t owner[TC_DIGEST_SIZE], uint32_t handle,
		 uint8_t stage, const void *in0, uint32_t len0,
		 const void *in1, uint32_t len1, uint8_t *out,
		 uint32_t *out_len, struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;
	int rc;

	tc_cmd_init(&cmd, ord);
	tc_cmd_handle(&cmd, handle);
	tc_cmd_u8(&cmd, stage);
	tc_cmd_sized(&cmd, in0, len0);
	tc_cmd_sized(&cmd, in1, len1);
	rc = call_oiap(c, &cmd, owner, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, &n, TC_BUF_MAX) || tb_expect_end(&b))
		return -EBADMSG;
	if (out) {
		memcpy(out, p, n);
		*out_len = n;
	}
	return 0;
}

struct tc_issuer_key {
	EVP_PKEY *pk;
};

struct tc_issuer_key *tc_issuer_key_new(uint8_t n[256])
{
	struct tc_issuer_key *k = calloc(1, sizeof(*k));
	BIGNUM *bn = NULL;

	if (!k)
		return NULL;
	k->pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (!k->pk ||
	    !EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_N, &bn) ||
	    BN_bn2binpad(bn, n, 256) != 256) {
		BN_free(bn);
		tc_issuer_key_free(k);
		return NULL;
	}
	BN_free(bn);
	return k;
}

int tc_issuer_sign(struct tc_issuer_key *k, const void *d, size_t len,
		   uint8_t sig[256])
{
	uint8_t h[TC_DIGEST_SIZE];
	EVP_PKEY_CTX *ctx;
	size_t slen = 256;
	int err = -EINVAL;

	tc_sha1(d, len, h);
	ctx = EVP_PKEY_CTX_new(k->pk, NULL);
	if (ctx && EVP_PKEY_sign_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()) > 0 &&
	    EVP_PKEY_sign(ctx, sig, &slen, h, sizeof(h)) > 0 && slen == 256)
		err = 0;
	EVP_PKEY_CTX_free(ctx);
	return err;
}

void tc_issuer_key_free(struct tc_issuer_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

/* ---- delegation (issue 3): DSAP ---- */

/*
 * NOTE (keysmisc engineer): this block was lost from this file when I
 * restored a stale copy of tpmclient.c, and is rewritten here from its
 * declaration in tpmclient.h; the delegation engineer should check it.
 * Part 3, 18.3 TPM_DSAP: entityType, keyHandle, nonceOddDSAP,
 * entityValueSize, entityValue -> authHandle, nonceEven, nonceEvenDSAP.
 */
int tc_dsap(struct tc_conn *c, struct tc_session *s, uint16_t et,
	    uint32_t key, const void *ev, uint32_t ev_len,
	    const uint8_t auth[TC_DIGEST_SIZE], struct tc_rsp *r)
{
	uint8_t odd_dsap[TC_DIGEST_SIZE], even_dsap[TC_DIGEST_SIZE];
	uint8_t msg[2 * TC_DIGEST_SIZE];
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	memset(s, 0, sizeof(*s));
	random_nonce(odd_dsap);
	tc_cmd_init(&cmd, TPM_ORD_DSAP);
	tc_cmd_u16(&cmd, et);
	tc_cmd_u32(&cmd, key);
	tc_cmd_bytes(&cmd, odd_dsap, sizeof(odd_dsap));
	tc_cmd_sized(&cmd, ev, ev_len);
	rc = tc_call(c, &cmd, NULL, 0, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_u32(&b, &s->handle) ||
	    tb_get_bytes(&b, s->nonce_even, TC_DIGEST_SIZE) ||
	    tb_get_bytes(&b, even_dsap, TC_DIGEST_SIZE) || tb_expect_end(&b))
		return -EBADMSG;
	/* sharedSecret = HMAC(auth, nonceEvenDSAP || nonceOddDSAP), as OSAP */
	memcpy(msg, even_dsap, TC_DIGEST_SIZE);
	memcpy(msg + TC_DIGEST_SIZE, odd_dsap, TC_DIGEST_SIZE);
	HMAC(EVP_sha1(), auth, TC_DIGEST_SIZE, msg, sizeof(msg), s->key,
	     NULL);
	s->osap = true;
	s->open = true;
	return 0;
}

/* ---- transport (issue 3): transport sessions ---- */

/* SHA-1 over (ptr, len) pairs ended by NULL. */
static void tr_sha1v(uint8_t out[TC_DIGEST_SIZE], ...)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t d[TC_DIGEST_SIZE];
	const void *p;
	va_list ap;

	/* @out may also be an input (log extension): digest into d first.
	 * Out of memory: leave a digest nothing matches. */
	memset(d, 0xa5, sizeof(d));
	if (md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1) {
		va_start(ap, out);
		while ((p = va_arg(ap, const void *)) != NULL)
			EVP_DigestUpdate(md, p, va_arg(ap, size_t));
		va_end(ap);
		EVP_DigestFinal_ex(md, d, NULL);
	}
	EVP_MD_CTX_free(md);
	memcpy(out, d, sizeof(d));
}

/* MGF1 with SHA-1 (PKCS#1 v2.1 B.2.1). */
static void tr_mgf1(uint8_t *out, size_t n, const uint8_t *seed, size_t slen)
{
	uint8_t d[TC_DIGEST_SIZE], ctr[4];
	size_t done = 0, k;
	uint32_t i;

	for (i = 0; done < n; i++) {
		tb_wr_be32(ctr, i);
		tr_sha1v(d, seed, slen, ctr, sizeof(ctr), NULL);
		k = n - done < TC_DIGEST_SIZE ? n - done : TC_DIGEST_SIZE;
		memcpy(out + done, d, k);
		done += k;
	}
}

/* Part 3, 24.2 steps 4 and 17: the caller's en-/decryption of DATAw. */
static void tr_crypt(const struct tc_transport *t, const uint8_t *even,
		     const uint8_t *odd, const char *label, uint8_t *p,
		     size_t n)
{
	uint8_t seed[2 * TC_DIGEST_SIZE + 3 + TC_DIGEST_SIZE];
	uint8_t pad[TC_BUF_MAX], iv[16];
	size_t ll = strlen(label), i;
	EVP_CIPHER_CTX *cx;
	int outl;

	if (!n || !(t->attrs & TC_TRANSPORT_ENCRYPT) || n > sizeof(pad))
		return;
	memcpy(seed, even, TC_DIGEST_SIZE);
	memcpy(seed + TC_DIGEST_SIZE, odd, TC_DIGEST_SIZE);
	memcpy(seed + 2 * TC_DIGEST_SIZE, label, ll);
	if (t->alg == TPM_ALG_MGF1) {
		memcpy(seed + 2 * TC_DIGEST_SIZE + ll, t->key, TC_DIGEST_SIZE);
		tr_mgf1(pad, n, seed, 3 * TC_DIGEST_SIZE + ll);
		for (i = 0; i < n; i++)
			p[i] ^= pad[i];
		return;
	}
	tr_mgf1(iv, sizeof(iv), seed, 2 * TC_DIGEST_SIZE + ll);
	cx = EVP_CIPHER_CTX_new();
	if (!cx)
		return;
	EVP_EncryptInit_ex(cx, t->enc_scheme == TPM_ES_SYM_OFB ?
			   EVP_aes_128_ofb() : EVP_aes_128_ctr(), NULL,
			   t->key, iv);
	EVP_EncryptUpdate(cx, p, &outl, p, (int)n);
	EVP_CIPHER_CTX_free(cx);
}

static void tr_log_in(struct tc_transport *t, const uint8_t params[20],
		      const uint8_t pkh[20])
{
	static const uint8_t tag[2] = { 0x00, 0x10 };

	tr_sha1v(t->log, t->log, (size_t)TC_DIGEST_SIZE, tag, sizeof(tag),
		 params, (size_t)TC_DIGEST_SIZE, pkh, (size_t)TC_DIGEST_SIZE,
		 NULL);
}

static void tr_log_out(struct tc_transport *t, const uint8_t ticks[32],
		       const uint8_t params[20], uint32_t locality)
{
	static const uint8_t tag[2] = { 0x00, 0x11 };
	uint8_t loc[4];

	tb_wr_be32(loc, locality);
	tr_sha1v(t->log, t->log, (size_t)TC_DIGEST_SIZE, tag, sizeof(tag),
		 ticks, (size_t)32, params, (size_t)TC_DIGEST_SIZE, loc,
		 sizeof(loc), NULL);
}

void tc_transport_pubkey_hash(const struct tc_pubkey *pk,
			      uint8_t out[TC_DIGEST_SIZE])
{
	uint8_t len[4], k[TC_DIGEST_SIZE];

	tb_wr_be32(len, pk->modulus_len);
	tr_sha1v(k, len, sizeof(len), pk->modulus, (size_t)pk->modulus_len,
		 NULL);
	tr_sha1v(out, k, sizeof(k), NULL);
}

int tc_establish_transport(struct tc_conn *c, struct tc_transport *t,
			   uint32_t key, const struct tc_pubkey *enc,
			   const uint8_t key_auth[TC_DIGEST_SIZE],
			   uint32_t attrs, uint32_t alg, uint16_t es,
			   const uint8_t secret[TC_DIGEST_SIZE],
			   struct tc_rsp *r)
{
	uint8_t pub[12], blob[TC_MAX_MODULUS], plain[2 + TC_DIGEST_SIZE];
	uint8_t params[TC_DIGEST_SIZE], ord[4], size[4], loc[4];
	static const uint8_t zero[TC_DIGEST_SIZE];
	struct tc_session s = { 0 };
	size_t blen = TC_DIGEST_SIZE;
	struct tpm_buf b, o;
	uint32_t locality;
	struct tc_cmd cmd;
	int rc;

	memset(t, 0, sizeof(*t));
	memcpy(t->key, secret, TC_DIGEST_SIZE);
	t->attrs = attrs;
	t->alg = alg;
	t->enc_scheme = es;
	tb_init_write(&b, pub, sizeof(pub));
	tb_put_u16(&b, TPM_TAG_TRANSPORT_PUBLIC);
	tb_put_u32(&b, attrs);
	tb_put_u32(&b, alg);
	tb_put_u16(&b, es);
	memcpy(blob, secret, TC_DIGEST_SIZE);
	if (enc) {
		tb_wr_be16(plain, TPM_TAG_TRANSPORT_AUTH);
		memcpy(plain + 2, secret, TC_DIGEST_SIZE);
		rc = tc_rsa_oaep_encrypt(enc, plain, sizeof(plain), blob,
					 &blen);
		if (rc)
			return rc;
		rc = tc_oiap(c, &s, key_auth, r);
		if (rc)
			return rc;
	}
	tc_cmd_init(&cmd, TPM_ORD_EstablishTransport);
	tc_cmd_handle(&cmd, enc ? key : TPM_KH_TRANSPORT);
	tc_cmd_bytes(&cmd, pub, sizeof(pub));
	tc_cmd_sized(&cmd, blob, (uint32_t)blen);
	cmd.rsp_handles = 4;
	rc = tc_call(c, &cmd, enc ? &s : NULL, enc ? 1 : 0, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &o);
	if (tb_get_u32(&o, &t->handle) || tb_get_u32(&o, &locality) ||
	    tb_get_bytes(&o, t->ticks, sizeof(t->ticks)) ||
	    tb_get_bytes(&o, t->nonce_even, TC_DIGEST_SIZE) ||
	    tb_remaining(&o))
		return -EBADMSG;
	t->cont = true;
	if (attrs & TC_TRANSPORT_LOG) {
		/* Part 3, 24.1 step 8: the first two log entries. */
		tb_wr_be32(ord, TPM_ORD_EstablishTransport);
		tb_wr_be32(size, (uint32_t)blen);
		tb_wr_be32(loc, locality);
		tr_sha1v(params, ord, sizeof(ord), pub, sizeof(pub), size,
			 sizeof(size), blob, blen, NULL);
		tr_log_in(t, params, zero);
		tb_wr_be32(size, 0);
		tr_sha1v(params, size, sizeof(size), ord, sizeof(ord), loc,
			 sizeof(loc), t->ticks, sizeof(t->ticks),
			 t->nonce_even, (size_t)TC_DIGEST_SIZE, NULL);
		tr_log_out(t, t->ticks, params, locality);
	}
	return 0;
}

/* S2/LEN2 of a wrapped response (Part 3, 24.2 step 13). */
static size_t tr_rsp_dataw(const uint8_t *w, size_t wlen, uint32_t ordw,
			   unsigned int out_handles, size_t *off)
{
	size_t fixed;

	*off = 10;
	if (wlen <= 10 || tb_be32(w + 6) != TPM_SUCCESS ||
	    ordw == TPM_ORD_OIAP || ordw == TPM_ORD_OSAP ||
	    ordw == TPM_ORD_DSAP)
		return 0;
	fixed = 10 + 4 * (size_t)out_handles +
		TC_AUTH_OUT_SIZE * (size_t)(tb_be16(w) - TPM_TAG_RSP_COMMAND);
	if (fixed > wlen)
		return 0;
	*off = 10 + 4 * (size_t)out_handles;
	return wlen - fixed;
}

int tc_execute_transport(struct tc_conn *c, struct tc_transport *t,
			 const uint8_t *w, size_t wlen,
			 unsigned int in_handles, unsigned int out_handles,
			 const uint8_t pkh[TC_DIGEST_SIZE], uint8_t *wr,
			 size_t *wr_len, struct tc_rsp *r)
{
	uint8_t e[TC_BUF_MAX], cmd[TC_BUF_MAX], h1[20], h2[20], digest[20];
	uint8_t hmac[20], ord[4], size[4], hdr[8], loc[4], ticks[32];
	size_t off = 10 + 4 * (size_t)in_handles, len = 0, s2, n2;
	static const uint8_t zero[TC_DIGEST_SIZE];
	uint32_t ordw, locality, rlen;
	const uint8_t *p, *a;
	struct tpm_buf b, o;
	unsigned int nauth;
	int err;

	if (wlen < 10 || wlen > sizeof(e))
		return -EINVAL;
	memcpy(e, w, wlen);
	ordw = tb_be32(w + 6);
	nauth = tb_be16(w) - TPM_TAG_RQU_COMMAND;
	if (ordw != TPM_ORD_OIAP && ordw != TPM_ORD_OSAP &&
	    wlen >= off + TC_AUTH_IN_SIZE * (size_t)nauth)
		len = wlen - off - TC_AUTH_IN_SIZE * (size_t)nauth;
	random_nonce(t->nonce_odd);
	tb_wr_be32(ord, ordw);
	tr_sha1v(h1, ord, sizeof(ord), e + off, len, NULL);
	tr_crypt(t, t->nonce_even, t->nonce_odd, "in", e + off, len);
	tb_wr_be32(ord, TPM_ORD_ExecuteTransport);
	tb_wr_be32(size, (uint32_t)wlen);
	tr_sha1v(digest, ord, sizeof(ord), size, sizeof(size), h1,
		 sizeof(h1), NULL);
	auth_hmac(t->key, digest, t->nonce_even, t->nonce_odd, t->cont, hmac);
	tb_init_write(&b, cmd, sizeof(cmd));
	if (tb_put_u16(&b, TPM_TAG_RQU_AUTH1_COMMAND) || tb_put_u32(&b, 0) ||
	    tb_put_u32(&b, TPM_ORD_ExecuteTransport) ||
	    tb_put_sized(&b, e, (uint32_t)wlen) ||
	    tb_put_u32(&b, t->handle) ||
	    tb_put_bytes(&b, t->nonce_odd, TC_DIGEST_SIZE) ||
	    tb_put_u8(&b, t->cont) || tb_put_bytes(&b, hmac, sizeof(hmac)))
		return -ENOSPC;
	tb_patch_u32(&b, 2, (uint32_t)b.len);
	err = tc_send_raw(c, cmd, b.len, r);
	if (err || r->rc)
		return err ? err : (int)r->rc;
	/* currentTicks, locality, wrappedRsp, then the auth area. */
	if (r->len < 10 + 16 + TC_AUTH_OUT_SIZE)
		return -EBADMSG;
	r->params_end = r->len - TC_AUTH_OUT_SIZE;
	tc_rsp_params(r, &o);
	memcpy(ticks, t->ticks, sizeof(ticks));
	if (tb_get_bytes(&o, ticks + 2, 8) || tb_get_u32(&o, &locality) ||
	    tb_get_u32(&o, &rlen) || tb_get_ref(&o, &p, rlen) ||
	    tb_remaining(&o) || rlen > TC_BUF_MAX)
		return -EBADMSG;
	a = r->data + r->params_end;
	memcpy(t->nonce_even, a, TC_DIGEST_SIZE);
	memcpy(wr, p, rlen);
	*wr_len = rlen;
	n2 = tr_rsp_dataw(wr, rlen, ordw, out_handles, &s2);
	tr_crypt(t, t->nonce_even, t->nonce_odd, "out", wr + s2, n2);
	tb_wr_be32(ord, ordw);
	tr_sha1v(h2, wr + 6, (size_t)4, ord, sizeof(ord), wr + s2, n2, NULL);
	tb_wr_be32(hdr, 0);
	tb_wr_be32(hdr + 4, TPM_ORD_ExecuteTransport);
	tb_wr_be32(loc, locality);
	tb_wr_be32(size, rlen);
	tr_sha1v(digest, hdr, sizeof(hdr), ticks + 2, (size_t)8, loc,
		 sizeof(loc), size, sizeof(size), h2, sizeof(h2), NULL);
	auth_hmac(t->key, digest, t->nonce_even, t->nonce_odd,
		  a[TC_DIGEST_SIZE], hmac);
	r->nauth = 1;
	r->cont[0] = a[TC_DIGEST_SIZE];
	if (CRYPTO_memcmp(hmac, a + TC_DIGEST_SIZE + 1, TC_DIGEST_SIZE))
		return TC_EBADAUTH;
	if (t->attrs & TC_TRANSPORT_LOG) {
		tr_log_in(t, h1, pkh ? pkh : zero);
		tr_log_out(t, ticks, h2, locality);
	}
	return 0;
}

int tc_release_transport_signed(struct tc_conn *c, struct tc_transport *t,
				uint32_t key,
				const uint8_t key_auth[TC_DIGEST_SIZE],
				const struct tc_pubkey *pk,
				const uint8_t anti[TC_DIGEST_SIZE],
				struct tc_rsp *r)
{
	uint8_t ord[4], in_digest[20], ticks[32], info[50], digest[20];
	struct tc_session s[2];
	const uint8_t *sig;
	uint32_t loc, slen;
	struct tc_cmd cmd;
	struct tpm_buf o;
	int rc;

	memset(s, 0, sizeof(s));
	rc = tc_oiap(c, &s[0], key_auth, r);
	if (rc)
		return rc;
	/* The transport session's HMAC is an authorization like OIAP's. */
	s[1].handle = t->handle;
	s[1].open = true;
	s[1].cont = t->cont;
	memcpy(s[1].key, t->key, TC_DIGEST_SIZE);
	memcpy(s[1].nonce_even, t->nonce_even, TC_DIGEST_SIZE);
	tc_cmd_init(&cmd, TPM_ORD_ReleaseTransportSigned);
	tc_cmd_handle(&cmd, key);
	tc_cmd_bytes(&cmd, anti, TC_DIGEST_SIZE);
	rc = tc_call(c, &cmd, s, 2, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &o);
	if (tb_get_u32(&o, &loc) || tb_get_bytes(&o, ticks, sizeof(ticks)) ||
	    tb_get_u32(&o, &slen) || tb_get_ref(&o, &sig, slen) ||
	    tb_remaining(&o))
		return -EBADMSG;
	/* Part 3, 24.3 steps 6-8: the last entry, then TPM_SIGN_INFO. */
	tb_wr_be32(ord, TPM_ORD_ReleaseTransportSigned);
	tr_sha1v(in_digest, ord, sizeof(ord), anti, (size_t)TC_DIGEST_SIZE,
		 NULL);
	tr_log_out(t, ticks, in_digest, loc);
	tb_wr_be16(info, TPM_TAG_SIGNINFO);
	memcpy(info + 2, "TRAN", 4);
	memcpy(info + 6, anti, TC_DIGEST_SIZE);
	tb_wr_be32(info + 26, TC_DIGEST_SIZE);
	memcpy(info + 30, t->log, TC_DIGEST_SIZE);
	tr_sha1v(digest, info, sizeof(info), NULL);
	return tc_rsa_verify_sha1(pk, digest, sig, slen);
}

/* ---- migration family, CMK part (Part 3, 11.5-11.10) ---- */

void tc_pubkey_digest(const struct tc_pubkey *pk, uint8_t out[TC_DIGEST_SIZE])
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, 0);
	tc_cmd_pubkey(&cmd, pk);
	tc_sha1(cmd.data + cmd.params_off, cmd.b.len - cmd.params_off, out);
}

/* Copy a 20-byte answer out of @r. */
static int cmk_digest_out(const struct tc_rsp *r, uint8_t out[TC_DIGEST_SIZE])
{
	struct tpm_buf b;

	tc_rsp_params(r, &b);
	if (tb_get_bytes(&b, out, TC_DIGEST_SIZE) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_cmk_approve_ma(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		      const uint8_t msa_digest[TC_DIGEST_SIZE],
		      uint8_t approval[TC_DIGEST_SIZE], struct tc_rsp *r)
{
	struct tc_cmd cmd;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_CMK_ApproveMA);
	tc_cmd_bytes(&cmd, msa_digest, TC_DIGEST_SIZE);
	rc = call_oiap(c, &cmd, owner, r);
	return rc ? rc : cmk_digest_out(r, approval);
}

int tc_cmk_set_restrictions(struct tc_conn *c,
			    const uint8_t owner[TC_DIGEST_SIZE],
			    uint32_t restriction, struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_CMK_SetRestrictions);
	tc_cmd_u32(&cmd, restriction);
	return call_oiap(c, &cmd, owner, r);
}

int tc_cmk_create_key(struct tc_conn *c, uint32_t parent,
		      const uint8_t parent_auth[TC_DIGEST_SIZE], bool oiap,
		      const struct tc_key_template *t,
		      const uint8_t usage[TC_DIGEST_SIZE],
		      const uint8_t approval[TC_DIGEST_SIZE],
		      const uint8_t msa_digest[TC_DIGEST_SIZE],
		      uint8_t *blob, size_t *blob_len, struct tc_rsp *r)
{
	uint8_t eu[TC_DIGEST_SIZE];
	struct tc_session s;
	struct tc_pubkey pk;
	struct tc_cmd cmd;
	struct tpm_buf b;
	uint32_t ev;
	uint16_t et;
	int rc;

	key_entity(parent, &et, &ev);
	rc = oiap ? tc_oiap(c, &s, parent_auth, r) :
		    tc_osap(c, &s, et, ev, parent_auth, r);
	if (rc)
		return rc;
	if (oiap)
		memcpy(eu, usage, sizeof(eu));
	else
		tc_adip_encrypt(&s, false, usage, eu);
	tc_cmd_init(&cmd, TPM_ORD_CMK_CreateKey);
	tc_cmd_handle(&cmd, parent);
	tc_cmd_bytes(&cmd, eu, sizeof(eu));
	tc_cmd_key_template(&cmd, t);
	tc_cmd_bytes(&cmd, approval, TC_DIGEST_SIZE);
	tc_cmd_bytes(&cmd, msa_digest, TC_DIGEST_SIZE);
	rc = tc_call(c, &cmd, &s, 1, r);
	tc_session_close(c, &s);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tc_get_key(&b, &pk) || tb_expect_end(&b))
		return -EBADMSG;
	return copy_params(r, blob, blob_len);
}

int tc_cmk_create_ticket(struct tc_conn *c,
			 const uint8_t owner[TC_DIGEST_SIZE],
			 const struct tc_pubkey *pk,
			 const uint8_t signed_data[TC_DIGEST_SIZE],
			 const uint8_t *sig, uint32_t sig_len,
			 uint8_t ticket[TC_DIGEST_SIZE], struct tc_rsp *r)
{
	struct tc_cmd cmd;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_CMK_CreateTicket);
	tc_cmd_pubkey(&cmd, pk);
	tc_cmd_bytes(&cmd, signed_data, TC_DIGEST_SIZE);
	tc_cmd_sized(&cmd, sig, sig_len);
	rc = call_oiap(c, &cmd, owner, r);
	return rc ? rc : cmk_digest_out(r, ticket);
}

/* random and outData of a migration command's answer. */
static int cmk_blob_out(const struct tc_rsp *r, uint8_t *random,
			uint32_t *random_len, uint8_t *out, uint32_t *out_len)
{
	const uint8_t *p, *q;
	struct tpm_buf b;

	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, random_len, TC_MAX_MODULUS) ||
	    tb_get_sized(&b, &q, out_len, TC_MAX_MODULUS) ||
	    tb_expect_end(&b))
		return -EBADMSG;
	memcpy(random, p, *random_len);
	memcpy(out, q, *out_len);
	return 0;
}

int tc_cmk_create_blob(struct tc_conn *c, uint32_t parent,
		       const uint8_t parent_auth[TC_DIGEST_SIZE],
		       uint16_t type, const uint8_t *mka, size_t mka_len,
		       const uint8_t src[TC_DIGEST_SIZE],
		       const uint8_t *msa, uint32_t msa_len,
		       const uint8_t *rt, uint32_t rt_len,
		       const uint8_t *st, uint32_t st_len,
		       const uint8_t *enc, uint32_t enc_len,
		       uint8_t *random, uint32_t *random_len,
		       uint8_t *out, uint32_t *out_len, struct tc_rsp *r)
{
	struct tc_cmd cmd;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_CMK_CreateBlob);
	tc_cmd_handle(&cmd, parent);
	tc_cmd_u16(&cmd, type);
	tc_cmd_bytes(&cmd, mka, mka_len);
	tc_cmd_bytes(&cmd, src, TC_DIGEST_SIZE);
	tc_cmd_sized(&cmd, msa, msa_len);
	tc_cmd_sized(&cmd, rt, rt_len);
	tc_cmd_sized(&cmd, st, st_len);
	tc_cmd_sized(&cmd, enc, enc_len);
	rc = call_oiap(c, &cmd, parent_auth, r);
	return rc ? rc : cmk_blob_out(r, random, random_len, out, out_len);
}

int tc_cmk_convert_migration(struct tc_conn *c, uint32_t parent,
			     const uint8_t parent_auth[TC_DIGEST_SIZE],
			     const uint8_t rt[3 * TC_DIGEST_SIZE],
			     const uint8_t st[TC_DIGEST_SIZE],
			     const uint8_t *head, size_t head_len,
			     const uint8_t *enc, uint32_t enc_len,
			     const uint8_t *msa, uint32_t msa_len,
			     const uint8_t *random, uint32_t random_len,
			     uint8_t *out, uint32_t *out_len,
			     struct tc_rsp *r)
{
	const uint8_t *p;
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_CMK_ConvertMigration);
	tc_cmd_handle(&cmd, parent);
	tc_cmd_bytes(&cmd, rt, 3 * TC_DIGEST_SIZE);
	tc_cmd_bytes(&cmd, st, TC_DIGEST_SIZE);
	tc_cmd_bytes(&cmd, head, head_len);
	tc_cmd_sized(&cmd, enc, enc_len);
	tc_cmd_sized(&cmd, msa, msa_len);
	tc_cmd_sized(&cmd, random, random_len);
	rc = call_oiap(c, &cmd, parent_auth, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_sized(&b, &p, out_len, TC_MAX_MODULUS) || tb_expect_end(&b))
		return -EBADMSG;
	memcpy(out, p, *out_len);
	return 0;
}

/* ---- diffA: ChangeAuth, ChangeAuthOwner, DIR, UnBind, LoadKey,
 * EvictKey, MigrateKey, CertifyKey ---- */

/* A response that is one sized field of at most @cap bytes, copied. */
static int sized_out(const struct tc_rsp *r, uint8_t *out, uint32_t *out_len,
		     uint32_t cap)
{
	struct tc_rsp copy = *r;
	struct tpm_buf b;
	const uint8_t *p;
	uint32_t n;

	tc_rsp_params(&copy, &b);
	if (tb_get_sized(&b, &p, &n, cap) || tb_expect_end(&b))
		return -EBADMSG;
	memcpy(out, p, n);
	*out_len = n;
	return 0;
}

int tc_change_auth(struct tc_conn *c, uint32_t parent,
		   const uint8_t parent_auth[TC_DIGEST_SIZE], uint16_t et,
		   const uint8_t cur_auth[TC_DIGEST_SIZE],
		   const uint8_t new_auth[TC_DIGEST_SIZE], const uint8_t *enc,
		   uint32_t enc_len, uint8_t *out, uint32_t *out_len,
		   struct tc_rsp *r)
{
	uint8_t en[TC_DIGEST_SIZE];
	struct tc_session s[2];
	struct tc_cmd cmd;
	uint32_t ev;
	uint16_t pet;
	int rc;

	key_entity(parent, &pet, &ev);
	rc = tc_osap(c, &s[0], pet, ev, parent_auth, r);
	if (rc)
		return rc;
	rc = tc_oiap(c, &s[1], cur_auth, r);
	if (rc) {
		tc_session_close(c, &s[0]);
		return rc;
	}
	/* Part 3, 17.1: encNewAuth is ADIP under the parent's session. */
	tc_adip_encrypt(&s[0], false, new_auth, en);
	tc_cmd_init(&cmd, TPM_ORD_ChangeAuth);
	tc_cmd_handle(&cmd, parent);
	tc_cmd_u16(&cmd, TPM_PID_ADCP);
	tc_cmd_bytes(&cmd, en, sizeof(en));
	tc_cmd_u16(&cmd, et);
	tc_cmd_sized(&cmd, enc, enc_len);
	rc = tc_call(c, &cmd, s, 2, r);
	tc_session_close(c, &s[0]);
	tc_session_close(c, &s[1]);
	if (rc)
		return rc;
	return sized_out(r, out, out_len, TC_BUF_MAX);
}

int tc_change_auth_owner(struct tc_conn *c,
			 const uint8_t owner[TC_DIGEST_SIZE], uint16_t et,
			 const uint8_t new_auth[TC_DIGEST_SIZE],
			 struct tc_rsp *r)
{
	uint8_t en[TC_DIGEST_SIZE];
	struct tc_session s;
	struct tc_cmd cmd;
	int rc;

	rc = tc_osap(c, &s, TPM_ET_OWNER, TPM_KH_OWNER, owner, r);
	if (rc)
		return rc;
	tc_adip_encrypt(&s, false, new_auth, en);
	tc_cmd_init(&cmd, TPM_ORD_ChangeAuthOwner);
	tc_cmd_u16(&cmd, TPM_PID_ADCP);
	tc_cmd_bytes(&cmd, en, sizeof(en));
	tc_cmd_u16(&cmd, et);
	rc = tc_call(c, &cmd, &s, 1, r);
	tc_session_close(c, &s);
	return rc;
}

int tc_dir_write_auth(struct tc_conn *c, const uint8_t owner[TC_DIGEST_SIZE],
		      uint32_t index, const uint8_t value[TC_DIGEST_SIZE],
		      struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_DirWriteAuth);
	tc_cmd_u32(&cmd, index);
	tc_cmd_bytes(&cmd, value, TC_DIGEST_SIZE);
	return call_oiap(c, &cmd, owner, r);
}

int tc_dir_read(struct tc_conn *c, uint32_t index,
		uint8_t out[TC_DIGEST_SIZE], struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_DirRead);
	tc_cmd_u32(&cmd, index);
	rc = call0(c, &cmd, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_bytes(&b, out, TC_DIGEST_SIZE) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_unbind(struct tc_conn *c, uint32_t key,
	      const uint8_t auth[TC_DIGEST_SIZE], const uint8_t *in,
	      uint32_t in_len, uint8_t *out, uint32_t *out_len,
	      struct tc_rsp *r)
{
	struct tc_cmd cmd;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_UnBind);
	tc_cmd_handle(&cmd, key);
	tc_cmd_sized(&cmd, in, in_len);
	rc = call_oiap(c, &cmd, auth, r);
	if (rc)
		return rc;
	return sized_out(r, out, out_len, TC_MAX_MODULUS);
}

int tc_load_key(struct tc_conn *c, uint32_t parent,
		const uint8_t parent_auth[TC_DIGEST_SIZE],
		const uint8_t *blob, size_t blob_len, uint32_t *handle,
		struct tc_rsp *r)
{
	struct tc_cmd cmd;
	struct tpm_buf b;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_LoadKey);
	tc_cmd_handle(&cmd, parent);
	tc_cmd_bytes(&cmd, blob, blob_len);
	/* Part 3, 27.8: unlike LoadKey2's, this inkeyHandle is an output
	 * parameter inside outParamDigest (3S). */
	rc = call_oiap(c, &cmd, parent_auth, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (tb_get_u32(&b, handle) || tb_expect_end(&b))
		return -EBADMSG;
	return 0;
}

int tc_evict_key(struct tc_conn *c, uint32_t key, struct tc_rsp *r)
{
	struct tc_cmd cmd;

	tc_cmd_init(&cmd, TPM_ORD_EvictKey);
	tc_cmd_u32(&cmd, key);
	return call0(c, &cmd, r);
}

int tc_migrate_key(struct tc_conn *c, uint32_t ma,
		   const uint8_t auth[TC_DIGEST_SIZE],
		   const struct tc_pubkey *pk, const uint8_t *in,
		   uint32_t in_len, uint8_t *out, uint32_t *out_len,
		   struct tc_rsp *r)
{
	struct tc_cmd cmd;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_MigrateKey);
	tc_cmd_handle(&cmd, ma);
	tc_cmd_pubkey(&cmd, pk);
	tc_cmd_sized(&cmd, in, in_len);
	rc = call_oiap(c, &cmd, auth, r);
	if (rc)
		return rc;
	return sized_out(r, out, out_len, TC_MAX_MODULUS);
}

int tc_certify_key(struct tc_conn *c, uint32_t cert,
		   const uint8_t cert_auth[TC_DIGEST_SIZE], uint32_t key,
		   const uint8_t key_auth[TC_DIGEST_SIZE],
		   const uint8_t nonce[TC_DIGEST_SIZE],
		   const struct tc_pubkey *cert_pub, uint8_t *info,
		   size_t *info_len, struct tc_rsp *r)
{
	uint8_t digest[TC_DIGEST_SIZE];
	const uint8_t *p, *sig;
	struct tc_session s[2];
	struct tc_cmd cmd;
	struct tpm_buf b;
	uint32_t n;
	size_t len;
	int rc;

	rc = tc_oiap(c, &s[0], cert_auth, r);
	if (rc)
		return rc;
	rc = tc_oiap(c, &s[1], key_auth, r);
	if (rc) {
		tc_session_close(c, &s[0]);
		return rc;
	}
	tc_cmd_init(&cmd, TPM_ORD_CertifyKey);
	tc_cmd_handle(&cmd, cert);
	tc_cmd_handle(&cmd, key);
	tc_cmd_bytes(&cmd, nonce, TC_DIGEST_SIZE);
	rc = tc_call(c, &cmd, s, 2, r);
	tc_session_close(c, &s[0]);
	tc_session_close(c, &s[1]);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	if (certify_info_len(&b, false, &len) || tb_get_ref(&b, &p, len) ||
	    tb_get_u32(&b, &n) || tb_get_ref(&b, &sig, n) ||
	    tb_expect_end(&b) || len > TC_BUF_MAX)
		return -EBADMSG;
	if (info)
		memcpy(info, p, len);
	*info_len = len;
	tc_sha1(p, len, digest);
	return cert_pub ? tc_rsa_verify_sha1(cert_pub, digest, sig, n) : 0;
}

/* ---- diffB: authorized administration commands and Quote2 ---- */

int tc_call_auth(struct tc_conn *c, struct tc_cmd *cmd,
		 const uint8_t *auth, struct tc_rsp *r)
{
	return auth ? call_oiap(c, cmd, auth, r) : call0(c, cmd, r);
}

int tc_quote2(struct tc_conn *c, uint32_t key,
	      const uint8_t auth[TC_DIGEST_SIZE],
	      const uint8_t nonce[TC_DIGEST_SIZE], uint32_t mask,
	      bool add_version, const uint8_t values[][TC_DIGEST_SIZE],
	      const struct tc_pubkey *pk, struct tc_rsp *r)
{
	/* TPM_QUOTE_INFO2 (Part 2, 11.4), then TPM_CAP_VERSION_INFO. */
	uint8_t info[TC_BUF_MAX], digest[TC_DIGEST_SIZE];
	const uint8_t *ver, *sig;
	uint32_t nver, nsig;
	struct tc_cmd cmd;
	struct tpm_buf b, q;
	int rc;

	tc_cmd_init(&cmd, TPM_ORD_Quote2);
	tc_cmd_handle(&cmd, key);
	tc_cmd_bytes(&cmd, nonce, TC_DIGEST_SIZE);
	tc_cmd_pcr_selection(&cmd, mask);
	tc_cmd_u8(&cmd, add_version);
	rc = call_oiap(c, &cmd, auth, r);
	if (rc)
		return rc;
	tc_rsp_params(r, &b);
	/* pcrData: selection (2 + 3), localityAtRelease, digestAtRelease */
	if (tb_skip(&b, 2 + PCR_SELECT_SIZE + 1 + TC_DIGEST_SIZE) ||
	    tb_get_sized(&b, &ver, &nver, TC_BUF_MAX / 2) ||
	    tb_get_sized(&b, &sig, &nsig, TC_MAX_MODULUS) ||
	    tb_expect_end(&b))
		return -EBADMSG;
	if (!pk)
		return 0;
	/* Built from the caller's PCR values: the TPM's are not trusted. */
	tb_init_write(&q, info, sizeof(info));
	tb_put_u16(&q, TPM_TAG_QUOTE_INFO2);
	tb_put_bytes(&q, "QUT2", 4);
	tb_put_bytes(&q, nonce, TC_DIGEST_SIZE);
	tb_put_u16(&q, PCR_SELECT_SIZE);
	tb_put_u8(&q, mask & 0xff);
	tb_put_u8(&q, (mask >> 8) & 0xff);
	tb_put_u8(&q, (mask >> 16) & 0xff);
	tb_put_u8(&q, TPM_LOC_ZERO);
	tc_pcr_composite_digest(mask, values, digest);
	tb_put_bytes(&q, digest, TC_DIGEST_SIZE);
	if (add_version && tb_put_bytes(&q, ver, nver))
		return -ENOSPC;
	tc_sha1(info, q.len, digest);
	return tc_rsa_verify_sha1(pk, digest, sig, nsig);
}
