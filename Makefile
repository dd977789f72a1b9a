# SPDX-License-Identifier: MIT
# netdock: build, test, install, demo, bench, deps. See README.md.

PREFIX ?= /usr/local
DESTDIR ?=
CNI_BIN_DIR ?= /opt/cni/bin
BUILD ?= build

CC ?= cc
PKGS := libnl-3.0 libnl-route-3.0 libnftnl libmnl libcjson ldns libcap
# libcurl: headers only; common/curl-dl.c loads it at run time (etcd clients only).
PKG_CFLAGS_CURL := $(shell pkg-config --cflags libcurl 2>/dev/null)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wstrict-prototypes
override CFLAGS += -std=gnu11 $(WARN) -D_GNU_SOURCE -fno-strict-aliasing -MMD -MP \
	-I. -Icommon $(PKG_CFLAGS) $(PKG_CFLAGS_CURL) $(EXTRA_CFLAGS)
override LDFLAGS += $(EXTRA_LDFLAGS)
# libnl and libnftnl go in statically: loading their shared objects and
# running their constructors took ~0.4 ms of every plugin exec here (200
# VERSION calls, 1.5 ms dynamic vs 1.1 ms static), and a runtime execs a
# plugin per attachment. Debian ships no static libmnl or libcjson.
STATIC_LIBS := -lnl-route-3 -lnl-3 -lnftnl
LDLIBS := -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic $(filter-out $(STATIC_LIBS),$(PKG_LIBS)) -lpthread

