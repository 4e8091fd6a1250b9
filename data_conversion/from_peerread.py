"""``python -m data_conversion.from_peerread``: see :mod:`data_conversion.sources.peerread`."""
from data_conversion.running.cli import exit_with
from data_conversion.sources.peerread import main

if __name__ == "__main__":
    exit_with(main())
