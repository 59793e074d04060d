"""The chat and the dashboard in real headless Chromium (Debian's, through Playwright), on a live lock.

One browser session: log in, read the chamber level, chart an hour of history, request a command and
approve it with the button; the dashboard with live values; then the first-token benchmark (20 questions).
Screenshots go to test-artifacts/; with LOCKPILOT_UPDATE_DOC_IMAGES=1 the README's in docs/img/ are refreshed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.dataplane import DataPlane
from bench.browser import ASSISTANT, ChromiumMissing, ask_timed, chromium_page, ensure_chromium, login
from bench.ui import TARGET_FIRST_TOKEN_MS, percentile
from lockpilot.roles import Role
from tests.web_stack import PASSWORDS, USERS, add_users, redis_db, seed_history, start_stack

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
DOC_IMAGES = REPO / "docs" / "img"
pytestmark = pytest.mark.timeout(170)


@pytest.fixture(scope="module")
def stack(pg_url: str, redis_base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataPlane]:
    try:
        ensure_chromium()
    except ChromiumMissing as exc:
        pytest.skip(f"no browser: {exc}")
    data_dir = tmp_path_factory.mktemp("web-browser")
    live = start_stack(database_url=pg_url, redis_url=redis_db(redis_base_url, 7), data_dir=data_dir)
    add_users(live)
    seed_history(pg_url, data_dir / "seed-spool")
    yield live
    live.stop()


def _last_answer(page: object) -> str:
    return str(page.locator(ASSISTANT).last.inner_text())  # type: ignore[attr-defined]


def _shot(page: object, name: str, *, doc: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))  # type: ignore[attr-defined]
    if doc and os.environ.get("LOCKPILOT_UPDATE_DOC_IMAGES") == "1":
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOC_IMAGES / f"{name}.png"))  # type: ignore[attr-defined]


def test_operator_session_in_chromium(stack: DataPlane) -> None:
    with chromium_page() as page:
        login(page, stack.url, username=USERS[Role.OPERATOR], password=PASSWORDS[Role.OPERATOR])
        _shot(page, "chat-start")
        ask_timed(page, "qual o nível da câmara?")
        page.get_by_text(re.compile(r"Nível da câmara.*\d+[.,]\d+ m")).last.wait_for(timeout=15_000)
        _shot(page, "chat-level")

        ask_timed(page, "mostre o histórico do nível da câmara na última hora")
        page.locator(".js-plotly-plot").last.wait_for(timeout=20_000)
        page.wait_for_timeout(800)
        _shot(page, "chat", doc=True)

        ask_timed(page, "ligue a bomba principal")
        approve = page.get_by_role("button", name=re.compile("Aprovar"))
        approve.last.wait_for(timeout=15_000)
        page.get_by_text(re.compile("Expira em")).last.wait_for()
        _shot(page, "chat-command-pending")
        approve.last.click()
        page.get_by_text(re.compile("executado e verificado")).last.wait_for(timeout=30_000)
        _shot(page, "chat-command-approved")

        page.goto(f"{stack.url}/dashboard")
        page.wait_for_function("document.body.dataset.live === '1'", timeout=15_000)
        page.locator("#trend .main-svg").first.wait_for(timeout=15_000)
        level = page.locator("#value-nivel_camara").text_content() or ""
        assert re.fullmatch(r"\d+,\d\d m", level), level  # decimal comma
        _shot(page, "dashboard", doc=True)
        assert page.external_requests == [], page.external_requests


def test_first_token_under_one_second(stack: DataPlane) -> None:
    with chromium_page() as page:
        login(page, stack.url, username=USERS[Role.VIEWER], password=PASSWORDS[Role.VIEWER])
        times = []
        for i in range(20):
            try:
                times.append(
                    ask_timed(page, "qual o nível da câmara?" if i % 2 else "qual a pressão do sistema?")
                )
            except Exception:
                _shot(page, f"bench-fail-{i}")
                raise
            page.wait_for_timeout(100)
        p50, p95 = sorted(times)[len(times) // 2], percentile(times, 0.95)
        print(f"first token over {len(times)} questions: p50 {p50:.0f} ms, p95 {p95:.0f} ms")
        assert p95 < TARGET_FIRST_TOKEN_MS
        assert "m" in _last_answer(page)
