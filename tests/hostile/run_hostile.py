#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The hostile-document corpus through ptdiag-report and ptdiag-host --with-guest (issue 13).

  run_hostile.py corpus REPORT              every variant of the real base documents
                                            (tests/report/docs: a host, a Linux and a Windows
                                            guest), in every format
  run_hostile.py case NAME REPORT           one of the issue's three cases (named regressions)
  run_hostile.py soak REPORT                a generated soak log (tests/soak/gen_soak.py) whose
                                            strings (host, driver, event kind and text) and
                                            numbers are hostile, through `ptdiag-report soak`
  run_hostile.py with-guest HOST REPORT     the corpus's guest documents returned by a stand-in
                                            `qm guest exec` to ptdiag-host --vm N --with-guest

For every run: exit status 0 or 1 (2 only for input that is not JSON, with the file named); the
output is UTF-8 with no control character but newline (C0, DEL, C1) and no bidirectional
override; JSON parses; Markdown parses (CommonMark + GFM tables, markdown-it) to one table row
per finding, one heading per finding, no link, image or HTML but ptdiag's own; Prometheus parses;
no sanitizer report on stderr. Exit 0 pass, 1 fail, 77 skipped (no Markdown parser).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(os.path.dirname(HERE), "report", "docs")
sys.path.insert(0, HERE)
import hostile  # noqa: E402

try:
    import markdown_it
except ImportError:  # Debian's python3-markdown-it, when python3 is not Debian's
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import markdown_it
    except ImportError:
        markdown_it = None

# Base documents: the host passes GPUs to VM 101 (Linux) and VM 102 (Windows).
BASES = {"host": "host-pve-ws.json", "linux": "guest-linux-3090.json",
         "windows": "guest-windows-arc.json"}
GUEST_VMID = {"linux": 101, "windows": 102}
FORMATS = ("text", "json", "md", "prom", "html")
# C0 but newline, DEL, C1, and the bidirectional marks, overrides and isolates.
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SANITIZER = ("runtime error:", "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer")
# The HTML ptdiag's Markdown writes itself.
OWN_HTML = re.compile(r"^(<details><summary>[^<>]*</summary>|</details>|</?sub>)\s*$")

try:
    import html5lib
except ImportError:
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import html5lib
    except ImportError:  # the HTML checks below then only check the bytes
        html5lib = None

# The elements ptdiag's HTML report writes itself (render_html*.c).
HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "code",
             "strong", "table", "tr", "th", "td", "a", "span", "section", "details", "summary",
             "pre", "ul", "li", "div", "svg", "g", "rect", "text", "path", "tbody"}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def load(name):
    with open(os.path.join(DOCS, BASES[name])) as f:
        return json.load(f)


def write(path, doc):
    with open(path, "wb") as f:
        f.write(hostile.dump_bytes(doc))


