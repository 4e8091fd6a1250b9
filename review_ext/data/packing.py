"""Pack whole samples into bins of ``max_length`` tokens; a sample is never split.

Bins are planned by best-fit decreasing on the sample lengths. A packed item has XTuner
``Packer``'s layout: ``input_ids``, ``labels`` and, with varlen attention,
``cumulative_len`` (``[0, l1, l1+l2, ..., total]``) and ``position_ids`` (restarting
at 0 for each sample); plus ``length``.
"""
from __future__ import annotations

import random
from bisect import bisect_left, insort
from itertools import accumulate, chain


def plan_bins(lengths: list[int], capacity: int) -> list[list[int]]:
    """Sample indices per bin: each index in exactly one bin, each bin's total <= capacity."""
    free: list[tuple[int, int]] = []  # (space left, bin), sorted
    bins: list[list[int]] = []
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        size = lengths[i]
        if not 0 < size <= capacity:
            raise ValueError(f"sample {i} has {size} tokens; bins hold 1..{capacity}")
        k = bisect_left(free, (size, -1))
        if k < len(free):
            space, b = free.pop(k)
        else:
            space, b = capacity, len(bins)
            bins.append([])
        bins[b].append(i)
        if space - size:
            insort(free, (space - size, b))
    return bins


def waste_stats(lengths: list[int], bins: list[list[int]], capacity: int) -> dict:
    """Tokens, bin capacity and the unused (padding) fraction of it."""
    tokens = sum(lengths)
    room = len(bins) * capacity
    return dict(samples=len(lengths), bins=len(bins), tokens=tokens, capacity=room,
                padding_waste=1 - tokens / room if room else 0.0)


def concat_bin(input_ids: list[list[int]], labels: list[list[int]], use_varlen_attn: bool) -> dict:
    """One packed item from the samples of a bin."""
    item = dict(input_ids=list(chain(*input_ids)), labels=list(chain(*labels)))
    item["length"] = len(item["input_ids"])
    if use_varlen_attn:
        sizes = [len(ids) for ids in input_ids]
        item["cumulative_len"] = [0, *accumulate(sizes)]
        item["position_ids"] = [p for n in sizes for p in range(n)]
    return item


def _pack_batch(batch: dict, source, use_varlen_attn: bool) -> dict:
    rows = source[list(chain(*batch["members"]))]
    out: dict[str, list] = {}
    pos = 0
    for members in batch["members"]:
        span = slice(pos, pos + len(members))
        pos = span.stop
        item = concat_bin(rows["input_ids"][span], rows["labels"][span], use_varlen_attn)
        for key, value in item.items():
            out.setdefault(key, []).append(value)
    return out


def pack_dataset(dataset, max_length: int, use_varlen_attn: bool = False, shuffle: bool = True,
                 seed: int = 0, num_proc: int | None = None):
    """Packed ``datasets.Dataset`` of ``dataset`` (``input_ids``, ``labels``, ``length``) and its
    stats.

    With ``shuffle`` the bins come in a seeded random order, else largest first.
    """
    from datasets import Dataset

    lengths = dataset["length"]
    bins = plan_bins(lengths, max_length)
    if shuffle:
        random.Random(seed).shuffle(bins)
    plan = Dataset.from_dict({"members": bins})
    packed = plan.map(
        _pack_batch,
        batched=True,
        batch_size=64,
        remove_columns=["members"],
        fn_kwargs=dict(
            source=dataset.select_columns(["input_ids", "labels"]), use_varlen_attn=use_varlen_attn
        ),
        num_proc=min(num_proc or 1, len(bins)) or None,
        desc="pack",
    )
    return packed, waste_stats(lengths, bins, max_length)
