"""The first five minutes: `rss2mail init` and `add` before a config exists.

  - init without a terminal, with each delivery kind (Maildir, IMAP; SMTP
    refused while the config knows no `deliver = smtp`), at the default
    path (created with its directory) or -c FILE, mode 0600;
  - init on a terminal (a pseudo-terminal): the questions, the defaults
    accepted with Enter, answers typed, the SPF note;
  - never over an existing file; --force keeps the old one as .bak;
  - without a terminal and without --to: one error naming the flags;
  - add / import-opml on a missing config: one line telling to run init
    (exit 2); add --to ADDR writes the minimal config first;
  - then add, check and run on the written config, into a Maildir and
    into a real Dovecot.
"""
import os
import select
import subprocess
import time
import unittest

import rig
from feeds import rss


class Init(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.env = {"HOME": self.dir,
                    "XDG_CONFIG_HOME": os.path.join(self.dir, "cfg"),
                    "XDG_DATA_HOME": os.path.join(self.dir, "data")}
        self.default = os.path.join(self.dir, "cfg", "rss2mail",
                                    "config.ini")
        self.http = rig.feed_server(self)
        self.http.put("/one.xml", rss("one", 2, entry="Post {i}"))

    def rss2mail(self, *args, stdin=subprocess.DEVNULL):
        """rss2mail without -c (the default path of self.env)."""
        e = dict(os.environ)
        e.pop("RSS2MAIL_CONFIG", None)
        e.update(self.env)
        r = subprocess.run([rig.BIN] + list(args), stdin=stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60, env=e, text=True, errors="replace")
        rig.check_sanitizers(r.stderr)
        return r

    def text(self, path=None):
        with open(path or self.default) as f:
            return f.read()

    def converse(self, args, answers):
        """Run rss2mail on a pseudo-terminal; for each (prompt, reply)
        wait for prompt in the output, then type reply and Enter.  Returns
        (exit status, everything the terminal showed)."""
        import pty
        master, slave = pty.openpty()
        e = dict(os.environ)
        e.pop("RSS2MAIL_CONFIG", None)
        e.update(self.env)
        p = subprocess.Popen([rig.BIN] + list(args), stdin=slave,
                             stdout=slave, stderr=slave, env=e,
                             close_fds=True)
        os.close(slave)
        seen = b""
        pending = list(answers)
        deadline = time.time() + 30
        try:
            while time.time() < deadline:
                r, _, _ = select.select([master], [], [], 0.2)
                if r:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        break       # the child closed the terminal
                    if not chunk:
                        break
                    seen += chunk
                while pending and pending[0][0].encode() in seen:
                    prompt, reply = pending.pop(0)
                    # only the part after this prompt counts for the next
                    seen_to = seen.index(prompt.encode()) + len(prompt)
                    self.transcript = getattr(self, "transcript", b"") + \
                        seen[:seen_to]
                    seen = seen[seen_to:]
                    os.write(master, reply.encode() + b"\n")
                if p.poll() is not None and not r:
                    break
            rc = p.wait(timeout=10)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            os.close(master)
        out = (getattr(self, "transcript", b"") + seen).decode(
            "utf-8", "replace")
        self.transcript = b""
        self.assertEqual(pending, [], "never asked:\n" + out)
        return rc, out

    def add_check_run(self, cfg, md=None):
        r = rig.run(cfg, "add", "one", self.http.url("/one.xml"),
                    env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = rig.run(cfg, "check", env=self.env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("all good", r.stdout)
        r = rig.run(cfg, "run", env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        if md is not None:
            self.assertEqual(len(rig.read_maildir(md)), 2)

    def test_maildir_at_the_default_path(self):
        r = self.rss2mail("init", "--to", "Me <me@example.org>")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.stat(self.default).st_mode & 0o777, 0o600)
        text = self.text()
        self.assertIn("from = Feeds <feeds@example.org>", text)
        self.assertIn("to = Me <me@example.org>", text)
        self.assertIn("deliver = maildir", text)
        md = os.path.join(self.dir, "data", "rss2mail", "Maildir")
        self.assertIn("maildir = " + md, text)
        self.assertIn(";", text)            # commented
        # the next three commands and the cron line
        for cmd in ("rss2mail add", "rss2mail check", "rss2mail run"):
            self.assertIn(cmd, r.stdout)
        self.assertRegex(r.stdout, r"\*/30 \* \* \* \* \S+ -c %s -q run" %
                         self.default)
        self.add_check_run(self.default, md)

    def test_flags_and_c_file(self):
        cfg = os.path.join(self.dir, "deep", "er", "my.ini")
        md = os.path.join(self.dir, "Mail")
        r = rig.run(cfg, "init", "--to=me@example.org",
                    "--from", "Bridge <bridge@mail.example.net>",
                    "--maildir", md, env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(self.default))
        text = self.text(cfg)
        self.assertIn("from = Bridge <bridge@mail.example.net>", text)
        self.assertIn("maildir = " + md, text)
        self.assertIn("-c " + cfg, r.stdout)
        self.add_check_run(cfg, md)

    def test_imap_into_dovecot(self):
        dc = rig.imap_server(self)
        pwf = rig.write_secret(self.dir, dc.password)
        cfg = os.path.join(self.dir, "imap.ini")
        r = rig.run(cfg, "init", "--to", "me@example.org", "--imap-url",
                    dc.url(""), "imap-tls=none", "password-file=" + pwf,
                    "folder=Feeds/{name}", env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        text = self.text(cfg)
        self.assertIn("deliver = imap", text)
        self.assertIn("imap-url = " + dc.url(""), text)
        self.assertIn("password-file = " + pwf, text)
        self.add_check_run(cfg)
        self.assertEqual(dc.count("Feeds/one"), 2)

    def test_smtp(self):
        cfg = os.path.join(self.dir, "smtp.ini")
        r = rig.run(cfg, "init", "--to", "me@example.org", "--smtp-url",
                    "smtp://127.0.0.1:25", env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        text = self.text(cfg)
        self.assertIn("deliver = smtp", text)
        self.assertIn("smtp-url = smtp://127.0.0.1:25", text)
        # From defaults to feeds@ the domain of To, and the file says
        # that domain's SPF must cover this host
        self.assertIn("from = Feeds <feeds@example.org>", text)
        self.assertIn("SPF covers this host", text)
        self.assertEqual(os.stat(cfg).st_mode & 0o777, 0o600)
        # and the file it wrote is a config rss2mail accepts
        r = rig.run(cfg, "list", env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_no_terminal_no_flags(self):
        r = self.rss2mail("init")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(rig.error_lines(r.stderr)), 1, r.stderr)
        for flag in ("--to", "--from", "--maildir", "--imap-url"):
            self.assertIn(flag, r.stderr)
        self.assertFalse(os.path.exists(self.default))
        # bad combinations are usage errors too
        r = self.rss2mail("init", "--to", "a@b.example", "--maildir", "x",
                          "--imap-url", "imap://h/")
        self.assertEqual(r.returncode, 2)
        r = self.rss2mail("init", "--to", "a@b.example", "colour=blue")
        self.assertEqual(r.returncode, 2)
        self.assertIn("colour", r.stderr)
        self.assertFalse(os.path.exists(self.default))

    def test_never_overwrites_and_force_keeps_a_backup(self):
        cfg = rig.write_config(self.dir, "; mine\n[rss2mail]\nfrom = a@b.example"
                               "\nto = c@d.example\n", name="mine.ini")
        before = self.text(cfg)
        r = rig.run(cfg, "init", "--to", "new@example.org", env=self.env)
        self.assertEqual(r.returncode, 2)
        self.assertIn("exists", r.stderr)
        self.assertIn("--force", r.stderr)
        self.assertEqual(self.text(cfg), before)
        r = rig.run(cfg, "init", "--to", "new@example.org", "--force",
                    env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(".bak", r.stdout)
        self.assertEqual(self.text(cfg + ".bak"), before)
        self.assertEqual(os.stat(cfg + ".bak").st_mode & 0o777, 0o600)
        self.assertIn("to = new@example.org", self.text(cfg))
        self.assertEqual(os.stat(cfg).st_mode & 0o777, 0o600)

    def test_on_a_terminal_defaults_accepted(self):
        rc, out = self.converse(["init"], [
            ("Your address", "me@example.org"),
            ("From [Feeds <feeds@example.org>]", ""),
            ("Deliver to [", ""),
        ])
        self.assertEqual(rc, 0, out)
        self.assertIn("SPF", out)
        text = self.text()
        self.assertIn("to = me@example.org", text)
        self.assertIn("from = Feeds <feeds@example.org>", text)
        md = os.path.join(self.dir, "data", "rss2mail", "Maildir")
        self.assertIn("maildir = " + md, text)
        self.assertEqual(os.stat(self.default).st_mode & 0o777, 0o600)
        self.add_check_run(self.default, md)

    def test_on_a_terminal_answers_typed(self):
        md = os.path.join(self.dir, "Typed")
        rc, out = self.converse(["init", "--to", "me@example.org"], [
            ("From [", "Mine <feeds@mine.example>"),
            ("Deliver to [", md),
        ])
        self.assertEqual(rc, 0, out)
        self.assertNotIn("Your address", out)       # --to was given
        text = self.text()
        self.assertIn("from = Mine <feeds@mine.example>", text)
        self.assertIn("maildir = " + md, text)
        # an IMAP URL asks for the password command
        rc, out = self.converse(["-c", os.path.join(self.dir, "i.ini"),
                                 "init", "--to", "me@example.org"], [
            ("From [", ""),
            ("Deliver to [", "imaps://me@imap.example.org/Feeds"),
            ("password", "pass show mail"),
        ])
        self.assertEqual(rc, 0, out)
        text = self.text(os.path.join(self.dir, "i.ini"))
        self.assertIn("deliver = imap", text)
        self.assertIn("imap-url = imaps://me@imap.example.org/Feeds", text)
        self.assertIn("password-command = pass show mail", text)

    def test_add_on_a_missing_config(self):
        r = self.rss2mail("add", "one", self.http.url("/one.xml"))
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(rig.error_lines(r.stderr)), 1, r.stderr)
        self.assertIn("rss2mail init", r.stderr)
        self.assertFalse(os.path.exists(self.default))
        opml = os.path.join(self.dir, "in.opml")
        with open(opml, "w") as f:
            f.write('<opml version="2.0"><body><outline text="x" '
                    'xmlUrl="https://x.example/feed"/></body></opml>')
        r = self.rss2mail("import-opml", opml)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(rig.error_lines(r.stderr)), 1, r.stderr)
        self.assertIn("rss2mail init", r.stderr)
        # with --to: the minimal config first, then the feed
        r = self.rss2mail("add", "--to", "me@example.org", "one",
                          self.http.url("/one.xml"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.stat(self.default).st_mode & 0o777, 0o600)
        text = self.text()
        self.assertIn("to = me@example.org", text)
        self.assertIn("from = Feeds <feeds@example.org>", text)
        self.assertIn("[feed.one]", text)
        # with a config, --to is the feed's own
        self.http.put("/two.xml", rss("two", 2, entry="Other {i}"))
        r = self.rss2mail("add", "two", self.http.url("/two.xml"), "--to",
                          "other@example.org")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.text().rstrip().endswith(
            "to = other@example.org"), self.text())
        r = self.rss2mail("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        md = os.path.join(self.dir, "data", "rss2mail", "Maildir")
        self.assertEqual(len(rig.read_maildir(md)), 4)


if __name__ == "__main__":
    unittest.main()
