"""`coursekit gradescope --out autograder.zip --try UPLOAD...`: try the bundle on this machine as
Gradescope would run it, before uploading it: unzip it into a fresh AUTOGRADER_ROOT, run its
setup.sh (COURSEKIT_SKIP_APT=1: this machine has the system packages; a venv of its own, kept
between tries in `--try-dir`), then for each upload put it alone in ROOT/submission, run
run_autograder and print the score, each test's status and where results.json is."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

SYSTEM_PATH = os.pathsep.join(["/usr/local/bin", "/usr/bin", "/bin"])
DROP = ("COURSEKIT_ROOT", "COURSEKIT_JUDGE_CMD", "VIRTUAL_ENV", "PYTHONPATH", "CS231N_DATA_DIR")


def _env(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in DROP}
    return {**env, "PATH": SYSTEM_PATH, "HOME": str(home), **extra}


def install(bundle: Path, work: Path) -> tuple[Path, Path, str]:
    """(autograder root, venv, setup's log tail); raises RuntimeError when setup.sh fails."""
    root, venv, home = work / "autograder", work / "venv", work / "home"
    shutil.rmtree(root / "source", ignore_errors=True)
    (root / "source").mkdir(parents=True)
    home.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], cwd=work, capture_output=True, text=True,
                           env=_env(home, COURSEKIT_VENV=str(venv), COURSEKIT_SKIP_APT="1"))
    if setup.returncode != 0:
        raise RuntimeError(f"setup.sh failed (exit {setup.returncode}):\n{(setup.stdout + setup.stderr)[-3000:]}")
    return root, venv, (setup.stdout + setup.stderr)[-500:]


def grade(root: Path, venv: Path, upload: Path) -> dict:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir(parents=True)
    if upload.is_dir():
        shutil.copytree(upload, submission, dirs_exist_ok=True)
    else:
        shutil.copy(upload, submission / upload.name)
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                         env=_env(root.parent / "home", AUTOGRADER_ROOT=str(root), COURSEKIT_VENV=str(venv)))
    if run.returncode != 0:
        raise RuntimeError(f"run_autograder failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
    return json.loads((root / "results" / "results.json").read_text())


def summary(upload: Path, results: dict, where: Path) -> str:
    tests = results.get("tests", [])
    auto = [t for t in tests if t.get("max_score", 0) > 0]
    extra = [t for t in tests if not t.get("max_score")]
    lines = [f"{upload.name}: score {results.get('score', 0):g} "
             f"(required {sum(t['score'] for t in auto):g} / {sum(t['max_score'] for t in auto):g}, "
             f"extra credit {sum(t['score'] for t in extra):g})"]
    lines += [f"  {t['status']:6}  {t['score']:g} / {t['max_score']:g}  {t['name']}" for t in tests]
    first = (results.get("output") or "").splitlines()[:3]
    lines += [f"  | {line}" for line in first]
    lines.append(f"  results.json: {where}")
    return "\n".join(lines)


def try_bundle(bundle: Path, uploads: list[Path], work: Path) -> int:
    work.mkdir(parents=True, exist_ok=True)
    print(f"installing {bundle} into {work} with its setup.sh (the first time takes about a minute) ...",
          flush=True)
    try:
        root, venv, _ = install(bundle, work)
        for upload in uploads:
            results = grade(root, venv, upload)
            keep = work / "results" / f"{upload.stem}.json"
            keep.parent.mkdir(parents=True, exist_ok=True)
            keep.write_text(json.dumps(results, indent=2))
            print(summary(upload, results, keep), flush=True)
    except RuntimeError as exc:
        print(f"coursekit gradescope --try: {exc}")
        return 1
    return 0
