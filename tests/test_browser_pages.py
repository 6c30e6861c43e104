"""The student's feedback page, the TA's review page and the instructor's similarity report (its
list and a pair's page) in a real headless browser (Debian's chromium), at a desktop width and a phone width: no sideways scrolling, failing tests before
passing ones, the loss chart drawn. The browser is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: NUL-separated JSON on fds 3 and 4), so no extra Python package is
needed. Skipped, with the reason, when chromium is not installed (`.ci/run` installs it).

Set COURSEKIT_SCREENSHOTS=DIR to keep a full-page PNG of each page at each width.
"""
from __future__ import annotations

import base64
import fcntl
import importlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from coursekit.report.feedback import render_feedback
from coursekit.report.review import build_rows, questions_from, review_html
from coursekit.selftest import load_corpus
from coursekit.similarity.code import student_code
from coursekit.similarity.compare import Document, compare_all
from coursekit.similarity.documents import handout_for
from coursekit.similarity.report import write as write_similarity
from test_report_feedback import sample_result

pytestmark = pytest.mark.slow

LONG_NAME = "alice_smith_1234567_rnn_captioning_submission_final"    # no break opportunity
WIDTHS = {"desktop": (1280, 800, False), "phone": (390, 844, True)}   # width, height, mobile
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT = 60.0                  # seconds for one DevTools command (the browser shares 2 cores)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe"]

PROBE = """(() => {
  const el = document.scrollingElement;
  const sections = [...document.querySelectorAll('section.test')]
    .map(s => s.classList.contains('failed') ? 'failed' : 'passed');
  const svgs = [...document.querySelectorAll('svg')].map(s => {
    const r = s.getBoundingClientRect();
    const lines = [...s.querySelectorAll('polyline')].map(p => p.getBBox().width);
    return {width: r.width, height: r.height, lines: lines.length, drawn: lines.filter(w => w > 1).length};
  });
  const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)
    .slice(0, 5).map(e => e.tagName + '.' + e.className);
  return JSON.stringify({scrollWidth: el.scrollWidth, innerWidth: innerWidth, title: document.title,
                         sections: sections, svgs: svgs, wide: wide, text: document.body.innerText.length});
})()"""


