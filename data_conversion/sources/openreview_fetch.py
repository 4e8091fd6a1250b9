"""An OpenReview venue -> ``reviews/<id>.json`` and ``pdfs/<id>.pdf``, through ``openreview-py``.

Lists the venue's submissions with their replies (API v2), and for each paper that is not
withdrawn, desk-rejected or without reviews writes its PDF and then its reviews file in the
PeerRead-style layout ``from_openreview`` reads: the official reviews (text in
upper-case headed blocks in ``comments``, rating and confidence as ``RECOMMENDATION`` and
``REVIEWER_CONFIDENCE``, the venue's other scores as further upper-case keys), then the
``Decision`` and the meta review. Which form field is which comes from
:mod:`review_ext.formats.venues`.

Resumable: a paper whose two files exist is not fetched again, and each file is written
under a temporary name and renamed, so a killed run leaves only whole files. Polite: one
request at a time, at least ``min_interval`` seconds apart; 429 and 5xx answers are retried
by the client's own session (configured here, not stacked on top). Credentials come from
the caller (the environment or a prompt) and are never written.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.util.retry import Retry

from review_ext.common.files import FolderLock
from review_ext.formats.venues import ROLES, UnknownVenue, Venue, block_name, venue

DEFAULT_API = "https://api2.openreview.net"
USERNAME_ENV, PASSWORD_ENV = "OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD"
RETRY_STATUS = (429, 500, 502, 503, 504)


class FetchError(RuntimeError):
    """The venue could not be fetched (the API refused the listing, a form mismatch ...)."""


@dataclass(frozen=True)
class FetchOptions:
    """What to fetch, where to, and how politely."""

    venue_id: str
    out_dir: Path
    limit: int | None = None  # the first N papers that qualify (sorted by id), fetched or present
    accepted_only: bool = False
    api_url: str = DEFAULT_API
    min_interval: float = 1.0  # seconds between two requests
    retries: int = 8  # per request, on 429/5xx and lost connections
    backoff: float = 1.0  # seconds; doubled each retry (the server's Retry-After wins)
    backoff_max: float = 120.0
    timeout: float = 120.0  # seconds for one answer
    progress: bool = True


@dataclass(frozen=True)
class Credentials:
    """An OpenReview login; both None for a guest."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)


def credentials(environ=os.environ, ask: bool = False,
                ask_user: Callable[[str], str] = input,
                ask_password: Callable[[str], str] | None = None) -> Credentials:
    """The login from ``OPENREVIEW_USERNAME``/``OPENREVIEW_PASSWORD``; what they lack is asked
    for when ``ask`` (the password without echo). None of it is ever written anywhere."""
    if ask_password is None:
        from getpass import getpass as ask_password
    user, password = environ.get(USERNAME_ENV) or None, environ.get(PASSWORD_ENV) or None
    if ask and not user:
        user = ask_user("OpenReview username (email): ").strip() or None
    if ask and user and not password:
        password = ask_password(f"OpenReview password for {user}: ") or None
    if bool(user) != bool(password):
        raise FetchError(f"an OpenReview login needs both {USERNAME_ENV} and {PASSWORD_ENV} "
                         "(or neither, to fetch as a guest)")
    return Credentials(user, password)


@dataclass
class FetchReport:
    """What one run did, paper by paper."""

    venue_id: str
    out_dir: Path
    fetched: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # both files already there
    skipped: Counter = field(default_factory=Counter)  # reason -> papers
    failed: dict[str, str] = field(default_factory=dict)  # paper id -> why
    reviews: int = 0  # official reviews written this run

    @property
    def exit_code(self) -> int:
        """0 when the folder holds papers and nothing failed; 1 otherwise."""
        return 0 if (self.fetched or self.present) and not self.failed else 1

    def summary(self) -> str:
        skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(self.skipped.items()))
        failed = "; ".join(f"{pid}: {why}" for pid, why in list(self.failed.items())[:10])
        more = " ..." if len(self.failed) > 10 else ""
        return (f"{self.venue_id}: fetched {len(self.fetched)} papers ({self.reviews} reviews) "
                f"into {self.out_dir}; already there {len(self.present)}; skipped "
                f"{sum(self.skipped.values())} ({skipped or 'none'}); failed {len(self.failed)}"
                + (f" ({failed}{more})" if failed else "")
                + ("" if self.fetched or self.present else "; nothing fetched"))


