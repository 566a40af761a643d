"""The offline glossary: a question's topic words looked up in English, for languages the embedder carries weakly.

e5-small carries a need from Uzbek, Amharic or Indonesian onto English records weakly ("Shamol turbinalari" finds gas
and hydro turbines, not wind turbines); with the English words the same need finds its records. With no model and no
translator configured, the topic's words are looked up in a bilingual glossary of the corpus's vocabulary
(prompts/glossary/<language>.tsv: English words and phrases with the forms a native speaker writes). The English gloss
joins the search beside the question's own words (`assistant.understanding.reader`).

Lookup is greedy, left to right, the form of the most words first. Each word of a form must fit the question's word:
the same word, its beginning (the suffixes of agglutinative languages: "suvlarini" → "suv"), or, for a long word,
the same but for its ending ("аддитивного" → "аддитивный"); what follows the form or its stem must be the language's
endings (`assistant.understanding.morphology`: "kumaşlara", onto fabrics, does not begin with "kum", sand). Compounds
are read as their parts (German, Afrikaans), the prepositions written onto a word tried off (Arabic, Amharic).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable

import icu

from assistant.locale.lexicon import normalize, unspaced
from assistant.understanding.framing import framing_for
from assistant.understanding.morphology import LINKS, Endings, endings_for
from assistant.understanding.senses import Senses

__all__ = ["Gloss", "Glossary"]

# the shortest form that may match the beginning of a longer word: shorter forms would match unrelated words; in the
# syllabic scripts (Hangul, Ethiopic) a letter is a syllable, and two make a word (전지를: 전지, battery, + object)
_MIN_STEM = 3
_MIN_SYLLABLES = 2
# apostrophes that Uzbek writes in oʻ and gʻ (and people type in any of these shapes); Arabic yeh and kaf as the
# Persian letters, which Persian keyboards and texts mix; Devanagari without the nukta and with the anusvara for the
# chandrabindu, which Hindi writers often leave out or interchange (बाज़ार, बाजार); Russian ё as е, as most write it
_SPELLING = str.maketrans(
    {c: "'" for c in "ʻʼ‘’`´"} | {"\u064a": "\u06cc", "\u0643": "\u06a9"}
    | {"\u093c": None, "\u0901": "\u0902", "ё": "е"}
    # Amharic homophones, written interchangeably: ሐ ኀ as ሀ, ሠ as ሰ, ዐ as አ, ፀ as ጸ (in each of their orders)
    | {src + order: dst + order for src, dst in ((0x1210, 0x1200), (0x1280, 0x1200), (0x1220, 0x1230),
                                                (0x12D0, 0x12A0), (0x1340, 0x1338)) for order in range(7)})
# a form of an unspaced script this long or longer is matched inside a word too (shorter ones only as whole words)
_LONG_RUN = 4
# a form at least this long plus one letter may fit a word with another last letter, plus three another last two
_ENDING_STEM = 5
_ENDING_SYLLABLES = 3
# a compound's first part this long names a thing of its own, when the rest fits no form ("meubel" in "meubelmakerij")
_COMPOUND_HEAD = 5
# one-letter prepositions and the article written onto the next word (Arabic, Amharic), with kaf as `_form` writes it
_ARABIC_PREFIXES = tuple(p.translate(_SPELLING) for p in ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ك",
                                                          "ف"))
_ETHIOPIC_PREFIXES = ("ስለ", "እንደ", "ወደ", "የ", "ለ", "በ", "ከ", "እ")


@dataclass(frozen=True)
class Gloss:
    """English words for a text's words: `text` the glossed words in order, `covered` the share of the text's
    words that were found."""

    text: str
    covered: float


def _form(text: str) -> tuple[str, ...]:
    """A text's words as the glossary compares them: apostrophes unified, the zero-width non-joiner of Persian
    a word break (پل‌ها as پل ها: bridge, plural), Vietnamese tone marks where the newer spelling puts them (hoá as
    hóa), normalized."""
    text = unicodedata.normalize("NFKC", text).translate(_SPELLING).replace("\u200c", " ")
    return tuple(_VIETNAMESE_TONE.sub(_newer_tone, word) for word in normalize(text).split())


# a syllable that ends in oa, oe or uy carries its tone on the first vowel in the newer spelling (hóa, khỏe, thúy)
# and on the second in the older one (hoá, khoẻ, thuý); people type both
_VIETNAMESE_TONE = re.compile(r"([ou])([áàảãạéèẻẽẹýỳỷỹỵ])$")


def _newer_tone(match: re.Match[str]) -> str:
    vowel, toned = match.group(1), unicodedata.normalize("NFD", match.group(2))
    base, mark = toned[0], toned[1:]
    if (vowel, base) not in (("o", "a"), ("o", "e"), ("u", "y")):
        return match.group(0)
    return unicodedata.normalize("NFC", vowel + mark) + base


class _Language:
    """One language's glossary: forms (as word tuples) → the English term. A form that several terms list goes to
    the first (the file lists terms by how many records use them, most first) among those with as many words as the
    form, up to two: "жел энергиясы" listed under *wind* and *wind energy* is *wind energy*."""

    def __init__(self, lines: list[str], stop: frozenset[str] = frozenset(), endings: Endings | None = None,
                 links: tuple[str, ...] = ()) -> None:
        """`stop`: the language's stop words, which a question's topic has lost already: a form that holds them is
        also listed without them ("correnti di marea" → "correnti marea"), after every form as written. A form left
        with one word keeps it only when the words dropped came after it (the light verb of Persian "وارد کردن", the
        auxiliary of Hindi "प्रदान करना"): a word before it changes what it means (French "non supervisée" is not
        "supervisée", Turkish "iş istasyonu", workstation, is not "istasyonu", the station of any other compound).
        `endings`: what may follow a form inside a longer word (`assistant.understanding.morphology`; None: anything).
        `links`: the letters between the parts of a compound, for a language that writes compounds as one word."""
        self.endings = endings
        self.links = links
        listed: dict[tuple[str, ...], list[str]] = {}
        bare: list[tuple[tuple[str, ...], str]] = []
        for line in lines:
            if line.startswith("#"):
                continue
            english, _, forms = line.partition("\t")
            english = english.strip()
            for form in forms.split("|"):
                words = _form(form)
                if english and words:
                    listed.setdefault(words, []).append(english)
                    content = tuple(word for word in words if word not in stop)
                    if content != words and any(len(word) > _MIN_STEM for word in content) \
                            and (len(content) > 1 or words[0] == content[0]):
                        bare.append((content, english))
        for content, english in bare:
            if content not in listed:
                listed[content] = [english]
        self.forms = {words: min(terms, key=lambda term: abs(len(term.split()) - min(len(words), 2)))
                      for words, terms in listed.items()}
        # forms by the first letters of their first word (a question's word may go on past them); shorter ones whole
        self.by_start: dict[str, list[tuple[str, ...]]] = {}
        self.short: dict[str, list[tuple[str, ...]]] = {}
        for words in self.forms:
            if len(words[0]) >= _MIN_SYLLABLES:
                self.by_start.setdefault(words[0][:_MIN_SYLLABLES], []).append(words)
            else:
                self.short.setdefault(words[0], []).append(words)
        # one-word forms of unspaced scripts, matched inside a run of text by `substring`
        self.runs = {words[0]: english for words, english in self.forms.items()
                     if len(words) == 1 and unspaced(words[0])}
        self.longest_run = max(map(len, self.runs), default=0)

    def substring(self, word: str, start: int, bounds: frozenset[int]) -> tuple[int, str] | None:
        """The longest one-word form of an unspaced script at `word[start:]`: a form of two or three characters only
        where the word breaks put a word (Thai ที่, place, is also the everyday "that"), a longer one anywhere."""
        for size in range(min(self.longest_run, len(word) - start), 1, -1):
            if size < _LONG_RUN and not (start in bounds and start + size in bounds):
                continue
            english = self.runs.get(word[start:start + size])
            if english is not None:
                return size, english
        return None

    def match(self, words: tuple[str, ...], start: int) -> tuple[int, str] | None:
        """The best form that starts at `words[start]`: (words it covers, English), or None. Best is the most words,
        then the most letters matched ("porcino" fits "porcina" but for its ending, better than "por" as its
        beginning), then the closest fit (the same word, its beginning, another ending)."""
        best: tuple[tuple[int, int, int], int, str] | None = None
        for first in _variants(words[start]):
            for form in self.by_start.get(first[:_MIN_SYLLABLES], ()) if len(first) >= _MIN_SYLLABLES else ():
                best = self._better(best, form, words, start)
            for form in self.short.get(first, ()):
                best = self._better(best, form, words, start)
        return (best[1], best[2]) if best else None

    def _better(self, best: tuple[tuple[int, int, int], int, str] | None, form: tuple[str, ...],
                words: tuple[str, ...], start: int) -> tuple[tuple[int, int, int], int, str] | None:
        if start + len(form) > len(words):
            return best
        closeness = matched = 0
        for part, word in zip(form, words[start:start + len(form)], strict=True):
            fit = self.fit(part, word)
            if not fit:
                return best
            closeness += fit
            matched += len(part) - (3 - fit if fit == 1 else 0)  # an ending fit matched all but a letter or two
        rank = (len(form), matched, closeness)
        return (rank, len(form), self.forms[form]) if best is None or rank > best[0] else best

    def fit(self, form: str, word: str) -> int:
        """How `form` fits `word` or the word without a preposition written onto it (`_fit`); its beginning when the
        rest is a chain of endings ("kum", sand, does not begin "kumaşlara", onto fabrics), its stem when the form's
        end and the word's are both endings (`Endings.swap`: "spielzeit" is not "spielzeug", "-y" is "-ych")."""
        best = 0
        endings = self.endings
        for variant in [*_variants(word), *(endings.respellings(word) if endings else ())]:
            fit = _fit(form, variant)
            if fit == 2 and endings is not None and not endings.chain(variant[len(form):]):
                fit = _fit(form, variant, beginning=False)
            if fit and fit < 3 and endings is not None:  # the rest after the form, or after its stem
                stems = (len(form),) if fit == 2 else (len(form) - 1, len(form) - 2)
                fit = fit if any(endings.chain(variant[stem:]) if fit == 2
                                 else endings.swap(form[stem:], variant[stem:]) for stem in stems) else 0
            best = max(best, fit)
        fleeting = endings.fleeting_stem(form) if endings and not best else None
        if fleeting and word.startswith(fleeting) and len(word) > len(fleeting) and endings \
                and endings.chain(word[len(fleeting):]):
            best = 2  # the form's stem without the vowel it drops, and an ending ("statki": statek)
        return best

    def compound(self, word: str) -> tuple[str, ...]:
        """The English of the parts of a compound `word`, for a language that writes compounds as one word: the
        longest first part that is a form as written, a linking letter or two, and a second part that fits a form
        (German "luftqualität": air, quality); else the first part alone when it is long enough to be a word of its own
        (Dutch "meubelmakerij", read by the Afrikaans glossary: furniture); () when nothing fits."""
        alone: tuple[str, ...] = ()
        for size in range(len(word) - _MIN_STEM, _MIN_STEM - 1, -1) if self.links else ():
            head = self.forms.get((word[:size],))
            if head is None:
                continue
            for link in self.links:
                if word.startswith(link, size) and len(word) - size - len(link) >= _MIN_STEM:
                    tail = self.match((word[size + len(link):],), 0)
                    if tail is not None:
                        return head, tail[1]
            if not alone and size >= _COMPOUND_HEAD:
                alone = (head,)
        return alone


