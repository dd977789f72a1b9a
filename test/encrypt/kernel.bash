# SPDX-License-Identifier: MIT
# kernel_run: a script as root on a kernel with ESP (see lib.bash). Needs
# ND_SRC and ND_TMP (a private folder); no bats.

source "$ND_SRC/test/vm/vm.bash"
: "${ND_BIN_DIR:=$ND_SRC/build/bin}" "${ND_TEST_DIR:=$ND_SRC/build/test}"

# kernel_run SCRIPT [TIMEOUT]: SCRIPT (bash) as root in the VM, with TOOL
# (this build's ipsec-tool), BIN (its binaries), SRC (the checkout) and OUT
# (a folder found in $ND_TMP/vm/out afterwards) set; prints what it printed
# and returns its exit status.
kernel_run() {
	local run=$ND_TMP/kernel-run.sh
	[ -x "$ND_TEST_DIR/ipsec-tool" ] || { echo "$ND_TEST_DIR/ipsec-tool missing: run make"; return 98; }
	printf 'export TOOL=%q BIN=%q SRC=%q\nexec bash %q\n' "$ND_TEST_DIR/ipsec-tool" \
		"$ND_BIN_DIR" "$ND_SRC" "$(realpath "$1")" >"$run"
	vm_run "$run" "${2:-300}"
}
