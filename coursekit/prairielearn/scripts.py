"""The grader image's recipe and entry point, as text (image.py writes them).

The Dockerfile starts from a Python base image, installs bubblewrap (used when the
container's runtime allows namespaces) and the kit's wheel into a venv under /opt/coursekit,
and generates the embedded dataset: grading then fetches nothing (PrairieLearn's grader
containers have no network). The venv stays readable by everyone, since the sandboxed workers
run its interpreter as unprivileged uids.

The entry point (`grade`, installed as /opt/coursekit/bin/grade) makes /grade, /root and
/home mode 0700 before grading: in a container without namespaces the sandbox hides the
secrets by permissions (setuid-perms level) and refuses to start otherwise. It always leaves
a results.json, even when the kit itself cannot start. COURSEKIT_GRADE_DIR and COURSEKIT_PYTHON
override /grade and the venv's python (local tests).
"""
from .layout import ENTRYPOINT, IMAGE_DATASET, IMAGE_PREFIX, VENV

BASE_IMAGE = "python:3.11-slim-bookworm"
BUILD_DIR = f"{IMAGE_PREFIX}/build"

DOCKERFILE = f"""\
# Grader image for the PrairieLearn question written by `coursekit prairielearn`.
#   docker build -t {{image}} .   (in this folder)   then   docker push {{image}}
# Everything is installed here; grading fetches nothing (the grader has no network).
FROM {BASE_IMAGE}
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap && rm -rf /var/lib/apt/lists/*
COPY {{wheel}} course_config.py grade {BUILD_DIR}/
RUN python3 -m venv {VENV} && {VENV}/bin/python -m pip install {BUILD_DIR}/{{wheel}}
RUN cd {BUILD_DIR} && COURSEKIT_ROOT={BUILD_DIR} {VENV}/bin/python -m coursekit.cli data --quiet --out {IMAGE_DATASET}
RUN mkdir -p {IMAGE_PREFIX}/bin && install -m 0755 {BUILD_DIR}/grade {ENTRYPOINT} && chmod -R go+rX {IMAGE_PREFIX}
CMD ["{ENTRYPOINT}"]
"""

GRADE_SH = f"""\
#!/usr/bin/env bash
# PrairieLearn entry point: grade /grade/student into /grade/results/results.json with the
# course kit (same engine as `coursekit grade`). Arguments go to coursekit.prairielearn.run
# (info.json passes --timeout, the question's timeout). A results.json is always written.
GRADE="${{COURSEKIT_GRADE_DIR:-/grade}}"
PY="${{COURSEKIT_PYTHON:-{VENV}/bin/python}}"
RESULTS="$GRADE/results/results.json"
mkdir -p "$GRADE/results"
rm -f "$RESULTS"
# Student code runs as unprivileged uids, maybe hidden by permissions only (no namespaces in
# the container): the tests, the reference and the results must be unreadable by them.
if [ "$(id -u)" = 0 ]; then
    chmod 0700 "$GRADE" "$GRADE/results"
    if [ "$GRADE" = /grade ]; then
        chmod 0700 /root /home 2>/dev/null
    fi
fi
export OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg PYTHONDONTWRITEBYTECODE=1
cd /
"$PY" -m coursekit.prairielearn.run --grade "$GRADE" "$@"
status=$?
if [ ! -s "$RESULTS" ]; then
    cat > "$RESULTS" <<EOF
{{"gradable": false, "format_errors": ["the grader failed (status $status)"], "tests": [],
 "message": "Your submission could not be graded: the grader failed (status $status). This attempt was not counted; please tell the course staff."}}
EOF
fi
exit 0
"""
