// SPDX-License-Identifier: GPL-2.0
/*
 * Protection of state at rest: the manager's master key (sealed by the
 * hardware TPM in <root>/manager.sealed, kept in locked memory), the
 * AES-256-GCM instance state files and the authenticated generation index
 * that detects rollback.  Formats: docs/protocol.md "Sealed state" and
 * docs/key-hierarchy.md.  It never creates a new master key while sealed
 * state exists, never replaces a refused file, and never logs a key.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "atomic.h"
#include "crypto.h"
#include "log.h"
#include "manager.h"
#include "marshal.h"

/* manager.sealed: magic, u32 version, u32 length, TPM_STORED_DATA. */
#define SEALED_FILE		"manager.sealed"
#define SEALED_MAGIC		"VTPMSEAL"
#define SEALED_VERSION		1U
/* A TPM_STORED_DATA with a TPM_PCR_INFO and one RSA-2048 block is ~330
 * bytes; anything near this limit is not ours. */
#define SEALED_MAX_BLOB		1024U
#define SEALED_MAX_FILE		(8U + 4U + 4U + SEALED_MAX_BLOB)

/* instances/<N>.state (docs/protocol.md "Sealed state"). */
#define STATE_MAGIC		"VTPMST01"
#define STATE_VERSION		1U
#define STATE_NONCE_SIZE	12U	/* GCM's 96-bit IV */
#define STATE_TAG_SIZE		16U
#define STATE_HDR_MAX		(8U + 4U + 4U + 8U + 2U + VTPM_MAX_UUID)
#define STATE_MAX_FILE		(STATE_HDR_MAX + STATE_NONCE_SIZE + 4U + \
				 VTPM_MAX_STATE_BLOB + STATE_TAG_SIZE)
#define STATE_KDF_INFO		"vtpm instance state v1"

/* instances/generations: magic, u32 version, u32 count, count entries of
 * {u32 instance, u64 generation, u64 mtime} sorted by instance, then
 * HMAC-SHA-256 of everything before it. */
#define INDEX_FILE		"generations"
#define INDEX_MAGIC		"VTPMGI01"
#define INDEX_VERSION		1U
#define INDEX_ENTRY_SIZE	20U
#define INDEX_MAC_SIZE		32U
#define INDEX_MAX_FILE		(16U + \
				 VTPM_MAX_INSTANCE * INDEX_ENTRY_SIZE + \
				 INDEX_MAC_SIZE)
#define INDEX_KDF_INFO		"vtpm generation index v1"

#define KEY_SIZE		VTPM_MASTER_KEY_SIZE

/* Everything secret, in one mlock()ed page kept out of core dumps. */
struct seal_keys {
	uint8_t master[KEY_SIZE];
	uint8_t state_key[KEY_SIZE];	/* AES-256-GCM of state files */
	uint8_t index_key[KEY_SIZE];	/* HMAC-SHA-256 of the index */
};

struct gen_entry {
	uint32_t instance;
	uint64_t generation;		/* last written */
	uint64_t mtime;			/* unix seconds of that store */
};

struct seal {
	char root[PATH_MAX];
	struct seal_keys *keys;
	size_t keys_size;
	/* Guards idx and idx_dirty; state files need no lock (one save per
	 * instance in flight, save.c). */
	pthread_mutex_t lock;
	struct gen_entry *idx;		/* sorted by instance */
	size_t nidx, cap;
	/* idx has generations the index file does not have yet. */
	bool idx_dirty;
	/* Held while the index file is written: one writer at a time. */
	pthread_mutex_t flush_lock;
};

/* ---- helpers ---- */

