"""What the service's linked-data answers share: security headers and plain-text errors.

Pages carry no script, load nothing from elsewhere and may not be framed; the policy says so to
the browser, so that even a label that slipped past escaping could not run.
"""

from __future__ import annotations

from flask import Response

#: Pages use one stylesheet of the service's own and nothing else: no script, frame, form or font.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def secure(response: Response) -> Response:
    """Add the security headers to an answer."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def text_response(status: int, message: str) -> Response:
    """A plain-text answer, for errors."""
    return Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
