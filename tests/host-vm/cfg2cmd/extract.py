#!/usr/bin/env python3
"""Builds cpu-cases.json, the -cpu test table, from qemu-server's own config-to-command tests.

proxmox/qemu-server keeps in src/test/cfg2cmd/ one VM config per case (NAME.conf) and the exact
QEMU command line its config_to_command builds for it (NAME.conf.cmd); the config's description
may set the test's environment (QEMU_VERSION, HOST_CPU_VENDOR, HOST_ARCH; run_config2command_
tests.pl). This script takes, for every x86_64 case with an expected command line, the config
(current section, description dropped), that environment and the expected -cpu value, so that
test_cfg2cmd_cpu.c runs each through ptdiag's model. Cases whose expected outcome is an error
(EXPECT_ERROR, no .cmd) have no -cpu and are left out.

Usage: extract.py QEMU_SERVER_GIT_DIR [COMMIT] > cpu-cases.json
Rerun it on a newer qemu-server and diff: a changed row is a qemu-server change to model.
"""
import json
import re
import shlex
import subprocess
import sys

# No case sets QEMU_VERSION (only error cases do), so each .cmd holds what the maintainer's
# installed QEMU gave; see QEMU_DEFAULT_WHY.
QEMU_DEFAULT = "11.0.0"
QEMU_DEFAULT_WHY = (
    "no x86 case with a command line sets QEMU_VERSION: its .cmd was generated with the QEMU "
    "installed on the maintainer's host (cfg2cmd/README.adoc: 'if not set we use the actual one "
    "installed'); -cet-ibt,-cet-ss, which Proxmox adds for Windows 11 from QEMU 11.0 "
    "(q35-windows-pinning.conf, win11-*.conf), show it was 11.0 or later")


def git(repo, *args):
    return subprocess.run(["git", "--git-dir", repo] + list(args), check=True,
                          capture_output=True, text=True).stdout


def main():
    repo = sys.argv[1]
    commit = git(repo, "rev-parse", sys.argv[2] if len(sys.argv) > 2 else "HEAD").strip()
    names = sorted(n for n in git(repo, "ls-tree", "--name-only", commit,
                                  "src/test/cfg2cmd/").split()
                   if n.endswith(".conf"))
    rows = []
    for path in names:
        conf = git(repo, "show", "%s:%s" % (commit, path))
        try:
            cmd = git(repo, "show", "%s:%s.cmd" % (commit, path))
        except subprocess.CalledProcessError:
            continue  # an error case: no command line
        env = {"QEMU_VERSION": None, "HOST_CPU_VENDOR": "GenuineIntel", "HOST_ARCH": "x86_64"}
        lines = []
        for line in conf.splitlines():
            if line.startswith("["):
                break  # snapshots and pending: not the current config
            if line.startswith("#"):
                m = re.match(r"#\s*(QEMU_VERSION|HOST_CPU_VENDOR|HOST_ARCH):\s*(\S+)", line)
                if m:
                    env[m.group(1)] = m.group(2)
                continue
            lines.append(line)
        if env["HOST_ARCH"] != "x86_64" or re.search(r"^arch:\s*(?!x86_64)", conf, re.M):
            continue
        cpu = None
        words = shlex.split(cmd.replace("\\\n", " "))
        for i, w in enumerate(words[:-1]):
            if w == "-cpu":
                cpu = words[i + 1]
        machine = None
        for i, w in enumerate(words[:-1]):
            if w == "-machine":
                m = re.search(r"(?:^|,)type=([^,]+)", words[i + 1])
                machine = m.group(1) if m else None
        rows.append({"case": path.split("/")[-1], "config": "\n".join(lines) + "\n",
                     "qemu_version": env["QEMU_VERSION"],
                     "host_cpu_vendor": env["HOST_CPU_VENDOR"],
                     "expected_machine": machine, "expected_cpu": cpu})
    # the custom CPU models the test mocks (load_custom_cpu_model_config in the runner)
    runner = git(repo, "show", "%s:src/test/run_config2command_tests.pl" % commit)
    m = re.search(r"load_custom_cpu_model_config => sub \{.*?<<EOF,\n(.*?)\nEOF", runner, re.S)
    json.dump({"source": "proxmox/qemu-server@%s src/test/cfg2cmd" % commit,
               "qemu_version_default": QEMU_DEFAULT, "qemu_version_default_why": QEMU_DEFAULT_WHY,
               "cpu_models_conf": m.group(1) + "\n" if m else None, "cases": rows},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