def _fit(form: str, word: str, beginning: bool = True) -> int:
    """How a glossary word fits a question's word: 3 the same, 2 its beginning (a suffix follows: "suv" in
    "suvlarini"), 1 the same but for the form's last letter or two (another ending: "аддитивный" and "аддитивного"),
    0 not at all. The shorter the form, the closer the fit must be. In a syllabic script the last syllable of a form
    of four or more may differ (Amharic አውቶቡስ, bus, and አውቶቡሶች, buses)."""
    if word == form:
        return 3
    syllabic = _syllabic(form)
    if beginning and len(form) >= (_MIN_SYLLABLES if syllabic else _MIN_STEM) and word.startswith(form):
        return 2
    stem = _ENDING_SYLLABLES if syllabic else _ENDING_STEM
    if (len(form) >= stem + 1 and word.startswith(form[:-1])) \
            or (not syllabic and len(form) >= stem + 3 and word.startswith(form[:-2])):
        return 1
    return 0


def _syllabic(word: str) -> bool:
    """True for Hangul and Ethiopic, where each letter is a syllable."""
    return 0xAC00 <= ord(word[0]) <= 0xD7AF or 0x1200 <= ord(word[0]) <= 0x139F


def _variants(word: str) -> list[str]:
    """The word, then the word without a preposition or article written onto it (Arabic, Amharic)."""
    script = unicodedata.name(word[0], "") if word else ""
    prefixes = _ARABIC_PREFIXES if script.startswith("ARABIC") else _ETHIOPIC_PREFIXES \
        if script.startswith("ETHIOPIC") else ()
    return [word, *(word[len(p):] for p in prefixes if word.startswith(p) and len(word) - len(p) >= 2)]


