"""The Flask app is installed as haironto.server; nothing may import it as a bare top-level `server`."""

from __future__ import annotations

import re

from tests.data import REPO_ROOT


def test_nothing_imports_a_bare_server_module():
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{number}"
        for folder in ("haironto", "server", "tests", "bench")
        for path in (REPO_ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.match(r"\s*(from server(\.| import)|import server\b)", line)
    ]
    assert offenders == []