static int path_of(char *buf, size_t cap, const char *root, const char *a,
		   const char *b)
{
	int n = snprintf(buf, cap, "%s/%s%s%s", root, a, b ? "/" : "",
			 b ? b : "");

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int state_path(char *buf, size_t cap, const char *root,
		      uint32_t instance)
{
	int n = snprintf(buf, cap, "%s/instances/%u.state", root, instance);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* Read a whole regular file of at most @max bytes: 0, -ENOENT, -EFBIG. */
static int read_file(const char *path, size_t max, uint8_t **data,
		     size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	ssize_t r;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto err_close;
	}
	err = -EFBIG;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max)
		goto err_close;
	buf = malloc((size_t)st.st_size + 1);
	err = -ENOMEM;
	if (!buf)
		goto err_close;
	/* One byte more than fstat said: a file growing under us is
	 * caught as too long rather than read short. */
	while (got <= (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto err_free;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	err = -EFBIG;
	if (got != (size_t)st.st_size)
		goto err_free;
	close(fd);
	*data = buf;
	*len = got;
	return 0;

err_free:
	free(buf);
err_close:
	close(fd);
	return err;
}

/* HKDF-SHA-256 (RFC 5869) of the master key, no salt (the key is
 * uniformly random), with @info as context. */
static int hkdf(struct seal_keys *k, const char *info, uint8_t out[KEY_SIZE])
{
	char info_buf[64];
	OSSL_PARAM params[4];
	EVP_KDF_CTX *ctx;
	EVP_KDF *kdf;
	char digest[] = "SHA256";
	int ok;

	if (strlen(info) >= sizeof(info_buf))
		return -EINVAL;
	strcpy(info_buf, info);
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (!kdf)
		return -ENOSYS;
	ctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!ctx)
		return -ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     digest, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      k->master, KEY_SIZE);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						      info_buf,
						      strlen(info_buf));
	params[3] = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(ctx, out, KEY_SIZE, params);
	EVP_KDF_CTX_free(ctx);
	return ok == 1 ? 0 : -EIO;
}

/* AES-256-GCM; @tag is written (encrypt) or checked (decrypt).
 * Return: 0, -EBADMSG when authentication fails, -EIO/-ENOMEM. */
static int gcm(bool enc, const uint8_t key[KEY_SIZE],
	       const uint8_t nonce[STATE_NONCE_SIZE], const uint8_t *aad,
	       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
	       uint8_t tag[STATE_TAG_SIZE])
{
	EVP_CIPHER_CTX *ctx;
	int n, err = -EIO;

	if (len > INT_MAX || aad_len > INT_MAX)
		return -EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
			      enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN,
				STATE_NONCE_SIZE, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1 ||
	    (len && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1))
		goto out;
	if (enc) {
		if (EVP_CipherFinal_ex(ctx, out + len, &n) == 1 &&
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
					STATE_TAG_SIZE, tag) == 1)
			err = 0;
	} else {
		if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
					STATE_TAG_SIZE, tag) == 1)
			err = EVP_CipherFinal_ex(ctx, out + len, &n) == 1 ?
			      0 : -EBADMSG;
	}
out:
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

/* ---- the generation index ---- */

/* O(n) scan; n <= VTPM_MAX_INSTANCE and a handful in practice.  Caller
 * holds sp->lock. */
static struct gen_entry *idx_find(struct seal *sp, uint32_t instance)
{
	size_t i;

	for (i = 0; i < sp->nidx; i++)
		if (sp->idx[i].instance == instance)
			return &sp->idx[i];
	return NULL;
}

static struct gen_entry *idx_get(struct seal *sp, uint32_t instance)
{
	struct gen_entry *e = idx_find(sp, instance), *n;
	size_t i;

	if (e)
		return e;
	if (sp->nidx == sp->cap) {
		n = reallocarray(sp->idx, sp->cap ? sp->cap * 2 : 16,
				 sizeof(*n));
		if (!n)
			return NULL;
		sp->idx = n;
		sp->cap = sp->cap ? sp->cap * 2 : 16;
	}
	for (i = sp->nidx; i > 0 && sp->idx[i - 1].instance > instance; i--)
		sp->idx[i] = sp->idx[i - 1];
	sp->nidx++;
	e = &sp->idx[i];
	memset(e, 0, sizeof(*e));
	e->instance = instance;
	return e;
}

static void idx_remove(struct seal *sp, uint32_t instance)
{
	struct gen_entry *e = idx_find(sp, instance);
	size_t i;

	if (!e)
		return;
	i = (size_t)(e - sp->idx);
	memmove(e, e + 1, (sp->nidx - i - 1) * sizeof(*e));
	sp->nidx--;
}

