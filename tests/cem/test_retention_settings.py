"""The response retention settings: read from the environment, checked at start-up, documented."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "from django.conf import settings; import json; "
    "print(json.dumps([settings.RESPONSE_RETENTION_DAYS, settings.RESPONSE_RETENTION_MODE]))"
)


def _probe(**variables: str) -> tuple[int, str, list | None]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("RESPONSE_RETENTION_DAYS", "RESPONSE_RETENTION_MODE")
    }
    environment.update(variables, DJANGO_SETTINGS_MODULE="cem.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else None
    return result.returncode, result.stderr, loaded


def test_responses_are_kept_forever_unless_told_otherwise():
    assert _probe()[2] == [0, "anonymise"]


def test_the_days_and_the_mode_are_read_from_the_environment():
    assert _probe(RESPONSE_RETENTION_DAYS="730", RESPONSE_RETENTION_MODE="delete")[2] == [730, "delete"]


def test_a_negative_age_or_an_unknown_mode_stops_the_start_with_a_clear_message():
    code, stderr, _ = _probe(RESPONSE_RETENTION_DAYS="-1")
    assert code != 0 and "RESPONSE_RETENTION_DAYS must be 0" in stderr
    code, stderr, _ = _probe(RESPONSE_RETENTION_MODE="shred")
    assert code != 0 and 'RESPONSE_RETENTION_MODE must be "anonymise" or "delete"' in stderr


def test_the_readme_documents_both_settings_in_its_environment_table():
    readme = (ROOT / "README.md").read_text()
    for name in ("RESPONSE_RETENTION_DAYS", "RESPONSE_RETENTION_MODE"):
        assert f"| `{name}` |" in readme
