"""Oracle test: the GenAI Python API and our C++ paths greedy-decode the same prompts on the same
model with the same settings. The oga layer's tokens must be identical, token by token; the
GenAI backend's response must be the text of those same tokens (decoded the way streaming
decodes them) and report the same number of generated tokens.

Exit 77 (CTest's skip code) with --skip-if-missing when the model directory does not exist,
except under CI (CI=true), where a missing model is a failure: the oracle must not vanish
silently from the run that guards the branch.
"""
import argparse
import json
import os
import subprocess
import sys

import onnxruntime_genai as og

EOS_TOKEN_ID = None  # from the model's genai_config.json


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
    stream = tokenizer.create_stream()
    eos = {int(model_eos) for model_eos in [EOS_TOKEN_ID]}
    streamed = "".join(stream.decode(t) for t in out if t not in eos)
    return {"input": ids, "output": out, "text": tokenizer.decode(out), "streamed": streamed}


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
        if args.skip_if_missing and os.environ.get("CI") != "true":
            print(f"SKIP: no model at {args.model} (scripts/bootstrap.sh --default-model makes it)")
            return 77
        print(f"FAIL: no model at {args.model}" +
              (" (CI=true: the default model must be there; scripts/bootstrap.sh --default-model)"
               if os.environ.get("CI") == "true" else ""))
        return 1

    global EOS_TOKEN_ID
    with open(os.path.join(args.model, "genai_config.json")) as f:
        eos = json.load(f)["model"]["eos_token_id"]
    EOS_TOKEN_ID = eos[0] if isinstance(eos, list) else eos
    model = og.Model(args.model)
    tokenizer = og.Tokenizer(model)
    failures = 0
    for prompt in args.prompt:
        expected = python_greedy(model, tokenizer, prompt, args.max_length, args.chat)
        mode = "chat" if args.chat else "raw"
        run = subprocess.run([args.tool, "oga", args.model, str(args.max_length), mode, prompt],
                             capture_output=True, text=True, check=True)
        got = json.loads(run.stdout)
        same = got["input"] == expected["input"] and got["output"] == expected["output"]
        print(f"{'ok' if same else 'MISMATCH'}: oga layer: {prompt!r}: {len(got['output'])} tokens -> {got['text']!r}")
        if not same:
            print(f"  python: {expected}\n  c++:    {got}")
            failures += 1
        max_new = args.max_length - len(expected["input"])
        run = subprocess.run([args.tool, "backend", args.model, str(max_new), mode, prompt],
                             capture_output=True, text=True, check=True)
        backend = json.loads(run.stdout)
        same = backend["text"] == expected["streamed"] and backend["output_tokens"] == len(expected["output"]) \
            and backend["input_tokens"] == len(expected["input"])
        print(f"{'ok' if same else 'MISMATCH'}: backend:   {prompt!r}: {backend['output_tokens']} tokens")
        if not same:
            print(f"  python: {expected}\n  backend: {backend}")
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
