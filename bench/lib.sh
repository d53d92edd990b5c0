# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# Shell helpers of the bench/ rows (sourced, not run). The caller sets
# BUILD (build dir, default "build") before sourcing. Each row prints
# "# ..." detail lines and one result line:
#   ROW <name> baseline=<x> engine=<y> ratio=<r> target=<t> met=<yes|no|?>
#
# Engine runs are two dpdk-migrate processes on 127.0.0.1 on CPUs 0 and 1
# (BENCH_SRC_LCORE, BENCH_DST_LCORE). By default (BENCH_ONE_LCORE=0) the
# source's main lcore (session, transport) runs on the first CPU and its
# device worker on the second, the destination the other way round.
# BENCH_ONE_LCORE=1 runs each process on its own single lcore (everything
# on the main lcore): the rows whose baseline is one thread per side
# (iperf3, the QEMU model) use it, so that both get the same threads.
# Hugepage chunk pools when hugepages are reserved and mounted
# (--no-huge -m 256 otherwise, or with BENCH_NO_HUGE=1).

BUILD=${BUILD:-build}
# wait_pid, free_port: shared with the tests
. "$(dirname "$0")/../tests/proc.sh"
APP=$BUILD/apps/dpdk-migrate/dpdk-migrate
[ -x "$APP" ] || { echo "build first: $APP missing" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 missing" >&2; exit 1; }
BENCH_SRC_LCORE=${BENCH_SRC_LCORE:-0}
BENCH_DST_LCORE=${BENCH_DST_LCORE:-1}
BENCH_ONE_LCORE=${BENCH_ONE_LCORE:-0}
if [ "$BENCH_ONE_LCORE" = 1 ]; then
	BENCH_SRC_EAL="-l $BENCH_SRC_LCORE"
	BENCH_DST_EAL="-l $BENCH_DST_LCORE"
else
	BENCH_SRC_EAL="-l $BENCH_SRC_LCORE,$BENCH_DST_LCORE"
	BENCH_DST_EAL="-l $BENCH_SRC_LCORE,$BENCH_DST_LCORE --main-lcore $BENCH_DST_LCORE"
fi
BPREFIX=mig-bench-$$
BTMP=$(mktemp -d) || exit 1

bench_cleanup()
{
	# the destination runs under a python3 wrapper: its child first
	if [ -n "${BDPID:-}" ]; then
		read -r b_kids <"/proc/$BDPID/task/$BDPID/children" 2>/dev/null
		for c in ${b_kids:-}; do
			kill -9 "$c" 2>/dev/null
		done
		kill -9 "$BDPID" 2>/dev/null
	fi
	rm -rf "$BTMP"
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk" \
		/tmp/dpdk; do
		for p in "$d/$BPREFIX"-*; do
			[ -d "$p" ] && rm -rf "$p"
		done
	done
}
trap bench_cleanup EXIT
trap 'exit 1' INT TERM

nr=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if [ "${BENCH_NO_HUGE:-0}" != 1 ] && [ "${nr:-0}" -gt 0 ] &&
		grep -q ' hugetlbfs ' /proc/mounts && [ -w /dev/hugepages ]; then
	BMEM=""
else
	BMEM="--no-huge -m 256"
fi
umask 077
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$BTMP/key"

# bench_note: machine load, for the record
bench_note()
{
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), memory: ${BMEM:-hugepages}"
}

# calc <python expression>: prints its value
# bench_median <numbers...>: their median, 2 decimals
bench_median()
{
	python3 -c 'import statistics,sys; print("%.2f" % statistics.median(map(float, sys.argv[1:])))' "$@"
}

# bench_layout: the engine's lcore layout, in words
bench_layout()
{
	if [ "$BENCH_ONE_LCORE" = 1 ]; then
		echo "one lcore per process"
	else
		echo "two lcores per process"
	fi
}

calc()
{
	python3 -c "print($1)"
}

