"""Runs one command against an engine started for it, and checks the command's exit status and
output (as tests/cli/check.sh does). The engine is stopped afterwards, whatever happens.

    with_engine.py (--real GGUF | --bad MODE) [--remote-json NAME=JSON]... [--kill-engine-on REGEX]
                   [--expect-direct PATH=JSON]... [--status N] [--has REGEX]... [--lacks REGEX]...
                   [--env NAME=VALUE]... -- COMMAND...

--real starts llama.cpp's server (engine.py) on the GGUF, --bad our misbehaving one
(bad_engine.py). In COMMAND, @URL@ becomes the engine's /v1 base and @ROOT@ a model root made
for the run, holding NAME/remote.json for each --remote-json (its JSON, with "url" added and
@URL@ replaced). --kill-engine-on kills the engine (SIGKILL) as soon as the command's output
matches REGEX: the engine dies in the middle of the command's work, not at a time guessed.
--expect-direct posts JSON (non-streamed) to the engine's /v1/PATH with urllib, before the
command runs, and requires the command's output to hold the answer's text: what the engine
answers a plain client is the oracle for what a guest gets through wasinn.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND_TIMEOUT_S = 240  # a hung command fails the test instead of hanging it


def start_engine(args, env) -> tuple[subprocess.Popen, int]:
    if args.real:
        cmd = [sys.executable, os.path.join(HERE, "engine.py"), "--gguf", args.real]
    else:
        cmd = [sys.executable, os.path.join(HERE, "bad_engine.py"), "--mode", args.bad]
    cmd.append("--watch-stdin")
    engine = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, start_new_session=True)
    line = engine.stdout.readline()  # "port N" once ready; EOF when it failed
    if not line.startswith("port "):
        engine.kill()
        raise SystemExit(f"FAIL: the engine did not start ({' '.join(cmd)})")
    return engine, int(line.split()[1])


def stop(engine: subprocess.Popen) -> None:
    if engine.poll() is None:
        os.killpg(engine.pid, signal.SIGKILL)
    engine.wait()


def main() -> int:
    ap = argparse.ArgumentParser()
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--real")
    which.add_argument("--bad")
    ap.add_argument("--remote-json", action="append", default=[])
    ap.add_argument("--kill-engine-on")
    ap.add_argument("--expect-direct", action="append", default=[])
    ap.add_argument("--status", type=int, default=0)
    ap.add_argument("--has", action="append", default=[])
    ap.add_argument("--lacks", action="append", default=[])
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    env = dict(os.environ)
    for e in args.env:
        name, _, value = e.partition("=")
        if value:
            env[name] = value
        else:
            env.pop(name, None)

    engine, port = start_engine(args, env)  # the same environment (bad_engine.py reads BAD_ENGINE_KEY)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        with tempfile.TemporaryDirectory(prefix="wasinn-remote-") as root:
            for spec in args.remote_json:
                name, _, text = spec.partition("=")
                config = json.loads(text.replace("@URL@", url) or "{}")
                config.setdefault("url", url)
                os.makedirs(os.path.join(root, name))
                with open(os.path.join(root, name, "remote.json"), "w") as f:
                    json.dump(config, f)
            command = [a.replace("@URL@", url).replace("@ROOT@", root) for a in command]
            expected = [direct_answer(url, spec) for spec in args.expect_direct]
            output, status = run(command, env, engine, args.kill_engine_on)
    finally:
        stop(engine)

    failures = []
    if status != args.status:
        failures.append(f"exit status {status}, expected {args.status}")
    failures += [f"output lacks /{r}/" for r in args.has if not re.search(r, output, re.M)]
    failures += [f"output lacks the engine's direct answer {t!r}" for t in expected if t not in output]
    failures += [f"output has /{r}/" for r in args.lacks if re.search(r, output, re.M)]
    for f in failures:
        print("FAIL:", f)
    if failures:
        print("--- command:", " ".join(command))
    print("--- output:")
    print(output)
    return 1 if failures else 0


def direct_answer(url: str, spec: str) -> str:
    path, _, body = spec.partition("=")
    request = urllib.request.Request(f"{url}/{path}", data=body.encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as r:
        choice = json.loads(r.read())["choices"][0]
    text = choice["message"]["content"] if "message" in choice else choice["text"]
    if not text:
        raise SystemExit(f"FAIL: the engine's direct answer to {spec} is empty: no oracle")
    return text


def run(command, env, engine, kill_on) -> tuple[str, int]:
    """The command's stdout and stderr together, read as they come, and its exit status."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out = b""
    deadline = time.monotonic() + COMMAND_TIMEOUT_S
    while True:
        if time.monotonic() > deadline:
            proc.kill()
            out += b"\nwith_engine.py: the command ran too long; killed\n"
            break
        if not sel.select(timeout=1.0):
            continue
        data = os.read(proc.stdout.fileno(), 65536)
        if not data:
            break
        out += data
        if kill_on and engine.poll() is None and re.search(kill_on, out.decode(errors="replace"), re.M):
            stop(engine)
            out += b"\n[with_engine.py: engine killed]\n"
    status = proc.wait()
    return out.decode(errors="replace"), status


if __name__ == "__main__":
    sys.exit(main())
