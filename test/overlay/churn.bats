#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Churn: random ADDs and DELs across three hosts, agents killed and restarted
# in between; afterwards every host's FDB, neighbour table and run dir equal
# etcd exactly (the stale and missing counts are printed, and must be 0).

load lib

# 500 on the plain build; the ASan build runs each plugin ~5x slower, and CI runs both.
OPS=${ND_CHURN_OPS:-$([ -n "${ND_ASAN:-}" ] && echo 200 || echo 500)}
SLOTS=16

setup() {
	nd_setup
	ov_cluster 3
	N=$(ov_net churn '[{"subnet":"10.95.0.0/22"}]')
	# The overlay plugin alone, as a runtime runs a one-plugin list: faster than cni-exec.
	jq -c '.plugins[0] + {cniVersion: .cniVersion, name: .name}' "$N" >"$ND_TMP/conf/churn.json"
}
teardown() { ov_teardown; }

# plug VERB HOST SLOT
plug() {
	local ns="nd-$ND_ID-s$2-$3"
	CNI_COMMAND=$1 CNI_CONTAINERID="$(nd_cid "s$2-$3")" CNI_NETNS="/var/run/netns/$ns" \
		CNI_IFNAME=eth0 CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=s$2-$3" \
		on_host "$2" "$ND_BIN_DIR/overlay" <"$ND_TMP/conf/churn.json" >"$ND_TMP/plug.out" \
		2>>"$ND_TMP/stderr"
}

@test "churn: $OPS random ADD/DELs with agent restarts; every host equals etcd afterwards" {
	local h k op adds=0 dels=0 restarts=0
	declare -A up
	for h in 1 2 3; do
		for k in $(seq 1 $SLOTS); do nd_ns "s$h-$k" >/dev/null; done
	done
	for op in $(seq 1 "$OPS"); do
		h=$((RANDOM % 3 + 1))
		k=$((RANDOM % SLOTS + 1))
		if [ -n "${up[$h-$k]:-}" ]; then
			plug DEL "$h" "$k" || fail "DEL s$h-$k: $(cat "$ND_TMP/plug.out")"
			unset "up[$h-$k]"
			dels=$((dels + 1))
		else
			plug ADD "$h" "$k" || fail "ADD s$h-$k: $(cat "$ND_TMP/plug.out")"
			up[$h-$k]=1
			adds=$((adds + 1))
		fi
		if ((op % 100 == 50)); then
			h=$((RANDOM % 3 + 1))
			ov_agent_kill "$h" "$( ((restarts % 2)) && echo TERM || echo KILL)"
			restarts=$((restarts + 1))
			# A few operations happen while the agent is down.
			plug ADD "$h" 1 && up[$h-1]=1
			ov_agent "$h"
		fi
	done
	echo "# $adds ADDs, $dels DELs, $restarts agent restarts, ${#up[@]} attached" >&3
	ov_wait_for 30 ov_converged || { OV_VERBOSE=1 ov_check >"$ND_TMP/converge.out" 2>&1 || true; }
	sed 's/^/# /' "$ND_TMP/converge.out" >&3
	grep -qx "stale=0 missing=0" "$ND_TMP/converge.out"
	# And the traffic agrees: one container of each host reaches one of another.
	local a b
	for h in 1 2 3; do
		a=""
		for k in $(seq 1 $SLOTS); do [ -n "${up[$h-$k]:-}" ] && a=$k && break; done
		[ -n "$a" ] || continue
		b=$(jq -r '.ips[0]' "$ND_TMP/h$((h % 3 + 1))"/run/endpoints/churn/*.json 2>/dev/null |
			head -1 | cut -d/ -f1)
		[ -n "$b" ] && ov_wait_for 5 reaches "s$h-$a" "$b"
	done
}
