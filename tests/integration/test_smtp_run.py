"""rss2mail runs that deliver by SMTP, LMTP and sendmail, against the real
servers of the rig (postfix.py: Postfix + policyd-spf + unbound; dovecot.py
for LMTP), running the real binary on local feed files.

What is proven here, from the delivered files, Postfix's log, `list` and
the state database:
  - deliver = smtp with from at bridge.example.org: every entry arrives
    once, each with `Received-SPF: Pass`, its envelope (Return-Path, and
    Postfix's from=<...>) in the From header's domain;
  - a feed whose from domain's SPF excludes the host: Postfix refuses it at
    RCPT with the SPF reason, rss2mail marks those entries failed with the
    server's text (one stderr line, exit 1, `list` shows it), the run's
    other feed is unaffected, a second run does not send them again, and
    `rss2mail retry NAME` puts them back; and the stories of those entries
    are not held back from another feed carrying them (dedupe);
  - submission with STARTTLS + AUTH through a run, and `check` (connect,
    TLS, AUTH, MAIL FROM / RCPT TO, RSET: nothing sent), with a good and a
    bad password;
  - LMTP into Dovecot, and sendmail through Postfix's own sendmail;
  - to = a list: by SMTP (two and three recipients), LMTP (two Dovecot
    users) and sendmail (two), each mailbox gets each entry once and the
    To header lists them all; an unknown user among two gets 550 at RCPT,
    the other gets everything, and the run names the address in one line;
  - kills: kill -9 at random moments of an SMTP run, and the test hooks
    inside (smtp-after-dot) and outside (smtp-before-data) the one
    duplicate window: afterwards every entry arrived, a duplicate only
    for a kill inside the window, at most one per kill.
"""
import collections
import os
import random
import re
import time
import unittest

import dovecot
import postfix
import rig
from feeds import rss

FROM = "feeds@" + postfix.SPF_PASS_DOMAIN
BAD_FROM = "feeds@" + postfix.SPF_FAIL_DOMAIN
TO = "me@" + postfix.BRIDGE_RCPT_DOMAIN


def setUpModule():
    global PF
    why = postfix.Postfix.missing()
    if why:
        raise unittest.SkipTest(why)
    PF = postfix.Postfix()


def tearDownModule():
    PF.close()


def header(raw, name):
    head = raw.split(b"\n\n", 1)[0].decode("ascii", "replace")
    m = re.search(r"(?im)^%s:[ \t]*(.*(?:\n[ \t].*)*)" % re.escape(name),
                  head)
    return re.sub(r"\s+", " ", m.group(1)).strip() if m else None


def domain(addr):
    m = re.search(r"@([^>\s]+)", addr or "")
    return m.group(1).lower() if m else None


def arrived(tag, messages=None):
    """Counter of entry numbers of tag among the delivered messages (by
    Subject "TAG entry I")."""
    c = collections.Counter()
    for raw in (PF.messages() if messages is None else messages):
        s = header(raw.replace(b"\r\n", b"\n"), "Subject") or ""
        m = re.match(r"%s entry (\d+)$" % re.escape(tag), s)
        if m:
            c[int(m.group(1))] += 1
    return c


