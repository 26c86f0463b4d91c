// SPDX-License-Identifier: GPL-2.0
/*
 * tpmclient: transport, command builder, OIAP/OSAP authorization and helpers
 * for common TPM 1.2 commands.  All crypto is OpenSSL's; wire bytes go
 * through marshal.h.  Test code: it trusts nothing the TPM sends back.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
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

int tc_connect(struct tc_conn *c, const char *endpoint)
{
	c->fd = -1;
	c->timeout_ms = TC_DEFAULT_TIMEOUT_MS;
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
