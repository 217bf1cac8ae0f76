#!/usr/bin/env python3
"""ptdiag-report's output formats and exit statuses on the base documents:
text (layers, fix under each problem, no colour when not a tty), JSON, Markdown, Prometheus
exposition (checked line by line against the text format), and exit 2 on bad input/usage."""
import json, os, re, shutil, subprocess, sys, tempfile

exe, src = sys.argv[1], sys.argv[2]
docs = os.path.join(src, "tests", "report", "docs")
HOST, LX, WIN = (os.path.join(docs, f) for f in ("host-pve-ws.json", "guest-linux-3090.json", "guest-windows-arc.json"))
failures = []


def run(*args, **kw):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=30, **kw)


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL " + what)


def faulty_host(tmp):
    with open(HOST) as f:
        h = json.load(f)
    h["system"]["iommu"]["irq_remapping"] = False
    h["devices"][1]["driver"] = "snd_hda_intel"
    p = os.path.join(tmp, "faulty-host.json")
    with open(p, "w") as f:
        json.dump(h, f)
    return p


def prom_valid(text):
    """Text exposition format 0.0.4: HELP/TYPE before a family's samples, families not
    interleaved, metric and label names valid, label values escaped, values numeric,
    no duplicate series."""
    name_re = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
    sample_re = re.compile(r"^(%s)(\{((%s)=\"((?:[^\"\\\n]|\\[\\\"n])*)\")(,(%s)=\"((?:[^\"\\\n]|\\[\\\"n])*)\")*\})? (-?[0-9.e+]+|NaN|\+Inf|-Inf)$" % (name_re, r"[a-zA-Z_][a-zA-Z0-9_]*", r"[a-zA-Z_][a-zA-Z0-9_]*"))
    typed, seen_families, current, series = {}, [], None, set()
    for ln in text.splitlines():
        if not ln:
            continue
        m = re.match(r"^# (HELP|TYPE) (%s) (.+)$" % name_re, ln)
        if m:
            if m.group(1) == "TYPE":
                if m.group(3) not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    return f"bad type: {ln}"
                if m.group(2) in typed:
                    return f"TYPE twice: {ln}"
                typed[m.group(2)] = m.group(3)
            continue
        if ln.startswith("#"):
            continue
        m = sample_re.match(ln)
        if not m:
            return f"bad sample line: {ln!r}"
        name = m.group(1)
        if name not in typed:
            return f"sample before its TYPE: {ln}"
        if name != current:
            if name in seen_families:
                return f"family {name} interleaved"
            seen_families.append(name)
            current = name
        key = ln.rsplit(" ", 1)[0]
        if key in series:
            return f"duplicate series: {key}"
        series.add(key)
    return None


PARSE = """
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(sys.stdin.read()))
print(sum(len(f.samples) for f in fams))
"""


def prom_parse_official(text):
    """Second opinion from prometheus_client's own parser (python3-prometheus-client), in
    whichever Python has it; None when none does."""
    for py in (sys.executable, "/usr/bin/python3"):
        if not os.path.exists(py):
            continue
        r = subprocess.run([py, "-c", "import prometheus_client"], capture_output=True)
        if r.returncode != 0:
            continue
        r = subprocess.run([py, "-c", PARSE], input=text, capture_output=True, text=True, timeout=60)
        return r
    return None


