"""Headless Chromium through playwright: launching it, a page with its dialogs and errors, asking in the chat.

Screenshots go to test-artifacts/ (kept by CI as artifacts).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import ARTIFACTS
from tests.support.slow import require_slow

CHROMIUM = os.environ.get("TTC_CHROMIUM", "/usr/bin/chromium")
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def require_browser() -> Any:
    """playwright's sync API; skips the calling test module when playwright or Chromium is missing."""
    api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (set TTC_CHROMIUM)", allow_module_level=True)
    return api


@contextmanager
def chromium(args: Sequence[str] = ARGS) -> Iterator[Any]:
    """A headless Chromium until the block ends."""
    require_slow("Chromium")
    with require_browser().sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(args))
        yield browser
        browser.close()


@dataclass
class Tab:
    """A page, with the alert() dialogs it tried to show and the script errors it logged."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def open_page(browser: Any, base_url: str, viewport: dict[str, int], locale: str = "en-US") -> Tab:
    tab = Tab(browser.new_page(viewport=viewport, locale=locale))

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: Any) -> None:
        if message.type == "error":
            tab.errors.append(message.text)

    tab.page.on("dialog", on_dialog)
    tab.page.on("console", on_console)
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.page.goto(base_url + "/")
    tab.page.wait_for_selector("body[data-ready='true']")
    return tab


def ask(page: Any, question: str) -> Any:
    with page.expect_response(lambda r: r.url.endswith("/v1/chat/stream")) as streamed:
        page.fill("#question", question)
        page.press("#question", "Enter")
    assert streamed.value.headers["content-type"].startswith("text/event-stream")
    answer = page.locator(".msg.bot").last
    answer.locator(".bubble[aria-busy='false']").wait_for(timeout=20_000)
    return answer


def close(tab: Tab) -> None:
    assert tab.errors == [], tab.errors
    tab.page.close()


def shot(tab: Tab, name: str) -> None:
    assert tab.errors == [], tab.errors
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / name), full_page=False)

