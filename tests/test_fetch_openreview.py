"""fetch_openreview through the real openreview-py client against a local fake of the API v2
(tests/fake_openreview.py), on the real NeurIPS 2025 sample reviews; the venue table."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data_conversion.sources import fetch_openreview
from data_conversion.sources import openreview as from_openreview
from data_conversion.sources.openreview_fetch import (
    Credentials,
    FetchError,
    FetchOptions,
    credentials,
    fetch_venue,
)
from data_conversion.sources.pdf import heading_name
from review_ext.formats.text import parse_paper
from review_ext.formats.venues import ROLES, VENUES, UnknownVenue, block_name, scale_of, venue
from tests.fake_openreview import VENUE, FakeOpenReview, neurips_venue, review_note
from tests.helpers import ROOT, read_jsonl
from tests.paper_pdf import make_paper_pdf
from tests.real_paper_pdf import latin1, paper_text_pdf, sections_of

PDF = make_paper_pdf()


@pytest.fixture(scope="module")
def sample(shared_data) -> Path:
    return shared_data / "neurips_2025"


@pytest.fixture
def notes(sample) -> list[dict]:
    return neurips_venue(sample / "reviews")


def quick(out: Path, url: str, **kw) -> FetchOptions:
    """Options with the client's retries shortened for tests."""
    return FetchOptions(VENUE, out, api_url=url, min_interval=0.0, retries=2, backoff=0.0,
                        progress=False, **kw)


def with_extra_papers(notes: list[dict]) -> list[dict]:
    """The sample plus a withdrawn, a desk-rejected, an unreviewed and a rejected paper."""
    first = notes[0]
    extra = []
    for pid, venueid, replies in (
            ("zzWithdrawn", f"{VENUE}/Withdrawn_Submission", first["details"]["replies"]),
            ("zzDeskRej", f"{VENUE}/Desk_Rejected_Submission", []),
            ("zzNoReview", f"{VENUE}/Rejected_Submission", []),
            ("zzRejected", f"{VENUE}/Rejected_Submission", first["details"]["replies"][:2])):
        note = json.loads(json.dumps(first))
        note["id"] = note["forum"] = pid
        note["content"]["venueid"]["value"] = venueid
        note["details"]["replies"] = json.loads(json.dumps(replies))
        extra.append(note)
    return notes + extra


def test_fetch_writes_the_layout_from_openreview_reads(sample, notes, tmp_path):
    """Every real sample paper comes back as a reviews file and a PDF; converted with the real
    from_openreview (beside the sample's Docling files) it gives the sample's own rows."""
    out = tmp_path / "fetched"
    with FakeOpenReview(notes, {n["id"]: PDF for n in notes}) as api:
        report = fetch_venue(quick(out, api.url))
    ids = sorted(n["id"] for n in notes)
    assert sorted(report.fetched) == ids and report.exit_code == 0 and not report.failed
    assert sorted(p.stem for p in (out / "pdfs").glob("*.pdf")) == ids
    assert all((out / "pdfs" / f"{pid}.pdf").read_bytes() == PDF for pid in ids)
    assert not list(out.rglob("*.tmp"))

    for pid in ids:
        got = json.loads((out / "reviews" / f"{pid}.json").read_text())
        want = json.loads((sample / "reviews" / f"{pid}.json").read_text())
        assert set(got) == set(want)
        for key in ("title", "abstract", "id", "authors", "accepted", "keywords", "conference"):
            assert got[key] == want[key], (pid, key)
        assert [e["TITLE"] for e in got["reviews"]] == [e["TITLE"] for e in want["reviews"]]
        for g, w in zip(got["reviews"], want["reviews"], strict=True):
            for key in w:
                if key != "comments":
                    assert g[key] == w[key] or str(g[key]) == str(w[key]), (pid, key)
        assert all(e["QUALITY"] == e["CLARITY"] for e in got["reviews"] if "CLARITY" in e)

    shutil.copytree(sample / "parsed_pdfs", out / "parsed_pdfs")
    assert from_openreview.main([str(out), str(tmp_path / "fetched.jsonl")]).exit_code == 0
    assert from_openreview.main([str(sample), str(tmp_path / "sample.jsonl")]).exit_code == 0
    fetched = read_jsonl(tmp_path / "fetched.jsonl")
    original = read_jsonl(tmp_path / "sample.jsonl")
    assert len(fetched) == len(original) == 48
    for f, o in zip(fetched, original, strict=True):
        assert f.pop("quality") == f["clarity"]
        assert f == o


