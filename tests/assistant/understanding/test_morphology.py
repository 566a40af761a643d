"""What may follow a glossary form inside a longer word: a chain of the language's endings, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.understanding.glossary import Glossary
from assistant.understanding.morphology import endings_for


@pytest.mark.parametrize(("code", "rest"), [
    ("tr", "larının"),  # kanat-ları-nın: of the blades
    ("tr", "ini"),
    ("uz", "larini"),
    ("kk", "лерін"),
    ("ru", "ических"),  # металл-ическ-их: metallic
    ("es", "es"),
    ("de", "en"),
    ("fa", "هایی"),
    ("ar", "ية"),  # typed with the Arabic yeh, folded as the glossary folds it
    ("id", "kannya"),
])
def test_a_chain_of_endings_may_follow(code: str, rest: str) -> None:
    endings = endings_for(code)

    assert endings is not None and endings.chain(rest)


@pytest.mark.parametrize(("code", "rest"), [
    ("tr", "aşlara"),  # kum-aşlara: "kumaşlara" (onto fabrics) is not sand
    ("kk", "қстандағы"),  # қаза-қстандағы: "in Kazakhstan" is not death
    ("it", "a"),  # mare-a: "marea" (tide) is not the sea
    ("de", "zeitskleidern"),
    ("vi", "g"),  # Vietnamese writes every syllable apart: no word goes on past a form
])
def test_the_rest_of_another_word_may_not(code: str, rest: str) -> None:
    endings = endings_for(code)

    assert endings is not None and not endings.chain(rest)


def test_a_romance_ending_replaces_a_vowel_but_does_not_follow_a_word() -> None:
    endings = endings_for("it")

    assert endings is not None
    assert endings.chain("a", replacing=True)  # porcin-o, porcin-a
    assert not endings.chain("a")


@pytest.mark.parametrize(("code", "dropped", "rest", "swapped"), [
    ("ru", "ый", "ого", True),  # аддитивн-ый, аддитивн-ого: the same adjective
    ("it", "o", "a", True),  # porcin-o, porcin-a
    ("fa", "د", "ی", False),  # استاندار-د (standard) is not استاندار-ی (governorate): د is no ending
    ("tr", "k", "ği", True),  # mekanik, mekaniği: the last consonant voices before a suffix
    ("uz", "k", "gi", True),  # samaradorlik, samaradorligi
    ("uz", "q", "g'i", True),
    ("tr", "t", "zi", False),  # a voiced consonant is followed by an ending, not by another word's letters
])
def test_a_form_with_another_ending_swaps_an_ending_for_an_ending(code: str, dropped: str, rest: str,
                                                                   swapped: bool) -> None:
    endings = endings_for(code)

    assert endings is not None and endings.swap(dropped, rest) is swapped


def test_languages_without_a_list_go_unchecked() -> None:
    assert endings_for("ko") is None and endings_for("am") is None


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    (tmp_path / "tr.tsv").write_text("sand\tkum\nfabric\tkumaş\nblade\tkanat\n", encoding="utf-8")
    (tmp_path / "it.tsv").write_text("sea\tmare\npig\tporcino\nelectric\telettrico|elettrica\n", encoding="utf-8")
    (tmp_path / "de.tsv").write_text("air\tluft\nquality\tqualität\nseason\tspielzeit\nsystem\tsystem\n",
                                     encoding="utf-8")
    (tmp_path / "af.tsv").write_text("desalination\tontsouting\nsystem\tstelsel\n", encoding="utf-8")
    return Glossary(tmp_path)


def test_a_form_fits_a_word_only_when_endings_follow(glossary: Glossary) -> None:
    assert glossary.english("kanatlarının", ("tr",)) == glossary.english("kanat", ("tr",))
    assert glossary.english("kumaşlara", ("tr",)).text == "fabric"  # type: ignore[union-attr]
    assert glossary.english("marea", ("it",)) is None
    assert glossary.english("Spielzeug", ("de",)) is None  # not "spielzeit" with another ending


def test_a_romance_word_fits_a_form_with_another_gender_or_number(glossary: Glossary) -> None:
    gloss = glossary.english("porcina reti elettriche", ("it",))

    assert gloss is not None and gloss.text == "pig electric"


def test_a_compound_is_read_as_its_parts_with_the_linking_letters_between(glossary: Glossary) -> None:
    german = glossary.english("Luftqualität", ("de",))
    afrikaans = glossary.english("ontsoutingstelsel", ("af",))

    assert german is not None and german.text == "air quality" and german.covered == 1.0
    assert afrikaans is not None and afrikaans.text == "desalination system"


def test_a_long_first_part_of_a_compound_counts_alone_when_the_rest_fits_nothing(tmp_path: Path) -> None:
    (tmp_path / "af.tsv").write_text("furniture\tmeubel\nwood\thout\n", encoding="utf-8")
    glossary = Glossary(tmp_path)

    assert glossary.english("meubelmakerij", ("af",)).text == "furniture"  # type: ignore[union-attr]
    assert glossary.english("houtsnywerk", ("af",)) is None  # four letters are too few to be sure it is a part
