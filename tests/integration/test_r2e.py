"""Migrating from rss2email: `import-r2e CONFIG DATA` keeps the feeds, the
per-feed overrides that have an equivalent (to, active, html-mail), and the
entries rss2email had already sent, which are then never sent again.
"""
import json
import os
import unittest

import rig
from feeds import rss

R2E_CONFIG = """[DEFAULT]
from = rss@bridge.example.org
to = reader@example.org
html-mail = False
# a continuation line, as configparser allows
trim-subject:
    yes

[feed.planet]
url = {planet}

[feed.old-blog]
url = {old}
active = False

[feed.Work Feed]
url = {work}
to = work@example.org
html-mail = False
"""


class ImportR2E(unittest.TestCase):

    def test_migration(self):
        d = rig.tempdir(self)
        http = rig.feed_server(self)
        http.put("/planet.xml", rss("planet", 3))
        http.put("/old.xml", rss("old", 2))
        http.put("/work.xml", rss("work", 2))
        r2e = os.path.join(d, "rss2email.cfg")
        with open(r2e, "w") as f:
            f.write(R2E_CONFIG.format(planet=http.url("/planet.xml"),
                                      old=http.url("/old.xml"),
                                      work=http.url("/work.xml")))
        data = os.path.join(d, "rss2email.json")
        with open(data, "w") as f:
            json.dump({"version": 2, "feeds": [
                {"name": "planet", "url": http.url("/planet.xml"),
                 "seen": {"planet-0": {"id": "planet-0"},
                          "planet-1": {"id": "planet-1"}}},
                {"name": "Work Feed", "url": http.url("/work.xml"),
                 "seen": {"work-0": {}, "work-1": {}}},
                {"name": "unknown", "url": "http://x/", "seen": {"z": {}}},
            ]}, f)
        cfg = os.path.join(d, "config.ini")   # does not exist yet
        home = {"HOME": d, "XDG_DATA_HOME": os.path.join(d, "xdg")}
        r = rig.run(cfg, "import-r2e", r2e, data, env=home)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(os.path.join(
            d, "xdg", "rss2mail", "state.db")))
        self.assertIn("3 added", r.stdout)
        self.assertIn("4 entries", r.stdout)
        with open(cfg) as f:
            text = f.read()
        self.assertIn("from = rss@bridge.example.org", text)
        self.assertIn("to = reader@example.org", text)
        self.assertIn("[feed.old-blog]", text)
        self.assertIn("paused = yes", text)
        self.assertIn("to = work@example.org", text)
        self.assertIn("html = no", text)
        # point the new config's Maildir and state into the test dir, then
        # import again (idempotent) with the seen entries into that state
        md = os.path.join(d, "Mail")
        text = text.replace("to = reader@example.org",
                            "to = reader@example.org\nmaildir = %s\n"
                            "state = %s/state.db" % (md, d), 1)
        rig.write_config(d, text)
        r = rig.run(cfg, "import-r2e", r2e, data)   # again: nothing new
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("0 added, 3 already present", r.stdout)
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        msgs = rig.read_maildir(md)
        subjects = sorted(l for m in msgs for l in m.decode().splitlines()
                          if l.startswith("Subject:"))
        self.assertEqual(subjects, ["Subject: planet 2"])
        self.assertEqual(http.requests_for("/old.xml"), [])   # paused

    def test_bad_inputs(self):
        d = rig.tempdir(self)
        cfg = rig.write_config(d, "[rss2mail]\nfrom = a@b.example\n"
                               "to = c@d.example\nstate = %s/s.db\n" % d)
        before = open(cfg).read()
        bad = os.path.join(d, "bad.cfg")
        with open(bad, "w") as f:
            f.write("[feed.x]\nactive = True\n")
        r = rig.run(cfg, "import-r2e", bad)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no url", r.stderr)
        self.assertEqual(open(cfg).read(), before)
        good = os.path.join(d, "good.cfg")
        with open(good, "w") as f:
            f.write("[feed.x]\nurl = http://127.0.0.1:9/x\n")
        junk = os.path.join(d, "junk.json")
        with open(junk, "w") as f:
            f.write("{not json")
        r = rig.run(cfg, "import-r2e", good, junk)
        self.assertEqual(r.returncode, 2)
        self.assertIn("junk.json", r.stderr)
        self.assertEqual(len(rig.error_lines(r.stderr)), 1)


if __name__ == "__main__":
    unittest.main()
