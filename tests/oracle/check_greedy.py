"""Oracle test: the GenAI Python API and our C++ path greedy-decode the same prompts on the same
model with the same settings; their tokens must be identical, token by token.

Exit 77 (CTest's skip code) with --skip-if-missing when the model directory does not exist.
"""
import argparse
import json
import os
import subprocess
import sys

import onnxruntime_genai as og


def python_greedy(model, tokenizer, prompt: str, max_length: int, chat: bool) -> dict:
    if chat:
        prompt = tokenizer.apply_chat_template(json.dumps([{"role": "user", "content": prompt}]),
                                               add_generation_prompt=True)
    ids = [int(t) for t in tokenizer.encode(prompt)]
    params = og.GeneratorParams(model)
    params.set_search_options(max_length=max_length, do_sample=False)
    generator = og.Generator(model, params)
    generator.append_tokens(ids)
    while not generator.is_done():
        generator.generate_next_token()
    out = [int(t) for t in generator.get_sequence(0)[len(ids):]]
    return {"input": ids, "output": out, "text": tokenizer.decode(out)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--max-length", type=int, required=True)
    ap.add_argument("--prompt", action="append", required=True)
    ap.add_argument("--chat", action="store_true")
    ap.add_argument("--expect-substring")
    ap.add_argument("--skip-if-missing", action="store_true")
    args = ap.parse_args()

    if not os.path.isfile(os.path.join(args.model, "genai_config.json")):
        if args.skip_if_missing:
            print(f"SKIP: no model at {args.model} (scripts/bootstrap.sh --default-model makes it)")
            return 77
        print(f"FAIL: no model at {args.model}")
        return 1

    model = og.Model(args.model)
    tokenizer = og.Tokenizer(model)
    failures = 0
    for prompt in args.prompt:
        expected = python_greedy(model, tokenizer, prompt, args.max_length, args.chat)
        run = subprocess.run([args.tool, args.model, str(args.max_length), "chat" if args.chat else "raw", prompt],
                             capture_output=True, text=True, check=True)
        got = json.loads(run.stdout)
        same = got["input"] == expected["input"] and got["output"] == expected["output"]
        print(f"{'ok' if same else 'MISMATCH'}: {prompt!r}: {len(got['output'])} tokens -> {got['text']!r}")
        if not same:
            print(f"  python: {expected}\n  c++:    {got}")
            failures += 1
        elif not expected["output"]:
            print("  python generated nothing: the comparison proves nothing")
            failures += 1
        if args.expect_substring and args.expect_substring not in got["text"]:
            print(f"  expected {args.expect_substring!r} in the answer")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
