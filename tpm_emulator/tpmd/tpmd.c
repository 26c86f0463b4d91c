// SPDX-License-Identifier: GPL-2.0
/*
 * tpmd: the TPM 1.2 engine as a daemon serving raw TPM bytes on unix and
 * TCP sockets, one client at a time, its state kept durably in a state
 * directory.  This file owns the process (options, start, signals, stop)
 * and the save policy; framing is conn.c's, sockets net.c's, files
 * store.c's, and TPM semantics the engine's.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "constants.h"
#include "marshal.h"
#include "tpm_emulator.h"
#include "tpmd.h"

#define TPMD_VERSION		"0.1"
/* Engine key size for the EK when one is made (bits). */
#define TPMD_EK_BITS		2048U

static const struct {
	const char *name;
	uint16_t type;
} startup_types[] = {
	{ "clear", TPM_ST_CLEAR },
	{ "save", TPM_ST_STATE },
	{ "deactivated", TPM_ST_DEACTIVATED },
	{ "none", 0 },
};

static void usage(FILE *f)
{
	fputs("usage: tpmd --listen tcp:[HOST:]PORT|unix:PATH [--listen ...]\n"
	      "            --state-dir DIR\n"
	      "            [--startup clear|save|deactivated|none] [--no-ek]\n"
	      "            [-d|--debug] [-v|--verbose] [--pidfile FILE]\n"
	      "       tpmd -h|--help | -V|--version\n", f);
}

static void help(void)
{
	usage(stdout);
	printf("\n"
	       "  --listen ADDR    serve raw TPM 1.2 on ADDR (at most %d);\n"
	       "                   tcp without HOST binds %s only\n"
	       "  --state-dir DIR  keep the TPM's state in DIR/tpm.state\n"
	       "  --startup TYPE   TPM_Startup sent at start (default clear)\n"
	       "  --no-ek          a new TPM gets no endorsement key\n"
	       "  -d, --debug      stay in the foreground, log to stderr\n"
	       "  -v, --verbose    log connections and commands (debug)\n"
	       "  --pidfile FILE   write the daemon's pid to FILE\n"
	       "  -h, --help       show this help\n"
	       "  -V, --version    show the version\n",
	       TPMD_MAX_LISTENERS, TPMD_DEFAULT_HOST);
}

static void __attribute__((noreturn)) bad_usage(void)
{
	usage(stderr);
	exit(2);
}

static void parse_startup(struct options *opt, const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(startup_types) / sizeof(startup_types[0]); i++) {
		if (!strcmp(arg, startup_types[i].name)) {
			opt->startup_name = startup_types[i].name;
			opt->startup = startup_types[i].type;
			return;
		}
	}
	log_warnx("--startup: unknown type '%s'", arg);
	bad_usage();
}

