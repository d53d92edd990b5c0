#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""Count test cases from meson's testlog.json: every TAP line of a TAP test
(cmocka prints one per case), one case for any other test. Prints
"N passed, N failed, N skipped" and exits 1 if anything failed."""
import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\b[^#]*(#\s*(SKIP|TODO)\b.*)?', re.I)
PLAN = re.compile(r'^1\.\.\d+', re.M)


def main(path):
    passed = failed = skipped = 0
    with open(path) as f:
        for line in f:
            t = json.loads(line)
            res = t.get('result', '')
            cases = 0
            out = t.get('stdout') or ''
            if PLAN.search(out):
                for l in out.splitlines():
                    m = TAP.match(l.strip())
                    if not m:
                        continue
                    cases += 1
                    if m.group(3):
                        skipped += 1
                    elif m.group(1).lower() == 'ok':
                        passed += 1
                    else:
                        failed += 1
                # A crash before or after the cases is a failure too.
                if res not in ('OK', 'EXPECTEDFAIL', 'SKIP') and \
                        failed == 0:
                    failed += 1
                if cases:
                    continue
            if res in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif res == 'SKIP':
                skipped += 1
            else:
                failed += 1
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
