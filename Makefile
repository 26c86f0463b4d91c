# vTPM toolstack: top-level build (DESIGN section 7).  Non-recursive: each
# directory's Makefile lists its sources and this file builds them into $(O).
TOP_MAKEFILE := 1
include Rules.mk
include tpm_emulator/Makefile
include vtpm/Makefile
include vtpm_manager/Makefile

.PHONY: all check bench fuzz demo install uninstall clean deps tests \
	system-test modules soak
.DEFAULT_GOAL := all

EMU_OBJS := $(EMU_SRCS:%.c=$(O)/tpm_emulator/%.o)
LIBTPMEMU := $(O)/libtpmemu.a
TPMD := $(O)/tpmd

UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(UNIT_SRCS:tests/%.c=$(O)/tests/%)
VECTOR_BIN := $(O)/tests/vectors/vectors_test
REPLAY_BIN := $(O)/tests/fuzz/replay_execute
REPLAY_SEALED_BIN := $(O)/tests/fuzz/replay_sealed
REPLAY_BACKEND_BIN := $(O)/tests/fuzz/replay_backend
REPLAY_CONSOLE_BIN := $(O)/tests/fuzz/replay_console
TSS_PROG := $(O)/tests/integration/tss_conformance
TSS_TRANS_PROG := $(O)/tests/integration/tss_transport
TSS_AUDIT_PROG := $(O)/tests/integration/tss_audit
TSS_DEL_PROG := $(O)/tests/integration/tss_delegation
TSS_KP_PROG := $(O)/tests/integration/tss_keypressure
TSS_MIG_PROG := $(O)/tests/integration/tss_migration
BENCH_BIN := $(O)/tests/bench/bench_inproc
BENCH_NET := $(O)/tests/bench/bench_net
DIFF_BIN := $(O)/tests/diff/tpmdiff
TPMSEND := $(O)/tests/tools/tpmsend
# Independent TPM client for tests (OpenSSL directly, never the engine's
# crypto, so that a bug in the engine cannot hide itself).
TPMCLIENT_OBJS := $(O)/tests/lib/tpmclient.o $(O)/tpm_emulator/marshal.o

VTPMD := $(O)/vtpmd
COMMON_OBJS := $(O)/common/log.o $(O)/common/ipc.o $(O)/common/atomic.o
MANAGERD := $(O)/vtpm_managerd
VTPMCTL := $(O)/vtpmctl
BE_SIM := $(O)/vtpm_be_sim

all: $(LIBTPMEMU) $(TPMD) $(VTPMD) $(MANAGERD) $(VTPMCTL) $(BE_SIM)

tests: all $(UNIT_BINS) $(VECTOR_BIN) $(REPLAY_BIN) $(TSS_PROG) $(DIFF_BIN) \
	$(REPLAY_SEALED_BIN) \
	$(REPLAY_BACKEND_BIN) $(REPLAY_CONSOLE_BIN) \
	$(TSS_TRANS_PROG) \
	$(TSS_AUDIT_PROG) \
	$(TSS_DEL_PROG) \
	$(TPMSEND) $(TSS_MIG_PROG) $(TSS_KP_PROG)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIBTPMEMU): $(EMU_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# The daemon sees the engine's public headers and the shared log.
$(O)/tpm_emulator/tpmd/%.o: CPPFLAGS += -Itpm_emulator -Icommon
$(TPMD): $(TPMD_SRCS:%.c=$(O)/tpm_emulator/%.o) $(O)/common/log.o $(LIBTPMEMU)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRYPTO_LIBS) $(GMP_LIBS)

# The daemons see the engine's public header and common/.
$(O)/vtpm/%.o $(O)/common/%.o: CPPFLAGS += -Itpm_emulator -Icommon
$(VTPMD): $(VTPMD_SRCS:%.c=$(O)/%.o) $(COMMON_OBJS) $(LIBTPMEMU)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRYPTO_LIBS) $(GMP_LIBS)
$(O)/vtpm_manager/%.o: CPPFLAGS += -Itpm_emulator -Icommon
$(MANAGERD): $(MANAGER_SRCS:%.c=$(O)/%.o) $(COMMON_OBJS) $(LIBTPMEMU)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(CRYPTO_LIBS) $(GMP_LIBS)
$(VTPMCTL): $(VTPMCTL_SRCS:%.c=$(O)/%.o) $(O)/common/ipc.o
	$(CC) $(LDFLAGS) -o $@ $^
$(BE_SIM): $(BE_SIM_SRCS:%.c=$(O)/%.o) $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^

