#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 dpdk-migrate authors
"""The --json summary against its schema (TAP).

    json_summary.py <path to dpdk-migrate> <doc/dpdk-migrate-summary.schema.json>

Validates the summaries of real runs (a migration, both sides; a source
that fails) against the schema with a validator of the JSON Schema
keywords the schema uses (standard library only), checks the version the
application writes is the schema's, and that the validator rejects
documents that break the schema (so that it can fail).
"""
import copy
import json
import re
import sys

from apprun import Run, Tap

APP = sys.argv[1] if len(sys.argv) > 1 else "build/apps/dpdk-migrate/dpdk-migrate"
SCHEMA = sys.argv[2] if len(sys.argv) > 2 else "doc/dpdk-migrate-summary.schema.json"
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "null": type(None)}
KNOWN = {"$schema", "$id", "title", "description", "version", "type",
         "required", "additionalProperties", "properties", "items", "enum",
         "const", "minimum", "minLength", "pattern"}


def type_ok(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])


def validate(v, s, where="$"):
    """Errors of @v against schema @s, as a list of strings."""
    unknown = set(s) - KNOWN
    if unknown:
        return ["%s: schema keyword(s) %s not supported" % (where, unknown)]
    errs = []
    if "const" in s and v != s["const"]:
        errs.append("%s: %r is not %r" % (where, v, s["const"]))
    if "enum" in s and v not in s["enum"]:
        errs.append("%s: %r not in %r" % (where, v, s["enum"]))
    if "type" in s and not type_ok(v, s["type"]):
        return errs + ["%s: %r is not of type %s" % (where, v, s["type"])]
    if "minimum" in s and isinstance(v, (int, float)) and v < s["minimum"]:
        errs.append("%s: %r < %r" % (where, v, s["minimum"]))
    if isinstance(v, str):
        if len(v) < s.get("minLength", 0):
            errs.append("%s: %r too short" % (where, v))
        if "pattern" in s and not re.search(s["pattern"], v):
            errs.append("%s: %r does not match %s" % (where, v, s["pattern"]))
    if isinstance(v, dict):
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in v:
                errs.append("%s: %s missing" % (where, k))
        for k, x in v.items():
            if k in props:
                errs += validate(x, props[k], "%s.%s" % (where, k))
            elif s.get("additionalProperties", True) is False:
                errs.append("%s: unexpected field %s" % (where, k))
    if isinstance(v, list) and "items" in s:
        for i, x in enumerate(v):
            errs += validate(x, s["items"], "%s[%d]" % (where, i))
    return errs


def load(path):
    try:
        with open(path) as f:
            return json.load(f), None
    except (OSError, ValueError) as e:
        return None, str(e)


def check(tap, schema, path, name, logs):
    doc, err = load(path)
    errs = [err] if doc is None else validate(doc, schema)
    tap.ok(not errs, name, "\n".join(errs), *logs)
    return doc


def main():
    with open(SCHEMA) as f:
        schema = json.load(f)
    tap = Tap(7)
    run = Run(APP, "mig-json")
    logs = [run.path(f) for f in ("s.out", "s.err", "d.out", "d.err")]
    dev = ["--dev", "sim,id=a,size=24M,page=1M,caps=pre_copy+p2p,dirty_rate=8M",
           "--dev", "sim,id=b,size=8M,caps=stop_copy"]
    src, dst = run.pair(dev, ["--json", run.path("s.json")],
                        ["--json", run.path("d.json")])
    rc = run.finish([p for p in (src, dst) if p])
    s = check(tap, schema, run.path("s.json"),
              "the source's summary of a migration follows the schema", logs)
    d = check(tap, schema, run.path("d.json"),
              "the destination's summary of a migration follows the schema",
              logs)
    s, d = s or {}, d or {}
    sd = {x["name"]: x for x in s.get("devices", [])}
    dd = {x["name"]: x for x in d.get("devices", [])}
    tap.ok(rc == [0, 0] and s.get("version") == schema["version"] and
           s.get("ok") is True and s.get("role") == "source" and
           d.get("role") == "destination" and
           s.get("bytes") == sum(x["bytes"] for x in sd.values()) and
           sorted(sd) == ["a", "b"] and
           all(sd[n]["stream_digest"] == dd.get(n, {}).get("stream_digest")
               for n in sd) and "switchover" in s,
           "version %s, figures consistent (bytes, digests on both sides)"
           % s.get("version"), "exit %s\nsource %s\ndestination %s"
           % (rc, s, d), *logs)
    # a failing source (fault injection) still writes a valid summary
    src, dst = run.pair(["--dev", "sim,id=a,size=24M,page=1M,fail_save=5"],
                        ["--json", run.path("f.json")])
    rc = run.finish([p for p in (src, dst) if p])
    f = check(tap, schema, run.path("f.json"),
              "the summary of a failed source follows the schema", logs) or {}
    tap.ok(rc[0] != 0 and f.get("ok") is False and
           "fail_save" in f.get("error", ""),
           "the failure's summary says ok false with the error",
           "exit %s, summary %s" % (rc, f), *logs)
    # the validator rejects what the schema forbids
    bad = []
    for what, mutate in (
            ("version 2", lambda x: x.update(version=2)),
            ("bytes missing", lambda x: x.pop("bytes")),
            ("a device's bytes as a string",
             lambda x: x["devices"][0].update(bytes="1")),
            ("an unknown field", lambda x: x.update(extra=1)),
            ("a bad digest",
             lambda x: x["devices"][0].update(stream_digest="xyz"))):
        m = copy.deepcopy(s) if s else {"devices": [{}]}
        mutate(m)
        if not validate(m, schema):
            bad.append(what)
    tap.ok(s and not bad, "the validator rejects documents that break the "
           "schema", "accepted: %s" % bad)
    # the schema documents every field the application writes
    with open(run.path("s.json")) as fh:
        keys = set(re.findall(r'"([a-z_]+)":', fh.read()))
    props = set(schema["properties"])
    for sub in ("downtime_parts", "switchover"):
        props |= set(schema["properties"][sub]["properties"])
    props |= set(schema["properties"]["devices"]["items"]["properties"])
    tap.ok(s and keys <= props, "every field written is in the schema",
           "not in the schema: %s" % (keys - props))
    return tap.status()


if __name__ == "__main__":
    sys.exit(main())
