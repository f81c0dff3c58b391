"""The IMAP backend (imap/imap.c) against a throwaway Dovecot, driven by
build/tools/imapctl: append, read back, search by Message-ID, folders,
errors.  TLS has its own file (test_imap_tls.py)."""
import email.utils
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

import dovecot
import mailcheck

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
# R2M_IMAPCTL: another build of the driver (e.g. with sanitizers)
IMAPCTL = os.environ.get("R2M_IMAPCTL") or os.path.join(TOP, "build", "tools",
                                                      "imapctl")
DATA = os.path.join(TOP, "tests", "data", "imap")
MSGS = [os.path.join(DATA, f) for f in ("m1.eml", "m2.eml", "m3.eml")]
DATE = 1764152430          # Wed, 26 Nov 2025 10:20:30 +0000


def imapctl(*args, timeout=90, **env):
    e = dict(os.environ)
    e.update({k: str(v) for k, v in env.items()})
    p = subprocess.run([IMAPCTL] + [str(a) for a in args], env=e,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


def crlf(path):
    with open(path, "rb") as f:
        raw = f.read()
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


class ImapTestCase(unittest.TestCase):
    dc = None

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        if not os.access(IMAPCTL, os.X_OK):
            raise AssertionError("%s not built (make tests)" % IMAPCTL)
        cls.dc = dovecot.Dovecot()

    @classmethod
    def tearDownClass(cls):
        if cls.dc is not None:
            cls.dc.close()

    def ctl(self, *args, **env):
        env.setdefault("IMAPCTL_PASSWORD", self.dc.password)
        env.setdefault("IMAPCTL_TLS", "none")
        return imapctl(*args, **env)


class TestImap(ImapTestCase):

    def test_append_and_read_back(self):
        rc, out, err = self.ctl("append", self.dc.url("Feeds"), "Appended",
                                *MSGS, IMAPCTL_DATE=DATE)
        self.assertEqual(rc, 0, err)
        self.assertIn("appended 3", out)
        got = self.dc.fetch_all("Appended", with_meta=True)
        self.assertEqual(len(got), 3)
        for path, m in zip(MSGS, got):
            self.assertEqual(m["raw"], crlf(path))
            msg = mailcheck.assert_clean(self, m["raw"])
            self.assertNotIn("\\Seen", m["flags"])
            self.assertEqual(time.mktime(m["internaldate"]), DATE)
            self.assertTrue(msg["Message-ID"])
        subj = mailcheck.strict(got[0]["raw"])["Subject"]
        self.assertEqual(str(subj), "Grüße aus Köln — café")
        # UIDPLUS: imapctl printed the UIDs the server assigned
        uids = [int(line.rsplit("=", 1)[1]) for line in out.splitlines()
                if line.startswith("ok ")]
        self.assertEqual(uids, [int(m["uid"]) for m in got])

    def test_has_msgid(self):
        rc, out, err = self.ctl("append", self.dc.url(), "Search", *MSGS)
        self.assertEqual(rc, 0, err)
        for mid in ("<r2m.1.abc@example.org>", "<r2m.2.def@example.org>",
                    '<r2m.3."q\\\\uoted"@example.org>'):
            rc, out, err = self.ctl("has", self.dc.url(), "Search", mid)
            self.assertEqual((rc, out.strip()), (0, "found"), mid + err)
        rc, out, err = self.ctl("has", self.dc.url(), "Search",
                                "<r2m.1.ab@example.org>")
        self.assertEqual((rc, out.strip()), (0, "missing"), err)
        # a folder that does not exist holds nothing
        rc, out, err = self.ctl("has", self.dc.url(), "NoSuchFolder",
                                "<r2m.1.abc@example.org>")
        self.assertEqual((rc, out.strip()), (0, "missing"), err)

    def test_default_folder_is_url_mailbox(self):
        rc, out, err = self.ctl("append", self.dc.url("UrlBox"), "", MSGS[0])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.dc.fetch_all("UrlBox")), 1)
        before = self.dc.count("INBOX")
        rc, out, err = self.ctl("append", self.dc.url(), "", MSGS[0])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.dc.count("INBOX"), before + 1)

    def test_nested_non_ascii_folders(self):
        for folder in ("Feeds/Bücher", "Feeds/日本/News", "A&B"):
            rc, out, err = self.ctl("ensure", self.dc.url(), folder)
            self.assertEqual(rc, 0, err)
            rc, out, err = self.ctl("append", self.dc.url(), folder, MSGS[1])
            self.assertEqual(rc, 0, err)
            self.assertEqual(len(self.dc.fetch_all(folder)), 1)
        boxes = self.dc.mailboxes()
        for folder in ("Feeds/Bücher", "Feeds/日本/News", "A&B"):
            self.assertIn(folder, boxes)
            self.assertIn(folder, self.dc.subscribed())
        # ensure twice is fine
        rc, out, err = self.ctl("ensure", self.dc.url(), "Feeds/Bücher")
        self.assertEqual(rc, 0, err)

    def test_append_to_missing_folder(self):
        rc, out, err = self.ctl("append", self.dc.url(), "Missing", MSGS[0],
                                IMAPCTL_NOENSURE=1)
        self.assertEqual(rc, 3, err)
        self.assertIn('append to "Missing": folder missing', err)
        self.assertIn("appended 0", out)

    def test_bad_folder_names(self):
        for folder in ("a/../b", "a//b", "/a", "a/./b"):
            rc, out, err = self.ctl("ensure", self.dc.url(), folder)
            self.assertEqual(rc, 3, folder + err)
            self.assertIn("bad folder name", err)

    def test_flags(self):
        rc, out, err = self.ctl("append", self.dc.url(), "Flagged", MSGS[0],
                                IMAPCTL_FLAGS="\\Flagged $rss")
        self.assertEqual(rc, 0, err)
        m = self.dc.fetch_all("Flagged", with_meta=True)[0]
        self.assertIn("\\Flagged", m["flags"])
        self.assertIn("$rss", m["flags"])
        self.assertNotIn("\\Seen", m["flags"])
        for bad in ("bad(flag", "\\Recent", "\\Bogus", "a\\b"):
            rc, out, err = self.ctl("check", self.dc.url(),
                                    IMAPCTL_FLAGS=bad)
            self.assertEqual(rc, 4, bad)
            self.assertIn("bad flags", err)
        rc, out, err = self.ctl("check", self.dc.url(),
                                IMAPCTL_FLAGS=" \\seen  $Label1 ")
        self.assertEqual(rc, 0, err)

    def test_wrong_password(self):
        rc, out, err = self.ctl("check", self.dc.url(),
                                IMAPCTL_PASSWORD="not-the-password")
        self.assertEqual(rc, 4)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertTrue(err.startswith("imap 127.0.0.1: login failed: "),
                        err)
        self.assertIn("Authentication failed", err)
        self.assertNotIn("not-the-password", err)

    def test_auth_plain(self):
        rc, out, err = self.ctl("append", self.dc.url(), "Plain", MSGS[0],
                                IMAPCTL_AUTH="plain")
        self.assertEqual(rc, 0, err)
        rc, out, err = self.ctl("check", self.dc.url(), IMAPCTL_AUTH="plain",
                                IMAPCTL_PASSWORD="nope")
        self.assertEqual(rc, 4)
        self.assertIn("login failed", err)

    def test_user_override_and_url_user(self):
        url = "imap://nobody-here@127.0.0.1:%d/" % self.dc.port
        rc, out, err = self.ctl("check", url, IMAPCTL_USER=self.dc.user)
        self.assertEqual(rc, 0, err)

    def test_starttls_required_by_default(self):
        # imap:// without imap-tls means STARTTLS, and this server (ssl = no)
        # does not offer it: refuse before any LOGIN
        mark = self.dc.log_mark()
        rc, out, err = self.ctl("check", self.dc.url(), IMAPCTL_TLS="")
        self.assertEqual(rc, 4)
        self.assertIn("does not offer STARTTLS", err)
        time.sleep(0.3)
        self.assertEqual(self.dc.login_count(self.dc.log_since(mark)), 0)

    def test_connection_refused(self):
        port = dovecot.free_port()
        rc, out, err = self.ctl("check", "imap://u@127.0.0.1:%d/" % port)
        self.assertEqual(rc, 4)
        self.assertIn("imap 127.0.0.1: connect to port %d" % port, err)

    def test_timeout_on_silent_server(self):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        conns = []

        def accept():
            try:
                while True:
                    conns.append(srv.accept()[0])
            except OSError:
                pass
        threading.Thread(target=accept, daemon=True).start()
        t0 = time.monotonic()
        rc, out, err = self.ctl("check", "imap://u@127.0.0.1:%d/" %
                                srv.getsockname()[1], IMAPCTL_TIMEOUT=1)
        took = time.monotonic() - t0
        srv.close()
        for c in conns:
            c.close()
        self.assertEqual(rc, 4)
        self.assertIn("no IMAP greeting", err)
        self.assertLess(took, 15)

    def test_url_errors(self):
        for url, why in (("http://h/", "imap://"),
                         ("imap://u:pw@h/", "password"),
                         ("imap://h:0/", "port"),
                         ("imap://h/x?y", "not supported")):
            rc, out, err = self.ctl("check", url)
            self.assertEqual(rc, 4, url)
            self.assertIn(why, err)
            self.assertNotIn("pw@", err)