def clean_bytes(what, data, tabs=False):
    """The output is UTF-8 and holds no forbidden character (tabs allowed where ptdiag indents
    with them: cJSON's pretty JSON); returns the text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"{what}: not UTF-8 ({e})")
        return data.decode("utf-8", "replace")
    m = FORBIDDEN.search(text.replace("\t", " ") if tabs else text)
    if m:
        at = m.start()
        fail(f"{what}: control character U+{ord(m.group()):04X} at {at}: {text[max(0, at - 40):at + 10]!r}")
    return text


def check_stderr(what, err):
    for s in SANITIZER:
        if s in err:
            fail(f"{what}: sanitizer report on stderr: {err[:2000]}")
            return


def md_tokens(text):
    md = markdown_it.MarkdownIt("commonmark").enable("table")
    return md.parse(text)


def check_md(what, text, nfindings):
    """The Markdown's shape: one heading and one table row per finding, five cells a row,
    no link, image or foreign HTML anywhere."""
    toks = md_tokens(text)
    flat = []
    for t in toks:
        flat.append(t)
        flat.extend(t.children or [])
    for t in flat:
        if t.type in ("link_open", "image"):
            fail(f"{what}: Markdown has a {t.type}: {t.attrs}")
        if t.type in ("html_inline", "html_block") and not all(
                OWN_HTML.match(ln) for ln in t.content.strip().splitlines()):
            fail(f"{what}: Markdown has foreign HTML: {t.content!r}")
    # h3 headings: one per finding, plus one per guest's capability table
    headings = sum(1 for i, t in enumerate(toks) if t.type == "heading_open" and t.tag == "h3"
                   and not toks[i + 1].content.startswith("Capabilities seen in guest"))
    if headings != nfindings:
        fail(f"{what}: {headings} finding headings for {nfindings} findings")
    # every row has as many cells as its table's header: 5 in the findings table, 10 in a
    # capability table (one row per guest GPU)
    rows, cells, width, in_head, in_body = 0, 0, 0, False, False
    for t in toks:
        if t.type == "thead_open":
            in_head, width = True, 0
        elif t.type == "thead_close":
            in_head = False
        elif in_head and t.type == "th_open":
            width += 1
        elif t.type == "tbody_open":
            in_body = True
        elif t.type == "tbody_close":
            in_body = False
        elif in_body and t.type == "tr_open":
            rows += width == 5
            cells = 0
        elif in_body and t.type == "td_open":
            cells += 1
        elif in_body and t.type == "tr_close" and (cells != width or width not in (5, 10)):
            fail(f"{what}: a table row with {cells} cells in a table of {width} columns")
    if rows != nfindings:
        fail(f"{what}: {rows} table rows for {nfindings} findings")
    return toks


def check_prom(what, text):
    line_re = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*",?)*\})? '
                         r'[-+]?([0-9.]+([eE][-+]?[0-9]+)?|Inf|NaN)$')
    for ln in text.splitlines():
        if ln.startswith("#") or not ln:
            continue
        if not line_re.match(ln):
            fail(f"{what}: not a Prometheus sample line: {ln[:200]!r}")


def check_html(what, text):
    """Strict HTML5, only ptdiag's own elements, no script, event handler or foreign link."""
    if not html5lib:
        return
    try:
        tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    except Exception as e:
        fail(f"{what}: not valid HTML5: {e}")
        return
    for el in tree.iter():
        tag = el.tag.split("}")[-1] if isinstance(el.tag, str) else ""
        if tag and tag not in HTML_TAGS:
            fail(f"{what}: foreign element <{tag}>")
        for k, v in el.attrib.items():
            if k.lower().startswith("on"):
                fail(f"{what}: event handler {k}={v[:80]!r} on <{tag}>")
            if k == "href" and not (v.startswith("#") or v.startswith("https://")
                                    or v.startswith("http://")):
                fail(f"{what}: link to {v[:80]!r}")
        if tag == "style" and el is not tree.find(".//style"):
            fail(f"{what}: a second <style>")


def report(rep, args, what):
    """Runs ptdiag-report in every format; returns {format: stdout text}."""
    out = {}
    nfindings = None
    for fmt in ("json",) + tuple(f for f in FORMATS if f != "json"):
        p = subprocess.run([rep, "--format", fmt] + args, capture_output=True, timeout=60)
        w = f"{what} --format {fmt}"
        err = p.stderr.decode("utf-8", "replace")
        check_stderr(w, err)
        if p.returncode not in (0, 1):
            fail(f"{w}: exit {p.returncode}: {err[:500]}")
            continue
        text = clean_bytes(w, p.stdout, tabs=fmt == "json")
        clean_bytes(w + " (stderr)", p.stderr)
        out[fmt] = text
        if fmt == "json":
            try:
                nfindings = len(json.loads(text)["findings"])
            except (ValueError, KeyError) as e:
                fail(f"{w}: not a report document: {e}")
        elif fmt == "md" and nfindings is not None:
            check_md(w, text, nfindings)
        elif fmt == "prom":
            check_prom(w, text)
        elif fmt == "html":
            check_html(w, text)
    return out


