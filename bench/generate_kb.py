"""Generate realistic synthetic knowledge bases for the benchmarks.

    python bench/generate_kb.py OUT_DIR --articles N [--seed 7] [--products 6]

writes OUT_DIR/docs/ (products.yml, a welcome page and docs/<product>/<type>/<slug>.md) and
OUT_DIR/mkdocs.yml (the project's own mkdocs.yml with another site_name). Every article follows
docs/writing-articles.md: valid front matter, Beginner and Expert tabs with labelled steps and
checkpoints, the KCS headings, related links, 200-700 words.

The text is composed from word lists and templates with a seeded random generator: each article
is built around its own key terms (product, feature, client device, error code, setting), so
search benchmarks over it are meaningful. The same seed gives the same files; review dates count
back from a fixed day (ANCHOR_DAY), never from today.

Other benchmarks import it:

    sys.path.insert(0, str(Path(__file__).parent)); from generate_kb import generate_kb
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANCHOR_DAY = dt.date(2026, 11, 1)  # review dates count back from here
MARKER = ".generated-kb"  # marks a docs folder this script wrote (and may replace)
COMPANY = "Brightwave"
TYPES = ("how-to", "troubleshooting", "reference", "concept", "playbook")
TYPE_WEIGHTS = (40, 40, 8, 7, 5)
DRAFT_SHARE, OVERDUE_SHARE = 0.06, 0.015
MIN_WORDS, MAX_WORDS = 200, 700
OWNERS = ("priya.natarajan", "marco.bianchi", "li.wei", "sofia.alvarez", "tom.okafor", "anna.kowalski",
          "james.reid", "yuki.tanaka")

# --- vocabulary: one entry per product ("|" separates list items; settings are "Name=v1,v2;...") --------
CATALOGUE: tuple[dict[str, str], ...] = (
    dict(id="homehub", name="HomeHub router", short="HomeHub", entry="Brightwave app", part="hub", code="HUB",
         description="The HomeHub 6 Wi-Fi router: wireless, wired and security settings.",
         env="HomeHub 6 router, firmware {v} or later",
         features="guest network|band steering|port forwarding|parental schedule|WPS pairing|custom DNS|"
                  "firmware update|5 GHz band|2.4 GHz band|device priority|IPv6|UPnP|static IP lease|"
                  "remote admin|Wi-Fi schedule|channel scan",
         labels="My Hub|Wi-Fi|Advanced|Connected devices|Network|Security|Diagnostics",
         settings="Channel=Auto,1,6,11,36,44;Channel width=20 MHz,40 MHz,80 MHz;Security mode=WPA2,WPA3,"
                  "WPA2/WPA3 mixed;DHCP lease time=1 hour,24 hours,7 days;Transmit power=Low,Medium,High",
         lights="Internet|Wi-Fi|Power|Phone", buttons="Reset|WPS|Power"),
    dict(id="app", name="Brightwave app", short="app", entry="Brightwave app", part="app", code="APP",
         description="The Brightwave mobile app for iPhone and Android.",
         env="Brightwave app {v} on iOS 17 or Android 13 and later",
         features="push notifications|speed test|parental controls|app sign-in|Face ID login|data usage view|"
                  "dark mode|usage alerts|home screen widget|location permission|offline mode|in-app payments|"
                  "live chat|device list|automatic updates|language setting",
         labels="Home|Account|Settings|Notifications|Help|Profile|Security|More",
         settings="Notifications=All,Important only,Off;Theme=Light,Dark,System;Data saver=On,Off;"
                  "Update channel=Stable,Beta",
         lights="", buttons="Sign out|Refresh|Retry"),
    dict(id="account", name="My Brightwave account", short="account", entry="My Brightwave portal",
         part="portal", code="ACC", description="The online account portal: sign-in, billing, plans and data.",
         env="My Brightwave portal, release {v}",
         features="two-step verification|password reset|direct debit|paperless billing|plan change|"
                  "contact details|account PIN|authorised users|refund request|data export|payment card|"
                  "bill breakdown|home move|account closure|marketing preferences|security questions",
         labels="My account|Billing|Plans|Security|Profile|Payments|Documents|Sign in",
         settings="Bill delivery=Paper,Email,App only;Payment day=1st,15th,28th;Two-step method=Text message,"
                  "Authenticator app,Email;Contact preference=Phone,Email,Post",
         lights="", buttons="Sign out|Refresh|Retry"),
    dict(id="streambox", name="StreamBox TV", short="StreamBox", entry="StreamBox menu", part="box", code="TV",
         description="The StreamBox 4K TV box, its voice remote and recordings.",
         env="StreamBox 4K, software {v}",
         features="recordings|voice remote|programme guide|catch-up TV|parental PIN|4K streaming|subtitles|"
                  "audio description|series link|HDMI-CEC|app store|picture settings|standby mode|"
                  "Bluetooth headphones|multi-room viewing|recording storage",
         labels="Home|Settings|Recordings|Guide|Apps|Accessibility|System|Network",
         settings="Resolution=Auto,1080p,4K;Audio output=Stereo,Dolby Digital,Passthrough;Standby after=1 hour,"
                  "4 hours,Never;Subtitle size=Small,Medium,Large",
         lights="Status|Record", buttons="Home|Power|Voice|Reset"),
    dict(id="talk", name="Home phone", short="Talk", entry="Talk settings page", part="phone adapter", code="TEL",
         description="Brightwave Talk: the home phone line, handsets and calling features.",
         env="Brightwave Talk adapter TA-2, firmware {v}",
         features="voicemail|call forwarding|caller ID|call blocking|number transfer|do not disturb|"
                  "three-way calling|international calls|call waiting|handset pairing|ringtone|call history|"
                  "speed dial|withheld number rejection|voicemail PIN|phone line test",
         labels="Calls|Voicemail|Forwarding|Blocked numbers|Handsets|Features|Save",
         settings="Forward after=10 seconds,20 seconds,30 seconds;Voicemail greeting=Standard,Personal,"
                  "Name only;Do not disturb hours=22:00-07:00,23:00-08:00,Custom;Caller ID display=Number,"
                  "Name and number,Off",
         lights="Phone|Power|Line", buttons="Pair|Reset|Page"),
    dict(id="mobile", name="Brightwave Mobile", short="Mobile", entry="Brightwave app", part="SIM", code="SIM",
         description="Brightwave Mobile SIM and eSIM plans: data, calls, roaming.",
         env="Brightwave Mobile SIM or eSIM, network profile {v}",
         features="eSIM activation|data roaming|data allowance|personal hotspot|Wi-Fi calling|PUK code|"
                  "number porting|mobile voicemail|5G coverage|APN settings|SIM swap|spend cap|"
                  "picture messaging|data add-on|international roaming|visual voicemail",
         labels="Mobile|My SIM|Usage|Roaming|Add-ons|Settings|Activate",
         settings="Spend cap=£0,£10,£25,No cap;Roaming=Off,EU only,Worldwide;Network mode=5G,4G,Auto;"
                  "Data alerts=50%,80%,100%",
         lights="", buttons="Activate|Refresh|Retry"),
    dict(id="safecam", name="SafeCam cameras", short="SafeCam", entry="SafeCam app", part="camera", code="CAM",
         description="SafeCam indoor cameras and video doorbells.",
         env="SafeCam Indoor 2 or Doorbell Pro, firmware {v}",
         features="motion alerts|night vision|cloud recording|activity zones|two-way audio|live view|"
                  "person detection|clip sharing|privacy mode|siren|local storage|doorbell chime|battery saver|"
                  "camera sharing|recording schedule|camera firmware",
         labels="Cameras|Live|Events|Settings|Zones|Storage|Alerts|Share",
         settings="Motion sensitivity=Low,Medium,High;Night vision=Auto,On,Off;Clip length=10 seconds,"
                  "30 seconds,60 seconds;Recording quality=720p,1080p,2K",
         lights="Status|Power", buttons="Sync|Reset|Doorbell"),
    dict(id="smarthome", name="SmartHome hub", short="SmartHome", entry="SmartHome app", part="hub", code="SH",
         description="The SmartHome hub with smart plugs, thermostat and radiator valves.",
         env="SmartHome Hub 3, firmware {v}",
         features="heating schedule|smart plug|scenes|Zigbee pairing|energy report|away mode|"
                  "voice assistant link|automation rules|geofencing|hot water boost|radiator valve|hub backup|"
                  "room grouping|open-window detection|holiday mode|device naming",
         labels="Rooms|Devices|Schedules|Scenes|Energy|Settings|Add device",
         settings="Eco temperature=16 °C,17 °C,18 °C;Boost length=30 minutes,1 hour,2 hours;"
                  "Away after=30 minutes,2 hours,Never;Report period=Daily,Weekly,Monthly",
         lights="Status|Zigbee", buttons="Pair|Reset"),
    dict(id="mail", name="Brightwave Mail", short="Mail", entry="Brightwave Mail web page", part="mailbox",
         code="MAIL", description="Brightwave Mail: mailboxes, filters and mail apps.",
         env="Brightwave Mail on the web, release {v}",
         features="spam filter|mail forwarding|auto-reply|IMAP access|SMTP settings|mailbox storage|"
                  "email aliases|app passwords|contacts import|calendar sync|email signature|folder rules|"
                  "blocked senders|read receipts|mailbox recovery|attachment limit",
         labels="Inbox|Settings|Accounts|Filters|Forwarding|Security|Storage|Save",
         settings="Spam level=Standard,Strict,Off;Forwarding=Off,Keep a copy,Forward only;IMAP=On,Off;"
                  "Auto-reply=Off,On,Scheduled",
         lights="", buttons="Save|Sync|Retry"),
    dict(id="business", name="Business broadband", short="Business", entry="Business portal", part="router",
         code="BIZ", description="Business broadband: sites, static IPs, failover and reports.",
         env="Business Router B2, firmware {v}",
         features="static IP block|SLA report|failover line|VLAN setup|firewall rules|site-to-site VPN|"
                  "managed switch|priority fault line|user licences|domain hosting|SIP trunk|bandwidth report|"
                  "admin roles|site survey|4G backup|port security",
         labels="Sites|Services|Network|Users|Reports|Firewall|Support",
         settings="Failover mode=Automatic,Manual,Off;Firewall profile=Standard,Strict,Custom;"
                  "VLAN tagging=Off,802.1Q;Report schedule=Daily,Weekly,Monthly",
         lights="WAN|LAN|4G|Power", buttons="Reset|Failover test|Power"),
    dict(id="fibre", name="Fibre line", short="FibreLine", entry="Brightwave app", part="fibre terminal",
         code="LN", description="The fibre line into the home: installation, faults and speeds.",
         env="Fibre terminal FT-1, line profile {v}",
         features="line test|engineer visit|fibre terminal|line speed|new installation|service outage|sync rate|"
                  "noise margin|outage map|speed guarantee|home move|router swap|line fault|exchange upgrade|"
                  "wall socket|broadband activation",
         labels="Line|Services|Check my line|Outages|Appointments|Speed",
         settings="Line profile=Stable,Standard,Fast;Appointment slot=Morning,Afternoon,All day;"
                  "Speed tier=150 Mb,500 Mb,900 Mb",
         lights="PON|LOS|Power", buttons="Reset|Power"),
)

DEVICES = ("iPhone", "Android phone", "iPad", "Android tablet", "Windows laptop", "MacBook", "Chromebook",
           "smart TV", "games console", "smart speaker", "printer", "desktop PC", "e-reader", "streaming stick",
           "smartwatch", "baby monitor")
DEVICE_MENUS = ("Wi-Fi", "Network & internet", "Bluetooth", "Apps", "Connections", "General", "Notifications")
LOCATIONS = ("the gear icon at the top right", "the house icon in the bar at the bottom",
             "the blue button at the bottom of the screen", "the third item in the menu on the left",
             "just under the picture of the {part}", "next to the name of the {part}",
             "in the list half-way down the page", "behind the three dots at the top right",
             "the tab at the top of the screen", "below the usage chart", "the shield icon at the top",
             "on the right of the page header")
COLOURS = ("white", "green", "blue")
STATES = ("Connecting", "Updating", "Pending", "Loading", "Checking", "Starting")
THINGS = ("status", "time", "name", "amount", "date", "owner")
MESSAGES = ("Settings saved", "{F} updated", "Changes applied", "All done", "{F} is on", "Connected",
            "Update complete", "Request received")
METRICS = ("signal strength above -67 dBm", "latency under 40 ms", "packet loss under 1 %", "SNR above 25 dB",
           "uptime longer than 24 h", "CPU load under 70 %", "retry rate under 5 %",
           "sync rate within 10 % of the plan")
EVENTS = ("a firmware update", "a power cut", "moving the {part}", "a password change", "a plan change",
          "adding a new {d}", "a thunderstorm", "the clocks changing", "a factory reset", "a SIM swap")
REASONS = ("the session token expired", "the {part} software is older than {v}", "the radio channel is crowded",
           "a power-saving mode on the {d} drops idle connections", "the saved password no longer matches",
           "two devices claim the same address", "a recent update reset {setting} to {value}",
           "the {d} caches an old profile", "the {d} is too far from the {part}",
           "the account is missing a permission", "a scheduled rule overrides the manual choice",
           "the clock on the {d} is wrong, so certificate checks fail")
EFFECTS = ("drops clients after a few minutes", "stops responding until it restarts", "refuses new devices",
           "falls back to its slowest mode", "keeps the old settings", "reports {code} and gives up",
           "times out half-way through")
OUTCOMES = ("it does not interrupt the connection", "the {part} restarts once", "the customer needs their "
            "account password", "it works the same way on every {d}", "nothing else changes")
QUALIFIERS = ("on {d}", "after {event}", "for business customers", "in software {v}", "with {f2}",
              "on older {part}s")

# --- title templates and their companions -------------------------------------------------------------
# troubleshooting: (title, issue, casual phrase, casual phrase)
SYMPTOMS = (
    ("{F} keeps turning off", "The {f} switches itself off, sometimes several times a day.",
     "my {f} keeps switching off", "{f} turns itself off"),
    ("{F} not working on {d}", "{F} works on other devices in the home but not on the customer's {d}.",
     "{f} won't work on my {d}", "my {d} won't do {f}"),
    ("Error {code} with {f}", "The {entry} shows error {code} whenever the customer tries to use {f}.",
     "it says error {code}", "getting {code} when I use {f}"),
    ("{F} is slow on {d}", "{F} works, but everything on the {d} takes far longer than it should.",
     "{f} is really slow", "my {d} is so slow with {f}"),
    ("{D} can't find {f}", "The customer's {d} does not list {f} at all, although other devices do.",
     "my {d} can't see {f}", "{f} doesn't show up on my {d}"),
    ("{F} stuck on {state}", "{F} shows \"{state}\" and never moves on, even after ten minutes.",
     "{f} is stuck on {state}", "{f} just says {state} forever"),
    ("{F} settings not saving", "Changes to {f} look saved, but the old values are back the next day.",
     "my {f} settings won't save", "it keeps going back to the old {f} settings"),
    ("{F} stopped working after {event}", "{F} worked until {event}; since then it does nothing.",
     "{f} stopped after {event}", "{f} hasn't worked since {event}"),
    ("{F} shows the wrong {thing}", "The {entry} shows the wrong {thing} for {f}, so the customer no longer "
     "trusts it.", "{f} shows the wrong {thing}", "the {thing} on {f} is wrong"),
    ("{F} disconnects {d}", "The customer's {d} loses {f} every few minutes and reconnects on its own.",
     "my {d} keeps getting kicked off", "{f} keeps dropping my {d}"),
    ("{F} missing from the {entry}", "The customer cannot find {f} in the {entry} any more.",
     "I can't find {f} anywhere", "{f} has disappeared from the app"),
    ("Can't turn on {f}", "Tapping the {f} switch does nothing, or it flips back to off.",
     "{f} won't turn on", "the {f} switch does nothing"),
    ("{F} keeps asking for a code", "{F} asks for a verification code every time, even on a trusted {d}.",
     "{f} keeps asking me for a code", "{f} wants a code every time"),
    ("{F} works only some of the time", "{F} works for a while, then fails, with no clear pattern.",
     "{f} works sometimes and not others", "{f} is hit and miss"),
    ("{F} greyed out on {d}", "On the {d}, the {f} option is shown but cannot be tapped.",
     "{f} is greyed out", "I can't tap {f} on my {d}"),
)
# how-to: (title, what the customer wants, in their words)
ACTIONS = (
    ("Set up {f} on {d}", "set up {f} on my {d}"), ("Turn on {f}", "turn on {f}"),
    ("Turn off {f} on {d}", "turn off {f} on my {d}"), ("Change the {setting} for {f}", "change the {setting}"),
    ("Schedule {f}", "put {f} on a schedule"), ("Share {f} with another household member", "share {f} with my partner"),
    ("Reset {f} to its defaults", "reset {f} back to normal"), ("Move {f} to a new {d}", "move {f} to my new {d}"),
    ("Check the status of {f}", "check if {f} is working"), ("Connect {d} to {f}", "connect my {d} to {f}"),
    ("Change {f} notifications", "stop all the {f} notifications"), ("Remove {d} from {f}", "take my old {d} off {f}"),
    ("Back up {f} settings", "save my {f} settings"), ("Set {setting} to {value} for {f}", "set {setting} to {value}"),
)
REFERENCES = (("{F} settings reference", "settings"), ("{Short} error codes for {f}", "codes"),
              ("{F} limits and defaults", "settings"), ("{F} status messages", "codes"),
              ("Devices that support {f}", "devices"), ("{F} on {d}: supported versions", "devices"))
REFERENCE_KINDS = {"settings": "setting", "codes": "error code", "devices": "supported device"}
CONCEPTS = (("How {f} works",), ("What {f} does",), ("{F} and {f2} compared",), ("Why {f} affects {f2}",),
            ("When to use {f}",), ("{F} explained for {d} owners",))
PLAYBOOKS = (("Handle a call about {f}",), ("Calm a caller whose {f} stopped after {event}",),
             ("Explain {f} to a first-time caller",), ("Escalate a repeat {f} fault",),
             ("Follow up after a {f} repair",), ("Guide a caller through {f} on {a_d}",))
TITLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "how-to": ACTIONS, "troubleshooting": SYMPTOMS, "reference": REFERENCES, "concept": CONCEPTS,
    "playbook": PLAYBOOKS}
TAGS = {"how-to": "setup", "troubleshooting": "fault", "reference": "reference", "concept": "basics",
        "playbook": "calls"}
SUMMARIES = {
    "how-to": ("{Title} from the {entry} in about {mins} minutes.", "Walk the customer through how to {t}, at "
               "beginner or expert depth.", "Help a customer {t} without losing their current {setting}.",
               "{Title} and confirm it worked before ending the call."),
    "troubleshooting": ("Find why {f} fails on the customer's {d} and fix it for good.",
                        "Clear error {code} and get {f} working again on the {name}.",
                        "Diagnose {f} problems on {a_d} and restore normal service.",
                        "Get {f} back to normal after {event} and confirm the fix with the customer."),
    "reference": ("Every {kind} for {f} on the {name}, with what each one means.",
                  "Look up {f} {kind} quickly while the caller waits."),
    "concept": ("Explain {f} in plain words so customers know what to expect from it.",
                "What {f} does on the {name} and why it matters for {a_d}."),
    "playbook": ("Handle calls about {f} calmly, from the first question to a clear next step.",
                 "What to say, and what to avoid, when a caller needs help with {f}."),
}
CASUAL = {
    "how-to": ("how do I {c}", "I want to {c}", "can you help me {c}", "where do I go to {c}", "need to {c}"),
    "troubleshooting": ("{f} not working", "{code} on my {d}", "problem with {f} on my {d}"),
    "reference": ("what does {code} mean", "what is {setting} for {f}", "does my {d} support {f}"),
    "concept": ("what does {f} do", "how does {f} work", "do I need {f}", "is {f} the same as {f2}"),
    "playbook": ("{f} still broken", "third time calling about {f}", "nobody fixed my {f}", "{f} useless"),
}

# --- body templates -------------------------------------------------------------------------------------
# Beginner steps come with the checkpoint that confirms them; pools are in a sensible order of work.
BEGINNER_FIRST = (("Ask the customer to open the **{entry}** and tap **{menu}**, {loc}.",
                   "the customer sees **{menu}** at the top of the screen."),
                  ("Ask them to sign in to the **{entry}** and choose **{menu}**, {loc}.",
                   "the {menu} page opens with the name of their {part} at the top."))
BEGINNER_STEPS = (
    ("Tap **{F}**, {loc}.", "the {F} page opens with a switch at the top."),
    ("Scroll down to **{Setting}** and change it to **{value}**, then tap **Save**.",
     "the page shows {value} under **{Setting}**."),
    ("Choose **{value}** in the **{Setting}** list, {loc}.", "a message says \"{message}\" within a minute."),
    ("Ask them to switch **{F}** off, wait ten seconds, then switch it on again.",
     "the switch next to **{F}** is blue again."),
    ("Tap **{label}** and wait about {n} minutes while the {part} applies the change.",
     "the screen shows \"{message}\" with a green tick."),
    ("On the {d}, open **Settings**, then **{devmenu}**, and pick **{F}** from the list.",
     "the {d} lists {f} as connected."),
    ("Ask them to restart the {d}: hold its power button and choose **Restart**.",
     "the {d} is back on its home screen after about a minute."),
    ("Tap **Check again**, {loc}, to confirm the change took effect.", "error {code} no longer appears."),
    ("Ask them to read out the code shown next to **{label}**.", "the code they read is not {code}."),
    ("Tap **Help**, then **Send diagnostics**, and write down the reference number it shows.",
     "the customer reads out a reference number of eight digits."),
)
PHYSICAL_STEPS = (
    ("Ask them to press and hold the **{button}** button on the {part} for {n} seconds.",
     "after about {m} minutes all the lights on the {part} are {colour}."),
    ("Ask them to look at the light labelled **{light}** on the front of the {part}.",
     "the customer says the **{light}** light is solid {colour}."),
)
EXPERT_STEPS = (
    "Confirm {metric} before changing anything else.",
    "Check the event log for `{code}` around the time of the fault; note the timestamps.",
    "Compare `{Setting}` with the recommended `{value}`; mismatches after {event} are common.",
    "`{menu} > {F} > {Setting}`: set `{value}` and apply.",
    "Toggle {f} from `{menu} > {F}`; a change that does not stick points to a profile issue.",
    "Clear the cached session (`{menu} > Advanced > Reset session`) and sign in again.",
    "Forget the profile on the {d} and re-pair it with {f} from a clean state.",
    "Restart the {part}; if `{code}` returns within {n} min, collect diagnostics.",
    "Run `{menu} > Diagnostics > {F}` and attach the result to the case.",
    "Escalate to Tier 2 with the diagnostics reference, the `{code}` timestamps and the {d} model.",
)
CAUSES = ("{F} depends on the {part} and the {d} agreeing on {setting}. When {reason}, {f} {effect}.",
          "Error {code} means {reason}. Until that is fixed, {f} {effect}.",
          "Most reports trace back to {event}: afterwards {reason}, and {f} {effect}.",
          "The {part} retries {f} a few times and then stops; when {reason}, it {effect}.")
CAUSE_NOTES = ("It is more common on {a_d} that has been asleep overnight.",
               "{F} recovers for a while once the {part} restarts, which is why the fault seems to come and go.",
               "Customers often notice it first after {event}.",
               "Nothing is lost: settings and history stay on the {part}.",
               "The {metric} check in the Expert steps tells the two cases apart.")
PREREQUISITES = ("The customer has their account password to hand.",
                 "The {d} is charged and within reach of the {part}.",
                 "The {entry} is updated to the latest version.",
                 "Note the current {setting} ({value}) in case they want it back.",
                 "Ten minutes without interruptions: {f} is briefly unavailable during the change.")
NOTES = ("Customers on older {part}s may find **{label}** under a different menu; the steps are otherwise "
         "the same.", "If the customer is not at home, note the case and offer a call back rather than guessing.",
         "{F} settings survive a restart of the {part}, but a factory reset clears them.",
         "The {entry} shows changes to {setting} within {n} minutes; refreshing the page speeds this up.",
         "Business customers have the same {f} options, with an audit entry for each change.",
         "Record error codes such as {code} exactly as the customer reads them out, letters included.",
         "Changes made in the {entry} appear on every other {d} signed in to the same account.",
         "{A_d} on battery saver may delay {f} by a few minutes; this is normal.")
CONCEPT_SENTENCES = (
    "{F} runs on the {part} itself, so it keeps working when the {entry} is closed.",
    "Every change to {setting} is stored on the {part} and copied to the account within {n} minutes.",
    "{F} and {f2} share a settings page, which is why customers often mix them up.",
    "On {a_d}, {f} only starts once the device has checked in with the {part}.",
    "When {reason}, {f} {effect}; that is the most common reason for calls about it.",
    "The {part} logs each {f} event with a code such as {code}, which agents can read in the case history.",
    "Customers notice the result of {f} rather than {f} itself: a faster {d}, fewer alerts, a quieter evening.",
    "{F} arrived in software {v}; older {part}s show it under **{label}** instead.",
    "Turning {f} off keeps its history; turning it back on restores the previous {setting}.",
    "Most households never change {setting} from {value}, and that is the right choice for them.",
)
SAY = ("\"I can hear how frustrating it is when {f} lets you down, so let's sort it out together.\"",
       "\"Could you tell me what you see on the {d} right now?\"",
       "\"Before we change anything, I'll note your current {setting} so we can put it back.\"",
       "\"This takes about {n} minutes, and I'll stay on the line with you.\"",
       "\"If it happens again, the code {code} on the screen tells us exactly where to look.\"",
       "\"Is there anything else about {f} I can help with today?\"")
AVOID = ("Reading the Expert steps word for word to a first-time caller.",
         "Promising a fix time before the {part} has been checked.",
         "Blaming the customer's {d}; say what we will try instead.",
         "Jargon such as {metric} without explaining it.",
         "Ending the call before the customer confirms {f} works.")
MEANINGS = ("{F} could not reach the {part}", "the session expired", "the {d} refused the request",
            "{setting} does not allow this change", "the {part} is busy updating", "the account lacks permission")
FIXES = ("restart the {part}", "sign in again", "set {setting} to {value}", "wait {n} minutes and retry",
         "update the {d}", "escalate with the diagnostics reference")

# Filled on demand, fresh for every template: `{label}`, `{loc}`, `{n}` ...
_RANDOM_FIELDS: dict[str, Callable[[random.Random, Product], str]] = {
    "label": lambda r, p: r.choice(p.labels), "menu": lambda r, p: r.choice(p.labels),
    "loc": lambda r, p: r.choice(LOCATIONS), "n": lambda r, p: str(r.randint(2, 9)),
    "m": lambda r, p: str(r.randint(2, 5)),
    "colour": lambda r, p: r.choice(COLOURS), "message": lambda r, p: r.choice(MESSAGES),
    "metric": lambda r, p: r.choice(METRICS),
    "button": lambda r, p: r.choice(p.buttons),
    "light": lambda r, p: r.choice(p.lights), "devmenu": lambda r, p: r.choice(DEVICE_MENUS),
    "outcome": lambda r, p: r.choice(OUTCOMES),
}


@dataclass(frozen=True)
class Product:
    """One product of the generated knowledge base, with the words its articles use."""

    id: str
    name: str
    short: str
    description: str
    entry: str  # where a Beginner starts (an app, a portal, a TV menu)
    part: str  # the thing itself: hub, box, camera, SIM
    code: str  # error-code prefix
    env: str
    features: tuple[str, ...]
    labels: tuple[str, ...]
    settings: tuple[tuple[str, tuple[str, ...]], ...]
    lights: tuple[str, ...]
    buttons: tuple[str, ...]

    @property
    def physical(self) -> bool:
        return bool(self.lights)


@dataclass
class Plan:
    """One article before its body is written: where it goes and its key terms."""

    product: Product
    type: str
    title: str
    slug: str
    terms: dict[str, str]
    template: tuple[str, ...]  # the title template and its companions
    status: str = "validated"

    @property
    def path(self) -> str:
        return f"{self.product.id}/{self.type}/{self.slug}.md"


class _Fields(dict):  # type: ignore[type-arg]
    """The article's terms, plus random fields drawn the first time a template names them."""

    def __init__(self, r: random.Random, plan: Plan) -> None:
        super().__init__(plan.terms)
        self.r, self.product = r, plan.product

    def __missing__(self, key: str) -> str:
        value = _RANDOM_FIELDS[key](self.r, self.product)
        self[key] = value
        return value


