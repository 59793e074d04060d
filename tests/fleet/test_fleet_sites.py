"""Three locks and one central through the machine's Mosquitto: births, values, alarms, rebirth on a gap,
commands refused at the site, and the central copilot's fleet questions in pt and en.

Each site is one process-local lock: a twin stepped in wall time feeding the site's bus at 2 Hz (no S7
server: the collector is not what is tested here), the production rules runner and site publisher."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient
from psycopg.conninfo import make_conninfo

from agent.fleet_copilot import fleet_copilot
from agent.planner.phrases import number
from app.fleet import FleetCentral, central_services
from app.http import build_http_app
from fleet.central.store import FleetReader
from fleet.sparkplug import codec
from fleet.sparkplug.topics import MessageType, Topic
from lockpilot.clock import SystemClock
from lockpilot.roles import Role
from lockpilot.samples import Quality, Sample
from lockpilot.settings import Settings
from rules.bundle import PlantBundle
from storage.migrate import migrate
from tests.fleet.sites import Central, Site, mqtt_settings, raw_client, wait_for

BROKER_PORT = 1883  # the machine's Mosquitto; the group id is this module's own
SITES = ("eclusa-1", "eclusa-2", "eclusa-3")
CYCLE_KWH = {"eclusa-1": (12.0, 7.0), "eclusa-2": (15.0, 9.0), "eclusa-3": (10.0, 6.0)}  # filling, emptying


@dataclass
class Fleet:
    bundle: PlantBundle
    group: str
    central: Central
    sites: dict[str, Site]
    reader: FleetReader
    redis_url: str
    pg_url: str


@pytest.fixture(scope="module")
def module_redis(redis_base_url: str, worker_id: str) -> str:
    number_ = 9 + (int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0)
    url = (
        f"{redis_base_url}/{number_}"
        if redis_base_url.startswith("redis://")
        else f"{redis_base_url}?db={number_}"
    )
    redis.Redis.from_url(url).flushdb()
    return url


def _scripted_cycles(site: Site, node: str) -> None:
    """A filling and an emptying in the last minutes, sent before the twin starts (times stay in order).

    The counter also rises a little between cycles (idle load), as a real one does: the central only
    stores what changed beyond the deadband, so a cycle's first reading is its own, not a repeat."""
    fill, empty = CYCLE_KWH[node]
    t0 = datetime.now(UTC) - timedelta(seconds=150)
    at = [t0 + timedelta(seconds=s) for s in (0, 20, 60, 80, 120)]
    codes, counter = (0, 1, 0, 2, 0), (1000.0, 1000.5, 1000.5 + fill, 1001.0 + fill, 1001.0 + fill + empty)
    for t, code, kwh in zip(at, codes, counter, strict=True):
        site.bus.publish(
            [
                Sample("sequencia_ativa", t, code, Quality.GOOD, "clp_eclusa"),
                Sample("energia_ativa_total", t, kwh, Quality.GOOD, "clp_eclusa"),
                Sample("potencia_ativa_total", t, 50.0 if code else 1.0, Quality.GOOD, "clp_eclusa"),
            ]
        )


