"""Security headers: every response is ``nosniff``; HTML pages get a same-origin Content Security Policy.

The pages (the query UI, the landing page, the query catalogue) load scripts, styles and fonts
from this service only, and may fetch from it only: the UI works with no internet, and a crafted
share link cannot make a visitor's browser query another endpoint.
"""

from __future__ import annotations

from flask import Flask, Response

#: The policy of every HTML page. Scripts come from this origin only: no inline script, nothing
#: evaluated from strings (YASGUI runs without ``'unsafe-eval'``; the browser test checks that no
#: directive is violated). Styles also allow ``'unsafe-inline'``, the one exception YASGUI needs:
#: the column resizer of its results table injects a ``<style>`` element per table whose text
#: names the table's generated id, so no hash could allow it. Inline styles cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def add_security_headers(response: Response) -> Response:
    """Set ``X-Content-Type-Options`` on every response, and the page headers on HTML."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response of ``app``."""
    app.after_request(add_security_headers)
