#!/usr/bin/python3
"""make bench-field: IMAP delivery across a real-world link, beside mbsync.

    /usr/bin/python3 tests/bench/field.py      (after `make`)

For each provider profile (FIELD_PROFILES, default "gmail outlook full":
Dovecot posing with that provider's capability list, dovecot.PROFILES), all
on loopback:
  1. a corpus of FIELD_MESSAGES (1000) entries in 50 feeds (corpus.py),
     served by the local HTTP server;
  2. a delay proxy (tests/tools/faultproxy.py) in front of Dovecot adds
     FIELD_RTT_MS (50) of round trip, half each way;
  3. `rss2mail run` delivers the corpus through the proxy, each feed into
     a folder of its own, Feeds/<feed> (as a reader's config has it; cold:
     fetch, parse, compose and deliver, all timed, at the default
     imap-connections); every entry must land exactly once;
  4. the same messages, fetched back, are written into a Maildir with the
     same folders, M/<feed>, and mbsync (Debian's isync) uploads every one
     of them through the same proxy (`Patterns M/*`, `Sync Push New`,
     `Create Far`), timed: both clients put the same messages into the
     same number of folders, each with its own defaults (mbsync has one
     connection per store);
  5. one line per profile: both rates and the ratio.
Exit 1 when something broke (a run failed, an entry was lost or duplicated,
mbsync did not upload everything); a missed target is reported, not fatal.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "tools"))
sys.path.insert(0, HERE)

import bench         # noqa: E402  (corpus server, timing, exactly-once)
import corpus        # noqa: E402
import dovecot       # noqa: E402
from faultproxy import FaultProxy   # noqa: E402

MBSYNC = shutil.which("mbsync") or "/usr/bin/mbsync"
TARGET_X = 1.5          # issue 13: rss2mail >= 1.5 x mbsync on each profile


def mbsync_upload(tmp, dc, port, boxes, timeout):
    """Write each box's messages ({name: [(date, raw)]}) into a Maildir
    folder M/<name> and have mbsync push them all through port; returns
    the launcher's Child."""
    md = os.path.join(tmp, "mbsync-maildir")
    for name, messages in boxes.items():
        box = os.path.join(md, "M", name)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(box, sub), exist_ok=True)
        for i, (_, raw) in enumerate(messages):
            with open(os.path.join(box, "cur", "%d.%d.bench:2,S" % (
                    time.time(), i)), "wb") as f:
                f.write(raw.replace(b"\r\n", b"\n"))
    state = os.path.join(tmp, "mbsync-state")
    os.makedirs(state, exist_ok=True)
    rc = os.path.join(tmp, "mbsyncrc")
    # isync wants a blank line between sections, and SyncState a directory
    # of its own (FACTS.md)
    with open(rc, "w") as f:
        f.write("IMAPAccount field\nHost 127.0.0.1\nPort %d\nUser %s\n"
                "Pass %s\nSSLType None\nAuthMechs LOGIN\n\n"
                "IMAPStore far\nAccount field\n\n"
                "MaildirStore near\nPath %s/\nInbox %s/INBOX\n"
                "SubFolders Verbatim\n\n"
                "Channel up\nFar :far:\nNear :near:\nPatterns M/*\n"
                "Create Far\nSync Push New\nSyncState %s/\n" % (
                    port, dc.user, dc.password, md, md, state))
    return bench.timed([MBSYNC, "-c", rc, "-q", "up"], timeout,
                       os.path.join(tmp, "mbsync.out"))


