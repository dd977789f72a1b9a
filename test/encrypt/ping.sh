# SPDX-License-Identifier: MIT
# Counting a continuous ping's replies so that only a lost packet counts as
# lost. ping -c N alone counts as lost every reply that has not come two
# round trips after its last probe (iputils' wait at the end), which on a
# busy machine a late reply may not: -w keeps it waiting (and probing past
# N when one is missing) until N replies or the deadline.
# Sourced by hosts.sh and overlay-vm.bash; plain sh.

# ping_replies NETNS ADDR N INTERVAL FILE: N probes (more if some go
# unanswered), their output (-O -D) in FILE; fails only when ping cannot run.
ping_replies() {
	ip netns exec "$1" ping -O -D -i "$4" -c "$3" -w 120 "$2" >"$5" 2>&1 || [ $? = 1 ]
}

# seq_gaps FILE: "R replies, last L, M missing": the icmp_seq numbers missing
# below the last reply. The replies in flight when ping was stopped are not lost.
seq_gaps() {
	grep -o 'icmp_seq=[0-9]* ttl' "$1" | tr -dc '0-9\n' | sort -nu |
		awk 'NR == 1 { if ($1 != 1) gaps += $1 - 1 } NR > 1 { gaps += $1 - prev - 1 }
			{ prev = $1 } END { print NR " replies, last " prev ", " gaps + 0 " missing" }'
}
