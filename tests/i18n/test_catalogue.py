"""The zh-hans catalogue is complete: makemessages over today's code finds no string without a
translation, none fuzzy, none the catalogue lacks, and msgfmt accepts every placeholder.

makemessages runs on a copy of the source tree in a temporary folder (it writes the catalogues
it finds next to the code), so the checkout is never touched.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = Path("locale") / "zh_Hans" / "LC_MESSAGES" / "django.po"
IGNORED = (".venv", ".git", "node_modules", "test-output", "staticfiles", "var", "__pycache__", "*.mo")


def _entries(catalogue: polib.POFile) -> dict[tuple[str, str], polib.POEntry]:
    return {(entry.msgctxt or "", entry.msgid): entry for entry in catalogue if not entry.obsolete}


def _translated(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> polib.POFile:
    if not shutil.which("xgettext") or not shutil.which("msgfmt"):
        pytest.fail("GNU gettext (xgettext, msgfmt) is needed: apt-get install gettext")
    tree = tmp_path_factory.mktemp("source") / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*IGNORED), symlinks=True)
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v", "0"]
    for pattern in ("bench/*", "tests/*"):
        command += ["--ignore", pattern]
    subprocess.run(command, cwd=tree, check=True, capture_output=True, text=True)
    return polib.pofile(str(tree / CATALOGUE))


def test_every_string_in_the_code_is_translated(regenerated):
    missing = [entry.msgid for entry in regenerated if not entry.obsolete and not _translated(entry)]
    assert not missing, f"{len(missing)} strings without a zh-hans translation, e.g. {missing[:15]}"


def test_no_translation_is_fuzzy(regenerated):
    fuzzy = [entry.msgid for entry in regenerated if "fuzzy" in entry.flags]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:15]}"


def test_the_committed_catalogue_holds_exactly_what_the_code_marks(regenerated):
    committed = _entries(polib.pofile(str(ROOT / CATALOGUE)))
    current = _entries(regenerated)
    assert not current.keys() - committed.keys(), "run makemessages: strings new in the code"
    assert not committed.keys() - current.keys(), "run makemessages --no-obsolete: strings gone from the code"


def test_msgfmt_accepts_the_catalogue_and_its_placeholders(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(ROOT / CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_the_glossary_is_there_and_the_catalogue_uses_its_core_words():
    glossary = (ROOT / "locale" / "GLOSSARY.md").read_text()
    translations = " ".join(
        entry.msgstr or entry.msgstr_plural.get(0, "") for entry in polib.pofile(str(ROOT / CATALOGUE))
    )
    for word in ("净推荐值", "推荐者", "被动者", "贬损者", "触点", "峰终", "期望比", "关键驱动因素"):
        assert word in glossary
        assert word in translations, word
