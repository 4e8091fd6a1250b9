"""Serve the reviewer over an OpenAI-compatible HTTP API: ``review_ext.entrypoints.serve`` (also
installed as the ``review-serve`` command); ``--help`` lists the options and examples."""
from __future__ import annotations

import sys

from review_ext.entrypoints.serve import main

if __name__ == "__main__":
    sys.exit(main())
