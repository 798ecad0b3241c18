"""One small HTTP interface over two transports, so each protocol test runs against both Flask's
test client and a real server on loopback."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

from flask.testing import FlaskClient
from werkzeug.datastructures import Headers

#: Seconds any one request to the live server may take; the slowest test query is capped at 3 s.
REQUEST_TIMEOUT = 15


@dataclass(frozen=True)
class Reply:
    """What came back."""

    status: int
    headers: Headers
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def mimetype(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip()


Params = list[tuple[str, str]] | dict[str, str] | None


class Transport:
    """Send one request; ``params`` go in the URL, ``body`` with its ``content_type``."""

    endpoint: str  # the absolute URL of /sparql as the server sees it

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        body: bytes | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        raise NotImplementedError

    def get(self, path: str = "/sparql", **kwargs: object) -> Reply:
        return self.request("GET", path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str = "/sparql", **kwargs: object) -> Reply:
        return self.request("POST", path, **kwargs)  # type: ignore[arg-type]


class FlaskTransport(Transport):
    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.endpoint = "http://localhost/sparql"

    def request(self, method, path, *, params=None, body=None, content_type=None, headers=None):
        query = "?" + urlencode(params) if params else ""
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        # Closed once read: a static file's response holds the file open until then.
        with self.client.open(path + query, method=method, data=body, headers=all_headers) as response:
            return Reply(response.status_code, Headers(response.headers), response.get_data())


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Report a 3xx as it is, as Flask's test client does, instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_KeepRedirects)


class LiveTransport(Transport):
    def __init__(self, base: str) -> None:
        self.base = base
        self.endpoint = base + "/sparql"

    def request(self, method, path, *, params=None, body=None, content_type=None, headers=None):
        query = "?" + urlencode(params) if params else ""
        request = urllib.request.Request(self.base + path + query, data=body, method=method)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        # urllib adds a form Content-Type to every body unless one is set; "" means "send none".
        if content_type is not None:
            request.add_header("Content-Type", content_type)
        elif body is not None:
            request.add_header("Content-Type", "")
        try:
            with _OPENER.open(request, timeout=REQUEST_TIMEOUT) as response:
                return Reply(response.status, Headers(list(response.headers.items())), response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, Headers(list(error.headers.items())), error.read())


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
