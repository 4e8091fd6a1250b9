#!/usr/bin/env bash
# Both GPUs of a 2-GPU machine, ITERS (20) iterations each through `xtuner train`, one after another:
# v2 (QLoRA) with ZeRO-3 offload and v3 (full bf16) with ZeRO-3, each with the grouped MoE block
# and with transformers' block (model.grouped_moe=False): no hang, loss falls, tokens/s before/after.
# No checkpoint is saved. Usage: bash benchmarks/gpu/call_zero3.sh   (results: $OUT/summary.jsonl)
source benchmarks/gpu/env.sh
export TRAIN_TIMEOUT=${TRAIN_TIMEOUT:-200} SUMMARY_ARGS="--skip 3"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
full_width build/m2 2
no_save=(default_hooks.checkpoint.interval=100000 default_hooks.checkpoint.save_last=False)
for recipe in "v2 deepspeed_zero3_offload" "v3 deepspeed_zero3"; do
  set -- $recipe
  train "$1_${2#deepspeed_}_grouped" "xtuner_configs/$1.py" "$2" 2 "${ITERS:-20}" 8192 "${no_save[@]}"
  train "$1_${2#deepspeed_}_hf_moe" "xtuner_configs/$1.py" "$2" 2 "${ITERS:-20}" 8192 "${no_save[@]}" \
    model.grouped_moe=False
done
