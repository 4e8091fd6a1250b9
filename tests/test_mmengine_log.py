"""A work dir's ``vis_data/scalars.json`` is read in one place: the last run, strictly."""
import json

import pytest

from review_ext.common.jsonl import BadJson
from review_ext.train.mmengine_log import latest_scalars, read_scalars, train_records


def write_run(work_dir, stamp, lines):
    vis = work_dir / stamp / "vis_data"
    vis.mkdir(parents=True)
    (vis / "scalars.json").write_text("".join(line + "\n" for line in lines))
    return work_dir / stamp


def test_the_last_run_and_its_training_records(tmp_path):
    write_run(tmp_path, "20260101_000000", [json.dumps({"loss": 9.0, "step": 1})])
    write_run(tmp_path, "20260102_000000", [json.dumps({"loss": 2.0, "step": 1}), "",
                                             json.dumps({"mode": "val", "step": 1}),
                                             json.dumps({"loss": 1.5, "step": 2})])
    records = latest_scalars(tmp_path)
    assert len(records) == 3  # the blank line skipped, the validation record kept
    assert [r["loss"] for r in train_records(records)] == [2.0, 1.5]


def test_a_bad_line_names_file_and_line(tmp_path):
    run = write_run(tmp_path, "20260101_000000", [json.dumps({"loss": 1.0}), '{"loss": 2.'])
    with pytest.raises(BadJson, match=r"vis_data/scalars.json:2: "):
        read_scalars(run)


def test_a_work_dir_without_runs_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no \*/vis_data/scalars.json"):
        latest_scalars(tmp_path)
