"""Inference rows: one per paper, whatever the number of its reviews, with every row accounted
for."""

from data_conversion import from_openreview, to_xtuner
from tests.helpers import read_jsonl


def test_test_rows_are_one_per_paper(shared_data, tmp_path):
    from_openreview.main([str(shared_data / "neurips_2025"), str(tmp_path / "rows.jsonl")])
    rows = read_jsonl(tmp_path / "rows.jsonl")
    papers = {r["paper_id"] for r in rows}
    assert len(rows) > len(papers)  # several reviews per paper
    account = to_xtuner.main([str(tmp_path / "rows.jsonl"), str(tmp_path / "test.jsonl"), "--test"])
    out = read_jsonl(tmp_path / "test.jsonl")
    assert [r["id"] for r in out] == list(dict.fromkeys(r["paper_id"] for r in rows))
    assert account.written == len(papers) and account.merged == len(rows) - len(papers)
    assert account.read == account.written + account.merged


def test_reference_reviews_gather_by_paper(shared_data, tmp_path):
    from review_ext.evaluate.records import load_reference_reviews

    from_openreview.main([str(shared_data / "neurips_2025"), str(tmp_path / "rows.jsonl")])
    rows = read_jsonl(tmp_path / "rows.jsonl")
    refs = load_reference_reviews(tmp_path / "rows.jsonl")
    assert set(refs) == {r["paper_id"] for r in rows}
    assert sum(map(len, refs.values())) == len(rows)
