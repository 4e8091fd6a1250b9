#!/usr/bin/env bash
# Training on a 2-GPU machine, in one call (logs and summary.jsonl under $OUT):
#  1. one GPU each, in parallel, ZeRO-2, v2 recipe: stock XTuner data path (GPU 0) vs ours (GPU 1),
#     at 8K then 16K tokens;
#  2. both GPUs, ZeRO-3 offload, v2 with and without the MoE leaf module;
#  3. both GPUs, ZeRO-3, v3 (full bf16), then pth_to_hf on its ZeRO-3 checkpoint.
# Usage: bash benchmarks/gpu/call_train.sh
source benchmarks/gpu/env.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
full_width build/m2 2
(export CUDA_VISIBLE_DEVICES=0; train stock_8k benchmarks/configs/stock_v2.py deepspeed_zero2 1 20 8192
 train stock_16k benchmarks/configs/stock_v2.py deepspeed_zero2 1 12 16384) &
(export CUDA_VISIBLE_DEVICES=1; train ours_8k xtuner_configs/v2.py deepspeed_zero2 1 20 8192
 train ours_8k_noliger xtuner_configs/v2.py deepspeed_zero2 1 12 8192 model.liger_kernels=False
 train ours_16k xtuner_configs/v2.py deepspeed_zero2 1 12 16384) &
wait
train v2_z3off_leaf xtuner_configs/v2.py deepspeed_zero3_offload 2 20 8192
train v2_z3off_noleaf xtuner_configs/v2.py deepspeed_zero3_offload 2 20 8192 model.z3_leaf_moe=False
train v3_z3 xtuner_configs/v3.py deepspeed_zero3 2 20 8192
python3 tools/pth_to_hf.py build/wd/v3_z3/v3.py build/wd/v3_z3/iter_20.pth build/hf_v3 --force > "$OUT/pth_to_hf_v3.log" 2>&1
python3 benchmarks/gpu/dtypes.py build/hf_v3 | tee -a "$OUT/summary.jsonl"
