"""The queue shared by several threads and by a second process-like service on the same database."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from assistant.inquiries import InquiryService
from assistant.services import Services
from retrieval.errors import InvalidInput


def test_bot_process_polls_the_outbox_written_by_the_web_process(services: Services) -> None:
    web = services.inquiries
    bot = InquiryService.open(services.settings.inquiry_database_url)  # its own engine, as in another process
    try:
        inquiry = web.create(message="Нужна технология очистки воды.", channel="telegram", chat_id="12")
        web.update(inquiry.id, reply="Здравствуйте!")
        (delivery,) = bot.pending_deliveries("telegram")
        bot.mark_delivered(delivery.id, actor="telegram")
        assert web.pending_deliveries("telegram") == []
        assert web.get(inquiry.id).events[-1].type == "delivered"
    finally:
        bot.close()


def test_concurrent_intake_from_many_threads_loses_nothing(services: Services) -> None:
    def send(n: int) -> str:
        return services.inquiries.create(message=f"Inquiry number {n} about solar panels {n * 7919}",
                                         channel="api", contact=f"user{n}@example.com").id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(send, range(40)))
    assert len(set(ids)) == 40
    assert len(services.inquiries.list(limit=1000)) == 40


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.text(max_size=300), language=st.one_of(st.none(), st.text(max_size=8)))
def test_any_text_is_stored_or_refused_cleanly(services: Services, message: str, language: str | None) -> None:
    try:
        inquiry = services.inquiries.create(message=message, channel="web", language=language)
    except InvalidInput:
        assert not message.replace("\x00", "").strip()
        return
    assert inquiry.classification["intent"] and inquiry.status in ("new", "spam")
    assert services.inquiries.get(inquiry.id).message == message.replace("\x00", "").strip()


def _open_when_all_are_ready(url: str, ready: Any, results: Any) -> None:
    ready.wait(timeout=60)  # every process is imported and waiting: they open the database at the same moment
    try:
        service = InquiryService.open(url)
        results.put(len(service.list()))
        service.close()
    except Exception as exc:  # reported to the test, not lost in a child's stderr
        results.put(f"{exc.__class__.__name__}: {exc}")


@pytest.mark.slow
def test_processes_starting_together_on_a_new_database_all_open_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'ttc.sqlite'}"
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_open_when_all_are_ready, args=(url, ready, results)) for _ in range(4)]
    for process in processes:
        process.start()

    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    assert outcomes == [0] * 4  # without the migration lock: "table inquiries already exists"
