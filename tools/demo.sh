#!/usr/bin/env bash
# The whole main job on the bundled sample papers with a real model, on a CPU (`make demo`):
# SmolLM2-135M-Instruct -> data -> xtuner train (smollm2_135m recipe) -> pth_to_hf -> merge_bf16
# -> infer on held-out papers -> one review, the compliance summary and the loss plot.
# A 135M model learns the four headed parts and writes fluent, generic reviews: it shows
# the pipeline teaching a model, not Mixtral's review quality.
#   tools/demo.sh [OUT_DIR]    (default: demo_out; ITERS=36 MAX_LENGTH=768 NEW_TOKENS=400)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${1:-demo_out}
ITERS=${ITERS:-36}
MAX_LENGTH=${MAX_LENGTH:-768}
NEW_TOKENS=${NEW_TOKENS:-400}
CONFIG=xtuner_configs/smollm2_135m.py
# One math thread when other work shares the cores (two threads then run ~5x slower); OMP_NUM_THREADS=2 on an idle machine.
export CUDA_VISIBLE_DEVICES="" OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} TOKENIZERS_PARALLELISM=false TRANSFORMERS_VERBOSITY=error
PY=${PYTHON:-python}
# SMOLLM2_DIR (make demo SMOLLM2_DIR=...) or the folder the recipe names
MODEL=${SMOLLM2_DIR:-$($PY tools/make_smollm2.py --print-folder)}
step() { printf '\n== %s  (%ss)\n' "$*" "$SECONDS"; }
rm -rf "$OUT" && mkdir -p "$OUT"

step "1/7 model: SmolLM2-135M-Instruct as an HF folder (written once, then reused)"
$PY tools/make_smollm2.py "$MODEL"

step "2/7 data: split the sample papers by id, count their tokens, convert to XTuner's format"
$PY -m data_conversion.split sample_data/papers.jsonl "$OUT/data" --test-papers 4 --seed 0
# The token report as the recipe encodes the training rows: SmolLM2's tokenizer, ChatML, system v2
$PY -m data_conversion.stats "$OUT/data/train.jsonl" --tokenizer "$MODEL" --template chatml --system v2 \
  --max-length "$MAX_LENGTH" --plot "$OUT/tokens.png" --json "$OUT/tokens.json"
$PY -m data_conversion.to_xtuner "$OUT/data/train.jsonl" "$OUT/data/train.json" --system v2
$PY -m data_conversion.to_xtuner "$OUT/data/test.jsonl" "$OUT/data/test_prompts.jsonl" --system v2 --test

step "3/7 train: xtuner train $CONFIG, $ITERS samples on the CPU"
options=$($PY -m review_ext.train.overrides "$CONFIG" --model "$MODEL" \
  --data "$OUT/data/train.json" --eval-file "$OUT/data/test_prompts.jsonl" \
  --max-length "$MAX_LENGTH" --cpu --iters "$ITERS")
# shellcheck disable=SC2086
xtuner train "$CONFIG" --work-dir "$OUT/train" --cfg-options $options default_hooks.logger.interval=4 \
  > "$OUT/train.log" 2>&1 || true
grep -E "review dataset|Iter\(train\)" "$OUT/train.log" | sed -E 's/^.*mmengine - INFO - //' | cut -c1-120
# `xtuner train` exits 0 even when training fails: the checkpoint is the proof.
[ -e "$OUT/train/iter_$ITERS.pth" ] || { tail -40 "$OUT/train.log"; echo "training failed: see $OUT/train.log" >&2; exit 1; }
$PY tools/plot_loss.py "$OUT/train" --out "$OUT/loss.png"

step "4/7 pth_to_hf: the LoRA adapter, lossless, with its metadata (template chatml)"
$PY tools/pth_to_hf.py "$OUT/train/smollm2_135m.py" "$OUT/train/iter_$ITERS.pth" "$OUT/adapter"

step "5/7 merge_bf16: adapter + base -> bf16 shards (base read from the adapter's metadata)"
PYTHON=$PY bash tools/merge_bf16.sh "$OUT/adapter" "$OUT/merged"

step "6/7 infer: the 4 held-out papers, batched, greedy, the training prompt (fp32 on a CPU)"
$PY tools/infer.py --test "$OUT/data/test_prompts.jsonl" --model "$OUT/merged" --dtype float32 \
  --max-new-tokens "$NEW_TOKENS" --batch-size 4 --output-dir "$OUT/infer"

step "7/7 the compliance summary and one generated review (the first with the four parts in order)"
$PY tools/compliance.py "$OUT/infer/predictions.jsonl" --papers "$OUT/data/test_prompts.jsonl" \
  --out "$OUT/compliance.jsonl" --summary "$OUT/compliance.json"
$PY - "$OUT" <<'EOF'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
from review_ext.formats.text import REVIEW_HEADINGS
with (out / "infer" / "predictions.jsonl").open(encoding="utf-8") as f:  # line by line as written
    rows = [json.loads(line) for line in f]
def in_order(text):
    at = [text.find(h) for h in REVIEW_HEADINGS]
    return min(at) >= 0 and at == sorted(at)
ok = [r for r in rows if in_order(r.get("reply") or "")]
first = (ok or rows)[0]
print(f"\n{len(ok)} of {len(rows)} held-out reviews have the four parts in order; paper {first['id']}:")
print(f"{first.get('reply', first.get('error'))}\n")
EOF
printf 'done in %ss; all outputs in %s (tokens.png, loss.png, adapter/, merged/, infer/, compliance.json, compliance.jsonl)\n' "$SECONDS" "$OUT"
