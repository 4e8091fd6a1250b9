"""Free-text review -> the four review parts, as points ``(title, explanation)``.

A heuristic that never writes words of its own: every sentence of the review lands in
exactly one part, and a point's explanation is the reviewer's text.

1. **Headings.** The reviewer's labels, read by :mod:`data_conversion.reviews.review_labels`:
   a part heading sends what follows to its part; a mixed or general one has it
   classified (3); any other label (``**Clarity**``, ``Scalability concerns:``) keeps the
   current part and becomes the title of the next point. Where the caller restricts the
   parts (a strengths-and-weaknesses block), an aspect heading (``Originality``) is such
   a label too.
2. **Points.** Each list item (``-``, ``*``, ``+``, ``1.``, ``(a)``) and each paragraph
   is a point; under a part heading every point goes to that part.
3. **Unheaded text** is classified sentence by sentence from cue phrases: questions and
   suggestions (``?``, *should*, *would be good*, *I suggest*, typo fixes) ->
   improvement; criticism (*unclear*, *lacks*, *missing*, *limited*, *not
   convincing*) -> rejection; praise (*interesting*, *well written*, *solid*,
   *outperforms*) -> acceptance; the clause after *but/however* and the main clause of
   *although ..., ...* count double. A sentence without cues stays with the one before.
   A summary-like opening (*This paper proposes ...*) goes to significance, and leaving
   it takes a clear cue. Consecutive sentences of one part form one point; a ``+`` item
   is acceptance. Callers may restrict the parts (a strengths-and-weaknesses block
   allows only acceptance and rejection).
4. **Titles.** A point's own label (``Clarity: ...``, ``**Novelty** ...``) or the label
   heading just above it; else the first clause of its first sentence (<= 12 words).
5. **Not points.** Items that are no review point (:mod:`data_conversion.reviews.point_filters`)
   are dropped; the mapping lists why under :data:`DROPPED` for the run's account.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from data_conversion.reviews.point_filters import not_a_point
from data_conversion.reviews.review_labels import GENERAL, LIST_ITEM, MIXED, clean_text, heading
from review_ext.formats.text import PARTS, empty_parts, one_line

SIG, ACC, REJ, IMP = PARTS
DROPPED = "dropped"  # key of the reasons for items that are not review points
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Eq|Eqs|Sec|Secs|Fig|Figs|Tab|resp|"
                     r"w\.r\.t|approx|Ref|Refs|No|Thm|Def|Prop|App|[A-Z])\.)$")
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_CONTRAST = re.compile(r"\b(?:however|but|yet|nevertheless|unfortunately|on the other hand)\b",
                       re.I)
_CONCESSIVE = re.compile(r"^\s*(?:although|though|while|despite|even though|whilst)\b([^,]*),",
                         re.I)
_SUMMARY = re.compile(
    r"^\s*(?:(?:in )?(?:this|the) (?:paper|work|submission|manuscript|article|study)|"
    r"the authors?|here,? the authors|this is an?|the (?:main )?(?:idea|contribution))\b", re.I)


def _cues(*pairs):
    return [(re.compile(p, re.I), w) for p, w in pairs]


CUES = {
    IMP: _cues((r"\?\s*$", 2), (r"\bi (?:would )?suggest", 2), (r"\bsuggest", 1),
               (r"\bwould (?:be|have been) (?:good|nice|interesting|helpful|useful|better|"
                r"beneficial|desirable|great|valuable|informative)", 2),
               (r"\bshould\b", 1), (r"\bplease\b", 2), (r"\bconsider", 1),
               (r"\bwould like to see\b", 2), (r"\bmight (?:benefit|help|want)\b", 2),
               (r"\bcould (?:also|further|add|provide|include|discuss|explain|clarify|be "
                r"improved)\b", 1), (r"\brecommend (?:that|adding|including|to|the authors)\b", 2),
               (r"\bminor\b", 1), (r"\btypo", 2), (r"->", 2), (r"\bencourage", 1),
               (r"^\W*(?:l\.|lines?|p\.|page|eq\.|fig\.|table|sec\.)\s*\d+\b", 2),  # an edit
               (r"\breplace\b", 1),
               (r"\bwould (?:strengthen|improve|help|enhance)\b", 2), (r"\bspell", 1),
               (r"\bit would\b", 1), (r"\bdid you\b|\bhave you\b", 2)),
    REJ: _cues((r"\bunclear\b|\bnot (?:very |entirely |fully )?clear\b", 2), (r"\black", 2),
               (r"\bmissing\b", 2), (r"\blimited\b", 1), (r"\bweak", 1), (r"\bconcern", 2),
               (r"\bunfortunately\b", 2), (r"\bfail", 1), (r"\binsufficient", 2),
               (r"\bproblem", 1), (r"\bissue", 1), (r"\bflaw", 2), (r"\bdoubt", 2),
               (r"\bquestionable\b", 2), (r"\bincremental\b", 2), (r"\blittle novelty\b", 2),
               (r"\bconfus", 2), (r"\bhard to\b|\bdifficult to\b", 1), (r"\boverclaim", 2),
               (r"\bcritique\b|\bcriticism", 2), (r"\bdrawback|\bdeficien|\bshortcoming", 2),
               (r"\bworse\b", 1), (r"\bpoor(?:ly)?\b", 2), (r"\bnot (?:convinc|novel|new|"
                r"sufficient|enough|well|competitive|justified|supported|properly|ready)", 2),
               (r"\bwrong\b|\bincorrect|\berroneous", 2), (r"\bmisleading\b|\bvague\b", 2),
               (r"\bout of place\b|\bnot motivated\b", 2), (r"\bno (?:comparison|baseline|"
                r"analysis|discussion|evidence|ablation)", 2), (r"\bonly\b", 1),
               (r"\breject", 2), (r"\bnot (?:state|compar)", 1),
               (r"\b(?:does|do|did) not (?:explicitly |clearly )?(?:mention|discuss|explain|"
                r"describe|report|address|justify|show)", 2)),
    ACC: _cues((r"\binteresting\b", 1), (r"\bnovel\b", 1), (r"\bwell[- ](?:written|motivated|"
                r"organized|presented|structured|executed|designed|justified)", 2),
               (r"\bclear(?:ly)?\b", 1), (r"\bstrong\b", 1), (r"\bgood\b", 1), (r"\bgreat\b", 1),
               (r"\bnice(?:ly)?\b", 1), (r"\bsolid\b", 2), (r"\bsound\b", 1),
               (r"\bimpressive\b", 2), (r"\bconvincing\b", 1), (r"\bthorough", 1),
               (r"\bcomprehensive\b", 1), (r"\bvaluable\b", 1), (r"\buseful\b", 1),
               (r"\bpromising\b", 1), (r"\belegant", 2), (r"\binsightful\b", 2),
               (r"\boutperform", 1), (r"\bi (?:really )?like\b|\benjoy", 2), (r"\baccept", 1),
               (r"\bimportant\b", 1), (r"\bcompetitive\b", 1), (r"\bstrength", 1),
               (r"\beffective", 1), (r"\bextensive", 1), (r"\bexcellent\b", 2),
               (r"\bappreciate", 1), (r"\brigorous", 1), (r"\bclever", 2),
               (r"\bof (?:great )?value\b", 1), (r"\bbenefit\b", 1),
               (r"\baddress(?:es|ed)? (?:many of |all of |most of )?my concerns", 4),
               (r"\b(?:is|are|was|were|has been|have been) (?:now )?(?:corrected|resolved|"
                r"fixed)\b", 3)),
    SIG: _cues((r"\b(?:propose|present|introduce|describe|stud(?:y|ies)|investigate|address|"
                r"develop|consider)s?\b", 1), (r"\bcontribution", 1), (r"\bnovelty\b", 1),
               (r"\bsignifican(?:ce|t contribution)", 1), (r"\bimpact\b", 1)),
}
_PRIORITY = (IMP, REJ, ACC, SIG)
_TRAILING = {"a", "an", "the", "of", "to", "and", "or", "with", "that", "for", "in", "on", "by",
             "as", "is", "are", "be", "from", "at", "which", "this", "their", "its", "it"}
# Markdown emphasis around words (**bold**, _it_), headings and code ticks; an underscore
# inside a word or formula (A_int, $\sigma_t$) is text and stays.
_MARKUP = re.compile(r"(?<!\w)[*_]+(?=\S)|(?<=\S)[*_]+(?!\w)|^#+\s*|`")
_ASIDE = re.compile(r"\((?:though|although|albeit|but|if|even|i\.e\.|e\.g\.)[^()]*\)", re.I)
_NEGATED_CLEAR = re.compile(r"\b(?:not|un)[- ]?(?:very |entirely )?clear", re.I)


@dataclass
class Point:
    part: str | None  # None: classify
    text: str
    label: str | None = None
    item: bool = False
    sign: str | None = None
    opening: bool = False


def split_points(text: str, part: str | None, allowed=PARTS) -> list[Point]:
    """The review text cut into points, each with the part its headings give (or None).

    A heading of significance where ``allowed`` lacks it is a plain label.
    """
    points: list[Point] = []
    cur: Point | None = None
    pending = None  # a label alone on its line: the title of the next point

    def close():
        nonlocal cur
        if cur is not None and re.search(r"\w", cur.text):
            points.append(cur)
        cur = None

    for raw in clean_text(text).split("\n"):
        line = raw.strip()
        if not line:
            close()
            continue
        mark = LIST_ITEM.match(raw)
        body = raw[mark.end():].strip() if mark else line
        sign = mark.group("sign") if mark else None
        head = heading(body)
        if head and head[1] == SIG and SIG not in allowed:
            head = (head[0], None, head[2])
        if head and head[1] is None and head[2] and cur is not None and not mark:
            head = None  # "Note: ..." inside a paragraph is just text
        if head:
            label, heading_part, rest = head
            close()
            if heading_part is not None:
                part = None if heading_part in (MIXED, GENERAL) else heading_part
                pending = label = None
            elif not rest:
                pending = label
            if rest:
                cur, pending = Point(part, rest, label or pending, bool(mark), sign), None
        elif mark or cur is None:
            close()
            opening = not points and part is None and not mark
            cur, pending = Point(part, body, pending, bool(mark), sign, opening), None
        else:
            cur.text += " " + line
    close()
    return points


def sentences(text: str) -> list[str]:
    """Sentences of ``text`` (abbreviations such as e.g., et al., Eq. do not end one)."""
    out: list[str] = []
    for piece in _SENT_END.split(one_line(text)):
        if out and _ABBREV.search(out[-1]):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return [s for s in out if s]


def _cue_score(text: str) -> dict[str, float]:
    """Weights of the cues found in ``text`` (each cue once; "not clear" is not "clear")."""
    text = _ASIDE.sub(" ", text)  # "(though not novel)": an aside does not decide
    score = {p: float(sum(w for rx, w in CUES[p] if rx.search(text))) for p in PARTS}
    if _NEGATED_CLEAR.search(text):
        score[ACC] -= 1
    return score


def _score(text: str) -> dict[str, float]:
    """Cue weights of a sentence; its main clause (after *but*, or after *although ...,*)
    counts double."""
    main, rest = text, ""
    m = _CONCESSIVE.match(text)
    if m:
        rest, main = text[: m.end()], text[m.end():]
    else:
        hits = list(_CONTRAST.finditer(text))
        if hits and hits[-1].start() > 0:
            rest, main = text[: hits[-1].start()], text[hits[-1].start():]
    a, b = _cue_score(main), _cue_score(rest)
    if rest and not any(a.values()):  # "good, but <no cue>": the turn is the cue
        b[ACC], b[REJ] = b[REJ], b[ACC]
        return {p: 2 * b[p] for p in PARTS}
    return {p: 2 * a[p] + b[p] for p in PARTS}


def classify(text: str, allowed, current: str | None, threshold: float = 1) -> str | None:
    """The part ``text``'s cues point to (within ``allowed``), else ``current``.

    Leaving ``current`` takes ``threshold`` more points than staying; ties go to
    improvement, then rejection, acceptance, significance.
    """
    score = _score(text)
    if IMP not in allowed:
        score[REJ] += score[IMP]
    best = max((p for p in _PRIORITY if p in allowed), key=lambda p: score[p])
    if score[best] < threshold:
        return current
    if current in allowed and best != current and score[best] < score[current] + threshold:
        return current
    return best


def derive_title(text: str) -> str:
    """The first clause of the first sentence, at most 12 words."""
    first = sentences(text)[0] if text.strip() else ""
    clause = re.split(r"[,;:()\[\]]| [-–—] ", first)[0].strip()
    if len(clause.split()) < 3:
        clause = first
    words = _MARKUP.sub("", clause).split()[:12]
    while len(words) > 3 and words[-1].lower() in _TRAILING:
        words.pop()
    return " ".join(words).rstrip(".?!:;,")


def _sentence_groups(p: Point, allowed, current: str) -> list[tuple[str, str]]:
    """``(part, text)`` runs of a paragraph's sentences, classified one by one.

    Sentences without a cue join the one before; leading ones join the first with a cue.
    """
    sents = sentences(p.text)
    decided: list[str | None] = []
    for i, s in enumerate(sents):
        prev = decided[-1] if decided else None
        if p.opening and i == 0 and SIG in allowed and _SUMMARY.search(s):
            decided.append(SIG)
        else:  # switching part inside a paragraph takes a clear cue
            decided.append(classify(s, allowed, prev, threshold=2 if prev else 1))
    lead = next((d for d in decided if d), current)
    groups: list[tuple[str, list[str]]] = []
    for s, part in zip(sents, decided):
        part = part or lead
        if groups and groups[-1][0] == part:
            groups[-1][1].append(s)
        else:
            groups.append((part, [s]))
    return [(part, " ".join(ss)) for part, ss in groups]


def _place(p: Point, allowed, current: str) -> list[tuple[str, str, str | None]]:
    """``(part, text, own title)`` for one point (a paragraph may give several)."""
    if p.part is not None:
        return [(p.part, p.text, p.label)]
    if p.sign == "+" and ACC in allowed:
        return [(ACC, p.text, p.label)]
    if p.item:
        return [(classify(p.text, allowed, current), p.text, p.label)]
    groups = _sentence_groups(p, allowed, current)
    return [(part, text, p.label if i == 0 else None) for i, (part, text) in enumerate(groups)]


def assign(points: list[Point], allowed=PARTS, default: str = ACC) -> dict:
    """``{part: [(title, explanation), ...], DROPPED: [reason, ...]}`` for the points,
    classifying unheaded ones; items that are not review points are dropped, with why."""
    parts = {**empty_parts(), DROPPED: []}
    current = None
    for p in points:
        why = not_a_point(p.label or "", p.text)
        if why:
            parts[DROPPED].append(why)
            continue
        for part, text, title in _place(p, allowed, current or default):
            parts[part].append((title or derive_title(text), text))
            current = part
    return parts


def map_review(text: str, *, part: str | None = None, allowed=PARTS, default: str = ACC) -> dict:
    """``{part: [(title, explanation), ...]}`` for one block of free review text.

    ``part`` is where unheaded text goes (None: classify it, within ``allowed``).
    """
    return assign(split_points(text, part, allowed), allowed=allowed, default=default)


def merge_parts(*many: dict) -> dict:
    """Points of several mappings, part by part, in order (and what each dropped)."""
    out = {**empty_parts(), DROPPED: []}
    for parts in many:
        for k in out:
            out[k].extend(parts.get(k, ()))
    return out
