"""Paper folders -> input/output rows: the part from_peerread and from_openreview share.

A folder holds ``reviews/<id>.json`` and ``parsed_pdfs/<id>.pdf.json``; the roots given
are searched for every ``reviews`` folder below them (PeerRead's ``train/dev/test``).
Units are review entries: each is a duplicate (same reviewer, title, date and text as
one before it in its file), skipped (not an official review), rejected or written
(one row per review, or merged into one row per paper).
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
from data_conversion.sources.parsed_pdf import ParsedPdfError
from review_ext.formats.text import render_paper, render_review

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
                        help="folders holding reviews/ and parsed_pdfs/ (searched recursively)")
    parser.add_argument("output", type=Path, help="output JSONL (input/output rows)")
    parser.add_argument("--per-paper", action="store_true",
                        help="one row per paper (reviews merged) instead of one per review")
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


def paper_input(reviews_doc: dict, parsed: dict, source: Source) -> str | None:
    """The paper text (clean title and abstract from the reviews file when present), or
    None when the parsed PDF has no body text."""
    title, abstract, captions, sections = source.paper_parts(parsed)
    if not any(p.strip() for _, paras in sections for p in paras):
        return None
    return render_paper(_text(reviews_doc, "title") or title,
                        _text(reviews_doc, "abstract") or abstract, captions, sections)


def _text(doc: dict, key: str) -> str:
    value = doc.get(key)
    return value.strip() if isinstance(value, str) else ""


def paper_rows(pid: str, paper: str, reviews: list, meta: dict, per_paper: bool) -> list[dict]:
    """Rows for one paper from ``[(reviewer, entry, parts), ...]``."""
    if per_paper:
        return [{"id": pid, "paper_id": pid, "input": paper,
                 "output": render_review(merge_parts(*(p for _, _, p in reviews))), **meta,
                 "reviews": [{"reviewer": r, **review_meta(e)} for r, e, _ in reviews]}]
    return [{"id": f"{pid}:{r}", "paper_id": pid, "input": paper, "output": render_review(p),
             **meta, "reviewer": r, **review_meta(e)} for r, e, p in reviews]


class FolderConverter:
    """Streams paper folders through a :class:`Source` into a JSONL writer."""

    def __init__(self, run: Run, source: Source, writer, per_paper: bool = False):
        self.run, self.source, self.writer, self.per_paper = run, source, writer, per_paper
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
        paper = self.load_paper(path, pid, doc, official)
        if paper is None:
            return
        reviews = []
        for rank, (i, entry) in enumerate(official, 1):
            reviewer = self.source.reviewer(entry, rank)
            try:
                parts = self.source.review_parts(entry)
                acc.dropped.update(parts.pop(DROPPED, ()))
                reviews.append((reviewer, entry, parts))
            except NoPart as e:
                self._bad(path, f"id {pid}, review {reviewer}", f"reviews[{i}].comments",
                          f"review with no recognisable part ({e})",
                          "give the review its blocks or headings", entry)
        folder = path.parent.parent.relative_to(root).as_posix()
        meta = {"folder": None if folder == "." else folder, **self.source.paper_meta(doc)}
        rows = paper_rows(pid, paper, reviews, {k: v for k, v in meta.items() if v is not None},
                          self.per_paper)
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

    def load_paper(self, path: Path, pid: str, doc: dict, official: list) -> str | None:
        """The paper text, or None after rejecting every official review of the paper."""
        pdf = path.parent.parent / "parsed_pdfs" / f"{path.stem}.pdf.json"
        parsed = read_json_file(pdf, f"id {pid}")
        field = f"parsed_pdfs/{pdf.name}"
        if parsed is None:
            problem, hint, source = "missing parsed PDF", f"add {field} next to reviews/", path
        elif isinstance(parsed, BadInput):
            problem, hint, source, field = parsed.problem, parsed.hint, pdf, parsed.field
        else:
            try:
                paper = paper_input(doc, parsed, self.source)
            except ParsedPdfError as e:
                problem, field = f"{e.problem} (not the parser's structure)", e.field
            except (AttributeError, KeyError, IndexError, TypeError) as e:  # one no check names
                problem = f"not the parser's structure ({type(e).__name__}: {e})"
                field = self.source.body_field
            else:
                if paper is not None:
                    return paper
                problem, field = "paper empty after parsing (no body text)", self.source.body_field
            hint, source = "re-parse the PDF", pdf
        for i, entry in official:
            self._bad(source, f"id {pid}, reviews[{i}]", field, problem, hint, entry)
        return None
