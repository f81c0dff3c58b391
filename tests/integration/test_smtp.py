"""Delivery by SMTP, LMTP and sendmail (smtp/) through the smtpctl driver,
against real servers on loopback: a throwaway Postfix with policyd-spf and
a loopback DNS (postfix.py), and Dovecot's LMTP (dovecot.py).

What is proven here, from the delivered files and the servers' logs:
  - every message sent with an envelope at bridge.example.org arrives with
    `Received-SPF: Pass`, its Return-Path domain equal to its From domain,
    its bytes unchanged (dot-stuffing undone, no line added);
  - a sender domain whose SPF excludes 127.0.0.1 is refused at RCPT and
    reported as permanent with Postfix's own text, and the session goes on;
  - submission: STARTTLS + AUTH (PLAIN, LOGIN) with a good password
    delivers, a bad one fails; self-signed and wrong-host certificates are
    refused before any AUTH (Postfix's log shows none); implicit TLS;
  - LMTP into Dovecot, per recipient; sendmail through Postfix's own
    sendmail binary, and the exit status / stderr rules with fake ones.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import dovecot
import postfix
import rig

SMTPCTL = os.path.join(rig.BUILD, "tools", "smtpctl")
FROM = "feeds@" + postfix.SPF_PASS_DOMAIN
TO = "me@" + postfix.BRIDGE_RCPT_DOMAIN
BAD_FROM = "feeds@" + postfix.SPF_FAIL_DOMAIN


def smtpctl(*args, timeout=60, **env):
    e = dict(os.environ)
    e.update({"SMTPCTL_FROM": FROM, "SMTPCTL_TO": TO,
              "SMTPCTL_TIMEOUT": "15"})
    e.update({k: v for k, v in env.items() if v is not None})
    for k, v in env.items():
        if v is None:
            e.pop(k, None)
    p = subprocess.run([SMTPCTL] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, env=e,
                       text=True, errors="replace")
    rig.check_sanitizers(p.stderr)
    return p.returncode, p.stdout, p.stderr


def message(tag, i, sender=FROM, body_extra=""):
    """A small message in LF form; the Message-ID names tag and i."""
    return ("From: Jane Doe via Example Blog <%s>\n"
            "To: %s\n"
            "Subject: %s post %d\n"
            "Date: Thu, 03 Dec 2026 08:00:00 +0000\n"
            "Message-ID: <%s-%d@%s>\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=us-ascii\n"
            "\n"
            "Post %d of %s.\n"
            ".a line that starts with a dot\n"
            ".\n"
            "..two dots\n"
            "%s"
            "the end\n" % (sender, TO, tag, i, tag, i,
                           sender.split("@")[1], i, tag, body_extra))


def header(raw, name):
    """The first header `name` of raw bytes (unfolded), or None."""
    head = raw.split(b"\n\n", 1)[0].decode("ascii", "replace")
    m = re.search(r"(?im)^%s:[ \t]*(.*(?:\n[ \t].*)*)" % re.escape(name),
                  head)
    return re.sub(r"\s+", " ", m.group(1)).strip() if m else None


def domain(addr):
    m = re.search(r"@([^>\s]+)", addr or "")
    return m.group(1).lower() if m else None


def setUpModule():
    global PF, TMP
    why = postfix.Postfix.missing()
    if why:
        raise unittest.SkipTest(why)
    if not os.access(SMTPCTL, os.X_OK):
        raise AssertionError("%s not built (make tests)" % SMTPCTL)
    TMP = tempfile.mkdtemp(prefix="r2m-smtp-")
    PF = postfix.Postfix()
    print("\npostfix rig (postfix + policyd-spf + unbound + PKI) started "
          "in %.1fs" % PF.started_in)


def tearDownModule():
    PF.close()
    shutil.rmtree(TMP, ignore_errors=True)


def write_messages(tag, n, **kw):
    files = []
    for i in range(n):
        p = os.path.join(TMP, "%s-%d.eml" % (tag, i))
        with open(p, "w") as f:
            f.write(message(tag, i, **kw))
        files.append(p)
    return files


def delivered(tag):
    """{i: raw} of the messages of tag in the rig's Maildir."""
    out = {}
    for raw in PF.messages():
        mid = header(raw, "Message-ID") or ""
        m = re.match(r"<%s-(\d+)@" % re.escape(tag), mid)
        if m:
            out[int(m.group(1))] = raw
    return out


