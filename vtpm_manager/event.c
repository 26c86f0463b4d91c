// SPDX-License-Identifier: GPL-2.0
/*
 * The manager's event loop: one poll() over the backend, the two shared
 * FIFOs, the console, the signalfd, the save workers' eventfd and
 * xenstore, with the nearest request deadline or restart time as its
 * timeout.  Handlers never block on a guest or a vtpmd.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"

enum { P_SIGNAL, P_BACKEND, P_RSP, P_NVM, P_SAVE, P_CONSOLE, P_XS, P_COUNT };

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
	uint64_t next = inst_next_deadline(m), now = m->now_ms;
	uint64_t xs = xs_next_deadline(m);

	if (xs && (!next || xs < next))
		next = xs;
	if (!next)
		return -1;
	return next <= now ? 0 : next - now > 60000 ? 60000 :
		(int)(next - now);
}

static bool other_events(const struct pollfd *p)
{
	int i;

	for (i = 0; i < P_COUNT; i++)
		if (p[i].revents && i != P_BACKEND && i != P_RSP)
			return true;
	return false;
}

/*
 * poll(), not epoll: with this handful of fds a wake-up through poll()
 * costs less (measured: docs/bench.md, "Hop by hop").
 */
int mgr_run(struct mgr *m)
{
	struct pollfd p[P_COUNT];
	int n;

	p[P_SIGNAL].fd = m->signal_fd;
	p[P_BACKEND].fd = m->backend_fd;
	p[P_SAVE].fd = m->save_done_fd;
	p[P_CONSOLE].fd = m->console_fd;
	p[P_XS].fd = xs_fd(m);		/* -1 (ignored by poll) when off */
	for (n = 0; n < P_COUNT; n++)
		p[n].events = POLLIN;
	m->now_ms = mgr_now_ms();
	for (;;) {
		inst_tick(m);
		xs_tick(m);
		/* Both shared FIFOs are replaced when one is out of sync. */
		p[P_RSP].fd = m->rsp_fd;
		p[P_NVM].fd = m->nvm_fd;
		n = poll(p, P_COUNT, timeout_ms(m));
		m->now_ms = mgr_now_ms();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* A guest request or a vtpmd's answer keeps inst_tick()'s
		 * cached deadline right; anything else may change it. */
		if (!n || other_events(p))
			inst_tick_soon(m);
		if (p[P_SIGNAL].revents && !on_signals(m))
			return 0;
		/* Responses and saves first: they free the guests that wait
		 * longest. */
		if (p[P_SAVE].revents)
			save_collect(m);
		if (p[P_RSP].revents && inst_on_response(m))
			fifo_recover(m, "the response FIFO");
		if (p[P_NVM].revents && inst_on_nvm(m))
			fifo_recover(m, "the vtpmd command FIFO");
		if (p[P_BACKEND].revents & (POLLERR | POLLHUP))
			fatalx("the backend went away");
		if (p[P_BACKEND].revents)
			backend_on_readable(m);
		if (p[P_CONSOLE].revents)
			console_on_readable(m);
		if (p[P_XS].revents)
			xs_on_readable(m);
	}
}