# jget <json file> <top-level key>
jget()
{
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# python3 -c "$RSS_RUN" <x.rss> <cmd...>: run the command, write its peak
# RSS (getrusage of the child, ru_maxrss, KiB) to <x.rss> and its user and
# system CPU seconds to <x.cpu>, exit with its status.
RSS_RUN='import os,subprocess,sys
p = subprocess.Popen(sys.argv[2:])
_, st, ru = os.wait4(p.pid, 0)
open(sys.argv[1], "w").write("%d\n" % ru.ru_maxrss)
open(sys.argv[1][:-3] + "cpu", "w").write("%.2f %.2f\n" % (ru.ru_utime, ru.ru_stime))
sys.exit(os.waitstatus_to_exitcode(st) & 255)'

# mig_pair <tag> "<source app options>" "<destination app options>":
# one migration; JSON summaries in $BTMP/<tag>.{s,d}.json, peak RSS (KiB)
# in $BTMP/<tag>.{s,d}.rss, CPU seconds ("user system") in
# $BTMP/<tag>.{s,d}.cpu. Fails (status 1, output shown) unless both
# succeed with equal device digests.
mig_pair()
{
	b_tag=$1
	b_port=$(free_port)
	: >"$BTMP/$b_tag.d.out"
	# shellcheck disable=SC2086 # option lists
	python3 -c "$RSS_RUN" "$BTMP/$b_tag.d.rss" "$APP" $BENCH_DST_EAL \
		--no-pci --file-prefix "$BPREFIX-$b_tag-d" \
		--log-level=lib.eal:warning $BMEM -- --role destination \
		--listen "127.0.0.1:$b_port" --key "$BTMP/key" \
		--json "$BTMP/$b_tag.d.json" $3 >"$BTMP/$b_tag.d.out" 2>&1 &
	BDPID=$!
	b_wait=0
	while [ $b_wait -lt 300 ] &&
	      ! grep -q "listening on" "$BTMP/$b_tag.d.out"; do
		sleep 0.1
		b_wait=$((b_wait + 1))
	done
	# shellcheck disable=SC2086
	python3 -c "$RSS_RUN" "$BTMP/$b_tag.s.rss" "$APP" $BENCH_SRC_EAL \
		--no-pci --file-prefix "$BPREFIX-$b_tag-s" \
		--log-level=lib.eal:warning $BMEM -- --role source \
		--peer "127.0.0.1:$b_port" --key "$BTMP/key" \
		--json "$BTMP/$b_tag.s.json" $2 >"$BTMP/$b_tag.s.out" 2>&1
	b_src_rc=$?
	wait "$BDPID"
	b_dst_rc=$?
	BDPID=
	if [ "$b_src_rc" -ne 0 ] || [ "$b_dst_rc" -ne 0 ] ||
	   ! python3 - "$BTMP/$b_tag.s.json" "$BTMP/$b_tag.d.json" <<'EOF'
import json, sys
s, d = (json.load(open(f)) for f in sys.argv[1:3])
dig = lambda j: [(x["name"], x.get("device_digest")) for x in j["devices"]]
sys.exit(0 if s["ok"] and d["ok"] and dig(s) == dig(d) and
         all(x[1] for x in dig(s)) else 1)
EOF
	then
		echo "# $b_tag: migration failed or digests differ (source $b_src_rc, destination $b_dst_rc)"
		sed "s/^/#   source: /" "$BTMP/$b_tag.s.out"
		sed "s/^/#   destination: /" "$BTMP/$b_tag.d.out"
		return 1
	fi
	echo "# $b_tag: $(grep '^source: total time' "$BTMP/$b_tag.s.out" | sed 's/^source: //'), digests equal"
	return 0
}

# row <name> <baseline> <engine> <ratio> <target> <met>
row()
{
	printf 'ROW %s baseline=%s engine=%s ratio=%s target=%s met=%s\n' \
		"$1" "$2" "$3" "$4" "$5" "$6"
}
