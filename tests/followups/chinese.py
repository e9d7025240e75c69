"""Reading a staff page as a Chinese reader would: which English words are left in what it shows.

Looks at the page's title and its ``<main>``: the text, the attributes people read or hear
(``title``, ``aria-label``, ``placeholder``, ``alt``) and the suggestions of a ``<datalist>``.
The data the page shows (names, ids, file names …) is given by the test and taken out first;
product names and codes that stay in Latin letters (NPS, CSV, API …) are allowed.
"""

import re
from collections.abc import Iterable
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.utils import translation

ZH = "zh-hans"
LATIN_KEPT = {
    *("CEM", "NPS", "CSAT", "CES", "CSV", "XLSX", "Excel", "API", "ID", "JSON", "URL", "Webhook", "IP"),
}
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


class _Shown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = {"main": 0, "title": 0, "script": 0, "style": 0, "datalist": 0}

    def _reading(self) -> bool:
        shown = self.depth["main"] or self.depth["title"]
        return bool(shown) and not (self.depth["script"] or self.depth["style"])

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.depth:
            self.depth[tag] += 1
        if not self._reading():
            return
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (name == "value" and self.depth["datalist"])):
                self.parts.append(value)

    def handle_endtag(self, tag) -> None:
        if self.depth.get(tag):
            self.depth[tag] -= 1

    def handle_data(self, data) -> None:
        if self._reading():
            self.parts.append(data)


def english_left(html: str, *, data: Iterable[str] = ()) -> list[str]:
    """The English words a reader of ``html`` still meets, once ``data`` (shown as it is) is removed."""
    shown = _Shown()
    shown.feed(html)
    text = "\n".join(shown.parts)
    for value in sorted((str(v) for v in data if v), key=len, reverse=True):
        text = text.replace(value, " ")
    return [word for word in LATIN_WORD.findall(text) if word not in LATIN_KEPT]


@pytest.fixture(autouse=True)
def language_restored():
    """A request leaves its language active in the thread: put the default back, or the tests run
    after these (a command's output, say) would read Chinese. Import it into a test module."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