def corpus(rep):
    base = {k: load(k) for k in BASES}
    runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        names = [n for n, _ in hostile.variants(base["host"])]
        per = {k: dict(hostile.variants(v)) for k, v in base.items()}
        for name in names:
            paths = {}
            for k in BASES:
                paths[k] = os.path.join(tmp, f"{k}-{name}.json")
                write(paths[k], per[k][name])
            # hostile host with hostile guests tied by argument, then the guests tied by ids
            # (their host names compared with the hostile VM names), then alone
            args = [f"--guest={GUEST_VMID['linux']}={paths['linux']}",
                    f"--guest={GUEST_VMID['windows']}={paths['windows']}", paths["host"]]
            report(rep, args, f"{name}: host + guests by VM id")
            report(rep, [paths["host"], paths["linux"], paths["windows"]],
                     f"{name}: host + guests by ids")
            report(rep, [paths["linux"]], f"{name}: Linux guest alone")
            report(rep, [paths["windows"]], f"{name}: Windows guest alone")
            runs += 4 * len(FORMATS)
        # A literal NaN is not JSON: exit 2 naming the file.
        bad = os.path.join(tmp, "nan.json")
        with open(bad, "w") as f:
            f.write(json.dumps(hostile.numbers(base["linux"], float("nan"))))
        p = subprocess.run([rep, bad], capture_output=True, text=True, timeout=60)
        if p.returncode != 2 or bad not in p.stderr:
            fail(f"NaN literal: exit {p.returncode}, stderr {p.stderr[:300]!r}")
        check_stderr("NaN literal", p.stderr)
        runs += 1
    print(f"{runs} runs over {len(names)} variants of {len(BASES)} documents")


EVIL_HOST = "evil\u001b[2J\u001b]0;pwned\u0007name"
MD_HOST = "pve`1\n| a | b |\n![x](http://evil.example/x.png)"


def case(name, rep):
    host, linux = load("host"), load("linux")
    with tempfile.TemporaryDirectory() as tmp:
        hp, gp = os.path.join(tmp, "host.json"), os.path.join(tmp, "guest.json")
        args = [f"--guest=101={gp}", hp]
        if name == "terminal-escape-hostname":
            host["system"]["hostname"] = EVIL_HOST
            linux["system"]["hostname"] = EVIL_HOST
            write(hp, host)
            write(gp, linux)
            out = report(rep, args, name)
            if "text" in out and "evil\\e[2J\\e]0;pwned\\x07name" not in out["text"]:
                fail(f"{name}: the host name is not shown escaped: {out['text'][:300]!r}")
        elif name == "md-newline-backtick":
            host["system"]["hostname"] = MD_HOST
            write(hp, host)
            write(gp, linux)
            out = report(rep, args, name)
            if "md" in out:
                codes = [c.content for t in md_tokens(out["md"]) for c in (t.children or [])
                         if c.type == "code_inline"]
                want = MD_HOST.replace("\n", "\\n")
                if want not in codes:
                    fail(f"{name}: the host name is not one code span: {codes[:5]}")
        elif name == "vmid-1e308":
            host["vms"][0]["vmid"] = 1e308
            write(hp, host)
            write(gp, linux)
            out = report(rep, args, name)
            for fmt, text in out.items():
                if "9223372036854775808" in text:
                    fail(f"{name}: --format {fmt} prints a cast vmid")
            errs = [e.get("message", "") for e in json.loads(out.get("json", "{}")).get("errors", [])]
            if not any("vms[0].vmid: 1e+308 is not an integer in 100..999999999" in e for e in errs):
                fail(f"{name}: the wrong-typed vmid is not reported: {errs}")
        else:
            fail(f"no case {name}")


# Soak sample members a guest writes as free text (docs/schema.md "Soak log lines").
SOAK_KEYS = {"host", "os", "name", "version", "state", "kind", "text", "boot_id"}


