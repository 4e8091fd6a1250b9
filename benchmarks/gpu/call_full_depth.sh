#!/usr/bin/env bash
# Full-depth training on one H200 through `xtuner train`, on the NeurIPS 2025 corpus slice
# (.gpu_data/corpus_encodable.json.xz made by prepare_data.sh: the 1,212 real reviews less any
# row the encoder raises on), with checkpoints of Mixtral-8x7B's geometry written here first
# (tools/dev/make_tiny_model.py): nf4 for the QLoRA recipes, bf16 for v3 (full fine-tune).
# RUNS lists the runs in priority order, each NAME:RECIPE:DEEPSPEED:LAYERS:MAX_LENGTH:CAP_GIB:ITERS:NEED_S[:PROFILE]
# (RECIPE: v1, v2, v3 for xtuner_configs/RECIPE.py; CAP_GIB 0: the whole card; NEED_S: the
# seconds a run needs, it is skipped when fewer are left before DEADLINE_S, so that the logs are
# packed inside the call's limit; PROFILE 1: run the recipe's benchmark twin with the profiler,
# benchmarks/configs/ours_v2.py or benchmarks/gpu/configs/ours_v1.py, trace iterations ITERS-4
# and ITERS-3, summarise iterations 6 to ITERS-6 and the trace, trace_summary.py's line going to
# $OUT/profiles.jsonl). Warm-up is 3 iterations,
# no checkpoint is saved, no sample review is generated; summaries skip the first 5 iterations.
# Results: $OUT/summary.jsonl (summarize.py's line per run, then {"run", "peaks", "dataset",
# "oom"}: each CUDA process's peak allocated/reserved GiB, host peak and the cap; the dataset
# account the run logged; its first out-of-memory line), $OUT/builds.jsonl, $OUT/logs.tar.gz.
# Usage: RUNS="v1_8k_z2_L32:v1:deepspeed_zero2:32:8192:79:25:200 ..." bash benchmarks/gpu/call_full_depth.sh
source benchmarks/gpu/env.sh
DEADLINE_S=${DEADLINE_S:-560}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
[ -f $D/corpus_encodable.json ] || xz -dc $D/corpus_encodable.json.xz > $D/corpus_encodable.json
export DATA=$D/corpus_encodable.json
schedule=(param_scheduler.0.by_epoch=False param_scheduler.0.convert_to_iter_based=False
  param_scheduler.0.end=3 param_scheduler.1.by_epoch=False param_scheduler.1.convert_to_iter_based=False
  param_scheduler.1.begin=3 param_scheduler.1.end=1000
  default_hooks.checkpoint.interval=100000 default_hooks.checkpoint.save_last=False
  custom_hooks.1.num_papers=0)
checkpoint() {  # checkpoint KIND LAYERS (KIND nf4 or bf16): build/KIND_L<LAYERS>, timed
  local dir=build/$1_L$2 start=$SECONDS
  [ -f $dir/config.json ] && return
  full_width $dir "$2" $([ "$1" = nf4 ] && echo --nf4) --max-shard-size 5GB
  echo "{\"build\": \"$dir\", \"layers\": $2, \"wall_s\": $((SECONDS - start)), \"disk_gib\": $(du -sb $dir | awk '{printf "%.2f", $1 / 2^30}')}" \
    | tee -a "$OUT/builds.jsonl"
}
for item in $RUNS; do
  IFS=: read -r name recipe ds layers len cap iters need profile <<< "$item"
  left=$((DEADLINE_S - SECONDS))
  if (( left < need )); then
    echo "{\"run\": \"$name\", \"skipped\": \"$left s left, $need s needed\"}" | tee -a "$OUT/summary.jsonl"
    continue
  fi
  kind=$([ "$recipe" = v3 ] && echo bf16 || echo nf4)  # v3 trains the bf16 model itself
  checkpoint $kind "$layers"
  mkdir -p build/peaks; rm -f "build/peaks/$name.jsonl"
  cfg=xtuner_configs/$recipe.py window=()
  if [ "${profile:-0}" = 1 ]; then
    cfg=$([ "$recipe" = v2 ] && echo benchmarks/configs/ours_v2.py || echo benchmarks/gpu/configs/ours_$recipe.py)
    hook=$(python3 -c "from review_ext.train.config_dump import load_config as l; print(len(l('$cfg').custom_hooks) - 1)" 2>/dev/null)
    window=("custom_hooks.$hook.schedule.wait=$((iters - 6))" "custom_hooks.$hook.profile_times=$((iters - 3))"
      "custom_hooks.$hook.json_trace_path=build/wd/$name/trace.json" "custom_hooks.$hook.with_stack=False")
  fi
  SUMMARY_ARGS="--skip 5$([ "${profile:-0}" = 1 ] && echo " --until $((iters - 6))")" \
  GPU_CAP_GIB=$cap GPU_PEAK_FILE=$PWD/build/peaks/$name.jsonl PYTHONPATH=$PWD/benchmarks/gpu/cap:$PYTHONPATH \
    OPTS_CFG=xtuner_configs/$recipe.py MODEL=build/${kind}_L$layers TRAIN_TIMEOUT=$((DEADLINE_S - SECONDS - 15)) \
    train "$name" "$cfg" "$ds" 1 "$iters" "$len" "${schedule[@]}" "${window[@]}"
  if [ -f "build/wd/$name/trace.json" ]; then
    ls -l "build/wd/$name/trace.json"
    python3 benchmarks/gpu/trace_summary.py "build/wd/$name/trace.json" --name "$name" --top 12 | tee -a "$OUT/profiles.jsonl"
    rm "build/wd/$name/trace.json"
  fi
  SITE=$SITE python3 - "$name" "build/peaks/$name.jsonl" "$OUT/$name.log" <<'PY' | tee -a "$OUT/summary.jsonl"
import json, os, re, sys
name, peaks, log = sys.argv[1:]
site = os.environ.get("SITE", "")


def short(path):  # a frame's file, named inside its package or this repo (no machine paths)
    for root in (site, os.getcwd()):
        if root and path.startswith(root.rstrip("/") + "/"):
            return path[len(root.rstrip("/")) + 1:]
    return path.split("site-packages/")[-1]


rows = [json.loads(line) for line in open(peaks)] if os.path.exists(peaks) else []
text = open(log, errors="replace").read()
oom = re.search(r".*(?:OutOfMemoryError|CUDA out of memory).*", text)
where = re.findall(r'File "([^"]+)", line (\d+), in (\w+)', text[:oom.start()]) if oom else []
dataset = re.search(r"review dataset \(.*", text)
print(json.dumps({"run": name, "peaks": rows, "dataset": dataset and dataset.group(0),
                  "oom": oom and oom.group(0)[:600],
                  "oom_at": [f"{short(f)}:{n} {fn}" for f, n, fn in where[-6:]]}))
PY
done
bash benchmarks/gpu/pack_logs.sh
python3 - "$OUT/summary.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line) if line.startswith("{") else {}
    if "s_per_iter_median" in r:
        print(f"{r['run']:22s} {r['s_per_iter_median']:.3f} s/it {r['tokens_per_s_per_gpu']:>6} tok/s "
              f"{r['peak_mem_mb']:>6} MB loss {r['loss_first3']}->{r['loss_last3']}")
    elif r:
        print(json.dumps(r)[:300])
PY
