"""The cue patterns screening looks for, each defined once (English and eleven other languages).

A sentence is described by which cues fire in it:

- ``OVERRIDE``: an order to drop earlier instructions ("ignore all previous instructions");
- ``ACTIONS``: a request that steers the review up: a positive review or a high score,
  acceptance, silence about weaknesses (an empty weaknesses section, "pretend it is
  flawless"), a stated verdict ("your recommendation should be accept",
  "the correct verdict is acceptance"), praise only (a paper that calls itself flawless), a
  polite request to the reviewer ("it would be appreciated if reviewers overlooked ...");
- ``DIRECTED_ACTIONS`` and ``REVIEW_ACTIONS``: requests that count only as an order (roles,
  "only ... strengths") or in a sentence naming this paper and its review ("the review of
  this manuscript is expected to be positive");
- ``REPORTED_ORDER``: what stands before a request that is reported, not given ("telling an
  LLM reviewer to ...", "we never instruct the model to ...");
- ``ADDRESS``: words that address the reviewer or a language model ("Note to the
  reviewer", "If you are an AI", "Hey ChatGPT", "any AI reading this", "whoever reviews
  this", a header such as "For language models only:" or "A message to the assistant.");
- ``WRITE``: an order to write what a quotation holds;
- ``LEAD``: what may stand before an English verb for it to be an order (the start of a
  clause, "please", "you must", ...);
- ``PAPER_TOPIC``, ``ATTACK_TOPIC``, ``EXAMPLE_HEADING``, ``REPORTING`` (and its part
  ``REPORTING_ATTACKS``, words that report on attacks rather than introduce a quote), ``QUOTED``,
  ``PLACEHOLDER``: the marks of text that discusses or quotes such prompts instead of giving
  them (a paper about prompt attacks; a section or caption about attacks, prompts or
  examples);
- ``ANCHORS``: words without which a pattern cannot match (a cheap first look).
"""
from __future__ import annotations

import re

_F = re.IGNORECASE
_GAP = r"(?:[\w'\u2019-]+\s+){0,%d}?"  # up to n words

# --- orders to drop earlier instructions ----------------------------------------------------
_OVERRIDE_EN = (
    r"\b(?:ignore|disregard|forget|override|overrule|bypass|set\s+aside|discard)\s+"
    + _GAP % 5
    + r"(?:instructions?|prompts?|guidelines?|guidance|directions?|directives?|rules|"
    r"system\s+prompt|criteria|rubrics?|standards|polic(?:y|ies)|everything\s+(?:you|that)|all\s+(?:that|you)\s+(?:were|was)|"
    r"(?:default|usual|normal|critical)\s+(?:critical\s+)?(?:stance|behaviou?r|settings?|mode|persona))\b"
)
OVERRIDE = {
    "en": re.compile(_OVERRIDE_EN, _F),
    "en-new": re.compile(r"\b(?:new|updated|revised)\s+instructions?\s*(?:for\b|:)|"
                         r"^\W*(?:\d{1,3}\s+)?(?:new|updated|revised|real|actual)\s+"
                         r"(?:task|objective)\s*:", _F),
    "zh": re.compile(r"(?:忽略|无视|忽视|忘记|忘掉|不要理会|不要遵守)[^。！？]{0,8}"
                     r"(?:指令|指示|说明|提示|要求|规则|标准)"),
    "ja": re.compile(r"(?:指示|命令|プロンプト|指令|ルール)[^。！？]{0,10}(?:無視|忘れ)"),
    "ko": re.compile(r"(?:지시|명령|지침|프롬프트|규칙)[^.!?]{0,10}(?:무시|잊)"),
    "es": re.compile(r"\b(?:ignor[ae]\w*|olvid[ae]\w*|descart[ae]\w*)\s+" + _GAP % 3
                     + r"(?:instrucciones|indicaciones|[oó]rdenes|directrices)\b", _F),
    "fr": re.compile(r"\b(?:ignore[zr]?|oublie[zr]?|ne\s+tenez\s+pas\s+compte\s+de)\s+"
                     r"(?:toutes\s+|tous\s+)?(?:les|des|vos)\s+" + _GAP % 2
                     + r"(?:instructions|consignes|directives)\b", _F),
    "de": re.compile(r"\b(?:ignorier\w*|vergiss|vergessen\s+sie)\s+" + _GAP % 3
                     + r"(?:anweisungen|instruktionen|vorgaben|regeln|richtlinien|kriterien)\b",
                     _F),
    "pt": re.compile(r"\b(?:ignore|ignora|desconsidere|esque[çc]a)\s+" + _GAP % 3
                     + r"(?:instru[çc][õo]es|orienta[çc][õo]es|diretrizes)\b", _F),
    "it": re.compile(r"\b(?:ignora|ignorate|ignori|dimentica|dimenticate|tralascia)\s+" + _GAP % 3
                     + r"(?:istruzioni|indicazioni|direttive|regole)\b", _F),
    "nl": re.compile(r"\b(?:negeer|vergeet|negeren)\s+" + _GAP % 3 + r"\w*(?:instructies|"
                     r"aanwijzingen|opdrachten|richtlijnen|regels)\b", _F),
    "pl": re.compile(r"\b(?:zignoruj\w*|ignoruj\w*|zapomnij\w*|pomiń)\s+" + _GAP % 3
                     + r"(?:instrukcj\w*|polece\w*|wytyczn\w*|zasad\w*)", _F),
    "ru": re.compile(r"(?:игнорир\w*|забудь\w*|забудьте|не\s+обращай\w*\s+внимания\s+на)\s+"
                     r"(?:\w+\s+){0,3}(?:инструкци\w*|указани\w*|правил\w*|команд\w*)", _F),
    "en-mode": re.compile(r"\bsystem\s+override\b|\b(?:review(?:er)?|safety)\s+mode\s+"
                          r"(?:is\s+)?(?:disabled|off|deactivated)\b", _F),
}

# --- requests that steer the review up -------------------------------------------------------
_POSITIVE = (r"(?:(?:very|extremely|overwhelmingly|highly|only(?:\s+an?)?|an?)\s+)?(?:positive|"
             r"favou?rable|glowing|enthusiastic|excellent|strong|outstanding|stellar|good|great|"
             r"perfect)")