def soak(rep):
    gen = os.path.join(os.path.dirname(HERE), "soak", "gen_soak.py")
    runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "real.jsonl")
        subprocess.run([sys.executable, gen, src, "--days", "2", "--reboot", "0.3", "--xid",
                        "0.5:79", "--upgrade", "0.7:575.1", "--torn-last"], check=True,
                       capture_output=True, timeout=120)
        with open(src) as f:
            lines = f.read().splitlines()
        samples = [json.loads(ln) for ln in lines[:-1]]  # the last line is torn on purpose

        def evil_strings(v, key):
            return v + hostile.ALL if isinstance(v, str) and key in SOAK_KEYS else v
        variants = [("strings", [hostile._walk(x, evil_strings) for x in samples])]
        variants += [("num-" + n, [hostile.numbers(x, v) for x in samples])
                     for n, v in hostile.NUMBERS.items()]
        for name, docs in variants:
            path = os.path.join(tmp, f"soak-{name}.jsonl")
            with open(path, "wb") as f:
                for d in docs:
                    f.write(json.dumps(d, ensure_ascii=False).encode("utf-8", "surrogateescape"))
                    f.write(b"\n")
                f.write(lines[-1].encode())
            for fmt in ("text", "json", "md"):
                w = f"soak {name} --format {fmt}"
                p = subprocess.run([rep, "soak", "--format", fmt, path], capture_output=True,
                                   timeout=120)
                err = p.stderr.decode("utf-8", "replace")
                check_stderr(w, err)
                if p.returncode not in (0, 1, 2):
                    fail(f"{w}: exit {p.returncode}: {err[:500]}")
                text = clean_bytes(w, p.stdout, tabs=fmt == "json")
                clean_bytes(w + " (stderr)", p.stderr)
                if fmt == "json" and p.stdout:
                    try:
                        json.loads(text)
                    except ValueError as e:
                        fail(f"{w}: not JSON: {e}")
                if fmt == "md":
                    for t in md_tokens(text):
                        for c in [t] + (t.children or []):
                            # the badge is the one image: shields.io, ptdiag's own
                            if c.type == "image" and not c.attrs.get("src", "").startswith(
                                    "https://img.shields.io/badge/ptdiag"):
                                fail(f"{w}: foreign image {c.attrs}")
                            if c.type == "link_open":
                                fail(f"{w}: link {c.attrs}")
                            if c.type in ("html_inline", "html_block"):
                                fail(f"{w}: HTML {c.content!r}")
                runs += 1
    print(f"{runs} soak runs")


FAKE_QM = r"""#!/bin/sh
# Stand-in for `qm guest exec VMID --timeout N -- AGENT --json`: replies with $FAKE_REPLY.
cat "$FAKE_REPLY"
"""


def with_guest(host_bin, rep):
    runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        qm = os.path.join(tmp, "qm")
        with open(qm, "w") as f:
            f.write(FAKE_QM)
        os.chmod(qm, 0o755)
        reply = os.path.join(tmp, "reply.json")
        env = dict(os.environ, PTDIAG_QM=qm, PTDIAG_REPORT=rep, FAKE_REPLY=reply, TMPDIR=tmp)
        replies = []
        for shape in ("linux", "windows"):
            for name, doc in hostile.variants(load(shape)):
                out_data = hostile.dump_bytes(doc).decode("utf-8", "surrogateescape")
                replies.append((f"{shape} {name}", {"exited": 1, "exitcode": 0, "out-data": out_data}))
        evil = hostile.ALL
        replies += [
            ("err-data only", {"exited": 1, "exitcode": 3, "err-data": evil}),
            ("exit code 1e308", {"exited": 1, "exitcode": 1e308, "out-data": "{}"}),
            ("exit code -2^63", {"exited": 1, "exitcode": -(2**63), "out-data": "{}"}),
            ("not a guest document", {"exited": 1, "exitcode": 0, "out-data": evil}),
        ]
        for what, r in replies:
            with open(reply, "wb") as f:
                f.write(json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogateescape"))
            p = subprocess.run([host_bin, "--vm", "100", "--with-guest"], env=env,
                               capture_output=True, timeout=120)
            w = f"with-guest {what}"
            err = p.stderr.decode("utf-8", "replace")
            check_stderr(w, err)
            if p.returncode not in (0, 1, 2):
                fail(f"{w}: exit {p.returncode}: {err[:500]}")
            clean_bytes(w, p.stdout)
            clean_bytes(w + " (stderr)", p.stderr)
            runs += 1
        left = [n for n in os.listdir(tmp) if n.startswith("ptdiag-")]
        if left:
            fail(f"with-guest left temporary directories: {left}")
    print(f"{runs} --with-guest runs")


def main():
    if markdown_it is None:
        print("python3-markdown-it not installed: skipped")
        return 77
    mode = sys.argv[1]
    if mode == "corpus":
        corpus(sys.argv[2])
    elif mode == "case":
        case(sys.argv[2], sys.argv[3])
    elif mode == "soak":
        soak(sys.argv[2])
    elif mode == "with-guest":
        with_guest(sys.argv[2], sys.argv[3])
    else:
        print(__doc__)
        return 2
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
