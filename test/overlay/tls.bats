#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# etcd with TLS client certificates (made here with openssl) and user
# authentication: the plugin, its IPAM and overlayd all talk to it.

load lib

# certs: a CA, one server certificate for the three members' addresses, a client one.
# etcd 3.4's JSON gateway refuses client certificates that carry a CommonName
# (it would have to ignore it), and dials its own server with the server
# certificate, which therefore needs clientAuth as well.
certs() {
	local d=$ND_TMP/pki
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=nd-test-ca" \
		-keyout "$d/ca-key.pem" -out "$d/ca.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=etcd" -keyout "$d/server-key.pem" \
		-out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:10.99.0.1,IP:10.99.0.2,IP:10.99.0.3\nextendedKeyUsage=serverAuth,clientAuth\n' \
		>"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
		-CAcreateserial -days 2 -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/O=netdock-host" -keyout "$d/client-key.pem" \
		-out "$d/client.csr" 2>/dev/null
	printf 'extendedKeyUsage=clientAuth\n' >"$d/client.ext"
	openssl x509 -req -in "$d/client.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
		-CAcreateserial -days 2 -extfile "$d/client.ext" -out "$d/client.pem" 2>/dev/null
}

setup() {
	nd_setup
	certs
	local d=$ND_TMP/pki
	export OV_SCHEME=https
	export OV_ETCD_ARGS="--cert-file $d/server.pem --key-file $d/server-key.pem --trusted-ca-file $d/ca.pem --client-cert-auth"
	export OV_ETCDCTL_TLS="--cacert $d/ca.pem --cert $d/client.pem --key $d/client-key.pem"
	echo "ndpass" >"$ND_TMP/password"
	export OV_AGENT_TLS="--cacert $d/ca.pem --cert $d/client.pem --key $d/client-key.pem --username root --password-file $ND_TMP/password"
	OV_STORE_TLS=$(jq -cn --arg d "$d" '{cacert: "\($d)/ca.pem", cert: "\($d)/client.pem",
		key: "\($d)/client-key.pem", username: "root", password: "ndpass"}')
	export OV_STORE_TLS
	ov_hosts 3
	ov_etcd 3
	ov_etcdctl user add root:ndpass >/dev/null
	ov_etcdctl user grant-role root root >/dev/null
	ov_etcdctl auth enable >/dev/null
	OV_ETCDCTL_TLS+=" --user root:ndpass"
	for i in 1 2 3; do
		ov_agent "$i"
		ov_dnsd "$i"
	done
}
teardown() { ov_teardown; }

@test "TLS client certificates and a password: ADD, IPAM, VNI and overlayd work across hosts" {
	N=$(ov_net tls '[{"subnet":"10.97.0.0/24"}]')
	run ov_add 1 "$N" c1
	assert_success
	a1=$(ip_of "$output")
	run ov_add 2 "$N" c2
	assert_success
	a2=$(ip_of "$output")
	ov_wait_for 5 reaches c1 "$a2"
	reaches c2 "$a1"
	ov_wait_for 5 ov_converged || { cat "$ND_TMP/converge.out"; false; }
	ov_etcdctl get --prefix /nd/ipam/tls/blocks/ --keys-only | grep -q blocks
}

@test "without the client certificate etcd refuses, and the ADD says whom it tried" {
	OV_STORE_TLS=$(jq -cn --arg d "$ND_TMP/pki" '{cacert: "\($d)/ca.pem", username: "root",
		password: "ndpass"}')
	N=$(ov_net nocert '[{"subnet":"10.98.0.0/24"}]')
	run ov_add 1 "$N" c1
	assert_failure
	assert_output --partial '"code":11'
	assert_output --partial "https://10.99.0.1:2379"
}
