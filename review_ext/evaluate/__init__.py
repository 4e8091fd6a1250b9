"""Reviews -> judgement: compliance checks (``compliance``, a file of them: ``compliance_report``),
pairwise judging (``judging``; a run: ``judge_run``) and win rate, records keyed by paper."""
