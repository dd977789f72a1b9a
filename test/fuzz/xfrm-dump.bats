#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Smoke-runs the XFRM dump fuzzer: the kernel's SA and policy dumps survive any bytes.

load ../helpers

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "xfrm dump parser survives 20000 fuzzed inputs" {
	local fuzzer=$ND_SRC/build/fuzz/fuzz-xfrm-dump
	[ -x "$fuzzer" ] || fail "build/fuzz/fuzz-xfrm-dump missing: run make fuzz"
	mkdir -p "$ND_TMP/corpus"
	# An SA, a policy and NLMSG_DONE as netdock's own builders make them.
	"$ND_TEST_DIR/test-xfrm" --seed "$ND_TMP/corpus"
	run "$fuzzer" -runs=20000 -max_len=2048 "$ND_TMP/corpus"
	assert_success
	assert_output --partial "Done 20000 runs"
}
