"""Loss and learning-rate curves of ``xtuner train`` runs, as one PNG.

Reads each run's ``<timestamp>/vis_data/scalars.json`` (mmengine's JSON lines of
``loss``, ``lr``, ``step``/``iter``), or parses the run's text log when that is
missing. Every run is its own line: a work dir trained, resumed and trained again
shows two; several work dirs compare recipes.

Examples:
    python tools/plot_loss.py work_dirs/v1                        # -> work_dirs/v1/loss.png
    python tools/plot_loss.py work_dirs/v1 work_dirs/v2 --out v1_vs_v2.png --smooth 20
"""
from __future__ import annotations

import sys
from pathlib import Path

from review_ext.common.cli import doc_parser, one_line_errors, positive_int

NAME = "plot_loss"


def build_parser():
    p = doc_parser(__doc__)
    p.add_argument("work_dirs", type=Path, nargs="+", metavar="WORK_DIR",
                   help="xtuner work dir (or one <timestamp> run folder of it)")
    p.add_argument("--out", type=Path, help="PNG path (default: WORK_DIR/loss.png of the first)")
    p.add_argument("--smooth", type=positive_int, default=1,
                   help="moving-average window for the loss (steps)")
    return p


def parse_args(argv=None):
    """(parser, LossPlotOptions) of ``argv``."""
    from review_ext.train.loss_plot import LossPlotOptions

    parser = build_parser()
    args = parser.parse_args(argv)
    return parser, LossPlotOptions(tuple(args.work_dirs), args.out, args.smooth)


def main(argv=None) -> int:
    from review_ext.train.loss_plot import plot_loss

    parser, options = parse_args(argv)
    with one_line_errors(parser, NAME):
        result = plot_loss(options)
    print(f"wrote {result.out}: {len(result.runs)} runs, "
          + ", ".join(f"{k} ({len(v)} steps)" for k, v in result.runs.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