# Unit tests see the engine's internal headers.
$(O)/tests/unit/%.o $(O)/tests/vectors/%.o $(O)/tests/fuzz/%.o: \
	CPPFLAGS += -Itpm_emulator
$(O)/tests/unit/%_test: $(O)/tests/unit/%_test.o $(O)/tests/unit/harness.o \
		$(LIBTPMEMU)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(CRYPTO_LIBS) $(GMP_LIBS)
# seal_test drives the manager's sealing code (seal.c, hwtpm.c) against a
# real tpmd, which it finds next to the tests ($(O)/tpmd).
$(O)/tests/unit/seal_test.o: CPPFLAGS += -Ivtpm_manager -Icommon
$(O)/tests/unit/seal_test: $(O)/tests/unit/seal_test.o \
		$(O)/tests/unit/harness.o $(O)/vtpm_manager/seal.o \
		$(O)/vtpm_manager/hwtpm.o $(COMMON_OBJS) $(LIBTPMEMU) | $(TPMD)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka -lpthread $(CRYPTO_LIBS) $(GMP_LIBS)
$(O)/tests/vectors/%.o: CPPFLAGS += -Itests/unit
$(VECTOR_BIN): $(O)/tests/vectors/vectors_test.o $(O)/tests/unit/harness.o \
		$(LIBTPMEMU)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(CRYPTO_LIBS) $(GMP_LIBS)
$(O)/tests/fuzz/%.o: CPPFLAGS += -Itests/unit
$(REPLAY_BIN): $(O)/tests/fuzz/replay_main.o $(O)/tests/fuzz/fuzz_execute.o \
		$(O)/tests/unit/harness.o $(LIBTPMEMU)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(CRYPTO_LIBS) $(GMP_LIBS)
# The sealed-state loader's corpus replay (tests/fuzz/fuzz_sealed.c).
$(O)/tests/fuzz/fuzz_sealed.o: CPPFLAGS += -Ivtpm_manager -Icommon
$(REPLAY_SEALED_BIN): $(O)/tests/fuzz/replay_main.o \
		$(O)/tests/fuzz/fuzz_sealed.o $(O)/vtpm_manager/seal.o \
		$(O)/vtpm_manager/hwtpm.o $(COMMON_OBJS) $(LIBTPMEMU)
	$(CC) $(LDFLAGS) -o $@ $^ -lpthread $(CRYPTO_LIBS) $(GMP_LIBS)
# The manager's guest-packet path (tests/fuzz/fuzz_backend.c) and console
# parser (tests/fuzz/fuzz_console.c); their doubles live in the harnesses,
# and --wrap points console.c's db_save()/inst_start() at them.
FUZZ_CONSOLE_WRAP := -Wl,--wrap=db_save -Wl,--wrap=inst_start
$(O)/tests/fuzz/fuzz_backend.o $(O)/tests/fuzz/fuzz_console.o: \
	CPPFLAGS += -Ivtpm_manager -Icommon
$(REPLAY_BACKEND_BIN): $(O)/tests/fuzz/replay_main.o \
		$(O)/tests/fuzz/fuzz_backend.o $(O)/vtpm_manager/backend.o \
		$(O)/vtpm_manager/instance.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^
$(REPLAY_CONSOLE_BIN): $(O)/tests/fuzz/replay_main.o \
		$(O)/tests/fuzz/fuzz_console.o $(O)/vtpm_manager/console.o \
		$(O)/vtpm_manager/instance.o $(O)/vtpm_manager/db.o \
		$(COMMON_OBJS)
	$(CC) $(LDFLAGS) $(FUZZ_CONSOLE_WRAP) -o $@ $^
$(TSS_PROG): $(O)/tests/integration/tss_conformance.o
	$(CC) $(LDFLAGS) -o $@ $^ -ltspi $(CRYPTO_LIBS)
$(TSS_TRANS_PROG): $(O)/tests/integration/tss_transport.o
	$(CC) $(LDFLAGS) -o $@ $^ -ltspi
$(TSS_AUDIT_PROG): $(O)/tests/integration/tss_audit.o
	$(CC) $(LDFLAGS) -o $@ $^ -ltspi
$(TSS_DEL_PROG): $(O)/tests/integration/tss_delegation.o
	$(CC) $(LDFLAGS) -o $@ $^ -ltspi
$(TSS_KP_PROG): $(O)/tests/integration/tss_keypressure.o
	$(CC) $(LDFLAGS) -o $@ $^ -ltspi $(CRYPTO_LIBS)
$(TSS_MIG_PROG): $(O)/tests/integration/tss_migration.o
	$(CC) $(LDFLAGS) -o $@ $^ -ltspi $(CRYPTO_LIBS)
$(O)/tests/lib/%.o $(O)/tests/diff/%.o $(O)/tests/tools/%.o \
	$(O)/tests/bench/%.o: CPPFLAGS += -Itpm_emulator -Itests/lib
$(DIFF_BIN): $(O)/tests/diff/tpmdiff.o $(TPMCLIENT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRYPTO_LIBS)
$(TPMSEND): $(O)/tests/tools/tpmsend.o $(TPMCLIENT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRYPTO_LIBS)
$(BENCH_BIN): $(O)/tests/bench/bench_inproc.o $(LIBTPMEMU)
	$(CC) $(LDFLAGS) -o $@ $^ -ltpms $(CRYPTO_LIBS) $(GMP_LIBS)
$(BENCH_NET): $(O)/tests/bench/bench_net.o $(TPMCLIENT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRYPTO_LIBS)

deps:
	@scripts/install-deps

# The test command of the README: both builds, every tier, one summary line.
check: deps
	@scripts/run-tests

bench: deps all $(BENCH_BIN) $(BENCH_NET)
	@tests/bench/run-bench $(O)

# libFuzzer run (clang); FUZZ_RUNS=N or FUZZ_TIME=seconds.
fuzz: deps
	@tests/fuzz/run-fuzz

demo: deps all
	@scripts/demo

# Long crash run (tests/integration/crash_test.py; `make check` runs 100
# trials): CRASH_TRIALS=N, CRASH_SEED=N to repeat a run.
CRASH_TRIALS ?= 1000
soak: deps all tests
	@O=$(O) CRASH_TRIALS=$(CRASH_TRIALS) tests/integration/crash_test.py

# The daemons share one sbin directory: the manager runs vtpmd and tpmd
# from next to its own executable.  The config and the state root are
# system paths (not under PREFIX); an existing config is never replaced,
# and uninstall leaves the state root (every guest's TPM) alone.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR_VTPM ?= /etc/vtpm
VTPM_STATE_ROOT ?= /var/vtpm
INSTALL_SBIN := $(TPMD) $(VTPMD) $(MANAGERD) $(BE_SIM)
INSTALL_MAN8 := tpm_emulator/tpmd/tpmd.8 vtpm/vtpmd.8 \
	vtpm_manager/vtpm_managerd.8 vtpm_manager/vtpmctl.8 \
	vtpm_manager/vtpm_be_sim.8

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR)/tpm_emulator \
		$(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0644 $(LIBTPMEMU) $(DESTDIR)$(LIBDIR)/libtpmemu.a
	install -m 0644 tpm_emulator/tpm_emulator.h \
		$(DESTDIR)$(INCDIR)/tpm_emulator/tpm_emulator.h
	install -m 0755 $(INSTALL_SBIN) $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(VTPMCTL) $(DESTDIR)$(BINDIR)/vtpmctl
	install -m 0644 $(INSTALL_MAN8) $(DESTDIR)$(MANDIR)/man8/
	sed 's|@SBINDIR@|$(SBINDIR)|g' vtpm_manager/vtpm_managerd.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/vtpm_managerd.service.tmp
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/vtpm_managerd.service.tmp
	mv -f $(DESTDIR)$(SYSTEMDUNITDIR)/vtpm_managerd.service.tmp \
		$(DESTDIR)$(SYSTEMDUNITDIR)/vtpm_managerd.service
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR_VTPM)
	install -m 0644 vtpm_manager/vtpm_managerd.conf.sample \
		$(DESTDIR)$(SYSCONFDIR_VTPM)/vtpm_managerd.conf.sample
	test -e $(DESTDIR)$(SYSCONFDIR_VTPM)/vtpm_managerd.conf || \
		install -m 0600 vtpm_manager/vtpm_managerd.conf.sample \
			$(DESTDIR)$(SYSCONFDIR_VTPM)/vtpm_managerd.conf
	install -d -m 0700 $(DESTDIR)$(VTPM_STATE_ROOT)

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libtpmemu.a \
		$(DESTDIR)$(INCDIR)/tpm_emulator/tpm_emulator.h \
		$(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(INSTALL_SBIN))) \
		$(DESTDIR)$(BINDIR)/vtpmctl \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(INSTALL_MAN8))) \
		$(DESTDIR)$(SYSTEMDUNITDIR)/vtpm_managerd.service \
		$(DESTDIR)$(SYSCONFDIR_VTPM)/vtpm_managerd.conf.sample
	@echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR_VTPM)/vtpm_managerd.conf" \
		"and $(DESTDIR)$(VTPM_STATE_ROOT) (every guest's TPM state)"

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(O) -name '*.d' 2>/dev/null)
