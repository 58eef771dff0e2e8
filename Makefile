# SPDX-License-Identifier: GPL-2.0
#
# rloader project harness.  The repository is an overlay on the Linux 6.12
# tree; this Makefile assembles the work tree, builds the kernels, runs the
# host tests and the guest selftests.  See README.md.
#
#   make check    selftests, fuzzing and stress on the debug kernel, host
#                 tests, the distro selftests, virtme-ng, bench and the
#                 differential test on the distro kernel
#   make run      boot the normal kernel and show /dev/rloader taking a module
#   make guest-normal   the selftests on the normal kernel (not in make
#                 check: the small kernel without checkers, gzip modules)
#   make run-distro   the same on the distro kernel (signed, compressed modules)
#   make guest-distro   rloader_distro.sh on the distro kernel
#   make guest-unenforced   rloader_unenforced.sh on the distro kernel,
#                 booted without module.sig_enforce=1
#   make differential   every module of the distro kernel through each
#                 loader in its own boot, compared module by module
#   make vng      run the selftests under virtme-ng
#   make stress   concurrency stress on the debug kernel, 4 vCPUs, for
#                 RLOADER_STRESS_SECONDS (default 600)
#   make fuzz-guest   fuzz /dev/rloader on the debug kernel (RLOADER_FUZZ_IMAGES
#                 images of seed RLOADER_FUZZ_SEED)
#   make series   write the project as a format-patch series
#   make rustfmtcheck, make clippy, make checkpatch   the lints of make check

SHELL := /bin/bash
TOP := $(abspath .)
B := $(TOP)/build
TREE := $(B)/linux
JOBS ?= 3
export PATH := $(HOME)/.cargo/bin:$(PATH)

KMAKE = $(MAKE) -s -C $(TREE) ARCH=x86_64 LLVM=1 -j$(JOBS)
FRAG_normal := rloader.config
FRAG_debug := rloader.config rloader-debug.config
FRAG_distro := rloader.config rloader-distro.config

.PHONY: all setup tree kernel kernel-normal kernel-debug rustavailable \
	host-test guest-normal guest-debug guest-distro guest-unenforced differential run-distro kernel-distro stress check run run-shell vng series bench clean fuzz-guest \
	rustfmtcheck clippy checkpatch lint

all: kernel-normal

setup:
	@bash harness/setup.sh

tree: setup
	@bash harness/mktree.sh $(B)

rustavailable: tree
	@$(KMAKE) O=$(B)/out/normal rustavailable

kernel: kernel-normal kernel-debug kernel-distro

# $(1): normal, debug or distro
define kernel_rule
kernel-$(1): tree
	@bash harness/kbuild.sh $(B) $(1) $(JOBS) $(FRAG_$(1))
endef
$(foreach k,normal debug distro,$(eval $(call kernel_rule,$(k))))

host-test: kernel-distro
	@bash harness/host-test.sh $(B)

guest-normal: kernel-normal
	@bash harness/guest.sh $(B) normal test

guest-debug: kernel-debug
	@bash harness/guest.sh $(B) debug test

guest-distro: kernel-distro
	@bash harness/guest.sh $(B) distro distro

guest-unenforced: kernel-distro
	@bash harness/guest.sh $(B) distro unenforced

differential: kernel-distro
	@bash harness/differential.sh $(B)

run-distro: kernel-distro
	@bash harness/guest.sh $(B) distro demo

RLOADER_STRESS_SECONDS ?= 600
stress: kernel-debug
	@RLOADER_GUEST_CPUS=4 RLOADER_STRESS_SECONDS=$(RLOADER_STRESS_SECONDS) \
		bash harness/guest.sh $(B) debug stress

check:
	@bash harness/check.sh $(B) $(JOBS)

RLOADER_FUZZ_IMAGES ?= 20000
RLOADER_FUZZ_SEED ?= 1
fuzz-guest: kernel-debug
	@RLOADER_FUZZ_SUMMARY=$(B)/logs/fuzz-guest-summary.txt \
		bash harness/fuzz-guest.sh $(B) debug $(RLOADER_FUZZ_IMAGES) $(RLOADER_FUZZ_SEED)

run: kernel-normal
	@bash harness/guest.sh $(B) normal demo

run-shell: kernel-normal
	@bash harness/guest.sh $(B) normal shell

vng: kernel-distro
	@bash harness/vng.sh $(B) distro

bench: kernel-distro
	@bash harness/bench.sh $(B)

series: tree
	@bash harness/series.sh $(B)

rustfmtcheck: tree
	@bash harness/lint.sh $(B) rustfmt

clippy: kernel-distro
	@bash harness/lint.sh $(B) clippy $(JOBS)

checkpatch: tree
	@bash harness/lint.sh $(B) checkpatch

lint: rustfmtcheck checkpatch clippy

clean:
	rm -rf $(B)
