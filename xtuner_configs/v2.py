# v2: 15K pairs, QLoRA r=64 with the v2 (four headed parts) system prompt.
#   NPROC_PER_NODE=8 xtuner train xtuner_configs/v2.py --deepspeed deepspeed_zero3_offload
# Sized for 8x40 GB; only the settings that differ from v1 are set here, and v1's
# PART 2-5 are built again from them (review_ext.train.recipe).
from mmengine.config import read_base

from review_ext.train.recipe import rebuild_parts

with read_base():
    from .v1 import *  # noqa: F401,F403

# PART 1: what changes
system = "v2"
max_length = 16384  # ZeRO-3 offload over 8 GPUs leaves room for whole long papers
max_epochs = 3
lr = 1e-4  # retuned for the larger adapter
lora_r = 64
lora_alpha = 128  # alpha/r = 2, as v1
# Samples in a bin attend only within themselves, no flash-attn needed
# (review_ext.train.attention). use_varlen_attn stays False: XTuner's CLI demands
# flash-attn for that flag, so v1 hands packed_attention to the parts that use it.
packed_attention = True

# PART 2-5: v1's, built again from the settings above (.build() imports the function now)
globals().update(rebuild_parts.build()(globals()))