def fill(r: random.Random, plan: Plan, *templates: str) -> str:
    """Fill templates from the article's terms and fresh random fields shared by all of them.

    Two passes, for values that are templates themselves (a location naming `{part}`). Several
    templates come back joined by a NUL, for `str.split`.
    """
    fields = _Fields(r, plan)
    text = "\0".join(templates).format_map(fields)
    return text.format_map(fields) if "{" in text else text


def _cap(text: str) -> str:
    """Capitalise the first letter, leaving names such as iPhone or eSIM alone."""
    return text if len(text) > 1 and text[1].isupper() else text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _yaml(text: str) -> str:
    """A YAML scalar for `text` in block context: plain when safe, else double-quoted."""
    risky = (": " in text or " #" in text or text.endswith(":") or text[:1] in "-?:,[]{}#&*!|>'\"%@`"
             or re.fullmatch(r"[\d.]+|yes|no|true|false|on|off|null|~", text, re.I))
    return json.dumps(text, ensure_ascii=False) if risky else text


# --- planning -------------------------------------------------------------------------------------------
def make_products(count: int) -> list[Product]:
    """`count` products from the catalogue (repeated with a numbered id past its end)."""
    products = []
    for number in range(count):
        spec = dict(CATALOGUE[number % len(CATALOGUE)])
        if number >= len(CATALOGUE):
            suffix = number // len(CATALOGUE) + 1
            spec["id"], spec["name"] = f"{spec['id']}-{suffix}", f"{spec['name']} {suffix}"
        settings = tuple((name, tuple(values.split(","))) for name, values in
                         (item.split("=") for item in spec.pop("settings").split(";")))
        lists = {key: tuple(filter(None, spec.pop(key).split("|")))
                 for key in ("features", "labels", "lights", "buttons")}
        products.append(Product(**spec, **lists, settings=settings))
    return products


