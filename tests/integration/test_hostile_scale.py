"""1,000 feeds of which 10% are hostile, into a Maildir (issue 8).

900 good feeds of 3 entries each and 100 hostile ones mixed from the cheap
cases of the other hostile suites (entity bombs, XXE, deep nesting, HTML,
garbage, broken HTTP, redirect loops and schemes, 16 MiB caps on endless,
big and gzip-bombed bodies, a trickle cut by a per-feed timeout) are served
by one local feed server.  One `rss2mail run`: every good entry delivered
exactly once, one error line per hostile feed and none for a good one,
exit 1, peak RSS of the process under 256 MB, bounded wall time (printed);
a second run delivers nothing twice.  The state and Maildir live on tmpfs
when /dev/shm is writable.
"""
import os
import random
import re
import shutil
import sys
import tempfile
import unittest

import rig
from feeds import SMALL, rss
from test_hostile_common import RSS_CAP_MB, TIME_SCALE, measured_run

N_FEEDS = 1000
N_HOSTILE = 100
ENTRIES = 3

HDR = b"<?xml version='1.0' encoding='utf-8'?>"
LOL = (b"<!DOCTYPE rss [<!ENTITY lol 'lol'>" + b"".join(
    b"<!ENTITY lol%d '%s'>" % (i, (b"&lol%d;" % (i - 1) if i > 1 else
                                   b"&lol;") * 10) for i in range(1, 10)) +
    b"]>")


def hostile_docs():
    """(path, body, ctype) documents for the put() hostile feeds."""
    rnd = random.Random(42)
    item = (b"<rss version='2.0'><channel><title>x</title><item><title>&x;"
            b"</title><guid>g</guid></item></channel></rss>")
    return [
        ("/h/laughs.xml", HDR + LOL + b"<rss version='2.0'><channel><item>"
         b"<title>&lol9;</title></item></channel></rss>", None),
        ("/h/xxe.xml", HDR + b"<!DOCTYPE rss [<!ENTITY x SYSTEM "
         b"'file:///etc/passwd'>]>" + item, None),
        ("/h/deep.xml", HDR + b"<rss version='2.0'><channel>" +
         b"<a>" * 50000 + b"</a>" * 50000 + b"</channel></rss>", None),
        ("/h/page.html", b"<!DOCTYPE html><html><head><title>t</title>"
         b"</head><body><p>a page</p></body></html>",
         "text/html; charset=utf-8"),
        ("/h/garbage.bin", rnd.randbytes(50000),
         "application/octet-stream"),
        ("/h/truncated.xml", HDR + b"<rss version='2.0'><chan", None),
    ]


# fault routes of feedserver.py (each refused by the fetcher), and the
# per-feed config lines some of them need
ROUTES = [
    ("/status/500", ""), ("/status/404", ""), ("/html", ""),
    ("/garbage-status", ""), ("/empty-reply", ""), ("/redirect-loop", ""),
    ("/redirect-to?url=file:///etc/passwd", ""),
    ("/redirect-to?url=gopher://127.0.0.1:70/1", ""),
    ("/huge-headers?kb=256", ""), ("/huge-header?kb=100", ""),
    ("/gone", ""), ("/retry-after/600", ""),
    ("/gzip-bomb?mb=40", ""), ("/endless", ""), ("/big/20", ""),
    ("/trickle?every=0.5", "timeout = 2s\n"),
    ("/slow-headers?every=0.5", "timeout = 2s\n"),
]