with tempfile.TemporaryDirectory() as tmp:
    bad = faulty_host(tmp)
    # ---- text
    r = run(HOST, LX, WIN)
    check(r.returncode == 0, f"healthy text exit {r.returncode}: {r.stderr}")
    for layer in ("L1", "L2", "L3", "L4", "L5"):
        check(re.search(r"^(PASS|WARN|FAIL|PART) %s " % layer, r.stdout, re.M) is not None, f"text lacks a {layer} line")
    check("\033[" not in r.stdout, "colour codes written to a non-tty")
    r = run(bad, LX, WIN)
    check(r.returncode == 1, f"faulty text exit {r.returncode}")
    check(re.search(r"^FAIL L1 ", r.stdout, re.M) is not None, "faulty host: L1 not FAIL")
    check(re.search(r"^FAIL L3 ", r.stdout, re.M) is not None, "faulty host: L3 not FAIL")
    m = re.search(r"FAIL host pve-ws: No interrupt remapping.*?fix:\n(.*?)\n", r.stdout, re.S)
    check(m is not None and "allow_unsafe_interrupts" in r.stdout, "fix not printed under the problem")
    # ---- -o and json
    out = os.path.join(tmp, "r.json")
    r = run("--format", "json", "-o", out, bad, LX, WIN)
    check(r.returncode == 1 and r.stdout == "", "-o: exit or stdout wrong")
    with open(out) as f:
        rep = json.load(f)
    check(rep["schema"] == "ptdiag.report/1", "json schema field")
    ids = {f["id"] for f in rep["findings"]}
    check({"interrupt-remapping-missing", "companion-not-on-vfio"} <= ids, f"json findings {ids}")
    check(rep["summary"]["layers"]["L1"] == "fail", "json layer summary")
    check(all(f["evidence"] and f["fix"] and f["root_cause"] for f in rep["findings"]), "finding without evidence/fix/root cause")
    ties = {i["file"]: (i["vmid"], i["tied_by"]) for i in rep["inputs"]}
    check(ties[LX] == (101, "ids") and ties[WIN] == (102, "ids"), f"guest ties {ties}")
    m101 = [m for m in rep["matches"] if m["vmid"] == 101][0]
    check(m101["host_bdf"] == "0000:01:00.0" and m101["guest_location"] == "0000:01:00.0", f"match {m101}")
    # ---- markdown
    r = run("--format", "md", bad, LX, WIN)
    check(r.returncode == 1, "md exit")
    check("| FAIL | L1 | `interrupt-remapping-missing` |" in r.stdout, "md summary table row")
    check("### FAIL `companion-not-on-vfio`" in r.stdout and "**Fix:**" in r.stdout, "md finding section")
    check(r.stdout.count("```") % 2 == 0, "md fences unbalanced")
    # ---- prometheus
    r = run("--format", "prom", bad, LX, WIN)
    check(r.returncode == 1, "prom exit")
    err = prom_valid(r.stdout)
    check(err is None, f"prom exposition invalid: {err}")
    check('ptdiag_finding{id="interrupt-remapping-missing",severity="error",layer="L1"' in r.stdout, "prom finding series")
    check('ptdiag_findings{severity="error"} 2' in r.stdout, "prom error count")
    check(re.search(r'^ptdiag_guest_gpu_vram_bytes\{vmid="101",location="0000:01:00.0",vendor_id="10de",device_id="2204"\} 25769803776$', r.stdout, re.M) is not None, "prom vram")
    check('ptdiag_guest_tdr_events{vmid="102",source="display_4101"} 0' in r.stdout, "prom tdr")
    with open(LX) as f:
        g = json.load(f)
    g["kernel_log"]["events"] += [{"kind": "nvrm-xid", "time_s": 100.0, "device": "0000:01:00", "code": 79, "detail": "", "text": "NVRM: Xid (PCI:0000:01:00): 79, GPU has fallen off the bus."}] * 2
    g["system"]["hostname"] = 'odd"name\\x'
    g["gpus"][0]["location"] = 'odd"loc\\x'
    gx = os.path.join(tmp, "g.json")
    with open(gx, "w") as f:
        json.dump(g, f)
    r = run("--format", "prom", HOST, gx)
    check('ptdiag_guest_xid_events{vmid="101",code="79"} 2' in r.stdout, "prom xid count")
    official = prom_parse_official(r.stdout)
    if official is None:
        print("prometheus_client not installed: official parser check skipped")
    else:
        samples = sum(1 for ln in r.stdout.splitlines() if ln and not ln.startswith("#"))
        check(official.returncode == 0 and official.stdout.strip() == str(samples),
              f"prometheus_client parser: {official.stderr.strip()[-300:]} samples {official.stdout.strip()} vs {samples}")
    err = prom_valid(r.stdout)
    check(err is None, f"prom exposition invalid with escapes: {err}")
    check('location="odd\\"loc\\\\x"' in r.stdout, "prom label escaping")
    check("odd" not in r.stdout.replace('odd\\"loc', ""), "free text (the guest's host name) is no label")
    # ---- bad input and usage: exit 2, message names the file
    garbage = os.path.join(tmp, "garbage.json")
    with open(garbage, "w") as f:
        f.write('{"schema": "ptdiag.host/1", "devices": [')
    wrong = os.path.join(tmp, "wrong.json")
    with open(wrong, "w") as f:
        json.dump({"schema": "ptdiag.soak/1"}, f)
    for args, needle in (((garbage,), "garbage.json"), ((wrong,), "wrong.json"), (("/nonexistent/x.json",), "x.json"),
                         (("--format", "xml", HOST), "xml"), ((), "usage"), ((HOST, HOST), "second host"),
                         (("--guest", "abc", LX), "VMID=FILE"), (("--matrix", garbage, HOST), "garbage.json")):
        r = run(*args)
        check(r.returncode == 2, f"{args}: exit {r.returncode}, expected 2")
        check(needle in r.stderr, f"{args}: stderr lacks {needle!r}: {r.stderr.strip()}")
        check(r.stdout == "", f"{args}: wrote to stdout on error")
    # --guest ties explicitly, overriding id matching
    r = run("--format", "json", "--guest", f"102={LX}", HOST)
    rep = json.loads(r.stdout)
    check(rep["inputs"][1]["vmid"] == 102 and rep["inputs"][1]["tied_by"] == "argument", "--guest tie")
    check("guest-gpu-missing" in {f["id"] for f in rep["findings"]}, "3090 guest tied to the Arc VM must show guest-gpu-missing")
    # soak dispatch
    r = run("soak")
    check(r.returncode == 2 and "soak evaluation not available" in r.stderr or r.returncode in (0, 1, 2), "soak dispatch")