def test_skips_are_counted_and_accepted_only(notes, tmp_path):
    notes = with_extra_papers(notes)
    pdfs = {n["id"]: PDF for n in notes}
    with FakeOpenReview(notes, pdfs) as api:
        report = fetch_venue(quick(tmp_path / "all", api.url))
        assert dict(report.skipped) == {"withdrawn": 1, "desk-rejected": 1, "no reviews": 1}
        assert "zzRejected" in report.fetched
        assert json.loads((tmp_path / "all" / "reviews" / "zzRejected.json").read_text())[
            "accepted"] is False
        only = fetch_venue(quick(tmp_path / "acc", api.url, accepted_only=True))
        assert only.skipped["not accepted"] == 2 and "zzRejected" not in only.fetched
        limited = fetch_venue(quick(tmp_path / "lim", api.url, limit=3))
    assert limited.fetched == sorted(n["id"] for n in notes)[:3]
    assert "withdrawn 1" in report.summary() and "fetched 13 papers" in report.summary()


def test_rate_limit_is_retried_by_the_client_and_errors_fail_one_paper(notes, tmp_path):
    pdfs = {n["id"]: PDF for n in notes}
    broken, missing = notes[5]["id"], notes[6]["id"]  # the first PDF asked for gets a 429
    pdfs[broken], pdfs[missing] = 500, 404
    with FakeOpenReview(notes, pdfs, rate_limit={"/notes": 1, "/pdf": 1}) as api:
        report = fetch_venue(quick(tmp_path, api.url))
        sent = api.pdf_requests()
    assert api.seen["/notes"] == 3  # a 429, the page, the empty page after it
    assert sent[:2] == [notes[0]["id"]] * 2  # a 429, then the PDF
    assert set(report.failed) == {broken, missing}
    assert "500" in report.failed[broken] and "404" in report.failed[missing]
    assert sent.count(broken) == 3  # the 500 is retried twice (retries=2); the 404 is not
    assert sent.count(missing) == 1
    assert len(report.fetched) == len(notes) - 2 and report.exit_code == 1
    assert not (tmp_path / "reviews" / f"{broken}.json").exists()
    assert not (tmp_path / "pdfs" / f"{broken}.pdf").exists()


def test_requests_are_spaced(notes, tmp_path):
    with FakeOpenReview(notes[:3], {n["id"]: PDF for n in notes}) as api:
        fetch_venue(FetchOptions(VENUE, tmp_path, api_url=api.url, min_interval=0.3,
                                 retries=0, progress=False))
        times = [t for t, *_ in api.requests]
    assert len(times) == 5  # two pages of notes (the second empty), three PDFs
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.28


