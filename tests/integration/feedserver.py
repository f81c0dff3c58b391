"""A local HTTP feed server for integration tests (standard library only).

    with FeedServer(root="tests/data/feeds") as srv:
        srv.put("/a.xml", b"<rss .../>", "application/rss+xml")
        url = srv.url("/a.xml")
        ...
        assert srv.requests_for("/a.xml")[-1]["headers"]["if-none-match"]

It listens on a free port of 127.0.0.1 (or another loopback address), serves
in-memory documents (put/remove, changeable between runs) and files under a
root directory, each with a strong ETag and a Last-Modified, and answers 304
to If-None-Match (which wins) or If-Modified-Since.  Every request is logged
(method, path, query, headers with lower-case names, the client's address
and port, so tests can count connections) for assertions.  HTTP/1.1
with keep-alive, so clients can reuse connections.

Fault routes, each bounded so that the server never hangs a test (every slow
loop ends when the client goes away, when the server stops, or after
MAX_SLOW_SECONDS):

  /status/NNN                 that status, a small text body
  /redirect/N[?code=C&to=P]   a chain of N redirects (code C, default 302)
                              ending at P (default /feed.xml, built in)
  /redirect-loop              redirects to itself
  /redirect-to?url=U[&code=C] one redirect to any URL (file://, gopher://...)
  /moved-permanently?to=P     301    /found?to=P              302
  /permanent-redirect?to=P    308    /temporary-redirect?to=P 307
  /gone                       410
  /retry-after/N[?code=C&date=1]  429 (or C) with Retry-After: N seconds,
                              or as an HTTP-date N seconds ahead
  /trickle[?every=S]          200, then one byte every S (2) seconds
  /endless                    chunked body of 64 KiB chunks, forever
  /big/N                      N MiB body with a Content-Length
  /gzip-bomb[?mb=N]           a small gzip body that inflates to N (100) MiB
  /html                       an HTML page (not a feed)
  /slow-headers[?every=S]     status line, then one header every S seconds
  /huge-headers[?kb=N]        200 with N (1024) KiB of headers
  /huge-header[?kb=N]         one header line of N (200) KiB
  /garbage-status             not HTTP at all, then close
  /empty-reply                close without answering
  /encoded-as?enc=br          a Content-Encoding nobody asked for
  /truncated-gzip             half a gzip stream
  /slow-tail?mb=N&tail=T      N MiB, the last T bytes at 1000 bytes/s
  /truncated                  Content-Length 1000, 10 bytes, close
  /bad-gzip                   Content-Encoding: gzip over bytes that are not
  /delay/S[?...]              the built-in feed after S seconds
  /echo-headers               the request headers as JSON
  /auth?user=U&pass=P         401 unless basic auth matches, then the feed
  /feed.xml                   a small built-in RSS 2.0 feed (unless put)

`inflight_max` records the most requests handled at once, `inflight_peak(kind)`
the most under one route (/delay/...), to check per-host limits.
Run standalone: python3 feedserver.py [DIR] [PORT].

Also here, for the fetch tests: fetchctl()/fetch1() run build/tools/fetchctl
(or $FETCHCTL) and return its JSON lines; FetchCase skips without it.
"""

import atexit
import base64
import email.utils
import gzip
import hashlib
import http.server
import io
import json
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import zlib

MAX_SLOW_SECONDS = 120
TLS_DIR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "data", "http")
TLS_CA = os.path.join(TLS_DIR, "ca.pem")      # trusts TLS_CERT
TLS_CERT = os.path.join(TLS_DIR, "server.pem")  # localhost, 127.0.0.1
TLS_KEY = os.path.join(TLS_DIR, "server.key")

BUILTIN_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Built-in</title>
<link>http://example.org/</link><description>test</description>
<item><title>One</title><guid>urn:x:1</guid><link>http://example.org/1</link>
<description>first</description></item>
</channel></rss>
"""

HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>Not a feed</title></head>
<body><h1>Welcome</h1><p>This is a web page, not a feed.</p></body></html>
"""

