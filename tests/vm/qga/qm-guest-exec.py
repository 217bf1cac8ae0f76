#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for Proxmox's `qm guest exec` (no Proxmox here), speaking to a real QEMU guest
agent over the VM's chardev socket the way qemu-server does. What it reproduces, from
qemu-server's PVE/CLI/qm.pm (exec, $print_agent_result), PVE/QemuServer/Agent.pm
(assert_agent_available, qga_check_running, qemu_exec, qemu_exec_status) and PVE/QMPClient.pm
(guest commands framed by guest-sync-delimited; "VM N qmp command 'X' failed - DESC"):

  - the socket is $PTDVM_QGA_DIR/VMID.qga (Proxmox: /var/run/qemu-server/VMID.qga); none:
    "VM VMID is not running";
  - guest-ping with a 3 s timeout first; no answer: "QEMU guest agent is not running";
  - guest-exec {path, arg, capture-output: true}; an agent error: "VM VMID qmp command
    'guest-exec' failed - DESC";
  - then guest-exec-status every second until exited or --timeout (default 30, 0: none);
    out-data/err-data base64-decoded, JSON booleans as 1/0; past the timeout "timeout
    reached, returning pid" on stderr and the {"pid": N} of guest-exec;
  - the result printed as Perl's to_json(pretty, canonical): 3-space indent, sorted keys,
    "key" : value; every die is the message on stderr and exit status 255.

Usage: qm-guest-exec.py guest exec VMID [--timeout N] -- CMD [ARG...]
"""
import base64, json, os, socket, sys, time

QGA_DIR = os.environ.get("PTDVM_QGA_DIR", "/var/run/qemu-server")


def die(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(255)


class Agent:
    def __init__(self, vmid):
        self.vmid = vmid
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(os.path.join(QGA_DIR, f"{vmid}.qga"))
        except OSError:
            die(f"VM {vmid} is not running")
        self.buf = b""
        self.seq = os.getpid() * 1000

    def _recv(self, deadline):
        """Appends what the socket has to the buffer, waiting until the deadline at most."""
        left = deadline - time.time()
        if left <= 0:
            raise TimeoutError
        self.sock.settimeout(left)
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("agent socket closed")
        self.buf += chunk

    def _read_json(self, deadline):
        """One JSON object from the stream (the agent ends each with a newline)."""
        dec = json.JSONDecoder()
        while True:
            text = self.buf.lstrip(b"\xff \r\n").decode("utf-8", "replace")
            if text:
                try:
                    obj, end = dec.raw_decode(text)
                    self.buf = text[end:].encode()
                    return obj
                except ValueError:
                    pass
            self._recv(deadline)

    def cmd(self, execute, arguments=None, timeout=3):
        """guest-sync-delimited (the reply follows a 0xFF byte; stale bytes before it are
        dropped), then the command. Returns "return", raises RuntimeError(desc) on "error"."""
        deadline = time.time() + timeout
        self.seq += 1
        self.sock.sendall(json.dumps({"execute": "guest-sync-delimited",
                                      "arguments": {"id": self.seq}}).encode() + b"\n")
        while True:
            # drop everything up to the delimiter, then read the sync reply
            while b"\xff" not in self.buf:
                self._recv(deadline)
            self.buf = self.buf[self.buf.rindex(b"\xff") + 1:]
            if self._read_json(deadline).get("return") == self.seq:
                break
        msg = {"execute": execute}
        if arguments is not None:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        reply = self._read_json(deadline)
        if "error" in reply:
            raise RuntimeError(reply["error"].get("desc", "unknown error"))
        return reply.get("return")


def perl_pretty(obj):
    return json.dumps(obj, indent=3, sort_keys=True, separators=(",", " : "), ensure_ascii=False) + "\n"


def main(argv):
    if argv[:2] != ["guest", "exec"] or len(argv) < 3 or "--" not in argv:
        die("qm-guest-exec.py: usage: guest exec VMID [--timeout N] -- CMD [ARG...]")
    vmid, opts, cmd = argv[2], argv[3:argv.index("--")], argv[argv.index("--") + 1:]
    timeout = 30
    if opts[:1] == ["--timeout"] and len(opts) == 2:
        timeout = int(opts[1])
    elif opts:
        die(f"qm-guest-exec.py: unsupported options {opts}")
    if not cmd:
        die("400 Parameter verification failed.\nextra-args: No command given")
    agent = Agent(vmid)
    try:
        agent.cmd("guest-ping", timeout=3)
    except (TimeoutError, ConnectionError, RuntimeError):
        die("QEMU guest agent is not running")
    try:
        res = agent.cmd("guest-exec", {"path": cmd[0], "arg": cmd[1:], "capture-output": True},
                        timeout=10)
    except RuntimeError as e:
        die(f"VM {vmid} qmp command 'guest-exec' failed - {e}")
    except (TimeoutError, ConnectionError) as e:
        die(f"VM {vmid} qmp command 'guest-exec' failed - {type(e).__name__}")
    pid = res["pid"]
    start = time.time()
    while timeout == 0 or time.time() - start < timeout:
        try:
            out = agent.cmd("guest-exec-status", {"pid": pid}, timeout=60)
        except RuntimeError as e:
            die(f"VM {vmid} qmp command 'guest-exec-status' failed - {e}")
        except (TimeoutError, ConnectionError) as e:
            die(f"VM {vmid} qmp command 'guest-exec-status' failed - {type(e).__name__}")
        for key in ("out-data", "err-data"):
            if out.get(key):
                out[key] = base64.b64decode(out[key]).decode("utf-8", "replace")
        out = {k: (1 if v is True else 0 if v is False else v) for k, v in out.items()}
        if out.get("exited"):
            res = out
            break
        time.sleep(1)
    else:
        sys.stderr.write("timeout reached, returning pid\n")
    sys.stdout.write(perl_pretty(res))
    return 0


sys.exit(main(sys.argv[1:]))
