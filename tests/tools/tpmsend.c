// SPDX-License-Identifier: GPL-2.0
/*
 * tpmsend: send hex-encoded TPM commands over one connection and print each
 * response as one hex line (or, with --rc, its return code in decimal).
 * A shell-test helper: it judges nothing, it only reports what came back.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpmclient.h"

/* Exit codes: all transactions done, I/O error, bad usage. */
#define EXIT_IO		1
#define EXIT_USAGE	2

static void usage(void)
{
	fprintf(stderr,
		"usage: tpmsend [--rc] [--timeout MS] ENDPOINT HEX [HEX...]\n"
		"  ENDPOINT is tcp:HOST:PORT, unix:PATH or a TPM character\n"
		"  device such as /dev/tpm0; HEX is one command (spaces, ':'\n"
		"  and a leading 0x are ignored).\n");
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Decode @s into @out; -1 on a bad digit, odd length or overflow. */
static int unhex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	int hi = -1, v;
	size_t n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		if (isspace((unsigned char)*s) || *s == ':')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -1;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t cmd[TC_BUF_MAX];
	static struct tc_rsp r;
	struct tc_conn c;
	bool rc_only = false;
	long timeout = 0;
	size_t len, i;
	int argi = 1, err;

	while (argi < argc && !strncmp(argv[argi], "--", 2)) {
		if (!strcmp(argv[argi], "--rc")) {
			rc_only = true;
		} else if (!strcmp(argv[argi], "--timeout") &&
			   argi + 1 < argc) {
			timeout = strtol(argv[++argi], NULL, 10);
			if (timeout <= 0) {
				usage();
				return EXIT_USAGE;
			}
		} else {
			usage();
			return EXIT_USAGE;
		}
		argi++;
	}
	if (argc - argi < 2) {
		usage();
		return EXIT_USAGE;
	}
	/* Check every argument before sending anything. */
	for (i = (size_t)argi + 1; i < (size_t)argc; i++) {
		if (unhex(argv[i], cmd, sizeof(cmd), &len)) {
			fprintf(stderr, "tpmsend: bad hex in argument %zu\n",
				i - (size_t)argi);
			return EXIT_USAGE;
		}
	}

	err = tc_connect(&c, argv[argi]);
	if (err) {
		fprintf(stderr, "tpmsend: %s: %s\n", argv[argi],
			strerror(-err));
		return err == -EINVAL ? EXIT_USAGE : EXIT_IO;
	}
	if (timeout)
		c.timeout_ms = (int)(timeout > 3600000 ? 3600000 : timeout);
	for (i = (size_t)argi + 1; i < (size_t)argc; i++) {
		unhex(argv[i], cmd, sizeof(cmd), &len);
		err = tc_send_raw(&c, cmd, len, &r);
		if (err) {
			fprintf(stderr, "tpmsend: command %zu: %s\n",
				i - (size_t)argi, strerror(-err));
			tc_disconnect(&c);
			return EXIT_IO;
		}
		if (rc_only) {
			printf("%u\n", r.rc);
		} else {
			for (len = 0; len < r.len; len++)
				printf("%02x", r.data[len]);
			putchar('\n');
		}
	}
	tc_disconnect(&c);
	if (fflush(stdout))
		return EXIT_IO;
	return 0;
}
