#!/usr/bin/env python3
"""Metric names in PromQL expressions (the Grafana dashboard's queries, the alert rules) and in
Prometheus text exposition, for checking the one against the other (issue 18).

The PromQL side is a small tokenizer, not a parser: it drops string literals, label matchers
and `by (...)`/`on (...)` label lists, then keeps the identifiers that are neither functions
(followed by "("), keywords nor durations."""
import re

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
            "and", "or", "unless", "inf", "nan"}
IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def promql_metrics(expr):
    """Metric names an expression selects."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)          # string literals
    e = re.sub(r"\{[^}]*\}", "", e)                       # label matchers
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    # label_values(metric, label): only the first argument names a metric
    e = re.sub(r"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*[a-zA-Z_]\w*\s*\)", r"\1", e)
    names = set()
    for m in IDENT.finditer(e):
        name, rest = m.group(0), e[m.end():]
        if rest.lstrip().startswith("(") or name.lower() in KEYWORDS:
            continue
        if re.fullmatch(r"\d+[smhdwy]", name) or e[m.start() - 1:m.start()].isdigit():
            continue
        if name.startswith("$"):
            continue
        names.add(name)
    return names


def exposition_metrics(text):
    """Metric names with at least one sample in a text exposition."""
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return names


def dashboard_exprs(dash):
    """(where, expr) of every query in a Grafana dashboard: panel targets (rows included) and
    query variables."""
    out = []

    def panels(ps):
        for p in ps:
            for t in p.get("targets", []):
                out.append((f"panel {p.get('title')!r} {t.get('refId')}", t["expr"]))
            panels(p.get("panels", []))
    panels(dash.get("panels", []))
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            out.append((f"variable {v['name']}", q))
    return out
