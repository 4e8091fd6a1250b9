"""The training dataset builder (``train_dataset.type`` in the XTuner configs).

Plays the role of ``xtuner.dataset.process_hf_dataset`` for paper -> review data: loads
XTuner conversation JSON/JSONL, encodes each record within ``max_length`` with
:func:`review_ext.data.encode.encode_fn` (the paper trimmed, never the labels silently cut),
logs an account of every record, and packs whole samples (:mod:`review_ext.data.packing`).
A rated recipe (``rating=True``) trains the ``[Rating]`` block of every row with a rating
and counts the rows without one.
"""
from __future__ import annotations

import inspect
import logging
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from review_ext.data.encode import encode_fn
from review_ext.data.packing import pack_dataset
from review_ext.data.template import DEFAULT_TEMPLATE

ACCOUNT_COLUMNS = ["drop_reason", "paper_trimmed", "review_trimmed", "paper_tokens_cut",
                   "review_tokens_cut", "rated", "unrated"]


@dataclass
class Account:
    """Where every record went: kept (some trimmed) or dropped, with the reason."""

    records: int = 0
    kept: int = 0
    paper_trimmed: int = 0
    review_trimmed: int = 0
    paper_tokens_cut: int = 0
    review_tokens_cut: int = 0
    rating_blocks: int = 0  # kept samples with a [Rating] block (rated recipes)
    unrated: int = 0  # kept samples of a rated recipe whose row has no rating: no block
    dropped: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, encoded) -> "Account":
        cols = encoded.select_columns(ACCOUNT_COLUMNS).to_dict()
        drops = Counter(r for r in cols["drop_reason"] if r)
        sums = {name: sum(cols[name]) for name in ACCOUNT_COLUMNS[1:]}
        return cls(records=len(encoded), kept=len(encoded) - sum(drops.values()),
                   paper_trimmed=sums["paper_trimmed"], review_trimmed=sums["review_trimmed"],
                   paper_tokens_cut=sums["paper_tokens_cut"],
                   review_tokens_cut=sums["review_tokens_cut"], rating_blocks=sums["rated"],
                   unrated=sums["unrated"], dropped=dict(sorted(drops.items())))

    def __str__(self) -> str:
        drops = ", ".join(f"{n} {r}" for r, n in self.dropped.items()) or "none"
        rated = (f"; {self.rating_blocks} with a [Rating] block, {self.unrated} without a rating "
                 "(no block)") if self.rating_blocks or self.unrated else ""
        return (f"{self.records} records: {self.kept} kept ({self.paper_trimmed} paper trimmed, "
                f"{self.paper_tokens_cut} paper tokens cut; {self.review_trimmed} review trimmed, "
                f"{self.review_tokens_cut} review tokens cut{rated}); dropped: {drops}")


def _features():
    from datasets import Features, Sequence, Value

    return Features(input_ids=Sequence(Value("int32")), labels=Sequence(Value("int32")),
                    length=Value("int32"), drop_reason=Value("string"),
                    paper_trimmed=Value("bool"), review_trimmed=Value("bool"),
                    paper_tokens_cut=Value("int32"), review_tokens_cut=Value("int32"),
                    rated=Value("bool"), unrated=Value("bool"))


def _fingerprint(records, fn_kwargs: dict) -> str:
    """Cache key of the encode map: the data, its arguments and the encoding code itself
    (``datasets`` hashes module functions by name, so edits to helpers would reuse stale caches)."""
    from datasets.fingerprint import Hasher

    from review_ext.data import encode, template
    from review_ext.formats import rating, venues

    code = [inspect.getsource(m) for m in (encode, template, rating, venues)]
    return Hasher.hash([records._fingerprint, code, fn_kwargs])


