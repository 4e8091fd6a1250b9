# v2: 15K pairs, QLoRA r=64 with the v2 (four headed parts) system prompt.
#   NPROC_PER_NODE=8 xtuner train xtuner_configs/v2.py --deepspeed deepspeed_zero3_offload
# Sized for 8x40 GB; only what differs from v1 is set here. The dicts v1 built from
# a changed scalar keep the old value, so they are updated below too.
from mmengine.config import read_base
from xtuner.engine.hooks import VarlenAttnArgsToMessageHubHook

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

# PART 2-5: the dicts built from those scalars
model["lora"].update(r=lora_r, lora_alpha=lora_alpha)
train_dataset.update(system=system, max_length=max_length)
train_dataloader["dataset"] = train_dataset
optim_wrapper["optimizer"].update(lr=lr)
param_scheduler[0].update(end=warmup_ratio * max_epochs)
param_scheduler[1].update(begin=warmup_ratio * max_epochs, end=max_epochs)
train_cfg.update(max_epochs=max_epochs)
custom_hooks[1].update(system=system, max_length=max_length)
model.update(use_varlen_attn=use_varlen_attn or packed_attention)
train_dataset.update(use_varlen_attn=use_varlen_attn or packed_attention)
train_dataloader["collate_fn"].update(use_varlen_attn=use_varlen_attn or packed_attention)
if packed_attention and not use_varlen_attn:  # v1 added the hook for use_varlen_attn only
    custom_hooks = custom_hooks + [dict(type=VarlenAttnArgsToMessageHubHook)]
