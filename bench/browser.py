"""Drive the chat in Debian's headless Chromium with Playwright (never a downloaded browser)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ASSISTANT = '[data-step-type="assistant_message"]'
APT_TIMEOUT_S = 600

# Start an observer, submit, and resolve with the ms until a new assistant message shows its first text.
_TIME_FIRST_TOKEN = """([selector, timeoutMs]) => new Promise((resolve, reject) => {
  const before = document.querySelectorAll(selector).length;
  const started = performance.now();
  const seen = () => { const all = document.querySelectorAll(selector);
    return all.length > before && all[all.length - 1].innerText.trim().length > 0; };
  const observer = new MutationObserver(() => {
    if (seen()) { observer.disconnect(); resolve(performance.now() - started); } });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  setTimeout(() => { observer.disconnect(); reject(new Error("no answer in time")); }, timeoutMs);
  document.getElementById("chat-submit").click();
})"""


class ChromiumMissing(RuntimeError):
    """Debian's chromium is not installed and apt-get could not install it."""


def ensure_chromium() -> Path:
    """Debian's chromium, installed with apt-get (update first) when missing."""
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None:
        raise ChromiumMissing("no /usr/bin/chromium and no apt-get to install it")
    for args in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(args, capture_output=True, text=True, timeout=APT_TIMEOUT_S, check=False)
        if done.returncode != 0:
            raise ChromiumMissing(f"{' '.join(args)} failed: {done.stderr.strip()[-300:]}")
    if not CHROMIUM.exists():
        raise ChromiumMissing("apt-get installed chromium but /usr/bin/chromium is missing")
    return CHROMIUM


@contextmanager
def chromium_page(*, width_px: int = 1280, height_px: int = 860) -> Iterator[Any]:
    """A page of a fresh headless Chromium profile; requests leaving loopback are recorded and aborted."""
    from playwright.sync_api import sync_playwright

    executable = ensure_chromium()
    with tempfile.TemporaryDirectory(prefix="lockpilot-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(executable),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": width_px, "height": height_px},
            locale="pt-BR",
        )
        external: list[str] = []

        def guard(route: Any) -> None:
            url = route.request.url
            if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "http://localhost", "data:", "blob:")):
                route.continue_()
            else:
                external.append(url)
                route.abort()

        context.route("**/*", guard)
        page = context.pages[0] if context.pages else context.new_page()
        page.external_requests = external  # type: ignore[attr-defined]
        try:
            yield page
        finally:
            context.close()


def login(page: Any, base_url: str, *, username: str, password: str, chat_path: str = "/chat") -> None:
    """Log in through the chat's password form and wait for the composer."""
    page.goto(f"{base_url}{chat_path}/login")
    page.locator("#email").fill(username)
    page.locator("#password").fill(password)
    page.locator("button[type=submit]").click()
    page.locator("#chat-input").wait_for(timeout=30_000)


def ask_timed(page: Any, question: str, *, timeout_s: float = 30.0) -> float:
    """Type a question, submit it, and return the ms until the answer's first text appears."""
    page.locator("#chat-input").fill(question)
    page.locator("#chat-submit:enabled").wait_for(timeout=timeout_s * 1000)
    return float(page.evaluate(_TIME_FIRST_TOKEN, [ASSISTANT, timeout_s * 1000]))