@pytest.fixture(scope="module")
def fleet(
    bundle: PlantBundle, pg_url: str, module_redis: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    migrate(pg_url)
    group = f"test-{uuid.uuid4().hex[:8]}"
    settings = mqtt_settings(BROKER_PORT, group=group, host_id=f"central-{group}")
    data = Path(tmp_path_factory.mktemp("fleet"))
    central = Central(
        settings, bundle.plant, pg_url=pg_url, redis_url=module_redis, data_dir=data / "central"
    )
    sites = {node: Site.make(bundle, settings, node, data / node) for node in SITES}
    for i, (node, site) in enumerate(sites.items()):
        _scripted_cycles(site, node)
        site.run_twin(bundle.plant, seed=i)
    reader = FleetReader(module_redis, group=group)
    try:
        assert wait_for(lambda: sum(s.online for s in reader.sites()) == len(SITES), timeout_s=20)
        yield Fleet(bundle, group, central, sites, reader, module_redis, pg_url)
    finally:
        for site in sites.values():
            site.stop()
        central.stop()
        reader.close()


def test_births_declare_every_tag_with_type_unit_and_range(fleet: Fleet) -> None:
    track = fleet.central.host.sites["eclusa-1"]
    assert set(track.devices) == {
        "clp",
        "barramento_medidores",
        "analisador_alimentador",
        "tomada_iluminacao",
    }
    clp = track.devices["clp"]
    plc_tags = {t.name for t in fleet.bundle.plant.tags.values() if t.source.device == "clp_eclusa"}
    assert set(clp.properties) == plc_tags
    level = {"engUnit": "m", "engLow": 0.0, "engHigh": 16.0, "deadband": 0.01}
    assert clp.properties["nivel_camara"] == {"Documentation": "Nível da câmara (transmissor A)", **level}
    types = {clp.names[a]: t for a, t in clp.types.items()}
    assert types["nivel_camara"].name == "DOUBLE" and types["bomba_principal_status"].name == "BOOLEAN"
    assert types["sequencia_ativa"].name == "INT16"
    meters = track.devices["barramento_medidores"]
    assert "medidor_bomba_potencia" in meters.properties
    node = track.node_birth
    assert node is not None and "alarmes/primeira_falha" in node.properties
    assert "alarmes/sobrepressao_sistema/estado" in node.properties
    assert node.properties["alarmes/sobrepressao_sistema/estado"]["priority"] == "high"


def test_values_at_the_central_equal_the_sites_own(fleet: Fleet) -> None:
    for site in fleet.sites.values():
        assert site.source is not None
        site.source.stop()  # hold still, then compare
    for site in fleet.sites.values():
        assert site.publisher.wait_idle(timeout_s=5)
    assert fleet.central.host.wait_idle(timeout_s=10)
    for node, site in fleet.sites.items():
        stored = fleet.reader.current(node)
        for tag, sample in site.publisher.reported.items():
            got = stored[tag]
            assert (
                got is not None
                and got.value == sample.value
                and got.time == sample.time.replace(microsecond=sample.time.microsecond // 1000 * 1000)
            ), (node, tag)
            latest = site.publisher.latest[tag].value
            if isinstance(latest, float):
                assert abs(latest - float(got.value)) <= (fleet.bundle.plant.tags[tag].deadband or 0.0) + 1e-9
    for i, site in enumerate(fleet.sites.values()):
        site.run_twin(fleet.bundle.plant, seed=10 + i)


def _standing(fleet: Fleet, node: str, alarm_id: str) -> bool:
    return any(d["alarm_id"] == alarm_id and d["active"] for d in fleet.reader.alarms(node))


def _raise_alarm(fleet: Fleet) -> float:
    """Stop eclusa-2's PLC (plc_em_run false): clp_fora_de_run; seconds from activation to the central."""
    site = fleet.sites["eclusa-2"]
    assert site.source is not None
    site.source.overrides["plc_em_run"] = False
    assert wait_for(
        lambda: any(e.alarm_id == "clp_fora_de_run" and e.kind.value == "activated" for _, e in site.events),
        timeout_s=10,
    )
    activated = next(
        t for t, e in site.events if e.alarm_id == "clp_fora_de_run" and e.kind.value == "activated"
    )
    assert wait_for(lambda: _standing(fleet, "eclusa-2", "clp_fora_de_run"), timeout_s=5, poll_s=0.01)
    return time.monotonic() - activated


def test_an_alarm_at_one_site_shows_at_the_central_within_2_s(fleet: Fleet) -> None:
    delay_s = _raise_alarm(fleet)
    assert delay_s < 2.0
    assert not _standing(fleet, "eclusa-1", "clp_fora_de_run")
    site = fleet.sites["eclusa-2"].publisher.alarm_points
    central = lambda: next(s for s in fleet.reader.sites() if s.site == "eclusa-2").first_out  # noqa: E731
    assert wait_for(lambda: central() == site.first_out, timeout_s=3)  # the first-out as the site has it


def test_a_sequence_gap_makes_the_central_ask_for_a_rebirth(fleet: Fleet) -> None:
    track = fleet.central.host.sites["eclusa-3"]
    births, asked = track.status.births, track.status.rebirths_requested
    expected = ((track.seq or 0) + 100) % 256  # far from anything the site sends next
    payload = codec.encode([], seq=expected, timestamp_ms=int(time.time() * 1000))
    client = raw_client(BROKER_PORT)
    try:
        client.publish(str(Topic(fleet.group, MessageType.NDATA, "eclusa-3")), payload).wait_for_publish(2)
        assert wait_for(lambda: track.status.rebirths_requested > asked, timeout_s=5)
        assert wait_for(lambda: track.status.births > births, timeout_s=5)
    finally:
        client.loop_stop()
        client.disconnect()
    assert track.status.seq_gaps >= 1
    assert fleet.sites["eclusa-3"].publisher.births_sent >= 2


def _other_redis_db(url: str, number: int) -> str:
    if "?db=" in url:
        return url.split("?db=")[0] + f"?db={number}"
    return url.rsplit("/", 1)[0] + f"/{number}"


def test_a_host_that_missed_the_births_asks_for_them(fleet: Fleet, tmp_path: Path) -> None:
    """A second host application (not the primary the sites wait for) joins late: data without a birth."""
    settings = mqtt_settings(BROKER_PORT, group=fleet.group, host_id=f"observer-{uuid.uuid4().hex[:6]}")
    with psycopg.connect(fleet.pg_url) as conn:
        observer_db = f"{conn.info.dbname}_observer"
    with psycopg.connect(fleet.pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{observer_db}"')
    observer_url = make_conninfo(fleet.pg_url, dbname=observer_db)
    try:
        migrate(observer_url)
        redis_url = _other_redis_db(fleet.redis_url, 15)
        observer = Central(
            settings, fleet.bundle.plant, pg_url=observer_url, redis_url=redis_url, data_dir=tmp_path
        )
        try:
            tracks = observer.host.sites
            born = lambda: all(n in tracks and tracks[n].devices.get("clp") for n in SITES)  # noqa: E731
            assert wait_for(born, timeout_s=15)
            assert all(tracks[n].status.rebirths_requested >= 1 for n in SITES)
        finally:
            observer.stop()
            redis.Redis.from_url(redis_url).flushdb()
    finally:
        with psycopg.connect(fleet.pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{observer_db}" WITH (FORCE)')


def test_commands_from_the_broker_are_refused_at_the_site(fleet: Fleet) -> None:
    publisher = fleet.sites["eclusa-1"].publisher
    before = publisher.commands_refused
    write = codec.encode(
        [codec.Point(codec.MetricDef("comando_abrir_valvula_alivio", None, codec.SpbType.BOOLEAN), 0, True)],
        seq=None,
        timestamp_ms=int(time.time() * 1000),
        birth=True,
    )
    client = raw_client(BROKER_PORT)
    try:
        for kind, device in ((MessageType.DCMD, "clp"), (MessageType.NCMD, None)):
            client.publish(str(Topic(fleet.group, kind, "eclusa-1", device)), write, qos=1).wait_for_publish(
                2
            )
        assert wait_for(lambda: publisher.commands_refused >= before + 2, timeout_s=5)
    finally:
        client.loop_stop()
        client.disconnect()
    assert not hasattr(fleet.central.host, "command")  # the central has no command path to build on


QUESTIONS = {
    "status": ("alguma eclusa sem comunicação?", "is any lock not communicating?"),
    "alarms": ("quais eclusas estão com alarme?", "which locks have an active alarm?"),
    "level": ("qual o nível da câmara na eclusa 3?", "what is the chamber level at lock 3?"),
    "energy": (
        "compare a energia por ciclo das eclusas hoje",
        "compare the energy per cycle of the locks today",
    ),
}


def test_the_central_copilot_answers_fleet_questions_in_pt_and_en(fleet: Fleet) -> None:
    if not _standing(fleet, "eclusa-2", "clp_fora_de_run"):
        _raise_alarm(fleet)
    with ExitStack() as closers:
        copilot = fleet_copilot(
            fleet.bundle, database_url=fleet.pg_url, redis_url=fleet.redis_url, group=fleet.group,
            clock=SystemClock(), closers=closers,
        )  # fmt: skip
        answers = {
            (key, lang): copilot.ask(q, user="central", role=Role.VIEWER, thread_id=f"{key}-{lang}")
            for key, pair in QUESTIONS.items()
            for lang, q in zip(("pt", "en"), pair, strict=True)
        }
    for (key, lang), result in answers.items():
        assert result.language.value == lang, (key, result.answer)
        assert [c["name"] for c in result.tool_calls] == [
            {"status": "fleet_status", "alarms": "fleet_alarms", "level": "fleet_read_tag",
             "energy": "fleet_energy_per_cycle"}[key]
        ], (key, lang)  # fmt: skip
    assert "Todas as 3 eclusas estão comunicando" in answers[("status", "pt")].answer
    assert "All 3 locks are online" in answers[("status", "en")].answer
    alarms_pt = answers[("alarms", "pt")].answer
    assert "- eclusa-2: CLP fora de RUN (clp_fora_de_run; critical" in alarms_pt
    assert "PLC not in RUN" in answers[("alarms", "en")].answer
    level = fleet.reader.current("eclusa-3", ["nivel_camara"])["nivel_camara"]
    assert level is not None
    assert answers[("level", "pt")].tool_calls[0]["args"] == {"site": "eclusa-3", "tags": ["nivel_camara"]}
    level_pt = answers[("level", "pt")].answer
    # under load the site may have lost its PLC link for a moment: then the reading is said to be suspect
    assert level_pt.startswith("eclusa-3: Nível da câmara") and number(level.value, "m") in level_pt, level_pt
    energy = answers[("energy", "pt")].answer
    for node, (fill, empty) in CYCLE_KWH.items():
        mean = number((fill + empty) / 2, "kWh")
        assert f"- {node}: 2 ciclo(s), média {mean}" in energy, energy
    assert "Menor consumo por ciclo: eclusa-3; maior: eclusa-2." in energy
    assert "Lowest energy per cycle: eclusa-3; highest: eclusa-2." in answers[("energy", "en")].answer


def test_the_fleet_page_shows_every_lock_with_its_alarms(fleet: Fleet, tmp_path: Path) -> None:
    if not _standing(fleet, "eclusa-2", "clp_fora_de_run"):
        _raise_alarm(fleet)
    central = FleetCentral(
        Settings(data_dir=tmp_path), fleet.bundle, database_url=fleet.pg_url, redis_url=fleet.redis_url,
        host=fleet.central.host,
    )  # fmt: skip
    with ExitStack() as closers:
        services = central_services(central, closers)
        assert services.tools.commands is None  # the central has no command path
        token = services.metering.create_token(username="centro", role=Role.VIEWER, actor="test")
        client = TestClient(build_http_app(services, chat=False))
        headers = {"Authorization": f"Bearer {token}"}
        data = client.get("/dashboard/fleet/data", headers=headers).json()
        page = client.get("/dashboard/fleet", headers=headers)
        assert client.get("/dashboard/fleet/data").status_code == 401
    by_site = {s["site"]: s for s in data["sites"]}
    assert set(by_site) == set(SITES) and all(s["online"] for s in by_site.values())
    assert by_site["eclusa-2"]["alarms_by_priority"].get("critical", 0) >= 1
    stored = {s.site: s.first_out for s in fleet.reader.sites()}  # the page shows what the central holds
    assert by_site["eclusa-2"]["first_out"] in (
        stored["eclusa-2"],
        fleet.sites["eclusa-2"].publisher.alarm_points.first_out,
    )
    assert by_site["eclusa-1"]["last_update"] is not None
    assert page.status_code == 200 and '<tr data-site="eclusa-2">' in page.text
    assert "crítica" in page.text and "3/3 online" in page.text


def test_a_site_that_stops_is_offline_at_the_central_and_in_the_answer(fleet: Fleet) -> None:
    fleet.sites["eclusa-1"].stop()  # a clean stop sends NDEATH
    assert wait_for(
        lambda: not next(s for s in fleet.reader.sites() if s.site == "eclusa-1").online, timeout_s=5
    )
    with ExitStack() as closers:
        copilot = fleet_copilot(
            fleet.bundle, database_url=fleet.pg_url, redis_url=fleet.redis_url, group=fleet.group,
            clock=SystemClock(), closers=closers,
        )  # fmt: skip
        answer = copilot.ask("alguma eclusa sem comunicação?", user="central", role=Role.VIEWER).answer
    assert answer.startswith("Sem comunicação:\n- eclusa-1 (desde ")
    assert "As outras 2 estão online." in answer
