#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Smoke-runs the run-dir record fuzzer: the parser survives arbitrary bytes.

load ../helpers

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "record parser survives 20000 fuzzed inputs" {
	local fuzzer=$ND_SRC/build/fuzz/fuzz-record
	[ -x "$fuzzer" ] || fail "build/fuzz/fuzz-record missing: run make fuzz"
	mkdir -p "$ND_TMP/corpus"
	printf '%s' '{"name":"n1","driver":"bridge","subnets":[{"subnet":"10.0.0.0/24","gateway":"10.0.0.1"}],"dns":{"enabled":true,"servers":["1.1.1.1"]},"options":{"a":"b"}}' >"$ND_TMP/corpus/net"
	printf '%s' '{"containerID":"c1","ifname":"eth0","name":"web","aliases":["a"],"links":["b:c"],"ips":["10.0.0.2/24"],"ports":[{"hostIP":"","hostPort":80,"containerPort":80,"protocol":"tcp"}]}' >"$ND_TMP/corpus/ep"
	run "$fuzzer" -runs=20000 -max_len=2048 "$ND_TMP/corpus"
	assert_success
	assert_output --partial "Done 20000 runs"
}
