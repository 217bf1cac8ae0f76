# SPDX-License-Identifier: MIT
"""Runs ptdiag-host --json --root and checks its document against the schema."""
import json
import os
import pathlib
import subprocess

SCHEMA = pathlib.Path(__file__).resolve().parent.parent.parent / "docs/schema/ptdiag.host-1.json"
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z")


def validated(doc):
    """The document against docs/schema/ptdiag.host-1.json, when python3-jsonschema is there."""
    try:
        import jsonschema
    except ImportError:
        return doc
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    return doc


def probe(host, root):
    """ptdiag-host's document of the tree root, validated."""
    p = subprocess.run([host, "--json", "--root", str(root)], capture_output=True, text=True,
                       timeout=120, env=ENV)
    return validated(json.loads(p.stdout))
