#!/usr/bin/env bash
# Training throughput ratio on ONE GPU, runs one after another (no neighbour on the card):
# v2 recipe (QLoRA r64, bf16, ZeRO-2), stock XTuner data path vs ours, at 8K and 16K tokens.
# Usage: bash benchmarks/gpu/call_ratio.sh
source benchmarks/gpu/env.sh
export CUDA_VISIBLE_DEVICES=0 TRAIN_TIMEOUT=150
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$OUT/gpu.txt"
full_width build/m2 2
for len in 8192 16384; do
  train stock_$len benchmarks/configs/stock_v2.py deepspeed_zero2 1 16 $len
  train ours_$len xtuner_configs/v2.py deepspeed_zero2 1 16 $len
done
mkdir -p "$OUT/l" && mv "$OUT"/*.log "$OUT/l/" && tar czf "$OUT/logs.tar.gz" -C "$OUT" l && rm -r "$OUT/l"