/* The index file's bytes, MAC included (*out malloc()ed); caller holds
 * sp->lock. */
static int idx_encode(struct seal *sp, uint8_t **out, size_t *len)
{
	unsigned int maclen = INDEX_MAC_SIZE;
	struct tpm_buf b;
	uint8_t *buf;
	size_t cap, i;

	cap = 16 + sp->nidx * INDEX_ENTRY_SIZE + INDEX_MAC_SIZE;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	tb_init_write(&b, buf, cap);
	tb_put_bytes(&b, INDEX_MAGIC, 8);
	tb_put_u32(&b, INDEX_VERSION);
	tb_put_u32(&b, (uint32_t)sp->nidx);
	for (i = 0; i < sp->nidx; i++) {
		tb_put_u32(&b, sp->idx[i].instance);
		tb_put_u64(&b, sp->idx[i].generation);
		tb_put_u64(&b, sp->idx[i].mtime);
	}
	if (!HMAC(EVP_sha256(), sp->keys->index_key, KEY_SIZE, buf, b.len,
		  buf + b.len, &maclen)) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*len = cap;
	return 0;
}

/* Replace the index file (tmp, fsync, rename, fsync dir). */
static int idx_store(struct seal *sp, const uint8_t *buf, size_t len)
{
	char path[PATH_MAX];
	int err;

	err = path_of(path, sizeof(path), sp->root, "instances", INDEX_FILE);
	if (!err)
		err = atomic_write_file(path, buf, len, 0600);
	if (err)
		log_warnx("cannot write %s: %s", path, strerror(-err));
	return err;
}

/* Rewrite the index at once; only while no other thread runs (start). */
static int idx_write(struct seal *sp)
{
	uint8_t *buf;
	size_t len;
	int err;

	err = idx_encode(sp, &buf, &len);
	if (err)
		return err;
	err = idx_store(sp, buf, len);
	free(buf);
	return err;
}

int seal_index_flush(struct seal *sp, bool wait)
{
	uint8_t *buf;
	size_t len;
	bool again;
	int err;

	do {
		/* A writer already at work writes what is marked dirty
		 * before it lets go (the loop below): no need to queue. */
		if (wait)
			pthread_mutex_lock(&sp->flush_lock);
		else if (pthread_mutex_trylock(&sp->flush_lock))
			return 0;
		err = 0;
		buf = NULL;
		pthread_mutex_lock(&sp->lock);
		if (sp->idx_dirty) {
			err = idx_encode(sp, &buf, &len);
			if (!err)
				sp->idx_dirty = false;
		}
		pthread_mutex_unlock(&sp->lock);
		if (buf) {
			err = idx_store(sp, buf, len);
			free(buf);
			if (err) {
				pthread_mutex_lock(&sp->lock);
				sp->idx_dirty = true;
				pthread_mutex_unlock(&sp->lock);
			}
		}
		pthread_mutex_unlock(&sp->flush_lock);
		pthread_mutex_lock(&sp->lock);
		again = !err && sp->idx_dirty;
		pthread_mutex_unlock(&sp->lock);
	} while (again);
	return err;
}

