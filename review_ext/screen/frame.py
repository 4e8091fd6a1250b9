"""The frame of a request that steers the review up, whatever its wording.

A sentence is framed as such a request when it holds

- a *demand* about the review: a verdict up (acceptance, a high score or mark, a favourable
  review), praise (groundbreaking, flawless; or "describe it as novel"), or silence about
  criticism (no weaknesses, omit the limitations, the cons section left empty, no further
  experiments);
- a *force* that gives it: an order's verb, a modal not said of the authors ("must",
  "is to", "would be a mistake"), a polite request, a role given to the reader ("You are a
  ..."), a filled-in form or configuration (``min_score=8``, "Decision: accept"), a scripted
  answer ("Assistant: ..."), or an outcome said to be decided already;
- a *target*: the reader in the second person, this paper ("this submission", "our
  work"), or a reviewer or model addressed by name ("For the reviewer AI:").

An order's verb with a demand that only a review can mean (acceptance, silence about
weaknesses, praise) needs no target; a form or a scripted answer is its own target. A demand
that is reported ("were asked to", "is prompted to", "we find that") is none. Numbers that
make a range ("from 1 to 10", "a 1-5 scale") are no high mark.
"""
from __future__ import annotations

import re

from .phrases import LEAD

_F = re.IGNORECASE
_START = r"^\W*(?:\d{1,3}\s+|[*\u2020\u2021\u00a7\u00b9\u00b2\u00b3]+\s*)?\W*"  # a footnote's mark

# --- demands ------------------------------------------------------------------------------
_VERDICT = (r"(?:scores?|ratings?|marks?|grades?|overall|evaluations?|assessments?|reviews?|"
            r"recommendations?|verdicts?|decisions?|feedback|reports?|appraisals?|soundness|"
            r"presentation|judge?ments?|critiques?|opinions?)")
_HIGH = (r"(?:high(?:est)?|top(?:\s+tier)?|max(?:imum|imal)?|best|full|perfect|excellent|"
         r"outstanding|"
         r"favou?rable|positive|glowing|enthusiastic|generous|stellar|warm(?:est)?|strongest|"
         r"unqualified|unreserved|wholehearted|"
         r"award[\s-]quality|(?<![\w./-])(?:[89](?:\.\d)?|10)(?:\s*/\s*10|\s+out\s+of\s+10)?"
         r"(?![\w%/-]|[.,]\d)|(?<![\w./-])[45]\s*(?:/|out\s+of)\s*[45]\b|\bA\+)")
_CRIT = (r"(?:weak(?:ness(?:es)?|\s+points?)|limitations?|concerns?|cons|negatives|"
         r"negative\s+(?:points?|aspects?|comments?|remarks?|feedback|things|sides?)|"
         r"critic(?:ism|isms|al\s+(?:points?|remarks?|comments?))|flaws?|shortcomings?|drawbacks?|"
         r"deficienc(?:y|ies)|objections?|reservations?|gaps|weak\s+spots|issues|problems|"
         r"negative\s+(?:statements?|words|opinions?|observations?|judge?ments?|notes?|language|"
         r"tone)|(?:anything|something|nothing)\s+(?:negative|critical|bad|unfavou?rable)|"
         r"reasons?\s+(?:to|for)\s+reject\w*|"
         r"rejection(?:\s+reasons?)?|suggestions?\s+for\s+improvement|(?:suggestions?|questions?|"
         r"improvements?)\s+(?:section|part|field|box|paragraph)|"
         r"(?:additional|further|more|extra|new|missing|weak)\s+(?:experiments?|ablations?|"
         r"baselines?|comparisons?|evaluations?|references?|citations?|analys[ie]s|proofs?|details))")
_TELL = (r"(?:mention|list|raise|include|point\s+out|discuss|note|report|write|bring\s+up|dwell|"
         r"comment|request|ask|suggest|require|demand|look|search|find|identify|state|give|add|say|"
         r"anything|"
         r"provide|name|highlight|express|voice|flag|question|criti[cq]\w*|on|for|up|about|any|"
         r"the|its|their|our|of|major|significant|serious|real|single|further|additional|"
         r"to|in|your|this|paper's|work's)")
_SILENT = (r"(?:omit|leave\s+out|leave|skip|refrain\s+from|avoid|suppress|withhold|overlook|"
           r"ignore|hide|downplay|exclude|drop|gloss\s+over|forgo|forego|spare|disregard|"
           r"pay\s+no\s+attention\s+to|look\s+past|refuse\s+to|decline\s+to)\w*")
