// SPDX-License-Identifier: GPL-2.0
/*
 * Logging backend shared by tpmd, vtpmd and vtpm_managerd: formats one
 * line and sends it to stderr or syslog.  Never called from a signal
 * handler; keeps errno intact so callers can log and then inspect it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* One log line; longer messages are truncated, never split. */
#define LOG_LINE_MAX	1024
/* Longest instance tag kept by log_set_tag(), including the NUL. */
#define LOG_TAG_MAX	32
/* "progname[tag]", the syslog ident; openlog() keeps the pointer. */
#define LOG_IDENT_MAX	96

static const char *log_progname = "?";
static int log_foreground = 1;
static int log_verbose;
static char log_tag[LOG_TAG_MAX];
static char log_ident[LOG_IDENT_MAX];

static void log_open_syslog(void)
{
	/*
	 * A tagged line carries the instance in the bracket where syslog
	 * would put the pid: "vtpmd[dom7]: ...".  Untagged lines keep the
	 * pid so that two daemons of the same name can be told apart.
	 */
	if (log_tag[0]) {
		snprintf(log_ident, sizeof(log_ident), "%s[%s]", log_progname,
			 log_tag);
		openlog(log_ident, LOG_NDELAY, LOG_DAEMON);
	} else {
		snprintf(log_ident, sizeof(log_ident), "%s", log_progname);
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	}
}

void log_init(const char *progname, int foreground, int verbose)
{
	if (progname) {
		const char *slash = strrchr(progname, '/');

		log_progname = slash ? slash + 1 : progname;
	}
	log_foreground = foreground;
	log_verbose = verbose;
	if (foreground)
		closelog();
	else
		log_open_syslog();
}

void log_set_tag(const char *tag)
{
	snprintf(log_tag, sizeof(log_tag), "%s", tag ? tag : "");
	if (!log_foreground)
		log_open_syslog();
}

bool log_get_verbose(void)
{
	return log_verbose;
}

static void write_stderr(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

__attribute__((format(printf, 3, 0)))
static void vlog(int pri, int err, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	char line[LOG_LINE_MAX + LOG_IDENT_MAX + 4];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err) {
		size_t used = strlen(msg);

		snprintf(msg + used, sizeof(msg) - used, ": %s",
			 strerror(err));
	}

	if (!log_foreground) {
		syslog(pri, "%s", msg);
		return;
	}
	if (log_tag[0])
		n = snprintf(line, sizeof(line), "%s[%s]: %s\n", log_progname,
			     log_tag, msg);
	else
		n = snprintf(line, sizeof(line), "%s: %s\n", log_progname,
			     msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* One write() per line, so lines of several processes never mix. */
	write_stderr(line, (size_t)n);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_info(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_debug(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
	errno = saved;
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

bool log_ratelimit(struct log_ratelimit *rl)
{
	uint64_t now;

	if (!rl->interval)
		return true;

	now = monotonic_ms();
	/* begin_ms == 0: never used; the clock is far past 0 by now. */
	if (!rl->begin_ms ||
	    now - rl->begin_ms >= (uint64_t)rl->interval * 1000U) {
		if (rl->missed)
			log_warnx("%lu similar messages suppressed",
				  rl->missed);
		rl->begin_ms = now;
		rl->printed = 0;
		rl->missed = 0;
	}
	if (rl->printed < rl->burst) {
		rl->printed++;
		return true;
	}
	rl->missed++;
	return false;
}
