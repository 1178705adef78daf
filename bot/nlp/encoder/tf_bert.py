"""The same network as bert.Bert, run by TensorFlow (for processes that already hold it).

Rasa's own process imports TensorFlow anyway; there a tf.function over the same checked arrays
embeds a batch about three times faster than numpy (bench/encoder.py). Elsewhere, importing
TensorFlow only for this would cost far more memory than it saves time: numpy is the default.
"""
from __future__ import annotations

import numpy as np

from bot.nlp.encoder.bert import HEADS, HIDDEN, LAYER_NORM_EPS, Bert


class TfBert:
    """Forward pass with TensorFlow ops; same inputs and outputs as Bert.embed."""

    def __init__(self, bert: Bert) -> None:
        import tensorflow as tf  # only when this runtime is chosen

        head = HIDDEN // HEADS
        layers = [
            {name: tf.constant(getattr(layer, name)) for name in layer.__dataclass_fields__}
            for layer in bert.layers
        ]
        word, position, token_type = (tf.constant(a) for a in (bert.word, bert.position, bert.token_type))
        emb_g, emb_b = tf.constant(bert.emb_ln_g), tf.constant(bert.emb_ln_b)
        lowest = float(np.finfo(np.float32).min)
        scale = float(1.0 / np.sqrt(head))

        def layer_norm(x, gamma, beta):
            mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
            return (x - mean) / tf.sqrt(var + LAYER_NORM_EPS) * gamma + beta

        def dense(x, weight, bias):
            return tf.matmul(x, weight, transpose_b=True) + bias

        spec = tf.TensorSpec([None, None], tf.int64)

        @tf.function(input_signature=[spec, spec])
        def forward(ids, mask):
            batch, length = tf.shape(ids)[0], tf.shape(ids)[1]
            x = tf.gather(word, ids) + position[:length][None] + token_type[0]
            x = tf.reshape(layer_norm(x, emb_g, emb_b), [-1, HIDDEN])
            weights = tf.cast(mask, tf.float32)
            bias = (1.0 - weights[:, None, None, :]) * lowest
            for p in layers:
                qkv = tf.reshape(dense(x, p["qkv_w"], p["qkv_b"]), [batch, length, 3, HEADS, head])
                q, k, v = tf.unstack(tf.transpose(qkv, [2, 0, 3, 1, 4]))
                scores = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) * scale + bias, axis=-1)
                context = tf.reshape(tf.transpose(tf.matmul(scores, v), [0, 2, 1, 3]), [-1, HIDDEN])
                x = layer_norm(dense(context, p["out_w"], p["out_b"]) + x, p["ln1_g"], p["ln1_b"])
                up = tf.nn.gelu(dense(x, p["up_w"], p["up_b"]), approximate=False)
                x = layer_norm(dense(up, p["down_w"], p["down_b"]) + x, p["ln2_g"], p["ln2_b"])
            x = tf.reshape(x, [batch, length, HIDDEN])
            pooled = tf.reduce_sum(x * weights[:, :, None], 1) / tf.maximum(
                tf.reduce_sum(weights, 1, keepdims=True), 1e-9
            )
            return pooled / tf.maximum(tf.norm(pooled, axis=1, keepdims=True), 1e-12)

        self._tf = tf
        self._forward = forward

    def embed(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Sentence vectors (batch, 384), unit length, for padded ids and their 0/1 mask."""
        tf = self._tf
        vectors = self._forward(tf.constant(ids, tf.int64), tf.constant(mask, tf.int64))
        return vectors.numpy().astype(np.float32)
