"""Which endings a language writes onto a word: what may follow a glossary form inside a question's word.

The glossary fits a form to the beginning of a longer word because most languages inflect by suffixes ("suv" in
Uzbek "suvlarini", water + plural + possessive + object). The beginning alone misleads when the rest is not an ending
but the rest of another word: Turkish "kumaşlara" (onto fabrics) begins with "kum" (sand), Italian "marea" (tide)
with "mare" (sea), Kazakh "Қазақстандағы" (in Kazakhstan) with "қаза" (death). So the rest must be a chain of the
language's inflectional endings (plural, case, possessive, gender and number, the usual derivations), as a grammar
lists them, not as any question needed. A language listed with no endings fits whole words only (Vietnamese writes
every syllable apart); a language not listed keeps the beginning fit unchecked (Korean and Amharic attach particles
and endings too freely for a short list).

Languages that write compounds as one word (German, Dutch, Afrikaans) also split a word into two glossary forms, with
the linking letters between them ("Luftqualität" → "Luft" + "Qualität", "ontsoutingstelsel" → "ontsouting" + s +
"stelsel").
"""

from __future__ import annotations

from functools import cache

__all__ = ["LINKS", "Endings", "endings_for"]

_TURKIC_COMMON = "ı i u ü"
_ENDINGS: dict[str, str] = {
    # plural, possessive, case, derivation (-lık, -lı, -sız, -ci), verbal nouns; vowel and consonant harmony variants
    "tr": _TURKIC_COMMON + " lar ler sı si su sü ın in un ün nın nin nun nün ı i yı yi yu yü nı ni nu nü a e ya ye"
                           " na ne da de ta te nda nde dan den tan ten ndan nden la le yla yle ca ce ça çe ci cı cu"
                           " cü çi çı çu çü lık lik luk lük lığ liğ luğ lüğ sız siz suz süz lı li lu lü ki ma me"
                           " mak mek sal sel dır dir dur dür tır tir m n mız miz muz müz nız niz sel ıl il ul ül",
    "uz": "lar ni ning ga ka qa da dan i si imiz ingiz im ing li siz chi lik dagi gi ki ish moq ga sh",
    "kk": "лар лер дар дер тар тер ның нің дың дің тың тің ға ге қа ке на не а е да де та те нда нде дан ден тан"
          " тен нан нен ды ді ты ті ны ні н ы і сы сі мен бен пен лық лік дық дік тық тік шы ші ғы гі дағы дегі"
          " тағы тегі ндағы ндегі лы лі ды ді ты ті сыз сіз"
          # verbs from nouns (-да, -ла), their participles and verbal nouns (үнемдейтін, saving: үнем + де + йтін)
          " ла ле йтын йтін атын етін ған ген қан кен у ып іп",
    "ru": "а я у ю о е ом ем ём ой ей ою ею ы и ах ях ам ям ами ями ов ев ий ый ой ая яя ое ее ые ие ого его ому"
          " ему ым им ых их ую юю ь ью ии ия ию ическ ичн ическ ск н ов ен ость ост",
    "uk": "а я у ю о е є і ї и й ом ем єм ою ею єю ів їв ей ам ям ами ями ах ях ий ій ого його ому йому им ім их іх"
          " ую юю ь ові еві єві ої ної ного ному ними них ічн ичн ськ ськ н ість ост ення ння",
    "pl": "a y i e ę ą o u ów om ami ach em ie ego emu ym im ych ich ej owy owa owe owi owych owego owej owym"
          " ania anie aniu aniem enia enie eniu eniem ń ny na ne nych nego nej nym ności ność ości ość cja cji cję"
          " ski ska skie skich skiego skiej sk",
    "nl": "en s e er ere ste n",
    "en": "s es",
    "es": "s es",
    "pt": "s es is ns",
    "fr": "s x e es le les ne nes",
    "it": "i e",
    "de": "e en n er es s ern nen",
    "af": "e s te ste ens er en",  # -en: the Dutch plural, which the Afrikaans glossary reads too
    "id": "nya kan an i lah kah pun ku mu",
    "ms": "nya kan an i lah kah pun ku mu",
    # Persian: plural, ezafe and adjective -i, comparative; Arabic: feminine, plurals, duals, pronoun suffixes,
    # nisba -i (with the Persian yeh and kaf, as the glossary folds them)
    "fa": "ها های هایی ی ان ات ای یی ش م ت تر ترین",
    "ar": "ة ات ین ون ان ها هم هن ی یة یات نا ه کم تین",
    "hi": "ों ें ी ा े ाओं ियों ियां ियाँ ता ती ते ना ने नी कर",
    "vi": "",
}

# the gender and number endings of the Romance languages, which replace a word's last vowel ("porcino", "porcina")
# rather than follow it: they fit a form with another ending, never a form's whole beginning ("mare", sea, is not
# the beginning of "marea", tide)
_REPLACING: dict[str, str] = {"es": "a o as os e es", "pt": "a o as os e es", "it": "a o e i he hi", "fr": "e es"}

