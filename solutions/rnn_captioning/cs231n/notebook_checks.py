"""Checks the notebooks run before comparing your results, so that a function you have not
written yet gives one clear message instead of an error from comparing None."""
import numpy as np

STUDENT_FILES = {
    'CaptioningRNN': 'cs231n/classifiers/rnn.py',
}
DEFAULT_FILE = 'cs231n/rnn_layers.py'


def _where(name):
    return STUDENT_FILES.get(name.split('.')[0], DEFAULT_FILE)


def not_implemented(name, detail='it returned None'):
    """The error a check raises for a function that is not written yet."""
    return NotImplementedError(
        '%s is not implemented yet (%s). Write it between the START OF YOUR CODE and END OF '
        'YOUR CODE lines of %s, then run this cell again.' % (name, detail, _where(name)))


def require_implemented(name, *values):
    """Raise a clear NotImplementedError when any of the values a function returned is None."""
    __tracebackhide__ = True  # IPython and pytest: show the notebook cell, not this helper
    if any(value is None for value in values):
        raise not_implemented(name)


def require_loss(name, loss, grads):
    """The loss method of the untouched handout returns (0.0, {}): say so instead of comparing."""
    __tracebackhide__ = True
    if loss is None or (not grads and loss == 0):
        raise not_implemented(name, 'it returned loss %r and no gradients' % (loss,))


def require_sampled(name, captions, null):
    """The sample method of the untouched handout returns only <NULL> words: say so."""
    __tracebackhide__ = True
    if captions is None:
        raise not_implemented(name)
    if np.all(np.asarray(captions) == null):
        raise not_implemented(name, 'it returned only <NULL> words')
