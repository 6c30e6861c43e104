"""`coursekit` console command: one verb per job, each implemented in its own module.

Each command module exposes add_arguments(parser) and run(args) -> int.
Modules are imported only when needed, so `coursekit --help` stays fast.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {  # verb -> (module, one-line help)
    "data": ("coursekit.data.cli", "generate the embedded captioning dataset (offline, deterministic)"),
    "build": ("coursekit.build.cli", "build release/ and solutions/ from source/ with nbgrader"),
    "handout": ("coursekit.handout.cli", "write the zip students get: handout, requirements.txt and the data"),
    "grade": ("coursekit.grading.cli", "grade submissions in the sandbox with the hidden tests"),
    "gradescope": ("coursekit.gradescope.cli", "write the Gradescope autograder bundle (autograder.zip)"),
    "prairielearn": ("coursekit.prairielearn.cli", "write a PrairieLearn question and its grader image (external grading)"),
    "similarity": ("coursekit.similarity.cli", "pairwise code similarity of submissions (copydetect), HTML report"),
    "selftest": ("coursekit.selftest", "check the hidden tests: solutions full marks, release zero, bugs caught"),
    "demo": ("coursekit.demo", "data + build + grade the sample submissions, and print the score table"),
}


def _parser(selected: str | None) -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="coursekit", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"coursekit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (modname, help_line) in COMMANDS.items():
        p = sub.add_parser(name, help=help_line, description=help_line)
        if name == selected:
            importlib.import_module(modname).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    selected = argv[0] if argv and argv[0] in COMMANDS else None
    parser = _parser(selected)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:      # e.g. an --out folder that cannot be made: a message, no traceback
        where = f": {exc.filename}" if exc.filename else ""
        print(f"coursekit {args.command}: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
