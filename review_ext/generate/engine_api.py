"""The engine interface the fast engine builds on, imported here once.

When the generation modules move, only these imports follow them.
"""
from review_ext.generate.batching import free_accelerator_memory, generate_sorted, is_oom
from review_ext.generate.engine import (Cancelled, Completion, EngineOptions, HFEngine,
                                        SamplingParams)
from review_ext.generate.loading import load_hf_model

__all__ = ["Cancelled", "Completion", "EngineOptions", "HFEngine", "SamplingParams",
           "free_accelerator_memory", "generate_sorted", "is_oom", "load_hf_model"]
