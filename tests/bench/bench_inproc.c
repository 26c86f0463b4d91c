// SPDX-License-Identifier: GPL-2.0
/*
 * In-process benchmark: the same command stream through our engine's
 * tpm_execute() and through libtpms' TPMLIB_Process() (TPM 1.2 mode) in
 * one program, so neither side pays for I/O.  Prints one row per command:
 * median and p99 latency of each, and the ratio ours/libtpms.
 * Only the public API (tpm_emulator.h) is used, so libtpms' headers do not
 * meet our internal constants.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libtpms/tpm_library.h>
#include <libtpms/tpm_memory.h>

#include "tpm_emulator.h"

/* Iterations per command and side; warm-up runs are not counted. */
#define BENCH_ITERS	20000U
#define BENCH_WARMUP	500U
#define ARRAY_LEN	(sizeof(cmds) / sizeof(cmds[0]))

struct bench_cmd {
	const char *name;
	uint8_t bytes[64];
	size_t len;
};

#define CMD(name, ...) \
	{ name, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }) }

/* Light commands: identical bytes for both engines. */
static const struct bench_cmd cmds[] = {
	CMD("GetRandom(16)", 0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0x46,
	    0, 0, 0, 16),
	CMD("PcrRead(10)", 0x00, 0xC1, 0, 0, 0, 14, 0, 0, 0, 0x15,
	    0, 0, 0, 10),
	CMD("Extend(10)", 0x00, 0xC1, 0, 0, 0, 34, 0, 0, 0, 0x14,
	    0, 0, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	    16, 17, 18, 19, 20),
	CMD("GetCapability(PCRs)", 0x00, 0xC1, 0, 0, 0, 22, 0, 0, 0, 0x65,
	    0, 0, 0, 5, 0, 0, 0, 4, 0, 0, 1, 1),
	CMD("GetCapability(VERSION_VAL)", 0x00, 0xC1, 0, 0, 0, 18,
	    0, 0, 0, 0x65, 0, 0, 0, 0x1A, 0, 0, 0, 0),
};

static const uint8_t startup[] = { 0x00, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0x99,
				   0, 1 };
static const uint8_t oiap[] = { 0x00, 0xC1, 0, 0, 0, 10, 0, 0, 0, 0x0A };

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

struct stats {
	double median_us, p99_us;
};

static struct stats summarize(uint64_t *ns, size_t n)
{
	struct stats st;

	qsort(ns, n, sizeof(*ns), cmp_u64);
	st.median_us = (double)ns[n / 2] / 1000.0;
	st.p99_us = (double)ns[(n * 99) / 100] / 1000.0;
	return st;
}

/* One engine behind a common signature. */
typedef uint32_t (*exec_fn)(const uint8_t *cmd, size_t len);

static struct tpm_state *ours;
static uint8_t our_rsp[TPM_MAX_COMMAND_SIZE];

static uint32_t exec_ours(const uint8_t *cmd, size_t len)
{
	size_t rlen;

	tpm_execute(ours, cmd, len, our_rsp, &rlen);
	return (uint32_t)our_rsp[6] << 24 | (uint32_t)our_rsp[7] << 16 |
	       (uint32_t)our_rsp[8] << 8 | our_rsp[9];
}

static unsigned char *lt_rsp;
static uint32_t lt_rsp_size;

static uint32_t exec_libtpms(const uint8_t *cmd, size_t len)
{
	uint32_t rlen = 0;
	unsigned char buf[64];

	/* TPMLIB_Process takes a non-const buffer. */
	memcpy(buf, cmd, len);
	TPMLIB_Process(&lt_rsp, &rlen, &lt_rsp_size, buf, (uint32_t)len);
	return (uint32_t)lt_rsp[6] << 24 | (uint32_t)lt_rsp[7] << 16 |
	       (uint32_t)lt_rsp[8] << 8 | lt_rsp[9];
}

