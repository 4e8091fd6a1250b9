#!/usr/bin/env bash
# One GPU, ZeRO-2, v2 recipe (QLoRA r64): stock XTuner data path vs ours, 8K and 16K tokens;
# then v1 for >= 20 iterations. Usage on the GPU machine: bash benchmarks/gpu/train_1gpu.sh
source benchmarks/gpu/env.sh
export CUDA_VISIBLE_DEVICES=0
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
full_width build/m2 2
train stock_8k benchmarks/configs/stock_v2.py deepspeed_zero2 1 20 8192
train ours_8k xtuner_configs/v2.py deepspeed_zero2 1 20 8192
train ours_8k_noliger xtuner_configs/v2.py deepspeed_zero2 1 20 8192 model.liger_kernels=False
train stock_16k benchmarks/configs/stock_v2.py deepspeed_zero2 1 12 16384
train ours_16k xtuner_configs/v2.py deepspeed_zero2 1 12 16384
