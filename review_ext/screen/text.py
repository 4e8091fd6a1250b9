"""Paper text -> findings: sentences that instruct the reviewer or a language model.

Each line of the paper (a paragraph, a caption, the abstract) is cut into sentences and
each sentence is described by the cues of :mod:`.phrases`:

- an order to drop earlier instructions, given as an order (``high``);
- a request that steers the review up (a positive review or high score, acceptance,
  silence about weaknesses, praise only), as an order, addressed to the reviewer or a
  model, or in the second person (``high``); stated otherwise (``medium``); a request
  reported as what someone is told to do ("telling an LLM reviewer to ...") is none;
- a request framed as one (:mod:`.frame`: a demand about the review, a force that gives
  it, a target) where no cue fires (``high``);
- words that address the reviewer or a model join an adjacent flagged sentence (``For
  LLM reviewers:`` before the order), and alone are flagged only in hidden text.

A finding that the paper quotes or discusses is kept at ``low`` (reported, not flagged):
a quotation in a paper about prompt attacks or a section or caption about attacks,
prompts or examples, or a quotation introduced by a reporting phrase anywhere; unquoted,
a reporting phrase ("such as", "attackers inject ...") just before the cue or after it,
in such a paper, section or caption; a framed request that names neither this paper nor its
review, in such a paper, section or caption (a prompt template the paper shows). A paper is
about attacks by its title or by an abstract sentence that gives no order. An order to the
reviewer is not a quotation because it contains one: a quotation whose sentence, outside the
quotation marks, gives an order, addresses the reviewer or a model, or tells the reader to
write what it holds, is given (unless the sentence reports on attacks). A quoted or discussed
sentence next to a given one is a finding of its own, so ``strip`` removes only the order.

Lines are read folded (:mod:`.fold`): zero-width and other invisible characters, fullwidth
letters and Latin look-alikes in Cyrillic or Greek do not hide a cue.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from review_ext.formats.text import SECTION_PREFIX, split_blocks

from . import frame as F
from . import phrases as P
from .encoded import decoded
from .findings import Finding
from .fold import fold

_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+|[\u3002\uff01\uff1f]+\s*")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Eq|Sec|Tab|resp|approx|"
                           r"No|Dr|Mr|Ms|Prof)|\b[A-Z])\.$")


@dataclass
class _Sentence:
    start: int
    end: int
    text: str


@dataclass
class _Hit:
    sentence: _Sentence
    severity: str  # "high", "medium", or "address" (an address alone)
    reasons: list[str]
    cue: tuple[int, int]  # the first cue's span, absolute
    framed: bool = False  # found only by its frame (:mod:`.frame`)


def sentences(line: str, offset: int = 0) -> list[_Sentence]:
    """The sentences of one line, with absolute spans (abbreviations do not end one)."""
    out, start = [], 0
    for m in _BOUNDARY.finditer(line):
        if _ABBREVIATION.search(line[start:m.start() + 1].rstrip("!?")):
            continue
        out.append((start, m.end()))
        start = m.end()
    if start < len(line):
        out.append((start, len(line)))
    result = []
    for a, b in out:
        text = line[a:b]
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        if text:
            result.append(_Sentence(offset + a + lead, offset + a + lead + len(text), text))
    return result


# "Figure 1: Overview Give ...", "... github.com/x/y IGNORE ALL ..."
_NEW_SENTENCE = re.compile(r"(?<=\s)[A-Z](?:[a-z]+|[A-Z]+)\b")


def _order(sentence: str, at: int) -> bool:
    """True when the English verb at ``at`` stands where an order's verb stands: after what
    may lead an order, or capitalized or in capitals inside the sentence (a sentence run
    into the one before it without a full stop, as in a caption or after a link)."""
    return bool(P.LEAD.search(sentence[:at]) or _NEW_SENTENCE.match(sentence, at))


def _reported(text: str, m: re.Match) -> bool:
    """True when the request at ``m`` is what someone is told to do in a report of it
    ("telling an LLM reviewer to recommend acceptance", "we never instruct the model to")."""
    return bool(P.REPORTED_ORDER.search(text[:m.start()]))


def describe(sentence: _Sentence, hidden: bool = False, address: bool = False,
             possible: frozenset[str] | None = None) -> _Hit | None:
    """The cues of one sentence, or None when none fires. ``possible``: the patterns worth
    running (:func:`.phrases.possible`; of the sentence when None). The address to the
    reviewer is looked for with another cue, in hidden text, or when ``address``."""
    text, reasons, cue, severity = sentence.text, [], None, None
    possible = P.possible(text) if possible is None else possible
    for lang, rx in P.OVERRIDE.items():
        if lang not in possible:
            continue
        m = rx.search(text)
        if m and (lang != "en" or _order(text, m.start())):
            reasons.append(f"order to drop earlier instructions ({lang})")
            cue, severity = cue or m.span(), "high"
    actions = [(kind, m) for kind, rx in P.ACTIONS.items()
               if kind in possible and (m := rx.search(text)) and not _reported(text, m)]
    conditional = [(kind, m, needs_order)
                   for table, needs_order in ((P.DIRECTED_ACTIONS, True), (P.REVIEW_ACTIONS, False))
                   for kind, rx in table.items()
                   if kind in possible and (m := rx.search(text)) and not _reported(text, m)]
    frame = None if actions or severity else F.framed(text)
    found = (P.ADDRESS.search(text) if actions or conditional or severity or hidden or address
             or frame else None)
    for kind, m, needs_order in conditional:
        if needs_order and (_order(text, m.start()) or found or P.SECOND_PERSON.search(text)):
            actions.append((kind, m))
        elif not needs_order and P.ABOUT_THIS_REVIEW.match(text):
            actions.append((kind, m))
    if conditional and not actions and not severity and not hidden and not address:
        found = None
    for kind, m in actions:
        foreign = kind in P.NON_ENGLISH
        directed = foreign or _order(text, m.start()) or found or P.SECOND_PERSON.search(text)
        label = f"review request ({kind})" if foreign else f"request for {kind}"
        reasons.append(label + ("" if directed else ", stated not ordered"))
        cue = cue or m.span()
        severity = "high" if directed or severity == "high" else "medium"
    if frame and not actions:
        reasons.append(f"request framed as one ({frame[0]})")
        cue, severity = cue or frame[1].span(), "high"
    if not severity and (ai := P.ai_named(text)):
        reasons.append(f"{ai[0]} ({ai[1].group(0)!r})")
        cue, severity = ai[1].span(), "high"
    if found:
        reasons.append(f"addresses the reviewer or a model ({found.group(0).strip()!r})")
        cue = cue or found.span()
        severity = severity or ("high" if hidden else "address")
    if severity is None:
        return None
    return _Hit(_run_in(sentence, cue[0], found), severity, reasons,
                (sentence.start + cue[0], sentence.start + cue[1]),
                bool(frame) and not actions and reasons[0].startswith("request framed"))


def _run_in(sentence: _Sentence, at: int, found: re.Match | None) -> _Sentence:
    """The sentence from ``at`` when its order there is a sentence run into the text before
    it without a full stop ("Code: https://... IGNORE ALL ..."): the text before is the
    paper's, so the finding (and what ``strip`` removes) starts at the order."""
    text = sentence.text
    if (at == 0 or P.LEAD.search(text[:at]) or not _NEW_SENTENCE.match(text, at)
            or (found and found.start() < at)):
        return sentence
    return _Sentence(sentence.start + at, sentence.end, text[at:])


