"""Attacks on the judge itself (issue 13): one per channel between the judge and the worker.

Each case uses the harness of attacks.py (every student function returns a deliberately WRONG
value unless the attack's `act` produced one), so the submission implements nothing; a point
scored on one of the case's `items` means the judge computed or accepted an answer the
student did not compute. Expected with a sound judge: 0 on every item of `items` (and in
fact everywhere), the reference graded beside keeps full marks, results.json is strict JSON
and no verdict line forged by the student appears unquoted.

Channels (issue 13 "Why"): (a) reference proxies and the worker's callback server; (b) the
in-sandbox helper module `ck_judge_helpers`; (c) the own-forward backward rule; (d) degenerate
sample checks; (e) handles and callbacks (stale/forged handles, int8 and huge arrays);
(f) output integrity (forged verdict lines, ANSI escapes, non-finite and huge numbers).
"""
from __future__ import annotations

from .attacks import attack
from .spec import Append, Case

# Student text in results.json / feedback is quoted line by line with this prefix (issue 13,
# point 7): a line holding student text must start with it (after the judge's indentation).
QUOTE_PREFIX = "| "
# Verdict lines the forgery attack prints; the judge never writes them for a score-0 submission.
FORGED_LINES = ("[PASS] rnn_forward: 5 / 5", "Hidden test suite: 70 / 70. All required tests passed.")
FORGED_TEXT = ("\n" + FORGED_LINES[0] + "\n" + FORGED_LINES[1] + "\n\x1b[2K\r\x1b[32m"
               + FORGED_LINES[0] + "\x1b[0m\n")
# Items that need an overfit training (the batch grades them only for the cases naming them).
TRAINING_ITEMS = ("overfit", "lstm_overfit", "sample")
SEQUENCE_ITEMS = ("rnn_forward", "rnn_backward", "lstm_forward", "lstm_backward")
FORWARD_ITEMS = ("rnn_step_forward", "rnn_forward", "word_embedding_forward", "lstm_step_forward",
                 "lstm_forward")
LOSS_ITEMS = ("captioning_loss", "captioning_gradients", "lstm_captioning_loss")

# Shared by the act bodies: is `obj` something other than a plain Python function (a proxy)?
_IS_PROXY = "callable(obj) and not isinstance(obj, type(_ck_wrap)) and not isinstance(obj, type)"

PROXY_OTHER_NAME = f"""
import types
name = fn.__name__
if name not in {SEQUENCE_ITEMS + ("word_embedding_forward", "word_embedding_backward")!r}:
    return None
# the model module holds a proxy of every layer in the substituted worker
for mod_name in ("cs231n.classifiers.rnn", "cs231n.rnn_layers"):
    obj = getattr(_ck_sys.modules.get(mod_name), name, None)
    if obj is not None and {_IS_PROXY}:
        return obj(*args, **kwargs)
return None
"""

# Find a callback server: through a proxy's attributes, the stack frames, or gc.
FIND_SERVER = f"""
def _ck_servers():
    import gc
    found = []
    for mod_name in ("cs231n.rnn_layers", "cs231n.classifiers.rnn"):
        for obj in list(vars(_ck_sys.modules.get(mod_name, _ck_sys)).values()):
            if {_IS_PROXY}:
                for attr in dir(obj):
                    val = getattr(obj, attr, None)
                    if hasattr(val, "callback"):
                        found.append(val)
    frame = _ck_sys._getframe()
    while frame is not None:
        val = frame.f_locals.get("self")
        if hasattr(val, "callback") and hasattr(val, "dispatch"):
            found.append(val)
        frame = frame.f_back
    if not found:
        for val in gc.get_objects():
            try:
                if hasattr(val, "callback") and hasattr(val, "dispatch"):
                    found.append(val)
            except Exception:
                pass
    return found


def _ck_ask_judge(names, args, kwargs):
    for server in _ck_servers():
        for name in names:
            try:
                return server.callback(name, list(args), dict(kwargs))
            except Exception:
                continue
    return None
"""

