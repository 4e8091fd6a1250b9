# v3: 15K pairs, full fine-tune in pure bf16 (no quantisation, no LoRA).
#   NPROC_PER_NODE=8 xtuner train xtuner_configs/v3.py --deepspeed deepspeed_zero3_offload
# Inherits v2 (data, prompt, length, epochs) and changes only the training mode.
from mmengine.config import read_base

from review_ext.train.recipe import rebuild_parts

with read_base():
    from .v2 import *  # noqa: F401,F403

# PART 1: what changes
lr = 1e-5  # full fine-tune: a tenth of a LoRA learning rate
weight_decay = 0.01
# Trainable bf16 experts: the grouped block measured 1.00-1.05x transformers' loop with 7% more
# peak memory (ZeRO-3, 2 H200s; benchmarks/RESULTS.md), so v3 keeps transformers' block.
grouped_moe = False

# PART 2-5: v1's, built again from the settings above (.build() imports the function now)
globals().update(rebuild_parts.build()(globals()))
# then the training mode: the full model in bf16, no quantisation, no adapter
model["llm"].pop("quantization_config")
model.pop("lora")
