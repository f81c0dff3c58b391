#!/usr/bin/python3
"""make bench: rss2mail's throughput on a generated corpus (issues 3, 5, 6).

    /usr/bin/python3 tests/bench/bench.py      (after `make`)

Environment: BENCH_FEEDS (1000), BENCH_ENTRIES (20), BENCH_SEED (6),
BENCH_HOSTS (8: the feeds are spread over that many HTTP servers on
127.0.0.1, one port each; rss2mail keys its per-host cap, default 2, on
scheme://host:port, so 8 "hosts" let `concurrency = 16` be used as it would
be against 1,000 real sites), BENCH_PARSE_MB (50), BENCH_TIMEOUT (300 s per
rss2mail run), BENCH_IMAGES (inline, the default of rss2mail, with the
corpus's <img> served by the bench's own server; or remote | none),
BENCH_IMAGE_URLS (shared: the corpus's <img> point at 40 URLs, as feeds
that repeat an avatar or a banner do, and rss2mail fetches each URL once
per pass; unique: every <img> has a URL of its own, so every one is
fetched), BENCH_PHOTOS (0; 1: the images are phone photos, 3-4 MP JPEGs
(0.5-1 MB here), 8 distinct ones behind the 40 URLs: the report adds bytes per
message as delivered and as with the originals embedded, and CPU per
image from build/tools/imagectl --repeat), BENCH_SLOW_IMAGES (0; P: P% of
the image hosts answer after 5 s; with either, each of the 40 image URLs is
on a host of its own), RSS2MAIL_BUILD (build/).

What it does, all on loopback, all under one temp directory:
  1. parse throughput: tests/tools/bench_parse.c (built with make)
  2. a corpus (corpus.py): N feeds x M entries, RSS 2.0 / Atom / RDF, 2-8 KB
     HTML bodies with non-ASCII text, fixed seed, served from memory by
     tests/integration/feedserver.py (ETag, Last-Modified, 304)
  3. the HTTP server alone, fetched by build/tools/fetchctl (the same fetch
     code as rss2mail, no parse, no delivery): can it keep up?
  4. a throwaway Dovecot (tests/integration/dovecot.py) and an rss2mail
     config delivering everything over plain IMAP into one folder
  5. `rss2mail run` processes, each timed (wall, user+sys CPU and peak RSS
     of the child via wait4, through a small launcher: see timed()): cold
     (everything new), warm x3 (nothing changed: all 304; the median
     counts), incremental (one new entry per feed), and where the build
     has it one more incremental step with parse-isolation = no; after
     each, the folder is read over IMAP and every entry must be there
     exactly once (X-RSS-ID complete and unique, Message-ID unique).
     Before each phase: sync; during it, the price of an fdatasync in the
     temp dir is sampled (DiskWatch), since this machine's disk is shared
     and that price decides most of Dovecot's and SQLite's time
  6. the server's own ceiling for the same messages: the cold run's
     messages, FETCHed back, appended into a fresh folder over one
     connection by a minimal MULTIAPPEND (RFC 3502) + LITERAL+ client,
     100 per command, as rss2mail batches them
Then a table with the machine and the issues' targets next to the measured
values.  A missed target is reported, not fatal (exit 0); exit 1 when
something broke: a run failed, an entry was lost or duplicated, a server did
not start.
"""
import collections
import email.header
import imaplib
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
sys.path.insert(0, HERE)

import corpus        # noqa: E402
import dovecot       # noqa: E402
import feedserver    # noqa: E402

BUILD = os.environ.get("RSS2MAIL_BUILD") or os.path.join(TOP, "build")
BIN = os.path.join(BUILD, "rss2mail")
FOLDER = "Feeds"
CEIL_FOLDER = "Ceiling"
BATCH = 100
WARM_RUNS = 3       # cheap and idempotent: the median counts

TARGETS = {"warm_s": 1.0, "incr_s": 3.0, "rss_mb": 64.0, "ceil_pct": 70.0,
           "parse_mbs": 100.0, "parse_x": 3.0}


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        sys.exit("bench: %s must be an integer" % name)


def say(*a):
    print("#", *a, flush=True)


class Broken(Exception):
    """Something the benchmark needs did not work (exit 1)."""


# -- the HTTP side: count response statuses as the server sends them ------

_status = collections.Counter()
_status_lock = threading.Lock()
_orig_send_response = feedserver._Handler.send_response


def _counting_send_response(self, code, message=None):
    with _status_lock:
        _status[code] += 1
    return _orig_send_response(self, code, message)


feedserver._Handler.send_response = _counting_send_response


def status_reset():
    with _status_lock:
        _status.clear()


def status_snapshot():
    with _status_lock:
        return dict(_status)


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return -1.0


# -- machine --------------------------------------------------------------

def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    ram = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    osname = platform.platform(terse=True)
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    dv = "?"
    try:
        dv = subprocess.run([dovecot.DOVECOT, "--version"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            timeout=10).stdout.decode().split()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        pass
    fs = "?"
    try:
        fs = subprocess.run(["stat", "-f", "-c", "%T", tempfile.gettempdir()],
                            stdout=subprocess.PIPE, timeout=10
                            ).stdout.decode().strip()
    except (OSError, subprocess.TimeoutExpired):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": ram, "os": osname,
            "load0": loadavg(),
            "kernel": platform.release(), "dovecot": dv, "tmpfs": fs}


