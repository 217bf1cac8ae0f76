# SPDX-License-Identifier: MIT
"""Runs ptdiag-host --json --root and checks its document against the schema."""
import json
import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "lib"))
from ptdschema import schema_errors  # noqa: E402

ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z")


def validated(doc):
    """The document, after it passed docs/schema/ptdiag.host-1.json (AssertionError if not)."""
    errors = schema_errors(doc, 10, "ptdiag.host/1")
    assert not errors, "document violates ptdiag.host-1.json:\n" + "\n".join(errors)
    return doc


def probe(host, root):
    """ptdiag-host's document of the tree root, validated."""
    p = subprocess.run([host, "--json", "--root", str(root)], capture_output=True, text=True,
                       timeout=120, env=ENV)
    return validated(json.loads(p.stdout))