def _run_cli(out: Path, url: str, env=None, *extra) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for name in ("OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD"):
        env.setdefault(name, "")
    return subprocess.Popen(
        [sys.executable, "-m", "data_conversion.fetch_openreview", VENUE, str(out),
         "--api-url", url, "--min-interval", "0", "--backoff", "0", "--retries", "1",
         "--no-progress", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_run_resumes_fetching_only_what_is_missing(notes, tmp_path):
    out = tmp_path / "out"
    ids = sorted(n["id"] for n in notes)
    with FakeOpenReview(notes, {n["id"]: PDF for n in notes}, stall_pdfs_after=3) as api:
        proc = _run_cli(out, api.url)
        deadline = time.monotonic() + 60
        while not api.stalled and time.monotonic() < deadline:
            time.sleep(0.05)
        assert api.stalled, proc.communicate()[1]
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        done = sorted(p.stem for p in (out / "reviews").glob("*.json"))
        assert done == ids[:3]
        assert sorted(p.stem for p in (out / "pdfs").glob("*.pdf")) == ids[:3]
        before = {p: p.stat().st_mtime_ns for p in out.glob("*/*")}
        api.release()
        first_run = len(api.pdf_requests())

        again = _run_cli(out, api.url)
        _, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert sorted(api.pdf_requests()[first_run:]) == ids[3:]
    assert "fetched 9 papers" in err and "already there 3" in err
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())
    assert sorted(p.stem for p in (out / "reviews").glob("*.json")) == ids


def test_credentials_from_the_environment_are_never_written(notes, tmp_path):
    user, password = "reviewer@example.org", "s3cret-pw-91"
    with FakeOpenReview(notes[:2], {n["id"]: PDF for n in notes}, login=(user, password)) as api:
        proc = _run_cli(tmp_path, api.url, {"OPENREVIEW_USERNAME": user,
                                            "OPENREVIEW_PASSWORD": password})
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert [(b["id"], b["password"]) for b in api.logins] == [(user, password)]
        token = api.token
        refused = _run_cli(tmp_path / "guest", api.url)
        _, guest_err = refused.communicate(timeout=120)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 4
    for path in files:
        data = path.read_bytes()
        assert password.encode() not in data and token.encode() not in data
        assert user.encode() not in data
    assert refused.returncode == 1 and "ForbiddenError" in guest_err
    assert len(guest_err.strip().splitlines()) == 1 and guest_err.startswith("error: ")


def test_credentials_prompt_asks_only_for_what_the_environment_lacks():
    asked = []

    def ask(prompt):
        asked.append(prompt)
        return "typed-pw"

    got = credentials({"OPENREVIEW_USERNAME": "me@example.org"}, ask=True, ask_password=ask)
    assert got == Credentials("me@example.org", "typed-pw") and len(asked) == 1
    assert "typed-pw" not in repr(got)
    assert credentials({}, ask=False) == Credentials()
    both = {"OPENREVIEW_USERNAME": "a@b.org", "OPENREVIEW_PASSWORD": "x"}
    assert credentials(both, ask=True, ask_user=ask, ask_password=ask) == Credentials("a@b.org",
                                                                                       "x")
    assert len(asked) == 1
    with pytest.raises(FetchError, match="both OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD"):
        credentials({"OPENREVIEW_USERNAME": "me@example.org"})


def test_unknown_venue_names_the_fields_it_found(notes, tmp_path):
    icml = "ICML.cc/2025/Conference"
    note = json.loads(json.dumps(notes[0]).replace(VENUE, icml))
    note["details"]["replies"][0]["content"]["overall_recommendation"] = {"value": 3}
    with FakeOpenReview([note], {}) as api:
        with pytest.raises(UnknownVenue) as err:
            fetch_venue(FetchOptions(icml, tmp_path, api_url=api.url, min_interval=0,
                                     progress=False))
        proc = subprocess.run(
            [sys.executable, "-m", "data_conversion.fetch_openreview", icml, str(tmp_path),
             "--api-url", api.url, "--min-interval", "0"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT), "OPENREVIEW_USERNAME": "",
                 "OPENREVIEW_PASSWORD": ""})
    message = str(err.value)
    assert icml in message and "Official_Review: " in message
    for field in ("summary", "strengths_and_weaknesses", "overall_recommendation", "rating"):
        assert field in message
    assert proc.returncode == 1 and proc.stderr.strip().splitlines() == [f"error: {message}"]
    assert not (tmp_path / "reviews").exists()


def test_a_known_venue_whose_form_differs_stops_before_any_download(notes, tmp_path):
    iclr = "ICLR.cc/2025/Conference"
    moved = [json.loads(json.dumps(n).replace(VENUE, iclr)) for n in notes[:2]]
    with FakeOpenReview(moved, {n["id"]: PDF for n in moved}) as api:
        with pytest.raises(FetchError, match="lack the fields contribution, presentation, "
                                             "soundness, strengths, weaknesses") as err:
            fetch_venue(FetchOptions(iclr, tmp_path, api_url=api.url, min_interval=0,
                                     progress=False))
        assert api.pdf_requests() == []
    assert "strengths_and_weaknesses" in str(err.value)


def test_a_score_off_the_scale_fails_its_paper(notes, tmp_path):
    notes[0]["details"]["replies"][0]["content"]["rating"] = {"value": 9}
    with FakeOpenReview(notes, {n["id"]: PDF for n in notes}) as api:
        report = fetch_venue(quick(tmp_path, api.url))
    assert "field rating: 9 is not on the scale (6, 5, 4, 3, 2, 1)" in report.failed[notes[0]["id"]]
    assert len(report.fetched) == len(notes) - 1


def test_nothing_fetched_exits_non_zero(tmp_path):
    with FakeOpenReview([], {}) as api:
        proc = _run_cli(tmp_path, api.url)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "nothing fetched" in err