def wait_arrived(tag, n, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = arrived(tag)
        if len(got) >= n:
            return got
        time.sleep(0.1)
    return arrived(tag)


class Run(unittest.TestCase):
    """A run per test, in its own directory, on local feed files."""

    def setUp(self):
        self.dir = rig.tempdir(self)

    def feed(self, tag, n):
        path = os.path.join(self.dir, tag + ".xml")
        with open(path, "wb") as f:
            f.write(rss("Feed " + tag, n, tag, entry="{prefix} entry {i}",
                        guid="{prefix}-{i}",
                        link="http://example.org/{prefix}/{i}"))
        return path

    def config(self, head, feeds, to=TO):
        text = ("[rss2mail]\nfrom = Feeds <%s>\nto = %s\n"
                "state = %s/state.db\ntimeout = 20s\n%s\n" %
                (FROM, to, self.dir, head))
        for name, extra in feeds:
            text += "\n[feed.%s]\nurl = %s\n%s" % (
                name, os.path.join(self.dir, name + ".xml"), extra)
        self.cfg = rig.write_config(self.dir, text)
        return self.cfg

    def lmtp_dovecot(self):
        """A Dovecot taking LMTP for bob, closed after the test."""
        if not dovecot.Dovecot.available():
            self.skipTest("dovecot is not installed")
        dc = dovecot.Dovecot(lmtp=True, users={"bob": "bob-pw"})
        self.addCleanup(dc.close)
        return dc

    def sendmail_wrapper(self):
        """Path of a sendmail that posts through the test Postfix."""
        wrapper = os.path.join(self.dir, "sendmail")
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nMAIL_CONFIG=%s exec %s \"$@\"\n" %
                    (PF.config_dir, postfix.SENDMAIL))
        os.chmod(wrapper, 0o755)
        return wrapper

    def killed_at_hook(self, hook):
        """Two runs, killed (-9) by the test hook at its 5th and at its
        17th `hook`."""
        for n in (5, 17):
            r = self.run_r2m("run", env={
                "RSS2MAIL_TEST_CRASH": "%s:%d" % (hook, n)})
            self.assertEqual(r.returncode, -9, r.stderr)

    def settle(self, tag, most_dups):
        """After kills: a clean run delivers all self.ENTRIES entries of
        tag, each at least once and at most most_dups duplicates in all,
        nothing left pending.  Returns the number of duplicates."""
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = wait_arrived(tag, self.ENTRIES)
        time.sleep(1.0)                    # anything late arrives too
        got = arrived(tag)
        self.assertEqual(sorted(got), list(range(self.ENTRIES)))
        dups = sum(c - 1 for c in got.values())
        self.assertLessEqual(dups, most_dups, got)
        self.assertEqual(self.state_rows(
            "SELECT count(*) FROM entries WHERE state = 1")[0][0], 0)
        return dups

    def smtp_head(self):
        return ("deliver = smtp\nsmtp-url = smtp://127.0.0.1:%d\n"
                "smtp-tls = none\n" % PF.port)

    def run_r2m(self, *args, env=None):
        return rig.run(self.cfg, *args, env=env)

    def state_rows(self, sql):
        return rig.state_rows(os.path.join(self.dir, "state.db"), sql)


