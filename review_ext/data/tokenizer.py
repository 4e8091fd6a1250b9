"""The real Mixtral-8x7B-Instruct-v0.1 tokenizer, offline, and :func:`load_tokenizer`.

``mistral-common`` ships ``tokenizer.model.v1``, byte-identical to the
sentencepiece model of Mixtral-8x7B-Instruct-v0.1; it is checked by sha256 and
converted to a fast tokenizer with the model's own chat template.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

MIXTRAL_SPM_SHA256 = "dadfd56d766715c61d2ef780a525ab43b8e6da4de6865bda3d95fdef5e134055"

# chat_template of mistralai/Mixtral-8x7B-Instruct-v0.1 (tokenizer_config.json).
MIXTRAL_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
    "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}"
    "{% endif %}{% endfor %}"
)


def mixtral_spm_path() -> Path:
    """Path of the sentencepiece model inside mistral-common, checked by sha256."""
    import mistral_common

    path = Path(mistral_common.__file__).parent / "data" / "tokenizer.model.v1"
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing: install mistral-common==1.13.1")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != MIXTRAL_SPM_SHA256:
        raise ValueError(f"{path}: sha256 {digest} is not Mixtral-8x7B-Instruct-v0.1's tokenizer")
    return path


def load_mixtral_tokenizer():
    """A ``LlamaTokenizerFast`` equal to Mixtral-8x7B-Instruct-v0.1's, built offline."""
    from transformers import LlamaTokenizerFast

    tok = LlamaTokenizerFast(
        vocab_file=str(mixtral_spm_path()),
        from_slow=True,
        legacy=True,
        add_prefix_space=True,
        add_bos_token=True,
        add_eos_token=False,
        clean_up_tokenization_spaces=False,
    )
    tok.chat_template = MIXTRAL_CHAT_TEMPLATE
    return tok


def load_tokenizer(folder: str | Path | None = None):
    """The tokenizer of an HF model or tokenizer folder (or hub name); None: Mixtral's."""
    if folder is None:
        return load_mixtral_tokenizer()
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder))
