"""The similarity calibration set: independently written correct solutions and disguised copies.

- `solutions/*.py`: one student each, written for this set in their own style (never taken from
  a public solution). A file holds only the code a student writes: the bodies of the handout's
  functions, as top-level `def`s (`loss` and `sample` take `self`), plus the student's helpers.
  Constants at the top say how the student's submission looks (see `solution.py`).
- `handouts.py`: handout layouts of several years (the current one, the 2017-2020 layout without
  the affine layers in rnn_layers.py, and the Python 2 handout of 2016), made from release/.
- `overlay.py`: a solution written into a handout layout: the submission folder as a student
  hands it in (docstrings, TODO banners and provided functions of that year included).
- `disguise.py`: copies disguised by program transformations (renamed variables, reordered
  functions, changed comments, one function rewritten, one loop vectorised, code moved between
  the two files, and a combination).
- `calibration.py`: builds the whole set into a folder (used by bench/bench_similarity.py and
  tests/test_similarity_calibration.py).
"""