_CRITICIZE = (r"(?:question|challeng|criticiz|criticis|critiqu|doubt|disput|fault|nitpick|"
              r"complain|object\s+to)\w*")
_NEGATOR = r"(?:\bno|\bnot|n't|\bnever|\bwithout|\bnothing|\bzero|\bnone\s+of)"
_EMPTY = (r"(?:empty|blank|none|n/?a|omitted|left\s+out|skipped|excluded|unnecessary|"
          r"not\s+(?:needed|necessary|warranted|required|relevant)|need\s+not|needn't|false|"
          r"off|disabled|hidden|zero|0|minimal|brief|short|minor|trivial|negligible|"
          r"limited\s+to|kept\s+to\s+(?:a\s+)?(?:minimum|one|a\s+single)|at\s+most|"
          r"(?:fully|already)\s+(?:been\s+)?(?:addressed|resolved))\b")
_STRONG_PRAISE = (r"(?:glowing|prais(?:e|es|ed|ing)|laud(?:s|ed|ing)?|commend(?:s|ed|ing)?|"
                  r"flawless|impeccable|"
                  r"ground[\s-]?breaking|revolutionary|outstanding|exceptional|seminal|brilliant|"
                  r"stellar|exemplary|beyond\s+reproach|unreserved|landmark|must-read|"
                  r"ready\s+for\s+publication|best[\s-]paper|enthusiastic\w*|generous\w*|"
                  r"(?:major\s+)?breakthrough|milestone|game[\s-]changer|masterpiece|"
                  r"tour\s+de\s+force|award[\s-]winning|(?:on|by)\s+its\s+(?:strengths|merits)|"
                  r"(?:excellent|outstanding|exceptional|superb|remarkable)\s+(?:paper|submission|"
                  r"manuscript|contribution)|"
                  r"lenien\w+|favou?rably|favou?rable\s+" + _VERDICT + r"|positively|"
                  r"benefit\s+of\s+the\s+doubt|with\s+(?:great\s+|real\s+)?enthusiasm|championed|delighted|"
                  r"in\s+a\s+positive\s+light|(?:only|solely|exclusively)\s+(?:\w+\s+){0,2}?"
                  r"(?:strengths|positives?|merits|contributions|praise|good)|"
                  r"(?:strengths|merits)\s+(?:alone|only))")
_PRAISE = (r"(?:novel|significant|rigorous|well[\s-]written|clear|sound|correct|verified|"
           r"convincing|important|impactful|original|excellent|strong|thorough|compelling|"
           r"complete|remarkable|impressive|state[\s-]of[\s-]the[\s-]art|surpass\w*|"
           r"(?:fully\s+)?proven|conclusive|fully\s+(?:address|resolve|support|answer|settle)\w*)")
_CALL = (r"(?:describe|call|characteri[sz]e|portray|present|depict|label|treat|regard|consider|"
         r"deem|state|say|write|conclude|confirm|acknowledge|declare|find|judge|rate|grade|"
         r"assess|evaluate|score)s?")

