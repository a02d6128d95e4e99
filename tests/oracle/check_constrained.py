"""Constrained decoding end to end, checked by validators that are not ours: a WasmEdge-style
guest (chat.wasm: load config + options at index 1; stream.wasm: the same, streamed) asks the
tiny model, through `wasinn run`, for output under a JSON schema or a llama.cpp GBNF grammar,
with sampling (temperature 1) and several seeds.

  check_constrained.py --wasinn BIN --guests DIR --model DIR --grammars DIR

Every finished output (stop_reason "eos": llguidance ended it) must be accepted by the source
of the constraint: schemas by PyPI `jsonschema` (Draft 2020-12), GBNF grammars by Python
(json.loads for JSON, an `ast` walk for arithmetic, `re` for the rest). An output cut by the token
limit must say so ("max_length_in_constraint"). The streamed text must equal the whole one.
Each constraint must finish for at least one seed, so the check cannot pass vacuously.
Exit 0 on pass, 1 on failure.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys

import jsonschema

SEEDS = [1, 2, 3, 4]

SCHEMAS = {
    "person": {"type": "object",
               "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 12},
                              "age": {"type": "integer", "minimum": 0, "maximum": 150}},
               "required": ["name", "age"], "additionalProperties": False},
    "enum_and_bool": {"type": "object",
                      "properties": {"colour": {"enum": ["red", "green", "blue"]}, "ok": {"type": "boolean"}},
                      "required": ["colour", "ok"], "additionalProperties": False},
    "array_of_numbers": {"type": "array", "items": {"type": "number", "minimum": -10, "maximum": 10},
                         "minItems": 1, "maxItems": 4},
}


def arithmetic_ok(text: str) -> bool:
    """The arithmetic.gbnf language: integers without leading zeros (at most 4 digits), binary
    + - * /, parentheses; no unary operators, no spaces."""
    if not re.fullmatch(r"[0-9+\-*/()]+", text):
        return False
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return False

    def ok(node) -> bool:
        if isinstance(node, ast.BinOp):
            return isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)) and ok(node.left) and ok(node.right)
        return isinstance(node, ast.Constant) and type(node.value) is int and 0 <= node.value <= 9999
    return ok(tree.body)


MOVE = r"(?:(?:[a-h]x)?[a-h][1-8](?:=[NBRQ])?|[NBKQR][a-h]?[1-8]?x?[a-h][1-8]|O-O(?:-O)?)[+#]?"
GRAMMAR_CHECKS = {
    "json.gbnf": lambda t: isinstance(json.loads(t), dict),
    "arithmetic.gbnf": arithmetic_ok,
    "list.gbnf": lambda t: re.fullmatch(r"(?:- [a-z]{1,8}(?: [a-z]{1,8}){0,2}\n){1,5}", t) is not None,
    "c_identifiers.gbnf": lambda t: re.fullmatch(
        r"[A-Za-z_][A-Za-z0-9_]{0,11}(?:, ?[A-Za-z_][A-Za-z0-9_]{0,11}){0,4}", t) is not None,
    "chess.gbnf": lambda t: re.fullmatch(rf"1\. {MOVE} {MOVE}(?:\n[2-9]\. {MOVE} {MOVE}){{0,2}}", t) is not None,
    "escapes.gbnf": lambda t: re.fullmatch(
        "tab\there,\"q\" \\\\ \\[x\\],caf\u00e9 \u20ac,\U0001F600,[A-C\u00e0-\u00e2][^\x00-\x7f][\\[\\]].", t,
        re.DOTALL) is not None,
}


def run(args, guest: str, prompt: str, options: dict) -> tuple[str, dict | None]:
    cmd = [args.wasinn, "run", "--nn-preload", f"tiny:GenAI:AUTO:{args.model}", os.path.join(args.guests, guest),
           "tiny", prompt, json.dumps(options)]
    p = subprocess.run(cmd, capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    out = p.stdout.decode()
    assert out.endswith("\n"), out
    meta = None
    for line in p.stderr.decode().splitlines():
        if line.startswith("metadata: "):
            meta = json.loads(line[len("metadata: "):])
    return out[:-1], meta


def check(args, label: str, options: dict, accepts) -> list[str]:
    failures, finished = [], 0
    for seed in SEEDS:
        opts = {**options, "temp": 1.0, "seed": seed, "n-predict": 300}
        text, meta = run(args, "chat.wasm", "Answer:", opts)
        streamed, _ = run(args, "stream.wasm", "Answer:", opts)
        if streamed != text:
            failures.append(f"{label} seed {seed}: streamed {streamed!r} != whole {text!r}")
        reason = meta["stop_reason"]
        if reason == "eos":
            finished += 1
            try:
                good = accepts(text)
            except Exception as e:  # noqa: BLE001 - a validator's rejection
                good, text = False, f"{text!r} ({e})"
            print(f"{label} seed {seed}: {'ok' if good else 'REJECTED'} {text!r}")
            if not good:
                failures.append(f"{label} seed {seed}: output not accepted: {text!r}")
        elif reason == "max_length_in_constraint":
            print(f"{label} seed {seed}: cut by the token limit (reported) after {meta['output_tokens']} tokens")
        else:
            failures.append(f"{label} seed {seed}: stop_reason {reason!r}")
    if finished == 0:
        failures.append(f"{label}: no seed finished; nothing was validated")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--wasinn", required=True)
    ap.add_argument("--guests", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--grammars", required=True)
    args = ap.parse_args()
    failures = []
    for i, (name, schema) in enumerate(SCHEMAS.items()):
        validator = jsonschema.Draft202012Validator(schema)
        # WasmEdge's key with the schema as a string, ours with it as an object
        key, value = ("json-schema", json.dumps(schema)) if i % 2 == 0 else ("json_schema", schema)
        failures += check(args, f"schema {name}", {key: value},
                          lambda t, v=validator: v.validate(json.loads(t)) is None)
    for name, accepts in GRAMMAR_CHECKS.items():
        with open(os.path.join(args.grammars, name), encoding="utf-8") as f:
            failures += check(args, f"grammar {name}", {"grammar": f.read()}, accepts)
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
