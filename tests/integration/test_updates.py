"""updates = replace and keep = DURATION against a real Dovecot: an entry
the publisher edits is delivered once more and its old version removed,
keeping the reader's flags; old read mail is expired, unread and flagged
mail never is."""
import email
import os
import unittest

import dovecot
import rig
from feeds import rss


OLD = "Mon, 06 Jan 2020 10:00:00 +0000"
NEW = "Wed, 25 Nov 2026 10:00:00 +0000"


class Updates(unittest.TestCase):
    SERVER = "dovecot"

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = rig.feed_server(self)
        self.dc = rig.imap_server(self, self.SERVER)
        self.pw = rig.write_secret(self.dir, self.dc.password)

    def config(self, extra):
        return rig.write_config(self.dir, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "deliver = imap\nimap-url = %s\nimap-tls = none\n"
            "password-file = %s\nstate = %s/state.db\n%s\n"
            "[feed.upd]\nurl = %s\n") % (self.dc.url("Feeds"), self.pw,
                                          self.dir, extra,
                                          self.http.url("/f.xml")))

    def flag(self, subject, flags):
        c = self.dc.imap()
        try:
            c.select(self.dc.folder("Feeds"))
            typ, data = c.search(None, "SUBJECT", '"%s"' % subject)
            for num in data[0].split():
                c.store(num, "+FLAGS", "(%s)" % flags)
        finally:
            c.logout()

    def messages(self):
        out = {}
        for m in self.dc.fetch_all(self.dc.folder("Feeds"),
                                         with_meta=True):
            msg = email.message_from_bytes(m["raw"])
            out.setdefault(msg["Subject"], []).append(m["flags"])
        return out

    def test_replace_keeps_flags(self):
        cfg = self.config("updates = replace")
        self.http.put("/f.xml", rss("Upd", items=[
            dict(title="Typo in titel", guid="a", date=NEW, description="one"),
            dict(title="Other", guid="b", date=NEW, description="two")]))
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.flag("Typo in titel", "\\Seen \\Flagged")
        self.http.put("/f.xml", rss("Upd", items=[
            dict(title="Typo in title", guid="a", date=NEW, description="one"),
            dict(title="Other", guid="b", date=NEW, description="two")]))
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = self.messages()
        self.assertNotIn("Typo in titel", got)
        self.assertEqual(len(got["Typo in title"]), 1)
        self.assertIn("\\Seen", got["Typo in title"][0])
        self.assertIn("\\Flagged", got["Typo in title"][0])
        self.assertEqual(len(got["Other"]), 1)
        r = rig.run(cfg, "run")            # and nothing more
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sum(len(v) for v in self.messages().values()), 2)

    def test_keep_expires_only_old_read_unflagged(self):
        cfg = self.config("keep = 30d")
        self.http.put("/f.xml", rss("Upd", items=[
            dict(title="old read", guid="1", date=OLD, description="x"),
            dict(title="old flagged", guid="2", date=OLD, description="x"),
            dict(title="old unread", guid="3", date=OLD, description="x"),
            dict(title="new read", guid="4", date=NEW, description="x")]))
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.messages()), 4)
        self.flag("old read", "\\Seen")
        self.flag("old flagged", "\\Seen \\Flagged")
        self.flag("new read", "\\Seen")
        r = rig.run(cfg, "-v", "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = self.messages()
        self.assertEqual(sorted(got), ["new read", "old flagged",
                                       "old unread"])
        # expired mail is not delivered again: the journal remembers it
        r = rig.run(cfg, "run")
        self.assertEqual(sorted(self.messages()), sorted(got))


class UpdatesCyrus(Updates):
    """The same against Cyrus (INBOX. prefix, "." separator)."""
    SERVER = "cyrus"


if __name__ == "__main__":
    unittest.main()
