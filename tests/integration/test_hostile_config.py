"""Bad configuration through the real binary (issue 8).

Each broken config: exactly one error line on stderr naming the file (and
the line and key where there is one), exit status 2, nothing delivered and
no state created.  A password file that group or others can read is refused
with the chmod hint before any connection; a missing state directory is
created; an unusable state or Maildir path is a temporary failure (75).
"""
import os
import random
import stat
import unittest

import fakeimap
import rig
from test_hostile_common import GOOD_TOTAL, Hostile, measured_run

HEAD = ("[rss2mail]\nfrom = Feeds <feeds@example.org>\nto = me@example.org\n"
        "state = {db}\nmaildir = {md}\n")
FEED = "\n[feed.a]\nurl = {url}\n"

# (name, config text (HEAD + ...), [substrings of the one error line])
CASES = [
    ("unknown_global_key", HEAD + "fomr = x\n" + FEED,
     [":6:", "'fomr'", "unknown key"]),
    ("unknown_feed_key", HEAD + FEED + "titel = x\n",
     [":9:", "'titel'", "unknown key"]),
    ("bad_enum", HEAD + "deliver = pop3\n" + FEED,
     [":6:", "'deliver'", "pop3"]),
    ("bad_duration", HEAD + "timeout = forever\n" + FEED,
     [":6:", "'timeout'", "forever"]),
    ("bad_size", HEAD + FEED + "max-feed-size = lots\n",
     [":9:", "'max-feed-size'", "lots"]),
    ("bad_bool", HEAD + "allow-private = maybe\n" + FEED,
     [":6:", "'allow-private'", "maybe"]),
    ("bad_number", HEAD + "concurrency = -3\n" + FEED,
     [":6:", "'concurrency'", "-3"]),
    ("bad_address", HEAD.replace("to = me@example.org", "to = not mail") +
     FEED, [":3:", "'to'"]),
    ("unsupported_url_scheme", HEAD + FEED.replace("{url}", "gopher://"
                                                   "example.org/1"),
     [":8:", "'url'", "gopher"]),
    ("missing_url", HEAD + "\n[feed.a]\ntitle = x\n",
     ["'url'", "required"]),
    ("duplicate_section", HEAD + FEED + FEED,
     [":10:", "duplicate section"]),
    ("duplicate_key", HEAD + "to = other@example.org\n" + FEED,
     [":6:", "'to'", "duplicate"]),
    ("garbage_line", HEAD + "just words here\n" + FEED, [":6:"]),
    ("bad_section_header", HEAD + "[feed.a\n", [":6:", "section"]),
    ("imap_without_url", HEAD + "deliver = imap\n" + FEED, ["imap-url"]),
    ("bad_imap_url", HEAD + "deliver = imap\nimap-url = imap://\n" + FEED,
     [":7:", "'imap-url'"]),
]


