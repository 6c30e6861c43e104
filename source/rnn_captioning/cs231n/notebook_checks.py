"""Checks the notebooks run before comparing your results, so that a function you have not
written yet gives one clear message instead of an error from comparing None, and a check of the
whole model that fails because of one of your layers names that layer."""
import builtins
import os
import traceback

import numpy as np

STUDENT_FILES = {
    'CaptioningRNN': 'cs231n/classifiers/rnn.py',
}
DEFAULT_FILE = 'cs231n/rnn_layers.py'
HERE = os.path.abspath(__file__)


def _where(name):
    return STUDENT_FILES.get(name.split('.')[0], DEFAULT_FILE)


def _hidden(filename):
    """Frames a student need not read: this helper and IPython's own code."""
    path = os.path.abspath(filename)
    return path == HERE or os.sep + 'IPython' + os.sep in path


class NotImplementedError(builtins.NotImplementedError):
    """NotImplementedError whose notebook traceback ends in your cell, not in this helper."""

    def _render_traceback_(self):  # IPython shows these lines instead of its own traceback
        frames = [f for f in traceback.extract_tb(self.__traceback__) if not _hidden(f.filename)]
        lines = ['Traceback (most recent call last):']
        for frame in frames:
            lines.append('  %s, line %d, in %s' % (_place(frame.filename), frame.lineno, frame.name))
            if frame.line:
                lines.append('    ' + frame.line.strip())
        return lines + ['NotImplementedError: %s' % self]


def _place(filename):
    """'Cell In[2]' for a notebook cell, as IPython names it; 'File "path"' for a file."""
    try:
        from IPython import get_ipython
        named = get_ipython().compile.format_code_name(filename)
    except Exception:  # no IPython, or one that does not name cells
        named = None
    return '%s %s' % named if named else 'File "%s"' % filename


def not_implemented(name, detail='it returned None'):
    """The error a check raises for a function that is not written yet."""
    return NotImplementedError(
        '%s is not implemented yet (%s). Write it between the START OF YOUR CODE and END OF '
        'YOUR CODE lines of %s, then run this cell again.' % (name, detail, _where(name)))


def require_implemented(name, *values):
    """Raise a clear NotImplementedError when any of the values a function returned is None."""
    __tracebackhide__ = True  # pytest: show the caller, not this helper
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


def name_failing_blocks(message, cell_type='rnn', backward=True):
    """message, followed, when some of the layers this model check runs fail their own checks
    (the check cells above), by which ones and why: the bug lives there, not in the model.
    backward=False for a check of the loss value alone (it runs only the forward layers)."""
    from .block_checks import failing_blocks
    try:
        failing = failing_blocks(cell_type, backward)
    except Exception:  # the layers cannot even be imported: the message alone says enough
        return message
    if not failing:
        return message
    names = [name for name, _ in failing]
    shown = ' and '.join(', '.join(names).rsplit(', ', 1))
    lines = [message, '']
    lines += ['This check runs your %s, which fails its own check: %s.' % (name, problem)
              for name, problem in failing]
    lines.append('The bug lives in %s, not in the code this cell checks: fix %s first (its own '
                 'check cell above says more), then run this cell again. The grader charges this '
                 'bug at %s only, not again here.' % (shown, names[0], shown))
    return '\n'.join(lines)