# Every plugins/<name>/ with a main.c is a CNI plugin binary called <name>.
PLUGINS := $(patsubst plugins/%/main.c,%,$(wildcard plugins/*/main.c))
DAEMONS := $(if $(wildcard dnsd/main.c),netdock-dnsd)
# netdock-overlayd: the overlay's etcd sync agent (plugins/overlay/overlayd/).
OVERLAYD_SRCS := $(wildcard plugins/overlay/overlayd/*.c)
DAEMONS += $(if $(OVERLAYD_SRCS),netdock-overlayd)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
COMMON_SRCS := $(wildcard common/*.c common/l2/*.c)
COMMON_LIB := $(BUILD)/libnetdock.a

# Each component's non-main sources form an archive the unit tests and fuzzers link too.
comp_srcs = $(filter-out $(1)/main.c,$(wildcard $(1)/*.c))
comp_lib = $(BUILD)/lib$(notdir $(1)).a
# netdock, the command (cli/): conflists in, Docker's network commands out.
CLI_SRCS := $(wildcard cli/*.c)
COMPONENTS := $(addprefix plugins/,$(PLUGINS)) $(if $(DAEMONS),dnsd) $(if $(CLI_SRCS),cli)
COMP_LIBS := $(foreach c,$(COMPONENTS),$(call comp_lib,$(c)))

BINS := $(addprefix $(BUILD)/bin/,$(PLUGINS) $(DAEMONS))
BINS += $(if $(CLI_SRCS),$(BUILD)/bin/netdock)
UNIT_SRCS := $(wildcard test/unit/test-*.c)
UNIT_BINS := $(patsubst test/unit/%.c,$(BUILD)/test/%,$(UNIT_SRCS))
# Drivers the bats suites run (built with the tests, not run as unit tests).
TOOL_BINS := $(BUILD)/test/ipsec-tool

.PHONY: all clean test unit asan test-asan fuzz install install-cli deps demo bench format check-format
all: $(COMMON_LIB) $(BINS) $(UNIT_BINS) $(TOOL_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(COMMON_LIB): $(call obj,$(COMMON_SRCS))
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

define component_rules
$(call comp_lib,$(1)): $(call obj,$(call comp_srcs,$(1))) $(call obj,$(1)/main.c)
	@mkdir -p $$(dir $$@)
	rm -f $$@
	$$(AR) rcs $$@ $(call obj,$(call comp_srcs,$(1)))
endef
$(foreach c,$(COMPONENTS),$(eval $(call component_rules,$(c))))

# --as-needed: dnsd uses ldns's constants only, and libldns brought libcrypto
# and libssl along (1.9 MB of its resident memory); libmnl goes too.
$(BUILD)/bin/netdock-dnsd: $(call obj,dnsd/main.c) $(call comp_lib,dnsd) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -Wl,--as-needed $(LDLIBS)

$(BUILD)/bin/netdock-overlayd: $(call obj,$(OVERLAYD_SRCS)) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/%: $(BUILD)/obj/plugins/%/main.o $(BUILD)/lib%.a $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter-out $(COMMON_LIB),$^) $(COMMON_LIB) $(LDLIBS)

# The command links ipam-subnet's archive (its subnet registry, so create picks
# the subnet ipam-subnet would) and libcrypto (SHA-256/512: the IDs Podman and
# cnitool derive, so all three name networks and containers alike).
$(BUILD)/bin/netdock: $(call obj,cli/main.c) $(call comp_lib,cli) $(call comp_lib,plugins/ipam-subnet) \
		$(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcrypto

# bridge carries ipam-subnet in-process (common/delegate.h).
$(BUILD)/bin/bridge: $(call comp_lib,plugins/ipam-subnet)
# overlay too (and runs the bridge driver's steps from common/l2/).
$(BUILD)/bin/overlay: $(call comp_lib,plugins/ipam-subnet)

$(BUILD)/test/ipsec-tool: $(BUILD)/obj/test/encrypt/ipsec-tool.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(COMMON_LIB) $(LDLIBS)

$(BUILD)/test/%: $(BUILD)/obj/test/unit/%.o $(COMP_LIBS) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(COMP_LIBS) $(COMMON_LIB) $(LDLIBS)

# make test: unit tests and every bats suite, one closing "N passed, N failed, N skipped".
# deps first (a no-op when everything is installed), then the build: `sudo make
# test` works on a fresh Debian 12 machine.
test: deps
	$(MAKE) all fuzz
	ND_BIN_DIR=$(abspath $(BUILD)/bin) ND_TEST_DIR=$(abspath $(BUILD)/test) test/run

unit: all
	ND_BIN_DIR=$(abspath $(BUILD)/bin) ND_TEST_DIR=$(abspath $(BUILD)/test) test/run --unit-only

# AddressSanitizer + UBSan build in build/asan; test-asan runs the suites on it.
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BUILD=$(BUILD)/asan CFLAGS="-O1 -g" EXTRA_CFLAGS="$(SAN_FLAGS)" \
		EXTRA_LDFLAGS="$(SAN_FLAGS)" all
test-asan: asan fuzz
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ND_BIN_DIR=$(abspath $(BUILD)/asan/bin) ND_TEST_DIR=$(abspath $(BUILD)/asan/test) \
	ND_ASAN=1 test/run

# libFuzzer targets: test/fuzz/fuzz-<input>.c -> build/fuzz/fuzz-<input>.
FUZZ_SRCS := $(wildcard test/fuzz/fuzz-*.c)
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
fuzz:
	$(MAKE) BUILD=$(BUILD)/fuzz-lib CC=clang CFLAGS="-O1 -g" \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" $(BUILD)/fuzz-lib/libnetdock.a \
		$(foreach c,$(COMPONENTS),$(BUILD)/fuzz-lib/lib$(notdir $(c)).a)
	@mkdir -p $(BUILD)/fuzz
	set -e; for f in $(FUZZ_SRCS); do \
		clang -std=gnu11 -D_GNU_SOURCE -O1 -g $(FUZZ_FLAGS) -I. -Icommon $(PKG_CFLAGS) \
		-o $(BUILD)/fuzz/$$(basename $$f .c) $$f \
		$(foreach c,$(COMPONENTS),$(BUILD)/fuzz-lib/lib$(notdir $(c)).a) \
		$(BUILD)/fuzz-lib/libnetdock.a $(LDLIBS); done

install: install-cli
install-cli: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(BUILD)/bin/netdock $(DESTDIR)$(PREFIX)/bin/netdock
	install -m 0644 cli/netdock.1 $(DESTDIR)$(PREFIX)/share/man/man1/netdock.1
	install -m 0644 cli/netdock.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/netdock
install: $(BINS)
	install -d $(DESTDIR)$(CNI_BIN_DIR) $(DESTDIR)$(PREFIX)/sbin
	for p in $(PLUGINS); do install -m 0755 $(BUILD)/bin/$$p $(DESTDIR)$(CNI_BIN_DIR)/$$p; done
	for d in $(DAEMONS); do install -m 0755 $(BUILD)/bin/$$d $(DESTDIR)$(PREFIX)/sbin/$$d; done
	if [ -f dnsd/netdock-dnsd.service ]; then install -d $(DESTDIR)/etc/systemd/system && \
		install -m 0644 dnsd/netdock-dnsd.service $(DESTDIR)/etc/systemd/system/; fi
	if [ -f plugins/overlay/overlayd/netdock-overlayd.service ]; then \
		install -d $(DESTDIR)/etc/systemd/system && install -m 0644 \
		plugins/overlay/overlayd/netdock-overlayd.service $(DESTDIR)/etc/systemd/system/; fi

# Debian packages for build, tests, demo and benchmarks; installs only what is missing.
DEB_BUILD := build-essential pkg-config clang libnl-3-dev libnl-route-3-dev libnftnl-dev \
	libmnl-dev libcjson-dev libldns-dev libcap-dev libcurl4-openssl-dev libclang-rt-14-dev
DEB_TEST := bats bats-support bats-assert iproute2 nftables conntrack iputils-ping dnsutils \
	socat procps jq util-linux python3 dnsmasq-base
DEB_BENCH := containernetworking-plugins aardvark-dns dnsperf hyperfine iptables iperf3
# overlay: etcd for the multi-host tests and demo, libcurl (loaded by the etcd client), openssl (TLS test).
DEB_OVERLAY := etcd-server etcd-client libcurl4 openssl
DEB_ALL := $(DEB_BUILD) $(DEB_TEST) $(DEB_BENCH) $(DEB_OVERLAY)
# test/cri: a private containerd (CRI plugin, runc shim), our CRI client's grpc and
# protobuf modules and protoc, the busybox the test images are built from.
DEB_CRI := containerd runc python3-grpcio python3-protobuf python3-grpc-tools busybox-static
DEB_ALL += $(DEB_CRI)
# test/firewall: hosts with a firewall, each in a namespace: dockerd (docker.io, and the
# containerd it starts), ufw, firewalld on a private dbus-daemon; dbus-send is how the
# bridge talks to firewalld; both iptables backends come with iptables.
DEB_FIREWALL := docker.io ufw firewalld dbus-daemon dbus-bin iptables curl
DEB_ALL += $(DEB_FIREWALL)
# netdock (cli/): libcrypto; the Podman test runs runc (cgroupfs) on an image from busybox-static.
DEB_CLI := libssl-dev podman runc conmon busybox-static
DEB_ALL += $(DEB_CLI)
# Encrypted overlays: modprobe for the ESP modules, tcpdump for captures, etcd inside the VM
# (test/vm below: the machine's kernel may have no ESP).
DEB_ENCRYPT := kmod tcpdump etcd-server etcd-client curl
DEB_ALL += $(DEB_ENCRYPT)
# test/vm: a QEMU VM on Debian's own kernel (ESP, gcm, nftables inet as modules) for the
# encrypted overlay suites and bench; busybox, cpio and xz make its initramfs and kernel at test time.
DEB_VM := qemu-system-x86 linux-image-amd64 busybox-static kmod cpio xz-utils
DEB_ALL += $(DEB_VM)
deps:
	@missing=$$(for p in $(DEB_ALL); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
		|| echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$$missing >/dev/null; \
	else echo "all packages present"; fi

demo: deps
	$(MAKE) all
	ND_BIN_DIR=$(abspath $(BUILD)/bin) test/demo/run

bench: all
	ND_BIN_DIR=$(abspath $(BUILD)/bin) test/bench/run

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
check-format:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
