"""Hidden tests: word embedding forward/backward (repeated indices, int32, float32)."""
import numpy as np
import pytest

from coursekit.judge import hints as H
from coursekit.judge.suite import call_fn, check_inputs_untouched, check_outputs, note_if_upstream_modified


def embed_inputs(rng, case):
    N, T = (1, 1) if case == "N=1,T=1" else (int(rng.integers(2, 6)), int(rng.integers(2, 8)))
    V, D = int(rng.integers(4, 9)), int(rng.integers(2, 7))
    x = rng.integers(0, V, size=(N, T))
    if case == "repeats":
        x[:, :] = rng.integers(0, 2, size=(N, T))  # every word appears many times
    if case == "int32":
        x = x.astype(np.int32)
    W = rng.standard_normal((V, D)).astype(np.float32 if case == "float32" else np.float64)
    return x, W


@pytest.mark.item("word_embedding_forward")
@pytest.mark.parametrize("case", ["random", "N=1,T=1", "int32", "float32"])
def test_embedding_forward(judge, case):
    """out matches the reference"""
    x, W = embed_inputs(judge.rng(f"embed_fwd:{case}"), case)
    out, _ = call_fn(judge.plain, "word_embedding_forward", x, W, n_out=2)
    check_outputs([out], [W[x]], ["out"], what="word_embedding_forward")


@pytest.mark.item("word_embedding_forward")
def test_embedding_forward_inputs_untouched(judge):
    """word_embedding_forward does not modify its inputs"""
    x, W = embed_inputs(judge.rng("embed_fwd:inplace"), "random")
    check_inputs_untouched(judge.plain, "word_embedding_forward", [x, W], W[x])


@pytest.mark.item("word_embedding_backward")
@pytest.mark.parametrize("case", ["random", "repeats", "N=1,T=1", "float32"])
def test_embedding_backward(judge, case):
    """dW matches the reference (words repeated within and across captions)"""
    rng = judge.rng(f"embed_bwd:{case}")
    x, W = embed_inputs(rng, case)
    _, cache = call_fn(judge.plain, "word_embedding_forward", x, W, n_out=2)
    dout = rng.standard_normal(x.shape + (W.shape[1],)).astype(W.dtype)
    (dW,) = call_fn(judge.plain, "word_embedding_backward", dout, cache, n_out=1)
    _, ref_cache = judge.layers.word_embedding_forward(x, W)
    expected = judge.layers.word_embedding_backward(dout, ref_cache)
    check_outputs([dW], [expected], ["dW"], what="word_embedding_backward",
                  variants={"embed_repeats": [H.embedding_backward_variants(x, dout, W.shape[0])]})
    note_if_upstream_modified(judge, judge.plain, "word_embedding_backward", [dout], cache)
