#!/usr/bin/env bash
# One GPU: v1 (QLoRA, ZeRO-2, 8K) for 20 iterations, then pth_to_hf -> merge_bf16 -> infer.py,
# then the inference benchmark on a 4-layer full-width model.
# Usage on the GPU machine: bash benchmarks/gpu/pipeline_infer.sh
source benchmarks/gpu/env.sh
export CUDA_VISIBLE_DEVICES=0
full_width build/m2 2
full_width build/m4 4
train v1_8k xtuner_configs/v1.py deepspeed_zero2 1 20 8192
python3 tools/pth_to_hf.py build/wd/v1_8k/v1.py build/wd/v1_8k/iter_20.pth build/hf_v1 --force > "$OUT/pth_to_hf_v1.log" 2>&1
bash tools/merge_bf16.sh build/hf_v1 build/merged_v1 --force > "$OUT/merge_v1.log" 2>&1
python3 tools/infer.py --test $D/test.jsonl --model build/merged_v1 --engine static --batch-size 12 \
  --max-new-tokens 64 --output-dir build/infer_v1 --overwrite > "$OUT/infer_v1.log" 2>&1
cp build/infer_v1/summary.json "$OUT/infer_v1_summary.json" 2>/dev/null
python3 benchmarks/gpu/bench_infer.py --model build/m4 --test $D/test.jsonl --batch-size 32 64 \
  --out "$OUT/bench_infer.json" 2>&1 | tee "$OUT/bench_infer.log" | grep -v Warning
