#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Smoke-runs the key ring fuzzer: etcd's value for a network's keys survives any bytes.

load ../helpers

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "key ring parser survives 20000 fuzzed inputs" {
	local fuzzer=$ND_SRC/build/fuzz/fuzz-ipsec-ring
	[ -x "$fuzzer" ] || fail "build/fuzz/fuzz-ipsec-ring missing: run make fuzz"
	mkdir -p "$ND_TMP/corpus"
	printf '%s' '{"keys":[{"id":1,"created":1796166348,"secret":"7E+bJ121UIQdKHCATXBa82EeboS89HE5s5+K4vWKGjU="}],"primary":1}' >"$ND_TMP/corpus/one"
	printf '%s' '{"keys":[{"id":1,"created":1,"secret":"7E+bJ121UIQdKHCATXBa82EeboS89HE5s5+K4vWKGjU="},{"id":2,"created":2,"secret":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}],"primary":2}' >"$ND_TMP/corpus/two"
	run "$fuzzer" -runs=20000 -max_len=1024 "$ND_TMP/corpus"
	assert_success
	assert_output --partial "Done 20000 runs"
}
