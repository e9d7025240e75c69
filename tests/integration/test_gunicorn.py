"""With DEBUG off and a secret set, `gunicorn cem.wsgi` alone serves a complete site."""

import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, dict, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def production_server(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": "test-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "False",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=120,
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cem.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    def answering():
        try:
            return fetch(f"http://127.0.0.1:{port}/login/")[0] == 200
        except OSError:
            return server.poll() is not None  # stop waiting if it died

    wait_for(answering, timeout=30)
    if server.poll() is not None:
        pytest.fail(f"gunicorn exited:\n{server.stdout.read().decode()}")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=20)


def test_login_page_and_its_hashed_stylesheet_are_served(production_server):
    status, _, body = fetch(production_server + "/login/")
    assert status == 200
    assert b"Sign in" in body
    stylesheet = re.search(rb'href="(/static/css/cem\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the page should link the hashed stylesheet from the manifest"

    status, headers, css = fetch(production_server + stylesheet.group(1).decode())
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert b"--brand" in css
    assert "max-age" in headers.get("Cache-Control", "")


def test_debug_is_off_so_a_missing_page_shows_no_traceback(production_server):
    with pytest.raises(urllib.error.HTTPError) as error:
        fetch(production_server + "/no-such-page/")
    assert error.value.code == 404
    assert b"Traceback" not in error.value.read()
