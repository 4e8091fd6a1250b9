"""Review-quality report of generated reviews (``--help``).

The command line is ``review_ext.entrypoints.compliance``; the checks are
``review_ext.evaluate.compliance_report.check_file``.
"""
import sys

from review_ext.entrypoints.compliance import main

if __name__ == "__main__":
    sys.exit(main())