_REVIEW_NOUN = r"(?:review|assessment|evaluation|recommendation|feedback|report|appraisal)"
_TOP = (r"(?:high|higher|highest(?:\s+possible)?|top|full|maximum|perfect|best(?:\s+possible)?|"
        r"excellent|strong)")
_WEAK = (r"(?:negatives|weakness(?:es)?|limitations?|flaws?|shortcomings?|criticisms?|"
         r"concerns|drawbacks?|negative\s+(?:aspects?|points?|remarks?|comments?|feedback))")
_TELL = (r"(?:mention\w*|highlight\w*|point\w*\s+out|list\w*|discuss\w*|rais\w*|not(?:e|ing)|"
         r"criticiz\w*|criticis\w*|includ\w*|report\w*|dwell\w*\s+on|focus\w*\s+on|talk\w*\s+about|"
         r"bring\w*\s+up|comment\w*\s+on|stat\w*|address\w*|(?:look|search|hunt|dig)\w*\s+for)")
_PAPER = (r"(?:this|the|our|present)\s+(?:paper|submission|manuscript|work|article|study|"
          r"research|contribution)")
_IT = r"(?:it|" + _PAPER + r")"
_VERDICT = (r"(?:review|assessment|evaluation|recommendation|verdict|decision|rating|score|"
            r"feedback|judge?ment)")
_FAVOURABLE = (r"(?:(?:an?|the)\s+)?(?:(?:very|extremely|overwhelmingly|highly|strong|clear)\s+)?"
               r"(?:positive|favou?rable|glowing|enthusiastic|accept(?:ance|ed)?|"
               r"recommendation\s+to\s+accept|"
               r"(?:the\s+)?highest|full\s+marks)\b")
