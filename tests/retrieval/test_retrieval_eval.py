"""The evaluation harness and `ttc eval`, with the hash embedder over the bundled XQuAD subset."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bots.cli.app import app
from retrieval.errors import InvalidInput
from retrieval.evaluation import BUNDLED, eval_index, eval_index_for, evaluate, load_queries, markdown_report


@pytest.fixture
def tiny_set(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus.jsonl"
    queries = tmp_path / "queries.jsonl"
    records = [("d-en", "en", "Solar cells", "Perovskite solar cells convert sunlight."),
               ("d-zh", "zh", "太阳能电池", "钙钛矿太阳能电池把阳光转化为电能。"),
               ("w-en", "en", "Wind turbines", "Floating wind turbines offshore.")]
    corpus.write_text("".join(json.dumps({"id": i, "kind": "achievement", "title": t, "description": d,
                                          "language": lang}, ensure_ascii=False) + "\n"
                              for i, lang, t, d in records), encoding="utf-8")
    queries.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in [
        {"qid": "q1", "lang": "en", "query": "perovskite solar cells", "relevant": ["d-en", "d-zh"]},
        {"qid": "q2", "lang": "zh", "query": "钙钛矿太阳能电池", "relevant": ["d-en", "d-zh"]},
        {"qid": "q3", "lang": "en", "query": "floating wind turbines", "relevant": ["w-en"]},
    ]), encoding="utf-8")
    return corpus, queries


def test_report_has_every_method_language_and_metric(tiny_set: tuple[Path, Path]) -> None:
    report = evaluate(*tiny_set, embedder="hash:64")

    assert set(report["methods"]) == {"hybrid", "dense", "lexical"}
    for method in report["methods"].values():
        assert set(method["scores"]) == {"en", "zh", "ALL", "macro"}
        assert set(method["scores"]["ALL"]) == {"n", "recall", "mrr", "ndcg"}
        assert method["search_ms"]["p50"] > 0
    assert report["methods"]["lexical"]["scores"]["en"]["recall"] == 1.0


def test_markdown_report_has_a_row_per_method(tiny_set: tuple[Path, Path]) -> None:
    text = markdown_report(evaluate(*tiny_set, methods=["hybrid", "lexical"], embedder="hash:64"))

    assert "| hybrid | **" in text and "| lexical | **" in text and "| dense |" not in text
    assert "**ndcg@10**" in text and "| method | ALL | en | zh |" in text


def test_a_kept_work_dir_reuses_query_vectors(tiny_set: tuple[Path, Path], tmp_path: Path) -> None:
    evaluate(*tiny_set, methods=["dense"], embedder="hash:64", work_dir=tmp_path / "work")

    assert (tmp_path / "work" / "queries.hash-64.npz").is_file()
    assert (tmp_path / "work" / "catalog.sqlite").is_file()


def test_exact_cosine_ranks_every_record_by_its_cosine(tiny_set: tuple[Path, Path]) -> None:
    corpus, queries = tiny_set
    with eval_index_for(corpus, "hash:64") as index:
        [cosine] = eval_index(index, load_queries(queries), ("cosine",))
        snapshot = index.snapshot()
        for query in load_queries(queries):
            vector = np.asarray(index.embeddings.embed_query(query.query), dtype=np.float32)
            scores = snapshot.vectors_of(cosine.rankings[query.qid]) @ (vector / np.linalg.norm(vector))

            assert sorted(cosine.rankings[query.qid]) == ["d-en", "d-zh", "w-en"]
            assert list(scores) == sorted(scores, reverse=True)


def test_unknown_method_is_a_user_error(tiny_set: tuple[Path, Path]) -> None:
    with pytest.raises(InvalidInput):
        evaluate(*tiny_set, methods=["bm42"], embedder="hash:64")


def test_bundled_subset_is_complete() -> None:
    queries = load_queries(BUNDLED / "xquad_queries.jsonl")
    corpus_ids = {json.loads(line)["id"] for line in (BUNDLED / "xquad_corpus.jsonl").read_text().splitlines()}

    assert len(corpus_ids) == 80 and len({q.lang for q in queries}) == 12
    assert all(set(q.relevant) <= corpus_ids for q in queries)
    assert (BUNDLED / "vectors.e5.npz").is_file()


def test_ttc_eval_prints_json_for_the_chosen_methods(tiny_set: tuple[Path, Path]) -> None:
    corpus, queries = tiny_set
    result = CliRunner().invoke(app, ["eval", "--corpus", str(corpus), "--queries", str(queries),
                                      "--methods", "lexical,dense", "--embedder", "hash:64", "--json"])

    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)["methods"]) == {"lexical", "dense"}


def test_ttc_eval_reports_a_missing_file_on_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--queries", str(tmp_path / "nope.jsonl"), "--embedder", "hash:64"])

    assert result.exit_code == 1
    assert "no such file" in result.output


def test_topical_questions_judge_records_by_field_and_every_pattern(tmp_path: Path) -> None:
    from retrieval.evaluation import load_topical
    from retrieval.record import Record

    path = tmp_path / "topical.jsonl"
    path.write_text(json.dumps({"qid": "t1", "lang": "zh", "query": "医疗器械 诊断", "fields": ["biomedicine"],
                                "all": ["diagnos|诊断", "device|器械"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    (question,) = load_topical(path)

    def record(field: str, title: str) -> Record:
        return Record(id="r", kind="achievement", title=title, description="-", field=field)

    assert question.relevant(record("biomedicine", "A diagnostic device for sepsis"))
    assert question.relevant(record("biomedicine", "医疗器械在诊断中的应用"))
    assert not question.relevant(record("biomedicine", "A diagnostic assay"))  # not every pattern
    assert not question.relevant(record("aerospace", "Fault diagnosis device"))  # another field


def test_bundled_topical_questions_load() -> None:
    from retrieval.evaluation import load_topical

    questions = load_topical(BUNDLED / "sample_topical.jsonl")

    assert len(questions) >= 20 and len({q.lang for q in questions}) >= 6