def _browser() -> str | None:
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def _high_fd(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class Browser:
    """A headless chromium driven over --remote-debugging-pipe (one page)."""

    def __init__(self, exe: str, profile: Path):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the browser reads commands on fd 3 and writes answers on fd 4; its ends are moved
        # above 9 first so that the redirections cannot overwrite one with the other (bash:
        # dash only takes one-digit fds)
        to_browser_r, from_browser_w = (_high_fd(fd) for fd in (to_browser_r, from_browser_w))
        cmd = ["bash", "-c", f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w}', "bash", exe, *FLAGS,
               f"--user-data-dir={profile}", "about:blank"]
        self.proc = subprocess.Popen(cmd, pass_fds=(to_browser_r, from_browser_w),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer, self._next_id, self.session = b"", 0, None
        target = next(t for t in self.send("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", targetId=target["targetId"],
                                 flatten=True)["sessionId"]

    def send(self, method: str, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("the browser did not answer")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed its pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def open(self, url: str, width: int, height: int, mobile: bool) -> None:
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + TIMEOUT
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            time.sleep(0.05)

    def evaluate(self, expression: str):
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = _browser()
    if exe is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does it as root)")
    b = Browser(exe, tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def pages(course, tmp_path_factory):
    """feedback.html of a realistic failing result, and review.html of a batch (long answers)."""
    folder = tmp_path_factory.mktemp("pages")
    result = sample_result(course, name=LONG_NAME)
    long_word = "gradient" * 40
    result.extra_data["answers"] = [{"notebook": "RNN_Captioning.ipynb", "note": None, "answers": [
        {"grade_id": "rnn-inline-q1", "text": f"Because {long_word} vanish.\n" + "word " * 200}]}]
    other = sample_result(course, name="bob_1234567")
    other.extra_data["answers"] = [{"notebook": "RNN_Captioning.ipynb", "note": "not submitted", "answers": []}]
    (folder / "feedback.html").write_text(render_feedback(result), encoding="utf-8")
    result.submission = "alice_7654321"
    questions = questions_from([], [result, other])
    (folder / "review.html").write_text(review_html(build_rows([result, other], questions), questions),
                                        encoding="utf-8")
    write_similarity(folder / "similarity", compare_all(_similarity_docs(course), handout_for(course)))
    return folder


def _similarity_docs(course) -> list[Document]:
    """A submission with a long name that copies a known solution (renamed, recommented,
    reordered), beside independently written ones: the calibration set's solutions."""
    corpus = load_corpus(course.root / "tests" / "corpus")
    sim = {n: importlib.import_module(f"{corpus.__name__}.similarity.{n}")
           for n in ("solution", "disguise", "overlay", "handouts")}
    release, handout = course.assignment_dir("release"), handout_for(course)
    solutions = sim["solution"].load_all()[:8]
    current = sim["handouts"].handout(release, "2021")

    def doc(name, solution, known=False, seed=None):
        files = sim["overlay"].overlay(solution, sim["handouts"].handout(release, solution.layout))
        files = sim["disguise"].reorder(files, seed) if seed is not None else files
        return Document(name, student_code(files, handout), known)
    copy = sim["disguise"].make("combined", solutions[0], solutions, current)
    return ([doc(LONG_NAME, copy.solution, seed=copy.reorder_seed),
             doc("known:" + "public_repo_" * 8, solutions[0], known=True)]
            + [doc(s.name, s) for s in solutions[1:]])


def _probe(browser, page: Path, width_name: str, mobile: bool | None = None) -> dict:
    """Open `page` at the named width (as a phone, with mobile viewport rules, unless `mobile`
    says otherwise) and measure it."""
    width, height, phone = WIDTHS[width_name]
    browser.open(page.as_uri(), width, height, phone if mobile is None else mobile)
    shots = os.environ.get("COURSEKIT_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        browser.screenshot(Path(shots) / f"{page.stem}-{width}.png")
    return json.loads(browser.evaluate(PROBE))


@pytest.mark.parametrize("width_name", WIDTHS)
def test_feedback_page_in_a_browser(browser, pages, width_name):
    got = _probe(browser, pages / "feedback.html", width_name)
    assert got["innerWidth"] == WIDTHS[width_name][0]        # the viewport meta is honoured on a phone
    assert got["scrollWidth"] <= got["innerWidth"], got["wide"]
    assert got["title"] == f"Feedback: {LONG_NAME}"
    assert "failed" in got["sections"] and "passed" in got["sections"]
    assert got["sections"] == sorted(got["sections"], key=lambda s: s != "failed")
    chart = got["svgs"][0]
    assert chart["width"] > 0.5 * min(WIDTHS[width_name][0], 560) and chart["height"] > 100
    assert chart["lines"] >= 2 and chart["drawn"] == chart["lines"]


@pytest.mark.parametrize("width_name", WIDTHS)
def test_review_page_in_a_browser(browser, pages, width_name):
    """Generic properties only (another module owns its layout), in a window of that width."""
    got = _probe(browser, pages / "review.html", width_name, mobile=False)
    assert got["innerWidth"] == WIDTHS[width_name][0]
    assert got["scrollWidth"] <= got["innerWidth"], got["wide"]
    assert got["title"] and got["text"] > 0



@pytest.mark.parametrize("width_name", WIDTHS)
def test_similarity_report_in_a_browser(browser, pages, width_name):
    """The instructor's list: every pair listed, long names wrap, each page link leads to a page."""
    got = _probe(browser, pages / "similarity" / "similarity.html", width_name)
    assert got["innerWidth"] == WIDTHS[width_name][0]
    assert got["scrollWidth"] <= got["innerWidth"], got["wide"]
    assert got["title"] == "Code similarity"
    rows = browser.evaluate("[...document.querySelectorAll('table')].pop().rows.length - 1")
    assert rows == 8 * 7 // 2 + 8                                # 8 submissions and 1 known solution
    links = browser.evaluate("[...document.querySelectorAll('a[href^=\"pairs/\"]')].map(a => a.getAttribute('href'))")
    assert links and all((pages / "similarity" / link.split("#")[0]).is_file() for link in links)


PAIR_PROBE = """(() => {
  const r1 = document.getElementById('r1');
  const sides = [...document.querySelectorAll('.side')].map(d => [...d.children].map(c => {
    const r = c.getBoundingClientRect(); return {top: r.top + scrollY, bottom: r.bottom + scrollY, width: r.width};
  }));
  const targets = [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href').slice(1));
  return JSON.stringify({r1: r1 ? r1.getBoundingClientRect().top : null, scrollY: scrollY, sides: sides,
    hits: r1 ? r1.querySelectorAll('mark.hit').length : 0, missing: targets.filter(t => !document.getElementById(t))});
})()"""


@pytest.mark.parametrize("width_name", WIDTHS)
def test_similarity_pair_page_opens_at_its_first_region(browser, pages, width_name):
    """The copy's page, as the list links it (#r1): the first matched region at the top of the
    window with marked code, both sides side by side on a desktop and one above the other on a
    phone, no sideways scrolling, every jump link's target on the page."""
    width = WIDTHS[width_name][0]
    got = _probe(browser, pages / "similarity" / "pairs" / "0001.html", width_name)
    assert got["scrollWidth"] <= got["innerWidth"], got["wide"]
    assert LONG_NAME in got["title"]
    browser.open((pages / "similarity" / "pairs" / "0001.html").as_uri() + "#r1", width, WIDTHS[width_name][1],
                 WIDTHS[width_name][2])
    pair = json.loads(browser.evaluate(PAIR_PROBE))
    assert pair["scrollY"] > 0 and abs(pair["r1"]) <= 2           # scrolled to region 1
    assert pair["hits"] > 0 and not pair["missing"]
    assert pair["sides"] and all(len(cols) == 2 and all(c["width"] <= width for c in cols) for cols in pair["sides"])
    first, second = pair["sides"][0]
    if width_name == "desktop":
        assert first["top"] == second["top"]                     # side by side
    else:
        assert second["top"] >= first["bottom"]                  # one above the other


LINE_BREAKS = """JSON.stringify([...document.querySelectorAll('.name')].map(el => {
  const text = el.textContent, walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const tops = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
      const rect = r.getClientRects()[0]; if (rect) tops.push([node.data[i], rect.top]);
    }
  }
  const breaks = [];
  for (let i = 1; i < tops.length; i++) if (tops[i][1] > tops[i - 1][1] + 2) breaks.push(tops[i - 1][0]);
  return {text, breaks};
}))"""


@pytest.mark.parametrize("width_name", WIDTHS)
def test_test_names_break_only_after_underscores(browser, pages, width_name):
    """At 390 px a long test name wraps after an underscore ("word_embedding_ / backward"),
    never inside a word ("word_embedding_backw / ard")."""
    _probe(browser, pages / "feedback.html", width_name)
    names = json.loads(browser.evaluate(LINE_BREAKS))
    assert names and any("_" in n["text"] for n in names)
    if width_name == "phone":        # at 390 px some names do wrap: the check has something to check
        assert any(n["breaks"] for n in names), names
    for n in names:
        assert all(c == "_" for c in n["breaks"]), n
