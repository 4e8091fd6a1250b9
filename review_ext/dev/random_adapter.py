"""A peft LoRA adapter with random A and B for an HF base, built without loading its weights.

The base is made on the meta device, wrapped by peft, its adapter tensors filled with random
values (B too, so that a merge changes something) and saved by peft itself: the real key
naming and ``adapter_config.json``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from review_ext.common.errors import ReviewSuiteError

ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "w1", "w2", "w3")


@dataclass(frozen=True)
class RandomAdapterOptions:
    base: Path
    out: Path
    r: int = 8
    alpha: float = 16
    targets: tuple[str, ...] = ALL_LINEAR
    rank_pattern: dict = field(default_factory=dict)
    alpha_pattern: dict = field(default_factory=dict)
    modules_to_save: tuple[str, ...] | None = None
    use_rslora: bool = False
    dtype: str = "fp32"  # of the saved tensors: fp32 or bf16
    seed: int = 0


def write_random_adapter(options: RandomAdapterOptions) -> None:
    import torch
    from accelerate import init_empty_weights
    from accelerate.utils import set_module_tensor_to_device
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM

    dtypes = {"fp32": torch.float32, "bf16": torch.bfloat16}
    if options.dtype not in dtypes:
        raise ReviewSuiteError(f"`dtype` must be one of {sorted(dtypes)}, got {options.dtype!r}")
    torch.manual_seed(options.seed)
    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(options.base))
    lora = LoraConfig(
        r=options.r, lora_alpha=options.alpha, target_modules=list(options.targets),
        rank_pattern=options.rank_pattern, alpha_pattern=options.alpha_pattern,
        modules_to_save=None if options.modules_to_save is None else list(options.modules_to_save),
        use_rslora=options.use_rslora, task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    model.peft_config["default"].base_model_name_or_path = str(options.base)
    for name, param in model.named_parameters():
        if param.device.type == "meta" and (".lora_" in name or ".modules_to_save." in name):
            value = torch.randn(param.shape) * (1 / param.shape[-1] ** 0.5)
            set_module_tensor_to_device(model, name, "cpu", value.to(dtypes[options.dtype]))
    model.save_pretrained(options.out, safe_serialization=True)