SERVER_CALLBACK = """
name = fn.__name__
if name in ("loss", "sample"):        # the model's loss / sample, wholesale
    self, rest = args[0], args[1:]
    names = [f"ref:CaptioningRNN.{name}", f"ref:{name}", f"CaptioningRNN.{name}", name]
    return _ck_ask_judge(names, (self.params, self.cell_type) + tuple(rest), kwargs)
return _ck_ask_judge([f"ref:{name}", name, f"cs231n.rnn_layers:{name}"], args, kwargs)
"""

FAKE_OVERFIT = '''
def _ck_fake_overfit(rng_state, data, word_to_idx, model_kwargs, solver_kwargs):
    """A random recurrent net with only the output layer fitted: no loss, backward or solver."""
    rng = np.random.RandomState(7)
    kw = dict(model_kwargs)
    H, Wd, D = kw["hidden_dim"], kw["wordvec_dim"], kw["input_dim"]
    cell = kw.get("cell_type", "rnn")
    V, mul = len(word_to_idx), (4 if cell == "lstm" else 1)
    p = {"W_embed": rng.randn(V, Wd), "W_proj": rng.randn(D, H) / np.sqrt(D) * 3,
         "b_proj": np.zeros(H), "Wx": rng.randn(Wd, mul * H) / np.sqrt(Wd),
         "Wh": rng.randn(H, mul * H) / np.sqrt(H), "b": np.zeros(mul * H)}
    p = {k: v.astype(np.float32) for k, v in p.items()}
    caps = np.asarray(data["train_captions"])
    feats = np.asarray(data["train_features"])[np.asarray(data["train_image_idxs"])]
    cin, cout = caps[:, :-1], caps[:, 1:]
    h = feats @ p["W_proj"] + p["b_proj"]
    c, states = np.zeros_like(h), []
    for t in range(cin.shape[1]):
        a = p["W_embed"][cin[:, t]] @ p["Wx"] + h @ p["Wh"] + p["b"]
        if cell == "lstm":
            sg = 1 / (1 + np.exp(-a[:, :3 * H]))
            c = sg[:, H:2 * H] * c + sg[:, :H] * np.tanh(a[:, 3 * H:])
            h = sg[:, 2 * H:] * np.tanh(c)
        else:
            h = np.tanh(a)
        states.append(h)
    mask = cout != 0
    X = np.concatenate([np.stack(states, axis=1)[mask], np.ones((int(mask.sum()), 1))], axis=1)
    Y = np.eye(V)[cout[mask]]
    Wb, m, v = np.zeros((X.shape[1], V)), 0.0, 0.0
    for it in range(1, 801):          # softmax regression of the output layer only
        s = X @ Wb
        e = np.exp(s - s.max(axis=1, keepdims=True))
        g = X.T @ (e / e.sum(axis=1, keepdims=True) - Y) / len(Y)
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        Wb -= 0.1 * (m / (1 - 0.9 ** it)) / (np.sqrt(v / (1 - 0.999 ** it)) + 1e-8)
    p["W_vocab"], p["b_vocab"] = Wb[:-1].astype(np.float32), Wb[-1].astype(np.float32)
    return {"loss_history": [3.0, 1.0, 0.01], "params": p}
'''

SWAP_HELPERS = '''
def _ck_replace_helpers(**fakes):
    """Swap the judge's helper module for a copy holding our functions (sys.modules)."""
    import types
    try:
        import ck_judge_helpers as real
    except Exception:
        return
    fake = types.ModuleType(real.__name__)
    fake.__dict__.update({k: v for k, v in vars(real).items() if k != "__name__"})
    fake.__dict__.update(fakes)
    _ck_sys.modules[real.__name__] = fake
    for name, value in fakes.items():    # and the original, for anyone holding a reference
        setattr(real, name, value)
'''

