"""Appending in batches: MULTIAPPEND with LITERAL+ and UIDPLUS, the plain
APPEND fallback when the server offers neither, refusals inside a batch
(size limit, quota), and reconnecting after the server restarts."""
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import dovecot
import mailcheck
from test_imap import IMAPCTL, MSGS, ImapTestCase, imapctl, crlf

QUOTA = """mail_plugins = $mail_plugins quota
plugin {
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:storage=%s
  quota_max_mail_size = 20K
}
"""

# post-login capabilities without LITERAL+, MULTIAPPEND and UIDPLUS
PLAIN_CAPS = "imap_capability = IMAP4rev1 SASL-IR ID ENABLE IDLE NAMESPACE\n"


def make_msgs(directory, n, size=3000, prefix="m", big=()):
    """n message files of ~size bytes (those in big: ~30000 bytes)."""
    paths = []
    for i in range(n):
        body = ("Zeile %d: Grüße — ünïcödé text\r\n" % i) * \
            ((30000 if i in big else size) // 40)
        raw = ("From: Feeds <feeds@example.org>\r\nTo: me@example.org\r\n"
               "Subject: msg %d\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
               "Message-ID: <%s.%d@example.org>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: 8bit\r\n\r\n" % (i, prefix, i)
               ) + body
        p = os.path.join(directory, "%s%03d.eml" % (prefix, i))
        with open(p, "wb") as f:
            f.write(raw.encode("utf-8"))
        paths.append(p)
    return paths


class TmpDirCase(ImapTestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="r2m-imap-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class TestMultiappend(TmpDirCase):

    def test_large_batch_in_order_with_uids(self):
        # more than LIM_APPEND_BATCH (100) in one append() call
        paths = make_msgs(self.tmp, 250)
        rc, out, err = self.ctl("append", self.dc.url(), "Batch", *paths)
        self.assertEqual(rc, 0, err)
        self.assertIn("appended 250", out)
        got = self.dc.fetch_all("Batch", with_meta=True)
        self.assertEqual(len(got), 250)
        for p, m in zip(paths, got):
            self.assertEqual(m["raw"], crlf(p))
        uids = [int(line.rsplit("=", 1)[1]) for line in out.splitlines()
                if line.startswith("ok ")]
        self.assertEqual(uids, [int(m["uid"]) for m in got])
        mailcheck.assert_clean(self, got[-1]["raw"])
        # the log shows batched commands, not 250 round trips
        self.assertEqual(self.dc.count("Batch"), 250)


class TestCeilingTool(TmpDirCase):
    """tests/tools/imap_ceiling, the bench's reference client, works."""

    def test_generated_and_directory(self):
        tool = os.path.join(os.path.dirname(IMAPCTL), "imap_ceiling")
        if not os.access(tool, os.X_OK):
            self.fail("%s not built (make tests)" % tool)
        env = dict(os.environ, IMAP_CEILING_PASSWORD=self.dc.password)
        make_msgs(self.tmp, 7)
        for folder, src, n in (("CeilGen", "gen:25:3000", 25),
                               ("CeilDir", self.tmp, 7)):
            p = subprocess.run([tool, "127.0.0.1", str(self.dc.port),
                                self.dc.user, folder, "10", src], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertRegex(p.stdout.decode(),
                             r"^ceiling messages=%d bytes=\d+ seconds=\S+ "
                             r"rate=\S+\n$" % n)
            self.assertEqual(self.dc.count(folder), n)


class TestRefusalsInBatch(TmpDirCase):

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        cls.dc = dovecot.Dovecot(extra=QUOTA % "400K")

    def test_too_large_message_in_the_middle(self):
        paths = make_msgs(self.tmp, 5, big=(2,), prefix="big")
        rc, out, err = self.ctl("append", self.dc.url(), "Sizes", *paths)
        self.assertEqual(rc, 2, err)           # DELIVER_MSG
        self.assertIn("appended 2", out)       # the two before it
        self.assertIn('append to "Sizes": message refused', err)
        self.assertEqual(self.dc.count("Sizes"), 2)
        # the caller skips the bad one and goes on
        rc, out, err = self.ctl("append", self.dc.url(), "Sizes", *paths[3:])
        self.assertEqual(rc, 0, err)
        got = self.dc.fetch_all("Sizes")
        self.assertEqual([g for g in got],
                         [crlf(p) for p in paths[:2] + paths[3:]])



class TestOverQuota(TmpDirCase):

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        cls.dc = dovecot.Dovecot(extra=QUOTA % "60K")

    def test_over_quota_is_a_folder_failure(self):
        paths = make_msgs(self.tmp, 30, size=3000, prefix="q")
        rc, out, err = self.ctl("append", self.dc.url(), "Small", *paths)
        self.assertEqual(rc, 3, err)           # DELIVER_FOLDER
        self.assertIn('append to "Small": over quota', err)
        # what was reported done is exactly what is stored
        n = int(out.strip().splitlines()[-1].split()[1])
        self.assertEqual(self.dc.count("Small"), n)
        self.assertGreater(n, 0)
        self.assertLess(n, 30)


class TestPlainAppendFallback(TmpDirCase):

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        cls.dc = dovecot.Dovecot(extra=PLAIN_CAPS)

    def test_one_append_per_message(self):
        paths = make_msgs(self.tmp, 12)
        mark = self.dc.log_mark()
        rc, out, err = self.ctl("append", self.dc.url(), "Plain", *paths)
        self.assertEqual(rc, 0, err)
        self.assertIn("appended 12", out)
        got = self.dc.fetch_all("Plain")
        self.assertEqual(got, [crlf(p) for p in paths])
        # no UIDPLUS: no UIDs reported
        self.assertIn("uid=0", out)
        self.assertNotIn("Error", self.dc.log_since(mark))

    def test_remove_without_uidplus_only_marks(self):
        rc, out, err = self.ctl("append", self.dc.url(), "NoUidplus", *MSGS)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.ctl("remove", self.dc.url(), "NoUidplus",
                                "<r2m.2.def@example.org>")
        self.assertEqual((rc, out.strip()), (0, "removed"), err)
        got = self.dc.fetch_all("NoUidplus", with_meta=True)
        # no UID EXPUNGE without UIDPLUS, and no plain EXPUNGE either:
        # that would take what the user marked deleted with it
        self.assertEqual(len(got), 3)
        self.assertIn("\\Deleted", got[1]["flags"])
        self.assertNotIn("\\Deleted", got[0]["flags"])


class TestReconnect(TmpDirCase):

    def test_has_msgid_after_server_restart(self):
        p = subprocess.Popen([IMAPCTL, "script", self.dc.url()],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             env=dict(os.environ,
                                      IMAPCTL_PASSWORD=self.dc.password,
                                      IMAPCTL_TLS="none", IMAPCTL_TIMEOUT="5"))
        try:
            def ask(line):
                p.stdin.write((line + "\n").encode())
                p.stdin.flush()
                return p.stdout.readline().decode().strip()
            self.assertEqual(p.stdout.readline().strip(), b"ready")
            self.assertEqual(ask("ensure Re"), "ok")
            self.assertTrue(ask("append Re " + MSGS[0]).startswith(
                "ok appended 1"))
            self.assertEqual(ask("has Re <r2m.1.abc@example.org>"),
                             "ok found")
            self.dc.restart()
            # the session is gone: has_msgid reconnects and answers
            self.assertEqual(ask("has Re <r2m.1.abc@example.org>"),
                             "ok found")
            self.assertEqual(ask("has Re <nope@example.org>"), "ok missing")
            self.dc.stop()
            # server down: a bounded failure naming the host
            t0 = time.monotonic()
            line = ask("has Re <r2m.1.abc@example.org>")
            self.assertTrue(line.startswith("err 4 imap 127.0.0.1:"), line)
            self.assertLess(time.monotonic() - t0, 20)
            self.dc.start()
            self.assertEqual(ask("has Re <r2m.1.abc@example.org>"),
                             "ok found")
            self.assertTrue(ask("append Re " + MSGS[1]).startswith(
                "ok appended 1"))
        finally:
            p.stdin.close()
            p.wait(timeout=30)
        self.assertEqual(self.dc.count("Re"), 2)


if __name__ == "__main__":
    unittest.main()


ZLIB = "protocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}\n"


class TestCompress(TmpDirCase):
    """COMPRESS=DEFLATE when the server offers it and is not on this
    machine (seen through a byte-counting proxy on a LAN address)."""

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        cls.dc = dovecot.Dovecot(extra=ZLIB)

    def run_through(self, host, folder, paths):
        proxy = dovecot.TcpProxy(self.dc.port, listen_host=host)
        try:
            url = "imap://%s@%s:%d/" % (self.dc.user, host, proxy.port)
            rc, out, err = self.ctl("append", url, folder, *paths)
            self.assertEqual(rc, 0, err)
            return proxy.up
        finally:
            proxy.close()

    def test_compressed_on_lan_not_on_loopback(self):
        paths = make_msgs(self.tmp, 60, size=6000, prefix="z")
        size = sum(os.path.getsize(p) for p in paths)
        up = self.run_through("127.0.0.1", "Loop", paths)
        self.assertGreater(up, size)            # loopback: not compressed
        lan = dovecot.non_loopback_address()
        if lan is None:
            return                              # nothing more to compare
        up = self.run_through(lan, "Lan", paths)
        self.assertLess(up, size / 5)           # the text compresses well
        got = self.dc.fetch_all("Lan")
        self.assertEqual(got, [crlf(p) for p in paths])


class TestDropMidLiteral(TmpDirCase):
    """A connection cut in the middle of an APPEND literal: DELIVER_STORE,
    *done counts only what the server confirmed, nothing half-stored."""

    def test_cut(self):
        paths = make_msgs(self.tmp, 30, size=6000, prefix="cut")
        proxy = dovecot.TcpProxy(self.dc.port, cut_after_up=60000)
        try:
            url = "imap://%s@127.0.0.1:%d/" % (self.dc.user, proxy.port)
            rc, out, err = self.ctl("append", url, "Cut", *paths,
                                    IMAPCTL_TIMEOUT="5")
        finally:
            proxy.close()
        self.assertEqual(rc, 4, err)
        self.assertIn("imap 127.0.0.1: append to \"Cut\"", err)
        done = int(out.strip().splitlines()[-1].split()[1])
        time.sleep(0.5)
        n = self.dc.count("Cut")
        # MULTIAPPEND is atomic: the cut batch left nothing behind
        self.assertEqual(n, done)
        got = self.dc.fetch_all("Cut")
        self.assertEqual(got, [crlf(p) for p in paths[:n]])


class TestRemoveAndExpire(TmpDirCase):
    """updates = replace (remove_msgid keeps the old flags) and keep = N
    days (expire seen, unflagged, old mail) with UIDPLUS: exactly those
    messages go."""

    def flag(self, folder, uid, flags):
        c = self.dc.imap()
        try:
            c.select(folder)
            typ, _ = c.uid("STORE", str(uid), "+FLAGS", "(%s)" % flags)
            self.assertEqual(typ, "OK")
        finally:
            c.logout()

    def test_remove_keeps_flags(self):
        rc, out, err = self.ctl("append", self.dc.url(), "Repl", *MSGS,
                                IMAPCTL_MSGFLAGS="\\Flagged $feed")
        self.assertEqual(rc, 0, err)
        first = self.dc.fetch_all("Repl", with_meta=True)[0]
        self.flag("Repl", first["uid"], "\\Seen")
        rc, out, err = self.ctl("remove", self.dc.url(), "Repl",
                                "<r2m.1.abc@example.org>")
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("removed "), out)
        self.assertEqual(sorted(out.split()[1:]),
                         sorted(["\\Seen", "\\Flagged", "$feed"]))
        left = self.dc.fetch_all("Repl", with_meta=True)
        self.assertEqual(len(left), 2)          # expunged, not just marked
        self.assertNotIn(first["uid"], [m["uid"] for m in left])
        # the new version goes in with the old flags
        rc, out2, err = self.ctl("append", self.dc.url(), "Repl", MSGS[0],
                                 IMAPCTL_MSGFLAGS=" ".join(out.split()[1:]))
        self.assertEqual(rc, 0, err)
        new = self.dc.fetch_all("Repl", with_meta=True)[-1]
        self.assertIn("\\Seen", new["flags"])
        self.assertIn("\\Flagged", new["flags"])
        # nothing (left) to remove
        rc, out, err = self.ctl("remove", self.dc.url(), "Repl",
                                "<nope@example.org>")
        self.assertEqual((rc, out.strip()), (0, "none"), err)
        rc, out, err = self.ctl("remove", self.dc.url(), "NoFolder",
                                "<r2m.1.abc@example.org>")
        self.assertEqual((rc, out.strip()), (0, "none"), err)

    def test_bad_per_message_flags(self):
        rc, out, err = self.ctl("append", self.dc.url(), "BadFl", MSGS[0],
                                IMAPCTL_MSGFLAGS="\\Recent")
        self.assertEqual(rc, 2, err)
        self.assertIn("bad flags", err)

    def test_expire(self):
        old = int(time.time()) - 40 * 86400
        paths = make_msgs(self.tmp, 4, prefix="exp")
        rc, out, err = self.ctl("append", self.dc.url(), "Exp", *paths[:3],
                                IMAPCTL_DATE=old)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.ctl("append", self.dc.url(), "Exp", paths[3])
        self.assertEqual(rc, 0, err)
        m = self.dc.fetch_all("Exp", with_meta=True)
        self.flag("Exp", m[0]["uid"], "\\Seen")              # goes
        self.flag("Exp", m[1]["uid"], "\\Seen \\Flagged")    # flagged: stays
        # m[2]: old but unseen: stays; m[3]: seen but new: stays
        self.flag("Exp", m[3]["uid"], "\\Seen")
        rc, out, err = self.ctl("expire", self.dc.url(), "Exp", "30")
        self.assertEqual((rc, out.strip()), (0, "expired 1"), err)
        left = [x["uid"] for x in self.dc.fetch_all("Exp", with_meta=True)]
        self.assertEqual(left, [m[1]["uid"], m[2]["uid"], m[3]["uid"]])
        rc, out, err = self.ctl("expire", self.dc.url(), "Exp", "30")
        self.assertEqual((rc, out.strip()), (0, "expired 0"), err)
        rc, out, err = self.ctl("expire", self.dc.url(), "Nothing", "30")
        self.assertEqual((rc, out.strip()), (0, "expired 0"), err)
