# The front door. CMake does the building; this file installs what is missing and names the
# commands people use: make run, make test, make lab, make bench.

JOBS        ?= $(shell nproc)
DEBUG_DIR   := build/debug
RELEASE_DIR := build/release

# Debian packages, by what needs them.
BUILD_PKGS := cmake g++ make pkg-config libuv1-dev libfmt-dev libtomlplusplus-dev libmimalloc-dev libssl-dev libsystemd-dev libhttp-parser-dev libnghttp2-dev libhiredis-dev
TEST_PKGS  := $(BUILD_PKGS) catch2 libc-ares-dev clang libclang-rt-14-dev nsd unbound bind9-dnsutils bind9-utils ldnsutils dnsperf python3 systemd groff-base dnsdist curl prometheus redis-server knot-dnsutils
DEB_PKGS   := $(BUILD_PKGS) debhelper dpkg-dev git
BENCH_PKGS := $(TEST_PKGS) pdns-recursor knot-resolver gnuplot-nox

.PHONY: all deps-build deps-test deps-bench deps-deb build release install deb lab-build release-all test run lab lab-down bench bench-spoof clean

all: build

# Installs only what is missing; apt-get update only when something is. Services of the packages
# (nsd, unbound, prometheus, pdns-recursor, kresd) are kept from starting during the install by a temporary
# policy-rc.d, so nothing ends up holding port 53.
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  policy=/usr/sbin/policy-rc.d; made_policy=; \
	  if [ ! -e $$policy ]; then printf '#!/bin/sh\nexit 101\n' | $$SUDO tee $$policy >/dev/null && $$SUDO chmod +x $$policy && made_policy=1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  rc=$$?; [ -n "$$made_policy" ] && $$SUDO rm -f $$policy; exit $$rc; \
	fi
endef

deps-build:
	$(call install_missing,$(BUILD_PKGS))
deps-test:
	$(call install_missing,$(TEST_PKGS))
deps-bench:
	$(call install_missing,$(BENCH_PKGS))
deps-deb:
	$(call install_missing,$(DEB_PKGS))

# Debug build with AddressSanitizer and UndefinedBehaviorSanitizer: what the tests run.
build: deps-test
	@cmake -S . -B $(DEBUG_DIR) -DCMAKE_BUILD_TYPE=Debug -DTERN_SANITIZE=ON >/dev/null
	@cmake --build $(DEBUG_DIR) -j $(JOBS)

release: deps-build
	@cmake -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=Release -DTERN_TESTS=OFF >/dev/null
	@cmake --build $(RELEASE_DIR) -j $(JOBS) --target ternd

# Installs ternd, ternd(8), ternd.toml(5), the commented default config and the systemd unit
# (docs/operations.md "Installing"). PREFIX=/usr puts the config in /etc/tern; any other prefix in
# PREFIX/etc/tern. DESTDIR stages the tree elsewhere, as packagers do.
PREFIX ?= /usr/local
install: release
	@DESTDIR=$(DESTDIR) cmake --install $(RELEASE_DIR) --prefix $(PREFIX)

# The Debian package, ../ternd_*.deb (docs/operations.md "Debian package").
deb: deps-deb
	dpkg-buildpackage -b -us -uc

# Release build with the lab's fault authority and the benchmark tools.
LAB_DIR := build/lab-release
lab-build: deps-test
	@cmake -S . -B $(LAB_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(LAB_DIR) -j $(JOBS) --target ternd tern_lab_fault

# Every target (tests and bench tools too) in the Release configuration `make lab` uses. GCC warns
# differently at -O3 and the build has -Werror, so what compiles in Debug can still stop `make lab`;
# `make test` (and so CI) builds this too.
release-all: deps-test
	@cmake -S . -B $(LAB_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(LAB_DIR) -j $(JOBS)

test: build release-all
	@cd $(DEBUG_DIR) && ctest --output-on-failure -j $(JOBS)

# Serves on 127.0.0.1:53 with the compiled-in root hints (real internet roots): for a machine
# that has internet. Nothing is sent upstream until a client asks.
run: release
	$(RELEASE_DIR)/resolver/ternd --listen 127.0.0.1:53

# The offline lab (authoritative servers on 127.53.0.0/16) and ternd on 127.0.0.1:53 resolving
# through it. ternd runs in the foreground: Ctrl-C stops it; `make lab-down` stops the lab.
lab: lab-build
	@tests/lab/lab up --fault $(LAB_DIR)/tests/lab/fault/tern_lab_fault
	@echo; echo "Try:"; \
	echo "  dig @127.0.0.1 www.glue-inside.com A       # walks . -> com. -> glue-inside.com."; \
	echo "  dig @127.0.0.1 www.glue-inside.com A       # again: from cache, TTL counting down"; \
	echo "  dig @127.0.0.1 www.glueless.com A          # name servers without glue"; \
	echo "  dig @127.0.0.1 x2.chain.com A              # CNAME chain across zones"; \
	echo "  dig @127.0.0.1 nosuchname.glue-inside.com  # NXDOMAIN with the SOA"; \
	echo "  The lab's manifest lists every case: $$(tests/lab/lab manifest)"; \
	echo "Stop ternd with Ctrl-C, the lab with: make lab-down"; echo
	$(LAB_DIR)/resolver/ternd --listen 127.0.0.1:53 --root-hints "$$(tests/lab/lab hints)" --upstream-allow 127.0.0.0/8

lab-down:
	@tests/lab/lab down

# Tern against Unbound, PowerDNS Recursor and Knot Resolver on the lab; bounded (< 10 minutes),
# stops everything it started. Table and chart go to bench/results/ (see docs/benchmarks.md).
bench: deps-bench
	@bench/run_bench

# The forged-answer attack (bench/attacks/spoof.py): poisoned trials out of 20 for ternd with its
# defences, without them, and Unbound when installed. Needs root (raw socket). See docs/benchmarks.md.
bench-spoof: lab-build
	@bench/attacks/spoof.py --ternd $(LAB_DIR)/resolver/ternd \
	  --fault $(LAB_DIR)/tests/lab/fault/tern_lab_fault --defences both \
	  $$(command -v unbound >/dev/null && echo --unbound $$(command -v unbound))

clean:
	rm -rf build
