#!/usr/bin/python3
"""Validates a KCIDB document read from stdin against kcidb-io's v5.3 schema (docs/kcidb.md).

    validate.py KCIDB_IO_DIR < document.json

KCIDB_IO_DIR is a copy of the kcidb-io package (the folder holding kcidb_io/), e.g.
<repo>/../shared/peers/kcidb-io-8971c02; or set KCIDB_IO instead of the argument.
Exit 0: valid. Exit 1: not valid (the schema's message on stderr). Exit 2: cannot validate
(no kcidb-io, no jsonschema, not JSON): never taken for a pass.
"""
import json
import os
import sys


def fail(code, message):
    print(message, file=sys.stderr)
    sys.exit(code)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("KCIDB_IO")
    if not path:
        fail(2, "usage: validate.py KCIDB_IO_DIR < document.json (or set KCIDB_IO)")
    if not os.path.isfile(os.path.join(path, "kcidb_io", "schema", "v05_03.py")):
        fail(2, f"no kcidb-io package at {path} (expected kcidb_io/schema/v05_03.py there)")
    sys.path.insert(0, path)
    try:
        import jsonschema
        from kcidb_io.schema import V5_3
    except ImportError as e:
        fail(2, f"cannot load kcidb-io from {path}: {e} (Debian: apt-get install python3-jsonschema)")
    try:
        data = json.load(sys.stdin)
    except ValueError as e:
        fail(2, f"not JSON: {e}")
    version = data.get("version") if isinstance(data, dict) else None
    if version != {"major": 5, "minor": 3}:
        fail(1, f"version must be {{major 5, minor 3}}, not {version!r}")
    try:
        V5_3.validate_exactly(data)
    except jsonschema.exceptions.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path)
        fail(1, f"not valid KCIDB v5.3 at /{where}: {e.message}")
    counts = {k: len(data.get(k, [])) for k in ("checkouts", "builds", "tests")}
    print(f"valid KCIDB v5.3: {counts['checkouts']} checkouts, {counts['builds']} builds, {counts['tests']} tests")


main()
