"""The bot's messages exist in all 17 languages with the same $variables; country names work in any of them."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest

from assistant.locale.countries import country_code, country_name
from assistant.locale.languages import LANGUAGES
from assistant.locale.texts import bot_text

ENGLISH = json.loads(files("prompts").joinpath("telegram", "en.json").read_text(encoding="utf-8"))


def variables(template: str) -> set[str]:
    return set(re.findall(r"\$(\w+)", template))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_message_is_translated_with_the_same_variables(language: str) -> None:
    catalog = json.loads(files("prompts").joinpath("telegram", f"{language}.json").read_text(encoding="utf-8"))

    assert catalog.keys() == ENGLISH.keys()
    assert all(value.strip() for value in catalog.values())
    assert {k: variables(v) for k, v in catalog.items()} == {k: variables(v) for k, v in ENGLISH.items()}
    if language != "en":
        assert catalog["welcome"] != ENGLISH["welcome"] and catalog["error"] != ENGLISH["error"]


def test_a_missing_language_falls_back_to_english() -> None:
    assert bot_text("error", "xx") == ENGLISH["error"]


@pytest.mark.parametrize(("answer", "code"), [("BR", "BR"), ("br", "BR"), ("Brazil", "BR"), ("Бразилия", "BR"),
                                              ("巴西", "BR"), ("Казахстан", "KZ"), ("  south   africa ", "ZA")])
def test_countries_are_recognized_by_code_or_by_name_in_any_language(answer: str, code: str) -> None:
    assert country_code(answer) == code


def test_unknown_countries_are_refused_and_names_are_localized() -> None:
    assert country_code("Atlantis") is None
    assert country_name("CN", "ru") == "Китай"
