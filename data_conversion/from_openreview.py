"""``python -m data_conversion.from_openreview``: see :mod:`data_conversion.sources.openreview`."""
from data_conversion.running.cli import exit_with
from data_conversion.sources.openreview import main

if __name__ == "__main__":
    exit_with(main())
