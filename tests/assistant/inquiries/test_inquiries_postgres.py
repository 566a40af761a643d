"""The inquiry queue on a real PostgreSQL server (started from Debian's packages when they are installed)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assistant.inquiries import InquiryService
from assistant.inquiries.database import VERSION_TABLE
from assistant.inquiries.model import Base

pytestmark = pytest.mark.slow


def test_queue_outbox_and_restart_on_postgresql(postgres_url: str) -> None:
    service = InquiryService.open(postgres_url)
    inquiry = service.create(message="Precisamos de uma tecnologia de reciclagem de baterias.", channel="telegram",
                             chat_id="31", contact="@rafa")
    repeat = service.create(message="Precisamos de uma tecnologia de reciclagem de baterias!", channel="telegram",
                            chat_id="31", contact="@rafa")
    service.update(inquiry.id, reply="Olá Rafa!", assignee="ana")
    (delivery,) = service.pending_deliveries("telegram")
    service.mark_delivered(delivery.id)
    service.close()

    again = InquiryService.open(postgres_url)
    try:
        restored = again.get(inquiry.id)
        assert repeat.id == inquiry.id and restored.duplicates == 1
        assert restored.status == "answered" and restored.classification["language"] == "pt"
        assert [e.type for e in restored.events][-1] == "delivered"
        assert again.pending_deliveries("telegram") == []
        assert [i.id for i in again.list(language="pt")] == [inquiry.id]
        with again.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        again.close()
