"""Helpers of the hidden suite (autograder/tests): call a student function, validate and
compare its outputs with the reference, diagnose with the hint catalogue, gradient checks."""
from __future__ import annotations

import numpy as np

from .checks import CheckFailed, compare, rel_err, tolerance, unpack, valid_array
from .atpoint import credited_at_mistake, credited_on_restored_cache
from .gradcheck import check_against_own_forward, forward_is_credible, forward_is_wrong, probe_point
from .hints import diagnose, hint

from .grants import LAYERS
from .session import HELPERS


def target(name: str, module: str = LAYERS) -> str:
    return f"{module}:{name}"


def call_fn(runner, name, *args, n_out: int, module: str = LAYERS):
    """Call a student function that returns a tuple of n_out values (n_out=1: a bare value)."""
    res = runner.call(target(name, module), *args, what=name)
    return (res,) if n_out == 1 else unpack(res, n_out, name)


def check_outputs(observed, expected, names, *, variants=None, what=""):
    """Compare each observed output with the reference (the tolerance follows the case's
    dtype: checks.tolerance); on failure, name the known mistake whose judge-side variant
    matches that output (variants: {hint key: list of outputs})."""
    for k, (obs, exp, name) in enumerate(zip(observed, expected, names)):
        exp = np.asarray(exp)
        tol = tolerance(exp)
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


def check_inputs_untouched(runner, name, args, expected, module: str = LAYERS, *, n_out: int = 2) -> None:
    """The in-place policy for forwards: `name` runs with read-only array inputs (numpy refuses
    an in-place change), and its first output must still match `expected` (an unimplemented
    stub does not pass)."""
    try:
        out = runner.call(f"{HELPERS}:call_readonly", module, name, list(args), what=name)
    except CheckFailed as failure:
        if "read-only" in str(failure):
            raise CheckFailed(f"{name}: {hint('inplace', name='an input')}\n{failure}") from None
        raise
    out = unpack(out, n_out, name)
    check_outputs([out[0]], [expected], ["output"], what=name)


def note_if_upstream_modified(judge, runner, name, douts, cache, module: str = LAYERS) -> None:
    """Backwards may modify their upstream gradient (the in-place policy): a note, never a
    failure. The probe runs the backward with read-only upstream gradients (plain runs only)."""
    if runner.substituted:
        return
    try:
        runner.call(f"{HELPERS}:call_readonly", module, name, [*douts, cache], what=name)
    except CheckFailed as failure:
        if "read-only" in str(failure):
            judge.note(f"{name} modifies its upstream gradient in place. That costs no points, "
                       "but the caller's array changes; prefer d = d + ... over d += ....")


def check_backward(judge, runner, forward, args, outputs, douts, grads, *, names, variants=None,
                   forward_variants=None, rng_key: str) -> None:
    """The rule of every backward with an own-forward fallback (see coursekit.judge.gradcheck):
    `grads` (the student's backward on the cache of the student's `forward`(*args), whose
    other outputs are `outputs`) must match the reference backward on the reference cache;
    failing that, and only when the student's forward is wrong but credible (close to the
    reference or a known mistake, `forward_variants`: {hint key: first output}), they must be
    the exact gradient of that forward, probed in a fresh worker (gradcheck.py).
    names: (forward output names, gradient names); douts: the upstream gradients."""
    out_names, grad_names = names
    backward = forward.replace("_forward", "_backward")
    ref = getattr(judge.layers, forward)(*args)
    ref_outs, ref_cache = ref[:len(douts)], ref[len(douts)]
    expected = getattr(judge.layers, backward)(*douts, ref_cache)
    grads = unpack(grads, len(grad_names), backward)
    try:
        check_outputs(grads, expected, grad_names, what=backward, variants=variants)
    except CheckFailed as failure:
        if not any(forward_is_wrong(o, e) for o, e in zip(outputs, ref_outs)):
            if credited_on_restored_cache(judge, runner, forward, args, douts, expected, grad_names):
                return   # a correct backward of a forward that overwrites its inputs (atpoint.py)
            raise
        if credited_at_mistake(judge, forward, args, outputs, douts, grads, grad_names):
            return   # a correct backward of a forward with a known mistake (atpoint.py)
        if not forward_is_credible(outputs[0], ref_outs[0], forward_variants):
            raise CheckFailed(f"{failure}\n(Your {forward} is wrong too, and too far from the "
                              "reference to check this backward against it; fix it first.)") from None
        n_out = len(douts) + 1
        try:
            anchor = _anchor(judge, runner, forward, args, outputs, douts, out_names, forward_variants)
            with judge.fresh() as fresh:
                call = lambda *a: fresh.call(target(forward), *a, what=forward)  # noqa: E731
                check_against_own_forward(call, args, range(len(args)), grads,
                                          dot_scalar(douts, n_out, out_names), labels=grad_names,
                                          rng=judge.rng(f"{rng_key}:gradcheck"), what=backward,
                                          forward_name=forward, reference=expected, anchor=anchor,
                                          outputs_of=lambda r: list(unpack(r, n_out, forward)[:len(douts)]))
        except CheckFailed as fallback:
            raise CheckFailed(f"{failure}\n{fallback}") from None
        judge.note(f"your backward matches a numeric gradient of your own {forward} "
                   f"(which is wrong; see {forward}).")


def _anchor(judge, runner, forward, args, outputs, douts, names, forward_variants) -> list:
    """The earlier worker's forward outputs at the probes' base point (gradcheck.probe_point,
    the inputs in float64), validated: for a float64 case the outputs judged wrong but
    credible; for a float32 case that worker's answer for the float64 inputs, judged credible
    in turn. The probing worker must reproduce them bit for bit."""
    base = probe_point(args)
    if all(b is a for b, a in zip(base, args)):
        found = outputs
    else:
        found = unpack(runner.call(target(forward), *base, what=forward), len(douts) + 1, forward)
        ref = getattr(judge.layers, forward)(*base)
        if not forward_is_credible(found[0], ref[0], forward_variants):
            raise CheckFailed(f"your {forward} on the same inputs in float64 is too far from the "
                              "reference to check this backward against it.")
    return [valid_array(o, name, d.shape) for o, name, d in zip(found, names, douts)]


def dot_scalar(douts, n_out, names):
    """scalar(result) = sum_k <out_k, dout_k> over the first outputs of a forward call."""
    def scalar(result):
        outs = unpack(result, n_out, names[0]) if n_out > 1 else (result,)
        total = 0.0
        for out, dout, name in zip(outs, douts, names):
            total += float(np.sum(np.asarray(valid_array(out, name, dout.shape), dtype=np.float64) * dout))
        return total
    return scalar


__all__ = ["call_fn", "check_outputs", "check_inputs_untouched", "note_if_upstream_modified", "check_backward", "dot_scalar",
           "rel_err", "CheckFailed", "compare", "valid_array", "unpack", "tolerance"]
