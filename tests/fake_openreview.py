"""A local fake of the OpenReview API v2 endpoints openreview-py's client calls (test helper).

A real HTTP server on 127.0.0.1 answering, in the shapes ``openreview.api.OpenReviewClient``
reads (``openreview/api/client.py``: ``login_user``, ``get_notes``/``get_all_notes`` through
``tools.efficient_iterget``, ``get_pdf``) and the API documentation describes:

* ``POST /login`` ``{"id", "password", "expiresIn"}`` -> ``{"token", "user": {"id",
  "profile": {"id"}}}``; a wrong login -> 400 ``{"name": "LoginError", "message"}``;
* ``GET /notes?invitation=&details=replies&sort=id&limit=&after=&count=true`` ->
  ``{"notes": [...], "count": N}``: the notes carrying that invitation, sorted by id,
  paged with ``after`` (the last id of the previous page); ``details`` kept only when asked;
* ``GET /pdf?id=`` -> the PDF's bytes (``application/pdf``), or the error the test set
  (``{"name": "NotFoundError", "message", "status"}``).

Failures a test can script: the first ``n`` requests of a path answered 429 with
``Retry-After: 0`` (``rate_limit``); PDFs held unanswered after ``stall_pdfs_after`` were
served, until :meth:`release` (to kill a client mid-run); a login that every other request
then needs (``login``). ``requests`` records ``(time, method, path, query)`` of each request.

:func:`neurips_venue` turns the real NeurIPS 2025 reviews files of ``../shared/data`` back
into API v2 notes: submissions with their official reviews and decision as replies.
"""
from __future__ import annotations

import json
import re
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

VENUE = "NeurIPS.cc/2025/Conference"
_BLOCK = re.compile(r"^([A-Z][A-Z ]+):\n", re.M)
# The NeurIPS 2025 fields the reviews files keep, under their key there.
_SCORES = {"RECOMMENDATION": "rating", "REVIEWER_CONFIDENCE": "confidence",
           "CLARITY": "clarity", "IMPACT": "significance", "ORIGINALITY": "originality"}


def _v(value) -> dict:
    return {"value": value}


def _ms(date: str) -> int:
    day = datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return int(day.timestamp() * 1000)


def blocks(comments: str) -> dict[str, str]:
    """``"SUMMARY:\\n...\\n\\nQUESTIONS:\\n..."`` -> ``{"SUMMARY": ..., "QUESTIONS": ...}``."""
    parts = _BLOCK.split(comments)
    return {name: text.strip() for name, text in zip(parts[1::2], parts[2::2], strict=True)}


def review_note(number: int, rank: int, entry: dict, venue: str = VENUE) -> dict:
    """A NeurIPS 2025 official review note from a reviews-file entry. The form's ``quality``
    score is not in those files: it is set to the entry's clarity (a stand-in)."""
    text = blocks(entry["comments"])
    if "STRENGTHS" in text or "WEAKNESSES" in text:  # written as two blocks in the source
        text["STRENGTHS AND WEAKNESSES"] = "\n\n".join(
            f"{name.title()}:\n{text.pop(name)}" for name in ("STRENGTHS", "WEAKNESSES")
            if name in text)
    content = {name.lower().replace(" ", "_"): _v(t) for name, t in text.items()}
    content |= {field: _v(int(entry[key])) for key, field in _SCORES.items() if key in entry}
    content["quality"] = _v(int(entry["CLARITY"]))
    content["code_of_conduct_acknowledgement"] = _v("Yes")
    return {"id": f"rev{number}x{rank}", "number": rank, "forum": None, "replyto": None,
            "invitations": [f"{venue}/Submission{number}/-/Official_Review", f"{venue}/-/Edit"],
            "signatures": [f"{venue}/Submission{number}/Reviewer_{'abcdefgh'[rank]}"],
            "readers": ["everyone"], "cdate": _ms(entry["DATE"]), "content": content}


def decision_note(number: int, entry: dict, venue: str = VENUE) -> dict:
    text = blocks(entry["comments"])
    return {"id": f"dec{number}", "invitations": [f"{venue}/Submission{number}/-/Decision"],
            "signatures": [f"{venue}/Program_Chairs"], "readers": ["everyone"],
            "cdate": _ms(entry["DATE"]),
            "content": {"decision": _v(text["DECISION"]), "comment": _v(text["COMMENT"])}}


def submission_note(number: int, doc: dict, replies: list, venueid: str,
                    venue: str = VENUE) -> dict:
    pid = doc["id"]
    for reply in replies:
        reply["forum"] = reply["replyto"] = pid
    return {"id": pid, "number": number, "forum": pid,
            "invitations": [f"{venue}/-/Submission", f"{venue}/-/Edit"],
            "signatures": [f"{venue}/Submission{number}/Authors"], "readers": ["everyone"],
            "cdate": 1715000000000,
            "content": {"title": _v(doc["title"]), "abstract": _v(doc["abstract"]),
                        "authors": _v(doc["authors"]), "keywords": _v(doc["keywords"]),
                        "venueid": _v(venueid), "venue": _v("NeurIPS 2025 poster"),
                        "pdf": _v(f"/pdf/{pid}.pdf")},
            "details": {"replies": replies}}


