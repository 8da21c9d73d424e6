"""What the HTTP benchmarks share: a free port, a signed-in JSON client, a timer, a started server."""

import http.cookiejar
import json
import socket
import threading
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf = ""

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        if self.csrf:
            req.add_header("x-csrf-token", self.csrf)
        with self.opener.open(req, timeout=600) as r:
            return r.read()

    def json(self, method, path, body=None):
        return json.loads(self.call(method, path, body))


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def wait_serving(server):
    """Reads a `mingjing serve` process's output until it serves and its person index is current
    (rebuilt at start only if the register changed), then drains the rest in the background.
    Returns the lines read, or None if the process ended first."""
    seen, log = set(), []
    for line in server.stdout:
        log.append(line)
        if "serving http://" in line:
            seen.add("serving")
        if "person index" in line:
            seen.add("index")
        if seen == {"serving", "index"}:
            threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
            return log
    return None
