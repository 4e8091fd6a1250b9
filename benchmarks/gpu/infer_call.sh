#!/usr/bin/env bash
# One call on a 2-GPU machine, from a checkout whose Python stack is on PYTHONPATH:
#  GPU 0: bench_infer.py (HF generate batched, the HF static-cache engine, ours; per-step split);
#  GPUs 0+1: one model copy spread over both (infer_replicas.py), then tools/infer.py
#  --gpus-per-replica 2 end to end. Logs and JSON in $OUT.
# Usage: OUT=build/out bash benchmarks/gpu/infer_call.sh
set -u
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false OUT=${OUT:-build/gpu_out}
mkdir -p "$OUT" build
D=.gpu_data
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$OUT/gpu.txt"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)'
[ -f build/m4/config.json ] || python3 tools/dev/make_tiny_model.py build/m4 --layers 4 --hidden 4096 \
  --intermediate 14336 --experts 8 --heads 32 --kv-heads 8 --device cuda > "$OUT/make_m4.log" 2>&1
# Without mistral_common there, make_tiny_model.py stops after the weights: ship the tokenizer
# in $D/tokenizer, saved beforehand where mistral_common is installed:
#   python -c 'import review_ext.data.tokenizer as t; t.load_mixtral_tokenizer().save_pretrained(".gpu_data/tokenizer")'
[ -f build/m4/tokenizer.json ] || cp $D/tokenizer/* build/m4/
CUDA_VISIBLE_DEVICES=0 timeout ${BENCH_TIMEOUT:-300} python3 benchmarks/gpu/bench_infer.py --model build/m4 \
  --test $D/test.jsonl --out "$OUT/bench_infer.json" 2>&1 | grep -v -i warn | tee "$OUT/bench_infer.log"
if [ "$(nvidia-smi -L | wc -l)" -ge 2 ]; then
  timeout 100 python3 benchmarks/gpu/infer_replicas.py --model build/m4 --test $D/test.jsonl 2>&1 \
    | grep -v -i warn | tee "$OUT/replicas.log"
  timeout 100 python3 tools/infer.py --test $D/test.jsonl --model build/m4 --engine static \
    --gpus-per-replica 2 --batch-size 4 --limit 4 --max-prompt-tokens 8192 --max-new-tokens 32 \
    --output-dir build/infer_r2 --overwrite --no-progress > "$OUT/infer_r2.log" 2>&1
  cp build/infer_r2/summary.json "$OUT/infer_r2_summary.json" 2>/dev/null
  grep -E "replica|KV cache|summary" "$OUT/infer_r2.log" | tail -5
fi
true
