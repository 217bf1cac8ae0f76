#!/usr/bin/env python3
"""The fleet path end to end with real parts (issue 18):

1. dist/fleet/ptdiag-collect runs the real ptdiag-host (this machine, live) and
   ptdiag-report; the guests come through a stand-in `qm` (no Proxmox here) that answers
   `qm guest exec` the way qemu-server does, with the real ptdiag-agent's document of a
   guestgen guest tree (rtx3090-xid79: Xid 79 in the kernel log) for VM 100 and "QEMU guest
   agent is not running" for VM 101;
2. `promtool check metrics` on both files it writes;
3. prometheus-node-exporter on 127.0.0.1 with that textfile directory: the scrape holds every
   ptdiag sample with its value; a half-written file under the collector's temporary name is
   never scraped; a collection killed half-way leaves the last good files and no temporary;
4. prometheus on 127.0.0.1 scraping that exporter with the shipped alert rules: dashboard
   queries through its HTTP API return ptdiag's series, the rules load, and the new Xid 79
   raises PtdiagGuestXidEvents with vmid="100";
5. every metric name in the dashboard's queries is one the exporter really emits (this
   collection, ptdiag-report on the report fixtures with GPUs, node_exporter's own).

Usage: run_fleet.py SRC HOST REPORT AGENT WORKDIR    Exit 77: a Debian package is missing.
Services get random free ports and temp dirs, and are stopped at the end; no systemd."""
import json, os, re, shutil, signal, socket, subprocess, sys, time, urllib.parse, urllib.request

# prometheus_client's parser reads the expositions; Debian's python3-prometheus-client is in
# the system Python, which may not be the one CMake found.
try:
    import prometheus_client  # noqa: F401
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("SKIP: python3-prometheus-client not installed")
    sys.exit(77)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from metric_names import dashboard_exprs, exposition_metrics, promql_metrics  # noqa: E402

src, host, report, agent, work = sys.argv[1:6]
failures = []
procs = []

EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
PROMETHEUS, PROMTOOL = shutil.which("prometheus"), shutil.which("promtool")
COLLECT = os.path.join(src, "dist", "fleet", "ptdiag-collect")
RULES = os.path.join(src, "dist", "fleet", "ptdiag-alerts.yml")
DASHBOARD = os.path.join(src, "dist", "fleet", "ptdiag-fleet-dashboard.json")


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


