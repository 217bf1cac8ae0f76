#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Man pages and --help cannot drift: every long option a binary's --help shows appears in its
man page, every option the man page's OPTIONS sections document appears in --help, the page's
.TH carries the build's version, and --version prints "<name> <version>".

usage: check_manpages.py [--windows] VERSION MANDIR NAME=BINARY[,SUBCOMMAND...] ...
  ptdiag-report=BIN,soak   also reads `BIN soak --help` (options of the subcommand)
The WINDOWS section of ptdiag-agent.1 documents ptdiag-agent.exe: it is left out for the Linux
binary, and with --windows (BINARY is then a command that runs the .exe, e.g. a Wine wrapper)
only that section counts as documented, while the whole page must cover the .exe's --help."""
import os
import re
import subprocess
import sys

LONG = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")
OPTION_SECTIONS = re.compile(r"^(OPTIONS|.* OPTIONS)$")
WINDOWS_ONLY = {"WINDOWS"}
PAGES = {"ptdiag-host": "ptdiag-host.8", "ptdiag-agent": "ptdiag-agent.1",
         "ptdiag-report": "ptdiag-report.1"}
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def roff_text(line):
    """The text of a roff line: escapes for dashes, fonts and zero-width joins removed."""
    line = line.replace("\\-", "-").replace("\\&", "").replace("\\(em", "-")
    return re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", line)


def man_options(path, windows=False):
    """(all long options in the page, long options in its OPTIONS sections, .TH line)."""
    everything, documented, th, section, prev = set(), set(), "", "", ""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            # an option is documented where it heads a .TP item (the line after .TP)
            heads, prev = prev.startswith(".TP"), raw
            if raw.startswith(".\\\""):
                continue
            if raw.startswith(".TH"):
                th = raw
            if raw.startswith(".SH"):
                section = roff_text(raw[3:]).strip().strip('"')
                continue
            found = set(LONG.findall(roff_text(raw)))
            if section in WINDOWS_ONLY and not windows:
                continue
            everything |= found
            if windows:
                if section in WINDOWS_ONLY and heads:
                    documented |= found
            elif OPTION_SECTIONS.match(section) and heads:
                documented |= found
    return everything, documented, th


def help_options(binary, subcommands):
    opts = set()
    for prefix in [[]] + [[s] for s in subcommands]:
        p = subprocess.run(binary.split() + prefix + ["--help"], capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0:
            fail("%s %s --help: exit %d" % (binary, " ".join(prefix), p.returncode))
        opts |= set(LONG.findall(p.stdout))
    return opts


def main():
    args = sys.argv[1:]
    windows = args[0] == "--windows"
    if windows:
        args = args[1:]
    version, mandir = args[0], args[1]
    for spec in args[2:]:
        name, rest = spec.split("=", 1)
        binary, *subs = rest.split(",")
        page = os.path.join(mandir, PAGES[name])
        everything, documented, th = man_options(page, windows)
        shown = help_options(binary, subs)
        for o in sorted(shown - everything):
            fail("%s --help shows --%s, which %s does not document" % (name, o, PAGES[name]))
        for o in sorted(documented - shown):
            fail("%s documents --%s, which %s --help does not show" % (PAGES[name], o, name))
        if ("ptdiag %s" % version) not in th:
            fail("%s: .TH does not name ptdiag %s: %s" % (PAGES[name], version, th.strip()))
        p = subprocess.run(binary.split() + ["--version"], capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0 or p.stdout.strip() != "%s %s" % (name, version):
            fail("%s --version: exit %d, %r" % (name, p.returncode, p.stdout))
        print("%s: %d options in --help, %d documented" % (name, len(shown), len(documented)))
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
