"""Rank fusion and the multilingual tokenizer."""

from __future__ import annotations

import pytest

from retrieval.fusion import reciprocal_rank_fusion
from retrieval.tokenizer import index_terms, tokenize


def test_rrf_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "a", "d"]])
    assert [doc for doc, _ in fused][:2] in (["a", "b"], ["b", "a"])
    assert dict(fused)["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[-1][0] in ("c", "d")


def test_rrf_weights_and_duplicates() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "a", "b"], ["b"]], weights=[1.0, 2.0], k=1))
    assert fused["a"] == pytest.approx(1 / 2)
    assert fused["b"] == pytest.approx(1 / 3 + 2 / 2)


def test_rrf_needs_one_weight_per_list() -> None:
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Solar-cell efficiency, improved!", ["solar", "cell", "efficiency", "improved"]),
        ("谁能转化我们的医疗技术？", ["医疗", "技术"]),
        ("ภาษาไทยง่ายนิดเดียว", ["ภาษา", "ไทย"]),
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),
        ("ጤና ሰላም", ["ጤና", "ሰላም"]),
        ("الطاقة الشمسية", ["الطاقة", "الشمسية"]),
        ("ＦＵＬＬ width", ["full", "width"]),
    ],
)
def test_tokenizer_segments_every_script(text: str, expected: list[str]) -> None:
    tokens = tokenize(text)
    for word in expected:
        assert word in tokens


def test_chinese_query_and_document_segment_alike() -> None:
    assert set(tokenize("太阳能")) <= set(tokenize("高效太阳能电池的研究"))


def test_index_terms_keep_combining_marks_whole() -> None:
    terms = index_terms("नमस्ते")
    assert len(terms) == 1 and terms[0].isascii()
    assert index_terms("नमस्ते") == index_terms("नमस्ते!")