class HostileConfig(unittest.TestCase):

    def setUp(self):
        self.h = Hostile(self)
        self.url = self.h.http.url("/good1.xml")

    def text(self, t):
        return t.format(db=self.h.db, md=self.h.md, url=self.url)

    def refused(self, cfg, parts, rc=2, name=None):
        res = measured_run(cfg, "run", timeout=20, config_arg=cfg is not None)
        self.assertEqual(res.rc, rc, res)
        lines = rig.error_lines(res.stderr)
        self.assertEqual(len(lines), 1, res.stderr)
        self.assertTrue(lines[0].startswith("rss2mail: "), lines[0])
        self.assertIn(name or os.path.basename(cfg), lines[0])
        for p in parts:
            self.assertIn(p, lines[0])
        self.assertLess(len(lines[0]), 400)
        self.assertLess(res.secs, 5, res)
        self.assertEqual(self.h.messages(), [])
        self.assertFalse(os.path.exists(self.h.db))
        return lines[0]

    def test_table(self):
        for name, text, parts in CASES:
            with self.subTest(name):
                cfg = rig.write_config(self.h.dir, self.text(text),
                                       name=name + ".ini")
                self.refused(cfg, parts)

    def test_config_is_a_directory(self):
        d = os.path.join(self.h.dir, "config.ini")
        os.mkdir(d)
        self.assertIn("directory", self.refused(d, []))

    def test_config_missing(self):
        self.refused(os.path.join(self.h.dir, "nope.ini"), ["nope.ini"])

    def test_nul_byte(self):
        cfg = rig.write_config(self.h.dir, self.text(HEAD + FEED))
        with open(cfg, "ab") as f:
            f.write(b"title = a\0b\n")
        self.refused(cfg, [":9:", "NUL"])

    def test_binary_garbage(self):
        cfg = os.path.join(self.h.dir, "garbage.ini")
        with open(cfg, "wb") as f:
            f.write(random.Random(4).randbytes(20000))
        self.refused(cfg, [":1:"])

    def test_line_too_long(self):
        cfg = rig.write_config(self.h.dir, self.text(HEAD) + "title = " +
                               "x" * 20000 + "\n")
        self.refused(cfg, [":6:", "too long"])

    def test_file_too_large(self):
        cfg = rig.write_config(self.h.dir, self.text(HEAD) +
                               ("; " + "y" * 78 + "\n") * 70000)
        self.refused(cfg, ["too large"])

    # --- secrets ----------------------------------------------------------

    def imap_cfg(self, srv, pw_line, mode=0o600):
        cfg = rig.write_config(self.h.dir, self.text(
            HEAD + "deliver = imap\nimap-url = %s\nimap-tls = none\n%s\n" %
            (srv.url("Feeds"), pw_line) + FEED))
        os.chmod(cfg, mode)
        return cfg

    def assert_secret_refused(self, res, path, srv):
        self.assertNotEqual(res.rc, 0, res)
        lines = rig.error_lines(res.stderr)
        self.assertTrue(lines, res)
        for line in lines:
            self.assertIn(path, line)
            self.assertIn("chmod 600 %s" % path, line)
            self.assertNotIn("hunter2", line)
        self.assertEqual(srv.connections, 0, "a connection was made")
        self.assertEqual(self.h.messages(), [])

    def test_password_file_readable_by_others(self):
        srv = fakeimap.FakeIMAP("ok").start()
        self.addCleanup(srv.stop)
        pw = os.path.join(self.h.dir, "pw")
        with open(pw, "w") as f:
            f.write("hunter2\n")
        for mode in (0o644, 0o640, 0o604):
            with self.subTest(oct(mode)):
                os.chmod(pw, mode)
                cfg = self.imap_cfg(srv, "password-file = " + pw)
                res = measured_run(cfg, "run", timeout=20)
                self.assert_secret_refused(res, pw, srv)
        os.chmod(pw, 0o600)
        res = measured_run(cfg, "run", timeout=20)
        self.assertEqual(res.rc, 0, res)
        self.assertEqual(srv.connections, 1)

    def test_inline_password_in_readable_config(self):
        srv = fakeimap.FakeIMAP("ok").start()
        self.addCleanup(srv.stop)
        cfg = self.imap_cfg(srv, "password = hunter2", mode=0o644)
        res = measured_run(cfg, "run", timeout=20)
        self.assert_secret_refused(res, cfg, srv)

    def test_readable_password_file_is_a_config_error(self):
        # checked with the config, before anything runs: one line naming
        # the file with the chmod that fixes it, exit status 2
        srv = fakeimap.FakeIMAP("ok").start()
        self.addCleanup(srv.stop)
        pw = os.path.join(self.h.dir, "pw")
        with open(pw, "w") as f:
            f.write("hunter2\n")
        os.chmod(pw, 0o644)
        cfg = rig.write_config(self.h.dir, self.text(
            HEAD + "deliver = imap\nimap-url = %s\nimap-tls = none\n"
            "password-file = %s\n" % (srv.url("Feeds"), pw) + FEED + FEED
            .replace("feed.a", "feed.b")))
        res = measured_run(cfg, "run", timeout=20)
        self.assertEqual(res.rc, 2, res)
        self.assertEqual(len(rig.error_lines(res.stderr)), 1, res.stderr)
        self.assertIn(pw, res.stderr)
        self.assertIn("chmod 600", res.stderr)

    # --- paths ------------------------------------------------------------

    def test_missing_state_directory_is_created(self):
        db = os.path.join(self.h.dir, "new", "deeper", "state.db")
        cfg = rig.write_config(self.h.dir, HEAD.format(db=db, md=self.h.md) +
                               FEED.format(url=self.url))
        res = measured_run(cfg, "run", timeout=20)
        self.assertEqual(res.rc, 0, res)
        self.assertTrue(os.path.isfile(db))
        mode = stat.S_IMODE(os.stat(os.path.dirname(db)).st_mode)
        self.assertEqual(mode & 0o077, 0, oct(mode))   # private
        self.assertEqual(len(self.h.messages()), 3)
        self.assertEqual(rig.state_rows(db, "PRAGMA integrity_check"),
                         [("ok",)])

    def test_state_path_unusable(self):
        afile = os.path.join(self.h.dir, "afile")
        with open(afile, "w") as f:
            f.write("x")
        for db in (self.h.dir, os.path.join(afile, "state.db")):
            with self.subTest(db):
                cfg = rig.write_config(self.h.dir, HEAD.format(
                    db=db, md=self.h.md) + FEED.format(url=self.url))
                res = measured_run(cfg, "run", timeout=20)
                self.assertEqual(res.rc, 75, res)
                lines = rig.error_lines(res.stderr)
                self.assertEqual(len(lines), 1, res.stderr)
                self.assertIn(db, lines[0])
                self.assertEqual(self.h.messages(), [])

    def test_maildir_path_is_a_file(self):
        afile = os.path.join(self.h.dir, "afile")
        with open(afile, "w") as f:
            f.write("x")
        cfg = rig.write_config(self.h.dir, HEAD.format(
            db=self.h.db, md=afile) + FEED.format(url=self.url))
        res = measured_run(cfg, "run", timeout=20)
        self.assertIn(res.rc, (1, 75), res)
        lines = rig.error_lines(res.stderr)
        self.assertEqual(len(lines), 1, res.stderr)
        self.assertTrue(lines[0].startswith("rss2mail: feed a: "))
        self.assertIn(afile, lines[0])
        self.assertEqual(rig.state_rows(self.h.db, "SELECT count(*) FROM "
                                        "entries WHERE state = 2"),
                         [(0,)])


if __name__ == "__main__":
    unittest.main()