def neurips_venue(reviews_dir: Path) -> list[dict]:
    """The NeurIPS 2025 sample's reviews files as API v2 submission notes (with replies)."""
    notes = []
    for number, path in enumerate(sorted(reviews_dir.glob("*.json")), 1):
        doc = json.loads(path.read_text(encoding="utf-8"))
        official = [e for e in doc["reviews"] if e["TITLE"] == "Official Review"]
        replies = [review_note(number, rank, e) for rank, e in enumerate(official, 1)]
        replies += [decision_note(number, e) for e in doc["reviews"] if e["TITLE"] == "Decision"]
        venueid = VENUE if doc["accepted"] else f"{VENUE}/Rejected_Submission"
        notes.append(submission_note(number, doc, replies, venueid))
    return notes


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, code: int, body: bytes, kind="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        for name, val in headers:
            self.send_header(name, val)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client is gone (a killed run)

    def _json(self, code: int, payload) -> None:
        self._send(code, json.dumps(payload).encode())

    def _error(self, code: int, name: str, message: str) -> None:
        self._json(code, {"name": name, "message": message, "status": code})

    def _begin(self, method: str):
        fake = self.server.fake
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with fake.lock:
            fake.requests.append((time.monotonic(), method, url.path, query))
            n = fake.seen[url.path] = fake.seen.get(url.path, 0) + 1
        if n <= fake.rate_limit.get(url.path, 0):
            self._send(429, b'{"name": "RateLimitError", "message": "Too many requests"}',
                       headers=[("Retry-After", "0")])
            return None
        return url.path, query

    def do_POST(self):
        fake = self.server.fake
        begun = self._begin("POST")
        if begun is None:
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if begun[0] != "/login":
            return self._error(404, "NotFoundError", f"no route {begun[0]}")
        fake.logins.append(body)
        if fake.login is None or (body.get("id"), body.get("password")) != fake.login:
            return self._error(400, "LoginError", "Invalid username or password")
        self._json(200, {"token": fake.token,
                         "user": {"id": body["id"], "profile": {"id": "~Test_User1"}}})

    def do_GET(self):
        fake = self.server.fake
        begun = self._begin("GET")
        if begun is None:
            return
        path, query = begun
        if fake.login is not None and self.headers.get("Authorization") != f"Bearer {fake.token}":
            return self._error(403, "ForbiddenError", "log in first")
        if path == "/notes":
            return self._notes(query)
        if path == "/pdf":
            return self._pdf(query.get("id"))
        self._error(404, "NotFoundError", f"no route {path}")

    def _notes(self, query: dict) -> None:
        fake = self.server.fake
        invitation = query.get("invitation")
        notes = sorted((n for n in fake.notes if invitation in n["invitations"]),
                       key=lambda n: n["id"])
        total = len(notes)
        if "after" in query:
            notes = [n for n in notes if n["id"] > query["after"]]
        notes = notes[:int(query.get("limit", 1000))]
        if query.get("details") != "replies":
            notes = [{k: v for k, v in n.items() if k != "details"} for n in notes]
        payload = {"notes": notes}
        if query.get("count") == "true":
            payload["count"] = total
        self._json(200, payload)

    def _pdf(self, pid: str | None) -> None:
        fake = self.server.fake
        with fake.lock:
            stall = fake.stall_pdfs_after is not None and fake.pdfs_served >= fake.stall_pdfs_after
            if stall:
                fake.stalled += 1
        if stall:
            fake.released.wait(30)
        answer = fake.pdfs.get(pid, 404)
        if isinstance(answer, int):
            return self._error(answer, "NotFoundError" if answer == 404 else "Error",
                               f"pdf of {pid}: error {answer}")
        with fake.lock:
            fake.pdfs_served += 1
        self._send(200, answer, kind="application/pdf")


class FakeOpenReview:
    """``with FakeOpenReview(notes, pdfs) as api:`` serves on ``api.url`` until the block ends.

    ``pdfs`` maps a note id to PDF bytes or to the HTTP status its PDF request gets."""

    def __init__(self, notes: list[dict], pdfs: dict, login: tuple[str, str] | None = None,
                 rate_limit: dict[str, int] | None = None, stall_pdfs_after: int | None = None):
        self.notes, self.pdfs, self.login = notes, pdfs, login
        self.rate_limit = rate_limit or {}
        self.stall_pdfs_after = stall_pdfs_after
        self.token = "fake-session-token-7f3a"
        self.requests: list[tuple] = []
        self.logins: list[dict] = []
        self.seen: dict[str, int] = {}
        self.pdfs_served = self.stalled = 0
        self.released = threading.Event()
        self.lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def pdf_requests(self) -> list[str]:
        return [q.get("id") for _, method, path, q in self.requests if path == "/pdf"]

    def release(self) -> None:
        """Answer the PDFs held since ``stall_pdfs_after``, and every later one."""
        self.stall_pdfs_after = None
        self.released.set()

    def __enter__(self) -> "FakeOpenReview":
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
        self._httpd.shutdown()
        self._httpd.server_close()
