"""What people might type or paste: generated text, emails, days and dates for the property tests.

Text leans towards the awkward: right-to-left and combining marks, emoji, NUL and
other control characters, line breaks that try to start a mail header, markup,
and sizes past every limit the program sets.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# No example database (nothing written into the repository) and no per-example deadline
# (a 2-core machine shared by everyone); each test sets its own number of examples.
PROPERTY = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RTL = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: makes "gpj.exe" look like "exe.jpg"
INJECTIONS = [
    "\r\nBcc: x@y.test",
    "\nBcc: x@y.test",
    "\rBcc: x@y.test",
    "\r\n\r\n<html>body</html>",
    "<script>alert(1)</script>",
    "<b onmouseover=alert(1)>hi</b>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7 * 7 }}{% raw %}",
    "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected",
    "\nATTENDEE:mailto:x@y.test",
    ";X-INJECTED=1:",
    "=?utf-8?q?Bcc=3A_x=40y.test?=",
    f"{RTL}gpj.exe",
    "e\u0301\u0301\u0301\u0301",  # stacked combining accents
    "👩🏽‍🏫🧑‍🤝‍🧑",
    "\x00\x01\x07\x1b[31m\x7f",
    "\u2028\u2029\x85\x0b\x0c",
    "\ufeff\u200b\u200d",
    "שלום مرحبا",
]

awkward_character = st.one_of(
    st.characters(codec="utf-8"),  # any code point that can be written (no lone surrogates)
    st.sampled_from(["\r", "\n", "\x00", "\t", RTL, "\u0301", "\u200f", "<", ">", "&", '"', ":", ";", ",", "\\"]),
)
awkward_text = st.one_of(
    st.text(awkward_character, max_size=40),
    st.sampled_from(INJECTIONS),
    st.builds(lambda a, b, c: a + b + c, st.text(awkward_character, max_size=10), st.sampled_from(INJECTIONS), st.text(max_size=10)),
)
# Around and past the 4,000 characters of a note and the 500 of a purpose.
oversized_text = st.builds(lambda piece, n: ((piece or "x") * n)[:9000], awkward_text, st.integers(min_value=1, max_value=900))
any_text = st.one_of(awkward_text, awkward_text, oversized_text)


def email(domain: str = "school.test") -> st.SearchStrategy[str]:
    """A well-formed address, lower case (as the roster keeps them)."""
    local = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789._-+"), min_size=1, max_size=12)
    return local.map(lambda name: f"{name}@{domain}")


any_day = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
any_days_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10, max_value=10).map(lambda n: n / 2),
    st.sampled_from([1e308, -1e308, 5e-324, 0.25, 0.5, 1.0, 2.0, 2.5]),
)