class PoliteAdapter(HTTPAdapter):
    """An HTTP adapter that spaces requests ``min_interval`` seconds apart and gives each a
    ``timeout`` (the client sets none)."""

    def __init__(self, min_interval: float, timeout: float, **kwargs):
        super().__init__(**kwargs)
        self.min_interval, self.timeout = min_interval, timeout
        self._next, self._lock = 0.0, threading.Lock()

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        with self._lock:
            wait = self._next - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._next = time.monotonic() + self.min_interval
        return super().send(request, **kwargs)


def make_client(options: FetchOptions, login: Credentials):
    """An ``openreview.api.OpenReviewClient`` on ``options.api_url`` (logged in when
    ``login`` has a username) whose session retries and spaces requests as the options say."""
    import openreview
    import requests

    try:
        client = openreview.api.OpenReviewClient(baseurl=options.api_url.rstrip("/"),
                                                 username=login.username,
                                                 password=login.password)
    except openreview.OpenReviewException as e:
        raise FetchError(f"{options.api_url}: login refused ({api_message(e)})") from e
    except requests.RequestException as e:
        raise FetchError(f"{options.api_url}: no answer ({e})") from e
    retry = Retry(total=options.retries, connect=options.retries, read=options.retries,
                  backoff_factor=options.backoff, backoff_max=options.backoff_max,
                  status_forcelist=RETRY_STATUS, raise_on_status=False,
                  respect_retry_after_header=True)
    adapter = PoliteAdapter(options.min_interval, options.timeout, max_retries=retry)
    client.session.adapters.clear()  # drop the client's own retrying adapters: one policy
    client.session.mount("https://", adapter)
    client.session.mount("http://", adapter)
    return client


def api_message(error) -> str:
    """The one-line message of an ``OpenReviewException`` (its payload is a dict or text)."""
    payload = error.args[0] if error.args else error
    if isinstance(payload, dict):
        return f"{payload.get('name', 'Error')}: {payload.get('message', payload)}"
    return str(payload).strip().splitlines()[0] if str(payload).strip() else repr(error)


# Notes -> reviews file ------------------------------------------------------------------

def value(content: dict | None, name: str):
    """A field's value in API v2 note content (``{"name": {"value": ...}}``)."""
    item = (content or {}).get(name)
    return item.get("value") if isinstance(item, dict) else None


def invitation_names(note: dict) -> set[str]:
    """``{"Official_Review"}`` for a note under ``<venue>/Submission1/-/Official_Review``."""
    return {inv.rsplit("/-/", 1)[-1] for inv in note.get("invitations") or ()}


def note_date(note: dict) -> str | None:
    stamp = note.get("cdate") or note.get("tcdate")
    if not isinstance(stamp, (int, float)):
        return None
    return datetime.fromtimestamp(stamp / 1000, tz=timezone.utc).strftime("%Y-%m-%d")


def text_blocks(pairs) -> str:
    """``[(HEADING, text), ...]`` -> ``HEADING:\\ntext`` blocks, empty texts left out."""
    return "\n\n".join(f"{name}:\n{text.strip()}" for name, text in pairs
                       if isinstance(text, str) and text.strip())


def string_fields(content: dict, first: str | None = None) -> list[tuple[str, str]]:
    """Every string field of a note as ``(HEADING, text)``, ``first`` first."""
    names = sorted(content, key=lambda n: (n != first, n))
    return [(block_name(n), value(content, n)) for n in names
            if isinstance(value(content, n), str)]


