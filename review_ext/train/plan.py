"""Plan a QLoRA run before renting GPUs: per DeepSpeed setup, memory per GPU, fit, speed, hours.

Reads the recipe (max_length, LoRA rank, epochs), the real token lengths of the data (the Mixtral
tokenizer on system + paper + review, each sample capped at max_length, packed into bins as
training packs them) and the measured runs in ``plan_points.jsonl`` beside this module (one
H200, ``xtuner train``, nf4 Mixtral-8x7B geometry at several depths). Per recipe and setup,
peak memory and seconds per token are fitted as ``a + b * layers`` on the measured depths,
then carried to the GPU set by the model below. What is measured and what is modelled:

* measured (one GPU): peak allocated memory and s/token at each measured depth, fitted by
  depth; a setup fits when that peak plus 1 GiB (CUDA context, allocator slack) fits the card;
* measured (one GPU): out-of-memory runs, as bounds: at that depth the peak exceeds the
  allocator's cap (and what was allocated when it failed), so a card of cap + 1 GiB or less is
  too small. A fitted peak below a bound is raised to it; a setup measured at one depth only
  cannot be fitted and is shown by its bound alone (peak ">X", no speed, fits "no" where the
  bound rules the GPUs out, "?" where it does not), never as the fastest;
* modelled, N GPUs (ZeRO partitions; P = LoRA parameters, W = nf4 weight bytes):
  ZeRO-2 saves 14 P (1 - 1/N) bytes per GPU (fp32 master, Adam moments, grads);
  ZeRO-3 saves (W + 16 P)(1 - 1/N) and adds two gathered MoE blocks;
  ZeRO-3 offload keeps the one-GPU peak (its states already live in host memory);
  time per iteration = s/token x tokens per bin / card speed + gathers: ZeRO-3 and offload move
  3 W (N - 1) / N bytes per iteration (forward, recomputed forward, backward) over the link;
* modelled, another card: time scales by the card's dense bf16 rate against the H200's.

Example:
    python -m review_ext.train.plan xtuner_configs/v2.py --data data/train.json \\
        --gpus 8 --gpu-memory 40 --card a100
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from review_ext.common.cli import doc_parser, one_line_errors
from review_ext.common.errors import ReviewSuiteError
from review_ext.dev.random_model import Geometry, mixtral_8x7b

SETUPS = ("deepspeed_zero2", "deepspeed_zero3", "deepspeed_zero3_offload")
POINTS = Path(__file__).with_name("plan_points.jsonl")
GIB = 2**30
HEADROOM_GIB = 1.0  # CUDA context and allocator slack beside the peak allocated
NF4_BYTES_PER_PARAM = 0.5 + 1 / 64 + 4 / (64 * 256)  # 4-bit codes, 8-bit absmax, fp32 per 256
EMBEDDING_BYTES = 2  # bf16 embeddings and lm_head
# Dense bf16 TFLOP/s of each card (vendor datasheets): the speed ratio to the card measured.
CARDS = {"h200": 989.0, "h100": 989.0, "a100": 312.0, "l40s": 362.0, "a10": 125.0}
MEASURED_CARD = "h200"
DEFAULT_LINK_GB_S = {"h200": 300.0, "h100": 300.0, "a100": 200.0, "l40s": 25.0, "a10": 25.0}


class PlanError(ReviewSuiteError, ValueError):
    """A recipe, data file or measurement the planner cannot use."""


@dataclass(frozen=True)
class Point:
    """One measured run (one GPU): recipe, DeepSpeed setup, depth, and what it gave."""

    recipe: str
    setup: str
    layers: int
    max_length: int
    tokens_per_iter: float
    s_per_iter: float
    peak_gib: float  # peak allocated memory
    source: str = ""

    @property
    def s_per_token(self) -> float:
        return self.s_per_iter / self.tokens_per_iter


@dataclass(frozen=True)
class Bound:
    """One measured out-of-memory run (one GPU): no iteration ran with the allocator capped at
    ``cap_gib``; it held ``oom_above_gib`` (allocated plus the allocation that failed)."""

    recipe: str
    setup: str
    layers: int
    max_length: int
    oom_above_gib: float
    cap_gib: float | None  # None: the whole card
    source: str = ""

    @property
    def peak_gib(self) -> float:
        """The least one-GPU peak the failure implies, in the planner's terms (peak + headroom
        must fit the card): above the cap it ran under, and above what it had allocated."""
        return max(self.oom_above_gib, self.cap_gib or 0.0)


@dataclass(frozen=True)
class Line:
    """``a + b * layers``, least squares over the points it was fitted on."""

    a: float
    b: float
    layers: tuple[int, ...] = ()

    def __call__(self, layers: int) -> float:
        return self.a + self.b * layers


def fit_line(xs: list[int], ys: list[float]) -> Line:
    if len(set(xs)) < 2:
        raise PlanError(f"a fit by depth needs two depths or more, got {sorted(set(xs))}")
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    b = covariance / sum((x - mx) ** 2 for x in xs)
    return Line(my - b * mx, b, tuple(sorted(set(xs))))


def _read(path: Path, kind: type, bounds: bool) -> list:
    """The rows of ``path`` of one kind: bounds carry ``oom_above_gib``, points do not."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if ("oom_above_gib" in row) == bounds:
                out.append(kind(**row))
        except (json.JSONDecodeError, TypeError) as e:
            what = "bound" if bounds else "point"
            raise PlanError(f"{path}:{n}: not a measured {what} ({e})") from e
    return out


