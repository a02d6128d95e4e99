"""Peak host memory of one big tensor handed to the host through the component ABI.

    python tensor_memory.py --wasinn build/bin/wasinn --guest build/guests/big_tensor_component.component.wasm

Runs `wasinn run GUEST KIB` once per size, each in its own process, and reports the process's
peak RSS against the run with an empty tensor, per byte of tensor data. The guest's own copy of
the data (its linear memory) is part of the peak, so a host that kept exactly one copy would
show about 2 bytes per byte (guest memory + the tensor it holds).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys


# Runs in a fresh interpreter per size, so that each peak is that run's alone (a process's
# ru_maxrss of its children is the maximum over all of them).
PROBE = """
import json, resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
lines = (r.stdout.strip() or r.stderr.strip()).splitlines()
outcome = next((l.strip() for l in lines if "too much data" in l), lines[-1] if lines else "exit %d" % r.returncode)
print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, outcome]))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wasinn", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--sizes-kib", default="0,512,1024,2048,2730,2731,65536")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes_kib.split(","))
    print("| tensor | outcome | peak RSS | over the empty run | per byte of data |")
    print("|---|---|---|---|---|")
    base = None
    for kib in sizes:
        probe = [sys.executable, "-c", PROBE, args.wasinn, "run", args.guest, str(kib)]
        rss, outcome = json.loads(subprocess.run(probe, capture_output=True, text=True, check=True).stdout)
        base = rss if base is None else base
        extra = rss - base
        per_byte = f"{extra / kib:.1f}" if kib else "-"
        print(f"| {kib} KiB | {outcome} | {rss / 1024:.1f} MiB | {extra / 1024:.1f} MiB | {per_byte} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
