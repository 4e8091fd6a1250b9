"""review_ext.train.plan: calibrated on the measured full-depth runs, it predicts the depths it was
not fitted on; its modelled parts follow their formulas; bad input is one clear error."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from dataclasses import replace

import pytest

from review_ext.train import plan as P
from tests.helpers import ROOT

_spec = importlib.util.spec_from_file_location("plan_points",
                                               ROOT / "benchmarks/gpu/plan_points.py")
plan_points = importlib.util.module_from_spec(_spec)  # raw summaries -> the planner's points
_spec.loader.exec_module(plan_points)

FIT_ON = (2, 8)
HELD_OUT = {("v1", "deepspeed_zero2", 32), ("v2", "deepspeed_zero3_offload", 32)}


def test_points_are_the_raw_measurements():
    """plan_points.jsonl is what benchmarks/gpu/plan_points.py distils from the calls' raw files."""
    raw = sorted((ROOT / "benchmarks/gpu/results").glob("full_depth_call*/summary.jsonl"))
    assert len(raw) >= 3
    expected = [p for path in raw for p in plan_points.points(path, 5, ROOT)]
    stored = [json.loads(line) for line in P.POINTS.read_text().splitlines()]
    assert stored == expected


def test_held_out_depths_are_predicted_within_15_percent():
    """Fitted on 2 and 8 layers, the model predicts the measured 32-layer runs (named above)."""
    points = P.read_points()
    calibration = P.calibrate(points, layers=FIT_ON)
    held_out = [p for p in points if p.layers not in FIT_ON]
    assert {(p.recipe, p.setup, p.layers) for p in held_out} == HELD_OUT
    for p in held_out:
        key = (p.recipe, p.setup)
        memory = calibration.memory[key](p.layers)
        seconds = calibration.seconds[key](p.layers)
        assert abs(memory / p.peak_gib - 1) <= 0.15, (key, memory, p.peak_gib)
        assert abs(seconds / p.s_per_token - 1) <= 0.15, (key, seconds, p.s_per_token)


def test_lora_and_nf4_arithmetic():
    geometry = P.mixtral_8x7b()
    assert P.lora_parameters(geometry, 64, tuple(P.read_recipe(ROOT / "xtuner_configs/v2.py")
                                                 .lora_targets)) == 960_495_616
    # the nf4 folder written on the H200: 22.81 GiB for 32 layers (full_depth_call2/builds.jsonl)
    build = json.loads((ROOT / "benchmarks/gpu/results/full_depth_call2/builds.jsonl")
                       .read_text().splitlines()[0])
    assert build["layers"] == 32
    assert abs(P.nf4_weight_bytes(geometry) / P.GIB / build["disk_gib"] - 1) < 0.01


@pytest.fixture(scope="module")
def shape(real_data, tokenizer):
    return P.data_shape(real_data / "train.json", 16384, "v2", tokenizer)


def test_data_shape_counts_real_tokens(shape, real_data, tokenizer):
    records = json.loads((real_data / "train.json").read_text())
    assert shape.samples == len(records) and 0 < shape.bins <= shape.samples
    assert shape.tokens <= shape.bins * 16384
    first = records[0]["conversation"][0]
    assert len(tokenizer(first["output"], add_special_tokens=False)["input_ids"]) > 100
    small = P.data_shape(real_data / "train.json", 4096, "v2", tokenizer)
    assert small.capped > shape.capped and small.tokens < shape.tokens


def test_plan_models_zero_partitions(shape):
    recipe = P.read_recipe(ROOT / "xtuner_configs/v2.py")
    calibration = P.calibrate(P.read_points())
    geometry = P.mixtral_8x7b()
    one = P.plan_setup("deepspeed_zero3_offload", recipe, shape, P.Hardware(1, 40),
                       calibration, geometry)
    eight = P.plan_setup("deepspeed_zero3_offload", recipe, shape, P.Hardware(8, 40),
                         calibration, geometry)
    assert eight.peak_gib == pytest.approx(one.peak_gib)  # offload: the one-GPU peak
    gathers = 3 * P.nf4_weight_bytes(geometry) * 7 / 8 / P.Hardware(8, 40).link
    assert eight.hours_per_epoch == pytest.approx(one.hours_per_epoch / 8 * (
        1 + gathers / (one.hours_per_epoch * 3600 / shape.bins)))
    v1 = P.read_recipe(ROOT / "xtuner_configs/v1.py")
    z2 = [P.plan_setup("deepspeed_zero2", v1, shape, P.Hardware(n, 80), calibration, geometry)
          for n in (1, 4)]
    saved = 14 * P.lora_parameters(geometry, v1.lora_r, v1.lora_targets) * 3 / 4 / P.GIB
    assert z2[0].peak_gib - z2[1].peak_gib == pytest.approx(saved)
    slow = P.plan_setup("deepspeed_zero2", v1, shape, P.Hardware(1, 80, card="a100"),
                        calibration, geometry)
    assert slow.hours_per_epoch == pytest.approx(z2[0].hours_per_epoch * 989 / 312)
    assert not P.plan_setup("deepspeed_zero2", v1, shape, P.Hardware(1, z2[0].peak_gib + 0.5),
                            calibration, geometry).fits  # 1 GiB headroom


def test_make_plan_names_the_fastest_that_fits(real_data, tokenizer):
    options = P.PlanOptions(ROOT / "xtuner_configs/v2.py", real_data / "train.json",
                            P.Hardware(8, 40, card="a100"))
    plan = P.make_plan(options, tokenizer)
    assert [s.setup for s in plan.setups] == ["deepspeed_zero3_offload"]
    assert plan.best is plan.setups[0] and plan.best.fits
    text = P.render(plan)
    assert "fastest that fits: deepspeed_zero3_offload" in text and "modelled" in text
    tiny = P.make_plan(replace(options, hardware=P.Hardware(8, 10)), tokenizer)
    assert tiny.best is None and "no setup fits" in P.render(tiny)


def test_bad_inputs_are_one_clear_error(tmp_path, real_data, tokenizer):
    with pytest.raises(P.PlanError, match="full fine-tune is not calibrated"):
        P.read_recipe(ROOT / "xtuner_configs/v3.py")
    bad = tmp_path / "points.jsonl"
    bad.write_text(P.POINTS.read_text().splitlines()[0] + '\n{"recipe": "v1"}\n')
    with pytest.raises(P.PlanError, match=r"points.jsonl:2: not a measured point"):
        P.read_points(bad)
    rows = tmp_path / "rows.json"
    rows.write_text('[{"conversation": []}]')
    with pytest.raises(P.PlanError, match="record 1 has no conversation"):
        P.data_shape(rows, 8192, "v1", tokenizer)
    with pytest.raises(P.PlanError, match="unknown card"):
        P.Hardware(card="tpu")
    result = subprocess.run([sys.executable, "-m", "review_ext.train.plan", "xtuner_configs/v3.py",
                             "--data", str(real_data / "train.json")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("plan: error: ")


def test_help():
    result = subprocess.run([sys.executable, "-m", "review_ext.train.plan", "--help"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "--gpu-memory" in result.stdout
    assert "measured" in result.stdout and "modelled" in result.stdout
