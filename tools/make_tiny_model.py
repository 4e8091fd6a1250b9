"""Write a Mixtral-architecture model with random weights and the real tokenizer.

Examples:
    python tools/make_tiny_model.py build/tiny                 # CPU test model
    python tools/make_tiny_model.py build/mixtral-2l --layers 2 --hidden 4096 \\
        --intermediate 14336 --experts 8 --heads 32 --kv-heads 8   # GPU benchmark model
"""
from __future__ import annotations

import json
from pathlib import Path

from review_ext.common.cli import doc_parser


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("out", type=Path, help="output folder (HF layout)")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--intermediate", type=int, default=128)
    p.add_argument("--experts", type=int, default=4)
    p.add_argument("--experts-per-tok", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--max-positions", type=int, default=32768)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-shard-size", default="2GB")
    p.add_argument("--device", default="cpu", help="where to initialise (cuda is faster for full width)")
    return p.parse_args(argv)


def build_config(args):
    from transformers import MixtralConfig

    return MixtralConfig(
        vocab_size=32000,
        hidden_size=args.hidden,
        intermediate_size=args.intermediate,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        num_key_value_heads=args.kv_heads,
        num_local_experts=args.experts,
        num_experts_per_tok=args.experts_per_tok,
        max_position_embeddings=args.max_positions,
        rope_theta=1e6,
        sliding_window=None,
        router_aux_loss_coef=0.02,
        bos_token_id=1,
        eos_token_id=2,
        tie_word_embeddings=False,
        torch_dtype="bfloat16",
    )


def main(argv=None):
    args = parse_args(argv)
    import torch
    from transformers import GenerationConfig, MixtralForCausalLM

    from review_ext.data.tokenizer import load_mixtral_tokenizer

    torch.manual_seed(args.seed)
    config = build_config(args)
    torch.set_default_dtype(torch.bfloat16)
    with torch.device(args.device):
        model = MixtralForCausalLM(config)
    torch.set_default_dtype(torch.float32)
    model.to("cpu").save_pretrained(args.out, safe_serialization=True, max_shard_size=args.max_shard_size)
    GenerationConfig(bos_token_id=1, eos_token_id=2).save_pretrained(args.out)
    load_mixtral_tokenizer().save_pretrained(args.out)
    n_params = sum(p.numel() for p in model.parameters())
    (args.out / "tiny_model.json").write_text(json.dumps({"params": n_params, **vars(args)}, default=str, indent=1))
    print(f"wrote {args.out}: {n_params / 1e6:.2f}M parameters, bf16, real Mixtral tokenizer")


if __name__ == "__main__":
    main()