static int run(exec_fn fn, const uint8_t *cmd, size_t len, uint64_t *ns)
{
	unsigned int i;

	for (i = 0; i < BENCH_WARMUP; i++)
		if (fn(cmd, len))
			return -1;
	for (i = 0; i < BENCH_ITERS; i++) {
		uint64_t t0 = now_ns();

		fn(cmd, len);
		ns[i] = now_ns() - t0;
	}
	return 0;
}

/* OIAP opens a session each time: flush it so slots never run out. */
static int run_oiap(exec_fn fn, uint64_t *ns)
{
	uint8_t flush[18] = { 0x00, 0xC1, 0, 0, 0, 18, 0, 0, 0, 0xBA };
	unsigned int i;

	for (i = 0; i < BENCH_ITERS + BENCH_WARMUP; i++) {
		uint64_t t0 = now_ns();
		uint32_t rc = fn(oiap, sizeof(oiap));
		const uint8_t *rsp = fn == exec_ours ? our_rsp : lt_rsp;

		if (i >= BENCH_WARMUP)
			ns[i - BENCH_WARMUP] = now_ns() - t0;
		if (rc)
			return -1;
		memcpy(flush + 10, rsp + 10, 4);
		flush[17] = 2;	/* TPM_RT_AUTH */
		fn(flush, sizeof(flush));
	}
	return 0;
}

static char lt_dir[] = "/tmp/bench-libtpms-XXXXXX";

/* libtpms keeps its NVRAM in files under TPM_PATH: a private temp dir. */
static int init_libtpms(void)
{
	if (!mkdtemp(lt_dir))
		return -1;
	setenv("TPM_PATH", lt_dir, 1);
	if (TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_1_2) ||
	    TPMLIB_MainInit())
		return -1;
	return exec_libtpms(startup, sizeof(startup)) ? -1 : 0;
}

int main(void)
{
	static uint64_t a[BENCH_ITERS], b[BENCH_ITERS];
	struct tpm_config cfg = { .no_ek = true };
	struct stats sa, sb;
	char cmdline[64];
	size_t i;

	ours = tpm_create(&cfg);
	if (!ours) {
		fprintf(stderr, "bench: tpm_create failed\n");
		return 1;
	}
	tpm_init(ours);
	if (exec_ours(startup, sizeof(startup)) || init_libtpms()) {
		fprintf(stderr, "bench: startup failed\n");
		return 1;
	}
	printf("%-28s %10s %10s %10s %10s %7s\n", "in-process command",
	       "ours med", "ours p99", "libtpms med", "libtpms p99",
	       "ratio");
	for (i = 0; i <= ARRAY_LEN; i++) {
		const char *name;
		int ra, rb;

		if (i < ARRAY_LEN) {
			name = cmds[i].name;
			ra = run(exec_ours, cmds[i].bytes, cmds[i].len, a);
			rb = run(exec_libtpms, cmds[i].bytes, cmds[i].len, b);
		} else {
			name = "OIAP (flush untimed)";
			ra = run_oiap(exec_ours, a);
			rb = run_oiap(exec_libtpms, b);
		}
		if (ra || rb) {
			printf("%-28s failed (ours %d, libtpms %d)\n", name,
			       ra, rb);
			continue;
		}
		sa = summarize(a, BENCH_ITERS);
		sb = summarize(b, BENCH_ITERS);
		printf("%-28s %8.2fus %8.2fus %9.2fus %9.2fus %6.2fx\n", name,
		       sa.median_us, sa.p99_us, sb.median_us, sb.p99_us,
		       sa.median_us / sb.median_us);
	}
	tpm_destroy(ours);
	TPMLIB_Terminate();
	/* libtpms left its state file(s) there; the dir is ours to remove. */
	snprintf(cmdline, sizeof(cmdline), "rm -rf -- '%s'", lt_dir);
	if (system(cmdline))
		fprintf(stderr, "bench: could not remove %s\n", lt_dir);
	return 0;
}