if __name__ == "__main__":
    unittest.main()


class TestCourierNamespace(ImapTestCase):
    """A server whose personal namespace is "INBOX." with "." as the
    hierarchy delimiter: folder names as the user writes them ("a/b")
    get the prefix and the delimiter."""

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        cls.dc = dovecot.Dovecot(separator=".", prefix="INBOX.")

    def test_prefix_and_delimiter(self):
        rc, out, err = self.ctl("append", self.dc.url(), "Feeds/Bücher",
                                MSGS[0])
        self.assertEqual(rc, 0, err)
        self.assertIn("INBOX.Feeds.Bücher", self.dc.mailboxes())
        self.assertEqual(len(self.dc.fetch_all("INBOX.Feeds.Bücher")), 1)
        rc, out, err = self.ctl("has", self.dc.url(), "Feeds/Bücher",
                                "<r2m.1.abc@example.org>")
        self.assertEqual((rc, out.strip()), (0, "found"), err)
        # INBOX itself stays INBOX
        rc, out, err = self.ctl("append", self.dc.url(), "INBOX", MSGS[1])
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.dc.count("INBOX"), 1)

    def test_delimiter_inside_a_name_mapped(self):
        # issue 13: a level holding the server's delimiter ('.' here) is
        # no longer refused: each '.' in it becomes '_' (imap_name.h)
        rc, out, err = self.ctl("ensure", self.dc.url(), "v1.2 notes")
        self.assertEqual(rc, 0, err)
        self.assertIn("INBOX.v1_2 notes", self.dc.mailboxes())
        rc, out, err = self.ctl("append", self.dc.url(), "Feeds/lwn.net",
                                MSGS[2])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.dc.fetch_all("INBOX.Feeds.lwn_net")), 1)


