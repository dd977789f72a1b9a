#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Pods through the CRI: containerd 1.6's CRI plugin runs netdock's conflist
# (bridge + ipam-subnet + portmap) from build/bin for pods created over its gRPC
# API, as on a Kubernetes node. See lib.bash for what the suite starts.

load lib

setup_file() { cri_start; }
teardown_file() { cri_stop; }
teardown() { cri_teardown; }

@test "two pods get addresses on the node's network and ping each other" {
	pod a
	pod b
	a=$(pod_ip a)
	b=$(pod_ip b)
	assert_regex "$a" '^10\.89\.0\.[0-9]+$'
	assert_regex "$b" '^10\.89\.0\.[0-9]+$'
	assert_not_equal "$a" "$b"
	run in_pod a ping -c1 -W2 "$b"
	assert_success
	run in_pod b ping -c1 -W2 "$a"
	assert_success
	# The kubelet's CNI_ARGS name the endpoint: K8S_POD_NAME reaches the record.
	rec="$NETDOCK_RUN_DIR/endpoints/$CRI_NET/$(pod_id a)-eth0.json"
	assert_equal "$(jq -r .name "$rec")" a
	assert_equal "$(jq -r '.ips[0]' "$rec")" "$a/24"
	# containerd's CNI_ARGS (K8S_POD_NAMESPACE, _NAME, _INFRA_CONTAINER_ID, _UID) are taken.
	assert_equal "$(jq -r .namespace "$rec")" default
	# CRI's loopback network (netdock's loopback) brought lo up in the pod.
	run in_pod a ping -c1 -W2 127.0.0.1
	assert_success
}

@test "a pod's hostPort answers on 127.0.0.1 and on the node's address, from the node and another machine" {
	run pod web --port 18431:80 --wait-tcp 80 -- sh -c "$(web web)"
	assert_success
	assert_equal "$(fetch 127.0.0.1 18431)" hello-web
	assert_equal "$(fetch "$HOST_ADDR" 18431)" hello-web
	assert_equal "$(fetch "$OUT" "$HOST_ADDR" 18431)" hello-web
	# and from another pod, through the node's address (hairpin through the bridge)
	pod client
	assert_equal "$(pod_fetch client "$HOST_ADDR" 18431)" hello-web
	assert_equal "$(pod_fetch client "$CRI_GW" 18431)" hello-web
	rec="$NETDOCK_RUN_DIR/endpoints/$CRI_NET/$(pod_id web)-eth0.json"
	assert_equal "$(jq -c '[.ports[] | "\(.hostPort)->\(.containerPort)/\(.protocol)"]' "$rec")" '["18431->80/tcp"]'
}

@test "a hostPort bound to the node's address answers there only; UDP and SCTP ports too" {
	run pod web --port "18432:80@$HOST_ADDR" --port 18433:53/udp --port 18439:9/sctp --wait-tcp 80 -- sh -c "$(web web)"
	assert_success
	assert_equal "$(fetch "$OUT" "$HOST_ADDR" 18432)" hello-web
	run fetch 127.0.0.1 18432
	refute_output hello-web
	assert_equal "$(map_elements)" 3
	rec="$NETDOCK_RUN_DIR/endpoints/$CRI_NET/$(pod_id web)-eth0.json"
	assert_equal "$(jq -c '[.ports[] | "\(.hostIP):\(.hostPort)/\(.protocol)"] | sort' "$rec")" \
		'["'"$HOST_ADDR"':18432/tcp",":18433/udp",":18439/sctp"]'
}

@test "pod names resolve through netdock-dnsd from inside a pod; other names go upstream" {
	pod web --dns "$CRI_GW"
	pod client --dns "$CRI_GW"
	web=$(pod_ip web)
	run in_pod client cat /etc/resolv.conf
	assert_output --partial "nameserver $CRI_GW"
	run in_pod client nslookup web
	assert_success
	assert_output --regexp "Address:[[:space:]]+$web"
	run in_pod client nslookup web.dns.netdock
	assert_output --regexp "Address:[[:space:]]+$web"
	run in_pod client nslookup ext.test
	assert_output --regexp "Address:[[:space:]]+192.0.2.7"
	run in_pod client nslookup nosuchpod
	assert_failure
	# The pod's DNS config also reached the bridge as runtimeConfig.dns (not used: dnsd serves).
	grep -q 'runtimeConfig.dns is not supported; ignored' "$NETDOCK_LOG_FILE"
	# A stopped pod's name is gone with its record.
	run cri stop "$(pod_id web)"
	assert_success
	run in_pod client nslookup web
	assert_failure
	refute_output --regexp "Address:[[:space:]]+$web"
}

