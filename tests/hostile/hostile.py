# SPDX-License-Identifier: MIT
"""Hostile documents (issue 13), made from real ones.

A guest controls its document, and another cluster user controls the VM configs the host
document quotes; so every string may carry terminal escapes, newlines, backticks, pipes, HTML,
bidirectional overrides and bytes that are not UTF-8, and every number may be +-1e308, 2^63,
negative or fractional. These functions rewrite a parsed document into such a one, keeping its
shape (the keys, arrays and objects), and write it as the raw bytes a hostile agent would send.
"""
import copy
import json

# One payload per trick; ALL is every one at once. U+DCxx are lone surrogates that
# dump_bytes() writes as the raw (invalid UTF-8) bytes xx.
PAYLOADS = [
    "\x1b[2J\x1b]0;pwned\x07",               # clear the screen, set the window title
    "\n| injected | row |\n",                 # end a table row, add one
    "`` ` ```",                               # end a code span or a fence
    "<script>alert(1)</script>",             # HTML
    "\u202e",                                 # right-to-left override
    "![x](http://evil.example/x.png) [y](javascript:alert(1))",
    "\u009b31m\u0085",                        # C1: CSI and NEL as UTF-8
    "\x7f\x00tail",                           # DEL; NUL ends the string for cJSON
    "\udcff\udcfe\udcc0\udcaf\udce2\udc82",   # not UTF-8: ff fe, overlong c0 af, truncated e2 82
    "\r\t\x08\x0c",
]
ALL = "".join(PAYLOADS)

# Free-text members: poisoning only these keeps the documents matching each other (ids, BDFs),
# so rules still fire and their findings quote the hostile text.
NAME_KEYS = {
    "hostname", "name", "vendor_name", "device_name", "subsystem_name", "class_name",
    "description", "model_name", "kernel_release", "message", "text", "file", "inf_path",
    "inf_section", "provider", "driver_version", "signature", "raw", "value", "line_text",
    "product_name", "vbios_version", "title", "source", "problem_name", "adapter_name",
}

# Numbers a hostile producer may write where an integer is expected.
NUMBERS = {
    "1e308": 1e308,
    "minus1e308": -1e308,
    "2pow63": 2**63,
    "2pow64": 2**64,
    "minus2pow63minus1": -(2**63) - 1,
    "minus1": -1,
    "minus4096": -4096,
    "half": 0.5,
}


def _walk(node, fn, key=None):
    if isinstance(node, dict):
        return {k: (v if k == "schema" else _walk(v, fn, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, fn, key) for v in node]
    return fn(node, key)


def strings(doc, only_names=False):
    """Every string (or only the free-text ones) with every payload appended."""
    def fn(v, key):
        if isinstance(v, str) and (not only_names or key in NAME_KEYS):
            return v + ALL
        return v
    return _walk(copy.deepcopy(doc), fn)


def numbers(doc, value):
    """Every number (booleans excepted) replaced by value: a float, an int or a string."""
    def fn(v, key):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return value
        return v
    return _walk(copy.deepcopy(doc), fn)


def variants(doc):
    """(name, document) for every hostile variant of doc."""
    out = [("strings-all", strings(doc)), ("strings-names", strings(doc, only_names=True))]
    out += [("num-" + n, numbers(doc, v)) for n, v in NUMBERS.items()]
    out.append(("num-as-text", numbers(doc, "NaN")))
    return out


def dump_bytes(doc):
    """The document as bytes: UTF-8 with the lone surrogates above as raw invalid bytes."""
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8", "surrogateescape")
