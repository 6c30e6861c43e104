"""Self-check of the notebook's overfit experiment (RNN_Captioning.ipynb): a CaptioningRNN trained
on 50 captions for 100 iterations must reach a training loss below 0.1 (a few seconds).
Needs the data: in the assignment folder run `cd cs231n/datasets && bash get_datasets.sh`."""
import contextlib
import io

import numpy as np

from cs231n.captioning_solver import CaptioningSolver
from cs231n.classifiers.rnn import CaptioningRNN
from cs231n.coco_utils import load_coco_data
from selfcheck_tools import call, fail, not_started

FINAL_LOSS_LIMIT = 0.1
ITERATIONS = 100  # 50 epochs x (50 captions / batch of 25)


def _small_data():
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return load_coco_data(max_train=50)
    except (FileNotFoundError, ValueError) as exc:
        message = str(exc)
    fail(f"overfit check: cannot load the data: {message}")


def test_rnn_overfits_small_data():
    np.random.seed(231)  # the notebook's draw of the 50 captions and of the initial weights
    small_data = _small_data()
    model = CaptioningRNN(cell_type='rnn', word_to_idx=small_data['word_to_idx'],
                          input_dim=small_data['train_features'].shape[1],
                          hidden_dim=512, wordvec_dim=256)
    loss, grads = call("CaptioningRNN.loss (rnn)", model.loss, small_data['train_features'][:2],
                       small_data['train_captions'][:2])
    if not grads and loss == 0:
        not_started("overfit check: CaptioningRNN.loss returned loss 0 and no gradients: "
                    "it is not implemented yet")
    np.random.seed(231)
    small_data = _small_data()
    model = CaptioningRNN(cell_type='rnn', word_to_idx=small_data['word_to_idx'],
                          input_dim=small_data['train_features'].shape[1],
                          hidden_dim=512, wordvec_dim=256)
    solver = CaptioningSolver(model, small_data, update_rule='adam', num_epochs=50, batch_size=25,
                              optim_config={'learning_rate': 5e-3}, lr_decay=0.95, verbose=False)
    call("training the CaptioningRNN (overfit check)", solver.train)
    history = solver.loss_history
    if len(history) != ITERATIONS:
        fail(f"overfit check: the solver ran {len(history)} iterations, expected {ITERATIONS}")
    if not history[-1] < FINAL_LOSS_LIMIT:
        fail(f"overfit check: the final training loss is {float(history[-1]):.4f}, it must be below "
             f"{FINAL_LOSS_LIMIT} (check CaptioningRNN.loss and its gradients)")
