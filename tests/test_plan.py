"""review_ext.train.plan: calibrated on the measured full-depth runs, it predicts the depths it was
not fitted on (the runs that ran, and the ones that ran out of memory); its modelled parts follow
their formulas; bad input is one clear error."""
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
V2_OOM = {("v2", "deepspeed_zero2", 32), ("v2", "deepspeed_zero3", 32)}  # one H200, 39 GiB cap


def test_points_are_the_raw_measurements():
    """plan_points.jsonl is what benchmarks/gpu/plan_points.py distils from the calls' raw files."""
    raw = sorted((ROOT / "benchmarks/gpu/results").glob("full_depth_call*/summary.jsonl"))
    assert len(raw) >= 3
    expected = [p for path in raw for p in plan_points.rows(path, 5, ROOT)]
    stored = [json.loads(line) for line in P.POINTS.read_text().splitlines()]
    assert stored == expected
    depths = {}
    for p in P.read_points():
        depths.setdefault((p.recipe, p.setup), set()).add(p.layers)
    assert depths[("v2", "deepspeed_zero3")] == {2, 8}
    assert depths[("v2", "deepspeed_zero2")] == {2, 8}
    assert {(b.recipe, b.setup, b.layers) for b in P.read_bounds()} == V2_OOM


def test_plan_points_turns_an_out_of_memory_run_into_a_bound(tmp_path, capsys):
    """No iterations, then a "peaks" line with a CUDA out-of-memory: a bound row; a run with
    neither iterations nor an out-of-memory is left out and named."""
    oom = ("[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate {}. GPU 0 has "
           "a total capacity of 139.80 GiB of which 99.79 GiB is free. 39.00 GiB allowed; ...")
    peaks = [{"pid": 2, "rank": "0", "cap_gib": 39.0, "max_allocated_gib": 0.0},
             {"pid": 1, "rank": "0", "cap_gib": 39.0, "max_allocated_gib": 37.662}]
    summary = tmp_path / "summary.jsonl"
    summary.write_text("\n".join(json.dumps(row) for row in [
        {"run": "v2_16k_z2_L32", "error": "no iterations logged"},
        {"run": "v2_16k_z2_L32", "peaks": peaks, "oom": oom.format("896.00 MiB"), "oom_at": []},
        {"run": "v2_16k_z3_L32", "error": "no iterations logged"},
        {"run": "v2_16k_z3_L32", "peaks": peaks, "oom": oom.format("1.29 GiB")},
        {"run": "v1_8k_z2_L8", "error": "no iterations logged"},
        {"run": "v1_8k_z2_L8", "peaks": peaks, "oom": None, "oom_at": []},
        {"run": "v2_16k_z2_L8", "skipped": "7 s left, 100 s needed"}]) + "\n")
    rows = plan_points.rows(summary, 5, tmp_path)
    assert rows == [
        {"recipe": "v2", "setup": "deepspeed_zero2", "layers": 32, "max_length": 16384,
         "oom_above_gib": 38.537, "cap_gib": 39.0, "source": "summary.jsonl:2"},
        {"recipe": "v2", "setup": "deepspeed_zero3", "layers": 32, "max_length": 16384,
         "oom_above_gib": 38.952, "cap_gib": 39.0, "source": "summary.jsonl:4"}]
    assert "summary.jsonl:5: v1_8k_z2_L8: no iterations" in capsys.readouterr().err
    stored = tmp_path / "points.jsonl"
    stored.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert P.read_points(stored) == [] and [b.peak_gib for b in P.read_bounds(stored)] == [39, 39]


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


