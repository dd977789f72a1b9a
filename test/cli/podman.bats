#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A network made by `netdock network create` is used unchanged by Podman 4
# (CNI backend, private containers.conf and storage, an image imported from
# busybox-static: no registry), and Podman's containers show in inspect.

load lib

setup() {
	cli_setup
	P="$ND_TMP/podman"
	mkdir -p "$P/rootfs/bin"
	cp /bin/busybox "$P/rootfs/bin/"
	for c in sh sleep ip ping; do ln -s busybox "$P/rootfs/bin/$c"; done
	export CONTAINERS_CONF=$P/containers.conf
	# The exit command conmon runs (podman container cleanup, which DELs) sees only
	# conmon_env_vars: the test's run dir, lib dir and nftables table go there too.
	cat >"$CONTAINERS_CONF" <<-CONF
		[network]
		network_backend = "cni"
		cni_plugin_dirs = ["$ND_BIN_DIR", "/usr/lib/cni"]
		network_config_dir = "$NETDOCK_CNI_CONF_DIR"
		[engine]
		runtime = "runc"
		tmp_dir = "$P/tmp"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$P/events.log"
		conmon_env_vars = ["PATH=$PATH", "CONTAINERS_CONF=$CONTAINERS_CONF", "NETDOCK_RUN_DIR=$NETDOCK_RUN_DIR", "NETDOCK_LIB_DIR=$NETDOCK_LIB_DIR", "NETDOCK_NFT_TABLE=$NETDOCK_NFT_TABLE", "NETDOCK_LOG_FILE=$NETDOCK_LOG_FILE"]
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
	CONF
	tar -C "$P/rootfs" -c . | pm import - "localhost/nd-$ND_ID:1" >/dev/null
}

teardown() {
	pm rm -f -t0 -a >/dev/null 2>&1
	pm rmi -a -f >/dev/null 2>&1
	nd_teardown
}

pm() { podman --root "$P/root" --runroot "$P/runroot" --storage-driver vfs "$@" 3>&-; }

@test "podman run --network NAME on a netdock network; its container shows in inspect, talks to a netdock-connected one" {
	name=$(net pnet)
	sub=10.$((RANDOM % 200 + 20)).$((RANDOM % 250)).0
	id=$(nd network create --label team=net --subnet "$sub/24" "$name")
	run pm network ls --format '{{.Name}} {{.Driver}} {{.ID}}'
	assert_line "$name bridge ${id:0:12}"
	run pm network inspect --format '{{.ID}} {{.Labels}}' "$name"
	assert_output "$id map[team:net]"
	# And the other way: a network Podman creates is listed and inspected by netdock.
	run pm network create --subnet 10.$((RANDOM % 200 + 20)).$((RANDOM % 250)).0/24 --label made=podman "$(net podnet)"
	assert_success
	run nd network inspect -f '{{.Id}} {{.Driver}} {{.Labels}}' "$(net podnet)"
	assert_output "$(printf '%s' "$(net podnet)" | sha256sum | cut -c1-64) bridge map[made:podman]"
	run pm network rm "$(net podnet)"
	assert_success
	run pm run -d --name "pc-$ND_ID" --network "$name" "localhost/nd-$ND_ID:1" sleep 1000
	assert_success
	pid=${lines[-1]}
	[[ $pid =~ ^[0-9a-f]{64}$ ]]
	run nd network inspect -f '{{json .Containers}}' "$name"
	[ "$(jq -r --arg id "$pid" '.[$id].Name' <<<"$output")" = "pc-$ND_ID" ]
	paddr=$(jq -r --arg id "$pid" '.[$id].IPv4Address' <<<"$output")
	[ "$paddr" = "${sub%.0}.2/24" ]
	# A netdock-connected namespace on the same network reaches it, and back.
	nd network connect "$name" "$(ns c1)"
	caddr=$(nd network inspect -f '{{range .Containers}}{{if eq .Name "'"$(ns c1)"'"}}{{.IPv4Address}}{{end}}{{end}}' "$name")
	[ "$caddr" = "${sub%.0}.3/24" ]
	nd_wait_for inside c1 ping -c1 -W1 "${paddr%/24}" >/dev/null
	run pm exec "pc-$ND_ID" ping -c1 -W1 "${caddr%/24}"
	assert_success
	# Podman's container is an active endpoint; rm waits for it to go.
	run nd network rm "$name"
	assert_failure 1
	run pm rm -f -t0 "pc-$ND_ID"
	assert_success
	run nd network inspect -f '{{len .Containers}}' "$name"
	assert_output 1
	nd network disconnect "$name" "$(ns c1)"
	run nd network rm "$name"
	assert_success
	run pm network ls --format '{{.Name}}'
	refute_line "$name"
}
