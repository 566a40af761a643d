"""The held-out XQuAD sets are built as the dev set was: each paragraph in the four corpus languages, the same sampled
questions in all 12 languages, each relevant to its paragraph's four versions (a synthetic miniature of XQuAD)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.xquad_heldout import CORPUS_LANGUAGES, LANGUAGES, build


def _xquad(folder: Path, articles: int = 3, paragraphs: int = 2, questions: int = 2) -> Path:
    for lang in LANGUAGES:
        data = [{"title": f"Article_{a}", "paragraphs": [
            {"context": f" {lang} text {a}.{p} ",
             "qas": [{"id": f"q{a}{p}{q}", "question": f"{lang} question {a}.{p}.{q}?"} for q in range(questions)]}
            for p in range(paragraphs)]} for a in range(articles)]
        (folder / f"xquad.{lang}.json").write_text(json.dumps({"data": data}), "utf-8")
    return folder


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_a_heldout_set_has_every_paragraph_in_four_languages_and_the_same_questions_in_twelve(tmp_path: Path) -> None:
    source = _xquad(tmp_path)

    corpus, queries = build(source, range(1, 3), 3, tmp_path / "set")
    records, asked = _rows(corpus), _rows(queries)

    assert len(records) == 2 * 2 * len(CORPUS_LANGUAGES)  # articles 1 and 2 only
    assert {r["title"] for r in records} == {"Article 1", "Article 2"}
    assert {r["id"] for r in records} >= {"xq-1-0-en", "xq-2-1-zh"} and "xq-0-0-en" not in {r["id"] for r in records}
    assert next(r for r in records if r["id"] == "xq-2-1-ru")["description"] == "ru text 2.1"
    assert len(asked) == 3 * len(LANGUAGES)
    by_language = {lang: [q["qid"].rsplit("-", 1)[0] for q in asked if q["lang"] == lang] for lang in LANGUAGES}
    assert all(ids == by_language["en"] for ids in by_language.values())  # the same questions in every language
    first = asked[0]
    assert first["relevant"] == [f"{first['para']}-{c}" for c in CORPUS_LANGUAGES]
    assert build(source, range(1, 3), 3, tmp_path / "again")[1].read_text("utf-8") == queries.read_text("utf-8")
