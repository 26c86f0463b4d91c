/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging for every userland daemon of the toolstack (STYLE section 7):
 * syslog in daemon mode, stderr in the foreground, each line tagged with
 * the program and, once known, the instance ("vtpmd[dom7]: ...").  It owns
 * no policy about what is worth logging and never logs on its own behalf,
 * except the "suppressed" count of a rate limiter.
 */
#ifndef VTPM_COMMON_LOG_H
#define VTPM_COMMON_LOG_H

#include <stdbool.h>
#include <stdint.h>

#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LOG_NORETURN __attribute__((noreturn))

/**
 * log_init() - choose where log lines go; call once, early.
 * @progname: program name used as the line prefix and syslog ident;
 *            the string must stay valid (argv[0]'s basename is fine).
 * @foreground: non-zero: write to stderr; zero: write to syslog
 *              (facility LOG_DAEMON).
 * @verbose: non-zero: also emit log_debug() lines.
 *
 * Before log_init() is called, lines go to stderr with no debug output.
 * Calling it again (e.g. after daemonizing) switches the destination.
 */
void log_init(const char *progname, int foreground, int verbose);

/**
 * log_set_tag() - tag every following line with an instance name.
 * @tag: e.g. "dom7", making lines read "vtpmd[dom7]: ..."; NULL removes
 *       the tag.  The string is copied (and truncated to 31 bytes).
 *
 * In syslog mode the tag replaces the pid in the bracket, since the
 * instance is what an operator searches for.
 */
void log_set_tag(const char *tag);

/**
 * log_get_verbose() - is debug output on?
 *
 * Return: true when log_debug() lines are emitted; lets a hot path skip
 * building debug arguments.
 */
bool log_get_verbose(void);

/* A warning with ": strerror(errno)" appended.  All log_* keep errno. */
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
/* A warning, as is. */
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Something an operator may want to know (start, stop, recovery). */
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
/* A trace, only with -v. */
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Log as log_warn() at error level, then exit(1). */
void fatal(const char *fmt, ...) LOG_PRINTF(1, 2) LOG_NORETURN;
/* Log as log_warnx() at error level, then exit(1). */
void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) LOG_NORETURN;

/*
 * Rate limiter for messages a guest or client can trigger at will: at
 * most @burst messages per @interval seconds; the rest are counted and the
 * count is logged when messages are allowed again.  Set up with
 * LOG_RATELIMIT_INIT; the other fields are private.  Not thread-safe (our
 * daemons are single-threaded).
 */
struct log_ratelimit {
	unsigned int interval;	/* seconds; 0 disables limiting */
	unsigned int burst;	/* messages allowed per interval */
	uint64_t begin_ms;	/* start of the current interval */
	unsigned int printed;	/* messages printed in this interval */
	unsigned long missed;	/* messages suppressed in this interval */
};

#define LOG_RATELIMIT_INIT(interval_s, burst_n) \
	{ .interval = (interval_s), .burst = (burst_n) }

/**
 * log_ratelimit() - may a rate-limited message be printed now?
 * @rl: the limiter (one per message class, or per instance).
 *
 * When a new interval starts after messages were suppressed, this first
 * logs "N similar messages suppressed" (a warning), so the count is never
 * lost silently.
 *
 * Return: true to print the message, false to drop it.
 */
bool log_ratelimit(struct log_ratelimit *rl);

#endif /* VTPM_COMMON_LOG_H */