def review_entry(v: Venue, review: dict, others: dict[str, dict]) -> dict:
    """One official review as a reviews-file entry; ``others`` maps an invitation name to
    the same reviewer's reply under it (for a score kept outside the review)."""
    content = review.get("content") or {}
    entry = {"IS_META_REVIEW": False, "TITLE": "Official Review",
             "comments": text_blocks((block_name(role), value(content, v.text[role]))
                                     for role in ROLES if role in v.text)}
    for score in v.score_fields():
        source = content if score.invitation is None else \
            (others.get(score.invitation) or {}).get("content")
        raw = value(source, score.field)
        if raw is None:
            continue
        try:
            entry[score.key] = score.scale.value_of(raw)
        except ValueError as e:
            raise ValueError(f"review {review.get('id')}, field {score.field}: {e}") from None
    entry["DATE"] = note_date(review)
    return entry


def decision_entry(v: Venue, note: dict) -> dict:
    invitation, name = v.decision
    content = note.get("content") or {}
    decision = value(content, name)
    return {"IS_META_REVIEW": True, "TITLE": "Decision",
            "comments": text_blocks([("DECISION", decision)] + [
                (n, t) for n, t in string_fields(content) if n != block_name(name)]),
            "RECOMMENDATION": decision, "DATE": note_date(note)}


def meta_review_entry(note: dict) -> dict:
    content = note.get("content") or {}
    return {"IS_META_REVIEW": True, "TITLE": "Meta Review",
            "comments": text_blocks(string_fields(content, first="metareview")),
            "DATE": note_date(note)}


def official_reviews(v: Venue, replies: list[dict]) -> list[dict]:
    return sorted((r for r in replies if v.review in invitation_names(r)),
                  key=lambda r: (r.get("cdate") or 0, r.get("id") or ""))


def is_accepted(v: Venue, submission) -> bool:
    return value(submission.content, "venueid") == v.venue_id


def reviews_doc(v: Venue, submission) -> dict:
    """The reviews file of one submission (an ``openreview.api.Note`` with its replies)."""
    replies = (submission.details or {}).get("replies") or []
    by_signature: dict[str, dict[str, dict]] = {}
    for reply in replies:
        for name in invitation_names(reply):
            by_signature.setdefault(_signer(reply), {})[name] = reply
    entries = [review_entry(v, r, by_signature.get(_signer(r), {}))
               for r in official_reviews(v, replies)]
    decision_name = v.decision[0]
    entries += [decision_entry(v, r) for r in replies if decision_name in invitation_names(r)]
    if v.meta_review:
        entries += [meta_review_entry(r) for r in replies
                    if v.meta_review in invitation_names(r)]
    content = submission.content or {}
    keywords = value(content, "keywords")
    return {"title": value(content, "title"), "abstract": value(content, "abstract"),
            "id": submission.id, "authors": list(value(content, "authors") or []),
            "accepted": is_accepted(v, submission),
            "keywords": list(keywords) if isinstance(keywords, list) else keywords,
            "conference": v.name, "histories": [], "reviews": entries}


def _signer(note: dict) -> str:
    return (note.get("signatures") or [""])[0]


def skip_reason(v: Venue, submission, accepted_only: bool) -> str | None:
    """Why a submission is not fetched (None: it is)."""
    venueid = value(submission.content, "venueid") or ""
    if venueid.endswith("/" + v.withdrawn):
        return "withdrawn"
    if venueid.endswith("/" + v.desk_rejected):
        return "desk-rejected"
    if accepted_only and not is_accepted(v, submission):
        return "not accepted"
    if not official_reviews(v, (submission.details or {}).get("replies") or []):
        return "no reviews"
    return None


def review_fields(v: Venue, submissions) -> set[str]:
    """The content fields of every official review of ``submissions``."""
    return {name for s in submissions
            for r in official_reviews(v, (s.details or {}).get("replies") or [])
            for name in (r.get("content") or {})}


def check_form(v: Venue, submissions) -> None:
    """Stop before any download when the reviews lack a field the table names."""
    found = review_fields(v, submissions)
    missing = v.missing(found)
    if found and missing:
        raise FetchError(
            f"{v.venue_id}: its {v.review} notes lack the fields {', '.join(missing)} that "
            f"review_ext/formats/venues.py names; the fields found are {', '.join(sorted(found))}:"
            " correct the venue's entry")


