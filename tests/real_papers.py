"""Minimal real-paper fixtures for the dataset tests: shared data -> (paper text, review text).

Not the project's converter (data_conversion/ is); just enough to render real papers in
the block format (``[TITLE]``, ``[ABSTRACT]``, ``[CAPTIONS]``, ``[CONTENT]``) with real
reviews under the four review headings.
"""
from __future__ import annotations

import json
from pathlib import Path

from review_ext.data.template import resolve_system
from review_ext.formats.text import REVIEW_HEADINGS


def paper_text(title: str, abstract: str, captions: list[str], sections: list[tuple[str, str]]) -> str:
    blocks = [f"[TITLE]\n{title}", f"[ABSTRACT]\n{abstract}"]
    if captions:
        blocks.append("[CAPTIONS]\n" + "\n".join(captions))
    body = "\n\n".join(f"Section Title: {h}\n  {t}" for h, t in sections if t.strip())
    blocks.append(f"[CONTENT]\n{body}")
    return "\n\n".join(blocks)


def review_text(comments: str) -> str:
    """A real review's paragraphs spread over the four headings."""
    paras = [p.strip() for p in comments.split("\n\n") if p.strip()] or [comments.strip()]
    step = -(-len(paras) // 4)
    parts = [" ".join(paras[i * step:(i + 1) * step]) or "None." for i in range(4)]
    return "\n\n".join(f"{h}\n{p}" for h, p in zip(REVIEW_HEADINGS, parts))


def peerread(root: Path) -> list[tuple[str, str, list[str]]]:
    """(id, paper, reviews) for the PeerRead ICLR 2017 sample (science-parse JSON)."""
    out = []
    for rpath in sorted(root.glob("peerread/iclr_2017/*/reviews/*.json")):
        rec = json.loads(rpath.read_text())
        meta = json.loads((rpath.parent.parent / "parsed_pdfs" / f"{rpath.stem}.pdf.json").read_text())["metadata"]
        sections = [(s["heading"] or "", s["text"]) for s in meta["sections"]]
        paper = paper_text(rec["title"], rec["abstract"], [], sections)
        seen, reviews = set(), []
        for r in rec["reviews"]:
            if "AnonReviewer" in r.get("OTHER_KEYS", "") and "RECOMMENDATION" in r and r["comments"] not in seen:
                seen.add(r["comments"])
                reviews.append(review_text(r["comments"]))
        out.append((rec["id"], paper, reviews))
    return out


def neurips(root: Path) -> list[tuple[str, str, list[str]]]:
    """(id, paper, reviews) for the NeurIPS 2025 sample (Docling JSON, in `texts` order)."""
    out = []
    for rpath in sorted(root.glob("neurips_2025/reviews/*.json")):
        rec = json.loads(rpath.read_text())
        doc = json.loads((rpath.parent.parent / "parsed_pdfs" / f"{rpath.stem}.pdf.json").read_text())
        captions, sections, heading = [], [], None
        for t in doc["texts"]:
            if t["label"] == "caption":
                captions.append(t["text"])
            elif t["label"] == "section_header":
                heading = t["text"]
                sections.append([heading, ""])
            elif t["label"] in ("text", "list_item", "formula") and sections and heading != "Abstract":
                sections[-1][1] += t["text"] + " "
        sections = [(h, s) for h, s in sections[1:] if h != "Abstract"]
        paper = paper_text(rec["title"], rec["abstract"], captions, sections)
        reviews = [review_text(r["comments"]) for r in rec["reviews"] if r["TITLE"] == "Official Review"]
        out.append((rec["id"], paper, reviews))
    return out


def xtuner_records(papers, system: str = "v2") -> list[dict]:
    """XTuner single-turn conversation records, one per (paper, review)."""
    return [
        {"conversation": [{"system": resolve_system(system), "input": paper, "output": review}]}
        for _, paper, reviews in papers
        for review in reviews
    ]
