"""Hidden tests: overfitting 50 captions with the provided solver, and sampling them back.

Training runs in the sandbox on arrays the judge sends; the verdict uses the loss of the
returned parameters recomputed judge-side by the reference model (the worker's loss history
is only returned for the plot)."""
import numpy as np
import pytest

from coursekit.judge.checks import CheckFailed
from coursekit.judge.captions import captions_agree, end_index, valid_captions
from coursekit.judge.overfit import SETTINGS, recipe, run_overfit
from coursekit.judge.suite import HELPERS

SAMPLE_AGREEMENT = 0.9   # share of training images whose sample equals the reference's


def check_overfit(judge, cell):
    res = run_overfit(judge, cell)
    threshold = SETTINGS[cell]["threshold"]
    if cell == "lstm":
        judge.note(f"grader's recipe (cheaper than the notebook's): {recipe(cell)}.")
    if not res["final"] < threshold:
        raise CheckFailed(f"after training, the loss on the 50 training captions is {res['final']:.3f} "
                          f"(recomputed by the grader); it should be below {threshold}.")


@pytest.mark.item("overfit")
def test_overfit(judge):
    """the RNN captioning model overfits 50 training captions (final loss < 0.1)"""
    check_overfit(judge, "rnn")


@pytest.mark.item("lstm_overfit")
def test_lstm_overfit(judge):
    """the LSTM captioning model overfits 50 training captions (final loss < 0.5)

    Same 50 captions as the notebook (np.random.seed(231) draw) and the provided solver, but a
    cheaper recipe than the notebook's (hidden 512, wordvec 256, 100 iterations): hidden 128,
    wordvec 64, float32, Adam lr 2e-2, full batch (50), 40 iterations, lr_decay 0.99
    (overfit.SETTINGS["lstm"]). The reference reaches ~0.17 with it."""
    check_overfit(judge, "lstm")


@pytest.mark.item("sample")
def test_sample_overfit_model(judge):
    """samples of the overfit model (your trained parameters) match the reference's samples

    Captions are compared up to and including the reference's first <END>; what follows it
    is ignored (coursekit.judge.captions)."""
    try:
        res = run_overfit(judge, "rnn")
    except CheckFailed:
        raise CheckFailed("not checked: training the model failed (see the overfit test).") from None
    arrays, ref = res["arrays"], res["ref_model"]
    first = np.unique(arrays["train_image_idxs"], return_index=True)[1]
    feats = arrays["train_features"][arrays["train_image_idxs"][first]]
    dims = {k: v for k, v in SETTINGS["rnn"]["model"].items()}
    model = judge.plain.call(f"{HELPERS}:make_model", res["word_to_idx"], feats.shape[1],
                             dims["wordvec_dim"], dims["hidden_dim"], "rnn", "float32",
                             {k: np.asarray(v, dtype=np.float32) for k, v in ref.params.items()},
                             what="CaptioningRNN.__init__")
    got = judge.plain.call(f"{HELPERS}:call_method", model, "sample", feats, what="CaptioningRNN.sample")
    expected = np.asarray(ref.sample(feats))
    words = res["word_to_idx"]
    got = valid_captions(got, expected.shape, len(words))
    agree = float(np.mean(captions_agree(got, expected, end_index(words))))
    if agree < SAMPLE_AGREEMENT:
        hint = " Hint: every sampled word is <NULL>: not implemented yet." if np.all(got == words["<NULL>"]) else ""
        raise CheckFailed(f"only {agree:.0%} of the sampled captions equal the reference's for the same "
                          f"trained parameters, up to and including the first <END> (needed: "
                          f"{SAMPLE_AGREEMENT:.0%}).{hint}")