static void parse_options(struct tpmd *d, int argc, char **argv)
{
	enum { OPT_LISTEN = 256, OPT_STATE_DIR, OPT_STARTUP, OPT_NO_EK,
	       OPT_PIDFILE };
	static const struct option long_opts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "startup", required_argument, NULL, OPT_STARTUP },
		{ "no-ek", no_argument, NULL, OPT_NO_EK },
		{ "debug", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct options *opt = &d->opt;
	int c;

	opt->startup_name = "clear";
	opt->startup = TPM_ST_CLEAR;
	while ((c = getopt_long(argc, argv, "dvhV", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			if (opt->nlisten == TPMD_MAX_LISTENERS) {
				log_warnx("at most %d --listen options",
					  TPMD_MAX_LISTENERS);
				bad_usage();
			}
			if (listener_parse(&d->lis[opt->nlisten], optarg))
				bad_usage();
			opt->listen[opt->nlisten++] = optarg;
			break;
		case OPT_STATE_DIR:
			opt->state_dir = optarg;
			break;
		case OPT_STARTUP:
			parse_startup(opt, optarg);
			break;
		case OPT_NO_EK:
			opt->no_ek = true;
			break;
		case 'd':
			opt->foreground = true;
			break;
		case 'v':
			opt->verbose = true;
			break;
		case OPT_PIDFILE:
			opt->pidfile = optarg;
			break;
		case 'h':
			help();
			exit(0);
		case 'V':
			printf("tpmd %s\n", TPMD_VERSION);
			exit(0);
		default:
			bad_usage();
		}
	}
	if (optind < argc) {
		log_warnx("unexpected argument '%s'", argv[optind]);
		bad_usage();
	}
	if (!opt->nlisten || !opt->state_dir) {
		log_warnx("--listen and --state-dir are required");
		bad_usage();
	}
}

/*
 * Make the disk match the engine.  Return: true when it does (nothing to
 * save, or saved), false when the state is only in memory.
 */
static bool sync_state(struct tpmd *d)
{
	const char *step;
	int err;

	if (!d->unsaved && !tpm_state_dirty(d->tpm))
		return true;
	err = store_save(&d->store, d->tpm, &step);
	if (!err) {
		if (d->unsaved)
			log_info("%s: TPM state saved again; serving normally",
				 d->opt.state_dir);
		d->unsaved = false;
		return true;
	}
	/* The first failure is always logged; repeats are rate-limited. */
	if (!d->unsaved || log_ratelimit(&d->rl_save))
		log_warnx("%s/%s: CANNOT SAVE TPM STATE (%s: %s); answering TPM_FAIL until a save succeeds",
			  d->opt.state_dir, STORE_STATE_FILE, step,
			  strerror(-err));
	d->unsaved = true;
	return false;
}

/**
 * tpmd_execute() - run one framed command under the save policy.
 * @d: the daemon.
 * @cmd: the command; its paramSize was checked against @size.
 * @size: its length, TPM_HEADER_SIZE..TPM_MAX_COMMAND_SIZE.
 *
 * The response is left in d->rsp.  It reports success only once the state
 * change is durable; while the state cannot be saved every command gets
 * TPM_FAIL.
 *
 * Return: the response length.
 */
size_t tpmd_execute(struct tpmd *d, const uint8_t *cmd, uint32_t size)
{
	uint16_t tag = tb_be16(cmd);
	size_t rsp_len;

	if (d->unsaved && !sync_state(d))
		return error_response(d->rsp, tag, TPM_FAIL);
	if (tpm_execute(d->tpm, cmd, size, d->rsp, &rsp_len))
		return error_response(d->rsp, tag, TPM_FAIL);
	assert(rsp_len >= TPM_HEADER_SIZE && rsp_len <= sizeof(d->rsp));
	/* Success is only reported once it is durable. */
	if (!sync_state(d))
		return error_response(d->rsp, tag, TPM_FAIL);
	return rsp_len;
}

static void load_or_create(struct tpmd *d)
{
	struct tpm_config cfg = {
		.no_ek = d->opt.no_ek,
		.ek_bits = TPMD_EK_BITS,
	};
	const char *why, *step;
	int err;

	err = store_load(&d->store, &d->tpm, &why);
	if (err && err != -ENOENT)
		fatalx("%s/%s: cannot load TPM state: %s (file left untouched)",
		       d->opt.state_dir, STORE_STATE_FILE,
		       why ? why : strerror(-err));
	if (!err)
		return;

	d->tpm = tpm_create(&cfg);
	if (!d->tpm)
		fatalx("cannot manufacture a new TPM: %s",
		       strerror(abs(errno)));
	err = store_save(&d->store, d->tpm, &step);
	if (err)
		fatalx("%s/%s: cannot save new TPM state (%s: %s)",
		       d->opt.state_dir, STORE_STATE_FILE, step,
		       strerror(-err));
	log_info("%s: manufactured a new TPM%s", d->opt.state_dir,
		 d->opt.no_ek ? " without endorsement key" : "");
}

/* Power on, then TPM_Startup as firmware would (Part 3, 3.2). */
static void power_on(struct tpmd *d)
{
	uint8_t cmd[TPM_HEADER_SIZE + 2];
	size_t rsp_len;
	uint32_t rc;

	tpm_init(d->tpm);
	if (!d->opt.startup)
		return;
	tb_wr_be16(cmd, TPM_TAG_RQU_COMMAND);
	tb_wr_be32(cmd + 2, sizeof(cmd));
	tb_wr_be32(cmd + 6, TPM_ORD_Startup);
	tb_wr_be16(cmd + 10, d->opt.startup);
	rsp_len = tpmd_execute(d, cmd, sizeof(cmd));
	rc = tb_be32(d->rsp + 6);
	if (d->unsaved)
		fatalx("cannot save TPM state after TPM_Startup");
	if (rsp_len >= TPM_HEADER_SIZE && rc != TPM_SUCCESS)
		log_warnx("TPM_Startup(%s) returned 0x%x; a client must send TPM_Startup",
			  d->opt.startup_name, rc);
}

static int write_pidfile(struct tpmd *d)
{
	int fd, err;

	err = make_abs_path(d->pidfile, sizeof(d->pidfile), d->opt.pidfile);
	if (err)
		goto err_clear_name;
	fd = open(d->pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		  O_NOFOLLOW, 0644);
	if (fd < 0) {
		err = -errno;
		goto err_clear_name;
	}
	if (dprintf(fd, "%ld\n", (long)getpid()) < 0)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		goto err_unlink;
	return 0;

err_unlink:
	unlink(d->pidfile);
err_clear_name:
	log_warnx("%s: cannot write pidfile: %s", d->opt.pidfile,
		  strerror(-err));
	d->pidfile[0] = '\0';
	return err;
}

/* Undo what main() set up; safe at any point and more than once. */
static void cleanup(struct tpmd *d)
{
	int i;

	if (d->cl.fd >= 0) {
		close(d->cl.fd);
		d->cl.fd = -1;
	}
	for (i = 0; i < d->opt.nlisten; i++)
		listener_close(&d->lis[i]);
	if (d->pidfile[0]) {
		unlink(d->pidfile);
		d->pidfile[0] = '\0';
	}
	if (d->sig_fd >= 0) {
		close(d->sig_fd);
		d->sig_fd = -1;
	}
	store_close(&d->store);
	tpm_destroy(d->tpm);
	d->tpm = NULL;
}

/*
 * Fork into the background.  The parent exits only when the child is
 * ready to serve (or has failed), so "tpmd ... && client" never races.
 */
static void daemonize(struct tpmd *d, const char *progname)
{
	int ready[2];
	char c = 0;
	ssize_t n;
	pid_t pid;
	int fd;

	if (pipe2(ready, O_CLOEXEC))
		goto err_cleanup;
	pid = fork();
	if (pid < 0)
		goto err_cleanup;
	if (pid > 0) {
		close(ready[1]);
		do
			n = read(ready[0], &c, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 ? 0 : 1);
	}
	close(ready[0]);
	if (setsid() < 0)
		goto err_cleanup;
	if (d->opt.pidfile && write_pidfile(d))
		goto err_exit;
	log_init(progname, 0, d->opt.verbose);
	if (chdir("/"))
		goto err_cleanup;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		goto err_cleanup;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	if (write(ready[1], &c, 1) != 1)
		goto err_cleanup;
	close(ready[1]);
	return;

err_cleanup:
	log_warn("cannot daemonize");
err_exit:
	cleanup(d);
	exit(1);
}

/* Serve until SIGTERM or SIGINT.  Return: 0, or -errno if poll() fails. */
static int serve(struct tpmd *d)
{
	struct pollfd pfd[1 + TPMD_MAX_LISTENERS];
	struct signalfd_siginfo si;
	int i, n, nfds, timeout;

	for (;;) {
		pfd[0].fd = d->sig_fd;
		pfd[0].events = POLLIN;
		nfds = 1;
		timeout = -1;
		if (d->cl.fd >= 0) {
			/* Others wait in the listen backlog meanwhile. */
			pfd[nfds].fd = d->cl.fd;
			pfd[nfds++].events = POLLIN;
			timeout = client_timeout(&d->cl);
		} else {
			for (i = 0; i < d->opt.nlisten; i++) {
				pfd[nfds].fd = d->lis[i].fd;
				pfd[nfds++].events = POLLIN;
			}
		}
		n = poll(pfd, (nfds_t)nfds, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			return -errno;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(d->sig_fd, &si, sizeof(si)) == sizeof(si))
				log_info("signal %u received, stopping",
					 si.ssi_signo);
			return 0;
		}
		if (d->cl.fd >= 0) {
			client_event(d, pfd[1].revents);
			continue;
		}
		for (i = 1; i < nfds; i++) {
			if (pfd[i].revents & POLLIN) {
				client_accept(d, &d->lis[i - 1]);
				break;
			}
		}
	}
}

