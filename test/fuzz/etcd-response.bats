#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Smoke-runs the etcd answer fuzzer: range, txn, lease, error and watch parsers survive any bytes.

load ../helpers

setup() { nd_setup; }
teardown() { nd_teardown; }

@test "etcd answer parser survives 20000 fuzzed inputs" {
	local fuzzer=$ND_SRC/build/fuzz/fuzz-etcd-response
	[ -x "$fuzzer" ] || fail "build/fuzz/fuzz-etcd-response missing: run make fuzz"
	mkdir -p "$ND_TMP/corpus"
	printf '%s' '{"header":{"revision":"2"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy","lease":"7"}],"count":"1"}' >"$ND_TMP/corpus/range"
	printf '%s' '{"header":{"revision":"2"},"responses":[{"response_range":{"kvs":[{"key":"Zm9v","value":"YmFy"}]}}]}' >"$ND_TMP/corpus/txn"
	printf '%s' '{"result":{"header":{"revision":"3"},"events":[{"type":"DELETE","kv":{"key":"Zm9v","mod_revision":"3"}},{"kv":{"key":"Zm9v","value":"eA=="}}]}}' >"$ND_TMP/corpus/watch"
	printf '%s' '{"result":{"header":{},"ID":"123","TTL":"5"}}' >"$ND_TMP/corpus/lease"
	printf '%s' '{"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14}' >"$ND_TMP/corpus/err"
	run "$fuzzer" -runs=20000 -max_len=2048 "$ND_TMP/corpus"
	assert_success
	assert_output --partial "Done 20000 runs"
}
