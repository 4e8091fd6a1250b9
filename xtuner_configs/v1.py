# v1: 5K paper->review pairs, QLoRA on one 80 GB GPU.
#   xtuner train xtuner_configs/v1.py --deepspeed deepspeed_zero2
# The whole recipe lives here in XTuner's PART 1-5 layout; v2.py, v3.py and
# smollm2_135m.py set only the PART 1 values that differ and run PART 2-5 again on them
# (review_ext.train.recipe). Every tunable is in PART 1.
import torch
from mmengine.dataset import DefaultSampler
from mmengine.hooks import (
    CheckpointHook,
    DistSamplerSeedHook,
    IterTimerHook,
    LoggerHook,
    ParamSchedulerHook,
)
from mmengine.optim import CosineAnnealingLR, LinearLR
from mmengine.visualization import LocalVisBackend, Visualizer
from peft import LoraConfig
from torch.optim import AdamW
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig
from xtuner.dataset.collate_fns import default_collate_fn
from xtuner.engine.hooks import (
    DatasetInfoHook,
    ThroughputHook,
    VarlenAttnArgsToMessageHubHook,
)
from xtuner.engine.runner import TrainLoop

from review_ext.data.dataset import build_review_dataset
from review_ext.train.hooks import ReviewChatHook
from review_ext.train.model import ReviewFinetune
from review_ext.train.optim import BF16OptimWrapper

#######################################################################
#                          PART 1  Settings                           #
#######################################################################
# Model: a local folder or hub id of Mixtral-8x7B-Instruct-v0.1 (bf16 weights).
pretrained_model_name_or_path = "mistralai/Mixtral-8x7B-Instruct-v0.1"
use_varlen_attn = False  # needs flash-attn; bins then attend within each sample only
# The same without flash-attn (review_ext.train.attention patches Mixtral's attention; v2 on).
# Off here: recipes derived from v1, e.g. the Llama-based SmolLM2, use no Mixtral attention patch.
packed_attention = False
liger_kernels = True  # fused Triton kernels when liger-kernel is installed and CUDA present
grouped_moe = (
    True  # Mixtral's MoE block as grouped expert matmuls, no host sync (review_ext.train.moe)
)
prompt_template = (
    "mixtral"  # a name of review_ext.data.template.TEMPLATES (the base model's chat layout)
)

# Data: XTuner conversation JSON from `python -m data_conversion.to_xtuner`.
data_path = "data/train.json"
evaluation_file = "data/test.jsonl"  # papers the chat hook reviews during training
system = "v1"  # preset of review_ext.data.template.SYSTEM_PRESETS (or the prompt itself)
# Train the [Rating] block after the four parts (each row's rating, confidence and venue), the
# system prompt naming the row's venue scale; rows without a rating get no block (counted).
rating = False
# 8K tokens holds most papers whole (median paper ~7K tokens with its review);
# longer papers are trimmed from the end of [CONTENT], never the review.
max_length = 8192
pack_to_max_length = True  # whole samples into bins, never split
dataset_num_proc = 8

# Scheduler & Optimizer
# The published v1 ran 2 epochs, ~5,190 steps on 5K pairs: ~2 samples a step.
# It stopped at step 4,000 when the loss began to oscillate (save often).
batch_size = 1  # per device; a packed bin of up to max_length tokens
accumulative_counts = 2
dataloader_num_workers = 0
max_epochs = 2
optim_type = AdamW
lr = 2e-4
betas = (0.9, 0.999)
weight_decay = 0
max_norm = 1  # grad clip
warmup_ratio = 0.03

# LoRA (QLoRA: nf4 base, double quantisation, bf16 compute)
lora_r = 16
lora_alpha = 32
lora_dropout = 0.05
lora_targets = ["q_proj", "k_proj", "v_proj", "o_proj", "w1", "w2", "w3"]

# Save
save_steps = 500
save_total_limit = 4  # keep enough to go back before an oscillation (-1: all)

# Evaluate the generation during training
evaluation_freq = 500
evaluation_max_new_tokens = 600

#######################################################################
#                      PART 2  Model & Tokenizer                      #
#######################################################################
tokenizer = dict(
    type=AutoTokenizer.from_pretrained,
    pretrained_model_name_or_path=pretrained_model_name_or_path,
    trust_remote_code=True,
    padding_side="right",
)