def _draw_terms(r: random.Random, product: Product) -> dict[str, str]:
    feature, other = r.sample(product.features, 2)
    setting, values = r.choice(product.settings)
    device = r.choice(DEVICES)
    a_device = ("an " if device[0] in "aeiou" else "a ") + device
    terms = {"f": feature, "F": _cap(feature), "f2": other, "d": device, "D": _cap(device), "a_d": a_device,
             "A_d": _cap(a_device),
             "code": f"{product.code}-{r.randint(100, 9999):04d}", "setting": setting.lower(),
             "Setting": setting, "value": r.choice(values), "state": r.choice(STATES), "thing": r.choice(THINGS),
             "v": f"{r.randint(2, 9)}.{r.randint(0, 12)}", "entry": product.entry, "part": product.part,
             "name": product.name, "short": product.short, "Short": _cap(product.short), "company": COMPANY}
    terms["mins"] = str(r.randint(3, 15))
    terms["event"] = r.choice(EVENTS).format_map(terms)
    terms["reason"] = r.choice(REASONS).format_map(terms)  # one per article, so its cause reads consistently
    terms["effect"] = r.choice(EFFECTS).format_map(terms)
    terms["env"] = product.env.format_map(terms)
    return terms


def _plan_article(r: random.Random, product: Product, kind: str, used: set[str]) -> Plan:
    """Pick a title template and key terms until the title (and so the slug) is new."""
    for attempt in range(1000):
        terms = _draw_terms(r, product)
        template = r.choice(TITLES[kind])
        title = _cap(template[0].format_map(terms))
        if attempt >= 20:
            title += " " + r.choice(QUALIFIERS).format_map(terms)
        if attempt >= 40:
            title += f" ({attempt})"
        slug = _slug(title)
        if slug not in used:
            used.add(slug)
            terms.update(Title=title, t=_lower_first(title))
            if kind == "how-to":
                terms["c"] = template[1].format_map(terms)
            if kind == "reference":
                terms["kind"] = REFERENCE_KINDS[template[1]]
            return Plan(product, kind, title, slug, terms, template)
    raise RuntimeError("no unique title found")  # unreachable: the attempt number makes titles unique