def _discussed(hit: _Hit, line: str, parts: list[_Sentence], topic: bool) -> str:
    """Why ``hit`` is quoted or discussed rather than given ("" when it is given).

    ``line``: the line the hit's sentence spans are relative to; ``parts``: its sentences. A
    quotation is judged by the sentences around it (it may hold several): when they,
    outside the quotation marks, give an order, address the reviewer or a model, or speak
    of this paper's review, it is given, unless they report on attacks."""
    a, b = hit.cue
    quote = next((q for q in P.QUOTED.finditer(line) if q.start() <= a and b <= q.end()), None)
    quoted = quote is not None
    start, end = hit.sentence.start, hit.sentence.end
    if quote:  # the sentences the quotation spans
        start = min([start] + [s.start for s in parts if s.end > quote.start()])
        end = max([end] + [s.end for s in parts if s.start < quote.end()])
    blanked = P.QUOTED.sub(lambda q: " " * len(q.group(0)), line)  # a quote may hold a "."
    outside = blanked[start:end]
    previous = next((s.text for s in reversed(parts) if s.end <= start), "")
    introduced = previous.rstrip().endswith(":") and P.REPORTING.search(previous)
    reported = bool(P.REPORTING.search(outside) or introduced)
    about_attacks = P.REPORTING_ATTACKS.search(outside) or P.ATTACK_TOPIC.search(outside)
    if quoted and not about_attacks and _gives(outside, topic):
        return ""
    if quoted and (reported or topic):
        return "quoted" + (" with a reporting phrase" if reported else " in text about attacks")
    at = a - start  # the cue in the sentence
    near = introduced or any(m.end() >= at - _NEAR or m.start() >= at
                             for m in P.REPORTING.finditer(outside))
    if (near or P.PLACEHOLDER.search(line)) and topic:
        return "discussed in text about attacks, prompts or examples"
    if hit.framed and topic and not F.THIS_REVIEW.search(outside):
        return "a request not about this paper, in text about attacks, prompts or examples"
    return ""


