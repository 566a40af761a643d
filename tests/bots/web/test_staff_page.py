"""The staff page in headless Chromium against a real uvicorn: key, queue, detail, reply."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from assistant.services import Services, build_services
from bots.web.app import create_app
from tests.support.paths import ARTIFACTS
from tests.support.ports import free_port
from tests.support.settings import make_settings

CHROMIUM = Path("/usr/bin/chromium")
KEY = "page-test-key"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Services]]:
    settings = make_settings(tmp_path / "data", staff_api_keys=KEY)
    services = build_services(settings)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(create_app(settings, services), host="127.0.0.1", port=port,
                                       log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", services
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        services.close()


def test_staff_answers_a_portuguese_telegram_inquiry_from_the_page(server: tuple[str, Services]) -> None:
    base, services = server
    inquiry = services.inquiries.create(
        message="Bom dia! Procuramos uma tecnologia de dessalinização de água movida a energia solar para o sertão.",
        channel="telegram", chat_id="555", contact="@maria_ce")
    services.inquiries.create(message="I forgot my password and the login page shows an error.", channel="web",
                              session_id="s-2")
    services.inquiries.create(message="CASINO BONUS!!! http://win.top http://cash.xyz", channel="api")

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/staff")
        page.fill("#key", KEY)
        page.click("#key-form button[type=submit]")
        row = page.locator("#queue tbody tr", has_text="dessalinização")
        row.wait_for(timeout=10_000)
        sync_api.expect(page.locator("#queue tbody tr")).to_have_count(3)

        page.select_option("#filters select[name=status]", "new")
        page.fill("#filters input[name=language]", "pt")
        page.click("#filters button[type=submit]")
        sync_api.expect(page.locator("#queue tbody tr")).to_have_count(1)
        page.locator("#queue tbody tr").first.click()
        page.wait_for_selector("#detail:not([hidden])")
        assert "BR" in page.text_content("#d-route")
        assert "pt" in page.text_content("#d-reason")
        assert "technology_request" in page.text_content("#d-facts")

        page.fill("#update input[name=assignee]", "ana.souza")
        page.fill("#update textarea[name=reply]", "Olá Maria! Temos dois centros parceiros no Brasil para indicar.")
        page.click("#update button[type=submit]")
        page.wait_for_selector("#notice.ok >> text=Reply queued")
        page.wait_for_selector("#d-deliveries >> text=pending")
        page.select_option("#filters select[name=status]", "")
        page.fill("#filters input[name=language]", "")
        page.click("#filters button[type=submit]")
        sync_api.expect(page.locator("#queue tbody tr")).to_have_count(3)
        assert "Reply queued" in page.text_content("#notice")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "staff.png"), full_page=True)
        browser.close()

    assert errors == []
    (delivery,) = services.inquiries.pending_deliveries("telegram")
    assert delivery.chat_id == "555" and delivery.text.startswith("Olá Maria")
    stored = services.inquiries.get(inquiry.id)
    assert stored.status == "answered" and stored.assignee == "ana.souza"


def test_page_reports_a_wrong_key(server: tuple[str, Services]) -> None:
    base, _ = server
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.goto(f"{base}/staff")
        page.fill("#key", "wrong")
        page.click("#key-form button[type=submit]")
        page.wait_for_selector("#notice >> text=403")
        browser.close()
