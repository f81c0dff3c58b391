"""A tiny scripted IMAP server on loopback that misbehaves on purpose
(issue 8's IMAP faults; standard library only).

    with FakeIMAP("append-no") as srv:
        srv.url("Feeds")          "imap://alice@127.0.0.1:PORT/Feeds"
        srv.commands              every command line received (literals
                                  shown as {N}), for assertions
        srv.timeline              the same with time.monotonic() stamps
        srv.appended              [raw message bytes] stored by APPEND
        srv.connections           how many connections were accepted

It speaks just enough IMAP4rev1 for rss2mail's client: CAPABILITY (with
LITERAL+, MULTIAPPEND, UIDPLUS unless caps= says otherwise), LOGIN,
AUTHENTICATE PLAIN, LIST, CREATE, SUBSCRIBE, EXAMINE/SELECT, UID SEARCH
HEADER Message-ID, APPEND (synchronizing and LITERAL+ literals, several
messages per command), NOOP, LOGOUT.  Messages it accepts are kept in
memory per mailbox, so a search after a reconnect finds them.

Behaviours (the first argument):

  ok                  a working server
  append-no           APPEND read whole, answered NO
  append-bad          APPEND read whole, answered BAD
  close-mid-literal   the connection is closed halfway through the first
                      APPEND literal
  close-before-ok     APPEND read whole and stored, the connection closed
                      before the tagged OK (did it land? the client cannot
                      know: its journal must find it by Message-ID)
  silent-append       APPEND read whole, never answered
  giant-literal       the LIST response carries a literal declared as
                      4 GB, streamed (up to giant_mb MB) until the client
                      hangs up
  giant-append        the same literal in an untagged FETCH before the
                      tagged APPEND reply
  junk                the greeting is not IMAP (binary noise), then close
  junk-after-login    LOGIN OK, then noise instead of every response
  silent              accepts the connection and never says anything
  trickle             the greeting comes one byte every `every` (0.5) s,
                      never ending (until MAX_SECONDS)

Bounds: every client socket times out after `idle` (30) seconds, every
connection ends after MAX_SECONDS, a command line is cut at 1 MB, and
stop() closes all connections; the server never hangs a test.
"""
import re
import socket
import socketserver
import threading
import time

MAX_SECONDS = 120
MAX_LINE = 1 << 20
CAPS = "IMAP4rev1 LITERAL+ MULTIAPPEND UIDPLUS AUTH=PLAIN"
JUNK = (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) +
        b"\r\nHTTP/1.1 400 Bad Request\r\n\r\n<html>nope</html>\r\n")

_LITERAL = re.compile(rb"\{(\d+)(\+?)\}\r\n$")


class _Closed(Exception):
    pass


