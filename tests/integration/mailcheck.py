"""Strict checks of a delivered message (standard library only).

    msg = mailcheck.strict(raw)     # email.message.EmailMessage, or raises
    mailcheck.assert_clean(test, raw)

strict() parses with email.policy.default and raise_on_defect=True, so any
MIME defect (bad boundary, missing header colon, bad encoding ...) is an
exception instead of a silently repaired message.
"""
import email
import email.policy

STRICT = email.policy.default.clone(raise_on_defect=True)


class MailDefect(Exception):
    pass


def strict(raw):
    """Parse raw bytes strictly; raise MailDefect on any defect."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    try:
        msg = email.message_from_bytes(raw, policy=STRICT)
        # Header values are parsed lazily: touch them so defects in them
        # raise here too.
        for k in msg.keys():
            str(msg[k])
        for part in msg.walk():
            if not part.is_multipart():
                part.get_content()
    except Exception as e:  # the email package raises many types
        raise MailDefect("strict MIME check failed: %s: %s" %
                         (type(e).__name__, e))
    return msg


def lines_ok(raw, limit=998):
    """True when every line of raw ends in CRLF and is at most limit
    octets (RFC 5322 section 2.1.1)."""
    for line in raw.split(b"\r\n")[:-1]:
        if b"\n" in line or b"\r" in line or len(line) > limit:
            return False
    return raw.endswith(b"\r\n")


def assert_clean(test, raw):
    """unittest helper: strict MIME, CRLF line ends, line length."""
    try:
        msg = strict(raw)
    except MailDefect as e:
        test.fail(str(e))
    test.assertTrue(lines_ok(raw), "bad line ending or length")
    return msg
