"""The copilot of `lockpilot ask/chat/approve/reject`: the running stack's stores and PLC, the bundle."""

from __future__ import annotations

from typing import Any

from agent.assembly import CopilotHandle, build_copilot
from app.cli.bundle import load_cli_bundle
from lockpilot.settings import get_settings


def cli_copilot(*, offline: bool = False, **options: Any) -> CopilotHandle:
    """The copilot over the running stack's URLs (or settings) and PLC (endpoints.json, devices.yaml)."""
    from agent.models import load_model
    from api.users import UserDirectory
    from api.web_settings import WebSettings
    from commands.plantio import S7PlantIO
    from storage.audit_chain import AuditChain
    from storage.audit_head import PgAuditHead
    from storage.embedded import resolve_urls

    settings, bundle = get_settings(), load_cli_bundle()
    database_url, redis_url = resolve_urls(settings)
    head = PgAuditHead(database_url)
    handle = build_copilot(
        bundle,
        database_url=database_url,
        redis_url=redis_url,
        io=S7PlantIO.from_settings(bundle.plant, settings),
        model=None if offline else load_model(settings.model, timeout_s=settings.model_timeout_s),
        context_tokens=settings.model_context_tokens,
        audit=AuditChain(settings.data_dir / "audit.log", head=head),  # the stack's file, under its lock
        approvers=UserDirectory(database_url=database_url, users_file=WebSettings().users_file),
        four_eyes=settings.four_eyes,
        timezone=settings.timezone,
        **options,
    )
    handle.defer_close(head.close)
    return handle
