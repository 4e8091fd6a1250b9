"""Agreement of a model's ratings with the human reviewers', beside three baselines.

Scores one rating per held-out paper against each human rating (per review) and the
paper's mean human rating (per paper): exact match, within +-1, MAE, Spearman and
quadratic-weighted kappa, with 95% bootstrap intervals resampling papers. Beside the
model, on the same papers: the training reviews' most frequent rating, TF-IDF text
regressors (ridge, logistic) fitted on the training papers, and the humans themselves
(each reviewer against the others of the paper). Accept/reject AUROC is given only where
both classes have --min-class papers. Writes agreement.json, papers.jsonl and
confusion.png into --out-dir and prints the table.

REFERENCE and TRAIN are converter rows, one per review (paper_id, input, rating,
accepted, venue); RECORDS is tools/infer.py's predictions.jsonl (id, reply), the
rating read from the reply's [Rating] block. Without --records only the baselines run.
The scale is the reference venue's, from the venue table; --scale gives it (numbers
only) for a venue the table lacks.

Usage:
    python tools/rating_agreement.py split/test.jsonl split/train.jsonl \\
        --records infer_out/predictions.jsonl --out-dir eval/ratings
    python tools/rating_agreement.py split/test.jsonl split/train.jsonl --out-dir eval/baselines
"""
from __future__ import annotations

import sys
from pathlib import Path

from review_ext.common.cli import doc_parser
from review_ext.evaluate.agreement import AgreementOptions, format_table, run_agreement
from review_ext.evaluate.agreement_baselines import TEXT_MODELS
from review_ext.formats.rating import from_span


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("reference", type=Path, help="held-out rows: JSONL, one per review")
    p.add_argument("train", type=Path, help="training rows for the baselines: JSONL")
    p.add_argument("--records", type=Path, help="the model's predictions.jsonl (id, reply)")
    p.add_argument("--out-dir", type=Path, default=Path("rating_agreement"))
    p.add_argument("--scale", type=from_span, metavar="LOW-HIGH",
                   help="the rating scale's values, e.g. 1-5 or 1,3,5,6,8,10 "
                        "(default: the reference venue's, from the venue table)")
    p.add_argument("--model-name", default="model", help="the model's row in the table")
    p.add_argument("--text-models", nargs="+", choices=TEXT_MODELS, default=list(TEXT_MODELS))
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples of papers")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--min-class", type=int, default=20,
                   help="papers each decision class needs for AUROC (default 20)")
    return p.parse_args(argv)


def options(args) -> AgreementOptions:
    return AgreementOptions(reference=args.reference, train=args.train, out_dir=args.out_dir,
                            records=args.records, scale=args.scale,
                            model_name=args.model_name,
                            text_models=tuple(args.text_models), resamples=args.resamples,
                            seed=args.seed, min_class=args.min_class)


def main(argv=None) -> dict:
    args = parse_args(argv)
    try:
        summary = run_agreement(options(args))
    except (ValueError, OSError) as e:
        sys.exit(f"rating_agreement: {e}")
    print(format_table(summary))
    print(f"wrote {args.out_dir}/: agreement.json, papers.jsonl, confusion.png")
    return summary


if __name__ == "__main__":
    main()
