"""The engine interface the fast engines build on, imported here once.

``review_ext.generate.engine`` may be split into smaller modules; only these imports
follow it.
"""
from review_ext.generate.engine import (Completion, EngineOptions, HFEngine,  # noqa: F401
                                        SamplingParams, decode_with_backoff,
                                        free_accelerator_memory, generate_sorted, is_oom,
                                        load_hf_model)
