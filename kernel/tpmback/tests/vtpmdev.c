// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmdev: a dom0 test tool for tpmbk's /dev/vtpm, standing in for
 * vtpm_managerd.  "semantics" checks the device's rules with no guest;
 * "serve" answers guest requests by passing them to a TPM device (dom0's
 * /dev/tpm0), with knobs to delay or withhold answers.  It prints
 * PASS:/FAIL:/INFO: lines and judges only what it can see itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "vtpm_shared.h"

#define DEV		"/dev/" VTPM_DEV_NAME
#define FRAME_MAX	(VTPM_INSTANCE_SIZE + VTPM_DEV_MAX_PACKET)

static int fails;

static void pass(const char *what)
{
	printf("PASS: %s\n", what);
}

static void fail(const char *what, const char *why)
{
	printf("FAIL: %s (%s)\n", what, why);
	fails++;
}

static void check(int ok, const char *what, const char *why)
{
	if (ok)
		pass(what);
	else
		fail(what, why);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The device's rules that need no guest (DESIGN 3.1, vtpm_shared.h). */
static int semantics(void)
{
	uint8_t frame[FRAME_MAX + 8] = { 0 };
	struct pollfd p;
	struct stat st;
	char why[128];
	int fd, fd2;
	ssize_t n;

	if (stat(DEV, &st)) {
		fail("/dev/vtpm exists", strerror(errno));
		return 1;
	}
	snprintf(why, sizeof(why), "char %d,%d", major(st.st_rdev),
		 minor(st.st_rdev));
	check(S_ISCHR(st.st_mode) && major(st.st_rdev) == 10 &&
	      minor(st.st_rdev) == VTPM_DEV_MINOR, "/dev/vtpm is char 10,225",
	      why);
	check((st.st_mode & 0777) == 0600, "/dev/vtpm mode 0600", "mode");

	fd = open(DEV, O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		fail("open /dev/vtpm", strerror(errno));
		return 1;
	}
	fd2 = open(DEV, O_RDWR);
	check(fd2 < 0 && errno == EBUSY, "second open is EBUSY",
	      fd2 < 0 ? strerror(errno) : "opened");
	if (fd2 >= 0)
		close(fd2);

	n = read(fd, frame, sizeof(frame));
	check(n < 0 && errno == EAGAIN, "O_NONBLOCK read, nothing queued: EAGAIN",
	      n < 0 ? strerror(errno) : "read data");

	p.fd = fd;
	p.events = POLLIN | POLLOUT;
	n = poll(&p, 1, 0);
	check(n == 1 && (p.revents & POLLOUT) && !(p.revents & POLLIN),
	      "poll: POLLOUT, no POLLIN", "revents");

	/* A well-formed answer for an instance with nothing outstanding. */
	put_be32(frame, 7);
	frame[4] = 0x00;
	frame[5] = 0xc4;
	put_be32(frame + 6, 10);
	put_be32(frame + 10, 0);
	n = write(fd, frame, 14);
	check(n < 0 && errno == EINVAL, "write, no request outstanding: EINVAL",
	      n < 0 ? strerror(errno) : "accepted");
	/* Length not 4 + paramSize. */
	n = write(fd, frame, 15);
	check(n < 0 && errno == EINVAL, "write, length != 4 + paramSize: EINVAL",
	      n < 0 ? strerror(errno) : "accepted");
	n = write(fd, frame, 12);
	check(n < 0 && errno == EINVAL, "write shorter than a header: EINVAL",
	      n < 0 ? strerror(errno) : "accepted");
	put_be32(frame + 6, VTPM_DEV_MAX_PACKET + 1);
	n = write(fd, frame, FRAME_MAX + 1);
	check(n < 0 && errno == EINVAL, "write longer than the maximum: EINVAL",
	      n < 0 ? strerror(errno) : "accepted");
	close(fd);

	fd = open(DEV, O_RDWR);
	check(fd >= 0, "open again after close", fd < 0 ? strerror(errno) : "");
	if (fd >= 0)
		close(fd);
	return fails ? 1 : 0;
}

/* Pass one request to the TPM device; the answer replaces it in @buf. */
static ssize_t tpm_exchange(const char *tpmdev, uint8_t *buf, size_t len,
			    size_t cap)
{
	ssize_t n;
	int fd;

	fd = open(tpmdev, O_RDWR);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n == (ssize_t)len)
		n = read(fd, buf, cap);
	else if (n >= 0)
		n = -EIO;
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vtpmdev semantics\n"
		"       vtpmdev serve TPMDEV [--delay-ord ORD SECS] [--withhold-ord ORD]\n"
		"  serve: answer each request read from /dev/vtpm by passing it to\n"
		"  TPMDEV; the first request with ordinal ORD (hex) is answered SECS\n"
		"  late, or (--withhold-ord) not at all: vtpmdev then closes the\n"
		"  device and exits.\n");
	exit(2);
}