def read_points(path: Path = POINTS) -> list[Point]:
    return _read(path, Point, bounds=False)


def read_bounds(path: Path = POINTS) -> list[Bound]:
    return _read(path, Bound, bounds=True)


@dataclass(frozen=True)
class Calibration:
    """Per (recipe, setup): peak GiB and seconds per token, as lines in depth; the
    out-of-memory bounds, by (recipe, setup, layers)."""

    memory: dict[tuple[str, str], Line]
    seconds: dict[tuple[str, str], Line]  # per token
    bounds: dict[tuple[str, str, int], Bound] = field(default_factory=dict)


def calibrate(points: list[Point], layers: tuple[int, ...] | None = None,
              bounds: list[Bound] = ()) -> Calibration:
    """Fit each (recipe, setup) on its points at ``layers`` (all depths when None); the highest
    bound of each (recipe, setup, layers) is kept."""
    groups: dict[tuple[str, str], list[Point]] = {}
    for p in points:
        if layers is None or p.layers in layers:
            groups.setdefault((p.recipe, p.setup), []).append(p)
    memory, seconds = {}, {}
    for key, group in groups.items():
        if len({p.layers for p in group}) < 2:
            continue
        xs = [p.layers for p in group]
        memory[key] = fit_line(xs, [p.peak_gib for p in group])
        seconds[key] = fit_line(xs, [p.s_per_token for p in group])
    highest: dict[tuple[str, str, int], Bound] = {}
    for b in sorted(bounds, key=lambda b: b.peak_gib):
        highest[(b.recipe, b.setup, b.layers)] = b
    return Calibration(memory, seconds, highest)


@dataclass(frozen=True)
class Recipe:
    name: str
    max_length: int
    lora_r: int
    lora_targets: tuple[str, ...]
    max_epochs: int
    system: str


def read_recipe(path: Path) -> Recipe:
    """The values of a QLoRA recipe the plan needs (read as ``xtuner train`` resolves it)."""
    from review_ext.train.config_dump import load_config

    cfg = load_config(path)
    if "lora" not in cfg.model or "quantization_config" not in cfg.model.llm:
        raise PlanError(f"{path}: the planner covers QLoRA recipes (model.lora and "
                        "model.llm.quantization_config); a full fine-tune is not calibrated")
    return Recipe(name=Path(path).stem, max_length=int(cfg.max_length), lora_r=int(cfg.lora_r),
                  lora_targets=tuple(cfg.lora_targets), max_epochs=int(cfg.max_epochs),
                  system=str(cfg.system))


