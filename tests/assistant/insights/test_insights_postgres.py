"""Questions and ratings on a real PostgreSQL server: the migration, a restart, and the insights document."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assistant.inquiries import InquiryService
from assistant.inquiries.database import VERSION_TABLE
from assistant.inquiries.model import Base
from assistant.insights import InsightsService


def _answer(answer_id: str, cited: int) -> dict[str, object]:
    return {"answer_id": answer_id, "language": "pt", "metadata": {"latency_ms": 20.0},
            "citations": [{"id": f"rec-{i}", "field": "agriculture"} for i in range(cited)]}


def test_questions_and_ratings_survive_a_restart_on_postgresql(postgres_url: str) -> None:
    inquiries = InquiryService.open(postgres_url)
    insights = InsightsService(inquiries.engine)
    insights.record(_answer("pg1", 2), channel="web", question="Quem oferece irrigação inteligente?")
    insights.record(_answer("pg2", 0), channel="telegram", question="Qual é a previsão do tempo?")
    insights.rate("pg2", "down", "queria parceiros no Brasil")
    insights.close()
    inquiries.close()

    inquiries = InquiryService.open(postgres_url)
    insights = InsightsService(inquiries.engine)
    try:
        summary = insights.summary(days=1)
        assert summary["questions"] == 2 and summary["answered"] == 1
        assert summary["feedback"] == {"up": 0, "down": 1} and summary["fields"] == {"agriculture": 1}
        assert [g["question"] for g in summary["unanswered"]] == ["Qual é a previsão do tempo?"]
        assert summary["down_rated"][0]["comment"] == "queria parceiros no Brasil"
        with inquiries.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        insights.close()
        inquiries.close()
