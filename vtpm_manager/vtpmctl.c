// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmctl: the administrator's CLI for vtpm_managerd (DESIGN 9).  One
 * request per run over <root>/manager.sock (docs/protocol.md, console);
 * exit status 0 on success, 1 when the manager refuses, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vtpm_ipc.h"

#define CTL_MAX_ANSWER	(VTPM_MAX_INSTANCE * 200U)

static const char *const status_names[] = {
	"success", "fail", "unsupported", "forbidden",
	"restore-context-failed", "invalid-request",
};

static void usage(void)
{
	fprintf(stderr,
		"usage: vtpmctl [--root DIR] open INSTANCE [--uuid UUID] "
		"[--startup clear|save|deactivated] [--hvm]\n"
		"       vtpmctl [--root DIR] close|delete INSTANCE\n"
		"       vtpmctl [--root DIR] list|status\n");
	exit(2);
}

static uint32_t parse_instance(const char *s, int allow_zero)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || end == s || n > VTPM_MAX_INSTANCE ||
	    (!n && !allow_zero))
		usage();
	return (uint32_t)n;
}

/* Send one request, return the answer's status; *body points into a
 * static buffer. */
static uint32_t call(const char *root, uint32_t ordinal, const uint8_t *in,
		     size_t in_len, const uint8_t **body, size_t *body_len)
{
	static uint8_t buf[CTL_MAX_ANSWER];
	uint8_t req[VTPM_PREFIX_SIZE + VTPM_HEADER_SIZE + 128];
	struct sockaddr_un sa;
	struct vtpm_frame f;
	size_t got = 0;
	ssize_t r;
	long n;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path),
			     "%s/manager.sock", root) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vtpmctl: root path too long\n");
		exit(1);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "vtpmctl: cannot reach the manager at %s: %s\n",
			sa.sun_path, strerror(errno));
		exit(1);
	}
	n = vtpm_ipc_build(req, sizeof(req), 0, VTPM_TAG_REQ, ordinal, in,
			   in_len);
	if (n < 0 || write(fd, req, (size_t)n) != n) {
		fprintf(stderr, "vtpmctl: cannot send the request\n");
		exit(1);
	}
	/* The answer is one frame; the manager closes after it. */
	while (got < sizeof(buf) &&
	       (r = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (vtpm_ipc_parse(buf, got, CTL_MAX_ANSWER, &f) ||
	    f.tag != VTPM_TAG_RSP) {
		fprintf(stderr, "vtpmctl: malformed answer from the manager\n");
		exit(1);
	}
	*body = f.body;
	*body_len = f.body_len;
	return f.code;
}

static int report(uint32_t status)
{
	if (!status)
		return 0;
	fprintf(stderr, "vtpmctl: the manager answered %s (%u)\n",
		status < sizeof(status_names) / sizeof(status_names[0]) ?
		status_names[status] : "unknown", status);
	return 1;
}

static int cmd_open(const char *root, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "uuid", required_argument, NULL, 'u' },
		{ "startup", required_argument, NULL, 's' },
		{ "hvm", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t body[VTPM_OPEN_BODY_MIN + 2 + VTPM_MAX_UUID];
	const char *uuid = NULL;
	uint8_t startup = VTPM_STARTUP_CLEAR, vm = VTPM_VM_PV;
	const uint8_t *out;
	size_t len = VTPM_OPEN_BODY_MIN, out_len, ul;
	uint32_t status;
	int c;

	/* 0, not 1: GNU getopt then forgets the first scan's state. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': uuid = optarg; break;
		case 'H': vm = VTPM_VM_HVM; break;
		case 's':
			if (!strcmp(optarg, "clear"))
				startup = VTPM_STARTUP_CLEAR;
			else if (!strcmp(optarg, "save"))
				startup = VTPM_STARTUP_SAVE;
			else if (!strcmp(optarg, "deactivated"))
				startup = VTPM_STARTUP_DEACTIVATED;
			else
				usage();
			break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	body[0] = VTPM_MIG_NONE;
	body[1] = startup;
	body[2] = vm;
	/* Instance 0 with --uuid lets the manager pick one. */
	vtpm_put_be32(body + 3, parse_instance(argv[optind], uuid != NULL));
	if (uuid) {
		ul = strlen(uuid);
		if (!ul || ul > VTPM_MAX_UUID)
			usage();
		body[7] = (uint8_t)(ul >> 8);
		body[8] = (uint8_t)ul;
		memcpy(body + 9, uuid, ul);
		len += 2 + ul;
	}
	status = call(root, VTPM_ORD_OPEN, body, len, &out, &out_len);
	if (!status && out_len == 4)
		printf("instance %u open\n", vtpm_be32(out));
	return report(status);
}

static int cmd_list(const char *root)
{
	const uint8_t *p, *end;
	size_t len;
	uint32_t status, count, i;
	char when[32];

	status = call(root, VTPM_ORD_LIST, NULL, 0, &p, &len);
	if (status)
		return report(status);
	end = p + len;
	if (len < 4)
		goto bad;
	count = vtpm_be32(p);
	p += 4;
	printf("%-8s  %-36s  %-16s  %-8s  %s\n", "INSTANCE", "UUID", "DOMAIN",
	       "STATE", "LAST SAVE");
	for (i = 0; i < count; i++) {
		uint64_t t;
		size_t ul, dl;
		time_t tt;
		struct tm tm;

		if (end - p < 15)
			goto bad;
		t = ((uint64_t)vtpm_be32(p + 5) << 32) | vtpm_be32(p + 9);
		ul = (size_t)(p[13] << 8 | p[14]);
		if ((size_t)(end - p) < 15 + ul + 2)
			goto bad;
		dl = (size_t)(p[15 + ul] << 8 | p[16 + ul]);
		if ((size_t)(end - p) < 17 + ul + dl)
			goto bad;
		tt = (time_t)t;
		if (t && gmtime_r(&tt, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
				 &tm);
		else
			snprintf(when, sizeof(when), "never");
		printf("%-8u  %-36.*s  %-16.*s  %-8s  %s\n", vtpm_be32(p),
		       ul ? (int)ul : 1, ul ? (const char *)p + 15 : "-",
		       dl ? (int)dl : 1, dl ? (const char *)p + 17 + ul : "-",
		       p[4] ? "running" : "stopped", when);
		p += 17 + ul + dl;
	}
	return 0;
bad:
	fprintf(stderr, "vtpmctl: malformed LIST answer\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/var/vtpm", *verb;
	const uint8_t *out;
	uint8_t body[4];
	size_t out_len;
	uint32_t status;
	int c;

	/* Options before the verb only; the verb's own come after it. */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'r')
			root = optarg;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	verb = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(verb, "open"))
		return cmd_open(root, argc, argv);
	if (!strcmp(verb, "close") || !strcmp(verb, "delete")) {
		if (argc != 2)
			usage();
		vtpm_put_be32(body, parse_instance(argv[1], 0));
		status = call(root, verb[0] == 'c' ? VTPM_ORD_CLOSE :
			      VTPM_ORD_DELETE, body, 4, &out, &out_len);
		return report(status);
	}
	if (!strcmp(verb, "list") && argc == 1)
		return cmd_list(root);
	if (!strcmp(verb, "status") && argc == 1) {
		status = call(root, VTPM_ORD_STATUS, NULL, 0, &out, &out_len);
		if (!status)
			fwrite(out, 1, out_len, stdout);
		return report(status);
	}
	usage();
	return 2;
}
