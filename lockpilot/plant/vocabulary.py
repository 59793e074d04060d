"""The site's own words (`vocabulary.yaml`): variant phrases people use, mapped to the plant data's words."""

from __future__ import annotations

from pathlib import Path

from lockpilot.errors import PlantDataError
from lockpilot.text import fold
from lockpilot.yamlio import LinedDict, LinedList, load_yaml

Vocabulary = dict[str, tuple[str, ...]]  # canonical word -> folded variant phrases


def load_vocabulary(path: Path) -> Vocabulary:
    """Canonical word -> variants; a variant listed under two words, or a non-text entry, names its line."""
    tree = load_yaml(path)
    terms = tree.get("terms") if isinstance(tree, LinedDict) else None
    if not isinstance(terms, LinedDict):
        raise PlantDataError("expected a mapping 'terms:'", file=path, line=getattr(tree, "line", 1))
    out: Vocabulary = {}
    owner: dict[str, str] = {}
    for canonical, variants in terms.items():
        line = terms.key_lines.get(canonical)
        if not isinstance(variants, LinedList) or not all(isinstance(v, str) and v for v in variants):
            raise PlantDataError(
                "expected a list of phrases", file=path, line=line, field=f"terms.{canonical}"
            )
        folded = tuple(dict.fromkeys(fold(v).strip() for v in variants))
        for variant in folded:
            if variant in owner and owner[variant] != canonical:
                raise PlantDataError(
                    f"'{variant}' is listed under '{owner[variant]}' and '{canonical}'",
                    file=path,
                    line=line,
                    field=f"terms.{canonical}",
                )
            owner[variant] = str(canonical)
        out[str(canonical)] = folded
    return out
