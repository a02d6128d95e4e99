"""Peer benchmark: the same GGUF in llama.cpp (PyPI xllamacpp) against our converted model.

    peer_bench.py --gguf MODEL.gguf --model CONVERTED_DIR [--model ANOTHER_DIR ...]
                  [--wasinn build/bin/wasinn --guest build/guests/stream.wasm] [--runs 5]

Every engine runs in a subprocess of its own, once per run, and the runs are interleaved
(llama.cpp, model 1, model 2, ..., wasinn, llama.cpp, ...) so that a machine busy with other work
slows all of them alike; the table shows medians and each engine's ratio to llama.cpp. Per run:
  - decode: greedy, 128 new tokens (end-of-sequence ignored), after a short chat prompt; tokens/s
    over the tokens after the first;
  - time to first token for a prompt of about 200 tokens (prefill plus the first token);
  - peak RSS of the engine's process (ru_maxrss from wait4);
and once, after the runs: the memory read bandwidth numpy reaches (one thread summing 512 MB), and per engine the weight bytes a decode step reads, which together
give a ceiling of bandwidth / bytes tokens/s and the share of it each engine reaches.

Engines: `llama.cpp` (xllamacpp, --threads, greedy), `genai:DIR` (onnxruntime_genai Python API on
a converted model directory) and, with --wasinn and --guest, `wasinn:DIR`, which runs
`wasinn run --nn-preload default:GenAI:AUTO:DIR GUEST default PROMPT '{"chat_template": true,
"n-predict": 128}'` (guests/stream) and reads the summary line the guest prints on stderr:
`[stream] load L ms, prompt N tokens, generated M tokens, X tokens/s`. Its time to first token
is the first byte on stdout after the process started, less L (so it includes the guest's
instantiation); it gets the plain prompt and the host applies the chat template.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

PROMPT = "Write a short story about a robot who learns to paint."
LONG_PROMPT = (
    "Summarize the following passage in one sentence. "
    "The lighthouse keeper woke before dawn, as he had done every morning for thirty years. He climbed the "
    "narrow stairs, checked the lamp, and wrote the weather in a worn leather book: wind from the north-east, "
    "light rain, visibility about four miles. Nothing in the entry was unusual, yet he paused with the pen above "
    "the page, listening to the sea. Somewhere below the cliffs a bell was ringing, slow and uneven, although no "
    "buoy had been placed there since the harbour was closed. He put on his coat and walked down the path to the "
    "rocks. The tide was low, and the wet stones shone in the grey light. Between two of them lay a small wooden "
    "boat, painted blue, with a brass bell fixed to its bow. There was no one inside, only a folded map and a tin "
    "box of biscuits. The map showed the coast as it had looked a century ago, with villages that no longer "
    "existed and a second lighthouse on the island to the south."
)


# ---------------------------------------------------------------------------------------------
# Workers: each runs in its own process and prints one JSON object on stdout.

def chat_ids_genai(tokenizer, prompt: str) -> list[int]:
    text = tokenizer.apply_chat_template(json.dumps([{"role": "user", "content": prompt}]),
                                         add_generation_prompt=True)
    return [int(t) for t in tokenizer.encode(text)]


def worker_genai(model_dir: str, new_tokens: int) -> dict:
    import onnxruntime_genai as og
    t0 = time.perf_counter()
    model = og.Model(model_dir)
    tok = og.Tokenizer(model)
    load_s = time.perf_counter() - t0

    def generate(ids: list[int], n: int) -> tuple[float, float, int]:
        params = og.GeneratorParams(model)
        params.set_search_options(max_length=len(ids) + n, min_length=len(ids) + n, do_sample=False)
        gen = og.Generator(model, params)
        start = time.perf_counter()
        gen.append_tokens(ids)
        gen.generate_next_token()
        first = time.perf_counter()
        count = 1
        while not gen.is_done():
            gen.generate_next_token()
            count += 1
        end = time.perf_counter()
        return first - start, (count - 1) / (end - first) if count > 1 else 0.0, count

    generate(chat_ids_genai(tok, "Hi"), 8)  # warm-up
    long_ids = chat_ids_genai(tok, LONG_PROMPT)
    ttft, _, _ = generate(long_ids, 1)
    _, tps, n = generate(chat_ids_genai(tok, PROMPT), new_tokens)
    return {"load_s": load_s, "ttft_ms": ttft * 1e3, "long_prompt_tokens": len(long_ids), "decode_tps": tps,
            "generated": n}


def worker_llamacpp(gguf: str, threads: int, new_tokens: int) -> dict:
    import xllamacpp
    t0 = time.perf_counter()
    p = xllamacpp.CommonParams()
    p.model.path = gguf
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.n_ctx = 2048
    p.n_parallel = 1
    p.verbosity = -1
    server = xllamacpp.Server(p)
    load_s = time.perf_counter() - t0

    def complete(prompt: str, n: int) -> dict:
        r = server.handle_chat_completions({"messages": [{"role": "user", "content": prompt}], "max_tokens": n,
                                            "temperature": 0.0, "top_k": 1, "ignore_eos": True,
                                            "cache_prompt": False})
        if "error" in r:
            raise RuntimeError(r["error"])
        return r

    complete("Hi", 8)  # warm-up
    r = complete(LONG_PROMPT, 1)
    ttft_ms = r["timings"]["prompt_ms"] + r["timings"].get("predicted_ms", 0.0)
    long_n = r["usage"]["prompt_tokens"]
    r = complete(PROMPT, new_tokens)
    t = r["timings"]
    return {"load_s": load_s, "ttft_ms": ttft_ms, "long_prompt_tokens": long_n,
            "decode_tps": t["predicted_per_second"], "generated": t["predicted_n"]}


# ---------------------------------------------------------------------------------------------
# The driver.

def run_child(cmd: list[str]) -> tuple[str, str, int, float]:
    """Runs cmd; returns stdout, stderr, the child's own peak RSS in MB (wait4) and the time of
    its first stdout byte in seconds after the start (-1 when nothing came)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
    reader.start()
    try:
        first = proc.stdout.read(1)
        first_at = time.perf_counter() - start if first else -1.0
        out = first + proc.stdout.read()
    except BaseException:  # interrupted: leave no engine running behind us
        proc.kill()
        raise
    reader.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = b"".join(err).decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... exited {proc.returncode}: {stderr[-2000:]}")
    return out.decode(errors="replace"), stderr, usage.ru_maxrss // 1024, first_at


