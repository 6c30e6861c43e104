"""Malformed submissions: builders that write one broken upload into a folder.

Each case says what the grader must do with it (the rest of its batch is graded normally):
- "error":     a clear error row (GradingResult.error set, score 0), reason mentioning `keyword`;
- "failures":  graded, the `items` fail with feedback mentioning `keyword`, every other item full;
- "no_credit": an error row, or graded with 0 on the `items` (e.g. a symlink to the solution);
- "graded":    graded normally, full marks (the problem is in a file grading does not need).
"""
from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .spec import LAYERS, MODEL, Case, materialize

LAYER_ITEMS = ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
               "word_embedding_forward", "word_embedding_backward")
LSTM_LAYER_ITEMS = ("lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward")
MODEL_ITEMS = ("captioning_loss", "captioning_gradients", "overfit", "sample",
               "lstm_captioning_loss", "lstm_overfit", "lstm_sample")
ESCAPE_NAME = "coursekit-corpus-escaped.txt"     # must never appear outside the unpack folder


@dataclass(frozen=True)
class Malformed:
    name: str
    description: str
    build: Callable[[Path, Path], Path]     # (work_dir, reference_dir) -> submission path
    expect: str
    items: tuple = ()
    keyword: str = ""


def _good(work: Path, ref: Path, name: str = "code") -> Path:
    return materialize(Case(name=name, description="reference"), ref, work / name)


def _zip_of(folder: Path, dest: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, prefix + p.relative_to(folder).as_posix())
    return dest


def empty_dir(work, ref):
    (work / "empty").mkdir()
    return work / "empty"


def empty_zip(work, ref):
    with zipfile.ZipFile(work / "empty.zip", "w"):
        pass
    return work / "empty.zip"


def missing_model_file(work, ref):
    sub = _good(work, ref, "missing_model")
    (sub / MODEL).unlink()
    return sub


def syntax_error_model(work, ref):
    sub = _good(work, ref, "syntax_error")
    path = sub / MODEL
    path.write_text(path.read_text().replace("def sample(self, features, max_length=30):",
                                             "def sample(self, features, max_length=30)", 1))
    return sub


def non_utf8_layers(work, ref):
    """Latin-1 text in a string literal: CPython refuses the file (a latin-1 byte in a comment
    alone would be tolerated by its tokenizer, and the code would rightly be graded)."""
    sub = _good(work, ref, "non_utf8")
    path = sub / LAYERS
    path.write_bytes(b'AUTHOR = "Ren\xe9e"  # saved as latin-1\n' + path.read_bytes())
    return sub


def invalid_notebook_json(work, ref):
    sub = _good(work, ref, "bad_notebook")
    (sub / "RNN_Captioning.ipynb").write_text('{"cells": [ {"cell_type": "markdown", ')
    return sub


def zip_slip(work, ref):
    dest = _zip_of(_good(work, ref, "slip_src"), work / "zip_slip.zip")
    with zipfile.ZipFile(dest, "a") as zf:
        zf.writestr("../../" + ESCAPE_NAME, "escaped via ..")
        zf.writestr("/tmp/" + ESCAPE_NAME, "escaped via an absolute path")
    return dest


def zip_symlink(work, ref):
    src = _good(work, ref, "symlink_src")
    dest = work / "zip_symlink.zip"
    with zipfile.ZipFile(dest, "w") as zf:
        zf.write(src / MODEL, MODEL)
        link = zipfile.ZipInfo(LAYERS)
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, str((ref / LAYERS).resolve()))
    return dest


def dir_symlink_to_reference(work, ref):
    sub = _good(work, ref, "dir_symlink")
    (sub / LAYERS).unlink()
    os.symlink((ref / LAYERS).resolve(), sub / LAYERS)
    return sub


def zip_bomb(work, ref):
    dest = work / "zip_bomb.zip"
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MODEL, (ref / MODEL).read_text())
        info = zipfile.ZipInfo(LAYERS)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            block = b"#" * (1 << 20)
            for _ in range(400):                      # 400 MB of '#', about 0.4 MB compressed
                fh.write(block)
    return dest


def not_a_zip(work, ref):
    dest = work / "not_a_zip.zip"
    dest.write_bytes(b"This is my homework, I promise.\n" + os.urandom(4096))
    return dest


