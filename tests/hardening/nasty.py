"""A corpus of hostile input: what people, spreadsheets, scripts and attackers send.

``STRINGS`` is text any transport carries (a form post, a query string, a JSON string, a CSV
cell); ``JSON_ONLY_STRINGS`` can only travel as JSON escapes (a lone surrogate); ``NUMBERS``
are numeric text at and past the edges; ``WRONG_TYPES`` are JSON values of the wrong kind for
a text or number field. Each is a dict, name → value, so a failing case says what it was.

``text()`` and ``json_value()`` are hypothesis strategies that mix the corpus with generated
text and values.
"""

from hypothesis import strategies as st

HUGE = 100_000

STRINGS: dict[str, str] = {
    "empty": "",
    "blank": "   \t  ",
    "huge": "x" * HUGE,
    "huge-unicode": "é😀" * (HUGE // 2),
    "nul-alone": "\x00",
    "nul-inside": "Ada\x00Lovelace",
    "nul-trailing": "ada\x00",
    "control-chars": "\x01\x02\x07\x08\x1b[31m\x7f",
    "newlines": "line one\r\nline two\rthree\nfour",
    "rtl-override": "\u202egnp.exe\u202c",
    "rtl-arabic-hebrew": "مرحبا שלום",
    "zero-width": "a\u200bb\u200cc\u200dd\ufeff",
    "emoji": "😀👍🏽👨‍👩‍👧‍👦🇫🇷",
    "combining": "Zalgo: Z̵̡̢͍̈́ą̷̛̱̓l̸̰̈́g̷̝͑o̴̺̊",
    "astral-cjk": "𠜎𠜱𠝹𠱓 请告诉我们",
    "bom": "\ufeffname",
    "replacement": "\ufffd\ufffe\uffff",
    "html-script": "<script>alert(1)</script>",
    "html-attr": '"><img src=x onerror=alert(1)>',
    "template": "{{ settings.SECRET_KEY }}{% debug %}",
    "sql-quote": "' OR '1'='1' --",
    "sql-drop": "Robert'); DROP TABLE touchpoints_customer;--",
    "like-wildcards": "%_%\\",
    "formula-cmd": "=cmd|' /C calc'!A0",
    "formula-plus": "+1+1",
    "formula-minus": "-2+3",
    "formula-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "path-traversal": "../../../../etc/passwd",
    "path-windows": "..\\..\\windows\\win.ini",
    "url-encoded": "%00%2e%2e%2f%252e",
    "long-number": "9" * 400,
    "negative-huge": "-" + "9" * 40,
    "float-exp": "1e400",
    "nan": "NaN",
    "infinity": "Infinity",
    "minus-infinity": "-inf",
    "hex-number": "0x1F",
    "json-in-string": '{"a": [1, 2, {"b": null}]}',
    "null-word": "null",
    "true-word": "true",
}

# JSON escapes can spell a lone UTF-16 surrogate; form posts and CSV files (UTF-8 bytes) cannot.
JSON_ONLY_STRINGS: dict[str, str] = {
    "lone-high-surrogate": "\ud800",
    "lone-low-surrogate": "x\udfffy",
}

NUMBERS: dict[str, object] = {
    "zero": 0,
    "negative": -1,
    "negative-huge": -(10**30),
    "int64-max": 2**63 - 1,
    "beyond-int64": 2**63,
    "huge": 10**400,
    "float-huge": 1.7976931348623157e308,
    "float-tiny": 5e-324,
    "text-nan": "NaN",
    "text-infinity": "Infinity",
    "text-long": "9" * 400,
    "text-exp": "1e400",
}

# The numbers a URL (a path id, a query filter) gets besides the core strings.
URL_NUMBERS = ("negative-huge", "beyond-int64", "text-exp")

WRONG_TYPES: dict[str, object] = {
    "null": None,
    "true": True,
    "false": False,
    "list": ["a", "b"],
    "empty-list": [],
    "object": {"a": 1},
    "empty-object": {},
    "nested": [[{"a": [None]}]],
    "number": 12,
    "float": 1.5,
}

# Raw JSON bodies that are not JSON, or JSON that Python accepts and the API must not.
RAW_BODIES: dict[str, str] = {
    "truncated": '{"name": ',
    "nan-literal": '{"name": NaN}',
    "infinity-literal": '{"name": Infinity}',
    "trailing-comma": '{"name": "x",}',
    "single-quotes": "{'name': 'x'}",
    "top-level-list": '[{"name": "x"}]',
    "top-level-null": "null",
    "top-level-string": '"x"',
    "top-level-number": "12",
    "empty": "",
    "duplicate-keys": '{"name": "x", "name": 1}',
    "deep-array": "[" * 5000 + "]" * 5000,
    "deep-object": '{"a":' * 5000 + "1" + "}" * 5000,
    "escaped-nul-key": '{"\\u0000": 1}',
    "lone-surrogate-key": '{"\\ud800": 1}',
}


# One of each kind of trouble a server meets in text (emptiness, length, NUL, control, direction
# and combining characters, markup, a formula, numeric-looking text): what every single field
# gets; the whole corpus goes through every write and form as well (all text fields at once) and
# through the hypothesis tests.
CORE_STRINGS = (
    "empty",
    "blank",
    "huge",
    "nul-inside",
    "control-chars",
    "rtl-override",
    "combining",
    "html-script",
    "formula-cmd",
    "long-number",
)
CORE_WRONG_TYPES = ("null", "true", "list", "object")


def core_values() -> dict[str, object]:
    """The values every single field of every write gets."""
    return (
        {name: STRINGS[name] for name in CORE_STRINGS}
        | JSON_ONLY_STRINGS
        | {name: WRONG_TYPES[name] for name in CORE_WRONG_TYPES}
    )


# --- hypothesis ------------------------------------------------------------------------------


def text(*, surrogates: bool = True) -> st.SearchStrategy[str]:
    """Corpus strings (the 100,000-character ones are the sweeps' business), generated text of any
    code points (NUL and lone surrogates included unless ``surrogates`` is off), and the two
    joined."""
    corpus_values = [value for value in STRINGS.values() if len(value) < 1000]
    if surrogates:
        corpus_values += JSON_ONLY_STRINGS.values()
    alphabet = st.characters() if surrogates else st.characters(exclude_categories=["Cs"])
    corpus, generated = st.sampled_from(corpus_values), st.text(alphabet, max_size=300)
    return st.one_of(corpus, generated, st.tuples(corpus, generated).map("".join))


def json_value(*, surrogates: bool = True) -> st.SearchStrategy:
    """Any JSON value: nasty text, numbers at the edges, wrong types, nested a little."""
    scalars = st.one_of(
        text(surrogates=surrogates),
        st.sampled_from(list(NUMBERS.values())),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(text(surrogates=surrogates), children, max_size=3),
        ),
        max_leaves=6,
    )
