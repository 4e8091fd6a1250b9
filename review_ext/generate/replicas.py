"""Model replicas that each span several GPUs (``tools/infer.py --gpus-per-replica N``).

A bf16 Mixtral (93 GB) does not fit one 40 GB GPU. With ``N`` GPUs per replica, torchrun
starts one process per replica (``--nproc-per-node GPUs/N``); the process of local rank
``r`` takes GPUs ``r*N .. r*N+N-1`` and spreads the decoder layers evenly over them
(embeddings on the first, the final norm and ``lm_head`` on the last). Replicas share
the test set exactly as one-GPU ranks do.
"""
from __future__ import annotations

import logging

from review_ext.common.errors import ReviewSuiteError

log = logging.getLogger(__name__)


def replica_gpus(local_rank: int, gpus_per_replica: int, visible: int) -> list[int]:
    """The GPU indices of replica ``local_rank``; :class:`ReviewSuiteError` when there are too
    few."""
    if gpus_per_replica < 1:
        raise ReviewSuiteError(f"`gpus_per_replica` must be >= 1, not {gpus_per_replica}")
    first = local_rank * gpus_per_replica
    if first + gpus_per_replica > visible:
        raise ReviewSuiteError(
            f"replica {local_rank} needs GPUs {first}..{first + gpus_per_replica - 1} but "
            f"{visible} are visible: start {visible // gpus_per_replica or 1} process(es) per "
            "node, or lower `gpus_per_replica`")
    return list(range(first, first + gpus_per_replica))


def spread_device_map(layers: int, devices: list) -> dict:
    """An HF ``device_map`` with ``layers`` decoder layers split evenly over ``devices``."""
    first, last = devices[0], devices[-1]
    placement = {"model.embed_tokens": first, "model.rotary_emb": first}
    for i in range(layers):
        placement[f"model.layers.{i}"] = devices[i * len(devices) // layers]
    placement.update({"model.norm": last, "lm_head": last})
    return placement


def place_replica(options, local_rank: int, gpus_per_replica: int = 1) -> list[int]:
    """Point ``options.device_map`` at this process's GPUs; returns them (empty without CUDA)."""
    import torch

    if not torch.cuda.is_available():
        return []
    gpus = replica_gpus(local_rank, gpus_per_replica, torch.cuda.device_count())
    torch.cuda.set_device(gpus[0])
    if len(gpus) == 1:
        options.device_map = {"": gpus[0]}
        return gpus
    from transformers import AutoConfig

    layers = AutoConfig.from_pretrained(options.model).num_hidden_layers
    options.device_map = spread_device_map(layers, gpus)
    log.info("replica %d: %d layers over GPUs %s", local_rank, layers, gpus)
    return gpus
