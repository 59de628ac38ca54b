"""Personal data out of free text before it is stored.

Agents type what the caller says, and callers read out who they are. The activity log keeps the
words that matter for the knowledge base and replaces the rest with a placeholder:

>>> scrub("refund to jo.smith@example.com, card 4111 1111 1111 1111, call 555.867.5309")
'refund to [email], card [number], call [phone]'
>>> scrub("my name is Jane Doe, dob 12/03/1985, lives at 221B Baker Street NW1 6XE")
'my name is [name], dob [date], lives at [address] [postcode]'
>>> scrub("error PAY-051 on 192.168.1.1 after the 2024 update, port 8080 443")
'error PAY-051 on 192.168.1.1 after the 2024 update, port 8080 443'

The stages, in order (an earlier placeholder is never read as part of a later form):
  1. what says itself: e-mail addresses (typed or spelled out), secrets after "password" or "PIN",
     names after "my name is", dates after "date of birth", card endings, IDs (US SSN, UK
     National Insurance), postcodes (UK, US ZIP+4 and ZIP after a state), street addresses
  2. public IPv4 and IPv6 addresses (private and link-local ones are the caller's router, not them)
  3. phone numbers in any national or international format, found by `phonenumbers`
     (Google's libphonenumber), in the regions of PHONE_REGIONS
  4. long digit runs: card, account and customer numbers

`scrub(text, typing=True)` is for text still being typed (the desk searches as the agent types):
the unfinished last word is also replaced when it is where personal data starts (an "@", a name
with a dot, digits after the first group), so no prefix of an address or a card is ever stored.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber

EMAIL, PHONE, NUMBER, IP, POSTCODE = "[email]", "[phone]", "[number]", "[ip]", "[postcode]"
NAME, ADDRESS, DATE, ID, SECRET = "[name]", "[address]", "[date]", "[id]", "[secret]"
PHONE_REGIONS = ("US", "GB")  # national formats read as these countries' numbers; "+" numbers from anywhere

_I = re.IGNORECASE
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# "jane dot doe at example dot com", "j underscore doe at mail dot co dot uk", "jdoe at example.com"
_JOIN = r"(?:\s*(?:\.|\s(?:dot|underscore|dash|hyphen|period)\s)\s*)"
_SPELLED_EMAIL = re.compile(rf"\b[a-z0-9]+(?:{_JOIN}[a-z0-9]+)*\s+(?:at|@)\s+[a-z0-9-]+(?:{_JOIN}[a-z]{{2,}})+\b", _I)
_SECRET = re.compile(r"\b(?P<lead>(?:(?:pass(?:word|code|phrase)?|pwd|pw|pin(?:\s*(?:number|code))?|security\s+(?:answer|code)"
                     r"|memorable\s+word)(?:'s\s+|\s+is\s+|\s*[:=]\s*)(?:(?:now|still|set\s+to)\s+)?|pin\s+(?=\d)))(?!\[)\S+",
                     _I)
_NAME_STOP = {"and", "but", "or", "she", "he", "they", "who", "i", "calling", "from", "with", "the", "on", "at", "in",
              "is", "was", "wants", "says", "needs", "has", "can", "cannot", "can't", "not", "about", "for", "to"}
_NAME = re.compile(r"\b(?P<lead>(?:(?:my|his|her|their|caller'?s?|customer'?s?|account\s+holder'?s?|the)\s+)"
                   r"(?:full\s+|first\s+|last\s+|sur)?name(?:'s|\s+is|\s*:)?\s+|this\s+is\s+(?=[A-Z])|i'?m\s+called\s+)"
                   r"(?P<name>[\w'’-]+(?:\s+[\w'’-]+){0,2})", _I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_VALUE = (rf"(?:\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{2,4}}"
               rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})")
_BIRTH_DATE = re.compile(rf"\b(?P<lead>(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*(?:day|date)|born(?:\s+on)?)"
                         rf"(?:\s+is|\s*[:=])?\s*){_DATE_VALUE}", _I)
_CARD_ENDING = re.compile(r"\b(?P<lead>(?:ending|ends)(?:\s+(?:in|with))?\s*[:=]?\s*|last\s+(?:four|4)(?:\s+digits)?"
                          r"(?:\s+(?:are|is|of))?\s*[:=]?\s*)\d{2,4}\b", _I)
# Digits right after a card, account or customer word are that number, however few were typed yet.
_NUMBER_AFTER = re.compile(r"\b(?P<lead>(?:card|visa|mastercard|amex|acct|account|customer|member|reference|ref|iban)"
                           r"(?:\s+(?:no|number|num|#))?\.?\s*[:#=]?\s*)\d[\d -]*\d|\b(?P<lead2>(?:card|acct|account)"
                           r"(?:\s+(?:no|number|#))?\.?\s*[:#=]?\s*)\d\b", _I)
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b(?P<lead>(?:ssn|social\s+security(?:\s+number)?)(?:\s+is|\s*[:#=])?\s*)"
                  r"\d{3}[ -]?\d{2}[ -]?\d{4}\b", _I)
_NI_NUMBER = re.compile(r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", _I)
_UK_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b", _I)
_US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
              "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY").split()
_ZIP = re.compile(rf"\b\d{{5}}-\d{{4}}\b|\b(?P<lead>(?:{'|'.join(_US_STATES)}),?\s+)\d{{5}}(?:-\d{{4}})?\b"
                  r"|\b(?P<lead2>(?i:zip(?:\s*code)?(?:\s+is|\s*[:#=])?)\s*)\d{5}(?:-\d{4})?\b")
_STREET = (r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|way|court|ct|place|pl|boulevard|blvd|crescent|"
           r"terrace|grove|gardens|square|sq|parkway|pkwy|mews|row|walk|hill")
_ADDRESS = re.compile(rf"\b(?:(?:flat|apt|apartment|unit|suite)\.?\s*\w+,?\s+)?\d{{1,5}}[a-z]?,?\s+"
                      rf"(?:[A-Za-z'’-]+\s+){{1,3}}(?:{_STREET})\b\.?", _I)
_IP_CANDIDATE = re.compile(r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%\w+)?)(?![\w.:])",
                           _I)
# Digits split by single spaces or dashes, maybe led by "+" and a country or bracketed area code. Not after a
# letter, dot or dash, and not before a letter or ".digit", so error codes (PAY-051), models
# (AX3000), versions and IP addresses stay as typed.
_DIGITS = re.compile(r"(?<![\w.+-])(?:\+ ?)?(?:\d{1,4}[ -]?)?(?:\(\d{1,5}\)[ -]?)?\d(?:[ -]?\d)*(?!\w|\.\d)")
_LONG_RUN = 8  # card, account and customer numbers; shorter runs are years, prices, models, ports
_CARD_LENGTHS = range(13, 20)
# The unfinished last word of text being typed that starts personal data: an address before its
# domain is typed, "jane.doe" before its "@", a grouped number after its first group.
_TYPING = re.compile(r"(?:\S*@\S*|[a-z]+[._][a-z]+[._]?|(?<![\w.])(?!\d{1,3}(?:\.\d{1,3}){3}$)\d{3,}(?:[ .-]\d+)+[ .-]?"
                     r"|(?<![\w.])\d{9,})$", _I)
PLACEHOLDER = re.compile(r"\[(?:email|phone|number|ip|postcode|name|address|date|id|secret)\]")


def scrub(text: str, *, typing: bool = False) -> str:
    """`text` with personal data replaced by placeholders ([email], [phone], [name], ...).

    With `typing`, `text` is still being typed: an unfinished last word that starts personal data
    is replaced too.
    """
    for pattern, placeholder in _RULES:
        text = pattern.sub(_keep_lead(placeholder), text)
    text = _IP_CANDIDATE.sub(_ip_placeholder, text)
    text = _phones_out(text)
    text = _DIGITS.sub(_digits_placeholder, text)
    if typing and not text.endswith((" ", "\n")):
        text = _TYPING.sub(lambda match: EMAIL if "@" in match.group(0) else NUMBER if match.group(0)[:1].isdigit()
                           else NAME, text)
    return text


_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_EMAIL, EMAIL), (_SPELLED_EMAIL, EMAIL), (_SECRET, SECRET), (_BIRTH_DATE, DATE), (_SSN, ID), (_NI_NUMBER, ID),
    (_CARD_ENDING, NUMBER), (_NUMBER_AFTER, NUMBER), (_ZIP, POSTCODE), (_ADDRESS, ADDRESS), (_UK_POSTCODE, POSTCODE),
    (_NAME, NAME),
)


def before_placeholders(text: str) -> str:
    """`text` up to its first placeholder: what a search being typed is compared on, since the word being
    typed changes as it becomes personal data ("jane." -> "[name]" -> "[email]" once the "@" is typed)."""
    found = PLACEHOLDER.search(text)
    return text[:found.start()] if found else text


def _keep_lead(placeholder: str) -> Callable[[re.Match[str]], str]:
    """The replacement of a rule: the words that announced the data ("my name is") stay, the data goes."""
    def replace(match: re.Match[str]) -> str:
        groups = match.groupdict()
        lead = groups.get("lead") or groups.get("lead2") or ""
        if "name" in groups:
            return _name_placeholder(lead, groups["name"])
        return lead + placeholder
    return replace


def _name_placeholder(lead: str, words: str) -> str:
    """"my name is Jane Doe and ..." -> "my name is [name] and ...": the name ends at a word like "and"."""
    kept = words.split()
    for count, word in enumerate(kept):
        if word.lower().strip(",.") in _NAME_STOP or word.startswith("["):
            return lead + (NAME + " " + " ".join(kept[count:]) if count else " ".join(kept))
    return lead + NAME


def _ip_placeholder(match: re.Match[str]) -> str:
    span = match.group(0)
    try:
        address = ipaddress.ip_address(span.split("%")[0])
    except ValueError:  # a time (10:30:15), a version, a MAC-like string: not an address
        return span
    return IP if address.is_global else span


def _phones_out(text: str) -> str:
    if sum(char.isdigit() for char in text) < _PHONE_DIGITS:
        return text  # no phone number fits: most searches, which then never load phonenumbers' metadata
    # Imported here: its metadata takes a fifth of a second to load, a third of a cold `kb search`.
    import phonenumbers
    for region in PHONE_REGIONS:
        found = [m for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
                 if _is_phone(m.raw_string, m.number)]
        for match in reversed(found):
            text = text[:match.start] + PHONE + text[match.end:]
    return text


_PHONE_DIGITS = 7  # the fewest digits of a phone number (a local number without its area code)
_PHONE_LAYOUT = re.compile(r"\+.*|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}|\d{3}[ .-]\d{4}|\d{10,11}|0\d{2,4}[ .-]?\d{3,4}[ .-]?\d{3,4}")


def _is_phone(raw: str, number: PhoneNumber) -> bool:
    """A match `phonenumbers` finds that is laid out as people write phone numbers (not "port 8080 443")."""
    digits = sum(char.isdigit() for char in raw)
    if digits < _PHONE_DIGITS or digits > 15 or digits in _CARD_LENGTHS and not raw.startswith("+"):
        return False
    import phonenumbers  # already loaded by _phones_out
    return phonenumbers.is_valid_number(number) or _PHONE_LAYOUT.fullmatch(raw) is not None


def _digits_placeholder(match: re.Match[str]) -> str:
    span = match.group(0)
    digits = sum(char.isdigit() for char in span)
    return NUMBER if digits >= _LONG_RUN else span
