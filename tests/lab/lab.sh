#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# The lab VM: boot Debian's 6.12 kernel under QEMU TCG with a busybox
# initramfs, share the host's root read-only over 9p, chroot into it, load
# rdma_rxe on a veth pair and run a scenario as root with cwd = the project
# root. The scenario's stdout (TAP) is this script's stdout, its exit
# status this script's; the console goes to <build>/lab/<scenario>/console.log
# and to stderr. See doc/lab.md.
#
#   tests/lab/lab.sh [options] <scenario.sh> [args]
#     --build DIR          build directory (<root>/build)
#     --cpus N             vCPUs (2)
#     --mem MiB            guest memory (3072)
#     --hugepages N        2 MiB hugepages reserved at boot (512)
#     --ivshmem N          N ivshmem-plain devices behind pcie-root-ports,
#                          with an emulated intel-iommu (0)
#     --ivshmem-size SIZE  memory of each ivshmem device, QEMU size (64M)
#     --timeout S          kill QEMU after S seconds (300)
#     --retry-timeout      a run that hangs (killed by --timeout, or its
#                          guest showing the lost-timer RCU stall of TCG:
#                          killed at once) runs once more; the scenario's
#                          stdout is then printed when the last run ends,
#                          not as it comes (the test suite's runs: doc/lab.md)
#     --append ARGS        extra kernel command line arguments
#     --pmds LIST|all      DPDK PMDs the guest's EAL loads from Debian's
#                          plugin directory (bus_pci,bus_vdev,mempool_ring,
#                          mempool_stack,net_null,net_ring); all: every one
#     --shell              interactive: the console on this terminal and a
#                          root shell after the scenario (which is optional)
set -eu

LAB_DIR=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$LAB_DIR/../.." && pwd -P)

BUILD=$ROOT/build
CPUS=2
MEM=3072
HUGEPAGES=512
NIVSHMEM=0
IVSHMEM_SIZE=64M
TIMEOUT=300
APPEND=
SHELL_MODE=0
RETRY_TIMEOUT=0
RDMA_IP=10.99.0.1
PMDS=bus_pci,bus_vdev,mempool_ring,mempool_stack,net_null,net_ring

usage()
{
	sed -n 's/^#   //p' "$0" >&2
	exit 2
}

die()
{
	echo "lab: $*" >&2
	exit 125
}

# number <option> <value>: dies unless value is a decimal integer
number()
{
	case "$2" in
	''|*[!0-9]*) die "$1 needs a number, got '$2'" ;;
	esac
}

while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=${2:?--build needs a directory}; shift 2 ;;
	--cpus) number "$1" "${2-}"; CPUS=$2; shift 2 ;;
	--mem) number "$1" "${2-}"; MEM=$2; shift 2 ;;
	--hugepages) number "$1" "${2-}"; HUGEPAGES=$2; shift 2 ;;
	--ivshmem) number "$1" "${2-}"; NIVSHMEM=$2; shift 2 ;;
	--ivshmem-size) IVSHMEM_SIZE=${2:?--ivshmem-size needs a size}; shift 2 ;;
	--timeout) number "$1" "${2-}"; TIMEOUT=$2; shift 2 ;;
	--retry-timeout) RETRY_TIMEOUT=1; shift ;;
	--append) APPEND=${2?--append needs arguments}; shift 2 ;;
	--pmds) PMDS=${2:?--pmds needs a list or all}; shift 2 ;;
	--shell) SHELL_MODE=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) echo "lab: unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
done

