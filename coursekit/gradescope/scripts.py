"""The two shell scripts of the Gradescope bundle (kept as text so a plain pip install has them).

Gradescope unzips the bundle into /autograder/source, runs setup.sh once when building the
image, then run_autograder for each submission. The root is overridable for local testing
(AUTOGRADER_ROOT, default /autograder; COURSEKIT_VENV, default /opt/coursekit-venv;
AUTOGRADER_PYTHON, default $COURSEKIT_VENV/bin/python; COURSEKIT_SKIP_APT=1 leaves out the
system packages).

The venv lives outside /autograder: Gradescope's Docker container usually allows neither
bubblewrap nor a mount namespace, so the sandbox hides the secrets by permissions
(setuid-perms level, see coursekit/sandbox/perms.py). run_autograder therefore makes
/autograder (the tests, the reference, course_config.py, the results) mode 0700 before
grading, while the interpreter and the venv stay readable by the sandbox uids.
"""

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope image setup: system packages, a venv with the course kit, the embedded dataset.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The venv is outside /autograder (made 0700 at grading) and readable by everyone: the
# sandboxed workers run its interpreter as unprivileged uids.
VENV="${COURSEKIT_VENV:-/opt/coursekit-venv}"
export DEBIAN_FRONTEND=noninteractive
umask 022
# COURSEKIT_SKIP_APT=1: the machine has these already (local tests of the bundle)
if [ -z "${COURSEKIT_SKIP_APT:-}" ]; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip bubblewrap
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "$HERE"
chmod -R go+rX "$VENV"
cd "$HERE"
COURSEKIT_ROOT="$HERE" "$VENV/bin/python" -m coursekit.cli data
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope entry point: grade $ROOT/submission into $ROOT/results/results.json with the same
# engine as `coursekit grade` (safe unpacking, sandboxed judge, crashed result on failure).
# results.json is always written, even if the kit itself cannot start.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
PY="${AUTOGRADER_PYTHON:-${COURSEKIT_VENV:-/opt/coursekit-venv}/bin/python}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
# Student code runs as unprivileged uids, maybe hidden by permissions only (no mount
# namespace in Docker): the tests, the reference, course_config.py and the results must be
# unreadable by them. The sandbox refuses to start if they are not.
if [ "$(id -u)" = 0 ]; then
    chmod 0700 "$ROOT" "$SRC" "$ROOT/results" 2>/dev/null
    if [ "$ROOT" = /autograder ]; then
        chmod 0700 /root /home 2>/dev/null
    fi
fi
export COURSEKIT_ROOT="$SRC" PYTHONPATH="$SRC${PYTHONPATH:+:$PYTHONPATH}"
export OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg PYTHONDONTWRITEBYTECODE=1
cd "$SRC" 2>/dev/null || cd /
"$PY" -m coursekit.gradescope.run --root "$ROOT"
status=$?
if [ ! -s "$RESULTS" ]; then
    cat > "$RESULTS" <<EOF
{"score": 0, "execution_time": 0, "visibility": "visible", "stdout_visibility": "hidden",
 "output": "Your submission could not be graded: the autograder failed (status $status). Please contact the course staff.",
 "tests": [], "extra_data": {"error": "autograder failure (status $status)"}}
EOF
fi
exit 0
"""
