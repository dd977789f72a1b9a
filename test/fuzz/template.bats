#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Smoke-runs the template fuzzer (built by make fuzz): the parser survives arbitrary bytes.

load ../helpers

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "template parser survives 20000 fuzzed inputs" {
	fuzzer=$ND_SRC/build/fuzz/fuzz-template
	[ -x "$fuzzer" ] || fail "build/fuzz/fuzz-template missing: run make fuzz"
	cp -r "$ND_SRC/test/fuzz/corpus/template" "$ND_TMP/corpus"
	run "$fuzzer" -runs=20000 -max_len=4096 -timeout=10 "$ND_TMP/corpus"
	assert_success
	assert_output --partial "Done 20000 runs"
}
