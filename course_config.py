# course_config.py -- the one file an instructor edits.
#
# It is a real nbgrader config file (nbgrader reads it with
#   nbgrader generate_assignment rnn_captioning --NbGrader.config_file=course_config
# and `coursekit build` passes it the same way), and it also holds the kit's own settings
# in the KIT dictionary below (points, limits, dataset location). nbgrader ignores KIT.
# KIT is the one source of points: `coursekit build` writes them into the notebooks' nbgrader
# grade cells.
import os

c = get_config()  # noqa: F821  (injected by traitlets / coursekit.config)

HERE = os.path.dirname(os.path.abspath(__file__))

# ----------------------------------------------------------------------------- nbgrader
c.CourseDirectory.course_id = "cs231n-rnn-captioning"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook lives outside the committed tree so that builds stay byte-identical.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, "build", "gradebook.db")

STUDENT_CODE_STUB = (
    "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n"
    "pass\n"
    "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
)
c.ClearSolutions.code_stub = {"python": STUDENT_CODE_STUB}
c.ClearSolutions.text_stub = "*Your answer here.*"
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# Files the student edits: nbgrader autograde must never overwrite them with the
# instructor's copies (jupyter/nbgrader#940).
STUDENT_FILES = ["cs231n/rnn_layers.py", "cs231n/classifiers/rnn.py"]
c.Autograde.exclude_overwriting = {"rnn_captioning": STUDENT_FILES}
c.Execute.timeout = 600
# nbgrader 0.9 puts hidden tests back into autograded notebooks and its default feedback shows
# them; our feedback preprocessor list hides them again.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "coursekit.build.feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# ----------------------------------------------------------------------------- the kit
KIT = {
    "assignment": "rnn_captioning",
    "notebooks": ["RNN_Captioning.ipynb", "LSTM_Captioning.ipynb"],
    # Files taken from a submission; every other file comes from release/ (so a student
    # cannot change the solver, the optimiser or the gradient checker the grader uses).
    "student_files": STUDENT_FILES,
    "dataset": {
        "embedded_dir": "datasets/embedded",        # written by `coursekit data`
        "coco_dir": "datasets/coco_captioning",     # the real download (get_datasets.sh)
        "seed": 0,
        "num_train_images": 2000,
        "num_val_images": 500,
        "captions_per_image": 5,
        # The student handout (`coursekit handout`) ships the embedded dataset, which
        # cs231n/datasets/get_datasets.sh unpacks offline. Set coco_url (and optionally the
        # zip's SHA-256) to make that script download the real COCO data instead.
        "coco_url": "",             # e.g. "http://cs231n.stanford.edu/coco_captioning.zip"
        "coco_sha256": "",
    },
    # Points per hidden test (test id -> points). Ids are the hidden suite's test names.
    "points": {
        "rnn_step_forward": 5,
        "rnn_step_backward": 5,
        "rnn_forward": 5,
        "rnn_backward": 10,
        "word_embedding_forward": 3,
        "word_embedding_backward": 5,
        "captioning_loss": 10,
        "captioning_gradients": 10,
        "overfit": 10,
        "sample": 7,
    },
    # Extra credit (LSTM): added to the score, not to the maximum.
    "extra_credit": {
        "lstm_step_forward": 1,
        "lstm_step_backward": 1,
        "lstm_forward": 1,
        "lstm_backward": 1,
        "lstm_captioning_loss": 1,
        "lstm_overfit": 1,
        "lstm_sample": 1,
    },
    # Manually graded questions (grade id of the notebook's answer cell -> points). TAs enter
    # points in review.csv; the next `coursekit grade` adds them to grades.csv.
    "manual_points": {
        "inline_question_1": 4,
    },
    # What students see while the submission window is open.
    "feedback": {
        # How much a hint says when a known mistake is recognised:
        #   "fix"     names the mistake and how to fix it ("use np.add.at, not dW[x] += dout")
        #   "mistake" names the mistake only (better when resubmission is allowed)
        #   "off"     no hints (the checks' observed-vs-expected text stays)
        "hints": "fix",
        # Gradescope visibility of each test's details: "visible", "after_due_date",
        # "after_published" or "hidden"; per test id in visibility_per_test.
        "visibility": "visible",
        "visibility_per_test": {},
    },
    # The Canvas export (`coursekit grade ... --roster roster.csv` -> canvas_grades.csv): the
    # roster column Canvas gets as "SIS Login ID" (e.g. "email" or "login"); "" leaves it
    # empty and Canvas matches rows on "SIS User ID" (the roster's student_id).
    "export": {
        "sis_login_column": "",
    },
    "limits": {
        "wall_seconds": 300,        # whole submission, wall clock
        "call_seconds": 60,         # one call into student code, wall clock
        "cpu_seconds": 240,         # RLIMIT_CPU of the worker
        "memory_mb": 3072,          # RLIMIT_AS of the worker
        "max_processes": 8,         # RLIMIT_NPROC (per sandbox uid: processes + threads)
        "max_file_mb": 16,          # RLIMIT_FSIZE
        "max_open_files": 256,      # RLIMIT_NOFILE
        "max_output_bytes": 1 << 20,  # captured stdout/stderr per stream
        "max_message_mb": 256,      # one reply from the worker
        "callback_cpu_seconds": 20,  # judge CPU a submission's granted reference calls may use
    },
    # Unprivileged uids for the sandbox, one per parallel slot (used when run as root).
    "sandbox_uid_base": 64000,
}
