"""Command-line conventions shared by every script: ``--help`` built from the module docstring."""
from __future__ import annotations

import argparse


def doc_parser(doc: str, **kwargs) -> argparse.ArgumentParser:
    """A parser whose description is the docstring's first line and whose epilog is the rest of it.

    The rest (usage examples, notes) is shown verbatim, whatever its headings.
    """
    head, _, rest = doc.strip().partition("\n")
    return argparse.ArgumentParser(description=head.strip(), epilog=rest.strip("\n") or None,
                                   formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)
