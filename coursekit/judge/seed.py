"""The hidden suite's seed: a secret of the course, kept with the hidden tests.

Every random input of the hidden suite is drawn from it (JudgeContext.rng). It is in neither
the kit's source (which students may read) nor release/ nor the handout: the course's first
`coursekit grade`, Gradescope bundle or PrairieLearn export draws it (`secrets`) and writes autograder/SEED_FILE, so
the Gradescope bundle and the PrairieLearn question carry it with the hidden tests. Every
regrade of the course reads the same file (the same inputs, the same results); two courses
(two checkouts of the kit) draw two seeds. The kit's public repository ignores the file
(.gitignore); a course's private repository may commit it, so that every staff machine
grades with the same inputs.

    course_seed(config) -> int      the course's seed (drawn and written the first time)
    seed_path(config) -> Path       where it is kept
    require_seed(config)            SeedError unless it is there (a grader container never draws)

$COURSEKIT_SEED_FILE, when set, names another seed file: the kit's own tests point it at
tests/test_seed (a public seed, so that the kit's CI grades the same inputs on every run).
A course never sets it: its seed would then be whatever that file holds.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

SEED_FILE = "secret_seed"
SEED_ENV = "COURSEKIT_SEED_FILE"
SEED_BITS = 63


class SeedError(RuntimeError):
    """The course's seed file cannot be read or written (a grader configuration problem)."""


def seed_text(seed: int) -> str:
    """The seed file's content (every writer of the file writes this)."""
    return f"{seed}\n"


def seed_path(config) -> Path:
    override = os.environ.get(SEED_ENV)
    return Path(override) if override else Path(config.dir("autograder")) / SEED_FILE


def require_seed(config) -> None:
    """On Gradescope and PrairieLearn the seed comes with the hidden tests: a container that
    drew its own would grade every regrade on other inputs."""
    if not seed_path(config).is_file():
        raise SeedError(f"the hidden tests came without the course's seed ({seed_path(config)}): "
                        "make the bundle or the question again with coursekit")


def write_seed_copy(config, dest: Path) -> None:
    """Write the course's seed to `dest` (a bundle's autograder/SEED_FILE), the judge's only."""
    dest.write_text(seed_text(course_seed(config)), encoding="ascii")
    os.chmod(dest, 0o600)


def course_seed(config) -> int:
    path = seed_path(config)
    if not path.exists():
        _write_once(path, secrets.randbits(SEED_BITS))
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"the course's seed {path} cannot be read ({exc})") from None
    if not text.isdigit():
        raise SeedError(f"{path} does not hold a seed (decimal digits); delete it to draw a new "
                        "one (every hidden input changes)")
    return int(text)


def _write_once(path: Path, seed: int) -> None:
    """Write `seed` unless another grader wrote one first (a hard link is atomic and never
    replaces: the first writer's seed is everyone's)."""
    tmp = path.with_name(f".{SEED_FILE}.{os.getpid()}.tmp")
    try:
        tmp.write_text(seed_text(seed), encoding="ascii")
        os.chmod(tmp, 0o600)         # the judge's only: sandbox uids cannot read it
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    except OSError as exc:
        raise SeedError(f"the course's seed {path} cannot be written ({exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
