#!/bin/sh
# docs/troubleshooting.md must be exactly what the matrix generates (fix: run
# `ptdiag-report gen-docs -o docs/troubleshooting.md` and commit).
set -eu
exe=$1 src=$2 tmp=$3
"$exe" gen-docs --matrix "$src/report/data/symptoms.json" -o "$tmp"
if ! cmp -s "$tmp" "$src/docs/troubleshooting.md"; then
    echo "docs/troubleshooting.md differs from the matrix; regenerate it with:" >&2
    echo "  $exe gen-docs -o docs/troubleshooting.md" >&2
    diff -u "$src/docs/troubleshooting.md" "$tmp" | head -40 >&2 || true
    exit 1
fi
# The built-in copy and the file must agree too.
"$exe" gen-docs -o "$tmp.builtin"
cmp "$tmp" "$tmp.builtin"
