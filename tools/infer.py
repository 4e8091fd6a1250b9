"""Review every paper of a test set with the fine-tuned reviewer (``--help`` for the options).

The command line is ``review_ext.entrypoints.infer``; the run is
``review_ext.infer.run.run_inference``.
"""
import sys

from review_ext.entrypoints.infer import main

if __name__ == "__main__":
    sys.exit(main())
