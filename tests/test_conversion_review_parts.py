"""The free-text review mapping and the two text formats, on small cases."""
from __future__ import annotations

import pytest

from data_conversion.reviews.review_labels import GENERAL, MIXED, label_part
from data_conversion.reviews.review_parts import (
    ACC,
    DROPPED,
    IMP,
    REJ,
    SIG,
    derive_title,
    map_review,
    sentences,
)
from data_conversion.sources.openreview import review_parts, split_form_blocks
from data_conversion.sources.paper_folders import NoPart
from review_ext.formats.text import (
    MARKERS,
    PARTS,
    heading_order,
    marker_order,
    parse_paper,
    parse_review,
    render_paper,
    render_review,
)


def where(parts: dict, needle: str) -> str:
    found = [p for p in PARTS if any(needle in t for _, t in parts[p])]
    assert len(found) == 1, (needle, found)
    return found[0]


@pytest.mark.parametrize("label, part", [
    ("Strengths", ACC), ("**Strengths**", ACC), ("### Strength", ACC), ("Major Strengths", ACC),
    ("Weeknesses", REJ), ("Weakness", REJ), ("Minor Weaknesses", REJ), ("Cons", REJ),
    ("Pros", ACC), ("Questions", IMP), ("Minor comments", IMP), ("Some typos", IMP),
    ("I have several more questions", IMP), ("Summary", SIG), ("Significance", SIG),
    ("Pros and Cons", MIXED), ("Strengths and weaknesses", MIXED), ("Clarity", None),
    ("Experiments", None),
])
def test_heading_labels(label, part):
    assert label_part(label.strip("*# "), whole_line=True) == part


@pytest.mark.parametrize("label, whole_line, part", [  # labels seen in the shared reviews
    ("Scalability concerns", False, None),  # a point title: it kept questions in rejection
    ("Limited recent citations", False, None),  # "citations" is no typo of "limitations"
    ("Assumptions and Limitations", False, None), ("Writing needs improvement", False, None),
    ("Quality and Significance", True, None), ("Final Remarks", True, GENERAL),
    ("General Discussion", True, GENERAL), ("Review summary", True, GENERAL),
    ("Paper summary", True, SIG), ("W1", False, REJ), ("**W2**", True, REJ), ("S1", False, ACC),
    ("Q3", False, IMP), ("Major concerns", False, REJ), ("Strengths", False, ACC),
    ("Weeknesses", True, REJ),
])
def test_label_names_a_part_only_with_every_word(label, whole_line, part):
    assert label_part(label, whole_line=whole_line) == part


@pytest.mark.parametrize("text, needle, part", [
    # aspect headings inside a strengths-and-weaknesses block keep the reviewer's part
    ("Strengths:\nOriginality\n- The idea is new and well motivated.\nWeaknesses:\n"
     "Quality and Significance\n- The experiments are small.", "The idea is new", ACC),
    ("Strengths:\nOriginality\n- The idea is new and well motivated.\nWeaknesses:\n"
     "Quality and Significance\n- The experiments are small.", "experiments are small", REJ),
    # a label holding a part word is a title, not a heading
    ("Weaknesses:\n- Assumptions and Limitations: the bound needs convexity.\n"
     "- Writing needs improvement: many typos.", "many typos", REJ),
    ("Strengths:\n- Good results.\n- W1: the baseline is old.\n- W2: one dataset only.",
     "one dataset only", REJ),
])
def test_labels_keep_points_in_the_reviewers_part(text, needle, part):
    assert where(map_review(text, part=None, allowed=(ACC, REJ)), needle) == part


def test_sub_headings_typos_and_styles():
    text = ("**Strengths**\n- Clear writing.\n\n### Weeknesses:\n1. Small data.\n"
            "_Strengths_. Good baselines.\n\nQuestions:\n* Why this loss?")
    parts = map_review(text, part=None, allowed=(ACC, REJ))
    assert where(parts, "Clear writing") == ACC
    assert where(parts, "Small data") == REJ
    assert where(parts, "Good baselines") == ACC
    assert where(parts, "Why this loss") == IMP  # a heading beats the allowed parts


