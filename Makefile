# SPDX-License-Identifier: GPL-2.0
#
# VexFS top-level Makefile.  It only delegates: the kernel module is built
# by kbuild from src/Kbuild, the tools by userspace/Makefile, and the tests
# by tests/.  DKMS calls the `module` target of this same file, so there is
# exactly one build recipe.

VERSION := $(shell cat $(CURDIR)/VERSION)

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

# Tests and the demo use these kernels (newest of each Debian 12 series);
# tests/vm/kernels.sh resolves them from the apt archive when unset.
export VEXFS_KERNELS

.PHONY: all module modules module-check tools install clean check \
	unit-tests demo deps deb rpm dist version crashtest

all: module tools

# Build vexfs.ko against KDIR, then refuse it if it is not kernel-safe.
module modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src modules
	$(MAKE) module-check

module-check:
	$(CURDIR)/scripts/check-kernel-safe.sh $(CURDIR)/src/vexfs.ko

tools:
	$(MAKE) -C userspace

install:
	$(MAKE) -C userspace install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

unit-tests:
	$(CURDIR)/tests/unit/run.sh

# Installs missing build and test dependencies (apt-get), then runs every
# suite: unit tests, kernel-safety check tests, fsck fixtures and the VM
# suites on both kernel series.
check: deps
	$(CURDIR)/tests/run-all.sh

deps:
	$(CURDIR)/scripts/install-deps.sh

# The crash-consistency suite alone, with N crash points per kernel
# (make check runs it with 64): `make crashtest N=1000 [SEED=...]`.
N ?= 64
crashtest:
	CRASH_POINTS=$(N) $(if $(SEED),CRASH_SEED=$(SEED)) \
		$(CURDIR)/tests/crash/run.sh

demo: deps
	$(CURDIR)/tests/vm/demo.sh

deb rpm dist:
	$(CURDIR)/scripts/package.sh $@

version:
	@echo $(VERSION)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/src clean 2>/dev/null
	rm -f src/*.o src/*.ko src/*.mod src/*.mod.c src/.*.cmd src/Module.symvers \
		src/modules.order src/compat-gen.h
	$(MAKE) -C userspace clean
	rm -rf build