def wait_tag(tag, n, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = delivered(tag)
        if len(got) >= n:
            return got
        time.sleep(0.05)
    return delivered(tag)


def wait_regex(pattern, mark, timeout=15):
    """The log after mark once pattern is in it (else the log as is):
    sessions log their end after the client is gone, so a test that
    checks a session's summary line waits for that very line."""
    end = time.monotonic() + timeout
    while True:
        log = PF.log_since(mark)
        if re.search(pattern, log) or time.monotonic() > end:
            return log
        time.sleep(0.05)


def smtp_url(port, host="127.0.0.1", scheme="smtp"):
    return "%s://%s:%d" % (scheme, host, port)


class SmtpSpf(unittest.TestCase):
    """Plain SMTP into Postfix with policyd-spf at RCPT."""

    def test_every_message_passes_spf_aligned(self):
        n = 20
        files = write_messages("pass", n)
        rc, out, err = smtpctl("send", smtp_url(PF.port), *files,
                               SMTPCTL_TLS="none")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("open pipelining=1", out)
        self.assertEqual(out.count("\nok "), n, out)
        got = wait_tag("pass", n)
        self.assertEqual(sorted(got), list(range(n)), PF.log()[-3000:])
        log = PF.log()
        for i, raw in got.items():
            spf = header(raw, "Received-SPF")
            self.assertIsNotNone(spf, raw[:800])
            self.assertTrue(spf.startswith("Pass"), spf)
            self.assertIn("envelope-from=%s" % FROM, spf)
            rp = header(raw, "Return-Path")
            self.assertEqual(rp, "<%s>" % FROM)
            self.assertEqual(domain(rp), domain(header(raw, "From")))
            # the bytes are the ones sent: Postfix only prepends
            with open(files[i], "rb") as f:
                self.assertTrue(raw.endswith(f.read()), raw[-400:])
            self.assertIn("message-id=<pass-%d@%s>" %
                          (i, postfix.SPF_PASS_DOMAIN), log)
        # Postfix's own record of each message's envelope
        qid_of = dict((m, q) for q, m in re.findall(
            r"cleanup\[\d+\]: (\w+): message-id=<(pass-\d+)@", log))
        env_of = dict(re.findall(r"qmgr\[\d+\]: (\w+): from=<([^>]*)>",
                                 log))
        self.assertEqual(len(qid_of), n, log[-3000:])
        for mid, qid in qid_of.items():
            self.assertEqual(env_of.get(qid), FROM, mid)

    def test_spf_fail_is_permanent_with_server_text(self):
        mark = PF.log_mark()
        files = write_messages("fail", 3, sender=BAD_FROM)
        rc, out, err = smtpctl("send", smtp_url(PF.port), *files,
                               SMTPCTL_TLS="none", SMTPCTL_FROM=BAD_FROM)
        self.assertEqual(rc, 2, out + err)
        lines = [l for l in out.splitlines() if not l.startswith("open")]
        self.assertEqual(len(lines), 3, out)
        for l in lines:
            # every message was tried (the session went on), each refused
            # for good with Postfix's words, on one line
            self.assertTrue(l.startswith("perm "), l)
            self.assertIn("RCPT TO:<%s>: 550 5.7.23" % TO, l)
            self.assertIn("SPF fail - not authorized", l)
        log = PF.log_since(mark)
        self.assertEqual(log.count("NOQUEUE: reject: RCPT"), 3, log)
        self.assertIn("from=<%s>" % BAD_FROM, log)
        # nothing of it arrived; a good sender right after is unaffected
        files = write_messages("after-fail", 2)
        rc, out, err = smtpctl("send", smtp_url(PF.port), *files,
                               SMTPCTL_TLS="none")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(len(wait_tag("after-fail", 2)), 2)
        self.assertEqual(delivered("fail"), {})

    def test_temporary_refusal(self):
        files = write_messages("temp", 2)
        rc, out, err = smtpctl("send", smtp_url(PF.port), *files,
                               SMTPCTL_TLS="none",
                               SMTPCTL_TO=postfix.TEMPFAIL_RCPT)
        self.assertEqual(rc, 2, out + err)
        for f in files:
            self.assertRegex(out, r"temp %s: smtp 127.0.0.1: RCPT TO:<%s>: "
                             r"451 4.3.0 .*rig: try again later" % (
                                 re.escape(f), postfix.TEMPFAIL_RCPT))

    def test_refused_sender_is_told_not_its_echo(self):
        """A 4xx at MAIL FROM is the reason, not the 503s that pipelined
        RCPTs get after it."""
        for port, pipe in ((PF.port, 1), (PF.nopipe_port, 0)):
            files = write_messages("sender%d" % pipe, 1,
                                   sender=postfix.TEMPFAIL_SENDER)
            rc, out, err = smtpctl(
                "send", smtp_url(port), *files, SMTPCTL_TLS="none",
                SMTPCTL_FROM=postfix.TEMPFAIL_SENDER,
                SMTPCTL_TO="%s,other@%s" % (TO, postfix.BRIDGE_RCPT_DOMAIN))
            self.assertEqual(rc, 2, out + err)
            self.assertRegex(out, r"temp %s: smtp 127.0.0.1: MAIL FROM:<%s>: "
                             r"451 4.3.0 .*sender try later" % (
                                 re.escape(files[0]),
                                 postfix.TEMPFAIL_SENDER))

    def wait_user(self, user, tag, n, timeout=30):
        """The messages of tag in user@USERS_DOMAIN's own Maildir."""
        end = time.monotonic() + timeout
        while True:
            got = [r for r in PF.messages(user)
                   if b"<%s-" % tag.encode() in r]
            if len(got) >= n or time.monotonic() > end:
                return got
            time.sleep(0.05)

    def test_several_recipients(self):
        """Two and three recipients, with and without PIPELINING: each
        mailbox gets the message once, SPF-checked, in one transaction."""
        for port, pipe in ((PF.port, 1), (PF.nopipe_port, 0)):
            for users in (("alice", "bob"), ("alice", "bob", "carol")):
                tag = "rcpt%d-%d" % (len(users), pipe)
                mark = PF.log_mark()
                files = write_messages(tag, 2)
                rc, out, err = smtpctl(
                    "send", smtp_url(port), *files, SMTPCTL_TLS="none",
                    SMTPCTL_TO=",".join("%s@%s" % (u, postfix.USERS_DOMAIN)
                                        for u in users))
                self.assertEqual(rc, 0, out + err)
                self.assertIn("open pipelining=%d" % pipe, out)
                self.assertNotIn("note", out)
                for u in users:
                    got = self.wait_user(u, tag, 2)
                    self.assertEqual(len(got), 2, u)
                    for raw in got:
                        self.assertEqual(header(raw, "Delivered-To"),
                                         "%s@%s" % (u, postfix.USERS_DOMAIN))
                        self.assertRegex(header(raw, "Received-SPF"),
                                         r"^Pass ")
                        self.assertEqual(header(raw, "Return-Path"),
                                         "<%s>" % FROM)
                # one transaction per message, every recipient in it
                n = len(users)
                summary = (r"disconnect from \S+ ehlo=1 mail=2 rcpt=%d "
                           r"data=2 quit=1 commands=%d" % (2 * n, 6 + 2 * n))
                self.assertRegex(wait_regex(summary, mark), summary)
                self.assertEqual(delivered(tag), {})

    def test_one_refused_recipient_of_several(self):
        """An unknown user's 550 costs that user only: the others get the
        message once, and the refusal is told once per session."""
        for port, pipe in ((PF.port, 1), (PF.nopipe_port, 0)):
            tag = "refused%d" % pipe
            nosuch = "nosuch@" + postfix.USERS_DOMAIN
            files = write_messages(tag, 2)
            rc, out, err = smtpctl(
                "send", smtp_url(port), *files, SMTPCTL_TLS="none",
                SMTPCTL_TO="alice@%s,%s,bob@%s" % (
                    postfix.USERS_DOMAIN, nosuch, postfix.USERS_DOMAIN))
            self.assertEqual(rc, 0, out + err)
            self.assertEqual(out.count("\nok "), 2, out)
            self.assertRegex(out, r"note %s: <%s> refused it: 550 5\.1\.1 "
                             r".*User unknown in virtual mailbox table.* "
                             r"\(delivered to the other recipients" % (
                                 re.escape(files[0]), re.escape(nosuch)))
            self.assertEqual(out.count("note "), 1, out)
            for u in ("alice", "bob"):
                self.assertEqual(len(self.wait_user(u, tag, 2)), 2, u)

    def test_deferred_recipient_of_several(self):
        """A 4xx for one recipient: delivered to the others, that one is
        named (a retry would duplicate the message for the others)."""
        files = write_messages("deferred", 1)
        rc, out, err = smtpctl(
            "send", smtp_url(PF.port), *files, SMTPCTL_TLS="none",
            SMTPCTL_TO="%s,alice@%s" % (postfix.TEMPFAIL_RCPT,
                                        postfix.USERS_DOMAIN))
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"note .*<%s> deferred it: 451 4\.3\.0 .*try "
                         r"again later" % re.escape(postfix.TEMPFAIL_RCPT))
        self.assertEqual(len(self.wait_user("alice", "deferred", 1)), 1)

    def test_no_recipient_takes_it(self):
        """Every recipient refused: no data is sent; temporary when any of
        them deferred it (a later run may reach it), else permanent."""
        for port, pipe in ((PF.port, 1), (PF.nopipe_port, 0)):
            mark = PF.log_mark()
            files = write_messages("none%d" % pipe, 1)
            rc, out, err = smtpctl(
                "send", smtp_url(port), *files, SMTPCTL_TLS="none",
                SMTPCTL_TO="%s,%s" % (postfix.PERMFAIL_RCPT,
                                      postfix.TEMPFAIL_RCPT))
            self.assertEqual(rc, 2, out + err)
            self.assertIn("temp %s: smtp 127.0.0.1: RCPT TO:<%s>: 451 4.3.0"
                          % (files[0], postfix.TEMPFAIL_RCPT), out)
            # pipelined, DATA went with the group and was refused
            summary = (r"disconnect from \S+ ehlo=1 mail=1 rcpt=0/2 "
                       r"data=0/1 rset=1 quit=1 commands=4/7" if pipe else
                       r"disconnect from \S+ ehlo=1 mail=1 rcpt=0/2 rset=1 "
                       r"quit=1 commands=4/6")
            self.assertRegex(wait_regex(summary, mark), summary)
            rc, out, err = smtpctl(
                "send", smtp_url(port), *files, SMTPCTL_TLS="none",
                SMTPCTL_TO="%s,nosuch@%s" % (postfix.PERMFAIL_RCPT,
                                             postfix.USERS_DOMAIN))
            self.assertEqual(rc, 2, out + err)
            self.assertIn("perm %s: smtp 127.0.0.1: RCPT TO:<%s>: 550 5.1.1"
                          % (files[0], postfix.PERMFAIL_RCPT), out)
        self.assertEqual(delivered("none1"), {})
        self.assertEqual(delivered("none0"), {})

    def test_probe_asks_every_recipient(self):
        rc, out, err = smtpctl(
            "probe", smtp_url(PF.port), SMTPCTL_TLS="none",
            SMTPCTL_TO="alice@%s,bob@%s" % (postfix.USERS_DOMAIN,
                                            postfix.USERS_DOMAIN))
        self.assertEqual((rc, out), (0, "ok\n"), err)
        rc, out, err = smtpctl(
            "probe", smtp_url(PF.port), SMTPCTL_TLS="none",
            SMTPCTL_TO="alice@%s,nosuch@%s,%s" % (
                postfix.USERS_DOMAIN, postfix.USERS_DOMAIN,
                postfix.TEMPFAIL_RCPT))
        self.assertEqual(rc, 2, out + err)
        self.assertRegex(out, r"^perm: smtp 127.0.0.1: RCPT TO:<nosuch@%s>: "
                         r"550 5\.1\.1" % re.escape(postfix.USERS_DOMAIN))

    def test_oversize_is_its_own_failure_and_session_goes_on(self):
        files = write_messages("size", 3)
        big = os.path.join(TMP, "size-big.eml")
        with open(big, "w") as f:
            line = "x" * 76 + "\n"
            f.write(message("size", 99, body_extra=line * (10600000 // 77)))
        rc, out, err = smtpctl("send", smtp_url(PF.port), files[0], big,
                               files[1], SMTPCTL_TLS="none")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("size=10240000", out)
        self.assertRegex(out, r"toobig %s: .*over the server's SIZE" %
                         re.escape(big))
        self.assertIn("ok %s" % files[1], out)
        self.assertEqual(sorted(wait_tag("size", 2)), [0, 1])

    def test_kill_inside_and_outside_the_window(self):
        """The one duplicate window of smtp.h, shown with the test hooks:
        killed after the final dot, the message is delivered although the
        sender never heard the 250 (a re-send would duplicate it); killed
        after the 354 with nothing sent, nothing arrives."""
        for point, n, arrives in (("smtp-before-data", 2, [0]),
                                  ("smtp-after-dot", 2, [0, 1])):
            tag = "kill-" + point
            files = write_messages(tag, 3)
            rc, out, err = smtpctl("send", smtp_url(PF.port), *files,
                                   SMTPCTL_TLS="none",
                                   RSS2MAIL_TEST_CRASH="%s:%d" % (point, n))
            self.assertEqual(rc, -9, out + err)
            self.assertEqual(out.count("\nok "), 1, out)
            wait_tag(tag, len(arrives), timeout=10)
            time.sleep(0.5)         # nothing more comes
            self.assertEqual(sorted(delivered(tag)), arrives)

    def test_probe_sends_nothing(self):
        mark = PF.log_mark()
        before = len(PF.message_files())
        rc, out, err = smtpctl("probe", smtp_url(PF.port),
                               SMTPCTL_TLS="none")
        self.assertEqual((rc, out.strip()), (0, "ok"), err)
        rc, out, err = smtpctl("probe", smtp_url(PF.port),
                               SMTPCTL_TLS="none", SMTPCTL_FROM=BAD_FROM)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("SPF fail", out)
        for summary in (r"ehlo=1 mail=1 rcpt=1 rset=1 quit=1 commands=5\b",
                        r"ehlo=1 mail=1 rcpt=0/1 rset=1 quit=1 "
                        r"commands=4/5\b"):
            self.assertRegex(wait_regex(summary, mark), summary)
        self.assertEqual(len(PF.message_files()), before)

    def test_deliver_ops(self):
        """The deliver_ops adapter: has_msgid cannot find anything, a
        refusal is DELIVER_MSG with the smtp status kept, then it goes
        on."""
        files = write_messages("ops", 2)
        big = os.path.join(TMP, "ops-big.eml")
        with open(big, "w") as f:
            f.write(message("ops", 9, body_extra=("y" * 76 + "\n") *
                            140000))
        rc, out, err = smtpctl("deliver", smtp_url(PF.port), files[0], big,
                               files[1], SMTPCTL_TLS="none")
        self.assertEqual(rc, 2, out + err)
        self.assertIn("has_msgid found=0", out)
        self.assertIn("toobig %s" % big, out)
        self.assertEqual(sorted(wait_tag("ops", 2)), [0, 1])

    def test_envelope_domain_rule(self):
        rc, out, _ = smtpctl("envelope", "a@Example.org", "bounce@example.ORG")
        self.assertEqual((rc, out.strip()), (0, "ok"))
        rc, out, _ = smtpctl("envelope", "a@example.org", "b@other.example")
        self.assertEqual(rc, 2)
        self.assertIn("not in the domain of from (example.org)", out)

    def test_bad_urls_and_addresses(self):
        for url in ("imap://x", "smtp://", "smtp://h:0", "smtp://h:99999",
                    "smtp://[::1", "lmtp:relative"):
            rc, out, _ = smtpctl("probe", url)
            self.assertEqual(rc, 2, url + out)
            self.assertTrue(out.startswith("perm: "), out)
        rc, out, _ = smtpctl("probe", smtp_url(PF.port),
                             SMTPCTL_FROM="a b@x.org")
        self.assertIn("bad envelope sender", out)
        rc, out, _ = smtpctl("probe", smtp_url(PF.port),
                             SMTPCTL_TO="<x@y.org>")
        self.assertIn("bad recipient", out)


class TwoRigs(unittest.TestCase):

    def test_second_rig_beside_the_first(self):
        """Each rig has its own DNS address and mount namespace: a second
        one runs beside the module's, and the host's resolv.conf is not
        touched."""
        with open("/etc/resolv.conf", "rb") as f:
            before = f.read()
        with postfix.Postfix() as pf2:
            self.assertNotEqual(pf2.dns_addr, PF.dns_addr)
            files = write_messages("tworigs", 1)
            for port in (PF.port, pf2.port):
                rc, out, err = smtpctl("send", smtp_url(port), *files,
                                       SMTPCTL_TLS="none")
                self.assertEqual(rc, 0, out + err)
            self.assertTrue(pf2.wait_delivered(1))
            self.assertIn(b"Received-SPF: Pass", pf2.messages()[0])
            self.assertEqual(len(wait_tag("tworigs", 1)), 1)
        with open("/etc/resolv.conf", "rb") as f:
            self.assertEqual(f.read(), before)


class Submission(unittest.TestCase):
    """STARTTLS + AUTH on the submission port; implicit TLS."""

    def auth_env(self, **kw):
        env = {"SMTPCTL_USER": PF.user, "SMTPCTL_PASSWORD": PF.password,
               "SMTPCTL_CA": PF.pki["ca"]}
        env.update(kw)
        return env

    def test_starttls_auth_good_password(self):
        for mech in ("plain", "login"):
            mark = PF.log_mark()
            tag = "sub-" + mech
            files = write_messages(tag, 2)
            rc, out, err = smtpctl(
                "send", smtp_url(PF.sub_port, "localhost"), *files,
                **self.auth_env(SMTPCTL_AUTH=mech))
            self.assertEqual(rc, 0, out + err + PF.log_since(mark))
            got = wait_tag(tag, 2)
            self.assertEqual(sorted(got), [0, 1])
            for raw in got.values():
                self.assertTrue(header(raw, "Received-SPF")
                                .startswith("Pass"))
            log = PF.log_since(mark)
            self.assertIn("sasl_method=%s, sasl_username=%s" %
                          (mech.upper(), PF.user), log)
            self.assertIn("TLS connection established", log)

    def test_bad_password(self):
        mark = PF.log_mark()
        files = write_messages("badpw", 1)
        rc, out, err = smtpctl(
            "send", smtp_url(PF.sub_port, "localhost"), *files,
            **self.auth_env(SMTPCTL_PASSWORD="wrong"))
        self.assertEqual(rc, 4, out + err)
        self.assertIn("authentication failed: 535", out)
        self.assertNotIn("wrong", out + err)
        self.assertIn("authentication failed", PF.log_since(mark))
        self.assertEqual(delivered("badpw"), {})

    def assert_refused_before_auth(self, port, name, why):
        mark = PF.log_mark()
        files = write_messages("refused-" + name, 1)
        rc, out, err = smtpctl("send", smtp_url(port, "localhost"), *files,
                               **self.auth_env())
        self.assertEqual(rc, 4, out + err)
        self.assertIn(why, out)
        self.assertIn("not sending anything", out)
        # the handshake happened, then the client left: no AUTH at all
        summary = r"postfix/%s/smtpd\[\d+\]: disconnect from \S+ ehlo=1 " \
            r"starttls=1 commands=2\n" % name
        log = wait_regex(summary, mark)
        self.assertRegex(log, summary)
        mine = [l for l in log.splitlines() if "postfix/%s/" % name in l]
        self.assertNotIn("sasl", "\n".join(mine).lower())
        self.assertNotIn("auth=", "\n".join(mine))
        self.assertEqual(delivered("refused-" + name), {})

    def test_self_signed_refused_before_auth(self):
        self.assert_refused_before_auth(PF.selfsigned_port, "selfsigned",
                                        "not signed by a trusted CA")

    def test_wrong_host_refused_before_auth(self):
        self.assert_refused_before_auth(PF.wronghost_port, "wronghost",
                                        "for another host name")

    def test_pinned_self_signed(self):
        files = write_messages("pinned", 1)
        rc, out, err = smtpctl(
            "send", smtp_url(PF.selfsigned_port, "localhost"), *files,
            **self.auth_env(SMTPCTL_CA=None,
                            SMTPCTL_FINGERPRINT=PF.pki["fingerprint"]
                            ["selfsigned"]))
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(len(wait_tag("pinned", 1)), 1)

    def test_implicit_tls(self):
        mark = PF.log_mark()
        files = write_messages("smtps", 2)
        rc, out, err = smtpctl(
            "send", smtp_url(PF.smtps_port, "localhost", "smtps"), *files,
            **self.auth_env())
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(sorted(wait_tag("smtps", 2)), [0, 1])
        log = PF.log_since(mark)
        self.assertIn("postfix/smtps/smtpd", log)
        self.assertIn("sasl_username=%s" % PF.user, log)
        # implicit TLS against a plain port fails at the handshake
        rc, out, err = smtpctl(
            "send", smtp_url(PF.port, "localhost", "smtps"), *files,
            **self.auth_env())
        self.assertEqual(rc, 4, out + err)
        self.assertIn("TLS handshake failed", out)

    def test_starttls_not_offered_is_refused(self):
        """Dovecot's LMTP offers no STARTTLS: asking for it stops before
        any mail, never falls back to plain text."""
        with dovecot.Dovecot(lmtp=True) as dc:
            files = write_messages("nostarttls", 1)
            rc, out, err = smtpctl(
                "send", "lmtp://127.0.0.1:%d" % dc.lmtp_port, *files,
                SMTPCTL_TLS="starttls", SMTPCTL_TO="alice@example.org")
            self.assertEqual(rc, 4, out + err)
            self.assertIn("does not offer STARTTLS", out)
            self.assertEqual(dc.count("INBOX"), 0)


class Lmtp(unittest.TestCase):
    """LMTP into Dovecot's LMTP service."""

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        cls.dc = dovecot.Dovecot(lmtp=True, users={"bob": "bob-pw"})

    @classmethod
    def tearDownClass(cls):
        cls.dc.close()

    def url(self):
        return "lmtp://127.0.0.1:%d" % self.dc.lmtp_port

    def test_lmtp_into_dovecot(self):
        files = write_messages("lmtp", 3)
        rc, out, err = smtpctl("send", self.url(), *files,
                               SMTPCTL_TO="alice@example.org,bob@example.org")
        self.assertEqual(rc, 0, out + err)
        for user in ("alice", "bob"):
            got = self.dc.fetch_all("INBOX", user=user)
            mine = [r for r in got if b"<lmtp-" in r]
            self.assertEqual(len(mine), 3)
            for raw in mine:
                self.assertEqual(header(raw.replace(b"\r\n", b"\n"),
                                        "Return-Path"), "<%s>" % FROM)
                i = int(re.search(rb"<lmtp-(\d+)@", raw).group(1))
                with open(files[i], "rb") as f:
                    self.assertTrue(raw.replace(b"\r\n", b"\n")
                                    .endswith(f.read()))

    def test_lmtp_unix_socket(self):
        sock = os.path.join(self.dc.base_dir, "lmtp")
        files = write_messages("lmtp-unix", 2)
        for url in (sock, "lmtp:" + sock):
            rc, out, err = smtpctl("send", url, *files,
                                   SMTPCTL_TO="bob@example.org")
            self.assertEqual(rc, 0, out + err)
        got = self.dc.fetch_all("INBOX", user="bob")
        self.assertEqual(len([r for r in got if b"<lmtp-unix-" in r]), 4)

    def test_unknown_recipient_costs_only_itself(self):
        files = write_messages("lmtp-unknown", 1)
        rc, out, err = smtpctl(
            "send", self.url(), *files,
            SMTPCTL_TO="alice@example.org,nosuch@example.org")
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"note .*<nosuch@example.org> refused it: 550")
        got = self.dc.fetch_all("INBOX", user="alice")
        self.assertEqual(len([r for r in got if b"<lmtp-unknown-" in r]), 1)
        files = write_messages("lmtp-nobody", 1)
        rc, out, err = smtpctl(
            "send", self.url(), *files,
            SMTPCTL_TO="nosuch@example.org,other@example.org")
        self.assertEqual(rc, 2, out + err)
        self.assertRegex(out, r"perm .*RCPT TO:<nosuch@example.org>: 550")


class LmtpReplies(unittest.TestCase):
    """LMTP's replies after the data, one per recipient that took it
    (RFC 2033), from a scripted server: the same rule as at RCPT."""

    def run_lmtp(self, rcpt, rcpt_replies, after):
        seen = iter(rcpt_replies)
        fake = FakeSmtp({"RCPT": lambda c: c.sendall(next(seen)),
                         "DATA": b"354 go\r\n", ".": after})
        files = write_messages("lmtp-fake", 1)
        try:
            rc, out, err = smtpctl("send", "lmtp://127.0.0.1:%d" %
                                   fake.port, *files, SMTPCTL_TO=rcpt)
        finally:
            fake.close()
        return rc, out + err, fake.seen

    def test_some_refuse_after_the_data(self):
        rc, out, seen = self.run_lmtp(
            "a@x.org,b@x.org,c@x.org,d@x.org",
            [b"250 ok\r\n", b"250 ok\r\n", b"550 5.1.1 no\r\n",
             b"250 ok\r\n"],
            b"250 2.0.0 a saved\r\n452 4.2.2 b over quota\r\n"
            b"250 2.0.0 d saved\r\n")
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"note .*<b@x.org> deferred it: 452 4.2.2 b "
                         r"over quota; <c@x.org> refused it: 550 5.1.1 no")
        self.assertEqual(seen[:2], ["LHLO", "MAIL"])
        self.assertEqual(seen.count("RCPT"), 4)

    def test_none_after_the_data(self):
        rc, out, _ = self.run_lmtp(
            "a@x.org,b@x.org", [b"250 ok\r\n", b"250 ok\r\n"],
            b"550 5.2.1 a disabled\r\n452 4.2.2 b over quota\r\n")
        self.assertEqual(rc, 2, out)
        self.assertIn("temp ", out)
        self.assertIn("message refused: <b@x.org>: 452 4.2.2 b over "
                      "quota", out)


class FakeSmtp:
    """A one-connection hostile SMTP server on loopback: greets, then
    answers each command line with replies[verb] (bytes, sent in one
    write; a callable gets the socket).  Records the commands seen."""

    def __init__(self, replies):
        import socket
        import threading
        self.replies = replies
        self.seen = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.sock.settimeout(20)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            c, _ = self.sock.accept()
        except OSError:
            return
        c.settimeout(20)
        try:
            c.sendall(b"220 fake ESMTP\r\n")
            buf = b""
            indata = False
            while True:
                data = c.recv(65536)
                if not data:
                    return
                buf += data
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    if indata and line != b".":
                        continue
                    indata = False
                    verb = line.split(b" ")[0].upper().decode()
                    self.seen.append(verb)
                    r = self.replies.get(verb, b"250 ok\r\n")
                    if callable(r):
                        r(c)
                    else:
                        c.sendall(r)
                        indata = r.startswith(b"354")
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.sock.close()
        self.thread.join(10)


class Hostile(unittest.TestCase):
    """Servers that misbehave get an ordinary error, in bounded time and
    memory, and no message."""

    def run_fake(self, replies, **env):
        fake = FakeSmtp(replies)
        files = write_messages("hostile", 1)
        try:
            t0 = time.monotonic()
            rc, out, err = smtpctl("send", "smtp://127.0.0.1:%d" %
                                   fake.port, *files, **env)
            self.assertLess(time.monotonic() - t0, 20)
        finally:
            fake.close()
        return rc, out, fake.seen

    def test_starttls_injection(self):
        rc, out, seen = self.run_fake({
            "EHLO": b"250-fake\r\n250 STARTTLS\r\n",
            "STARTTLS": b"220 go ahead\r\n250 injected\r\n"})
        self.assertEqual(rc, 4, out)
        self.assertIn("sent data before the TLS handshake", out)
        self.assertNotIn("MAIL", seen)

    def test_starttls_not_offered_no_fallback(self):
        rc, out, seen = self.run_fake({"EHLO": b"250 fake\r\n"})
        self.assertEqual(rc, 4, out)
        self.assertIn("does not offer STARTTLS", out)
        self.assertEqual(seen, ["EHLO"])

    def test_flooding_reply(self):
        def flood(c):
            c.sendall(b"250-" + b"x" * 300000 + b"\r\n250 ok\r\n")
        rc, out, _ = self.run_fake({"EHLO": flood}, SMTPCTL_TLS="none")
        self.assertEqual(rc, 4, out)
        self.assertIn("more than 64 KB", out)

    def test_not_smtp(self):
        rc, out, _ = self.run_fake({"MAIL": b"hello there\r\n"},
                                   SMTPCTL_TLS="none")
        self.assertEqual(rc, 4, out)
        self.assertIn("MAIL FROM/RCPT TO/DATA: the server's reply is not "
                      "SMTP", out)

    def test_no_reply_after_the_data(self):
        """The one window: the data went out, no reply came; the caller
        is told the fate is unknown."""
        def cut(c):
            c.close()
        rc, out, seen = self.run_fake({"DATA": b"354 go\r\n",
                                       ".": cut}, SMTPCTL_TLS="none")
        self.assertEqual(rc, 4, out)
        self.assertIn("may or may not have been delivered", out)


FAKE = """#!/bin/sh
printf '%%s\\n' "$@" > "%(args)s"
cat > "%(stdin)s"
%(tail)s
"""


class Sendmail(unittest.TestCase):

    def test_postfix_sendmail(self):
        files = write_messages("sendmail", 3)
        rc, out, err = smtpctl("sendmail", postfix.SENDMAIL, *files,
                               MAIL_CONFIG=PF.config_dir)
        self.assertEqual(rc, 0, out + err)
        got = wait_tag("sendmail", 3)
        self.assertEqual(sorted(got), [0, 1, 2], PF.log()[-2000:])
        for i, raw in got.items():
            self.assertEqual(header(raw, "Return-Path"), "<%s>" % FROM)
            with open(files[i], "rb") as f:
                # -i: the lone "." line is text, not the end
                self.assertTrue(raw.endswith(f.read()), raw[-300:])

    def test_deliver_ops(self):
        """deliver_sendmail: has_msgid never finds, a refusal is
        DELIVER_MSG with its smtp status kept, then it goes on."""
        prog, _ = self.fake('if grep -q "^Subject: smops post 1$" '
                            '"$(dirname "$0")/stdin"; then echo busy >&2; '
                            'exit 75; fi')
        files = write_messages("smops", 3)
        rc, out, err = smtpctl("deliver", "sendmail:" + prog, *files)
        self.assertEqual(rc, 2, out + err)
        self.assertEqual(out.splitlines(), [
            "has_msgid found=0", "ok " + files[0],
            "temp %s: sendmail %s: exit 75: busy" % (files[1], prog),
            "ok " + files[2]])
        rc, out, err = smtpctl("deliver", "sendmail:/nonexistent/sendmail",
                               *files)
        self.assertEqual(rc, 4, out + err)
        self.assertIn("cannot run it", out)

    def fake(self, tail):
        d = tempfile.mkdtemp(dir=TMP)
        paths = {"args": os.path.join(d, "args"),
                 "stdin": os.path.join(d, "stdin"), "tail": tail}
        prog = os.path.join(d, "sendmail")
        with open(prog, "w") as f:
            f.write(FAKE % paths)
        os.chmod(prog, 0o755)
        return prog, paths

    def test_argv_and_lf_stdin(self):
        prog, paths = self.fake("exit 0")
        files = write_messages("fake", 1)
        rc, out, err = smtpctl("sendmail", prog, *files,
                               SMTPCTL_TO="a@example.org,-b@example.org")
        self.assertEqual(rc, 0, out + err)
        with open(paths["args"]) as f:
            self.assertEqual(f.read().split("\n")[:-1],
                             ["-i", "-f", FROM, "--", "a@example.org",
                              "-b@example.org"])
        with open(paths["stdin"], "rb") as f, open(files[0], "rb") as g:
            self.assertEqual(f.read(), g.read())

    def test_exit_status_decides(self):
        files = write_messages("fakefail", 1)
        prog, _ = self.fake("echo 'queue full, try later' >&2; exit 75")
        rc, out, _ = smtpctl("sendmail", prog, *files)
        self.assertEqual(rc, 2)
        self.assertIn("temp %s: sendmail %s: exit 75: queue full, try "
                      "later" % (files[0], prog), out)
        prog, _ = self.fake("printf 'no such user\\nsecond line\\n' >&2; "
                            "exit 67")
        rc, out, _ = smtpctl("sendmail", prog, *files)
        self.assertEqual(rc, 2)
        self.assertIn("perm %s: sendmail %s: exit 67: no such user" %
                      (files[0], prog), out)
        self.assertNotIn("second line", out)
        rc, out, _ = smtpctl("sendmail", os.path.join(TMP, "missing"),
                             *files)
        self.assertEqual(rc, 4)
        self.assertIn("cannot run it", out)

    def test_hung_sendmail_is_killed(self):
        files = write_messages("fakehang", 1)
        prog, _ = self.fake("exec sleep 30")
        t0 = time.monotonic()
        rc, out, _ = smtpctl("sendmail", prog, *files, SMTPCTL_TIMEOUT="2")
        self.assertLess(time.monotonic() - t0, 15)
        self.assertEqual(rc, 2)
        self.assertIn("killed", out)


if __name__ == "__main__":
    unittest.main()