def lora_parameters(geometry: Geometry, r: int, targets: tuple[str, ...]) -> int:
    """Trainable LoRA parameters: ``r * (in + out)`` per target linear, experts included."""
    g = geometry
    kv = g.hidden // g.heads * g.kv_heads
    shapes = {"q_proj": (g.hidden, g.hidden), "k_proj": (g.hidden, kv), "v_proj": (g.hidden, kv),
              "o_proj": (g.hidden, g.hidden), "w1": (g.hidden, g.intermediate),
              "w2": (g.intermediate, g.hidden), "w3": (g.hidden, g.intermediate)}
    unknown = sorted(set(targets) - set(shapes))
    if unknown:
        raise PlanError(f"unknown LoRA targets {unknown}; known: {sorted(shapes)}")
    per_layer = sum(r * sum(shapes[t]) * (g.experts if t.startswith("w") else 1) for t in targets)
    return g.layers * per_layer


def nf4_weight_bytes(geometry: Geometry) -> float:
    """Bytes of the nf4 model on a GPU: quantised linears, bf16 embeddings and lm_head."""
    from review_ext.dev.random_model import VOCAB

    embeddings = 2 * VOCAB * geometry.hidden
    return (geometry.parameters() - embeddings) * NF4_BYTES_PER_PARAM + embeddings * EMBEDDING_BYTES


def moe_block_bytes(geometry: Geometry) -> float:
    return 3 * geometry.experts * geometry.hidden * geometry.intermediate * NF4_BYTES_PER_PARAM


@dataclass(frozen=True)
class DataShape:
    """What training sees of a data file at ``max_length``: samples, packed bins, tokens."""

    samples: int
    bins: int
    tokens: int
    capped: int  # samples longer than max_length (trimmed to it in training)