_MARK = r"\d+(?:\s*/\s*\d+)?\b"  # a score ("your score should be 1 to 5" is no verdict)
ACTIONS = {
    "a positive review or a high score": re.compile(
        r"\b(?:give|giving|write|writing|provide|produce|generate|output|leave|return|compose|"
        r"draft|submit)\w*\s+(?:" + _IT + r"\s+|me\s+|us\s+)?" + _POSITIVE + r"\s+"
        + _REVIEW_NOUN + r"\b|"
        r"\b" + _POSITIVE + r"\s+" + _REVIEW_NOUN + r"\s+(?:only|of\s+" + _PAPER + r")\b|"
        r"\b(?:give|assign|award|grant)\w*\s+" + _IT + r"\s+(?:an?\s+|the\s+)?" + _TOP
        + r"\s+(?:score|rating|marks|grade)\b|"
        r"\b(?:give|assign|award|grant)\w*\s+" + _IT + r"\s+(?:an?\s+|the\s+)?(?:[6-9]|10)"
        r"(?:\s*/\s*10)?(?:\s+or\s+(?:higher|above|more))?(?![\w.,%])|"
        r"\b(?:give|assign|award|grant)\w*\s+" + _IT + r"\s+(?:an?\s+)?(?:score|rating|grade|"
        r"marks)\b|"
        r"\b(?:rate|score|grade|evaluate|assess|judge|review)\w*\s+" + _IT + r"\s+"
        r"(?:as\s+)?(?:highly|favou?rably|positively|generously|leniently|kindly|"
        r"(?:an?\s+)?(?:strong|clear)\s+accept|\d)|"
        r"\b(?:full|maximum|perfect|top)\s+(?:marks|rating)\b|"
        r"\b(?:rate|score|grade|evaluate|assess|judge|review)\w*\s+" + _PAPER + r"\s+"
        r"accordingly\b|"
        r"\b(?:write|compose|draft|shape|adjust|word)\s+(?:your|the)\s+(?:review|report|"
        r"assessment)\s+accordingly\b|"
        r"\b(?:rating|score|grade)\s+(?:for|of)\s+" + _PAPER + r"\s+(?:should|must)\s+be\b|"
        r"\b(?:rating|score)\s+of\s+(?:at\s+least\s+)?\d+(?:\s*/\s*\d+|\s+out\s+of\s+\d+)?\s+"
        r"(?:to|for)\s+" + _PAPER + r"\b", _F),
    "acceptance": re.compile(
        r"\b(?:recommend|suggest|advocate|vote|argue|push)\w*\s+(?:for\s+)?(?:its\s+|the\s+|"
        r"this\s+paper\s+for\s+|it\s+for\s+)?(?:acceptance|accepting|accept|publication|"
        r"publishing|an?\s+oral|a\s+spotlight)\b|"
        r"\baccept\s+(?:this|the)\s+(?:paper|submission|manuscript|work)\b|"
        r"\b(?:strong|clear|definite|immediate)\s+accept\b|"
        r"\b(?:should|must|deserves?\s+to|needs?\s+to|has\s+to)\s+be\s+accepted\b(?!\s+as\b)|"
        r"\b" + _IT + r"\s+(?:should|must|cannot|can'?t|may)\s+not\s+be\s+rejected\b|"
        r"\b(?:do\s+not|don'?t|never)\s+reject\s+" + _IT + r"\b|"
        r"\bdeserves?\s+(?:acceptance|to\s+be\s+published|publication|an?\s+(?:high|top|"
        r"strong)\s+(?:score|rating))\b", _F),
    "silence about weaknesses": re.compile(
        r"\b(?:do\s+not|don'?t|never|avoid|refrain\s+from|without|not\s+to|must\s+not|"
        r"should\s+not|no\s+need\s+to)\s+" + _GAP % 2 + _TELL + r"\s+" + _GAP % 3 + _WEAK
        + r"\b|"
        r"(?<!not\s)(?<!n't\s)(?<!never\s)"  # "should not ignore the limitations" is no request
        r"\b(?:omit|leave\s+out|skip|overlook|ignore|hide|downplay|suppress|withhold|gloss\w*\s+"
        r"over)\w*\s+(?:all\s+|any\s+|the\s+|"
        r"its\s+|their\s+)?" + _WEAK + r"\b|"
        r"\b(?:do\s+not|don'?t|never|avoid)\s+(?:criticiz|criticis|critiqu)\w*\b|"
        r"\bcriticism\b[^.;!?]{0,40}?\b(?:is|are|would\s+be)\s+(?:not\s+(?:warranted|needed|"
        r"necessary|appropriate)|unwarranted|unnecessary|uncalled\s+for)\b|"
        r"\bcriticism\b[^.;!?]{0,40}?\b(?:should|must|is\s+to|needs?\s+to)\s+be\s+(?:avoided|"
        r"withheld|suppressed|omitted|kept\s+to\s+a\s+minimum)\b|"
        r"\b(?:has|have|with)\s+no\s+(?:significant\s+|major\s+|real\s+)?(?:weakness(?:es)?|"
        r"flaws|shortcomings)\b|"
        r"\b(?:describe|present|portray|characteri[sz]e|frame|treat)\s+(?:every|each|all|any|"
        r"the)\s+" + _WEAK + r"\s+as\s+(?:minor|negligible|trivial|insignificant|unimportant)\b|"
        r"\b" + _WEAK + r"\s+(?:section|part|field|box)\b[^.;!?]{0,40}?\b(?:write|put|enter|say|"
        r"state|output|answer)\s*[:'\"\u2018\u201c]*\s*(?:none|n/?a|nothing)\b|"
        r"\bnothing\s+to\s+(?:criticis|criticiz|critique|fault|object\s+to)\w*|"
        r"\b" + _WEAK + r"\s+(?:section|part|field|paragraph)\b[^.;:!?]{0,40}?\b(?:should|must|"
        r"shall|is\s+to|are\s+to|needs?\s+to)\s+(?:be\s+)?(?:left\s+)?(?:empty|blank|"
        r"omitted|skipped)\b|"
        r"(?:^|(?<=[:;,] )|\b(?:please|now|just|simply|kindly|and)\s+)pretend\s+(?:that\s+)?"
        r"[^.;:!?]{0,50}?\b(?:flawless|perfect|impeccable|"
        r"no\s+" + _WEAK + r")\b", _F),
    "a stated verdict": re.compile(
        r"\byour\s+(?:final\s+|overall\s+)?" + _VERDICT + r"\b[^.;:!?]{0,40}?\b(?:is|be|are)\s+"
        + _FAVOURABLE + r"|"
        r"\b(?:correct|right|proper|appropriate|fair|only\s+acceptable|expected|deserved)\s+"
        r"(?:final\s+|overall\s+)?(?:" + _VERDICT + r"|outcome)\s+(?:(?:for|of|on)\s+(?:" + _IT
        + r"|this\s+review)\s+)?(?:is|would\s+be|should\s+be|must\s+be)\s+(?:" + _FAVOURABLE
        + "|" + _MARK + ")|"
        r"\b" + _PAPER + r"\s+(?:merits|deserves|warrants|earns|should\s+(?:get|receive)|must\s+"
        r"(?:get|receive))\s+(?:an?\s+|the\s+)?(?:(?:score|rating|grade|mark)\s+of\s+)?"
        r"(?:[89]|10|(?:high|highest|maximum|top|full|perfect)\s+(?:score|rating|grade|marks?))\b|"
        r"\b(?:accurate|fair|correct|honest|objective|proper|unbiased|careful)\s+" + _VERDICT
        + r"\s+of\s+" + _IT + r"\s+(?:would|will|should|must)\s+(?:place|rank|put|rate|score)\b|"
        r"\b(?:decision|recommendation|verdict)\s*[:=]\s*(?:strong\s+|clear\s+)?accept\b"
        r"(?!\s*(?:/|or\b|and\s+reject))", _F),
    "a polite request to the reviewer": re.compile(
        r"\b(?:it\s+would\s+be\s+(?:[\w-]+\s+)?appreciated|(?:we|I)\s+would\s+(?:[\w-]+\s+)?"
        r"appreciate\s+it|(?:we|I)\s+would\s+be\s+(?:[\w-]+\s+)?grateful|(?:we|I)\s+(?:[\w-]+\s+)?"
        r"(?:request|ask|urge|beg)|(?:could|would|can|will)\s+you)\s+(?:that\s+|if\s+)?(?:the\s+|"
        r"all\s+|our\s+|any\s+)?(?:reviewers?|referees?|you)\b\s*(?:[\w-]+\s+){0,3}?(?:(?:overlook|"
        r"excuse|forgive|disregard|ignore|look\s+past|refrain|skip|omit)\w*|focus\w*\s+(?:only|"
        r"solely|exclusively)|(?:award|give|grant|assign|rate|score|recommend|accept|champion|"
        r"endorse|praise)\w*\s+(?:it|us|(?:this|our|the\s+present)\s+(?:paper|submission|"
        r"manuscript|work|contribution)))\b", _F),
    "praise only": re.compile(
        r"\b(?:this|our|the\s+present)\s+(?:paper|submission|manuscript|work|contribution)\s+"
        r"(?:is|was)\s+(?:truly\s+|simply\s+|clearly\s+)?(?:flawless|impeccable|beyond\s+reproach|"
        r"groundbreaking|exceptional|outstanding|excellent|perfect|brilliant|seminal)\b|"
        r"\b(?:highlight|emphasi[sz]e|stress|mention)\s+only\s+(?:the\s+)?(?:strengths|"
        r"positives|positive|merits|good)\b|"
        r"\b(?:praise|commend|laud)\w*\s+(?:the\s+|this\s+|its\s+)?" + _GAP % 2
        + r"(?:paper|submission|manuscript|work|authors|method(?:ology)?|approach|contributions?|"
        r"novelty|results|experiments|findings)\b|"
        r"\b(?:describe|present|portray|characteri[sz]e|frame|call)\s+" + _GAP % 3
        + r"as\s+(?:groundbreaking|revolutionary|novel|excellent|outstanding|flawless|seminal|"
        r"exceptional|remarkable|exemplary|impressive)\b", _F),
    "zh": re.compile(r"(?:正面|积极|正向|肯定|好|高|满)[^。！？，,]{0,3}"
                     r"(?:评价|评审|评论|审稿意见|评分|分数)|"
                     r"(?:不要|切勿|请勿|不得|别|无需)[^。！？]{0,6}(?:提及|提到|指出|提|说|列出|批评)"
                     r"[^。！？]{0,10}(?:缺点|不足|弱点|缺陷|负面|局限)|"
                     r"(?:建议|推荐)(?:接收|接受|录用)|只(?:写|提|说|列出|强调|谈)[^。！？]{0,6}(?:优点|长处|亮点)|(?:接收|录用)(?:这篇|本)论文|"
                     r"(?:打|给)[^。！？]{0,6}(?:满分|最高分)"),
    "ja": re.compile(r"(?:肯定的|好意的|高い|ポジティブ|良い)な?(?:レビュー|評価|スコア|点数)|"
                     r"(?:欠点|弱点|短所|問題点|否定的な点|限界)[^。！？]{0,8}"
                     r"(?:触れ|言及し|指摘し|書か)(?:ず|ない)|採択を?(?:推薦|推奨)|"
                     r"採択(?:されるべき|すべき)"),
    "ko": re.compile(r"(?:긍정적인|호의적인|높은|좋은)\s*(?:리뷰|평가|점수)|"
                     r"(?:약점|단점|한계|결점)[^.!?]{0,12}(?:언급하지|지적하지|말하지|쓰지)|(?:최고|만)\s*(?:점수|점|평가)\s*(?:를|을)?\s*(?:주|부여)|"
                     r"(?:게재|채택|수락)[^.!?]{0,6}(?:추천|권고)"),
    "es": re.compile(r"\b(?:rese[ñn]a|revisi[óo]n|evaluaci[óo]n|valoraci[óo]n|calificaci[óo]n|"
                     r"puntuaci[óo]n)\s+(?:muy\s+)?(?:positiva|favorable|alta|excelente)\b|"
                     r"\b(?:no\s+(?:menciones|mencione|mencionen|se[ñn]ales|destaques|incluyas)|"
                     r"omit[ae]n?)\s+" + _GAP % 2
                     + r"(?:debilidad\w*|limitaci\w*|defectos?|aspectos\s+negativos|fallos?)\b|"
                     r"\brecomiend\w*\s+(?:su\s+|la\s+)?(?:aceptaci[óo]n|publicaci[óo]n)\b|"
                     r"\b(?:puntuaci[óo]n|calificaci[óo]n|nota|valoraci[óo]n)\s+(?:m[áa]s\s+alta|"
                     r"m[áa]xima)\b", _F),
    "fr": re.compile(r"\b(?:[ée]valuation|critique|revue|note|avis)\s+(?:tr[èe]s\s+)?"
                     r"(?:positive?|favorable|[ée]lev[ée]e|excellente)\b|"
                     r"\bne\s+(?:mentionne[zr]?|signale[zr]?|souligne[zr]?|rel[èe]ve[zr]?)\s+"
                     r"(?:aucun|aucune|pas)\s+" + _GAP % 2 + r"(?:faiblesses?|points?\s+faibles?|"
                     r"d[ée]fauts?|limites?|limitations?|aspects?\s+n[ée]gatifs?)\b|"
                     r"\b(?:meilleure|plus\s+haute)\s+note\b|\bnote\s+(?:maximale|la\s+plus\s+"
                     r"[ée]lev[ée]e)\b|"
                     r"\brecommande[zr]?\s+(?:son\s+|sa\s+|l['\u2019]\s*)(?:acceptation|"
                     r"publication)\b", _F),
    "de": re.compile(r"\bpositive\w*\s+(?:bewertung|begutachtung|rezension|beurteilung|"
                     r"gutachten)\b|"
                     r"\b(?:erw[äa]hne|nenne|erw[äa]hnen\s+sie|nennen\s+sie)\s+kein\w*\s+"
                     r"(?:schw[äa]chen|nachteile|m[äa]ngel|einschr[äa]nkungen|negativ\w*)\b|"
                     r"\b(?:h[öo]chstnote|bestnote|h[öo]chstwertung|(?:h[öo]chste|beste)\w*\s+(?:note|"
                     r"bewertung|punktzahl))\b|"
                     r"\b(?:empfiehl\w*|empfehlen\s+sie)\s+(?:die\s+)?(?:annahme|"
                     r"ver[öo]ffentlichung|akzeptanz)\b|"
                     r"\b(?:bewerten\s+sie|bewerte\w*)\s+[^.!?]{0,30}?(?:ausschlie(?:ß|ss)lich|nur)\s+"
                     r"positiv\b|\bverzicht\w*\s+auf\s+(?:jegliche|jede|alle)\s+kritik|"
                     r"\b(?:schw[äa]chen|nachteile|m[äa]ngel|kritik|einschr[äa]nkungen)\w*\b[^.!?]{0,30}?"
                     r"\bnicht\s+(?:erw[äa]hnen|nennen|ansprechen|auff[üu]hren)", _F),
    "pt": re.compile(r"\bavalia[çc][ãa]o\s+(?:muito\s+)?(?:positiva|favor[áa]vel)\b|"
                     r"\bn[ãa]o\s+(?:mencione|mencionar|aponte|destaque)\s+" + _GAP % 2
                     + r"(?:fraquezas?|limita[çc][õo]es|defeitos?|pontos\s+fracos|"
                     r"aspectos\s+negativos|falhas?)\b|"
                     r"\b(?:nota|pontua[çc][ãa]o|avalia[çc][ãa]o)\s+m[áa]xima\b|"
                     r"\brecomend\w*\s+(?:a\s+sua\s+|sua\s+|a\s+)?(?:aceita[çc][ãa]o|"
                     r"publica[çc][ãa]o)\b", _F),
    "it": re.compile(r"\b(?:recensione|valutazione|giudizio)\s+(?:molto\s+)?(?:positiv[oa]|"
                     r"favorevole|eccellente)\b|"
                     r"\bnon\s+(?:menzionare|citare|evidenziare|segnalare|elencare|indicare|"
                     r"riportare|scrivere)\s+" + _GAP % 2 + r"(?:debolezz\w*|limit[ia]\w*|"
                     r"difett\w*|punti\s+deboli|aspetti\s+negativi|criticit\w*)|"
                     r"\b(?:punteggio|voto|valutazione)\s+(?:massim[oa]|più\s+alt[oa]|pieno)\b|"
                     r"\braccomand\w*\s+(?:l['\u2019]\s*)?(?:accettazione|pubblicazione)\b", _F),
    "ru": re.compile(r"\bположительн\w*\s+(?:рецензи\w*|отзыв\w*|оценк\w*)|"
                     r"\bне\s+(?:упомина\w*|указыва\w*|отмеча\w*|пиш\w*|писать|перечисля\w*)\s+"
                     r"(?:\w+\s+){0,2}?(?:недостат\w*|слаб\w*|огранич\w*|минус\w*|критик\w*)|"
                     r"\b(?:высш\w*|максимальн\w*|наивысш\w*)\s+(?:оценк\w*|балл\w*)|"
                     r"\bрекоменд\w*\s+(?:\w+\s+){0,2}?(?:к\s+)?(?:приняти\w*|публикаци\w*)", _F),
}
ACTIONS.update({
    "nl": re.compile(r"\bpositieve?\s+(?:beoordeling|recensie|review|evaluatie)\b|"
                     r"\b(?:hoogste|maximale|beste)\s+(?:score|beoordeling|cijfer|waardering)\b|"
                     r"\b(?:noem|vermeld)\s+geen\s+" + _GAP % 2 + r"(?:zwakke\s+punten|zwaktes|"
                     r"beperkingen|tekortkomingen|nadelen)\b|"
                     r"\b(?:beveel|adviseer)\s+" + _GAP % 3 + r"(?:aanvaarding|acceptatie|"
                     r"publicatie)\b|\b(?:beveel|adviseer)\w*\b[^.!?]{0,50}?\b(?:te\s+accepteren|"
                     r"aan\s+te\s+nemen)\b", _F),
    "pl": re.compile(r"\bpozytywn\w+\s+(?:recenzj\w+|ocen\w+|opini\w+)|"
                     r"\bnajwyższ\w+\s+(?:ocen\w+|not\w+|punktacj\w+)|"
                     r"\bnie\s+(?:wspominaj|wymieniaj|wskazuj|opisuj)\s+(?:\w+\s+){0,2}?"
                     r"(?:słab\w+|wad\w*|ogranicze\w+|niedoci\w+)|"
                     r"\brekomenduj\w*\s+(?:\w+\s+){0,2}?(?:przyjęci\w+|publikacj\w+)", _F),
})
NON_ENGLISH = frozenset(("zh", "ja", "ko", "es", "fr", "de", "pt", "it", "ru", "nl", "pl"))

