"""PrairieLearn export: an externally graded question, its grader image and the entry point.

`coursekit prairielearn --out DIR` (cli.py) writes the question (question.py), the grader
image's recipe with the kit's wheel (image.py), and sets the question's timeout from a
measured grading time (measure.py, budget.py). Inside the grader container, the entry point
(scripts.GRADE_SH, then run.py) lays out a course folder from /grade (layout.py), grades
/grade/student with the same engine as `coursekit grade` and writes
/grade/results/results.json in PrairieLearn's format (results.py).
"""
