"""The commands' command lines: each module parses its flags into the typed options of a
library function, calls it, and prints the library's errors as one line.

``tools/<name>.py`` runs them from a checkout; ``setup.cfg`` installs them as console
scripts (``review-infer``, ``review-pth-to-hf``, ``review-merge``, ...).
"""