@lru_cache(maxsize=1)
def _vietnamese_words() -> frozenset[tuple[str, ...]]:
    """The Vietnamese words of two syllables (prompts/vi_words.txt, pyvi's lexicon), as glossary forms."""
    lines = files("prompts").joinpath("vi_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(words for line in lines if not line.startswith("#") and len(words := _form(line)) == 2)


def _inside_word(words: tuple[str, ...], position: int) -> bool:
    """True when the syllable at `position` makes a Vietnamese word with a syllable beside it: Vietnamese writes every
    syllable apart, and one syllable of a compound means something else alone (phòng bệnh, disease prevention, is not
    phòng, department, and bệnh, disease)."""
    lexicon = _vietnamese_words()
    return any(words[start:start + 2] in lexicon for start in (position - 1, position) if start >= 0)


def _segment(word: str, table: _Language) -> tuple[list[str], float]:
    """A run of an unspaced script (Chinese, Thai) read left to right, the longest form at each character first
    (forward maximum matching, forms of two characters or more): its English terms and the share of its characters
    they cover."""
    if len(word) == 1:  # a word of one character on its own (稲, rice): read whole, never inside a longer word
        english = table.runs.get(word)
        return ([english], 1.0) if english is not None else ([], 0.0)
    bounds = _word_breaks(word)
    terms: list[str] = []
    covered = start = 0
    while start < len(word):
        hit = table.substring(word, start, bounds)
        if hit is None:
            start += 1
            continue
        size, english = hit
        terms.append(english)
        covered += size
        start += size
    return terms, covered / len(word)


_local = threading.local()


def _word_breaks(text: str) -> frozenset[int]:
    """The positions ICU's dictionary word breaks put between the words of an unspaced run."""
    breaker = getattr(_local, "breaker", None)
    if breaker is None:
        breaker = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    breaker.setText(text)
    return frozenset([0, *breaker])


class Glossary:
    """English glosses of texts in the languages a folder of `<code>.tsv` files holds (prompts/glossary/)."""

    def __init__(self, folder: Traversable | None = None) -> None:
        """`folder`: the glossaries, and senses.txt, the terms of several senses (`Senses`)."""
        self.folder = folder if folder is not None else files("prompts").joinpath("glossary")
        self.senses = Senses(self.folder.joinpath("senses.txt"))
        self._tables: dict[str, _Language | None] = {}
        self._lock = threading.Lock()

    def languages(self) -> tuple[str, ...]:
        """The language codes with a glossary."""
        listed = self.folder.iterdir() if self.folder.is_dir() else ()
        return tuple(sorted(p.name[:-4] for p in listed if p.name.endswith(".tsv")))

    def _lines(self, code: str) -> list[str] | None:
        source = self.folder.joinpath(f"{code}.tsv")
        return source.read_text(encoding="utf-8").splitlines() if source.is_file() else None

    def _language(self, code: str) -> _Language | None:
        with self._lock:  # read once per process, on first use (a file is about 5,000 lines)
            if code not in self._tables:
                lines = self._lines(code)
                self._tables[code] = None if lines is None else \
                    _Language(lines, framing_for((code,)).general, endings_for(code), LINKS.get(code, ()))
            return self._tables[code]

    def _inverse(self, code: str, senses: bool) -> _Language | None:
        """Language `code`'s glossary turned around: English terms as the forms, each the file's first form for it
        (with `senses`, `Senses.written`)."""
        key = f"en>{code}" + ("+senses" if senses else "")
        with self._lock:
            if key not in self._tables:
                lines = self._lines(code)
                inverse = [f"{written}\t{english}" for english, _, forms
                           in (line.partition("\t") for line in lines or () if not line.startswith("#"))
                           if (written := self.senses.written(english.strip(), forms.split("|")) if senses
                               else forms.split("|")[0].strip())]
                self._tables[key] = None if lines is None else \
                    _Language(inverse, framing_for(("en",)).general, endings_for("en"))
            return self._tables[key]

    def translate(self, english: str, code: str, *, senses: bool = False) -> str:
        """`english` (a gloss, or an English topic) in language `code`: each English term, the longest first, as the
        file's first form for it ("wind turbine blades" → 风力涡轮机 叶片; with `senses`, see `Senses.written`); ""
        when the language has no glossary or no term was found."""
        inverse = self._inverse(code, senses)
        gloss = _read(_form(english), inverse, "en") if inverse is not None else None
        return gloss.text if gloss is not None else ""

    def phrase(self, words: tuple[str, ...], start: int, languages: tuple[str, ...]) -> int:
        """How many of `words` (a question's, in order), from `start` on, make the longest term of several words of
        the glossaries of `languages`; 0 when none does ("non supervisé" is unsupervised: two)."""
        forms = _forms_of(words)
        best = 0
        for code in dict.fromkeys(languages):
            table = self._language(code) if code != "en" else None
            hit = table.match(forms, start) if table is not None and forms[start] else None
            best = max(best, hit[0] if hit is not None and hit[0] > 1 else 0)
        return best

    def english(self, text: str, languages: tuple[str, ...]) -> Gloss | None:
        """The English words of `text` by the glossary of `languages` (the question's and those the detector confuses
        it with) that reads most of it (the first on a tie), without the words it lacks; None when none found a word."""
        words = _form(text)
        glosses = [gloss for code in dict.fromkeys(languages) if code != "en" and words
                   and (table := self._language(code)) is not None and (gloss := _read(words, table, code)) is not None]
        return max(glosses, key=lambda gloss: gloss.covered, default=None)


@lru_cache(maxsize=256)
def _forms_of(words: tuple[str, ...]) -> tuple[str, ...]:
    """Each of a question's words as the glossary compares it (its first part, where `_form` splits one)."""
    return tuple(next(iter(_form(word)), "") for word in words)


def _read(words: tuple[str, ...], table: _Language, code: str) -> Gloss | None:
    """`words` glossed by one language's glossary, left to right."""
    glossed: list[str] = []
    found = 0.0
    position = 0
    while position < len(words):
        if unspaced(words[position]):
            terms, share = _segment(words[position], table)
            glossed.extend(term for term in terms if term not in glossed)
            found += share
            position += 1
            continue
        hit = table.match(words, position)
        if hit is not None and hit[0] == 1 and code == "vi" and _inside_word(words, position):
            hit = None
        if hit is None:
            parts = table.compound(words[position])
            glossed.extend(term for term in dict.fromkeys(parts) if term not in glossed)
            found += bool(parts)
            position += 1
            continue
        size, english = hit
        if english not in glossed:
            glossed.append(english)
        found += size
        position += size
    return Gloss(text=" ".join(glossed), covered=found / len(words)) if glossed else None
