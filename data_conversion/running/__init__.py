"""What every converter command shares.

``cli`` (the arguments every command takes and how a run ends), ``bad_input`` (reading the
input by the suite's JSON rules, and the one-line error of a bad unit), ``rows`` (outputs
written atomically, the rejects file, the account of every unit read), ``pairs``
(checking and reading input/output rows, the input of every command after the sources) and
``screening`` (every paper a source reads screened for instructions to the reviewer, under
the policy ``--injection`` names).
"""
