#!/usr/bin/env python3
"""tracejson.py -- read a coroscope trace's JSON Lines as version 3 means them.

The one place where the Python tooling (tests/scripts/*.py, tools/*.py) reads
trace lines itself. Version 4 (traces/FORMAT.md, "Version 4") is version 3
plus three abbreviations -- `seq` left out (the previous event's + 1), `t`
left out (the previous event's), and `{"str":N,"s":TEXT}` lines whose numbers
stand for TEXT in the listed string fields -- and `expand` undoes all three,
so a script sees every event of every version as a version-3 event: `seq`,
`t` and `ev` first, strings spelled out, no `str` lines.

    from tracejson import load, expand
    header, events = load("trace.jsonl")          # a path
    header, events = expand(text.splitlines())    # lines already read

`abbreviate` goes the other way (every listed string interned, `seq` and `t`
left out wherever they can be): tests use it to make version-4 files from
version-3 ones independently of the C writer.

    python3 tools/tracejson.py expand FILE        # print FILE as version 3
    python3 tools/tracejson.py abbreviate FILE    # print FILE as version 4
"""

import json
import sys

# The fields whose string (or string-or-null) value a version-4 event may give
# as the number of a `str` line. Nothing else is ever interned.
INTERNED = ("name", "coro", "fn", "via", "kind", "label", "on", "src", "csrc",
            "reason", "outcome", "op", "exc", "msg", "file")


class TraceError(ValueError):
    """A line that breaks version 4's rules: 'LINE:COLUMN: what'."""


def _parse(line, n):
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise TraceError("%d:%d: not JSON: %s" % (n, getattr(exc, "colno", 1), exc))
    if not isinstance(obj, dict):
        raise TraceError("%d:1: not a JSON object" % n)
    return obj


def _is_ref(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 1


def expand(lines):
    """(header, events) of the trace whose lines (text, newline optional) are
    given; every event as version 3 writes it. Raises TraceError for a
    version-4 rule broken (a number naming no string, a `str` line out of
    order ...) or a line that is not a JSON object, with its line number."""
    it = iter(lines)
    try:
        header = _parse(next(it), 1)
    except StopIteration:
        raise TraceError("1:1: empty file: no header line")
    v4 = isinstance(header.get("version"), int) and header["version"] >= 4
    table, events = [], []
    seq, t = 0, 0
    for n, line in enumerate(it, 2):
        if not line.strip():
            continue
        obj = _parse(line, n)
        if "str" in obj and "ev" not in obj:
            if not v4:
                raise TraceError("%d:1: a \"str\" line in a version %s trace" % (n, header.get("version")))
            if set(obj) != {"str", "s"} or not isinstance(obj["s"], str) or obj["str"] != len(table) + 1:
                raise TraceError("%d:1: bad \"str\" line %r (string %d expected)" % (n, line, len(table) + 1))
            table.append(obj["s"])
            continue
        if v4:
            for k in INTERNED:
                v = obj.get(k)
                if _is_ref(v):
                    if v > len(table):
                        raise TraceError("%d:1: \"%s\" names string %d, not defined before it" % (n, k, v))
                    obj[k] = table[v - 1]
        seq = obj.pop("seq", seq + 1 if v4 else None)
        t = obj.pop("t", t if v4 else None)
        ev = {"seq": seq, "t": t}
        ev.update(obj)
        if ev["seq"] is None:
            del ev["seq"]
        if ev["t"] is None:
            del ev["t"]
        events.append(ev)
    return header, events


def load(path):
    """(header, events) of the trace file at path (see expand)."""
    with open(path, encoding="utf-8") as f:
        return expand(f.read().splitlines())


def _dump(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def abbreviate(header, events):
    """The lines (without newlines) of the same trace as version 4 with every
    abbreviation used: each listed string field interned, `seq` and `t` left
    out where they follow from the previous event."""
    header = dict(header, version=4)
    out, table = [_dump(header)], {}
    seq, t = 0, 0
    for ev in events:
        ev = dict(ev)
        for k in INTERNED:
            v = ev.get(k)
            if isinstance(v, str):
                if v not in table:
                    table[v] = len(table) + 1
                    out.append(_dump({"str": table[v], "s": v}))
                ev[k] = table[v]
        if ev.get("seq") == seq + 1:
            del ev["seq"]
            seq += 1
        elif "seq" in ev:
            seq = ev["seq"]
        if "t" in ev and ev["t"] == t and type(ev["t"]) is type(t):
            del ev["t"]
        elif "t" in ev:
            t = ev["t"]
        out.append(_dump(ev))
    return out


def main(argv):
    if len(argv) != 3 or argv[1] not in ("expand", "abbreviate"):
        sys.stderr.write("usage: tracejson.py expand|abbreviate FILE\n")
        return 2
    header, events = load(argv[2])
    if argv[1] == "expand":
        lines = [_dump(dict(header, version=min(header.get("version", 3), 3)))] + [_dump(e) for e in events]
    else:
        lines = abbreviate(header, events)
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
