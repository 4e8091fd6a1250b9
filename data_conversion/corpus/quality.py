"""Quality report for a converted corpus: what the model will learn, before training.

Per review: points per part, empty parts, suspected non-points (reference entries,
cross-references such as "See weaknesses.", one- or two-word answers). Per paper:
e-mail addresses, author lines, checklist text, line numbers fused into words. With
``--sources`` (the folders the rows were converted from) every point is also found in
its source review and checked against the reviewer's own labels (the form's blocks,
``Strengths``/``Weaknesses`` sub-labels, ``W1`` items; see
:mod:`data_conversion.corpus.quality_checks`): *misplaced* points, parts left *empty although
the reviewer wrote* that kind of content, and points whose text is *not found* in the
source (changed text). Suspect counts are upper bounds: the list says what to read.

Usage::

    python -m data_conversion.quality data/neurips.jsonl --sources data/neurips_2025
    python -m data_conversion.quality rows.jsonl --sources peerread/ --json q.json --details q.jsonl
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from tqdm import tqdm

from data_conversion.corpus.quality_checks import LabelledSource, suspect_paper, suspect_point
from data_conversion.running.bad_input import read_json_file
from data_conversion.running.cli import add_run_args, run_converter, write_summary
from data_conversion.running.pairs import iter_pairs
from data_conversion.running.rows import Account, JsonlWriter
from data_conversion.sources.paper_folders import check_roots, find_review_files
from review_ext.common.cli import doc_parser
from review_ext.formats.text import PARTS, parse_point, parse_review


def load_sources(roots) -> dict[str, dict]:
    """``{paper id: {"authors": [...], "reviews": [LabelledSource, ...]}}`` of the folders."""
    out = {}
    for path, _ in find_review_files(roots):
        doc = read_json_file(path, "the file")
        if not isinstance(doc, dict) or not isinstance(doc.get("reviews"), list):
            continue
        authors = doc.get("authors") or []
        authors = authors.split(", ") if isinstance(authors, str) else authors
        reviews = [LabelledSource(e["comments"]) for e in doc["reviews"]
                   if isinstance(e, dict) and isinstance(e.get("comments"), str)]
        out[str(doc.get("id") or path.stem)] = {"authors": authors, "reviews": reviews}
    return out


def check_row(row: dict, source: dict | None) -> dict:
    """One row's findings (see the module docstring)."""
    parts = parse_review(row["output"])
    points = {p: [parse_point(line) for line in parts.get(p, "").splitlines() if line]
              for p in PARTS}
    found = {"id": row.get("id"), "paper_id": row.get("paper_id", row.get("id")),
             "points": {p: len(v) for p, v in points.items()},
             "empty": [p for p in PARTS if not points[p]], "suspect": [], "misplaced": [],
             "not_found": 0, "labelled": 0, "empty_but_written": [],
             "paper": suspect_paper(row["input"], (source or {}).get("authors", ()))}
    for part, items in points.items():
        for _title, text in items:
            why = suspect_point(text)
            if why:
                found["suspect"].append({"part": part, "why": why, "text": text[:200]})
    if not source or not source["reviews"]:
        return found
    hits = Counter()
    for part, items in points.items():
        for _title, text in items:
            where = [(i, s.parts_at(text)) for i, s in enumerate(source["reviews"])]
            where = [(i, labels) for i, labels in where if labels]
            if not where:
                found["not_found"] += 1
                continue
            i, labels = where[0]
            hits[i] += 1
            found["labelled"] += any(labels)
            if part not in labels and any(labels):
                label = next(p for p in labels if p)
                found["misplaced"].append({"part": part, "label": label, "text": text[:200]})
    if hits and "reviews" not in row:  # one review a row: its source is where its points are
        written = source["reviews"][hits.most_common(1)[0][0]].written
        found["empty_but_written"] = [p for p in PARTS if p in written and not points[p]]
    return found


def summarize(results: list[dict]) -> dict:
    points = sum(sum(r["points"].values()) for r in results)

    def share(n):
        return round(100 * n / points, 2) if points else 0.0

    suspects = Counter(s["why"] for r in results for s in r["suspect"])
    misplaced = sum(len(r["misplaced"]) for r in results)
    papers = {}
    for r in results:  # a paper counts once, whatever its rows say
        papers.setdefault(r["paper_id"], set()).update(r["paper"])
    labelled = sum(r["labelled"] for r in results)
    return {
        "reviews": len(results), "points": points,
        "points_per_part": {p: sum(r["points"][p] for r in results) for p in PARTS},
        "empty_parts": {p: sum(p in r["empty"] for r in results) for p in PARTS},
        "suspect_points": dict(suspects), "suspect_points_pct": share(sum(suspects.values())),
        "labelled_points": labelled, "misplaced_points": misplaced,
        "misplaced_pct": round(100 * misplaced / labelled, 2) if labelled else 0.0,
        "points_not_in_source": sum(r["not_found"] for r in results),
        "empty_but_written": sum(len(r["empty_but_written"]) for r in results),
        "papers": len({r["paper_id"] for r in results}),
        "papers_with": dict(Counter(w for pid, found in papers.items() for w in found)),
    }


def report(summary: dict) -> str:
    s = summary
    lines = [f"quality: {s['reviews']} reviews, {s['points']} points "
             + "(" + ", ".join(f"{p} {n}" for p, n in s["points_per_part"].items()) + ")",
             "  empty parts: " + ", ".join(f"{p} {n}" for p, n in s["empty_parts"].items()),
             f"  suspect non-points: {sum(s['suspect_points'].values())} "
             f"({s['suspect_points_pct']}%) {s['suspect_points'] or ''}",
             f"  misplaced points: {s['misplaced_points']} of {s['labelled_points']} under a "
             f"label of the reviewer ({s['misplaced_pct']}%)",
             f"  parts empty although the reviewer wrote them: {s['empty_but_written']}",
             f"  points not found in the source review: {s['points_not_in_source']}",
             f"  papers ({s['papers']}) with: {s['papers_with'] or 'nothing suspect'}"]
    return "\n".join(lines)


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("input", type=Path, help="input/output JSONL (a converter's output)")
    parser.add_argument("--sources", type=Path, nargs="+", default=[],
                        help="folders with the source reviews/ (check points against them)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the summary as JSON")
    parser.add_argument("--details", type=Path, metavar="PATH",
                        help="write each review's findings as JSONL")
    add_run_args(parser)
    args = parser.parse_args(argv)
    problem = check_roots(args.sources)
    if problem:
        parser.error(f"--sources {problem}")
    return args


def main(argv=None) -> Account:
    args = parse_args(argv)
    sources = load_sources(args.sources) if args.sources else {}

    def body(run):
        if args.json is not None:
            run.claim(args.json)
        details = run.output(JsonlWriter(args.details)) if args.details else None
        results = []
        for _, row in tqdm(iter_pairs(run, args.input), desc="quality", unit="row",
                           disable=None):
            key = str(row.get("paper_id") or row.get("id", ""))
            results.append(check_row(row, sources.get(key)))
            run.account.written += 1
            if details:
                details.add(results[-1])
        summary = summarize(results)
        run.account.extra["quality"] = summary
        print(report(summary))
        write_summary(args.json, summary)

    return run_converter("quality", args, args.input, body, inputs=[args.input],
                         input_folders=args.sources, verb="checked")