def plan_articles(r: random.Random, products: list[Product], count: int) -> list[Plan]:
    used: set[str] = set()
    plans = []
    for _ in range(count):
        product = r.choice(products)
        kind = r.choices(TYPES, weights=TYPE_WEIGHTS)[0]
        plan = _plan_article(r, product, kind, used)
        plan.status = "draft" if r.random() < DRAFT_SHARE else "validated"
        plans.append(plan)
    return plans


# --- writing --------------------------------------------------------------------------------------------
def front_matter(r: random.Random, plan: Plan) -> str:
    """The YAML block: every key of the format, valid for `kb check`."""
    kind, terms = plan.type, plan.terms
    phrases = list(plan.template[2:4]) if kind == "troubleshooting" else []
    phrases += r.sample(CASUAL[kind], min(len(CASUAL[kind]), 3))
    says = list(dict.fromkeys(fill(r, plan, p) for p in phrases))[: r.randint(2, 4)]
    tags = list(dict.fromkeys([_slug(terms["f"]), plan.product.id, TAGS[kind], _slug(terms["d"])]))
    overdue = r.random() < OVERDUE_SHARE
    reviewed = ANCHOR_DAY - dt.timedelta(days=r.randint(400, 700) if overdue else r.randint(0, 120))
    lines = ["---", f"title: {_yaml(plan.title)}",
             f"summary: {_yaml(fill(r, plan, r.choice(SUMMARIES[kind])))}",
             f"product: {plan.product.id}", f"type: {kind}", f"tags: [{', '.join(tags[: r.randint(2, 4)])}]",
             "customer_says:", *(f"  - {_yaml(p)}" for p in says), f"owner: {r.choice(OWNERS)}",
             f"reviewed: {reviewed.isoformat()}",
             f"review_every: {180 if overdue else r.choice((180, 365, 365, 730))}", f"status: {plan.status}",
             "---"]
    return "\n".join(lines) + "\n"


