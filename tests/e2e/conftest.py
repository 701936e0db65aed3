"""Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Screenshots go to var/screenshots/ (git-ignored), one or more per journey.
"""

import os
import shutil
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if not executable:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """screenshot("step") saves var/screenshots/<test name>-<step>.png of the test's `page`
    (or of the page given as `of=`) and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(step: str, *, of=None) -> Path:
        target = of if of is not None else request.getfixturevalue("page")
        path = SCREENSHOTS / f"{request.node.name}-{step}.png"
        target.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        return path

    return take
