"""Loading a model for generation: a merged HF folder, or a base plus a LoRA adapter."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from review_ext.common.dtypes import torch_dtype

if TYPE_CHECKING:
    from review_ext.generate.engine import EngineOptions

log = logging.getLogger(__name__)


def check_weight_files(folder) -> None:
    """Refuse (``SafetensorsFileError``, one line) a local model folder with a torn safetensors
    file, before transformers reads it (its own error is a traceback deep in the loader)."""
    from pathlib import Path

    from review_ext.checkpoint.safetensors_stream import read_header

    if folder and Path(folder).is_dir():
        for path in sorted(Path(folder).glob("*.safetensors")):
            read_header(path)


def load_hf_model(options: EngineOptions):
    """(model, tokenizer) from a merged HF folder, or a base plus a LoRA adapter.

    bf16 by default; ``load_4bit`` quantises the base to nf4 (bf16 compute). An adapter
    over a bf16 base is merged into it (plain Linear layers decode faster).
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = torch_dtype(options.dtype)
    check_weight_files(options.model)
    check_weight_files(options.adapter)
    device = options.device or ("cuda" if torch.cuda.is_available() else "cpu")
    device_map = options.device_map
    if device_map is None:
        device_map = "auto" if device == "cuda" else {"": device}
    kwargs = dict(torch_dtype=dtype, device_map=device_map, low_cpu_mem_usage=True)
    if options.attn_implementation:
        kwargs["attn_implementation"] = options.attn_implementation
    if options.load_4bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
    log.info("loading %s (%s, device_map=%s%s)", options.model, options.dtype, device_map,
             ", 4-bit" if options.load_4bit else "")
    model = AutoModelForCausalLM.from_pretrained(options.model, **kwargs)
    if options.adapter:
        from peft import PeftModel

        log.info("applying LoRA adapter %s", options.adapter)
        model = PeftModel.from_pretrained(model, options.adapter)
        if not options.load_4bit:
            model = model.merge_and_unload()
    tokenizer = AutoTokenizer.from_pretrained(options.model)
    return model.eval(), tokenizer
