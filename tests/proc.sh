# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Process helpers shared by the shell tests on the host and in the lab VM
# (sourced, not run): waiting for a process with a time limit, and a free
# TCP port on loopback.

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
