"""Scheduling and politeness, through the real binary and the local feed
server: the run lock, the daemon (two polls, SIGHUP reload, SIGTERM), a
301/308 persisted after two runs while a 302 never is, 410 pauses a feed,
429 Retry-After and repeated failures back a feed off.
"""
import json
import os
import signal
import subprocess
import time
import unittest

import rig
from feeds import SMALL, rss


class Schedule(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.md = os.path.join(self.dir, "Mail")
        self.http = rig.feed_server(self)

    def config(self, feeds, extra=""):
        text = ("[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
                "to = me@example.org\nmaildir = %s\nstate = %s/state.db\n%s"
                % (self.md, self.dir, extra))
        for name, path in feeds:
            text += "\n[feed.%s]\nurl = %s\n" % (name, self.http.url(path))
        return rig.write_config(self.dir, text)

    def listing(self, cfg):
        r = rig.run(cfg, "list", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        return {f["name"]: f for f in json.loads(r.stdout)}

    def test_second_run_exits_at_once(self):
        self.http.put("/slow.xml", rss("Slow", 5, "e", **SMALL), delay=3)
        cfg = self.config([("slow", "/slow.xml")])
        first = subprocess.Popen([rig.BIN, "-c", cfg, "run"],
                                 stderr=subprocess.PIPE, text=True)
        self.addCleanup(first.kill)
        time.sleep(1.0)                      # the first holds the lock
        t0 = time.monotonic()
        second = rig.run(cfg, "run", timeout=30)
        self.assertLess(time.monotonic() - t0, 2.5)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertIn("another run", second.stderr)
        self.assertEqual(first.wait(timeout=60), 0)
        self.assertEqual(len(rig.read_maildir(self.md)), 5)
        third = rig.run(cfg, "run")
        self.assertEqual(third.returncode, 0, third.stderr)
        self.assertEqual(len(rig.read_maildir(self.md)), 5)
        self.assertEqual(len(self.http.requests_for("/slow.xml")), 2)

    def daemon(self, cfg):
        d = subprocess.Popen([rig.BIN, "-c", cfg, "-v", "daemon"],
                             stderr=subprocess.PIPE, text=True)
        self.addCleanup(d.kill)
        return d

    def wait_polls(self, d, path, n, secs=20):
        """Wait until path was fetched n times; fail with the daemon's
        log if it was not within secs."""
        end = time.monotonic() + secs
        while len(self.http.requests_for(path)) < n and \
                time.monotonic() < end:
            time.sleep(0.2)
        if len(self.http.requests_for(path)) < n:
            d.kill()
            self.fail("%d polls of %s in %d s: %s" % (
                len(self.http.requests_for(path)), path, secs,
                d.communicate()[1][-2000:]))

    def test_daemon_polls_reloads_and_stops(self):
        self.http.put("/a.xml", rss("A", 2, "a", **SMALL))
        self.http.put("/b.xml", rss("B", 3, "b", **SMALL))
        extra = "interval = 1s\nmin-interval = 1s\n"
        cfg = self.config([("a", "/a.xml")], extra)
        d = self.daemon(cfg)
        self.wait_polls(d, "/a.xml", 2)
        # the second poll was conditional and delivered nothing new
        h = self.http.requests_for("/a.xml")[1]["headers"]
        self.assertTrue("if-none-match" in h or "if-modified-since" in h)
        self.assertEqual(len(rig.read_maildir(self.md)), 2)
        # SIGHUP: a feed added to the config is polled without a restart
        self.config([("a", "/a.xml"), ("b", "/b.xml")], extra)
        d.send_signal(signal.SIGHUP)
        end = time.monotonic() + 20
        while len(rig.read_maildir(self.md)) < 5 and time.monotonic() < end:
            time.sleep(0.2)
        self.assertEqual(len(rig.read_maildir(self.md)), 5)
        d.send_signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=30), 0)
        err = d.stderr.read()
        self.assertIn("reloaded", err)
        self.assertIn("SIGTERM", err)

    def test_daemon_pass_longer_than_interval(self):
        # a pass that takes longer than the interval (a slow server) must
        # leave the feed due at once, not sleep until the hourly cap
        self.http.put("/slow.xml", rss("Slow", 1, "s", **SMALL), delay=2)
        extra = "interval = 1s\nmin-interval = 1s\n"
        cfg = self.config([("slow", "/slow.xml")], extra)
        d = self.daemon(cfg)
        self.wait_polls(d, "/slow.xml", 3)
        d.send_signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=30), 0)

    def test_permanent_redirect_persisted_temporary_not(self):
        self.http.put("/new.xml", rss("Moved", 2, "m", **SMALL))
        self.http.put("/tmp.xml", rss("Temp", 2, "t", **SMALL))
        cfg = self.config([("moved", "/moved-permanently?to=/new.xml"),
                           ("temp", "/found?to=/tmp.xml")])
        for _ in range(2):
            r = rig.run(cfg, "run")
            self.assertEqual(r.returncode, 0, r.stderr)
        feeds = self.listing(cfg)
        self.assertEqual(feeds["moved"]["url"], self.http.url("/new.xml"))
        self.assertIn("/found?to=", feeds["temp"]["url"])
        self.http.clear_log()
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        paths = [q["path"] for q in self.http.requests]
        self.assertIn("/new.xml", paths)
        self.assertNotIn("/moved-permanently", paths)
        self.assertIn("/found", paths)
        self.assertEqual(len(rig.read_maildir(self.md)), 4)

    def test_gone_pauses_the_feed(self):
        self.http.put("/ok.xml", rss("OK", 1, "o", **SMALL))
        cfg = self.config([("dead", "/gone"), ("ok", "/ok.xml")])
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 1)
        lines = rig.error_lines(r.stderr)
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("feed dead:", lines[0])
        self.assertIn("410", lines[0])
        self.assertEqual(self.listing(cfg)["dead"]["state"], "gone")
        self.http.clear_log()
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.http.requests_for("/gone"), [])
        # resume polls it again
        self.assertEqual(rig.run(cfg, "resume", "dead").returncode, 0)
        rig.run(cfg, "run")
        self.assertEqual(len(self.http.requests_for("/gone")), 1)

    def test_retry_after_is_honoured(self):
        cfg = self.config([("busy", "/retry-after/3600")])
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 1)
        self.assertIn("429", r.stderr)
        due = self.listing(cfg)["busy"]["next_due"]
        self.assertRegex(due, r"^\d{4}-\d\d-\d\dT")
        self.http.clear_log()
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.http.requests, [])
        # naming the feed polls it anyway
        r = rig.run(cfg, "run", "busy")
        self.assertEqual(len(self.http.requests), 1)


if __name__ == "__main__":
    unittest.main()
