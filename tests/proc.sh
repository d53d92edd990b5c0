# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Process helpers shared by the shell tests on the host and in the lab VM
# (sourced, not run): waiting for a process with a time limit, killing one
# side of a migration, and a free TCP port on loopback.

# wait_pid <pid> <seconds>: its exit status, or 124 after killing it at the
# limit (not in a subshell: only this shell can reap its children)
wait_pid()
{
	i=0
	while kill -0 "$1" 2>/dev/null; do
		if [ $i -ge $(($2 * 10)) ]; then
			kill -9 "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			return 124
		fi
		sleep 0.1
		i=$((i + 1))
	done
	wait "$1"
}

# kill_side <s|d> <seconds>: kill the source (s) or the destination (d),
# wait that long for the other one; sets src_rc and dst_rc (the source
# and destination run in the background as SPID and DPID)
kill_side()
{
	if [ "$1" = d ]; then
		k_victim=$DPID k_other=$SPID
	else
		k_victim=$SPID k_other=$DPID
	fi
	kill -9 "$k_victim"
	wait "$k_victim" 2>/dev/null
	wait_pid "$k_other" "$2"
	k_rc=$?
	if [ "$1" = d ]; then
		dst_rc=killed src_rc=$k_rc
	else
		src_rc=killed dst_rc=$k_rc
	fi
	SPID='' DPID=''
}

# free_port: a random TCP port in 20000..59999 not in use
free_port()
{
	while :; do
		p=$(( $(od -An -tu2 -N2 /dev/urandom | tr -d ' ') % 40000 + 20000 ))
		if ! grep -qi ":$(printf '%04X' "$p") " /proc/net/tcp 2>/dev/null
		then
			echo "$p"
			return
		fi
	done
}
