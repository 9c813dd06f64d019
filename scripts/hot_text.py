#!/usr/bin/env python3
"""Writes cmake/hot_text.ld: the code an idle linked wagate runs, placed first.

Why: the kernel maps file pages in 64 KiB windows around each page fault
(fault-around), so code that runs at start-up, while linking and while idle,
spread over the whole 11 MB of text, made ~80 % of the text resident although
about 2 MB of it ever runs (docs/benchmarks.md, "Idle memory"). Packing that
code together makes those windows few.

How:
 1. relinks build/src/app/wagate with a link map (-Wl,-Map) into a temporary
    directory: the same layout as the real link;
 2. runs that binary under valgrind's callgrind through the scenario of
    bench/idle_rss.py (wasim, QR link, idle for --idle seconds so keepalive
    pings run too) and collects every function that ran;
 3. maps each function to its input section in the link map and lists those
    sections in a linker script that puts them, in their present order, into
    an output section `.text.hot` before `.text` (INSERT BEFORE .text, so the
    default linker script stays in charge of everything else); code that
    only messaging runs (a few messages each way) follows the idle part.

Our own code is compiled with -ffunction-sections (cmake/wagate.cmake), so
there a section is a function. Archives from Debian (OpenSSL, SQLite,
protobuf, ...) have one .text per object file, which moves whole. Read-only
data gets the same treatment in `.rodata.hot` (after .rodata, so it stays
out of the executable segment): what that code names by address, the
.rodata of the archive members whose code ran, and every typeinfo name.

A stale script does no harm: names that no longer exist match nothing, and
new code simply stays in .text. Re-run after large changes:

  python3 scripts/hot_text.py --build build     (needs valgrind; ~1 minute)
  ninja -C build wagate
"""
import argparse
import bisect
import collections
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

PHONE = "15550100001"
PEER = "15550100002"


def relink_with_map(build, out_dir):
    """The link command of the wagate target, writing to out_dir with a map."""
    cmds = subprocess.run(["ninja", "-C", build, "-t", "commands", "src/app/wagate"], check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()
    link = cmds[-1]
    binary = os.path.join(out_dir, "wagate")
    mapfile = os.path.join(out_dir, "wagate.map")
    args = shlex.split(link.split("&&")[1])
    # Without the hot-text script: the profile must not depend on an old one.
    args = [a for a in args if "hot_text.ld" not in a]
    args[args.index("-o") + 1] = binary
    args.append("-Wl,-Map," + mapfile)
    subprocess.run(args, cwd=build, check=True)
    return binary, mapfile


def profile(binary, wasim, idle, messages, out):
    """Functions of `binary` that ran: (idle, messaging) sets of symbol names; the
    second holds what ran only once messages flowed."""
    from conftest import API_KEY, Wagate, Wasim  # noqa: E402
    from http_client import request  # noqa: E402
    auth = {"x-api-key": API_KEY}
    wrap = os.path.join(os.path.dirname(out), "wagate-callgrind")
    with open(wrap, "w") as f:
        f.write("#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%s "
                "--dump-instr=no --dump-line=no --compress-strings=no --compress-pos=no "
                "--demangle=no %s \"$@\"\n" % (out, binary))
    os.chmod(wrap, 0o755)
    os.environ["WAGATE_BIN"] = wrap
    os.environ["WASIM_BIN"] = os.path.abspath(wasim)
    with tempfile.TemporaryDirectory(prefix="wagate-hottext-") as tmp:
        sim = Wasim(os.path.join(tmp, "wasim"))
        w = None
        try:
            sim.admin("POST", "/admin/accounts", {"phone": PHONE, "name": "Alice"})
            sim.admin("POST", "/admin/accounts", {"phone": PEER, "name": "Bob"})
            w = Wagate(os.path.join(tmp, "wagate"),
                       env_overrides={"WAGATE_WA_URL": sim.ws_url,
                                      "WAGATE_WA_ROOT_KEY": sim.root_key})
            qr = request(w.port, "POST", "/whatsapp/session/connect", auth,
                         timeout=120).json()["qr"]
            sim.admin("POST", f"/admin/accounts/{PHONE}/scan", {"qr": qr})
            end = time.time() + 300
            while request(w.port, "GET", "/whatsapp/session/status", auth,
                          timeout=60).json()["status"] != "open":
                if time.time() > end:
                    sys.exit("wagate never opened under callgrind:\n" + w.log()[-3000:])
                time.sleep(0.2)
            time.sleep(idle)
            # Dump now: what shutdown runs is not part of an idle server.
            subprocess.run(["callgrind_control", "-d", str(w.proc.pid)], check=True,
                           capture_output=True)
            # Then a few messages each way and the reads a front-end does.
            for i in range(messages):
                sim.admin("POST", f"/admin/accounts/{PEER}/send", {"to": PHONE, "text": f"in {i}"})
                request(w.port, "POST", "/whatsapp/message/send/text", auth,
                        body={"to": PEER, "text": f"out {i}"}, timeout=60)
            time.sleep(3)
            request(w.port, "GET", f"/whatsapp/messages/{PEER}@s.whatsapp.net", auth, timeout=60)
            request(w.port, "GET", "/whatsapp/chats", auth, timeout=60)
            subprocess.run(["callgrind_control", "-d", str(w.proc.pid)], check=True,
                           capture_output=True)
            time.sleep(2)
        finally:
            if w:
                w.kill()
            sim.kill()
    tiers = []
    for part in (1, 2):
        names = set()
        obj = None
        dump = "%s.%d" % (out, part)
        if not os.path.exists(dump):
            sys.exit("callgrind wrote no dump %s" % dump)
        with open(dump) as f:
            for line in f:
                if line.startswith("ob="):
                    obj = line[3:].strip()
                elif line.startswith("fn=") and obj == binary:
                    names.add(line[3:].strip().split("'")[0])
        tiers.append(names)
    return tiers[0], tiers[1] - tiers[0]


def input_sections(mapfile, output):
    """Input sections of one output section (".text", ".rodata") of the link map:
    sorted (address, size, name, file)."""
    secs = []
    inside = False
    pending = None
    with open(mapfile) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.startswith(" "):
                if line:
                    inside = line.split()[0] == output
                pending = None
                continue
            if not inside:
                continue
            if pending is not None:
                m = re.match(r"\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
                if m:
                    secs.append((int(m.group(1), 16), int(m.group(2), 16), pending, m.group(3)))
                pending = None
                continue
            m = re.match(r" (\.\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$", line)
            if m:
                secs.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1), m.group(4)))
                continue
            m = re.match(r" (\.\S+)$", line)
            if m:
                pending = m.group(1)
    return sorted(s for s in secs if s[1] > 0)


