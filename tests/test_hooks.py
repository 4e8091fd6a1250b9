"""The in-training review hook feeds the model the training prompt's token ids."""
import json

from transformers import AutoTokenizer
from xtuner.utils import IGNORE_INDEX

from review_ext.data.encode import encode_sample, fit_paper
from review_ext.data.template import resolve_system
from review_ext.train.hooks import ReviewChatHook


def hook_prompt_ids(hook, index=0):
    """What XTuner's EvaluateChatHook tokenises for its ``index``-th input."""
    text = (hook.system + hook.instruction).format(input=hook.evaluation_inputs[index], round=1)
    return hook.tokenizer.encode(text)


def test_hook_prompt_equals_training_prompt(tiny_model, tmp_path):
    short = ("[TITLE]\nA short paper\n\n[ABSTRACT]\nWe study short papers.\n\n"
             "[CONTENT]\nSection Title: Intro\n  Text.")
    (tmp_path / "test.jsonl").write_text(json.dumps({"id": "p1", "input": short}) + "\n")
    tokenizer_cfg = dict(
        type=AutoTokenizer.from_pretrained, pretrained_model_name_or_path=str(tiny_model)
    )
    hook = ReviewChatHook(tokenizer=tokenizer_cfg, paper_file=tmp_path / "test.jsonl", system="v2",
                          max_length=2048, max_new_tokens=64, every_n_iters=1)
    sample = encode_sample(hook.tokenizer, short, "[Significance and novelty]\nok", "v2", 2048)
    prompt = [i for i, label in zip(sample["input_ids"], sample["labels"]) if label == IGNORE_INDEX]
    assert hook_prompt_ids(hook) == prompt


def test_hook_trims_a_long_paper_like_inference(tiny_model, tmp_path, papers):
    paper = papers[0].text
    (tmp_path / "test.jsonl").write_text(json.dumps({"input": paper}) + "\n")
    tokenizer_cfg = dict(
        type=AutoTokenizer.from_pretrained, pretrained_model_name_or_path=str(tiny_model)
    )
    hook = ReviewChatHook(tokenizer=tokenizer_cfg, paper_file=tmp_path / "test.jsonl", system="v2",
                          max_length=1024, max_new_tokens=100)
    ids = hook_prompt_ids(hook)
    trimmed, info = fit_paper(hook.tokenizer, paper, resolve_system("v2"), 1024 - 100)
    assert hook.evaluation_inputs[0] == trimmed and info.trimmed
    assert ids == info.prompt_ids and len(ids) <= 924


def test_hook_renders_the_named_template(smollm2, tmp_path, papers):
    """chatml (SmolLM2): the hook's ids equal the training prompt's, with no BOS, trimmed alike."""
    paper = papers[0].text
    (tmp_path / "test.jsonl").write_text(json.dumps({"input": paper}) + "\n")
    tokenizer_cfg = dict(
        type=AutoTokenizer.from_pretrained, pretrained_model_name_or_path=str(smollm2)
    )
    hook = ReviewChatHook(tokenizer=tokenizer_cfg, paper_file=tmp_path / "test.jsonl", system="v2",
                          max_length=1024, max_new_tokens=100, template="chatml")
    trimmed, info = fit_paper(hook.tokenizer, paper, resolve_system("v2"), 1024 - 100, "chatml")
    assert hook.evaluation_inputs[0] == trimmed and info.trimmed
    assert hook_prompt_ids(hook) == info.prompt_ids and info.prompt_ids[
        0
    ] == hook.tokenizer.convert_tokens_to_ids("<|im_start|>")
    assert [c.stop_word for c in hook.stop_criteria] == ["<|im_end|>"]