def test_help():
    res = subprocess.run([sys.executable, "-m", "data_conversion.fetch_openreview", "--help"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "Usage::" in res.stdout and "python -m data_conversion.fetch_openreview" in res.stdout
    for flag in ("--limit", "--accepted-only", "--login", "--min-interval", "--retries"):
        assert flag in res.stdout
    assert fetch_openreview.parse_args([VENUE, "out"]).min_interval == 1.0


# The venue table ------------------------------------------------------------------------

def test_scales_read_every_form_answer_shape():
    neurips = scale_of("NeurIPS.cc/2025/Conference")
    assert neurips.words(4) == "Borderline accept" and (neurips.low, neurips.high) == (1, 6)
    iclr = scale_of("ICLR.cc/2024/Conference")
    assert iclr.values == (10, 8, 6, 5, 3, 1)
    assert iclr.value_of("6: marginally above the acceptance threshold") == 6
    assert iclr.value_of(8) == iclr.value_of("8") == 8
    assert scale_of("NeurIPS.cc/2023/Conference", "soundness").value_of("3 good") == 3
    assert scale_of("TMLR").value_of("Leaning Accept") == 3
    assert scale_of("TMLR", "claims_and_evidence").value_of("Yes") == 1
    assert scale_of("ICLR.cc/2025/Conference", "confidence").high == 5
    for bad in (7, "7: accept", True, None, "great"):
        with pytest.raises(ValueError):
            iclr.value_of(bad)
    with pytest.raises(KeyError, match="has no score 'novelty'"):
        scale_of("ICLR.cc/2025/Conference", "novelty")


def test_every_venue_maps_known_parts_and_has_a_rating():
    fetchable = {"ICLR.cc/2024/Conference", "ICLR.cc/2025/Conference",
                 "NeurIPS.cc/2023/Conference", "NeurIPS.cc/2024/Conference",
                 "NeurIPS.cc/2025/Conference", "TMLR"}
    assert set(VENUES) == fetchable | {"ICLR.cc/2017/conference", "ACL/2017", "CoNLL/2016"}
    assert {k for k, v in VENUES.items() if v.fetchable} == fetchable
    for v in VENUES.values():
        assert set(v.text) <= set(ROLES) and v.rating is not None
        assert "summary" in v.text or not v.fetchable
        keys = [s.key for s in v.score_fields()]
        assert len(keys) == len(set(keys)) and all(k == k.upper() for k in keys)
    assert venue("NeurIPS.cc/2025/Conference/") is VENUES["NeurIPS.cc/2025/Conference"]
    with pytest.raises(UnknownVenue, match="not in the venue table"):
        venue("COLM/2025/Conference")


def test_block_names_are_the_headings_from_openreview_splits_on():
    from data_conversion.sources.openreview import split_form_blocks

    text = "\n\n".join(f"{block_name(r)}:\n{r} text" for r in ROLES)
    assert [n for n, _ in split_form_blocks(text)] == [block_name(r) for r in ROLES]


def test_neurips_2025_scales_fit_the_real_reviews(sample):
    v = venue(VENUE)
    for path in (sample / "reviews").glob("*.json"):
        for entry in json.loads(path.read_text())["reviews"]:
            if entry["TITLE"] == "Official Review":
                assert v.rating.scale.value_of(entry["RECOMMENDATION"])
                assert v.confidence.scale.value_of(entry["REVIEWER_CONFIDENCE"])
                note = review_note(1, 1, entry)
                assert not v.missing(note["content"])


def test_tmlr_reads_the_rating_from_the_reviewers_recommendation(notes, tmp_path):
    """TMLR's form: its own text fields, Yes/No scores, the rating in the same reviewer's
    Official_Recommendation, the decision in the Decision's ``recommendation``."""
    note = json.loads(json.dumps(notes[0]).replace(VENUE, "TMLR").replace("/Submission1/",
                                                                          "/Paper1/"))
    note["content"]["venueid"]["value"] = "TMLR"
    review, other = note["details"]["replies"][:2]
    signer = review["signatures"]
    review["invitations"] = ["TMLR/Paper1/-/Review"]
    review["content"] = {
        "summary_of_contributions": {"value": "The paper maps vision and language to concepts."},
        "strengths_and_weaknesses": {"value": "Strengths:\n- clear\n\nWeaknesses:\n- small"},
        "requested_changes": {"value": "Add a human study."},
        "broader_impact_concerns": {"value": "None."},
        "claims_and_evidence": {"value": "Yes"}, "audience": {"value": "No"}}
    other.update(invitations=["TMLR/Paper1/-/Official_Recommendation"], signatures=signer,
                 content={"decision_recommendation": {"value": "Leaning Accept"}})
    decision = {"id": "tmlrdec", "invitations": ["TMLR/Paper1/-/Decision"], "cdate": 0,
                "signatures": ["TMLR/Paper1/Action_Editors"],
                "content": {"recommendation": {"value": "Accept with minor revision"},
                            "comment": {"value": "Good."}}}
    note["details"]["replies"] = [review, other, decision]
    with FakeOpenReview([note], {note["id"]: PDF}) as api:
        report = fetch_venue(FetchOptions("TMLR", tmp_path, api_url=api.url, min_interval=0,
                                          progress=False))
    assert report.fetched == [note["id"]] and report.reviews == 1
    doc = json.loads((tmp_path / "reviews" / f"{note['id']}.json").read_text())
    assert doc["accepted"] is True and doc["conference"] == "TMLR"
    first, last = doc["reviews"]
    assert first["RECOMMENDATION"] == 3 and "REVIEWER_CONFIDENCE" not in first
    assert (first["CLAIMS_AND_EVIDENCE"], first["AUDIENCE"]) == (1, 0)
    assert first["comments"].startswith("SUMMARY:\nThe paper maps")
    assert "\n\nQUESTIONS:\nAdd a human study.\n\nLIMITATIONS:\nNone." in first["comments"]
    assert last["RECOMMENDATION"] == "Accept with minor revision"
    assert from_openreview.decision(doc) == "Accept with minor revision"


# ------------------------------------------------------------- a fetched folder, converted
def test_a_fetched_folder_converts_with_one_command(sample, notes, tmp_path):
    """Fetched through the fake API with PDFs typeset from three real papers' text, the folder
    (reviews/ + pdfs/, no parsed_pdfs/) converts with one from_openreview command to the rows
    the Docling-parsed sample gives, but for the paper text, read from the PDF."""
    docling = tmp_path / "docling.jsonl"
    assert from_openreview.main([str(sample), str(docling)]).exit_code == 0
    want = {r["id"]: r for r in read_jsonl(docling)}
    texts = {r["paper_id"]: r["input"] for r in want.values()}
    notes = notes[:3]
    out = tmp_path / "iclr_like"
    with FakeOpenReview(notes, {n["id"]: paper_text_pdf(texts[n["id"]]) for n in notes}) as api:
        assert fetch_venue(quick(out, api.url)).exit_code == 0
    assert not (out / "parsed_pdfs").exists()

    rows_path = tmp_path / "all.jsonl"
    done = subprocess.run([sys.executable, "-m", "data_conversion.from_openreview", str(out),
                           str(rows_path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "screened 3 papers: 0 flagged" in done.stderr
    rows = read_jsonl(rows_path)
    ids = {n["id"] for n in notes}
    assert [r["id"] for r in rows] == [i for i, r in want.items() if r["paper_id"] in ids]
    assert len(rows) == 13
    for row in rows:
        docling_row = want[row["id"]]
        assert row.pop("quality") == row["clarity"]
        assert {k: v for k, v in row.items() if k != "input"} == \
            {k: v for k, v in docling_row.items() if k != "input"}
        got, expected = parse_paper(row["input"]), parse_paper(docling_row["input"])
        assert (got["TITLE"], got["ABSTRACT"]) == (expected["TITLE"], expected["ABSTRACT"])
        captions = latin1(expected["CAPTIONS"]).splitlines()
        extra = [c for c in got["CAPTIONS"].splitlines() if c not in captions]
        assert [c for c in got["CAPTIONS"].splitlines() if c in captions] == captions
        # a body line that opens with "Figure 3." is taken for a caption by the PDF reader (its
        # words leave the body); every other word of the body is read
        assert all(c[:30] in latin1(expected["CONTENT"]) for c in extra) and len(extra) <= 1
        headings = [latin1(h) for h, _ in sections_of(docling_row["input"])]
        found = [h for h, _ in sections_of(row["input"])]
        # the PDF reader drops the numbering, and takes a heading ending in a period for a
        # sentence (it joins the text); Docling keeps both
        assert found == [heading_name(h) for h in headings if not h.endswith(".")]
        words = {w for _, paras in sections_of(docling_row["input"]) for p in paras
                 for w in latin1(p).split()}
        assert words - set(got["CONTENT"].split()) <= {w for c in extra for w in c.split()}


def test_a_fetched_folder_with_a_bad_pdf_names_it(sample, notes, tmp_path):
    out = tmp_path / "fetched"
    with FakeOpenReview(notes[:2], {n["id"]: PDF for n in notes[:2]}) as api:
        assert fetch_venue(quick(out, api.url)).exit_code == 0
    bad = out / "pdfs" / f"{notes[0]['id']}.pdf"
    bad.write_bytes(b"<html>not found</html>")
    rows = tmp_path / "rows.jsonl"
    account = from_openreview.main([str(out), str(rows)])
    assert account.exit_code == 1 and not rows.exists()
    assert f"{bad}: id {notes[0]['id']}, reviews[0]: field 'pdfs/{bad.name}': not a PDF" \
        in account.error
    account = from_openreview.main([str(out), str(rows), "--skip-bad"])
    assert account.exit_code == 0 and account.rejected == {"not a PDF (no %PDF- header)": 4}
    assert {r["paper_id"] for r in read_jsonl(rows)} == {notes[1]["id"]}
