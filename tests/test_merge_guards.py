"""tools/merge_bf16.sh through its command line: the wrong base, two merges on one OUT, kills,
bad files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safetensors.torch import load_file

from review_ext.checkpoint import artifacts, base_identity
from review_ext.dev.random_adapter import RandomAdapterOptions, write_random_adapter
from review_ext.dev.random_model import Geometry, RandomModelOptions, write_random_model
from tests.helpers import ROOT
from tests.tool_scripts import load_tool

merge_bf16 = load_tool("merge_bf16")

ENV = {**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(ROOT)}
TINY = Geometry()


def tiny(out: Path, seed: int = 0, geometry: Geometry = TINY) -> Path:
    write_random_model(RandomModelOptions(out, geometry, seed=seed, max_shard_size="1MB"))
    return out


def lora_for(base: Path, out: Path, fingerprint: bool = True) -> Path:
    """An adapter whose metadata names ``base`` and (as pth_to_hf records it) its fingerprint."""
    write_random_adapter(RandomAdapterOptions(base, out, r=4))
    meta = {"base_model": str(base), "template": "review_mixtral"}
    if fingerprint:
        meta["base_fingerprint"] = base_identity.fingerprint(base)
    artifacts.write_metadata(out, meta)
    return out


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("guards")
    base = tiny(d / "base")
    return {"dir": d, "base": base, "adapter": lora_for(base, d / "adapter"),
            "other": tiny(d / "other", seed=1),  # same shapes and config, other weights
            "legacy": lora_for(base, d / "legacy", fingerprint=False)}


def merge_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "tools/merge_bf16.sh"), *map(str, args), "--no-progress"],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=cwd,
        timeout=300,
    )


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    """The error of a run that must fail with one line and no traceback."""
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, proc.stderr
    return errors[0]


def test_fingerprint_tells_same_shape_models_apart(models):
    fp = base_identity.fingerprint(models["base"])
    assert fp == base_identity.fingerprint(models["base"])  # stable
    assert fp["sha256"] != base_identity.fingerprint(models["other"])["sha256"]
    copy = models["dir"] / "copy"
    shutil.copytree(models["base"], copy)
    assert base_identity.fingerprint(copy)["sha256"] == fp["sha256"]  # the model, not the path
    assert base_identity.fingerprint(models["dir"] / "nowhere") is None
    assert base_identity.fingerprint("no-such-org/no-such-model") is None


def test_wrong_base_is_refused_and_can_be_forced(models, tmp_path):
    error = one_line_error(
        merge_cli(models["other"], models["adapter"], tmp_path / "out", cwd=tmp_path)
    )
    fp = base_identity.short(base_identity.fingerprint(models["other"]))
    assert str(models["other"]) in error and str(models["base"].resolve()) in error
    assert fp in error and "--allow-base-mismatch" in error
    assert not (tmp_path / "out").exists() and not (tmp_path / "work_dirs").exists()

    proc = merge_cli(
        models["other"], models["adapter"], tmp_path / "out", "--allow-base-mismatch", cwd=tmp_path
    )
    assert proc.returncode == 0 and "merging anyway" in proc.stderr
    assert artifacts.read_metadata(tmp_path / "out")["merge"]["base_fingerprint"][
        "sha256"
    ].startswith(fp)


def test_already_merged_base_is_refused(models, tmp_path):
    merged = tmp_path / "merged"
    proc = merge_cli(models["adapter"], merged, cwd=tmp_path)  # base from the metadata
    assert proc.returncode == 0, proc.stderr
    recorded = artifacts.read_metadata(merged)["merge"]["base_fingerprint"]
    assert recorded == base_identity.fingerprint(models["base"])
    # the case: the merged folder passed as the base of its own adapter (delta applied
    # twice)
    error = one_line_error(merge_cli(merged, models["adapter"], tmp_path / "twice", cwd=tmp_path))
    assert "already has adapter" in error and str(models["adapter"].resolve()) in error
    # an adapter with no fingerprint (older pth_to_hf) is still refused on a merged base
    error = one_line_error(merge_cli(merged, models["legacy"], tmp_path / "twice", cwd=tmp_path))
    assert "already has adapter" in error and "merging would add a second delta" in error
    # ...and merges into an unmerged base with a warning that it could not check
    proc = merge_cli(models["base"], models["legacy"], tmp_path / "legacy", cwd=tmp_path)
    assert proc.returncode == 0 and "cannot check" in proc.stderr
    assert not (tmp_path / "twice").exists()
    # an adapter trained on the merged model itself (its fingerprint recorded) merges into it
    second = lora_for(merged, tmp_path / "second")
    proc = merge_cli(merged, second, tmp_path / "stacked", cwd=tmp_path)
    assert proc.returncode == 0 and "warning" not in proc.stderr, proc.stderr


def test_success_points_last_model_at_out(models, tmp_path):
    out = tmp_path / "merged"
    assert merge_cli(models["adapter"], out, cwd=tmp_path).returncode == 0
    pointer = json.loads((tmp_path / artifacts.LAST_MODEL_FILE).read_text())
    assert pointer == {"path": str(out.resolve()), "written_by": "tools/merge_bf16.py"}


def staging_of(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.tmp-*"))


def start_and_stop_mid_merge(base: Path, adapter: Path, out: Path) -> subprocess.Popen:
    """A real merge, SIGSTOPped once it has written a shard into its staging folder."""
    proc = subprocess.Popen(
        [
            "bash",
            str(ROOT / "tools/merge_bf16.sh"),
            str(base),
            str(adapter),
            str(out),
            "--no-progress",
        ],
        env=ENV,
        cwd=out.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if any(p.suffix == ".safetensors" for s in staging_of(out) for p in s.iterdir()):
            proc.send_signal(signal.SIGSTOP)
            return proc
        time.sleep(0.002)
    proc.kill()
    pytest.fail(f"the merge ended (rc {proc.poll()}) before it could be stopped mid-run")


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """A base big enough (~50 MB, 50 shards) that a merge can be caught mid-run."""
    d = tmp_path_factory.mktemp("wide")
    base = tiny(d / "base", geometry=Geometry(layers=4, hidden=256, intermediate=512))
    return base, lora_for(base, d / "adapter")


def test_second_merge_into_one_out_is_refused_and_a_killed_one_is_cleaned(wide, tmp_path):
    base, adapter = wide
    out = tmp_path / "merged"
    first = start_and_stop_mid_merge(base, adapter, out)
    try:
        error = one_line_error(merge_cli(base, adapter, out, "--force", cwd=tmp_path))
        assert f"in use by another run (pid {first.pid}" in error
    finally:
        first.send_signal(signal.SIGKILL)  # a kill -9 mid-merge: its staging folder stays behind
        first.wait()
    stale = staging_of(out)
    assert len(stale) == 1 and not out.exists()

    proc = merge_cli(base, adapter, out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"removed {stale[0]}" in proc.stderr and not staging_of(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "merged",
        "work_dirs",
    ]  # no lock, no staging
    index = json.loads((out / "model.safetensors.index.json").read_text())
    names = {n for shard in set(index["weight_map"].values()) for n in load_file(out / shard)}
    assert names == set(index["weight_map"])


def test_two_simultaneous_merges_one_wins(wide, tmp_path):
    base, adapter = wide
    out = tmp_path / "merged"
    cmd = [
        "bash",
        str(ROOT / "tools/merge_bf16.sh"),
        str(base),
        str(adapter),
        str(out),
        "--no-progress",
    ]
    procs = [
        subprocess.Popen(cmd, env=ENV, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert sorted(rc for rc, _ in results) == [0, 1], results
    loser = next(err for rc, err in results if rc == 1)
    assert "in use by another run" in loser or "exists; use --force" in loser
    assert not staging_of(out) and (out / "model.safetensors.index.json").is_file()


# ------------------------------------------------------------------ bad inputs: one line each
def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def first_shard(folder: Path) -> Path:
    return sorted(folder.glob("*.safetensors"))[0]


BAD_INPUTS = {  # case -> (what to break, args given as (base, adapter), words the error must hold)
    "truncated base shard": (lambda b, a: truncate(first_shard(b)), "truncated"),
    "base shard cut inside its header": (
        lambda b, a: truncate(first_shard(b), 0.00001),
        "no complete header",
    ),
    "truncated adapter weights": (
        lambda b, a: truncate(a / "adapter_model.safetensors"),
        "truncated",
    ),
    "adapter_config.json cut short": (
        lambda b, a: truncate(a / "adapter_config.json", 0.6),
        "invalid JSON",
    ),
    "adapter_config.json without r": (
        lambda b, a: (a / "adapter_config.json").write_text(
            json.dumps(
                {
                    k: v
                    for k, v in json.loads((a / "adapter_config.json").read_text()).items()
                    if k != "r"
                }
            )
        ),
        "field 'r'",
    ),
    "review_suite.json broken": (
        lambda b, a: truncate(a / "review_suite.json", 0.5),
        "not valid JSON",
    ),
    "base config.json broken": (lambda b, a: truncate(b / "config.json", 0.5), "config.json"),
    "shard index broken": (
        lambda b, a: truncate(b / "model.safetensors.index.json", 0.5),
        "shard index",
    ),
    "base is a file": (
        lambda b, a: (shutil.rmtree(b), b.write_text("x")),
        "is a file, not a folder",
    ),
    "base missing": (lambda b, a: shutil.rmtree(b), "does not exist"),
    "adapter is a file": (
        lambda b, a: (shutil.rmtree(a), a.write_text("x")),
        "is a file, not a folder",
    ),
    "adapter missing": (lambda b, a: shutil.rmtree(a), "does not exist"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_inputs_get_a_one_line_error(case, models, tmp_path):
    base, adapter = tmp_path / "base", tmp_path / "adapter"
    shutil.copytree(models["base"], base)
    shutil.copytree(models["adapter"], adapter)
    artifacts.write_metadata(adapter, {**artifacts.read_metadata(adapter), "base_model": str(base)})
    breaker, words = BAD_INPUTS[case]
    breaker(base, adapter)
    with pytest.raises(SystemExit) as e:
        merge_bf16.main([str(base), str(adapter), str(tmp_path / "out"), "--no-progress"])
    message = str(e.value)
    assert message.startswith("merge_bf16: error: ") and "\n" not in message and words in message, (
        message
    )
    assert not (tmp_path / "out").exists() and not staging_of(tmp_path / "out")


def test_out_that_is_a_file_is_refused(models, tmp_path):
    (tmp_path / "out").write_text("keep me")
    error = one_line_error(
        merge_cli(models["base"], models["adapter"], tmp_path / "out", "--force", cwd=tmp_path)
    )
    assert (
        "is a file, not an output folder" in error and (tmp_path / "out").read_text() == "keep me"
    )


# ------------------------------------------------------------------ nothing an input is lost
def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_force_never_deletes_a_folder_holding_the_inputs(models, tmp_path):
    """The issue's case: ``merge nest/base nest/lora nest --force`` deleted both and exited 0."""
    nest = tmp_path / "nest"
    shutil.copytree(models["base"], nest / "base")
    shutil.copytree(models["adapter"], nest / "lora")
    before = tree(nest)
    error = one_line_error(merge_cli(nest / "base", nest / "lora", nest, "--force", cwd=tmp_path))
    assert f"the output {nest} holds the base {nest / 'base'}" in error, error
    error = one_line_error(merge_cli(nest / "base", nest / "lora", nest / "lora", "--force",
                                     cwd=tmp_path))
    assert "is the adapter itself" in error, error
    assert tree(nest) == before and not staging_of(nest)