def test_held_out_out_of_memory_runs_are_predicted_not_to_fit():
    """Fitted on 2 and 8 layers, the one-GPU peak at 32 layers does not fit the 39 GiB cap the
    v2 runs (ZeRO-2 and ZeRO-3) ran out of memory under."""
    calibration = P.calibrate(P.read_points(), layers=FIT_ON)
    bounds = {(b.recipe, b.setup, b.layers): b for b in P.read_bounds()}
    assert set(bounds) == V2_OOM
    for setup in ("deepspeed_zero2", "deepspeed_zero3"):
        bound = bounds["v2", setup, 32]
        predicted = calibration.memory["v2", setup](32)
        assert predicted + P.HEADROOM_GIB > bound.cap_gib == 39.0
        assert predicted > bound.oom_above_gib


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
    """v2 on one 40 GiB card: ZeRO-2 and ZeRO-3 ran out of memory there, offload fits. On eight,
    ZeRO-3 shards the nf4 weights and fits; ZeRO-2 keeps the whole nf4 model on each GPU and
    does not."""
    options = P.PlanOptions(ROOT / "xtuner_configs/v2.py", real_data / "train.json",
                            P.Hardware(1, 40))
    one = P.make_plan(options, tokenizer)
    by_setup = {s.setup: s for s in one.setups}
    assert list(by_setup) == list(P.SETUPS)
    assert by_setup["deepspeed_zero2"].fits is False and by_setup["deepspeed_zero3"].fits is False
    zero2 = by_setup["deepspeed_zero2"]
    assert zero2.peak_gib == pytest.approx(
        P.calibrate(P.read_points()).memory["v2", "deepspeed_zero2"](32))
    assert not zero2.peak_is_lower_bound and zero2.tokens_per_s > 0
    assert one.best is by_setup["deepspeed_zero3_offload"] and one.best.fits
    text = P.render(one)
    assert "fastest that fits: deepspeed_zero3_offload" in text
    assert "out of memory measured on one GPU at 32 layers: needs more than 40 GiB" in text
    assert [line.split()[1:] for line in text.splitlines()
            if line.startswith("deepspeed_zero2 ")][0][:2] == [f"{zero2.peak_gib:.1f}", "no"]

    eight = P.make_plan(replace(options, hardware=P.Hardware(8, 40, card="a100")), tokenizer)
    by_setup = {s.setup: s for s in eight.setups}
    geometry, recipe = P.mixtral_8x7b(), one.recipe
    sharded = (P.nf4_weight_bytes(geometry) + 16 * P.lora_parameters(
        geometry, recipe.lora_r, recipe.lora_targets)) * 7 / 8 - 2 * P.moe_block_bytes(geometry)
    zero3 = by_setup["deepspeed_zero3"]
    assert zero3.peak_gib == pytest.approx(
        P.calibrate(P.read_points()).memory["v2", "deepspeed_zero3"](32) - sharded / P.GIB)
    assert zero3.fits and eight.best is zero3
    assert by_setup["deepspeed_zero2"].fits is False and eight.best.hours_total < by_setup[
        "deepspeed_zero3_offload"].hours_total
    text = P.render(eight)
    assert "fastest that fits: deepspeed_zero3\n" in text and "partition" in text
    tiny = P.make_plan(replace(options, hardware=P.Hardware(8, 10)), tokenizer)
    assert tiny.best is None and "no setup fits" in P.render(tiny)


def test_a_bound_above_the_fit_raises_the_peak(shape):
    """A fitted one-GPU peak below a measured out-of-memory bound gives way to the bound."""
    recipe = P.read_recipe(ROOT / "xtuner_configs/v2.py")
    high = P.Bound("v2", "deepspeed_zero3", 32, 16384, oom_above_gib=70.0, cap_gib=79.0)
    calibration = P.calibrate(P.read_points(), bounds=[high])
    fitted = calibration.memory["v2", "deepspeed_zero3"](32)
    assert fitted < 79.0
    on = [P.plan_setup("deepspeed_zero3", recipe, shape, P.Hardware(1, gib), calibration,
                       P.mixtral_8x7b()) for gib in (80, 80.5)]
    assert [s.peak_gib for s in on] == [79.0, 79.0] and [s.fits for s in on] == [False, True]
    assert "below the out-of-memory bound: the bound is used" in "; ".join(on[0].notes)


def test_bad_inputs_are_one_clear_error(tmp_path, real_data, tokenizer):
    with pytest.raises(P.PlanError, match="full fine-tune is not calibrated"):
        P.read_recipe(ROOT / "xtuner_configs/v3.py")
    bad = tmp_path / "points.jsonl"
    bad.write_text(P.POINTS.read_text().splitlines()[0] + '\n{"recipe": "v1"}\n')
    with pytest.raises(P.PlanError, match=r"points.jsonl:2: not a measured point"):
        P.read_points(bad)
    bad.write_text('{"recipe": "v2", "oom_above_gib": 38.5}\n')
    with pytest.raises(P.PlanError, match=r"points.jsonl:1: not a measured bound"):
        P.read_bounds(bad)
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
