# SPDX-License-Identifier: MIT
# vm_run: a bash script as init of a QEMU virtual machine running Debian's
# own kernel (linux-image-amd64), on this machine's root file system.
#
# Why: the machine's kernel may lack what a suite needs (ESP, gcm); Debian's
# has all of it as modules. The VM has its own network stack: namespaces,
# links, SAs and nftables tables made there end with it.
#
# The VM sees the machine's / read-only over virtio-9p (the build, bash,
# etcd, tcpdump and the kernel's modules come from there), with tmpfs on
# /run, /tmp, /var/{lib,tmp,log,cache} and /root. The one place it writes
# to on this machine is a share of its own, $ND_TMP/vm (mounted at /run/vm;
# the script's $OUT is /run/vm/out). A tiny initramfs made here from
# busybox-static and the virtio/9p modules mounts all that and hands over
# to bash. With /dev/kvm, KVM runs it; without, QEMU's emulator (slower).
#
# Needs ND_SRC and ND_TMP (a private folder); no bats.

VM_MODULES="virtio_pci 9pnet_virtio 9p"

# vm_kernel: the release of the newest Debian kernel in /boot whose modules are installed.
vm_kernel() {
	local f v
	for f in $(ls -v /boot/vmlinuz-* 2>/dev/null | tac); do
		v=${f#/boot/vmlinuz-}
		[ -f "/lib/modules/$v/modules.dep" ] && { echo "$v"; return 0; }
	done
	echo "no /boot/vmlinuz-* with /lib/modules (make deps: linux-image-amd64)" >&2
	return 1
}

# vm_accel: "kvm" when /dev/kvm opens and the CPU has hardware
# virtualization, else "tcg" (QEMU's emulator). A /dev/kvm without vmx/svm
# in /proc/cpuinfo is no hardware KVM: on this project's machines it is
# kvm_pvm (a nested Firecracker guest), which runs only kernels built as
# PVM guests; Debian's kernel hangs there before its first line.
# ND_VM_ACCEL=kvm|tcg overrides.
vm_accel() {
	if [ -n "${ND_VM_ACCEL:-}" ]; then
		echo "$ND_VM_ACCEL"
	elif grep -qwE 'vmx|svm' /proc/cpuinfo && { exec 9<>/dev/kvm; } 2>/dev/null; then
		exec 9>&-
		echo kvm
	else
		echo tcg
	fi
}

# vm_vmlinux VERSION FILE: the kernel without its compression, when it can
# be had (an xz payload, Debian's), else the bzImage itself. Why: under the
# emulator, the kernel's own xz decompression took 4 of a 12 s boot; an ELF
# vmlinux with a PVH entry note (CONFIG_PVH) is loaded by QEMU as it is.
vm_vmlinux() {
	local k=/boot/vmlinuz-$1 setup off
	setup=$(od -An -tu1 -j $((0x1f1)) -N1 "$k" | tr -d ' ')
	off=$(od -An -tu4 -j $((0x248)) -N4 "$k" | tr -d ' ')
	if [ -n "$setup" ] && [ -n "$off" ] && grep -qw 'CONFIG_PVH=y' "/boot/config-$1" 2>/dev/null &&
		tail -c +$(((setup + 1) * 512 + off + 1)) "$k" | xz -dc --single-stream >"$2" 2>/dev/null; then
		return 0
	fi
	cp "$k" "$2"
}

# The folders the VM covers with tmpfs: world-writable ones, then the rest.
VM_TMPFS_1777="tmp var/tmp"
VM_TMPFS_0755="var/lib var/log var/cache root"

# vm_keep: the source and build folders the script uses that lie below a
# folder the VM covers with tmpfs (a CI checkout in /tmp, say), canonical.
vm_keep() {
	local p d keep=""
	for p in "$ND_SRC" "${ND_BIN_DIR:-}" "${ND_TEST_DIR:-}" "${VM_SCRIPT_DIR:-}"; do
		[ -n "$p" ] && p=$(realpath -e "$p" 2>/dev/null) || continue
		[[ $p == *[[:space:]]* ]] && continue # the init splits on spaces
		for d in $VM_TMPFS_1777 $VM_TMPFS_0755; do
			[[ $p == /$d/* ]] && keep="$keep $p" && break
		done
	done
	echo "$keep"
}

# vm_initramfs VERSION FILE: busybox and the modules that reach 9p, in load order.
vm_initramfs() {
	local v=$1 out=$2 d mods m
	d=$(mktemp -d "$ND_TMP/initramfs.XXXXXX")
	mkdir -p "$d/bin" "$d/mod" "$d/proc" "$d/sys" "$d/newroot"
	cp /bin/busybox "$d/bin/busybox" || return 1
	# modprobe resolves the order from this kernel's modules.dep; insmod needs it spelled out.
	mods=$(modprobe -S "$v" -a --show-depends $VM_MODULES | awk '$1 == "insmod" && !seen[$2]++ {print $2}')
	[ -n "$mods" ] || return 1
	for m in $mods; do cp "$m" "$d/mod/"; done
	{
		echo '#!/bin/busybox sh'
		echo 'export PATH=/bin; /bin/busybox --install -s /bin'
		echo "KEEP='$(vm_keep)' TMPFS_1777='$VM_TMPFS_1777' TMPFS_0755='$VM_TMPFS_0755'"
		for m in $mods; do echo "insmod /mod/${m##*/}"; done
		cat <<-'INIT'
			die() { echo "vm: $*"; ls /sys/bus/virtio/devices; poweroff -f; }
			mount -t proc proc /proc
			mount -t sysfs sys /sys
			echo "vm: init $(cut -d" " -f1 /proc/uptime) s"
			opts=trans=virtio,version=9p2000.L,msize=512000
			# The virtio devices are probed in the background: wait for both 9p tags.
			for i in $(seq 100); do
				set -- /sys/bus/virtio/devices/*/mount_tag
				[ $# -ge 2 ] && [ -e "$2" ] && break
				usleep 50000
			done
			mount -t 9p -o ro,cache=loose,$opts root /newroot || die "no 9p root"
			mount -t tmpfs -o mode=0755 run /newroot/run
			mkdir /newroot/run/vm
			mount -t 9p -o $opts,cache=none share /newroot/run/vm || die "no 9p share"
			# What the caller's tree must keep showing through the tmpfs below
			# (a checkout in /tmp, say): bound aside first, moved back on top after.
			i=0
			for p in $KEEP; do
				mkdir -p /newroot/run/keep/$i
				mount --bind /newroot$p /newroot/run/keep/$i || die "cannot keep $p"
				i=$((i + 1))
			done
			for d in $TMPFS_1777; do mount -t tmpfs -o mode=1777 tmp /newroot/$d; done
			for d in $TMPFS_0755; do mount -t tmpfs -o mode=0755 w /newroot/$d; done
			i=0
			for p in $KEEP; do
				mkdir -p /newroot$p
				mount --move /newroot/run/keep/$i /newroot$p || die "cannot keep $p"
				i=$((i + 1))
			done
			mount -t devtmpfs dev /newroot/dev
			mkdir -p /newroot/dev/pts /newroot/dev/shm
			mount -t devpts devpts /newroot/dev/pts
			mount -t tmpfs shm /newroot/dev/shm
			mount --move /proc /newroot/proc
			mount --move /sys /newroot/sys
			echo "vm: root $(cut -d" " -f1 /newroot/proc/uptime) s"
			exec switch_root /newroot /bin/bash /run/vm/init
		INIT
	} >"$d/init"
	chmod +x "$d/init"
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	local rc=$?
	rm -rf "$d"
	return $rc
}

# vm_stage2 SHARE SCRIPT: the init bash runs on the real root: the environment,
# modprobe from the 9p root, the script, its status, power off.
vm_stage2() {
	{
		echo '#!/bin/bash'
		echo 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp OUT=/run/vm/out'
		# What the script needs from the caller, as the caller had it.
		local v
		printf 'VM_SCRIPT=%q\n' "$2"
		for v in ND_SRC ND_BIN_DIR ND_TEST_DIR ND_ASAN ASAN_OPTIONS UBSAN_OPTIONS ND_VM_ARGS; do
			[ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
		done
		cat <<-'INIT'
			# The kernel runs this for every module it wants (nf_tables, esp4,
			# gcm, vxlan...): the machine's kmod, reading /lib/modules over 9p.
			echo /sbin/modprobe >/proc/sys/kernel/modprobe
			ip link set lo up
			hostname ndvm
			mkdir -p /run/netns "$OUT"
			cd /
			echo "vm: up $(cut -d' ' -f1 /proc/uptime) s" >/dev/ttyS0
			bash "$VM_SCRIPT" >/run/vm/log 2>&1 </dev/null
			echo $? >/run/vm/rc.tmp
			mv /run/vm/rc.tmp /run/vm/rc
			echo "vm: done $(cut -d' ' -f1 /proc/uptime) s" >/dev/ttyS0
			sync
			echo o >/proc/sysrq-trigger
			sleep 10
		INIT
	} >"$1/init"
	chmod +x "$1/init"
}

# vm_run SCRIPT [TIMEOUT]: runs SCRIPT (bash) as root inside the VM, prints
# what it printed and returns its exit status; 99 when the VM did not
# finish (the console's tail is printed), 98 when it could not start. The
# script's files are in $ND_TMP/vm/out afterwards. ND_VM_MEM (MiB, default
# 2048) and ND_VM_ACCEL for experiments.
vm_run() (
	local script=$1 limit=${2:-300} dir=$ND_TMP/vm v accel qemu_pid= dog= t0
	t0=$SECONDS
	trap '[ -z "$qemu_pid" ] || kill -9 "$qemu_pid" 2>/dev/null; [ -z "$dog" ] || kill "$dog" 2>/dev/null' EXIT
	trap 'exit 130' INT TERM
	rm -rf "$dir"
	mkdir -p "$dir/share/out"
	v=$(vm_kernel) || return 98
	accel=$(vm_accel)
	VM_SCRIPT_DIR=$(dirname "$(realpath "$script")")
	vm_initramfs "$v" "$dir/initramfs.gz" || { echo "vm: initramfs for $v failed"; return 98; }
	vm_vmlinux "$v" "$dir/kernel"
	# The script runs where it is (its own relative paths work; vm_keep
	# keeps its folder visible), unless /run, mounted first, hides it: then
	# a copy in the share runs.
	case $(realpath "$script") in
	/run/*)
		cp "$script" "$dir/share/script"
		script=/run/vm/script
		;;
	*) script=$(realpath "$script") ;;
	esac
	vm_stage2 "$dir/share" "$script"
	local cpu=(-accel kvm -cpu host)
	[ "$accel" = tcg ] && cpu=(-accel tcg,thread=multi -cpu max)
	# pdeathsig: a caller killed with -9 takes the VM with it.
	setpriv --pdeathsig KILL qemu-system-x86_64 -machine pc ${ND_VM_QEMU:-} "${cpu[@]}" \
		-smp 2 -m "${ND_VM_MEM:-2048}" -no-reboot -nodefaults -display none \
		-nic none -serial "file:$dir/console" -monitor none \
		-kernel "$dir/kernel" -initrd "$dir/initramfs.gz" \
		-append "console=ttyS0 panic=-1 ${ND_VM_APPEND:-quiet loglevel=4} rdinit=/init" \
		-virtfs "local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$dir/share,mount_tag=share,security_model=none,multidevs=remap" \
		</dev/null >"$dir/qemu.log" 2>&1 3>&- &
	qemu_pid=$!
	# The hard limit: whichever ends first (fd 3 closed: bats waits for its holders).
	sleep "$limit" 3>&- &
	dog=$!
	wait -n "$qemu_pid" "$dog"
	kill -9 "$qemu_pid" 2>/dev/null
	wait "$qemu_pid" 2>/dev/null
	qemu_pid=
	kill "$dog" 2>/dev/null
	dog=
	# Out where the caller looks for it, next to the console.
	rm -rf "$dir/out"
	mv "$dir/share/out" "$dir/out"
	cat "$dir/share/log" 2>/dev/null
	echo "vm: $accel, kernel $v, $((SECONDS - t0)) s; $(grep -h '^vm: ' "$dir/console" | tr '\n' ' ')" >"$dir/took"
	if [ ! -f "$dir/share/rc" ]; then
		echo "vm: did not finish ($accel, ${limit}s limit); qemu:"
		tail -5 "$dir/qemu.log"
		echo "vm: console:"
		tail -30 "$dir/console"
		return 99
	fi
	return "$(cat "$dir/share/rc")"
)
