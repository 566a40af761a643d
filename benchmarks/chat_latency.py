"""Answer latency of the offline assistant (grounded composer, no LLM): p50/p95 over questions in 17 languages.

    python -m benchmarks.chat_latency --data-dir .ttc [--rounds 2] [--out benchmarks/results/chat_latency.json]

Needs an index built with the default embedder (`ttc ingest data/sample/*.jsonl`). Sessions go to a
temporary directory, so the index's own session table is not touched.
"""

from __future__ import annotations

import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from assistant.chat.assistant import Assistant
from assistant.chat.sessions import SessionStore
from assistant.chat.topic import TopicGate
from assistant.services import build_services
from assistant.settings import Settings
from benchmarks.harness import RESULTS, add_data_dir, ms_since, parser, write_json
from retrieval.query_cache import QueryCache

QUESTIONS = [
    "Who offers battery recycling technology?", "谁能转化我们的医疗技术？",
    "Кто может помочь перевести наши медицинские технологии в практику?",
    "Quem oferece tecnologia de energia solar para agricultura?", "¿Quién ofrece drones para la agricultura?",
    "Qui propose des matériaux composites pour l'aéronautique ?", "من يقدم تقنية إعادة تدوير البطاريات؟",
    "बैटरी रीसाइक्लिंग की तकनीक कौन प्रदान करता है?", "چه کسی فناوری بازیافت باتری را ارائه می‌دهد؟",
    "የባትሪ መልሶ መጠቀሚያ ቴክኖሎጂ የሚያቀርብ ማን ነው?", "Siapa yang menawarkan teknologi daur ulang baterai?",
    "Siapakah yang menawarkan teknologi kitar semula bateri?", "ใครเสนอเทคโนโลยีรีไซเคิลแบตเตอรี่บ้าง",
    "Ai cung cấp công nghệ năng lượng mặt trời?", "Кім күн энергиясы технологиясын ұсынады?",
    "Quyosh energiyasi texnologiyasini kim taklif qiladi?", "Wie bied sonkrag tegnologie aan?",
    "We developed a railway inspection robot, who needs it?", "Как приготовить борщ?", "Hello!",
]


def main() -> None:
    options = parser(__doc__)
    add_data_dir(options, "an index of the sample corpus (default embedder)", required=True)
    options.add_argument("--rounds", type=int, default=2)
    options.add_argument("--out", type=Path, default=RESULTS / "chat_latency.json", help="the results file")
    args = options.parse_args()
    services = build_services(Settings(data_dir=args.data_dir))
    with tempfile.TemporaryDirectory() as sessions_dir:
        assistant = Assistant(services.index, SessionStore(Path(sessions_dir) / "s.sqlite").open(),
                              topic_gate=TopicGate(services.index.embeddings))
        assistant.answer(QUESTIONS[0])  # model load and calibration are start-up costs, not per question
        timings = []
        for _ in range(args.rounds):
            for question in QUESTIONS:
                if isinstance(services.index.embeddings, QueryCache):
                    services.index.embeddings.clear()  # measure first-time questions only
                started = time.perf_counter()
                assistant.answer(question)
                timings.append(ms_since(started))
    timings.sort()
    result = {
        "questions": len(QUESTIONS), "rounds": args.rounds, "records": services.index.stats()["records"],
        "embedder": services.settings.embedder, "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1), "max_ms": round(timings[-1], 1),
        "machine": f"{platform.machine()}, {platform.python_version()}",
    }
    services.close()
    write_json(args.out, result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