class SmtpRun(Run):

    def test_every_entry_passes_spf_aligned(self):
        n = 20
        self.feed("spfrun", n)
        self.config(self.smtp_head(), [("spfrun", "")])
        mark = PF.log_mark()
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = wait_arrived("spfrun", n)
        self.assertEqual(sorted(got), list(range(n)), PF.log()[-3000:])
        self.assertEqual(set(got.values()), {1})
        for raw in PF.messages():
            if not (header(raw, "Subject") or "").startswith("spfrun "):
                continue
            spf = header(raw, "Received-SPF")
            self.assertIsNotNone(spf, raw[:800])
            self.assertTrue(spf.startswith("Pass"), spf)
            self.assertIn("envelope-from=%s" % FROM, spf)
            rp = header(raw, "Return-Path")
            self.assertEqual(rp, "<%s>" % FROM)
            self.assertEqual(domain(rp), domain(header(raw, "From")))
            self.assertEqual(domain(rp), postfix.SPF_PASS_DOMAIN)
        log = PF.log_since(mark)
        envs = re.findall(r"qmgr\[\d+\]: \w+: from=<([^>]*)>", log)
        self.assertEqual(len(envs), n, log[-3000:])
        self.assertEqual(set(envs), {FROM})
        # one connection for the whole run
        self.assertEqual(len(re.findall(r"\]: connect from", log)), 1,
                         log[-3000:])
        # nothing pending, nothing sent again
        self.assertEqual(self.state_rows(
            "SELECT count(*) FROM entries WHERE state = 2")[0][0], n)
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        time.sleep(0.5)
        self.assertEqual(set(arrived("spfrun").values()), {1})

    def test_spf_fail_is_permanent_and_retry_puts_it_back(self):
        self.feed("good", 3)
        self.feed("bad", 2)
        bad = "from = Feeds <%s>\n" % BAD_FROM
        self.config(self.smtp_head(), [("good", ""), ("bad", bad)])
        mark = PF.log_mark()
        r = self.run_r2m("run")
        rig.one_error_line(self, r, 1, "feed bad", "refused for good",
                           "550 5.7.23", "SPF fail")
        # the other feed is unaffected
        self.assertEqual(sorted(wait_arrived("good", 3)), [0, 1, 2])
        log = PF.log_since(mark)
        self.assertEqual(log.count("NOQUEUE: reject: RCPT"), 2, log)
        rows = self.state_rows("SELECT entry_id, state, error FROM entries "
                               "WHERE feed = 'bad' ORDER BY entry_id")
        self.assertEqual([(e, s) for e, s, _ in rows],
                         [("bad-0", 6), ("bad-1", 6)])
        for _, _, why in rows:
            self.assertIn("550 5.7.23", why)
        lst = self.run_r2m("list")
        self.assertEqual(lst.returncode, 0, lst.stderr)
        self.assertRegex(lst.stdout, r"bad +failed +2 entries refused: "
                         r".*550 5\.7\.23")
        lj = self.run_r2m("list", "--json")
        self.assertIn('"failed": 2', lj.stdout)
        # not sent again by the next run
        mark = PF.log_mark()
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("NOQUEUE: reject", PF.log_since(mark))
        # retry puts them back: with a from that passes, they arrive
        r = self.run_r2m("retry", "bad")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("2 failed entries put back", r.stdout)
        self.config(self.smtp_head(), [("good", ""), ("bad", "")])
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(wait_arrived("bad", 2)), [0, 1])
        self.assertEqual(set(arrived("good").values()), {1})

    def test_refused_copy_does_not_hold_a_story_back(self):
        # bad's copies are refused for good (SPF fail): they claimed the
        # stories, but a claim counts only while its entry is pending or
        # delivered, so another feed's copies of them arrive after all
        self.feed("bad", 2)
        bad = "from = Feeds <%s>\n" % BAD_FROM
        self.config(self.smtp_head(), [("bad", bad)])
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("refused for good", r.stderr)
        with open(os.path.join(self.dir, "mirror.xml"), "wb") as f:
            f.write(rss("Feed mirror", 2, "mirror",
                        entry="{prefix} entry {i}", guid="{prefix}-{i}",
                        link="http://example.org/bad/{i}?utm_source=m"))
        self.config(self.smtp_head(), [("bad", bad), ("mirror", "")])
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(wait_arrived("mirror", 2)), [0, 1])
        self.assertEqual(set(arrived("mirror").values()), {1})
        self.assertEqual(self.state_rows(
            "SELECT count(*) FROM entries WHERE state = 5"), [(0,)])

    def test_temporary_refusal_stays_pending(self):
        self.feed("temp", 2)
        self.config(self.smtp_head(), [("temp", "")],
                    to=postfix.TEMPFAIL_RCPT)
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("451", r.stderr)
        rows = self.state_rows("SELECT state FROM entries")
        self.assertEqual(sorted(s for s, in rows), [1, 1])
        # tried again by the next run; failing twice backs the feed off
        mark = PF.log_mark()
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("451", r.stderr)
        self.assertIn("reject: RCPT", PF.log_since(mark))
        due = self.state_rows("SELECT next_due FROM feeds")[0][0]
        self.assertGreater(due, time.time())
        # so the run after it leaves the entries pending, untried
        mark = PF.log_mark()
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("reject: RCPT", PF.log_since(mark))
        rows = self.state_rows("SELECT state FROM entries")
        self.assertEqual(sorted(s for s, in rows), [1, 1])

    def test_over_the_servers_size_is_composed_to_fit(self):
        """A server whose SIZE is 60000 (test_smtp's FakeSmtp): an entry
        of ~300 KB is composed to fit (its body cut) and sent once; never
        refused as too big (smtp_send refuses a message over SIZE before
        MAIL FROM, so a DATA seen means it fitted)."""
        from test_smtp import FakeSmtp
        path = os.path.join(self.dir, "big.xml")
        body = "<p>%s</p>" % ("A long paragraph of a very long post. " * 30)
        with open(path, "wb") as f:
            f.write(rss("Feed big", 1, "big", entry="{prefix} entry {i}",
                        guid="{prefix}-{i}", description=body * 250,
                        cdata=True))
        fake = FakeSmtp({"EHLO": b"250-fake\r\n250 SIZE 60000\r\n",
                         "DATA": b"354 go on\r\n"})
        self.addCleanup(fake.close)
        self.config("deliver = smtp\nsmtp-url = smtp://127.0.0.1:%d\n"
                    "smtp-tls = none\n" % fake.port, [("big", "")])
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("DATA", fake.seen)
        self.assertIn(".", fake.seen)
        self.assertEqual(self.state_rows("SELECT state FROM entries"), [(2,)])

    def test_envelope_from_in_another_domain_is_a_config_error(self):
        self.feed("env", 1)
        self.config(self.smtp_head() + "envelope-from = b@%s\n" %
                    postfix.SPF_FAIL_DOMAIN, [("env", "")])
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertRegex(r.stderr, r"config\.ini:\d+: key 'envelope-from'")

    def test_envelope_from_same_domain(self):
        self.feed("envok", 2)
        bounces = "bounces@" + postfix.SPF_PASS_DOMAIN
        self.config(self.smtp_head() + "envelope-from = %s\n" % bounces,
                    [("envok", "")])
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_arrived("envok", 2)
        for raw in PF.messages():
            if (header(raw, "Subject") or "").startswith("envok "):
                self.assertEqual(header(raw, "Return-Path"),
                                 "<%s>" % bounces)
                self.assertTrue(header(raw, "Received-SPF")
                                .startswith("Pass"))