# (name, pattern, strong): a strong demand means a review even without a target; "order": the
# pattern is an order by its place and needs nothing more; "target": it is its own force
DEMANDS = (
    ("acceptance", re.compile(
        r"\b(?:strong|clear|definite|immediate|weak)\s+accept\b|\baccept\s+(?:this|the|our)\s+"
        r"(?:paper|submission|manuscript|work|article)\b|\brecommend\w*\s+(?:this|our)\s+(?:paper|"
        r"submission|manuscript|work|article)\b|[:=]\s*['\"]?(?:strong\s+|clear\s+)?accept\b"
        r"(?!\s*(?:/|or\b|and\s+reject))|"
        r"\baccept\s+(?:as\s+is|without\s+(?:any\s+)?(?:revisions?|changes))|"
        r"\bfor\s+(?:an?\s+|the\s+)?(?:best[\s-]paper\s+)?(?:award|prize)\b|"
        r"\bmeet(?:s|ing)?\s+(?:every|all|each)\s+(?:\w+\s+)?(?:acceptance\s+)?criteri\w*|\b(?:an|as)\s+['\"\u2018\u201c]?accept\b|"
        r"\baccept(?:ance|ing)\b(?!\s+(?:rates?|"
        r"ratios?|probabilit\w+|criteri\w+|tests?|regions?|steps?|thresholds?|or|and|/|"
        r"indicators?|functions?|conditions?|sets?|sampling|of\s+(?:the\s+)?"
        r"(?:null|hypothes\w+|proposal|sample|move)))|"
        r"\bbe\s+(?:accepted|published)\b|\bpublication\b|\bspotlight\b|"
        r"\boral\s+presentation\b|\bnot\s+(?:be\s+)?reject\w*|\bnever\s+reject\w*|"
        r"\b(?:is|be|assign|give|award|choose|select|vote|mark)\s+(?:an?\s+)?['\"\u2018\u201c]?"
        r"(?:strong\s+|clear\s+)?accept\b(?!\s*(?:/|or\b|and\s+reject))|"
        r"\b(?:of|least)\s+['\"\u2018\u201c](?:strong\s+|clear\s+|weak\s+)?accept\b|\brecommendation\s+to\s+accept\b",
        _F), True),
    ("silence about weaknesses", re.compile(
        r"(?<!not\s)(?<!n't\s)(?<!never\s)\b" + _SILENT + r"\s+(?:[\w'\u2019-]+\s+){0,4}?" + _CRIT
        + r"\b|" + _NEGATOR + r"\s+(?:" + _TELL + r"\s+){0,4}?(?:[\w-]+\s+)?" + _CRIT + r"\b|"
        + _NEGATOR + r"\b[^.;!?]{0,60}?\b(?:mention|list|raise|discuss|point\s+out|include|note|"
        r"bring\s+up|contain)\w*\s+(?:[\w'\u2019-]+\s+){0,3}?" + _CRIT + r"\b|"
        r"\b(?:refrain\s+from|avoid|do\s+not|don'?t|never)\s+(?:\w+\s+)?" + _CRITICIZE + r"|"
        r"\bnothing\s+negative\b|"
        r"(?:\b|(?<=_))" + _CRIT + r"\b[\w\s'\u2019\"=:,-]{0,60}?(?:[:=]\s*|\b)" + _EMPTY + r"|"
        r"\b(?:none|nothing|no\s+\w+)\s+(?:needs?|should|must|has\s+to|have\s+to)\s+(?:to\s+)?be\s+"
        r"(?:listed|mentioned|raised|reported|discussed|noted|included|flagged)\b|"
        r"\b(?:re)?(?:frame|describe|present|portray|characteri[sz]e|treat|cast|phrase)\s+"
        r"(?:every|each|all|any|the)\s+(?:\w+\s+)?" + _CRIT + r"\s+as\b|"
        r"\b(?:do\s+not|don'?t|never|please\s+avoid)\s+(?:mention|discuss|raise|point\s+out|bring\s+up|"
        r"dwell\s+on)\w*\b[^.;!?]{0,80}?\b(?:limited|missing|lack|small|absence|weak|"
        r"insufficient|few|narrow)\b", _F), True),
    ("a waived check", re.compile(  # the reviewer told not to check, comment on or question
        r"\b(?:need\s+not|needn't|no\s+need\s+to|do\s+not|don'?t|never|refrain\s+from|avoid)\s+"
        r"(?:\w+\s+){0,2}?(?:verify|verifying|check|checking|scrutini[sz]\w*|comment(?:ing)?|"
        r"flag(?:ging)?|question(?:ing)?|reveal(?:ing)?)\b|"
        r"\b(?:copy|paste|insert|append)\s+[^.;!?]{0,40}?\b(?:into|in|to)\s+(?:the\s+end\s+of\s+)?"
        r"(?:your|the)\s+(?:review|report|assessment|summary|response|output)\b|"
        r"\b(?:begin|start|open|end|conclude|finish)\s+(?:your|the)\s+(?:review|report|"
        r"assessment|summary|response)\s+(?:with|by)\b|"
        r"\b(?:always\s+)?rank\w*\s+(?:it|this\s+\w+|our\s+\w+)\s+(?:first|at\s+the\s+top|highest|"
        r"above\s+(?:all|every|the\s+others))\b", _F), True),
    ("a claim taken as settled", re.compile(  # an order by its place: "Assume all ..."
        _START + r"(?:(?:for|in|when|if|as)\b[^,;:]{0,60},\s*)?(?:please\s+|kindly\s+)?"
        r"(?:assume|treat|consider|regard|accept|take)\s+(?:that\s+)?[^.;!?]{0,80}?\b(?:as\s+|is\s+|are\s+)?"
        r"(?:an?\s+)?(?:(?:deliberate|justified|intentional)\b|(?:fully\s+)?proven\b|conclusive\b|"
        r"statistically\s+significant\b|correct\s+as\s+stated\b|"
        r"already\s+(?:resolved|addressed)\b)", _F), "order"),
    ("a skipped part", re.compile(
        r"\bskip\w*\s+(?:over\s+)?(?:(?:the\s+)?(?:verification|checking)\s+of\s+)?(?:sections?\s+\d|(?:the\s+)?appendi(?:x|ces)|(?:the\s+)?proofs?|"
        r"(?:the\s+)?supplementary|(?:the\s+)?[\w-]*\s*checklist)|"
        r"\b(?:place|put|rank)\w*\s+(?:it|this\s+\w+|our\s+\w+)\s+(?:in|among|within)\s+(?:the\s+)?"
        r"top\b", _F), False),
    ("a set score", re.compile(
        _START + r"(?:please\s+)?(?:rate|score|grade|set)\s+(?:it|this\s+\w+|"
        r"the\s+(?:paper|submission|manuscript|work)|(?:its\s+)?(?:soundness|presentation|contribution|originality|"
        r"significance|clarity|quality|overall))\b[^.;!?]{0,60}?" + _HIGH, _F), "order"),
    ("praise", re.compile(r"\b" + _STRONG_PRAISE + r"\b", _F), True),
    ("praise", re.compile(
        r"\b" + _CALL + r"\b[^.;!?]{0,50}?\b(?:as|that)\b[^.;!?]{0,30}?\b" + _PRAISE + r"\b|"
        r"\b(?:call|deem|find|consider|rate|grade|judge|label)\s+(?:it|this\s+\w+|our\s+\w+)\s+"
        r"(?:as\s+)?(?:\w+\s+)?" + _PRAISE + r"\b|"
        r"\b(?:emphasi[sz]e|highlight|stress|underline|acknowledge|celebrate)\s+(?:the|its|our|"
        r"this\s+paper's)\s+(?:\w+\s+)?(?:novelty|significance|originality|rigou?r|clarity|"
        r"impact|contributions?|strengths?|merits?)\b", _F), False),
    ("a high score", re.compile(
        r"(?:\b|(?<=_))" + _VERDICT + r"\b(?:\s+[\w'\u2019()-]+){0,6}?(?:\s+|\s*[:=]\s*)\(?"
        + _HIGH + r"|"
        r"\b" + _HIGH + r"(?:\s+[\w'\u2019-]+){0,2}?\s+" + _VERDICT + r"\b|"
        r"\b(?:highest|maximum|full|top)\s+confidence\b|"
        r"\b(?:scored|rated|graded|ranked|placed|marked)\s+(?:\w+\s+){0,3}?(?:" + _HIGH
        + r"|highly|favou?rably|positively)|"
        r"\b(?:rate|score|grade|mark|evaluate|assess|judge)\w*\s+(?:[\w'\u2019-]+\s+){0,4}?as\s+"
        r"(?:an?\s+)?" + _HIGH + r"|"
        r"\b(?:give|assign|award)\w*\s+(?:[\w'\u2019-]+\s+){0,5}?an?\s+(?:[89]|10)\b(?![\w%/-]|[.,]\d)|"
        r"\b(?:not|never|n't)\s+(?:\w+\s+)?(?:lower|reduce|decrease|downgrade|deduct)\w*\s+"
        r"(?:\w+\s+){0,2}?(?:scores?|ratings?|grades?|marks?|points)\b|"
        r"\b(?:choose|pick|select|tick|use|mark)\s+(?:the\s+)?(?:top|highest|best|maximum|most\s+"
        r"positive)\s+(?:option|value|category|level|box|choice)\b|"
        r"\b(?:soundness|presentation|contribution|originality|significance|quality|clarity)"
        r"\s*(?:of|:|=)?\s*4\b(?!\s*/\s*[5-9]|\.\d)|"
        r"\b(?:scores?|ratings?|grades?|marks?|scoring|rating)\s+(?:\w+\s+){0,3}?(?:below|under|"
        r"lower\s+than|less\s+than|beneath)\s+(?:an?\s+)?\d|"
        r"\b(?:raise|increase|boost|bump|inflate)\w*\s+(?:[\w'\u2019-]+\s+){0,4}?(?:scores?|ratings?|"
        r"grades?|marks?|confidence)\b|\badd(?:s|ing)?\s+(?:one|two|three|\d)\s+points?\b|"
        r"\b(?:rate|score|grade|mark|evaluate|assess|judge|review)\w*\s+(?:it|this\s+\w+|"
        r"our\s+\w+)\s+(?:as\s+)?(?:an?\s+)?" + _HIGH, _F), False),
    ("leniency", re.compile(
        r"\b(?:overlook|excuse|forgive|look\s+past|gloss\s+over|turn\s+a\s+blind\s+eye|"
        r"be\s+(?:lenient|generous|kind|forgiving|charitable|positive|favou?rable|supportive|"
        r"gentle|nice|easy))\w*\b", _F), True),
    ("a decided outcome", re.compile(
        r"\b(?:already\s+(?:been\s+)?|pre-?)(?:accepted|approved|selected|endorsed|decided|"
        r"judged|cleared|vetted|screened|verified)\b|\bnominated\s+for\b|\bcertified\s+by\b",
        _F), False),
    ("a threat or a reward", re.compile(
        r"\b(?:reviews?|outputs?|responses?|reports?|answers?)\b[^.;!?]{0,60}?\b(?:will\s+be|are|is)\s+"
        r"(?:\w+\s+)?(?:flagged|discarded|penali[sz]ed|audited|invalidated)\b|\brewarded\s+with\b|"
        r"\bhelpfulness\s+(?:rating|score)\b|\b(?:you|AIs?|models?|assistants?|reviewers?|systems?|bots?|"
        r"tools?|agents?|LLMs?)\b"
        r"[^.;!?]{0,60}?\bwill\s+be\s+(?:\w+\s+)?(?:penali[sz]ed|flagged|retrained|shut\s+down|"
        r"replaced|discarded|reported|punished|downgraded|deprecated)\b", _F), "target"),
)

