"""What a converter must refuse or survive: an output that is one of its inputs, missing
sources, a decision without its flags, parsed PDFs of another structure, endless inputs."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from data_conversion import (
    from_openreview,
    from_pdf,
    from_peerread,
    llm_labels,
    quality,
    split,
    stats,
    to_llamafactory,
    to_swift,
    to_xtuner,
)
from review_ext.common.jsonl import RowsFileError
from review_ext.data.test_rows import read_test_rows
from tests.helpers import dead_url, read_jsonl

NEURIPS_PAPER, PEERREAD_PAPER = "1Sb0363f2y", "598"


def copy_paper(shared_data, tmp_path, venue: str, pid: str) -> Path:
    """A folder with one paper of the shared data (``reviews/`` and ``parsed_pdfs/``)."""
    src = shared_data / venue
    if venue == "peerread":
        src = next((shared_data / "peerread").rglob(f"reviews/{pid}.json")).parent.parent
    dest = tmp_path / "papers"
    for sub, name in (("reviews", f"{pid}.json"), ("parsed_pdfs", f"{pid}.pdf.json")):
        (dest / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(src / sub / name, dest / sub / name)
    return dest


def edit_json(path: Path, change) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    return errors[0]


# ---------------------------------------------------------------- an output that is an input
def same_path_cases(tmp_path, rows, folder, pdf):
    """``{case: (command, argv, the input that must stay as it was)}``."""
    named = lambda name: shutil.copy(rows, tmp_path / name)  # noqa: E731
    review = folder / "reviews" / f"{NEURIPS_PAPER}.json"
    return {
        "to_xtuner": (to_xtuner, [rows, rows], rows),
        "to_xtuner --test": (to_xtuner, [rows, rows, "--test"], rows),
        "to_swift": (to_swift, [rows, rows], rows),
        "to_swift --rejects": (to_swift, [rows, tmp_path / "o.jsonl", "--rejects", rows], rows),
        "to_llamafactory": (to_llamafactory, [named("lf.json"), tmp_path, "--name", "lf"],
                            tmp_path / "lf.json"),
        "split": (split, [named("train.jsonl"), tmp_path], tmp_path / "train.jsonl"),
        "stats --plot": (stats, [rows, "--plot", rows], rows),
        "stats --json": (stats, [rows, "--plot", tmp_path / "h.png", "--json", rows], rows),
        "quality --details": (quality, [rows, "--details", rows], rows),
        "quality --json": (quality, [rows, "--json", rows], rows),
        "llm_labels": (llm_labels, [rows, rows, "--model", "m", "--base-url", dead_url()], rows),
        "llm_labels --cache": (llm_labels, [rows, tmp_path / "o.jsonl", "--model", "m",
                                            "--base-url", dead_url(), "--cache", rows], rows),
        "from_openreview over a review": (from_openreview, [folder, review], review),
        "from_peerread in its folder": (from_peerread, [folder, folder / "rows.jsonl"], review),
        "from_pdf": (from_pdf, [pdf, "--out", pdf], pdf),
    }


CASES = ["to_xtuner", "to_xtuner --test", "to_swift", "to_swift --rejects", "to_llamafactory",
         "split", "stats --plot", "stats --json", "quality --details", "quality --json",
         "llm_labels", "llm_labels --cache", "from_openreview over a review",
         "from_peerread in its folder", "from_pdf"]


@pytest.mark.parametrize("case", CASES)
def test_output_that_is_an_input_is_refused(case, tmp_path, shared_data, capsys, tokenizer):
    from tests.paper_pdf import make_paper_pdf

    rows = tmp_path / "rows.jsonl"
    shutil.copy(Path(__file__).parents[1] / "sample_data" / "papers.jsonl", rows)
    folder = copy_paper(shared_data, tmp_path, "neurips_2025", NEURIPS_PAPER)
    pdf = tmp_path / "paper.pdf"
    make_paper_pdf(pdf)
    command, argv, kept = same_path_cases(tmp_path, rows, folder, pdf)[case]
    before = kept.read_bytes()
    kwargs = {"tokenizer": tokenizer} if command is stats else {}
    account = command.main([str(a) for a in argv], **kwargs)
    assert account.exit_code == 1 and account.written == 0
    line = one_error_line(capsys)
    assert "write the output elsewhere" in line, line
    assert ": is the input " in line or ": lies in the input folder " in line, line
    assert kept.read_bytes() == before
    assert not list(tmp_path.rglob(".*.tmp")), "a temporary file was left behind"


def test_a_hard_link_to_the_input_is_the_input(tmp_path, capsys):
    rows = tmp_path / "rows.jsonl"
    shutil.copy(Path(__file__).parents[1] / "sample_data" / "papers.jsonl", rows)
    os.link(rows, tmp_path / "link.jsonl")
    assert to_swift.main([str(rows), str(tmp_path / "link.jsonl")]).exit_code == 1
    assert "is the input" in one_error_line(capsys)


# ---------------------------------------------------------------- sources that are not there
def test_quality_with_missing_sources_is_a_usage_error(tmp_path, capsys):
    rows = Path(__file__).parents[1] / "sample_data" / "papers.jsonl"
    with pytest.raises(SystemExit) as stop:
        quality.main([str(rows), "--sources", str(tmp_path / "missing")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"--sources {tmp_path / 'missing'}: no such file or folder" in err
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit):
        quality.main([str(rows), "--sources", str(tmp_path / "empty")])
    assert "no reviews/<id>.json below it" in capsys.readouterr().err


# ---------------------------------------------------------------- the decision, flags null
def test_decision_with_null_flags_and_title_is_not_a_review(shared_data, tmp_path):
    folder = copy_paper(shared_data, tmp_path, "neurips_2025", NEURIPS_PAPER)

    def null_fields(doc):
        for entry in doc["reviews"]:
            for key in ("IS_META_REVIEW", "TITLE", "RECOMMENDATION", "REVIEWER_CONFIDENCE"):
                if key in entry:
                    entry[key] = None
    edit_json(folder / "reviews" / f"{NEURIPS_PAPER}.json", null_fields)
    out = tmp_path / "rows.jsonl"
    account = from_openreview.main([str(folder), str(out)])
    assert account.exit_code == 0 and account.balanced
    assert (account.read, account.written, account.skipped) == \
        (5, 4, {"decision / meta-review": 1})
    assert not any("DECISION:" in row["output"] for row in read_jsonl(out))


# ---------------------------------------------------------------- parsed PDFs of another shape
BROKEN = {
    "docling texts null": (from_openreview, "neurips_2025", NEURIPS_PAPER,
                           lambda doc: doc.update(texts=None), "field 'texts': null, not a list"),
    "docling body a list": (from_openreview, "neurips_2025", NEURIPS_PAPER,
                            lambda doc: doc.update(body=[]), "field 'body': a list, not an object"),
    "docling dangling $ref": (from_openreview, "neurips_2025", NEURIPS_PAPER,
                              lambda doc: doc["body"]["children"].append({"$ref": "#/texts/99999"}),
                              "field '$ref'"),
    "peerread null section": (from_peerread, "peerread", PEERREAD_PAPER,
                              lambda doc: doc["metadata"]["sections"].insert(1, None),
                              "field 'metadata.sections[1]': null, not an object"),
    "peerread metadata a string": (from_peerread, "peerread", PEERREAD_PAPER,
                                   lambda doc: doc.update(metadata="x"),
                                   "field 'metadata': a string, not an object"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("skip_bad", [False, True], ids=["stop", "skip-bad"])
def test_parsed_pdf_of_another_structure_is_one_line_or_counted(case, skip_bad, shared_data,
                                                                tmp_path, capsys):
    command, venue, pid, change, text = BROKEN[case]
    folder = copy_paper(shared_data, tmp_path, venue, pid)
    edit_json(folder / "parsed_pdfs" / f"{pid}.pdf.json", change)
    argv = [str(folder), str(tmp_path / "rows.jsonl")] + ["--skip-bad"] * skip_bad
    account = command.main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err and account.exit_code == 1  # nothing was written
    if skip_bad:
        assert account.balanced and account.n_rejected == account.read - account.n_skipped \
            - account.duplicates > 0
        rejects = read_jsonl(tmp_path / "rows.rejects.jsonl")
        assert len(rejects) == account.n_rejected
        assert all(text in f"field '{r['field']}': {r['reason']}" for r in rejects), rejects[0]
    else:
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and text in errors[0], err


# ---------------------------------------------------------------- endless inputs
ZERO = Path("/dev/zero")


@pytest.mark.skipif(not ZERO.exists(), reason="no /dev/zero")
def test_endless_rows_input_fails_with_a_message(tmp_path, capsys):
    account = to_xtuner.main([str(ZERO), str(tmp_path / "o.json")])
    assert account.exit_code == 1
    assert "a line longer than 64 MiB" in one_error_line(capsys)
    with pytest.raises(RowsFileError, match="a line longer than 64 MiB"):
        read_test_rows(ZERO)


@pytest.mark.skipif(not ZERO.exists(), reason="no /dev/zero")
def test_endless_pdf_and_reviews_file_are_rejected(shared_data, tmp_path, capsys):
    account = from_pdf.main([str(ZERO), "--out", str(tmp_path / "t.jsonl"), "--skip-bad"])
    assert (account.read, account.n_rejected) == (1, 1)
    assert "larger than 256 MiB" in json.dumps(read_jsonl(tmp_path / "t.rejects.jsonl"))
    folder = copy_paper(shared_data, tmp_path, "neurips_2025", NEURIPS_PAPER)
    (folder / "reviews" / "endless.json").symlink_to(ZERO)
    account = from_openreview.main([str(folder), str(tmp_path / "rows.jsonl"), "--skip-bad"])
    assert account.exit_code == 0 and account.written == 4 and account.n_rejected == 1
    assert "larger than 256 MiB" in capsys.readouterr().err
