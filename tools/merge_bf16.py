"""Merge a LoRA adapter into its base as bf16 safetensors, streaming (``--help``).

The command line is ``review_ext.entrypoints.merge_bf16``; the merge is
``review_ext.checkpoint.merge.merge``.
"""
import sys

from review_ext.entrypoints.merge_bf16 import main

if __name__ == "__main__":
    sys.exit(main())
