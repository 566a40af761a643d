"""Separating what a question is about (its topic) from how it is asked (its framing).

"Кто может помочь перевести наши медицинские технологии в практику?" is about medical technologies;
"who can help", "bring to practice" and "our" frame the need. Search by the whole sentence lets the
framing words decide: they match records that use them (cooperation projects, "practice" reports) and,
in a language the corpus barely holds, every such word is rare and weighs more than the topic.

The framing vocabulary (prompts/framing.json: request verbs, generic nouns such as technology,
solution, partner, organization, question words, pleasantries) and general stop words (stopwordsiso)
of the question's language are removed; what remains, in its original order, is the topic. A prefix
entry (`технолог*`) covers inflected forms. Words are found with ICU word breaks, so scripts written
without spaces (Chinese, Japanese, Thai) are segmented too.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import icu
import stopwordsiso

from assistant.locale.lexicon import plain_spelling, unspaced

__all__ = ["Framing", "TopicWords", "split_topic"]

_WORD_ENDINGS = frozenset("能力性化机器体电光热水气量率法")
# French and Italian write an article or pronoun elided onto the next word ("l'énergie", "un'azienda",
# "dell'acqua"): the word is framing when what follows the apostrophe is.
_ELIDED = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|lorsqu|puisqu|jusqu|un|dell|dall|nell|sull|all|coll|quell|quest)'(?=\w)")
# Arabic writes "and", "so", "with", "for", "like" and "the" onto the next word ("لتطوير": for developing,
# "ونبحث": and we look for): the word is framing when what follows them is (at least three letters).
_CLITICS = {"ar": ("وال", "فال", "بال", "كال", "لل", "وب", "ول", "وك", "فب", "فل", "ال", "و", "ف", "ب", "ل", "ك"),
            # Amharic writes "of", "for", "in", "from" and "like" onto the next word ("የቴክኖሎጂ": of technology)
            "am": ("እንደ", "የ", "ለ", "በ", "ከ")}
_CLITIC_REST = {"ar": 3, "am": 2}
# Persian joins plural and possessive endings with a zero-width non-joiner ("فناوری‌های": technologies of,
# "سازمان‌ها": organizations): the word is framing when what comes before them is.
_ZWNJ = "\u200c"
_PERSIAN_ENDINGS = frozenset({"ها", "های", "هایی", "ای", "ی", "اش", "مان", "تان", "شان", "هایمان", "هایشان"})
# ... and writes verbs with a joined prefix or person ending: می‌خواهیم (we want), نمی‌دانیم (we do not know),
# ساخته‌ایم (we have built), توسعه داده‌اند (they have developed). A topic is nouns: such a verb form frames the need.
_PERSIAN_VERB_PREFIXES = frozenset({"می", "نمی"})
_PERSIAN_PERSON_ENDINGS = frozenset({"ام", "ایم", "اید", "اند"})


@dataclass(frozen=True)
class TopicWords:
    """The topic words of a question (original forms, in order), the framing words, and the topic as text: the
    question with its framing words taken out, so words that stood together stay together (a Chinese or Thai
    topic keeps its characters joined, which word segmentation and bigram matching need)."""

    words: tuple[str, ...]
    framing: tuple[str, ...]
    text: str = ""


# Languages that write compounds closed ("sonkragtegnologie", "Solartechnologien", "zonnetechnologie"): a topic
# word that ends in a long framing stem keeps only its head. Long stems only (at least `_TAIL_MIN` letters:
# technology, solution, research, licensing): short ones end ordinary compounds (Rechenzentrum, Ladestelle).
_COMPOUNDING = frozenset({"af", "de", "nl"})
_TAIL_MIN = 8
_TAIL_SLACK = 4  # inflection after the stem: -n, -en, -ë, -s
_HEAD_MIN = 3
# stopwordsiso's Malay list is a news frequency list: it holds air (water), tenaga (power), industri, bahan
# (material), penerbangan (aviation), which are topics here; the framing list covers Malay's function words.
# Its English list (1,298 words, applied to every question, which borrow English terms) holds AI, computer, fire,
# high, low, early, open, test, zero and point: "computer vision" was "vision", "early fire detection" "detection",
# and an "AI" in a Vietnamese or Korean need was lost. The framing list holds English's function words instead.
_TOPICAL_STOPWORDS = frozenset({"ms", "en"})


@dataclass(frozen=True)
class Framing:
    """Framing words of one or more languages: exact forms and prefixes, and the stems that end compounds."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    tails: tuple[str, ...] = ()
    general: frozenset[str] = frozenset()
    """The words among `exact` that only the general stop word lists hold (not prompts/framing.json)."""

    def is_framing(self, word: str) -> bool:
        return word in self.exact or word.startswith(self.prefixes)

    def is_listed(self, word: str) -> bool:
        """Framing by prompts/framing.json, not only by a general stop word list."""
        return self.is_framing(word) and word not in self.general

    def compound_head(self, word: str) -> str | None:
        """The head of a closed compound ending in a framing stem ("sonkrag" of "sonkragtegnologie"), else None."""
        folded = _norm(word)
        if not self.tails or len(folded) != len(word):
            return None
        for tail in self.tails:
            at = folded.rfind(tail, _HEAD_MIN)
            if at >= _HEAD_MIN and len(folded) - at - len(tail) <= _TAIL_SLACK:
                return word[:at].rstrip("-")
        return None