class TestXoauth2(ImapTestCase):
    """AUTHENTICATE XOAUTH2 (Dovecot checks the token like a password)."""

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        cls.dc = dovecot.Dovecot(auth_mechanisms="plain login xoauth2")

    def test_token(self):
        mark = self.dc.log_mark()
        rc, out, err = self.ctl("append", self.dc.url(), "OAuth", MSGS[0],
                                IMAPCTL_AUTH="xoauth2")
        self.assertEqual(rc, 0, err)
        time.sleep(0.2)
        self.assertIn("method=XOAUTH2", self.dc.log_since(mark))
        # the mechanism named in the URL (RFC 5092 ;AUTH=)
        url = "imap://%s;AUTH=XOAUTH2@127.0.0.1:%d/" % (self.dc.user,
                                                        self.dc.port)
        rc, out, err = self.ctl("check", url)
        self.assertEqual(rc, 0, err)

    def test_bad_token(self):
        rc, out, err = self.ctl("check", self.dc.url(), IMAPCTL_AUTH="xoauth2",
                                IMAPCTL_PASSWORD="expired-token")
        self.assertEqual(rc, 4)
        self.assertIn("login failed", err)
        self.assertNotIn("expired-token", err)

    def test_unknown_mechanism(self):
        rc, out, err = self.ctl("check", self.dc.url(), IMAPCTL_AUTH="cram")
        self.assertEqual(rc, 4)
        self.assertIn('unknown auth method "cram"', err)