def depth_tabs(r: random.Random, plan: Plan) -> str:
    """The Beginner and Expert tabs, 3-7 numbered steps each, most Beginner steps with a checkpoint."""
    pool = BEGINNER_STEPS + (PHYSICAL_STEPS if plan.product.physical else ())
    steps = [r.choice(BEGINNER_FIRST), *(pool[i] for i in sorted(r.sample(range(len(pool)), r.randint(2, 6))))]
    beginner = []
    for number, (step, checkpoint) in enumerate(steps, start=1):
        text, check = fill(r, plan, step, checkpoint).split("\0")
        beginner.append(f"    {number}. {text}\n")
        if r.random() < 0.8:
            beginner.append(f"        Checkpoint: {check}\n")
    chosen = sorted(r.sample(range(len(EXPERT_STEPS)), r.randint(3, 7)))
    expert = [f"    {number}. {fill(r, plan, EXPERT_STEPS[i])}" for number, i in enumerate(chosen, start=1)]
    return '=== "Beginner"\n\n' + "\n".join(beginner) + '\n=== "Expert"\n\n' + "\n".join(expert) + "\n"


def _sentences(r: random.Random, plan: Plan, pool: tuple[str, ...], low: int, high: int) -> list[str]:
    """Between `low` and `high` sentences of `pool`, filled, in the pool's order."""
    picked = sorted(r.sample(range(len(pool)), min(len(pool), r.randint(low, high))))
    return [fill(r, plan, pool[i]) for i in picked]


