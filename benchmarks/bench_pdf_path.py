"""How the PDF path's paper text differs from the Docling-parsed text of the same papers.

Each real NeurIPS 2025 paper of ``../shared/data/neurips_2025`` is converted by
``data_conversion.from_openreview`` (Docling), typeset back into a PDF as the tests do
(``tests/real_paper_pdf.py``) and read by the suite's PDF reader
(``data_conversion.sources.pdf.pdf_to_paper``). Counted per paper: section headings and
captions of the Docling text found again, captions the PDF path finds that Docling has not,
and the share of the body's words recovered.

Usage::

    python benchmarks/bench_pdf_path.py ../shared/data
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_conversion.sources import openreview  # noqa: E402 - after the path insert
from data_conversion.sources.pdf import pdf_to_paper  # noqa: E402
from review_ext.formats.text import parse_paper  # noqa: E402
from tests.helpers import read_jsonl  # noqa: E402
from tests.real_paper_pdf import latin1, paper_text_pdf, sections_of  # noqa: E402


def norm(text: str) -> str:
    """Lower-case words of ``text`` without a leading section number."""
    text = re.sub(r"^\s*(\d+(\.\d+)*|[A-Z](\.\d+)*)\.?\s+", "", latin1(text))
    return " ".join(re.findall(r"\w+", text.lower()))


def compare(docling: str, pdf: str) -> Counter:
    got_heads = {norm(h) for h, _ in sections_of(pdf)}
    heads = [norm(h) for h, _ in sections_of(docling)]
    caps = [norm(c)[:60] for c in parse_paper(docling)["CAPTIONS"].splitlines() if c.strip()]
    got_caps = [norm(c)[:60] for c in parse_paper(pdf)["CAPTIONS"].splitlines() if c.strip()]
    words = norm(parse_paper(docling)["CONTENT"]).split()
    got_words = Counter(norm(pdf).split())
    return Counter(headings=len(heads), headings_found=sum(h in got_heads for h in heads),
                   captions=len(caps), captions_found=sum(c in got_caps for c in caps),
                   extra_captions=sum(c not in caps for c in got_caps), words=len(words),
                   words_found=sum(min(n, got_words[w]) for w, n in Counter(words).items()))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", type=Path, help="the shared data folder (neurips_2025 inside)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows_file = Path(tmp) / "rows.jsonl"
        openreview.main([str(args.data / "neurips_2025"), str(rows_file), "--per-paper"])
        rows = read_jsonl(rows_file)
    total = Counter()
    for row in rows:
        total += compare(row["input"], pdf_to_paper(paper_text_pdf(row["input"])))
    print(f"{len(rows)} papers")
    print(f"section headings found again: {total['headings_found']} of {total['headings']}")
    print(f"captions found again: {total['captions_found']} of {total['captions']}; "
          f"lines taken for captions that Docling has not: {total['extra_captions']}")
    print(f"body words recovered: {total['words_found']} of {total['words']} "
          f"({total['words_found'] / max(1, total['words']):.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
