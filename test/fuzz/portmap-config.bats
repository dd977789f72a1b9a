#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Smoke-runs the portmap-config fuzzer (built by make fuzz): portmap config and
# portMappings resolution survive arbitrary bytes.

load ../helpers

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "portmap-config parser survives 20000 fuzzed inputs" {
	fuzzer=$ND_SRC/build/fuzz/fuzz-portmap-config
	[ -x "$fuzzer" ] || fail "build/fuzz/fuzz-portmap-config missing: run make fuzz"
	cp -r "$ND_SRC/test/fuzz/corpus/portmap-config" "$ND_TMP/corpus"
	run "$fuzzer" -runs=20000 -max_len=4096 -timeout=10 "$ND_TMP/corpus"
	assert_success
	assert_output --partial "Done 20000 runs"
}
