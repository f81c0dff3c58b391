"""smtp-connections (issue 13): SMTP sends over several connections at
once, against the rig's real Postfix (postfix.py), from the delivered
files, Postfix's log and the state database:

  - smtp-connections = 4: every entry arrives exactly once, and Postfix's
    log shows more than one connection open at the same time (at most
    four); with the default of 1, one connection;
  - the duplicate window grows to the connections: killed after a final
    dot (the test hook smtp-after-dot), every entry arrives, with at most
    four duplicates per kill; killed at a 354 (smtp-before-data), at most
    the three others of its group; kills at random moments: at most four
    per kill.
"""
import random
import re
import time
import unittest

import postfix
import rig
import test_smtp_run as sr

N = 4


def setUpModule():
    why = postfix.Postfix.missing()
    if why:
        raise unittest.SkipTest(why)
    sr.PF = postfix.Postfix()


def tearDownModule():
    sr.PF.close()


def most_open(log):
    """The most connections open at once on the rig's main port, in a
    piece of its log, counting those that sent mail (the rig's own
    start-up probes connect and leave)."""
    spans, begun = [], {}
    for i, line in enumerate(log.splitlines()):
        m = re.search(r"postfix/smtpd\[(\d+)\]: (connect|disconnect) from ",
                      line)
        if not m:
            continue
        if m.group(2) == "connect":
            begun[m.group(1)] = i
        elif m.group(1) in begun:
            start = begun.pop(m.group(1))
            if " mail=" in line:
                spans.append((start, i))
    return max((sum(1 for a, b in spans if a <= s < b) for s, _ in spans),
               default=0)


class Sessions(sr.Run):
    ENTRIES = 60

    def head(self, n=N):
        return sr.Run.smtp_head(self) + "smtp-connections = %d\n" % n

    def test_four_connections_exactly_once(self):
        tag = "sesfour"
        self.feed(tag, self.ENTRIES)
        self.config(self.head(), [(tag, "")])
        mark = sr.PF.log_mark()
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.settle(tag, 0), 0)
        time.sleep(1.0)                    # the log catches up
        most = most_open(sr.PF.log_since(mark))
        self.assertGreater(most, 1, "one connection at a time")
        self.assertLessEqual(most, N)

    def test_default_one_connection(self):
        tag = "sesone"
        self.feed(tag, 12)
        self.config(sr.Run.smtp_head(self), [(tag, "")])
        mark = sr.PF.log_mark()
        r = self.run_r2m("run")
        self.assertEqual(r.returncode, 0, r.stderr)
        got = sr.wait_arrived(tag, 12)
        self.assertEqual(sorted(got), list(range(12)))
        time.sleep(1.0)
        self.assertEqual(most_open(sr.PF.log_since(mark)), 1)

    def test_kill_after_dot_at_most_n_each(self):
        tag = "seskillin"
        self.feed(tag, self.ENTRIES)
        self.config(self.head(), [(tag, "")])
        self.killed_at_hook("smtp-after-dot")
        # the killed message and the others of its group may each have
        # been taken by Postfix: sent again, they duplicate
        dups = self.settle(tag, 2 * N)
        self.assertGreaterEqual(dups, 1)

    def test_kill_before_data_at_most_the_others(self):
        tag = "seskillout"
        self.feed(tag, self.ENTRIES)
        self.config(self.head(), [(tag, "")])
        # every connection of a group waits at its own 354: a kill there
        # leaves the group's messages unsent, unless another connection
        # got past its dot first (then up to N - 1 of them)
        self.killed_at_hook("smtp-before-data")
        self.settle(tag, 2 * (N - 1))

    def test_kill_at_random_moments(self):
        tag = "seskillrnd"
        self.feed(tag, self.ENTRIES)
        self.config(self.head(), [(tag, "")])
        kills = rig.kill_at_random(self.cfg, random.Random(15), 5)
        self.settle(tag, N * kills)


if __name__ == "__main__":
    unittest.main()
