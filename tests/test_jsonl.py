"""The one JSONL home (review_ext.common.jsonl): its reader, its three callers (converters,
evaluation, inference), its writers."""
from __future__ import annotations

import json

import pytest

from data_conversion.running.bad_input import BadInput
from data_conversion.running.bad_input import iter_jsonl as converter_rows
from review_ext.common.jsonl import (
    BOM,
    BadJson,
    RowsFileError,
    is_json_list,
    iter_jsonl,
    parse_json,
    read_json,
)
from review_ext.data.test_rows import read_test_rows
from review_ext.evaluate.records import load_texts


def write(path, *lines: bytes | str, bom: bool = False):
    path.write_bytes((BOM if bom else b"") + b"".join(
        (line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines))
    return path


def test_bom_on_the_first_line_only(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"id": "a"}', b"\xef\xbb\xbf" + b'{"id": "b"}', bom=True)
    (n1, first), (n2, second) = iter_jsonl(path)
    assert (n1, first) == (1, {"id": "a"})
    assert n2 == 2 and isinstance(second, BadJson) and second.kind == "json"
    assert str(second).startswith(f"{path}:2: malformed JSON (Unexpected UTF-8 BOM")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(tmp_path, constant):
    path = write(tmp_path / "a.jsonl", '{"id": 1}', f'{{"id": 2, "score": {constant}}}')
    (_, good), (number, bad) = iter_jsonl(path)
    assert good == {"id": 1} and number == 2 and bad.kind == "json"
    assert str(bad) == f"{path}:2: {constant} is not JSON; write null or a number instead"
    assert bad.data == f'{{"id": 2, "score": {constant}}}'  # the line as read, for a rejects file


def test_bad_json_names_file_line_problem_and_what_to_do(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"id": 1}', "", '{"id": 2, "input": ', '[' * 100000)
    items = dict(iter_jsonl(path))
    assert sorted(items) == [1, 3, 4]
    assert str(items[3]) == (f"{path}:3: malformed JSON (Expecting value at column 20); "
                             "fix the JSON syntax")
    assert str(items[4]) == f"{path}:4: malformed JSON (nested too deep); flatten the record"
    assert "\n" not in str(items[3]) and "\n" not in str(items[4])  # one line each


def test_not_utf8_costs_one_line(tmp_path):
    latin1 = '{"id": "caf\xe9"}'.encode("latin-1")
    path = write(tmp_path / "a.jsonl", '{"id": 1}', latin1, '{"id": 3}')
    items = dict(iter_jsonl(path))
    assert items[1] == {"id": 1} and items[3] == {"id": 3}
    assert items[2].kind == "encoding"
    assert str(items[2]) == f"{path}:2: not UTF-8 (byte 0xe9 at offset 11); re-save it as UTF-8"


def test_objects_wanted_unless_told(tmp_path):
    path = write(tmp_path / "a.jsonl", "[1, 2]", '"text"', "3")
    assert [(n, str(e)) for n, e in iter_jsonl(path)] == [
        (1, f"{path}:1: a JSON list, not an object; each record must be a JSON object"),
        (2, f"{path}:2: a JSON str, not an object; each record must be a JSON object"),
        (3, f"{path}:3: a JSON int, not an object; each record must be a JSON object")]
    assert list(iter_jsonl(path, want=None)) == [(1, [1, 2]), (2, "text"), (3, 3)]


def test_blank_lines_skipped_and_every_other_line_accounted_for(tmp_path):
    lines = ['{"id": 1}', "", "   \t", '{"id": 2', "\r", '{"id": NaN}', b"\xff", "[]",
             '{"id": "line\u2028separator"}', '{"id": 5}\r', '{"id": "torn"']
    path = tmp_path / "a.jsonl"
    raw = [x if isinstance(x, bytes) else x.encode() for x in lines]
    path.write_bytes(b"\n".join(raw))  # no final newline
    items = list(iter_jsonl(path))
    non_blank = [n for n, x in enumerate(raw, 1) if x.strip()]
    assert [n for n, _ in items] == non_blank  # exactly one item per non-blank line, in order
    good = {n: v for n, v in items if not isinstance(v, BadJson)}
    bad = {n: v for n, v in items if isinstance(v, BadJson)}
    assert good == {1: {"id": 1}, 9: {"id": "line\u2028separator"}, 10: {"id": 5}}
    assert sorted(bad) == [4, 6, 7, 8, 11]
    assert all(str(e).startswith(f"{path}:{n}: ") for n, e in bad.items())


def test_missing_file_is_an_oserror_for_the_caller_to_word(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(iter_jsonl(tmp_path / "missing.jsonl"))
    with pytest.raises(IsADirectoryError):
        list(iter_jsonl(tmp_path))


def test_whole_json_files(tmp_path):
    listed = tmp_path / "list.json"
    listed.write_bytes(BOM + b'\n  [{"id": 1}]\n')
    assert is_json_list(listed) and read_json(listed, want=list) == [{"id": 1}]
    assert not is_json_list(write(tmp_path / "a.jsonl", '{"id": 1}'))
    assert not is_json_list(write(tmp_path / "empty.jsonl", "", bom=True))
    bad = write(tmp_path / "bad.json", '[{"id": 1}, NaN]')
    with pytest.raises(BadJson, match=f"^{bad}: NaN is not JSON; write null"):
        read_json(bad, want=list)
    assert parse_json(BOM.decode("utf-8-sig") + "{}") == {}  # str input: no BOM in it


# ---------------------------------------------------------------- the callers
@pytest.fixture
def nan_file(tmp_path):
    """A BOM, a good row, a blank line, a row with NaN, a good row."""
    rows = [json.dumps({"id": "p1", "input": "[TITLE]\nOne", "output": "x"}), "",
            '{"id": "p2", "input": "[TITLE]\\nTwo", "output": NaN}',
            json.dumps({"id": "p3", "input": "[TITLE]\nThree", "output": "z"})]
    return write(tmp_path / "rows.jsonl", *rows, bom=True)


def test_converters_reject_the_line_and_go_on(nan_file):
    items = list(converter_rows(nan_file))
    assert [where for where, _ in items] == ["line 1", "line 3", "line 4"]
    bad = items[1][1]
    assert isinstance(bad, BadInput) and bad.where == "line 3" and bad.field == "(the line)"
    assert bad.problem == "NaN is not JSON" and "NaN" in bad.record
    assert items[0][1]["id"] == "p1" and items[2][1]["id"] == "p3"  # the BOM is not in row 1


def test_evaluation_stops_at_the_line(nan_file, tmp_path):
    with pytest.raises(RowsFileError, match=f"^{nan_file}:3: NaN is not JSON; write null or a"):
        load_texts(nan_file)
    good = write(tmp_path / "good.jsonl", '{"id": "p1", "reply": "r"}', "", bom=True)
    assert load_texts(good) == {"p1": "r"}


def test_inference_makes_the_line_an_error_row(nan_file):
    rows = read_test_rows(nan_file)
    assert [(r.key, r.error) for r in rows] == [
        ("p1", None),
        ("1", f"not JSON: {nan_file}:3: NaN is not JSON; write null or a number instead"),
        ("p3", None)]


def test_inference_stops_on_a_file_not_in_utf8(tmp_path):
    latin1 = '{"input": "caf\xe9"}'.encode("latin-1")
    path = write(tmp_path / "t.jsonl", '{"id": "a", "input": "fine"}', latin1)
    with pytest.raises(RowsFileError, match=f"^{path}:2: not UTF-8"):
        read_test_rows(path)


def test_every_reader_raises_the_one_file_error(tmp_path):
    missing = tmp_path / "missing.jsonl"
    for read in (lambda p: list(converter_rows(p)), read_test_rows, load_texts):
        with pytest.raises(RowsFileError, match=f"{missing}") as caught:
            read(missing)
        assert "\n" not in str(caught.value)
    with pytest.raises(RowsFileError, match=f"^{tmp_path}: is a directory: check the path"):
        list(converter_rows(tmp_path))


# ---------------------------------------------------------------- the writers
TEXT = "caf\u00e9 \u2028 next\u2029 \U0001f600 \"quoted\"\nnewline"


def written_by(tmp_path):
    """The same two records through every JSONL writer of the suite: ``{name: path}``."""
    from data_conversion.running.rows import JsonlWriter
    from review_ext.common.jsonl_cache import JsonlCache
    from review_ext.evaluate.records import write_jsonl

    records = [{"key": "a", "text": TEXT}, {"key": "b", "text": "plain"}]
    paths = {name: tmp_path / f"{name}.jsonl" for name in ("converter", "records", "cache")}
    writer = JsonlWriter(paths["converter"])
    for record in records:
        writer.add(record)
    writer.commit()
    write_jsonl(paths["records"], records)
    cache = JsonlCache(paths["cache"])
    for record in records:
        cache.put(record["key"], {"text": record["text"]})
    return records, paths


def test_writers_write_one_way_and_read_back_line_by_line(tmp_path):
    records, paths = written_by(tmp_path)
    expected = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    for name, path in paths.items():
        raw = path.read_bytes()
        assert raw == expected, name  # UTF-8 as is, one record a line
        assert "\u2028".encode() in raw and b"\\u" not in raw
        assert [v for _, v in iter_jsonl(path)] == records, name
        assert len(path.read_text(encoding="utf-8").splitlines()) > len(records)  # the trap


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_writers_refuse_nan(tmp_path, value):
    from data_conversion.running.rows import JsonArrayWriter, JsonlWriter
    from review_ext.common.jsonl_cache import JsonlCache
    from review_ext.evaluate.records import write_jsonl

    record = {"key": "a", "score": value}
    writers = [JsonlWriter(tmp_path / "c.jsonl").add, JsonArrayWriter(tmp_path / "c.json").add,
               lambda r: write_jsonl(tmp_path / "r.jsonl", [r]),
               lambda r: JsonlCache(tmp_path / "k.jsonl").put("a", r)]
    for write_record in writers:
        with pytest.raises(ValueError, match="not JSON compliant"):
            write_record(record)
    assert not (tmp_path / "r.jsonl").exists()  # an atomic write leaves nothing behind
