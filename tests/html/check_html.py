#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`ptdiag-report --format html` in a real headless Chromium (issue 17).

usage: check_html.py HOST REPORT OUTDIR [CASE...]

For each case (a fixture host: hostgen scenarios with their tests/fixtures/pve trees, a real
kernel snapshot, the report's base documents with their two guests, a synthetic host of 512
functions, and a hostile variant), it runs ptdiag-host --root --json and ptdiag-report
--format html, then:
  - parses the page with html5lib in strict mode (any HTML5 parse error fails) and checks its
    size against a budget;
  - loads it in Chromium through the DevTools protocol at desktop (1280 px) and phone (390 px)
    widths, saves a full-page screenshot of each into OUTDIR, and checks from the DOM that
    every VM that passes a device, every passed function and every IOMMU group is drawn or
    listed, no two node boxes overlap, every label fits its box, every in-page link resolves,
    the page does not scroll sideways, and the console shows no error;
  - for the hostile case: no script element, no event-handler attribute, no javascript: link
    and no dialog: the hostile strings stayed text.
Exit 0 pass, 1 fail, 77 skipped (no chromium, python3-websockets or python3-html5lib).
"""
import asyncio
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
FIX = os.path.join(TESTS, "fixtures")
sys.path.insert(0, os.path.join(TESTS, "hostile"))
ENV = dict(os.environ, PTDIAG_FIXED_TIME="2026-11-22T20:00:00Z", PYTHONPATH=FIX)

try:
    import html5lib
    import websockets
except ImportError:  # Debian's packages, when python3 is not Debian's
    sys.path.append("/usr/lib/python3/dist-packages")
try:
    import html5lib
    import websockets
except ImportError as e:
    print(f"SKIP: {e} (Debian: python3-html5lib python3-websockets)")
    sys.exit(77)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    print("SKIP: no chromium (Debian: chromium)")
    sys.exit(77)

# name: (how to build the host tree, pve tree or None, guest docs, size budget in bytes)
CASES = {
    "rtx3090-vfio": ("hostgen:rtx3090-vfio", "rtx3090", [], 200_000),
    "gpu-group-sata": ("hostgen:gpu-group-sata", None, [], 200_000),
    "arc-switch-hda": ("hostgen:arc-switch-hda", "arc-switch-hda", [], 200_000),
    "vgpu-sriov": ("hostgen:vgpu-sriov", "vgpu-sriov", [], 200_000),
    "pool": ("hostgen:pool", "pool", [], 200_000),
    "qemu-q35-intel": ("snapshot:qemu-q35-intel", None, [], 200_000),
    "pve-ws-guests": ("doc:host-pve-ws.json", None,
                      ["101=guest-linux-3090.json", "102=guest-windows-arc.json"], 200_000),
    "synthetic-512": ("synthetic:512", None, [], 1_000_000),
    "hostile": ("hostile:host-pve-ws.json", None,
                ["101=guest-linux-3090.json", "102=guest-windows-arc.json"], 400_000),
}
WIDTHS = {"desktop": 1280, "phone": 390}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def host_doc(host, spec, tmp):
    kind, _, arg = spec.partition(":")
    docs = os.path.join(TESTS, "report", "docs")
    if kind == "doc":
        return os.path.join(docs, arg)
    if kind == "hostile":
        import hostile
        with open(os.path.join(docs, arg)) as f:
            doc = hostile.strings(json.load(f), only_names=True)
        out = os.path.join(tmp, "hostile-host.json")
        with open(out, "wb") as f:
            f.write(hostile.dump_bytes(doc))
        return out
    root = os.path.join(tmp, arg.replace("/", "_"))
    if kind == "snapshot":
        root = os.path.join(FIX, "snapshots", arg)
    elif kind == "hostgen":
        subprocess.run([sys.executable, "-m", "hostgen", arg, root], env=ENV, check=True,
                       timeout=120, stdout=subprocess.DEVNULL)
    elif kind == "synthetic":
        subprocess.run([sys.executable, "-m", "hostgen", "synthetic", arg, root], env=ENV,
                       check=True, timeout=300, stdout=subprocess.DEVNULL)
    return root


def build(host, rep, name, tmp):
    spec, pve, guests, budget = CASES[name]
    src = host_doc(host, spec, tmp)
    if os.path.isdir(src):
        if pve:
            root = os.path.join(tmp, name + "-root")
            shutil.copytree(src, root, symlinks=True)
            shutil.copytree(os.path.join(FIX, "pve", pve), root, symlinks=True,
                            dirs_exist_ok=True)
            src = root
        p = subprocess.run([host, "--root", src, "--json"], env=ENV, capture_output=True,
                           timeout=120)
        if p.returncode != 0:
            fail(f"{name}: ptdiag-host exit {p.returncode}: {p.stderr[-300:]!r}")
            return None, None
        doc = os.path.join(tmp, name + ".json")
        with open(doc, "wb") as f:
            f.write(p.stdout)
        src = doc
    args = []
    for g in guests:
        vmid, _, f = g.partition("=")
        gdoc = os.path.join(TESTS, "report", "docs", f)
        if spec.startswith("hostile"):
            import hostile
            with open(gdoc) as fh:
                hd = hostile.strings(json.load(fh), only_names=True)
            gdoc = os.path.join(tmp, "hostile-" + f)
            with open(gdoc, "wb") as fh:
                fh.write(hostile.dump_bytes(hd))
        args.append(f"--guest={vmid}={gdoc}")
    page = os.path.join(tmp, name + ".html")
    p = subprocess.run([rep, "--format", "html", "-o", page] + args + [src], env=ENV,
                       capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        fail(f"{name}: ptdiag-report exit {p.returncode}: {p.stderr[-300:]!r}")
        return None, None
    with open(src, "rb") as f:
        host = json.loads(f.read().decode("utf-8", "surrogateescape"))
    size = os.path.getsize(page)
    print(f"{name}: {size} bytes (budget {budget})")
    if size > budget:
        fail(f"{name}: {size} bytes, over the budget of {budget}")
    with open(page, "rb") as f:
        try:
            html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(f.read())
        except Exception as e:  # html5lib raises ParseError with the position
            fail(f"{name}: not valid HTML5: {e}")
    return page, host


# Runs in the page: geometry of every node, links, and what an injection would leave.
PROBE_JS = r"""
(() => {
  const r = {nodes: [], overflow: [], badLinks: [], handlers: [], jsLinks: []};
  for (const g of document.querySelectorAll('svg g.node')) {
    const rect = g.querySelector('rect'), text = g.querySelector('text');
    const rb = rect.getBBox(), tb = text.getBBox();
    const title = g.querySelector('title').textContent;
    r.nodes.push({x: rb.x, y: rb.y, w: rb.width, h: rb.height, label: text.textContent, title});
    if (tb.x < rb.x - 0.5 || tb.y < rb.y - 0.5 || tb.x + tb.width > rb.x + rb.width + 0.5 ||
        tb.y + tb.height > rb.y + rb.height + 0.5)
      r.overflow.push(text.textContent);
  }
  for (const a of document.querySelectorAll('a')) {
    const h = a.getAttribute('href') || '';
    if (h.startsWith('#') && !document.getElementById(h.slice(1))) r.badLinks.push(h);
    if (/^\s*javascript:/i.test(h)) r.jsLinks.push(h);
  }
  for (const el of document.querySelectorAll('*'))
    for (const at of el.attributes)
      if (/^on/i.test(at.name)) r.handlers.push(el.tagName + ' ' + at.name);
  r.scripts = document.querySelectorAll('script').length;
  r.scriptAsText = document.body.textContent.includes('<script>alert(1)</script>');
  r.groupRows = [...document.querySelectorAll('tr[id^="g-"] td:first-child')].map(
      td => td.textContent);
  r.scrollWidth = document.documentElement.scrollWidth;
  r.innerWidth = window.innerWidth;
  r.height = document.documentElement.scrollHeight;
  return r;
})()
"""


class Cdp:
    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    async def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        await self.ws.send(json.dumps(msg))
        while True:
            m = json.loads(await asyncio.wait_for(self.ws.recv(), 60))
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    async def wait_event(self, method, session, timeout=30):
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            m = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            self.events.append(m)


def overlaps(nodes):
    out = []
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            if (a["x"] < b["x"] + b["w"] - 0.5 and b["x"] < a["x"] + a["w"] - 0.5 and
                    a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5):
                out.append((a["label"], b["label"]))
    return out


def check_dom(name, width, res, host):
    if res["overflow"]:
        fail(f"{name} {width}px: labels leave their box: {res['overflow'][:3]}")
    ov = overlaps(res["nodes"])
    if ov:
        fail(f"{name} {width}px: {len(ov)} overlapping node pair(s): {ov[:3]}")
    if res["badLinks"]:
        fail(f"{name} {width}px: links to no element: {res['badLinks'][:5]}")
    if res["scrollWidth"] > res["innerWidth"] + 1:
        fail(f"{name} {width}px: the page scrolls sideways ({res['scrollWidth']} > "
             f"{res['innerWidth']})")
    if res["scripts"] or res["handlers"] or res["jsLinks"]:
        fail(f"{name}: script {res['scripts']}, handlers {res['handlers'][:3]}, "
             f"javascript: links {res['jsLinks'][:3]}")
    if host.get("iommu_groups") and not res["nodes"]:
        fail(f"{name}: the host has IOMMU groups but the page draws no node")
    if name == "hostile" and not res["scriptAsText"]:
        fail(f"{name}: the hostile <script> payload is not shown as text")
    labels = [n["label"] for n in res["nodes"]]
    titles = [n["title"] for n in res["nodes"]]
    groups = host.get("iommu_groups") or []
    drawn = {t for t in labels if t.startswith("IOMMU group ")}
    listed = set(res["groupRows"])
    for g in groups:
        if str(g.get("id")) not in listed:
            fail(f"{name}: group {g.get('id')} is not listed")
    for vm in host.get("vms") or []:
        hps = vm.get("hostpci") or []
        if not hps or not isinstance(vm.get("vmid"), int):
            continue
        if not any(t.startswith(f"VM {vm['vmid']} ") or t == f"VM {vm['vmid']}" for t in titles):
            fail(f"{name}: VM {vm['vmid']} not drawn")
        for hp in hps:
            for bdf in hp.get("resolved_bdfs") or []:
                if f"{hp.get('key')} {bdf}" not in titles:
                    fail(f"{name}: VM {vm['vmid']} {hp.get('key')} {bdf} not drawn")
                in_group = [g for g in groups
                            if any(m.get("bdf") == bdf for m in g.get("devices") or [])]
                for g in in_group:
                    if not any(t.startswith(bdf[5:] + " ") for t in titles):
                        fail(f"{name}: passed function {bdf} not drawn in the tree")
                    if not any(d.startswith(f"IOMMU group {g['id']}:") for d in drawn):
                        fail(f"{name}: group {g['id']} of passed {bdf} not drawn")


async def run_page(cdp, name, page, host, outdir):
    t = await cdp.call("Target.createTarget", url="about:blank")
    s = (await cdp.call("Target.attachToTarget", targetId=t["targetId"], flatten=True))["sessionId"]
    for dom in ("Page", "Runtime", "Log"):
        await cdp.call(dom + ".enable", s)
    for label, width in WIDTHS.items():
        await cdp.call("Emulation.setDeviceMetricsOverride", s, width=width, height=900,
                       deviceScaleFactor=1, mobile=width < 600)
        await cdp.call("Page.navigate", s, url="file://" + page)
        await cdp.wait_event("Page.loadEventFired", s)
        res = (await cdp.call("Runtime.evaluate", s, expression=PROBE_JS,
                              returnByValue=True))["result"]["value"]
        check_dom(name, width, res, host)
        h = min(res["height"], 8000)
        shot = await cdp.call("Page.captureScreenshot", s, format="png",
                              captureBeyondViewport=True,
                              clip={"x": 0, "y": 0, "width": width, "height": h, "scale": 1})
        import base64
        with open(os.path.join(outdir, f"{name}-{label}.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    bad = [e for e in cdp.events if e.get("sessionId") == s and (
        e["method"] in ("Runtime.exceptionThrown", "Page.javascriptDialogOpening") or
        (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] == "error") or
        (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"))]
    if bad:
        fail(f"{name}: console errors / dialogs: {[b['method'] for b in bad][:5]} "
             f"{json.dumps(bad[0]['params'])[:300]}")
    cdp.events = [e for e in cdp.events if e.get("sessionId") != s]
    await cdp.call("Target.closeTarget", targetId=t["targetId"])


async def browse(pages, outdir, tmp):
    prof = os.path.join(tmp, "profile")
    proc = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                             "--no-first-run", "--hide-scrollbars", "--remote-debugging-port=0",
                             f"--user-data-dir={prof}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(prof, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and len(open(port_file).read().split()) >= 2:
                break
            await asyncio.sleep(0.1)
        port, path = open(port_file).read().split()[:2]
        async with websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as ws:
            cdp = Cdp(ws)
            for name, page, host in pages:
                await run_page(cdp, name, page, host, outdir)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    host, rep, outdir = sys.argv[1:4]
    names = sys.argv[4:] or list(CASES)
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pages = []
        for n in names:
            page, doc = build(host, rep, n, tmp)
            if page:
                pages.append((n, page, doc))
        asyncio.run(browse(pages, outdir, tmp))
    print(f"{len(pages)} page(s) at {len(WIDTHS)} widths; screenshots in {outdir}")
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
