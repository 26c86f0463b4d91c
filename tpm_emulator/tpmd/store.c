// SPDX-License-Identifier: GPL-2.0
/*
 * tpmd's state directory: an exclusive lock, and the engine's state blob
 * in DIR/tpm.state, replaced atomically and durably.  It never repairs or
 * replaces a state file it cannot read: that is the administrator's call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tpm_emulator.h"
#include "tpmd.h"

#define STORE_TMP_FILE	"tpm.state.tmp"
#define STORE_LOCK_FILE	".lock"
/* Largest state file we read (bytes); a TPM 1.2 state is far smaller. */
#define STORE_MAX_BYTES	(16U << 20)

/**
 * store_open() - create, open and lock the state directory.
 * @st: store to set up.
 * @dir: the directory; created with mode 0700 if missing (not its
 *       parents).  Must stay valid while @st is used.
 *
 * The flock on DIR/.lock keeps a second tpmd off the same state; it is
 * released when the process exits, however it exits.  Logs the reason on
 * failure.
 *
 * Return: 0, -EBUSY when another process holds the lock, or -errno.
 */
int store_open(struct store *st, const char *dir)
{
	struct stat stb;
	int err;

	st->dir = dir;
	st->dir_fd = -1;
	st->lock_fd = -1;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		log_warn("%s: cannot create state directory", dir);
		return err;
	}
	st->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dir_fd < 0) {
		err = -errno;
		log_warn("%s: cannot open state directory", dir);
		return err;
	}
	if (!fstat(st->dir_fd, &stb) && (stb.st_mode & 077))
		log_warnx("%s: state directory is accessible to other users; it holds the TPM's secrets",
			  dir);

	st->lock_fd = openat(st->dir_fd, STORE_LOCK_FILE,
			     O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (st->lock_fd < 0) {
		err = -errno;
		log_warn("%s/%s: cannot create lock file", dir,
			 STORE_LOCK_FILE);
		goto err_close_dir;
	}
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		if (errno == EWOULDBLOCK) {
			log_warnx("%s: state directory is in use by another tpmd",
				  dir);
			err = -EBUSY;
		} else {
			log_warn("%s/%s: cannot lock", dir, STORE_LOCK_FILE);
		}
		goto err_close_lock;
	}
	return 0;

err_close_lock:
	close(st->lock_fd);
	st->lock_fd = -1;
err_close_dir:
	close(st->dir_fd);
	st->dir_fd = -1;
	return err;
}

/**
 * store_close() - release the lock and the directory.
 * @st: store; closing twice or a half-opened store is fine.
 */
void store_close(struct store *st)
{
	if (st->lock_fd >= 0) {
		close(st->lock_fd);
		st->lock_fd = -1;
	}
	if (st->dir_fd >= 0) {
		close(st->dir_fd);
		st->dir_fd = -1;
	}
}

static int read_all(int fd, uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the file shrank under us */
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * store_load() - read DIR/tpm.state and rebuild the engine from it.
 * @st: an open store.
 * @tpm: set to the loaded state (in the TPM_Init state).
 * @why: on failure other than -ENOENT, set to a static reason, or NULL
 *       when strerror() of the return value says it all.
 *
 * The file is only read, never changed, whatever its contents.
 *
 * Return: 0, -ENOENT when there is no state yet, or a negative errno.
 */
int store_load(struct store *st, struct tpm_state **tpm, const char **why)
{
	struct stat stb;
	uint8_t *blob;
	size_t len;
	int fd, err;

	*why = NULL;
	fd = openat(st->dir_fd, STORE_STATE_FILE,
		    O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &stb)) {
		err = -errno;
		goto close_fd;
	}
	if (!S_ISREG(stb.st_mode)) {
		*why = "not a regular file";
		err = -EINVAL;
		goto close_fd;
	}
	if ((uint64_t)stb.st_size > STORE_MAX_BYTES) {
		*why = "file too large to be a TPM state";
		err = -EFBIG;
		goto close_fd;
	}
	len = (size_t)stb.st_size;
	blob = malloc(len ? len : 1);
	if (!blob) {
		err = -ENOMEM;
		goto close_fd;
	}
	err = read_all(fd, blob, len);
	if (err)
		goto free_blob;

	*tpm = tpm_state_load(blob, len, why);
	if (!*tpm) {
		/* The API documents errno as "-EBADMSG"; accept either sign. */
		err = errno > 0 ? -errno : errno;
		if (!err)
			err = -EINVAL;
	}

free_blob:
	explicit_bzero(blob, len);
	free(blob);
close_fd:
	close(fd);
	return err;
}

/**
 * store_save() - write the engine's state durably to DIR/tpm.state.
 * @st: an open store.
 * @tpm: the engine.
 * @step: on failure, set to the step that failed, for the caller's log.
 *
 * Write DIR/tpm.state.tmp, fsync it, rename it over tpm.state, fsync the
 * directory: after a crash at any point the file is either the old state
 * or the new one, never a mix.  Returning 0 means the new state is on
 * stable storage.  The blob holds secrets and is wiped before it is freed.
 *
 * Return: 0 or a negative errno.
 */
int store_save(struct store *st, struct tpm_state *tpm, const char **step)
{
	uint8_t *blob;
	size_t len;
	int fd, err;

	*step = "serialise";
	err = tpm_state_save(tpm, &blob, &len);
	if (err)
		return err < 0 ? err : -EIO;

	*step = "create " STORE_TMP_FILE;
	fd = openat(st->dir_fd, STORE_TMP_FILE,
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		    0600);
	if (fd < 0) {
		err = -errno;
		goto free_blob;
	}
	*step = "write " STORE_TMP_FILE;
	err = write_all(fd, blob, len);
	if (err)
		goto err_unlink_tmp;
	*step = "fsync " STORE_TMP_FILE;
	if (fsync(fd)) {
		err = -errno;
		goto err_unlink_tmp;
	}
	*step = "close " STORE_TMP_FILE;
	err = close(fd) ? -errno : 0;
	fd = -1;
	if (err)
		goto err_unlink_tmp;
	*step = "rename " STORE_TMP_FILE;
	if (renameat(st->dir_fd, STORE_TMP_FILE, st->dir_fd,
		     STORE_STATE_FILE)) {
		err = -errno;
		goto err_unlink_tmp;
	}
	/* Without this the rename itself may not survive a crash. */
	*step = "fsync directory";
	if (fsync(st->dir_fd))
		err = -errno;
	goto free_blob;

err_unlink_tmp:
	if (fd >= 0)
		close(fd);
	/* Frees the space at once if the disk was full. */
	unlinkat(st->dir_fd, STORE_TMP_FILE, 0);
free_blob:
	explicit_bzero(blob, len);
	free(blob);
	return err;
}