def fsync_probe(d, n=40):
    """Median milliseconds of a 4 KB write + fdatasync in d: the disk's
    price of one durable commit right now (Dovecot pays about one per
    message it saves, SQLite one per commit)."""
    path = os.path.join(d, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    ts = []
    try:
        for i in range(n):
            os.pwrite(fd, b"x" * 4096, 4096 * i)
            t0 = time.perf_counter()
            os.fdatasync(fd)
            ts.append(time.perf_counter() - t0)
    finally:
        os.close(fd)
        os.unlink(path)
    ts.sort()
    return 1000 * ts[len(ts) // 2]


def settle(d):
    """Before a timed phase: write back what the last one left dirty, and
    take the disk's pulse."""
    os.sync()
    return fsync_probe(d)


class DiskWatch:
    """fsync_probe's measure taken every 0.2 s in the background while a
    phase runs: the disk conditions during it (this machine's disk is
    shared; its fsync price moved between 0.1 and 8 ms within minutes)."""

    def __init__(self, d):
        self.d = d
        self.samples = []
        self.stop_ev = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        path = os.path.join(self.d, "fsync-watch")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            i = 0
            while not self.stop_ev.wait(0.2):
                os.pwrite(fd, b"x" * 4096, 4096 * (i % 256))
                t0 = time.perf_counter()
                os.fdatasync(fd)
                self.samples.append(time.perf_counter() - t0)
                i += 1
        finally:
            os.close(fd)
            os.unlink(path)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_ev.set()
        self.thread.join(10)
        return False

    def median_ms(self, default):
        if not self.samples:
            return default
        v = sorted(self.samples)
        return 1000 * v[len(v) // 2]


# -- children, timed ------------------------------------------------------

class Child:
    """A finished child: rc, wall, cpu (user+sys), maxrss_mb, out."""


# Linux carries a process's RSS high-water mark across fork and exec
# (signal->maxrss takes the old mm's hiwater at exec), so a child forked
# straight from this Python process, which holds the corpus, would report
# this process's peak as its own.  Children are therefore started by a small
# fresh interpreter that forks them and reports their wait4 rusage: the
# floor of a peak RSS measured this way is that launcher's (~5 MB).
LAUNCHER = r"""
import json, os, signal, sys, time
res, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execv(cmd[0], cmd)
    finally:
        os._exit(127)
killed = []
def kill(signum, frame):
    killed.append(signum)
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
signal.signal(signal.SIGALRM, kill)
signal.signal(signal.SIGTERM, kill)
signal.setitimer(signal.ITIMER_REAL, timeout)
_, st, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
with open(res, "w") as f:
    json.dump({"rc": os.waitstatus_to_exitcode(st), "wall": wall,
               "user": ru.ru_utime, "sys": ru.ru_stime,
               "maxrss_kb": ru.ru_maxrss, "timed_out": bool(killed)}, f)
"""


def timed(cmd, timeout, out_path, env=None):
    """Run cmd through the launcher; its output goes to out_path."""
    import json
    res = out_path + ".rusage"
    with open(out_path, "wb") as out:
        p = subprocess.Popen([sys.executable, "-S", "-I", "-c", LAUNCHER,
                              res, str(timeout)] + cmd,
                             stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, env=env)
        try:
            p.wait(timeout + 30)
        except BaseException:
            p.terminate()          # the launcher kills its child
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
            raise
    try:
        with open(res) as f:
            ru = json.load(f)
    except (OSError, ValueError):
        raise Broken("launcher for %s exited %s without a result" %
                     (cmd[0], p.returncode))
    c = Child()
    c.rc = ru["rc"]
    c.wall = ru["wall"]
    c.user = ru["user"]
    c.sys = ru["sys"]
    c.cpu = c.user + c.sys
    c.maxrss_mb = ru["maxrss_kb"] / 1024.0
    c.timed_out = ru["timed_out"]
    with open(out_path, "rb") as f:
        c.out = f.read().decode("utf-8", "replace")
    return c


def make_tool(name):
    path = os.path.join(BUILD, "tools", name)
    src = os.path.join(TOP, "tests", "tools", name + ".c")
    if not os.path.exists(src):
        return None
    # RSS2MAIL_BUILD=/elsewhere/build: that tree's make builds the tool
    top = TOP if os.path.realpath(BUILD) == os.path.realpath(
        os.path.join(TOP, "build")) else os.path.dirname(BUILD)
    p = subprocess.run(["make", "-s", "-C", top, "build/tools/" + name],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=600)
    if p.returncode != 0 or not os.access(path, os.X_OK):
        raise Broken("make build/tools/%s failed:\n%s" %
                     (name, p.stdout.decode("utf-8", "replace")[-2000:]))
    return path


# -- parse benchmark ------------------------------------------------------

def parse_bench(tmp):
    tool = make_tool("bench_parse")
    if tool is None:
        say("no tests/tools/bench_parse.c: parse benchmark skipped")
        return None
    mb = os.environ.get("BENCH_PARSE_MB", "50")
    c = timed([tool, mb, "3"], 300, os.path.join(tmp, "bench_parse.out"))
    for line in c.out.splitlines():
        say("bench_parse:", line)
    if c.rc != 0:
        raise Broken("bench_parse exited %d:\n%s" % (c.rc, c.out[-2000:]))
    m = re.search(r"bench-parse: ([\d.]+) MB in ([\d.]+) s = ([\d.]+) "
                  r"MB/s.*?peak RSS ([\d.]+) MB \(([\d.]+)x document",
                  c.out)
    if not m:
        raise Broken("bench_parse: unexpected output:\n" + c.out[-2000:])
    cm = re.search(r"bench-parse: .*\(cpu ([\d.]+) MB/s\)", c.out)
    runs = [float(x) for x in re.findall(r"run \d+: .*?([\d.]+) MB/s,",
                                         c.out)]
    return {"doc_mb": float(m.group(1)), "mbs": float(m.group(3)),
            "peak_mb": float(m.group(4)), "ratio": float(m.group(5)),
            "runs": runs, "maxrss_mb": c.maxrss_mb,
            "cpu_mbs": float(cm.group(1)) if cm else None}


# -- HTTP ------------------------------------------------------------------

class Http:
    def __init__(self, nhosts):
        self.servers = [feedserver.FeedServer().start()
                        for _ in range(nhosts)]
        self.where = {}

    def put_all(self, docs):
        total = 0
        for i, (path, body, ctype) in enumerate(docs):
            s = self.servers[i % len(self.servers)]
            s.put(path, body, ctype)
            self.where[path] = s
            total += len(body)
        return total

    def url(self, path):
        return self.where[path].url(path)

    def clear(self):
        for s in self.servers:
            s.clear_log()
        status_reset()

    def put_images(self, images, slow_pct=0, hosts=None):
        """hosts: image i on hosts[i] (then P% of them 5 s late), and
        counted with the others from now on."""
        for i, (path, body) in enumerate(images):
            (hosts[i] if hosts else self.servers[0]).put(
                path, body, "image/jpeg" if body[:2] == b"\xff\xd8" else
                "image/png", delay=5 if hosts and i * 100 < slow_pct *
                len(images) else 0)
        self.servers += hosts or []


    def counts(self):
        log = [r for s in self.servers for r in s.requests]
        img = sum(1 for r in log if r["path"].startswith("/img/"))
        st = status_snapshot()
        peak = max(s.inflight_max for s in self.servers)
        conns = len({tuple(r["client"]) for r in log})
        return {"requests": len(log) - img, "images": img, "status": st,
                "304": st.get(304, 0), "200": st.get(200, 0),
                "inflight_peak": peak, "connections": conns}

    def stop(self):
        for s in self.servers:
            try:
                s.stop()
            except Exception:
                pass


def server_alone(http, paths, tmp, timeout):
    """The HTTP server fetched by fetchctl (rss2mail's fetch code, nothing
    else): all 200, then all 304 with the validators of the first pass."""
    tool = make_tool("fetchctl")
    if tool is None:
        return None
    out = {}
    urls = os.path.join(tmp, "urls")
    with open(urls, "w") as f:
        for p in paths:
            f.write(http.url(p) + "\n")
    args = [tool, "--concurrency", "16", "--per-host", "2",
            "--allow-private", "--urls", urls]
    http.clear()
    cpu0 = time.process_time()
    c = timed(args, timeout, os.path.join(tmp, "fetchctl-200.out"))
    cpu = time.process_time() - cpu0
    if c.rc != 0:
        raise Broken("fetchctl exited %d: %s" % (c.rc, c.out[-1000:]))
    import json
    res = [json.loads(x) for x in c.out.splitlines() if x.startswith("{")]
    bad = [r for r in res if r.get("result") != "ok"]
    if bad or len(res) != len(paths):
        raise Broken("fetchctl: %d of %d fetches failed, e.g. %r" %
                     (len(bad), len(paths), bad[:1]))
    nbytes = sum(r.get("bytes") or 0 for r in res)
    out["200"] = dict(wall=c.wall, cpu=c.cpu, srv_cpu=cpu, bytes=nbytes,
                      **http.counts())
    with open(urls, "w") as f:
        for r in res:
            f.write("%s\t%s\t%s\n" % (r["url"], r.get("etag") or "",
                                      r.get("last_modified") or ""))
    http.clear()
    cpu0 = time.process_time()
    c = timed(args, timeout, os.path.join(tmp, "fetchctl-304.out"))
    cpu = time.process_time() - cpu0
    res = [json.loads(x) for x in c.out.splitlines() if x.startswith("{")]
    nm = sum(1 for r in res if r.get("result") == "not_modified")
    out["304"] = dict(wall=c.wall, cpu=c.cpu, srv_cpu=cpu, not_modified=nm,
                      **http.counts())
    http.clear()
    return out


# -- IMAP ------------------------------------------------------------------

def dovecot_cpu(dc):
    """CPU seconds used by the Dovecot process group so far: every live
    process's own time plus what the master reaped from exited children
    (the imap process of each connection)."""
    if dc.proc is None:
        return 0.0
    master = dc.proc.pid
    hz = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        # fields[0] is state (field 3); pgrp is field 5, utime 14 ...
        if int(fields[2]) != master:
            continue
        total += int(fields[11]) + int(fields[12])
        if int(pid) == master:
            total += int(fields[13]) + int(fields[14])
    return total / hz


_hdr_re = re.compile(rb"^([A-Za-z-]+):[ \t]*(.*(?:\r?\n[ \t].*)*)",
                     re.MULTILINE)


def _decode(v):
    v = re.sub(r"\r?\n[ \t]", " ", v).strip()
    if "=?" in v:
        v = str(email.header.make_header(email.header.decode_header(v)))
    return v


def folder_ids(dc, folder):
    """[(message-id, x-rss-id)] of every message in folder."""
    c = dc.imap()
    try:
        typ, data = c.select(dovecot.imap_quote(folder), readonly=True)
        if typ != "OK":
            return []
        if int(data[0]) == 0:
            return []
        typ, data = c.uid("FETCH", "1:*",
                          "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID X-RSS-ID)])")
        if typ != "OK":
            raise Broken("FETCH headers: %r" % data[:1])
        out = []
        for item in data:
            if not isinstance(item, tuple):
                continue
            h = {}
            for m in _hdr_re.finditer(item[1]):
                h[m.group(1).decode().lower()] = _decode(
                    m.group(2).decode("utf-8", "replace"))
            out.append((h.get("message-id"), h.get("x-rss-id")))
        return out
    finally:
        c.logout()


def exactly_once(pairs, expected):
    """(ok, one-line description) for the folder against expected ids."""
    msgids = [m for m, _ in pairs]
    rids = collections.Counter(r for _, r in pairs)
    no_msgid = sum(1 for m in msgids if not m)
    dup_msgid = len(msgids) - len(set(msgids))
    dup = sum(n - 1 for n in rids.values() if n > 1)
    missing = expected - set(rids)
    extra = set(rids) - expected
    problems = []
    if no_msgid:
        problems.append("%d without Message-ID" % no_msgid)
    if dup_msgid:
        problems.append("%d duplicate Message-IDs" % dup_msgid)
    if dup:
        problems.append("%d duplicate entries" % dup)
    if missing:
        problems.append("%d missing (e.g. %s)" % (len(missing),
                                                  sorted(missing)[0]))
    if extra:
        problems.append("%d unexpected X-RSS-IDs (e.g. %r)" %
                        (len(extra), sorted(extra, key=str)[0]))
    if problems:
        return False, "; ".join(problems)
    return True, "%d messages, each entry once" % len(pairs)


def phone_photos(images, tmp):
    """BENCH_PHOTOS: the corpus's image URLs serve phone photos (8
    distinct 3-4 MP JPEGs); also the CPU one costs in image_prepare."""
    from test_image import photo
    import io
    shots = []
    for i in range(8):
        w, h = ((2304, 1728), (2048, 1536))[i % 2]
        b = io.BytesIO()
        photo(w, h, seed=i + 1).save(b, "JPEG", quality=92)
        shots.append(b.getvalue())
    path = os.path.join(tmp, "photo.jpg")
    with open(path, "wb") as f:
        f.write(shots[0])
    p = subprocess.run([os.path.join(BUILD, "tools", "imagectl"),
                        "--repeat", "5", path], stdout=subprocess.PIPE,
                       text=True)
    m = re.search(r"ok \S+ (\d+x\d+) (\d+) ([\d.]+) ms each", p.stdout)
    info = {"raw": sum(len(x) for x in shots) / len(shots),
            "cpu_ms": float(m.group(3)) if m else -1,
            "out": "%s, %s bytes" % (m.group(1), m.group(2)) if m else "?"}
    say("photos: 8 of %.1f MB on average; image_prepare %s in %.0f ms "
        "CPU each" % (info["raw"] / 1e6, info["out"], info["cpu_ms"]))
    return [(path, shots[i % 8]) for i, (path, _) in enumerate(images)], info


def photo_bytes(msgs, raw_avg):
    """Bytes per message as delivered, and as it would be with every
    embedded image as the original photo (base64)."""
    after = before = n = 0
    for _, raw in msgs:
        parts = raw.count(b"Content-Type: image/")
        emb = sum(len(x) for x in re.findall(
            rb"Content-Type: image/.*?\r\n\r\n(.*?)\r\n--", raw, re.S))
        after += len(raw)
        before += len(raw) - emb + parts * raw_avg * 4 / 3
        n += 1
    return after / max(n, 1), before / max(n, 1)


def fetch_messages(dc, folder):
    """[(internaldate, raw bytes)] of every message in folder, UID order."""
    c = dc.imap()
    try:
        typ, data = c.select(dovecot.imap_quote(folder), readonly=True)
        if typ != "OK":
            raise Broken("SELECT %s: %r" % (folder, data))
        typ, data = c.uid("FETCH", "1:*", "(INTERNALDATE BODY.PEEK[])")
        if typ != "OK":
            raise Broken("FETCH: %r" % data[:1])
        out = []
        for item in data:
            if isinstance(item, tuple):
                m = re.search(rb'INTERNALDATE "([^"]+)"', item[0])
                out.append((m.group(1) if m else None, item[1]))
        return out
    finally:
        c.logout()


class RawImap:
    """Just enough IMAP over a socket for MULTIAPPEND with LITERAL+."""

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rf = self.sock.makefile("rb")
        self.n = 0
        greeting = self.rf.readline()
        if not greeting.startswith(b"* OK"):
            raise Broken("IMAP greeting: %r" % greeting)

    def command(self, payload):
        """Send 'TAG ' + payload (bytes, CRLF added); return (status line,
        untagged lines)."""
        self.n += 1
        tag = b"b%d" % self.n
        self.sock.sendall(tag + b" " + payload + b"\r\n")
        untagged = []
        while True:
            line = self.rf.readline()
            if not line:
                raise Broken("IMAP connection closed")
            if line.startswith(tag + b" "):
                return line[len(tag) + 1:].rstrip(), untagged
            untagged.append(line)

    def close(self):
        try:
            self.command(b"LOGOUT")
        except Exception:
            pass
        self.rf.close()
        self.sock.close()


def ceiling(dc, messages):
    """MULTIAPPEND batches of BATCH with LITERAL+ into a fresh folder over
    one connection: (seconds, messages appended)."""
    c = RawImap(dc.port)
    try:
        st, _ = c.command(b'LOGIN "%s" "%s"' % (dc.user.encode(),
                                                 dc.password.encode()))
        if not st.startswith(b"OK"):
            raise Broken("ceiling LOGIN: %r" % st)
        st, lines = c.command(b"CAPABILITY")
        caps = b" ".join(lines).upper().split()
        for need in (b"MULTIAPPEND", b"LITERAL+"):
            if need not in caps:
                raise Broken("Dovecot does not offer %s" % need.decode())
        st, _ = c.command(b'CREATE "%s"' % CEIL_FOLDER.encode())
        if not st.startswith(b"OK"):
            raise Broken("ceiling CREATE: %r" % st)
        t0 = time.monotonic()
        done = 0
        for i in range(0, len(messages), BATCH):
            parts = [b'APPEND "%s"' % CEIL_FOLDER.encode()]
            for date, raw in messages[i:i + BATCH]:
                d = b' "%s"' % date if date else b""
                parts.append(b" ()%s {%d+}\r\n" % (d, len(raw)))
                parts.append(raw)
            st, _ = c.command(b"".join(parts))
            if not st.startswith(b"OK"):
                raise Broken("ceiling APPEND: %r" % st[:200])
            done += len(messages[i:i + BATCH])
        return time.monotonic() - t0, done
    finally:
        c.close()


# -- rss2mail ---------------------------------------------------------------

def write_config(tmp, dc, http, paths, nfeeds, images="inline", extra=(),
                 name="config.ini"):
    pw = os.path.join(tmp, "imap-password")
    fd = os.open(pw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(dc.password + "\n")
    lines = ["[rss2mail]",
             "from = Feeds <feeds@bench.example>",
             "to = %s@bench.example" % dc.user,
             "deliver = imap",
             "imap-url = %s" % dc.url(FOLDER),
             "imap-tls = none",
             "password-file = %s" % pw,
             "state = %s" % os.path.join(tmp, "state", "state.db"),
             "concurrency = 16",
             "images = %s" % images]
    if images == "inline":
        # the images are on the bench's loopback server: a private address
        lines.append("allow-private = yes")
    lines += list(extra)
    lines.append("")
    for i, p in enumerate(paths):
        lines += ["[feed.f%04d]" % i, "url = %s" % http.url(p), ""]
    os.makedirs(os.path.join(tmp, "state"), exist_ok=True)
    path = os.path.join(tmp, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines))
    return path


def scenario(name, cfg, dc, http, expected, before, tmp, timeout):
    fsync_ms = settle(tmp)
    http.clear()
    env = dict(os.environ)
    env.pop("RSS2MAIL_CONFIG", None)
    dcpu0 = dovecot_cpu(dc)
    scpu0 = time.process_time()
    with DiskWatch(tmp) as dw:
        c = timed([BIN, "-c", cfg, "run"], timeout,
                  os.path.join(tmp, "run-%s.out" % name), env)
    fsync_before, fsync_ms = fsync_ms, dw.median_ms(fsync_ms)
    scpu = time.process_time() - scpu0
    time.sleep(0.3)            # let the master reap the imap process
    dcpu = dovecot_cpu(dc) - dcpu0
    h = http.counts()
    pairs = folder_ids(dc, FOLDER)
    ok, why = exactly_once(pairs, expected)
    r = {"name": name, "wall": c.wall, "cpu": c.cpu, "user": c.user,
         "sys": c.sys, "rss": c.maxrss_mb, "rc": c.rc, "out": c.out,
         "delivered": len(pairs) - before, "total": len(pairs),
         "once": ok, "why": why, "srv_cpu": scpu, "dc_cpu": dcpu,
         "timed_out": c.timed_out, "fsync_ms": fsync_ms,
         "fsync_before": fsync_before}
    r.update(h)
    r["rate"] = r["delivered"] / c.wall if c.wall > 0 else 0
    say("%-11s rc=%d wall %.2f s, cpu %.2f s (user %.2f sys %.2f), "
        "peak RSS %.1f MB, delivered %d, HTTP: %d feeds (304: %d) + %d "
        "images, %d connections, %d at once, server cpu %.2f s, dovecot "
        "cpu %.2f s, fsync %.1f ms before, %.1f during; %s" % (
            name, c.rc, c.wall, c.cpu, c.user, c.sys, c.maxrss_mb,
            r["delivered"], h["requests"], h["304"], h["images"],
            h["connections"], h["inflight_peak"], scpu, dcpu, fsync_before,
            fsync_ms, why))
    if c.rc != 0:
        tail = "\n".join(c.out.splitlines()[-10:])
        say("%s: rss2mail exited %d%s:\n%s" % (
            name, c.rc, " (killed after %d s)" % timeout if c.timed_out
            else "", tail))
    return r


def has_key(key):
    """Does this build know config key `key`?"""
    try:
        with open(BIN, "rb") as f:
            return key.encode() in f.read()
    except OSError:
        return False


# -- the report -------------------------------------------------------------

def fmt_s(x):
    return "%.2f" % x if x < 100 else "%.0f" % x


def report(m, info, parse, alone, runs, ceil, broken):
    W = 79
    print()
    print("=" * W)
    print("rss2mail bench  %s" % time.strftime("%Y-%m-%d %H:%M UTC",
                                                time.gmtime()))
    print("machine: %d x %s, %.1f GiB RAM" % (m["nproc"], m["cpu"][:40],
                                               m["ram"]))
    print("         %s, Linux %s" % (m["os"][:40], m["kernel"][:25]))
    print("         Dovecot %s, temp dir on %s" % (m["dovecot"], m["tmpfs"]))
    print("         load average %.1f at the start, %.1f at the end%s" % (
        m["load0"], loadavg(), " (busy: times inflated)"
        if max(m["load0"], loadavg()) > m["nproc"] else ""))
    if info:
        print("corpus:  %d feeds x %d entries (seed %d): RSS 2.0 %d, "
              "Atom %d, RDF %d" % (info["feeds"], info["entries"],
                                   info["seed"], info["kinds"]["rss"],
                                   info["kinds"]["atom"],
                                   info["kinds"]["rdf"]))
        print("         %.1f MB of XML, 2-8 KB HTML bodies, 0-3 <img> "
              "each (%s); %d FeedServers" % (
                  info["xml_mb"], "40 URLs" if info["image_urls"] ==
                  "shared" else "each URL distinct", info["hosts"]))
        print("         (ports) on 127.0.0.1; rss2mail: concurrency 16, "
              "per-host 2,")
        print("         images = %s" % info["images"] +
              (" (fetched from the bench's server)"
               if info["images"] == "inline" else ""))
    print("-" * W)
    if runs:
        print("%-11s %6s %5s %6s %5s %5s %5s %5s %5s %4s %5s %5s" % (
            "scenario", "wall s", "cpu s", "peakMB", "msgs", "msg/s",
            "feeds", "304", "imgs", "once", "dvcot", "fsync"))
        for r in runs:
            print("%-11s %6s %5s %6.1f %5d %5s %5d %5d %5d %4s %5s %5.1f" % (
                r["name"], fmt_s(r["wall"]), fmt_s(r["cpu"]), r["rss"],
                r["delivered"],
                "%.0f" % r["rate"] if r["delivered"] else "-",
                r["requests"], r["304"], r["images"],
                "yes" if r["once"] and r["rc"] == 0 else "NO",
                fmt_s(r["dc_cpu"]), r["fsync_ms"]))
        if any(r["name"] == "incr noiso" for r in runs):
            print("incr noiso: one more new entry per feed, with "
                  "parse-isolation = no.")
        print("cpu: user+sys of rss2mail; feeds, 304, imgs: HTTP requests "
              "the server saw;")
        print("dvcot: Dovecot's CPU s; fsync: ms per 4 KB write+fdatasync "
              "in the temp dir")
        import textwrap
        print(textwrap.fill(
            "during the run, median (the disk's price of one durable "
            "commit); "
            "the Python HTTP servers' CPU: %s." % ", ".join(
                "%s %.1f s" % (r["name"], r["srv_cpu"]) for r in runs),
            width=W))
    if ceil:
        print("ceiling: %d msgs (%.1f MB) MULTIAPPEND x%d + LITERAL+, 1 "
              "connection:" % (ceil["n"], ceil["mb"], BATCH))
        print("         %.2f s = %.0f msg/s (Dovecot CPU %.2f s, fsync %.1f "
              "ms)" % (ceil["wall"], ceil["rate"], ceil["dc_cpu"],
                       ceil["fsync_ms"]))
    if alone:
        a, b = alone["200"], alone["304"]
        print("HTTP server alone (fetchctl, concurrency 16, per-host 2, no "
              "parse/deliver):")
        print("         %d x 200 (%.0f MB) in %.2f s = %.0f req/s, server "
              "cpu %.2f s" % (a["requests"], a["bytes"] / 1e6, a["wall"],
                              a["requests"] / a["wall"], a["srv_cpu"]))
        print("         %d x 304 in %.2f s = %.0f req/s, server cpu %.2f s" %
              (b["304"], b["wall"], b["requests"] / b["wall"],
               b["srv_cpu"]))
    if parse:
        print("parse:   bench_parse, %.1f MB RSS 2.0: %.1f MB/s wall, best "
              "of %s" % (parse["doc_mb"], parse["mbs"],
                         "/".join("%.0f" % x for x in parse["runs"])))
        if parse["cpu_mbs"]:
            print("         %.1f MB/s of CPU time" % parse["cpu_mbs"])
        print("         peak RSS %.1f MB = %.2fx the document" % (
            parse["peak_mb"], parse["ratio"]))
    print("-" * W)
    print("%-38s %-14s %-14s %s" % ("target (issue)", "wanted", "measured",
                                     "met"))
    rows = []
    byname = {r["name"]: r for r in runs}

    def row(label, want, got, met):
        rows.append(met)
        print("%-38s %-14s %-14s %s" % (label, want, got,
                                         "-" if met is None else
                                         "yes" if met else "NO"))
    warm = sorted(r["wall"] for r in runs if r["name"].startswith("warm"))
    if warm:
        w = warm[len(warm) // 2]
        row("warm run, all 304 (#6)%s" % (" (median of %d)" % len(warm)
                                          if len(warm) > 1 else ""),
            "< %.0f s" % TARGETS["warm_s"], "%.2f s" % w,
            w < TARGETS["warm_s"])
    if "incremental" in byname:
        r = byname["incremental"]
        row("incremental, 1 new/feed (#6)", "< %.0f s" % TARGETS["incr_s"],
            "%.2f s" % r["wall"], r["wall"] < TARGETS["incr_s"])
        if ceil and r["delivered"]:
            floor = r["delivered"] / ceil["rate"]
            print("  (%d new messages at the ceiling's %.0f msg/s take "
                  "%.2f s by themselves)" % (r["delivered"], ceil["rate"],
                                             floor))
    if runs:
        peak = max(r["rss"] for r in runs)
        row("peak RSS, max of the runs (#5, #6)",
            "< %.0f MB" % TARGETS["rss_mb"], "%.1f MB" % peak,
            peak < TARGETS["rss_mb"])
    if ceil and "cold" in byname:
        pct = 100.0 * byname["cold"]["rate"] / ceil["rate"]
        row("cold msg/s vs ceiling (#5, #6)",
            ">= %.0f%%" % TARGETS["ceil_pct"],
            "%.0f%% (%.0f/%.0f)" % (pct, byname["cold"]["rate"],
                                    ceil["rate"]),
            pct >= TARGETS["ceil_pct"])
        a, b = byname["cold"]["fsync_ms"], ceil["fsync_ms"]
        if max(a, b) > 2 * min(a, b):
            print("  (the disk changed between the two: fsync %.1f ms in "
                  "the cold run, %.1f" % (a, b))
            print("  ms in the ceiling run; compare with care)")
    if runs:
        once = all(r["once"] and r["rc"] == 0 for r in runs)
        row("every entry exactly once, runs ok", "yes",
            "yes" if once else "NO", once)
    if parse:
        row("parse throughput (#3)", ">= %.0f MB/s" % TARGETS["parse_mbs"],
            "%.1f MB/s" % parse["mbs"], parse["mbs"] >= TARGETS["parse_mbs"])
        row("parse peak memory (#3)", "< %.0fx doc" % TARGETS["parse_x"],
            "%.2fx" % parse["ratio"], parse["ratio"] < TARGETS["parse_x"])
    print("-" * W)
    if broken:
        print("BROKEN: " + broken)
    missed = sum(1 for x in rows if x is False)
    print("%d targets met, %d missed%s" % (
        sum(1 for x in rows if x), missed,
        "; the benchmark itself FAILED" if broken else ""))
    print("=" * W, flush=True)


# -- main -------------------------------------------------------------------

def _on_signal(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def main():
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    nfeeds = env_int("BENCH_FEEDS", 1000)
    nentries = env_int("BENCH_ENTRIES", 20)
    seed = env_int("BENCH_SEED", 6)
    nhosts = max(1, env_int("BENCH_HOSTS", 8))
    timeout = env_int("BENCH_TIMEOUT", 300)
    images = os.environ.get("BENCH_IMAGES", "inline")
    if images not in ("inline", "remote", "none"):
        sys.exit("bench: BENCH_IMAGES must be inline, remote or none")
    photos = env_int("BENCH_PHOTOS", 0)
    slow_pct = env_int("BENCH_SLOW_IMAGES", 0)
    image_urls = os.environ.get("BENCH_IMAGE_URLS", "shared")
    if image_urls not in ("shared", "unique"):
        sys.exit("bench: BENCH_IMAGE_URLS must be shared or unique")
    t_start = time.monotonic()
    if not os.access(BIN, os.X_OK):
        print("bench: %s is missing: run make first" % BIN, file=sys.stderr)
        return 1
    if not dovecot.Dovecot.available():
        print("bench: dovecot is not installed (scripts/install-deps)",
              file=sys.stderr)
        return 1
    # the children inherit no limit that would distort RSS/CPU
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    m = machine()
    tmp = tempfile.mkdtemp(prefix="rss2mail-bench-")
    http = dc = None
    parse = alone = ceil = None
    runs = []
    info = {}
    broken = None
    broken_parse = None
    try:
        say("machine: %d x %s, %.1f GiB; temp dir %s" % (
            m["nproc"], m["cpu"], m["ram"], tmp))
        try:
            parse = parse_bench(tmp)
        except Broken as e:
            broken_parse = str(e)
            say("parse benchmark broken: " + broken_parse)

        t0 = time.monotonic()
        http = Http(nhosts)
        img_hosts = None
        if photos or slow_pct:      # each image on a host of its own
            img_hosts = [feedserver.FeedServer().start()
                         for _ in range(corpus.NIMAGES)]
        cp = corpus.Corpus(nfeeds, nentries, seed,
                           img_base=[h.base for h in img_hosts]
                           if img_hosts else http.servers[0].base,
                           unique_images=image_urls == "unique")
        docs = cp.docs()
        xml = http.put_all(docs)
        imgs, pinfo = cp.images(), None
        if photos:
            imgs, pinfo = phone_photos(imgs, tmp)
        http.put_images(imgs, slow_pct, img_hosts)
        paths = [p for p, _, _ in docs]
        info = {"feeds": nfeeds, "entries": nentries, "seed": seed,
                "images": images, "image_urls": image_urls,
                "kinds": cp.kinds(), "xml_mb": xml / 1e6, "hosts": nhosts}
        say("corpus: %d feeds, %d entries, %.1f MB XML in %.1f s" % (
            nfeeds, len(cp.expected_ids), xml / 1e6, time.monotonic() - t0))
        del docs

        alone = server_alone(http, paths, tmp, timeout)
        if alone:
            say("HTTP server alone: %d x 200 in %.2f s (server cpu %.2f s), "
                "%d x 304 in %.2f s (server cpu %.2f s)" % (
                    alone["200"]["requests"], alone["200"]["wall"],
                    alone["200"]["srv_cpu"], alone["304"]["304"],
                    alone["304"]["wall"], alone["304"]["srv_cpu"]))

        dc = dovecot.Dovecot(user="bench", password="bench-pw")
        cfg = write_config(tmp, dc, http, paths, nfeeds, images)

        expected = set(cp.expected_ids)
        r = scenario("cold", cfg, dc, http, expected, 0, tmp, timeout)
        runs.append(r)
        if r["rc"] != 0 or not r["once"]:
            raise Broken("cold run: rc %d, %s" % (r["rc"], r["why"]))

        t0 = time.monotonic()
        msgs = fetch_messages(dc, FOLDER)
        say("ceiling: fetched %d messages (%.1f MB) back in %.1f s" % (
            len(msgs), sum(len(x) for _, x in msgs) / 1e6,
            time.monotonic() - t0))
        if pinfo:
            after, before = photo_bytes(msgs, pinfo["raw"])
            say("photos: %.0f KB per message as delivered, %.0f KB with "
                "the original photos embedded; %d%% of image hosts 5 s "
                "late; cold run %.1f s" % (after / 1e3, before / 1e3,
                                           slow_pct, r["wall"]))
        ceil_fsync = settle(tmp)
        dcpu0 = dovecot_cpu(dc)
        with DiskWatch(tmp) as dw:
            wall, n = ceiling(dc, msgs)
        ceil_fsync = dw.median_ms(ceil_fsync)
        time.sleep(0.3)
        ceil = {"n": n, "wall": wall, "rate": n / wall,
                "mb": sum(len(x) for _, x in msgs) / 1e6,
                "dc_cpu": dovecot_cpu(dc) - dcpu0, "fsync_ms": ceil_fsync}
        say("ceiling: %d messages in %.2f s = %.0f msg/s" % (
            n, wall, ceil["rate"]))
        del msgs

        for i in range(WARM_RUNS):
            r = scenario("warm %d" % (i + 1), cfg, dc, http, expected,
                         r["total"], tmp, timeout)
            runs.append(r)
            if r["rc"] != 0 or not r["once"]:
                raise Broken("warm run: rc %d, %s" % (r["rc"], r["why"]))

        def incremental(name, config, before):
            """One new entry per feed, served, then one timed run."""
            cp.add_one_each()
            for f in cp.feeds:
                http.where[f.path].put(f.path, cp.doc(f), cp.CTYPES[f.kind])
            r = scenario(name, config, dc, http, set(cp.expected_ids),
                         before, tmp, timeout)
            runs.append(r)
            if r["rc"] != 0 or not r["once"]:
                raise Broken("%s run: rc %d, %s" % (name, r["rc"], r["why"]))
            return r

        r = incremental("incremental", cfg, r["total"])
        # the price of parse isolation (a forked, rlimited parser per feed,
        # on by default): the same step once more without it
        if has_key("parse-isolation"):
            incremental("incr noiso", write_config(
                tmp, dc, http, paths, nfeeds, images,
                ["parse-isolation = no"], "config-noiso.ini"), r["total"])
    except Broken as e:
        broken = str(e)
    except dovecot.DovecotError as e:
        broken = "Dovecot: %s" % e
    except KeyboardInterrupt as e:
        broken = "interrupted (%s)" % (e or "SIGINT")
    finally:
        # stop the servers at once; the files go after the report (tens of
        # thousands of Maildir files take a while to unlink)
        try:
            if dc is not None:
                dc.stop()
            if http is not None:
                http.stop()
            if broken_parse:
                broken = (broken_parse if not broken else
                          broken + "; " + broken_parse)
            report(m, info, parse, alone, runs, ceil, broken)
            say("measured in %.0f s; removing %s" % (
                time.monotonic() - t_start, tmp))
        finally:
            if dc is not None:
                dc.close()
            shutil.rmtree(tmp, ignore_errors=True)
    say("bench took %.0f s" % (time.monotonic() - t_start))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
