"""The configured OpenAI-compatible chat model as the translator (through LangChain), prompt in prompts/.

The batch goes to the model as a JSON array and must come back as one of the same length; anything else is
a failed translation, so a model that answers in prose or drops an item leaves the originals.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain_core.messages import HumanMessage

from assistant.llm import prompt
from assistant.locale.languages import LANGUAGES
from assistant.translation.translator import TranslationError

__all__ = ["ModelTranslator"]

_BATCH = 32


class ModelTranslator:
    """Translations from an OpenAI-compatible chat endpoint."""

    name = "llm"

    def __init__(self, base_url: str, model: str, api_key: str | None) -> None:
        self.model_name = model
        self._base_url = base_url
        self._api_key = api_key or "not-needed"

    def supports(self, source: str, target: str, timeout: float) -> bool:
        """Any two different interface languages."""
        return source != target and source in LANGUAGES and target in LANGUAGES

    def translate(self, texts: Sequence[str], source: str, target: str, timeout: float) -> list[str | None]:
        """The texts in `target`, up to 32 per request."""
        from langchain_openai import ChatOpenAI

        chat = ChatOpenAI(base_url=self._base_url, model=self.model_name, api_key=self._api_key,  # type: ignore[arg-type]
                          timeout=timeout, max_retries=0, temperature=0)
        out: list[str | None] = []
        for start in range(0, len(texts), _BATCH):
            batch = list(texts[start:start + _BATCH])
            text = prompt("translate").substitute(
                source=source, source_name=_english_name(source), target=target, target_name=_english_name(target),
                count=str(len(batch)), texts=json.dumps(batch, ensure_ascii=False))
            try:
                message = chat.invoke([HumanMessage(content=text)])
                reply = message.content if isinstance(message.content, str) else message.text
            except Exception as exc:  # every transport, HTTP and parsing failure means "keep the originals"
                raise TranslationError(_reason(exc)) from exc
            out += _parse(str(reply), len(batch))
        return out


def _parse(reply: str, count: int) -> list[str]:
    start, end = reply.find("["), reply.rfind("]")
    try:
        items = json.loads(reply[start:end + 1]) if 0 <= start < end else None
    except ValueError:
        items = None
    if not isinstance(items, list) or len(items) != count or not all(isinstance(i, str) for i in items):
        raise TranslationError("bad_response")
    return [i.strip() for i in items]


def _english_name(code: str) -> str:
    return _NAMES.get(code, LANGUAGES.get(code, code))


def _reason(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, openai.APIStatusError):
        return f"http_{exc.status_code}"
    return type(exc).__name__


_NAMES = {"en": "English", "zh": "Chinese (simplified)", "ru": "Russian", "pt": "Portuguese", "es": "Spanish",
          "fr": "French", "ar": "Arabic", "hi": "Hindi", "fa": "Persian", "am": "Amharic", "id": "Indonesian",
          "ms": "Malay", "th": "Thai", "vi": "Vietnamese", "kk": "Kazakh", "uz": "Uzbek", "af": "Afrikaans"}
