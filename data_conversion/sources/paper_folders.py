"""Paper folders -> input/output rows: the part from_peerread and from_openreview share.

A folder holds ``reviews/<id>.json`` and the paper as ``parsed_pdfs/<id>.pdf.json`` (the
source's parser) or, where there is none, as ``pdfs/<id>.pdf`` (read by
:mod:`data_conversion.sources.pdf`: the layout ``fetch_openreview`` writes); the roots
given are searched for every ``reviews`` folder below them (PeerRead's ``train/dev/test``).
Units are review entries: each is a duplicate (same reviewer, title, date and text as
one before it in its file), skipped (not an official review), rejected or written
(one row per review, or merged into one row per paper).

Every paper is screened (:mod:`data_conversion.running.screening`). Each review row ends
with ``rating`` and ``confidence``, the review's scores as points of its venue's scales
(null when it has none, counted), and ``venue``, the paper's venue-table key
(:mod:`review_ext.formats.venues`; absent when the venue is not in the table, counted).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from data_conversion.reviews.review_parts import DROPPED, merge_parts
from data_conversion.running.bad_input import BadInput, read_json_file
from data_conversion.running.cli import add_run_args
from data_conversion.running.rows import Run, content_key
from data_conversion.running.screening import REFUSED, Refused, Screener, add_injection_arg
from data_conversion.sources.parsed_pdf import ParsedPdfError
from data_conversion.sources.pdf import read_pdf
from data_conversion.sources.pdf_lines import PdfError
from review_ext.formats.text import render_paper, render_review
from review_ext.formats.venues import UnknownVenue, Venue, venue

NOT_RATINGS = {"comments", "TITLE", "OTHER_KEYS", "IS_META_REVIEW", "is_meta_review", "DATE"}


class NoPart(ValueError):
    """A review in which no part of the four could be recognised."""


@dataclass(frozen=True)
class Source:
    """What differs between PeerRead and OpenReview folders."""

    name: str
    skip_reason: Callable[[dict], str | None]  # None: an official review
    review_parts: Callable[[dict], dict]  # raises NoPart
    paper_parts: Callable[[dict], tuple]  # parsed PDF -> (title, abstract, captions, sections)
    reviewer: Callable[[dict, int], str]  # entry, 1-based rank among official reviews
    paper_meta: Callable[[dict], dict] = lambda doc: {}
    body_field: str = "sections"
    venue: Callable[[dict, Path], str | None] = lambda doc, path: None  # reviews doc, file


def find_review_files(roots) -> list[tuple[Path, Path]]:
    """``(reviews file, root)`` for every ``reviews/*.json`` under the roots, sorted."""
    found = []
    for root in map(Path, roots):
        if root.is_file():
            found.append((root, root.parent.parent))
        else:
            found += [(p, root) for p in sorted(root.rglob("reviews/*.json"))]
    return found


def folder_args(parser, argv):
    """Parse the arguments every folder converter takes (folders, output, --per-paper, run
    options) after the converter's own, and check the folders."""
    parser.add_argument("folders", nargs="+", type=Path,
                        help="folders holding reviews/ and parsed_pdfs/ or pdfs/ (searched "
                             "recursively)")
    parser.add_argument("output", type=Path, help="output JSONL (input/output rows)")
    parser.add_argument("--per-paper", action="store_true",
                        help="one row per paper (reviews merged) instead of one per review")
    add_injection_arg(parser)
    add_run_args(parser)
    args = parser.parse_args(argv)
    problem = check_roots(args.folders)
    if problem:
        parser.error(problem)
    return args


def check_roots(roots) -> str | None:
    """A usage problem with the folders given (missing, or no reviews files), else None."""
    for root in map(Path, roots):
        if not root.exists():
            return f"{root}: no such file or folder"
        if root.is_dir() and next(root.rglob("reviews/*.json"), None) is None:
            return f"{root}: no reviews/<id>.json below it"
    return None


def truthy(value) -> bool:
    """PeerRead and OpenReview booleans: ``True``/``"True"``."""
    return value is True or str(value).strip().lower() == "true"


def as_number(value):
    """``"4"`` -> 4, ``"3.5"`` -> 3.5; anything else unchanged."""
    if isinstance(value, str):
        for cast in (int, float):
            try:
                return cast(value.strip())
            except ValueError:
                pass
    return value


def review_meta(entry: dict) -> dict:
    """Ratings and other keys of a review entry, lower-cased, numbers as numbers."""
    meta = {k.lower(): as_number(v) for k, v in entry.items() if k not in NOT_RATINGS}
    if entry.get("TITLE"):
        meta["review_title"] = entry["TITLE"]
    if entry.get("DATE"):
        meta["date"] = entry["DATE"]
    return meta


def paper_input(reviews_doc: dict, parts: tuple) -> str | None:
    """The paper text from its parts ``(title, abstract, captions, sections)`` (clean title and
    abstract from the reviews file when present), or None when it has no body text."""
    title, abstract, captions, sections = parts
    if not any(p.strip() for _, paras in sections for p in paras):
        return None
    return render_paper(_text(reviews_doc, "title") or title,
                        _text(reviews_doc, "abstract") or abstract, captions, sections)


def _text(doc: dict, key: str) -> str:
    value = doc.get(key)
    return value.strip() if isinstance(value, str) else ""


def review_scores(v: Venue | None, entry: dict) -> tuple[dict, list[str]]:
    """``{"rating", "confidence"}`` of a review as points of its venue's scales (None where
    it has none), and why a score is missing (for the account)."""
    scores, notes = {"rating": None, "confidence": None}, []
    if v is None:
        return scores, ["reviews of a venue not in the venue table (no rating)"]
    for name, score in (("rating", v.rating), ("confidence", v.confidence)):
        if score is None:
            continue
        raw = entry.get(score.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            notes.append(f"reviews without a {'score' if name == 'rating' else name}")
            continue
        try:
            scores[name] = score.scale.value_of(raw)
        except ValueError:
            notes.append(f"reviews with a {name} off the {v.name} scale (left null)")
    return scores, notes


def paper_rows(pid: str, paper: str, reviews: list, meta: dict, per_paper: bool,
               tail: dict | None = None) -> list[dict]:
    """Rows for one paper from ``[(reviewer, entry, parts, scores), ...]``; ``tail`` (the
    paper's ``venue`` and ``screening``) ends each row."""
    tail = tail or {}
    if per_paper:
        return [{"id": pid, "paper_id": pid, "input": paper,
                 "output": render_review(merge_parts(*(p for _, _, p, _ in reviews))), **meta,
                 "reviews": [{"reviewer": r, **review_meta(e), **s} for r, e, _, s in reviews],
                 **tail}]
    return [{"id": f"{pid}:{r}", "paper_id": pid, "input": paper, "output": render_review(p),
             **meta, "reviewer": r, **review_meta(e), **s, **tail} for r, e, p, s in reviews]


class FolderConverter:
    """Streams paper folders through a :class:`Source` into a JSONL writer."""

    def __init__(self, run: Run, source: Source, writer, per_paper: bool = False,
                 injection: str = "flag"):
        self.run, self.source, self.writer, self.per_paper = run, source, writer, per_paper
        self.screener = Screener(run.account, injection)
        self.papers: dict[str, str] = {}
        self.no_review: list[str] = []  # papers none of whose entries is an official review

    def convert(self, roots) -> None:
        for path, root in tqdm(find_review_files(roots), desc=self.source.name, unit="paper",
                               disable=None):
            self.paper(path, root)
        if self.no_review:
            ids = ", ".join(self.no_review[:10]) + (" ..." if len(self.no_review) > 10 else "")
            self.run.account.warnings.append(
                f"{len(self.no_review)} of {len(self.papers)} papers have no official review "
                f"(ids {ids}): check the skip reasons above")

    def _bad(self, source, where, field, problem, hint, record=None, units=1):
        self.run.reject(BadInput(source, where, field, problem, hint, record, units))

    def paper(self, path: Path, root: Path) -> None:
        """Convert one reviews file (a unit is counted as read when its fate is known)."""
        acc = self.run.account
        doc = read_json_file(path, "the file")
        if isinstance(doc, BadInput) or not isinstance(doc.get("reviews"), list):
            acc.read += 1
            if isinstance(doc, BadInput):
                return self.run.reject(doc)
            return self._bad(path, "the file", "reviews", "missing or not a list",
                             "a reviews file is an object with a 'reviews' list", doc)
        entries = doc["reviews"]
        pid = str(doc.get("id") or path.stem)
        if pid in self.papers:
            acc.read += len(entries)
            return self._bad(path, f"id {pid}", "id",
                             f"duplicate paper id (also {self.papers[pid]})",
                             "keep one reviews file per paper id", {"file": str(path)},
                             units=len(entries))
        self.papers[pid] = str(path)
        official = self.official_entries(path, pid, entries)
        if not official:
            self.no_review.append(pid)
            return
        acc.read += len(official)
        loaded = self.load_paper(path, pid, doc, official)
        if loaded is None:
            return
        try:
            paper, screening = self.screener.paper(pid, *loaded)
        except Refused as e:
            for i, entry in official:
                self.run.set_aside(BadInput(path, f"id {pid}, reviews[{i}]", "input", str(e),
                                            "read the paper before training on it", entry),
                                   REFUSED)
            return
        v = self.paper_venue(doc, path)
        reviews = []
        for rank, (i, entry) in enumerate(official, 1):
            reviewer = self.source.reviewer(entry, rank)
            try:
                parts = self.source.review_parts(entry)
                acc.dropped.update(parts.pop(DROPPED, ()))
                scores, notes = review_scores(v, entry)
                reviews.append((reviewer, entry, parts, scores))
                acc.noted.update(notes)
            except NoPart as e:
                self._bad(path, f"id {pid}, review {reviewer}", f"reviews[{i}].comments",
                          f"review with no recognisable part ({e})",
                          "give the review its blocks or headings", entry)
        folder = path.parent.parent.relative_to(root).as_posix()
        meta = {"folder": None if folder == "." else folder, **self.source.paper_meta(doc)}
        tail = {"venue": v.venue_id if v else None, "screening": screening}
        rows = paper_rows(pid, paper, reviews, {k: v for k, v in meta.items() if v is not None},
                          self.per_paper, {k: v for k, v in tail.items() if v is not None})
        for row in rows:
            self.writer.add(row)
        acc.written += len(rows)
        acc.merged += len(reviews) - len(rows)

    def official_entries(self, path: Path, pid: str, entries: list) -> list[tuple[int, dict]]:
        """``(index, entry)`` of the official reviews; every other entry is counted here."""
        seen, official = set(), []
        for i, entry in enumerate(entries):
            if self.settle(path, pid, i, entry, seen):
                official.append((i, entry))
        return official

    def settle(self, path: Path, pid: str, i: int, entry, seen: set) -> bool:
        """True for an official review (counted when converted); any other entry is counted
        now, as read and in its bucket."""
        acc = self.run.account
        where, field = f"id {pid}, reviews[{i}]", f"reviews[{i}]"
        if not isinstance(entry, dict):
            acc.read += 1
            self._bad(path, where, field, "not an object",
                      "each review entry must be a JSON object", entry)
            return False
        key = content_key(*(entry.get(k) for k in ("OTHER_KEYS", "TITLE", "DATE", "comments")))
        if key in seen:
            acc.read += 1
            acc.duplicates += 1
            return False
        seen.add(key)
        reason = self.source.skip_reason(entry)
        if reason:
            acc.read += 1
            acc.skipped[reason] += 1
            return False
        if not isinstance(entry.get("comments"), str):
            acc.read += 1
            self._bad(path, where, f"{field}.comments", "missing or not a string",
                      "give the review its text", entry)
            return False
        return True

    def paper_venue(self, doc: dict, path: Path) -> Venue | None:
        """The paper's entry in the venue table, or None (its reviews are counted)."""
        venue_id = self.source.venue(doc, path)
        try:
            return venue(venue_id) if venue_id else None
        except UnknownVenue:
            return None

    def load_paper(self, path: Path, pid: str, doc: dict,
                   official: list) -> tuple[str, bytes | None] | None:
        """``(paper text, the PDF's bytes when read from one)``, or None after rejecting every
        official review of the paper. The parsed PDF wins; ``pdfs/<id>.pdf`` stands in."""
        pdf = path.parent.parent / "parsed_pdfs" / f"{path.stem}.pdf.json"
        parsed = read_json_file(pdf, f"id {pid}")
        field = f"parsed_pdfs/{pdf.name}"
        raw_pdf = path.parent.parent / "pdfs" / f"{path.stem}.pdf"
        if parsed is None and raw_pdf.is_file():
            return self.load_pdf(path, pid, doc, official, raw_pdf)
        if parsed is None:
            problem, source = "missing parsed PDF", path
            hint = f"add {field} (or pdfs/{path.stem}.pdf) next to reviews/"
        elif isinstance(parsed, BadInput):
            problem, hint, source, field = parsed.problem, parsed.hint, pdf, parsed.field
        else:
            try:
                paper = paper_input(doc, self.source.paper_parts(parsed))
            except ParsedPdfError as e:
                problem, field = f"{e.problem} (not the parser's structure)", e.field
            except (AttributeError, KeyError, IndexError, TypeError) as e:  # one no check names
                problem = f"not the parser's structure ({type(e).__name__}: {e})"
                field = self.source.body_field
            else:
                if paper is not None:
                    return paper, None
                problem, field = "paper empty after parsing (no body text)", self.source.body_field
            hint, source = "re-parse the PDF", pdf
        for i, entry in official:
            self._bad(source, f"id {pid}, reviews[{i}]", field, problem, hint, entry)
        return None

    def load_pdf(self, path: Path, pid: str, doc: dict, official: list,
                 pdf: Path) -> tuple[str, bytes] | None:
        """The paper read from its PDF (see :func:`load_paper`)."""
        try:
            data, parts = read_pdf(pdf)
            paper = paper_input(doc, (parts["title"], parts["abstract"], parts["captions"],
                                      parts["sections"]))
            if paper is None:
                raise PdfError("no body text found", "check that the PDF is the paper")
            return paper, data
        except (PdfError, OSError) as e:
            problem, hint = (e.problem, e.hint) if isinstance(e, PdfError) else (
                f"cannot be read ({e.strerror or e})", "make it a readable PDF file")
        for i, entry in official:
            self._bad(pdf, f"id {pid}, reviews[{i}]", f"pdfs/{pdf.name}", problem, hint, entry)
        return None
