// SPDX-License-Identifier: GPL-2.0
/*
 * tpmraw: a guest test tool: send hex-encoded commands to a TPM character
 * device, one write each on one open file, and print each answer as
 * "RSP <hex>" (or "ERR <errno text>") with the time it took.  It judges
 * nothing; the test script compares.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUF_MAX	4096

static int unhex(const char *s, uint8_t *out, size_t *len)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (isspace((unsigned char)*s) || *s == ':')
			continue;
		if (isdigit((unsigned char)*s))
			v = *s - '0';
		else if (isxdigit((unsigned char)*s))
			v = tolower((unsigned char)*s) - 'a' + 10;
		else
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == BUF_MAX)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	*len = n;
	return hi < 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static uint8_t buf[BUF_MAX];
	struct timespec t0, t1;
	const char *dev = "/dev/tpm0";
	ssize_t n;
	size_t len;
	int i = 1, fd;

	if (argc > 2 && !strcmp(argv[1], "--dev")) {
		dev = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: tpmraw [--dev DEV] HEX...\n");
		return 2;
	}
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		printf("ERR open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	for (; i < argc; i++) {
		if (unhex(argv[i], buf, &len)) {
			fprintf(stderr, "tpmraw: bad hex: %s\n", argv[i]);
			return 2;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		n = write(fd, buf, len);
		if (n == (ssize_t)len)
			n = read(fd, buf, sizeof(buf));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (n < 0) {
			printf("ERR %s\n", strerror(errno));
			continue;
		}
		printf("RSP ");
		for (len = 0; len < (size_t)n; len++)
			printf("%02x", buf[len]);
		printf(" %.3f\n", (t1.tv_sec - t0.tv_sec) +
		       (t1.tv_nsec - t0.tv_nsec) / 1e9);
		fflush(stdout);
	}
	close(fd);
	return 0;
}
