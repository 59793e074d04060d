"""Plant YAML: a key written twice in one mapping is an error naming the file, the key and both lines
(YAML keeps the last silently, and the first value would be lost without a word)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lockpilot.errors import PlantDataError
from lockpilot.yamlio import load_yaml


def test_a_key_written_twice_names_it_and_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "tags.yaml"
    path.write_text("tags:\n  - name: a\n    aliases: [x]\n    unit: m\n    aliases: [y]\n", encoding="utf-8")
    with pytest.raises(PlantDataError) as caught:
        load_yaml(path)
    text = str(caught.value)
    assert "tags.yaml" in text and "aliases" in text and "3" in text and "5" in text, text


def test_the_repo_plant_has_no_key_written_twice() -> None:
    for path in sorted((Path(__file__).resolve().parents[1] / "plants").rglob("*.yaml")):
        load_yaml(path)