static int serve(int argc, char **argv)
{
	static uint8_t frame[FRAME_MAX + 1];
	unsigned int delay_s = 0, seen = 0;
	long delay_ord = -1, withhold_ord = -1;
	int fd, i;
	const char *tpmdev;
	ssize_t n, r;
	double t;

	if (argc < 3)
		usage();
	tpmdev = argv[2];
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--delay-ord") && i + 2 < argc) {
			delay_ord = strtol(argv[++i], NULL, 16);
			delay_s = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--withhold-ord") && i + 1 < argc) {
			withhold_ord = strtol(argv[++i], NULL, 16);
		} else {
			usage();
		}
	}
	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		printf("FAIL: vtpmdev serve: open %s (%s)\n", DEV,
		       strerror(errno));
		return 1;
	}
	printf("INFO: vtpmdev serving %s\n", tpmdev);
	fflush(stdout);
	for (;;) {
		n = read(fd, frame, sizeof(frame));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			printf("FAIL: vtpmdev read (%s)\n", strerror(errno));
			return 1;
		}
		t = now();
		seen++;
		if (n < VTPM_INSTANCE_SIZE + VTPM_TPM_HEADER_SIZE) {
			printf("FAIL: vtpmdev read a %zd-byte frame\n", n);
			return 1;
		}
		printf("INFO: req %u: instance %u locality %u tag %02x%02x size %u ord %08x (read %zd)\n",
		       seen, VTPM_PREFIX_INSTANCE(be32(frame)),
		       VTPM_PREFIX_LOCALITY(be32(frame)), frame[4], frame[5],
		       be32(frame + 6), be32(frame + 10), n);
		if (be32(frame + 6) != (uint32_t)(n - VTPM_INSTANCE_SIZE))
			printf("FAIL: vtpmdev: frame length %zd, paramSize %u\n",
			       n, be32(frame + 6));
		fflush(stdout);
		if (be32(frame + 10) == withhold_ord) {
			printf("INFO: vtpmdev: request %u withheld; closing\n",
			       seen);
			close(fd);
			return 0;
		}
		if (be32(frame + 10) == delay_ord) {
			printf("INFO: vtpmdev: answering request %u %u s late\n",
			       seen, delay_s);
			fflush(stdout);
			sleep(delay_s);
			delay_ord = -1;
		}
		r = tpm_exchange(tpmdev, frame + VTPM_INSTANCE_SIZE,
				 n - VTPM_INSTANCE_SIZE,
				 sizeof(frame) - VTPM_INSTANCE_SIZE);
		if (r < 0) {
			printf("FAIL: vtpmdev: %s: %s\n", tpmdev, strerror(-r));
			return 1;
		}
		/* Answers carry locality 0. */
		put_be32(frame, VTPM_PREFIX_INSTANCE(be32(frame)));
		n = write(fd, frame, VTPM_INSTANCE_SIZE + r);
		printf("INFO: ans %u: rc %08x size %zd, write %s, %.3f s\n",
		       seen, be32(frame + 10), r,
		       n < 0 ? strerror(errno) : "ok", now() - t);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "semantics"))
		return semantics();
	if (!strcmp(argv[1], "serve"))
		return serve(argc, argv);
	usage();
	return 2;
}
