"""A real OpenAI-compatible engine for the remote backend's tests and benchmark: llama.cpp's own
C++ server (PyPI xllamacpp, the server people deploy, continuous batching) on a loopback port.

    engine.py --gguf MODEL.gguf [--port N] [--alias ID] [--parallel 2] [--threads 1]

Prints `port N` on stdout once the server answers /v1/models, then serves until killed. Port 0
(the default) lets the server bind a free one itself (no race with another process).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import urllib.request


def exit_with_launcher() -> None:
    """With --watch-stdin: exit when stdin closes, i.e. when the launcher has gone, even killed
    (a test runner's timeout), so no engine outlives its test."""
    def watch():
        sys.stdin.read()
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--alias", default="smollm2")
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ctx", type=int, default=4096)
    ap.add_argument("--watch-stdin", action="store_true")
    args = ap.parse_args()
    if args.watch_stdin:
        exit_with_launcher()

    import xllamacpp
    p = xllamacpp.CommonParams()
    p.model.path = args.gguf
    p.model_alias = {args.alias}  # the id /v1/models lists
    p.hostnames = ["127.0.0.1"]  # loopback only
    p.cpuparams.n_threads = args.threads
    p.cpuparams_batch.n_threads = args.threads
    p.n_parallel = args.parallel
    p.n_ctx = args.ctx
    p.verbosity = -1
    p.port = args.port
    try:
        server = xllamacpp.Server(p)
    except Exception as e:  # noqa: BLE001 - xllamacpp raises RuntimeError when it cannot start
        print(f"engine.py: the server did not start: {e}", file=sys.stderr)
        return 1
    base = server.listening_address  # http://127.0.0.1:PORT
    port = int(base.rsplit(":", 1)[1])
    url = f"{base}/v1/models"
    for _ in range(600):  # ready once it lists its model (the model loads before that)
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                json.loads(r.read())
            break
        except OSError:
            time.sleep(0.1)
    else:
        print(f"engine.py: {url} never answered", file=sys.stderr)
        return 1
    print(f"port {port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while server is not None:
        time.sleep(3600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