/* Parse and authenticate the index: 0, -ENOENT, -EBADMSG. */
static int idx_load(struct seal *sp)
{
	uint8_t mac[INDEX_MAC_SIZE], magic[8];
	unsigned int maclen = INDEX_MAC_SIZE;
	uint32_t version, count, i, prev = 0;
	char path[PATH_MAX];
	struct gen_entry *e;
	struct tpm_buf b;
	uint8_t *data;
	size_t len;
	int err;

	err = path_of(path, sizeof(path), sp->root, "instances", INDEX_FILE);
	if (!err)
		err = read_file(path, INDEX_MAX_FILE, &data, &len);
	if (err == -ENOENT)
		return err;
	if (err)
		return err == -EFBIG ? -EBADMSG : err;
	err = -EBADMSG;
	if (len < 16 + INDEX_MAC_SIZE ||
	    !HMAC(EVP_sha256(), sp->keys->index_key, KEY_SIZE, data,
		  len - INDEX_MAC_SIZE, mac, &maclen) ||
	    CRYPTO_memcmp(mac, data + len - INDEX_MAC_SIZE, INDEX_MAC_SIZE))
		goto out;
	tb_init_read(&b, data, len - INDEX_MAC_SIZE);
	if (tb_get_bytes(&b, magic, 8) || memcmp(magic, INDEX_MAGIC, 8) ||
	    tb_get_u32(&b, &version) || version != INDEX_VERSION ||
	    tb_get_u32(&b, &count) ||
	    tb_remaining(&b) != (size_t)count * INDEX_ENTRY_SIZE)
		goto out;
	for (i = 0; i < count; i++) {
		uint32_t inst;
		uint64_t gen, mtime;

		tb_get_u32(&b, &inst);
		tb_get_u64(&b, &gen);
		tb_get_u64(&b, &mtime);
		/* Sorted, unique, never instance 0. */
		if (inst <= prev)
			goto out;
		prev = inst;
		e = idx_get(sp, inst);
		if (!e) {
			err = -ENOMEM;
			goto out;
		}
		e->generation = gen;
		e->mtime = mtime;
	}
	err = 0;
out:
	free(data);
	return err;
}

/* ---- instance state files ---- */

struct state_file {
	uint32_t instance;
	uint64_t generation;
	const uint8_t *uuid;
	uint16_t uuid_len;
};

/*
 * Authenticate and decrypt a state file's bytes.  Only the header fields
 * are returned in @f (authenticated once this returns 0); the caller
 * compares them with what it expected.
 */
static int state_open(struct seal *sp, const uint8_t *data, size_t len,
		      struct state_file *f, uint8_t **plain, size_t *plen,
		      const char **why)
{
	uint8_t magic[8], nonce[STATE_NONCE_SIZE], tag[STATE_TAG_SIZE];
	const uint8_t *ct;
	uint32_t version, clen;
	struct tpm_buf b;
	size_t aad_len;
	uint8_t *out;
	int err;

	tb_init_read(&b, data, len);
	if (tb_get_bytes(&b, magic, 8) || memcmp(magic, STATE_MAGIC, 8) ||
	    tb_get_u32(&b, &version)) {
		*why = "not a vTPM state file (bad magic or truncated)";
		return -EBADMSG;
	}
	if (version != STATE_VERSION) {
		*why = "unsupported state file version";
		return -EBADMSG;
	}
	if (tb_get_u32(&b, &f->instance) || tb_get_u64(&b, &f->generation) ||
	    tb_get_sized16(&b, &f->uuid, &f->uuid_len, VTPM_MAX_UUID)) {
		*why = "state file truncated or malformed";
		return -EBADMSG;
	}
	aad_len = b.pos;
	if (tb_get_bytes(&b, nonce, sizeof(nonce)) ||
	    tb_get_sized(&b, &ct, &clen, VTPM_MAX_STATE_BLOB) ||
	    tb_get_bytes(&b, tag, sizeof(tag)) || tb_expect_end(&b)) {
		*why = "state file truncated or malformed";
		return -EBADMSG;
	}
	out = malloc(clen ? clen : 1);
	if (!out)
		return -ENOMEM;
	err = gcm(false, sp->keys->state_key, nonce, data, aad_len, ct, clen,
		  out, tag);
	if (err) {
		explicit_bzero(out, clen);
		free(out);
		if (err == -EBADMSG)
			*why = "state file fails authentication (tampered, "
			       "or sealed under another master key)";
		return err;
	}
	*plain = out;
	*plen = clen;
	return 0;
}