# the last consonants a suffix voices (Turkish kitap, kitabı; Kazakh жүрек, жүрегі; Uzbek samaradorlik,
# samaradorligi): a form's last letter that the language writes otherwise before an ending
_ALTERNATING: dict[str, dict[str, str]] = {"tr": {"p": "b", "ç": "c", "t": "d", "k": "ğg", "g": "ğ"},
                                           "kk": {"к": "г", "қ": "ғ", "п": "б"}, "uz": {"k": "g", "q": "g"}}

# the vowel a Slavic noun drops from its last syllable before an ending (Polish statek, statki; węgiel, węgla;
# Russian ветер, ветра; Ukrainian вітер, вітру)
_FLEETING: dict[str, tuple[str, ...]] = {"pl": ("ie", "e"), "ru": ("о", "е", "ё"), "uk": ("о", "е")}
# a word's end spelled as its form writes it: the genitive plural of a verbal noun (Polish rozwiązanie, rozwiązań;
# Ukrainian рішення, рішень), which softens the last consonant instead of adding an ending; the oblique and plural
# of a Hindi noun or infinitive in -ā, which replace it with -e (खाना, food, खाने; इलाका, area, इलाके): without it
# खाने reads as खान, mine, and an ending
_SOFTENED: dict[str, tuple[tuple[str, str], ...]] = {"pl": (("ń", "ni"),), "uk": (("нь", "нн"),),
                                                     "hi": (("\u0947", "\u093e"),)}
_VOWELS = frozenset("aeiouyąęóаеёиоуыэюяіїє")

LINKS: dict[str, tuple[str, ...]] = {"de": ("", "s", "es", "n", "en", "e", "er"), "af": ("", "s", "e", "ens", "er"),
                                     "nl": ("", "s", "e", "en")}
"""The letters a compounding language puts between the parts of a compound; only these languages are split."""

_SPELLING = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9"})


class Endings:
    """One language's inflectional endings; `chain(rest)` is True when `rest` is one or more of them in a row, or,
    with `replacing`, one of the endings that replace a word's last vowel."""

    def __init__(self, endings: str, replacing: str = "", alternating: dict[str, str] | None = None,
                 fleeting: tuple[str, ...] = (), softened: tuple[tuple[str, str], ...] = ()) -> None:
        self.endings = frozenset(endings.translate(_SPELLING).split())
        self.replacing = frozenset(replacing.split())
        self.alternating = alternating or {}
        self.fleeting = fleeting
        self.softened = softened
        self.longest = max(map(len, self.endings), default=0)

    def respellings(self, word: str) -> list[str]:
        """The word with a softened end written as its form writes it ("rozwiązań" as "rozwiązani"), when at least
        three letters come before that end."""
        return [word[:-len(end)] + form for end, form in self.softened
                if word.endswith(end) and len(word) - len(end) >= 3]

    def fleeting_stem(self, form: str) -> str | None:
        """The form without the vowel its last syllable drops before an ending ("statek" → "statk"), or None."""
        if len(form) < 4 or form[-1] in _VOWELS or not form[-1].isalpha():
            return None
        for vowel in self.fleeting:
            before = len(form) - 1 - len(vowel)
            if form.endswith(vowel, 0, len(form) - 1) and before >= 2 and form[before - 1] not in _VOWELS:
                return form[:before] + form[-1]
        return None

    def swap(self, dropped: str, rest: str) -> bool:
        """True when a word that shares a stem with a form, the form going on with `dropped` and the word with `rest`,
        is the form with another ending: both are endings (Russian "аддитивный" and "аддитивного", "ый" and "ого"; a
        Romance vowel), or the form's last consonant voices before a suffix (Turkish "mekanik", "mekaniği"); not when
        the form's end is a letter of its stem ("استاندارد", standard, is no ending away from "استانداری",
        governorate)."""
        rest = rest.translate(_SPELLING)
        if rest and rest[0] in self.alternating.get(dropped, ""):
            return self.chain(rest[1:].lstrip("'"))  # Uzbek q voices to gʻ, its apostrophe folded
        return self.chain(dropped, replacing=True) and self.chain(rest, replacing=True)

    def chain(self, rest: str, *, replacing: bool = False) -> bool:
        rest = rest.translate(_SPELLING)
        if not rest or (replacing and rest in self.replacing):
            return True
        ends = [False] * len(rest) + [True]  # ends[i]: rest[i:] is a chain of endings
        for start in range(len(rest) - 1, -1, -1):
            ends[start] = any(ends[start + size] and rest[start:start + size] in self.endings
                              for size in range(1, min(self.longest, len(rest) - start) + 1))
        return ends[0]


@cache
def endings_for(code: str) -> Endings | None:
    """The endings of language `code`; None for a language whose endings go unchecked."""
    listed = _ENDINGS.get(code)
    return Endings(listed, _REPLACING.get(code, ""), _ALTERNATING.get(code), _FLEETING.get(code, ()),
                   _SOFTENED.get(code, ())) if listed is not None else None
