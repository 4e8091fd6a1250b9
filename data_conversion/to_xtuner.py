"""``python -m data_conversion.to_xtuner``: see :mod:`data_conversion.exports.xtuner`."""
from data_conversion.exports.xtuner import main
from data_conversion.running.cli import exit_with

if __name__ == "__main__":
    exit_with(main())