@test "the same pod name in two Kubernetes namespaces: the bare name answers its own, <pod>.<namespace> any" {
	pod db-prod --namespace prod --pod-name db
	pod db-dev --namespace dev --pod-name db
	pod client-prod --namespace prod --pod-name client --dns "$CRI_GW"
	pod client-dev --namespace dev --pod-name client --dns "$CRI_GW"
	prod=$(pod_ip db-prod)
	dev=$(pod_ip db-dev)
	run in_pod client-prod nslookup db
	assert_output --regexp "Address:[[:space:]]+$prod"
	refute_output --partial "$dev"
	run in_pod client-dev nslookup db
	assert_output --regexp "Address:[[:space:]]+$dev"
	refute_output --partial "$prod"
	run in_pod client-prod nslookup db.dev
	assert_output --regexp "Address:[[:space:]]+$dev"
	run in_pod client-dev nslookup db.prod
	assert_output --regexp "Address:[[:space:]]+$prod"
	rec="$NETDOCK_RUN_DIR/endpoints/$CRI_NET/$(pod_id db-dev)-eth0.json"
	assert_equal "$(jq -r '"\(.name) \(.namespace)"' "$rec")" "db dev"
}

@test "bandwidth annotations and pod annotations reach the plugins and are ignored, not refused" {
	run pod shaped --annotation kubernetes.io/ingress-bandwidth=1M \
		--annotation kubernetes.io/egress-bandwidth=1M --annotation team=net
	assert_success
	run in_pod shaped ping -c1 -W2 "$CRI_GW"
	assert_success
	grep -q 'runtimeConfig.bandwidth is not supported; ignored' "$NETDOCK_LOG_FILE"
	grep -q 'runtimeConfig.io.kubernetes.cri.pod-annotations is not supported; ignored' "$NETDOCK_LOG_FILE"
}

@test "StopPodSandbox after the pod's netns is gone (DEL with CNI_NETNS empty) still frees everything" {
	run pod web --port 18438:80 --wait-tcp 80 -- sh -c "$(web web)"
	assert_success
	netns=$(cri netns "$(pod_id web)")
	[ -n "$netns" ]
	# containerd 1.6 runs DEL with CNI_NETNS="" once the sandbox's netns mount is
	# gone (and the kernel removed the veth with the netns when the pause died).
	nsenter --target "$CRI_PID" --mount umount "$netns"
	run cri stop "$(pod_id web)"
	assert_success
	assert_equal "$(endpoints)" 0
	assert_equal "$(leases)" 0
	assert_equal "$(claims)" 0
	assert_equal "$(map_elements)" 0
	run cri rm "$(pod_id web)"
	assert_success
	assert_equal "$(host_veths)" 0
}

@test "pods started and stopped in parallel, as the kubelet does, each get their own address and port" {
	local i pids=()
	for i in 1 2 3 4 5 6; do
		pod "p$i" --port "1845$i:80" --wait-tcp 80 -- sh -c "$(web "p$i")" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	for i in 1 2 3 4 5 6; do pod_ip "p$i"; done | sort -u >"$CRI/addrs"
	assert_equal "$(wc -l <"$CRI/addrs")" 6
	for i in 1 2 3 4 5 6; do
		assert_equal "$(fetch "$OUT" "$HOST_ADDR" "1845$i")" "hello-p$i"
	done
	pids=()
	for i in 1 2 3 4 5 6; do
		{ cri stop "$(pod_id "p$i")" && cri rm "$(pod_id "p$i")"; } &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	assert_equal "$(cri pods)" ""
	assert_equal "$(host_veths)" 0
	assert_equal "$(endpoints)" 0
	assert_equal "$(leases)" 0
	assert_equal "$(claims)" 0
	assert_equal "$(map_elements)" 0
}

