#!/usr/bin/env python3
"""faultproxy - a delay-and-fault TCP proxy for IMAP field conditions.

Between a client and a server on loopback it adds what a real network and a
real provider add:

  delay_ms      latency each way (25 ms each way = a 50 ms round trip);
                bytes keep their order and pipelining is preserved: it is
                latency, not a throughput limit
  cut_after     cut connection k after N bytes from the client, for
                [(k, N), ...] (k counts connections from 1)
  faults        [(n, kind), ...]: the n-th APPEND's tagged reply (counted
                across all connections from 1) is replaced:
                  "throttled"  TAG NO [THROTTLED] (Gmail)
                  "overquota"  TAG NO [OVERQUOTA] Account exceeded ... limits
                  "unavailable" TAG NO [UNAVAILABLE] ... (Yahoo)
                  "outlook"    TAG NO Request is throttled. Suggested Backoff
                               Time: 1000 milliseconds, then a disconnect
                  "outlook:N"  the same with N milliseconds
                  "bye"        * BYE [UNAVAILABLE] ..., then a disconnect
                The server did store that message: a client that takes the
                refusal at its word keeps it pending, and must find it by
                Message-ID before it appends it again.
  refuse        [n, ...]: the n-th APPEND command a client sends (counted
                across all connections from 1) never reaches the server:
                the proxy answers it TAG NO [THROTTLED] itself, right
                after the server's reply to the command before it.  So
                the server did not store it, and stores the APPENDs
                pipelined behind it (a real provider's throttle).  It
                reads the client's commands and literals to do so: not
                for a compressed session.

    with FaultProxy(target_port, delay_ms=25) as p:
        p.port                      # connect here
        p.connections, p.appends    # counters
        p.injected                  # [(n, kind), ...] faults that fired
        p.injected_at, p.connected_at   # when (time.monotonic())

As a program (for `make bench-field` and by hand):
    faultproxy.py --target PORT --listen PORT [--delay-ms 25]

Only the standard library; one asyncio loop in a thread of its own.  Every
connection ends when either side closes or when the proxy is closed.
"""
import argparse
import asyncio
import re
import threading
import time

_APPEND = re.compile(rb"^([A-Za-z0-9.+_-]+) (?:UID )?APPEND ", re.I)
_TAGGED = re.compile(rb"^([A-Za-z0-9.+_-]+) (OK|NO|BAD)\b", re.I)

REPLIES = {
    "throttled": b"%s NO [THROTTLED] Too many simultaneous requests\r\n",
    "overquota": b"%s NO [OVERQUOTA] Account exceeded command or "
                 b"bandwidth limits\r\n",
    "unavailable": b"%s NO [UNAVAILABLE] Service temporarily not "
                   b"available\r\n",
    "outlook": b"%s NO Request is throttled. Suggested Backoff Time: "
               b"1000 milliseconds\r\n",
    "bye": b"* BYE [UNAVAILABLE] Server shutting down\r\n",
}
# how long a partial line waits for the rest before it is passed on
HOLD_S = 0.05
# after these the server side is gone, as with the real providers
CLOSE_AFTER = ("outlook", "bye")


