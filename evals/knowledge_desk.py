"""Knowledge search for an eval run: the plant's whole corpus indexed on a real PostgreSQL, vectors cached.

The embedder comes from `knowledge.embedder.get_embedder()` (whichever model it loads); its vectors are
cached in a file named by a fingerprint of the model, so a cache never serves another model's vectors.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from knowledge.embedder import CachingEmbedder, TextEncoder, get_embedder
from rules.bundle import PlantBundle
from tools.adapters import KnowledgeAdapter

_PROBE = "nível da câmara / chamber level"


def model_fingerprint(encoder: TextEncoder) -> str:
    """A short id of the embedding model: a hash of its (rounded) vector for a fixed probe text."""
    vector = np.round(encoder.encode_one(_PROBE).astype(np.float64), 4)
    return hashlib.sha256(vector.tobytes()).hexdigest()[:12]


def caching_embedder(cache_dir: Path | None) -> CachingEmbedder:
    """The process embedder behind a vector cache in `cache_dir` (none: in memory only)."""
    inner = get_embedder()
    path = None if cache_dir is None else cache_dir / f"embeddings-{model_fingerprint(inner)}.npz"
    return CachingEmbedder(inner, path=path)


def eval_knowledge(database_url: str, bundle: PlantBundle, *, cache_dir: Path | None) -> KnowledgeAdapter:
    """Index the plant's corpus (incrementally) and return the search the tools use."""
    from knowledge.service import index_plant

    index_plant(database_url, bundle=bundle, embedder=caching_embedder(cache_dir))
    return KnowledgeAdapter(database_url, bundle.plant)
