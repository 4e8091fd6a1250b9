"""The engine interface the fast engine builds on, imported here once.

``review_ext.generate.engine`` may be split into smaller modules; only these imports
follow it.
"""
from review_ext.generate.engine import (Completion, EngineOptions, HFEngine, SamplingParams,
                                        free_accelerator_memory, generate_sorted, is_oom,
                                        load_hf_model)

__all__ = ["Completion", "EngineOptions", "HFEngine", "SamplingParams", "free_accelerator_memory",
           "generate_sorted", "is_oom", "load_hf_model"]
