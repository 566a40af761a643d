"""`ttc translate`: machine-translate record titles and leads ahead of readers, into the cache."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from assistant.locale.languages import LANGUAGES
from assistant.translation.backfill import FIELDS, pretranslate
from bots.cli.deps import load_settings, open_services
from bots.cli.errors import fail
from bots.cli.options import AsJson, DataDir, FieldOpt, Kind
from bots.cli.output import emit
from bots.cli.progress import progress_bar

__all__ = ["translate"]


def translate(
    lang: Annotated[str, typer.Option("--lang", help="Target languages, comma-separated (e.g. ru,zh).")],
    kind: Kind = None,
    field: FieldOpt = None,
    texts: Annotated[str, typer.Option("--texts", help="Which texts: title, lead or both (comma-separated).")]
    = "title,lead",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Send at most this many texts.")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Pre-translate titles and leads into the cache (resumable: cached texts are skipped; can run beside serve)."""
    languages = [code.strip().lower() for code in lang.split(",") if code.strip()]
    unknown = [code for code in languages if code not in LANGUAGES]
    if not languages or unknown:
        raise typer.BadParameter(f"takes interface languages ({', '.join(LANGUAGES)}); "
                                 f"not {', '.join(unknown) or 'empty'}", param_hint="'--lang'")
    chosen = [name.strip() for name in texts.split(",") if name.strip()]
    if not chosen or any(name not in FIELDS for name in chosen):
        raise typer.BadParameter("takes title, lead or title,lead", param_hint="'--texts'")
    with open_services(load_settings(data_dir), current=True) as services:
        service = services.assistant.translations
        if not service.enabled:
            fail("no translator is configured: set TTC_TRANSLATOR (libretranslate or llm)")
        with progress_bar() as progress:
            report = pretranslate(service, services.records.iter_records, languages, kind=kind,
                                  field_=field.lower() if field else None, fields=chosen, limit=limit,
                                  progress=progress)
        emit(report.as_dict(), as_json, _text)
    if report.error:
        raise typer.Exit(1)


def _text(data: dict[str, Any]) -> str:
    line = (f"translated {data['translated']} of {data['texts']} texts into {', '.join(data['languages'])} "
            f"({data['cached']} cached already, {data['unsupported']} in pairs the translator does not offer) "
            f"in {data['seconds']:.1f} s, {data['texts_per_second']} texts/s")
    if data["error"]:
        line += f"\nerror: the translator failed ({data['error']}); run again to resume"
    return line