def _related(r: random.Random, plan: Plan, pools: dict[str, list[Plan]]) -> str:
    """A "Related articles" section linking other validated articles (drafts are never linked)."""
    count = r.choice((0, 1, 2, 2, 3))
    candidates = pools.get(plan.product.id, []) if r.random() < 0.75 else pools["*"]
    picked = {c.path: c for c in (r.choice(candidates) for _ in range(count) if candidates) if c is not plan}
    if not picked:
        return ""
    lines = []
    for other in picked.values():
        anchor = {"troubleshooting": r.choice(("", "#cause", "#resolution")), "how-to": r.choice(("", "#steps"))}
        lines.append(f"- [{other.title}]({_relative(plan, other)}{anchor.get(other.type, '')})")
    return "## Related articles\n\n" + "\n".join(lines) + "\n"


def _relative(source: Plan, target: Plan) -> str:
    if source.product.id != target.product.id:
        return f"../../{target.product.id}/{target.type}/{target.slug}.md"
    return f"{target.slug}.md" if source.type == target.type else f"../{target.type}/{target.slug}.md"


def troubleshooting_body(r: random.Random, plan: Plan) -> list[tuple[str, bool]]:
    casual = fill(r, plan, plan.template[2])
    issue = f"\"{_cap(casual)}.\" {fill(r, plan, plan.template[1])}"
    if r.random() < 0.5:
        issue += f" It started after {plan.terms['event']}."
    environment = "\n".join(f"- {fill(r, plan, line)}" for line in (
        "{env}.", "{D} on its latest software update.", "{F} turned on in the {entry}."))
    cause = " ".join([fill(r, plan, r.choice(CAUSES)), *_sentences(r, plan, CAUSE_NOTES, 0, 2)])
    return [(f"## Issue\n\n{issue}\n", False), (f"## Environment\n\n{environment}\n", False),
            (f"## Resolution\n\n{depth_tabs(r, plan)}", False), (f"## Cause\n\n{cause}\n", False),
            ("## If the problem continues\n\n" + " ".join(_sentences(r, plan, NOTES, 1, 2))
             + f" Escalate with the diagnostics reference and every {plan.terms['code']} timestamp.\n", True)]


