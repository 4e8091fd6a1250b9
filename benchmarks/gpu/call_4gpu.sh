#!/usr/bin/env bash
# The users' v2 command on 4 GPUs (ZeRO-3 offload, v2's 16K tokens), 20 iterations, with host
# memory sampled every second; then pth_to_hf on the ZeRO-3 checkpoint and merge_bf16.
# Usage: bash benchmarks/gpu/call_4gpu.sh
source benchmarks/gpu/env.sh
export TRAIN_TIMEOUT=300
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$OUT/gpu.txt"
full_width build/m2 2
(while sleep 1; do free -m | awk '/Mem:/{print $3}'; done > "$OUT/host_used_mb.txt") & sampler=$!
train v2_4gpu_z3off xtuner_configs/v2.py deepspeed_zero3_offload 4 20 16384
kill $sampler
sort -n "$OUT/host_used_mb.txt" | tail -1 | xargs -I{} echo '{"run": "host_peak_used_mb", "value": {}}' | tee -a "$OUT/summary.jsonl"
python3 tools/pth_to_hf.py build/wd/v2_4gpu_z3off/v2.py build/wd/v2_4gpu_z3off/iter_20.pth build/hf_v2 --force > "$OUT/pth_to_hf_v2.log" 2>&1
bash tools/merge_bf16.sh build/hf_v2 build/merged_v2 --force --no-progress > "$OUT/merge_v2.log" 2>&1
python3 benchmarks/gpu/dtypes.py build/merged_v2 | tee -a "$OUT/summary.jsonl"
mkdir -p "$OUT/l" && mv "$OUT"/*.log "$OUT/l/" && tar czf "$OUT/logs.tar.gz" -C "$OUT" l && rm -r "$OUT/l"
