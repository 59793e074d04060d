"""Knowledge search for an eval run: the plant's whole corpus indexed on a real PostgreSQL, vectors cached.

The embedder comes from `knowledge.embedder.get_embedder()` (whichever model it loads); its vectors are
cached in one file per model id, so runs with different models do not evict each other's vectors.
"""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.embedder import CachingEmbedder, get_embedder
from rules.bundle import PlantBundle
from tools.adapters import KnowledgeAdapter


def caching_embedder(cache_dir: Path | None) -> CachingEmbedder:
    """The process embedder behind a vector cache in `cache_dir` (none: in memory only)."""
    inner = get_embedder()
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", inner.model_id)
    return CachingEmbedder(inner, path=None if cache_dir is None else cache_dir / f"embeddings-{name}.npz")


def eval_knowledge(database_url: str, bundle: PlantBundle, *, cache_dir: Path | None) -> KnowledgeAdapter:
    """Index the plant's corpus (incrementally) and return the search the tools use."""
    from knowledge.service import index_plant

    index_plant(database_url, bundle=bundle, embedder=caching_embedder(cache_dir))
    return KnowledgeAdapter(database_url, bundle.plant)
