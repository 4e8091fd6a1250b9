"""A Mixtral-geometry checkpoint with random weights, pre-quantised to nf4, at any depth.

No bf16 copy is ever written: the model is built empty, transformers' own bitsandbytes
quantizer swaps its linears for ``Linear4bit`` (``lm_head`` kept, as ``from_pretrained`` does),
then each linear gets a random bf16 weight on ``device`` that bitsandbytes quantises at once.
Embeddings, norms and ``lm_head`` are filled directly. ``save_pretrained`` writes the packed
weights with their quantisation state, and the recipes' ``from_pretrained(...,
quantization_config=...)`` loads the folder as pre-quantised (32 layers: ~23 GiB, seconds on a GPU).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from review_ext.dev.random_model import (
    Geometry,
    build_config,
    mixtral_8x7b,
    save_tokenizer,
    write_metadata,
)

# The recipes' quantisation (xtuner_configs/v1.py, model.llm.quantization_config); a test holds
# the two equal.
NF4 = dict(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
           bnb_4bit_compute_dtype="bfloat16")


@dataclass(frozen=True)
class Nf4ModelOptions:
    """What :func:`write_nf4_model` writes: ``out`` (an HF folder) from ``geometry``."""

    out: Path
    geometry: Geometry = mixtral_8x7b()
    seed: int = 0
    device: str = "cuda"  # where each weight is drawn and quantised ("cpu" works, slowly)
    max_shard_size: str = "5GB"
    tokenizer: Path | None = None  # a saved tokenizer folder; None: the real one (mistral-common)


def nf4_config():
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(**{**NF4, "bnb_4bit_compute_dtype": torch.bfloat16})


def nf4_model(geometry: Geometry, device: str = "cuda", seed: int = 0):
    """``MixtralForCausalLM`` of ``geometry``, its linears nf4 ``Linear4bit`` with random weights,
    everything on ``device``, ready for ``save_pretrained``."""
    import bitsandbytes as bnb
    import torch
    from accelerate import init_empty_weights
    from accelerate.utils import set_module_tensor_to_device
    from transformers import AutoModelForCausalLM
    from transformers.quantizers import AutoHfQuantizer

    config = build_config(geometry)
    quantizer = AutoHfQuantizer.from_config(nf4_config(), pre_quantized=False)
    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.bfloat16)
        quantizer.preprocess_model(model, device_map=None, keep_in_fp32_modules=[])
    generator = torch.Generator(device).manual_seed(seed)
    std = config.initializer_range

    def draw(shape):
        return torch.randn(shape, generator=generator, device=device, dtype=torch.bfloat16) * std

    for module in model.modules():
        if isinstance(module, bnb.nn.Linear4bit):
            weight = draw((module.out_features, module.in_features))
            module.weight = bnb.nn.Params4bit(
                weight, requires_grad=False, quant_type=NF4["bnb_4bit_quant_type"],
                compress_statistics=NF4["bnb_4bit_use_double_quant"], module=module).to(device)
    for name, param in list(model.named_parameters()):
        if param.device.type == "meta":  # embeddings, lm_head (random) and RMSNorm weights (ones)
            if param.dim() == 1:
                value = torch.ones(param.shape, dtype=torch.bfloat16, device=device)
            else:
                value = draw(param.shape)
            set_module_tensor_to_device(model, name, device, value)
    model.hf_quantizer = quantizer
    quantizer.postprocess_model(model)
    return model


def write_nf4_model(options: Nf4ModelOptions) -> int:
    """Write the nf4 folder (weights, generation config, tokenizer, metadata); return the
    parameter count before quantisation."""
    from transformers import GenerationConfig

    model = nf4_model(options.geometry, options.device, options.seed)
    model.save_pretrained(options.out, safe_serialization=True,
                          max_shard_size=options.max_shard_size)
    GenerationConfig(bos_token_id=1, eos_token_id=2).save_pretrained(options.out)
    save_tokenizer(options.out, options.tokenizer)
    params = options.geometry.parameters()
    write_metadata(options.out, {**asdict(options.geometry), "seed": options.seed,
                                 "quantization": NF4["bnb_4bit_quant_type"]}, params)
    return params
