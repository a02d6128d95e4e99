"""A WasmEdge-style guest's raw prompt, on a model converted from a GGUF, is tokenized and answered
as WasmEdge's llama.cpp backend does it: WasmEdge tokenizes the guest's text with llama.cpp's
add_special (the GGUF's BOS where tokenizer.ggml.add_bos_token asks for one) and parse_special.

    raw_prompt_like_wasmedge.py --wasinn BIN --guest chat.wasm --gguf MODEL.gguf --model CONVERTED_DIR

For each prompt (plain text, and text that already starts with the BOS token), `wasinn run` with
the WasmEdge-style chat guest must report as many input tokens as llama.cpp (PyPI xllamacpp) gives
for the same text with add_special, and its greedy 8-token answer must be llama.cpp's greedy
answer from those tokens. One deliberate difference: where the text already starts with the BOS,
llama.cpp adds a second one (and warns); wasinn does not, so the expectation drops the duplicate.

Exit 0 on pass, 1 on failure; 77 (CTest's skip code) with --skip-if-missing when a file or
xllamacpp is missing, except under CI (CI=true), where that is a failure.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "oracle"))

ANSWER_TOKENS = 8


def run_wasinn(args, prompt: str) -> tuple[int, str]:
    """(input_tokens, answer) of one chat-guest run."""
    r = subprocess.run([args.wasinn, "run", "--nn-preload", f"m:GenAI:AUTO:{args.model}", args.guest, "m", prompt,
                        json.dumps({"n-predict": ANSWER_TOKENS})], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"wasinn failed ({r.returncode}): {r.stdout}{r.stderr}")
    metadata = json.loads(re.search(r"^metadata: (\{.*\})$", r.stderr, re.M).group(1))
    return metadata["input_tokens"], r.stdout[:-1] if r.stdout.endswith("\n") else r.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wasinn", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--skip-if-missing", action="store_true")
    args = ap.parse_args()
    missing = [p for p in (args.gguf, args.guest, os.path.join(args.model, "genai_config.json")) if not os.path.isfile(p)]
    try:
        from check_llamacpp import LlamaCpp
        import xllamacpp  # noqa: F401
    except ImportError as e:
        missing.append(f"xllamacpp ({e})")
    if missing:
        print("missing: " + ", ".join(missing))
        return 77 if args.skip_if_missing and os.environ.get("CI") != "true" else 1

    lc = LlamaCpp(args.gguf, threads=1)
    with open(os.path.join(args.model, "tokenizer_config.json"), encoding="utf-8") as f:
        bos_text = json.load(f).get("bos_token")
    bos = lc.tokenize(bos_text, add_special=False)[0] if bos_text else None
    prompts = ["The lighthouse keeper woke before dawn and climbed", "Hello world"]
    if bos_text:
        prompts.append(bos_text + "Once upon a time")
    failures = []
    for prompt in prompts:
        ids = lc.tokenize(prompt, add_special=True)
        if len(ids) >= 2 and ids[0] == ids[1] == bos:
            ids = ids[1:]  # llama.cpp's doubled BOS, which wasinn does not copy
        r = lc.server.handle_completions({"prompt": ids, "n_predict": ANSWER_TOKENS, "temperature": 0.0, "top_k": 1,
                                          "cache_prompt": False})
        if "error" in r:
            raise RuntimeError(f"llama.cpp: {r['error']}")
        expected_answer = r["choices"][0]["text"]
        count, answer = run_wasinn(args, prompt)
        ok = count == len(ids) and answer == expected_answer
        print(f"{'ok' if ok else 'MISMATCH'}: {prompt!r}: input tokens {count} (llama.cpp {len(ids)}, BOS "
              f"{'first' if ids and ids[0] == bos else 'none'}), answer {answer!r} (llama.cpp {expected_answer!r})")
        if not ok:
            failures.append(prompt)
    print("PASS" if not failures else f"FAIL: {len(failures)} of {len(prompts)} prompts differ from llama.cpp")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
