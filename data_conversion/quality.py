"""``python -m data_conversion.quality``: see :mod:`data_conversion.corpus.quality`."""
from data_conversion.corpus.quality import main
from data_conversion.running.cli import exit_with

if __name__ == "__main__":
    exit_with(main())
