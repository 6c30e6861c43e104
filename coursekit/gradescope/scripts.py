"""The two shell scripts of the Gradescope bundle (kept as text so a plain pip install has them).

Gradescope unzips the bundle into /autograder/source, runs setup.sh once when building the
image, then run_autograder for each submission. The root is overridable for local testing
(AUTOGRADER_ROOT, default /autograder; AUTOGRADER_PYTHON, default $ROOT/venv/bin/python).
"""

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope image setup: system packages, a venv with the course kit, the embedded dataset.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip bubblewrap
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --upgrade pip
"$ROOT/venv/bin/python" -m pip install --quiet "$HERE"
cd "$HERE"
COURSEKIT_ROOT="$HERE" "$ROOT/venv/bin/python" -m coursekit.cli data
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope entry point: grade $ROOT/submission into $ROOT/results/results.json with the same
# engine as `coursekit grade` (safe unpacking, sandboxed judge, crashed result on failure).
# results.json is always written, even if the kit itself cannot start.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
PY="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
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