def users_addr(user):
    return "%s@%s" % (user, postfix.USERS_DOMAIN)


class SeveralRecipients(Run):
    """to = a list: each mailbox gets each entry once, To lists them all."""

    def check_users(self, tag, n, users, to_want):
        for u in users:
            end = time.monotonic() + 30
            while len(arrived(tag, PF.messages(u))) < n and \
                    time.monotonic() < end:
                time.sleep(0.1)
            msgs = [m for m in PF.messages(u)
                    if (header(m, "Subject") or "").startswith(tag + " ")]
            got = arrived(tag, msgs)
            self.assertEqual(sorted(got), list(range(n)), u)
            self.assertEqual(set(got.values()), {1}, u)
            for raw in msgs:
                self.assertEqual(header(raw, "To"), to_want)
                self.assertTrue(header(raw, "Received-SPF")
                                .startswith("Pass"))
                self.assertEqual(header(raw, "Return-Path"), "<%s>" % FROM)

    def test_two_and_three_recipients(self):
        two = "Alice <%s>, \"Doe, Bob\" <%s>" % (users_addr("alice"),
                                                 users_addr("bob"))
        three = "%s, %s, %s" % tuple(users_addr(u)
                                     for u in ("alice", "bob", "carol"))
        self.feed("two", 3)
        self.feed("three", 2)
        self.config(self.smtp_head(), [("two", ""),
                                       ("three", "to = %s\n" % three)],
                    to=two)
        c = self.run_r2m("check")
        self.assertEqual(c.returncode, 0, c.stdout + c.stderr)
        self.assertIn("-> <%s>, <%s> accepted" % (users_addr("alice"),
                                                   users_addr("bob")),
                      c.stdout)
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_users("two", 3, ("alice", "bob"), two)
        self.check_users("three", 2, ("alice", "bob", "carol"), three)
        self.assertEqual(arrived("two", PF.messages("carol")), {})
        self.assertEqual(self.state_rows(
            "SELECT count(*) FROM entries WHERE state = 2")[0][0], 5)

    def test_one_refused_recipient(self):
        """An unknown user of two: the other gets every entry once, the
        run says so in one line naming the address, nothing is pending."""
        nosuch = users_addr("nosuch")
        self.feed("halfrefused", 3)
        self.config(self.smtp_head(), [("halfrefused", "")],
                    to="%s, %s" % (users_addr("alice"), nosuch))
        c = self.run_r2m("check")
        self.assertNotEqual(c.returncode, 0, c.stdout)
        self.assertIn("RCPT TO:<%s>: 550 5.1.1" % nosuch, c.stdout)
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [l for l in r.stderr.splitlines() if nosuch in l]
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertRegex(lines[0], r"feed halfrefused: entry \S+: <%s> "
                         r"refused it: 550 5\.1\.1 .*User unknown" %
                         re.escape(nosuch))
        self.check_users("halfrefused", 3, ("alice",),
                         "%s, %s" % (users_addr("alice"), nosuch))
        self.assertEqual(self.state_rows(
            "SELECT count(*) FROM entries WHERE state = 2")[0][0], 3)
        mark = PF.log_mark()
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        # nothing is sent again (a session may open, no transaction)
        time.sleep(0.5)
        self.assertNotIn("mail=", PF.log_since(mark))

    def test_lmtp_two_users(self):
        dc = self.lmtp_dovecot()
        self.feed("lmtp2", 3)
        self.config("deliver = lmtp\nlmtp-url = lmtp://127.0.0.1:%d\n" %
                    dc.lmtp_port, [("lmtp2", "")],
                    to="alice@example.org, Bob <bob@example.org>")
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        for u in ("alice", "bob"):
            msgs = [m.replace(b"\r\n", b"\n")
                    for m in dc.fetch_all("INBOX", user=u)]
            got = arrived("lmtp2", msgs)
            self.assertEqual(sorted(got), [0, 1, 2], u)
            self.assertEqual(set(got.values()), {1}, u)
            for raw in msgs:
                if b"lmtp2 entry" in raw:
                    self.assertEqual(header(raw, "To"), "alice@example.org, "
                                     "Bob <bob@example.org>")

    def test_sendmail_two_recipients(self):
        wrapper = self.sendmail_wrapper()
        self.feed("sm2", 2)
        to = "%s, %s" % (users_addr("alice"), users_addr("bob"))
        self.config("deliver = sendmail\nsendmail = %s\n" % wrapper,
                    [("sm2", "")], to=to)
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        for u in ("alice", "bob"):
            end = time.monotonic() + 30
            while len(arrived("sm2", PF.messages(u))) < 2 and \
                    time.monotonic() < end:
                time.sleep(0.1)
            msgs = [m for m in PF.messages(u)
                    if (header(m, "Subject") or "").startswith("sm2 ")]
            self.assertEqual(sorted(arrived("sm2", msgs)), [0, 1], u)
            self.assertEqual(len(msgs), 2, u)
            for raw in msgs:
                self.assertEqual(header(raw, "To"), to)
                self.assertEqual(header(raw, "Return-Path"), "<%s>" % FROM)


