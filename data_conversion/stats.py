"""``python -m data_conversion.stats``: see :mod:`data_conversion.corpus.stats`."""
from data_conversion.corpus.stats import main
from data_conversion.running.cli import exit_with

if __name__ == "__main__":
    exit_with(main())
