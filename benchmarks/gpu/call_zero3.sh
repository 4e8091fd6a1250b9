#!/usr/bin/env bash
# Both GPUs of a 2-GPU machine, ITERS (20) iterations each through `xtuner train`, one after another:
# v2 (QLoRA) with ZeRO-3 offload and v3 (full bf16) with ZeRO-3, each with the grouped MoE block
# (model.grouped_moe=True, whatever the recipe sets) and with transformers' block
# (model.grouped_moe=False): no hang, loss falls, tokens/s before/after.
# Each recipe trains at its own learning rate. No checkpoint is saved.
# Usage: bash benchmarks/gpu/call_zero3.sh   (RECIPES="v3:deepspeed_zero3" picks recipes as
# RECIPE:DEEPSPEED; results: $OUT/summary.jsonl)
source benchmarks/gpu/env.sh
export TRAIN_TIMEOUT=${TRAIN_TIMEOUT:-200} SUMMARY_ARGS="--skip 3"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
full_width build/m2 2
no_save=(default_hooks.checkpoint.interval=100000 default_hooks.checkpoint.save_last=False)
for item in ${RECIPES:-v2:deepspeed_zero3_offload v3:deepspeed_zero3}; do
  recipe=${item%:*} ds=${item#*:} cfg=xtuner_configs/${item%:*}.py
  lr=$(python3 -c "from review_ext.train.config_dump import load_config as l; print(l('$cfg').lr)")
  own=("${no_save[@]}" "lr=$lr" "optim_wrapper.optimizer.lr=$lr")  # train() sets 1e-3 before these
  train "${recipe}_${ds#deepspeed_}_grouped" "$cfg" "$ds" 2 "${ITERS:-20}" 8192 "${own[@]}" model.grouped_moe=True
  train "${recipe}_${ds#deepspeed_}_hf_moe" "$cfg" "$ds" 2 "${ITERS:-20}" 8192 "${own[@]}" model.grouped_moe=False
done
