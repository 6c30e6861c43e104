"""Zip your work for submission: python collect_submission.py  ->  rnn_captioning_submission.zip

Run it in this folder after saving your notebooks. It needs only Python's standard library.
"""
import os
import sys
import zipfile

ZIP_NAME = "rnn_captioning_submission.zip"
NOTEBOOKS = ["RNN_Captioning.ipynb", "LSTM_Captioning.ipynb"]
# The files you edit (the grader takes only these two files from your submission).
STUDENT_FILES = ["cs231n/rnn_layers.py", "cs231n/classifiers/rnn.py"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    files = NOTEBOOKS + STUDENT_FILES
    missing = [name for name in files if not os.path.isfile(os.path.join(here, name))]
    if missing:
        print("cannot create %s: missing file(s): %s" % (ZIP_NAME, ", ".join(missing)), file=sys.stderr)
        print("run this script in the assignment folder, next to the notebooks", file=sys.stderr)
        return 1
    target = os.path.join(here, ZIP_NAME)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            archive.write(os.path.join(here, name), arcname=name)
    print("wrote %s with %d files:" % (target, len(files)))
    for name in files:
        print("  " + name)
    print("Upload this zip file to Gradescope.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
