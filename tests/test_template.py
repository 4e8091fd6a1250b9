"""The system prompt presets are the published pipeline's, verbatim."""
from review_ext.data.template import SYSTEM_PRESETS, render_prompt

V1 = (
    "You are a professional machine learning conference reviewer who reviews a given paper and "
    "considers 4 criteria: ** importance and novelty **, ** potential reasons for acceptance **, "
    "** potential reasons for rejection **, and ** suggestions for improvement **. The given paper "
    "is as follows."
)
V2 = (
    "You are a professional machine learning conference reviewer who reviews a given paper and "
    "considers 4 criteria: [Significance and novelty], [Potential reasons for acceptance], "
    "[Potential reasons for rejection], and [Suggestions for improvement]. For each criterion, "
    "provide random number of supporting points derived from the paper's content. And for each "
    "supporting point, use the format: '<title of supporting point>' followed by a detailed "
    "explanation. Your response should only include your reviews only, which means always start "
    "with [Significance and novelty], dont' repeat the given paper and output things other than "
    "your reviews in required format. The paper is given as follows:"
)


def test_presets_are_verbatim():
    assert SYSTEM_PRESETS == {"v1": V1, "v2": V2}


def test_render_prompt_is_xtuner_mixtral_layout():
    assert render_prompt("PAPER", "v1") == f"[INST] {V1} [/INST]\n[INST] PAPER [/INST]"
    assert render_prompt("PAPER", None) == "[INST] PAPER [/INST]"


# --- named templates ------------------------------------------------------------------------

import pytest  # noqa: E402

from review_ext.data.encode import encode_sample, fit_paper  # noqa: E402
from review_ext.data.template import (  # noqa: E402
    DEFAULT_TEMPLATE,
    TEMPLATES,
    encode_prompt,
    encode_review,
    get_template,
    prompt_parts,
    resolve_system,
)

REVIEW = ("[Significance and novelty]\n<A point> It matters.\n\n"
          "[Suggestions for improvement]\n<More> Add data.")


@pytest.fixture(scope="module")
def texts(papers):
    """Two PeerRead papers and one NeurIPS paper, as the converters write them."""
    return [paper.text for paper in papers[-3:-1] + papers[:1]]


def test_names_and_legacy_metadata():
    assert DEFAULT_TEMPLATE == "mixtral" and {"mixtral", "chatml"} <= set(TEMPLATES)
    assert get_template("review_mixtral") is get_template(None) is TEMPLATES["mixtral"]
    with pytest.raises(ValueError, match="unknown prompt template 'llama2'.*prompt_template"):
        get_template("llama2")


def test_mixtral_is_the_default_everywhere(tokenizer):
    paper = "[TITLE]\nA paper\n\n[ABSTRACT]\nWe study."
    assert render_prompt(paper, "v2") == render_prompt(paper, "v2", "mixtral")
    assert encode_prompt(tokenizer, paper, "v2") == encode_prompt(tokenizer, paper, "v2", "mixtral")
    # <s> [INST] ... : ids unchanged by the named templates
    assert encode_prompt(tokenizer, "Hi", None) == [
        1,
        733,
        16289,
        28793,
        15359,
        733,
        28748,
        16289,
        28793,
    ]


def test_mixtral_differs_from_its_chat_template_only_by_the_system_turn(tokenizer, texts):
    """Mixtral's chat template has no system role. Without a system prompt the ids are its own;
    with one, the system turn ``[INST] {system} [/INST]\\n`` comes first and the paper turn's
    first ``[`` then encodes as 28792 (after the newline) instead of 733 (``▁[``)."""
    for paper in texts:
        own = tokenizer.apply_chat_template([{"role": "user", "content": paper}])
        assert encode_prompt(tokenizer, paper, None, "mixtral") == own
        head = [1] + tokenizer.encode(f"[INST] {V2} [/INST]\n", add_special_tokens=False)
        assert own[1] == 733
        assert encode_prompt(tokenizer, paper, "v2", "mixtral") == head + [28792] + own[2:]


def test_chatml_equals_smollm2_chat_template(smollm2_tokenizer, texts):
    tok = smollm2_tokenizer
    for paper in texts:
        for system in ("v1", "v2"):
            messages = [
                {"role": "system", "content": resolve_system(system)},
                {"role": "user", "content": paper},
            ]
            own = tok.apply_chat_template(messages, add_generation_prompt=True)
            assert encode_prompt(tok, paper, system, "chatml") == own
            full = tok.apply_chat_template(messages + [{"role": "assistant", "content": REVIEW}])
            # training ids: the prompt, the review, <|im_end|> (the chat template adds a newline
            # after it)
            assert (
                encode_prompt(tok, paper, system, "chatml") + encode_review(tok, REVIEW, "chatml")
                == full[:-1]
            )
            assert tok.decode(full[-2:]) == "<|im_end|>\n"


def test_chatml_without_system_omits_smollm2_default_system(smollm2_tokenizer):
    """SmolLM2's template inserts its own default system turn when none is given; ours renders
    none."""
    own = smollm2_tokenizer.apply_chat_template(
        [{"role": "user", "content": "P"}], add_generation_prompt=True, tokenize=False
    )
    assert (
        own
        == "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, "
        "trained by Hugging Face<|im_end|>\n" + render_prompt("P", None, "chatml")
    )


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_training_ids_equal_inference_ids(name, tokenizer, smollm2_tokenizer, texts):
    """A sample's prompt ids (labels ignored) equal the ids inference builds from the same trimmed
    paper."""
    tok = smollm2_tokenizer if name == "chatml" else tokenizer
    for paper in texts:
        sample = encode_sample(tok, paper, REVIEW, "v2", 1024, name)
        target = encode_review(tok, REVIEW, name)
        text, info = fit_paper(tok, paper, "v2", 1024 - len(target), name)
        assert info.trimmed and sample["length"] <= 1024
        assert sample["input_ids"] == encode_prompt(tok, text, "v2", name) + target
        assert sample["input_ids"][-1] == (tok.eos_token_id if name == "mixtral" else 2)


def test_prompt_parts_per_template():
    before, after = prompt_parts("v1", "chatml")
    assert before == f"<|im_start|>system\n{V1}<|im_end|>\n<|im_start|>user\n"
    assert after == "<|im_end|>\n<|im_start|>assistant\n"
    assert get_template("chatml").xtuner()["STOP_WORDS"] == ["<|im_end|>"]
