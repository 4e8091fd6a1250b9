#!/usr/bin/env bash
# Training speed on ONE GPU, runs one after another, v2 recipe (QLoRA r64 nf4, bf16, ZeRO-2),
# 2 full-width layers, 20 iterations each through `xtuner train`:
#  1. kernel checks (benchmarks/gpu/check_kernels.py; CHECK_MOE=0 skips the MoE block);
#  2. REPEATS rounds of stock (benchmarks/configs/stock_v2.py) then ours (benchmarks/configs/ours_v2.py)
#     at 8K and 16K; tokens/s over iterations 4-14, torch.profiler on iterations 16-17;
#  3. ablations of ours at 8K: each of its parts switched off in turn (ABLATIONS=0 skips them).
# Usage: bash benchmarks/gpu/call_speed.sh [REPEATS]   (results: $OUT/summary.jsonl, profiles.jsonl;
# then bash benchmarks/gpu/pack_logs.sh, which also runs when the call's timeout cut this short)
source benchmarks/gpu/env.sh
export CUDA_VISIBLE_DEVICES=0 TRAIN_TIMEOUT=${TRAIN_TIMEOUT:-150} SUMMARY_ARGS="--skip 3 --until 14"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
full_width build/m2 2
python3 benchmarks/gpu/check_kernels.py $([ "${CHECK_MOE:-1}" = 1 ] && echo build/m2) 2> "$OUT/check_kernels.log" \
  | tee -a "$OUT/summary.jsonl"
bench() {  # bench NAME CONFIG MAX_LENGTH [cfg-options...]: train, then summarise its profile
  local name=$1 cfg=$2 len=$3; shift 3
  local hook; hook=$(python3 -c "from review_ext.train.config_dump import load_config as l; print(len(l('$cfg').custom_hooks) - 1)" 2>/dev/null)
  train "$name" "$cfg" deepspeed_zero2 1 20 "$len" "custom_hooks.$hook.json_trace_path=build/wd/$name/trace.json" "$@"
  [ -f "build/wd/$name/trace.json" ] && python3 benchmarks/gpu/trace_summary.py "build/wd/$name/trace.json" --name "$name" \
    | tee -a "$OUT/profiles.jsonl" && rm "build/wd/$name/trace.json"
}
for rep in $(seq "${1:-1}"); do
  for len in 8192 16384; do
    bench "stock_${len}_r$rep" benchmarks/configs/stock_v2.py $len
    bench "ours_${len}_r$rep" benchmarks/configs/ours_v2.py $len
  done
done
if [ "${ABLATIONS:-1}" = 1 ]; then
  bench ours_8192_no_liger benchmarks/configs/ours_v2.py 8192 model.liger_kernels=False
  bench ours_8192_hf_moe benchmarks/configs/ours_v2.py 8192 model.grouped_moe=False
fi
python3 - "$OUT/summary.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "tokens_per_s_per_gpu" in r:
        print(f"{r['run']:22s} {r['s_per_iter_median']:.3f} s/it {r['s_per_iter_min_max']} {r['tokens_per_s_per_gpu']:>7} tok/s {r['peak_mem_mb']:>6} MB loss {r['loss_first3']}->{r['loss_last3']}")
PY
