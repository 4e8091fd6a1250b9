"""The GPU inference benchmarks read their papers as tools/infer.py does (run on CPU)."""
from __future__ import annotations

import ast
import importlib.util

import pytest

from tests.helpers import ROOT, read_jsonl, write_rows

GPU_BENCH = ROOT / "benchmarks" / "gpu"


@pytest.fixture(scope="module")
def bench_infer():
    spec = importlib.util.spec_from_file_location("bench_infer", GPU_BENCH / "bench_infer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["real_test", "sample_data"])
def test_papers_are_the_inputs_of_the_rows(bench_infer, real_data, name):
    """Real papers, XTuner test rows (shared data) and input/output records (sample data)."""
    path = (
        real_data / "test.jsonl" if name == "real_test" else ROOT / "sample_data" / "papers.jsonl"
    )
    inputs = [row["input"] for row in read_jsonl(path)]
    assert len(inputs) >= 2
    assert bench_infer.read_papers(path) == inputs


def test_conversations_and_repeated_ids_keep_their_papers(bench_infer, tmp_path):
    path = write_rows(tmp_path / "t.jsonl", [
        {"id": "a", "input": "paper A"},
        {"conversation": [{"system": "s", "input": "paper B", "output": "review"}]},
        {"id": "a", "input": "paper A again"},  # a repeated id is a row of its own
    ])
    assert bench_infer.read_papers(path) == ["paper A", "paper B", "paper A again"]


@pytest.mark.parametrize("rows, message", [
    ([{"id": "a", "input": "p"}, '{"id": "b", "input": NaN}', {"id": "c"}],
     "row 2: not JSON: {path}:2: NaN is not JSON; write null or a number instead; "
     "2 of 3 rows have no paper: fix or drop them"),
    ([{"id": "a", "input": "p"}, {"id": "b", "input": " "}],
     "row 2 (id 'b'): empty input; 1 of 2 rows have no paper"),
])
def test_a_row_without_a_paper_stops_the_bench(bench_infer, tmp_path, rows, message):
    path = write_rows(tmp_path / "t.jsonl", rows)
    with pytest.raises(SystemExit) as stop:
        bench_infer.read_papers(path)
    assert str(stop.value).startswith(f"{path}: " + message.format(path=path))


def test_an_unreadable_file_stops_the_bench(bench_infer, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"id": "a", "input": "caf\xe9"}\n')
    with pytest.raises(SystemExit, match=r"t.jsonl:1: not UTF-8 \(byte 0xe9"):
        bench_infer.read_papers(path)
    with pytest.raises(SystemExit, match="missing.jsonl"):
        bench_infer.read_papers(tmp_path / "missing.jsonl")


def test_both_benchmarks_read_through_read_papers():
    """No JSON loop of their own: infer_replicas takes bench_infer's reader (beside it)."""
    for name in ("bench_infer", "infer_replicas"):
        tree = ast.parse((GPU_BENCH / f"{name}.py").read_text())
        calls = {n.func.id if isinstance(n.func, ast.Name) else n.func.attr
                 for n in ast.walk(tree) if isinstance(n, ast.Call)}
        assert "read_papers" in calls and "loads" not in calls, name
    tree = ast.parse((GPU_BENCH / "infer_replicas.py").read_text())
    imports = [(n.module, a.name) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
               for a in n.names]
    assert ("bench_infer", "read_papers") in imports
