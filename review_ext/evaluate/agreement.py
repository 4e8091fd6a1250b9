"""Rating agreement with the humans: a model's ratings beside three baselines, on the same papers.

:func:`run_agreement` reads the reference rows (held-out papers and their human ratings),
the training rows (for the baselines) and, when given, the model's records; scores every
rater with :mod:`agreement_metrics` per review and per paper, with 95% intervals from one
set of paper resamples shared by all raters; computes accept/reject AUROC only where both
classes have enough papers; and writes ``agreement.json``, ``papers.jsonl`` (every rater's
rating of every paper) and ``confusion.png`` into the output folder.

The papers scored are the reference papers the model rated (all of them without records):
the baselines are scored on exactly those, and the papers it did not rate are counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from review_ext.evaluate.agreement_baselines import (
    TEXT_MODELS,
    TfidfOptions,
    leave_one_out,
    most_frequent,
    text_ratings,
)
from review_ext.evaluate.agreement_data import (
    AgreementError,
    Corpus,
    load_corpus,
    load_model_ratings,
    venues_of,
)
from review_ext.evaluate.agreement_metrics import (
    METRICS,
    VIEWS,
    Trial,
    interval,
    resample_papers,
    score,
)
from review_ext.evaluate.agreement_plot import plot_confusions
from review_ext.evaluate.records import write_json, write_jsonl
from review_ext.formats.rating import points, span, venue_scales

OUTPUTS = ("agreement.json", "papers.jsonl", "confusion.png")
HUMANS = "humans"


@dataclass(frozen=True)
class AgreementOptions:
    """Inputs and settings of :func:`run_agreement`.

    ``scale``: the rating scale as ``((value, words), ...)`` or the venue table's ``Scale``;
    None takes the reference's ``venue`` from the venue table.
    """

    reference: Path
    train: Path
    out_dir: Path
    records: Path | None = None
    model_name: str = "model"
    scale: object = None
    text_models: tuple[str, ...] = TEXT_MODELS
    tfidf: TfidfOptions = field(default_factory=TfidfOptions)
    resamples: int = 1000
    seed: int = 0
    min_class: int = 20  # papers each decision class needs for AUROC

    def __post_init__(self):
        if self.resamples < 1:
            raise AgreementError(f"resamples must be at least 1, got {self.resamples}")
        if bad := [k for k in self.text_models if k not in TEXT_MODELS]:
            raise AgreementError(f"text model {bad[0]!r} is not one of {', '.join(TEXT_MODELS)}")


def venue_scale(reference: Path):
    """The rating scale of the reference's venue, from the venue table."""
    found = venues_of(reference)
    if len(found) != 1:
        raise AgreementError(f"reference file {reference}: "
                             + (f"rows of {len(found)} venues ({', '.join(sorted(found))}); "
                                "score one venue at a time" if found else
                                "no row names its 'venue'; give the scale"))
    name = found.pop()
    try:
        return venue_scales(name).rating
    except LookupError:
        raise AgreementError(f"reference file {reference}: venue {name!r} has no rating scale "
                             "in the venue table; add it there or give the scale") from None


def _check_outputs(o: AgreementOptions) -> None:
    inputs = {Path(p).resolve() for p in (o.reference, o.train, o.records) if p is not None}
    for name in OUTPUTS:
        if (Path(o.out_dir) / name).resolve() in inputs:
            raise AgreementError(f"output {Path(o.out_dir) / name} is one of the inputs; "
                                 "choose another output folder")


def _raters(o: AgreementOptions, papers, train: Corpus, model, scale) -> dict[str, list]:
    """``{rater: [[Trial, ...] per paper]}`` in the order of ``papers``."""
    raters: dict[str, list] = {}
    if model is not None:
        raters[o.model_name] = [[Trial(model.ratings[p.paper_id], p.ratings)] for p in papers]
    constant = most_frequent(r for p in train.papers.values() for r in p.ratings)
    raters[f"constant {constant}"] = [[Trial(constant, p.ratings)] for p in papers]
    texts = [p.text for p in train.papers.values()]
    means = [sum(p.ratings) / len(p.ratings) for p in train.papers.values()]
    for kind in o.text_models:
        rated = text_ratings(texts, means, [p.text for p in papers], scale, kind, o.tfidf)
        raters[f"tf-idf {kind}"] = [[Trial(r, p.ratings)]
                                    for r, p in zip(rated, papers, strict=True)]
    raters[HUMANS] = [leave_one_out(p.ratings) for p in papers]
    return raters


def accept_auroc(papers, raters: dict[str, list], draws: np.ndarray, min_class: int) -> dict:
    """AUROC of each rater's rating for the accept decision, where both classes have
    ``min_class`` papers; else the class counts and ``measurable: false``."""
    from sklearn.metrics import roc_auc_score

    known = [i for i, p in enumerate(papers) if p.accepted is not None]
    y = np.asarray([papers[i].accepted for i in range(len(papers))], dtype=object)
    out = {"accepted": sum(papers[i].accepted for i in known),
           "rejected": sum(not papers[i].accepted for i in known),
           "no_decision": len(papers) - len(known), "min_class": min_class}
    out["measurable"] = min(out["accepted"], out["rejected"]) >= min_class
    if not out["measurable"]:
        return out

    def auc(rating, index):
        index = [i for i in index if y[i] is not None]
        labels = [bool(y[i]) for i in index]
        return roc_auc_score(labels, [rating[i] for i in index]) if len(set(labels)) == 2 else None

    out["auroc"] = {}
    for name, trials in raters.items():
        if name == HUMANS:
            continue
        rating = [t[0].rating for t in trials]
        out["auroc"][name] = {"value": float(auc(rating, known)),
                              "ci95": interval([auc(rating, d) for d in draws])}
    return out