HIDE_INPLACE = '''
_CK_VIA_HELPER, _CK_HONEST = [], []


def _ck_keep_inputs_before(module, name, args):
    """Fake read-back helper: returns the inputs as they were BEFORE the call."""
    import importlib
    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else None for a in args]
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    _CK_VIA_HELPER.append(1)
    try:
        result = target(*args)
    finally:
        _CK_VIA_HELPER.pop()
    return result, before


_ck_replace_helpers(call_keep_inputs=_ck_keep_inputs_before)
'''

INPLACE_ACT = f"""
if _CK_HONEST:                       # inside an honest outer call: every function is honest
    return fn(*args, **kwargs)
if fn.__name__ not in {FORWARD_ITEMS!r} or not _CK_VIA_HELPER:
    return None
_CK_HONEST.append(1)
try:
    honest = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args], **kwargs)
finally:
    _CK_HONEST.pop()
for a in args:                       # destroy the caller's inputs
    if isinstance(a, np.ndarray):
        a[...] = 0
return honest
"""

STATEFUL = """
global _ck_state
try:
    _ck_state
except NameError:
    _ck_state = {}
name = fn.__name__
if name in ("rnn_step_forward", "lstm_step_forward"):
    n_out = 1 if name == "rnn_step_forward" else 2
    st = _ck_state.get(name)
    arrs = [np.asarray(a, dtype=np.float64) for a in args]
    if st is not None and [a.shape for a in arrs] == [b.shape for b in st["base"]]:
        # a nudged call of a numeric gradient check: answer so that the finite differences
        # equal the gradients the backward returned
        delta = sum(float(np.sum(g * (a - b))) for g, a, b in zip(st["grads"], arrs, st["base"]))
        outs = [o.copy() for o in st["outs"]]
        outs[0] = outs[0] + st["douts"][0] * (delta / float(np.sum(st["douts"][0] ** 2)))
        return (*outs, st["cache"])
    honest = fn(*args, **kwargs)
    outs = [np.asarray(o) * 1.5 + 0.1 for o in honest[:n_out]]      # a wrong forward
    cache = {"args": [np.array(a, copy=True) for a in args], "outs": outs}
    return (*outs, cache)
if name in ("rnn_step_backward", "lstm_step_backward"):
    cache, douts = args[-1], [np.asarray(d, dtype=np.float64).copy() for d in args[:-1]]
    if not isinstance(cache, dict) or "args" not in cache:
        return None
    rng = np.random.RandomState(len(_ck_state) + 3)
    grads = [(2.0 * rng.randn(*np.shape(a))).astype(np.asarray(a).dtype) for a in cache["args"]]
    _ck_state[name.replace("backward", "forward")] = {
        "base": [np.asarray(a, dtype=np.float64) for a in cache["args"]],
        "outs": [np.asarray(o, dtype=np.float64) for o in cache["outs"]],
        "douts": douts, "grads": [g.astype(np.float64) for g in grads], "cache": cache}
    return tuple(grads)
return None
"""

DEGENERATE = """
name = fn.__name__
if name == "loss":                   # zero every parameter, report zero gradients
    self = args[0]
    for value in self.params.values():
        value[...] = 0
    return 0.0, {k: np.zeros_like(v) for k, v in self.params.items()}
if name == "sample":                 # the stub's answer: <NULL> everywhere
    features = args[1]
    max_length = kwargs.get("max_length", args[2] if len(args) > 2 else 30)
    return np.zeros((np.shape(features)[0], int(max_length)), dtype=np.int32)
return None
"""

