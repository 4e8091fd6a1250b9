"""Tokens/s of every iteration, ours against stock, one panel per max_length, as one PNG.

Reads JSON lines with ``run``, ``s_per_iter`` and ``tokens_per_iter`` (those of
``iterations_from_logs.py``, or of ``summarize.py``) and pairs ``ours_<max_length>_r<round>``
with ``stock_<max_length>_r<round>`` of the same ``call``; other runs (ablations, ZeRO-3) and
lines with a ``code`` field (code other than the final one) are left out. A pair shares a
colour: ours solid, stock dashed. y is log-scaled: iterations over 1 s (mmengine's epoch
transitions, cuDNN plan builds) drop to a tenth of the rest: marked, and labelled with their
seconds from iteration 4 on.
Shaded: the measured window of runs of each length (``--window ITERS:FIRST-LAST``).

Usage:
  python benchmarks/gpu/plot_speed.py benchmarks/gpu/results/iterations_2xH200.jsonl \\
      --calls 4 5 6 --out benchmarks/gpu/results/speed_per_iteration.png
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from review_ext.common.cli import doc_parser
from review_ext.common.jsonl import BadJson, iter_jsonl

PAIR_RUN = re.compile(r"(ours|stock)_(\d+)_r(\d+)")
SPIKE_S = 1.0  # iterations slower than this are marked, and labelled with their seconds from
FIRST_LABELLED = 4  # this iteration on (the first three hold start-up costs of every run)
DEFAULT_WINDOWS = ["20:4-14", "40:20-34"]  # call_speed.sh: --skip 3 / 19, --until ITERS - 6
# call_speed.sh's profiler waits as many iterations as are measured (ITERS - 6): the 4 after the
# window are its warm-up, its two traced iterations and the one that writes the trace
PROFILED = 4


def parse_args(argv=None):
    p = doc_parser(__doc__)
    p.add_argument("jsonl", type=Path, nargs="+",
                   help="JSON lines with run, s_per_iter, tokens_per_iter")
    p.add_argument("--out", type=Path, required=True, help="PNG path")
    p.add_argument("--calls", type=int, nargs="*", help="only these calls (default: all)")
    p.add_argument("--window", nargs="*", default=DEFAULT_WINDOWS, metavar="ITERS:FIRST-LAST",
                   help="measured iterations of runs ITERS long (default: %(default)s)")
    p.add_argument("--dpi", type=int, default=100)
    return p.parse_args(argv)


def read_series(paths: list[Path], calls: list[int] | None) -> list[dict]:
    """The lines of pair runs of the final code; ValueError (file, line, field) on a bad one."""
    rows = []
    for path in paths:
        for number, row in iter_jsonl(path):
            if isinstance(row, BadJson):
                raise row
            where = f"{path}, line {number}"
            missing = [k for k in ("run", "s_per_iter", "tokens_per_iter") if k not in row]
            if missing:
                raise ValueError(f"{where}: no {', '.join(missing)} "
                                 "(is it a line of iterations_from_logs.py?)")
            if len(row["s_per_iter"]) != len(row["tokens_per_iter"]):
                raise ValueError(f"{where}: s_per_iter and tokens_per_iter differ in length")
            m = PAIR_RUN.fullmatch(row["run"])
            if not m or "code" in row or (calls and row.get("call") not in calls):
                continue
            side, length, round_ = m.groups()
            rows.append({**row, "side": side, "max_length": int(length), "round": int(round_)})
    return rows


def pairs_by_length(rows: list[dict]) -> dict[int, list[tuple[dict, dict]]]:
    """``{max_length: [(ours, stock), ...]}`` for pairs with both runs, in call and round order."""
    runs = {(r.get("call"), r["max_length"], r["round"], r["side"]): r for r in rows}
    out: dict[int, list[tuple[dict, dict]]] = {}
    for call, length, round_, side in sorted(runs, key=lambda k: (k[0] or 0, k[1], k[2])):
        stock = runs.get((call, length, round_, "stock"))
        if side == "ours" and stock:
            out.setdefault(length, []).append((runs[(call, length, round_, "ours")], stock))
    return dict(sorted(out.items()))


def parse_windows(specs: list[str]) -> dict[int, tuple[int, int]]:
    windows = {}
    for spec in specs:
        m = re.fullmatch(r"(\d+):(\d+)-(\d+)", spec)
        if not m:
            raise SystemExit(f"plot_speed: error: --window {spec!r}: "
                             "expected ITERS:FIRST-LAST, e.g. 20:4-14")
        windows[int(m[1])] = (int(m[2]), int(m[3]))
    return windows


def draw_run(ax, row: dict, colour, dashed: bool, label: str) -> list[tuple]:
    """One run's tokens/s against iteration, slow iterations marked; returns those as
    ``(iteration, tokens/s, seconds, colour)``."""
    secs, tokens = row["s_per_iter"], row["tokens_per_iter"]
    x = list(range(1, len(secs) + 1))
    y = [n / s for n, s in zip(tokens, secs)]
    ax.plot(x, y, color=colour, linestyle="--" if dashed else "-", linewidth=1, label=label)
    spikes = [(x[i], y[i], s, colour) for i, s in enumerate(secs) if s > SPIKE_S]
    for i, v, _, _ in spikes:
        ax.plot(i, v, marker="v", color=colour, markersize=4)
    return spikes


def label_spikes(ax, spikes: list[tuple]):
    """Seconds of the slow iterations from FIRST_LABELLED on, stacked under the lowest point."""
    by_iteration: dict[int, list[tuple]] = {}
    for spike in spikes:
        if spike[0] >= FIRST_LABELLED:
            by_iteration.setdefault(spike[0], []).append(spike)
    for i, group in by_iteration.items():
        low = min(v for _, v, _, _ in group)
        for k, (_, _, secs, colour) in enumerate(sorted(group, key=lambda g: g[1])):
            ax.annotate(f"{secs:.1f} s", (i, low), textcoords="offset points",
                        xytext=(3, -9 - 7 * k), fontsize=6, color=colour)


def draw_panel(ax, length: int, pairs: list[tuple[dict, dict]], windows: dict, colours):
    lengths = sorted({len(row["s_per_iter"]) for pair in pairs for row in pair})
    for iters in lengths:
        if iters in windows:
            first, last = windows[iters]
            ax.axvspan(first - 0.5, last + 0.5, color="0.85", zorder=0)
            ax.axvspan(last + 0.5, last + PROFILED + 0.5, color="0.85", alpha=0.4, hatch="//",
                       zorder=0, linewidth=0)
            ax.text((first + last) / 2, 0.98, f"measured, {iters}-iteration runs ({first}-{last})",
                    transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=7,
                    color="0.3")
            ax.text(last + 0.5 + PROFILED / 2, 0.98, "profiler", transform=ax.get_xaxis_transform(),
                    ha="center", va="top", fontsize=6, color="0.3")
    spikes = []
    for (ours, stock), colour in zip(pairs, colours):
        name = f"call {ours.get('call', '?')} r{ours['round']}"
        spikes += draw_run(ax, ours, colour, False, f"{name} ours")
        spikes += draw_run(ax, stock, colour, True, f"{name} stock")
    label_spikes(ax, spikes)
    ax.set_yscale("log")
    ax.set_ylim(bottom=ax.get_ylim()[0] / 2)  # room for the labels
    ax.set_title(f"max_length {length}", fontsize=9)
    ax.set_ylabel("tokens/s per GPU (log)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)


def plot(by_length: dict, windows: dict, out: Path, dpi: int = 100):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(by_length), 1, figsize=(10, 3.6 * len(by_length)), squeeze=False)
    colours = plt.get_cmap("tab10").colors
    for ax, (length, pairs) in zip(axes[:, 0], by_length.items()):
        draw_panel(ax, length, pairs, windows, colours)
    axes[-1, 0].set_xlabel(f"iteration (ours solid, stock dashed; markers: iterations over "
                           f"{SPIKE_S:g} s, labelled with their seconds from iteration "
                           f"{FIRST_LABELLED} on)")
    fig.tight_layout()
    save_small_png(fig, out, dpi)
    plt.close(fig)
    return fig


def save_small_png(fig, out: Path, dpi: int):
    """The figure as a PNG of at most 256 colours (a fraction of the size of full colour)."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    Image.open(buffer).convert("RGB").quantize(colors=256).save(out, optimize=True)


def main(argv=None):
    args = parse_args(argv)
    windows = parse_windows(args.window)
    try:
        rows = read_series(args.jsonl, args.calls)
    except ValueError as err:
        raise SystemExit(f"plot_speed: error: {err}") from None
    by_length = pairs_by_length(rows)
    if not by_length:
        raise SystemExit(f"plot_speed: error: no ours/stock pair among {len(rows)} runs of "
                         f"{', '.join(map(str, args.jsonl))}")
    fig = plot(by_length, windows, args.out, args.dpi)
    print(f"wrote {args.out}: " + ", ".join(f"{n} pairs at {length}" for length, n in
                                             ((k, len(v)) for k, v in by_length.items())))
    return fig, by_length


if __name__ == "__main__":
    main()
