"""Message and prompt templates: every language is complete, well-formed and in its own language."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest

from assistant.llm import prompt
from assistant.locale.countries import country_name
from assistant.locale.languages import LANGUAGES, detect_with_score
from assistant.locale.lexicon import LIST_NAMES, lexicon
from assistant.locale.texts import localize, message_keys, templates

_VARIABLE = re.compile(r"\$(\w+)")


def _variables(text: str) -> set[str]:
    return set(_VARIABLE.findall(text))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_language_has_exactly_the_english_keys(language: str) -> None:
    assert set(templates("messages", language)) == message_keys()


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_templates_use_the_same_variables_as_english(language: str) -> None:
    english = templates("messages", "en")
    for key, text in templates("messages", language).items():
        assert text.strip(), f"{language}.{key} is empty"
        assert _variables(text) == _variables(english[key]), f"{language}.{key}"


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_long_templates_read_as_their_language(language: str) -> None:
    texts = templates("messages", language)
    framing = " ".join(texts[k] for k in ("intro", "partners_intro", "closing"))
    nothing = texts["nothing_found"] + " " + texts["nothing_found_hint"]
    for text in (framing, texts["welcome"], texts["off_topic"], nothing):
        assert detect_with_score(text)[0] == language, text


def test_localize_fills_variables_and_falls_back_to_english() -> None:
    assert localize("language_set", "fr", name="Français") == "Langue choisie : Français."
    assert localize("welcome", "de") == localize("welcome", "en")
    assert localize("subscribed", "ru") == "Вы будете получать уведомления о новых записях по теме «$topic»."
    with pytest.raises(KeyError):
        localize("no_such_key", "en")


def test_country_names_come_from_icu_in_the_users_language() -> None:
    assert country_name("BR", "ru") == "Бразилия"
    assert country_name("CN", "zh") == "中国"
    assert country_name("us", "pt") == "Estados Unidos"


def test_message_files_are_plain_json_objects() -> None:
    folder = files("prompts").joinpath("messages")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    assert names == sorted(f"{code}.json" for code in LANGUAGES)
    for name in names:
        assert isinstance(json.loads(folder.joinpath(name).read_text(encoding="utf-8")), dict)


def test_prompt_templates_take_their_variables() -> None:
    assert _variables(prompt("answer_system").template) == {"example_id", "language", "language_name",
                                                            "max_sentences"}
    assert _variables(prompt("answer_user").template) == {"records", "question"}
    assert _variables(prompt("condense").template) == {"history", "question"}


def test_lexicon_has_every_list() -> None:
    assert all(lexicon()[name] for name in LIST_NAMES)
