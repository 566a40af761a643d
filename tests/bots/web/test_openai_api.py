"""The OpenAI chat protocol, with the official `openai` SDK as the client of a real uvicorn server over HTTP."""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from assistant.locale.countries import country_name
from assistant.locale.texts import localize
from assistant.services import Services, build_services
from assistant.settings import Settings
from bots.web.app import create_app
from retrieval.ingest import ingest_paths
from tests.support.paths import RECORDS
from tests.support.settings import make_settings
from tests.support.web import live_server

pytestmark = pytest.mark.slow

SOLAR_RU = "Кто предлагает технологии солнечных батарей?"
FOLLOWUP_RU = "А из Китая?"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", rate_limit_per_minute=0)


@pytest.fixture
def base_url(loaded_services: Services) -> Iterator[str]:
    with live_server(create_app(loaded_services.settings, loaded_services)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key="any-key", max_retries=0)


def ask(client: openai.OpenAI, *messages: dict[str, Any], **extra: Any) -> Any:
    return client.chat.completions.create(model="ttc-assistant", messages=list(messages),  # type: ignore[arg-type]
                                          **extra)


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def citations_of(message: Any) -> list[Any]:
    return [note.url_citation for note in message.annotations or [] if note.type == "url_citation"]


def test_models_list_the_assistant(client: openai.OpenAI) -> None:
    ids = [model.id for model in client.models.list()]

    assert ids[0] == "ttc-assistant"
    assert {"ttc-assistant-achievements", "ttc-assistant-demands"} <= set(ids)
    assert client.models.retrieve("ttc-assistant").owned_by == "ttc"


def test_a_russian_question_gets_a_grounded_russian_answer_with_usage(client: openai.OpenAI,
                                                                      base_url: str) -> None:
    completion = ask(client, user(SOLAR_RU))

    choice = completion.choices[0]
    assert completion.object == "chat.completion" and completion.model == "ttc-assistant"
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert choice.message.content.startswith(localize("intro", "ru"))
    usage = completion.usage
    assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    same = httpx.post(f"{base_url}/v1/chat", json={"message": SOLAR_RU}, timeout=30).json()
    assert choice.message.content == same["answer"]


def test_annotations_point_at_the_cited_spans_and_open_record_pages(client: openai.OpenAI,
                                                                    base_url: str) -> None:
    message = ask(client, user(SOLAR_RU)).choices[0].message

    cited = citations_of(message)
    assert len(cited) >= 2
    for note in cited:
        record_id = note.url.split("/records/")[1].split("?")[0]
        span = message.content[note.start_index:note.end_index]
        assert span.startswith(note.title) and span.endswith(f"[{record_id}]")
        assert note.url.startswith(f"{base_url}/records/") and note.url.endswith("?lang=ru")
        page = httpx.get(note.url, timeout=30)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert html.escape(note.title) in page.text


def test_streaming_sends_deltas_annotations_and_a_usage_chunk(client: openai.OpenAI) -> None:
    whole = ask(client, user(SOLAR_RU))

    chunks = list(ask(client, user(SOLAR_RU), stream=True, stream_options={"include_usage": True}))

    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    deltas = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(deltas) >= 3 and "".join(deltas) == whole.choices[0].message.content
    notes = [a for c in chunks if c.choices for a in (c.choices[0].delta.model_extra or {}).get("annotations", [])]
    assert [n["url_citation"] for n in notes] == [c.model_dump() for c in citations_of(whole.choices[0].message)]
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens


def test_streaming_without_include_usage_sends_no_usage(client: openai.OpenAI) -> None:
    chunks = list(ask(client, user(SOLAR_RU), stream=True))

    assert all(chunk.usage is None for chunk in chunks) and chunks[-1].choices[0].finish_reason == "stop"


def test_a_followup_resolves_against_the_message_history_in_the_same_language(
        client: openai.OpenAI, loaded_services: Services) -> None:
    first = ask(client, user(SOLAR_RU)).choices[0].message.content

    followup = ask(client, user(SOLAR_RU), {"role": "assistant", "content": first}, user(FOLLOWUP_RU))

    content = followup.choices[0].message.content
    assert content.startswith(localize("intro_country", "ru", country=country_name("CN", "ru")))
    ids = [note.url.split("/records/")[1].split("?")[0] for note in citations_of(followup.choices[0].message)]
    records = [loaded_services.index.get(rid) for rid in ids]
    assert ids and all(r is not None and r.country == "CN" for r in records)


def test_no_session_is_kept_on_the_server(client: openai.OpenAI, settings: Settings) -> None:
    ask(client, user(SOLAR_RU))

    path = settings.data_dir / "sessions.sqlite"
    rows = sqlite3.connect(path).execute("SELECT count(*) FROM chat_turns").fetchone()[0] if path.exists() else 0
    assert rows == 0


