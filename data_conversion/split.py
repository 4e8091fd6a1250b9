"""``python -m data_conversion.split``: see :mod:`data_conversion.corpus.split`."""
from data_conversion.corpus.split import main
from data_conversion.running.cli import exit_with

if __name__ == "__main__":
    exit_with(main())
