"""Convert an ``xtuner train`` checkpoint to an HF folder (``--help`` for the options).

The command line is ``review_ext.entrypoints.pth_to_hf``; the conversion is
``review_ext.checkpoint.convert.convert``.
"""
import sys

from review_ext.entrypoints.pth_to_hf import main

if __name__ == "__main__":
    sys.exit(main())
