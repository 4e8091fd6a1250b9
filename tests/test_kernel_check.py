"""A fast kernel is checked against its reference once per device/dtype; a failure falls back."""
import torch

from review_ext.train import attention, grouped_mm
from review_ext.train.kernel_check import CheckedKernel

CPU_BF16 = (torch.device("cpu"), torch.bfloat16)


def counted(check):
    calls = []

    def run(device, dtype):
        calls.append((device, dtype))
        return check(device, dtype)
    return run, calls


def test_a_kernel_that_matches_serves_and_is_checked_once():
    # torch._grouped_mm runs on a CPU in bf16 and matches the per-expert loop there
    check, calls = counted(grouped_mm._check_device_mm)
    kernel = CheckedKernel("grouped MoE matmuls", "torch._grouped_mm", "per-expert loop", check)
    with torch.no_grad():  # as in generation: the check still takes gradients
        assert kernel.ok(*CPU_BF16) and kernel.ok(*CPU_BF16)
    assert calls == [CPU_BF16]


def test_a_kernel_that_raises_falls_back_and_is_not_retried():
    # torch's varlen_attn has no CPU kernel: the check raises and the reference serves
    check, calls = counted(attention._check_varlen)
    kernel = CheckedKernel("packed attention", "torch varlen_attn", "per-sample SDPA", check,
                           errors=attention.VARLEN.errors)
    assert not kernel.ok(*CPU_BF16) and not kernel.ok(*CPU_BF16)
    assert calls == [CPU_BF16] and kernel.results == {CPU_BF16: False}


def test_a_kernel_that_differs_falls_back():
    kernel = CheckedKernel("grouped MoE matmuls", "a wrong kernel", "per-expert loop",
                           lambda device, dtype: not grouped_mm._check_device_mm(device, dtype))
    assert not kernel.ok(*CPU_BF16)