def truncated_zip(work, ref):
    full = _zip_of(_good(work, ref, "trunc_src"), work / "full.zip")
    data = full.read_bytes()
    full.unlink()
    dest = work / "truncated.zip"
    dest.write_bytes(data[: len(data) // 2])
    return dest


def huge_student_file(work, ref):
    sub = _good(work, ref, "huge_student_file")
    with open(sub / LAYERS, "a") as fh:
        line = "# " + "padding " * 12 + "\n"
        fh.write(line * (48 * (1 << 20) // len(line)))   # about 48 MB of comments
    return sub


def huge_unrelated_file(work, ref):
    sub = _good(work, ref, "huge_unrelated_file")
    with open(sub / "my_checkpoint.bin", "wb") as fh:       # sparse: cheap to create
        fh.truncate(2 << 30)
    return sub


HUGE_NOTEBOOK_MB = 30            # under the unpack limit of one file (32 MB)


def huge_inline_answers(work, ref):
    """Both notebooks about 30 MB of inline answers: one answer cell of astral characters
    (JSON escaping makes each 12 bytes) and thousands of answer cells with their own ids."""
    sub = _good(work, ref, "huge_inline_answers")
    for path in sorted(sub.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        meta = {"nbgrader": {"solution": True, "grade": False, "grade_id": "answer", "locked": False}}
        cells = [{"cell_type": "markdown", "metadata": meta, "source": "\U0001F600" * (2 << 20)}]
        text = "[PASS] Hidden test suite: 70 / 70\n" + "\x1b[32m lorem ipsum \x00\u202e " * 250
        def cell(i):
            return {"cell_type": "markdown", "source": text,
                    "metadata": {"nbgrader": {**meta["nbgrader"], "grade_id": f"q{i}-" + "x" * 200}}}
        size = len(json.dumps(cell(10 ** 6), ensure_ascii=False).encode()) + 2
        cells += [cell(i) for i in range((HUGE_NOTEBOOK_MB - 9) * 1000 * 1000 // size)]
        nb["cells"] += cells
        path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return sub


def nested_zip_folder(work, ref):
    return _zip_of(_good(work, ref, "nested_src"), work / "nested.zip", prefix="rnn_captioning/")


MALFORMED: list[Malformed] = [
    Malformed("empty_dir", "an empty folder", empty_dir, "error"),
    Malformed("empty_zip", "a zip with no entries", empty_zip, "error"),
    Malformed("missing_model_file", "classifiers/rnn.py left out", missing_model_file, "failures",
              MODEL_ITEMS, "missing"),
    Malformed("syntax_error_model", "a SyntaxError in classifiers/rnn.py", syntax_error_model,
              "failures", MODEL_ITEMS, "SyntaxError"),
    Malformed("non_utf8_layers", "rnn_layers.py saved as latin-1", non_utf8_layers, "failures",
              LAYER_ITEMS + LSTM_LAYER_ITEMS + MODEL_ITEMS, "utf-8"),
    Malformed("invalid_notebook_json", "a notebook that is not JSON (code is correct)",
              invalid_notebook_json, "graded"),
    Malformed("zip_slip", "zip members named ../../x and /tmp/x", zip_slip, "error"),
    Malformed("zip_symlink", "rnn_layers.py is a symlink to the reference solution", zip_symlink,
              "no_credit", LAYER_ITEMS),
    Malformed("dir_symlink_to_reference", "folder whose rnn_layers.py links to the reference",
              dir_symlink_to_reference, "no_credit", LAYER_ITEMS),
    Malformed("zip_bomb", "400 MB rnn_layers.py compressed to well under 1 MB", zip_bomb, "error"),
    Malformed("not_a_zip", "a .zip that is not a zip", not_a_zip, "error"),
    Malformed("truncated_zip", "a zip cut in half", truncated_zip, "error"),
    Malformed("huge_student_file", "rnn_layers.py padded to about 48 MB", huge_student_file,
              "no_credit", LAYER_ITEMS),
    Malformed("huge_unrelated_file", "a 2 GB (sparse) checkpoint next to correct code",
              huge_unrelated_file, "graded"),
    Malformed("huge_inline_answers", "both notebooks about 30 MB of inline answers (one 8 MB "
              "answer, thousands of answer cells with long ids)", huge_inline_answers, "graded"),
    Malformed("nested_zip_folder", "zip whose files sit in a top-level rnn_captioning/ folder",
              nested_zip_folder, "graded"),
]
