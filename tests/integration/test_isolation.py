"""Parse isolation: a parser that crashes or hangs on one feed costs that
feed only (a one-line error), the feeds after it are parsed by a new child
and delivered, and the results equal those of an in-process parse."""
import os
import time
import unittest

import rig
from feeds import rss


class Isolation(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = rig.feed_server(self)
        self.http.put("/bad.xml", rss(
            "bad", 2, description="b rss2mail-test-parser"))
        for i in range(6):
            self.http.put("/g%d.xml" % i, rss("g%d" % i, 3))

    def config(self, extra=""):
        md = os.path.join(self.dir, "Mail")
        text = ("[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
                "maildir = %s\nstate = %s/state.db\nconcurrency = 1\n%s\n"
                % (md, self.dir, extra))
        # the bad feed first: every good one comes after the child died
        text += "\n[feed.bad]\nurl = %s\n" % self.http.url("/bad.xml")
        for i in range(6):
            text += "\n[feed.g%d]\nurl = %s\n" % (i, self.http.url(
                "/g%d.xml" % i))
        return md, rig.write_config(self.dir, text)

    def check(self, mode, expect):
        md, cfg = self.config()
        t0 = time.monotonic()
        r = rig.run(cfg, "run", env={"RSS2MAIL_TEST_PARSER": mode,
                                     "RSS2MAIL_TEST_PARSE_SECONDS": "2"},
                    timeout=60)
        self.assertLess(time.monotonic() - t0, 30)
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = rig.error_lines(r.stderr)
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("feed bad:", lines[0])
        self.assertIn(expect, lines[0])
        self.assertEqual(len(rig.read_maildir(md)), 18)

    def test_crash_costs_one_feed(self):
        self.check("crash", "stopped by signal 9")

    def test_hang_costs_one_feed(self):
        self.check("hang", "longer than 2 s")

    def test_same_result_as_in_process(self):
        out = []
        for iso in ("yes", "no"):
            self.dir = rig.tempdir(self)
            md, cfg = self.config("parse-isolation = %s" % iso)
            r = rig.run(cfg, "run", env={
                "RSS2MAIL_TEST_BOUNDARY_SEED": "fixed"})
            self.assertEqual(r.returncode, 0, r.stderr)
            msgs = sorted(m for m in rig.read_maildir(md))
            out.append([b"\n".join(l for l in m.split(b"\n")
                                   if not l.startswith(b"Date:"))
                        for m in msgs])
        self.assertEqual(len(out[0]), 20)
        self.assertEqual(out[0], out[1])


if __name__ == "__main__":
    unittest.main()
