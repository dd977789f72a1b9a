# SPDX-License-Identifier: MIT
# Benchmark helpers: medians of many runs, ratios against the alternative, cleanup.
# Timings come from bash's EPOCHREALTIME around each command; both sides pay the
# same shell overhead, so the ratios are what to read, never one absolute time.

set -u
BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${ND_BIN_DIR:=$BENCH_SRC/build/bin}"
REF_DIR=/usr/lib/cni
BID=b$(printf '%04x' $((RANDOM)))
BTMP=$(mktemp -d "/tmp/nd-bench-$BID.XXXXXX")
chmod 0755 "$BTMP"
: >"$BTMP/cleanup"

bench_cleanup() {
	tac "$BTMP/cleanup" | while read -r cmd; do eval "$cmd" >/dev/null 2>&1; done
	rm -rf "$BTMP"
}
trap bench_cleanup EXIT
on_exit() { echo "$*" >>"$BTMP/cleanup"; }

# now_us VAR: the time in microseconds, into VAR. Not $(now_us): a command
# substitution forks, and the fork (~1 ms here) would land inside the interval.
now_us() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }

# settle: waits (at most 60 s) until the CPUs are 90% idle over half a second.
# Deleted network namespaces are torn down by kernel workers long after
# `ip netns del` returns; a phase measured during that pays for the last one.
settle() {
	local i a b
	for ((i = 0; i < 120; i++)); do
		a=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8, $5}' /proc/stat)
		sleep 0.5
		b=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8, $5}' /proc/stat)
		awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
			t = y[1] - x[1]; exit !(t > 0 && (y[2] - x[2]) / t >= 0.9) }' && return 0
	done
	return 0
}

# timed CMD...: runs CMD, appends its duration in microseconds to $TIMES.
timed() {
	local t0 t1
	now_us t0
	"$@" >/dev/null 2>&1
	now_us t1
	echo $((t1 - t0)) >>"$TIMES"
}

median_of() { sort -n "$1" | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print 0}'; }
p99_of() { sort -n "$1" | awk '{v[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; print v[i]}'; }

# ratio OURS THEIRS: ours/theirs with two decimals (below 1 means netdock is faster/smaller).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# row LABEL OURS THEIRS UNIT
row() { printf '%-44s %12s %12s %8s   %s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")" "$4"; }
header() { printf '%-44s %12s %12s %8s\n' "$1" netdock "$2" ratio; }

# plugin_env CONTAINERID NETNS IFNAME: CNI env for one call.
cni() { # VERB PLUGIN CONF CID NETNS IFNAME
	CNI_COMMAND=$1 CNI_CONTAINERID=$4 CNI_NETNS=$5 CNI_IFNAME=${6:-eth0} \
		CNI_PATH="$ND_BIN_DIR:$REF_DIR" "$2" <"$3"
}
