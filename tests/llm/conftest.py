"""The real model for the `llm` tests: the fixture's llama-server on a free loopback port, once a session,
and copilots over a recorded incident (commands through a sandbox link that records writes, never sends)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.models import load_model
from agent.service import Copilot
from commands.desk import CommandDesk
from commands.store import CommandStore
from evals.incident import IncidentLibrary
from evals.store import IncidentStore, SandboxPlantIO
from rules.bundle import PlantBundle
from storage.migrate import migrate
from tests.llm.fixture import model_ok, model_path
from tests.llm.server import MODEL_NAME, llama_server, server_binary
from tests.planner_helpers import store_context

INCIDENT, AT_S = "cavitation_low_upstream", 216.0  # the pump tripped on cavitation: alarms to explain


@pytest.fixture(scope="session")
def llm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """LOCKPILOT_LLM_URL (a server already running, e.g. `python -m tests.llm.server`), else our own."""
    if os.environ.get("LOCKPILOT_LLM_URL"):
        yield os.environ["LOCKPILOT_LLM_URL"]
        return
    data_dir = Path(os.environ.get("LOCKPILOT_LLM_DATA", ".lockpilot"))
    if server_binary(data_dir) is None or not model_ok(model_path(data_dir)):
        pytest.skip("no llama-server or no model: run `make llm-fixture`")
    with llama_server(data_dir, log=tmp_path_factory.mktemp("llm") / "llama-server.log") as url:
        yield url


@dataclass
class ModelCopilot:
    copilot: Copilot
    io: SandboxPlantIO
    store: IncidentStore


@pytest.fixture(scope="module")
def command_store(pg_url: str) -> Iterator[CommandStore]:
    migrate(pg_url)
    store = CommandStore(pg_url)
    yield store
    store.close()


@pytest.fixture
def model_copilot(
    bundle: PlantBundle, llm_url: str, command_store: CommandStore
) -> Callable[[], ModelCopilot]:
    def build() -> ModelCopilot:
        store = IncidentStore(IncidentLibrary(bundle.plant.incidents_dir, bundle.plant).get(INCIDENT), bundle)
        store.advance_to(AT_S)
        io = SandboxPlantIO(store)
        desk = CommandDesk(bundle.plant, bundle.commands, command_store, io, store.clock)
        tools = store_context(bundle, store, commands=desk)
        model = load_model(f"{llm_url}#{MODEL_NAME}", timeout_s=600.0)
        return ModelCopilot(Copilot(tools=tools, checkpointer=InMemorySaver(), model=model), io, store)

    return build
