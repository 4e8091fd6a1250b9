"""``python -m data_conversion.to_llamafactory``: see
:mod:`data_conversion.exports.llamafactory`."""
from data_conversion.exports.llamafactory import main
from data_conversion.running.cli import exit_with

if __name__ == "__main__":
    exit_with(main())