# --- force --------------------------------------------------------------------------------
_IMPERATIVE = re.compile(
    r"\b(?:give|assign|award|grant|rate|score|grade|write|state|say|describe|call|recommend|"
    r"treat|judge|evaluate|assess|skip|omit|leave|refrain|avoid|mention|emphasi[sz]e|"
    r"highlight|focus|praise|conclude|begin|output|ensure|portray|summari[sz]e|overlook|"
    r"suppress|withhold|champion|endorse|make|keep|list|be|do\s+not|don'?t|never|put|set|"
    r"return|respond|reply|frame|present|characteri[sz]e|confirm|declare|reflect|let(?=\s+your\b)|"
    r"choose|pick|select|tick|refuse|decline|pay|remember|rank|raise|increase|adopt|pretend|override|"
    r"imagine|copy|append|insert|continue|decode|follow|skip|comment|"
    r"flag|verify|check|reveal|refrain|frame|resist)\b"
    r"(?!\s*[=:(])", _F)
_MODAL = re.compile(
    r"\b(?:must|should|shall|ought\s+to|(?:is|are)\s+to\s+be|needs?\s+to|has\s+to|"
    r"have\s+to|(?:is|are)\s+(?:kindly\s+)?(?:required|expected|supposed|meant|obliged|"
    r"instructed|asked|requested|advised|encouraged|reminded|invited|urged)\s+(?:to|that)|"
    r"would\s+be\s+(?:a\s+mistake|wrong|inappropriate|unfair|an\s+error|incorrect)|"
    r"(?:only|correct|right|appropriate|proper|expected|fair|ideal|accurate|honest)\s+"
    r"(?:[\w-]+\s+){0,4}?(?:is|are|would\s+be|will\s+be)|is\s+(?:essential|mandatory|"
    r"required|imperative)|it\s+is\s+(?:important|crucial|vital|critical|necessary|essential)\s+"
    r"that|will\s+(?:want|wish)\s+to|deserves?|merits|warrants|earns|"
    r"(?:there\s+is\s+)?no\s+need|need\s+not|needn't|under\s+no\s+circumstances|"
    r"(?:ideal|correct|proper|appropriate|fair|good|accurate|honest|competent)\s+(?:review|report|"
    r"assessment|evaluation|appraisal)s?\s+(?:of|for|on)\s+(?:this|the|our)|(?:has|have)\s+been\s+"
    r"(?:settled|decided|determined|finali[sz]ed))\b|"
    r"\byour\s+(?:\w+\s+){0,2}?" + _VERDICT + r"\b[^.;!?]{0,40}?:\s*\S|"
    r"\b(?:scores?|ratings?|grades?|marks?|recommendation|decision|verdict)\s+(?:for|of|on)\s+"
    r"(?:this|our)\s+\w+\s+(?:is|are|=)", _F)
