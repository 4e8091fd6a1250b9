"""``python -m data_conversion.from_pdf``: see :mod:`data_conversion.sources.pdf`."""
from data_conversion.running.cli import exit_with
from data_conversion.sources.pdf import main

if __name__ == "__main__":
    exit_with(main())