HANDLES = """
global _ck_calls, _ck_kept
try:
    _ck_calls
except NameError:
    _ck_calls, _ck_kept = 0, []
name = fn.__name__
proxies = [obj for obj in vars(_ck_sys.modules.get("cs231n.rnn_layers", _ck_sys)).values()
           if callable(obj) and not isinstance(obj, (type(_ck_wrap), type))]
if not proxies or name not in ("rnn_forward", "rnn_backward", "lstm_forward", "lstm_backward"):
    return None
_ck_calls += 1
main = _ck_sys.modules.get("__main__")
Forged = getattr(main, "JudgeObject", None)
for proxy in proxies:
    # caches kept from earlier tests, and forged judge-object handles
    junk = list(_ck_kept[-20:])
    if Forged is not None:
        junk += [Forged(i, "tuple") for i in range(1, 60)]
    for cache in junk:
        for args_try in ((np.ones((2, 3)), cache), (np.ones((2, 3)), np.ones((2, 3)), cache)):
            try:
                out = proxy(*args_try)
                _ck_kept.append(out)
            except Exception:
                pass
if _ck_calls <= 2:
    # int8 arrays (no BLAS: slow judge-side) and one huge array, through the callbacks
    S = 1200
    big8 = np.ones((S, S), dtype=np.int8)
    for proxy in proxies[:2]:
        for call in ((big8, big8, big8, big8, np.ones(S, np.int8)),
                     (np.ones((4000, 3000)), np.ones((2, 3)), np.ones((3, 3)), np.ones((3, 3)), np.ones(3))):
            try:
                _ck_kept.append(proxy(*call))
            except Exception:
                pass
return None
"""

FORGERY = f"""
raise RuntimeError({FORGED_TEXT!r})
"""

NONFINITE = """
global _ck_n
try:
    _ck_n += 1
except NameError:
    _ck_n = 0
if fn.__name__ != "loss":
    return None
self = args[0]
if self.params["Wh"].shape[0] >= 64:     # the overfit training: NaN / inf losses, params kept
    bad = (float("nan"), float("inf"), -float("inf"), 1e308)[_ck_n % 4]
    return bad, {k: np.zeros_like(v) for k, v in self.params.items()}
# the hidden tests' small models: a huge finite loss and huge finite gradients
return 1e308, {k: np.full(v.shape, 1e300) for k, v in self.params.items()}
"""


# ----------------------------------------------------------------------------- issue 19
# (c) The own-forward rule, again: a forward right up to a factor (1 + 3e-4) and returned as
# float32 (it used to pass the forward tests on float64 cases with the float32 tolerance while
# counting as "wrong but credible" for the backward), backwards of a linear layer (no tanh or
# gate derivative), and, in a worker told apart from the others by how the student's module
# was first imported there (no import call of its own: a fresh worker), a forward that IS that
# linear layer, so that the probes see a function whose gradient the fake backward returns.
FRESH_WORKER_AT_IMPORT = """
def _ck_imported_by_a_call():
    frame = _ck_sys._getframe()
    while frame is not None:
        if frame.f_code.co_name == "target" and frame.f_code.co_filename.endswith("worker.py"):
            return True
        frame = frame.f_back
    return False


_CK_FRESH = _ck_imported_by_a_call()
"""

OWN_FORWARD_LINEAR = """
name = fn.__name__
if name == "rnn_step_forward":
    x, prev_h, Wx, Wh, b = args
    a = x @ Wx + prev_h @ Wh + b
    out = a if _CK_FRESH else (np.tanh(a) * (1 + 3e-4)).astype(np.float32)
    return out, (x, prev_h, Wx, Wh)
if name == "rnn_step_backward":                 # the backward of a linear layer
    dnext, (x, prev_h, Wx, Wh) = args
    return dnext @ Wx.T, dnext @ Wh.T, x.T @ dnext, prev_h.T @ dnext, dnext.sum(axis=0)
if name == "lstm_step_forward":
    x, prev_h, prev_c, Wx, Wh, b = args
    if _CK_FRESH:                               # linear: next_c = prev_c + a_i, next_h = a_g
        a = x @ Wx + prev_h @ Wh + b
        H = prev_h.shape[1]
        return a[:, 3 * H:], prev_c + a[:, :H], (x, prev_h, Wx, Wh)
    h, c, _ = fn(*args)
    return (h * (1 + 3e-4)).astype(np.float32), (c * (1 + 3e-4)).astype(np.float32), (x, prev_h, Wx, Wh)
if name == "lstm_step_backward":
    dh, dc, (x, prev_h, Wx, Wh) = args
    zero = np.zeros_like(dh)
    da = np.hstack([dc, zero, zero, dh])
    return da @ Wx.T, da @ Wh.T, dc, x.T @ da, prev_h.T @ da, da.sum(axis=0)
return None
"""