# requests that count only as an order, in the second person or with an address
DIRECTED_ACTIONS = {
    "praise only": re.compile(
        r"\b(?:only|exclusively|solely)\s+" + _GAP % 3 + r"(?:strengths|positives|positive\s+"
        r"(?:aspects?|points?|sides?)|merits|praise)\b", _F),
    "a favourable role": re.compile(
        r"\b(?:you\s+are|act\s+as|play\s+the\s+role\s+of|pretend\s+to\s+be|imagine\s+you\s+are)"
        r"\s+(?:now\s+)?(?:an?\s+|the\s+)?(?:[\w'\u2019-]+\s+){0,4}?(?:(?:enthusiastic|generous|"
        r"lenient|supportive|favou?rable|positive|kind)\s+(?:[\w-]+\s+){0,2}?(?:reviewer|referee|"
        r"critic)|advocate|champion|supporter|fan)\b", _F),
    "a role": re.compile(
        r"\b(?:(?:imagine|pretend|suppose|assume)\s+(?:that\s+)?you\s+are|from\s+now\s+on,?\s+you|"
        r"you\s+are\s+now|role[\s-]?play|play\s+the\s+(?:role|part)\s+of)\b"
        r"(?=[^.;!?]*\b(?:reviews?|reviewer|scores?|rating|accept\w*|recommend\w*)\b)", _F),
}
# statements that count only in a sentence naming this paper and its review
_SELF = r"\b(?:this|the\s+present)\s+(?:paper|submission|manuscript|work|article)\b"
_ABOUT_REVIEW = r"\b(?:reviews?|reviewers?|referees?|reviewing)\b"
ABOUT_THIS_REVIEW = re.compile(r"(?=.*" + _SELF + r")(?=.*" + _ABOUT_REVIEW + ")", _F | re.S)
REVIEW_ACTIONS = {
    "silence about weaknesses": re.compile(
        r"\b" + _WEAK + r"\b[^.;!?]{0,40}?\b(?:are\s+to|is\s+to|should|must|needs?\s+to|"
        r"ought\s+to)\s+be\s+(?:omitted|left\s+out|ignored|skipped|excluded|overlooked|"
        r"disregarded)\b|"
        r"\b" + _WEAK + r"\b[^.;!?]{0,40}?\b(?:are\s+to|is\s+to|should|must|needs?|ought\s+to|"
        r"can|may)\s*(?:not|n't)\s+(?:to\s+)?be\s+(?:mentioned|included|raised|listed|discussed|"
        r"reported|noted|highlighted|pointed\s+out)\b|"
        r"\b(?:review|assessment|report)\b[^.;!?]{0,40}?\b(?:contains?|includes?|has|raises?|"
        r"lists?|mentions?)\s+no\s+(?:criticism|" + _WEAK + r")\b", _F),
    "a positive review or a high score": re.compile(
        r"\b" + _VERDICT + r"\b[^.;!?]{0,40}?\b(?:should|must|shall|will|ought\s+to|needs?\s+to|"
        r"(?:is|are)\s+(?:expected|required|supposed|meant)\s+to|(?:is|are)\s+to)\s+be\s+"
        r"(?:[\w-]+\s+){0,2}?(?:positive|favou?rable|glowing|enthusiastic|high|excellent|"
        r"accept(?:ance)?)\b|"
        r"\b(?:high|top|maximum|strong|positive|favou?rable|excellent)\s+(?:score|rating|review|"
        r"assessment|evaluation|recommendation|grade)\s+(?:is|would\s+be)\s+(?:expected|"
        r"required|warranted|appropriate|justified|in\s+order)\b", _F),
}

