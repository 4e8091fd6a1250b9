"""A fast kernel serves only where it matched its reference: checked once per device and dtype.

``CheckedKernel(check=...)`` runs ``check(device, dtype)`` (compare the kernel with its
reference, values and gradients) the first time a device/dtype asks, logs which path serves
and why, and remembers the answer. A check that raises one of ``errors`` (the kernel is
missing or refuses the inputs) counts as failed: the reference serves.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from mmengine import print_log


class CheckedKernel:
    """Whether ``kernel`` may serve a device/dtype, else ``fallback`` (names for the log)."""

    def __init__(self, what: str, kernel: str, fallback: str,
                 check: Callable[[torch.device, torch.dtype], bool],
                 errors: tuple[type[BaseException], ...] = (RuntimeError, TypeError,
                                                            NotImplementedError)):
        self.what, self.kernel, self.fallback = what, kernel, fallback
        self.check, self.errors = check, errors
        self.results: dict[tuple, bool] = {}

    def ok(self, device: torch.device, dtype: torch.dtype) -> bool:
        key = (device, dtype)
        if key not in self.results:
            try:
                with torch.enable_grad():  # the first call may come under no_grad (generation)
                    passed = bool(self.check(device, dtype))
                reason = "" if passed else f": results differ from the {self.fallback}"
            except self.errors as err:
                passed, reason = False, f": {type(err).__name__}: {str(err).splitlines()[0]}"
            self.results[key] = passed
            print_log(f"{self.what}: {self.kernel if passed else self.fallback} "
                      f"on {device} {dtype}{reason}", "current")
        return self.results[key]
