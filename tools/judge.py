"""Pairwise LLM-as-judge of two sets of reviews, each pair in both orders (``--help``).

The command line is ``review_ext.entrypoints.judge``; the run is
``review_ext.evaluate.judge_run.judge``.
"""
import sys

from review_ext.entrypoints.judge import main

if __name__ == "__main__":
    sys.exit(main())
