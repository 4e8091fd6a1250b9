"""The offline tokenizer equals Mixtral-8x7B-Instruct-v0.1's sentencepiece model."""
import json

import pytest


def test_fast_tokenizer_matches_sentencepiece_on_real_papers(tokenizer, shared_data):
    import sentencepiece as spm

    from review_ext.data.tokenizer import mixtral_spm_path

    sp = spm.SentencePieceProcessor(model_file=str(mixtral_spm_path()))
    texts = []
    for path in sorted((shared_data / "peerread").rglob("reviews/*.json")):
        record = json.loads(path.read_text())
        texts += [record["abstract"], record["title"]]
        texts += [r["comments"] for r in record["reviews"] if r.get("comments")][:3]
    assert len(texts) >= 9
    for text in texts:
        assert tokenizer.encode(text, add_special_tokens=False) == sp.encode(text)


def test_chat_template_is_mixtral_instruct(tokenizer):
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "Hi there"}])
    # <s> ▁[ INST ] ▁Hi ▁there ▁[ / INST ]  (Mixtral-Instruct-v0.1's own ids)
    assert ids == [1, 733, 16289, 28793, 15359, 736, 733, 28748, 16289, 28793]


def test_sha256_is_checked(tmp_path, monkeypatch):
    from review_ext.data import tokenizer as tk

    monkeypatch.setattr(tk, "MIXTRAL_SPM_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="sha256"):
        tk.mixtral_spm_path()


def test_tiny_model_loads_and_runs(tiny_model):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model, torch_dtype="auto")
    tok = AutoTokenizer.from_pretrained(tiny_model)
    assert model.dtype == torch.bfloat16
    assert model.config.num_hidden_layers == 2 and model.config.num_local_experts == 4
    out = model(**tok(["[INST] hello [/INST]"], return_tensors="pt"))
    assert out.logits.shape[-1] == 32000
    assert torch.isfinite(out.logits).all()
