# Source on a GPU machine that has torch, from the repo root: installs the pinned stack from
# wheels in .whl/ (no network needed) into build/site, plus the wheels named in EXTRA_WHEELS
# (e.g. mistral-common and liger-kernel), and defines the helpers below.
SITE=${SITE:-$PWD/build/site}
wheels=$(ls .whl/*.whl ${EXTRA_WHEELS:-} 2>/dev/null)  # installed once per machine and set of wheels
[ "$(cat "$SITE/.installed" 2>/dev/null)" = "$wheels" ] || { python3 -m pip install -q --no-index --no-deps --no-compile \
  --no-cache-dir --upgrade --target "$SITE" $wheels && echo "$wheels" > "$SITE/.installed"; }
export PYTHONPATH=$SITE:$PWD PATH=$SITE/bin:$PATH PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
command -v python >/dev/null || ln -sf "$(command -v python3)" "$SITE/bin/python"
export PYTHON=python3
export OUT=${OUT:-$PWD/build/gpu_out}; mkdir -p "$OUT" build
D=.gpu_data  # made by benchmarks/gpu/prepare_data.sh from the real sample papers
full_width() {  # full_width DIR LAYERS [--nf4]: Mixtral-8x7B geometry, random weights (bf16)
  # the tokenizer comes from $D/tokenizer, saved beforehand by prepare_data.sh (no mistral-common)
  [ -f "$1/config.json" ] || python3 tools/dev/make_tiny_model.py "$1" --mixtral --layers "$2" \
    --device cuda --tokenizer $D/tokenizer "${@:3}" > "$OUT/make_$(basename "$1").log" 2>&1
}
train() {  # train NAME CONFIG DEEPSPEED NPROC ITERS MAX_LENGTH [cfg-options...] (MODEL, DATA: paths;
  # OPTS_CFG: the recipe whose path options apply, when CONFIG is its benchmark twin)
  local name=$1 cfg=$2 ds=$3 nproc=$4 iters=$5 len=$6; shift 6
  local opts; opts=$(python3 -m review_ext.train.overrides "${OPTS_CFG:-$cfg}" --model "${MODEL:-build/m2}" --data "${DATA:-$D/train.json}" \
    --eval-file $D/test.jsonl --max-length "$len")
  rm -rf "build/wd/$name"
  local start=$SECONDS
  local port=$((29500 + ${CUDA_VISIBLE_DEVICES:-0} % 10)) single=()
  # one process: without all five variables DeepSpeed looks for MPI and takes port 29500 whatever
  # MASTER_PORT says, so two runs side by side would collide
  [ "$nproc" = 1 ] && single=(RANK=0 LOCAL_RANK=0 WORLD_SIZE=1 MASTER_ADDR=127.0.0.1)
  env "${single[@]}" PORT=$port MASTER_PORT=$port NPROC_PER_NODE=$nproc timeout ${TRAIN_TIMEOUT:-300} xtuner train "$cfg" --deepspeed "$ds" --work-dir "build/wd/$name" \
    --cfg-options $opts train_cfg.max_epochs=None train_cfg.max_iters="$iters" \
    default_hooks.logger.interval=1 log_processor.window_size=1 default_hooks.checkpoint.interval="$iters" \
    custom_hooks.1.every_n_iters=100000 custom_hooks.1.max_new_tokens=32 \
    lr=1e-3 optim_wrapper.optimizer.lr=1e-3 "$@" > "$OUT/$name.log" 2>&1
  echo "{\"run\": \"$name\", \"call_wall_s\": $((SECONDS - start)), \"rc\": $?}" >> "$OUT/walls.jsonl"
  python3 benchmarks/gpu/summarize.py "build/wd/$name" --name "$name" ${SUMMARY_ARGS:-} | tee -a "$OUT/summary.jsonl"
}