SCENARIO=
if [ $# -gt 0 ]; then
	[ -f "$1" ] || die "scenario '$1' not found"
	SCENARIO=$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")
	shift
elif [ "$SHELL_MODE" -eq 0 ]; then
	usage
fi
[ -d "$BUILD" ] || die "build directory '$BUILD' missing (run devtools/build.sh)"
BUILD=$(cd "$BUILD" && pwd -P)

# The guest mounts tmpfs on /tmp and /run (and its own /dev, /proc, /sys)
# over the host's root: a project or build directory under /tmp or /run
# (a clone in /tmp) is exported once more, read-only, and mounted at the
# same path after those mounts (LAB_SHARES in lab.env: tag=path ...).
fresh()
{
	case "$1" in
	/tmp/*|/run/*|/var/run/*|/dev/shm/*) return 0 ;;
	esac
	return 1
}
SHARES=
for d in "$ROOT" "$BUILD"; do
	fresh "$d" || continue
	case "$d" in *[,\ ]*) die "cannot export '$d' (comma or space)" ;; esac
	covered=0
	for s in $SHARES; do
		case "$d/" in "${s#*=}"/*) covered=1 ;; esac
	done
	[ "$covered" -eq 1 ] || SHARES="$SHARES${SHARES:+ }share$(echo "$SHARES" | wc -w)=$d"
done
if [ -n "$SCENARIO" ] && fresh "$SCENARIO"; then
	covered=0
	for s in $SHARES; do
		case "$SCENARIO" in "${s#*=}"/*) covered=1 ;; esac
	done
	[ "$covered" -eq 1 ] || die "scenario $SCENARIO is under a directory" \
		"the guest mounts afresh (/tmp /run) and outside the project" \
		"($ROOT) and the build directory ($BUILD)"
fi
case "$SCENARIO" in
/dev/*|/proc/*|/sys/*)
	die "scenario $SCENARIO is under /dev, /proc or /sys" ;;
esac

# --- host prerequisites --------------------------------------------------
SETUP_HINT="run devtools/setup.sh --lab"
QEMU=$(command -v qemu-system-x86_64) ||
	die "qemu-system-x86_64 not found; $SETUP_HINT"
for t in cpio xz setpriv timeout; do
	command -v "$t" >/dev/null || die "$t not found; $SETUP_HINT"
done
BUSYBOX=/bin/busybox
if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "no static $BUSYBOX (package busybox-static); $SETUP_HINT"
fi

# The newest 6.12 kernel whose modules are installed: the guest modprobes
# from the host's /lib/modules through the shared root.
KVER=
for k in $(printf '%s\n' /boot/vmlinuz-6.12.* | sort -V); do
	v=${k#/boot/vmlinuz-}
	[ -f "/lib/modules/$v/modules.dep" ] && KVER=$v
done
[ -n "$KVER" ] ||
	die "no /boot/vmlinuz-6.12.* with modules in /lib/modules; $SETUP_HINT"
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || die "$KERNEL not readable"
MODDIR=/lib/modules/$KVER

# --- initramfs: busybox, init.sh, the 9p modules that are not built in ---
# modules <name>...: the .ko paths (relative to MODDIR) to load for the
# named modules, dependencies first, built-in ones left out
modules()
{
	for m in "$@"; do
		grep -q "/$m\.ko" "$MODDIR/modules.builtin" && continue
		line=$(grep -E "(^|/)$m\.ko(\.xz|\.zst|\.gz)?:" "$MODDIR/modules.dep") ||
			die "module $m neither built into $KVER nor in modules.dep"
		# modules.dep lists the deepest dependency last
		for d in $(echo "${line#*:}" | tr ' ' '\n' | sed '/^$/d' | tac); do
			echo "$d"
		done
		echo "${line%%:*}"
	done | awk '!seen[$0]++'
}

INITRD_MODULES="virtio_pci virtio_console 9pnet_virtio 9p"
LABBASE=$BUILD/lab
INITRD=$LABBASE/initramfs-$KVER.cpio
mkdir -p "$LABBASE"
# shellcheck disable=SC2086 # a list of names
MODS=$(modules $INITRD_MODULES)
KEY=$( {
	echo "$KVER"
	ls -l "$BUSYBOX"
	for m in $MODS; do ls -l "$MODDIR/$m"; done
	cat "$LAB_DIR/init.sh" "$0"
} | sha256sum | cut -d' ' -f1)
if [ ! -f "$INITRD" ] || [ "$(cat "$INITRD.key" 2>/dev/null)" != "$KEY" ]; then
	echo "lab: building $INITRD" >&2
	stage=$LABBASE/initramfs.$$.d
	rm -rf "$stage"
	mkdir -p "$stage/bin" "$stage/proc" "$stage/sys" "$stage/dev" \
		"$stage/lib/modules"
	cp "$BUSYBOX" "$stage/bin/busybox"
	cp "$LAB_DIR/init.sh" "$stage/init"
	chmod 755 "$stage/init"
	: >"$stage/lib/modules/modules.order"
	for m in $MODS; do
		ko=$(basename "$m")
		case "$ko" in
		*.xz) xz -dc "$MODDIR/$m" >"$stage/lib/modules/${ko%.xz}" ;;
		*.ko) cp "$MODDIR/$m" "$stage/lib/modules/$ko" ;;
		*) die "cannot unpack module $m" ;;
		esac
		echo "${ko%.xz}" >>"$stage/lib/modules/modules.order"
	done
	(cd "$stage" && find . | cpio -o -H newc -R 0:0 --quiet) >"$INITRD.$$"
	mv "$INITRD.$$" "$INITRD"
	echo "$KEY" >"$INITRD.key.$$"
	mv "$INITRD.key.$$" "$INITRD.key"
	rm -rf "$stage"
fi

# --- results directory: the writable 9p export ----------------------------
NAME=shell
[ -n "$SCENARIO" ] && NAME=$(basename "$SCENARIO" .sh)
RES=$LABBASE/$NAME
rm -rf "${RES:?}"
mkdir -p "$RES"

# shell-quote a word for lab.env
quote()
{
	printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"
}
{
	echo "LAB_ROOT=$(quote "$ROOT")"
	echo "LAB_BUILD=$(quote "$BUILD")"
	echo "LAB_RESULTS=$(quote "$RES")"
	echo "LAB_SCENARIO=$(quote "$SCENARIO")"
	echo "LAB_SHELL=$SHELL_MODE"
	echo "LAB_NIVSHMEM=$NIVSHMEM"
	echo "LAB_RDMA_IP=$RDMA_IP"
	echo "LAB_PMDS=$(quote "$PMDS")"
	echo "LAB_SHARES=$(quote "$SHARES")"
	printf 'set --'
	for a in "$@"; do printf ' %s' "$(quote "$a")"; done
	echo
} >"$RES/lab.env"

# --- QEMU ------------------------------------------------------------------
# no_timer_check: under a loaded host the TCG guest's IO-APIC timer check
# can fail and panic ("timer doesn't work through Interrupt-remapped IO-APIC").
CMDLINE="console=ttyS0 panic=-1 quiet no_timer_check hugepages=$HUGEPAGES"
MACHINE=q35
set -- -nodefaults -no-user-config -display none -no-reboot \
	-accel tcg,thread=multi -cpu max -smp "$CPUS" -m "$MEM" \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$RES,mount_tag=results,security_model=none,multidevs=remap"
for s in $SHARES; do
	set -- "$@" -virtfs \
		"local,path=${s#*=},mount_tag=${s%%=*},security_model=none,readonly=on,multidevs=remap"
done
if [ "$NIVSHMEM" -gt 0 ]; then
	MACHINE=q35,kernel-irqchip=split
	CMDLINE="$CMDLINE intel_iommu=on iommu=pt"
	set -- "$@" -device intel-iommu,intremap=on,caching-mode=on
	i=0
	while [ $i -lt "$NIVSHMEM" ]; do
		set -- "$@" \
			-object "memory-backend-memfd,id=ivs$i,size=$IVSHMEM_SIZE,share=on" \
			-device "pcie-root-port,id=rp$i,chassis=$((i + 1))" \
			-device "ivshmem-plain,memdev=ivs$i,bus=rp$i"
		i=$((i + 1))
	done
fi
set -- "$@" -M "$MACHINE" -append "$CMDLINE${APPEND:+ $APPEND}"

START=$(date +%s.%N)
if [ "$SHELL_MODE" -eq 1 ]; then
	echo "lab: interactive guest ($KVER); Ctrl-A X quits QEMU" >&2
	setpriv --pdeathsig KILL "$QEMU" "$@" -serial mon:stdio
	exit 0
fi

set -- "$@" -chardev "file,id=con,path=$RES/console.log" -serial chardev:con \
	-device virtio-serial-pci -chardev "file,id=out,path=$RES/stdout" \
	-device virtserialport,chardev=out,name=lab.out

# QEMU dies with this script (parent-death signals on both levels, since
# timeout(1) runs in a process group of its own) and after TIMEOUT seconds.
# The scenario's stdout and the console reach the host as files, followed
# here until QEMU ends.
QPID=
TPIDS=
# shellcheck disable=SC2317,SC2086 # called by the trap; TPIDS is a list
cleanup()
{
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	[ -n "$TPIDS" ] && kill $TPIDS 2>/dev/null
	QPID=
	TPIDS=
}
trap cleanup EXIT
trap 'echo "lab: interrupted, QEMU killed" >&2; exit 130' INT TERM HUP

# stall_watch <pid>: the TCG guest's lost-timer stall (an idle vCPU whose
# timer never fires, "rcu_preempt kthread timer wakeup didn't happen";
# seen with QEMU 10 as the outer QEMU, doc/lab.md): kill QEMU at once
# rather than at --timeout, and leave a mark for the retry.
stall_watch()
{
	while kill -0 "$1" 2>/dev/null; do
		if grep -q "timer wakeup didn't happen" "$RES/console.log" \
			2>/dev/null; then
			: >"$RES/stalled"
			kill "$1" 2>/dev/null
			return 0
		fi
		sleep 2
	done
}

# A guest that dies before its setup starts (an early-boot panic of the
# slow TCG guest, seen under heavy host load) is booted once more; with
# --retry-timeout so is one that hangs.
attempt=1
while :; do
	rm -f "$RES/stdout" "$RES/console.log" "$RES/lab-times" \
		"$RES/lab-error" "$RES/exit-status" "$RES/stalled"
	setpriv --pdeathsig KILL timeout --kill-after=5 "$TIMEOUT" \
		setpriv --pdeathsig KILL "$QEMU" "$@" </dev/null &
	QPID=$!
	TPIDS=
	if [ "$RETRY_TIMEOUT" -eq 0 ]; then
		tail -n +1 -F -s 0.2 --pid="$QPID" "$RES/stdout" 2>/dev/null &
		TPIDS=$!
	else
		stall_watch "$QPID" &
		TPIDS=$!
	fi
	tail -n +1 -F -s 0.2 --pid="$QPID" "$RES/console.log" >&2 2>/dev/null &
	TPIDS="$TPIDS $!"
	qrc=0
	wait "$QPID" || qrc=$?
	QPID=
	# shellcheck disable=SC2086 # a list of pids
	wait $TPIDS 2>/dev/null || true
	TPIDS=
	if [ "$qrc" -ne 124 ] && [ "$qrc" -ne 137 ] && [ "$attempt" -eq 1 ] &&
		[ ! -f "$RES/lab-times" ] && [ ! -f "$RES/lab-error" ] &&
		[ ! -f "$RES/exit-status" ]; then
		echo "lab: the guest died while booting (QEMU status $qrc);" \
			"booting once more; first console log:" \
			"$RES/console-boot1.log" >&2
		mv "$RES/console.log" "$RES/console-boot1.log" 2>/dev/null || true
		attempt=2
		continue
	fi
	if [ "$RETRY_TIMEOUT" -eq 1 ] && [ "$attempt" -eq 1 ] &&
		{ [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ] ||
			[ -f "$RES/stalled" ]; }; then
		if [ -f "$RES/stalled" ]; then
			why="its guest lost a vCPU's timer (RCU stall)"
		else
			why="it ran longer than $TIMEOUT s"
		fi
		echo "lab: $NAME hung: $why (TCG guest hangs, doc/lab.md);" \
			"running it once more; first console log:" \
			"$RES/console-run1.log" >&2
		mv "$RES/console.log" "$RES/console-run1.log" 2>/dev/null || true
		attempt=2
		continue
	fi
	break
done
if [ "$RETRY_TIMEOUT" -eq 1 ]; then
	cat "$RES/stdout" 2>/dev/null || true
fi
END=$(date +%s.%N)
TOTAL=$(awk -v a="$START" -v b="$END" 'BEGIN { printf "%.1f", b - a }')

if [ -f "$RES/stalled" ]; then
	echo "lab: $NAME: the guest lost a vCPU's timer (RCU stall), QEMU" \
		"killed (console log: $RES/console.log)" >&2
	exit 124
fi
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "lab: timeout: $NAME ran longer than $TIMEOUT s, QEMU killed" \
		"(console log: $RES/console.log)" >&2
	exit 124
fi
if [ -f "$RES/lab-error" ]; then
	echo "lab: guest setup failed: $(cat "$RES/lab-error")" \
		"(console log: $RES/console.log)" >&2
	exit 125
fi
if [ ! -f "$RES/exit-status" ]; then
	echo "lab: the guest stopped without an exit status (QEMU status" \
		"$qrc; kernel panic?); console log: $RES/console.log" >&2
	exit 125
fi
rc=$(cat "$RES/exit-status")
# lab-times: the guest's uptimes at stage 2, at the scenario's start and end
# become durations, with QEMU's whole run measured here
awk -v total="$TOTAL" '{ t[$1] = $2 } END {
	printf "boot_s %.1f\nsetup_s %.1f\nscenario_s %.1f\ntotal_s %.1f\n",
		t["boot_s"], t["setup_s"] - t["boot_s"],
		t["scenario_end_s"] - t["setup_s"], total
}' "$RES/lab-times" >"$RES/lab-times.tmp" && mv "$RES/lab-times.tmp" "$RES/lab-times"
# a failed scenario's "not ok" lines and the comments after them reach
# stderr too: the test harness shows only stderr of a TAP test that fails
if [ "$rc" -ne 0 ]; then
	awk '/^not ok/ { show = 1 } /^ok/ { show = 0 } show' "$RES/stdout" >&2
fi
echo "lab: $NAME exit status $rc; seconds: $(tr '\n' ' ' <"$RES/lab-times")" >&2
exit "$rc"