int main(int argc, char **argv)
{
	static struct tpmd tpmd = {
		.sig_fd = -1,
		.cl = { .fd = -1 },
		.rl_client = LOG_RATELIMIT_INIT(10, 10),
		.rl_save = LOG_RATELIMIT_INIT(60, 1),
	};
	struct tpmd *d = &tpmd;
	sigset_t mask;
	int i, status = 0;

	log_init(argv[0], 1, 0);
	parse_options(d, argc, argv);
	log_init(argv[0], 1, d->opt.verbose);

	/* Signals become events on sig_fd; a vanished client is EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		fatal("sigprocmask");

	if (store_open(&d->store, d->opt.state_dir))
		fatalx("%s: unusable state directory", d->opt.state_dir);
	load_or_create(d);
	power_on(d);
	for (i = 0; i < d->opt.nlisten; i++) {
		if (listener_open(&d->lis[i])) {
			cleanup(d);
			exit(1);
		}
	}

	if (!d->opt.foreground) {
		daemonize(d, argv[0]);
	} else if (d->opt.pidfile && write_pidfile(d)) {
		cleanup(d);
		exit(1);
	}
	d->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig_fd < 0) {
		log_warn("signalfd");
		cleanup(d);
		exit(1);
	}
	log_info("serving %s%s%s, state in %s", d->opt.listen[0],
		 d->opt.nlisten > 1 ? " and " : "",
		 d->opt.nlisten > 1 ? d->opt.listen[1] : "",
		 d->opt.state_dir);

	if (serve(d))
		status = 1;
	if (d->cl.fd >= 0)
		client_close(d, "stopping");
	if (!sync_state(d)) {
		log_warnx("exiting with TPM state changes that are NOT saved");
		status = 1;
	}
	cleanup(d);
	log_info("stopped");
	return status;
}