def run_engine(engine: str, args) -> dict:
    me = os.path.abspath(__file__)
    if engine == "llama.cpp":
        out, _, rss, _ = run_child([sys.executable, me, "--worker", "llamacpp", "--gguf", args.gguf,
                                    "--threads", str(args.threads), "--new-tokens", str(args.new_tokens)])
        res = json.loads(out.strip().splitlines()[-1])
    elif engine.startswith("genai:"):
        out, _, rss, _ = run_child([sys.executable, me, "--worker", "genai", "--model", engine[6:],
                                    "--new-tokens", str(args.new_tokens)])
        res = json.loads(out.strip().splitlines()[-1])
    else:  # wasinn:DIR
        res = run_wasinn(engine[7:], args)
        rss = res.pop("rss_mb")
    res["rss_mb"] = rss
    return res


def run_wasinn(model_dir: str, args) -> dict:
    def once(prompt: str, n: int) -> tuple[dict, float, int]:
        cmd = [args.wasinn, "run", "--nn-preload", f"default:GenAI:AUTO:{model_dir}", args.guest, "default", prompt,
               json.dumps({"chat_template": True, "n-predict": n})]
        _, err, rss, first_at = run_child(cmd)
        line = next((l for l in err.splitlines() if l.startswith("[stream] load")), None)
        if line is None:
            raise RuntimeError(f"no summary line from the stream guest; stderr: {err[-2000:]}")
        # [stream] load L ms, prompt N tokens, generated M tokens, X tokens/s
        words = line.replace(",", "").split()
        summary = {"load_ms": float(words[2]), "prompt": int(float(words[5])), "generated": int(float(words[8])),
                   "tps": float(words[10])}
        return summary, first_at, rss

    long_run, first_at, rss1 = once(LONG_PROMPT, 1)
    run, _, rss2 = once(PROMPT, args.new_tokens)
    return {"load_s": run["load_ms"] / 1e3, "ttft_ms": first_at * 1e3 - long_run["load_ms"],
            "long_prompt_tokens": long_run["prompt"], "decode_tps": run["tps"], "generated": run["generated"],
            "rss_mb": max(rss1, rss2)}


def memory_bandwidth_gbs() -> float:
    """Read bandwidth of one thread streaming a 512 MB float32 array (best of 5 sums)."""
    import numpy as np
    a = np.ones(128 * 1024 * 1024, dtype=np.float32)
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        a.sum()
        best = min(best, time.perf_counter() - t)
    return a.nbytes / best / 1e9


def gguf_bytes_per_token(gguf: str) -> int:
    """llama.cpp reads every tensor once per token except the embedding rows it does not look up;
    SmolLM2's output head is tied to token_embd, which is then read whole."""
    from gguf import GGUFReader
    r = GGUFReader(gguf)
    tied = not any(t.name == "output.weight" for t in r.tensors)
    total = 0
    for t in r.tensors:
        if t.name == "token_embd.weight" and not tied:
            total += t.n_bytes // int(t.shape[1])
        else:
            total += t.n_bytes
    return total


