"""The from_pdf command (data_conversion/sources/pdf.py) on PDFs the tests make (fpdf2)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from data_conversion.sources.pdf import PdfError, pdf_to_paper
from review_ext.formats.text import MARKERS, marker_order, parse_paper
from tests import paper_pdf
from tests.helpers import ROOT, read_jsonl


@pytest.fixture(scope="module")
def paper():
    return pdf_to_paper(paper_pdf.make_paper_pdf())


def sections(content: str) -> dict[str, str]:
    found = re.split(r"^Section Title: (.*)$", content, flags=re.M)
    return {name: body.strip() for name, body in zip(found[1::2], found[2::2])}


def test_title_abstract_captions(paper):
    parts = parse_paper(paper)
    assert marker_order(paper) == list(MARKERS) and not parts["OTHER"]
    assert parts["TITLE"] == paper_pdf.TITLE
    assert parts["ABSTRACT"] == paper_pdf.ABSTRACT
    assert parts["CAPTIONS"].splitlines() == paper_pdf.CAPTIONS


def test_sections_and_their_text(paper):
    body = sections(parse_paper(paper)["CONTENT"])
    assert list(body) == paper_pdf.SECTIONS
    assert body["Introduction"].startswith(paper_pdf.INTRO.strip())
    assert paper_pdf.HYPHENATED[1] in body["Introduction"]  # "crit-\nicise" joined
    assert body["Training data"].startswith(paper_pdf.DATA.strip())
    assert body["Conclusion"] == paper_pdf.CONCLUSION
    content = parse_paper(paper)["CONTENT"]
    assert all(line.startswith(("Section Title: ", "  ")) for line in content.splitlines()
               if line)


def test_furniture_references_and_figure_text_left_out(paper):
    for gone in (paper_pdf.HEADER, paper_pdf.REFERENCE, "References", "recall",
                 "Ada Lovelace", "Figure 1: Overview"):
        assert gone not in parse_paper(paper)["CONTENT"], gone
    assert not re.search(r"(?m)^\s*\d+\s*$", paper)  # no page numbers


@pytest.mark.parametrize("make, message", [
    (lambda: b"<html>not a paper</html>", "not a PDF"),
    (paper_pdf.encrypted_pdf, "encrypted with a password"),
    (paper_pdf.textless_pdf, "no extractable text"),
    (lambda: paper_pdf.make_paper_pdf()[:700], "unreadable PDF"),  # a cut-off download
])
def test_clear_errors(make, message):
    with pytest.raises(PdfError, match=message):
        pdf_to_paper(make())


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "data_conversion.from_pdf", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


def test_cli_writes_an_infer_test_file(tmp_path):
    from review_ext.data.test_rows import read_test_rows

    paper_pdf.make_paper_pdf(tmp_path / "first.pdf")
    paper_pdf.make_paper_pdf(tmp_path / "second.pdf")
    done = run_cli(tmp_path / "first.pdf", tmp_path / "second.pdf", "--out", tmp_path / "t.jsonl")
    assert done.returncode == 0, done.stderr
    records = read_jsonl(tmp_path / "t.jsonl")
    assert [r["id"] for r in records] == ["first", "second"]
    assert records[0]["input"] == pdf_to_paper(paper_pdf.make_paper_pdf())
    rows = read_test_rows(tmp_path / "t.jsonl")
    assert [(r.key, r.error) for r in rows] == [("first", None), ("second", None)]


def test_cli_bad_pdf_stops_unless_skipped(tmp_path):
    paper_pdf.make_paper_pdf(tmp_path / "good.pdf")
    (tmp_path / "sub").mkdir()
    paper_pdf.make_paper_pdf(tmp_path / "sub/good.pdf")
    (tmp_path / "scan.pdf").write_bytes(paper_pdf.textless_pdf())
    out = tmp_path / "t.jsonl"
    done = run_cli(tmp_path / "scan.pdf", tmp_path / "good.pdf", "--out", out)
    assert done.returncode == 1 and "scan.pdf" in done.stderr and "OCR" in done.stderr
    assert not out.exists()
    done = run_cli(tmp_path / "scan.pdf", tmp_path / "good.pdf", tmp_path / "sub/good.pdf",
                   "--out", out, "--skip-bad")
    assert done.returncode == 0, done.stderr
    assert "read 3 PDFs = written 1 + rejected 2" in done.stderr
    assert [row["id"] for row in read_jsonl(out)] == ["good"]
    rejects = read_jsonl(tmp_path / "t.rejects.jsonl")
    assert [Path(r["source"]).name for r in rejects] == ["scan.pdf", "good.pdf"]
    assert "no extractable text" in rejects[0]["reason"] and "same id" in rejects[1]["reason"]


def test_help():
    done = run_cli("--help")
    assert done.returncode == 0 and "--out" in done.stdout and "python -m" in done.stdout
