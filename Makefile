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

.PHONY: all module modules module-check tools install clean check fuzz \
	unit-tests demo deps deb rpm dist version bench bench-fs \
	bench-exact bench-ann bench-ann-native bench-ann-vm fuzz-images crashtest \
	matrix checkpatch

all: module tools

# Probe KDIR's API (src/compat-gen.h), build vexfs.ko against it, then
# refuse the module if it is not kernel-safe.  VEXFS_TESTING=y, which only
# tests/vm/build-module.sh sets, compiles in the testing aids (src/Kbuild).
module modules:
	$(CURDIR)/scripts/compat-probe.sh $(KDIR) $(CURDIR)/src/compat-gen.h
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src VEXFS_TESTING=$(VEXFS_TESTING) modules
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

# Every kernel series Debian ships, 5.10 to 7.3, each built in a chroot of
# its own release and booted with the core VM suites (tests/matrix/run.sh;
# `make check` boots only the oldest and the newest of them).
matrix: deps
	$(CURDIR)/tests/matrix/run.sh --all

# Hostile images on every test kernel: `make fuzz-images N=1000` for a long
# run, `make fuzz-images N=1 SEED=1234` to replay the seed a failure named.
fuzz-images:
	N="$(N)" SEED="$(SEED)" $(CURDIR)/tests/fuzz-images/run.sh

# libFuzzer over the image parser and fsck (tests/fuzz/run.sh); make check
# runs it for 60 s, this for FUZZ_TIME seconds (default an hour).
FUZZ_TIME ?= 3600
fuzz:
	FUZZ_TIME=$(FUZZ_TIME) $(CURDIR)/tests/fuzz/run.sh

# The crash-consistency suite alone, with N crash points per kernel
# (make check runs it with 64): `make crashtest N=1000 [SEED=...]`.
crashtest:
	CRASH_POINTS=$(or $(N),64) $(if $(SEED),CRASH_SEED=$(SEED)) \
		$(CURDIR)/tests/crash/run.sh

# The kernel's checkpatch.pl (vendored in scripts/checkpatch/; nothing is
# fetched) over src/ and common/: every finding is fixed or listed, with
# its reason, in scripts/checkpatch.exceptions (scripts/checkpatch.sh).
checkpatch:
	$(CURDIR)/scripts/checkpatch.sh

demo: deps
	$(CURDIR)/tests/vm/demo.sh

# Benchmarks print ratios against a reference measured in the same run
# (never timed tests); results land in bench/results/.
bench: bench-fs bench-exact

bench-fs:
	$(CURDIR)/scripts/install-deps.sh bench
	$(CURDIR)/bench/fs/run.sh

# Exact vector search throughput in a VM, next to a userspace float scan
# (bench/vectors/run.sh; N, DIM and REPS may be given as BENCH_ARGS).
bench-exact:
	$(CURDIR)/bench/vectors/run.sh $(BENCH_ARGS)

# ANN index against hnswlib and FAISS: the core natively (bench/ann/run.sh)
# and the kernel's index in a QEMU/TCG guest next to both in the same guest
# (bench/ann/vm.sh); BENCH_ARGS=--long adds 1M vectors at 128-d to both.
# One after the other, even under make -j: they would disturb each other.
bench-ann:
	$(MAKE) bench-ann-native
	$(MAKE) bench-ann-vm

bench-ann-native:
	$(CURDIR)/scripts/install-deps.sh ann
	$(CURDIR)/bench/ann/run.sh $(BENCH_ARGS)

bench-ann-vm:
	$(CURDIR)/scripts/install-deps.sh ann
	$(CURDIR)/bench/ann/vm.sh $(BENCH_ARGS)

deb rpm dist:
	$(CURDIR)/scripts/package.sh $@

version:
	@echo $(VERSION)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/src clean 2>/dev/null
	rm -f src/*.o src/*.ko src/*.mod src/*.mod.c src/.*.cmd src/Module.symvers \
		src/modules.order src/compat-gen.h common/*.o common/.*.cmd
	$(MAKE) -C userspace clean
	rm -rf build