class TestHugeResponse(unittest.TestCase):
    """A server that sends an endless line: a bounded failure, bounded
    memory (the receive cap), not an out-of-memory crash."""

    def test_endless_greeting(self):
        if not os.access(IMAPCTL, os.X_OK):
            self.fail("%s not built" % IMAPCTL)
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(4)

        def serve():
            chunk = b"x" * 65536
            while True:
                try:
                    c, _ = srv.accept()
                except OSError:
                    return
                try:
                    c.sendall(b"* OK ")
                    for _ in range(800):        # 50 MB, no line end
                        c.sendall(chunk)
                except OSError:
                    pass
                finally:
                    c.close()
        threading.Thread(target=serve, daemon=True).start()
        env = dict(os.environ, IMAPCTL_PASSWORD="pw", IMAPCTL_TLS="none",
                   IMAPCTL_TIMEOUT="5")
        # a fresh python whose only child is imapctl reports its peak RSS
        wrapper = ("import resource, subprocess, sys\n"
                   "r = subprocess.run(sys.argv[1:]).returncode\n"
                   "print('maxrss', resource.getrusage("
                   "resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
                   "sys.exit(r)\n")
        try:
            p = subprocess.run([sys.executable, "-c", wrapper, IMAPCTL,
                                "check", "imap://u@127.0.0.1:%d/" %
                                srv.getsockname()[1]], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=120)
        finally:
            srv.close()
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 4, err)
        self.assertIn("server response too large", err)
        maxrss_kb = int(err.rsplit("maxrss", 1)[1].split()[0])
        # 50 MB were sent; a sanitizer build has its own overhead
        limit = 40 if not os.environ.get("R2M_IMAPCTL") else 120
        self.assertLess(maxrss_kb, limit * 1024, err)


class TestOddPassword(ImapTestCase):
    """A password with quotes, a backslash, non-ASCII and a literal-like
    "{3}" logs in with LOGIN and AUTHENTICATE PLAIN alike."""

    PW = 'p"w\\ä {3}x'

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        cls.dc = dovecot.Dovecot(password=cls.PW)

    def test_login_and_plain(self):
        for auth in ("login", "plain"):
            rc, out, err = self.ctl("check", self.dc.url(), IMAPCTL_AUTH=auth)
            self.assertEqual(rc, 0, auth + err)


class TestMisbehavingServer(unittest.TestCase):
    """The backend alone against fakeimap.py (the hostile suite drives the
    same cases through rss2mail run)."""

    def run_fake(self, behaviour, *args, **env):
        import fakeimap
        srv = fakeimap.FakeIMAP(behaviour).start()
        self.addCleanup(srv.stop)
        e = dict(IMAPCTL_PASSWORD="pw", IMAPCTL_TLS="none",
                 IMAPCTL_TIMEOUT="1")
        e.update(env)
        t0 = time.monotonic()
        rc, out, err = imapctl(args[0], srv.url(""), *args[1:], **e)
        return rc, out, err, time.monotonic() - t0, srv

    def test_bad_to_append_is_a_message_refusal(self):
        rc, out, err, secs, srv = self.run_fake("append-bad", "append",
                                                "Feeds", MSGS[0])
        self.assertEqual(rc, 2, err)           # DELIVER_MSG, not STORE
        self.assertIn("APPEND syntax error (test server)", err)
        self.assertEqual(srv.connections, 1)   # the session was kept

    def test_trickling_greeting_bounded(self):
        rc, out, err, secs, srv = self.run_fake("trickle", "check")
        self.assertEqual(rc, 4)
        self.assertIn("no IMAP greeting: server too slow", err)
        self.assertLess(secs, 6)
        self.assertEqual(srv.connections, 1)   # not retried
