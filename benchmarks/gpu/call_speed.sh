#!/usr/bin/env bash
# Training speed, v2 recipe (QLoRA r64 nf4, bf16, ZeRO-2, one GPU per run), 2 full-width layers,
# ITERS (20) iterations each through `xtuner train`:
#  1. kernel checks (benchmarks/gpu/check_kernels.py; CHECK_MOE=0 skips the MoE block, CHECKS=0 all);
#  2. REPEATS rounds of stock (benchmarks/configs/stock_v2.py) against ours
#     (benchmarks/configs/ours_v2.py) at 8K and 16K; tokens/s over iterations SKIP+1 (4) to ITERS-6,
#     torch.profiler on iterations ITERS-4 and ITERS-3 (summarised in round 1, every round with
#     TRACE=all; STACK=1 records Python frames too). On a machine with two GPUs the two runs of a
#     pair go side by side, one per GPU, swapping GPUs every round; on one GPU, one after the other;
#  3. ablations: ours against ours with one part switched off (model.FLAG=False), side by side
#     like a pair; ABLATIONS="8192:liger_kernels 8192:grouped_moe" (the default) names them as
#     MAX_LENGTH:FLAG, ABLATIONS=0 skips them.
# Stock keeps so few 8K samples (those whose review survives its truncation) that its warm-up,
# a fraction of an epoch, rounds to zero iterations: both runs of a pair warm up over half an epoch.
# Usage: bash benchmarks/gpu/call_speed.sh [REPEATS]   (PAIRS="8192:1 16384:1 8192:2" picks
# the pairs, as MAX_LENGTH:ROUND; results: $OUT/summary.jsonl, profiles.jsonl;
# then bash benchmarks/gpu/pack_logs.sh, which also runs when the call's timeout cut this short)
source benchmarks/gpu/env.sh
ITERS=${ITERS:-20}
(( ITERS >= 8 && ${SKIP:-3} < ITERS - 6 )) || { echo "call_speed.sh: need ITERS >= 8 and SKIP < ITERS - 6 (ITERS=$ITERS SKIP=${SKIP:-3})" >&2; exit 2; }
export TRAIN_TIMEOUT=${TRAIN_TIMEOUT:-170} SUMMARY_ARGS="--skip ${SKIP:-3} --until $(( ITERS - 6 ))"
GPUS=$(nvidia-smi -L | wc -l)
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
full_width build/m2 2
[ "${CHECKS:-1}" = 1 ] && CUDA_VISIBLE_DEVICES=0 python3 benchmarks/gpu/check_kernels.py \
  $([ "${CHECK_MOE:-1}" = 1 ] && echo build/m2) 2> "$OUT/check_kernels.log" | tee -a "$OUT/summary.jsonl"
bench() {  # bench GPU NAME CONFIG MAX_LENGTH [cfg-options...]: train; summarise its profile in round 1
  local gpu=$1 name=$2 cfg=$3 len=$4; shift 4
  local hook trace=()
  hook=$(python3 -c "from review_ext.train.config_dump import load_config as l; print(len(l('$cfg').custom_hooks) - 1)")
  local window=("custom_hooks.$hook.schedule.wait=$(( ITERS - 6 ))" "custom_hooks.$hook.profile_times=$(( ITERS - 3 ))")
  [[ ${TRACE:-} == all || $name == *_r1 || $name == *_no_* || $name == *_vs_* ]] && trace=("custom_hooks.$hook.json_trace_path=build/wd/$name/trace.json"
    "custom_hooks.$hook.with_stack=$([ "${STACK:-0}" = 1 ] && echo True || echo False)")
  CUDA_VISIBLE_DEVICES=$gpu train "$name" "$cfg" deepspeed_zero2 1 "$ITERS" "$len" "${window[@]}" "${trace[@]}" "$@"
  if [ -f "build/wd/$name/trace.json" ]; then
    python3 benchmarks/gpu/trace_summary.py "build/wd/$name/trace.json" --name "$name" | tee -a "$OUT/profiles.jsonl"
    rm "build/wd/$name/trace.json"
  fi
}
warmup=(param_scheduler.0.end=0.5 param_scheduler.1.begin=0.5)
pair() {  # pair ROUND MAX_LENGTH: stock and ours
  local round=$1 len=$2 first=$(( $1 % 2 ))
  if [ "$GPUS" -ge 2 ]; then
    bench $first "stock_${len}_r$round" benchmarks/configs/stock_v2.py "$len" "${warmup[@]}" &
    bench $(( 1 - first )) "ours_${len}_r$round" benchmarks/configs/ours_v2.py "$len" "${warmup[@]}" &
    wait
  else
    bench 0 "stock_${len}_r$round" benchmarks/configs/stock_v2.py "$len" "${warmup[@]}"
    bench 0 "ours_${len}_r$round" benchmarks/configs/ours_v2.py "$len" "${warmup[@]}"
  fi
}
PAIRS=${PAIRS:-$(for r in $(seq "${1:-1}"); do echo "8192:$r 16384:$r"; done)}
for item in $PAIRS; do
  pair "${item#*:}" "${item%:*}"
done
ablation() {  # ablation MAX_LENGTH FLAG: ours and ours with model.FLAG=False
  local len=$1 flag=$2
  bench 0 "ours_${len}_vs_no_$flag" benchmarks/configs/ours_v2.py "$len" "${warmup[@]}" &
  [ "$GPUS" -ge 2 ] || wait
  bench $(( GPUS - 1 )) "ours_${len}_no_$flag" benchmarks/configs/ours_v2.py "$len" "model.$flag=False" "${warmup[@]}" &
  wait
}
ABLATIONS=${ABLATIONS:-8192:liger_kernels 8192:grouped_moe}
[ "$ABLATIONS" = 0 ] && ABLATIONS=
for item in $ABLATIONS; do
  ablation "${item%:*}" "${item#*:}"
done
python3 - "$OUT/summary.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    if "tokens_per_s_per_gpu" in r:
        print(f"{r['run']:26s} {r['s_per_iter_median']:.3f} s/it {r['s_per_iter_min_max']} {r['tokens_per_s_per_gpu']:>7} tok/s {r['peak_mem_mb']:>6} MB loss {r['loss_first3']}->{r['loss_last3']}")
PY
