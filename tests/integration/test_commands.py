"""The everyday commands through the real binary: add/remove/pause/resume
editing the config in place (everything else byte for byte), list and
list --json, catchup and add --only-new, import-opml/export-opml round trip
and hostile OPML, check against a real Dovecot with a good and a bad
password, --help/--version and the documented exit statuses.
"""
import json
import os
import unittest

import dovecot
import rig
from feeds import rss

HEAD = """; my feeds -- hand-written, keep my comments
[rss2mail]
from = Feeds <feeds@example.org>   ; the bridge's own address
to = me@example.org
maildir = {md}
state = {dir}/state.db

# the one I read first
[feed.first]
url = {url}
"""


class Commands(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.md = os.path.join(self.dir, "Mail")
        self.http = rig.feed_server(self)
        self.http.put("/first.xml", rss("first", 2, entry="T {i}"))
        self.http.put("/second.xml", rss("second", 3, entry="T {i}"))
        self.cfg = rig.write_config(self.dir, HEAD.format(
            md=self.md, dir=self.dir, url=self.http.url("/first.xml")))

    def text(self):
        with open(self.cfg) as f:
            return f.read()

    def test_edit_in_place_preserves_the_rest(self):
        before = self.text()
        r = rig.run(self.cfg, "add", "second", self.http.url("/second.xml"),
                    "folder=Feeds/Second")
        self.assertEqual(r.returncode, 0, r.stderr)
        after = self.text()
        self.assertTrue(after.startswith(before), after)
        self.assertIn("[feed.second]", after)
        self.assertIn("folder = Feeds/Second", after)
        # a name that exists is refused, a name that does not is explained
        r = rig.run(self.cfg, "add", "second", "http://x.example/")
        self.assertEqual(r.returncode, 2)
        self.assertIn("already exists", r.stderr)
        r = rig.run(self.cfg, "pause", "nosuch")
        self.assertEqual(r.returncode, 2)
        self.assertIn("nosuch", r.stderr)
        # pause / resume touch only that section
        self.assertEqual(rig.run(self.cfg, "pause", "first").returncode, 0)
        self.assertIn("paused = yes", self.text())
        self.assertTrue(self.text().startswith(before.split("[feed.first]")[0]))
        self.assertEqual(rig.run(self.cfg, "resume", "first").returncode, 0)
        self.assertEqual(rig.run(self.cfg, "remove", "second").returncode, 0)
        self.assertEqual(self.text(), before)
        self.assertEqual(os.stat(self.cfg).st_mode & 0o777, 0o600)

    def test_list_and_paused_feeds(self):
        rig.run(self.cfg, "add", "second", self.http.url("/second.xml"))
        rig.run(self.cfg, "pause", "second")
        self.http.clear_log()       # add looked at the URL once
        r = rig.run(self.cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(rig.read_maildir(self.md)), 2)
        self.assertEqual(self.http.requests_for("/second.xml"), [])
        r = rig.run(self.cfg, "list")
        self.assertEqual(r.returncode, 0)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertRegex(lines[0], r"^first\s+active\s")
        self.assertRegex(lines[1], r"^second\s+paused\s")
        feeds = json.loads(rig.run(self.cfg, "list", "--json").stdout)
        self.assertEqual(feeds[0]["delivered"], 2)
        self.assertEqual(feeds[1]["state"], "paused")

    def test_catchup_and_only_new(self):
        r = rig.run(self.cfg, "catchup", "--all")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = rig.run(self.cfg, "add", "second", self.http.url("/second.xml"),
                    "--only-new")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = rig.run(self.cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(rig.read_maildir(self.md), [])
        # one new post
        self.http.put("/second.xml", rss("second", 4, entry="T {i}"))
        rig.run(self.cfg, "run")
        self.assertEqual(len(rig.read_maildir(self.md)), 1)

    def test_opml_round_trip(self):
        opml = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Export</title></head><body>
 <outline text="Tech">
  <outline text="Mail">
   <outline text="Sécurité et courriel" xmlUrl="https://a.example/feed"/>
   <outline text="Ünïcode Ärger" xmlUrl="https://b.example/atom"/>
  </outline>
  <outline text="日本語" xmlUrl="https://c.example/rss"
           htmlUrl="https://c.example/"/>
 </outline>
 <outline text="Loose" xmlUrl="https://d.example/rss"/>
 <outline text="dup" xmlUrl="%s"/>
</body></opml>""" % self.http.url("/first.xml")
        path = os.path.join(self.dir, "in.opml")
        with open(path, "w") as f:
            f.write(opml)
        r = rig.run(self.cfg, "import-opml", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("4 added, 1 already present", r.stdout)
        self.assertIn("category = Tech/Mail", self.text())
        out1 = rig.run(self.cfg, "export-opml")
        self.assertEqual(out1.returncode, 0)
        # import the export into a fresh config: the same feeds and paths
        cfg2 = rig.write_config(self.dir, HEAD.format(
            md=self.md, dir=self.dir, url=self.http.url("/first.xml")),
            name="two.ini")
        p2 = os.path.join(self.dir, "out.opml")
        with open(p2, "w") as f:
            f.write(out1.stdout)
        r = rig.run(cfg2, "import-opml", p2)
        self.assertEqual(r.returncode, 0, r.stderr)
        out2 = rig.run(cfg2, "export-opml")
        self.assertEqual(out1.stdout, out2.stdout)
        for t in ("Sécurité et courriel", "日本語", "Tech", "Mail"):
            self.assertIn(t, out2.stdout)

    def test_hostile_opml_changes_nothing(self):
        before = self.text()
        bad = {
            "xxe": '<?xml version="1.0"?><!DOCTYPE o [<!ENTITY x SYSTEM '
                   '"file:///etc/passwd">]><opml><body><outline text="&x;" '
                   'xmlUrl="http://e.example/"/></body></opml>',
            "laughs": '<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "aaaa">'
                      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body>'
                      '<outline text="&b;" xmlUrl="http://e.example/"/>'
                      '</body></opml>',
            "not-opml": "<html><body>hello</body></html>",
            "garbage": "\x00\x01\x02 not xml",
        }
        for name, text in bad.items():
            path = os.path.join(self.dir, name)
            with open(path, "w") as f:
                f.write(text)
            r = rig.run(self.cfg, "import-opml", path, timeout=10)
            self.assertEqual(r.returncode, 2, name)
            self.assertEqual(len(rig.error_lines(r.stderr)), 1, r.stderr)
            self.assertIn(name, r.stderr)
            self.assertEqual(self.text(), before, name)

    def test_check_against_dovecot(self):
        rig.need_dovecot(self)
        with dovecot.Dovecot() as dc:
            for pw, rc in ((dc.password, 0), ("wrong", 1)):
                pwf = rig.write_secret(self.dir, pw)
                cfg = rig.write_config(self.dir, (
                    "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
                    "deliver = imap\nimap-url = %s\nimap-tls = none\n"
                    "password-file = %s\nstate = %s/state.db\n"
                    "folder = Feeds/{name}\n\n[feed.first]\nurl = %s\n") % (
                    dc.url(""), pwf, self.dir, self.http.url("/first.xml")),
                    name="imap.ini")
                r = rig.run(cfg, "check")
                self.assertEqual(r.returncode, rc, r.stdout + r.stderr)
                if rc == 0:
                    self.assertIn("\u2713 mailbox", r.stdout)
                    # what the server offers and how append will go
                    self.assertIn("server offers MULTIAPPEND LITERAL+",
                                  r.stdout)
                    self.assertIn("delivery: MULTIAPPEND batches", r.stdout)
                    self.assertIn("\u2713 folder Feeds/first", r.stdout)
                    self.assertIn("\u2713 feed first: 2 entries", r.stdout)
                    self.assertIn("all good", r.stdout)
                    self.assertIn("Feeds/first", dc.mailboxes())
                else:
                    self.assertIn("\u2717 mailbox", r.stdout)
                    self.assertIn("login", r.stdout.lower())
            # check delivers nothing
            self.assertEqual(dc.count("Feeds/first"), 0)

    def test_check_reports_every_config_error(self):
        cfg = rig.write_config(self.dir, "[rss2mail]\nfrom = x\nto = me@e.org\n"
                               "colour = blue\n[feed.a]\nurl = gopher://x/\n",
                               name="bad.ini")
        r = rig.run(cfg, "check")
        self.assertEqual(r.returncode, 2)
        crosses = [l for l in r.stdout.splitlines() if l.startswith("\u2717")]
        self.assertGreaterEqual(len(crosses), 3, r.stdout)
        self.assertTrue(any("bad.ini:4" in l and "colour" in l
                            for l in crosses), r.stdout)

    def test_interface(self):
        for args in (["--help"], ["run", "--help"], ["help", "list"]):
            r = rig.run(self.cfg, *args)
            self.assertEqual(r.returncode, 0, args)
            self.assertIn("usage", r.stdout)
        r = rig.run(self.cfg, "--version")
        self.assertRegex(r.stdout, r"^rss2mail \d+\.\d+")
        r = rig.run(self.cfg, "frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command", r.stderr)
        r = rig.run(os.path.join(self.dir, "missing.ini"), "run")
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing.ini", r.stderr)
        r = rig.run(self.dir, "run")             # a directory
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(rig.error_lines(r.stderr)), 1)
        # RSS2MAIL_CONFIG is the default config
        env = {"RSS2MAIL_CONFIG": self.cfg}
        import subprocess
        p = subprocess.run([rig.BIN, "list"], env=dict(os.environ, **env),
                           stdout=subprocess.PIPE, text=True, timeout=30)
        self.assertEqual(p.returncode, 0)
        self.assertIn("first", p.stdout)


if __name__ == "__main__":
    unittest.main()
