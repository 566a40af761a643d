"""The fake Bot API (tests/fake_bot_api.py) checks what Telegram would check and fails the way Telegram does."""

from __future__ import annotations

import httpx
import pytest

from tests.support.fake_bot_api import TOKEN, FakeBotApi


def test_fake_api_accepts_escaped_html_and_refuses_raw_markup(fake_api: FakeBotApi) -> None:
    url = f"{fake_api.url}/bot{TOKEN}/sendMessage"
    good = httpx.post(url, data={"chat_id": "1", "text": "<b>a_*[]()~&gt;#+-=|{}.!</b> &amp; x", "parse_mode": "HTML"})
    bad = httpx.post(url, data={"chat_id": "1", "text": "a < b", "parse_mode": "HTML"})
    unbalanced = httpx.post(url, data={"chat_id": "1", "text": "<b>x", "parse_mode": "HTML"})

    assert good.json()["result"]["text"] == "a_*[]()~>#+-=|{}.! & x"
    assert bad.status_code == 400 and "can't parse entities" in bad.json()["description"]
    assert unbalanced.status_code == 400


def test_fake_api_refuses_messages_over_4096_characters(fake_api: FakeBotApi) -> None:
    url = f"{fake_api.url}/bot{TOKEN}/sendMessage"
    response = httpx.post(url, data={"chat_id": "1", "text": "x" * 4097})

    assert response.status_code == 400 and "too long" in response.json()["description"]


def test_fake_api_refuses_a_wrong_token(fake_api: FakeBotApi) -> None:
    assert httpx.post(f"{fake_api.url}/botWRONG/getMe").status_code == 401


def test_fake_api_serves_its_faults_in_order_then_answers_again(fake_api: FakeBotApi) -> None:
    url = f"{fake_api.url}/bot{TOKEN}/sendMessage"
    fake_api.faults = ["429:3", "502", "drop"]

    limited = httpx.post(url, data={"chat_id": "1", "text": "a"})
    bad_gateway = httpx.post(url, data={"chat_id": "1", "text": "a"})
    with pytest.raises(httpx.TransportError):
        httpx.post(url, data={"chat_id": "1", "text": "a"})
    answered = httpx.post(url, data={"chat_id": "1", "text": "a"})

    assert limited.status_code == 429 and limited.json()["parameters"] == {"retry_after": 3}
    assert bad_gateway.status_code == 502
    assert answered.status_code == 200 and fake_api.served_faults == ["429:3", "502", "drop"]
    assert [m for m, _ in fake_api.calls] == ["sendMessage"]  # faulted calls never reached the API


def test_fake_api_outage_lasts_until_it_is_cleared(fake_api: FakeBotApi) -> None:
    url = f"{fake_api.url}/bot{TOKEN}/sendMessage"
    fake_api.outage = "502"

    during = [httpx.post(url, data={"chat_id": "1", "text": "a"}).status_code for _ in range(3)]
    fake_api.outage = None
    after = httpx.post(url, data={"chat_id": "1", "text": "a"}).status_code

    assert during == [502, 502, 502] and after == 200
