// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmd: one guest's TPM 1.2.  The engine runs in this unprivileged
 * process behind the instance's FIFOs; every change of persistent state is
 * sent to the manager and acknowledged as durable before the guest sees
 * the response.  Options and the main loop; I/O in io.c, state in store.c.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "log.h"
#include "tpm_emulator.h"
#include "vtpmd.h"

#define VTPMD_VERSION	"0.1"
/* nobody's and nogroup's ids on Debian (and most Linux systems). */
#define NOBODY_ID	65534U

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vtpmd clear|save|deactivated [pvm|hvm] INSTANCE "
		"[--root DIR] [--user NAME] [-d] [-v]\n");
	exit(2);
}

struct options {
	uint16_t startup;		/* TPM_ST_* */
	const char *vm;			/* "pvm" or "hvm" */
	uint32_t instance;
	const char *root;
	const char *user;
	int foreground, verbose;
};

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "user", required_argument, NULL, 'u' },
		{ "debug", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long n;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->root = "/var/vtpm";
	o->vm = "pvm";
	while ((c = getopt_long(argc, argv, "dvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->root = optarg; break;
		case 'u': o->user = optarg; break;
		case 'd': o->foreground = 1; break;
		case 'v': o->verbose++; break;
		case 'V': printf("vtpmd %s\n", VTPMD_VERSION); exit(0);
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc > 3)
		usage();
	if (!strcmp(argv[0], "clear"))
		o->startup = 1;
	else if (!strcmp(argv[0], "save"))
		o->startup = 2;
	else if (!strcmp(argv[0], "deactivated"))
		o->startup = 3;
	else
		usage();
	if (argc == 3) {
		if (strcmp(argv[1], "pvm") && strcmp(argv[1], "hvm"))
			usage();
		o->vm = argv[1];
	}
	errno = 0;
	n = strtoul(argv[argc - 1], &end, 10);
	if (errno || *end || end == argv[argc - 1] || n == 0 ||
	    n > VTPM_MAX_INSTANCE)
		usage();
	o->instance = (uint32_t)n;
}

/*
 * The user to run as: "UID:GID", or a name looked up in /etc/passwd
 * itself.  Not getpwnam(): vtpmd is linked statically (a faster start,
 * less memory per instance), and glibc's NSS would then load the shared
 * libraries of whatever glibc is installed at run time.
 */
static int lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
	unsigned long u, g;
	struct passwd *pw;
	char *end;
	FILE *f;

	errno = 0;
	u = strtoul(user, &end, 10);
	if (end != user && *end == ':') {
		g = strtoul(end + 1, &end, 10);
		if (errno || *end || u > UINT32_MAX - 1 || g > UINT32_MAX - 1)
			return -EINVAL;
		*uid = (uid_t)u;
		*gid = (gid_t)g;
		return 0;
	}
	f = fopen("/etc/passwd", "re");
	if (!f)
		return -errno;
	while ((pw = fgetpwent(f)))
		if (!strcmp(pw->pw_name, user))
			break;
	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	fclose(f);
	return pw ? 0 : -ENOENT;
}

/* Leave root once the FIFOs are open: the engine needs nothing else. */
static void drop_privileges(const char *user)
{
	uid_t uid = 0;
	gid_t gid = 0;

	if (geteuid() != 0)
		goto out_no_new_privs;
	if (!user) {
		/* The default: nobody, or its usual ids on a minimal system
		 * (an initramfs dom0) whose /etc/passwd lacks it. */
		user = "nobody";
		if (lookup_user(user, &uid, &gid)) {
			uid = gid = NOBODY_ID;
			log_info("no user nobody in /etc/passwd: running as "
				 "%u:%u", NOBODY_ID, NOBODY_ID);
		}
	} else if (lookup_user(user, &uid, &gid)) {
		fatalx("no user %s to run as (in /etc/passwd, or UID:GID)",
		       user);
	}
	/* uid 0 would keep every privilege we mean to drop. */
	if (!uid)
		fatalx("refusing to run as root (user %s)", user);
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
		fatal("cannot drop privileges to %s", user);
out_no_new_privs:
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		log_warn("PR_SET_NO_NEW_PRIVS");
}

static uint32_t run_startup(struct tpm_state *s, uint16_t type)
{
	uint8_t cmd[12] = { 0x00, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0x99, 0, 0 };
	uint8_t rsp[TPM_MAX_COMMAND_SIZE];
	size_t len;

	cmd[10] = (uint8_t)(type >> 8);
	cmd[11] = (uint8_t)type;
	tpm_execute(s, cmd, sizeof(cmd), rsp, &len);
	return vtpm_be32(rsp + 6);
}

/* Send the state to the manager if it changed; exit if it cannot be
 * made durable (the manager then restarts us from the last good state). */
static int save_if_dirty(struct vtpmd_fifos *f, struct tpm_state *s,
			 uint32_t instance)
{
	uint8_t *blob;
	size_t len;
	int err;

	if (!tpm_state_dirty(s))
		return 0;
	err = tpm_state_save(s, &blob, &len);
	if (err)
		return err;
	err = vtpmd_save_state(f, instance, blob, len);
	explicit_bzero(blob, len);
	free(blob);
	return err;
}

static struct tpm_state *load_or_manufacture(struct vtpmd_fifos *f,
					     uint32_t instance)
{
	struct tpm_config cfg = { .ek_bits = 2048 };
	struct tpm_state *s;
	const char *why;
	uint8_t *blob;
	size_t len;
	int err;

	err = vtpmd_load_state(f, instance, &blob, &len);
	if (err == -EACCES)
		fatalx("the manager cannot restore this vTPM's state; "
		       "refusing to start a fresh TPM in its place");
	if (err)
		fatalx("LOADNVM failed: %s", strerror(-err));
	if (!len) {
		log_info("new vTPM: manufacturing a fresh TPM with an EK");
		s = tpm_create(&cfg);
		if (!s)
			fatal("tpm_create");
		return s;
	}
	s = tpm_state_load(blob, len, &why);
	explicit_bzero(blob, len);
	free(blob);
	if (!s)
		fatalx("stored state is unusable: %s", why ? why : "?");
	return s;
}

/* TPM_BAD_LOCALITY (Part 2, 16): a prefix naming no locality 0..4. */
#define TPM_RC_BAD_LOCALITY	0x3DU

static void serve(struct vtpmd_fifos *f, struct tpm_state *s,
		  uint32_t instance)
{
	/* Room for a frame and the start of the next: one read() each. */
	static uint8_t in[2 * VTPM_MAX_FRAME], out[VTPM_MAX_FRAME];
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 5);
	struct vtpm_stream cmd;
	struct vtpm_frame fr;
	const uint8_t *frame;
	unsigned int loc;
	size_t len, rlen;
	int err;

	vtpm_stream_init(&cmd, f->cmd_in, in, sizeof(in));
	while (!stop_requested) {
		err = vtpm_stream_next(&cmd, VTPM_MAX_TPM_PACKET, &frame,
				       &len);
		if (err == -EAGAIN)
			continue;
		if (err == -EPIPE) {
			log_info("the manager closed the command FIFO");
			return;
		}
		if (err)
			fatalx("command FIFO: %s", strerror(-err));
		/* The prefix word: our instance in bits 0-23, the guest's
		 * locality in 24-31 (vtpm_shared.h). */
		if (vtpm_ipc_parse(frame, len, VTPM_MAX_TPM_PACKET, &fr) ||
		    VTPM_PREFIX_INSTANCE(fr.instance) != instance) {
			if (log_ratelimit(&rl))
				log_warnx("dropping a frame not for us");
			continue;
		}
		loc = VTPM_PREFIX_LOCALITY(fr.instance);
		if (tpm_set_locality(s, loc)) {
			/* The manager refuses these; never run one at a
			 * locality the guest did not have. */
			vtpm_tpm_error(out + VTPM_PREFIX_SIZE, fr.tag,
				       TPM_RC_BAD_LOCALITY);
			rlen = VTPM_HEADER_SIZE;
			err = 0;
			goto answer;
		}
		tpm_execute(s, fr.packet, fr.size, out + VTPM_PREFIX_SIZE,
			    &rlen);
		/* The guest sees the answer only once its effect is durable. */
		err = save_if_dirty(f, s, instance);
		if (err) {
			vtpm_tpm_error(out + VTPM_PREFIX_SIZE, fr.tag,
				       VTPM_TPM_FAIL);
			rlen = VTPM_HEADER_SIZE;
		} else if (rlen > VTPM_MAX_TPM_PACKET) {
			/* Cannot happen with the engine's limits, but a
			 * longer write would not be atomic. */
			vtpm_tpm_error(out + VTPM_PREFIX_SIZE, fr.tag, 0x17);
			rlen = VTPM_HEADER_SIZE;
		}
answer:
		/* Responses carry locality 0: the bare instance. */
		vtpm_put_be32(out, instance);
		if (vtpmd_write_all(f->rsp_out, out, VTPM_PREFIX_SIZE + rlen))
			fatal("response FIFO");
		if (err)
			fatalx("state could not be saved (%s); exiting so the "
			       "manager restarts from the last saved state",
			       strerror(-err));
	}
}

