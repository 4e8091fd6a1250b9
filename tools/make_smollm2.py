"""Turn the installed SmolLM2-135M-Instruct GGUF into an HF folder (``--help``).

The command line is ``review_ext.entrypoints.make_smollm2``; the folder is written by
``review_ext.checkpoint.smollm2.write_smollm2``.
"""
import sys

from review_ext.entrypoints.make_smollm2 import main

if __name__ == "__main__":
    sys.exit(main())
