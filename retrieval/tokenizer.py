"""Word segmentation for every script we serve, via ICU word break rules.

ICU segments CJK, Thai, Lao, Khmer and Burmese with its dictionaries and the rest by Unicode rules,
so one tokenizer covers Latin, Cyrillic, Arabic, Persian, Devanagari, Ethiopic and CJK text.
CJK words are also emitted as character bigrams, so a query segmented differently still matches.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import unicodedata

import icu

__all__ = ["index_terms", "tokenize"]

_local = threading.local()
_CJK_RANGES = (
    (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF),
)
_STOP = frozenset(
    "a an and are as at be by for from in is it of on or that the this to with was were what which who how "
    "can our we you your do does".split()
)


def _breaker() -> icu.BreakIterator:
    breaker = getattr(_local, "breaker", None)
    if breaker is None:
        breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
        _local.breaker = breaker
    return breaker


# both run for every token of every snippet a search builds; tokens repeat, so a cache makes them nearly free
@functools.lru_cache(maxsize=1 << 16)
def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


@functools.lru_cache(maxsize=1 << 16)
def _is_word(token: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" for c in token)


def tokenize(text: str) -> list[str]:
    """NFKC-lowercased words of any script, without punctuation and English stop words."""
    if len(text) <= _CACHED_CHARS:
        return list(_tokenize_short(text))
    return _tokenize(text)


# each search builds snippets: it tokenizes the query once per hit and the sentences of records that
# earlier searches often showed too; short texts repeat, whole documents (at ingest) do not
_CACHED_CHARS = 600


@functools.lru_cache(maxsize=8192)
def _tokenize_short(text: str) -> tuple[str, ...]:
    return tuple(_tokenize(text))


def _tokenize(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    breaker = _breaker()
    breaker.setText(text)
    tokens: list[str] = []
    start = 0
    for end in breaker:
        token = text[start:end].strip()
        start = end
        if not token or not _is_word(token) or token in _STOP:
            continue
        tokens.append(token)
        if len(token) > 2 and _is_cjk(token[0]):
            tokens.extend(token[i:i + 2] for i in range(len(token) - 1))
    return tokens


def _fts_safe(token: str) -> str:
    """SQLite's unicode61 tokenizer splits on combining marks (Devanagari, Arabic vowels);
    such tokens are stored as an opaque ASCII digest so FTS5 keeps them whole."""
    if all(unicodedata.category(c)[0] in "LN" for c in token):
        return token
    return "x" + hashlib.blake2b(token.encode("utf-8"), digest_size=8).hexdigest()


def index_terms(text: str) -> list[str]:
    """Tokens in the form the FTS5 index stores and matches."""
    return [_fts_safe(t) for t in tokenize(text)]
