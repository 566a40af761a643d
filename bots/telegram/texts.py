"""The bot's own messages in the 17 languages, from prompts/telegram/<lang>.json (plain text, $variables)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from string import Template

from assistant.languages import LANGUAGES

__all__ = ["country_code", "country_name", "text"]


@lru_cache(maxsize=len(LANGUAGES))
def _catalog(language: str) -> dict[str, str]:
    resource = files("prompts").joinpath("telegram", f"{language}.json")
    data: dict[str, str] = json.loads(resource.read_text(encoding="utf-8"))
    return data


def text(language: str, key: str, /, **values: object) -> str:
    """The message `key` in `language` (English when the language or the key is missing)."""
    catalog = _catalog(language) if language in LANGUAGES else {}
    template = catalog.get(key) or _catalog("en")[key]
    return Template(template).safe_substitute({name: str(value) for name, value in values.items()})


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Lower-cased ISO codes and country names in all 17 languages → ISO 3166-1 alpha-2 code."""
    import icu

    locales = [icu.Locale(code) for code in LANGUAGES]
    names: dict[str, str] = {}
    for code in icu.Locale.getISOCountries():
        region = icu.Locale("", code)
        names[code.casefold()] = code
        for locale in locales:
            names.setdefault(region.getDisplayCountry(locale).casefold(), code)
    return names


def country_code(answer: str) -> str | None:
    """The ISO code a user meant by a code or a country name in any of the 17 languages, if any."""
    return _countries().get(" ".join(answer.split()).casefold())


def country_name(code: str, language: str) -> str:
    """A country's name in `language`."""
    import icu

    return str(icu.Locale("", code).getDisplayCountry(icu.Locale(language)))
