"""A PrairieLearn grader host, simulated with bubblewrap (no Docker daemon here).

- `build_image(context, image_root)` runs the generated Dockerfile: COPY copies from the build
  folder into `image_root`, RUN runs in a bwrap container whose /opt/coursekit is
  image_root/opt/coursekit (the base image's Python stands in as the machine's
  /usr/bin/python3; the machine's pip configuration and local package index are visible, as
  a registry would be). An `apt-get install` step is checked against the machine's packages
  and skipped.
- `job_folder(...)` lays out /grade as PrairieLearn does: student/, tests/ (the question's),
  serverFilesCourse/<listed folders>, data/data.json.
- `run_job(...)` runs info.json's entrypoint in a container made like Docker's default one:
  root with Docker's default capabilities only (no CAP_SYS_ADMIN), a seccomp filter that
  refuses new namespaces and mounts (so neither bubblewrap nor a mount namespace works, as
  under Docker's default profile), private pid/ipc/uts/network namespaces (no network), the
  image read-only at /opt/coursekit, the job folder at /grade, one CPU.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import struct
import subprocess
from pathlib import Path

IMAGE_PREFIX = "/opt/coursekit"
SYSTEM_PYTHON = "/usr/bin/python3"
DOCKER_CAPS = ("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID",
               "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
               "AUDIT_WRITE")
PATH = "/usr/local/bin:/usr/bin:/bin"
DEFAULT_TIMEOUT = 30          # PrairieLearn's, when info.json sets none
LEAK_DIR = "/leak"            # a world-writable folder of the host, bound into graded jobs

# seccomp (classic BPF) for x86_64: unshare, setns and mount fail with EPERM, clone with a
# namespace flag too, clone3 says ENOSYS (so the C library falls back to clone).
_LD, _JEQ, _JSET, _RET = 0x20, 0x15, 0x45, 0x06
_ALLOW, _EPERM, _ENOSYS = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
AUDIT_ARCH_X86_64 = 0xC000003E
NR_CLONE, NR_MOUNT, NR_UNSHARE, NR_SETNS, NR_CLONE3 = 56, 165, 272, 308, 435
CLONE_NAMESPACES = 0x7E020000


class DockerfileError(Exception):
    """The Dockerfile uses something this simulation does not know."""


def available() -> str | None:
    """Why the simulation cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (a grader container's entry point runs as root)"
    if not shutil.which("bwrap"):
        return "needs bubblewrap"
    if os.uname().machine != "x86_64":
        return "the seccomp filter is written for x86_64"
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"needs {SYSTEM_PYTHON} (stands in for the base image's Python)"
    probe = subprocess.run(["bwrap", *_base_binds(), "--", "true"], capture_output=True)
    if probe.returncode != 0:
        return f"bwrap does not run here: {probe.stderr.decode(errors='replace')[:200]}"
    return None


def seccomp_filter() -> bytes:
    def ins(code, k, jt=0, jf=0):
        return struct.pack("HBBI", code, jt, jf, k)
    return b"".join([
        ins(_LD, 4), ins(_JEQ, AUDIT_ARCH_X86_64, 1, 0), ins(_RET, _ALLOW),   # 0-2
        ins(_LD, 0),                                                          # 3
        ins(_JEQ, NR_UNSHARE, 8, 0), ins(_JEQ, NR_SETNS, 7, 0),               # 4-5 -> 13
        ins(_JEQ, NR_MOUNT, 6, 0), ins(_JEQ, NR_CLONE3, 6, 0),                # 6 -> 13, 7 -> 14
        ins(_JEQ, NR_CLONE, 1, 0), ins(_RET, _ALLOW),                         # 8-9
        ins(_LD, 16), ins(_JSET, CLONE_NAMESPACES, 1, 0), ins(_RET, _ALLOW),  # 10-12
        ins(_RET, _EPERM), ins(_RET, _ENOSYS)])                               # 13-14


def _base_binds() -> list[str]:
    """The base image's system: the machine's /usr and /etc, read-only."""
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for name in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args + ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/run",
                   "--tmpfs", "/root", "--tmpfs", "/home", "--tmpfs", "/opt"]


