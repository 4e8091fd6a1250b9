#!/usr/bin/env bash
# One call on a 2-GPU machine: GPU 0 runs v1 (QLoRA, ZeRO-2, 8K, 20 iterations) then
# pth_to_hf -> merge_bf16 -> infer.py; GPU 1 runs the inference benchmark (4 layers).
# Usage: bash benchmarks/gpu/call_pipeline.sh
source benchmarks/gpu/env.sh
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$OUT/gpu.txt"
(export CUDA_VISIBLE_DEVICES=1; full_width build/m4 4
 python3 benchmarks/gpu/bench_infer.py --model build/m4 --test $D/test.jsonl --batch-size 32 64 \
   --out "$OUT/bench_infer.json" > "$OUT/bench_infer.log" 2>&1) &
(export CUDA_VISIBLE_DEVICES=0; full_width build/m2 2
 train v1_8k xtuner_configs/v1.py deepspeed_zero2 1 20 8192
 python3 tools/pth_to_hf.py build/wd/v1_8k/v1.py build/wd/v1_8k/iter_20.pth build/hf_v1 --force > "$OUT/pth_to_hf_v1.log" 2>&1
 bash tools/merge_bf16.sh build/hf_v1 build/merged_v1 --force > "$OUT/merge_v1.log" 2>&1
 python3 benchmarks/gpu/dtypes.py build/merged_v1 | tee -a "$OUT/summary.jsonl"
 python3 tools/infer.py --test $D/test.jsonl --model build/merged_v1 --engine static --batch-size 12 \
   --max-new-tokens 64 --output-dir build/infer_v1 --overwrite > "$OUT/infer_v1.log" 2>&1
 cp build/infer_v1/summary.json "$OUT/infer_v1_summary.json") &
wait
grep -h "papers/GPU-hour" "$OUT/bench_infer.log"
cat "$OUT/summary.jsonl"
