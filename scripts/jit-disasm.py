#!/usr/bin/env python3
"""Disassembles the C2 code of a method without hsdis: the JVM then prints compiled code as hex words.

  java ... -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,dev.panamax.kernels.cpu.WideDots::dotQ4_0 ... > jit.txt
  scripts/jit-disasm.py jit.txt [c2|c1]      # objdump (binutils) must be installed

Prints each compiled method of that tier (OSR compiles included) as objdump's AT&T listing.
"""
import re
import subprocess
import sys
import tempfile

lines = open(sys.argv[1], errors="replace").read().split("\n")
tier = "(" + (sys.argv[2] if len(sys.argv) > 2 else "c2") + ")"
methods, current, in_code = [], None, False
for line in lines:
    if line.startswith("Compiled method"):
        current = {"header": line, "code": bytearray(), "start": None}
        methods.append(current)
        in_code = False
        continue
    if current is None:
        continue
    if "[Stub Code]" in line or "[Exception Handler]" in line:
        in_code = False
    if "[Verified Entry Point]" in line or "[Entry Point]" in line or "{other}" in line:
        in_code = True
    m = re.match(r"\s+0x([0-9a-f]+): ((?:[0-9a-f]{4} ?\|? ?)+)\s*$", line)
    if m and in_code:
        if current["start"] is None:
            current["start"] = int(m.group(1), 16)
        current["code"] += bytes.fromhex(re.sub(r"[^0-9a-f]", "", m.group(2)))
for method in methods:
    if tier not in method["header"] or not method["code"]:
        continue
    print("=====", method["header"], len(method["code"]), "bytes")
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(method["code"])
        f.flush()
        listing = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64",
                                  "--adjust-vma=%#x" % method["start"], f.name], capture_output=True, text=True).stdout
    print("\n".join(listing.split("\n")[7:]))