# ----------------------------------------------------------------------------- image build
def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, comments and continuations handled."""
    steps, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            word, _, rest = pending.strip().partition(" ")
            steps.append((word.upper(), rest.strip()))
            pending = ""
    return steps


def build_image(context: Path, image_root: Path, log: Path) -> dict:
    """Run the Dockerfile of `context` into `image_root`; returns the image's ENV."""
    env: dict[str, str] = {}
    image_root.mkdir(parents=True, exist_ok=True)
    (image_root / IMAGE_PREFIX.lstrip("/")).mkdir(parents=True, exist_ok=True)
    for word, args in parse_dockerfile((context / "Dockerfile").read_text()):
        if word in ("FROM", "CMD"):
            continue
        if word == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(args))
        elif word == "COPY":
            *sources, dest = shlex.split(args)
            _copy(context, sources, image_root, dest)
        elif word == "RUN":
            if args.startswith("apt-get"):
                _check_apt_packages(args)
                continue
            _build_run(args, image_root, env, log)
        else:
            raise DockerfileError(f"unsupported Dockerfile instruction {word}")
    return env


def _copy(context: Path, sources: list[str], image_root: Path, dest: str) -> None:
    if not dest.startswith(IMAGE_PREFIX + "/") or not dest.endswith("/"):
        raise DockerfileError(f"COPY into {dest}: the simulation keeps the image under {IMAGE_PREFIX}/")
    target = image_root / dest.lstrip("/")
    target.mkdir(parents=True, exist_ok=True)
    for name in sources:
        shutil.copy2(context / name, target / name)


def _check_apt_packages(command: str) -> None:
    words = command.replace("&&", " ").split()
    packages = words[words.index("install") + 1:]
    packages = [p for p in packages[:next((i for i, w in enumerate(packages) if w == "rm"), None)]
                if not p.startswith("-")]
    for package in packages:
        found = subprocess.run(["dpkg-query", "-W", package], capture_output=True)
        if found.returncode != 0:
            raise DockerfileError(f"apt package {package} is not installed on this machine")


def pip_settings() -> dict[str, str]:
    """The machine's pip configuration (registry, local index, constraints) as PIP_* variables."""
    listed = subprocess.run([SYSTEM_PYTHON, "-m", "pip", "config", "list"], capture_output=True,
                            text=True).stdout
    settings = {}
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        name = key.rsplit(".", 1)[-1]
        if name and value:
            settings["PIP_" + name.upper().replace("-", "_")] = value.strip().strip("'\"")
    return settings


def _local_dirs(values) -> list[str]:
    """Top folders under /opt that pip's settings point at (a local package index)."""
    found = set()
    for value in values:
        for word in value.split():
            path = word.removeprefix("file://")
            if path.startswith("/opt/") and Path(path).exists():
                found.add("/opt/" + path.split("/")[2])
    return sorted(found)


def _build_run(command: str, image_root: Path, env: dict, log: Path) -> None:
    pip = pip_settings()
    args = ["bwrap", *_base_binds()]
    for folder in _local_dirs(pip.values()):
        args += ["--ro-bind", folder, folder]
    args += ["--bind", str(image_root / IMAGE_PREFIX.lstrip("/")), IMAGE_PREFIX,
             "--unshare-pid", "--die-with-parent", "--chdir", "/", "--", "/bin/sh", "-c", command]
    full_env = {"PATH": PATH, "HOME": "/root", "LANG": "C.UTF-8", **pip, **env}
    with open(log, "a") as fh:
        fh.write(f"\n$ {command}\n")
        fh.flush()
        done = subprocess.run(args, env=full_env, stdout=fh, stderr=subprocess.STDOUT, timeout=1800)
    if done.returncode != 0:
        raise DockerfileError(f"RUN {command} failed ({done.returncode}); see {log}")