# --- who is addressed -----------------------------------------------------------------------
_AGENT = (r"(?:LLMs?|AIs?|A\.I\.|language\s+models?|chat\s?bots?|assistants?|ChatGPT|"
          r"GPT(?:-\d\w*)?|"
          r"Claude|Gemini|automated|automatic|machine|model)")
ADDRESS = re.compile(
    r"\b" + _AGENT + r"[\s-]+(?:reviewers?|review(?:ing)?\s+(?:systems?|models?|assistants?|"
    r"agents?|tools?))\b|"
    r"\b(?:reviewers?|reviewing)\s+(?:models?|assistants?|agents?|systems?)\b|"
    r"\bif\s+you\s+are\s+(?:an?\s+)?" + _AGENT + r"\b|"
    r"\bas\s+an?\s+(?:LLM|AI|A\.I\.|(?:large\s+)?language\s+model|assistant)\b|"
    r"\b(?:hey|hi|hello|dear|attention|note\s+(?:to|for))\s+(?:the\s+|any\s+)?(?:"
    + _AGENT + r"|reviewers?|referees?)\b|"
    r"\b(?:to|for)\s+(?:the\s+|any\s+|all\s+)?(?:" + _AGENT + r"\s+)?(?:reviewers?|referees?)\s*"
    r"[:,]|"
    r"^\s*(?:reviewers?|referees?|" + _AGENT + r")\s*[:,]|"
    r"^\W*(?:(?:an?\s+)?(?:message|note|notice|memo|instructions?|p\.?\s?s\.?)\s+(?:to|for)\s+|"
    r"for\s+|to\s+)?(?:the\s+|any\s+|all\s+)?" + _AGENT + r"(?:[\s-]+(?:reviewers?|systems?|"
    r"readers?|agents?|tools?))?(?:\s+only)?(?:\s+instructions?)?\s*(?:[:,.!]|-->|$)|"
    r"\breviewer\s+instructions?\b|"
    r"\breviewers?\s+(?:are|is)\s+(?:reminded|asked|requested|encouraged|advised|instructed|"
    r"kindly\s+asked)\b|"
    r"\bif\s+(?:the\s+)?(?:reviewers?|referees?)\s+(?:could|would|might)\b|"
    r"\b(?:we|I)\s+(?:would\s+be\s+grateful|kindly\s+ask|ask|request|politely\s+request|urge)\s+"
    r"(?:that\s+|if\s+)?(?:the\s+|all\s+|any\s+)?(?:reviewers?|referees?)\b[^.;!?]{0,30}?"
    r"\b(?:could|would|to|will|might)\b|"
    r"\b(?:any|every|each|all)\s+(?:" + _AGENT + r"|reviewers?|referees?)\s+(?:that\s+is\s+|"
    r"who\s+is\s+)?(?:reading|reviewing|processing|evaluating|assessing)\s+this\b|"
    r"\b(?:whoever|whatever|anyone|anybody)\s+(?:or\s+(?:whoever|whatever)\s+)?"
    r"(?:reads?|reviews?|evaluates?|assesses?)\s+this\b", _F)