def unknown_venue(client, venue_id: str) -> UnknownVenue:
    """:class:`UnknownVenue` naming the fields of the review-like replies of the venue's first
    submissions (read with the conference defaults), when they can be listed."""
    import openreview
    import requests

    try:
        notes = client.get_notes(invitation=f"{venue_id}/-/Submission", details="replies",
                                 limit=25)
    except (openreview.OpenReviewException, requests.RequestException):
        return UnknownVenue(venue_id)
    found: dict[str, set[str]] = {}
    for note in notes:
        for reply in (note.details or {}).get("replies") or []:
            for name in invitation_names(reply):
                if name.endswith("Review"):
                    found.setdefault(name, set()).update(reply.get("content") or {})
    return UnknownVenue(venue_id, {k: sorted(f) for k, f in sorted(found.items())})


# The run ----------------------------------------------------------------------------------

def paper_paths(out_dir: Path, pid: str) -> tuple[Path, Path]:
    return out_dir / "reviews" / f"{pid}.json", out_dir / "pdfs" / f"{pid}.pdf"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` under a temporary sibling name, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def list_submissions(client, v: Venue) -> list:
    import openreview
    import requests

    try:
        notes = client.get_all_notes(invitation=f"{v.venue_id}/-/{v.submission}",
                                     details="replies")
    except openreview.OpenReviewException as e:
        raise FetchError(f"{v.venue_id}: listing the submissions failed "
                         f"({api_message(e)})") from e
    except requests.RequestException as e:
        raise FetchError(f"{v.venue_id}: listing the submissions failed ({e})") from e
    return sorted(notes, key=lambda n: n.id)


def fetch_paper(client, v: Venue, submission, out_dir: Path) -> int:
    """Write one paper's PDF, then its reviews file; the number of official reviews."""
    import openreview

    doc = reviews_doc(v, submission)  # a form error stops here, before any download
    reviews_path, pdf_path = paper_paths(out_dir, submission.id)
    if not pdf_path.exists():
        try:
            pdf = client.get_pdf(submission.id)
        except openreview.OpenReviewException as e:
            raise ValueError(f"PDF: {api_message(e)}") from e
        if not pdf.startswith(b"%PDF"):
            raise ValueError(f"PDF: the answer is not a PDF ({pdf[:40]!r})")
        write_atomic(pdf_path, pdf)
    if not reviews_path.exists():  # never rewrite a file a run already wrote
        write_atomic(reviews_path,
                     (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode())
    return sum(not e["IS_META_REVIEW"] for e in doc["reviews"])


def fetch_venue(options: FetchOptions, login: Credentials = Credentials(),
                client=None) -> FetchReport:
    """Fetch ``options.venue_id`` into ``options.out_dir``; see the module docstring.

    Raises :class:`UnknownVenue` for a venue the table lacks, :class:`FetchError` when the
    listing fails or the reviews do not have the table's fields, and
    ``review_ext.common.files.LockedError`` when another run writes the same folder."""
    import requests

    client = client or make_client(options, login)
    try:
        v = venue(options.venue_id)
    except UnknownVenue:
        raise unknown_venue(client, options.venue_id) from None
    if not v.fetchable:
        raise FetchError(f"venue {v.venue_id!r} has only its scales in the venue table (no "
                         "review form to fetch): fetch an OpenReview venue with a form")
    out = Path(options.out_dir)
    report = FetchReport(v.venue_id, out)
    with FolderLock(out, ".fetch_openreview.lock"):
        todo, listed = [], list_submissions(client, v)
        check_form(v, listed)
        for submission in listed:
            reason = skip_reason(v, submission, options.accepted_only)
            if reason:
                report.skipped[reason] += 1
            elif options.limit is None or len(todo) < options.limit:
                todo.append(submission)
        for submission in tqdm(todo, desc=f"fetch {v.name}", unit="paper",
                               disable=not options.progress or None):
            if all(p.exists() for p in paper_paths(out, submission.id)):
                report.present.append(submission.id)
                continue
            try:
                report.reviews += fetch_paper(client, v, submission, out)
                report.fetched.append(submission.id)
            except (ValueError, requests.RequestException) as e:
                report.failed[submission.id] = str(e).splitlines()[0]
    return report
