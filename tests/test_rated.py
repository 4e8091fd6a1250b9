"""A rated recipe: the [Rating] block after the four parts, the venue's scale in the prompt.

Real papers and reviews (the converters' rows), the real Mixtral and SmolLM2 tokenizers; the
prompt is rendered by one function (``template.rated_system``) for training, the chat hook
and inference, and their ids are compared.
"""
from __future__ import annotations

import json

import pytest
from transformers import AutoTokenizer

from review_ext.data.dataset import build_review_dataset
from review_ext.data.encode import (
    DROP_OFF_SCALE,
    DROP_UNKNOWN_VENUE,
    IGNORE_INDEX,
    encode_fn,
    fit_paper,
)
from review_ext.data.template import (
    encode_prompt,
    encode_review,
    rated_system,
    resolve_system,
)
from review_ext.data.tokenizer import load_mixtral_tokenizer
from review_ext.formats.rating import parse_rating, venue_scales
from review_ext.infer.prompting import build_prompt
from review_ext.train.hooks import ReviewChatHook

NEURIPS = "NeurIPS.cc/2025/Conference"
ICLR = "ICLR.cc/2025/Conference"
NEURIPS_ASK = ("After the four criteria, write [Rating] and, on its next line, 'Rating: ' "
               "followed by your overall rating of the paper on the NeurIPS 2025 scale "
               "(1: Strong reject; 2: Reject; 3: Borderline reject; 4: Borderline accept; "
               "5: Accept; 6: Strong accept), then on a line 'Confidence: ' followed by your "
               "confidence (1: educated guess; 2: willing to defend, but likely did not "
               "understand central parts; 3: fairly confident; 4: confident, but not absolutely "
               "certain; 5: absolutely certain).")


@pytest.fixture(autouse=True)
def _datasets_cache(tmp_path_factory, monkeypatch):
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE",
                        str(tmp_path_factory.getbasetemp() / "hf_datasets"))


@pytest.fixture(scope="module")
def record(papers):
    """A real NeurIPS 2025 paper and its first review, as to_xtuner writes a training row."""
    paper = next(p for p in papers if p.id == "G1jrjumK1b")
    return {"conversation": [{"system": resolve_system("v2"), "input": paper.text,
                              "output": paper.reviews[1]}]}


def scored(record, rating=4, confidence=3, venue=NEURIPS, in_turn=False) -> dict:
    fields = dict(rating=rating, confidence=confidence, venue=venue)
    if in_turn:
        return {"conversation": [dict(record["conversation"][0], **fields)]}
    return dict(record, **fields)


def supervised(sample) -> list[int]:
    return [i for i, label in zip(sample["input_ids"], sample["labels"]) if label != IGNORE_INDEX]


def prompt_of(sample) -> list[int]:
    return [i for i, label in zip(sample["input_ids"], sample["labels"]) if label == IGNORE_INDEX]


def test_the_ask_names_the_venue_scale():
    assert rated_system("v2", NEURIPS) == resolve_system("v2") + "\n\n" + NEURIPS_ASK
    assert rated_system("v2", "NeurIPS 2025") == rated_system("v2", NEURIPS)  # id or name
    assert rated_system(None, NEURIPS) == NEURIPS_ASK
    assert rated_system("v2") == resolve_system("v2")
    iclr = rated_system("v2", ICLR)
    assert ("ICLR 2025 scale (1: strong reject; 3: reject, not good enough; 5: marginally "
            "below the acceptance threshold; 6:") in iclr
    with pytest.raises(LookupError, match="not in the venue table"):
        rated_system("v2", "ACL 2099")