class FaultProxy:

    def __init__(self, target_port, delay_ms=0, cut_after=(), faults=(),
                 listen_host="127.0.0.1", target_host="127.0.0.1",
                 listen_port=0, refuse=()):
        self.target = (target_host, target_port)
        self.delay = delay_ms / 1000.0
        self.cut_after = dict(cut_after)
        self.faults = dict(faults)
        self.refuse = set(refuse)
        self.sent_appends = 0
        self.refused = []           # tags of the APPENDs refused so
        self.listen = (listen_host, listen_port)
        self.connections = 0
        self.appends = 0
        self.injected = []
        self.injected_at = []       # time.monotonic() of each
        self.connected_at = []      # time.monotonic() of each connection
        self.cuts = 0
        self._ready = threading.Event()
        self._loop = None
        self._server = None
        self._writers = set()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("faultproxy did not start")

    # -- lifecycle ------------------------------------------------------

    def _run(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(
            self._serve, *self.listen))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    def close(self):
        if self._loop is None or self._loop.is_closed():
            return

        async def stop():
            self._server.close()
            for w in list(self._writers):
                w.close()
            await asyncio.sleep(0)
            self._loop.stop()
        asyncio.run_coroutine_threadsafe(stop(), self._loop)
        self._thread.join(10)

    def drop(self):
        """Close every open connection now (a network drop)."""
        def go():
            for w in list(self._writers):
                w.close()
        self._loop.call_soon_threadsafe(go)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- one connection -------------------------------------------------

    async def _serve(self, creader, cwriter):
        self.connections += 1
        self.connected_at.append(time.monotonic())
        conn = self.connections
        try:
            sreader, swriter = await asyncio.open_connection(*self.target)
        except OSError:
            cwriter.close()
            return
        self._writers.update((cwriter, swriter))
        # tags: APPENDs forwarded; outstanding: commands forwarded and
        # not yet answered, in order; after: replies to inject after the
        # server's reply to that tag
        state = {"tags": set(), "closed": False, "outstanding": [],
                 "after": {}, "client": cwriter}

        def shut():
            if not state["closed"]:
                state["closed"] = True
                cwriter.close()
                swriter.close()

        up = asyncio.ensure_future(self._up(creader, swriter, conn, state,
                                            shut))
        down = asyncio.ensure_future(self._down(sreader, cwriter, state,
                                                shut))
        await asyncio.wait((up, down), return_when=asyncio.FIRST_COMPLETED)
        # let what is in flight arrive before the other side goes
        await asyncio.sleep(self.delay)
        shut()
        for t in (up, down):
            t.cancel()
        self._writers.discard(cwriter)
        self._writers.discard(swriter)

    def _later(self, writer, data, state, then=None):
        """Write data after the one-way delay (order is kept: every write
        waits the same time)."""
        def go():
            if state["closed"]:
                return
            writer.write(data)
            if then:
                then()
        if self.delay:
            self._loop.call_later(self.delay, go)
        else:
            go()

    def _parse_up(self, data, state, writer):
        """The client's bytes, command by command (with their literals):
        forwarded, except an APPEND to refuse, which is answered here."""
        st = state.setdefault("parse", {"buf": b"", "lit": 0,
                                         "start": True, "drop": None})
        st["buf"] += data
        out = []
        while st["buf"]:
            if st["lit"]:
                chunk = st["buf"][:st["lit"]]
                st["buf"] = st["buf"][len(chunk):]
                st["lit"] -= len(chunk)
                if st["drop"] is None:
                    out.append(chunk)
                continue
            i = st["buf"].find(b"\r\n")
            if i < 0:
                break
            line, st["buf"] = st["buf"][:i + 2], st["buf"][i + 2:]
            if st["start"]:
                tag = line.split(b" ", 1)[0]
                if _APPEND.match(line):
                    self.sent_appends += 1
                    if self.sent_appends in self.refuse:
                        st["drop"] = tag
                    else:
                        state["tags"].add(tag)
                if st["drop"] is None:
                    state["outstanding"].append(tag)
            lit = re.search(rb"\{(\d+)(\+?)\}\r\n$", line)
            if st["drop"] is None:
                out.append(line)
            elif lit and not lit.group(2):
                self._later(state["client"], b"+ go ahead\r\n", state)
            if lit:
                st["lit"] = int(lit.group(1))
                st["start"] = False
                continue
            st["start"] = True
            if st["drop"] is not None:
                self.refused.append(st["drop"])
                rep = REPLIES["throttled"] % st["drop"]
                if state["outstanding"]:
                    state["after"].setdefault(state["outstanding"][-1],
                                              []).append(rep)
                else:
                    self._later(state["client"], rep, state)
                st["drop"] = None
        if out:
            self._later(writer, b"".join(out), state)

    async def _up(self, reader, writer, conn, state, shut):
        limit = self.cut_after.get(conn)
        sent = 0
        pending = b""
        while True:
            data = await reader.read(65536)
            if not data:
                return
            if limit is not None and sent + len(data) > limit:
                self._later(writer, data[:limit - sent], state)
                self.cuts += 1
                await asyncio.sleep(self.delay)
                shut()
                return
            sent += len(data)
            if self.refuse:
                self._parse_up(data, state, writer)
                continue
            # note the tags of APPEND commands (literals are skipped by
            # length only roughly: a message line that looks like a
            # command is not ours to worry about in tests)
            pending += data
            lines = pending.split(b"\r\n")
            pending = lines.pop()[-512:]
            for line in lines:
                m = _APPEND.match(line)
                if m:
                    state["tags"].add(m.group(1))
            self._later(writer, data, state)

    async def _down(self, reader, writer, state, shut):
        buf = b""
        while True:
            # a tail held back for want of a CRLF goes on when nothing
            # follows soon: a COMPRESS=DEFLATE stream (mbsync on the
            # Gmail profile) has no CRLF to wait for
            try:
                data = await asyncio.wait_for(reader.read(65536),
                                              HOLD_S if buf else None)
            except asyncio.TimeoutError:
                self._later(writer, buf, state)
                buf = b""
                continue
            if not data:
                if buf:
                    self._later(writer, buf, state)
                return
            buf += data
            out = []
            while b"\r\n" in buf:
                line, buf = buf.split(b"\r\n", 1)
                line += b"\r\n"
                m = _TAGGED.match(line)
                if m and m.group(1) in state["outstanding"]:
                    state["outstanding"].remove(m.group(1))
                if m and m.group(1) in state["after"]:
                    # after the server's own reply (or its fault)
                    buf = b"".join(state["after"].pop(m.group(1))) + buf
                if m and m.group(1) in state["tags"]:
                    state["tags"].discard(m.group(1))
                    self.appends += 1
                    kind = self.faults.get(self.appends)
                    if kind:
                        self.injected.append((self.appends, kind))
                        self.injected_at.append(time.monotonic())
                        base, _, ms = kind.partition(":")
                        rep = REPLIES[base]
                        if ms:
                            rep = rep.replace(b"1000 milli",
                                              ms.encode() + b" milli")
                        out.append(rep % m.group(1) if b"%s" in rep else rep)
                        if base in CLOSE_AFTER:
                            self._later(writer, b"".join(out), state, shut)
                            return
                        continue
                out.append(line)
            if out:
                self._later(writer, b"".join(out), state)
            # a long line without CRLF yet (a literal's bytes): pass on all
            # but a tail that may still become a tagged reply
            if len(buf) > 4096:
                self._later(writer, buf[:-512], state)
                buf = buf[-512:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--listen", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=0)
    a = ap.parse_args()
    p = FaultProxy(a.target, delay_ms=a.delay_ms, listen_port=a.listen)
    print(p.port, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        p.close()


if __name__ == "__main__":
    main()
