#!/usr/bin/env bash
# One call on a 2-GPU machine (logs packed into $OUT/logs.tar.gz, results in summary.jsonl):
#  GPU 0: stock XTuner data path (v2 recipe, ZeRO-2) at 8K and 16K; then v1 (QLoRA, ZeRO-2, 8K,
#         20 iterations) -> pth_to_hf -> merge_bf16 -> infer.py --engine static;
#  GPU 1: ours (v2 recipe, ZeRO-2) at 8K and 16K; then the inference benchmark on 4 layers.
# Usage: bash benchmarks/gpu/call_pipeline.sh
source benchmarks/gpu/env.sh
export TRAIN_TIMEOUT=240
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$OUT/gpu.txt"
(export CUDA_VISIBLE_DEVICES=0; full_width build/m2 2; touch build/m2.ready
 train stock_8k benchmarks/configs/stock_v2.py deepspeed_zero2 1 20 8192
 train stock_16k benchmarks/configs/stock_v2.py deepspeed_zero2 1 10 16384
 train v1_8k xtuner_configs/v1.py deepspeed_zero2 1 20 8192
 python3 tools/pth_to_hf.py build/wd/v1_8k/v1.py build/wd/v1_8k/iter_20.pth build/hf_v1 --force > "$OUT/pth_to_hf_v1.log" 2>&1
 bash tools/merge_bf16.sh build/hf_v1 build/merged_v1 --force --no-progress > "$OUT/merge_v1.log" 2>&1
 python3 benchmarks/gpu/dtypes.py build/merged_v1 | tee -a "$OUT/summary.jsonl"
 python3 tools/infer.py --test $D/test.jsonl --model build/merged_v1 --engine static --batch-size 12 \
   --max-new-tokens 64 --output-dir build/infer_v1 --overwrite --no-progress > "$OUT/infer_v1.log" 2>&1
 cp build/infer_v1/summary.json "$OUT/infer_v1_summary.json") &
(export CUDA_VISIBLE_DEVICES=1; full_width build/m4 4
 while [ ! -f build/m2.ready ]; do sleep 2; done
 train ours_8k xtuner_configs/v2.py deepspeed_zero2 1 20 8192
 train ours_16k xtuner_configs/v2.py deepspeed_zero2 1 10 16384
 python3 benchmarks/gpu/bench_infer.py --model build/m4 --test $D/test.jsonl --batch-size 32 64 \
   --out "$OUT/bench_infer.json" > "$OUT/bench_infer.log" 2>&1) &
wait
mkdir -p "$OUT/l" && mv "$OUT"/*.log "$OUT/l/" && tar czf "$OUT/logs.tar.gz" -C "$OUT" l && rm -r "$OUT/l"
tar xzf "$OUT/logs.tar.gz" -O l/bench_infer.log 2>/dev/null | grep -v -i warn | tail -4
cat "$OUT/summary.jsonl"; grep -h "papers/GPU-hour" "$OUT/bench_infer.json" 2>/dev/null; true
