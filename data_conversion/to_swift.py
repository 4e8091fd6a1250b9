"""``python -m data_conversion.to_swift``: see :mod:`data_conversion.exports.swift`."""
from data_conversion.exports.swift import main
from data_conversion.running.cli import exit_with

if __name__ == "__main__":
    exit_with(main())
