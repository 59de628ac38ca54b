"""Personal data out of free text before it is stored: e-mail addresses, phone numbers, long digit runs.

Agents type what the caller says, and callers read out their e-mail, phone and card numbers. The
activity log keeps the words that matter for the knowledge base and replaces the rest:

>>> scrub("refund to jo.smith@example.com, card 4111 1111 1111 1111, call +44 20 7946 0958")
'refund to [email], card [number], call [phone]'
>>> scrub("error PAY-051 on 192.168.1.1 after the 2024 update, account 12345678")
'error PAY-051 on 192.168.1.1 after the 2024 update, account [number]'
"""

from __future__ import annotations

import re

EMAIL, PHONE, NUMBER = "[email]", "[phone]", "[number]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Digits split by single spaces or dashes, maybe led by "+" and a country or bracketed area code. Not after a
# letter, dot or dash, and not before a letter or ".digit", so error codes (PAY-051), models
# (AX3000), versions and IP addresses stay as typed.
_DIGITS = re.compile(r"(?<![\w.+-])(?:\+ ?)?(?:\d{1,4}[ -]?)?(?:\(\d{1,5}\)[ -]?)?\d(?:[ -]?\d)*(?!\w|\.\d)")
_PHONE_DIGITS = range(7, 16)  # E.164 numbers have at most 15 digits
_SEPARATED_PHONE = 9  # "0123 456 789": split into groups, at least this many digits
_LOCAL_PHONE = re.compile(r"\d{3}[ -]\d{4}")  # "555-1234"; other short groups are ports, channels, sizes
_LONG_RUN = 8  # card, account and customer numbers; shorter runs are years, prices, models


def scrub(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and digit runs of 8 or more replaced by placeholders."""
    return _DIGITS.sub(_digits_placeholder, _EMAIL.sub(EMAIL, text))


def _digits_placeholder(match: re.Match[str]) -> str:
    span = match.group(0)
    digits = sum(char.isdigit() for char in span)
    if span.startswith(("+", "(")):
        return PHONE if digits in _PHONE_DIGITS else NUMBER if digits >= _LONG_RUN else span
    if digits >= 13:  # cards have 13 to 19 digits, however they are grouped
        return NUMBER
    if (digits >= _SEPARATED_PHONE and any(char in " -" for char in span)) or _LOCAL_PHONE.fullmatch(span):
        return PHONE
    return NUMBER if digits >= _LONG_RUN else span
