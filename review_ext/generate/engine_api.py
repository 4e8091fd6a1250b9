"""The engine interface the fast engines build on, imported here once."""
from review_ext.generate.batching import (decode_with_backoff, free_accelerator_memory,  # noqa: F401
                                          generate_sorted, is_oom)
from review_ext.generate.engine import Completion, EngineOptions, HFEngine, SamplingParams  # noqa: F401
from review_ext.generate.loading import load_hf_model  # noqa: F401