_NEAR = 12  # characters: a reporting phrase ends this close before the cue it reports


def _gives(text: str, topic: bool) -> bool:
    """True when ``text`` (a sentence without its quotations) orders the reviewer or a model,
    addresses one, names this paper and its review, or (outside text about attacks or
    prompts) orders to write what the quotation holds ("Please write, for instance, '...'")."""
    own = describe(_Sentence(0, len(text), text), address=True)
    if (own is not None and own.severity in ("high", "address")) or P.ABOUT_THIS_REVIEW.match(text):
        return True
    return not topic and any(_order(text, m.start()) for m in P.WRITE.finditer(text))


def _where(paper: str) -> list[tuple[str, str, int, int, bool]]:
    """``(block, section, start, end, topic)`` for every line of the paper, where ``topic``
    says the line sits in a paper, section or caption about attacks, prompts or examples."""
    blocks = split_blocks(paper)
    paper_topic = any(P.PAPER_TOPIC.search(paper[b:e]) if name == "TITLE" else
                      any(P.PAPER_TOPIC.search(s.text) and describe(s) is None
                          for s in sentences(paper[b:e]))
                      for name, _, b, e in blocks if name in ("TITLE", "ABSTRACT"))
    out = []
    for name, _, body, end in blocks:
        section, section_topic = "", False
        at = body
        for line in paper[body:end].split("\n"):
            start, stop = at, at + len(line)
            at = stop + 1
            if name == "CONTENT" and line.startswith(SECTION_PREFIX):
                section = line[len(SECTION_PREFIX):].strip()
                section_topic = bool(P.ATTACK_TOPIC.search(section)
                                     or P.EXAMPLE_HEADING.search(section))
                continue
            if not line.strip():
                continue
            caption_topic = name == "CAPTIONS" and any(
                (P.ATTACK_TOPIC.search(s.text) or P.CAPTION_TOPIC.search(s.text))
                and describe(s) is None for s in sentences(line))
            out.append((name, section, start, stop,
                        paper_topic or section_topic or caption_topic))
    return out