def _norm(text: str) -> str:
    return plain_spelling(unicodedata.normalize("NFKC", text).casefold().replace("’", "'"))


@lru_cache(maxsize=1)
def _lists() -> dict[str, list[str]]:
    raw = json.loads(files("prompts").joinpath("framing.json").read_text(encoding="utf-8"))
    return {lang: [_norm(w) for w in words] for lang, words in raw["words"].items()}


@lru_cache(maxsize=64)
def framing_for(languages: tuple[str, ...]) -> Framing:
    """The framing words and stop words of these languages together."""
    exact: set[str] = set()
    stop: set[str] = set()
    prefixes: list[str] = []
    tails = {word.rstrip("*") for lang in languages if lang in _COMPOUNDING for word in _lists().get(lang, [])
             if len(word.rstrip("*")) >= _TAIL_MIN}
    for lang in languages:
        for word in _lists().get(lang, []):
            if word.endswith("*") and len(word) > 1:
                prefixes.append(word[:-1])
            else:
                exact.add(word)
        if stopwordsiso.has_lang(lang) and lang not in _TOPICAL_STOPWORDS:
            # a lone CJK character that ends many words is split off by word breaks at times (太阳|能 of 太阳能)
            stop.update(_norm(w) for w in stopwordsiso.stopwords(lang) if len(w) > 1 or w not in _WORD_ENDINGS)
    general = frozenset(w for w in stop - exact if not w.startswith(tuple(prefixes)))
    return Framing(frozenset(exact | stop), tuple(sorted(set(prefixes), key=len, reverse=True)),
                   tuple(sorted(tails, key=len, reverse=True)), general)