class Submission(Run):

    def head(self, password):
        pw = rig.write_secret(self.dir, password)
        return ("deliver = smtp\nsmtp-url = smtp://localhost:%d\n"
                "smtp-user = %s\npassword-file = %s\nsmtp-ca-file = %s\n" %
                (PF.sub_port, PF.user, pw, PF.pki["ca"]))

    def test_starttls_auth_run_and_check(self):
        self.feed("sub", 3)
        self.config(self.head(PF.password), [("sub", "")])
        mark = PF.log_mark()
        c = self.run_r2m("check")
        self.assertEqual(c.returncode, 0, c.stdout + c.stderr)
        self.assertIn("authenticated", c.stdout)
        self.assertIn("nothing sent", c.stdout)
        log = PF.log_since(mark)
        self.assertNotIn("qmgr", log)
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = wait_arrived("sub", 3)
        self.assertEqual(sorted(got), [0, 1, 2])
        log = PF.log_since(mark)
        self.assertIn("sasl_username=%s" % PF.user, log)
        self.assertIn("TLS connection established", log)

    def test_bad_password(self):
        self.feed("subbad", 1)
        self.config(self.head("wrong"), [("subbad", "")])
        c = self.run_r2m("check")
        self.assertNotEqual(c.returncode, 0, c.stdout)
        r = self.run_r2m("run")
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertTrue(rig.error_lines(r.stderr))
        self.assertNotIn("wrong", r.stderr)
        self.assertEqual(arrived("subbad"), {})


class LmtpRun(Run):

    def test_lmtp_into_dovecot(self):
        dc = self.lmtp_dovecot()
        self.feed("lmtprun", 3)
        self.config("deliver = lmtp\nlmtp-url = lmtp://127.0.0.1:%d\n" %
                    dc.lmtp_port, [("lmtprun", "")], to="bob@example.org")
        c = self.run_r2m("check")
        self.assertEqual(c.returncode, 0, c.stdout + c.stderr)
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = arrived("lmtprun", dc.fetch_all("INBOX", user="bob"))
        self.assertEqual(sorted(got), [0, 1, 2])
        self.assertEqual(set(got.values()), {1})


class SendmailRun(Run):

    def test_postfix_sendmail(self):
        wrapper = self.sendmail_wrapper()
        self.feed("smrun", 3)
        self.config("deliver = sendmail\nsendmail = %s\n" % wrapper,
                    [("smrun", "")])
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = wait_arrived("smrun", 3)
        self.assertEqual(sorted(got), [0, 1, 2])
        for raw in PF.messages():
            if (header(raw, "Subject") or "").startswith("smrun "):
                self.assertEqual(header(raw, "Return-Path"), "<%s>" % FROM)


class Kills(Run):
    """Exactly once through kills, but for the one documented window."""

    ENTRIES = 60

    def setUp(self):
        super().setUp()

    def test_hook_outside_the_window_no_duplicate(self):
        tag = "killout"
        self.feed(tag, self.ENTRIES)
        self.config(self.smtp_head(), [(tag, "")])
        self.killed_at_hook("smtp-before-data")
        self.assertEqual(self.settle(tag, 0), 0)

    def test_hook_inside_the_window_at_most_one_each(self):
        tag = "killin"
        self.feed(tag, self.ENTRIES)
        self.config(self.smtp_head(), [(tag, "")])
        self.killed_at_hook("smtp-after-dot")
        dups = self.settle(tag, 2)
        # killed after the final dot, before the 250 was read: Postfix
        # took each of those messages, and a re-send duplicates it
        self.assertEqual(dups, 2)

    def test_kill_at_random_moments(self):
        tag = "killrnd"
        self.feed(tag, self.ENTRIES)
        self.config(self.smtp_head(), [(tag, "")])
        kills = rig.kill_at_random(self.cfg, random.Random(14), 5)
        dups = self.settle(tag, kills)
        print("\n%d random kills, %d duplicate(s)" % (kills, dups))


if __name__ == "__main__":
    unittest.main()
