"""Packing never splits a sample; items have XTuner Packer's varlen layout."""
from __future__ import annotations

import random

import pytest

from review_ext.data.packing import concat_bin, pack_dataset, plan_bins, waste_stats


def _check_plan(lengths, bins, capacity):
    members = sorted(i for b in bins for i in b)
    assert members == list(range(len(lengths)))  # every sample in exactly one bin
    assert all(0 < sum(lengths[i] for i in b) <= capacity for b in bins)


@pytest.mark.parametrize("seed", range(5))
def test_plan_bins_invariants_and_bound(seed):
    rng = random.Random(seed)
    capacity = 4096
    lengths = [rng.randint(1, capacity) for _ in range(rng.randint(1, 400))]
    bins = plan_bins(lengths, capacity)
    _check_plan(lengths, bins, capacity)
    # best-fit decreasing uses at most 11/9 OPT + 1 bins, and OPT >= total / capacity
    assert len(bins) <= 11 / 9 * sum(lengths) / capacity + 2


def test_plan_bins_fills_exactly_and_rejects_oversize():
    bins = plan_bins([3, 5, 2, 6, 8], 8)
    assert bins == [[4], [3, 2], [1, 0]]
    assert waste_stats([3, 5, 2, 6, 8], bins, 8) == dict(
        samples=5, bins=3, tokens=24, capacity=24, padding_waste=0.0
    )
    with pytest.raises(ValueError):
        plan_bins([9], 8)
    with pytest.raises(ValueError):
        plan_bins([0], 8)


def test_concat_bin_layout_matches_xtuner_packer():
    """A bin whose samples exactly fill ``chunk_size`` packs as XTuner's Packer packs it."""
    from xtuner.dataset.utils import Packer

    ids = [[1, 5, 6, 2], [1, 7, 2], [1, 8, 9, 9, 2]]
    labels = [[-100, 5, 6, 2], [-100, 7, 2], [-100, -100, 9, 9, 2]]
    ours = concat_bin(ids, labels, use_varlen_attn=True)
    theirs = Packer(chunk_size=12, use_varlen_attn=True)({"input_ids": ids, "labels": labels})
    for key in ("input_ids", "labels", "cumulative_len", "position_ids"):
        assert ours[key] == theirs[key][0], key
    assert ours["length"] == 12
    assert set(concat_bin(ids, labels, use_varlen_attn=False)) == {"input_ids", "labels", "length"}


def _toy_dataset(n=60, max_length=256, seed=0):
    from datasets import Dataset

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        size = rng.randint(4, max_length)
        ids = [i + 3] * size  # sample id written into its tokens
        labels = [-100] * (size // 2) + ids[size // 2:]
        rows.append(dict(input_ids=ids, labels=labels, length=size))
    return Dataset.from_list(rows)


@pytest.mark.parametrize("varlen", [False, True])
def test_pack_dataset_keeps_samples_whole_and_aligned(varlen):
    source = _toy_dataset()
    packed, stats = pack_dataset(
        source, 256, use_varlen_attn=varlen, shuffle=True, seed=1, num_proc=1
    )
    originals = {row["input_ids"][0]: row for row in source}
    seen = []
    for item in packed:
        ids, labels = item["input_ids"], item["labels"]
        assert len(ids) == len(labels) == item["length"] <= 256
        bounds = [0]
        for k in range(1, len(ids) + 1):  # split at sample-id changes
            if k == len(ids) or ids[k] != ids[k - 1]:
                bounds.append(k)
        for lo, hi in zip(bounds, bounds[1:]):
            original = originals[ids[lo]]
            assert ids[lo:hi] == original["input_ids"] and labels[lo:hi] == original["labels"]
            seen.append(ids[lo])
        if varlen:
            assert item["cumulative_len"] == bounds
            assert item["position_ids"] == [
                p for lo, hi in zip(bounds, bounds[1:]) for p in range(hi - lo)
            ]
    assert sorted(seen) == sorted(originals)
    assert stats["samples"] == len(source) and stats["bins"] == len(packed)
    assert stats["tokens"] == sum(source["length"]) == sum(packed["length"])
    assert stats["padding_waste"] == pytest.approx(1 - stats["tokens"] / (256 * len(packed)))


def test_pack_dataset_is_deterministic_per_seed():
    source = _toy_dataset()
    a, _ = pack_dataset(source, 256, seed=3, num_proc=1)
    b, _ = pack_dataset(source, 256, seed=3, num_proc=1)
    c, _ = pack_dataset(source, 256, seed=4, num_proc=1)
    assert a["input_ids"] == b["input_ids"] != c["input_ids"]
