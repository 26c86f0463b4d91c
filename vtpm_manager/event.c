// SPDX-License-Identifier: GPL-2.0
/*
 * The manager's event loop: one poll() over the backend, the two shared
 * FIFOs, the console, the signalfd and the save workers' eventfd, with
 * the nearest request deadline or restart time as its timeout.  Handlers
 * never block on a guest or a vtpmd.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

enum { P_SIGNAL, P_BACKEND, P_RSP, P_NVM, P_SAVE, P_CONSOLE, P_COUNT };

/* Handle pending signals; false when the manager must stop. */
static bool on_signals(struct mgr *m)
{
	struct signalfd_siginfo si;

	while (read(m->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			inst_reap(m);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("stopping (signal %u)", si.ssi_signo);
			return false;
		case SIGHUP:
			log_info("SIGHUP: nothing to reload");
			break;
		default:
			break;
		}
	}
	return true;
}

static int timeout_ms(struct mgr *m)
{
	uint64_t next = inst_next_deadline(m), now = mgr_now_ms();

	if (!next)
		return -1;
	return next <= now ? 0 : next - now > 60000 ? 60000 :
		(int)(next - now);
}

int mgr_run(struct mgr *m)
{
	struct pollfd p[P_COUNT];
	int n;

	p[P_SIGNAL].fd = m->signal_fd;
	p[P_BACKEND].fd = m->backend_fd;
	p[P_RSP].fd = m->rsp_fd;
	p[P_NVM].fd = m->nvm_fd;
	p[P_SAVE].fd = m->save_done_fd;
	p[P_CONSOLE].fd = m->console_fd;
	for (n = 0; n < P_COUNT; n++)
		p[n].events = POLLIN;
	for (;;) {
		inst_tick(m);
		n = poll(p, P_COUNT, timeout_ms(m));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[P_SIGNAL].revents && !on_signals(m))
			return 0;
		/* Responses and saves first: they free the guests that wait
		 * longest. */
		if (p[P_SAVE].revents)
			save_collect(m);
		if (p[P_RSP].revents)
			inst_on_response(m);
		if (p[P_NVM].revents)
			inst_on_nvm(m);
		if (p[P_BACKEND].revents & (POLLERR | POLLHUP))
			fatalx("the backend went away");
		if (p[P_BACKEND].revents)
			backend_on_readable(m);
		if (p[P_CONSOLE].revents)
			console_on_readable(m);
	}
}
