"""Token-budgeted encoding on real papers with the real Mixtral tokenizer."""
from __future__ import annotations

import pytest

from review_ext.data.encode import (
    DROP_EMPTY_PAPER,
    DROP_EMPTY_REVIEW,
    DROP_NO_ROOM,
    DROP_NOT_SINGLE_TURN,
    IGNORE_INDEX,
    encode_fn,
    encode_sample,
    fit_paper,
)
from review_ext.data.template import encode_prompt, encode_review, resolve_system
from review_ext.formats.text import split_blocks

CLOSE_INST = [733, 28748, 16289, 28793]  # "▁[/INST]": the template's closing tokens

# (paper id, review index, system, max_length) -> (length, prompt tokens, supervised tokens,
# blocks cut, review trimmed). Papers as the converters write them (paper tokens / review+EOS
# tokens): 598 5071/434, 444 6617/641, 315 8158/79, IJmTOL4Raz 82833/1152, G1jrjumK1b 10066/453
# (TITLE 31, ABSTRACT 351, CAPTIONS 862, CONTENT 8822), DLt2Ep1S3q -/1379. The v2 prompt
# without a paper is 158 tokens, without a system 9.
TABLE = [
    (("598", 0, "v2", 16384), (5662, 5228, 434, [], False)),
    (("598", 0, "v2", 4096), (4094, 3660, 434, ["CONTENT"], False)),
    (("444", 0, None, 4096), (4096, 3455, 641, ["CONTENT"], False)),
    (("315", 0, "v1", 8192), (8192, 8113, 79, ["CONTENT"], False)),
    (("IJmTOL4Raz", 0, "v2", 32768), (32768, 31616, 1152, ["CONTENT"], False)),
    (("G1jrjumK1b", 1, "v2", 2600), (2600, 2147, 453, ["CONTENT"], False)),
    (("G1jrjumK1b", 1, "v2", 1200), (1198, 745, 453, ["CONTENT", "CAPTIONS"], False)),
    (("G1jrjumK1b", 1, "v2", 700), (700, 247, 453, ["CONTENT", "CAPTIONS", "ABSTRACT"], False)),
    (("G1jrjumK1b", 1, "v2", 650), (650, 197, 453, ["CONTENT", "CAPTIONS", "ABSTRACT"], False)),
    (("G1jrjumK1b", 1, "v2", 620),
     (620, 167, 453, ["CONTENT", "CAPTIONS", "ABSTRACT", "TITLE"], False)),
    (("G1jrjumK1b", 1, "v2", 600), (600, 158, 442, None, True)),
    (("DLt2Ep1S3q", 0, None, 1024), (1024, 9, 1015, None, True)),
    (("DLt2Ep1S3q", 0, "v2", 1024), (1024, 158, 866, None, True)),
]


@pytest.fixture(scope="module")
def by_id(papers):
    return {paper.id: paper for paper in papers}


@pytest.mark.parametrize("row, expected", TABLE, ids=[f"{r[0]}-{r[3]}-{r[2]}" for r, _ in TABLE])
def test_truncation_table(tokenizer, by_id, row, expected):
    pid, idx, system, max_length = row
    length, prompt_len, supervised, cut_blocks, review_trimmed = expected
    paper, review = by_id[pid].text, by_id[pid].reviews[idx]
    sample = encode_sample(tokenizer, paper, review, system, max_length)
    ids, labels = sample["input_ids"], sample["labels"]
    target = encode_review(tokenizer, review)

    assert (len(ids), sum(label != IGNORE_INDEX for label in labels)) == (length, supervised)
    assert len(ids) == len(labels) == sample["length"] <= max_length
    assert labels[:prompt_len] == [IGNORE_INDEX] * prompt_len
    assert ids[prompt_len - 4:prompt_len] == CLOSE_INST
    # label coverage: every review token (and EOS) supervised unless counted as trimmed
    assert labels[prompt_len:] == ids[prompt_len:] == target[:supervised]
    assert sample["review_trimmed"] == review_trimmed
    assert sample["review_tokens_cut"] == len(target) - supervised
    if review_trimmed:
        assert len(ids) == max_length and target[-1] not in ids[prompt_len:]
        assert ids[:prompt_len] == encode_prompt(tokenizer, "", system)
        return
    # the inference path gets exactly the training prompt
    text, info = fit_paper(tokenizer, paper, system, max_length - len(target))
    assert info.cut_blocks == cut_blocks and sample["paper_trimmed"] == bool(cut_blocks)
    assert ids[:prompt_len] == info.prompt_ids == encode_prompt(tokenizer, text, system)
    assert sample["paper_tokens_cut"] == info.paper_tokens - info.kept_paper_tokens
    if not cut_blocks:
        assert text == paper
    else:  # trimmed near the budget, ending on a whole word
        assert max_length - len(ids) <= 8
        assert not text[-1].isspace() and text.split()[-1] in paper.split()