int seal_state_store(struct seal *sp, uint32_t instance, const char *uuid,
		     const uint8_t *blob, size_t len)
{
	uint8_t nonce[STATE_NONCE_SIZE], *buf, *ct, *tag;
	size_t ulen = strlen(uuid), cap, aad_len;
	char path[PATH_MAX];
	struct gen_entry *e;
	uint64_t gen;
	struct tpm_buf b;
	int err;

	if (!instance || ulen > VTPM_MAX_UUID || len > VTPM_MAX_STATE_BLOB)
		return -EINVAL;
	err = state_path(path, sizeof(path), sp->root, instance);
	if (err)
		return err;
	pthread_mutex_lock(&sp->lock);
	e = idx_find(sp, instance);
	gen = (e ? e->generation : 0) + 1;
	pthread_mutex_unlock(&sp->lock);

	cap = STATE_HDR_MAX + STATE_NONCE_SIZE + 4 + len + STATE_TAG_SIZE;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	err = tpm_rand(nonce, sizeof(nonce));
	if (err)
		goto err_free;
	tb_init_write(&b, buf, cap);
	tb_put_bytes(&b, STATE_MAGIC, 8);
	tb_put_u32(&b, STATE_VERSION);
	tb_put_u32(&b, instance);
	tb_put_u64(&b, gen);
	tb_put_sized16(&b, uuid, (uint16_t)ulen);
	aad_len = b.len;
	tb_put_bytes(&b, nonce, sizeof(nonce));
	tb_put_u32(&b, (uint32_t)len);
	if (tb_reserve(&b, &ct, len) ||
	    tb_reserve(&b, &tag, STATE_TAG_SIZE)) {
		err = -ENOSPC;
		goto err_free;
	}
	err = gcm(true, sp->keys->state_key, nonce, buf, aad_len, blob, len,
		  ct, tag);
	if (err)
		goto err_free;
	/* The state file is durable before the save is acknowledged; the
	 * index follows (seal_index_flush(), after the acknowledgement): a
	 * crash in between leaves a file newer than the index, which load
	 * accepts and catches up on (docs/key-hierarchy.md, "Generations
	 * and crashes"). */
	err = atomic_write_file(path, buf, b.len, 0600);
	if (err) {
		log_warnx("instance %u: cannot write %s: %s", instance, path,
			  strerror(-err));
		goto err_free;
	}
	pthread_mutex_lock(&sp->lock);
	e = idx_get(sp, instance);
	if (e) {
		e->generation = gen;
		e->mtime = (uint64_t)time(NULL);
		sp->idx_dirty = true;
	} else {
		err = -ENOMEM;
	}
	pthread_mutex_unlock(&sp->lock);
err_free:
	free(buf);
	return err;
}

int seal_state_load(struct seal *sp, uint32_t instance, const char *uuid,
		    uint8_t **blob, size_t *len, const char **why)
{
	struct state_file f;
	char path[PATH_MAX];
	struct gen_entry *e;
	uint64_t known;
	uint8_t *data, *plain;
	size_t dlen, plen;
	const char *dummy;
	int err;

	if (!why)
		why = &dummy;
	*why = NULL;
	err = state_path(path, sizeof(path), sp->root, instance);
	if (err)
		return err;
	pthread_mutex_lock(&sp->lock);
	e = idx_find(sp, instance);
	known = e ? e->generation : 0;
	pthread_mutex_unlock(&sp->lock);

	err = read_file(path, STATE_MAX_FILE, &data, &dlen);
	if (err == -ENOENT && known) {
		/* Deleting the file must not hand the guest a fresh TPM. */
		*why = "state file missing although a save was recorded in "
		       "the generation index";
		return -EBADMSG;
	}
	if (err == -EFBIG) {
		*why = "state file too large or not a regular file";
		return -EBADMSG;
	}
	if (err)
		return err;
	err = state_open(sp, data, dlen, &f, &plain, &plen, why);
	if (err) {
		free(data);
		return err;
	}
	/* f's fields point into data: compare before freeing it. */
	err = -EBADMSG;
	if (f.instance != instance)
		*why = "state file belongs to another instance";
	else if (f.uuid_len != strlen(uuid) ||
		 memcmp(f.uuid, uuid, f.uuid_len))
		*why = "state file belongs to another uuid";
	else if (f.generation < known || f.generation == 0)
		*why = "state file is older than the last save (rollback)";
	else
		err = 0;
	free(data);
	if (err) {
		explicit_bzero(plain, plen);
		free(plain);
		return err;
	}
	if (f.generation > known) {
		/* A crash came between the state and the index write:
		 * catch up, so the older file can no longer be swapped in. */
		pthread_mutex_lock(&sp->lock);
		e = idx_get(sp, instance);
		if (e && e->generation < f.generation) {
			e->generation = f.generation;
			sp->idx_dirty = true;
		}
		pthread_mutex_unlock(&sp->lock);
		if (seal_index_flush(sp, true))
			log_warnx("instance %u: generation index not updated",
				  instance);
	}
	*blob = plain;
	*len = plen;
	return 0;
}

