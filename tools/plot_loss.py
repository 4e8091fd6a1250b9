"""Loss and learning-rate curves of ``xtuner train`` runs, as one PNG (``--help``).

The command line is ``review_ext.entrypoints.plot_loss``; the plot is
``review_ext.train.loss_plot.plot_loss``.
"""
import sys

from review_ext.entrypoints.plot_loss import main, parse_args  # noqa: F401  (tests parse)

if __name__ == "__main__":
    sys.exit(main())
