"""An output folder written before the gradebook (schema version 0): OUT/manifest.json (source
path -> name), OUT/<name>/result.full.json (each result with the key it was graded under) and
OUT/review.csv (TAs' points). The first run of a newer kit in such a folder imports the results
as a run of their own (marked "imported"), so nothing they hold is lost; their keys are of the
old kind, so the same run regrades them, and review.csv is then read as any TA's sheet (its
answer_id column says which answer each grade was for).
"""
from __future__ import annotations

import json
from pathlib import Path

from ..report.results import GradingResult

MANIFEST = "manifest.json"
FULL_RESULT = "result.full.json"


def is_legacy_folder(out: Path) -> bool:
    return (Path(out) / MANIFEST).is_file() or any(Path(out).glob(f"*/{FULL_RESULT}"))


def import_folder(gb, out: Path, info) -> int:
    """Record every readable result.full.json of `out`; returns how many."""
    out = Path(out)
    try:
        manifest = json.loads((out / MANIFEST).read_text())
        sources = {v: k for k, v in manifest.items() if isinstance(v, str)} if isinstance(manifest, dict) else {}
    except (OSError, ValueError):
        sources = {}
    run = gb.begin_run(info)
    count = 0
    for path in sorted(out.glob(f"*/{FULL_RESULT}")):
        name = path.parent.name
        try:
            result = GradingResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            gb.log_event("legacy result unreadable", str(path), run_id=run)
            continue
        result.submission = name
        sid = gb.submission(name, sources.get(name, str(out / name)), None, run_id=run)
        gb.record_result(run, sid, result, {})
        count += 1
    gb.finish_run(run, "imported", graded=count, reused=0)
    return count
