// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm_managerd: options, configuration, the startup order and the
 * shutdown.  Policy only: the event loop is event.c, guests instance.c,
 * state protection seal.c and hwtpm.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

#define MGR_VERSION		"0.1"
/* How long vtpmds get to stop at shutdown before SIGKILL. */
#define MGR_STOP_WAIT_MS	5000U

uint64_t mgr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vtpm_managerd [--root DIR] [--backend /dev/vtpm|unix:PATH]\n"
		"                     [--tpm /dev/tpm0|tcp:HOST:PORT|unix:PATH | "
		"--emulate-hw-tpm]\n"
		"                     [--config FILE] [--vtpmd PATH] [--tpmd PATH]\n"
		"                     [--timeout SECONDS] "
		"[--xenstore | --no-xenstore] [-d] [-v]\n");
	exit(2);
}

/* A binary next to our own executable (build tree or sbin). */
static const char *sibling(const char *name)
{
	static char paths[2][PATH_MAX];
	static int which;
	char self[PATH_MAX], *p = paths[which++ & 1];
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return name;
	self[n] = '\0';
	snprintf(p, PATH_MAX, "%s/%s", dirname(self), name);
	return p;
}

static int parse_auth(const char *v, uint8_t out[20])
{
	unsigned int i, b;

	if (!strcmp(v, "well-known")) {
		memset(out, 0, 20);
		return 0;
	}
	if (strncmp(v, "hex:", 4) || strlen(v + 4) != 40)
		return -EINVAL;
	for (i = 0; i < 20; i++) {
		if (sscanf(v + 4 + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		out[i] = (uint8_t)b;
	}
	return 0;
}

/* The config file: "key = value" lines, '#' comments (vtpm_managerd.8). */
static void read_config(struct mgr_config *c)
{
	char line[256], key[64], val[160];
	unsigned int lineno = 0;
	FILE *f;

	f = fopen(c->config_file, "re");
	if (!f) {
		if (errno != ENOENT)
			fatal("%s", c->config_file);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, " %63[a-z_] = %159s", key, val) != 2)
			fatalx("%s:%u: not key = value", c->config_file,
			       lineno);
		if (!strcmp(key, "owner_auth")) {
			if (parse_auth(val, c->hw.owner_auth))
				fatalx("%s:%u: owner_auth is well-known or "
				       "hex:<40 hex digits>", c->config_file,
				       lineno);
			c->hw.owner_auth_set = true;
		} else if (!strcmp(key, "srk_auth")) {
			if (parse_auth(val, c->hw.srk_auth))
				fatalx("%s:%u: bad srk_auth", c->config_file,
				       lineno);
		} else if (!strcmp(key, "seal_pcrs")) {
			char *tok, *save = NULL;

			for (tok = strtok_r(val, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int pcr = atoi(tok);

				if (!isdigit((unsigned char)tok[0]) ||
				    pcr < 0 || pcr > 23)
					fatalx("%s:%u: bad PCR %s",
					       c->config_file, lineno, tok);
				c->hw.seal_pcr_mask |= 1U << pcr;
			}
		} else if (!strcmp(key, "command_timeout")) {
			c->cmd_timeout_s = (unsigned int)atoi(val);
			if (!c->cmd_timeout_s || c->cmd_timeout_s > 3600)
				fatalx("%s:%u: bad command_timeout",
				       c->config_file, lineno);
		} else {
			fatalx("%s:%u: unknown key %s", c->config_file,
			       lineno, key);
		}
	}
	fclose(f);
}

static void parse_options(int argc, char **argv, struct mgr_config *c)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "backend", required_argument, NULL, 'b' },
		{ "tpm", required_argument, NULL, 't' },
		{ "emulate-hw-tpm", no_argument, NULL, 'e' },
		{ "config", required_argument, NULL, 'c' },
		{ "vtpmd", required_argument, NULL, 'p' },
		{ "tpmd", required_argument, NULL, 'P' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "xenstore", no_argument, NULL, 'X' },
		{ "no-xenstore", no_argument, NULL, 'x' },
		{ "debug", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int cli_timeout;
	int ch;

	memset(c, 0, sizeof(*c));
	c->root = VTPM_DEFAULT_ROOT;
	c->backend = VTPM_DEFAULT_BACKEND;
	c->hwtpm = VTPM_DEFAULT_HWTPM;
	c->config_file = VTPM_DEFAULT_CONFIG;
	c->cmd_timeout_s = VTPM_CMD_TIMEOUT_S;
	c->xenstore = -1;
	c->vtpmd_path = sibling("vtpmd");
	c->tpmd_path = sibling("tpmd");
	while ((ch = getopt_long(argc, argv, "dvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': c->root = optarg; break;
		case 'b': c->backend = optarg; break;
		case 't': c->hwtpm = optarg; break;
		case 'e': c->emulate_hw_tpm = true; break;
		case 'c': c->config_file = optarg; break;
		case 'p': c->vtpmd_path = optarg; break;
		case 'P': c->tpmd_path = optarg; break;
		case 'T':
			c->cmd_timeout_s = (unsigned int)atoi(optarg);
			if (!c->cmd_timeout_s)
				usage();
			break;
		case 'X': c->xenstore = 1; break;
		case 'x': c->xenstore = 0; break;
		case 'd': c->foreground = true; break;
		case 'v': c->verbose++; break;
		case 'V': printf("vtpm_managerd %s\n", MGR_VERSION); exit(0);
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	/* The command line wins over the config file. */
	cli_timeout = c->cmd_timeout_s;
	read_config(c);
	if (cli_timeout != VTPM_CMD_TIMEOUT_S)
		c->cmd_timeout_s = cli_timeout;
	c->hw.root = c->root;
}

/* The state root: 0700 and ours, created if missing. */
static void prepare_root(const char *root)
{
	struct stat st;
	char sub[PATH_MAX];

	if (mkdir(root, 0700) && errno != EEXIST)
		fatal("cannot create %s", root);
	if (stat(root, &st))
		fatal("%s", root);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		fatalx("%s must be a directory owned by the manager's user",
		       root);
	if (st.st_mode & 077)
		log_warnx("%s is accessible to others (mode %o): it should "
			  "be 0700", root, st.st_mode & 0777);
	snprintf(sub, sizeof(sub), "%s/instances", root);
	if (mkdir(sub, 0700) && errno != EEXIST)
		fatal("cannot create %s", sub);
}

/* One manager per state root. */
static void lock_root(const char *root)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/manager.lock", root);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		fatal("%s", path);
	if (flock(fd, LOCK_EX | LOCK_NB))
		fatalx("another vtpm_managerd runs on %s", root);
	/* Kept open (and locked) for the life of the process. */
}

/*
 * The xenstore control plane: on when asked (--xenstore), else when built
 * with libxenstore on a Xen host and serving the kernel backend; a test
 * stand-in backend (unix:PATH) never gets guests from xenstore.
 */
static const struct xs_ops *xenstore_ops(const struct mgr_config *c)
{
#ifdef VTPM_HAVE_XEN
	const struct xs_ops *ops = &xs_libxen_ops;
#else
	const struct xs_ops *ops = NULL;
#endif

	if (c->xenstore == 0)
		return NULL;
	if (c->xenstore == 1) {
		if (!ops)
			fatalx("--xenstore: built without libxenstore and "
			       "libxenctrl (install libxen-dev and rebuild)");
		return ops;
	}
	if (!ops || !strncmp(c->backend, "unix:", 5))
		return NULL;
	if (access("/proc/xen", F_OK) && access("/dev/xen/xenbus", F_OK))
		return NULL;
	return ops;
}

static int setup_signals(struct mgr *m)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked in every thread (workers start later), read by signalfd. */
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	m->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return m->signal_fd < 0 ? -errno : 0;
}

/* Daemon mode: the parent exits when the child is ready (or failed). */
static int daemonize(void)
{
	int pfd[2];
	char ok = 1;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		fatal("pipe");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid > 0) {
		close(pfd[1]);
		if (read(pfd[0], &ok, 1) != 1)
			ok = 1;
		_exit(ok ? 1 : 0);
	}
	close(pfd[0]);
	if (setsid() < 0)
		fatal("setsid");
	return pfd[1];
}

