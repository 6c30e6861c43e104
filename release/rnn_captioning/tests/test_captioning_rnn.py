"""Self-check of CaptioningRNN (cs231n/classifiers/rnn.py), as in the two notebooks: the loss
values and gradient check, and greedy sampling (rnn; lstm is extra credit)."""
import numpy as np
import pytest

from cs231n.classifiers.rnn import CaptioningRNN
from cs231n.gradient_check import eval_numerical_gradient
from selfcheck_tools import call, fail, lstm_started, not_started, rel_error

WORD_TO_IDX = {"<NULL>": 0, "cat": 2, "dog": 3}


def _fixed_model(cell_type):
    N, D, W, H, T = 10, 20, 30, 40, 13
    model = CaptioningRNN(WORD_TO_IDX, input_dim=D, wordvec_dim=W, hidden_dim=H,
                          cell_type=cell_type, dtype=np.float64)
    for k, v in model.params.items():
        model.params[k] = np.linspace(-1.4, 1.3, num=v.size).reshape(*v.shape)
    captions = (np.arange(N * T) % len(WORD_TO_IDX)).reshape(N, T)
    return model, captions


def _loss(name, model, features, captions, extra_credit=False):
    result = call(name, model.loss, features, captions)
    if result is None or result[0] is None:
        not_started(f"{name} returned None: it is not implemented yet", extra_credit)
    loss, grads = result
    if not grads and loss == 0:
        not_started(f"{name} returned loss 0 and no gradients: it is not implemented yet", extra_credit)
    if np.ndim(loss) != 0:
        fail(f"{name} must return a scalar loss, got shape {np.shape(loss)}")
    return loss, grads


def _check_loss_value(name, cell_type, features, expected, extra_credit=False):
    model, captions = _fixed_model(cell_type)
    loss, _ = _loss(name, model, features, captions, extra_credit)
    if not abs(loss - expected) < 1e-10:
        fail(f"{name}: loss {loss:.11f} differs from the expected {expected:.11f} "
             f"(difference {abs(loss - expected):.1e} > 1e-10)")


def _check_gradients(name, cell_type):
    np.random.seed(231)
    captions = np.random.randint(len(WORD_TO_IDX), size=(2, 3))
    features = np.random.randn(2, 4)
    model = CaptioningRNN(WORD_TO_IDX, input_dim=4, wordvec_dim=5, hidden_dim=6,
                          cell_type=cell_type, dtype=np.float64)
    _, grads = _loss(name, model, features, captions)
    missing = sorted(set(model.params) - set(grads))
    if missing:
        fail(f"{name}: no gradient for parameter(s) {', '.join(missing)}")
    for param in sorted(grads):
        numeric = eval_numerical_gradient(lambda _: model.loss(features, captions)[0],
                                          model.params[param], verbose=False, h=1e-6)
        err = rel_error(numeric, grads[param])
        if not err < 1e-5:
            fail(f"{name}: the gradient of {param} does not match the numeric gradient "
                 f"(relative error {err:.1e} > 1e-05)")


def test_captioning_rnn_loss():
    name = "CaptioningRNN.loss (rnn)"
    _check_loss_value(name, "rnn", np.linspace(-1.5, 0.3, num=200).reshape(10, 20), 9.83235591003)
    _check_gradients(name, "rnn")


@pytest.mark.extra_credit
def test_captioning_lstm_loss():
    name = "CaptioningRNN.loss (lstm)"
    if not lstm_started():
        not_started(f"{name} needs lstm_forward, which is not implemented yet", extra_credit=True)
    _check_loss_value(name, "lstm", np.linspace(-0.5, 1.7, num=200).reshape(10, 20), 9.82445935443,
                      extra_credit=True)


SAMPLE_WORDS = "<NULL> <START> <END> a cat dog sat on the mat red".split()
# Greedy captions of the model below (random parameters, seed 231), word indices per image.
EXPECTED_SAMPLES = {
    "rnn": [[6, 4, 9, 8, 6, 9, 3, 5], [8, 9, 8, 9, 8, 9, 8, 6],
            [5, 9, 8, 9, 8, 6, 8, 9], [7, 8, 10, 8, 5, 8, 6, 9]],
    "lstm": [[10, 5, 5, 5, 5, 5, 0, 3], [0, 10, 5, 5, 5, 5, 5, 0],
             [10, 5, 5, 5, 5, 5, 5, 0], [0, 0, 0, 9, 10, 5, 0, 3]],
}


def _until_end(row, end):
    """The words up to and including the first <END> (what comes after it does not matter)."""
    row = [int(w) for w in row]
    return row[:row.index(end) + 1] if end in row else row


def _check_sample(cell_type, extra_credit=False):
    name = f"CaptioningRNN.sample ({cell_type})"
    word_to_idx = {w: i for i, w in enumerate(SAMPLE_WORDS)}
    rng = np.random.RandomState(231)
    model = CaptioningRNN(word_to_idx, input_dim=6, wordvec_dim=5, hidden_dim=8,
                          cell_type=cell_type, dtype=np.float64)
    for k in sorted(model.params):
        model.params[k] = rng.randn(*model.params[k].shape)
    features = rng.randn(4, 6)
    captions = call(name, model.sample, features, max_length=8)
    if captions is None:
        not_started(f"{name} returned None: it is not implemented yet", extra_credit)
    captions = np.asarray(captions)
    if captions.shape != (4, 8):
        fail(f"{name}: returned shape {captions.shape}, expected (N, max_length) = (4, 8)")
    if np.all(captions == word_to_idx["<NULL>"]):
        not_started(f"{name} returned only <NULL> words: it is not implemented yet", extra_credit)
    if not np.issubdtype(captions.dtype, np.integer):
        fail(f"{name}: must return integer word indices, got dtype {captions.dtype}")
    end = word_to_idx["<END>"]
    for i, (got, want) in enumerate(zip(captions, EXPECTED_SAMPLES[cell_type])):
        if _until_end(got, end) != _until_end(want, end):
            fail(f"{name}: caption {i} is {[SAMPLE_WORDS[w] if 0 <= w < len(SAMPLE_WORDS) else w for w in got]}, "
                 f"expected {[SAMPLE_WORDS[w] for w in want]} (greedy: feed back the word with the "
                 "highest score; the first column is the first generated word, not <START>)")


def test_captioning_rnn_sample():
    _check_sample("rnn")


@pytest.mark.extra_credit
def test_captioning_lstm_sample():
    if not lstm_started():
        not_started("CaptioningRNN.sample (lstm) needs lstm_forward, which is not implemented yet",
                    extra_credit=True)
    _check_sample("lstm", extra_credit=True)