int seal_state_delete(struct seal *sp, uint32_t instance)
{
	char path[PATH_MAX];
	int err;

	err = state_path(path, sizeof(path), sp->root, instance);
	if (err)
		return err;
	/* The secret first: a crash after this leaves an index entry
	 * without a file, which load refuses until DELETE is repeated. */
	if (unlink(path) && errno != ENOENT) {
		err = -errno;
		log_warn("instance %u: cannot remove %s", instance, path);
		return err;
	}
	pthread_mutex_lock(&sp->lock);
	if (idx_find(sp, instance)) {
		idx_remove(sp, instance);
		sp->idx_dirty = true;
	}
	pthread_mutex_unlock(&sp->lock);
	return seal_index_flush(sp, true);
}

uint64_t seal_state_mtime(struct seal *sp, uint32_t instance)
{
	struct gen_entry *e;
	uint64_t t;

	pthread_mutex_lock(&sp->lock);
	e = idx_find(sp, instance);
	t = e ? e->mtime : 0;
	pthread_mutex_unlock(&sp->lock);
	return t;
}

/* ---- the master key ---- */

/* Instance number of "<N>.state", 0 if the name is something else. */
static uint32_t state_name(const char *name)
{
	unsigned long v;
	char *end;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	v = strtoul(name, &end, 10);
	if (strcmp(end, ".state") || v > VTPM_MAX_INSTANCE)
		return 0;
	return (uint32_t)v;
}

/* Sealed state already on disk: state files or a generation index. */
static int count_state(const char *root, unsigned int *n)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;
	int err;

	*n = 0;
	err = path_of(path, sizeof(path), root, "instances", NULL);
	if (err)
		return err;
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((d = readdir(dir)))
		if (state_name(d->d_name) || !strcmp(d->d_name, INDEX_FILE))
			(*n)++;
	closedir(dir);
	return 0;
}

/* Missing index (never written, or lost): rebuild it from the files that
 * authenticate, with a loud warning (docs/key-hierarchy.md). */
static int idx_rebuild(struct seal *sp)
{
	char dpath[PATH_MAX], path[PATH_MAX];
	struct state_file f;
	struct gen_entry *e;
	struct dirent *d;
	struct stat st;
	uint8_t *data, *plain;
	size_t dlen, plen;
	const char *why;
	unsigned int n = 0;
	uint32_t inst;
	DIR *dir;
	int err;

	err = path_of(dpath, sizeof(dpath), sp->root, "instances", NULL);
	if (err)
		return err;
	dir = opendir(dpath);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		inst = state_name(d->d_name);
		if (!inst || state_path(path, sizeof(path), sp->root, inst) ||
		    read_file(path, STATE_MAX_FILE, &data, &dlen))
			continue;
		err = state_open(sp, data, dlen, &f, &plain, &plen, &why);
		free(data);
		if (err || f.instance != inst) {
			if (!err) {
				explicit_bzero(plain, plen);
				free(plain);
			}
			continue;
		}
		explicit_bzero(plain, plen);
		free(plain);
		e = idx_get(sp, inst);
		if (!e) {
			closedir(dir);
			return -ENOMEM;
		}
		e->generation = f.generation;
		e->mtime = stat(path, &st) ? 0 : (uint64_t)st.st_mtime;
		n++;
	}
	closedir(dir);
	if (n)
		log_warnx("generation index %s/%s was missing: rebuilt from "
			  "%u state files; rollback of these files before "
			  "now cannot be detected", dpath, INDEX_FILE, n);
	return idx_write(sp);
}