static void ready(int fd)
{
	char ok = 0;
	int null;

	if (fd < 0)
		return;
	if (write(fd, &ok, 1) != 1)
		log_warn("readiness pipe");
	close(fd);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
}

static void shutdown_all(struct mgr *m)
{
	uint64_t until;

	m->stopping = true;
	inst_stop_all(m);
	until = mgr_now_ms() + MGR_STOP_WAIT_MS;
	/* vtpmds stop between commands; answer the NVM traffic of those
	 * finishing one meanwhile, so their last save is not lost. */
	while (mgr_now_ms() < until) {
		size_t i, alive = 0;

		save_collect(m);
		inst_on_nvm(m);
		inst_on_response(m);
		inst_reap(m);
		for (i = 0; i < m->ninst; i++)
			alive += m->inst[i]->pid > 0;
		if (!alive)
			break;
		usleep(10000);
	}
	for (size_t i = 0; i < m->ninst; i++)
		if (m->inst[i]->pid > 0)
			kill(m->inst[i]->pid, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	save_fini(m);
}

int main(int argc, char **argv)
{
	static struct mgr mgr;
	struct mgr *m = &mgr;
	const struct xs_ops *xs_ops;
	char spec[PATH_MAX];
	int ready_fd = -1, err;

	parse_options(argc, argv, &m->cfg);
	log_init("vtpm_managerd", m->cfg.foreground, m->cfg.verbose);
	xs_ops = xenstore_ops(&m->cfg);
	m->backend_fd = m->console_fd = m->rsp_fd = m->nvm_fd = -1;
	m->signal_fd = m->save_done_fd = -1;
	if (!m->cfg.foreground)
		ready_fd = daemonize();
	prepare_root(m->cfg.root);
	lock_root(m->cfg.root);
	if (setup_signals(m))
		fatal("signals");
	m->started_ms = mgr_now_ms();

	if (m->cfg.emulate_hw_tpm) {
		err = hwtpm_spawn_emulator(m->cfg.root, m->cfg.tpmd_path, spec,
					   sizeof(spec), &m->emulator_pid);
		if (err)
			fatalx("cannot start the emulated hardware TPM: %s",
			       strerror(-err));
		m->cfg.hwtpm = spec;
	}
	m->cfg.hw.device = m->cfg.hwtpm;
	err = hwtpm_open(&m->hw, &m->cfg.hw);
	if (err)
		fatalx("hardware TPM %s unusable: %s", m->cfg.hwtpm,
		       strerror(-err));
	err = seal_open(&m->seal, m->cfg.root, m->hw);
	if (err)
		fatalx("cannot load the master key: %s", strerror(-err));
	if ((err = fifo_init(m)) || (err = save_init(m)) ||
	    (err = console_open(m)) || (err = backend_open(m)) ||
	    (err = db_load(m)))
		fatalx("startup failed: %s", strerror(-err));
	if (xs_ops) {
		err = xs_init(m, xs_ops);
		if (err)
			fatalx("cannot watch xenstore: %s (is xenstored "
			       "running? --no-xenstore to run without it)",
			       strerror(-err));
	}
	log_info("ready: root %s, backend %s, hardware TPM %s", m->cfg.root,
		 m->cfg.backend, hwtpm_describe(m->hw));
	ready(ready_fd);

	err = mgr_run(m);
	shutdown_all(m);
	xs_fini(m);
	console_close(m);
	backend_close(m);
	fifo_fini(m);
	seal_close(m->seal);
	hwtpm_close(m->hw);
	if (m->emulator_pid > 0) {
		kill(m->emulator_pid, SIGTERM);
		waitpid(m->emulator_pid, NULL, 0);
	}
	return err ? 1 : 0;
}
