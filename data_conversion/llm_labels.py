"""``python -m data_conversion.llm_labels``: see :mod:`data_conversion.reviews.llm_labels`."""
from data_conversion.reviews.llm_labels import main
from data_conversion.running.cli import exit_with

if __name__ == "__main__":
    exit_with(main())
