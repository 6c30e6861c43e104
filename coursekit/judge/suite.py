"""Helpers of the hidden suite (autograder/tests): call a student function, validate and
compare its outputs with the reference, diagnose with the hint catalogue, gradient checks."""
from __future__ import annotations

import numpy as np

from .checks import CheckFailed, compare, rel_err, tolerance, unpack, valid_array
from .gradcheck import check_against_own_forward, forward_is_wrong
from .hints import diagnose, hint

LAYERS = "cs231n.rnn_layers"
HELPERS = "ck_judge_helpers"


def target(name: str, module: str = LAYERS) -> str:
    return f"{module}:{name}"


def call_fn(runner, name, *args, n_out: int, module: str = LAYERS):
    """Call a student function that returns a tuple of n_out values (n_out=1: a bare value)."""
    res = runner.call(target(name, module), *args, what=name)
    return (res,) if n_out == 1 else unpack(res, n_out, name)


def check_outputs(observed, expected, names, *, variants=None, what="", extra_tol_arrays=()):
    """Compare each observed output with the reference; on failure, name the known mistake
    whose judge-side variant matches that output (variants: {hint key: list of outputs})."""
    for k, (obs, exp, name) in enumerate(zip(observed, expected, names)):
        exp = np.asarray(exp)
        tol = tolerance(obs, exp, *extra_tol_arrays)
        try:
            compare(obs, exp, name, tol=tol)
        except CheckFailed as failure:
            found = ""
            if variants:
                per_output = {key: (v[k] if isinstance(v, (list, tuple)) else v)
                              for key, v in variants.items()}
                found = diagnose(obs, per_output, max(tol, 1e-6))
            if found:
                found = found.format(name=name)
            raise CheckFailed(f"{what}: {failure}" + (f" Hint: {found}" if found else "")) from None


def check_not_modified(runner, name, args, labels, expected, module: str = LAYERS, *, verify=None):
    """Run name(*args) through the in-sandbox helper that returns the inputs after the call;
    the first output must also match `expected` (an unimplemented stub does not pass), or,
    with `verify`, the whole result must pass verify(result) (raises CheckFailed)."""
    res = runner.call(f"{HELPERS}:call_keep_inputs", module, name, list(args), what=name)
    out, after = unpack(res, 2, name)
    if verify is not None:
        verify(out)
    else:
        first = out[0] if isinstance(out, (tuple, list)) and out else out
        check_outputs([first], [expected], ["output"], what=name)
    if not isinstance(after, (list, tuple)) or len(after) != len(args):
        raise CheckFailed(f"{name}: could not read the inputs back after the call.")
    for before, now, label in zip(args, after, labels):
        if isinstance(before, np.ndarray) and label:
            if not isinstance(now, np.ndarray) or now.shape != before.shape or not np.array_equal(now, before):
                raise CheckFailed(f"{name}: {hint('inplace', name=label)}")


def check_backward(judge, runner, forward, args, outputs, douts, grads, *, names, variants=None,
                   rng_key: str) -> None:
    """The rule of every backward with an own-forward fallback (see coursekit.judge.gradcheck):
    `grads` (the student's backward on the cache of the student's `forward`(*args), whose
    other outputs are `outputs`) must match the reference backward on the reference cache;
    failing that, and only when the student's forward is wrong, they must be the exact
    gradient of a student forward that really depends on every input.
    names: (forward output names, gradient names); douts: the upstream gradients."""
    out_names, grad_names = names
    backward = forward.replace("_forward", "_backward")
    ref = getattr(judge.L, forward)(*args)
    ref_outs, ref_cache = ref[:len(douts)], ref[len(douts)]
    expected = getattr(judge.L, backward)(*douts, ref_cache)
    grads = unpack(grads, len(grad_names), backward)
    try:
        check_outputs(grads, expected, grad_names, what=backward, variants=variants)
    except CheckFailed as failure:
        if not any(forward_is_wrong(o, e) for o, e in zip(outputs, ref_outs)):
            raise
        call = lambda *a: runner.call(target(forward), *a, what=forward)  # noqa: E731
        try:
            check_against_own_forward(call, args, range(len(args)), grads,
                                      dot_scalar(douts, len(douts) + 1, out_names), labels=grad_names,
                                      rng=judge.rng(f"{rng_key}:gradcheck"), what=backward,
                                      forward_name=forward, reference=expected)
        except CheckFailed as fallback:
            raise CheckFailed(f"{failure}\n{fallback}") from None
        judge.note(f"your backward matches a numeric gradient of your own {forward} "
                   f"(which is wrong; see {forward}).")


def dot_scalar(douts, n_out, names):
    """scalar(result) = sum_k <out_k, dout_k> over the first outputs of a forward call."""
    def scalar(result):
        outs = unpack(result, n_out, names[0]) if n_out > 1 else (result,)
        total = 0.0
        for out, dout, name in zip(outs, douts, names):
            total += float(np.sum(np.asarray(valid_array(out, name, dout.shape), dtype=np.float64) * dout))
        return total
    return scalar


__all__ = ["call_fn", "check_outputs", "check_not_modified", "check_backward", "dot_scalar",
           "rel_err", "CheckFailed", "compare", "valid_array", "unpack", "tolerance"]