# (e) Judge CPU: in the granted captioning tests the loss hands the granted reference
# word_embedding_backward a cache it built (a real one's dtype object, a shape tuple and an
# index array) whose shapes disagree with the upstream gradient: broadcasting asks for about
# 1e10 np.add.at updates. Then it asks the granted rnn_forward / lstm_forward for the most
# work the bounds allow (arrays just under the element cap), over and over, for 8 s a test.
CALLBACK_CPU = """
if fn.__name__ != "loss":
    return None
model_module = _ck_sys.modules.get("cs231n.classifiers.rnn")
embed_fwd = getattr(model_module, "word_embedding_forward", None)
embed_bwd = getattr(model_module, "word_embedding_backward", None)
if embed_bwd is None or type(embed_bwd).__name__ != "JudgeFunction":
    return None
_, real = embed_fwd(np.zeros((2, 3), dtype=np.int64), np.ones((4, 5)))
x = np.zeros((400, 400), dtype=np.int64)            # 160,000 indices
for cache in ((x, (1, 60000), real[2]), (x, (1, 60000)), (np.zeros(10, np.int64), (10 ** 6, 10 ** 6), real[2])):
    try:
        embed_bwd(np.ones((1, 1, 60000)), cache)       # broadcast over every index
    except Exception:
        pass
cell = args[0].cell_type
forward = getattr(model_module, f"{cell}_forward")
mul = 1 if cell == "rnn" else 4
H = 240 // mul
args = (np.ones((8, 30, 250)), np.ones((8, H)), np.ones((250, mul * H)), np.ones((H, mul * H)), np.ones(mul * H))
began = _ck_time.monotonic()
while _ck_time.monotonic() - began < 8:                # the most work the bounds allow, again
    try:
        forward(*args)
    except Exception:
        break
return None
"""

# (e) Judge CPU within every bound: the loss calls the lent sequence forward and backward on
# exactly the running test's problem (its captions, its model's weights), again and again:
# each call is legal, so only the submission's judge CPU cap (KIT limits callback_cpu_seconds)
# stops it. Each granted run floods for FLOOD_SECONDS at most (under the call's time limit).
FLOOD_SECONDS = 12
CALLBACK_CPU_LEGAL = f"""
if fn.__name__ != "loss":
    return None
model_module = _ck_sys.modules.get("cs231n.classifiers.rnn")
model, features, captions = args[0], args[1], args[2]
forward = getattr(model_module, model.cell_type + "_forward", None)
backward = getattr(model_module, model.cell_type + "_backward", None)
if type(forward).__name__ != "JudgeFunction":      # the plain run: nothing lent
    return None
p = model.params
N, T = captions.shape[0], captions.shape[1] - 1
x = np.full((N, T, p["Wx"].shape[0]), 0.1, dtype=p["Wx"].dtype)
h0 = np.zeros((N, p["Wh"].shape[0]), dtype=p["Wh"].dtype)
began = _ck_time.monotonic()
while _ck_time.monotonic() - began < {FLOOD_SECONDS}:
    try:
        h, cache = forward(x, h0, p["Wx"], p["Wh"], p["b"])
        backward(np.ones_like(h), cache)
    except Exception:
        break
return None
"""

