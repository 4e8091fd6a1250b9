#!/usr/bin/env bash
# Inference at full depth on one H200 (benchmarks/gpu/infer_full_depth.py): the engine on a
# 32-layer bf16 Mixtral-geometry model built in GPU memory, as many slots as fit. WORKLOADS
# (default "fixed real") and KV_DTYPES (default "model fp8") pick the runs, in that order, every
# dtype of a workload before the next workload (KV_FIRST=1: every workload of a dtype first)
# (REAL_COPIES, default 2: how many times the real workload queues each held-out paper); each
# run writes $OUT/infer_full_depth_<workload>_<kv dtype>.json as it ends; log in $OUT.
# Needs .gpu_data/ from prepare_data.sh (test.jsonl, heldout_test.jsonl, review_lengths.json,
# tokenizer/) and the wheels in .whl/.
# Usage: WORKLOADS=fixed KV_DTYPES="model fp8" bash benchmarks/gpu/call_infer_full_depth.sh
source benchmarks/gpu/env.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
args=()
for w in ${WORKLOADS:-fixed real}; do
  case $w in
    fixed) args+=(--fixed-test $D/test.jsonl) ;;
    real) args+=(--real-test $D/heldout_test.jsonl --lengths $D/review_lengths.json
      --real-copies ${REAL_COPIES:-2}) ;;
    *) echo "call_infer_full_depth.sh: unknown workload $w (fixed, real)" >&2; exit 2 ;;
  esac
done
python3 benchmarks/gpu/infer_full_depth.py --tokenizer $D/tokenizer "${args[@]}" \
  --workloads ${WORKLOADS:-fixed real} --kv-dtypes ${KV_DTYPES:-model fp8} \
  $([ "${KV_FIRST:-0}" = 1 ] && echo --kv-first) --out-dir "$OUT" 2>&1 | grep -v -i warn | tee "$OUT/infer_full_depth.log"