def one_profile(name, cp, http, paths, nmsgs, rtt_ms, timeout):
    tmp = tempfile.mkdtemp(prefix="rss2mail-field-%s-" % name)
    dc = proxy = None
    try:
        dc = dovecot.Dovecot(user="field", password="field-pw",
                             extra=dovecot.profile_config(name))
        proxy = FaultProxy(dc.port, delay_ms=rtt_ms / 2.0)
        via = _Via(dc, proxy.port)
        cfg = bench.write_config(tmp, via, http, paths, len(paths),
                                 images="none",
                                 extra=("folder = Feeds/{name}",))
        env = dict(os.environ)
        env.pop("RSS2MAIL_CONFIG", None)
        c = bench.timed([bench.BIN, "-c", cfg, "run"], timeout,
                        os.path.join(tmp, "rss2mail.out"), env)
        names = ["f%04d" % i for i in range(len(paths))]
        pairs = []
        for n in names:
            pairs += bench.folder_ids(dc, dc.folder("Feeds/" + n))
        ok, why = bench.exactly_once(pairs, set(cp.expected_ids))
        if c.rc != 0 or not ok:
            raise bench.Broken("%s: rss2mail rc %d, %s\n%s" % (
                name, c.rc, why, c.out[-2000:]))
        r_rate = len(pairs) / c.wall
        boxes = {n: bench.fetch_messages(dc, dc.folder("Feeds/" + n))
                 for n in names}
        want = sum(len(v) for v in boxes.values())
        m = mbsync_upload(tmp, dc, proxy.port, boxes, timeout)
        got = sum(dc.count(dc.folder("M/" + n)) for n in names) \
            if m.rc == 0 else 0
        if m.rc != 0 or got != want:
            raise bench.Broken("%s: mbsync rc %d, %d of %d uploaded\n%s" % (
                name, m.rc, got, want, m.out[-2000:]))
        m_rate = got / m.wall
        return {"profile": name, "n": len(pairs), "r_wall": c.wall,
                "r_rate": r_rate, "r_cpu": c.cpu, "m_wall": m.wall,
                "m_rate": m_rate, "ratio": r_rate / m_rate}
    finally:
        if proxy:
            proxy.close()
        if dc:
            dc.close()
        shutil.rmtree(tmp, ignore_errors=True)


class _Via:
    """A Dovecot as rss2mail should reach it: through the proxy's port."""

    def __init__(self, dc, port):
        self.dc, self.port = dc, port
        self.user, self.password = dc.user, dc.password

    def url(self, mailbox=""):
        return "imap://%s@127.0.0.1:%d/%s" % (self.user, self.port, mailbox)


def main():
    nmsgs = bench.env_int("FIELD_MESSAGES", 1000)
    rtt = bench.env_int("FIELD_RTT_MS", 50)
    timeout = bench.env_int("FIELD_TIMEOUT", 600)
    profiles = os.environ.get("FIELD_PROFILES", "gmail outlook full").split()
    for p in profiles:
        if p not in dovecot.PROFILES:
            sys.exit("bench-field: unknown profile %r (%s)" % (
                p, ", ".join(dovecot.PROFILES)))
    if not os.access(bench.BIN, os.X_OK):
        sys.exit("bench-field: %s is missing: run make first" % bench.BIN)
    if not os.access(MBSYNC, os.X_OK):
        sys.exit("bench-field: mbsync is missing (apt-get install isync)")
    m = bench.machine()
    bench.say("machine: %d x %s, %.1f GiB; %d messages per profile, "
              "%d ms round trip" % (m["nproc"], m["cpu"], m["ram"], nmsgs,
                                    rtt))
    nfeeds = 50
    http = bench.Http(4)
    rows = []
    try:
        cp = corpus.Corpus(nfeeds, max(1, nmsgs // nfeeds), 13)
        docs = cp.docs()
        http.put_all(docs)
        paths = [p for p, _, _ in docs]
        for p in profiles:
            r = one_profile(p, cp, http, paths, nmsgs, rtt, timeout)
            bench.say("%-8s rss2mail %7.1f msg/s (%.1f s, cpu %.1f s)   "
                      "mbsync %7.1f msg/s (%.1f s)   ratio %.2f" % (
                          p, r["r_rate"], r["r_wall"], r["r_cpu"],
                          r["m_rate"], r["m_wall"], r["ratio"]))
            rows.append(r)
    except bench.Broken as e:
        print("bench-field: BROKEN: %s" % e, file=sys.stderr)
        return 1
    finally:
        http.stop()
    print()
    print("| profile (%d ms RTT) | rss2mail msg/s | mbsync msg/s | ratio "
          "| target |" % rtt)
    print("|---|---|---|---|---|")
    for r in rows:
        print("| %s | %.1f | %.1f | %.2f | >= %.1f %s |" % (
            r["profile"], r["r_rate"], r["m_rate"], r["ratio"], TARGET_X,
            "met" if r["ratio"] >= TARGET_X else "MISSED"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
