# Shared build settings for the whole tree (DESIGN section 7).
# Override on the command line: make PREFIX=/usr DESTDIR=/tmp/root install

# Build the standalone emulator daemon (tpmd); the manager's test mode needs it.
BUILD_EMULATOR ?= y
# Reserved: vTPMs in their own domains (not implemented; the process model only).
VTPM_MULTI_VM ?= n
# Kernel tree the modules are built against (Debian linux-headers-<ver>-amd64):
# the running kernel's, else the newest installed Debian headers (a build
# host or container often runs a kernel that has no headers here).
ifndef KDIR
KDIR := $(strip $(if $(wildcard /lib/modules/$(shell uname -r)/build/Makefile),\
	/lib/modules/$(shell uname -r)/build,\
	$(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | \
		sort -V | tail -n 1)))
endif

PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man

# Output directory; `make check` builds O=build and O=build-san SAN=1.
O ?= build
SAN ?= 0

CC ?= cc
WARNFLAGS := -std=c11 -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
	-Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare -Wformat=2 \
	-D_FORTIFY_SOURCE=2
ifeq ($(SAN),1)
OPTFLAGS ?= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
SANLDFLAGS := -fsanitize=address,undefined
else
OPTFLAGS ?= -O2 -g
SANLDFLAGS :=
endif
# CI adds WERROR=1.
ifeq ($(WERROR),1)
WARNFLAGS += -Werror
endif
CPPFLAGS += -D_GNU_SOURCE
CFLAGS += $(OPTFLAGS) $(WARNFLAGS)
LDFLAGS += $(SANLDFLAGS)
CRYPTO_LIBS := -lcrypto
GMP_LIBS := -lgmp
