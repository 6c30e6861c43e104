"""Zip your work for submission: python collect_submission.py  ->  rnn_captioning_submission.zip

Run it in this folder after saving your notebooks. It needs only Python's standard library.
Before writing the zip it checks your work, as `nbgrader validate` does, and lists what looks
unfinished: functions still unimplemented, a blank inline answer, notebooks never run or run
before your last code change, files too large to upload. It writes the zip anyway: you decide.
"""
import json
import os
import sys
import zipfile

ZIP_NAME = "rnn_captioning_submission.zip"
NOTEBOOKS = ["RNN_Captioning.ipynb", "LSTM_Captioning.ipynb"]
# The files you edit (the grader takes only these two files from your submission).
STUDENT_FILES = ["cs231n/rnn_layers.py", "cs231n/classifiers/rnn.py"]
# The functions graded in each file; the LSTM ones are extra credit.
GRADED = {
    "cs231n/rnn_layers.py": ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
                             "word_embedding_forward", "word_embedding_backward",
                             "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward"],
    "cs231n/classifiers/rnn.py": ["loss", "sample"],
}
EXTRA_CREDIT = {"lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward"}
START, END = "START OF YOUR CODE", "END OF YOUR CODE"
PLACEHOLDER = "your answer here."
MAX_FILE_MB = 32            # the grader's limit for one file (the course's unpack limit)


def unimplemented(path, names):
    """The functions among `names` whose code between the START/END markers is still only
    `pass` and comments (the handout's stub)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return list(names)
    found, current, inside, code = [], None, False, False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("def "):
            name = stripped[4:].split("(")[0].strip()
            current = name if name in names else None
        elif current and START in line:
            inside, code = True, False
        elif current and END in line and inside:
            inside = False
            if not code and current not in found:
                found.append(current)
        elif inside and stripped and not stripped.startswith("#") and stripped != "pass":
            code = True
    return found


def read_notebook(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def blank_answers(notebook):
    """grade ids of the written answers (nbgrader answer cells in markdown) left blank."""
    blank = []
    for cell in notebook.get("cells", []):
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if cell.get("cell_type") == "markdown" and meta.get("solution"):
            text = "".join(cell.get("source") or []).strip().strip("*_ ").lower()
            if not text or text == PLACEHOLDER:
                blank.append(meta.get("grade_id", "an answer cell"))
    return blank


def never_run(notebook):
    code = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code" and "".join(c.get("source") or []).strip()]
    return bool(code) and all(c.get("execution_count") is None for c in code)


def problems(here):
    """One line per thing that looks unfinished."""
    found = []
    for rel, names in GRADED.items():
        for name in unimplemented(os.path.join(here, rel), names):
            extra = " (extra credit)" if name in EXTRA_CREDIT else ""
            shown = "CaptioningRNN." + name if rel.endswith("rnn.py") else name
            found.append("%s in %s is not implemented yet%s" % (shown, rel, extra))
    newest_code = max(os.path.getmtime(os.path.join(here, rel)) for rel in STUDENT_FILES)
    for name in NOTEBOOKS:
        path = os.path.join(here, name)
        notebook = read_notebook(path)
        if notebook is None:
            found.append("%s is not a valid notebook (save it from Jupyter again)" % name)
            continue
        for grade_id in blank_answers(notebook):
            found.append("%s: the written answer %s is blank" % (name, grade_id))
        if never_run(notebook):
            found.append("%s was never run: run all its cells and save it" % name)
        elif os.path.getmtime(path) < newest_code:
            found.append("%s was saved before your last change to the .py files: run it again "
                         "so its outputs show your current code" % name)
    for rel in NOTEBOOKS + STUDENT_FILES:
        size = os.path.getsize(os.path.join(here, rel)) / 2 ** 20
        if size > MAX_FILE_MB:
            found.append("%s is %.0f MB, more than the grader accepts (%d MB): clear large "
                         "outputs (Cell > All Output > Clear) and save" % (rel, size, MAX_FILE_MB))
    return found


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    files = NOTEBOOKS + STUDENT_FILES
    missing = [name for name in files if not os.path.isfile(os.path.join(here, name))]
    if missing:
        print("cannot create %s: missing file(s): %s" % (ZIP_NAME, ", ".join(missing)), file=sys.stderr)
        print("run this script in the assignment folder, next to the notebooks", file=sys.stderr)
        return 1
    found = problems(here)
    if found:
        print("Before you submit, check these (the zip is written anyway):")
        for line in found:
            print("  - " + line)
    target = os.path.join(here, ZIP_NAME)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            archive.write(os.path.join(here, name), arcname=name)
    print("wrote %s with %d files:" % (target, len(files)))
    for name in files:
        print("  " + name)
    if found:
        print("Summary: %d thing(s) to check above; upload %s when you are done." % (len(found), ZIP_NAME))
    else:
        print("Summary: nothing unfinished found; upload %s to Gradescope." % ZIP_NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
