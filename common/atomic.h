/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Durable whole-file replacement, the one way our daemons write a file:
 * a crash at any point leaves either the old or the new content.
 */
#ifndef VTPM_ATOMIC_H
#define VTPM_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

/**
 * atomic_write_file() - replace @path with @len bytes: write PATH.tmp
 * (mode @mode), fsync it, rename it over @path, fsync the directory.
 * Return: 0 or -errno (the old file is then untouched).
 */
int atomic_write_file(const char *path, const void *data, size_t len,
		      mode_t mode);

#endif /* VTPM_ATOMIC_H */
