"""gzip for large answers, when the client says it accepts it.

Small answers are sent as they are: below ``GZIP_THRESHOLD`` bytes the compression costs
more than the bytes it saves. A negative threshold turns compression off (for a deployment
behind a proxy that compresses).
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, current_app, request

#: zlib's level: 6 is its default; higher levels cost much more time for a few percent.
LEVEL = 6


def compress(response: Response) -> Response:
    """gzip a large enough successful answer for a client that accepts gzip."""
    if response.status_code not in (200, 304) or response.direct_passthrough:
        return response
    # Whether the body is compressed depends on Accept-Encoding: caches must keep both.
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
    threshold = int(current_app.config["GZIP_THRESHOLD"])
    if response.status_code != 200 or threshold < 0 or "Content-Encoding" in response.headers:
        return response
    body = response.get_data()
    # Cheapest test first: most answers are small, and parsing Accept-Encoding costs more.
    if len(body) < threshold or request.accept_encodings["gzip"] <= 0:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    """Compress large answers."""
    app.after_request(compress)
