"""The 6-layer BERT of all-MiniLM-L6-v2 in numpy, with mean pooling and L2 normalisation.

The same arithmetic as transformers' BertModel (eval mode: no dropout) followed by
sentence-transformers' Pooling(mean) and Normalize modules, in float32.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List

import numpy as np
from scipy.special import erf

HIDDEN = 384
HEADS = 12
LAYERS = 6
LAYER_NORM_EPS = 1e-12


@dataclass(frozen=True)
class _Layer:
    # torch.nn.Linear's (out, in) layout, used as x @ W.T: for a few rows, BLAS reads a
    # transposed operand faster than a pre-transposed copy (measured: about 1.7x per layer).
    qkv_w: np.ndarray  # (1152, 384): query, key and value projections stacked
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(var + LAYER_NORM_EPS) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's "gelu" is the exact erf form, not the tanh approximation.
    return 0.5 * x * (1.0 + erf(x * np.float32(1.0 / np.sqrt(2.0))))


class Bert:
    """Forward pass over checked weights; holds only arrays, no I/O."""

    def __init__(self, weights: Dict[str, np.ndarray]) -> None:
        def w(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        def linear(name: str) -> np.ndarray:
            return w(name + ".weight")

        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.token_type = w("embeddings.token_type_embeddings.weight")
        self.emb_ln_g = w("embeddings.LayerNorm.weight")
        self.emb_ln_b = w("embeddings.LayerNorm.bias")
        self.layers: List[_Layer] = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            att = p + "attention."
            self.layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(
                        np.concatenate(
                            [linear(att + f"self.{n}") for n in ("query", "key", "value")], axis=0
                        )
                    ),
                    qkv_b=np.concatenate([w(att + f"self.{n}.bias") for n in ("query", "key", "value")]),
                    out_w=linear(att + "output.dense"),
                    out_b=w(att + "output.dense.bias"),
                    ln1_g=w(att + "output.LayerNorm.weight"),
                    ln1_b=w(att + "output.LayerNorm.bias"),
                    up_w=linear(p + "intermediate.dense"),
                    up_b=w(p + "intermediate.dense.bias"),
                    down_w=linear(p + "output.dense"),
                    down_b=w(p + "output.dense.bias"),
                    ln2_g=w(p + "output.LayerNorm.weight"),
                    ln2_b=w(p + "output.LayerNorm.bias"),
                )
            )

    def embed(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Sentence vectors (batch, 384), unit length, for padded ids and their 0/1 mask."""
        batch, length = ids.shape
        # Token rows are kept as one 2-D (batch * length, 384) matrix for the dense layers.
        x = (self.word[ids] + self.position[:length][None, :, :] + self.token_type[0]).reshape(-1, HIDDEN)
        x = _layer_norm(x, self.emb_ln_g, self.emb_ln_b)
        # Padding gets the most negative float added before the softmax, as transformers does.
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * np.finfo(np.float32).min
        head = HIDDEN // HEADS
        scale = np.float32(1.0 / np.sqrt(head))
        for layer in self.layers:
            qkv = x @ layer.qkv_w.T + layer.qkv_b  # (b * t, 1152)
            qkv = qkv.reshape(batch, length, 3, HEADS, head).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # (b, h, t, d)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(-1, HIDDEN)
            x = _layer_norm(context @ layer.out_w.T + layer.out_b + x, layer.ln1_g, layer.ln1_b)
            up = _gelu(x @ layer.up_w.T + layer.up_b)
            x = _layer_norm(up @ layer.down_w.T + layer.down_b + x, layer.ln2_g, layer.ln2_b)
        x = x.reshape(batch, length, HIDDEN)
        weights = mask.astype(np.float32)[:, :, None]
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
