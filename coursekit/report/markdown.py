"""Markdown from notebooks (questions, model answers, students' answers) as safe HTML for the
TA pages: mistune (which nbconvert already brings) with raw HTML escaped, so nothing a student
wrote can become markup; unsafe link targets (javascript:, data: ...) are dropped by mistune's
renderer, and images are not loaded (their alt text is shown)."""
from __future__ import annotations

import functools
import re

from markupsafe import Markup, escape

MAX_CHARS = 20000


@functools.lru_cache(maxsize=1)
def _renderer():
    import mistune

    class SafeRenderer(mistune.HTMLRenderer):
        def image(self, text, url, title=None):       # never fetch what a student links
            return f"<span class=\"img\">[image: {escape(text)}]</span>"

    return mistune.create_markdown(renderer=SafeRenderer(escape=True), plugins=["strikethrough", "table"])


def render_markdown(text: str | None) -> Markup:
    text = (text or "")[:MAX_CHARS]
    try:
        html = _renderer()(text)
    except Exception:                  # a parser problem must not lose the answer
        return Markup("<pre>") + escape(text) + Markup("</pre>")
    html = re.sub(r"<(script|style|iframe)", r"&lt;\1", html, flags=re.I)   # belt and braces
    return Markup(html)
