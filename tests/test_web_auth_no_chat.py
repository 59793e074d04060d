"""An app without the chat reads no chat cookie and never imports Chainlit: importing it before the chat's
root is prepared makes Chainlit load a default config (English, remote fonts) for the whole process."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
from types import SimpleNamespace
from api.web_auth import web_user
request = SimpleNamespace(
    app=SimpleNamespace(state=SimpleNamespace(services=SimpleNamespace(metering=None))),
    headers={}, cookies={"access_token": "x"},
)
assert web_user(request) is None
print("chainlit" in sys.modules)
"""


def test_a_request_to_an_app_without_the_chat_does_not_import_chainlit() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False", done.stdout
