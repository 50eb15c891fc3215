"""Reading the figures a rendered HTML document shows: each number is an element (a link to
its trace page, or a span) with a `pub-` id and the figure id as its title."""

from __future__ import annotations

import html
import re

FIGURE = re.compile(r"<(span|a)([^>]*)>(.*?)</\1>", re.S)


def shown_in_html(text: str) -> dict[str, str]:
    """Figure id -> the text shown, for every number element (a link or span with a pub- id)."""
    out = {}
    for _, attrs, inner in FIGURE.findall(text):
        ident = re.search(r'id="pub-([^"]+)"', attrs)
        title = re.search(r'title="([^"]+)"', attrs)
        if ident and title:
            out[html.unescape(title.group(1))] = html.unescape(re.sub("<[^>]+>", "", inner)).strip()
    return out
