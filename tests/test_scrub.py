"""Personal data never reaches the activity log: each kind in its many forms, read back from the SQLite file.

The table is the test set of issue 17 (what agents type when a caller reads out who they are); each
row is what is typed and what is stored. The rows that stay as typed are what support needs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_tools.measure.activity import ActivityLog, read_activity
from kb_tools.measure.scrub import scrub

PERSONAL = [
    # e-mail addresses, typed
    ("refund to jane.doe@example.com", "refund to [email]"),
    ("reset for jo.smith+kb@example.co.uk please", "reset for [email] please"),
    ("MAIL: A_B@mail-host.com", "MAIL: [email]"),
    ("login o'brien@example.ie fails", "login [email] fails"),
    ("email is JANE.DOE@EXAMPLE.ORG", "email is [email]"),
    ("bounce from x@sub.domain.example.net", "bounce from [email]"),
    # e-mail addresses, spelled out
    ("jane dot doe at example dot com", "[email]"),
    ("email jane dot doe at example dot co dot uk", "email [email]"),
    ("her address is jdoe at gmail dot com", "her address is [email]"),
    ("j underscore doe at example dot com cannot log in", "[email] cannot log in"),
    ("jane.doe at example.com", "[email]"),
    ("mail sam dash lee at brightwave dot net", "mail [email]"),
    # phone numbers, every layout
    ("call back on 555.867.5309", "call back on [phone]"),
    ("555.867.5309 no dial tone", "[phone] no dial tone"),
    ("ring (555) 867-5309", "ring [phone]"),
    ("ring 555 867 5309 after 5", "ring [phone] after 5"),
    ("mobile 5558675309", "mobile [phone]"),
    ("call back on +44 20 7946 0958", "call back on [phone]"),
    ("+1 (555) 123-4567 no dial tone", "[phone] no dial tone"),
    ("(020) 7946 0958", "[phone]"),
    ("mobile 07700 900123", "mobile [phone]"),
    ("landline 0161 496 0000", "landline [phone]"),
    ("ring 555-1234 after 5", "ring [phone] after 5"),
    ("tel +33 1 23 45 67 89", "tel [phone]"),
    ("+49 30 901820 from Berlin", "[phone] from Berlin"),
    ("call 1-800-555-0199", "call [phone]"),
    ("07700900123 text me", "[phone] text me"),
    ("+447700900123", "[phone]"),
    # UK postcodes
    ("lives in SW1A 1AA", "lives in [postcode]"),
    ("postcode m1 1ae", "postcode [postcode]"),
    ("outage at B33 8TH", "outage at [postcode]"),
    ("CR2 6XH no signal", "[postcode] no signal"),
    ("DN55 1PT", "[postcode]"),
    ("ec1a1bb slow", "[postcode] slow"),
    ("W1A 0AX", "[postcode]"),
    # US ZIP+4 and ZIP
    ("zip 90210-1234", "zip [postcode]"),
    ("ZIP code 10001", "ZIP code [postcode]"),
    ("Springfield, IL 62704", "Springfield, IL [postcode]"),
    ("Austin TX 78701-4321 outage", "Austin TX [postcode] outage"),
    ("zip: 02139", "zip: [postcode]"),
    # IPv4 and IPv6 (public: the caller's own connection)
    ("my IP is 81.2.69.160", "my IP is [ip]"),
    ("blocked 8.8.4.4 and 203.0.113.5", "blocked [ip] and 203.0.113.5"),
    ("from 151.101.1.69 cannot connect", "from [ip] cannot connect"),
    ("ipv6 2001:4860:4860::8888", "ipv6 [ip]"),
    ("address 2a00:1450:4009:81f::200e drops", "address [ip] drops"),
    ("wan 2606:4700:4700::1111", "wan [ip]"),
    # "my name is ..."
    ("my name is Jane Doe", "my name is [name]"),
    ("my name is jane doe and router is down", "my name is [name] and router is down"),
    ("caller's name is Priya Natarajan", "caller's name is [name]"),
    ("customer name: John O'Neil, no internet", "customer name: [name], no internet"),
    ("her name's Mary-Jane Watson", "her name's [name]"),
    ("this is Tom Smith calling about wifi", "this is [name] calling about wifi"),
    ("surname is Kowalski", "surname is Kowalski"),
    ("my surname is Kowalski", "my surname is [name]"),
    ("the account holder's name is Ana Lima", "the account holder's name is [name]"),
    ("his first name is Li", "his first name is [name]"),
    # street addresses
    ("lives at 221B Baker Street", "lives at [address]"),
    ("12 High St. no signal", "[address] no signal"),
    ("1600 Pennsylvania Avenue NW", "[address] NW"),
    ("flat 3, 45 Elm Road", "[address]"),
    ("engineer to 7 Church Lane tomorrow", "engineer to [address] tomorrow"),
    ("742 Evergreen Terrace", "[address]"),
    ("apt 4b 350 Fifth Ave", "[address]"),
    ("10 Downing St", "[address]"),
    # dates of birth
    ("dob 12/03/1985", "dob [date]"),
    ("DOB: 1985-03-12", "DOB: [date]"),
    ("date of birth 3 March 1985", "date of birth [date]"),
    ("born on 12th of March 1985", "born on [date]"),
    ("d.o.b. 12.03.85 verified", "d.o.b. [date] verified"),
    ("birthday is March 3, 1985", "birthday is [date]"),
    ("date of birth: 03/12/85", "date of birth: [date]"),
    # National Insurance numbers
    ("NI number QQ 12 34 56 C", "NI number [id]"),
    ("ni AB123456C", "ni [id]"),
    ("national insurance JG 10 37 58 A", "national insurance [id]"),
    ("nino ab 12 34 56 d", "nino [id]"),
    # US social security numbers
    ("ssn 123-45-6789", "ssn [id]"),
    ("SSN: 123 45 6789", "SSN: [id]"),
    ("social security number 123456789", "social security number [id]"),
    ("verified 078-05-1120 ok", "verified [id] ok"),
    # secrets
    ("my password is hunter2", "my password is [secret]"),
    ("password: Tr0ub4dor&3 not working", "password: [secret] not working"),
    ("wifi password is CorrectHorse99", "wifi password is [secret]"),
    ("pin 4821 rejected", "pin [secret] rejected"),
    ("PIN is 0000", "PIN is [secret]"),
    ("passcode=abc123", "passcode=[secret]"),
    ("security answer is fluffy", "security answer is [secret]"),
    ("memorable word is Rosebud", "memorable word is [secret]"),
    ("pw is now letmein!", "pw is now [secret]"),
    # card endings, cards, account numbers
    ("card ending 1111", "card ending [number]"),
    ("visa ending in 4242", "visa ending in [number]"),
    ("card ends with 0005 declined", "card ends with [number] declined"),
    ("last four 1234", "last four [number]"),
    ("last 4 digits are 9876", "last 4 digits are [number]"),
    ("card 4111 1111 1111 1111 declined", "card [number] declined"),
    ("card 4111-1111-1111-1111", "card [number]"),
    ("4111111111111111", "[number]"),
    ("amex 3782 822463 10005", "amex [number]"),
    ("account 12345678 locked", "account [number] locked"),
    ("acct # 4455", "acct # [number]"),
    ("customer number 77812", "customer number [number]"),
    ("iban DE89 3704 0044 0532 0130 00", "iban DE89 [number]"),
    ("ref: 99812 from the bill", "ref: [number] from the bill"),
]

KEPT = [
    "error PAY-051 after 2 days",
    "admin page 192.168.50.1 port 8080 443",
    "HomeHub 6 firmware 4.2.1 AX3000 0x80070005",
    "5 GHz channel 36-48, £49.99 a month in 2026",
    "router at 10.0.0.1 and fe80::1 link local",
    "outage on 12/03 since 10:30:15",
    "my internet keeps dropping",
    "password reset link expired",
    "forgot pin",
    "name of the network is wrong",
    "3 devices on 2.4 GHz, 1 on 5 GHz",
    "speed 500 Mbps down 100 up",
    "dns 192.168.1.254 and gateway 172.16.0.1",
]


@pytest.mark.parametrize(("typed", "stored"), PERSONAL)
def test_each_form_of_personal_data_is_replaced(typed: str, stored: str):
    assert scrub(typed) == stored


@pytest.mark.parametrize("typed", KEPT)
def test_what_support_needs_stays_as_typed(typed: str):
    assert scrub(typed) == typed


def test_the_test_set_covers_every_kind_the_issue_lists():
    assert len(PERSONAL) >= 100
    placeholders = {p for _, stored in PERSONAL for p in ("[email]", "[phone]", "[postcode]", "[ip]", "[name]",
                                                          "[address]", "[date]", "[id]", "[secret]", "[number]")
                    if p in stored}
    assert len(placeholders) == 10


def _on_disk(folder: Path) -> bytes:
    """Every byte the log has written: the database, its write-ahead log and its shared memory."""
    return b"".join(path.read_bytes() for path in folder.iterdir())


def _secret_of(typed: str, stored: str) -> list[bytes]:
    """The words of `typed` that are not in `stored`: the personal data itself."""
    kept = set(stored.lower().split())
    return [word.encode() for word in typed.lower().replace(",", " ").split()
            if word not in kept and len(word) >= (6 if word.isdigit() else 4) and not word.startswith("[")]


def test_no_form_reaches_the_file_or_its_write_ahead_log(tmp_path: Path):
    log = ActivityLog(tmp_path / "log.sqlite")
    for number, (typed, _) in enumerate(PERSONAL):
        log.record_search(typed, results=1, session=f"desk-{number:04}")
        log.record_feedback("a.md", helpful=False, reason="other", comment=f"caller said: {typed}\nthanks")
    raw = _on_disk(tmp_path)  # read while the log is open: the WAL is not checkpointed yet
    assert (tmp_path / "log.sqlite-wal").stat().st_size > 0
    leaked = {typed: secret for typed, stored in PERSONAL for secret in _secret_of(typed, stored) if secret in raw}
    assert leaked == {}
    log.close()
    activity = read_activity(tmp_path / "log.sqlite")
    assert [row.query for row in activity.searches] == [stored for _, stored in PERSONAL]


@pytest.mark.parametrize(("typed", "secrets"), [
    ("refund to jane.doe@example.com", [b"jane.doe", b"doe@", b"@exa", b"example."]),
    ("card 4111 1111 1111 1111 declined", [b"4111 1", b"1111 1111", b"411"]),
    ("4111 1111 1111 1111", [b"4111 111", b"1111 1111"]),
    ("call 555.867.5309", [b"555.867.5", b"867.53", b"5309"]),
    ("my name is Jane Doe", [b"Jane", b"Doe"]),
    ("my password is hunter2", [b"hunt", b"hunter2"]),
])
def test_as_you_type_no_prefix_is_ever_stored(tmp_path: Path, typed: str, secrets: list[bytes]):
    log = ActivityLog(tmp_path / "log.sqlite")
    for length in range(1, len(typed) + 1):  # the desk searching at each keystroke
        log.record_search(typed[:length], results=1, session="desk-0001", as_you_type=True, at=100.0 + length / 10)
    raw = _on_disk(tmp_path)
    assert [secret for secret in secrets if secret in raw] == []
    log.close()
    (row,) = read_activity(tmp_path / "log.sqlite").searches  # one search, typed
    assert row.query == scrub(typed)
