# SPDX-License-Identifier: MIT
# uml_run: a script as init of a UML kernel (see lib.bash). Needs ND_SRC,
# ND_TMP (a private folder) and ND_ID (a unique word); no bats.

: "${ND_TEST_DIR:=$ND_SRC/build/test}"
ND_TOOL_PLAIN=$ND_SRC/build/test/ipsec-tool

# uml_run SCRIPT [TIMEOUT]: runs SCRIPT (bash) as root inside UML, prints
# what it printed and returns its exit status.
uml_run() {
	local script=$1 limit=${2:-240} dir=$ND_TMP/uml tool=$ND_TEST_DIR/ipsec-tool
	mkdir -p "$dir/out"
	# An ASan build cannot map its shadow memory under UML's smaller
	# address space: inside UML the plain build's tool runs (CI builds both).
	[ -n "${ND_ASAN:-}" ] && tool=$ND_TOOL_PLAIN
	[ -x "$tool" ] || { echo "$tool missing: run make"; return 98; }
	cat >"$dir/init" <<-INIT
		#!/bin/bash
		export PATH=/usr/sbin:/usr/bin:/sbin:/bin TOOL=$tool OUT=/run/out SRC=$ND_SRC TMPDIR=/run
		mount -t proc proc /proc; mount -t sysfs sys /sys
		mount -t tmpfs tmpfs /run
		mkdir -p /run/out /run/mods/lib /run/netns
		mount -t hostfs none /run/out -o $dir/out
		# Modules live under the package's own tree, not /lib/modules.
		ln -s /usr/lib/uml/modules /run/mods/lib/modules
		printf '#!/bin/sh\nexec /usr/sbin/modprobe -d /run/mods "\$@"\n' >/run/modprobe
		chmod +x /run/modprobe
		echo /run/modprobe >/proc/sys/kernel/modprobe
		for m in veth vxlan xfrm_user gcm ghash-generic seqiv ctr ip_tables iptable_mangle iptable_filter xt_u32 xt_mark xt_policy; do modprobe -d /run/mods \$m; done
		ip link set lo up
		bash $script >/run/out/log 2>&1
		echo \$? >/run/out/rc
		sync
		poweroff -f
	INIT
	chmod +x "$dir/init"
	TMPDIR=$dir timeout -k 5 "$limit" linux.uml mem=384M umid="nd$ND_ID" uml_dir="$dir" \
		root=/dev/root rootfstype=hostfs rootflags=/ ro init="$dir/init" \
		con0=null,fd:2 con=null quiet </dev/null >"$dir/console" 2>&1
	cat "$dir/out/log" 2>/dev/null
	[ -f "$dir/out/rc" ] || { echo "UML did not finish:"; tail -20 "$dir/console"; return 99; }
	return "$(cat "$dir/out/rc")"
}
