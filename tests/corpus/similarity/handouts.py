"""Handout layouts of several years, made from the current handout (release/).

Real submissions carry their year's handout: other imports, other TODO banners, other provided
functions. The similarity command must ignore all of it, so the calibration set writes its
solutions into these layouts:

- "2021": the current handout, as it is.
- "2018": the 2017-2020 layout. rnn_layers.py has no affine layers (they come from
  cs231n/layers.py, which classifiers/rnn.py star-imports), `from builtins import range` at the
  top, the stub is a bare `pass` closed by an END OF YOUR CODE banner, and the provided sigmoid
  and softmax loss are written differently.
- "2016": the same layout in Python 2 (a `print` statement in the provided softmax loss, so the
  file does not parse as Python 3).
"""
from __future__ import annotations

import re
from pathlib import Path

LAYERS = "cs231n/rnn_layers.py"
MODEL = "cs231n/classifiers/rnn.py"
LAYOUTS = ("2021", "2018", "2016")

NEW_STUB = re.compile(r"^( *)# \*+START OF YOUR CODE.*\n\1pass\n\1# \*+END OF YOUR CODE.*\n", re.M)
OLD_END = ("{0}pass\n{0}" + "#" * 78 + "\n{0}#" + "END OF YOUR CODE".center(76) + "#\n{0}" + "#" * 78 + "\n")

OLD_LAYERS_HEAD = '''from __future__ import print_function, division
from builtins import range
import numpy as np


"""
This file defines layer types that are commonly used for recurrent neural
networks.
"""
'''
PY2_LAYERS_HEAD = '''import numpy as np


"""
This file defines layer types that are commonly used for recurrent neural
networks.
"""
'''
OLD_MODEL_HEAD = '''from builtins import range
from builtins import object
import numpy as np

from cs231n.layers import *
from cs231n.rnn_layers import *
'''
PY2_MODEL_HEAD = '''import numpy as np

from cs231n.layers import *
from cs231n.rnn_layers import *
'''

OLD_SIGMOID = '''def sigmoid(x):
    """
    Logistic function, computed without overflow for large |x|.
    """
    out = np.empty_like(x)
    big = x >= 0
    out[big] = 1.0 / (1.0 + np.exp(-x[big]))
    ex = np.exp(x[~big])
    out[~big] = ex / (1.0 + ex)
    return out
'''
OLD_SOFTMAX = '''def temporal_softmax_loss(x, y, mask, verbose=False):
    """
    Softmax loss summed over the timesteps of a minibatch of sequences and
    averaged over the minibatch; the mask says which (i, t) count.

    Inputs:
    - x: Input scores, of shape (N, T, V)
    - y: Ground-truth indices, of shape (N, T)
    - mask: Boolean array of shape (N, T)

    Returns a tuple of:
    - loss: Scalar giving loss
    - dx: Gradient of loss with respect to scores x.
    """
    N, T, V = x.shape
    flat_x = x.reshape(N * T, V)
    flat_y = y.reshape(N * T)
    flat_mask = mask.reshape(N * T)
    probs = np.exp(flat_x - np.max(flat_x, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(flat_mask * np.log(probs[np.arange(N * T), flat_y])) / N
    dx_flat = probs.copy()
    dx_flat[np.arange(N * T), flat_y] -= 1
    dx_flat /= N
    dx_flat *= flat_mask[:, None]
    if verbose: {print}
    dx = dx_flat.reshape(N, T, V)
    return loss, dx
'''


def _blocks(text: str) -> tuple[str, list[str]]:
    """(head, top-level blocks): each block starts at a column-0 `def` / `class` line."""
    starts = [m.start() for m in re.finditer(r"^(?:def|class) \w", text, re.M)]
    if not starts:
        return text, []
    bounds = starts + [len(text)]
    return text[:starts[0]], [text[a:b] for a, b in zip(bounds, bounds[1:])]


def _name(block: str) -> str:
    return re.match(r"(?:def|class) (\w+)", block).group(1)


def _old_stubs(text: str) -> str:
    return NEW_STUB.sub(lambda m: OLD_END.format(m.group(1)), text)


def _old_layers(text: str, py2: bool) -> str:
    _, blocks = _blocks(text)
    replaced = {"sigmoid": OLD_SIGMOID,
                "temporal_softmax_loss": OLD_SOFTMAX.format(
                    print="print 'dx_flat: ', dx_flat.shape" if py2 else "print('dx_flat: ', dx_flat.shape)")}
    kept = [replaced.get(_name(b), b).rstrip("\n") + "\n\n\n" for b in blocks
            if _name(b) not in ("affine_forward", "affine_backward")]
    head = PY2_LAYERS_HEAD if py2 else OLD_LAYERS_HEAD
    return _old_stubs(head + "\n\n" + "".join(kept).rstrip("\n") + "\n")


def _old_model(text: str, py2: bool) -> str:
    _, blocks = _blocks(text)
    head = PY2_MODEL_HEAD if py2 else OLD_MODEL_HEAD
    return _old_stubs(head + "\n\n" + "".join(blocks))


def handout(release_dir: Path, layout: str) -> dict[str, str]:
    """The two student files of the handout of `layout`, as {relative path: text}."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    files = {rel: (Path(release_dir) / rel).read_text(encoding="utf-8") for rel in (LAYERS, MODEL)}
    if layout == "2021":
        return files
    py2 = layout == "2016"
    return {LAYERS: _old_layers(files[LAYERS], py2), MODEL: _old_model(files[MODEL], py2)}
