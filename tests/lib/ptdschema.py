# SPDX-License-Identifier: MIT
"""Checks ptdiag documents against the published JSON Schemas in docs/schema/: the one place the
Python tests do it. python3-jsonschema is a test dependency (scripts/deps): when it is missing
the import fails and so does the test, rather than a schema check that silently never runs.

Use: sys.path.insert(0, <repo>/tests/lib); from ptdschema import schema_errors
"""
import itertools
import json
import pathlib

import jsonschema

SCHEMA_DIR = pathlib.Path(__file__).resolve().parents[2] / "docs" / "schema"
_VALIDATORS = {}


def validators():
    """{"ptdiag.host/1": validator, ...} for every schema file, each checked as a schema."""
    if not _VALIDATORS:
        for path in sorted(SCHEMA_DIR.glob("*.json")):
            schema = json.loads(path.read_text())
            jsonschema.Draft202012Validator.check_schema(schema)
            _VALIDATORS[schema["properties"]["schema"]["const"]] = \
                jsonschema.Draft202012Validator(schema)
    return _VALIDATORS


def schema_errors(doc, limit=10, schema_id=None):
    """Up to limit "path: message" lines for what doc breaks in its schema (the one its
    "schema" member names, or schema_id); [] when it conforms."""
    sid = schema_id or (doc.get("schema") if isinstance(doc, dict) else None)
    v = validators().get(sid)
    if v is None:
        return ["(top): schema %r is none of %s" % (sid, sorted(validators()))]
    return ["%s: %s" % ("/".join(map(str, e.absolute_path)) or "(top)", e.message[:200])
            for e in itertools.islice(v.iter_errors(doc), limit)]
