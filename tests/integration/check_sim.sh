#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
#
# dpdk-migrate --check on the sim device (doc/checking.md): it passes on a
# conforming device in every capability set (and on the mlx5 driver over
# its emulated firmware), fails naming the rule when
# the device breaks one (sim's fault injection), writes its JSON form,
# and refuses what it cannot run. The lab runs it on mig_vfio_pci
# (tests/lab/scenarios/check_vfio.sh). Output is TAP.
#
#   check_sim.sh <path to dpdk-migrate>

APP=${1:?usage: check_sim.sh <dpdk-migrate>}
. "$(dirname "$0")/lib.sh"
mt_init mig-check 256 "dpdk-migrate --check on sim"

echo "1..8"

# failed_rules <json>: ids of the rules that failed
failed_rules()
{
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["check_version"] == 1 and len(r["rules"]) == r["passed"] + r["failed"] + r["skipped"]
print(" ".join(x["id"] for x in r["rules"] if x["result"] == "fail"))' "$1"
}

for caps in pre_copy+p2p pre_copy p2p stop_copy; do
	run --check "sim,id=s,size=2M,caps=$caps" --json "$TMP/c.json"
	failed=$(failed_rules "$TMP/c.json")
	ok=1
	[ "$rc" -eq 0 ] && [ -z "$failed" ] && has "$OUT" "s: 12 rules" &&
		has "$OUT" ", 0 failed," && ok=0
	report "--check passes on sim caps=$caps" $ok \
		"expected exit 0 and no failed rule (exit status $rc, failed: $failed)" "$OUT" "$ERR"
done

# the mlx5 driver on its emulated firmware: every arc it advertises,
# RUNNING_P2P -> PRE_COPY_P2P included (a tracked SAVE of the
# initiator-suspended function, as Linux's mlx5 driver does)
run --check "mlx5,id=m,pf=chk,vf=0,channel=emu,emu_size=4M" --json "$TMP/m.json"
failed=$(failed_rules "$TMP/m.json")
ok=1
[ "$rc" -eq 0 ] && [ -z "$failed" ] && has "$OUT" ", 0 failed," && ok=0
report "--check passes on mlx5 (emulated firmware)" $ok \
	"expected exit 0 and no failed rule (exit status $rc, failed: $failed)" "$OUT" "$ERR"

# an arc that fails: the rule of arcs fails, the exit status says so
run --check "sim,id=s,size=2M,caps=pre_copy+p2p,fail_arc=stop-stop_copy" \
	--json "$TMP/f.json"
failed=$(failed_rules "$TMP/f.json")
ok=1
[ "$rc" -ne 0 ] && case " $failed " in *" arcs "*) ok=0 ;; esac
grep -q '^FAIL  arcs ' "$OUT" && grep -q 'stop -> stop_copy failed' "$OUT" || ok=1
report "an arc the device fails: --check fails, naming rule arcs and the arc" $ok \
	"expected a non-zero exit and arcs among the failed rules (exit status $rc, failed: $failed)" "$OUT" "$ERR"

run --check "sim,id=s,size=2M" --role source
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "no --role or --dev with it" && ok=0
report "--check with --role is refused" $ok \
	"expected failure naming the conflict (exit status $rc)" "$OUT" "$ERR"

run --check "nosuch,x=1"
ok=1
[ "$rc" -ne 0 ] && has "$ERR" "--check" && has "$ERR" "nosuch" && ok=0
report "--check on an unknown driver fails and names it" $ok \
	"expected failure naming the driver (exit status $rc)" "$OUT" "$ERR"

[ "$FAILED" -eq 0 ]
