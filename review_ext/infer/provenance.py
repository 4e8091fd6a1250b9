"""What produced an inference output folder, so that ``--resume`` never mixes two runs.

``run.json`` records the model's identity (a fingerprint of its config and weight files),
the adapter's, the backend, the template, the system prompt setting, the decoding settings
and the prompt budget; each record carries the hash of the paper it reviewed. A resume
whose settings or papers differ is refused with the difference named.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from review_ext.checkpoint.artifacts import WEIGHT_SUFFIXES
from review_ext.common.errors import ReviewSuiteError
from review_ext.common.files import atomic_write
from review_ext.common.jsonl_cache import digest

RUN_FILE = "run.json"
# Files whose content names a model; weight files are fingerprinted by name and size.
IDENTITY_FILES = ("config.json", "adapter_config.json", "model.safetensors.index.json",
                  "generation_config.json")
# How a difference names each setting: options in backquotes (a script shows its flag).
LABELS = {"system": "system prompt", "template": "template", "prompt_budget": "prompt budget",
          "model": "model", "adapter": "adapter", "backend": "backend"}


class ResumeMismatch(ReviewSuiteError, ValueError):
    """The earlier run in the output folder was made with other settings or papers."""


def paper_hash(paper: str) -> str:
    return digest(paper)


def fingerprint(path: str | None) -> dict | None:
    """``{"path", "sha256"}`` of a model folder (config files, weight names and sizes).

    A hub name or anything that is not a folder is identified by its name alone.
    """
    if not path:
        return None
    folder = Path(path)
    if not folder.is_dir():
        return {"path": str(path), "sha256": digest(str(path))}
    h = hashlib.sha256()
    for name in IDENTITY_FILES:
        if (folder / name).is_file():
            h.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    for weight in sorted(p for p in folder.iterdir() if p.name.endswith(WEIGHT_SUFFIXES)):
        h.update(f"{weight.name}\0{weight.stat().st_size}\0".encode())
    return {"path": str(folder.resolve()), "sha256": h.hexdigest()[:16]}


def run_record(backend: str, model: str | None, adapter: str | None, template: str,
               system: str | None, params) -> dict:
    """The settings of this run (``prompt_budget`` is added once the backend is loaded)."""
    return {"backend": backend, "model": fingerprint(model), "adapter": fingerprint(adapter),
            "template": template, "system": system, **asdict(params)}


def _shown(key: str, value) -> str:
    if isinstance(value, dict) and "path" in value:
        return value["path"]
    if key == "system" and value is None:
        return "each row's own (no `system`, no review_suite.json)"
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def differences(old: dict, new: dict) -> list[str]:
    """``"what: earlier X, now Y"`` for each setting of ``new`` that ``old`` records otherwise."""
    found = []
    for key, value in new.items():
        before = old.get(key)
        same = (before or {}).get("sha256") == (value or {}).get("sha256") \
            if key in ("model", "adapter") else before == value
        if not same:
            found.append(f"{LABELS.get(key, f'`{key}`')}: earlier {_shown(key, before)}, "
                         f"now {_shown(key, value)}")
    return found


def check_resume(out: Path, new: dict) -> None:
    """Refuse (:class:`ResumeMismatch`) when ``out``'s ``run.json`` differs from ``new``."""
    path = Path(out) / RUN_FILE
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResumeMismatch(f"{out} holds results but no {RUN_FILE}, so they cannot be "
                             "checked against this run's settings: use `overwrite`") from None
    found = differences(old, new)
    if found:
        raise ResumeMismatch(f"cannot resume in {out}: the earlier run used other settings ("
                             + "; ".join(found) + "): use the same settings, `overwrite` or "
                                                  "another `output_dir`")


def check_papers(done: dict[str, dict], rows, system_of) -> None:
    """Refuse when a finished record's paper or system prompt is not the row's of today."""
    changed = []
    for row in rows:
        record = done.get(row.key)
        if record is None or row.paper is None or record.get("reply") is None:
            continue
        if record.get("paper_sha256") != paper_hash(row.paper):
            changed.append(f"{row.id} (paper)")
        elif record.get("system") is not None and record["system"] != system_of(row):
            changed.append(f"{row.id} (system prompt)")
    if changed:
        raise ResumeMismatch(f"cannot resume: {len(changed)} finished row(s) differ from the test "
                             f"file, e.g. {', '.join(changed[:3])}: use `overwrite` or another "
                             "`output_dir`")


def write_run_record(out: Path, record: dict) -> None:
    atomic_write(Path(out) / RUN_FILE,
                 lambda f: f.write(json.dumps(record, indent=1, allow_nan=False) + "\n"))
