"""Every console page passes axe-core without a serious or critical violation: login,
the workspace (empty, with a claimed conversation, with a closed one), callbacks, canned
replies, the dashboard and customer privacy, in English and in German."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.accessibility import serious_violations
from tests.console.helpers import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


async def _check(page: Any, url: str, ready: str) -> list[str]:
    await page.goto(url)
    await page.locator(ready).first.wait_for()
    return [f"{url}: {problem}" for problem in await serious_violations(page)]


async def test_no_console_page_has_a_serious_accessibility_violation(
    browser: Any, live_console: tuple[str, int, int, int],
) -> None:
    base, claimed, closed, _ = live_console
    context = await browser.new_context(viewport={"width": 1440, "height": 900},
                                        bypass_csp=True)  # to inject axe-core
    page = await context.new_page()
    problems = await _check(page, f"{base}/console/login", "#username")
    await page.fill("#username", "anna")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/console")
    pages = [("/console", "#queue-list li[data-ticket]"),
             (f"/console/tickets/{claimed}", "#transcript .note"),
             (f"/console/tickets/{closed}", "#read-only:visible"),
             ("/console/callbacks", "h1"), ("/console/canned", "form.canned"),
             ("/console/supervisor", "img[src*='/charts/']"),
             ("/console/supervisor/customers?q=Sanne", "table")]
    for locale in ("en", "de"):
        if locale == "de":
            await page.select_option("#locale-choice", "de")
            await page.wait_for_load_state()
            await page.locator("html[lang=de]").wait_for()
        for path, ready in pages:
            problems += await _check(page, base + path, ready)
    await page.goto(f"{base}/console/tickets/{claimed}")  # for the README
    await page.locator("#transcript .note").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "console-workspace-de.png"))
    await context.close()
    assert not problems, "\n".join(problems)