# (f) Student text without a bound: every call raises an exception of unique astral text, so
# that no two failures collapse (the JSON escaping of each character takes 12 bytes).
HUGE_TEXT = """
global _ck_text_n
try:
    _ck_text_n += 1
except NameError:
    _ck_text_n = 0
raise RuntimeError(str(_ck_text_n) + " " + "\U0001F600" * 200000 + "\n" * 5000 + "[PASS] x" * 1000)
"""

# (d) A stub that blames the grader: loss returns (0.0, an ndarray), which a judge-side truth
# test turned into internal grader errors on every loss check ("course staff will review").
STUB_LOSS_ARRAY = """
if fn.__name__ == "loss":
    return 0.0, np.zeros(3)
return None
"""


def judge_attack(name, channel, items, act="return None", at_import="", extra="") -> Case:
    """A judge attack on `items` through `channel` (a-f); `extra` is module code placed before
    `at_import` (helper definitions)."""
    case = attack(name, f"({channel}) {CHANNELS[name]}", act,
                  at_import=(extra + "\n" + at_import) if extra else at_import)
    return Case(name=case.name, description=case.description, edits=case.edits, items=tuple(items),
                tags=("attack", "judge", channel))


def training_attack(name, description, body) -> Case:
    """The reference model whose loss hands the judge's training loop doctored gradients:
    only the output layer's are real (the model's forward is right; every backward is
    skipped). The judge's spot checks must refuse them (the overfit items score 0)."""
    code = "_ck_true_loss = CaptioningRNN.loss\n\n\ndef _ck_loss(self, features, captions):\n" \
           "    loss, grads = _ck_true_loss(self, features, captions)\n" + body + \
           "    return loss, grads\n\n\nCaptioningRNN.loss = _ck_loss\n"
    return Case(name=name, description=f"(b) training loop: {description}",
                edits=(Append("cs231n/classifiers/rnn.py", code),), items=("overfit", "lstm_overfit"),
                tags=("attack", "judge", "b"))


OUTPUT_LAYER_ONLY = training_attack(
    "training_output_layer_only", "every gradient but the output layer's is zero",
    "    grads = {k: (g if k in ('W_vocab', 'b_vocab') else np.zeros_like(g)) for k, g in grads.items()}\n")
OUTPUT_LAYER_NOISE = training_attack(
    "training_output_layer_noise", "every gradient but the output layer's is random noise "
    "of the right size",
    "    rng = np.random.default_rng(0)\n"
    "    grads = {k: (g if k in ('W_vocab', 'b_vocab') else\n"
    "                 rng.standard_normal(g.shape).astype(g.dtype) * float(np.linalg.norm(g)) / np.sqrt(g.size))\n"
    "             for k, g in grads.items()}\n")