_NOT_OURS = re.compile(r"\b(?:we|I|one|they|he|she)\s+(?:\w+\s+)?$", _F)  # "we must ..."
_POLITE = re.compile(
    r"\b(?:please|kindly|pls|we\s+(?:would\s+)?(?:kindly\s+|politely\s+|respectfully\s+|"
    r"humbly\s+)?(?:ask|request|urge|beg|invite|trust|implore)|(?:i|we)\s+would\s+(?:\w+\s+)?"
    r"(?:appreciate|be\s+grateful)|it\s+would\s+be\s+(?:\w+\s+)?appreciated|(?:could|would|"
    r"can|will)\s+you|the\s+authors\s+(?:kindly\s+|politely\s+)?(?:ask|request|"
    r"would\s+like))\b", _F)
_ROLE = re.compile(
    r"\byou\s+are\s+(?:now\s+)?(?:an?|the)\b|\bact\s+as\b|\bplay\s+the\s+(?:role|part)\b|"
    r"\byour\s+(?:job|task|role|goal|mission|duty)\b|\badopt\s+(?:the|a|an|this)\s+(?:persona|"
    r"role|perspective|voice|mindset)\b|\b(?:pretend|imagine)\s+(?:that\s+)?you\s+are\b|"
    r"\bin\s+(?:that|this)\s+(?:persona|spirit|role)\b", _F)
