"""`ttc bot` as a real process against the fake Bot API: long polling (/start, a Russian question, /search, a
/demand dialogue), webhook mode, and the one-line error without a token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant.locale.texts import bot_text
from assistant.services import build_services
from retrieval.ingest import ingest_paths
from retrieval.language import detect_language
from tests.support.fake_bot_api import TOKEN, FakeBotApi
from tests.support.paths import RECORDS
from tests.support.ports import free_port
from tests.support.settings import make_settings
from tests.support.telegram import TelegramUser, buttons

pytestmark = pytest.mark.slow  # every test runs `ttc bot` in a subprocess


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    services = build_services(make_settings(tmp_path / "data"))
    ingest_paths(services.index, [RECORDS])
    services.close()
    return tmp_path / "data"


def bot_env(api: FakeBotApi | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTC_") and k != "TELEGRAM_BOT_TOKEN"}
    env["TTC_EMBEDDER"] = "hash:64"
    if api is not None:
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TTC_TELEGRAM_BASE_URL=api.url)
    return env


def start_bot(data_dir: Path, api: FakeBotApi, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bots.cli", "bot", "--data-dir", str(data_dir), *options],
                            env=bot_env(api), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, stderr
    return stderr


class Chat:
    """Sends one update at a time and waits for the bot's replies, like a person would."""

    def __init__(self, api: FakeBotApi, user: TelegramUser) -> None:
        self.api, self.user = api, user

    def send(self, update: dict[str, object], replies: int = 1) -> list[dict[str, object]]:
        before = len(self.api.sent(self.user.chat_id))
        self.api.push_update(update)
        self.api.wait_for(lambda api: len(api.sent(self.user.chat_id)) >= before + replies, timeout=60)
        return self.api.sent(self.user.chat_id)[before:]


def test_ttc_bot_polls_and_answers_start_a_russian_question_search_and_demand(data_dir: Path,
                                                                              fake_api: FakeBotApi) -> None:
    process = start_bot(data_dir, fake_api)
    try:
        chat = Chat(fake_api, TelegramUser(language_code="ru", first_name="Ольга"))
        (welcome,) = chat.send(chat.user.says("/start"))
        (answer,) = chat.send(chat.user.says("Какие есть технологии переработки углеродного волокна?"))
        heading, *results = chat.send(chat.user.says("/search carbon fibre recycling"), replies=6)
        steps = [chat.send(chat.user.says("/demand"))[0],
                 chat.send(chat.user.says("Переработанное углеволокно для рам дронов"))[0],
                 chat.send(chat.user.says("Нужен поставщик переработанного углеволокна для лёгких рам дронов."))[0],
                 chat.send(chat.user.presses("field:composites"))[0],
                 chat.send(chat.user.says("Казахстан"))[0],
                 chat.send(chat.user.presses("coop:investment"))[0],
                 chat.send(chat.user.says("drones@example.kz"))[0]]
        published = chat.send(chat.user.presses("demand:publish"), replies=2)
    finally:
        stderr = stop(process)

    assert welcome["plain"].startswith(bot_text("welcome", "ru", name="Ольга")) and len(buttons(welcome)) == 17
    assert detect_language(str(answer["plain"]).split(bot_text("sources", "ru"))[0]) == "ru"
    assert heading["plain"] == bot_text("results", "ru", query="carbon fibre recycling") and len(results) == 5
    assert all(buttons(r)[0][0] == bot_text("btn_details", "ru") for r in results)
    assert [s["plain"] for s in steps[:6]] == [bot_text(key, "ru") for key in (
        "demand_title", "demand_description", "demand_field", "demand_country", "demand_cooperation",
        "demand_contact")]
    assert "Казахстан" in str(steps[6]["plain"])
    assert str(published[0]["plain"]).startswith(bot_text("demand_saved", "ru", id="")[:25])
    methods = fake_api.methods()
    assert "deleteWebhook" in methods and methods.count("setMyCommands") == 18
    assert "long polling" in stderr and "Traceback" not in stderr and TOKEN not in stderr


def test_ttc_bot_webhook_registers_a_secret_and_answers_posted_updates(data_dir: Path, fake_api: FakeBotApi) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    process = start_bot(data_dir, fake_api, "--webhook", url, "--port", str(port))
    user = TelegramUser(language_code="fr")
    try:
        fake_api.wait_for(lambda api: "setWebhook" in api.methods(), timeout=60)
        (registration,) = [p for m, p in fake_api.calls if m == "setWebhook"]
        secret = str(registration["secret_token"])
        for _ in range(100):
            try:
                refused = httpx.post(url, json=user.says("/help"))
                break
            except httpx.ConnectError:
                fake_api.wait_for(lambda api: True, timeout=0.1)
        accepted = httpx.post(url, json=user.says("/help"), headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        fake_api.wait_for(lambda api: len(api.sent(user.chat_id)) >= 1)
    finally:
        stop(process)

    assert registration["url"] == url and len(secret) >= 32
    assert refused.status_code == 403 and accepted.status_code == 200
    assert len(fake_api.sent(user.chat_id)) == 1
    assert fake_api.sent(user.chat_id)[0]["plain"].startswith(bot_text("help", "fr"))


def test_ttc_bot_without_a_token_fails_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bots.cli", "bot", "--data-dir", str(tmp_path / "d")],
                            env=bot_env(None), capture_output=True, text=True, timeout=120)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: TELEGRAM_BOT_TOKEN is not set (create a bot with @BotFather and export its token)"]
