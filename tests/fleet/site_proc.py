"""A site publisher alone in a process, fed by a counter (for the test that kills a site hard).

python -m tests.fleet.site_proc PORT GROUP HOST_ID NODE DATA_DIR
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from fleet.site.publisher import SitePublisher
from lockpilot.plant import load_plant
from lockpilot.samples import Quality, Sample
from tests.conftest import REPO_ROOT
from tests.fleet.sites import mqtt_settings


def main() -> None:
    port, group, host_id, node, data_dir = sys.argv[1:6]
    settings = mqtt_settings(int(port), group=group, host_id=host_id, keepalive_s=2)
    publisher = SitePublisher(
        settings, load_plant("lock", root=REPO_ROOT / "plants"), data_dir=Path(data_dir), node_id=node
    )
    publisher.start()
    i = 0
    while True:
        i += 1
        publisher.publish([Sample("nivel_camara", datetime.now(UTC), i * 0.05, Quality.GOOD, "clp_eclusa")])
        time.sleep(0.1)


if __name__ == "__main__":
    main()