static int derive_keys(struct seal *sp)
{
	int err;

	err = hkdf(sp->keys, STATE_KDF_INFO, sp->keys->state_key);
	if (!err)
		err = hkdf(sp->keys, INDEX_KDF_INFO, sp->keys->index_key);
	return err;
}

/* Parse manager.sealed and unseal the master key. */
static int unseal_master(struct seal *sp, struct hwtpm *hw, const char *path)
{
	uint32_t version, blen;
	const uint8_t *blob;
	uint8_t magic[8];
	struct tpm_buf b;
	uint8_t *data;
	size_t len, klen = 0;
	int err;

	err = read_file(path, SEALED_MAX_FILE, &data, &len);
	if (err == -EFBIG) {
		log_warnx("%s is damaged (too large); it is left in place",
			  path);
		return -EBADMSG;
	}
	if (err) {
		log_warnx("cannot read %s: %s", path, strerror(-err));
		return err;
	}
	tb_init_read(&b, data, len);
	if (tb_get_bytes(&b, magic, 8) || memcmp(magic, SEALED_MAGIC, 8) ||
	    tb_get_u32(&b, &version) || version != SEALED_VERSION ||
	    tb_get_sized(&b, &blob, &blen, SEALED_MAX_BLOB) ||
	    tb_expect_end(&b)) {
		log_warnx("%s is damaged (bad header, version or length); it "
			  "is left in place", path);
		err = -EBADMSG;
		goto out;
	}
	err = hwtpm_unseal(hw, blob, blen, sp->keys->master, KEY_SIZE, &klen);
	if (!err && klen != KEY_SIZE)
		err = -EBADMSG;
	if (err == -EACCES)
		log_warnx("the hardware TPM refused to unseal %s: not this "
			  "TPM, changed dom0 PCRs, or wrong SRK secret; the "
			  "file is left in place", path);
	else if (err == -EBADMSG || err == -ENOSPC)
		log_warnx("%s is damaged (the TPM rejects or misreads the "
			  "sealed blob); it is left in place", path);
	else if (err)
		log_warnx("cannot unseal %s: %s", path, strerror(-err));
	if (err == -ENOSPC)
		err = -EBADMSG;
out:
	free(data);
	return err;
}

/* True first start: a new key, sealed and verified before it is stored. */
static int create_master(struct seal *sp, struct hwtpm *hw, const char *path)
{
	uint8_t check[KEY_SIZE], *blob = NULL, *file;
	size_t blen = 0, clen = 0;
	struct tpm_buf b;
	int err;

	err = tpm_rand(sp->keys->master, KEY_SIZE);
	if (err)
		return err;
	err = hwtpm_seal(hw, sp->keys->master, KEY_SIZE, &blob, &blen);
	if (err) {
		log_warnx("cannot seal the new master key: %s",
			  strerror(-err));
		return err;
	}
	/* An unseal now proves the blob is usable before anything
	 * depends on it. */
	err = hwtpm_unseal(hw, blob, blen, check, sizeof(check), &clen);
	if (!err && (clen != KEY_SIZE ||
		     CRYPTO_memcmp(check, sp->keys->master, KEY_SIZE)))
		err = -EIO;
	explicit_bzero(check, sizeof(check));
	if (err) {
		log_warnx("the new master key does not unseal: %s",
			  strerror(-err));
		goto err_free_blob;
	}
	file = malloc(16 + blen);
	err = -ENOMEM;
	if (!file)
		goto err_free_blob;
	tb_init_write(&b, file, 16 + blen);
	tb_put_bytes(&b, SEALED_MAGIC, 8);
	tb_put_u32(&b, SEALED_VERSION);
	tb_put_sized(&b, blob, (uint32_t)blen);
	err = atomic_write_file(path, file, b.len, 0600);
	free(file);
	if (err)
		log_warnx("cannot write %s: %s", path, strerror(-err));
	else
		log_info("first start: created a new master key, sealed by "
			 "the hardware TPM in %s; back this file up (it is "
			 "useless without this TPM)", path);
err_free_blob:
	free(blob);
	return err;
}