# The stand-in for qm: `qm list` and `qm guest exec VMID [--timeout N] -- CMD ARGS...`, output
# as qemu-server's PVE/CLI/qm.pm prints it (to_json pretty, canonical: 3-space indent, sorted
# keys; booleans as 1/0; out-data decoded), errors as its die messages with exit 255.
FAKE_QM = r"""#!/usr/bin/env python3
import json, os, subprocess, sys
a = sys.argv[1:]
if a[:1] == ["list"]:
    print("      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID")
    print("       100 llm-3090             running    16384             64.00 4242")
    print("       101 win-arc              running    8192              64.00 4243")
    print("       102 stopped-vm           stopped    2048              32.00 0")
    sys.exit(0)
if a[:2] != ["guest", "exec"]:
    sys.exit("fake qm: unsupported: %s" % a)
if a[2] != "100":
    sys.stderr.write("QEMU guest agent is not running\n")
    sys.exit(255)
cmd = a[a.index("--") + 1:]
if cmd[0] == "/bin/cat":  # the guest's soak log, or cat's own failure
    try:
        res = {"exitcode": 0, "exited": 1, "out-data": open(os.environ["FAKE_SOAK"]).read()}
    except OSError:
        res = {"exitcode": 1, "exited": 1, "err-data": "cat: %s: No such file or directory\n" % cmd[1]}
    print(json.dumps(res, indent=3, sort_keys=True))
    sys.exit(0)
if os.environ.get("FAKE_QM_SLEEP"):
    import time; time.sleep(float(os.environ["FAKE_QM_SLEEP"]))
p = subprocess.run([os.environ["FAKE_AGENT"], "--root", os.environ["FAKE_GUEST_ROOT"]] + cmd[1:],
                   capture_output=True, text=True)
res = {"exitcode": p.returncode, "exited": 1, "out-data": p.stdout}
if p.stderr:
    res["err-data"] = p.stderr
print(json.dumps(res, indent=3, sort_keys=True))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_http(url, what, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            return http_get(url)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{what} did not answer on {url} within {seconds} s")


def start(argv, log):
    p = subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    procs.append(p)
    return p


def samples(text):
    """{(name, frozenset(labels)): value} of a text exposition (prometheus_client's parser)."""
    from prometheus_client.parser import text_string_to_metric_families
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def collect(env, textdir):
    p = subprocess.run([COLLECT, textdir], env=env, capture_output=True, text=True, timeout=600)
    print(p.stderr.strip()[-2000:])
    return p


def setup(tmp):
    qm = os.path.join(tmp, "qm")
    with open(qm, "w") as f:
        f.write(FAKE_QM)
    os.chmod(qm, 0o755)
    groot = os.path.join(tmp, "guest")
    subprocess.run([sys.executable, os.path.join(src, "tests", "fixtures", "guest", "guestgen.py"),
                    groot, "rtx3090-xid79"], check=True, timeout=120, capture_output=True)
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir)
    # A clean 14.19-day soak log ending 12 minutes before the collection's fixed time.
    soak = os.path.join(tmp, "soak.jsonl")
    subprocess.run([sys.executable, os.path.join(src, "tests", "soak", "gen_soak.py"), soak,
                    "--start", "2026-11-16T19:15:00Z", "--days", "14.19", "--reboot", "3"],
                   check=True, timeout=120, capture_output=True)
    env = dict(os.environ, PTDIAG_HOST=host, PTDIAG_REPORT=report, PTDIAG_QM=qm, FAKE_SOAK=soak,
               FAKE_AGENT=agent, FAKE_GUEST_ROOT=os.path.join(groot, "rtx3090-xid79"),
               TMPDIR=tmp, PTDIAG_FIXED_TIME="2026-12-01T00:00:00Z")
    guest = json.loads(subprocess.run([agent, "--root", env["FAKE_GUEST_ROOT"], "--json"],
                                      capture_output=True, text=True, timeout=120).stdout)
    return env, guest


def check_collection(textdir, guest):
    names = sorted(os.listdir(textdir))
    check(names == ["ptdiag.prom", "ptdiag_collect.prom"], f"textfile dir holds the two files: {names}")
    prom = open(os.path.join(textdir, "ptdiag.prom")).read()
    status = samples(open(os.path.join(textdir, "ptdiag_collect.prom")).read())
    check(status[("ptdiag_collect_success", frozenset())] == 1, "collection succeeded")
    check(status[("ptdiag_collect_guests", frozenset({("state", "asked")}))] == 2,
          "asked the two running VMs (qm list), not the stopped one")
    check(status[("ptdiag_collect_guests", frozenset({("state", "answered")}))] == 1,
          "VM 100 answered, VM 101 (no guest agent) did not")
    xids = sum(1 for e in guest["kernel_log"]["events"] or [] if e["kind"] == "nvrm-xid" and e["code"] == 79)
    s = samples(prom)
    check(xids > 0 and s.get(("ptdiag_guest_xid_events", frozenset({("vmid", "100"), ("code", "79")}))) == xids,
          f"Xid 79 count of VM 100 is the guest document's ({xids})")
    check(s.get(("ptdiag_guest_up", frozenset({("vmid", "100")}))) == 1 and
          ("ptdiag_guest_up", frozenset({("vmid", "101")})) not in s, "guest up: 100 only")
    check(s.get(("ptdiag_guest_gpus", frozenset({("vmid", "100")}))) == len(guest["gpus"]), "guest GPU count")
    check(s.get(("ptdiag_soak_verdict", frozenset({("vmid", "100"), ("verdict", "production")}))) == 1 and
          s.get(("ptdiag_soak_verdict", frozenset({("vmid", "100"), ("verdict", "failed")}))) == 0,
          "VM 100's soak log (fetched through qm guest exec) is in production")
    run = s.get(("ptdiag_soak_clean_run_seconds", frozenset({("vmid", "100")}))) or 0
    check(14 * 86400 <= run < 14.2 * 86400, f"VM 100's clean run: {run / 86400:.2f} days")
    check(any(k[0] == "ptdiag_finding" and ("id", "guest-nvidia-xid") in k[1] and ("vmid", "100") in k[1]
              for k in s), "finding guest-nvidia-xid on VM 100")
    for f in ("ptdiag.prom", "ptdiag_collect.prom"):
        p = subprocess.run([PROMTOOL, "check", "metrics"], stdin=open(os.path.join(textdir, f)),
                           capture_output=True, text=True, timeout=60)
        check(p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(),
              f"promtool check metrics {f}: {p.stdout.strip()} {p.stderr.strip()}")
    return prom, s