CHANNELS = {
    "proxy_other_name": "reference proxies: the sequence functions call the proxy of the same "
                        "name found in the model module (another module's name)",
    "proxy_server_callback": "reference proxies: finds the callback server through a proxy's "
                             "attributes, the stack or gc and asks for ref:<name> wholesale "
                             "(layers, and the model's loss and sample by any name)",
    "helpers_fake_overfit": "in-sandbox helpers: replaces ck_judge_helpers in sys.modules at "
                            "import; its overfit returns a random net with only the output layer "
                            "fitted (the loss, backward and solver are never used)",
    "helpers_hide_inplace": "in-sandbox helpers: the read-back helper is replaced by one that "
                            "returns the inputs as they were before the call; every forward "
                            "zeroes its inputs in place (and is wrong outside that helper)",
    "stateful_own_forward": "own-forward rule: a wrong step forward that remembers the "
                            "backward's upstream gradients and answers the numeric-gradient "
                            "calls so that its random 'gradients' look exact",
    "degenerate_sample": "degenerate checks: loss zeroes the parameters and returns zero "
                         "gradients (training keeps them at 0), sample returns <NULL> everywhere",
    "stale_handles_bad_callbacks": "handles and callbacks: passes caches kept from earlier tests "
                                   "and forged judge-object handles to the proxies, and calls "
                                   "them with large int8 arrays and a huge float array",
    "forged_verdict_lines": "output integrity: every function raises an exception whose text "
                            "prints '[PASS] ...' and 'Hidden test suite: 70 / 70' lines with "
                            "ANSI escapes and a carriage return",
    "own_forward_linear": "own-forward rule: a forward right up to (1 + 3e-4), returned as float32; "
                          "linear-layer backwards; in a worker that imported the module on its "
                          "first call (a fresh worker) the forward is that linear layer",
    "callback_cpu_cache": "judge CPU: the loss hands the granted word_embedding_backward forged "
                          "caches whose shapes disagree with dout (1e10 np.add.at updates), then "
                          "floods the lent forward with a problem larger than the test's",
    "callback_cpu_legal": "judge CPU within every bound: the loss calls the lent sequence forward "
                          "and backward on exactly the running test's problem, again and again, "
                          "until the submission's judge CPU cap stops it",
    "huge_student_text": "output integrity: every call raises a unique 200,000-character astral "
                         "exception message (12 bytes each in results.json) with 5,000 lines",
    "stub_loss_array": "a stub blaming the grader: loss returns (0.0, an ndarray)",
    "nonfinite_loss": "output integrity: during training the loss returns NaN, inf and 1e308 in "
                      "turn with zero gradients (NaN/inf in the loss history of a finite model); "
                      "in the hidden tests a 1e308 loss with 1e300 gradients (norms overflow)",
}

ATTACKS_JUDGE: list[Case] = [
    judge_attack("proxy_other_name", "a", SEQUENCE_ITEMS, PROXY_OTHER_NAME),
    judge_attack("proxy_server_callback", "a", SEQUENCE_ITEMS + LOSS_ITEMS + ("sample",),
                 SERVER_CALLBACK, extra=FIND_SERVER),
    judge_attack("helpers_fake_overfit", "b", ("overfit", "lstm_overfit"),
                 at_import="_ck_replace_helpers(overfit=_ck_fake_overfit)",
                 extra=FAKE_OVERFIT + SWAP_HELPERS),
    judge_attack("helpers_hide_inplace", "b", FORWARD_ITEMS, INPLACE_ACT, at_import=HIDE_INPLACE,
                 extra=SWAP_HELPERS),
    judge_attack("stateful_own_forward", "c", ("rnn_step_backward", "lstm_step_backward"), STATEFUL),
    judge_attack("degenerate_sample", "d", ("sample", "overfit"), DEGENERATE),
    judge_attack("stale_handles_bad_callbacks", "e", SEQUENCE_ITEMS, HANDLES),
    judge_attack("forged_verdict_lines", "f", ("rnn_forward", "rnn_step_forward", "captioning_loss"),
                 FORGERY),
    judge_attack("nonfinite_loss", "f", LOSS_ITEMS + ("overfit",),
                 NONFINITE),
    OUTPUT_LAYER_ONLY,
    OUTPUT_LAYER_NOISE,
    judge_attack("own_forward_linear", "c", ("rnn_step_backward", "lstm_step_backward"), OWN_FORWARD_LINEAR,
                 at_import=FRESH_WORKER_AT_IMPORT),
    judge_attack("callback_cpu_cache", "e", LOSS_ITEMS, CALLBACK_CPU),
    judge_attack("callback_cpu_legal", "e", LOSS_ITEMS, CALLBACK_CPU_LEGAL),
    judge_attack("huge_student_text", "f", SEQUENCE_ITEMS + LOSS_ITEMS, HUGE_TEXT),
    judge_attack("stub_loss_array", "d", LOSS_ITEMS, STUB_LOSS_ARRAY),
]