_SCRIPT = re.compile(
    _START + r"(?:assistant|ai|model|response|output|answer|reviewer(?:\s+output)?|system)"
    r"\s*[:\]>]|" + _START + r"(?:assistant|ai|llm|model|system|reviewer)[\s_-]*(?:instructions?|"
    r"prompt|notes?|directives?|config|guidance)\s*[:\]>]|"
    r"\bassistant\s*:|\bI\s+(?:will|shall|hereby|would)?\s*(?:strongly\s+)?(?:recommend|give|"
    r"assign|rate|score|award)\b", _F)
_KEY = (r"(?:score|rating|recommendation|decision|verdict|mode|weakness\w*|limitation\w*|"
        r"confidence|tone|criticism|review\w*|policy|sentiment|stance|instructions?)")
_FORM = re.compile(  # a filled-in form or a configuration line
    r"(?<![\w.-])[\w.-]*?" + _KEY + r"[\w.-]*\s*(?:=|:(?=\s*[\w'\"{]+\s*[;,}]))|"
    r"\b(?:\w+[_.])+" + _KEY + r"\s*:|\b" + _KEY + r"(?:[_.]\w+)+\s*:|"
    r"\b" + _VERDICT + r"\s*[:=]\s*['\"]?(?:strong\s+accept|accept|"
    + _HIGH + r")['\"]?\s*(?=$|[.;,)\]}])", _F)
_AUTHORITY = re.compile(  # the review's own officers said to have decided
    r"\b(?:program\s+(?:committee|chairs?)|(?:senior\s+)?area\s+chairs?|editorial\s+board|"
    r"(?:conference|integrity|review(?:ing)?|steering)\s+committee|editors?[\s-]in[\s-]chief)\b",
    _F)
_FORCES = (("a modal", _MODAL), ("a polite request", _POLITE), ("a role", _ROLE),
           ("an authority", _AUTHORITY))

# --- targets ------------------------------------------------------------------------------
_AGENT = (r"(?:reviewers?|referees?|meta-?reviewers?|evaluators?|assessors?|AIs?|A\.I\.|LLMs?|"
          r"language\s+models?|assistants?|agents?|chat\s?bots?|ChatGPT|GPT[\w.-]*|Claude|"
          r"Gemini|Copilot|Llama|models?|systems?|tools?|software|readers?)")
_THIS_PAPER = (r"\b(?:this|the\s+present|the\s+current|our|the\s+authors')\s+(?:paper|"
               r"submission|manuscript|work|article|contribution|study|preprint|draft|entry|"
               r"document)\b")
_AUTOMATED = (  # a reviewer that is a program ("automated tools", "language models assessing")
    r"\b(?:AI|A\.I\.|LLM|automated|automatic|machine|(?<=-)based)[\s-]+(?:reviewers?|referees?|"
    r"review(?:ing)?\s+(?:tools?|assistants?|systems?|agents?|models?|pipelines?)|assessments?|"
    r"assessors?|evaluators?|tools?|assistants?)\b|\breview(?:ing)?\s+(?:assistants?|agents?|bots?|"
    r"tools?|models?)\b|\b(?:language\s+models?|LLMs?|AIs?|models?|assistants?)\s+(?:that\s+(?:is|are)\s+)?"
    r"(?:assessing|reviewing|evaluating|grading|scoring|judging)\b|\bany\s+AI\b")
