load ../portmap/lib
setup() { nd_setup; }
teardown() { nd_teardown; }

@test "scratch 5000" {
	N=$(pm_net big '[{"subnet":"10.226.0.0/24"}]')
	jq -nc '{portMappings: [range(0;5000) | {hostPort: (30000 + .), containerPort: 80}]}' > $ND_TMP/caps
	CAP_ARGS_FILE=$ND_TMP/caps run br_add "$N" c1
	echo "$output" | head -c 600 >&3
	ls $NETDOCK_RUN_DIR/portmap/claims | wc -l >&3
	map_count portmap-any4 >&3
	CAP_ARGS='{"portMappings":[{"hostPort":9000,"containerPort":80}]}' run br_add "$N" c1
	echo "second: $output" | head -c 300 >&3
	CAP_ARGS='{"portMappings":[{"hostPort":9001,"containerPort":80}]}' run br_add "$N" c2
	echo "third: $output" | head -c 300 >&3
}