def howto_body(r: random.Random, plan: Plan) -> list[tuple[str, bool]]:
    intro = fill(r, plan, "Use this when the customer wants to {t}. It takes about {mins} minutes and {outcome}.")
    blocks = [(f"{intro}\n", False)]
    if r.random() < 0.6:
        items = "\n".join(f"- {s}" for s in _sentences(r, plan, PREREQUISITES, 2, 4))
        blocks.append((f"## Before you start\n\n{items}\n", True))
    blocks.append((f"## Steps\n\n{depth_tabs(r, plan)}", False))
    if r.random() < 0.5:
        blocks.append(("## What to tell the customer\n\n" + " ".join(_sentences(r, plan, NOTES, 1, 3)) + "\n", True))
    return blocks


def _table(r: random.Random, plan: Plan) -> str:
    kind = plan.template[1]
    if kind == "codes":
        head, rows = "| Code | Meaning | What to do |", [
            (f"`{plan.product.code}-{r.randint(100, 9999):04d}`" if i else f"`{plan.terms['code']}`",
             _cap(fill(r, plan, r.choice(MEANINGS))), _cap(fill(r, plan, r.choice(FIXES))))
            for i in range(r.randint(4, 7))]
    elif kind == "devices":
        head, rows = "| Device | Minimum version | Notes |", [
            (_cap(d), f"{r.randint(2, 17)}.{r.randint(0, 9)}", fill(r, plan, r.choice(("Full support", "No {f2}",
             "Needs the {entry} {v}", "Slower first setup")))) for d in r.sample(DEVICES, r.randint(4, 7))]
    else:
        head, rows = "| Setting | Default | Options |", [
            (name, values[0], ", ".join(values)) for name, values in plan.product.settings] + [
            (f"{plan.terms['F']} {s}", "Auto", "Auto, On, Off") for s in r.sample(
                ("timeout", "mode", "limit", "alerts", "priority", "retries"), r.randint(1, 3))]
    separator = "|" + " --- |" * head.count(" | ") + " --- |"
    return "\n".join([head, separator, *(f"| {' | '.join(row)} |" for row in rows)]) + "\n"


def reference_body(r: random.Random, plan: Plan) -> list[tuple[str, bool]]:
    intro = fill(r, plan, "This page lists the {f} details of the {name}. Use it when a caller reads out a "
                          "message or asks what something means. ") + " ".join(_sentences(r, plan, NOTES, 1, 2))
    return [(f"{intro}\n", False), (f"## At a glance\n\n{_table(r, plan)}", False),
            ("## Good to know\n\n" + "\n".join(f"- {s}" for s in _sentences(r, plan, CONCEPT_SENTENCES, 2, 4))
             + "\n", True)]


def concept_body(r: random.Random, plan: Plan) -> list[tuple[str, bool]]:
    sentences = _sentences(r, plan, CONCEPT_SENTENCES, 6, 9)
    half = len(sentences) // 2
    return [(fill(r, plan, "In short: {f} is part of the {name}, and it matters most to customers with {a_d}.")
             + "\n", False), ("## How it works\n\n" + " ".join(sentences[:half]) + "\n", False),
            ("## What customers notice\n\n" + " ".join(sentences[half:]) + "\n", False)]


