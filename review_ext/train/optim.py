"""An optimizer wrapper that is bf16 AMP on a GPU and plain fp32 on a CPU."""
from __future__ import annotations

from mmengine.device import is_cuda_available, is_npu_available
from mmengine.optim import AmpOptimWrapper, OptimWrapper


class BF16OptimWrapper(AmpOptimWrapper):
    """``AmpOptimWrapper(dtype="bfloat16")`` where an accelerator exists, else ``OptimWrapper``.

    mmengine's AMP wrapper refuses to start without CUDA/NPU; the CPU fallback
    lets the same config train on a CPU (tests, ``make demo``) unchanged.
    """

    def __new__(cls, *args, **kwargs):
        if is_cuda_available() or is_npu_available():
            return super().__new__(cls)
        kwargs.pop("loss_scale", None)
        kwargs.pop("dtype", None)
        kwargs.pop("use_fsdp", None)
        return OptimWrapper(*args, **kwargs)