@test "Stop and RemovePodSandbox leave no veth, record, lease, claim or nft element" {
	run pod web --port 18434:80 --port 18435:53/udp --wait-tcp 80 -- sh -c "$(web web)"
	assert_success
	pod other
	assert_equal "$(host_veths)" 2
	assert_equal "$(endpoints)" 2
	assert_equal "$(leases)" 2
	assert_equal "$(claims)" 2
	assert_equal "$(map_elements)" 2
	run cri stop "$(pod_id web)"
	assert_success
	assert_equal "$(host_veths)" 1
	assert_equal "$(endpoints)" 1
	assert_equal "$(leases)" 1
	assert_equal "$(claims)" 0
	assert_equal "$(map_elements)" 0
	# The kubelet stops a pod more than once; each must succeed.
	run cri stop "$(pod_id web)"
	assert_success
	run cri rm "$(pod_id web)"
	assert_success
	run cri rm "$(pod_id other)"
	assert_success
	assert_equal "$(host_veths)" 0
	assert_equal "$(endpoints)" 0
	assert_equal "$(leases)" 0
	assert_equal "$(cri pods)" ""
	# The host port is free again for the next pod.
	run pod web2 --port 18434:80 --wait-tcp 80 -- sh -c "$(web web2)"
	assert_success
	assert_equal "$(fetch "$OUT" "$HOST_ADDR" 18434)" hello-web2
}

# del_malformed FILTER: a pod with a host port whose conflist turns malformed
# (FILTER) between RunPodSandbox and StopPodSandbox is still stopped and removed,
# and nothing of its attachment is left.
del_malformed() {
	run pod web --port 18436:80 --port 18437:53/udp
	assert_success
	assert_equal "$(endpoints)" 1
	assert_equal "$(claims)" 2
	conf_set "$1"
	# ADD refuses this configuration ...
	run pod refused
	assert_failure
	# ... DEL undoes what it finds by container ID and succeeds.
	run cri stop "$(pod_id web)"
	assert_success
	run cri rm "$(pod_id web)"
	assert_success
	cri_clean_pods
	assert_equal "$(cri pods)" ""
	assert_equal "$(host_veths)" 0
	assert_equal "$(endpoints)" 0
	assert_equal "$(leases)" 0
	assert_equal "$(claims)" 0
	assert_equal "$(map_elements)" 0
}

@test "DEL with a malformed bridge option (mtu of the wrong type) still removes the pod" {
	del_malformed '.plugins[0].mtu = "huge"'
}

@test "DEL with a bridge name ADD refuses still removes the pod" {
	del_malformed '.plugins[0].bridge = "name/with/slash"'
}

@test "DEL with a malformed IPAM subnet still removes the pod" {
	del_malformed '.plugins[0].ipam.subnets = [{"subnet": "10.89.0.0/33"}]'
}

@test "DEL with a network name ADD refuses still removes the pod (the name comes from its record)" {
	del_malformed '.name = "bad name!"'
}

@test "DEL with a malformed portmap hostIP still removes the pod" {
	del_malformed '.plugins[1].hostIP = "999.1.1.1"'
}

@test "ctr run --cni containers join the pods' network, reach a pod by address and name, and leave nothing" {
	pod web --dns "$CRI_GW"
	web=$(pod_ip web)
	# Outside Kubernetes, a pod is <pod>.<namespace> (the bare name is for its namespace).
	run ctr_cni c1 sh -c "ip -4 -o addr show eth0 && ping -c1 -W2 $web && nslookup web.default $CRI_GW"
	assert_success
	assert_output --regexp "inet 10\.89\.0\.[0-9]+/24"
	assert_output --regexp "Address:[[:space:]]+$web"
	# ctr's --rm ran DEL: only the pod's attachment is left.
	assert_equal "$(endpoints)" 1
	assert_equal "$(leases)" 1
	assert_equal "$(host_veths)" 1
}