def data_shape(path: Path, max_length: int, system: str, tokenizer=None) -> DataShape:
    """Token lengths of every record of an XTuner conversation JSON/JSONL, capped, packed."""
    from review_ext.data.packing import plan_bins
    from review_ext.data.template import resolve_system

    if tokenizer is None:
        from review_ext.data.tokenizer import load_mixtral_tokenizer

        tokenizer = load_mixtral_tokenizer()
    text = path.read_text(encoding="utf-8")
    try:
        records = json.loads(text) if text.lstrip().startswith("[") else [
            json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as e:
        raise PlanError(f"{path}: line {e.lineno}: not XTuner conversation JSON ({e.msg})") from e
    sys_text = resolve_system(system)
    texts = []
    for n, record in enumerate(records, 1):
        turns = record.get("conversation") if isinstance(record, dict) else None
        if not turns:
            raise PlanError(f"{path}: record {n} has no conversation; convert it with "
                            "data_conversion.to_xtuner")
        turn = turns[0]
        texts.append(f"{sys_text}\n{turn.get('input') or ''}\n{turn.get('output') or ''}")
    lengths = [len(ids) + 8 for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]
    capped = [min(n, max_length) for n in lengths]
    bins = plan_bins(capped, max_length)
    return DataShape(len(records), len(bins), sum(capped), sum(n > max_length for n in lengths))


@dataclass(frozen=True)
class Hardware:
    gpus: int = 1
    gpu_memory_gib: float = 140.0
    card: str = MEASURED_CARD
    link_gb_s: float | None = None  # GPU-to-GPU bandwidth for ZeRO-3 gathers (default by card)

    def __post_init__(self):
        if self.gpus < 1 or self.gpu_memory_gib <= 0:
            raise PlanError(f"need at least one GPU with memory, got {self.gpus} x "
                            f"{self.gpu_memory_gib} GiB")
        if self.card not in CARDS:
            raise PlanError(f"unknown card {self.card!r}; known: {', '.join(sorted(CARDS))}")

    @property
    def speed(self) -> float:
        return CARDS[self.card] / CARDS[MEASURED_CARD]

    @property
    def link(self) -> float:
        return (self.link_gb_s or DEFAULT_LINK_GB_S[self.card]) * 1e9


@dataclass(frozen=True)
class SetupPlan:
    """One setup on the GPU set. Fitted by depth: every field. Bounded (one measured depth and an
    out-of-memory run): ``peak_gib`` is a lower bound, ``fits`` False or None (not known), no
    speed (None)."""

    setup: str
    peak_gib: float
    fits: bool | None
    tokens_per_s: float | None
    hours_per_epoch: float | None
    hours_total: float | None
    notes: list[str] = field(default_factory=list)
    peak_is_lower_bound: bool = False


def partition_saving(setup: str, n: int, p: int, geometry: Geometry) -> tuple[float, list[str]]:
    """Bytes per GPU that N GPUs save against one (modelled), and the notes saying so."""
    if n == 1 or setup == "deepspeed_zero3_offload":
        return 0.0, []
    if setup == "deepspeed_zero2":
        return 14 * p * (1 - 1 / n), ["ZeRO-2 partition of LoRA states: modelled"]
    saved = (nf4_weight_bytes(geometry) + 16 * p) * (1 - 1 / n) - 2 * moe_block_bytes(geometry)
    return saved, ["ZeRO-3 partition of weights and states, gathered blocks: modelled"]


def plan_setup(setup: str, recipe: Recipe, shape: DataShape, hardware: Hardware,
               calibration: Calibration, geometry: Geometry) -> SetupPlan:
    key, n, layers = (recipe.name, setup), hardware.gpus, geometry.layers
    bound = calibration.bounds.get((*key, layers))
    if key not in calibration.memory and not bound:
        raise PlanError(f"no measured runs of {recipe.name} with {setup} at two depths, nor "
                        f"an out-of-memory run at {layers} layers, in the calibration")
    p = lora_parameters(geometry, recipe.lora_r, recipe.lora_targets)
    saved, modelled = partition_saving(setup, n, p, geometry)
    notes, floor = [], 0.0  # floor: the least peak per GPU the bound allows, after the saving
    if bound:
        cap = f"a {bound.cap_gib:g} GiB cap" if bound.cap_gib else "the whole card"
        notes.append(f"out of memory measured on one GPU at {layers} layers: needs more than "
                     f"{bound.peak_gib + HEADROOM_GIB:g} GiB ({bound.oom_above_gib:g} GiB "
                     f"allocated when it failed under {cap})")
        floor = bound.peak_gib - saved / GIB
    too_small = bound is not None and hardware.gpu_memory_gib <= floor + HEADROOM_GIB
    if key not in calibration.memory:
        notes += ["one measured depth only: not fitted, no speed", *modelled]
        return SetupPlan(setup, floor, False if too_small else None, None, None, None, notes,
                         peak_is_lower_bound=True)
    one_gpu = calibration.memory[key](layers)
    depths = list(calibration.memory[key].layers)
    notes.insert(0, f"one-GPU peak and s/token: measured at depths {depths}, fitted by depth")
    if bound and one_gpu < bound.peak_gib:
        notes.append(f"fitted one-GPU peak {one_gpu:.1f} GiB is below the out-of-memory bound: "
                     "the bound is used")
        one_gpu = bound.peak_gib
    peak = one_gpu * GIB - saved
    notes += modelled
    gathers = 0.0
    if n > 1 and setup in ("deepspeed_zero3", "deepspeed_zero3_offload"):
        w = nf4_weight_bytes(geometry)
        gathers = 3 * w * (n - 1) / n / hardware.link
        notes.append(f"gathers {gathers:.2f} s/iter at {hardware.link / 1e9:.0f} GB/s: modelled")
    tokens_per_bin = shape.tokens / shape.bins
    seconds = calibration.seconds[key](layers) * tokens_per_bin / hardware.speed + gathers
    if hardware.card != MEASURED_CARD:
        notes.append(f"{hardware.card} speed = H200 x {hardware.speed:.2f}: modelled")
    hours = shape.bins / n * seconds / 3600
    fits = peak / GIB + HEADROOM_GIB <= hardware.gpu_memory_gib and not too_small
    return SetupPlan(setup, peak / GIB, fits, n * tokens_per_bin / seconds, hours,
                     hours * recipe.max_epochs, notes)


@dataclass(frozen=True)
class PlanOptions:
    recipe: Path
    data: Path
    hardware: Hardware = Hardware()
    layers: int = 32
    points: Path = POINTS


@dataclass(frozen=True)
class Plan:
    recipe: Recipe
    shape: DataShape
    hardware: Hardware
    setups: list[SetupPlan]
    unplanned: list[str] = field(default_factory=list)  # setups measured but not plannable

    @property
    def best(self) -> SetupPlan | None:
        fitting = [s for s in self.setups if s.fits]
        return min(fitting, key=lambda s: s.hours_total) if fitting else None


def make_plan(options: PlanOptions, tokenizer=None) -> Plan:
    recipe = read_recipe(options.recipe)
    points = read_points(options.points)
    calibration = calibrate(points, bounds=read_bounds(options.points))
    shape = data_shape(options.data, recipe.max_length, recipe.system, tokenizer)
    geometry = mixtral_8x7b(options.layers)
    setups, unplanned = [], []
    for s in SETUPS:
        key = (recipe.name, s)
        if key in calibration.memory or (*key, options.layers) in calibration.bounds:
            setups.append(plan_setup(s, recipe, shape, options.hardware, calibration, geometry))
        elif depths := sorted({p.layers for p in points if (p.recipe, p.setup) == key}):
            unplanned.append(f"{s}: measured at depth {depths} only, no out-of-memory run at "
                             f"{options.layers} layers: not planned")
    if not setups:
        raise PlanError(f"{options.points}: no measured runs of recipe {recipe.name}")
    return Plan(recipe, shape, options.hardware, setups, unplanned)


def render(plan: Plan) -> str:
    h, s = plan.hardware, plan.shape
    r = plan.recipe
    lines = [f"{r.name}: max_length {r.max_length}, LoRA r{r.lora_r}, {r.max_epochs} epochs; "
             f"data: {s.samples} samples ({s.capped} over max_length), {s.bins} bins, "
             f"{s.tokens:,} tokens per epoch",
             f"GPUs: {h.gpus} x {h.gpu_memory_gib:g} GiB ({h.card})",
             f"{'setup':26s} {'peak GiB/GPU':>12s} {'fits':>5s} {'tokens/s':>9s} "
             f"{'h/epoch':>8s} {'h total':>8s}"]
    for p in plan.setups:
        peak = f"{'>' if p.peak_is_lower_bound else ''}{p.peak_gib:.1f}"
        fits = {True: "yes", False: "no", None: "?"}[p.fits]
        speed = ("n/a" if p.tokens_per_s is None else
                 f"{p.tokens_per_s:9,.0f} {p.hours_per_epoch:8.1f} {p.hours_total:8.1f}")
        lines.append(f"{p.setup:26s} {peak:>12s} {fits:>5s} {speed:>9s}")
    best = plan.best
    lines.append(f"fastest that fits: {best.setup}" if best else "no setup fits these GPUs")
    for p in plan.setups:
        lines.append(f"  {p.setup}: " + "; ".join(p.notes))
    lines += [f"  {u}" for u in plan.unplanned]
    return "\n".join(lines)


def build_parser():
    p = doc_parser(__doc__)
    p.add_argument("recipe", type=Path, help="a QLoRA recipe (xtuner_configs/v1.py, v2.py)")
    p.add_argument("--data", type=Path, required=True, help="training data (XTuner JSON)")
    p.add_argument("--gpus", type=int, default=1)
    p.add_argument("--gpu-memory", type=float, default=140.0,
                   help="GiB per GPU (an 80 GB card: 80; the H200: 140)")
    p.add_argument("--card", default=MEASURED_CARD, choices=sorted(CARDS),
                   help="the GPU model, for its speed relative to the H200 measured")
    p.add_argument("--link-gb-s", type=float, help="GPU-to-GPU bandwidth (default by card)")
    p.add_argument("--layers", type=int, default=32)
    p.add_argument("--points", type=Path, default=POINTS, help="measured runs (JSONL)")
    return p


def main(argv=None) -> Plan:
    parser = build_parser()
    args = parser.parse_args(argv)
    with one_line_errors(parser, "plan", OSError):
        hardware = Hardware(args.gpus, args.gpu_memory, args.card, args.link_gb_s)
        plan = make_plan(PlanOptions(args.recipe, args.data, hardware, args.layers, args.points))
    print(render(plan))
    return plan


if __name__ == "__main__":
    main()