def symbols(binary):
    syms = collections.defaultdict(list)
    out = subprocess.run(["nm", "-S", "--defined-only", binary], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in "tTwW":
            syms[p[3]].append((int(p[0], 16), int(p[1], 16)))
    return syms


def referenced_data(binary, functions):
    """Addresses that the given functions name in their code (RIP-relative
    operands, as objdump annotates them): the constants and strings they use."""
    header = re.compile(r"^[0-9a-f]+ <(.+)>:$")
    target = re.compile(r"# ([0-9a-f]+) <")
    refs = set()
    inside = False
    dump = subprocess.Popen(["objdump", "-d", "--no-show-raw-insn", binary],
                            stdout=subprocess.PIPE, text=True)
    for line in dump.stdout:
        if not line.startswith(" "):
            m = header.match(line)
            if m:
                inside = m.group(1) in functions
            continue
        if inside:
            m = target.search(line)
            if m:
                refs.add(int(m.group(1), 16))
    dump.wait()
    return refs


def containing(secs, addresses):
    starts = [s[0] for s in secs]
    found = set()
    for a in addresses:
        j = bisect.bisect_right(starts, a) - 1
        if j >= 0 and a < secs[j][0] + secs[j][1]:
            found.add(j)
    return sorted(found)


def pattern(name, file):
    """A linker-script input section description for one map entry."""
    m = re.match(r"(.*/)?([^/(]+\.a)\(([^)]+)\)$", file)
    if (name.startswith(".text.") and not name.startswith((".text.unlikely", ".text.startup",
                                                           ".text.hot", ".text.exit"))) or (
            name.startswith(".rodata._")):
        # A section of one function or one constant: its name says which; any file.
        return "*(%s)" % name
    if m:
        return "*%s:%s(%s)" % (m.group(2), m.group(3), name)
    return "*%s(%s)" % (os.path.basename(file), name)


def choose(secs, syms, ran):
    starts = [s[0] for s in secs]
    used = collections.defaultdict(list)  # section index -> executed (addr, size)
    for name in ran:
        for addr, size in syms.get(name, []):
            j = bisect.bisect_right(starts, addr) - 1
            if j >= 0 and addr < secs[j][0] + secs[j][1]:
                used[j].append((addr, size))
    # Every section that holds code that ran, however large: measured, leaving
    # protobuf's big descriptor objects in place (a few functions each) cost
    # more pages through fault-around than moving them whole.
    return sorted(used), used


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--idle", type=float, default=40.0,
                    help="seconds of idle after linking (keepalive runs every 30 s)")
    ap.add_argument("--messages", type=int, default=20,
                    help="messages each way for the second part (the messaging path)")
    ap.add_argument("--out", default=os.path.join(ROOT, "cmake", "hot_text.ld"))
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    with tempfile.TemporaryDirectory(prefix="wagate-hottext-") as tmp:
        binary, mapfile = relink_with_map(build, tmp)
        idle, messaging = profile(binary, os.path.join(build, "sim", "wasim"), args.idle,
                                  args.messages, os.path.join(tmp, "callgrind.out"))
        text = input_sections(mapfile, ".text")
        rodata = input_sections(mapfile, ".rodata")
        syms = symbols(binary)
        data_refs = [referenced_data(binary, idle), referenced_data(binary, idle | messaging)]
    blocks = []
    seen = set()
    # .text: the sections of the functions that ran, idle first.
    placed = set()
    parts = []
    for label, ran in (("idle", idle), ("messaging", messaging)):
        hot, used = choose(text, syms, ran)
        hot = [j for j in hot if j not in placed]
        placed.update(hot)
        parts.append((label, hot, "%d functions ran (%d bytes)" % (
            len(ran), sum(s for j in used for a, s in used[j]))))
    blocks.append((".text.hot", ".text", text, parts))
    hot_objects = [set(text[j][3] for j in part[1]) for part in parts]
    hot_objects[1] |= hot_objects[0]
    # .rodata: the constants and strings that code names, and the unsplit
    # .rodata* of archive members whose code ran (OpenSSL and SQLite reach
    # their tables through pointers as often as by name).
    placed = set()
    parts = []
    for label, refs, objects in (("idle", data_refs[0], hot_objects[0]),
                                 ("messaging", data_refs[1], hot_objects[1])):
        named = set(containing(rodata, refs))
        named |= {j for j, s in enumerate(rodata)
                  if s[3] in objects and not s[2].startswith(".rodata._")}
        hot = [j for j in sorted(named) if j not in placed]
        placed.update(hot)
        parts.append((label, hot, "%d addresses named by that code" % len(refs)))
    # Type names (_ZTS*): no code names them, yet type_info comparisons read
    # them (Asio's service registry, shared_ptr's deleter lookup, catch
    # clauses); scattered, they kept a third of the cold .rodata resident.
    hot = [j for j, s in enumerate(rodata) if s[2].startswith(".rodata._ZTS") and j not in placed]
    parts.append(("type names", hot, "every typeinfo name"))
    blocks.append((".rodata.hot", ".rodata", rodata, parts))

    out = ["/* Generated by scripts/hot_text.py; do not edit by hand (see there).",
           "   First what an idle linked wagate runs (start-up, QR link, keepalive), then",
           "   what messaging adds; the constants that code names likewise."]
    body = []
    for name, before, secs, parts in blocks:
        total = sum(s[1] for s in secs)
        body += ["SECTIONS", "{", "  %s :" % name, "  {"]
        for label, hot, what in parts:
            lines = []
            for j in hot:
                p = pattern(secs[j][2], secs[j][3])
                if p not in seen:
                    seen.add(p)
                    lines.append("    " + p)
            summary = "%s %s: %s; %d input sections, %d of %d bytes" % (
                before, label, what, len(lines), sum(secs[j][1] for j in hot), total)
            print(summary)
            out.append("   " + summary)
            body.append("    /* %s */" % label)
            body += lines
        # After .rodata, not before: before it the hot constants would land
        # in the executable segment (the default script's page alignment
        # for the read-only segment sits between .fini and .rodata).
        where = "AFTER" if before == ".rodata" else "BEFORE"
        body += ["  }", "}", "INSERT %s %s;" % (where, before)]
    out[-1] += " */"
    with open(args.out, "w") as f:
        f.write("\n".join(out + body) + "\n")


if __name__ == "__main__":
    main()
