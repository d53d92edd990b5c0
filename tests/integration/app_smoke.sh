#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Smoke test of the dpdk-migrate application on a real EAL, in the manner of
# DPDK's devtools/test-null.sh: hugepages when the host has them reserved,
# mounted and writable, --no-huge -m 128 otherwise (MIG_TEST_NO_HUGE=1
# forces it). Output is TAP.
#
#   app_smoke.sh <path to dpdk-migrate>

APP=${1:?usage: app_smoke.sh <dpdk-migrate>}
. "$(dirname "$0")/lib.sh"
mt_init mig-smoke 128 "dpdk-migrate smoke test"

echo "1..16"

run --version
ok=1
[ "$rc" -eq 0 ] && has "$OUT" "dpdk-migrate 0." && ok=0
report "--version prints the version" $ok \
	"expected exit 0 and 'dpdk-migrate 0.' on stdout (exit status $rc)" "$OUT" "$ERR"

run --list-drivers
ok=1
[ "$rc" -eq 0 ] && grep -q '^ *sim  *size=' "$OUT" &&
	grep -q '^transport drivers:' "$OUT" &&
	grep -q '^ *tcp  *streams=' "$OUT" && grep -q '^ *rdma  *qps=' "$OUT" &&
	ok=0
report "--list-drivers lists sim, tcp and rdma with their devargs" $ok \
	"expected exit 0, 'sim size=...', 'transport drivers:', 'tcp streams=...' and 'rdma qps=...' lines (exit status $rc)" "$OUT" "$ERR"

run --dev sim,id=a,size=64G --info
ok=1
[ "$rc" -eq 0 ] && has "$OUT" "a: driver sim" &&
	has "$OUT" "size 68719476736" && ok=0
report "--dev sim,id=a,size=64G --info describes the device" $ok \
	"expected exit 0, 'a: driver sim' and 'size 68719476736' (exit status $rc)" "$OUT" "$ERR"

run --dev sim,szie=1G --info
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "unknown key 'szie'" && ok=0
report "a misspelt devargs key fails and is named" $ok \
	"expected failure and \"unknown key 'szie'\" on stderr (exit status $rc)" "$OUT" "$ERR"

run --dev nosuch --info
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "nosuch" && has "$ERR" "no such driver" && ok=0
report "an unknown driver fails and is named" $ok \
	"expected failure and 'nosuch' ... 'no such driver' on stderr (exit status $rc)" "$OUT" "$ERR"

run --no-such-option
ok=1
[ "$rc" -ne 0 ] && cat "$OUT" "$ERR" | grep -q "^Usage: " &&
	has "$ERR" "no-such-option" && ok=0
report "an unknown option fails with usage" $ok \
	"expected failure, the option named and 'Usage: ' (exit status $rc)" "$OUT" "$ERR"

# Time options take a duration (ms if no unit); a size suffix is refused
# with one line naming the option, not read as 1024 ms.
run --downtime 1K --dev sim,id=a,size=1M --info
ok=1
[ "$rc" -ne 0 ] && [ "$(grep -c '^dpdk-migrate: ' "$ERR")" -eq 1 ] &&
	has "$ERR" "dpdk-migrate: --downtime 1K: not a duration" && ok=0
report "--downtime 1K is refused in one line naming the option" $ok \
	"expected failure and one line 'dpdk-migrate: --downtime 1K: not a duration' (exit status $rc)" "$OUT" "$ERR"

run --downtime 1.5s --timeout 2s --max-precopy-time 500 --dev sim,id=a,size=1M --info
ok=1
[ "$rc" -eq 0 ] && has "$OUT" "a: driver sim" && ok=0
report "--downtime 1.5s --timeout 2s --max-precopy-time 500 are accepted" $ok \
	"expected exit 0 and 'a: driver sim' (exit status $rc)" "$OUT" "$ERR"

# Key files: one that others may read is refused, so is one over 4 KiB
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key"
chmod 644 "$TMP/key"
run --role source --peer 127.0.0.1:9 --key "$TMP/key" --dev sim,id=a,size=1M
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "is accessible by others (mode 0644)" && ok=0
report "a key file readable by others is refused" $ok \
	"expected failure and 'is accessible by others (mode 0644)' (exit status $rc)" "$OUT" "$ERR"

