"""Per-request overhead of the remote backend: a wasm guest asking llama.cpp's server through
wasinn, against a plain client asking the same server directly.

    remote_bench.py --gguf MODEL.gguf --wasinn build/bin/wasinn --guests build/guests [--runs 15]

The engine (tests/remote/engine.py: llama.cpp's server from PyPI xllamacpp, one slot) runs for
the whole benchmark. Every round runs, in an order that rotates per round (interleaved, so a
drift in machine load hits each side alike): the core-module guest chat.wasm, the component
guest chat_component, each printing `request_ms` (set_input to the response read: the request as
the guest sees it, without process start and module compilation), and a direct streamed request
with Python's urllib (request sent to the last event read). Same raw counting prompt, greedy,
exactly 64 generated tokens (checked). Prints the median of each and the overhead against direct.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPT = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10,"
TOKENS = 64


def direct_ms(url: str) -> float:
    body = json.dumps({"model": "smollm2", "prompt": PROMPT, "max_tokens": TOKENS, "temperature": 0, "stream": True,
                       "stream_options": {"include_usage": True}}).encode()
    start = time.perf_counter()
    req = urllib.request.Request(url + "/completions", data=body, headers={"Content-Type": "application/json"})
    usage = None
    with urllib.request.urlopen(req, timeout=300) as r:
        for line in r:
            if line.startswith(b"data: {"):
                usage = json.loads(line[6:]).get("usage") or usage
    ms = (time.perf_counter() - start) * 1e3
    if not usage or usage["completion_tokens"] != TOKENS:
        raise SystemExit(f"direct request generated {usage} tokens, not {TOKENS}")
    return ms


def guest_ms(wasinn: str, guest: str, url: str, options: str) -> float:
    out = subprocess.run([wasinn, "run", "--nn-preload", f"smol:OpenAI:AUTO:{url}", guest, "smol", PROMPT, options],
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise SystemExit(f"{guest} failed ({out.returncode}): {out.stderr}")
    if f'"output_tokens":{TOKENS},' not in out.stderr:
        raise SystemExit(f"{guest} did not generate {TOKENS} tokens: {out.stderr}")
    return float(re.search(r"request_ms: ([0-9.]+)", out.stderr).group(1))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--wasinn", required=True)
    ap.add_argument("--guests", required=True)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    engine = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "tests", "remote", "engine.py"),
                               "--gguf", args.gguf, "--parallel", "1", "--watch-stdin"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = engine.stdout.readline()
        if not line.startswith("port "):
            raise SystemExit("the engine did not start")
        url = f"http://127.0.0.1:{int(line.split()[1])}/v1"
        sides = {
            "direct (urllib)": lambda: direct_ms(url),
            "core module via wasinn": lambda: guest_ms(args.wasinn, os.path.join(args.guests, "chat.wasm"), url,
                                                       json.dumps({"n-predict": TOKENS})),
            "component via wasinn": lambda: guest_ms(
                args.wasinn, os.path.join(args.guests, "chat_component.component.wasm"), url,
                json.dumps({"max_tokens": TOKENS, "chat_template": False})),
        }
        names = list(sides)
        for name in names:  # warm-up: the engine's first request, page cache
            sides[name]()
        times = {name: [] for name in names}
        for r in range(args.runs):
            order = names[r % len(names):] + names[:r % len(names)]
            for name in order:
                times[name].append(sides[name]())
        base = statistics.median(times[names[0]])
        print(f"remote backend, {TOKENS} tokens of SmolLM2-135M from llama.cpp's server, median of {args.runs} "
              f"interleaved runs:")
        for name in names:
            m = statistics.median(times[name])
            extra = "" if name == names[0] else f"   overhead {m - base:+.2f} ms ({(m - base) / base * 100:+.2f}%)"
            print(f"  {name:24s} {m:9.2f} ms{extra}")
    finally:
        os.killpg(engine.pid, signal.SIGKILL)
        engine.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