def _words(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word (a segment with a letter or digit)."""
    breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    breaker.setText(text)
    out, start = [], 0
    for end in breaker:
        if any(unicodedata.category(c)[0] in "LN" for c in text[start:end]):
            out.append((start, end))
        start = end
    return out


def _adjacent(spans: list[tuple[int, int]], start: int, size: int) -> bool:
    """Whether the `size` words from `start` follow each other with nothing between them."""
    return all(spans[n][1] == spans[n + 1][0] for n in range(start, start + size - 1))


def _han(word: str) -> bool:
    return all(0x3400 <= ord(c) <= 0x9FFF or 0xF900 <= ord(c) <= 0xFAFF for c in word)


def _unglue(framed: list[bool], words: list[str], spans: list[tuple[int, int]], framing: Framing,
            listed: set[int]) -> None:
    """Keep in the topic the general stop words that word breaks cut out of a compound of an unspaced script.

    ICU's dictionary lacks many Chinese technical compounds and cuts them into known pieces, leaving a lone
    character: 机器人 (robot) as 机器|人, 无人机 (drone) as 无人|机. A general stop word list holds such pieces
    (人, 用) as words of their own (and 无人 is two of them), so the topic lost "robot" and "drone". A piece that
    only such a list calls framing is part of a compound when it is a single character joined without a gap to the
    topic piece before it (机器|人), or is joined to a single-character topic piece after it (无人|机). `listed`:
    pieces framed as part of a listed phrase (征|集 of 征集).
    """
    first = list(framed)

    def topic(m: int) -> bool:
        return 0 <= m < len(words) and not first[m] and _han(words[m])

    for n, word in enumerate(words):
        general = word in framing.general or (not framing.is_listed(word) and all(c in framing.general for c in word))
        if not first[n] or n in listed or not general or not _han(word):
            continue
        ends = len(word) == 1 and topic(n - 1) and _adjacent(spans, n - 1, 2)
        starts = topic(n + 1) and len(words[n + 1]) == 1 and _adjacent(spans, n, 2)
        framed[n] = not (ends or starts)


@lru_cache(maxsize=1)
def _vietnamese_words() -> frozenset[str]:
    """Vietnamese words, single syllables and compounds (prompts/vi_words.txt, pyvi's lexicon)."""
    lines = files("prompts").joinpath("vi_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _vietnamese(framed: list[bool], words: list[str], own: Framing, listed: set[int]) -> None:
    """Keep in the topic the syllables of Vietnamese words that a framing entry of one syllable cut.

    Vietnamese writes every syllable apart, and most words are compounds of two: a one-syllable framing entry also
    cuts the compounds it is part of. Listed *trường* (school) cut *môi trường* (environment) and *loại* (type) cut
    *kim loại* (metal); the general stop word *bị* cut *thiết bị* (device), *nhà* cut *nhà máy* (factory), and
    English *an* (borrowed: questions in every language borrow English words) cut *an ninh* (security). A syllable
    framed alone stays in the topic when it forms a word of the lexicon with a topic syllable beside it, and an
    English framing word that is a Vietnamese word (*in*, to print: *in 3D*) is not framing. `own`: the framing of
    the question's languages without English; `listed`: syllables of a listed phrase (*công nghệ*), which stay
    framing."""
    lexicon = _vietnamese_words()

    def topic(m: int) -> bool:
        return 0 <= m < len(words) and not framed[m]

    def word_of(m: int) -> bool:  # syllables m and m + 1 make a word
        return m >= 0 and m + 1 < len(words) and f"{words[m]} {words[m + 1]}" in lexicon

    def claims(n: int, unless_taken: bool) -> bool:
        """Syllable n makes a word with a topic syllable beside it (`unless_taken`: one that does not make a word with
        its other neighbour)."""
        before = topic(n - 1) and word_of(n - 1) and not (unless_taken and topic(n - 2) and word_of(n - 2))
        after = topic(n + 1) and word_of(n) and not (unless_taken and topic(n + 2) and word_of(n + 1))
        return before or after

    single = [n for n, word in enumerate(words) if framed[n] and n not in listed]
    for n in single:
        if not own.is_framing(words[n]) and words[n] in lexicon:
            framed[n] = False
    # general stop words first, then the listed entries, which are framing more surely: a listed entry keeps a topic
    # syllable only when that syllable makes no word with its other neighbour. "cần thiết bị" is need + device (thiết
    # bị), not necessary (cần thiết) + a passive marker; "nhà máy điện" is a power plant (nhà máy + điện)
    for listed_pass in (False, True):
        for n in (n for n in single if framed[n] and own.is_listed(words[n]) == listed_pass):
            framed[n] = not claims(n, unless_taken=listed_pass)


Phrases = Callable[[tuple[str, ...], int], int]
"""How many words, from a position on, make a term of several words (`Glossary.phrase`); 0 or 1 when none do."""


def _keep_phrases(framed: list[bool], words: list[str], framing: Framing, listed: set[int], phrases: Phrases) -> None:
    """A general stop word inside a term of several words with a topic word stays in the topic, with the whole term: a
    negation or a preposition changes what the term means ("apprentissage non supervisé", unsupervised; "sans fil",
    wireless; Arabic "إعادة التدوير", recycling). Listed framing words stay framing."""
    def stop_word(word: str) -> bool:  # as written, or with a clitic or an elided article before it
        return word in framing.general or _ELIDED.sub("", word) in framing.general \
            or any(word[len(c):] in framing.general for c in _CLITICS.get("ar", ()) if word.startswith(c))

    general = [n not in listed and framed[n] and stop_word(words[n]) for n in range(len(words))]
    if not any(general):
        return
    forms = tuple(words)
    for start in range(len(words)):
        size = phrases(forms, start)
        inside = range(start, min(start + size, len(words)))
        if size > 1 and any(general[n] for n in inside) and not all(framed[n] for n in inside) \
                and not any(n in listed for n in inside):
            for n in inside:
                framed[n] = False


def split_topic(question: str, languages: tuple[str, ...], phrases: Phrases | None = None) -> TopicWords:
    """Topic and framing words of `question`, judged with the framing lists of `languages` (and English,
    which questions in any language borrow from). Multi-word entries ("chúng tôi", "kerja sama") match
    runs of words; the text is segmented before normalization (NFKC splits Thai vowels, which breaks
    ICU's dictionary segmentation). `phrases`: the terms of several words a general stop word is part of stay
    whole (`_keep_phrases`)."""
    framing = framing_for(tuple(dict.fromkeys((*languages, "en"))))
    spans = _words(question)
    words = [question[a:b] for a, b in spans]
    normalized = [_norm(w).strip("'") for w in words]
    framed = [False] * len(words)
    listed: set[int] = set()
    for size in (3, 2):
        for start in range(len(words) - size + 1):
            run = normalized[start:start + size]
            # word breaks split a listed word of an unspaced script at times (合作方 as 合作|方, 想找 as 想|找)
            joined = "".join(run) if all(unspaced(w) for w in run) and _adjacent(spans, start, size) else None
            if " ".join(run) in framing.exact or joined in framing.exact:
                framed[start:start + size] = [True] * size
                listed.update(range(start, start + size))
    for n, word in enumerate(normalized):
        framed[n] = framed[n] or framing.is_framing(word) or framing.is_framing(_ELIDED.sub("", word))
        for lang in (lang for lang in _CLITICS if lang in languages and not framed[n]):
            framed[n] = any(framing.is_framing(word[len(c):]) for c in _CLITICS[lang]
                            if word.startswith(c) and len(word) - len(c) >= _CLITIC_REST[lang])
        if not framed[n] and "fa" in languages and _ZWNJ in word:
            stem, *endings = word.split(_ZWNJ)
            framed[n] = (framing.is_framing(stem) and all(e in _PERSIAN_ENDINGS for e in endings)) \
                or stem in _PERSIAN_VERB_PREFIXES or endings[-1] in _PERSIAN_PERSON_ENDINGS
        # word breaks join framing characters at times ("想在" of 想在建筑: "want" + "in"): a segment of an unspaced
        # script made only of one-character framing words is framing too
        framed[n] = framed[n] or (len(word) > 1 and unspaced(word) and all(framing.is_framing(c) for c in word))
    _unglue(framed, normalized, spans, framing, listed)
    if "vi" in languages:
        _vietnamese(framed, normalized, framing_for(tuple(dict.fromkeys(languages))), listed)
    # an acronym is a name, whatever word it spells: AI is not Vietnamese "ai" (who), IT not "it", HIS not "his"
    # (unless the whole question is typed in capitals)
    letters = [c for c in question if c.isalpha() and c.lower() != c.upper()]
    if sum(c.isupper() for c in letters) <= len(letters) / 2:
        framed = [f and not (len(w) > 1 and w.isupper()) for f, w in zip(framed, words, strict=True)]
    if phrases is not None:
        _keep_phrases(framed, normalized, framing, listed, phrases)
    kept = list(words)
    tails: list[str] = []
    for n, word in enumerate(words):
        head = None if framed[n] else framing.compound_head(word)
        if head:
            kept[n] = head
            tails.append(word[len(head):].lstrip("-"))
    pieces: list[str] = []
    previous: int | None = None
    for n, (start, _) in enumerate(spans):
        if framed[n]:
            continue
        if previous is not None:
            gap = question[spans[previous][1]:start]
            adjacent = previous == n - 1 and not gap.strip() and kept[previous] == words[previous]
            pieces.append(gap if adjacent else " ")
        pieces.append(kept[n])
        previous = n
    return TopicWords(tuple(w for w, f in zip(kept, framed, strict=True) if not f),
                      (*(w for w, f in zip(words, framed, strict=True) if f), *tails), "".join(pieces).strip())