@pytest.mark.parametrize("in_turn", [False, True], ids=["row", "turn"])
def test_ids_with_and_without_the_block(tokenizer, record, in_turn):
    review = record["conversation"][0]["output"]
    plain = encode_fn(record, tokenizer, 4096, template="mixtral")
    # a four-part recipe ignores the scores; a rated one without a score encodes as four-part
    assert encode_fn(scored(record, in_turn=in_turn), tokenizer, 4096) == plain
    assert encode_fn(record, tokenizer, 4096, rating=True) == dict(plain, unrated=True)
    rated = encode_fn(scored(record, in_turn=in_turn), tokenizer, 4096, rating=True)
    assert (rated["drop_reason"], rated["rated"], rated["unrated"]) == ("", True, False)
    block = "[Rating]\nRating: 4: Borderline accept\nConfidence: 3: fairly confident"
    assert supervised(rated) == encode_review(tokenizer, f"{review.rstrip()}\n\n{block}")
    assert supervised(plain) == encode_review(tokenizer, review)
    text = tokenizer.decode(supervised(rated))
    assert text.endswith(block + "</s>")
    assert parse_rating(text, venue_scales(NEURIPS).rating).value == 4
    system = rated_system("v2", NEURIPS)
    trimmed, info = fit_paper(tokenizer, record["conversation"][0]["input"], system,
                              4096 - len(supervised(rated)))
    assert prompt_of(rated) == info.prompt_ids == encode_prompt(tokenizer, trimmed, system)
    assert NEURIPS_ASK in tokenizer.decode(prompt_of(rated))
    assert NEURIPS_ASK not in tokenizer.decode(prompt_of(plain))


@pytest.mark.parametrize("max_length", [4096, 1200, 900])
def test_the_budget_keeps_the_block_and_trims_the_paper(tokenizer, record, max_length):
    rated = encode_fn(scored(record), tokenizer, max_length, rating=True)
    plain = encode_fn(record, tokenizer, max_length)
    block = "[Rating]\nRating: 4: Borderline accept\nConfidence: 3: fairly confident"
    target = encode_review(tokenizer, record["conversation"][0]["output"].rstrip() + "\n\n" + block)
    assert supervised(rated) == target and not rated["review_trimmed"]
    assert max_length - 8 <= rated["length"] <= max_length and rated["paper_trimmed"]
    # the block and the longer system prompt are paid for with paper tokens
    assert rated["paper_tokens_cut"] > plain["paper_tokens_cut"]


def test_rows_that_cannot_be_rated_are_dropped_with_their_reason(tokenizer, record):
    cases = {DROP_OFF_SCALE: [scored(record, rating=7), scored(record, confidence=9),
                              scored(record, venue="TMLR", rating=3)],  # TMLR has no confidence
             DROP_UNKNOWN_VENUE: [scored(record, venue="ACL 2099"), scored(record, venue=None)]}
    for reason, rows in cases.items():
        for row in rows:
            out = encode_fn(row, tokenizer, 4096, rating=True)
            assert (out["drop_reason"], out["input_ids"], out["rated"]) == (reason, [], False)
    iclr = encode_fn(scored(record, rating=8, confidence=None, venue=ICLR), tokenizer, 4096,
                     rating=True)
    assert tokenizer.decode(supervised(iclr)).endswith("[Rating]\nRating: 8: accept, good paper"
                                                       "</s>")


def test_venues_train_together_and_every_row_is_counted(tokenizer, record, tmp_path):
    rows = [scored(record, rating=4), scored(record, rating=8, venue=ICLR, in_turn=True),
            scored(record, rating=2, confidence=None, venue="TMLR"), record,
            scored(record, rating=11, venue=ICLR), scored(record, venue="ACL 2099")]
    path = tmp_path / "train.json"
    path.write_text(json.dumps(rows))
    ds = build_review_dataset(str(path), tokenizer, 4096, pack_to_max_length=False,
                              shuffle=False, num_proc=1, rating=True)
    assert (ds.account["records"], ds.account["kept"]) == (6, 4)
    assert (ds.account["rating_blocks"], ds.account["unrated"]) == (3, 1)
    assert ds.account["dropped"] == {DROP_OFF_SCALE: 1, DROP_UNKNOWN_VENUE: 1}
    texts = [tokenizer.decode(ids) for ids in ds["input_ids"]]
    assert ["NeurIPS 2025 scale" in t for t in texts] == [True, False, False, False]
    assert ["ICLR 2025 scale" in t for t in texts] == [False, True, False, False]
    assert "TMLR scale (1: Reject; 2: Leaning Reject" in texts[2]
    assert [t.count("[Rating]") for t in texts] == [2, 2, 2, 0]  # asked for, then written
    assert texts[3].removesuffix("</s>").endswith(record["conversation"][0]["output"][-40:])
    four_part = build_review_dataset(str(path), tokenizer, 4096, pack_to_max_length=False,
                                     shuffle=False, num_proc=1)
    assert (four_part.account["rating_blocks"], four_part.account["unrated"]) == (0, 0)
    assert four_part.account["kept"] == 6  # the scores are not read at all


