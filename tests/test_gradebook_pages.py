"""The gradebook's overview page (index.html) in headless chromium at 1280 and 390 px: no
sideways scrolling, the attention list first with its links, the histogram drawn and within
the window, every test's pass rate."""
from __future__ import annotations

import dataclasses
import json

import pytest
from helpers_grading import fake_judge, make_dir_submission
from test_browser_pages import WIDTHS, _probe, browser  # noqa: F401 (fixture)

from coursekit.grading.batch import grade_batch
from coursekit.grading.pipeline import GradeOptions
from coursekit.grading.progress import Progress

LONG = "a_student_with_a_very_long_folder_name_" * 3


@pytest.fixture
def overview(tmp_path, course, monkeypatch):
    kit = dataclasses.replace(course, points=dataclasses.replace(course.points, manual={"RNN_Captioning-q1": 4}))
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / n, kit, m) for n, m in
            ((LONG.strip("_"), "full"), ("bob", "half"), ("carol", "crash"), ("dan", "full"))]
    broken = tmp_path / "erin.zip"
    broken.write_bytes(b"not a zip")
    out = tmp_path / "out"
    grade_batch([*subs, broken], out, GradeOptions(settings=kit, judge_cmd=judge),
                progress=Progress(5, enabled=False))
    return out / "index.html"


@pytest.mark.parametrize("width_name", WIDTHS)
def test_overview_page_in_a_browser(browser, overview, width_name):  # noqa: F811
    got = _probe(browser, overview, width_name)
    assert got["innerWidth"] == WIDTHS[width_name][0], got["wide"]
    assert got["scrollWidth"] <= got["innerWidth"], got["wide"]
    facts = json.loads(browser.evaluate("""JSON.stringify({
      img: (() => { const i = document.querySelector('img'); return i && {w: i.naturalWidth,
            shown: i.getBoundingClientRect().width}; })(),
      attention: [...document.querySelectorAll('#attention + table tr td:first-child a')].map(a => a.textContent),
      firstReason: (document.querySelector('#attention + table .reasons li') || {}).className,
      rates: document.querySelectorAll('#tests + table tr').length,
      headings: [...document.querySelectorAll('h2')].map(h => h.id)})"""))
    assert facts["headings"][0] == "attention"
    assert facts["attention"][:2] == ["carol", "erin"]            # errors first
    assert facts["firstReason"] == "error"
    assert facts["img"]["w"] > 0 and 0 < facts["img"]["shown"] <= WIDTHS[width_name][0]
    assert facts["rates"] == 1 + 17                                 # header + every item
