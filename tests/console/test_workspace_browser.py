"""The workspace in Chromium, for an agent's day: the transcript opens at the newest
message, stays where the agent scrolled and marks new messages, and the keyboard moves
to the next ticket, claims it and picks a canned reply, all without a page reload."""

from __future__ import annotations

from typing import Any

from tests.console.helpers import PASSWORD

AT_END = ("(() => { const t = document.getElementById('transcript');"
          " return t.scrollHeight - t.scrollTop - t.clientHeight < 48; })()")


async def log_in(page: Any, base: str, path: str) -> None:
    await page.goto(f"{base}/console/login?next={path}")
    await page.fill("#username", "anna")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}{path}")


async def test_the_transcript_follows_new_messages_unless_the_agent_scrolled_up(
    browser: Any, live_console: tuple[str, int, int, int],
) -> None:
    base, claimed, _, _ = live_console
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await log_in(page, base, f"/console/tickets/{claimed}")
    await page.locator("#transcript .note").wait_for()
    assert await page.evaluate(AT_END)  # opens at the newest message

    await page.evaluate("document.getElementById('transcript').scrollTop = 0")
    await page.evaluate(f"SB.post('/console/api/tickets/{claimed}/note',"
                        " {text: 'A colleague adds something'})")
    await page.locator("#transcript .note", has_text="A colleague adds").wait_for()
    await page.locator("#new-messages").wait_for(state="visible")
    assert not await page.evaluate(AT_END)  # the agent's reading place is kept
    await page.click("#new-messages")
    assert await page.evaluate(AT_END)
    assert not await page.locator("#new-messages").is_visible()
    await context.close()


async def test_keyboard_next_ticket_claim_and_canned_reply(
    browser: Any, live_console: tuple[str, int, int, int],
) -> None:
    base, claimed, _, waiting = live_console
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await log_in(page, base, f"/console/tickets/{claimed}")
    await page.locator("#queue-list li.selected").wait_for()
    await page.evaluate("window.sameDocument = true")

    await page.keyboard.press("Alt+KeyN")
    await page.wait_for_url(f"**/console/tickets/{waiting}")
    await page.locator("#claim:visible").wait_for()
    await page.keyboard.press("Alt+KeyC")
    await page.locator("#ticket-status", has_text="claimed · anna").wait_for()
    await page.locator("#action-status", has_text="Claimed").wait_for()
    assert not await page.locator("#claim").is_visible()

    await page.keyboard.press("Alt+KeyR")
    assert await page.evaluate("document.activeElement.id") == "canned"
    await page.select_option("#canned", label="Ask for the serial number")
    assert "serial number" in await page.input_value("#composer-text")
    assert await page.evaluate("window.sameDocument === true")
    await context.close()