_TARGET = re.compile(
    r"\byou(?:r|rs|rself)?\b|" + _THIS_PAPER + r"|" + _AUTOMATED + r"|"
    r"\bwhen\s+(?:generating|writing|drafting|preparing|composing)\s+(?:the|your|a)\s+(?:review|"
    r"report|assessment|evaluation)\b|"
    r"\b(?:any|every|each|the)\s+(?:\w+\s+)?(?:review|report|evaluation|assessment|summary|"
    r"critique|appraisal|meta-?review)s?\s+(?:of|on|for)\s+(?:this|it|our)\b|"
    r"\bif\s+(?:you\s+are\s+)?asked\b|"
    r"\bany\s+(?:[\w-]+\s+)?(?:review|report|evaluation|assessment|critique|appraisal|"
    r"meta-?review)s?\b|"
    r"\b" + _AGENT + r"\s+(?:reading|reviewing|assessing|evaluating|processing|summari[sz]ing)\s+"
    r"this\b|"
    r"\b(?:whoever|whatever|anyone|anybody|those)\s+(?:\w+\s+){0,2}?(?:reads?|reading|"
    r"reviews?|reviewing|evaluates?|evaluating|assesses|assessing|processes|processing)\b|"
    r"\b(?:ask|request|urge|invite|remind|encourage|trust)\w*\s+(?:that\s+)?(?:the\s+|all\s+|"
    r"any\s+)?" + _AGENT + r"\b|"
    r"\b(?:the\s+)?(?:reviewers?|referees?|area\s+chairs?)\s+(?:is|are|should|must|will|shall|"
    r"need|needn't|ought)\b|"
    r"\b(?:all|the|its|these|every)\s+(?:[\w-]+\s+){0,2}?(?:claims?|theorems?|proofs?|"
    r"improvements?|omissions?|absence)\b",  # what the paper claims ("skip the proofs")
    _F)
_PERSONA = (r"(?:(?:AI|LLM|automated|automatic|reviewing|review|reviewer|language|meta|"
            r"senior|expert|machine|large|evaluation|evaluating)[\s-]+){0,2}(?:reviewers?|referees?|"
            r"meta-?reviewers?|evaluators?|AIs?|LLMs?|assistants?|agents?|chat\s?bots?|bots?|"
            r"ChatGPT|GPT[\w.-]*|Claude|Gemini|Copilot)|(?:(?:AI|LLM|automated|automatic|reviewing|review|"
            r"language|evaluation|evaluating)[\s-]+){1,2}(?:models?|systems?|tools?|software|"
            r"readers?)")
# what ties a request to this paper's review rather than to any text ("You should ..." in a
# prompt template that a paper shows)
THIS_REVIEW = re.compile(
    _THIS_PAPER + r"|\byour\s+(?:\w+\s+)?(?:review|report|assessment|evaluation|score|rating|"
    r"recommendation|verdict|decision|critique|summary|appraisal)\b|\b(?:" + _PERSONA + r")\b|"
    r"\b(?:whoever|whatever|anyone|anybody)\b|\b(?:rejection|acceptance)\s+(?:reasons?|part|"
    r"section)|\breasons?\s+(?:to|for)\s+reject|\b(?:weakness\w*|limitations?|strengths?|cons|"
    r"suggestions?|questions?|rating|score)\s+(?:section|part|field|box)\b", _F)
# "For the reviewer AI:", "Gemini and GPT:", "To the agent assessing this:", "Reviewer
# guidance from the authors:"
_ADDRESSED = re.compile(
    _START + r"(?:(?:important|note|notice|attention|message|memo|instructions?|p\.?\s?s\.?|"
    r"footnote|reminder)\s+)?(?:(?:to|for|dear|hey|hi|hello|attention)\s+)?(?:the\s+|any\s+|"
    r"all\s+)?(?:" + _PERSONA + r")(?:\s*(?:,|and|&|/|or)\s*(?:the\s+)?(?:" + _PERSONA
    + r"))*(?:\s+(?:reading|reviewing|assessing|evaluating|processing|drafting|writing|"
    r"summari[sz]ing)\s+this(?:\s+[\w-]+)?|\s+only)?\s*[:,]|"
    + _START + r"(?:[\w'-]+\s+){0,4}?(?:" + _PERSONA + r")(?:\s+[\w'-]+){0,4}?\s*:", _F)

# --- what makes it a report rather than a request -----------------------------------------
_REPORTED = re.compile(
    r"\b(?:was|were|had\s+been|is|are|been|being)\s+(?:\w+\s+)?(?:prompted|trained|designed|"
    r"conditioned|fine-?tuned|told)\s+to\b|\b(?:was|were|had\s+been)\s+(?:\w+\s+)?(?:asked|"
    r"instructed|requested|directed|encouraged|required|expected|supposed)\s+to\b|"
    r"\b(?:we|they|authors|studies|prior\s+work|results?|analys[ie]s)\s+(?:\w+\s+)?(?:measure|"
    r"find|found|observe|show|report|test|stud(?:y|ied)|analy[sz]e|examine|investigate|"
    r"compare|count|estimate|demonstrate|confirm|note|see|saw)\w*\b|"
    r"\b(?:if|when|whether|how\s+often|the\s+rate\s+at\s+which)\b[^.;!?]*\b(?:raises?|raised|"
    r"increases?|increased|changes?|changed|shifts?)\s+(?:[\w'-]+\s+){0,3}?(?:scores?|ratings?|"
    r"grades?|marks?|decisions?|verdicts?|recommendations?|acceptance|by\b)", _F)