def test_force_replaces_only_a_folder_an_earlier_merge_wrote(models, tmp_path):
    out = tmp_path / "merged"
    assert merge_cli(models["adapter"], out, cwd=tmp_path).returncode == 0
    assert merge_cli(models["adapter"], out, "--force", cwd=tmp_path).returncode == 0
    (out / "notes.txt").write_text("mine")
    error = one_line_error(merge_cli(models["adapter"], out, "--force", cwd=tmp_path))
    assert "holds notes.txt, not written by this command" in error and "--force" in error
    assert (out / "notes.txt").read_text() == "mine"
    other = tmp_path / "other"  # a folder no merge wrote, e.g. a model folder of its own
    shutil.copytree(models["other"], other)
    before = tree(other)
    error = one_line_error(merge_cli(models["adapter"], other, "--force", cwd=tmp_path))
    assert "not written by this command" in error and tree(other) == before


def poisoned(adapter: Path, out: Path, value: float, everywhere: bool = False) -> Path:
    """A copy of ``adapter`` whose first lora_B holds ``value`` once (or ``everywhere``)."""
    from safetensors.torch import save_file

    shutil.copytree(adapter, out)
    tensors = load_file(out / "adapter_model.safetensors")
    key = next(k for k in sorted(tensors) if "lora_B" in k)
    tensors[key] = tensors[key].float()
    if everywhere:
        tensors[key].fill_(value)
    else:
        tensors[key].view(-1)[0] = value
    save_file(tensors, out / "adapter_model.safetensors")
    return out


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_non_finite_adapter_fails_the_merge(models, tmp_path, value):
    adapter = poisoned(models["adapter"], tmp_path / "adapter", value)
    error = one_line_error(merge_cli(models["base"], adapter, tmp_path / "out", cwd=tmp_path))
    assert "NaN or infinite values" in error and "lora_B" in error, error
    assert not (tmp_path / "out").exists() and not staging_of(tmp_path / "out")


def test_a_merge_that_overflows_fails(models, tmp_path):
    """A finite adapter whose delta overflows bf16: the merged tensor is infinite, the merge fails
    and leaves nothing (it used to write inf weights and exit 0)."""
    adapter = poisoned(models["adapter"], tmp_path / "adapter", 3e38, everywhere=True)
    error = one_line_error(merge_cli(models["base"], adapter, tmp_path / "out", cwd=tmp_path))
    assert "NaN or infinite values after the merge" in error, error
    assert not (tmp_path / "out").exists() and not staging_of(tmp_path / "out")
