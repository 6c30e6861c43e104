"""The course's settings, typed, validated and frozen: what `coursekit.config.load()` returns.

course_config.py's KIT dictionary is read once, here (``Settings.from_kit``); every other module
reads the typed fields (``settings.points.required``, ``settings.limits.wall_seconds`` ...).
Every default lives in these dataclasses (the limits' in ``sandbox.SandboxLimits``, the uid
pool's in ``sandbox.SandboxSpec``). A wrong value is a ``ConfigError`` naming its KIT key.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .sandbox.spec import SandboxLimits, SandboxSpec

HINT_POLICIES = ("fix", "mistake", "off")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


class ConfigError(Exception):
    """course_config.py is missing or broken."""


def _frozen(mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


def _number(key: str, value) -> float:
    if type(value) is bool or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"KIT{key} must be a number >= 0, not {value!r}")
    return value


@dataclass(frozen=True)
class Points:
    """Points per hidden test id (required / extra credit) and per manual question."""
    required: Mapping[str, float] = field(default_factory=dict)
    extra_credit: Mapping[str, float] = field(default_factory=dict)
    manual: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self):
        for name, kit_key in (("required", "points"), ("extra_credit", "extra_credit"),
                              ("manual", "manual_points")):
            table = getattr(self, name)
            if not isinstance(table, Mapping):
                raise ConfigError(f"KIT['{kit_key}'] must be a dictionary, not {table!r}")
            for test_id, value in table.items():
                _number(f"['{kit_key}']['{test_id}']", value)
            object.__setattr__(self, name, _frozen(table))
        both = sorted(set(self.required) & set(self.extra_credit))
        if both:
            raise ConfigError(f"KIT['points'] and KIT['extra_credit'] both list {', '.join(both)}")

    @property
    def items(self) -> dict[str, float]:
        """Full points of every auto-graded item, extra credit included (config order)."""
        return {k: float(v) for k, v in {**self.required, **self.extra_credit}.items()}

    @property
    def max_score(self) -> float:
        """The auto-graded maximum (extra credit is added to the score, not to this)."""
        return float(sum(self.required.values()))

    @property
    def manual_max(self) -> float:
        return float(sum(self.manual.values()))


@dataclass(frozen=True)
class Dataset:
    embedded_dir: str = "datasets/embedded"       # written by `coursekit data`
    coco_dir: str = "datasets/coco_captioning"    # the real download
    seed: int = 0
    num_train_images: int = 2000
    num_val_images: int = 500
    captions_per_image: int = 5
    coco_url: str = ""
    coco_sha256: str = ""

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value, kind = getattr(self, f.name), type(f.default)
            if type(value) is not kind or (kind is int and value < 0):
                raise ConfigError(f"KIT['dataset']['{f.name}'] must be "
                                  f"{'an int >= 0' if kind is int else 'a string'}, not {value!r}")


@dataclass(frozen=True)
class Feedback:
    hints: str = "fix"                 # one of HINT_POLICIES
    visibility: str = "visible"        # one of VISIBILITIES
    visibility_per_test: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if self.hints not in HINT_POLICIES:
            raise ConfigError(f"KIT['feedback']['hints'] must be one of {', '.join(HINT_POLICIES)}, "
                              f"not {self.hints!r}")
        chosen = {"": self.visibility, **dict(self.visibility_per_test)}
        for test_id, value in chosen.items():
            if value not in VISIBILITIES:
                key = f"['visibility_per_test']['{test_id}']" if test_id else "['visibility']"
                raise ConfigError(f"KIT['feedback']{key} must be one of {', '.join(VISIBILITIES)}, "
                                  f"not {value!r}")
        object.__setattr__(self, "visibility_per_test", _frozen(self.visibility_per_test))

    def visibility_of(self, test_id: str) -> str:
        return self.visibility_per_test.get(test_id, self.visibility)

    def as_dict(self) -> dict:
        return {"hints": self.hints, "visibility": self.visibility,
                "visibility_per_test": dict(self.visibility_per_test)}


@dataclass(frozen=True)
class UidPool:
    """Unprivileged uids of the sandbox (used when run as root): base .. base + size - 1."""
    uid_base: int = SandboxSpec.uid_base
    uid_pool: int = SandboxSpec.uid_pool

    def __post_init__(self):
        for name in ("uid_base", "uid_pool"):
            value = getattr(self, name)
            if type(value) is not int or value <= 0:
                raise ConfigError(f"KIT['sandbox_{name}'] must be an int > 0, not {value!r}")


@dataclass(frozen=True)
class UnpackLimits:
    """What `grading.unpack` accepts of an upload."""
    max_members: int = 5000        # entries in a zip
    max_file_mb: float = 32        # one file, uncompressed
    max_total_mb: float = 256      # all members of a zip, uncompressed
    max_ratio: float = 100         # uncompressed / compressed size of one member ...
    ratio_min_mb: float = 1        # ... checked for members at least this large

    def __post_init__(self):
        for f in dataclasses.fields(self):
            _number(f"['unpack']['{f.name}']", getattr(self, f.name))


@dataclass(frozen=True)
class Export:
    """The LMS export (canvas_grades.csv): which roster column Canvas gets as "SIS Login ID"
    ("" leaves it empty; Canvas then matches rows on "SIS User ID", the roster's student_id)."""
    sis_login_column: str = ""

    def __post_init__(self):
        if not isinstance(self.sis_login_column, str):
            raise ConfigError(f"KIT['export']['sis_login_column'] must be a roster column name, "
                              f"not {self.sis_login_column!r}")


@dataclass(frozen=True)
class Settings:
    """Everything course_config.py says, typed. ``root`` is the course folder."""
    root: Path
    path: Path                                   # course_config.py itself
    nbgrader: object = None                      # traitlets Config with the nbgrader settings
    assignment: str = "rnn_captioning"
    notebooks: tuple = ()
    student_files: tuple = ()                    # files taken from a submission
    dataset: Dataset = field(default_factory=Dataset)
    points: Points = field(default_factory=Points)
    feedback: Feedback = field(default_factory=Feedback)
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    sandbox: UidPool = field(default_factory=UidPool)
    unpack: UnpackLimits = field(default_factory=UnpackLimits)
    export: Export = field(default_factory=Export)

    def __post_init__(self):
        if not isinstance(self.assignment, str) or not self.assignment:
            raise ConfigError(f"KIT['assignment'] must be a folder name, not {self.assignment!r}")
        for key in ("notebooks", "student_files"):
            value = getattr(self, key)
            if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
                raise ConfigError(f"KIT['{key}'] must be a list of relative paths, not {value!r}")
            object.__setattr__(self, key, tuple(value))
        source = self.assignment_dir("source")
        if source.is_dir():     # a Gradescope bundle or a test course may ship no source/
            lost = [f for f in self.student_files if not (source / f).is_file()]
            if lost:
                raise ConfigError(f"KIT['student_files'] lists {', '.join(lost)}, not found in {source}")

    # ------------------------------------------------------------------ folders
    def dir(self, kind: str) -> Path:
        """source/, release/, solutions/, autograder/ ... of this course, as absolute paths."""
        return self.root / kind

    def assignment_dir(self, kind: str) -> Path:
        return self.root / kind / self.assignment

    @property
    def embedded_dataset(self) -> Path:
        return self.root / self.dataset.embedded_dir

    @property
    def coco_dataset(self) -> Path:
        return self.root / self.dataset.coco_dir

    @property
    def needed_files(self) -> list[str]:
        """What grading takes from a submission: the student files, then the notebooks."""
        return [*self.student_files, *self.notebooks]

    def sandbox_spec(self):
        """The sandbox settings of this course: limits, hidden folders, uid pool. The one place
        a SandboxSpec is built from the course's settings."""
        from .sandbox.spec import course_hide
        return SandboxSpec(limits=self.limits, hide=course_hide(self.root),
                           uid_base=self.sandbox.uid_base, uid_pool=self.sandbox.uid_pool)

    @classmethod
    def from_kit(cls, kit: dict, *, root: Path, path: Path | None = None, nbgrader=None) -> "Settings":
        """Parse and validate course_config.py's KIT."""
        return from_kit(cls, kit, root=Path(root), path=path, nbgrader=nbgrader)


KIT_KEYS = {"assignment", "notebooks", "student_files", "dataset", "points", "extra_credit",
            "manual_points", "feedback", "limits", "sandbox_uid_base", "sandbox_uid_pool", "unpack",
            "export"}


def _section(kit: dict, key: str, kind):
    value = kit.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"KIT['{key}'] must be a dictionary, not {value!r}")
    known = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(value) - known)
    if unknown:
        raise ConfigError(f"KIT['{key}'] has unknown key(s) {', '.join(map(repr, unknown))}; "
                          f"known: {', '.join(sorted(known))}")
    try:
        return kind(**value)
    except (TypeError, ValueError) as exc:    # SandboxLimits names the limit in its message
        raise ConfigError(f"KIT['{key}']: {exc}") from None


def from_kit(cls, kit, *, root, path, nbgrader):
    if not isinstance(kit, Mapping):
        raise ConfigError("course_config.py must define a KIT dictionary")
    unknown = sorted(set(kit) - KIT_KEYS)
    if unknown:
        raise ConfigError(f"KIT has unknown key(s) {', '.join(map(repr, unknown))}")
    points = Points(required=kit.get("points", {}), extra_credit=kit.get("extra_credit", {}),
                    manual=kit.get("manual_points", {}))
    pool = {k: kit[f"sandbox_{k}"] for k in ("uid_base", "uid_pool") if f"sandbox_{k}" in kit}
    plain = {k: kit[k] for k in ("assignment", "notebooks", "student_files") if k in kit}
    return cls(root=root, path=path or root / "course_config.py", nbgrader=nbgrader, **plain,
               dataset=_section(kit, "dataset", Dataset), points=points,
               feedback=_section(kit, "feedback", Feedback), limits=_section(kit, "limits", SandboxLimits),
               sandbox=UidPool(**pool), unpack=_section(kit, "unpack", UnpackLimits),
               export=_section(kit, "export", Export))