def check_exporter(textdir, env, file_samples):
    port = free_port()
    start([EXPORTER, f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults",
           "--collector.textfile", f"--collector.textfile.directory={textdir}"],
          os.path.join(work, "node-exporter.log"))
    url = f"http://127.0.0.1:{port}/metrics"
    scrape = wait_http(url, "node_exporter")
    scraped = samples(scrape)
    missing = [k for k, v in file_samples.items() if scraped.get(k) != v]
    check(not missing, f"every ptdiag sample scraped with its value ({len(file_samples)}; missing {missing[:3]})")
    check(scraped.get(("node_textfile_scrape_error", frozenset())) == 0, "no textfile scrape error")
    # A collector killed in the middle of writing leaves its temporary name; never scraped.
    tmpname = os.path.join(textdir, ".ptdiag.prom.99999")
    with open(tmpname, "w") as f:
        f.write('# HELP ptdiag_half a half-written file\n# TYPE ptdiag_half gauge\nptdiag_half{vmid="1')
    scrape2 = http_get(url)
    check("ptdiag_half" not in scrape2 and samples(scrape2).get(("node_textfile_scrape_error", frozenset())) == 0,
          "a half-written temporary file is not scraped")
    os.unlink(tmpname)
    # A collection killed while its report runs: the last good files stay, no temporary is left.
    before = {f: open(os.path.join(textdir, f)).read() for f in os.listdir(textdir)}
    p = subprocess.Popen([COLLECT, textdir], env=dict(env, FAKE_QM_SLEEP="30"),
                         stderr=subprocess.DEVNULL)
    time.sleep(2)
    os.kill(p.pid, signal.SIGTERM)
    p.wait(timeout=60)
    after = {f: open(os.path.join(textdir, f)).read() for f in os.listdir(textdir)}
    check(p.returncode != 0 and after == before, "a killed collection leaves the last good files alone")
    return port, scrape