_servers = []
_bomb_cache = {}
_bomb_lock = threading.Lock()


def _gzip_bomb(mb):
    with _bomb_lock:
        if mb not in _bomb_cache:
            out = io.BytesIO()
            zero = bytes(1 << 20)
            with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as g:
                for _ in range(mb):
                    g.write(zero)
            _bomb_cache[mb] = out.getvalue()
        return _bomb_cache[mb]


def _encode(body, how):
    """gzip, gzip-multi (two members), deflate (zlib), deflate-raw."""
    if how == "gzip":
        return gzip.compress(body), "gzip"
    if how == "gzip-multi":
        half = len(body) // 2
        return gzip.compress(body[:half]) + gzip.compress(body[half:]), "gzip"
    if how == "deflate":
        return zlib.compress(body), "deflate"
    if how == "deflate-raw":
        c = zlib.compressobj(wbits=-15)
        return c.compress(body) + c.flush(), "deflate"
    raise ValueError(how)


def _etag(body):
    return '"%s"' % hashlib.sha256(body).hexdigest()[:20]


class _Doc:
    def __init__(self, body, ctype, etag, last_modified, headers, gz):
        self.body = body
        self.ctype = ctype
        self.etag = etag
        self.last_modified = last_modified
        self.headers = headers or {}
        self.gzip = gz


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "feedserver/1"
    # headers and body go out in separate writes: without this, Nagle and
    # delayed ACKs add 40 ms to every reused connection's response
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        # TLS handshakes happen here, in the handler's thread, so a client
        # that stalls in the handshake never blocks the accept loop
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    # --- plumbing -------------------------------------------------------

    def _log(self):
        u = urllib.parse.urlsplit(self.path)
        entry = {
            "method": self.command,
            "path": u.path,
            "query": u.query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "client": self.client_address[:2],    # (ip, port): connections
            "time": time.time(),
        }
        self.server.owner._record(entry)
        return u.path, urllib.parse.parse_qs(u.query)

    def _send(self, status, body=b"", ctype="text/plain; charset=utf-8",
              headers=None):
        self.send_response(status)
        if status not in (204, 304):
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def _alive(self, t0):
        return (not self.server.owner._stopping.is_set()
                and time.time() - t0 < MAX_SLOW_SECONDS)

    def _sleep(self, secs):
        """Sleep, but wake when the server stops; False when stopping."""
        return not self.server.owner._stopping.wait(secs)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        owner = self.server.owner
        path, q = self._log()
        kind = path.strip("/").split("/")[0]
        owner._enter(kind)
        try:
            self._route(path, q)
        except (BrokenPipeError, ConnectionResetError, socket.timeout,
                ConnectionAbortedError):
            self.close_connection = True
        finally:
            owner._leave(kind)

    # --- documents ------------------------------------------------------

    def _serve_doc(self, doc):
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        validators = {}
        if doc.etag:
            validators["ETag"] = doc.etag
        if doc.last_modified:
            validators["Last-Modified"] = doc.last_modified
        fresh = False
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            fresh = doc.etag is not None and (doc.etag in tags or "*" in tags)
        elif ims is not None and doc.last_modified:
            try:
                fresh = (email.utils.parsedate_to_datetime(ims) >=
                         email.utils.parsedate_to_datetime(doc.last_modified))
            except (TypeError, ValueError):
                fresh = False
        if fresh:
            self._send(304, headers=validators)
            return
        headers = dict(validators)
        headers.update(doc.headers)
        body = doc.body
        accept = self.headers.get("Accept-Encoding", "")
        enc = "gzip" if doc.gzip is True else doc.gzip
        if enc and enc.split("-")[0] in accept:
            body, headers["Content-Encoding"] = _encode(body, enc)
        self._send(200, body, doc.ctype, headers)

    def _file_doc(self, path):
        root = self.server.owner.root
        if root is None:
            return None
        rel = urllib.parse.unquote(path).lstrip("/")
        full = os.path.realpath(os.path.join(root, rel))
        if not full.startswith(os.path.realpath(root) + os.sep):
            return None
        if not os.path.isfile(full):
            return None
        with open(full, "rb") as f:
            body = f.read()
        lm = email.utils.formatdate(os.path.getmtime(full), usegmt=True)
        ctype = "application/xml"
        if full.endswith(".json"):
            ctype = "application/feed+json"
        elif full.endswith(".html"):
            ctype = "text/html; charset=utf-8"
        elif full.endswith(".rss"):
            ctype = "application/rss+xml"
        elif full.endswith(".atom"):
            ctype = "application/atom+xml"
        return _Doc(body, ctype, _etag(body), lm, None, False)

    # --- routes -----------------------------------------------------------

    def _route(self, path, q):
        owner = self.server.owner

        def arg(name, default=None):
            v = q.get(name)
            return v[0] if v else default

        doc = owner._docs.get(path)
        if doc is not None:
            if owner._doc_delay.get(path):
                self._sleep(owner._doc_delay[path])
            self._serve_doc(doc)
            return
        parts = path.strip("/").split("/")
        head = parts[0]
        tail = parts[1] if len(parts) > 1 else ""
        if head == "status" and tail.isdigit():
            code = int(tail)
            self._send(code, ("status %d\n" % code).encode())
        elif head == "redirect" and tail.isdigit():
            n = int(tail)
            code = int(arg("code", "302"))
            to = arg("to", "/feed.xml")
            if n <= 0:
                self._redirect(code, to)
            else:
                qs = urllib.parse.urlencode({"code": code, "to": to})
                self._redirect(code, "/redirect/%d?%s" % (n - 1, qs))
        elif head == "redirect-loop":
            self._redirect(302, "/redirect-loop")
        elif head == "redirect-to":
            self._redirect(int(arg("code", "302")), arg("url", "/feed.xml"))
        elif head in ("moved-permanently", "found", "permanent-redirect",
                      "temporary-redirect"):
            code = {"moved-permanently": 301, "found": 302,
                    "permanent-redirect": 308,
                    "temporary-redirect": 307}[head]
            self._redirect(code, arg("to", "/feed.xml"))
        elif head == "gone":
            self._send(410, b"gone\n")
        elif head == "retry-after":
            secs = int(tail or "120")
            code = int(arg("code", "429"))
            if arg("date"):
                val = email.utils.formatdate(time.time() + secs, usegmt=True)
            else:
                val = str(secs)
            self._send(code, b"slow down\n", headers={"Retry-After": val})
        elif head == "trickle":
            self._trickle(float(arg("every", "2")))
        elif head == "endless":
            self._endless()
        elif head == "big" and tail.isdigit():
            self._big(int(tail))
        elif head == "gzip-bomb":
            body = _gzip_bomb(int(arg("mb", "100")))
            self._send(200, body, "application/rss+xml",
                       {"Content-Encoding": "gzip"})
        elif head == "html":
            self._send(200, HTML_PAGE, "text/html; charset=utf-8")
        elif head == "slow-headers":
            self._slow_headers(float(arg("every", "2")))
        elif head == "huge-headers":
            kb = int(arg("kb", "1024"))
            self.send_response(200)
            for i in range(kb):
                self.send_header("X-Filler-%d" % i, "x" * 1000)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif head == "huge-header":
            kb = int(arg("kb", "200"))
            self.send_response(200)
            self.send_header("X-Huge", "x" * (kb * 1024))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif head == "garbage-status":
            self.wfile.write(b"THIS IS NOT HTTP\r\nNor: this\r\n\r\nnope\n")
            self.close_connection = True
        elif head == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"<rss>short")
            self.close_connection = True
        elif head == "bad-gzip":
            self._send(200, b"\x1f\x8b\x08\x00" + b"\xff" * 200,
                       "application/rss+xml", {"Content-Encoding": "gzip"})
        elif head == "encoded-as":
            # a Content-Encoding we never asked for
            self._send(200, b"\x0b\x02\x80hello\x03", "application/rss+xml",
                       {"Content-Encoding": arg("enc", "br")})
        elif head == "truncated-gzip":
            body = gzip.compress(BUILTIN_FEED * 50)
            self._send(200, body[:len(body) // 2], "application/rss+xml",
                       {"Content-Encoding": "gzip"})
        elif head == "slow-tail":
            # N MiB: all but the last `tail` bytes at once, then 1000 B/s
            total = int(arg("mb", "3")) << 20
            tail = int(arg("tail", "3000"))
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(total))
            self.end_headers()
            self.wfile.write(b"s" * (total - tail))
            for _ in range(tail // 100):
                if not self._sleep(0.1):
                    break
                self.wfile.write(b"t" * 100)
            self.close_connection = True
        elif head == "empty-reply":
            self.close_connection = True
        elif head == "delay":
            self._sleep(float(tail or "1"))
            self._send(200, BUILTIN_FEED, "application/rss+xml",
                       {"ETag": _etag(BUILTIN_FEED)})
        elif head == "echo-headers":
            body = json.dumps({k.lower(): v for k, v in
                               self.headers.items()}).encode()
            self._send(200, body, "application/json")
        elif head == "auth":
            want = "%s:%s" % (arg("user", "u"), arg("pass", "p"))
            got = self.headers.get("Authorization", "")
            if got == "Basic " + base64.b64encode(want.encode()).decode():
                self._send(200, BUILTIN_FEED, "application/rss+xml")
            else:
                self._send(401, b"auth required\n", headers={
                    "WWW-Authenticate": 'Basic realm="feeds"'})
        elif path == "/feed.xml" and self._file_doc(path) is None:
            self._serve_doc(_Doc(BUILTIN_FEED, "application/rss+xml",
                                 _etag(BUILTIN_FEED),
                                 "Thu, 26 Nov 2026 12:00:00 GMT", None,
                                 False))
        else:
            doc = self._file_doc(path)
            if doc is None:
                self._send(404, b"not found\n")
            else:
                self._serve_doc(doc)

    def _redirect(self, code, to):
        self._send(code, b"moved\n", headers={"Location": to})

    def _trickle(self, every):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(1 << 20))
        self.end_headers()
        self.wfile.flush()
        t0 = time.time()
        while self._alive(t0):
            self.wfile.write(b"<")
            self.wfile.flush()
            if not self._sleep(every):
                break
        self.close_connection = True

    def _endless(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"<item>" + b"x" * (65536 - 13) + b"</item>"
        frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        t0 = time.time()
        sent = 0
        while self._alive(t0) and sent < (8 << 30):
            self.wfile.write(frame)
            sent += len(chunk)
        self.close_connection = True

    def _big(self, mb):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(mb << 20))
        self.end_headers()
        block = b"x" * (1 << 20)
        for _ in range(mb):
            if self.server.owner._stopping.is_set():
                break
            self.wfile.write(block)
        self.close_connection = True

    def _slow_headers(self, every):
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        self.wfile.flush()
        t0 = time.time()
        i = 0
        while self._alive(t0):
            self.wfile.write(b"X-Slow-%d: y\r\n" % i)
            self.wfile.flush()
            i += 1
            if not self._sleep(every):
                break
        self.close_connection = True


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # clients that hang up (caps, timeouts) are the point of most tests
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, OSError)):
            return
        super().handle_error(request, client_address)


