"""Values reach student code as the notebook passes them (issue 18, point 7).

One submission, the reference with every student function recording how it is called
(tests/corpus/variants.py RECORDING: positional count, keyword names, and the kind of each
value: dtype and ndim of arrays, numpy scalar or Python number, str and whether it is
interned, dicts by their keys' and values' kinds), runs twice:

- through the notebooks (every check and grade cell of source/'s notebooks but the Colab cell
  and the optional character-level section), which call the student functions through the
  handout's code (the solver, the gradient checks, the model);
- through the grader (judge_submission, every item; each worker's record is read just
  before the worker is closed).

For every graded function (the layers and CaptioningRNN's __init__, loss and sample; the
provided functions are compared by behaviour on what older handouts pass too, see
coursekit/judge/provided.py), each call style the grader uses (positional count and keyword
names) must be one the notebook uses, and each value the grader passes in an argument must be
of a kind the notebook passes there (float32 or float64 alike, as the notebook passes both to
most functions), except for the differences listed in DELIBERATE, each with its reason.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H = CORPUS.harness
GRADED = ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward", "word_embedding_forward",
          "word_embedding_backward", "lstm_step_forward", "lstm_step_backward", "lstm_forward",
          "lstm_backward", "CaptioningRNN.__init__", "CaptioningRNN.loss", "CaptioningRNN.sample")
RECORDED = "__import__('cs231n.rnn_layers', fromlist=['_ck_recorded'])._ck_recorded()"
# (function, argument position or keyword) -> why the grader passes a kind the notebook does not
DELIBERATE: dict[tuple, str] = {}

pytestmark = pytest.mark.slow


def by_argument(calls) -> dict:
    """function -> {"styles": {(positional count, keywords)}, argument -> {kinds}}"""
    out: dict = defaultdict(lambda: defaultdict(set))
    for (name, npos), keywords, kinds, kw_kinds in calls:
        out[name]["styles"].add((npos, tuple(keywords)))
        for k, kind in enumerate(kinds):
            out[name][k].add(kind)
        for key, kind in zip(keywords, kw_kinds):
            out[name][key].add(kind)
    return out


def grader_calls(course, sub) -> list:
    """Every call the grader's workers recorded (read from each worker before it closes)."""
    from coursekit.judge import judge_submission
    from coursekit.judge import session as S
    seen: set = set()
    close = S.Runner._drop

    def reading_first(self):
        if self._worker is not None:
            try:
                seen.update(json.dumps(c) for c in self._worker.call("cs231n.rnn_layers:_ck_recorded"))
            except Exception:   # noqa: BLE001 -- a dead worker recorded nothing more
                pass
        close(self)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(S.Runner, "_drop", reading_first)
        result = judge_submission(sub, config=course, early_trainings=0)
    assert result.error is None and not result.extra_data.get("internal_errors")
    assert all(t.score == (t.extra_max or t.max_score) for t in result.tests), \
        {t.name: t.output[:300] for t in result.tests if t.score < (t.extra_max or t.max_score)}
    return [json.loads(c) for c in seen]


@pytest.fixture(scope="module")
def recorded(course, tmp_path_factory):
    work = tmp_path_factory.mktemp("call-values")
    sub = CORPUS.spec.materialize(CORPUS.variants.RECORDING, course.assignment_dir("source"), work / "sub")
    notebook = H.run_notebooks(course, sub, work, epilogue=RECORDED)
    failed = {i: e for i, e in notebook["cells"].items() if e is not None}
    assert not failed, f"the recording submission fails notebook cells: {failed}"
    return by_argument(notebook["epilogue"]), by_argument(grader_calls(course, sub))


@pytest.mark.parametrize("function", GRADED)
def test_the_grader_calls_each_function_as_the_notebook_does(function, recorded):
    notebook, grader = recorded
    assert grader.get(function), f"the grader never called {function}"
    assert notebook.get(function), f"the notebook never called {function}"
    styles = grader[function]["styles"] - notebook[function]["styles"]
    assert not styles, (f"{function}: the grader calls it with (positional count, keywords) {sorted(styles)}; "
                        f"the notebook only with {sorted(notebook[function]['styles'])}")
    unlike = {arg: sorted(kinds - notebook[function].get(arg, set()))
              for arg, kinds in grader[function].items() if arg != "styles"}
    unlike = {arg: kinds for arg, kinds in unlike.items() if kinds and (function, arg) not in DELIBERATE}
    assert not unlike, (f"{function}: the grader passes kinds the notebook never does: {unlike} "
                        f"(the notebook: { {a: sorted(k) for a, k in notebook[function].items() if a != 'styles'} })")