def encode_dataset(records, tokenizer, max_length: int, system: str | None = None,
                   num_proc: int | None = None, template: str = DEFAULT_TEMPLATE,
                   rating: bool = False):
    """Encoded kept samples (``input_ids``, ``labels``, ``length``) and the :class:`Account`.

    ``rating``: train the ``[Rating]`` block; ValueError when no record has a rating to train.
    """
    fn_kwargs = dict(tokenizer=tokenizer, max_length=max_length, system=system, template=template,
                     rating=rating)
    encoded = records.map(
        encode_fn,
        fn_kwargs=fn_kwargs,
        remove_columns=records.column_names,
        features=_features(),
        new_fingerprint=_fingerprint(records, fn_kwargs),
        num_proc=min(num_proc or 1, len(records)) or None,
        desc="encode",
    )
    account = Account.of(encoded)
    if rating and len(records) and not account.rating_blocks:
        raise ValueError(f"rating = True but none of the {len(records)} records has a usable "
                         f"'rating' ({account}); convert the data with data_conversion, which "
                         "writes each review's rating, confidence and venue")
    kept = encoded.filter(lambda reason: not reason, input_columns="drop_reason")
    return kept.remove_columns(ACCOUNT_COLUMNS), account


def _build(data_path, tokenizer, max_length, system, template, pack_to_max_length,
           use_varlen_attn, shuffle, seed, num_proc, rating):
    from datasets import load_dataset
    from mmengine import print_log
    from mmengine.config import Config
    from xtuner.registry import BUILDER

    if isinstance(tokenizer, (dict, Config)):  # ConfigDict is a dict
        tokenizer = BUILDER.build(tokenizer)
    records = load_dataset("json", data_files=data_path, split="train")
    dataset, account = encode_dataset(records, tokenizer, max_length, system, num_proc, template,
                                      rating)
    print_log(f"review dataset ({max_length} tokens): {account}", logger="current",
              level=logging.WARNING if account.dropped or account.unrated else logging.INFO)
    packing = None
    if pack_to_max_length and len(dataset):
        dataset, packing = pack_dataset(dataset, max_length, use_varlen_attn, shuffle, seed,
                                        num_proc)
        print_log(f"packed {packing['samples']} samples into {packing['bins']} bins of "
                  f"{max_length} tokens, padding waste {packing['padding_waste']:.2%}",
                  logger="current")
    elif shuffle:
        dataset = dataset.shuffle(seed=seed).flatten_indices()
    dataset.account, dataset.packing = asdict(account), packing
    dataset.length = dataset["length"]  # for XTuner's LengthGroupedSampler
    return dataset


def build_review_dataset(data_path, tokenizer, max_length: int, system: str | None = None,
                         template: str = DEFAULT_TEMPLATE, pack_to_max_length: bool = True,
                         use_varlen_attn: bool = False, shuffle: bool = True, seed: int = 0,
                         num_proc: int | None = None, rating: bool = False):
    """Build the paper -> review training set from XTuner conversation JSON/JSONL.

    ``data_path``: a file or list of files of ``{"conversation": [{system, input, output}]}``
    records. ``tokenizer``: a tokenizer or its mmengine config dict. ``system``: a preset
    name or text overriding each record's system. ``template``: a name of
    ``review_ext.data.template.TEMPLATES`` (the recipe's ``prompt_template``). ``rating``:
    train the ``[Rating]`` block from each row's ``rating``, ``confidence`` and ``venue``
    (the recipe's ``rating``; rows without a rating get none, counted). Each item has
    ``input_ids``, ``labels``, ``length`` (and ``cumulative_len``/``position_ids`` with
    ``use_varlen_attn``); the dataset carries ``.account`` and ``.packing`` (padding waste). Under
    ``torch.distributed`` rank 0 builds and broadcasts, as ``process_hf_dataset`` does.
    """
    if use_varlen_attn and not pack_to_max_length:
        raise ValueError("use_varlen_attn needs pack_to_max_length=True")
    kwargs = dict(data_path=data_path, tokenizer=tokenizer, max_length=max_length, system=system,
                  template=template, pack_to_max_length=pack_to_max_length,
                  use_varlen_attn=use_varlen_attn, shuffle=shuffle, seed=seed,
                  num_proc=num_proc or min(32, os.cpu_count() or 1), rating=rating)
    from torch import distributed as dist

    if not (dist.is_available() and dist.is_initialized()):
        return _build(**kwargs)
    timeout = timedelta(minutes=int(os.getenv("XTUNER_DATASET_TIMEOUT", default=60)))
    group = dist.new_group(backend="gloo", timeout=timeout)
    objects = [_build(**kwargs) if dist.get_rank() == 0 else None]
    dist.monitored_barrier(group=group, timeout=timeout)
    dist.broadcast_object_list(objects, src=0)
    return objects[0]