class FeedServer:
    """The test server; a context manager, also stopped at exit."""

    def __init__(self, root=None, host="127.0.0.1", port=0, tls=False):
        """tls=True serves https with tests/data/http/server.pem (trusted
        by TLS_CA); tls=(certfile, keyfile) with another certificate."""
        self.root = root
        self.host = host
        self._docs = {}
        self._doc_delay = {}
        self._log = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._inflight = 0
        self.inflight_max = 0
        self._inflight_by = {}
        self._peak_by = {}
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self.tls = bool(tls)
        if tls:
            cert, key = (TLS_CERT, TLS_KEY) if tls is True else tls
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            self._httpd.socket = ctx.wrap_socket(
                self._httpd.socket, server_side=True,
                do_handshake_on_connect=False)
        self._thread = None
        self._last_lm = 0

    # lifecycle
    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                name="feedserver:%d" % self.port, daemon=True)
            self._thread.start()
            _servers.append(self)
        return self

    def stop(self):
        if self._thread is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._thread = None
        if self in _servers:
            _servers.remove(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # addresses
    @property
    def base(self):
        return "%s://%s:%d" % ("https" if self.tls else "http", self.host,
                                self.port)

    def url(self, path="/"):
        if not path.startswith("/"):
            path = "/" + path
        return self.base + path

    # documents
    def put(self, path, body, ctype="application/rss+xml", etag=True,
            last_modified=True, headers=None, gzip=False, delay=0):
        """Serve body at path.  etag/last_modified: True = computed (the
        Last-Modified moves forward at each put), a string = that value,
        None/False = not sent.  gzip: True or "gzip", "gzip-multi",
        "deflate", "deflate-raw": so encoded when the client accepts it."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if etag is True:
            etag = _etag(body)
        if last_modified is True:
            now = max(int(time.time()), self._last_lm + 1)
            self._last_lm = now
            last_modified = email.utils.formatdate(now, usegmt=True)
        with self._lock:
            self._docs[path] = _Doc(body, ctype, etag or None,
                                    last_modified or None, headers, gzip)
            self._doc_delay[path] = delay

    def remove(self, path):
        with self._lock:
            self._docs.pop(path, None)

    # the request log
    def _record(self, entry):
        with self._lock:
            self._log.append(entry)

    def _enter(self, kind):
        with self._lock:
            self._inflight += 1
            self.inflight_max = max(self.inflight_max, self._inflight)
            n = self._inflight_by.get(kind, 0) + 1
            self._inflight_by[kind] = n
            self._peak_by[kind] = max(self._peak_by.get(kind, 0), n)

    def _leave(self, kind):
        with self._lock:
            self._inflight -= 1
            self._inflight_by[kind] -= 1

    def inflight_peak(self, kind):
        """Most requests at once under /kind/... since clear_log (slow
        handlers of earlier tests may still run under other routes)."""
        with self._lock:
            return self._peak_by.get(kind, 0)

    @property
    def requests(self):
        with self._lock:
            return list(self._log)

    def requests_for(self, path):
        return [r for r in self.requests if r["path"] == path]

    def clear_log(self):
        with self._lock:
            self._log = []
            self.inflight_max = self._inflight
            self._peak_by = dict(self._inflight_by)


@atexit.register
def _stop_all():
    for s in list(_servers):
        try:
            s.stop()
        except Exception:
            pass


# --- driving build/tools/fetchctl -------------------------------------------


TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FETCHCTL = os.environ.get("FETCHCTL",
                          os.path.join(TOP, "build", "tools", "fetchctl"))


def need_fetchctl(case):
    if not os.access(FETCHCTL, os.X_OK):
        case.skipTest("%s not built (make build/tools/fetchctl)" % FETCHCTL)


def fetchctl(urls, *args, timeout=120):
    """Run fetchctl; return the results as a list in completion order."""
    if isinstance(urls, str):
        urls = [urls]
    cmd = [FETCHCTL] + [str(a) for a in args] + list(urls)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("fetchctl exited %d: %s" %
                             (p.returncode, p.stderr.decode()))
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def fetch1(url, *args, timeout=120):
    res = fetchctl([url], *args, timeout=timeout)
    assert len(res) == 1, res
    return res[0]


class FetchCase(unittest.TestCase):
    def setUp(self):
        need_fetchctl(self)

    def assertError(self, res, err, status=None):
        self.assertEqual(res["result"], "error", res)
        self.assertEqual(res["err"], err, res)
        self.assertNotIn("\n", res["err"])
        if status is not None:
            self.assertEqual(res["status"], status, res)


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else None
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    srv = FeedServer(root=root, port=port).start()
    print(srv.base, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