def test_trimming_keeps_block_prefixes_in_order(tokenizer, by_id):
    paper = by_id["G1jrjumK1b"].text
    for budget in (400, 600, 1400, 3000):
        text, info = fit_paper(tokenizer, paper, "v2", budget)
        original = {name: paper[start:end].rstrip() for name, start, _, end in split_blocks(paper)}
        kept = [(name, text[start:end].rstrip()) for name, start, _, end in split_blocks(text)]
        assert [name for name, _ in kept] == [n for n in original if n in dict(kept)]
        assert all(original[name].startswith(block) for name, block in kept)
        assert len(info.prompt_ids) <= budget


def test_matches_xtuner_evaluate_chat_hook(tokenizer, by_id):
    """EvaluateChatHook encodes ``(SYSTEM.format(system) + INSTRUCTION).format(input=paper)``."""
    from xtuner.utils import IGNORE_INDEX as XTUNER_IGNORE
    from xtuner.utils import PROMPT_TEMPLATE

    assert IGNORE_INDEX == XTUNER_IGNORE
    template = PROMPT_TEMPLATE.mixtral
    _, paper, reviews = by_id["1Sb0363f2y"]
    for system in ("v1", "v2", None):
        text, info = fit_paper(tokenizer, paper, system, 3000)
        sample = encode_sample(
            tokenizer, paper, reviews[0], system, 3000 + len(encode_review(tokenizer, reviews[0]))
        )
        s = resolve_system(system)
        hook_text = ((template.SYSTEM.format(system=s) if s else "") + template.INSTRUCTION).format(
            input=text
        )
        hook_ids = tokenizer.encode(hook_text)
        assert hook_ids == info.prompt_ids == sample["input_ids"][: len(hook_ids)]


def test_unheaded_paper_is_cut_from_its_end(tokenizer):
    paper = " ".join(f"word{i}" for i in range(2000))
    text, info = fit_paper(tokenizer, paper, None, 300)
    assert (
        paper.startswith(text)
        and info.cut_blocks == ["OTHER"]
        and 290 <= len(info.prompt_ids) <= 300
    )


def test_encode_fn_account_columns(tokenizer, by_id):
    _, paper, reviews = by_id["598"]
    turn = dict(system="v2", input=paper, output=reviews[0])
    kept = encode_fn(dict(conversation=[turn]), tokenizer, 16384)
    assert kept["drop_reason"] == "" and kept["length"] == 5662
    # the system argument overrides the record's
    no_system = encode_fn(dict(conversation=[turn]), tokenizer, 16384, system="")
    assert (
        no_system["input_ids"][:5] == encode_prompt(tokenizer, paper, None)[:5]
        and no_system["length"] == 5662 - 149
    )
    cases = {
        DROP_NOT_SINGLE_TURN: dict(conversation=[turn, turn]),
        DROP_EMPTY_PAPER: dict(conversation=[dict(turn, input=" \n")]),
        DROP_EMPTY_REVIEW: dict(conversation=[dict(turn, output="")]),
    }
    for reason, example in cases.items():
        assert encode_fn(example, tokenizer, 16384)["drop_reason"] == reason
    dropped = encode_fn(dict(conversation=[turn]), tokenizer, 158)
    assert dropped["drop_reason"] == DROP_NO_ROOM and dropped["input_ids"] == []


@pytest.mark.parametrize("row, max_length, system", [(200, 8192, "v1"), (82, 16384, "v2")])
def test_corpus_papers_whose_cut_ends_in_whitespace_still_fit(tokenizer, shared_data, row,
                                                              max_length, system):
    """Two real corpus papers on which a cut of the measured excess removed only trailing
    whitespace tokens, so that 16 rounds left the text as it was and the row stopped the build."""
    import json
    import lzma

    with lzma.open(shared_data / "neurips_2025_corpus/rows.jsonl.xz", "rt") as f:
        record = next(json.loads(line) for i, line in enumerate(f) if i == row)
    out = encode_sample(tokenizer, record["input"], record["output"], resolve_system(system),
                        max_length)
    assert max_length - 8 <= len(out["input_ids"]) <= max_length
    assert out["labels"][-len(encode_review(tokenizer, record["output"])):] == \
        encode_review(tokenizer, record["output"])