# One capability table (capability.c) in every format: the JSON rows, the HTML table's cells
# and the text blocks hold the same cells, in the same column order, for both guests.
class Cells(__import__("html.parser").parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.on, self.rows, self.cell = False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.on = ("id", "capabilities") in attrs
        elif self.on and tag == "tr":
            self.rows.append([])
        elif self.on and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if self.on and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell)
            self.cell = None
        elif tag == "table":
            self.on = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


KEYS = ["gpu", "driver", "vram", "d3d", "vulkan", "decode", "encode", "displays", "compute",
        "interrupts"]
LABELS = ["GPU", "Driver", "VRAM", "Direct3D", "Vulkan", "Decode", "Encode", "Displays", "Compute",
          "Interrupts"]
# The base documents predate the video/display facts: add them as the agents write them
# (docs/schema.md gpus[].video, gpus[].displays, gpus[].windows.interrupts/companions).
cap_tmp = tempfile.mkdtemp()
with open(LX) as f:
    lx = json.load(f)
lx["gpus"][0]["video"] = {"decode_codecs": ["h264", "hevc", "vp9", "av1"],
                          "encode_codecs": ["h264", "hevc"], "sources": ["nvml", "vulkan"],
                          "decode_engine": True, "encode_engine": True, "reason": None}
lx["gpus"][0]["displays"] = [{"name": "DP-1", "connected": True},
                             {"name": "HDMI-A-1", "connected": False}]
with open(WIN) as f:
    win = json.load(f)
win["gpus"][0]["video"] = {"decode_codecs": ["h264", "hevc", "hevc-10bit", "vp9", "av1"],
                           "encode_codecs": [], "sources": ["d3d11", "mft"], "decode_engine": None,
                           "encode_engine": None, "reason": "no hardware encoder MFT for this adapter"}
win["gpus"][0]["displays"] = [{"name": "\\\\.\\DISPLAY1", "connected": False}]
win["gpus"][0]["windows"]["interrupts"] = {"msi_supported": True, "msi_supported_value": 1,
                                           "message_number_limit": None}
win["gpus"][0]["windows"]["companions"] = [{"location": None, "pci_function": 1,
                                            "hardware_id": "PCI\\VEN_8086&DEV_4F90", "vendor_id": "8086",
                                            "device_id": "4f90", "class": "040300",
                                            "description": "Intel(R) Display Audio",
                                            "interrupts": {"msi_supported": False,
                                                           "msi_supported_value": 0,
                                                           "message_number_limit": None}}]
LX2, WIN2 = os.path.join(cap_tmp, "lx.json"), os.path.join(cap_tmp, "win.json")
for path, doc in ((LX2, lx), (WIN2, win)):
    with open(path, "w") as f:
        json.dump(doc, f)
rep = json.loads(run("--format", "json", LX2, WIN2).stdout)
want = [[r[k] if r[k] is not None else "unknown" for k in KEYS]
        for i in rep["inputs"] for r in (i.get("capabilities") or [])]
check(len(want) == 2, f"one capability row per guest GPU: {want}")
check(want and want[0][5:8] == ["h264 hevc vp9 av1", "h264 hevc", "1 connected of 2 (DP-1)"],
      f"Linux decode, encode, displays: {want[:1]}")
check(len(want) == 2 and want[1][5:8] == ["h264 hevc hevc-10bit vp9 av1",
                                          "none (no hardware encoder MFT for this adapter)",
                                          "none connected of 1"],
      f"Windows decode, encode, displays: {want[1:]}")
check(len(want) == 2 and want[1][9] == "GPU MSI, audio .1 line-based",
      f"Windows interrupts: {want[1:]}")
check(any(f["id"] == "guest-gpu-no-display" for f in rep["findings"]),
      "Windows GPU with no display attached: guest-gpu-no-display")
page = Cells()
page.feed(run("--format", "html", LX2, WIN2).stdout)
check(page.rows and page.rows[0] == ["Guest"] + LABELS, f"html capability header: {page.rows[:1]}")
check([r[1:] for r in page.rows[1:]] == want, f"html rows == json rows: {page.rows[1:]} vs {want}")
text = run(LX2, WIN2).stdout
got = []
for block in text.split("\nCapabilities seen in guest ")[1:]:
    lines = block.split("\n\n", 1)[0].splitlines()[1:]
    for ln in lines:
        if not ln.startswith("    "):
            got.append([ln.strip()])
        else:
            got[-1].append(ln.strip().split(" ", 1)[1].strip())
check(got == want, f"text blocks == json rows: {got} vs {want}")
md = run("--format", "md", LX2, WIN2).stdout
shutil.rmtree(cap_tmp)
check("| " + " | ".join(LABELS) + " |" in md, "md capability header with every column")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
