#!/usr/bin/env bash
# Build .gpu_data/ (git-ignored; copied to the GPU machine) from the real sample papers:
# train.json (every review record, XTuner format, v2 prompt), test.jsonl (12 NeurIPS papers) and
# tokenizer/ (the Mixtral tokenizer as an HF folder: the GPU machine lacks mistral-common), and
# corpus_encodable.json.xz: the NeurIPS 2025 corpus slice (1,212 reviews) in XTuner format, less
# the rows review_ext.data.encode fails on at 8K (v1) or 16K (v2), named in corpus_rejects.jsonl
# (benchmarks/gpu/encodable_rows.py); call_full_depth.sh trains on it. For inference at full
# depth (infer_full_depth.py): heldout_test.jsonl, the 60 held-out papers of the corpus slice
# (the project's split by paper id, seed 0), and review_lengths.json, the token lengths of the
# other 240 papers' reviews.
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
xz -dc "$src/neurips_2025_corpus/rows.jsonl.xz" > "$tmp/corpus.jsonl"
$PY -m data_conversion.to_xtuner "$tmp/corpus.jsonl" "$tmp/corpus_train.json" --system v2
$PY benchmarks/gpu/encodable_rows.py "$tmp/corpus_train.json" "$tmp/corpus_encodable.json" \
  --lengths 8192:v1 16384:v2 --rejects .gpu_data/corpus_rejects.jsonl
xz -T2 -c "$tmp/corpus_encodable.json" > .gpu_data/corpus_encodable.json.xz
$PY -m data_conversion.split "$tmp/corpus.jsonl" "$tmp/split" --test-papers 60 --seed 0
$PY -m data_conversion.to_xtuner "$tmp/split/test.jsonl" .gpu_data/heldout_test.jsonl --system v2 --test
$PY -m data_conversion.to_xtuner "$tmp/split/train.jsonl" "$tmp/split_train.json" --system v2
$PY benchmarks/gpu/review_lengths.py "$tmp/split_train.json" .gpu_data/review_lengths.json
rm -r "$tmp"
$PY -c 'import review_ext.data.tokenizer as t; t.load_mixtral_tokenizer().save_pretrained(".gpu_data/tokenizer")'
