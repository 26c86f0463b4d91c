// SPDX-License-Identifier: GPL-2.0
/*
 * atomic_write_file(): tmp file, fsync, rename, fsync of the directory
 * (without the last step a crash can forget the rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"

static int write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, err = 0;

	if (strlen(path) >= sizeof(copy))
		return -ENAMETOOLONG;
	strcpy(copy, path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

int atomic_write_file(const char *path, const void *data, size_t len,
		      mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, err, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (err)
		goto err_unlink;
	if (fsync(fd)) {
		err = -errno;
		goto err_unlink;
	}
	if (close(fd)) {
		fd = -1;
		err = -errno;
		goto err_unlink;
	}
	fd = -1;
	if (rename(tmp, path)) {
		err = -errno;
		goto err_unlink;
	}
	return fsync_dir_of(path);

err_unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return err;
}
