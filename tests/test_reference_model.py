"""The reference CaptioningRNN, CaptioningSolver and optim against the original notebook."""
import numpy as np
import pytest

from coursekit.reference import submodule

NOTEBOOK_SEED = 231
LOSS_TOL = 1e-10                       # "difference on the order of e-10 or less"
MODEL_GRAD_ORDER = 1e-6                # "errors around the order of e-6 or less"
ORDER_OF_MAGNITUDE = 10                # see test_reference_layers.py
EXPECTED_LOSS = {"rnn": 9.83235591003, "lstm": 9.82445935443}
FEATURE_RANGE = {"rnn": (-1.5, 0.3), "lstm": (-0.5, 1.7)}
PARAM_NAMES = {"W_embed", "W_proj", "b_proj", "Wx", "Wh", "b", "W_vocab", "b_vocab"}
TOY_VOCAB = {"<NULL>": 0, "cat": 2, "dog": 3}


def rel_error(x, y):
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


@pytest.fixture(scope="module")
def rnn_mod(ref):
    return submodule(ref, "classifiers.rnn")



@pytest.fixture(scope="module")
def optim(ref):
    return submodule(ref, "optim")


@pytest.fixture(scope="module")
def solver_mod(ref):
    return submodule(ref, "captioning_solver")


# ----------------------------------------------------------------------------- model
@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_captioning_loss_matches_notebook(rnn_mod, cell_type):
    N, D, W, H = 10, 20, 30, 40
    T = 13
    model = rnn_mod.CaptioningRNN(TOY_VOCAB, input_dim=D, wordvec_dim=W, hidden_dim=H,
                                  cell_type=cell_type, dtype=np.float64)
    for k, v in model.params.items():
        model.params[k] = np.linspace(-1.4, 1.3, num=v.size).reshape(*v.shape)
    features = np.linspace(*FEATURE_RANGE[cell_type], num=N * D).reshape(N, D)
    captions = (np.arange(N * T) % len(TOY_VOCAB)).reshape(N, T)
    loss, grads = model.loss(features, captions)
    assert abs(loss - EXPECTED_LOSS[cell_type]) < LOSS_TOL
    assert set(grads) == set(model.params)


def norm_rel_error(x, y):
    return np.linalg.norm(x - y) / max(1e-12, np.linalg.norm(x) + np.linalg.norm(y))


# rnn: the notebook's check (elementwise rel_error, h=1e-6). lstm (not in the notebook): some
# gradient entries of this toy model are ~1e-7, where the elementwise error is pure roundoff, so
# the check uses the norm-relative error instead.
GRADIENT_CHECKS = {"rnn": (rel_error, ORDER_OF_MAGNITUDE * MODEL_GRAD_ORDER),
                   "lstm": (norm_rel_error, MODEL_GRAD_ORDER)}


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_captioning_gradients_match_numeric(rnn_mod, gc, cell_type):
    np.random.seed(NOTEBOOK_SEED)
    batch_size, timesteps, input_dim, wordvec_dim, hidden_dim = 2, 3, 4, 5, 6
    captions = np.random.randint(len(TOY_VOCAB), size=(batch_size, timesteps))
    features = np.random.randn(batch_size, input_dim)
    model = rnn_mod.CaptioningRNN(TOY_VOCAB, input_dim=input_dim, wordvec_dim=wordvec_dim,
                                  hidden_dim=hidden_dim, cell_type=cell_type, dtype=np.float64)
    _, grads = model.loss(features, captions)
    assert set(grads) == PARAM_NAMES
    error, limit = GRADIENT_CHECKS[cell_type]
    for name in sorted(grads):
        f = lambda _: model.loss(features, captions)[0]
        num = gc.eval_numerical_gradient(f, model.params[name], verbose=False, h=1e-6)
        assert grads[name].shape == model.params[name].shape, name
        assert error(num, grads[name]) < limit, name


@pytest.mark.parametrize("cell_type,mul", [("rnn", 1), ("lstm", 4)])
def test_init_shapes_dtype_and_random_order(rnn_mod, cell_type, mul):
    V, D, W, H = len(TOY_VOCAB), 7, 5, 3
    np.random.seed(0)
    model = rnn_mod.CaptioningRNN(TOY_VOCAB, input_dim=D, wordvec_dim=W, hidden_dim=H,
                                  cell_type=cell_type, dtype=np.float32)
    np.random.seed(0)
    expected = {
        "W_embed": np.random.randn(V, W) / 100,
        "W_proj": np.random.randn(D, H) / np.sqrt(D), "b_proj": np.zeros(H),
        "Wx": np.random.randn(W, mul * H) / np.sqrt(W),
        "Wh": np.random.randn(H, mul * H) / np.sqrt(H), "b": np.zeros(mul * H),
        "W_vocab": np.random.randn(H, V) / np.sqrt(H), "b_vocab": np.zeros(V),
    }
    assert set(model.params) == set(expected)
    for k, v in expected.items():
        assert model.params[k].dtype == np.float32, k
        np.testing.assert_allclose(model.params[k], v.astype(np.float32), rtol=1e-6, err_msg=k)


