#!/usr/bin/env bash
# Build .gpu_data/ (git-ignored; copied to the GPU machine) from the real sample papers:
# train.json (every review record, XTuner format, v2 prompt), test.jsonl (12 NeurIPS papers) and
# tokenizer/ (the Mixtral tokenizer as an HF folder: the GPU machine lacks mistral-common).
# Usage, from the repo root: bash benchmarks/gpu/prepare_data.sh [SHARED_DATA_DIR]
set -euo pipefail
src=${1:-../shared/data}
PY=${PYTHON:-.venv/bin/python}
mkdir -p .gpu_data
tmp=$(mktemp -d)
$PY -m data_conversion.from_openreview "$src/neurips_2025" "$tmp/nr.jsonl"
$PY -m data_conversion.from_peerread "$src/peerread" "$tmp/pr.jsonl"
cat "$tmp/nr.jsonl" "$tmp/pr.jsonl" > .gpu_data/all.jsonl
$PY -m data_conversion.to_xtuner .gpu_data/all.jsonl .gpu_data/train.json --system v2
$PY -m data_conversion.from_openreview "$src/neurips_2025" "$tmp/per_paper.jsonl" --per-paper
$PY -m data_conversion.to_xtuner "$tmp/per_paper.jsonl" .gpu_data/test.jsonl --system v2 --test
rm -r "$tmp"
$PY -c 'import review_ext.data.tokenizer as t; t.load_mixtral_tokenizer().save_pretrained(".gpu_data/tokenizer")'
