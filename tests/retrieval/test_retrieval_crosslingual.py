"""With the real multilingual e5: a question ranks the relevant other-language record first.

Plain e5 prefers records in the question's language: here a Chinese question about graphene desalination
membranes scores three unrelated Chinese records above the English record that answers it. The calibrated
hybrid search puts the English record first. Ten short records: a few seconds of embedding.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.catalog import Filters
from retrieval.embedder import make_embeddings
from retrieval.index import Index, IndexConfig
from retrieval.ingest import ingest_rows
from retrieval.reader import Row

pytestmark = pytest.mark.slow

RECORDS = {
    "zh-tb": ("zh", "奶牛结核病快速诊断技术",
              "利用γ-干扰素体外释放试验检测奶牛结核分枝杆菌感染，比皮内变态反应更灵敏。"),
    "zh-rice": ("zh", "水稻稻瘟病综合防治", "介绍水稻稻瘟病的发生规律和药剂防治方法。"),
    "zh-coat": ("zh", "钢结构桥梁防腐涂料", "一种用于钢桥的长效防腐蚀涂层体系。"),
    "zh-drone": ("zh", "无人机航测数据处理", "基于无人机影像的地形图快速测绘方法。"),
    "zh-solar": ("zh", "光伏组件清洗机器人", "一种自动清洁太阳能电池板的机器人。"),
    "en-milk": ("en", "Feed additive for dairy cows",
                "A rumen-protected feed supplement that raises milk yield in dairy cattle."),
    "en-vaccine": ("en", "Veterinary vaccine adjuvant",
                   "An adjuvant that improves the response of livestock to vaccines."),
    "en-wheat": ("en", "Rapid test for wheat rust",
                 "A field test that diagnoses rust fungus infection in wheat within minutes."),
    "en-water": ("en", "Water purification membrane", "A graphene membrane that removes salt and bacteria from water."),
    "en-battery": ("en", "Cobalt recovery from spent batteries",
                   "A hydrometallurgical process that recovers cobalt and lithium from used lithium-ion batteries."),
}


@pytest.fixture(scope="module")
def e5_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    index = Index(IndexConfig(Path(tmp_path_factory.mktemp("e5")), "e5"), make_embeddings("e5"))
    rows = [Row("tiny", n, {"id": rid, "kind": "achievement", "title": title, "description": text, "language": lang})
            for n, (rid, (lang, title, text)) in enumerate(RECORDS.items(), 1)]
    ingest_rows(index, rows)
    yield index
    index.close()


def test_plain_e5_ranks_same_language_records_above_the_answer(e5_index: Index) -> None:
    ranked = [rid for rid, _ in e5_index.dense("石墨烯海水淡化膜", 10, Filters())]

    assert ranked.index("en-water") >= 2, ranked


@pytest.mark.parametrize(
    ("question", "answer"),
    [("石墨烯海水淡化膜", "en-water"), ("Мембрана из графена для опреснения воды", "en-water"),
     ("Membrana de grafeno para desalinizar agua", "en-water"), ("Robot que limpia paneles solares", "zh-solar"),
     ("a robot that cleans solar panels", "zh-solar")],
)
def test_hybrid_ranks_the_other_language_answer_first(e5_index: Index, question: str, answer: str) -> None:
    hits = e5_index.search(question, k=3)

    assert hits[0].record.id == answer, [h.record.id for h in hits]
