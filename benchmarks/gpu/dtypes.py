"""Tensor dtypes of an HF folder's safetensors and its config's torch_dtype, as one JSON line."""
import json
import sys
from pathlib import Path

from safetensors import safe_open

folder = Path(sys.argv[1])
dtypes = set()
for f in folder.glob("*.safetensors"):
    with safe_open(str(f), "pt") as s:
        dtypes |= {str(s.get_slice(k).get_dtype()) for k in s.keys()}
config = (
    json.loads((folder / "config.json").read_text()) if (folder / "config.json").exists() else {}
)
print(
    json.dumps(
        {
            "run": f"dtypes:{folder.name}",
            "tensor_dtypes": sorted(dtypes),
            "config_dtype": config.get("torch_dtype"),
        }
    )
)