# ----------------------------------------------------------------------------- grading jobs
def job_folder(job: Path, question: Path, server_files: Path, uploads: list[Path]) -> Path:
    """JOB/grade laid out as PrairieLearn does for `question` and the student's `uploads`."""
    grade = job / "grade"
    info = json.loads((question / "info.json").read_text())
    (grade / "student").mkdir(parents=True)
    for upload in uploads:
        shutil.copy2(upload, grade / "student" / upload.name)
    shutil.copytree(question / "tests", grade / "tests")
    for rel in info["externalGradingOptions"].get("serverFilesCourse", []):
        shutil.copytree(server_files / rel, grade / "serverFilesCourse" / rel)
    (grade / "data").mkdir()
    files = [{"name": u.name, "contents": "(base64)"} for u in uploads]
    (grade / "data" / "data.json").write_text(json.dumps(
        {"params": {}, "correct_answers": {}, "submitted_answers": {"_files": files},
         "format_errors": {}, "partial_scores": {}, "score": 0, "feedback": {}, "variant_seed": 1,
         "options": {}, "raw_submitted_answers": {}, "gradable": True}))
    return grade


def run_job(grade: Path, image_root: Path, info: dict, image_env: dict, *, cpu: int = 0,
            leak: Path | None = None) -> subprocess.CompletedProcess:
    """Start info.json's entrypoint for the job folder `grade`; returns when it ends."""
    options = info["externalGradingOptions"]
    entry = options["entrypoint"]
    entry = shlex.split(entry) if isinstance(entry, str) else list(entry)
    read_fd, write_fd = os.pipe()
    os.write(write_fd, seccomp_filter())
    os.close(write_fd)
    args = ["bwrap", *_base_binds(), "--ro-bind", "/sys", "/sys",
            "--ro-bind", str(image_root / IMAGE_PREFIX.lstrip("/")), IMAGE_PREFIX,
            "--bind", str(grade), "/grade"]
    if leak is not None:
        args += ["--bind", str(leak), LEAK_DIR]
    args += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
             "--die-with-parent", "--new-session", "--chdir", "/", "--cap-drop", "ALL"]
    for cap in DOCKER_CAPS:
        args += ["--cap-add", f"CAP_{cap}"]
    args += ["--seccomp", str(read_fd), "--", *entry]
    if shutil.which("taskset"):
        args = ["taskset", "-c", str(cpu % (os.cpu_count() or 1)), *args]
    env = {"PATH": PATH, "HOME": "/root", "LANG": "C.UTF-8", **image_env,
           **{k: v for k, v in (options.get("environment") or {}).items() if v is not None}}
    try:      # PrairieLearn kills the job at its timeout: TimeoutExpired here
        return subprocess.run(args, env=env, pass_fds=(read_fd,), capture_output=True, text=True,
                              timeout=options.get("timeout", DEFAULT_TIMEOUT))
    finally:
        os.close(read_fd)


def run_jobs(jobs: list[dict]) -> list:
    """run_job for each keyword set in `jobs`, all at once; their results (or exceptions)."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(run_job, **job) for job in jobs]
        return [f.exception() or f.result() for f in futures]


# ----------------------------------------------------------------------------- results.json
SCHEMA = Path(__file__).with_name("prairielearn_results.schema.json")


def check_results(path: Path) -> dict:
    """results.json at `path`, checked: under 1 MB, valid against PrairieLearn's format
    (tests/prairielearn_results.schema.json), no test above its maximum."""
    import jsonschema

    from coursekit.prairielearn.budget import MAX_RESULTS_BYTES

    raw = path.read_bytes()
    assert len(raw) < MAX_RESULTS_BYTES, f"{path}: {len(raw)} bytes, PrairieLearn's limit is 1 MB"
    data = json.loads(raw)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)
    for test in data.get("tests", []):
        assert test["points"] <= test["max_points"] + 1e-9, test
    return data