def test_a_rated_recipe_on_data_without_ratings_is_an_error(tokenizer, record, tmp_path):
    path = tmp_path / "train.json"
    path.write_text(json.dumps([record, record]))
    with pytest.raises(ValueError, match="rating = True but none of the 2 records has a usable "
                                         "'rating'.*data_conversion"):
        build_review_dataset(str(path), tokenizer, 4096, pack_to_max_length=False, rating=True)


@pytest.mark.parametrize("template", ["mixtral", "chatml"])
def test_inference_and_the_chat_hook_see_the_training_prompt(template, tokenizer, smollm2,
                                                             smollm2_tokenizer, record, tmp_path):
    tok = smollm2_tokenizer if template == "chatml" else tokenizer
    tokenizer_cfg = (dict(type=AutoTokenizer.from_pretrained,
                          pretrained_model_name_or_path=str(smollm2))
                     if template == "chatml" else dict(type=load_mixtral_tokenizer))
    sample = encode_fn(scored(record), tok, 1024, template=template, rating=True)
    prompt, target = prompt_of(sample), supervised(sample)
    paper = record["conversation"][0]["input"]
    built = build_prompt(tok, paper, "v2", 1024 - len(target), template, venue=NEURIPS)
    assert built.ids == prompt and built.system == rated_system("v2", NEURIPS)
    paper_file = tmp_path / "test.jsonl"
    rows = [{"id": "a", "input": paper, "venue": NEURIPS},
            {"id": "b", "input": "[TITLE]\nAnother venue's paper", "venue": ICLR}]
    paper_file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    hook = ReviewChatHook(tokenizer=tokenizer_cfg, paper_file=paper_file, num_papers=2,
                          system="v2", template=template, max_length=1024,
                          max_new_tokens=len(target), rating=True)
    assert len(hook.evaluation_inputs) == 1  # the ICLR paper would need another system prompt
    text = (hook.system + hook.instruction).format(input=hook.evaluation_inputs[0], round=1)
    assert hook.tokenizer.encode(text) == prompt
    four_part = ReviewChatHook(tokenizer=tokenizer_cfg, paper_file=paper_file, num_papers=2,
                               system="v2", template=template)
    assert len(four_part.evaluation_inputs) == 2 and NEURIPS_ASK not in four_part.system


def test_chatml_rated_prompt_is_smollm2_chat_template(smollm2_tokenizer, record):
    tok, paper = smollm2_tokenizer, record["conversation"][0]["input"][:3000]
    system = rated_system("v2", NEURIPS)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": paper}]
    assert encode_prompt(tok, paper, system, "chatml") == tok.apply_chat_template(
        messages, add_generation_prompt=True)


@pytest.mark.parametrize("recipe, rates", [("v2", False), ("v2_rated", True)])
def test_review_suite_json_says_whether_the_model_rates(recipe, rates):
    """What the compliance check reads to expect the block (tools/compliance.py --model)."""
    from review_ext.checkpoint.artifacts import config_metadata
    from review_ext.train.config_dump import load_config
    from tests.helpers import ROOT

    path = ROOT / "xtuner_configs" / f"{recipe}.py"
    assert config_metadata(load_config(path), path)["rating"] is rates