def _quote(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def _args(text):
    """Atoms and quoted strings of a command's argument text."""
    out = []
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"|(\([^)]*\))|(\S+)', text):
        if m.group(1) is not None:
            out.append(re.sub(r"\\(.)", r"\1", m.group(1)))
        else:
            out.append(m.group(2) or m.group(3))
    return out


class _Handler(socketserver.BaseRequestHandler):

    def setup(self):
        self.srv = self.server.owner
        self.sock = self.request
        self.sock.settimeout(self.srv.idle)
        self.buf = b""
        self.t0 = time.monotonic()
        with self.srv.lock:
            self.srv.connections += 1
            self.srv.socks.append(self.sock)

    def finish(self):
        with self.srv.lock:
            if self.sock in self.srv.socks:
                self.srv.socks.remove(self.sock)
        try:
            self.sock.close()
        except OSError:
            pass

    # --- I/O --------------------------------------------------------------

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        try:
            self.sock.sendall(data)
        except OSError:
            raise _Closed()

    def _fill(self):
        if self.srv.stopping.is_set() or \
                time.monotonic() - self.t0 > MAX_SECONDS:
            raise _Closed()
        try:
            d = self.sock.recv(65536)
        except OSError:
            raise _Closed()
        if not d:
            raise _Closed()
        self.buf += d

    def readline(self):
        while b"\r\n" not in self.buf:
            if len(self.buf) > MAX_LINE:
                raise _Closed()
            self._fill()
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def readn(self, n):
        while len(self.buf) < n:
            self._fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def read_command(self):
        """(text with literals as {N}, [literal bytes]); runs the
        mid-literal behaviour."""
        text = b""
        lits = []
        while True:
            line = self.readline()
            m = _LITERAL.search(line)
            if not m:
                text += line[:-2]
                break
            n, plus = int(m.group(1)), m.group(2)
            text += line[:m.start()] + b"{%d}" % n
            if self.srv.behaviour == "close-mid-literal" and \
                    b" APPEND " in text.upper():
                if not plus:
                    self.send("+ go ahead\r\n")
                self.readn(min(n // 2, len(self.buf) + 1) or 1)
                self.srv.log(text.decode("latin-1") + " <closed>")
                self.sock.shutdown(socket.SHUT_RDWR)
                raise _Closed()
            if not plus:
                self.send("+ go ahead\r\n")
            lits.append(self.readn(n))
        return text.decode("latin-1"), lits

    # --- the session ------------------------------------------------------

    def handle(self):
        b = self.srv.behaviour
        try:
            if b == "silent":
                while not self.srv.stopping.wait(0.1):
                    if time.monotonic() - self.t0 > MAX_SECONDS:
                        break
                return
            if b == "junk":
                self.send(JUNK)
                return
            if b == "trickle":
                self.send("* OK ")
                while not self.srv.stopping.wait(self.srv.every):
                    if time.monotonic() - self.t0 > MAX_SECONDS:
                        break
                    self.send("x")
                return
            self.send("* OK fake IMAP ready\r\n")
            self.logged_in = False
            while True:
                text, lits = self.read_command()
                self.srv.log(text)
                if not self.command(text, lits):
                    return
        except _Closed:
            return

    def command(self, text, lits):
        parts = text.split(" ", 2)
        tag = parts[0]
        cmd = parts[1].upper() if len(parts) > 1 else ""
        rest = parts[2] if len(parts) > 2 else ""
        if cmd == "UID":
            sub = rest.split(" ", 1)
            cmd = "UID " + sub[0].upper()
            rest = sub[1] if len(sub) > 1 else ""
        s = self.srv
        if self.logged_in and s.behaviour == "junk-after-login":
            self.send(JUNK)
            return True
        if cmd == "CAPABILITY":
            self.send("* CAPABILITY %s\r\n%s OK done\r\n" % (s.caps, tag))
        elif cmd == "NOOP":
            self.send("%s OK done\r\n" % tag)
        elif cmd == "LOGOUT":
            self.send("* BYE bye\r\n%s OK done\r\n" % tag)
            return False
        elif cmd == "LOGIN":
            self.logged_in = True
            self.send("%s OK logged in\r\n" % tag)
        elif cmd == "AUTHENTICATE":
            if len(_args(rest)) < 2:
                self.send("+ \r\n")
                self.readline()
            self.logged_in = True
            self.send("%s OK logged in\r\n" % tag)
        elif cmd == "LIST":
            self.list(tag, _args(rest))
        elif cmd in ("CREATE", "SUBSCRIBE"):
            a = _args(rest)
            name = a[0] if a else ""
            with s.lock:
                s.boxes.setdefault(name, [])
            self.send("%s OK done\r\n" % tag)
        elif cmd in ("EXAMINE", "SELECT"):
            a = _args(rest)
            name = a[0] if a else ""
            with s.lock:
                box = s.boxes.get(name)
                n = len(box) if box is not None else 0
            if box is None:
                self.send("%s NO Mailbox doesn't exist\r\n" % tag)
            else:
                self.send("* FLAGS (\\Seen)\r\n* %d EXISTS\r\n* 0 RECENT\r\n"
                          "* OK [UIDVALIDITY 1] ok\r\n%s OK [READ-ONLY] "
                          "done\r\n" % (n, tag))
            self.selected = name
        elif cmd == "UID SEARCH":
            self.search(tag, _args(rest))
        elif cmd == "APPEND":
            return self.append(tag, rest, lits)
        else:
            self.send("%s BAD unknown command\r\n" % tag)
        return True

    def list(self, tag, a):
        s = self.srv
        pattern = a[1] if len(a) > 1 else ""
        if s.behaviour == "giant-literal":
            self.giant("* LIST () \"/\" ")
        if pattern == "":
            self.send('* LIST (\\Noselect) "/" ""\r\n')
        else:
            with s.lock:
                names = [n for n in s.boxes if n == pattern]
            for n in names:
                self.send('* LIST () "/" %s\r\n' % _quote(n))
        self.send("%s OK done\r\n" % tag)

    def giant(self, prefix):
        """A literal declared as 4 GB; stream until the client leaves."""
        self.send(prefix + "{4000000000}\r\n")
        block = b"A" * (1 << 20)
        sent = 0
        while sent < self.srv.giant_mb:
            if self.srv.stopping.is_set():
                raise _Closed()
            self.send(block)
            sent += 1
        with self.srv.lock:
            self.srv.giant_sent_mb = sent
        raise _Closed()

    def search(self, tag, a):
        s = self.srv
        want = a[-1] if a else ""
        uids = []
        with s.lock:
            box = s.boxes.get(getattr(self, "selected", ""), [])
            for i, raw in enumerate(box):
                m = re.search(rb"(?im)^Message-ID:\s*(\S+)", raw)
                if m and m.group(1).decode("latin-1") == want:
                    uids.append(str(i + 1))
        self.send("* SEARCH%s\r\n%s OK done\r\n" %
                  ("".join(" " + u for u in uids), tag))

    def append(self, tag, rest, lits):
        s = self.srv
        a = _args(rest)
        name = a[0] if a else ""
        b = s.behaviour
        if b == "append-no":
            self.send("%s NO [UNAVAILABLE] APPEND refused by the test "
                      "server\r\n" % tag)
            return True
        if b == "append-bad":
            self.send("%s BAD APPEND syntax error (test server)\r\n" % tag)
            return True
        if b == "silent-append":
            while not s.stopping.wait(0.1):
                if time.monotonic() - self.t0 > MAX_SECONDS:
                    break
                try:
                    self.sock.settimeout(0.1)
                    if self.sock.recv(1, socket.MSG_PEEK) == b"":
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
            raise _Closed()
        if b == "giant-append":
            self.giant("* 1 FETCH (BODY[] ")
        with s.lock:
            box = s.boxes.setdefault(name, [])
            first = len(box) + 1
            box.extend(lits)
            s.appended.extend(lits)
            last = len(box)
        if b == "close-before-ok":
            self.sock.shutdown(socket.SHUT_RDWR)
            raise _Closed()
        self.send("%s OK [APPENDUID 1 %d:%d] done\r\n" % (tag, first, last))
        return True


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass


class FakeIMAP:
    """See the module docstring."""

    def __init__(self, behaviour="ok", caps=CAPS, host="127.0.0.1",
                 user="alice", giant_mb=320, idle=30, every=0.5):
        self.behaviour = behaviour
        self.caps = caps
        self.host = host
        self.user = user
        self.giant_mb = giant_mb
        self.giant_sent_mb = 0
        self.every = every
        self.idle = idle
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.commands = []
        self.timeline = []        # (monotonic time, command)
        self.appended = []
        self.boxes = {"INBOX": []}
        self.connections = 0
        self.socks = []
        self._srv = _Server((host, 0), _Handler)
        self._srv.owner = self
        self.port = self._srv.server_address[1]
        self._thread = None

    def log(self, text):
        with self.lock:
            self.commands.append(text)
            self.timeline.append((time.monotonic(), text))

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._srv.serve_forever, kwargs={"poll_interval": 0.1},
                name="fakeimap:%d" % self.port, daemon=True)
            self._thread.start()
        return self

    def stop(self):
        if self._thread is None:
            return
        self.stopping.set()
        self._srv.shutdown()
        self._srv.server_close()
        with self.lock:
            socks = list(self.socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def url(self, mailbox=""):
        return "imap://%s@%s:%d/%s" % (self.user, self.host, self.port,
                                       mailbox)

    def commands_named(self, name):
        name = name.upper()
        return [c for c in self.commands
                if len(c.split(" ")) > 1 and
                c.split(" ")[1].upper() == name]
