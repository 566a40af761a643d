"""Token counts for `usage`, estimated: the answers here are not written by a tokenized model.

The rule (documented in README): a character of a script written without spaces between words or with
syllabic letters (code points from U+0900 on: Devanagari, Thai, Ethiopic, CJK, ...) counts as one token; four other
characters (Latin, Cyrillic, Arabic, digits, spaces, punctuation) count as one, rounded up. Each message adds 4
tokens for its role and framing, and the prompt 3 for priming the reply, as OpenAI counts chat messages. This is
close to a GPT-style BPE for English and errs high for CJK, which is what clients use usage for: budgets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["estimate_tokens", "prompt_tokens", "usage"]

_WIDE_FROM = 0x0900
_PER_MESSAGE = 4
_PRIMING = 3


def estimate_tokens(text: str) -> int:
    """The estimated number of tokens in a text."""
    wide = sum(1 for char in text if ord(char) >= _WIDE_FROM)
    return wide + math.ceil((len(text) - wide) / 4)


def prompt_tokens(messages: Iterable[str]) -> int:
    """The estimated tokens of a conversation sent as the prompt."""
    return sum(estimate_tokens(text) + _PER_MESSAGE for text in messages) + _PRIMING


def usage(prompt: int, content: str) -> dict[str, int]:
    """The `usage` object of a reply to a prompt of `prompt` tokens."""
    completion = estimate_tokens(content)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
