#!/usr/bin/python3
"""make bench-smtp: 1,000 messages into the local Postfix rig by SMTP,
rss2mail against Debian's rss2email (r2e) in its SMTP mode, in one run.

    /usr/bin/python3 tests/bench/smtp.py      (after `make`; needs root
                                               for the Postfix rig)

Environment: BENCH_SMTP_FEEDS (50), BENCH_SMTP_ENTRIES (20 per feed),
BENCH_SMTP_CONNECTIONS (rss2mail's smtp-connections, 1), BENCH_SMTP_DIR (where both keep their state; default a temp directory:
point it at /dev/shm to take the disk's fsync price out of both),
RSS2MAIL_BUILD (build/).

What it does, all on loopback: starts the rig of tests/integration/
postfix.py (Postfix + policyd-spf + unbound: every message is SPF-checked
at RCPT, as in production), serves FEEDS x ENTRIES entries (2 KB HTML
bodies) from tests/integration/feedserver.py, then
  1. rss2mail: deliver = smtp to the rig's port, from at the domain whose
     SPF passes; `rss2mail run` timed from start to exit;
  2. r2e: email-protocol = smtp, smtp-server = 127.0.0.1:PORT, no auth,
     no TLS, the same from and to; the feeds added with `r2e add`
     (untimed), then `r2e run` timed from start to exit;
  3. the rig's own ceiling for one client: build/tools/smtpctl sends
     rss2mail's messages again (read back from the Maildir, Postfix's
     header lines dropped) over one connection, no journal, no feeds;
after each, every message must have reached the rig's Maildir with
Received-SPF: Pass (exit 1 when not).  Prints both rates and the ratio
(issue 14's target: >= 20x), and the ceiling: Postfix with policyd-spf
at RCPT answers one transaction at a time, so no sequential client can
beat it.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))

import postfix                                  # noqa: E402
from feedserver import FeedServer               # noqa: E402
from feeds import rss                           # noqa: E402

BUILD = os.environ.get("RSS2MAIL_BUILD") or os.path.join(TOP, "build")
BIN = os.path.join(BUILD, "rss2mail")
R2E = shutil.which("r2e") or "/usr/bin/r2e"
FROM = "feeds@" + postfix.SPF_PASS_DOMAIN
TO = "me@" + postfix.BRIDGE_RCPT_DOMAIN
BODY = ("<p>%s</p>" % ("Ünïcode body text of a post, as long as a "
                       "short article's teaser. " * 40))


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def timed(cmd, env=None):
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace", env=env, timeout=3600)
    return time.monotonic() - t0, p


def wait_count(pf, n, timeout=300):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = len(pf.message_files())
        if got >= n:
            return got
        time.sleep(0.2)
    return len(pf.message_files())


def spf_pass_count(pf, tag):
    n = 0
    for raw in pf.messages():
        head = raw.split(b"\n\n", 1)[0]
        if (re.search(rb"(?m)^Subject: %s " % tag.encode(), head) and
                re.search(rb"(?m)^Received-SPF: Pass", head)):
            n += 1
    return n


def main():
    nfeeds = env_int("BENCH_SMTP_FEEDS", 50)
    nentries = env_int("BENCH_SMTP_ENTRIES", 20)
    total = nfeeds * nentries
    why = postfix.Postfix.missing()
    if why:
        print("bench-smtp: cannot run the Postfix rig: %s" % why)
        return 1
    if not os.access(BIN, os.X_OK) or not os.access(R2E, os.X_OK):
        print("bench-smtp: needs %s (make) and %s (rss2email)" % (BIN, R2E))
        return 1
    base = os.environ.get("BENCH_SMTP_DIR")
    tmp = tempfile.mkdtemp(prefix="r2m-bench-smtp-", dir=base)
    http = FeedServer()
    http.start()
    pf = postfix.Postfix()
    broken = False
    try:
        # the same entries for both, under a tag each (the Subject says
        # whose message it is)
        for tag in ("r2m", "r2e"):
            for f in range(nfeeds):
                http.put("/%s%d.xml" % (tag, f), rss(
                    "%s feed %d" % (tag, f), nentries, "%s%d" % (tag, f),
                    entry=tag + " {prefix} entry {i}",
                    link="http://example.org/{prefix}/{i}",
                    description=BODY, cdata=True))

        # 1. rss2mail
        cfg = os.path.join(tmp, "rss2mail.ini")
        with open(cfg, "w") as fh:
            fh.write("[rss2mail]\nfrom = Feeds <%s>\nto = %s\n"
                     "deliver = smtp\nsmtp-url = smtp://127.0.0.1:%d\n"
                     "smtp-tls = none\nstate = %s/state.db\n"
                     "allow-private = yes\nsmtp-connections = %d\n" % (
                         FROM, TO, pf.port, tmp,
                         env_int("BENCH_SMTP_CONNECTIONS", 1)))
            for f in range(nfeeds):
                fh.write("\n[feed.r2m%d]\nurl = %s\n" %
                         (f, http.url("/r2m%d.xml" % f)))
        before = len(pf.message_files())
        t_r2m, p = timed([BIN, "-c", cfg, "run"])
        if p.returncode != 0:
            print("rss2mail run failed (%d): %s" % (p.returncode,
                                                     p.stderr[-2000:]))
            broken = True
        got = wait_count(pf, before + total) - before
        ok_r2m = spf_pass_count(pf, "r2m")
        if got != total or ok_r2m != total:
            print("rss2mail: %d of %d arrived, %d with SPF Pass" %
                  (got, total, ok_r2m))
            broken = True

        # 2. rss2email
        r2e_cfg = os.path.join(tmp, "r2e.cfg")
        r2e_data = os.path.join(tmp, "r2e.json")
        with open(r2e_cfg, "w") as fh:
            fh.write("[DEFAULT]\nfrom = %s\nto = %s\n"
                     "email-protocol = smtp\n"
                     "smtp-server = 127.0.0.1:%d\nsmtp-auth = False\n"
                     "smtp-ssl = False\nuse-publisher-email = False\n" %
                     (FROM, TO, pf.port))
        r2e = [R2E, "-c", r2e_cfg, "-d", r2e_data]
        for f in range(nfeeds):
            p = subprocess.run(r2e + ["add", "r2e%d" % f,
                                      http.url("/r2e%d.xml" % f)],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if p.returncode != 0:
                print("r2e add failed: %s" % p.stdout[-2000:])
                broken = True
                break
        before = len(pf.message_files())
        t_r2e, p = timed(r2e + ["run"])
        if p.returncode != 0:
            print("r2e run failed (%d): %s" % (p.returncode,
                                                p.stderr[-2000:]))
            broken = True
        got = wait_count(pf, before + total) - before
        ok_r2e = spf_pass_count(pf, "r2e")
        if got != total or ok_r2e != total:
            print("r2e: %d of %d arrived, %d with SPF Pass" %
                  (got, total, ok_r2e))
            broken = True

        # 3. the ceiling: rss2mail's own messages, sent again by smtpctl
        files = []
        for i, raw in enumerate(pf.messages()):
            head, _, body = raw.partition(b"\n\n")
            if not re.search(rb"(?m)^Subject: r2m ", head):
                continue
            lines = head.split(b"\n")
            # drop what Postfix added on top: up to the first From:
            while lines and not re.match(rb"(?i)(from|date|message-id|"
                                         rb"subject|to|mime-version):",
                                         lines[0]):
                lines.pop(0)
            path = os.path.join(tmp, "ceil-%d.eml" % i)
            with open(path, "wb") as fh:
                fh.write(b"\n".join(lines).replace(b"Subject: r2m ",
                                                   b"Subject: ceil ") +
                         b"\n\n" + body)
            files.append(path)
        env = dict(os.environ, SMTPCTL_FROM=FROM, SMTPCTL_TO=TO,
                   SMTPCTL_TLS="none", SMTPCTL_TIMEOUT="30")
        t_ceil, p = timed([os.path.join(BUILD, "tools", "smtpctl"), "send",
                           "smtp://127.0.0.1:%d" % pf.port] + files, env=env)
        if p.returncode != 0:
            print("smtpctl failed (%d): %s" % (p.returncode,
                                                (p.stdout + p.stderr)[-1000:]))
            broken = True

        rate_r2m = total / t_r2m
        rate_r2e = total / t_r2e
        print("bench-smtp: %d messages (%d feeds x %d entries) into "
              "Postfix + policyd-spf on loopback, state in %s" %
              (total, nfeeds, nentries, os.path.dirname(tmp)))
        print("  rss2mail  %7.2f s  %8.1f msg/s" % (t_r2m, rate_r2m))
        print("  r2e       %7.2f s  %8.1f msg/s   (rss2email %s)" %
              (t_r2e, rate_r2e, subprocess.run(
                  [R2E, "--version"], stdout=subprocess.PIPE, text=True)
               .stdout.split()[-1]))
        print("  ratio     %7.1fx  (target >= 20x: %s)" %
              (rate_r2m / rate_r2e, "met" if rate_r2m / rate_r2e >= 20
               else "MISSED"))
        print("  ceiling   %7.2f s  %8.1f msg/s   (smtpctl: the same %d "
              "messages, one connection, nothing else)" %
              (t_ceil, len(files) / t_ceil, len(files)))
        print("  rss2mail reaches %.0f%% of the ceiling; r2e %.0f%%" %
              (100 * rate_r2m / (len(files) / t_ceil),
               100 * rate_r2e / (len(files) / t_ceil)))
    finally:
        pf.close()
        http.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