def test_content_parts_system_messages_and_unknown_fields_are_accepted(client: openai.OpenAI) -> None:
    plain = ask(client, user(SOLAR_RU)).choices[0].message.content

    parted = ask(client, {"role": "system", "content": "You are helpful."},
                 {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://x/old.png"}}]},
                 {"role": "assistant", "content": None},
                 {"role": "user", "content": [{"type": "text", "text": SOLAR_RU}]},
                 temperature=0.2, top_p=0.9, max_tokens=500, user="someone", seed=7,
                 extra_body={"some_vendor_option": {"x": 1}})

    assert parted.choices[0].message.content == plain


def test_a_model_per_kind_answers_only_from_that_kind(client: openai.OpenAI, loaded_services: Services,
                                                     sample_records: list[dict[str, Any]]) -> None:
    achievement = next(r for r in sample_records if r["kind"] == "achievement")

    completion = client.chat.completions.create(model="ttc-assistant-demands",
                                                messages=[user(str(achievement["title"]))])  # type: ignore[list-item]

    ids = [note.url.split("/records/")[1].split("?")[0] for note in citations_of(completion.choices[0].message)]
    assert ids and all(loaded_services.index.get(rid).kind == "demand" for rid in ids)  # type: ignore[union-attr]


@pytest.mark.parametrize(("messages", "param"), [
    ([], "messages"),
    ([user("solar"), {"role": "assistant", "content": "hi"}], "messages[1].role"),
    ([{"role": "user", "content": 42}], "messages[0].content"),
    ([{"role": "wizard", "content": "solar"}], "messages[0].role"),
    ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}],
     "messages[0].content[0]"),
])
def test_bad_requests_raise_bad_request_error(client: openai.OpenAI, messages: list[Any], param: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        ask(client, *messages)

    assert caught.value.status_code == 400
    assert caught.value.param == param  # type: ignore[attr-defined]


def test_an_unknown_model_raises_not_found_error(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=[user("solar")])  # type: ignore[list-item]

    assert caught.value.code == "model_not_found"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o", messages=[user("solar")], stream=True)  # type: ignore[list-item]


def test_errors_have_openai_shape_only_on_these_routes(base_url: str) -> None:
    openai_style = httpx.post(f"{base_url}/v1/chat/completions", content=b"{not json", timeout=30,
                              headers={"content-type": "application/json"})
    ours = httpx.post(f"{base_url}/v1/chat", json={}, timeout=30)

    assert openai_style.status_code == 400
    assert set(openai_style.json()["error"]) == {"message", "type", "param", "code"}
    assert ours.status_code == 422 and set(ours.json()["error"]) == {"code", "message"}


def test_over_the_rate_limit_raises_rate_limit_error_with_retry_after(loaded_services: Services,
                                                                      tmp_path: Path) -> None:
    limited = make_settings(tmp_path / "data", rate_limit_per_minute=2)
    with live_server(create_app(limited, loaded_services)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0)
        ask(client, user("solar"))
        ask(client, user("solar"))
        with pytest.raises(openai.RateLimitError) as caught:
            ask(client, user("solar"))
        assert int(caught.value.response.headers["retry-after"]) >= 1
        assert caught.value.code == "rate_limit_exceeded"
        assert client.models.list().data  # reading the models is not a chat request


def test_api_keys_guard_these_routes_when_set(sample_records: list[dict[str, Any]], tmp_path: Path) -> None:
    keyed = make_settings(tmp_path / "keyed", rate_limit_per_minute=0, api_keys="client-key-1, client-key-2",
                          staff_api_keys="staff-key-9")
    services = build_services(keyed)
    try:
        ingest_paths(services.index, [RECORDS])
        with live_server(create_app(keyed, services)) as url:
            def client(key: str) -> openai.OpenAI:
                return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0)

            with pytest.raises(openai.AuthenticationError):
                ask(client("wrong-key"), user("solar"))
            with pytest.raises(openai.AuthenticationError):
                client("wrong-key").models.list()
            assert ask(client("client-key-2"), user("solar")).choices[0].finish_reason == "stop"
            assert client("staff-key-9").models.list().data
            no_header = httpx.get(f"{url}/v1/models", timeout=30)
            assert no_header.status_code == 401 and no_header.json()["error"]["code"] == "invalid_api_key"
            record_id = str(sample_records[0]["id"])
            assert httpx.get(f"{url}/records/{record_id}", timeout=30).status_code == 200  # pages stay public
    finally:
        services.close()


def test_a_long_conversation_fits_where_the_rest_of_the_api_stops_at_64_kib(client: openai.OpenAI,
                                                                            base_url: str) -> None:
    long_answer = "Вот что я нашёл в наших записях: " + "солнечные батареи " * 400
    history: list[dict[str, Any]] = []
    for _ in range(12):
        history += [user(SOLAR_RU), {"role": "assistant", "content": long_answer}]

    completion = ask(client, *history, user(FOLLOWUP_RU))

    assert completion.choices[0].finish_reason == "stop"
    body = {"model": "ttc-assistant", "messages": [*history, user(FOLLOWUP_RU)]}
    assert len(httpx.Request("POST", base_url, json=body).content) > 64 * 1024
    too_big = httpx.post(f"{base_url}/v1/chat", json={"message": long_answer * 10}, timeout=30)
    assert too_big.status_code == 413


def test_a_question_over_the_length_limit_raises_bad_request_error(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        ask(client, user("solar " * 1000))

    assert "4000" in caught.value.message


def test_a_completion_id_takes_feedback_and_counts_in_insights(client: openai.OpenAI, base_url: str) -> None:
    completion = ask(client, user(SOLAR_RU))
    streamed_id = [chunk.id for chunk in ask(client, user("Who offers solar cell technologies?"), stream=True)][-1]

    for answer_id, rating in ((completion.id, "up"), (streamed_id, "down")):
        response = httpx.post(f"{base_url}/v1/feedback", json={"answer_id": answer_id, "rating": rating}, timeout=30)
        assert response.status_code == 201, response.text
