"""The measurements of the optional section of RNN_Captioning.ipynb: a word-level and a
character-level CaptioningRNN, each trained with the CaptioningSolver for the same wall-clock
budget, then compared in one table."""
import time

import numpy as np

from .char_captions import chars_to_text, real_word_share, words_to_text
from .coco_utils import sample_coco_minibatch
from .notebook_checks import require_loss, require_sampled

FINAL_WINDOW = 10       # the training loss after the budget: the mean of the last iterations'


class TrainingRun(object):
    """What train_for_seconds measured: the loss and the duration of every iteration."""

    def __init__(self, budget_seconds):
        self.budget_seconds = budget_seconds
        self.losses, self.step_seconds = [], []

    @property
    def iterations(self):
        return len(self.losses)

    @property
    def time_per_iteration(self):
        return float(np.median(self.step_seconds))

    @property
    def final_loss(self):
        return float(np.mean(self.losses[-FINAL_WINDOW:]))

    @property
    def elapsed(self):
        """Seconds since the start of training at the end of every iteration."""
        return np.cumsum(self.step_seconds)


def check_loss(model, data):
    """A friendly error when model.loss is not written yet (the untouched handout's)."""
    __tracebackhide__ = True
    captions, features, _ = sample_coco_minibatch(data, batch_size=2)
    loss, grads = model.loss(features, captions)
    require_loss('CaptioningRNN.loss', loss, grads)


def train_for_seconds(solver, budget_seconds):
    """Run the solver's iterations (the same minibatch updates as solver.train(), learning rate
    decay at each epoch's end included) until budget_seconds of wall clock have passed."""
    __tracebackhide__ = True
    check_loss(solver.model, solver.data)
    run = TrainingRun(budget_seconds)
    per_epoch = max(solver.data['train_captions'].shape[0] // solver.batch_size, 1)
    deadline = time.perf_counter() + budget_seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        solver._step()      # the solver's own update; train() would run a fixed number of them
        run.step_seconds.append(time.perf_counter() - started)
        run.losses.append(float(solver.loss_history[-1]))
        if run.iterations % per_epoch == 0:
            solver.epoch += 1
            for config in solver.optim_configs.values():
                config['learning_rate'] *= solver.lr_decay
    return run


def parameter_counts(model):
    """Parameters of the embedding (W_embed), of the output projection (W_vocab, b_vocab) -- the
    two that grow with the vocabulary -- of everything else, and in all."""
    sizes = {name: value.size for name, value in model.params.items()}
    counts = {'embedding': sizes['W_embed'], 'output': sizes['W_vocab'] + sizes['b_vocab']}
    counts['other'] = sum(sizes.values()) - counts['embedding'] - counts['output']
    counts['total'] = sum(sizes.values())
    return counts


def evaluation_rows(data, num_captions, seed=0):
    """The same validation captions for both models (rows of val_captions)."""
    size = data['val_captions'].shape[0]
    return np.random.RandomState(seed).choice(size, min(num_captions, size), replace=False)


def _val_batch(data, rows):
    return data['val_captions'][rows], data['val_features'][data['val_image_idxs'][rows]]


def sample_texts(model, level, data, rows):
    """The model's greedy captions for the images of validation captions `rows`, as text."""
    __tracebackhide__ = True
    _, features = _val_batch(data, rows)
    max_length = data['val_captions'].shape[1] - 1
    captions = model.sample(features, max_length=max_length)
    require_sampled('CaptioningRNN.sample', captions, model._null)
    if level == 'char':
        return chars_to_text(captions, data['idx_to_word'])
    return words_to_text(captions, data['idx_to_word'])


def measure(model, level, run, data, idx_to_word, rows):
    """The row values of the comparison table for one model (data: that model's captions;
    idx_to_word: the word vocabulary, to tell real words). run is None when the training cell
    did not finish: then a friendly error says why."""
    __tracebackhide__ = True
    if run is None:
        check_loss(model, data)
        raise RuntimeError('the %s-level model has not been trained yet: run the training cell '
                           'above first' % level)
    if not run.iterations:
        raise RuntimeError('the %s-level model made no iteration in %g s: raise budget_seconds'
                           % (level, run.budget_seconds))
    captions, features = _val_batch(data, rows)
    val_loss = float(model.loss(features, captions)[0])
    tokens = float(np.mean(np.sum(captions[:, 1:] != model._null, axis=1)))
    samples = sample_texts(model, level, data, rows)
    return dict(parameter_counts(model), level=level, vocabulary=len(data['idx_to_word']),
                timesteps=data['train_captions'].shape[1] - 1, tokens=tokens,
                time_per_iteration=run.time_per_iteration, iterations=run.iterations,
                budget=run.budget_seconds, train_loss=run.final_loss, val_loss=val_loss,
                val_loss_per_token=val_loss / tokens, samples=samples,
                real_words=real_word_share(samples, idx_to_word))


TABLE_ROWS = [
    ('vocabulary size V', 'vocabulary', '{:,d}'),
    ('parameters: embedding W_embed', 'embedding', '{:,d}'),
    ('parameters: output W_vocab, b_vocab', 'output', '{:,d}'),
    ('parameters: all the others', 'other', '{:,d}'),
    ('parameters: total', 'total', '{:,d}'),
    ('sequence length T (timesteps)', 'timesteps', '{:d}'),
    ('tokens per caption (mean)', 'tokens', '{:.1f}'),
    ('time per iteration (ms)', 'time_per_iteration', lambda v: '{:.1f}'.format(1000 * v)),
    ('iterations in the budget', 'iterations', '{:,d}'),
    ('training loss per caption, end', 'train_loss', '{:.2f}'),
    ('validation loss per caption', 'val_loss', '{:.2f}'),
    ('validation loss per token', 'val_loss_per_token', '{:.3f}'),
    ('sampled words that are real words', 'real_words', lambda v: '{:.1%}'.format(v)),
]


def format_cell(value, fmt):
    return fmt(value) if callable(fmt) else fmt.format(value)


def comparison_table(results):
    """The table (a string) of measure()'s results, one column per model."""
    budget = results[0]['budget']
    lines = ['%-38s %12s %12s' % ('(budget: %g s of training each)' % budget,
                                  *('%s-level' % r['level'] for r in results))]
    for label, key, fmt in TABLE_ROWS:
        lines.append('%-38s %12s %12s' % (label, *(format_cell(r[key], fmt) for r in results)))
    return '\n'.join(lines)