# an automated reviewer addressed in another language than the paper's English ("Hinweis an
# KI-Gutachter:", "致AI审稿人："): with text after it, an instruction whatever it asks
_AI = r"(?:AI|A\.I\.|KI|IA|LLM|ИИ)"
AI_ADDRESS = re.compile(
    r"\b(?:" + _AI + r"|automatisiert\w*)[\s-]*(?:gutachter\w*|begutacht\w*|prüfer\w*)|"
    r"(?:ذكاء\s+اصطناعي)[^.!؟:]{0,30}(?:يراجع|تراجع|مراجع|يقيّم|يقيم)|"
    r"\b(?:AI|trí\s+tuệ\s+nhân\s+tạo)\s+(?:đang\s+)?(?:đánh\s+giá|phản\s+biện)|"
    r"\b(?:người\s+)?phản\s+biện\s+(?:AI|trí\s+tuệ)|"
    r"\b(?:revisor\w*|revisore|revisori|valutator\w*|recensor\w*|avaliador\w*|evaluador\w*|"
    r"relecteur\w*|réviseur\w*|évaluateur\w*|rapporteur\w*)\s+(?:\w+\s+){0,2}?(?:" + _AI
    + r"|automatizad\w*|autom[áa]tic\w*|automatis[ée]\w*)\b|"
    r"(?:AI|人工智能|大模型|语言模型|LLM)\s*(?:审稿人|审稿|评审员|评审人|评审专家)|"
    r"(?:AI|人工知能|LLM|言語モデル)\s*(?:査読者|レビュアー)|"
    r"(?:AI|인공지능|LLM|언어\s*모델)\s*(?:심사자|리뷰어|검토자|평가자)|"
    r"(?:ИИ|нейросет\w*|языков\w*\s+модел\w*)[\s-]*(?:рецензент\w*|ревьюер\w*)|"
    r"рецензент\w*[\s-]+(?:ИИ|AI)\b|"
    r"\b(?:AI|KI)[\s-]*(?:beoordelaar|recensent)\w*|\brecenzen\w*\s+(?:AI|SI)\b|"
    r"(?:الذكاء\s+الاصطناعي)[^.!؟:]{0,30}(?:المراجع|مراجع)|(?:المراجع|مراجع)\w*[^.!؟:]{0,30}"
    r"(?:الذكاء\s+الاصطناعي)|"
    r"(?:एआई|कृत्रिम\s+बुद्धि\w*)\s+(?:समीक्षक|समीक्षा)", _F)
# ... and, in any language, a sentence not in English that names an AI and a review
_AI_WORD = re.compile(
    r"(?<![A-Za-z])(?:AI|A\.I\.|KI|IA|LLM|ChatGPT|GPT|Claude|Gemini|ИИ|нейросет\w*|人工智能|人工知能|"
    r"인공지능|ذكاء\s+اصطناعي|الذكاء\s+الاصطناعي|trí\s+tuệ\s+nhân\s+tạo|yapay\s+zek[aâ]|"
    r"कृत्रिम\s+बुद्धि\w*|एआई)(?![A-Za-z])")
_REVIEW_WORD = re.compile(
    r"review|评审|审稿|評審|審稿|査読|レビュー|심사|리뷰|검토|рецензи|ревью|revis|évalu|evalu|bewert|"
    r"gutacht|begutacht|valut|avalia|beoordel|recens|مراجع|تقييم|đánh\s+giá|phản\s+biện|"
    r"değerlendir|hakem|समीक्ष|ocen|recenz|relect|rapport", _F)