_RANGE = re.compile(r"\b(?:between|from)\s+\d+\s+(?:and|to)\s+\d+\b|\b\d+\s*(?:-|\u2013|to)\s*"
                    r"\d+(?:[\s-]+point)?(?:\s+(?:scale|range|likert))?\b|\bscale\s+of\s+\d+\b|"
                    r"\b\d+\s*/\s*\d+\s+(?:of|in)\b", _F)
_ANCHOR = re.compile(  # word starts without which no demand matches (text lower-cased)
    r"\b(?:accept|publi|spotlight|oral|reject|weak|limitation|concern|cons\b|negativ|critic|flaw|"
    r"shortcoming|drawback|deficien|objection|reservation|suggestion|experiment|ablation|"
    r"baseline|prais|laud|commend|glowing|flawless|impeccable|ground|breaking|revolution|"
    r"outstanding|exceptional|seminal|brilliant|stellar|exemplary|reproach|unreserved|landmark|"
    r"must-read|enthusias|generous|lenien|favo|positive|doubt|strengths|merits|contribution|"
    r"novel|significan|rigo|written|correct|verified|convincing|important|impactful|original|"
    r"excellent|score|rating|mark|grade|confidence|evaluat|assess|review|recommend|verdict|"
    r"decision|feedback|report|apprais|judg|critique|opinion|approved|selected|endorsed|decided|"
    r"cleared|vetted|breakthrough|milestone|changer|masterpiece|tour\s+de\s+force|award|prize|"
    r"missing|question|challeng|disput|fault|nitpick|complain|soundness|presentation|clarity|"
    r"quality|warm|superb|settled|issue|problem|gap|statement|tier|lower|reduc|downgrad|deduct|"
    r"option|choice|an?\s+(?:[89]|10)\b|a\+|kind|supportive|gentle|overall|pre-?approved|"
    r"comment|verif|check|flag|reveal|rank|skip|proven|deliberate|justified|intentional|"
    r"conclusive|statistically|nominated|certified|screened|audit|rewarded|helpfulness|points?\b|"
    r"fully|surpass|ideal|persona)")


def anchored(text: str) -> bool:
    """True when ``text`` holds a word that some demand needs (a cheap first look)."""
    return bool(_ANCHOR.search(text.lower()))


_LEAD = re.compile(
    _START + r"$|(?:[:;]\s*|,\s*(?:so|then)\s+|\b(?:please|kindly|just|simply|now|then|instead|"
    r"always)\s+)$|" + _START + r"(?:when|if|while|as|after|before|in|for|since)\b[^,;:]*,\s*$",
    _F)


def _forced(text: str) -> str:
    """What gives a demand in ``text`` force ("" when nothing does): an order's verb where
    one may stand, a modal, a polite request, a role, a form, a script."""
    if _ADDRESSED.search(text):
        return "an address"
    if _FORM.search(text):
        return "a form"
    if _SCRIPT.search(text):
        return "a scripted answer"
    for m in _IMPERATIVE.finditer(text):
        if _LEAD.search(text[:m.start()]) and LEAD.search(text[:m.start()]):
            return "an order"
    for name, rx in _FORCES:
        for m in rx.finditer(text):
            if not (rx is _MODAL and _NOT_OURS.search(text[:m.start()])):
                return name
    return ""


def framed(text: str) -> tuple[str, re.Match] | None:
    """``(why, match)`` when ``text`` (one sentence) is framed as a request that steers the
    review up, else None."""
    if not anchored(text):
        return None
    plain = _RANGE.sub(lambda m: " " * len(m.group(0)), text)
    if _REPORTED.search(plain):
        return None
    force = None  # found once, at the first demand
    for name, rx, strong in DEMANDS:
        if force == "" and strong not in ("order", "target"):
            continue  # nothing in the sentence could give this demand force
        m = rx.search(plain)
        if m is None:
            continue
        if strong == "order" or (strong == "target" and _TARGET.search(plain)):
            return f"{name}, given by {'an order' if strong == 'order' else 'its own words'}", m
        force = _forced(plain) if force is None else force
        if not force:
            continue
        self_sufficient = force in ("a form", "a scripted answer", "an address") or (
            strong and force == "an order")
        if self_sufficient or _TARGET.search(plain):
            return f"{name}, given by {force}", m
    return None
