"""Finding English left on a page meant to be Chinese: the words a reader sees (text, the
attributes a screen reader or tooltip shows, the chart texts inside JSON figures), minus data,
codes and the names the product keeps in Latin letters."""

import json
import re
from html.parser import HTMLParser

from django.apps import apps
from django.db import models

# Names and codes the product writes in Latin letters in every language (locale/GLOSSARY.md).
ALLOWED = frozenset(
    [
        "CEM",
        "NPS",
        "CSAT",
        "CES",
        "CX",
        "MB",
        "KB",
        "GB",
        "ISO",
        "IP",
        "Excel",
        "REST",
        "CSV",
        "XLSX",
        "JSON",
        "API",
        "URL",
        "URLs",
        "ID",
        "IDs",
        "OIDC",
        "Webhook",
        "Webhooks",
        "HTTP",
        "HTTPS",
        "SMTP",
        "TOTP",
        "QR",
        "PDF",
        "PNG",  # Plotly's "download as PNG" button: the image format's name
        "Ctrl",  # key names, written so on Chinese keyboards and in Chinese interfaces
        "Enter",
        "Plotly",
        "Django",
        "English",
        "PostgreSQL",
        "Redis",
        "Celery",
        "UTC",
        "GMT",
        "AM",
        "PM",
        "SQL",
        "UUID",
    ]
)
# Values of these attributes are read out or shown as tooltips.
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "aria-description")
# Keys of a Plotly figure (or other JSON on the page) whose strings a reader sees.
SHOWN_JSON_KEYS = ("text", "title", "name", "hovertemplate", "label", "labels", "ticktext")

WORD = re.compile(r"[A-Za-z]{2,}(?:['’][A-Za-z]+)*")
NOT_WORDS = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+|%\{[^}]*\}|%\([a-z_]+\)s|&[a-z]+;|"
    r"[\w.-]+\.(?:json|csv|xlsx|txt|py)\b|manage\.py [\w-]+|\b\w*_\w*\b|"
    r"\b[\w-]*\d[\w-]*\b|<[^>]+>"
)


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0
        self._json = False
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style", "code", "kbd", "pre") or "translate" in attributes:
            self._skip += 1
            self._json = tag == "script" and attributes.get("type") == "application/json"
        self._stack.append(tag)
        for name in SHOWN_ATTRIBUTES:
            if attributes.get(name):
                self.chunks.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.chunks.append(attributes["value"])
        if tag == "div" and attributes.get("data-figure"):
            self.chunks.extend(json_texts(attributes["data-figure"]))

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            if tag in ("script", "style", "code", "kbd", "pre") and self._skip:
                self._skip -= 1
                self._json = False

    def handle_data(self, data):
        if self._json:
            self.chunks.extend(json_texts(data))
        elif not self._skip:
            self.chunks.append(data)


def json_texts(raw: str) -> list[str]:
    """The strings under the shown keys of a JSON document (a Plotly figure, a json_script)."""
    try:
        document = json.loads(raw)
    except ValueError:
        return []
    found: list[str] = []

    def walk(node, shown: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, shown or key in SHOWN_JSON_KEYS)
        elif isinstance(node, list):
            for item in node:
                walk(item, shown)
        elif isinstance(node, str) and shown:
            found.append(node)

    walk(document, False)
    return found


def visible_texts(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return [chunk for chunk in parser.chunks if chunk.strip()]


def english_words(texts, data_words: frozenset[str] = frozenset()) -> list[str]:
    """The English words in ``texts`` that are not data, codes or allowed names, in order."""
    found: list[str] = []
    for text in texts:
        for word in WORD.findall(NOT_WORDS.sub(" ", text)):
            if word not in ALLOWED and word.casefold() not in data_words:
                found.append(word)
    return found


def english_in_page(html: str, data_words: frozenset[str] = frozenset()) -> list[str]:
    """Each visible text chunk of ``html`` that holds an English word (for a readable failure)."""
    return [text.strip()[:120] for text in visible_texts(html) if english_words([text], data_words)]


def data_words() -> frozenset[str]:
    """Every word stored in the product's own tables (names, survey texts in every language,
    comments, notes, codes): English found on a page that is one of these is data, not UI."""
    words: set[str] = set()
    for model in apps.get_models():
        # Groups are the role names and permissions Django's own labels: both are shown translated.
        if model._meta.app_label in ("sessions", "admin", "contenttypes") or model._meta.model_name in (
            "group",
            "permission",
        ):
            continue
        # A field with choices stores a code; the page must show its (translated) label instead.
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField) and not field.choices
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
                words.update(word.casefold() for word in WORD.findall(text))
    return frozenset(words)
