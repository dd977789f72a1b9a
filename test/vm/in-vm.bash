# SPDX-License-Identifier: MIT
# Sourced by a script that vm_run runs inside the VM, so that the suites'
# bats helpers (helpers.bash, overlay/lib.bash, ...) work there unchanged,
# without bats: its `load`, the test number nd_setup reads, and the fd 3
# teardown writes to. Then each check of a scenario runs as vm_check and
# leaves NAME.rc and NAME.log in $OUT for a bats suite on the machine to
# assert one by one (vm_result).

# load FILE: FILE(.bash), relative to the file that calls load, as bats does.
load() {
	local f=$1
	[ "${f#/}" != "$f" ] || f="$(dirname "${BASH_SOURCE[1]}")/$f"
	[ -f "$f" ] || f=$f.bash
	# shellcheck disable=SC1090
	source "$f"
}

BATS_TEST_NUMBER=1
# nd_teardown prints a failed test's logs to fd 3; here they go with the rest.
exec 3>&2

# vm_check NAME FUNCTION: runs FUNCTION with set -e in a subshell, its output
# in $OUT/NAME.log, its status in $OUT/NAME.rc; returns that status.
vm_check() {
	local rc
	echo "# check $1: ${EPOCHREALTIME}"
	(
		set -e
		"$2"
	) >"$OUT/$1.log" 2>&1
	rc=$?
	echo "$rc" >"$OUT/$1.rc"
	echo "# check $1: status $rc"
	return "$rc"
}
