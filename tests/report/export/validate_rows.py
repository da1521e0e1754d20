#!/usr/bin/env python3
"""Validates every row of every table of an export against docs/export-v1.schema.json; a row
that breaks the schema is also made up and must be caught. fastjsonschema compiles the schema:
the intervals of the corpus are half a million rows.
usage: validate_rows.py SOURCE_DIR EXPORT_DIR"""
import json
import pathlib
import sys

import fastjsonschema

src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
schema = json.loads((src / "docs/export-v1.schema.json").read_text())
tables = [name for name in schema["$defs"] if name not in ("labels", "trace_id")]


def compile_table(table):
    return fastjsonschema.compile({"$schema": schema["$schema"], "$ref": f"#/$defs/{table}", "$defs": schema["$defs"]},
                                  formats={"date-time": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"})


failed = 0
for table in tables:
    validate = compile_table(table)
    rows = 0
    for path in sorted((out / table).glob("*.ndjson")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            rows += 1
            try:
                validate(json.loads(line))
            except fastjsonschema.JsonSchemaException as error:
                failed += 1
                print(f"FAIL {table}/{path.name}:{number}: {error.message}")
                break
    print(f"{'ok  ' if rows or table == 'failures' else 'FAIL'} {table}: {rows} rows")
    if rows == 0 and table != "failures":
        failed += 1
interval = {"labels": {}, "trace_id": "0" * 32, "goroutine": 1, "state": "sleeping", "reason": "", "start_ns": 0,
            "duration_ns": 1, "p": None, "m": None, "stack_id": 0, "cause_goroutine": None, "cause_stack_id": None}
try:
    compile_table("intervals")(interval)
    failed += 1
    print("FAIL the schema accepts an interval in a state that does not exist")
except fastjsonschema.JsonSchemaException:
    pass
sys.exit(1 if failed else 0)
