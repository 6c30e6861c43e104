"""`coursekit prairielearn --out DIR`: write a PrairieLearn question and its grader image."""
from __future__ import annotations

import re
import sys
from pathlib import Path

MARKER = ".coursekit-prairielearn"     # marks a folder this command wrote (safe to rewrite)


def add_arguments(parser) -> None:
    parser.add_argument("--out", default="prairielearn", metavar="DIR",
                        help="output folder (default: prairielearn)")
    parser.add_argument("--image", help="grader image name for info.json, e.g. myorg/rnn-grader "
                                        "(default: <assignment>-grader)")
    parser.add_argument("--timeout", type=int, metavar="SECONDS",
                        help="the question's timeout (default: from grading the solutions)")


def run(args) -> int:
    from ..config import ConfigError, load
    from ..preflight import PreflightError, preflight
    from .budget import BudgetError, check_timeout, question_timeout
    from .image import ImageError, write_image
    from .measure import RUNS, MeasureError, grading_seconds
    from ..judge.seed import SeedError
    from .question import write_question

    out = Path(args.out)
    try:
        course = load()
        preflight(course)
        image = args.image or f"{course.assignment}-grader"
        _check_image_name(image)
        _check_out(out)
        if args.timeout is not None:
            timeout, why = check_timeout(args.timeout), "set with --timeout"
        else:
            print(f"grading the solutions {RUNS} times to set the question's timeout ...",
                  flush=True)
            seconds = grading_seconds(course)
            timeout = question_timeout(seconds)
            why = f"from a measured grading time of {seconds:.2f} s, the faster of {RUNS} runs"
        comment = (f"Written by `coursekit prairielearn`. timeout {timeout} s ({why}); the "
                   "entrypoint's --timeout must say the same.")
        out.mkdir(parents=True, exist_ok=True)
        (out / MARKER).write_text("written by coursekit prairielearn\n")
        qdir = write_question(course, out, image=image, timeout=timeout, comment=comment)
        dockerfile = write_image(course, out / "image", image)
    except (ConfigError, PreflightError, BudgetError, ImageError, MeasureError, SeedError,
            ValueError) as exc:
        print(f"coursekit prairielearn: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {qdir} (timeout {timeout} s, {why}), {out / 'serverFilesCourse'} and "
          f"{dockerfile.parent}/ (the grader image {image}).")
    print(f"Next: docker build -t {image} {dockerfile.parent} && docker push {image}; copy "
          f"{out / 'questions'} and {out / 'serverFilesCourse'} into your course repository.")
    return 0


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ValueError(f"--out {out} is a folder this command did not write; "
                         "choose a new or empty one")


def _check_image_name(image: str) -> None:
    """Docker's image reference: [registry/]name[:tag], lowercase name components."""
    if not re.fullmatch(r"([a-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*"
                        r"(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?", image):
        raise ValueError(f"--image {image!r} is not a Docker image name (lowercase, e.g. "
                         "myorg/rnn-grader:2024)")