model = dict(
    type=ReviewFinetune,
    use_varlen_attn=use_varlen_attn or packed_attention,
    z3_leaf_moe=True,
    liger_kernels=liger_kernels,
    grouped_moe=grouped_moe,
    llm=dict(
        type=AutoModelForCausalLM.from_pretrained,
        pretrained_model_name_or_path=pretrained_model_name_or_path,
        trust_remote_code=True,
        torch_dtype=torch.bfloat16,  # Mixtral is bf16 (XTuner's own config says fp16)
        quantization_config=dict(
            type=BitsAndBytesConfig,
            load_in_4bit=True,
            load_in_8bit=False,
            llm_int8_threshold=6.0,
            llm_int8_has_fp16_weight=False,
            bnb_4bit_compute_dtype=torch.bfloat16,
            bnb_4bit_use_double_quant=True,
            bnb_4bit_quant_type="nf4",
        ),
    ),
    lora=dict(
        type=LoraConfig,
        r=lora_r,
        lora_alpha=lora_alpha,
        lora_dropout=lora_dropout,
        target_modules=lora_targets,
        bias="none",
        task_type="CAUSAL_LM",
    ),
)

#######################################################################
#                      PART 3  Dataset & Dataloader                   #
#######################################################################
train_dataset = dict(
    type=build_review_dataset,
    data_path=data_path,
    tokenizer=tokenizer,
    max_length=max_length,
    system=system,
    template=prompt_template,
    rating=rating,
    pack_to_max_length=pack_to_max_length,
    use_varlen_attn=use_varlen_attn or packed_attention,
    num_proc=dataset_num_proc,
)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=dataloader_num_workers,
    dataset=train_dataset,
    sampler=dict(type=DefaultSampler, shuffle=True),
    collate_fn=dict(type=default_collate_fn, use_varlen_attn=use_varlen_attn or packed_attention),
)

#######################################################################
#                    PART 4  Scheduler & Optimizer                    #
#######################################################################
optim_wrapper = dict(
    type=BF16OptimWrapper,
    optimizer=dict(type=optim_type, lr=lr, betas=betas, weight_decay=weight_decay),
    clip_grad=dict(max_norm=max_norm, error_if_nonfinite=False),
    accumulative_counts=accumulative_counts,
    loss_scale="dynamic",
    dtype="bfloat16",
)

param_scheduler = [
    dict(
        type=LinearLR,
        start_factor=1e-5,
        by_epoch=True,
        begin=0,
        end=warmup_ratio * max_epochs,
        convert_to_iter_based=True,
    ),
    dict(
        type=CosineAnnealingLR,
        eta_min=0.0,
        by_epoch=True,
        begin=warmup_ratio * max_epochs,
        end=max_epochs,
        convert_to_iter_based=True,
    ),
]

train_cfg = dict(type=TrainLoop, max_epochs=max_epochs)

#######################################################################
#                           PART 5  Runtime                           #
#######################################################################
custom_hooks = [
    dict(type=DatasetInfoHook, tokenizer=tokenizer),
    dict(
        type=ReviewChatHook,
        tokenizer=tokenizer,
        paper_file=evaluation_file,
        system=system,
        template=prompt_template,
        rating=rating,
        max_length=max_length,  # papers trimmed to max_length - max_new_tokens
        every_n_iters=evaluation_freq,
        max_new_tokens=evaluation_max_new_tokens,
    ),
    dict(type=ThroughputHook),  # logs tokens/s and TFLOP/s per GPU
]

if use_varlen_attn or packed_attention:  # the bin's sample bounds, each iteration
    custom_hooks += [dict(type=VarlenAttnArgsToMessageHubHook)]

default_hooks = dict(
    timer=dict(type=IterTimerHook),
    logger=dict(type=LoggerHook, log_metric_by_epoch=False, interval=10),
    param_scheduler=dict(type=ParamSchedulerHook),
    checkpoint=dict(
        type=CheckpointHook,
        by_epoch=False,
        interval=save_steps,
        max_keep_ckpts=save_total_limit,
    ),
    sampler_seed=dict(type=DistSamplerSeedHook),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method="fork", opencv_num_threads=0),
    dist_cfg=dict(backend="nccl"),
)

# vis_data/scalars.json: loss and lr per iteration, read by tools/plot_loss.py
visualizer = dict(type=Visualizer, vis_backends=[dict(type=LocalVisBackend)])
log_level = "INFO"
load_from = None
resume = False
randomness = dict(seed=None, deterministic=False)
log_processor = dict(by_epoch=False)
