"""The autograder's proving corpus: bugs, correct variants, attacks and malformed submissions.

Everything here is data (small edits of the reference solution, or builders of malformed
uploads); `spec.materialize` turns a case into a submission folder. Used by the kit's tests
(tests/test_corpus_*.py, tests/test_robustness_*.py) and by `coursekit selftest`.
"""