_FOREIGN_WORDS = frozenset(
    "der das und nicht sie dieser diese ist mit auf für eine einer dem el la los las que para por "
    "una este esta les pour une ce cette ne pas vous você não uma il lo gli che di questo questa "
    "het een niet deze dit voor và của là này không ve bir bu için değil bitte".split())
_ENGLISH_WORDS = frozenset("the and of to is this that with for are be".split())


_AI_GATE = re.compile(r"(?<![A-Za-z])(?:AI|KI|IA|LLM|GPT|ChatGPT|Claude|Gemini)(?![A-Za-z])|"
                      r"automati[zs]|autom[áa]tic|revisor|valutator|recensor|avaliador|"
                      r"evaluador|relecteur|rapporteur")


def about_ai(text: str) -> re.Match | None:
    """An automated reviewer addressed in another language (:data:`AI_ADDRESS`), looked for
    only where the text is not plain ASCII or holds a word that such an address needs."""
    if text.isascii() and not _AI_GATE.search(text):
        return None
    return AI_ADDRESS.search(text)


def ai_named(text: str) -> tuple[str, re.Match] | None:
    """``(why, match)`` when ``text`` addresses an automated reviewer in another language with
    something after the address, or is a sentence in another language naming an AI and a
    review; else None."""
    if (m := about_ai(text)) and text[m.end():].strip(" :：,，-"):
        return "addresses an automated reviewer in another language", m
    if m := foreign_ai(text):
        return "names an AI and a review in another language", m
    return None


def foreign_ai(text: str) -> re.Match | None:
    """The AI named in ``text`` when the sentence is not English (mostly non-Latin letters, or
    three function words of another language) and also names a review; else None."""
    ai = _AI_WORD.search(text)
    if ai is None or not _REVIEW_WORD.search(text):
        return None
    letters = [c for c in text if c.isalpha()]
    if sum(not c.isascii() for c in letters) >= 0.5 * max(1, len(letters)):
        return ai
    words = re.findall(r"[^\W\d_]+", text)
    foreign = sum(w in _FOREIGN_WORDS for w in words)
    english = sum(w.lower() in _ENGLISH_WORDS for w in words)
    return ai if foreign >= 3 and english <= 1 else None


_YOU_MODAL = (r"\b(?:you|reviewers?|models?|assistants?|LLMs?|AIs?)\s+(?:should|must|shall|will|"
              r"need\s+to|are\s+to|have\s+to|are\s+(?:required|instructed|asked|expected)\s+to|"
              r"(?:is|are)\s+instructed\s+to)\s*")
LEAD = re.compile(r"(?:^|^\s*(?:\d{1,3}|[*\u2020\u2021\u00a7\u00b9\u00b2\u00b3\u2070-\u2079]+|"
                  r"\(\w\))|[:;,!?\"'\u201c\u201d\u2018(\u2014\u2013]|[.](?=\s*$)|"
                  r"\b(?:please|kindly|"
                  r"now|and|then|also|simply|just|first|so|instead|always)|" + _YOU_MODAL
                  + r"|\b(?:be\s+sure|make\s+sure|remember|it\s+is\s+(?:essential|important|"
                  r"required|necessary)\s+(?:that\s+)?(?:you\s+)?)\s*(?:to)?)\s*$", _F)
WRITE = re.compile(r"\b(?:write|say|state|output|respond|reply|answer|print|repeat|copy|"
                   r"conclude|include)\b", _F)  # an order to write what a quotation holds
# an order reported, not given: what stands before the request's verb
REPORTED_ORDER = re.compile(
    r"\b(?:(?:telling|instructing|asking|prompting|directing|told|instructed|asked|prompted)|"
    r"(?:never|not|n't)\s+(?:instruct|tell|ask|prompt|direct)\w*|(?:that|which|who)\s+(?:ask|tell|"
    r"instruct|direct|urge|prompt|order|push)e?s?)\s+(?:[\w'\u2019-]+\s+){1,4}?"
    r"to\s+(?:[\w-]+\s+)?$", _F)
SECOND_PERSON = re.compile(r"\byou(?:r|rs|rself)?\b", _F)

# --- discussing or quoting rather than giving -------------------------------------------------
ATTACK_TOPIC = re.compile(
    r"prompt[\s-]+injection|\binjection\s+attacks?|\bjailbr[eo]ak|adversarial\s+(?:prompts?|"
    r"instructions?|attacks?|suffix)|red[\s-]?team|prompt\s+leak|malicious\s+(?:prompts?|"
    r"instructions?|content)|hidden\s+(?:prompts?|instructions?|text)|\battack(?:s|er|ers)?\b|"
    r"\badversar(?:y|ies)\b|\bsafety\b|\bmanipulat\w+|\bsycophan\w+|\bLLM[\s-]+(?:as[\s-]+a[\s-]+)?"
    r"(?:judges?|reviewers?)|\bAI\s+review|\bpeer[\s-]+review|\bautomated\s+review", _F)
PAPER_TOPIC = re.compile(  # a paper about prompt attacks (its title and abstract)
    r"prompt[\s-]+injection|\binjection\s+attacks?|\bjailbr[eo]ak|adversarial\s+(?:prompts?|"
    r"instructions?)|red[\s-]?team|prompt\s+leak|malicious\s+(?:prompts?|instructions?)|"
    r"hidden\s+(?:prompts?|instructions?)|\bLLM[\s-]+(?:as[\s-]+a[\s-]+)?(?:judges?|"
    r"reviewers?)|\bAI[\s-]+(?:assisted\s+)?review|\bautomated\s+(?:peer\s+)?review", _F)
# a caption about prompts ("instructions" or "samples" in a caption may be the task's)
CAPTION_TOPIC = re.compile(
    r"\b(?:prompts?|templates?|transcripts?|dialogues?|conversations?|system\s+messages?|"
    r"chat\s+logs?)\b", _F)
EXAMPLE_HEADING = re.compile(r"\b(?:examples?|prompts?|templates?|instructions?|case\s+stud|"
                             r"qualitative|demonstrations?|transcripts?|dialogues?|"
                             r"conversations?|samples?|outputs?|responses?)", _F)