int main(int argc, char **argv)
{
	struct vtpmd_fifos f;
	struct sigaction sa;
	struct tpm_state *s;
	struct options o;
	char tag[32];
	uint32_t rc;

	/* Before anything uses libcrypto: no openssl.cnf (nothing in it is
	 * for us, and parsing it is a good part of a cold start), no
	 * modules loaded at run time. */
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL)) {
		fprintf(stderr, "vtpmd: OpenSSL initialisation failed\n");
		return 1;
	}
	parse_options(argc, argv, &o);
	log_init("vtpmd", o.foreground, o.verbose);
	snprintf(tag, sizeof(tag), "%u", o.instance);
	log_set_tag(tag);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* No SA_RESTART: a blocked read returns EINTR and we stop. */
	sa.sa_handler = on_stop_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (vtpmd_fifos_open(&f, o.root, o.instance))
		fatalx("cannot open the FIFOs of instance %u under %s",
		       o.instance, o.root);
	drop_privileges(o.user);
	s = load_or_manufacture(&f, o.instance);
	tpm_init(s);
	rc = run_startup(s, o.startup);
	if (rc && o.startup == 2) {
		/* No TPM_SaveState snapshot: a resumed guest must still get
		 * a working TPM (docs/protocol.md). */
		log_warnx("TPM_Startup(STATE) failed (0x%x): starting clear",
			  rc);
		tpm_init(s);
		rc = run_startup(s, 1);
	}
	if (rc)
		fatalx("TPM_Startup failed: 0x%x", rc);
	if (save_if_dirty(&f, s, o.instance))
		fatalx("cannot store the initial state");
	log_info("serving instance %u (%s)", o.instance, o.vm);
	serve(&f, s, o.instance);
	tpm_destroy(s);
	vtpmd_fifos_close(&f);
	return 0;
}
