"""Cross-origin reads: any web page may query the service, never with credentials.

The service is read-only and public, so every origin is allowed (``*``), which browsers only
honour for requests without cookies or HTTP authentication. Preflights (``OPTIONS`` with
``Access-Control-Request-Method``) are answered by Flask's automatic OPTIONS handling, plus the
headers below.
"""

from __future__ import annotations

from flask import Flask, Response, request

#: Methods a cross-origin page may use: all the service has.
METHODS = "GET, POST, OPTIONS"
#: Request headers a page may set: content negotiation, a POST body's type, revalidation.
REQUEST_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since, Cache-Control"
#: Response headers a page's script may read beyond the CORS-safelisted ones.
EXPOSED_HEADERS = (
    "ETag, Content-Encoding, X-HairOnto-Timeout, X-HairOnto-Row-Limit, X-HairOnto-Rows, "
    "X-HairOnto-Truncated, X-HairOnto-Cache"
)
#: Seconds a browser may remember a preflight's answer.
PREFLIGHT_MAX_AGE = 86400


def allow_cross_origin(response: Response) -> Response:
    """Add the CORS headers to every response (errors too, so a page can read what went wrong)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers["Access-Control-Allow-Methods"] = METHODS
        response.headers["Access-Control-Allow-Headers"] = REQUEST_HEADERS
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    else:
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def init_app(app: Flask) -> None:
    """Answer every request with CORS headers."""
    app.after_request(allow_cross_origin)