def playbook_body(r: random.Random, plan: Plan) -> list[tuple[str, bool]]:
    when = fill(r, plan, "Use this when a caller is upset about {f} on the {name}, often after {event}.")
    say = "\n".join(f"- {s}" for s in _sentences(r, plan, SAY, 3, 5))
    avoid = "\n".join(f"- {s}" for s in _sentences(r, plan, AVOID, 2, 4))
    return [(f"## When to use this\n\n{when} " + " ".join(_sentences(r, plan, NOTES, 1, 2)) + "\n", False),
            (f"## What to say\n\n{say}\n", False), (f"## What to avoid\n\n{avoid}\n", False),
            ("## Wrap up\n\n" + fill(r, plan, "Summarise what was done, give the case reference and say when "
                                              "you will check {f} again.") + "\n", True)]


BODIES = {"how-to": howto_body, "troubleshooting": troubleshooting_body, "reference": reference_body,
          "concept": concept_body, "playbook": playbook_body}


def write_article(r: random.Random, plan: Plan, pools: dict[str, list[Plan]]) -> str:
    """Front matter and body, with optional sections dropped or notes added to land in 200-700 words."""
    blocks = BODIES[plan.type](r, plan)
    related = _related(r, plan, pools)
    if related:
        blocks.append((related, True))
    words = sum(len(text.split()) for text, _ in blocks)
    while words > MAX_WORDS and any(optional for _, optional in blocks):
        index = max(i for i, (_, optional) in enumerate(blocks) if optional)
        words -= len(blocks.pop(index)[0].split())
    notes, written = [], "".join(text for text, _ in blocks)
    for note in (fill(r, plan, n) for n in r.sample(NOTES, len(NOTES))):
        if words >= MIN_WORDS:
            break
        if note not in written:
            notes.append(note)
            words += len(note.split())
    if notes:
        blocks.append(("## Notes\n\n" + " ".join(notes) + "\n", True))
    body = "\n".join(text for text, _ in blocks)
    return f"{front_matter(r, plan)}\n# {plan.title}\n\n{body}"


# --- the knowledge base ---------------------------------------------------------------------------------
def site_yml(site_name: str, *, with_plugin: bool = True) -> str:
    """The project's mkdocs.yml with another site_name (and, optionally, without the kb plugin)."""
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    text, renamed = re.subn(r"^site_name: .*$", f"site_name: {site_name}", text, count=1, flags=re.M)
    text, dropped = re.subn(r"^  - kb\n", "", text, flags=re.M) if not with_plugin else (text, 1)
    if not (renamed and dropped):
        raise RuntimeError(f"{REPO / 'mkdocs.yml'}: no site_name or no `- kb` plugin line to change")
    return text


def _products_yml(products: list[Product]) -> str:
    lines = ["# The products of this generated knowledge base (bench/generate_kb.py).", "products:"]
    for p in products:
        lines += [f"  - id: {p.id}", f"    name: {_yaml(p.name)}", f"    description: {_yaml(p.description)}"]
    return "\n".join(lines) + "\n"


def _index_md(products: list[Product], plans: list[Plan], seed: int) -> str:
    counts = {p.id: sum(plan.product is p for plan in plans) for p in products}
    rows = [f"| {p.name} | {p.description} | {counts[p.id]} |" for p in products]
    return "\n".join(["---", "title: Welcome", "type: page", "---", "", "# Synthetic support knowledge base", "",
                      f"Generated by `bench/generate_kb.py`: {len(plans)} articles over {len(products)} products "
                      f"(seed {seed}).", "", "| Product | What it covers | Articles |", "| --- | --- | --- |",
                      *rows]) + "\n"


def _fresh_docs(docs: Path) -> None:
    """Empty `docs` if this script wrote it; refuse to touch any other non-empty folder."""
    if docs.exists() and any(docs.iterdir()):
        if not (docs / MARKER).exists():
            raise SystemExit(f"{docs} exists and was not written by generate_kb.py; pick another folder.")
        shutil.rmtree(docs)
    docs.mkdir(parents=True, exist_ok=True)
    (docs / MARKER).write_text("Written by bench/generate_kb.py; regenerating replaces this folder.\n")


def generate_kb(out_dir: Path, articles: int, *, seed: int = 7, products: int = 6,
                with_plugin: bool = True) -> Path:
    """Write a knowledge base of `articles` articles into out_dir/docs and out_dir/mkdocs.yml; return docs."""
    out_dir = Path(out_dir)
    docs = out_dir / "docs"
    _fresh_docs(docs)
    r = random.Random(seed)
    catalogue = make_products(products)
    plans = plan_articles(r, catalogue, articles)
    pools: dict[str, list[Plan]] = {"*": [p for p in plans if p.status == "validated"]}
    for plan in pools["*"]:
        pools.setdefault(plan.product.id, []).append(plan)
    for folder in sorted({f"{p.product.id}/{p.type}" for p in plans}):
        (docs / folder).mkdir(parents=True, exist_ok=True)
    for plan in plans:
        (docs / plan.path).write_text(write_article(r, plan, pools), encoding="utf-8")
    (docs / "products.yml").write_text(_products_yml(catalogue), encoding="utf-8")
    (docs / "index.md").write_text(_index_md(catalogue, plans, seed), encoding="utf-8")
    name = f"Synthetic support KB, {articles} articles, seed {seed}"
    (out_dir / "mkdocs.yml").write_text(site_yml(name, with_plugin=with_plugin), encoding="utf-8")
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path, help="folder to write docs/ and mkdocs.yml into")
    parser.add_argument("--articles", type=int, required=True, help="number of articles")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--products", type=int, default=6, help="number of products (default 6)")
    parser.add_argument("--no-plugin", action="store_true", help="write a mkdocs.yml without the kb plugin")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.products < 1:
        parser.error("--articles and --products must be at least 1")
    started = time.perf_counter()
    docs = generate_kb(args.out_dir, args.articles, seed=args.seed, products=args.products,
                       with_plugin=not args.no_plugin)
    print(f"Wrote {args.articles} articles over {args.products} products to {docs} "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
