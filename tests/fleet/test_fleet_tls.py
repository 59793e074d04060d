"""The site publisher over TLS with a username and password, against a private Mosquitto that requires both
(a test CA and server certificate made with openssl; the password file with mosquitto_passwd)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from fleet.settings import MqttSettings
from fleet.site.publisher import SitePublisher
from lockpilot.plant import Plant
from tests.fleet.broker import PrivateBroker
from tests.fleet.sites import wait_for

pytestmark = pytest.mark.skipif(
    not (PrivateBroker.available() and shutil.which("openssl") and shutil.which("mosquitto_passwd")),
    reason="needs Debian's mosquitto and openssl (make fleet-deps)",
)
USER, PASSWORD = "eclusa-4", "k7-Vq2-not-a-placeholder"


def _run(*args: str, cwd: Path) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PrivateBroker, Path]]:
    d = Path(tmp_path_factory.mktemp("tls"))
    _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
         "-days", "1", "-subj", "/CN=lockpilot-test-ca", cwd=d)  # fmt: skip
    _run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
         "-subj", "/CN=127.0.0.1", cwd=d)  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "san.ext", cwd=d)  # fmt: skip
    _run("mosquitto_passwd", "-c", "-b", "passwd", USER, PASSWORD, cwd=d)
    conf = (
        (
            "user root\n" if os.geteuid() == 0 else ""
        )  # run as root, Mosquitto would drop to a user who cannot read
        + f"allow_anonymous false\npassword_file {d / 'passwd'}\n"
        f"cafile {d / 'ca.crt'}\ncertfile {d / 'server.crt'}\nkeyfile {d / 'server.key'}\n"
    )
    broker = PrivateBroker(d, listener_conf=conf).start()
    try:
        yield broker, d
    finally:
        broker.stop()


def _settings(broker: PrivateBroker, ca: Path, *, password: str) -> MqttSettings:
    return MqttSettings(
        mqtt_url=f"mqtts://127.0.0.1:{broker.port}",
        mqtt_username=USER,
        mqtt_password=password,  # type: ignore[arg-type]
        mqtt_ca_file=ca,
        sparkplug_group=f"tls-{uuid.uuid4().hex[:6]}",
        sparkplug_host_id="",  # no primary host: publish as soon as connected
        _env_file=None,  # type: ignore[call-arg]
    )


def test_the_site_connects_over_tls_with_its_credentials(
    tls_broker: tuple[PrivateBroker, Path], plant: Plant, tmp_path: Path
) -> None:
    broker, d = tls_broker
    publisher = SitePublisher(_settings(broker, d / "ca.crt", password=PASSWORD), plant, data_dir=tmp_path)
    publisher.start()
    try:
        assert wait_for(lambda: publisher.live and publisher.births_sent == 1, timeout_s=15)
    finally:
        publisher.stop()


def test_a_wrong_password_never_goes_live(
    tls_broker: tuple[PrivateBroker, Path], plant: Plant, tmp_path: Path
) -> None:
    broker, d = tls_broker
    publisher = SitePublisher(
        _settings(broker, d / "ca.crt", password="wrong-k7-Vq2"), plant, data_dir=tmp_path
    )
    publisher.start()
    try:
        assert not wait_for(lambda: publisher.live, timeout_s=3)
    finally:
        publisher.stop()
