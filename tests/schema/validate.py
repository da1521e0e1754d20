#!/usr/bin/env python3
"""Validates every golden JSON document (tests/golden/json, json-leak-proof) against docs/gtanalyze-v1.schema.json.
usage: validate.py SOURCE_DIR"""
import json
import pathlib
import sys

import jsonschema

src = pathlib.Path(sys.argv[1])
schema = json.loads((src / "docs/gtanalyze-v1.schema.json").read_text())
validator = jsonschema.Draft202012Validator(schema)
passed = failed = 0
goldens = sorted((src / "tests/golden/json").rglob("*.json")) + sorted((src / "tests/golden/json-leak-proof").rglob("*.json"))
for path in goldens:
    errors = list(validator.iter_errors(json.loads(path.read_text())))
    if errors:
        failed += 1
        print(f"FAIL {path.relative_to(src)}: {errors[0].json_path}: {errors[0].message}")
    else:
        passed += 1
# A document that breaks the schema must be caught: the check itself is tested.
broken = json.loads(next((src / "tests/golden/json").rglob("*.json")).read_text())
broken["goroutines"].append({"id": 1})
if validator.is_valid(broken) or passed == 0:
    failed += 1
    print("FAIL the schema accepts a goroutine without its fields, or no golden was checked")
print(f"schema: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
