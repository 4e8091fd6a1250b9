"""from_peerread and from_openreview on the real papers of the shared data."""
from __future__ import annotations

import json

import pytest

from data_conversion import from_openreview, from_peerread
from review_ext.formats.text import (
    MARKERS,
    PARTS,
    REVIEW_HEADINGS,
    heading_order,
    marker_order,
    parse_paper,
    parse_review,
)
from tests.helpers import read_jsonl


@pytest.fixture(scope="module")
def peerread(shared_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("peerread") / "rows.jsonl"
    account = from_peerread.main([str(shared_data / "peerread" / "iclr_2017"), str(out)])
    return account, read_jsonl(out)


@pytest.fixture(scope="module")
def neurips(shared_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("neurips") / "rows.jsonl"
    account = from_openreview.main([str(shared_data / "neurips_2025"), str(out)])
    return account, read_jsonl(out)


def part_of(rows, row_id: str, needle: str) -> str:
    """The part of the review of row ``row_id`` that holds ``needle``."""
    review = parse_review(next(r["output"] for r in rows if r["id"] == row_id))
    found = [part for part, text in review.items() if needle in text]
    assert len(found) == 1, (needle, found)
    return found[0]


def test_peerread_dedup_and_account(peerread):
    account, rows = peerread
    # README: 16 + 26 + 16 entries, each listed twice; 3 official reviews per paper.
    assert (account.read, account.duplicates, account.written) == (58, 29, 9)
    assert account.n_skipped == 20 and account.n_rejected == 0 and account.balanced
    assert account.skipped["meta-review entry (a copy of one review)"] == 3
    assert account.skipped["committee final decision"] == 3
    per_paper = {}
    for r in rows:
        per_paper.setdefault(r["paper_id"], []).append(r["reviewer"])
    assert {k: sorted(v) for k, v in per_paper.items()} == {
        p: ["AnonReviewer1", "AnonReviewer2", "AnonReviewer3"] for p in ("315", "444", "598")}
    assert len({r["id"] for r in rows}) == 9


def test_peerread_rows_carry_metadata(peerread):
    _, rows = peerread
    row = next(r for r in rows if r["id"] == "315:AnonReviewer2")
    assert row["recommendation"] == 10 and row["reviewer_confidence"] == 3
    assert row["originality"] == 4 and row["accepted"] is True and row["folder"] == "train"
    assert row["review_title"] == "Little novelty but valuable empirical evidence"


def test_peerread_paper_text(peerread):
    _, rows = peerread
    for r in rows:
        assert marker_order(r["input"]) == list(MARKERS)
        blocks = parse_paper(r["input"])
        assert blocks["TITLE"] and blocks["ABSTRACT"] and "Section Title: " in blocks["CONTENT"]
    paper = parse_paper(next(r["input"] for r in rows if r["paper_id"] == "315"))
    assert paper["TITLE"].startswith("On Large-Batch Training for Deep Learning")
    assert "Section Title: 1 INTRODUCTION" in paper["CONTENT"]
    # the abstract is not repeated as an unheaded first section
    assert not paper["CONTENT"].startswith("  The stochastic gradient descent")
    paper = parse_paper(next(r["input"] for r in rows if r["paper_id"] == "444"))
    assert paper["CAPTIONS"].startswith("Table 4: Selected top patterns")


def test_peerread_free_text_lands_in_the_right_parts(peerread):
    _, rows = peerread
    r598 = "598:AnonReviewer1"
    assert part_of(rows, r598, "This paper describes an end-to-end system") == "significance"
    assert part_of(rows, r598, "It is interesting to see that a convnet") == "acceptance"
    assert part_of(rows, r598, "The paper is missing a lot of context") == "rejection"
    assert part_of(rows, "315:AnonReviewer2", "may have impact on both theory") == "significance"
    assert part_of(rows, "315:AnonReviewer3", "might benefit from additional") == "improvement"
    assert part_of(rows, "444:AnonReviewer2", "Eq. (13) is exactly the same") == "improvement"
    assert part_of(rows, "444:AnonReviewer3", "several details of the pattern") == "rejection"
    assert part_of(rows, "444:AnonReviewer3", "I really like the motivation") == "acceptance"
    # a concession in brackets does not decide: "(though not novel), ... are interesting."
    assert part_of(rows, "598:AnonReviewer3", "Both the description of a letter-level") == \
        "acceptance"
    for r in rows:
        assert heading_order(r["output"]) == list(REVIEW_HEADINGS)


def test_peerread_per_paper(shared_data, tmp_path):
    out = tmp_path / "papers.jsonl"
    account = from_peerread.main([str(shared_data / "peerread" / "iclr_2017"), str(out),
                                  "--per-paper"])
    rows = read_jsonl(out)
    assert (account.written, account.merged, account.balanced) == (3, 6, True)
    assert sorted(r["id"] for r in rows) == ["315", "444", "598"]
    assert all(len(r["reviews"]) == 3 for r in rows)
    assert "Eq. (13) is exactly the same" in next(r["output"] for r in rows if r["id"] == "444")


def test_neurips_account(neurips):
    account, rows = neurips
    assert (account.read, account.written, account.n_skipped) == (60, 48, 12)
    assert account.n_rejected == 0 and account.duplicates == 0 and account.balanced
    assert len({r["paper_id"] for r in rows}) == 12
    row = next(r for r in rows if r["id"] == "LSS6JMvgha:r1")
    assert row["decision"] == "Accept (poster)" and row["recommendation"] == 5
    assert row["review_title"] == "Official Review"


def test_neurips_paper_text(neurips, shared_data):
    _, rows = neurips
    papers = {r["paper_id"]: r["input"] for r in rows}
    for pid, text in papers.items():
        assert marker_order(text) == list(MARKERS), pid
        blocks = parse_paper(text)
        assert blocks["TITLE"] and blocks["ABSTRACT"]
        assert "Figure 1" in blocks["CAPTIONS"] or "Table 1" in blocks["CAPTIONS"], pid
        assert "Section Title: References" not in text and "Paper Checklist" not in text
        doc = json.loads((shared_data / "neurips_2025" / "parsed_pdfs" / f"{pid}.pdf.json")
                         .read_text(encoding="utf-8"))
        lines = set(text.splitlines())
        furniture = [t["text"].strip() for t in doc["texts"]
                     if t["label"] in ("page_header", "page_footer")]
        assert furniture and not any(f"  {t}" in lines for t in furniture), pid
        assert "39th Conference on Neural Information Processing Systems" not in text
    lss = papers["LSS6JMvgha"]
    assert "Tsinghua Shenzhen International Graduate School" not in lss  # affiliation
    assert "Yifan Wang" not in lss  # author line
    assert "Section Title: 1 Introduction" in lss and "Section Title: 5 Conclusion" in lss
    assert lss.index("Section Title: 3.1 Problem Setting") < lss.index("Section Title: 4 Exp")
    # appendices after the checklist are kept
    assert "Section Title: A Proof of Proposition 3.1" in papers["2M5dTDdGxl"]


def test_neurips_reviews_in_four_parts(neurips):
    _, rows = neurips
    for r in rows:
        assert heading_order(r["output"]) == list(REVIEW_HEADINGS), r["id"]
        parts = parse_review(r["output"])
        assert parts["significance"], r["id"]
        # its QUESTIONS block is only "See my comments above." (a pointer, no question)
        assert bool(parts["improvement"]) == (r["id"] != "4EkEL77k6O:r1"), r["id"]
    lss = "LSS6JMvgha:r1"
    assert part_of(rows, lss, "This paper proposes to adopt uncertainty estimation") == \
        "significance"
    assert part_of(rows, lss, "The method was rigorously designed") == "acceptance"
    assert part_of(rows, lss, "Some parts lack detailed mathematical definitions") == "rejection"
    assert part_of(rows, lss, "Why is it necessary to adopt an uncertainty") == "improvement"
    # "Weeknesses: see the questions." (sic): a pointer, not a weakness, is dropped and the
    # strengths above it stay strengths
    r1 = next(r for r in rows if r["id"] == "1Sb0363f2y:r1")
    assert "see the questions" not in r1["output"] and not parse_review(r1["output"])["rejection"]
    assert part_of(rows, "1Sb0363f2y:r1", "Comprehensive experiments are conducted") == \
        "acceptance"
    # the NeurIPS form's instructions pasted into a review are dropped
    assert not any("Please provide a thorough assessment" in r["output"] for r in rows)
    # a limitations block that only says "yes" is not a point
    assert not any("<yes>" in r["output"].lower() for r in rows)


def test_points_are_titled(neurips):
    _, rows = neurips
    for r in rows:
        for part, text in parse_review(r["output"]).items():
            assert part in PARTS
            for line in filter(None, text.splitlines()):
                assert line.startswith("<") and "> " in line, (r["id"], line)