class HostileScale(unittest.TestCase):

    def test_thousand_feeds_ten_percent_hostile(self):
        # on tmpfs when there is one: this measures the binary's memory and
        # time, not the disk (on this machine's disk the ~3,000 fsyncs of
        # the Maildir and the journal add ~15 s)
        shm = "/dev/shm"
        if os.path.isdir(shm) and os.access(shm, os.W_OK):
            d = tempfile.mkdtemp(prefix="rss2mail-scale-", dir=shm)
            self.addCleanup(shutil.rmtree, d, True)
        else:
            d = rig.tempdir(self)
        md = os.path.join(d, "Mail")
        db = os.path.join(d, "state.db")
        srv = rig.feed_server(self)
        docs = hostile_docs()
        for path, body, ctype in docs:
            srv.put(path, body, ctype or "application/rss+xml")
        hostile_urls = [(p, "") for p, _, _ in docs] + ROUTES
        # the expensive ones (16 MiB each) at most 3 times
        cheap = [u for u in hostile_urls if not any(
            k in u[0] for k in ("gzip-bomb", "endless", "big/", "trickle",
                                "slow-headers"))]
        dear = [u for u in hostile_urls if u not in cheap]
        rnd = random.Random(7)
        picks = dear * 2 + [rnd.choice(cheap) for _ in range(
            N_HOSTILE - 2 * len(dear))]
        rnd.shuffle(picks)
        slots = set(rnd.sample(range(N_FEEDS), N_HOSTILE))
        text = ("[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
                "to = me@example.org\nstate = %s\nmaildir = %s\n"
                "per-host = 16\nconcurrency = 32\n" % (db, md))
        good, bad = [], []
        for i in range(N_FEEDS):
            name = "f%04d" % i
            if i in slots:
                path, extra = picks.pop()
                # a unique query so each is its own feed in the log
                url = srv.url(path) + ("&" if "?" in path else "?") + \
                    "n=%d" % i
                if path.startswith("/h/"):
                    url = srv.url(path)
                text += "\n[feed.%s]\nurl = %s\n%s" % (name, url, extra)
                bad.append(name)
            else:
                srv.put("/g/%s.xml" % name, rss(name, ENTRIES, name, **SMALL))
                text += "\n[feed.%s]\nurl = %s\n" % (
                    name, srv.url("/g/%s.xml" % name))
                good.append(name)
        cfg = rig.write_config(d, text)

        res = measured_run(cfg, "run", timeout=120)
        sys.stderr.write("\n  1,000 feeds (100 hostile): %.1f s, peak RSS "
                         "%.0f MB ... " % (res.secs, res.rss_mb))
        self.assertIsNotNone(res.rc, "killed at the timeout")
        self.assertEqual(res.rc, 1, res.stderr[-3000:])
        self.assertLess(res.rss_mb, RSS_CAP_MB, res)
        self.assertLess(res.secs, 60 * TIME_SCALE, res)
        lines = rig.error_lines(res.stderr)
        failed = sorted(set(l.split(":")[1].split()[-1] for l in lines
                            if l.startswith("rss2mail: feed ")))
        # /gone and /retry-after pause or back off with their own line;
        # every hostile feed has exactly one line, no good feed has one
        self.assertEqual(len(lines), len(failed), lines[:20])
        self.assertEqual(failed, sorted(bad), set(failed) ^ set(bad))

        raws = rig.read_maildir(md)
        self.assertEqual(len(raws), len(good) * ENTRIES)
        ids = set()
        for raw in raws:      # a regex: email's parser takes ~10 s here
            m = re.search(rb"(?im)^Message-ID:\s*(<[^>\r\n]+>)", raw)
            self.assertIsNotNone(m, raw[:500])
            ids.add(m.group(1))
        self.assertEqual(len(ids), len(raws))
        rows = dict(rig.state_rows(db, "SELECT feed, count(*) FROM entries "
                                   "WHERE state = 2 GROUP BY feed"))
        self.assertEqual(sorted(rows), sorted(good))
        self.assertEqual(set(rows.values()), {ENTRIES})
        self.assertEqual(rig.state_rows(db, "PRAGMA integrity_check"),
                         [("ok",)])

        res2 = measured_run(cfg, "run", timeout=120)
        sys.stderr.write("again: %.1f s ... " % res2.secs)
        self.assertIsNotNone(res2.rc)
        self.assertLess(res2.rss_mb, RSS_CAP_MB, res2)
        self.assertEqual(len(rig.read_maildir(md)), len(good) * ENTRIES)
        for l in rig.error_lines(res2.stderr):
            self.assertIn(l.split(":")[1].split()[-1], bad, l)


if __name__ == "__main__":
    unittest.main()