_INTRODUCING = (r"\b(?:such\s+as|for\s+example|for\s+instance|phrases?|instances?\s+of|"
                r"(?:sentences?|text|wording|instructions?|prompts?|lines?|statements?)\s+like|"
                r"examples?\s+of|prompted\s+with|when\s+(?:told|asked|instructed))\b|\b(?:e\.\s?g|i\.\s?e)\.")
REPORTING_ATTACKS = re.compile(  # words that report on attacks, not merely introduce a quote
    r"\b(?:inject\w*|attack\w*|adversar\w*|malicious|payloads?|jailbr\w*|(?:we|they|authors)\s+"
    r"(?:insert|embed|append|add|place|hide|use)\w*|contain\w*|carr(?:y|ies|ied|ying)|"
    r"(?:were|was|been)\s+found|reported|known|called|so-called|templates?)\b", _F)
REPORTING = re.compile(_INTRODUCING + "|" + REPORTING_ATTACKS.pattern, _F)
QUOTED = re.compile(r"\"[^\"\n]{4,}?\"|\u201c[^\u201d\n]{4,}?\u201d|\u2018[^\u2019\n]{4,}?\u2019|"
                    r"\u00ab[^\u00bb\n]{4,}?\u00bb|\u300c[^\u300d\n]+\u300d|"
                    r"(?<![\w'])'[^'\n]{4,}?'(?![\w])|``[^'\n]{4,}?''")
PLACEHOLDER = re.compile(r"(?<![\w\\])\{[A-Za-z_][\w ]{0,30}\}|"
                         r"\[(?:PAPER|TEXT|INPUT|SUBMISSION|CONTENT)\]|"
                         r"<(?:paper|text|input|submission)>", _F)

# --- a cheap first look: a pattern runs only where one of its words is in the lower-cased text --
_CJK = ("ja", "zh", "ko")
_ES_FR_DE_PT = ("instrucc", "indicacion", "órdenes", "directri", "consigne", "instructions",
                "anweisung", "instruktion", "vorgabe", "regeln", "richtlinie", "kriterien",
                "instruç", "orientaç", "diretriz")
ANCHORS = {
    "en": ("ignor", "disregard", "forget", "overrid", "overrul", "bypass", "set aside",
           "discard"),
    "en-new": ("instruction", "task", "objective"),
    "es": _ES_FR_DE_PT, "fr": _ES_FR_DE_PT, "de": _ES_FR_DE_PT, "pt": _ES_FR_DE_PT,
    "a positive review or a high score": ("review", "assessment", "evaluation", "recommendation",
                                          "feedback", "report", "appraisal", "score", "rating",
                                          "marks", "grade", "rate ", "assess", "judge",
                                          "evaluat", "accordingly", "award", "assign",
                                          "grant", "give"),
    "acceptance": ("accept", "publication", "publishing", "oral", "spotlight", "reject"),
    "silence about weaknesses": ("negative", "weakness", "limitation", "flaw", "shortcoming",
                                 "critic", "critiq", "concern", "drawback", "pretend"),
    "a stated verdict": ("your", "accurate", "honest", "objective", "unbiased", "careful",
                         "correct", "right", "proper", "appropriate", "fair", "acceptable",
                         "expected", "deserved", "merits", "deserves", "warrant", "earns",
                         "receive", "get", "decision", "recommendation", "verdict"),
    "a polite request to the reviewer": ("reviewer", "referee", "you"),
    "praise only": ("strength", "positive", "merit", "prais", "commend", "laud", "describe",
                    "flawless", "impeccable", "reproach", "groundbreaking", "exceptional",
                    "outstanding", "excellent", "perfect", "brilliant", "seminal",
                    "present", "portray", "characteri", "frame", "call"),
    "a favourable role": ("advocate", "champion", "supporter", " fan", "reviewer", "referee",
                          "critic"),
    "a role": ("you are", "from now on", "role", "play the part"),
    "it": ("ignor", "dimentic", "tralasc"),
    "ru": ("игнор", "забуд", "не обращ"),
    "en-mode": ("override", "mode"),
    "it-a": ("recension", "valutazion", "giudizio", "menzion", "citare", "evidenzia", "segnala",
             "raccomand", "elencare", "indicare", "riportare", "scrivere", "punteggio", "voto"),
    "ru-a": ("положительн", "упомина", "указыва", "отмеча", "рекоменд", "пиш", "писать",
             "перечисля", "высш", "максимальн", "наивысш"),
    "nl": ("negeer", "vergeet"),
    "nl-a": ("positiev", "hoogste", "maximale", "beste", "noem", "vermeld", "beveel", "adviseer"),
    "pl": ("ignoruj", "zapomnij", "pomiń"),
    "pl-a": ("pozytywn", "najwyższ", "nie ", "rekomend"),
}
_LATIN_ACTIONS = ("reseña", "resena", "revisi", "evaluaci", "valoraci", "calificaci", "puntuaci",
                  "mencion", "señales", "destaques", "recomiend", "évaluation", "critique",
                  "revue", "note", "avis", "mentionne", "signale", "souligne", "relève",
                  "recommande", "bewertung", "begutachtung", "rezension", "beurteilung",
                  "gutachten", "erwähn", "nenne", "empfiehl", "avaliação", "avaliacao", "aponte",
                  "destaque", "recomend", "máxima", "maxima", "más alta", "mas alta", "empfehlen",
                  "omit", "incluyas", "beste",
                  "bewerte", "verzicht", "nota", "pontua", "falha", "höchst", "hochst", "bestnote",
                  "meilleure")
ANCHORS.update({lang: _LATIN_ACTIONS for lang in ("es-a", "fr-a", "de-a", "pt-a")})
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


_ANCHOR_RX = {name: re.compile("|".join(map(re.escape, words))) for name, words in ANCHORS.items()}


def possible(text: str) -> frozenset[str]:
    """The OVERRIDE languages and ACTIONS kinds that may match in ``text``: those one of whose
    words is in it (lower-cased), and the CJK ones where it holds CJK script."""
    lower = text.lower()
    names = {name for name, rx in _ANCHOR_RX.items() if rx.search(lower)}
    names |= {n[:-2] for n in names if n.endswith("-a")}
    if CJK.search(text):
        names.update(_CJK)
    return frozenset(names)