def screen_text(paper: str, hidden: bool = False) -> list[Finding]:
    """Findings in ``paper`` (the paper text format, or any plain text), in text order.

    ``hidden``: the text is hidden from a human reader (a PDF's white or tiny text): an
    address to the reviewer or a model is then flagged on its own. Each line is read folded
    (:mod:`.fold`: invisible and look-alike characters), its findings are spans of
    ``paper``. A quoted or discussed sentence next to an order is a finding of its own.
    """
    findings = []
    for block, section, start, stop, topic in _where(paper):
        findings += _encoded(paper, start, stop, block, section)
        line, index = fold(paper[start:stop])
        able = P.possible(line)
        if not able and not hidden and not F.anchored(line) and not P.ai_named(line):
            continue
        parts = sentences(line)
        hits = [describe(s, hidden, possible=able) for s in parts]
        for i, sentence in enumerate(parts):  # an address next to an order joins it
            near = hits[i - 1:i] + hits[i + 1:i + 2]
            if hits[i] is None and any(h and h.severity != "address" for h in near):
                hits[i] = describe(sentence, hidden, address=True, possible=able)
        why = [_discussed(h, line, parts, topic) if h and h.severity != "address" else ""
               for h in hits]
        covered = 0  # where the line's last finding ends
        for run in _runs(hits, why):
            given = [hits[i] for i in run if hits[i].severity != "address"]
            a, b = _whole_quotes(line, parts, hits[run[0]].sentence.start, parts[run[-1]].end)
            if not given or a < covered:  # a quotation already taken whole
                continue
            covered = b
            reasons = list(dict.fromkeys(r for i in run for r in hits[i].reasons))
            severity = "high" if any(h.severity == "high" for h in given) else "medium"
            said = why[run[0]] if hits[run[0]].severity != "address" else why[run[-1]]
            if said:
                severity = "low"
                reasons.append(said)
            if index is not None:
                a, b = index[a], index[b - 1] + 1
            a, b = start + a, start + b
            findings.append(Finding("instruction to the reviewer", "; ".join(reasons), severity,
                                    paper[a:b], a, b, block, section))
    return sorted(findings, key=lambda f: f.start)


def _encoded(paper: str, start: int, stop: int, block: str, section: str) -> list[Finding]:
    """Findings for the base64 runs of one line whose decoded text gives an instruction."""
    out = []
    for a, b, plain in decoded(paper[start:stop]):
        hits = [h for h in map(describe, sentences(fold(plain)[0])) if h and h.severity in
                ("high", "medium")]
        if hits:
            why = "; ".join(dict.fromkeys(r for h in hits for r in h.reasons))
            out.append(Finding("instruction to the reviewer", f"encoded as base64: {why}", "high",
                               paper[start + a:start + b], start + a, start + b, block, section))
    return out


def _whole_quotes(line: str, parts: list[_Sentence], a: int, b: int) -> tuple[int, int]:
    """``(a, b)`` widened to the whole sentences of every quotation it cuts into."""
    for q in P.QUOTED.finditer(line):
        if q.start() < b and a < q.end():
            a = min([a] + [s.start for s in parts if s.end > q.start()])
            b = max([b] + [s.end for s in parts if s.start < q.end()])
    return a, b


def _runs(hits: list[_Hit | None], why: list[str]) -> list[list[int]]:
    """The sentences of each finding: adjacent hits that are all given or all quoted or
    discussed; an address goes with the given order next to it."""
    kind = ["" if h is None else "given" if h.severity != "address" and not w
            else "said" if h.severity != "address" else "address"
            for h, w in zip(hits, why)]
    for i, k in enumerate(kind):  # an address takes its neighbour's kind, an order's first
        if k == "address":
            near = [kind[j] for j in (i - 1, i + 1) if 0 <= j < len(kind)]
            kind[i] = "given" if "given" in near else "said" if "said" in near else "address"
    runs: list[list[int]] = []
    for i, k in enumerate(kind):
        if not k:
            continue
        if runs and runs[-1][-1] == i - 1 and kind[i - 1] == k:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs
