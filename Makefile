# vTPM toolstack: top-level build (DESIGN section 7).  Non-recursive: each
# directory's Makefile lists its sources and this file builds them into $(O).
TOP_MAKEFILE := 1
include Rules.mk
# kernel/include/vtpm_shared.h is the /dev/vtpm ABI: the daemons and their
# tests include it as the kernel modules do.
CPPFLAGS += -Ikernel/include
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
BENCH_HOPS := $(O)/tests/bench/bench_hops
DIFF_BIN := $(O)/tests/diff/tpmdiff
TPMSEND := $(O)/tests/tools/tpmsend
# The system test's TPM client inside Xen guests (tests/system/).
GUEST_TPM := $(O)/tests/system/guest_tpm
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
	$(TPMSEND) $(TSS_MIG_PROG) $(TSS_KP_PROG) \
	$(GUEST_TPM)

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
$(VTPMD): $(VTPMD_SRCS:%.c=$(O)/%.o) $(COMMON_OBJS) $(LIBTPMEMU) \
		$(VTPMD_ORDER)
	$(CC) $(LDFLAGS) $(VTPMD_LDFLAGS) -o $@ $(filter %.o %.a,$^) \
		$(CRYPTO_LIBS) $(GMP_LIBS)
$(O)/vtpm_manager/%.o: CPPFLAGS += -Itpm_emulator -Icommon
$(MANAGERD): $(MANAGER_SRCS:%.c=$(O)/%.o) $(COMMON_OBJS) $(LIBTPMEMU)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(CRYPTO_LIBS) $(GMP_LIBS) \
		$(XEN_LIBS)
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
# xenstore_test drives the xenstore control plane (xenstore.c) on an
# in-memory xenstore with the real db.c and instance.c; --wrap points
# xenstore.c's inst_start()/inst_stop() at doubles (no vtpmd is run).
XS_TEST_WRAP := -Wl,--wrap=inst_start -Wl,--wrap=inst_stop
$(O)/tests/unit/xenstore_test.o: CPPFLAGS += -Ivtpm_manager -Icommon
$(O)/tests/unit/xenstore_test: $(O)/tests/unit/xenstore_test.o \
		$(O)/vtpm_manager/xenstore.o $(O)/vtpm_manager/db.o \
		$(O)/vtpm_manager/instance.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) $(XS_TEST_WRAP) -o $@ $^ -lcmocka
# backend_test drives vtpm_manager/backend.c; read() and write() of the
# backend's fd are wrapped to inject what only the kernel device returns.
$(O)/tests/unit/backend_test.o: CPPFLAGS += -Ivtpm_manager -Icommon
$(O)/tests/unit/backend_test: $(O)/tests/unit/backend_test.o \
		$(O)/vtpm_manager/backend.o $(COMMON_OBJS)
	$(CC) $(LDFLAGS) -Wl,--wrap=read -Wl,--wrap=__read_chk \
		-Wl,--wrap=write -o $@ $^ -lcmocka
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
$(O)/tests/system/%.o: CPPFLAGS += -Itpm_emulator -Itests/lib
$(GUEST_TPM): $(O)/tests/system/guest_tpm.o $(TPMCLIENT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRYPTO_LIBS)
$(BENCH_BIN): $(O)/tests/bench/bench_inproc.o $(LIBTPMEMU)
	$(CC) $(LDFLAGS) -o $@ $^ -ltpms $(CRYPTO_LIBS) $(GMP_LIBS)
$(BENCH_NET): $(O)/tests/bench/bench_net.o $(TPMCLIENT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRYPTO_LIBS)
# The path hop by hop (tests/bench/bench_hops.c): it links the engine for
# its in-process row.
$(BENCH_HOPS): $(O)/tests/bench/bench_hops.o $(LIBTPMEMU)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRYPTO_LIBS) $(GMP_LIBS)

deps:
	@scripts/install-deps

# The test command of the README: both builds, every tier, one summary line.
check: deps
	@scripts/run-tests

bench: deps all $(BENCH_BIN) $(BENCH_NET) $(BENCH_HOPS)
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

# Kernel modules, out of tree against $(KDIR) (Rules.mk); the .ko files stay
# next to their sources, as Kbuild puts them.  O= keeps our build dir from
# becoming the kernel's output dir.  KVER is the release the headers were
# configured for (their vermagic); Debian's include/config/kernel.release
# holds the upstream version instead.
.PHONY: modules_install modules_clean
KMOD_DIRS := kernel/tpmback kernel/tpmfront
KMODS := kernel/tpmback/tpmbk.ko kernel/tpmfront/tpm_xenu.ko
KVER = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)".*/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
INSTALL_MOD_PATH ?=
INSTALL_MOD_DIR ?= extra
DEPMOD ?= /sbin/depmod
KMOD_READY = $(and $(wildcard $(KDIR)/Makefile),$(wildcard kernel/tpmback/*.c))

modules:
	@test -f "$(KDIR)/Makefile" || { echo "modules: no kernel build" \
		"tree at KDIR=$(KDIR) (apt install linux-headers-amd64," \
		"or set KDIR)" >&2; exit 1; }
	@for d in $(KMOD_DIRS); do \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/$$d O= modules || exit 1; \
	done

# Like the kernel's own modules_install: $(INSTALL_MOD_PATH) (and DESTDIR)
# prefix /lib/modules.  depmod runs where a whole module tree is (a
# modules.order): in a packaging staging dir it would write an index of our
# two modules only, which would replace the system's on installation.
KMOD_BASE = $(or $(DESTDIR)$(INSTALL_MOD_PATH),/)
modules_install: modules
	@test -n "$(KVER)" || { echo "modules_install: no kernel release" \
		"in $(KDIR)/include/generated/utsrelease.h" >&2; exit 1; }
	install -d $(DESTDIR)$(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)
	install -m 0644 $(KMODS) \
		$(DESTDIR)$(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/
	@if [ -f $(KMOD_BASE)/lib/modules/$(KVER)/modules.order ]; then \
		echo "$(DEPMOD) -b $(KMOD_BASE) $(KVER)"; \
		$(DEPMOD) -b $(KMOD_BASE) $(KVER); \
	else \
		echo "modules_install: $(KMOD_BASE)/lib/modules/$(KVER) is" \
			"not a whole module tree: run 'depmod $(KVER)' on" \
			"the target"; \
	fi

modules_clean:
	@if [ -f "$(KDIR)/Makefile" ]; then \
		for d in $(KMOD_DIRS); do \
			$(MAKE) -C $(KDIR) M=$(CURDIR)/$$d O= clean; \
		done; \
	fi

# The real Xen 4.17 in QEMU with Debian's kernel (tests/system/README):
# not part of `make check`.  SYSTEST_ARGS passes options to the runner,
# e.g. SYSTEST_ARGS="--keep" or "--scenario FILE".
.PHONY: system-deps
system-deps:
	@scripts/install-deps --system
system-test: system-deps all $(GUEST_TPM) modules
	@tests/system/run-system-test -O $(O) $(SYSTEST_ARGS)
	@echo "system-test: tpmbk against hostile frontends (kernel/tpmback/tests)"
	@KDIR=$(KDIR) kernel/tpmback/tests/run -O $(O) $(SYSTEST_ARGS)
	@echo "system-test: tpm_xenu across backend and manager restarts (kernel/tpmfront/tests)"
	@KDIR=$(KDIR) kernel/tpmfront/tests/run -O $(O) $(SYSTEST_ARGS)
clean: modules_clean

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
	@if [ -n "$(KMOD_READY)" ]; then \
		$(MAKE) --no-print-directory modules_install; \
	else \
		echo "install: kernel modules not installed (no kernel" \
			"headers at KDIR=$(KDIR))"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libtpmemu.a \
		$(DESTDIR)$(INCDIR)/tpm_emulator/tpm_emulator.h \
		$(addprefix $(DESTDIR)$(SBINDIR)/,$(notdir $(INSTALL_SBIN))) \
		$(DESTDIR)$(BINDIR)/vtpmctl \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(INSTALL_MAN8))) \
		$(DESTDIR)$(SYSTEMDUNITDIR)/vtpm_managerd.service \
		$(DESTDIR)$(SYSCONFDIR_VTPM)/vtpm_managerd.conf.sample
	@if [ -n "$(KVER)" ]; then \
		d=$(DESTDIR)$(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR); \
		rm -f $$d/tpmbk.ko $$d/tpm_xenu.ko; \
		rmdir $$d 2>/dev/null || true; \
		if [ -f $(KMOD_BASE)/lib/modules/$(KVER)/modules.order ]; then \
			$(DEPMOD) -b $(KMOD_BASE) $(KVER); \
		fi; \
	fi
	@echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR_VTPM)/vtpm_managerd.conf" \
		"and $(DESTDIR)$(VTPM_STATE_ROOT) (every guest's TPM state)"

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(O) -name '*.d' 2>/dev/null)