def test_special_tokens_and_bad_cell_type(rnn_mod):
    vocab = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3}
    model = rnn_mod.CaptioningRNN(vocab, input_dim=2, wordvec_dim=2, hidden_dim=2)
    assert (model._null, model._start, model._end) == (0, 1, 2)
    toy = rnn_mod.CaptioningRNN(TOY_VOCAB, input_dim=2, wordvec_dim=2, hidden_dim=2)
    assert toy._start is None and toy._end is None
    with pytest.raises(ValueError, match="cell_type"):
        rnn_mod.CaptioningRNN(vocab, cell_type="gru")


def test_loss_ignores_null_targets(rnn_mod):
    """Timesteps whose target is <NULL> do not count."""
    np.random.seed(NOTEBOOK_SEED)
    vocab = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "b": 4}
    model = rnn_mod.CaptioningRNN(vocab, input_dim=3, wordvec_dim=4, hidden_dim=5, dtype=np.float64)
    features = np.random.randn(2, 3)
    captions = np.array([[1, 3, 2, 0, 0], [1, 4, 3, 2, 0]])
    loss, _ = model.loss(features, captions)
    # One more step whose target is <NULL>: it must add nothing to the loss.
    captions_longer = np.array([[1, 3, 2, 0, 0, 0], [1, 4, 3, 2, 0, 0]])
    loss_longer, _ = model.loss(features, captions_longer)
    assert loss_longer == pytest.approx(loss, rel=1e-12)


def rigged_model(rnn_mod, cell_type, next_word):
    """A model whose greedy choice after word i is next_word[i], whatever the hidden state.

    The hidden state copies the one-hot embedding of the input word (identity weights,
    saturated tanh / gates), and W_vocab maps it to a one-hot of the chosen next word.
    """
    V = len(next_word)
    vocab = {"<NULL>": 0, "<START>": 1, "<END>": 2}
    vocab.update({"w%d" % i: i for i in range(3, V)})
    H = V
    model = rnn_mod.CaptioningRNN(vocab, input_dim=2, wordvec_dim=V, hidden_dim=H,
                                  cell_type=cell_type, dtype=np.float64)
    p = model.params
    p["W_embed"] = 10.0 * np.eye(V)
    p["W_proj"] = np.zeros_like(p["W_proj"])
    p["Wh"] = np.zeros_like(p["Wh"])
    if cell_type == "rnn":
        p["Wx"] = np.eye(V)
    else:  # i, f, o open/closed: i = o = 1, f = 0, g = tanh(10 * one-hot)
        p["Wx"] = np.hstack([np.zeros((V, V))] * 3 + [np.eye(V)])
        p["b"] = np.concatenate([np.full(H, 50.0), np.full(H, -50.0), np.full(H, 50.0), np.zeros(H)])
    p["W_vocab"] = np.eye(V)[next_word]  # row i -> one-hot(next_word[i])
    p["b_vocab"] = np.zeros(V)
    return model


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_sample_is_greedy_and_starts_after_start_token(rnn_mod, cell_type):
    # <START>(1) -> 4 -> 3 -> 5 -> <END>(2) -> 4 -> ...
    next_word = np.array([0, 4, 4, 5, 3, 2])
    model = rigged_model(rnn_mod, cell_type, next_word)
    captions = model.sample(np.zeros((3, 2)), max_length=7)
    assert captions.shape == (3, 7)
    assert np.issubdtype(captions.dtype, np.integer)
    np.testing.assert_array_equal(captions, np.tile([4, 3, 5, 2, 4, 3, 5], (3, 1)))


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_sample_uses_the_step_function(rnn_mod, monkeypatch, cell_type):
    calls = []
    name = cell_type + "_step_forward"
    real = getattr(rnn_mod, name)
    monkeypatch.setattr(rnn_mod, name, lambda *a: calls.append(1) or real(*a))
    model = rnn_mod.CaptioningRNN({"<NULL>": 0, "<START>": 1, "<END>": 2}, input_dim=2,
                                  wordvec_dim=3, hidden_dim=4, cell_type=cell_type)
    model.sample(np.zeros((2, 2)), max_length=5)
    assert len(calls) == 5


def test_sample_default_length(rnn_mod):
    vocab = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3}
    model = rnn_mod.CaptioningRNN(vocab, input_dim=4, wordvec_dim=3, hidden_dim=5)
    captions = model.sample(np.random.randn(2, 4).astype(np.float32))
    assert captions.shape == (2, 30)
    assert captions.min() >= 0 and captions.max() < len(vocab)


