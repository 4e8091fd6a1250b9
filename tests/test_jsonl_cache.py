"""The append-only cache reads by the suite's JSONL rules: a bad line is counted, never fatal."""
from __future__ import annotations

import json
import logging

import pytest

from review_ext.common.jsonl import BOM
from review_ext.common.jsonl_cache import JsonlCache, digest


def good(key: str, value: int) -> bytes:
    return json.dumps({"key": key, "value": value}).encode() + b"\n"


def test_bad_lines_are_counted_and_the_good_ones_load(tmp_path, caplog):
    path = tmp_path / "cache.jsonl"
    path.write_bytes(BOM + good("a", 1)
                     + b'{"key": "nan", "value": NaN}\n'            # 2: NaN is not JSON
                     + b'{"key": "latin1", "reply": "caf\xe9"}\n'   # 3: not UTF-8
                     + good("b", 2)
                     + b"\n"                                       # 5: blank, not counted
                     + b'{"value": 3}\n'                            # 6: no key
                     + b'{"key": ["a"], "value": 4}\n'              # 7: a key that is no string
                     + b'["key", "a"]\n'                            # 8: not an object
                     + good("a", 5)                                 # 9: the later record wins
                     + b'{"key": "torn", "val')                     # 10: torn by a kill
    with caplog.at_level(logging.WARNING, logger="review_ext.common.jsonl_cache"):
        cache = JsonlCache(path)
    assert cache.records == {"a": {"key": "a", "value": 5}, "b": {"key": "b", "value": 2}}
    assert cache.skipped_lines == 6
    warned = [r.getMessage() for r in caplog.records]
    assert [w.split(": ")[0] for w in warned] == [f"{path}:{n}" for n in (2, 3, 6, 7, 8, 10)]
    assert "NaN is not JSON" in warned[0] and "not UTF-8 (byte 0xe9" in warned[1]
    assert 'without a string "key"' in warned[2] and "malformed JSON" in warned[5]


def test_after_a_torn_last_line_the_next_record_starts_a_fresh_line(tmp_path):
    path = tmp_path / "cache.jsonl"
    path.write_bytes(good("a", 1) + b'{"key": "b", "value"')
    cache = JsonlCache(path)
    assert "a" in cache and "b" not in cache and cache.skipped_lines == 1
    cache.put("b", {"value": 2})
    again = JsonlCache(path)
    assert again.records == {"a": {"key": "a", "value": 1}, "b": {"key": "b", "value": 2}}
    assert again.skipped_lines == 1  # the torn line, still on its own line
    assert path.read_bytes().splitlines()[-1] == b'{"key": "b", "value": 2}'


def test_put_refuses_what_it_could_not_read_back(tmp_path):
    path = tmp_path / "sub" / "cache.jsonl"
    cache = JsonlCache(path)
    cache.put("a", {"score": 1.5, "reply": "café"})
    with pytest.raises(ValueError, match="not JSON compliant"):
        cache.put("b", {"score": float("nan")})
    assert "b" not in cache and len(cache) == 1
    again = JsonlCache(path)
    assert again.records == {"a": {"key": "a", "score": 1.5, "reply": "café"}}
    assert again.skipped_lines == 0


def test_digest_separates_its_parts():
    assert digest("ab", "c") != digest("a", "bc") and len(digest("x")) == 16
