#!/usr/bin/env bash
# Two GPUs, ZeRO-3: v2 (QLoRA r64, ZeRO-3 offload, v2's 16K tokens) with and without the
# MoE leaf module, and v3 (full bf16); then pth_to_hf on v3's ZeRO-3 checkpoint.
# Usage on a 2-GPU machine: bash benchmarks/gpu/train_2gpu.sh
source benchmarks/gpu/env.sh
nvidia-smi --query-gpu=name,memory.total --format=csv | tee "$OUT/gpu2.txt"
full_width build/m2 2
train v2_z3off_leaf xtuner_configs/v2.py deepspeed_zero3_offload 2 20 16384
train v2_z3off_noleaf xtuner_configs/v2.py deepspeed_zero3_offload 2 20 16384 model.z3_leaf_moe=False
train v3_z3 xtuner_configs/v3.py deepspeed_zero3 2 20 8192
python3 tools/pth_to_hf.py build/wd/v3_z3/v3.py build/wd/v3_z3/iter_20.pth build/hf_v3 --force > "$OUT/pth_to_hf_v3.log" 2>&1
python3 - <<'PY' | tee -a "$OUT/summary.jsonl"
import json, glob
from safetensors import safe_open
dtypes = set()
for f in glob.glob("build/hf_v3/*.safetensors"):
    with safe_open(f, "pt") as s:
        dtypes |= {str(s.get_slice(k).get_dtype()) for k in s.keys()}
cfg = json.load(open("build/hf_v3/config.json"))
print(json.dumps({"run": "pth_to_hf_v3", "tensor_dtypes": sorted(dtypes), "config_dtype": cfg.get("torch_dtype")}))
PY
