"""The staff page links each related record of an inquiry to its record page (headless Chromium, real server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.services import Services
from assistant.settings import Settings
from bots.web.app import create_app
from tests.support.settings import make_settings
from tests.support.web import live_server

CHROMIUM = Path("/usr/bin/chromium")
KEY = "record-link-staff-key"

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip("no Chromium at /usr/bin/chromium", allow_module_level=True)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", staff_api_keys=KEY)


@pytest.fixture
def base_url(loaded_services: Services) -> Iterator[str]:
    with live_server(create_app(loaded_services.settings, loaded_services)) as url:
        yield url


def test_related_records_open_their_record_pages(base_url: str, loaded_services: Services,
                                                 sample_records: list[dict[str, object]]) -> None:
    record = sample_records[0]
    loaded_services.inquiries.create(message="Please introduce us to the team behind this software framework.",
                                     channel="web", record_ids=[str(record["id"])])

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox",
                                                                          "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(f"{base_url}/staff")
            page.fill("#key", KEY)
            page.click("#key-form button[type=submit]")
            page.locator("#queue tbody tr").first.click()
            link = page.locator("#d-records a").first
            link.wait_for(timeout=10_000)

            href = link.get_attribute("href")
            assert href == f"/records/{record['id']}?lang=en"
            page.goto(base_url + href)
            assert page.locator("h2.record-title").inner_text() == record["title"]
        finally:
            browser.close()