# ----------------------------------------------------------------------------- optim
def test_sgd_update_and_default_rate(optim):
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    next_w, config = optim.sgd(w, dw)
    np.testing.assert_allclose(next_w, [1.0 - 0.005, -2.0 - 0.0025])
    assert config["learning_rate"] == 1e-2
    next_w, _ = optim.sgd(w, dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(next_w, [0.95, -2.025])


def test_adam_two_steps_by_hand(optim):
    w, dw1, dw2 = np.array([1.0, -1.0]), np.array([0.1, -0.2]), np.array([0.3, 0.4])
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8
    w1, config = optim.adam(w, dw1)
    assert config["t"] == 1
    # Step 1: m = 0.1 dw, v = 0.001 dw^2; bias-corrected m_hat = dw, v_hat = dw^2.
    np.testing.assert_allclose(w1, w - lr * dw1 / (np.abs(dw1) + eps), rtol=1e-12)
    w2, config = optim.adam(w1, dw2, config)
    m = b1 * (1 - b1) * dw1 + (1 - b1) * dw2
    v = b2 * (1 - b2) * dw1 ** 2 + (1 - b2) * dw2 ** 2
    expected = w1 - lr * (m / (1 - b1 ** 2)) / (np.sqrt(v / (1 - b2 ** 2)) + eps)
    np.testing.assert_allclose(w2, expected, rtol=1e-12)
    assert config["t"] == 2
    assert (config["learning_rate"], config["beta1"], config["beta2"], config["epsilon"]) == (lr, b1, b2, eps)


# ----------------------------------------------------------------------------- solver
class RecordingModel:
    """A model with one parameter whose loss is its value; records each loss call."""

    def __init__(self):
        self.params = {"w": np.array([1.0])}
        self.batches = []

    def loss(self, features, captions):
        self.batches.append((features.shape, captions.shape))
        return float(self.params["w"][0]), {"w": np.array([1.0])}


def tiny_data(num_train=23, T=5, D=4, num_images=6):
    rng = np.random.RandomState(0)
    return {
        "train_captions": rng.randint(5, size=(num_train, T)),
        "train_image_idxs": rng.randint(num_images, size=num_train),
        "train_features": rng.randn(num_images, D),
        "train_urls": np.array(["u%d" % i for i in range(num_images)]),
    }


def test_solver_iterations_decay_and_history(solver_mod, capsys):
    model = RecordingModel()
    solver = solver_mod.CaptioningSolver(model, tiny_data(num_train=23), update_rule="sgd",
                                         optim_config={"learning_rate": 0.5}, lr_decay=0.5,
                                         batch_size=10, num_epochs=3, print_every=2)
    solver.train()
    iterations = 3 * (23 // 10)
    assert len(solver.loss_history) == iterations == len(model.batches)
    assert model.batches[0] == ((10, 4), (10, 5))
    # lr 0.5, 0.5, 0.25, 0.25, 0.125, 0.125 -> losses are the running values of w
    lrs = [0.5, 0.5, 0.25, 0.25, 0.125, 0.125]
    expected = 1.0 - np.concatenate([[0.0], np.cumsum(lrs)[:-1]])
    np.testing.assert_allclose(solver.loss_history, expected)
    assert solver.optim_configs["w"]["learning_rate"] == pytest.approx(0.5 * 0.5 ** 3)
    assert solver.epoch == 3
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["(Iteration %d / %d) loss: %f" % (t + 1, iterations, expected[t]) for t in (0, 2, 4)]


def test_solver_at_least_one_iteration_per_epoch(solver_mod, capsys):
    model = RecordingModel()
    solver = solver_mod.CaptioningSolver(model, tiny_data(num_train=3), batch_size=100,
                                         num_epochs=2, verbose=False)
    solver.train()
    assert len(solver.loss_history) == 2
    assert capsys.readouterr().out == ""


def test_solver_optim_configs_are_per_parameter_copies(solver_mod):
    model = RecordingModel()
    model.params["v"] = np.zeros(2)
    shared = {"learning_rate": 1e-3}
    solver = solver_mod.CaptioningSolver(model, tiny_data(), update_rule="adam", optim_config=shared)
    assert solver.optim_configs["w"] is not solver.optim_configs["v"]
    assert solver.optim_configs["w"] is not shared


def test_solver_rejects_unknown_kwargs_and_rules(solver_mod):
    with pytest.raises(ValueError, match="learning_rate"):
        solver_mod.CaptioningSolver(RecordingModel(), tiny_data(), learning_rate=1e-3)
    with pytest.raises(ValueError, match="update_rule"):
        solver_mod.CaptioningSolver(RecordingModel(), tiny_data(), update_rule="rmsprop_typo")