def check_prometheus(exporter_port, tmp, scrape):
    port = free_port()
    cfg = os.path.join(tmp, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["{RULES}"]
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:{exporter_port}"]
""")
    start([PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
           f"--web.listen-address=127.0.0.1:{port}"], os.path.join(work, "prometheus.log"))
    api = f"http://127.0.0.1:{port}/api/v1/"
    wait_http(api + "status/buildinfo", "prometheus")

    def query(q):
        return json.loads(http_get(api + "query?" + urllib.parse.urlencode({"query": q})))["data"]["result"]
    q = "sum by (instance, severity) (ptdiag_finding)"  # the dashboard's fleet overview
    end, res = time.time() + 60, []
    while time.time() < end and not res:
        res = query(q)
        time.sleep(0.5)
    check(res and all(r["metric"]["instance"] == f"127.0.0.1:{exporter_port}" for r in res),
          f"dashboard query {q!r} through prometheus: {res}")
    xid = query('ptdiag_guest_xid_events{instance=~".*", vmid=~"100"}')
    check(len(xid) == 1 and xid[0]["metric"]["code"] == "79", f"per-VM query: {xid}")
    # Every dashboard query whose metrics this node emits (no GPU here: not the host GPU ones)
    # returns series, with the variables set to "All".
    live = exposition_metrics(scrape)
    for where, e in dashboard_exprs(json.load(open(DASHBOARD))):
        if where.startswith("variable") or not promql_metrics(e) <= live:
            continue
        r = query(e.replace("$instance", ".*").replace("$vmid", ".*"))
        check(r, f"{where} through prometheus returns series: {e}")
    rules = json.loads(http_get(api + "rules"))["data"]["groups"]
    loaded = [r for g in rules for r in g["rules"]]
    check(len(loaded) == 8 and all(r["health"] == "ok" for r in loaded),
          f"alert rules loaded: {[(r['name'], r['health'], r.get('lastError')) for r in loaded]}")
    end, alerts = time.time() + 30, []
    while time.time() < end and not alerts:
        alerts = [a for a in json.loads(http_get(api + "alerts"))["data"]["alerts"]
                  if a["labels"]["alertname"] == "PtdiagGuestXidEvents"]
        time.sleep(0.5)
    check(alerts and alerts[0]["labels"].get("vmid") == "100" and alerts[0]["labels"].get("code") == "79",
          f"PtdiagGuestXidEvents raised for the new Xid 79: {alerts}")


def check_dashboard(scrape):
    emitted = exposition_metrics(scrape)
    docs = os.path.join(src, "tests", "report", "docs")
    p = subprocess.run([report, "--format", "prom", os.path.join(docs, "host-pve-ws.json"),
                        os.path.join(docs, "guest-linux-3090.json"), os.path.join(docs, "guest-windows-arc.json")],
                       capture_output=True, text=True, timeout=60)
    emitted |= exposition_metrics(p.stdout)
    dash = json.load(open(DASHBOARD))
    exprs = dashboard_exprs(dash)
    used = set()
    for where, e in exprs:
        names = promql_metrics(e)
        check(names, f"{where}: query names a metric: {e}")
        unknown = names - emitted
        check(not unknown, f"{where}: {sorted(names)} emitted (unknown: {sorted(unknown)})")
        used |= names
    print(f"dashboard: {len(exprs)} queries over {len(used)} metrics, all emitted")


def check_soak_prom(tmp):
    """ptdiag-report soak --format prom: a log with an Xid fails, VMID= labels it, a bare FILE
    leaves vmid empty, an unreadable log gets no series (and exit 2)."""
    bad = os.path.join(tmp, "soak-xid.jsonl")
    subprocess.run([sys.executable, os.path.join(src, "tests", "soak", "gen_soak.py"), bad,
                    "--days", "3", "--xid", "1.5:79"], check=True, timeout=120, capture_output=True)
    p = subprocess.run([report, "soak", "--format", "prom", "--now", "2026-11-04T08:00:00Z",
                        "101=" + bad, bad, "102=/nonexistent/soak.jsonl", bad],
                       capture_output=True, text=True, timeout=60)
    s = samples(p.stdout)
    check(p.returncode == 2 and "nonexistent" in p.stderr, f"soak prom exit {p.returncode}")
    check(s.get(("ptdiag_soak_verdict", frozenset({("vmid", "101"), ("verdict", "failed")}))) == 1 and
          s.get(("ptdiag_soak_verdict", frozenset({("vmid", "101"), ("verdict", "production")}))) == 0,
          "soak prom: an Xid fails the run")
    check(s.get(("ptdiag_soak_verdict", frozenset({("vmid", ""), ("verdict", "failed")}))) == 1,
          "soak prom: bare FILE, once (the second bare FILE would repeat its series)")
    check(not any(("vmid", "102") in k[1] for k in s), "soak prom: no series for an unreadable log")
    check(s.get(("ptdiag_soak_threshold_seconds", frozenset())) == 14 * 86400, "soak prom: threshold")


def main():
    for name, path in (("prometheus-node-exporter", EXPORTER), ("prometheus", PROMETHEUS), ("promtool", PROMTOOL)):
        if not path:
            print(f"SKIP: {name} not installed (scripts/install-deps)")
            sys.exit(77)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    tmp = os.path.join(work, "tmp")
    textdir = os.path.join(work, "textfile")
    os.makedirs(tmp)
    os.makedirs(textdir)
    env, guest = setup(tmp)
    check_soak_prom(tmp)
    t0 = time.time()
    p = collect(env, textdir)
    check(p.returncode == 0, f"ptdiag-collect exit {p.returncode}")
    print(f"collection: {time.time() - t0:.1f} s")
    check(not [n for n in os.listdir(tmp) if n.startswith("ptdiag-")], "no temporary directory left")
    _, file_samples = check_collection(textdir, guest)
    status = samples(open(os.path.join(textdir, "ptdiag_collect.prom")).read())
    file_samples.update(status)
    try:
        port, scrape = check_exporter(textdir, env, file_samples)
        check_prometheus(port, tmp, scrape)
        check_dashboard(scrape)
    finally:
        for pr in procs:
            pr.terminate()
        for pr in procs:
            try:
                pr.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pr.kill()
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("fleet: all checks passed")


main()
