"""Write a peft LoRA adapter with random A and B for an HF base, without loading its weights.

The base is built on the meta device, wrapped by peft, its adapter tensors filled
with random values (B too, so the merge changes something) and saved by peft
itself: the real key naming and adapter_config.json. For merge tests and benchmarks.

Examples:
    python tools/make_random_adapter.py build/tiny build/tiny-lora
    python tools/make_random_adapter.py build/bench build/bench-lora --r 64 --alpha 16 \\
        --targets q_proj k_proj v_proj o_proj w1 w2 w3
"""
from __future__ import annotations

import json
from pathlib import Path

from review_ext.common.cli import doc_parser


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("base", type=Path, help="base HF folder")
    p.add_argument("out", type=Path, help="adapter output folder")
    p.add_argument("--r", type=int, default=8)
    p.add_argument("--alpha", type=float, default=16)
    p.add_argument("--targets", nargs="+", default=["q_proj", "k_proj", "v_proj", "o_proj", "w1", "w2", "w3"])
    p.add_argument("--rank-pattern", type=json.loads, default={}, help='JSON, e.g. \'{"w2": 4}\'')
    p.add_argument("--alpha-pattern", type=json.loads, default={}, help='JSON, e.g. \'{"q_proj": 32}\'')
    p.add_argument("--modules-to-save", nargs="*", default=None)
    p.add_argument("--use-rslora", action="store_true")
    p.add_argument("--dtype", choices=("fp32", "bf16"), default="fp32", help="dtype of the saved tensors")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import torch
    from accelerate import init_empty_weights
    from accelerate.utils import set_module_tensor_to_device
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM

    torch.manual_seed(args.seed)
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[args.dtype]
    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(args.base))
    lora = LoraConfig(
        r=args.r, lora_alpha=args.alpha, target_modules=args.targets, rank_pattern=args.rank_pattern,
        alpha_pattern=args.alpha_pattern, modules_to_save=args.modules_to_save,
        use_rslora=args.use_rslora, task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    model.peft_config["default"].base_model_name_or_path = str(args.base)
    for name, param in model.named_parameters():
        if param.device.type == "meta" and (".lora_" in name or ".modules_to_save." in name):
            value = torch.randn(param.shape) * (1 / param.shape[-1] ** 0.5)
            set_module_tensor_to_device(model, name, "cpu", value.to(dtype))
    model.save_pretrained(args.out, safe_serialization=True)
    print(f"wrote {args.out}: r={args.r} on {args.targets}")


if __name__ == "__main__":
    main()