static int lock_keys(struct seal *sp)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	sp->keys_size = page > 0 && (size_t)page >= sizeof(struct seal_keys) ?
			(size_t)page : sizeof(struct seal_keys);
	p = mmap(NULL, sp->keys_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (mlock(p, sp->keys_size)) {
		int err = -errno;

		log_warn("cannot lock the master key in memory");
		munmap(p, sp->keys_size);
		return err;
	}
	madvise(p, sp->keys_size, MADV_DONTDUMP);
	sp->keys = p;
	return 0;
}

void seal_close(struct seal *sp)
{
	if (!sp)
		return;
	/* Saves acknowledged since the last flush (save.c flushes after
	 * each, but a flush may have failed). */
	if (sp->keys && sp->idx_dirty && seal_index_flush(sp, true))
		log_warnx("the generation index is behind the state files");
	if (sp->keys) {
		explicit_bzero(sp->keys, sp->keys_size);
		munlock(sp->keys, sp->keys_size);
		munmap(sp->keys, sp->keys_size);
	}
	free(sp->idx);
	pthread_mutex_destroy(&sp->flush_lock);
	pthread_mutex_destroy(&sp->lock);
	free(sp);
}

/* Load (or on a true first start create) the master key, then the
 * index.  @test_key, for the fuzz and unit harnesses only, replaces the
 * hardware TPM. */
static int open_common(struct seal **spp, const char *root,
		       struct hwtpm *hw, const uint8_t *test_key)
{
	char path[PATH_MAX], dir[PATH_MAX];
	unsigned int existing;
	struct stat st;
	struct seal *sp;
	int err;

	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	pthread_mutex_init(&sp->lock, NULL);
	pthread_mutex_init(&sp->flush_lock, NULL);
	err = -ENAMETOOLONG;
	if (strlen(root) >= sizeof(sp->root) ||
	    path_of(path, sizeof(path), root, SEALED_FILE, NULL) ||
	    path_of(dir, sizeof(dir), root, "instances", NULL))
		goto err_close;
	strcpy(sp->root, root);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		log_warn("cannot create %s", dir);
		goto err_close;
	}
	err = lock_keys(sp);
	if (err)
		goto err_close;

	if (test_key) {
		memcpy(sp->keys->master, test_key, KEY_SIZE);
	} else if (!stat(path, &st)) {
		err = unseal_master(sp, hw, path);
	} else if (errno != ENOENT) {
		err = -errno;
		log_warn("%s", path);
	} else {
		err = count_state(root, &existing);
		if (!err && existing) {
			/* A new key would orphan every guest's TPM. */
			log_warnx("%s is missing but %s holds sealed state "
				  "(%u files): refusing to create a new "
				  "master key; restore %s from backup", path,
				  dir, existing, SEALED_FILE);
			err = -ENOKEY;
		} else if (!err) {
			err = create_master(sp, hw, path);
		}
	}
	if (err)
		goto err_close;
	err = derive_keys(sp);
	if (err)
		goto err_close;

	err = idx_load(sp);
	if (err == -ENOENT) {
		err = idx_rebuild(sp);
	} else if (err == -EBADMSG) {
		log_warnx("generation index %s/%s is damaged or was not "
			  "written with this master key; it is left in place "
			  "(remove it to rebuild it from the state files, "
			  "accepting them as they are)", dir, INDEX_FILE);
	}
	if (err)
		goto err_close;
	*spp = sp;
	return 0;

err_close:
	seal_close(sp);
	return err;
}

int seal_open(struct seal **spp, const char *root, struct hwtpm *hw)
{
	return open_common(spp, root, hw, NULL);
}

/*
 * seal_open_test_key() - seal_open() with a given master key and no
 * hardware TPM, for tests/fuzz/fuzz_sealed.c only (which declares it too);
 * the daemon never calls it.
 */
int seal_open_test_key(struct seal **spp, const char *root,
		       const uint8_t key[VTPM_MASTER_KEY_SIZE]);
int seal_open_test_key(struct seal **spp, const char *root,
		       const uint8_t key[VTPM_MASTER_KEY_SIZE])
{
	return open_common(spp, root, NULL, key);
}