def run_agreement(o: AgreementOptions) -> dict:
    """Score the model (when ``o.records`` is given) and the baselines; write the outputs and
    return the summary (what ``agreement.json`` holds)."""
    _check_outputs(o)
    scale = o.scale if o.scale is not None else venue_scale(o.reference)
    reference = load_corpus(o.reference, scale)
    train = load_corpus(o.train, scale, "training rows")
    if both := sorted(reference.papers.keys() & train.papers.keys()):
        raise AgreementError(f"{len(both)} papers are in both the reference and the training "
                             f"rows (e.g. {both[0]!r}); split the rows by paper id")
    model = load_model_ratings(o.records, reference, scale) if o.records else None
    ids = sorted(reference.papers) if model is None else sorted(model.ratings)
    if not ids:
        raise AgreementError(f"the model rated none of the {len(reference.papers)} reference "
                             f"papers ({_account(model)}); nothing to score")
    papers = [reference.papers[i] for i in ids]
    raters = _raters(o, papers, train, model, scale)
    draws = resample_papers(len(papers), o.resamples, o.seed)
    summary = {
        "scale": [list(p) for p in sorted(points(scale))],
        "bootstrap": {"resamples": o.resamples, "seed": o.seed, "unit": "paper"},
        "reference": _corpus_account(reference), "train": _corpus_account(train),
        "model": None if model is None else {
            "records": model.records, "rated": len(model.ratings), "failed": model.failed,
            "unrated": dict(model.unrated), "unmatched": model.unmatched,
            "no_record": len(reference.papers) - model.records + len(model.unmatched)},
        "papers_scored": len(papers),
        "raters": {name: score(trials, scale, draws) for name, trials in raters.items()},
        "accept_auroc": accept_auroc(papers, raters, draws, o.min_class),
    }
    out = Path(o.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "papers.jsonl", (
        {"paper_id": p.paper_id, "human": list(p.ratings), "accepted": p.accepted,
         **{name: trials[i][0].rating for name, trials in raters.items() if name != HUMANS}}
        for i, p in enumerate(papers)))
    plot_confusions({name: [t for ts in trials for t in ts] for name, trials in raters.items()},
                    scale, out / "confusion.png",
                    f"ratings against each human rating, {len(papers)} papers")
    write_json(out / "agreement.json", summary)
    return summary


def _corpus_account(c: Corpus) -> dict:
    return {"rows": c.rows, "papers": len(c.papers),
            "reviews": sum(len(p.ratings) for p in c.papers.values()),
            "unrated_reviews": c.unrated_reviews, "unrated_papers": len(c.unrated_papers)}


def _account(model) -> str:
    parts = [f"{n} {reason}" for reason, n in model.unrated.most_common()]
    if model.failed:
        parts.append(f"{model.failed} failed generations")
    if model.unmatched:
        parts.append(f"{len(model.unmatched)} records of no reference paper")
    return ", ".join(parts) or "no records"


def _cell(m: dict, digits: int = 2) -> str:
    if m["value"] is None:
        return "n/a"
    ci = m["ci95"]
    interval_text = f" [{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]" if ci else " [n/a]"
    return f"{m['value']:.{digits}f}{interval_text}"


def format_table(summary: dict) -> str:
    """The agreement table (both views), the AUROC line and the account of the inputs."""
    names = {"exact": "exact", "within1": "within ±1", "mae": "MAE", "spearman": "Spearman",
             "qwk": "QWK"}
    b = summary["bootstrap"]
    lines = [f"{summary['papers_scored']} papers; 95% intervals from {b['resamples']} resamples "
             f"of papers (seed {b['seed']}); scale {span(tuple(map(tuple, summary['scale'])))}"]
    width = max(len(n) for n in summary["raters"]) + 2
    for view in VIEWS:
        lines.append("")
        lines.append(f"{'per ' + view:<{width}}{'pairs':>6}  "
                     + "".join(f"{names[m]:<22}" for m in METRICS).rstrip())
        for name, result in summary["raters"].items():
            r = result[view]
            lines.append(f"{name:<{width}}{r['n']:>6}  "
                         + "".join(f"{_cell(r[m]):<22}" for m in METRICS).rstrip())
    a = summary["accept_auroc"]
    counts = f"accepted {a['accepted']}, rejected {a['rejected']} papers"
    if a["measurable"]:
        lines.append("")
        lines.append(f"accept/reject AUROC ({counts}): " + ", ".join(
            f"{name} {_cell(v)}" for name, v in a["auroc"].items()))
    else:
        lines.append("")
        lines.append(f"accept/reject AUROC: not measurable ({counts}; each class needs "
                     f"{a['min_class']})")
    ref, model = summary["reference"], summary["model"]
    lines.append(f"reference: {ref['rows']} rows, {ref['papers']} papers, {ref['reviews']} "
                 f"rated reviews ({ref['unrated_reviews']} without a rating, "
                 f"{ref['unrated_papers']} papers without any)")
    if model is not None:
        unrated = ", ".join(f"{n} {r}" for r, n in model["unrated"].items())
        lines.append(f"model: {model['rated']} papers rated of {model['records']} records; "
                     f"{model['failed']} failed generations; {len(model['unmatched'])} records "
                     f"of no reference paper" + (f"; not rated: {unrated}" if unrated else ""))
    return "\n".join(lines)
