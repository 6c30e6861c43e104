"""The overfit check's training recipes: cheaper than the notebook's, on its 50 captions."""
from __future__ import annotations

from dataclasses import dataclass, field

SEED = 231          # np.random.seed(231) before load_coco_data(max_train=50), as in the notebook
MAX_TRAIN = 50


@dataclass(frozen=True)
class Recipe:
    cell: str
    hidden_dim: int
    wordvec_dim: int
    num_epochs: int
    batch_size: int
    learning_rate: float
    lr_decay: float
    threshold: float                 # the judge-recomputed final loss must be below it
    uses: frozenset = field(default=frozenset())   # graded items that use this training
    check_every: int = 5             # judge-side loss checks (early stop) every k iterations
    spot_window: int = 30            # gradient spot checks are drawn among iterations 1..k-1

    @property
    def iterations_per_epoch(self) -> int:
        return max(MAX_TRAIN // self.batch_size, 1)

    @property
    def iterations(self) -> int:
        return self.num_epochs * self.iterations_per_epoch

    @property
    def cost(self) -> int:
        """Multiply-adds of the recurrent matmuls of a whole training (forward and backward
        alike): a relative cost, so that early starts take the costliest training first."""
        gates = 4 if self.cell == "lstm" else 1
        return gates * self.hidden_dim * (self.hidden_dim + self.wordvec_dim) * self.batch_size * self.iterations

    def model_kwargs(self) -> dict:
        return {"hidden_dim": self.hidden_dim, "wordvec_dim": self.wordvec_dim}

    def describe(self) -> str:
        return (f"hidden_dim {self.hidden_dim}, wordvec_dim {self.wordvec_dim}, float32, adam lr "
                f"{self.learning_rate:g}, batch {self.batch_size}, at most {self.iterations} "
                f"iterations (stops once the loss is below {self.threshold:g}), lr_decay {self.lr_decay:g}")


# Both recipes are cheaper than the notebook's (hidden 512, wordvec 256, batch 25, 100
# iterations; the notebook's own check is tests/test_data_overfit.py) on the same 50 captions:
# full batch (50), float32, and the judge stops as soon as the loss it recomputes is below the
# threshold (checked every 5 iterations). The code under test is the same at any size; the
# dimensions (D 512, H, W, V 59) stay distinct, so a swapped dimension still fails.
# Calibration on the reference (judge-recomputed loss; an untrained model is ~35):
#   rnn  hidden 128, wordvec 64, Adam 2e-2: below 0.1 at iteration 36 of 60 (0.03 at 60);
#   lstm hidden 128, wordvec 64, Adam 2e-2: below 0.5 at iteration 32 of 40 (0.17 at 40).
# The RNN's former recipe (the notebook's) cost ~5x as much per iteration (26 ms vs 5 ms per
# loss call, hidden 512). On the corpus (coursekit selftest, every item) the overfit items
# fail for every bug they failed before, plus two RNN bugs whose wrong gradients the spot
# checks now see (they used to be drawn among iterations after the early stop).
RECIPES = {
    "rnn": Recipe("rnn", 128, 64, 60, 50, 2e-2, 0.99, 0.1, frozenset({"overfit"})),
    "lstm": Recipe("lstm", 128, 64, 40, 50, 2e-2, 0.99, 0.5, frozenset({"lstm_overfit"})),
}