def test_unheaded_text_by_cues():
    text = ("This paper proposes a new loss for ranking. It is evaluated on two datasets.\n\n"
            "The writing is clear and the results are impressive.\n\n"
            "However, the baselines are weak and the ablation is missing.\n\n"
            "Could the authors add a comparison to X? It would be good to report variance.")
    parts = map_review(text, part=None, default=SIG)
    assert where(parts, "This paper proposes") == SIG
    assert where(parts, "It is evaluated on two datasets") == SIG  # no cue: stays
    assert where(parts, "results are impressive") == ACC
    assert where(parts, "baselines are weak") == REJ
    assert where(parts, "Could the authors add") == IMP


def test_plus_minus_items_and_labels_as_titles():
    parts = map_review("Pros\n+ Simple method.\n\nCons\n- Only one dataset.\n\n"
                       "1. Clarity and motivation:\n - Eq. 3 is undefined.", part=None)
    assert where(parts, "Simple method") == ACC and where(parts, "Only one dataset") == REJ
    assert ("Clarity and motivation", "Eq. 3 is undefined.") in parts[REJ]


def test_nothing_is_lost():
    text = ("Summary:\nA study of X. It has two parts.\n\nPros and Cons:\n"
            "The idea is neat, but the proofs are unclear. Typos: teh -> the.")
    parts = map_review(text, part=None)
    words = " ".join(t for points in parts.values() for _, t in points).split()
    said = "A study of X. It has two parts. The idea is neat, but the proofs are unclear."
    assert all(w in words for w in said.split())


def test_sentences_keep_abbreviations():
    assert sentences("See Eq. (3) and e.g. Fig. 2 of Smith et al. 2020. Next one.") == [
        "See Eq. (3) and e.g. Fig. 2 of Smith et al. 2020.", "Next one."]
    assert derive_title("The new method, which is fast, works well.") == "The new method"
    assert derive_title("It works, mostly.") == "It works, mostly"  # a short clause: the sentence
    assert len(derive_title("word " * 40).split()) <= 12


def test_openreview_blocks_and_no_part():
    text = ("SUMMARY:\nThe paper does X.\n\nSTRENGTHS AND WEAKNESSES:\nStrengths:\n- Fast.\n"
            "Weaknesses:\n- CIFAR-10\n- Slow.\n\nQUESTIONS:\n1. Why?\n\nLIMITATIONS:\nyes\n\n"
            "FLAG FOR ETHICS REVIEW:\nNo ethics review needed.")
    assert [n for n, _ in split_form_blocks(text)] == ["SUMMARY", "STRENGTHS AND WEAKNESSES",
                                                       "QUESTIONS", "LIMITATIONS",
                                                       "FLAG FOR ETHICS REVIEW"]
    parts = review_parts({"comments": text})
    assert where(parts, "The paper does X") == SIG and where(parts, "Fast") == ACC
    assert where(parts, "CIFAR-10") == REJ and where(parts, "Why?") == IMP
    assert not any("ethics" in t for p in PARTS for _, t in parts[p])
    assert not any(t == "yes" for p in PARTS for _, t in parts[p])
    assert parts[DROPPED] == ["form answer (yes/no/N/A)"]  # counted, not silently lost
    with pytest.raises(NoPart):
        review_parts({"comments": "Great paper, accept."})


def test_review_format_round_trip():
    parts = {SIG: [("New", "A new idea.")], ACC: [("<Fast>", "Runs fast.")], REJ: [], IMP: []}
    text = render_review(parts)
    assert heading_order(text)[0] == "[Significance and novelty]" and len(heading_order(text)) == 4
    assert parse_review(text)[ACC] == "<(Fast)> Runs fast." and parse_review(text)[REJ] == ""


def test_paper_format_round_trip():
    text = render_paper("T", "An abstract.", ["Figure 1: F."],
                        [("1 Intro", ["First para.", "Second\npara."]), ("", ["Unheaded."])])
    assert marker_order(text) == list(MARKERS)
    blocks = parse_paper(text)
    assert blocks["CAPTIONS"] == "Figure 1: F."
    assert blocks["CONTENT"] == ("Section Title: 1 Intro\n  First para.\n  Second para.\n\n"
                                 "  Unheaded.")
    assert marker_order(render_paper("T", "", [], [("H", ["x"])])) == list(MARKERS)