def model_bytes_per_token(model_dir: str) -> int:
    """Bytes of the initializers a decode step reads: all of them but the embedding-only tensors
    (one row each) and the rotary caches (one row); a tied head shares the embedding codes."""
    import numpy as np
    import onnx
    m = onnx.load(os.path.join(model_dir, "model.onnx"), load_external_data=False)
    sizes = {}
    for t in m.graph.initializer:
        n = int(np.prod(t.dims)) if t.dims else 1
        itemsize = onnx.helper.tensor_dtype_to_np_dtype(t.data_type).itemsize
        sizes[t.name] = (n * itemsize, int(t.dims[0]) if t.dims else 1)
    uses: dict[str, set] = {}
    for node in m.graph.node:
        for i in node.input:
            uses.setdefault(i, set()).add(node.op_type)
    total = 0
    for name, (size, rows) in sizes.items():
        ops = uses.get(name, set())
        if name in ("cos_cache", "sin_cache") or (ops and ops <= {"Gather", "GatherBlockQuantized"}):
            total += size // max(rows, 1)
        else:
            total += size
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gguf", required=False)
    ap.add_argument("--model", action="append", default=[], help="converted model directory (repeatable)")
    ap.add_argument("--wasinn", help="path to the wasinn binary")
    ap.add_argument("--guest", help="path to guests/stream's stream.wasm")
    ap.add_argument("--wasinn-model", action="append", default=[],
                    help="model directory for wasinn (repeatable; default: the first --model)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--no-llamacpp", action="store_true")
    ap.add_argument("--worker", choices=["genai", "llamacpp", "bandwidth"], help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker == "genai":
        print(json.dumps(worker_genai(args.model[0], args.new_tokens)))
        return 0
    if args.worker == "llamacpp":
        print(json.dumps(worker_llamacpp(args.gguf, args.threads, args.new_tokens)))
        return 0
    if args.worker == "bandwidth":
        print(json.dumps(memory_bandwidth_gbs()))
        return 0

    engines = ([] if args.no_llamacpp else ["llama.cpp"]) + [f"genai:{m}" for m in args.model]
    if args.wasinn:
        if not args.guest or not args.model:
            ap.error("--wasinn needs --guest and --model")
        engines += [f"wasinn:{m}" for m in (args.wasinn_model or args.model[:1])]
    # The parent stays small (numpy is imported only in children and at the end): a child's
    # ru_maxrss starts from the parent's resident size at fork.
    load = os.getloadavg()[0]
    results: dict[str, list[dict]] = {e: [] for e in engines}
    for r in range(args.runs):
        for e in engines:
            res = run_engine(e, args)
            results[e].append(res)
            print(f"run {r + 1}/{args.runs} {e}: {res['decode_tps']:.1f} tokens/s, TTFT {res['ttft_ms']:.0f} ms "
                  f"({res['long_prompt_tokens']} tokens), RSS {res['rss_mb']} MB", file=sys.stderr, flush=True)

    bandwidth = float(run_child([sys.executable, os.path.abspath(__file__), "--worker", "bandwidth"])[0])

    def med(e: str, key: str) -> float:
        return statistics.median(x[key] for x in results[e])

    def bytes_for(e: str) -> int:
        return gguf_bytes_per_token(args.gguf) if e == "llama.cpp" else model_bytes_per_token(e.split(":", 1)[1])

    base = "llama.cpp" if "llama.cpp" in engines else engines[0]
    print(f"\nMemory read bandwidth (numpy, 1 thread): {bandwidth:.1f} GB/s; load average at start {load:.2f}, "
          f"at end {os.getloadavg()[0]:.2f}; {args.runs} interleaved runs, medians; {args.threads} threads for "
          f"llama.cpp, GenAI's session options for the others.\n")
    print("| engine | decode tokens/s | vs llama.cpp | best run | TTFT ms (prompt tokens) | peak RSS MB "
          "| weight MB/token | bandwidth limit tokens/s | % of limit |")
    print("|---|---|---|---|---|---|---|---|---|")
    for e in engines:
        tps, mb = med(e, "decode_tps"), bytes_for(e) / 1e6
        limit = bandwidth * 1e3 / mb
        best = max(x["decode_tps"] for x in results[e])
        print(f"| {e} | {tps:.1f} | {tps / med(base, 'decode_tps'):.2f} | {best:.1f} | {med(e, 'ttft_ms'):.0f} "
              f"({int(med(e, 'long_prompt_tokens'))}) | {med(e, 'rss_mb'):.0f} | {mb:.1f} | {limit:.0f} "
              f"| {100 * tps / limit:.0f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
