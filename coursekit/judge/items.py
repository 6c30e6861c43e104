"""The graded items (test ids of KIT["points"] / KIT["extra_credit"]) and how they score.

Scoring: an item is points x (fraction of its checks passed), except the items in
ALL_OR_NOTHING (training either overfits or it does not). An item without any result
scores 0.
"""
from __future__ import annotations

LAYERS = "cs231n/rnn_layers.py"
MODEL = "cs231n/classifiers/rnn.py"

# item -> (student function graded, file it lives in)
ITEMS = {
    "rnn_step_forward": ("rnn_step_forward", LAYERS),
    "rnn_step_backward": ("rnn_step_backward", LAYERS),
    "rnn_forward": ("rnn_forward", LAYERS),
    "rnn_backward": ("rnn_backward", LAYERS),
    "word_embedding_forward": ("word_embedding_forward", LAYERS),
    "word_embedding_backward": ("word_embedding_backward", LAYERS),
    "captioning_loss": ("CaptioningRNN.loss", MODEL),
    "captioning_gradients": ("CaptioningRNN.loss", MODEL),
    "overfit": ("CaptioningRNN.loss", MODEL),
    "sample": ("CaptioningRNN.sample", MODEL),
    "lstm_step_forward": ("lstm_step_forward", LAYERS),
    "lstm_step_backward": ("lstm_step_backward", LAYERS),
    "lstm_forward": ("lstm_forward", LAYERS),
    "lstm_backward": ("lstm_backward", LAYERS),
    "lstm_captioning_loss": ("CaptioningRNN.loss", MODEL),
    "lstm_overfit": ("CaptioningRNN.loss", MODEL),
    "lstm_sample": ("CaptioningRNN.sample", MODEL),
}

ALL_OR_NOTHING = {"overfit", "lstm_overfit"}

# Items that run the student's whole model (the trainings) -> the items of the functions they
# run. A training that fails is retried with the reference layers (culprits.py); when it still
# fails, its feedback names those of these functions whose own items fail too: fix them first.
PREREQUISITES = {
    "overfit": ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
                "word_embedding_forward", "word_embedding_backward", "captioning_loss",
                "captioning_gradients"),
    "lstm_overfit": ("lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
                     "word_embedding_forward", "word_embedding_backward", "lstm_captioning_loss"),
}


def item_function(item: str) -> str:
    return ITEMS.get(item, (item, ""))[0]


def item_file(item: str) -> str:
    return ITEMS.get(item, ("", ""))[1]


def fraction(item: str, passed: int, total: int) -> float:
    if total == 0:
        return 0.0
    if item in ALL_OR_NOTHING:
        return 1.0 if passed == total else 0.0
    return passed / total


def name_failing_prerequisites(outcomes) -> None:
    """Append to each failing item of PREREQUISITES the prerequisites that fail too."""
    failed = {o.item for o in outcomes if not o.passed}
    for o in outcomes:
        if o.passed or o.item not in PREREQUISITES or o.message.startswith("not graded"):
            continue
        culprits = [i for i in PREREQUISITES[o.item] if i in failed]
        if culprits:
            functions = list(dict.fromkeys(item_function(i) for i in culprits))
            one = len(functions) == 1
            o.message += (f"\n(This training runs your {', '.join(functions)}, whose own tests on "
                          f"this page fail too: fix {'it' if one else 'them'} first.)")
