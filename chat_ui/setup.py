"""Prepare Chainlit's run-time root (config, translations, an offline index.html) and mount the chat.

Chainlit reads its root from CHAINLIT_APP_ROOT when `chainlit` is first imported, so `prepare_root` must run
before any chainlit import; `mount_chat` imports it afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from api.services import Services

PACKAGE_DIR = Path(__file__).resolve().parent
REMOTE_LINK = re.compile(r"<link\b[^>]*?https?://[^>]*?>", re.DOTALL)
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="220" height="48" viewBox="0 0 220 48">'
    '<rect x="2" y="10" width="12" height="30" rx="2" fill="{fg}"/>'
    '<rect x="18" y="22" width="26" height="18" '
    'fill="#3b8fd9"/><rect x="48" y="10" width="12" height="30" rx="2" fill="{fg}"/>'
    '<text x="70" y="36" font-family="sans-serif" font-size="28" font-weight="700" fill="{fg}">'
    "Lockpilot</text>"
    "</svg>"
)
README = "# Lockpilot\n\nPergunte sobre a eclusa: níveis, alarmes, sequências, procedimentos e comandos.\n"


def _chainlit_dist() -> Path:
    spec = find_spec("chainlit")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "frontend" / "dist"


def offline_build(root: Path) -> Path:
    """A build dir whose index.html links nothing on the internet (fonts, KaTeX); assets are symlinked."""
    dist, build = _chainlit_dist(), root / "build"
    build.mkdir(parents=True, exist_ok=True)
    for item in dist.iterdir():
        target = build / item.name
        if item.name != "index.html" and not target.exists():
            target.symlink_to(item, target_is_directory=item.is_dir())
    html = (dist / "index.html").read_text(encoding="utf-8")
    (build / "index.html").write_text(REMOTE_LINK.sub("", html), encoding="utf-8")
    return build


def _auth_secret(root: Path) -> str:
    """The JWT secret of chat sessions when CHAINLIT_AUTH_SECRET is unset: generated on first start into
    the root (mode 600) and kept."""
    path = root / ".auth_secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def chat_secret(root: Path) -> str:
    """The chat's session secret: CHAINLIT_AUTH_SECRET when set (checked by the caller), else generated."""
    return os.environ.get("CHAINLIT_AUTH_SECRET") or _auth_secret(root)


def install_translations(target: Path) -> None:
    """Chainlit's translation files (so it creates none, and logs none, on start) and the repo's pt-BR
    one for every Portuguese browser: "Usuário", "Senha", "Entrar", "Digite sua mensagem"."""
    shipped = _chainlit_dist().parent.parent / "translations"
    for item in shipped.glob("*.json"):
        if not (target / item.name).exists():
            shutil.copyfile(item, target / item.name)
    for name in ("pt-BR.json", "pt-PT.json", "pt.json"):
        shutil.copyfile(PACKAGE_DIR / "translations" / "pt-BR.json", target / name)


def prepare_root(root: Path) -> Path:
    """Write config, translations and the offline build under `root`; point Chainlit at it."""
    config_dir = root / ".chainlit"
    (config_dir / "translations").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PACKAGE_DIR / "chainlit.toml", config_dir / "config.toml")
    install_translations(config_dir / "translations")
    for name in ("chainlit.md", "chainlit_pt-BR.md"):
        (root / name).write_text(README, encoding="utf-8")
    offline_build(root)
    (root / "public").mkdir(exist_ok=True)
    for theme, colour in (("dark", "#e6edf3"), ("light", "#17212b")):
        (root / "public" / f"logo_{theme}.svg").write_text(LOGO.replace("{fg}", colour), encoding="utf-8")
    os.environ.setdefault("CHAINLIT_APP_ROOT", str(root))
    os.environ["CHAINLIT_AUTH_SECRET"] = chat_secret(root)
    return root


def mount_chat(app: FastAPI, services: Services, *, path: str, root: Path) -> None:
    """Mount the Chainlit app at `path` of `app`, over `services`."""
    prepare_root(root)
    app.state.chat_mounted = True  # chat sessions exist (api.web_auth reads their cookies)
    from chainlit.server import app as chainlit_app
    from chainlit.utils import mount_chainlit

    # Chainlit's app is one per process: a second stack in the same process (tests) mounts it again, so
    # drop the routing middleware of the previous mount and let the stack be rebuilt.
    chainlit_app.user_middleware = [
        m for m in chainlit_app.user_middleware if getattr(m.cls, "__name__", "") != "ChainlitMiddleware"
    ]
    chainlit_app.middleware_stack = None
    import chainlit.data

    chainlit.data._data_layer, chainlit.data._data_layer_initialized = None, False  # this stack's database

    from chat_ui import mounted

    mounted.set_services(services)
    mount_chainlit(app, target=str(PACKAGE_DIR / "app.py"), path=path)
    from chainlit.config import config

    config.project.user_session_timeout = round(services.web.session_hours * 3600)
