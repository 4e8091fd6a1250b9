#!/usr/bin/env bash
# The whole main job on the bundled sample papers, on a CPU, in a few minutes (`make demo`):
# test model -> data -> token-length report -> xtuner train (v2 recipe, test-size overrides)
# -> pth_to_hf -> merge_bf16 -> infer on held-out papers -> one review and the summary.
# The model is a 2-layer random Mixtral with the real tokenizer: its reviews show the
# pipeline working, not review quality.
#   tools/demo.sh [OUT_DIR]      (default: demo_out; ITERS=8 MAX_LENGTH=2048 NEW_TOKENS=64)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${1:-demo_out}
ITERS=${ITERS:-8}
MAX_LENGTH=${MAX_LENGTH:-2048}
NEW_TOKENS=${NEW_TOKENS:-64}
export CUDA_VISIBLE_DEVICES="" OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} TOKENIZERS_PARALLELISM=false
PY=${PYTHON:-python}
step() { printf '\n== %s\n' "$*"; }
rm -rf "$OUT" && mkdir -p "$OUT"

step "1/8 test model: 2-layer random Mixtral, real Mixtral-8x7B-Instruct tokenizer"
$PY tools/make_tiny_model.py "$OUT/model"

step "2/8 data: split the sample papers by id, convert to XTuner's format"
$PY -m data_conversion.split sample_data/papers.jsonl "$OUT/data" --test-papers 4 --seed 0
$PY -m data_conversion.to_xtuner "$OUT/data/train.jsonl" "$OUT/data/train.json" --system v2
$PY -m data_conversion.to_xtuner "$OUT/data/test.jsonl" "$OUT/data/test_prompts.jsonl" --system v2 --test

step "3/8 token-length report (max_length $MAX_LENGTH)"
$PY -m data_conversion.stats "$OUT/data/train.jsonl" --max-length "$MAX_LENGTH" --plot "$OUT/token_lengths.png"

step "4/8 train: xtuner train xtuner_configs/v2.py, $ITERS iterations on the CPU"
options=$($PY -m review_ext.train.overrides xtuner_configs/v2.py --model "$OUT/model" \
  --data "$OUT/data/train.json" --eval-file "$OUT/data/test_prompts.jsonl" \
  --max-length "$MAX_LENGTH" --cpu --iters "$ITERS")
# shellcheck disable=SC2086
xtuner train xtuner_configs/v2.py --work-dir "$OUT/train" --cfg-options $options > "$OUT/train.log" 2>&1 || true
grep -E "review dataset|packed|Iter\(train\)" "$OUT/train.log" | sed -E 's/^.*mmengine - INFO - //' | cut -c1-160
# `xtuner train` exits 0 even when training fails: the checkpoint is the proof.
[ -e "$OUT/train/iter_$ITERS.pth" ] || { tail -40 "$OUT/train.log"; echo "training failed: see $OUT/train.log" >&2; exit 1; }
$PY tools/plot_loss.py "$OUT/train" --out "$OUT/loss.png"

step "5/8 pth_to_hf: the LoRA adapter, lossless, with its metadata"
$PY tools/pth_to_hf.py "$OUT/train/v2.py" "$OUT/train/iter_$ITERS.pth" "$OUT/adapter"

step "6/8 merge_bf16: adapter + base -> bf16 shards (base read from the adapter's metadata)"
PYTHON=$PY bash tools/merge_bf16.sh "$OUT/adapter" "$OUT/merged"

step "7/8 infer: held-out papers, batched, the training prompt"
$PY tools/infer.py --test "$OUT/data/test_prompts.jsonl" --model "$OUT/merged" \
  --max-new-tokens "$NEW_TOKENS" --batch-size 4 --output-dir "$OUT/infer"

step "8/8 one generated review (random weights: expect gibberish) and the summary"
$PY - "$OUT/infer" <<'EOF'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
first = json.loads((out / "predictions.jsonl").read_text().splitlines()[0])
print(f"paper {first['id']}:\n{first.get('reply', first.get('error'))}\n")
print(json.dumps(json.loads((out / "summary.json").read_text())["this_run"], indent=1))
EOF
printf '\nall outputs in %s (loss.png, token_lengths.png, adapter/, merged/, infer/)\n' "$OUT"
