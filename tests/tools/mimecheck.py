#!/usr/bin/env python3
"""Strict checks of one composed message; prints it as JSON.

    mimecheck.py [--spamassassin] FILE.eml

Exit status 0 and JSON on stdout:
    {"headers": [[name, decoded value], ...],
     "parts": [{"type": "text/plain", "cid": "", "content": "..."}, ...],
     "tree": ["multipart/alternative", "text/plain", ...]}
(binary content is given in lower-case hex)
Exit status 1 and one line on stderr when the message fails a check:
  - a strict parse (email.policy.default, raise_on_defect=True), every
    header value and every part's content decoded;
  - 7-bit on the wire, CRLF line ends only, lines of at most 998 octets,
    header lines under 78 unless one unbreakable word;
  - quoted-printable lines of at most 76 characters;
  - text/plain lines of at most 78 columns, except lines holding a URL
    that cannot be broken.
With --spamassassin, and when spamassassin is installed, the JSON also
has "spamassassin": {"score": S, "rules": {"NAME": points, ...}} from
`spamassassin -L -t` (local rules only).
Standard library only (FACTS.md: it runs with either python3).
"""
import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata

STRICT = email.policy.default.clone(raise_on_defect=True)


def fail(msg):
    sys.stderr.write("mimecheck: %s\n" % msg)
    sys.exit(1)


def width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def check_wire(raw):
    if any(b >= 0x80 for b in raw):
        fail("not 7-bit")
    if not raw.endswith(b"\r\n"):
        fail("does not end in CRLF")
    lines = raw.split(b"\r\n")[:-1]
    in_head = True
    for i, line in enumerate(lines):
        if b"\r" in line or b"\n" in line:
            fail("bare CR or LF in line %d" % (i + 1))
        if len(line) > 998:
            fail("line %d longer than 998" % (i + 1))
        if in_head:
            if line == b"":
                in_head = False
                continue
            if len(line) >= 78:
                # only one unbreakable word may make a line longer
                rest = line if line[:1] in (b" ", b"\t") else \
                    line.split(b":", 1)[-1]
                if len(rest.split()) > 1:
                    fail("header line %d: %d columns" % (i + 1, len(line)))
            if not line.startswith((b" ", b"\t")) and b":" not in line:
                fail("header line %d has no colon" % (i + 1))


def check_qp(part):
    raw = part.get_payload(decode=False)
    for line in raw.split("\n"):
        line = line.rstrip("\r")
        if len(line) > 76:
            fail("quoted-printable line of %d characters" % len(line))
        if line.endswith((" ", "\t")):
            fail("quoted-printable line ends in whitespace")


def check_text(text):
    for line in text.split("\n"):
        if width(line) <= 78:
            continue
        rest = [w for w in line.split(" ")
                if "://" not in w and not w.startswith("mailto:")]
        if width(" ".join(rest)) + 1 >= width(line):
            fail("text/plain line of %d columns: %r" % (width(line), line))


def spamassassin(raw):
    exe = shutil.which("spamassassin")
    if exe is None and os.path.exists("/usr/bin/spamassassin"):
        exe = "/usr/bin/spamassassin"
    if exe is None:
        return None
    p = subprocess.run([exe, "-L", "-t"], input=raw, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    m = re.search(r"Content analysis details:\s+\((-?[\d.]+) points", out)
    if m is None:
        fail("spamassassin gave no report")
    rules = {}
    table = out[m.end():]
    for line in table.split("\n"):
        r = re.match(r"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s", line)
        if r:
            rules[r.group(2)] = float(r.group(1))
    return {"score": float(m.group(1)), "rules": rules}


def main():
    args = sys.argv[1:]
    sa = "--spamassassin" in args
    args = [a for a in args if a != "--spamassassin"]
    if len(args) != 1:
        fail("usage: mimecheck.py [--spamassassin] FILE")
    with open(args[0], "rb") as f:
        raw = f.read()
    check_wire(raw)
    try:
        msg = email.message_from_bytes(raw, policy=STRICT)
        headers = [[k, str(v)] for k, v in msg.items()]
        parts = []
        tree = []
        for part in msg.walk():
            tree.append(part.get_content_type())
            if part.is_multipart():
                continue
            cte = part.get("Content-Transfer-Encoding", "7bit").lower()
            if cte == "quoted-printable":
                check_qp(part)
            content = part.get_content()
            if isinstance(content, str):
                content = content.replace("\r\n", "\n")
            if part.get_content_type() == "text/plain":
                check_text(content)
            parts.append({"type": part.get_content_type(),
                          "cid": str(part.get("Content-ID", "")),
                          "content": content if isinstance(content, str)
                          else content.hex()})
    except SystemExit:
        raise
    except Exception as e:  # the email package raises many types
        fail("strict parse: %s: %s" % (type(e).__name__, e))
    result = {"headers": headers, "parts": parts, "tree": tree}
    if sa:
        r = spamassassin(raw)
        if r is not None:
            result["spamassassin"] = r
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
