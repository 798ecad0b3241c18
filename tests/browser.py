"""Headless Chromium driven over the DevTools protocol on a pipe, for the query UI's browser test.

No WebDriver, no websocket library: Chromium's ``--remote-debugging-pipe`` reads JSON commands
from file descriptor 3 and writes replies and events to descriptor 4, each message ended by a
NUL byte. The browser gets a fresh profile, no background networking, and a host resolver that
resolves nothing but loopback, so even a page that tried could not leave the machine; the test
sees every attempt anyway, as a ``Network.requestWillBeSent`` event.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Flags for a quiet, isolated browser (as in the issue, plus no first-run chrome).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
    # Nothing resolves but loopback: a request to any other host fails before it is sent.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """The Chromium executable, if one is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    """The browser died, timed out, or a command failed."""


class Browser:
    """One browser process and one page, driven by DevTools protocol commands."""

    def __init__(self, process: subprocess.Popen[bytes], commands: Any, replies: Any) -> None:
        self.process = process
        self._commands = commands
        self._replies = replies
        self._buffer = b""
        self._next_id = 0
        self.session: str | None = None
        #: Every event received, in order: (method, params).
        self.events: list[tuple[str, dict[str, Any]]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise BrowserError("timed out waiting for the browser")
            chunk = os.read(self._replies.fileno(), 1 << 16)
            if not chunk:
                raise BrowserError(f"the browser closed its pipe (exit code {self.process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 15
    ) -> dict[str, Any]:
        """Send one command (to the page once :meth:`open_page` has attached) and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session is not None and not method.startswith("Target."):
            message["sessionId"] = self.session
        self._commands.write(json.dumps(message).encode() + b"\0")
        self._commands.flush()
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append((reply["method"], reply.get("params", {})))

    def open_page(self) -> None:
        """Open a blank page and attach to it, with network and runtime events on."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def evaluate(self, expression: str, *, timeout: float = 15) -> Any:
        """Evaluate JavaScript in the page (awaiting a promise) and return its JSON value.

        Raises:
            BrowserError: the expression threw.
        """
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description") or details.get("text"))
        return result["result"].get("value")

    def wait_for(self, expression: str, *, timeout: float = 15) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"still false after {timeout} s: {expression}")
            time.sleep(0.1)

    def requested_urls(self) -> list[str]:
        """Every URL the page asked for so far (drains pending events first)."""
        self.evaluate("0")
        return [
            params["request"]["url"]
            for method, params in self.events
            if method == "Network.requestWillBeSent"
        ]

    def screenshot(self, path: Path) -> None:
        """Save the page as a PNG, for a person to look at."""
        import base64

        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"]))


@contextmanager
def launch(executable: str, profile: Path, *, window: str = "1280,900") -> Iterator[Browser]:
    """Start Chromium with a fresh profile and a DevTools pipe; stop it on exit."""
    # Our end of each pipe stays here; the browser gets the other ends as fds 3 and 4.
    to_browser_read, to_browser_write = os.pipe()
    from_browser_read, from_browser_write = os.pipe()
    command = [executable, *FLAGS, f"--user-data-dir={profile}", f"--window-size={window}", "about:blank"]
    shell = f'exec "$@" 3<&{to_browser_read} 4>&{from_browser_write}'
    with (profile / "chromium.log").open("wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", shell, "chromium", *command],
            pass_fds=(to_browser_read, from_browser_write),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    os.close(to_browser_read)
    os.close(from_browser_write)
    commands = os.fdopen(to_browser_write, "wb")
    replies = os.fdopen(from_browser_read, "rb")
    try:
        yield Browser(process, commands, replies)
    finally:
        try:
            commands.close()
        except OSError:
            pass
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        replies.close()