head -c 5000 /dev/urandom >"$TMP/key"
chmod 600 "$TMP/key"
run --role source --peer 127.0.0.1:9 --key "$TMP/key" --dev sim,id=a,size=1M
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "more than 4096 bytes" && ok=0
report "a key file over 4 KiB is refused" $ok \
	"expected failure and 'more than 4096 bytes' (exit status $rc)" "$OUT" "$ERR"

# The offload agent (doc/offload.md): what it needs, what it refuses, and
# each in one line naming the option or the device and the step.
AG="--role agent --insecure --peer 127.0.0.1:9"
run --role agent --insecure --dev sim,id=a,size=1M
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "--role agent needs --peer ADDR" && ok=0
report "the agent needs --peer" $ok \
	"expected failure and '--role agent needs --peer ADDR' (exit status $rc)" "$OUT" "$ERR"

run --role agent --peer 127.0.0.1:9 --dev sim,id=a,size=1M
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "--role agent needs --key FILE (or --insecure" && ok=0
report "the agent needs --key or --insecure" $ok \
	"expected failure and '--role agent needs --key FILE (or --insecure' (exit status $rc)" "$OUT" "$ERR"

# shellcheck disable=SC2086 # $AG is a list of options
run $AG --dev sim,id=a,size=1M
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "device a: driver sim has no VMM owner" && ok=0
report "the agent refuses a device without a VMM owner" $ok \
	"expected failure and 'device a: driver sim has no VMM owner' (exit status $rc)" "$OUT" "$ERR"

# shellcheck disable=SC2086
run $AG --dev "vfio_offload,id=v,bdf=0000:01:00.0,ctl=$TMP/nothere"
ok=1
[ "$rc" -ne 0 ] && [ "$(grep -c '^dpdk-migrate: ' "$ERR")" -eq 1 ] &&
	has "$ERR" "vfio_offload v: attach to 0000:01:00.0: cannot open $TMP/nothere: No such file or directory (the mig_vfio_pci module is not loaded" &&
	ok=0
report "an offload device without the module: one line naming device, address and cause" $ok \
	"expected failure and one line 'vfio_offload v: attach to 0000:01:00.0: cannot open ...: No such file or directory (the mig_vfio_pci module is not loaded' (exit status $rc)" "$OUT" "$ERR"

# shellcheck disable=SC2086
run $AG --dev vfio_offload,id=v,bdf=01:00.0
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "vfio_offload v: bdf=01:00.0: expected a full PCI address" && ok=0
report "an offload device with a short PCI address is refused" $ok \
	"expected failure and 'vfio_offload v: bdf=01:00.0: expected a full PCI address' (exit status $rc)" "$OUT" "$ERR"

# The man page documents exactly the options of --help (plus --ready-fd,
# internal to the loopback role and hidden from --help).
MAN=$(dirname "$0")/../../doc/dpdk-migrate.1
if [ -f "$MAN" ]; then
	run --help
	grep -o -- '--[a-z][a-z-]*' "$OUT" | sort -u >"$TMP/help.opts"
	echo "--ready-fd" >>"$TMP/help.opts"
	sort -u -o "$TMP/help.opts" "$TMP/help.opts"
	sed -n '/^\.SS Application options/,/^\.SH/p' "$MAN" |
		awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' |
		sed 's/\\-/-/g' | grep -o -- '--[a-z][a-z-]*' |
		sort -u >"$TMP/man.opts"
	ok=1
	[ "$rc" -eq 0 ] && [ -s "$TMP/man.opts" ] &&
		cmp -s "$TMP/help.opts" "$TMP/man.opts" && ok=0
	diff "$TMP/help.opts" "$TMP/man.opts" >"$TMP/opts.diff"
	report "doc/dpdk-migrate.1 documents every option of --help" $ok \
		"expected the same options (< --help, > man page)" "$TMP/opts.diff"
else
	N=$((N + 1))
	echo "ok $N - doc/dpdk-migrate.1 documents every option of --help # SKIP no doc/ next to the tests"
fi

mt_done
