"""python -m data_conversion.fetch_openreview: see data_conversion.sources.fetch_openreview."""

import sys

from data_conversion.sources.fetch_openreview import main

if __name__ == "__main__":
    sys.exit(main())
