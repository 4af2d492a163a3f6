"""The tables. Alembic's migrations (`store/migrations/versions/`) create them; this module is their shape.

Uniqueness the program relies on is the database's too: one email per cohort, one
partnership id per cohort, one notice per (business key, recipient), one substitute
booking per release request. Read-model rows carry the `revision` of the workflow
record they were written from, so a late or retried write never overwrites newer state.
No read-model table holds note, reflection or artifact text: notes stay encrypted in Temporal, and
what is kept here of a partnership's artifacts, a coach's portfolio and a person's self-assessment
is sealed column by column (`store/sealed.py`), readable only with the deployment's key ring.
The outbox keeps each message as it was sent to its recipient, which can quote a note to
the partnership's own people.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from domain.roster import EMAIL_MAX
from store.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

EMAIL = EMAIL_MAX  # names, ids and texts have no length limit here: the domain's rules say what a roster may hold

# -- rosters and programs, as uploaded and as changed ------------------------------------

roster_versions = Table(
    "roster_versions",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("change", String(20), nullable=False),  # upload | added | withdrawn | partnership
    Column("content_hash", String(64), nullable=False),  # sha256 of the version's content
    Column("recorded_by", String(EMAIL), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("file_name", Text),
    Column("content", JSON, nullable=False),  # the roster and program as loaded, or the one change
)

cohorts = Table(
    "cohorts",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("name", Text, nullable=False),
    Column("school_year", String(9), nullable=False),
    Column("program", JSON, nullable=False),
    Column("launched_by", String(EMAIL), nullable=False),
    Column("launched_at", UtcDateTime()),
    Column("roster_version", Integer, nullable=False),
    Column("coaches", Integer, nullable=False, default=0),
    Column("partnerships", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False),  # launching | running | closed
)

schools = Table(
    "schools",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("district", Text, nullable=False),
    Column("principal", String(EMAIL), nullable=False),
    Column("model", String(40)),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
    Index(None, "principal"),
)

people = Table(
    "people",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("email", String(EMAIL), primary_key=True),  # one email per cohort
    Column("name", Text, nullable=False),
    Column("role", String(30), nullable=False),
    Column("school", Text),
    Column("withdrawn", Boolean, nullable=False, default=False),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
    Index(None, "email"),  # who someone is, in every cohort, is one indexed query
)

# -- the read model: what the workflows last published ----------------------------------

trainings = Table(
    "trainings",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("coach", String(EMAIL), primary_key=True),
    Column("name", Text, nullable=False),
    Column("school", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attendance", JSON, nullable=False),  # {session number: attended | excused | absent | made_up}
    Column("revision", Integer, nullable=False),
    Column("as_of", UtcDateTime()),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
)

partnerships = Table(
    "partnerships",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("id", Text, primary_key=True),  # one partnership id per cohort
    Column("coach", String(EMAIL), nullable=False),
    Column("partners", JSON, nullable=False),
    Column("school", Text, nullable=False),
    Column("focus", Text, nullable=False, default=""),
    Column("school_goal", Text),
    Column("stage", String(20), nullable=False),
    Column("stage_since", UtcDateTime()),
    Column("cycle", Integer, nullable=False, default=1),
    Column("cycles_completed", Integer, nullable=False, default=0),
    Column("stalled_since", UtcDateTime()),
    Column("follow_ups", Integer, nullable=False, default=0),
    Column("escalations", Integer, nullable=False, default=0),
    Column("goals_named", Integer, nullable=False, default=0, server_default="0"),  # counts only: the words stay in Temporal
    Column("goals_met", Integer, nullable=False, default=0, server_default="0"),
    Column("cycles_completed_on", JSON, nullable=False, default=list, server_default="[]"),  # the schools' date of each, oldest first
    Column("revision", Integer, nullable=False),
    Column("as_of", UtcDateTime()),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
    Index(None, "cohort", "school"),
    Index(None, "cohort", "coach"),
    Index(None, "cohort", "stage"),
)

partnership_members = Table(
    "partnership_members",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("partnership", Text, primary_key=True),
    Column("email", String(EMAIL), primary_key=True),
    Column("role", String(30), nullable=False),  # coach | teacher
    ForeignKeyConstraint(["cohort", "partnership"], ["partnerships.cohort", "partnerships.id"], ondelete="CASCADE"),
    Index(None, "email"),
)

ledgers = Table(
    "ledgers",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("school", Text, primary_key=True),
    Column("principal", String(EMAIL), nullable=False),
    Column("record", JSON, nullable=False),  # allowances, members and requests: no note text lives there
    Column("revision", Integer, nullable=False),
    Column("as_of", UtcDateTime()),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
)

release_requests = Table(
    "release_requests",
    metadata,
    Column("id", Text, primary_key=True),
    Column("cohort", String(60), nullable=False),
    Column("school", Text, nullable=False),
    Column("number", Integer, nullable=False),
    Column("requester", String(EMAIL), nullable=False),
    Column("days", Float, nullable=False),
    Column("on", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("asked_at", UtcDateTime(), nullable=False),
    Column("partnership", Text),
    Index(None, "cohort", "school", "status"),
    Index(None, "requester"),
)

# -- what the program sends and books ---------------------------------------------------

outbox = Table(
    "outbox",
    metadata,
    # The notice's business key: the longest (a reminder: cohort, coach's email, session) is about 340 characters.
    Column("key", Text, primary_key=True),
    Column("recipient", String(EMAIL), primary_key=True),
    Column("cohort", String(60)),  # the cohort the notice belongs to (none for a sign-in link): a cohort's outbox page
    Column("kind", String(40), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("invite", Text),
    Column("status", String(20), nullable=False),  # pending | sent | undeliverable | held for digest | sent in digest | turned off
    Column("via", String(20)),  # outbox | smtp
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime(), nullable=False),  # when the workflow asked for it (Temporal's clock)
    Column("sent_at", UtcDateTime()),
    Column("message_id", String(200)),  # the same for every copy of the message (activities/messages.py)
    Column("reply", Text),  # the mail server's refusal, for an undeliverable message
    Column("digest", Text),  # the key of the digest that holds (or held) this message (store/outbox.py)
    Index(None, "recipient"),
    Index(None, "cohort", "created_at"),
    Index(None, "kind"),
    Index(None, "created_at"),
    Index(None, "status"),  # the day's held messages, for the digests
    Index(None, "digest"),
)

# How often each person hears of each kind of notice (domain/preferences.py); no row is the role's default.
notice_preferences = Table(
    "notice_preferences",
    metadata,
    Column("email", String(EMAIL), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("frequency", String(20), nullable=False),  # immediate | digest | off
    Column("chosen_at", UtcDateTime(), nullable=False),
)

substitute_bookings = Table(
    "substitute_bookings",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),  # the reference is SUB-<number>
    Column("request_id", Text, nullable=False),
    Column("school", Text, nullable=False),
    Column("requester", String(EMAIL), nullable=False),
    Column("day", Date, nullable=False),
    Column("days", Float, nullable=False),
    Column("booked_at", UtcDateTime(), nullable=False),
    UniqueConstraint("request_id"),  # one booking per request, whichever worker books it
)

# -- the web app's sessions -------------------------------------------------------------

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("sid_hash", String(64), primary_key=True),  # sha256 of the cookie's session id: a dump gives no session away
    Column("email", String(EMAIL), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime()),
    Index(None, "email"),
)

used_sign_in_links = Table(
    "used_sign_in_links",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("email", String(EMAIL), nullable=False),
    Column("used_at", UtcDateTime(), nullable=False),
)

calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("email", String(EMAIL), primary_key=True),
    Column("token_hash", String(64), nullable=False),  # sha256 of the feed's token: a dump gives no feed away
    Column("created_at", UtcDateTime(), nullable=False),  # with the app's secret, makes the token (store/calendar_feeds.py)
    UniqueConstraint("token_hash"),
)

# -- what a school's year shows: its coaching plan, self-assessments, year-2 decisions -----

school_plans = Table(
    "school_plans",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("school", Text, primary_key=True),
    Column("goals", JSON, nullable=False),  # [{"key": "g1", "text": "..."}]: the school improvement goals it serves
    Column("assignments", Text, nullable=False),  # who the coaches work with
    Column("roles", Text, nullable=False),  # the coaches' roles and responsibilities
    Column("communication", Text, nullable=False),  # how they will tell staff
    Column("status", String(20), nullable=False),  # draft | submitted | endorsed
    Column("version", Integer, nullable=False),
    Column("written_by", String(EMAIL), nullable=False),
    Column("written_at", UtcDateTime(), nullable=False),
    Column("endorsed_by", String(EMAIL)),
    Column("endorsed_at", UtcDateTime()),
    Column("revision", Integer, nullable=False),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
)

self_assessments = Table(
    "self_assessments",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("email", String(EMAIL), primary_key=True),
    Column("round", String(10), primary_key=True),  # pre | post
    Column("school", Text, nullable=False),
    Column("role", String(30), nullable=False),
    Column("answers", LargeBinary, nullable=False),  # sealed: the tier chosen per dimension
    Column("submitted_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
    Index(None, "cohort", "school"),
)

year_two_decisions = Table(
    "year_two_decisions",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("subject", Text, primary_key=True),  # "partnership:<id>" or "coach:<email>"
    Column("school", Text, nullable=False),
    Column("choice", String(20), nullable=False),  # continue | expand | conclude
    Column("reason", Text, nullable=False),
    Column("decided_by", String(EMAIL), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
    Index(None, "cohort", "school"),
)

# -- a partnership's evidence and a coach's portfolio: private, sealed ------------------

artifacts = Table(
    "artifacts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("cohort", String(60), nullable=False),
    Column("partnership", Text, nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("stage", String(20), nullable=False),
    Column("kind", String(10), nullable=False),  # link | file
    Column("title", LargeBinary, nullable=False),  # sealed
    Column("content", LargeBinary, nullable=False),  # sealed: the link, or the file's bytes
    Column("file_name", LargeBinary),  # sealed
    Column("media_type", String(100)),
    Column("size", Integer, nullable=False),
    Column("added_by", String(EMAIL), nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["cohort", "partnership"], ["partnerships.cohort", "partnerships.id"], ondelete="CASCADE"),
    Index(None, "cohort", "partnership"),
)

portfolios = Table(
    "portfolios",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("coach", String(EMAIL), primary_key=True),
    Column("summary", LargeBinary),  # sealed
    Column("chosen", JSON, nullable=False),  # the keys of what goes in: "plan", "cycle:<partnership>:<n>", "artifact:<id>"
    Column("updated_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
)

portfolio_readers = Table(
    "portfolio_readers",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("coach", String(EMAIL), primary_key=True),
    Column("email", String(EMAIL), primary_key=True),  # someone the coach chose to show it to
    Column("shared_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["cohort", "coach"], ["portfolios.cohort", "portfolios.coach"], ondelete="CASCADE"),
    Index(None, "email"),
)

# -- the program office: offerings and their applications ----------------------------------------
# Both are the enrollment workflow's, published as it changes (store/applications.py). An application's row
# holds the workflow's record of it; its essay (why they want to coach) is written here alone.

offerings = Table(
    "offerings",
    metadata,
    Column("id", String(60), primary_key=True),
    Column("name", Text, nullable=False),
    Column("state", JSON, nullable=False),  # the offering, its deadline and window, sites decided, cohorts launched
    Column("revision", Integer, nullable=False),
)

applications = Table(
    "applications",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("offering", String(60), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("email", String(EMAIL), nullable=False),
    Column("status", String(20), nullable=False),
    Column("record", JSON, nullable=False),  # domain.applications.Application, as the workflow holds it
    Column("why", Text),  # the essay, from the form: not in the workflow's record
    Column("revision", Integer, nullable=False),
    UniqueConstraint("offering", "number"),
)

# -- a school's recurring meetings (domain/meetings.py; store/meetings.py) -------------------------
# A series is its coach's (a Temporal Schedule reminds before each meeting); a meeting is held once its reminder went
# out, and who came is one row per person present.

meeting_series = Table(
    "meeting_series",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("id", String(60), primary_key=True),
    Column("school", Text, nullable=False),
    Column("coach", String(EMAIL), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("series", JSON, nullable=False),  # domain.meetings.MeetingSeries
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
)

meetings_held = Table(
    "meetings_held",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("series", String(60), primary_key=True),
    Column("held_on", Date, primary_key=True),
    Column("reminded_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["cohort", "series"], ["meeting_series.cohort", "meeting_series.id"], ondelete="CASCADE"),
)

meeting_attendance = Table(
    "meeting_attendance",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("series", String(60), primary_key=True),
    Column("held_on", Date, primary_key=True),
    Column("email", String(EMAIL), primary_key=True),  # came
    Column("recorded_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(
        ["cohort", "series", "held_on"], ["meetings_held.cohort", "meetings_held.series", "meetings_held.held_on"], ondelete="CASCADE"
    ),
)

# -- the discussion board (domain/board.py; store/board.py) ----------------------------------------
# Posts are what coaches write for each other to read: plain text, kept as written (pages escape it).

board_threads = Table(
    "board_threads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cohort", String(60)),  # null: program-wide
    Column("title", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("started_by", String(EMAIL), nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("last_post_at", UtcDateTime(), nullable=False),
    Column("posts", Integer, nullable=False),
    Column("locked_by", String(EMAIL)),
    Column("locked_at", UtcDateTime()),
    Index(None, "cohort", "last_post_at"),
)

board_posts = Table(
    "board_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("thread", Integer, nullable=False),
    Column("author", String(EMAIL), nullable=False),
    Column("body", Text, nullable=False),
    Column("posted_at", UtcDateTime(), nullable=False),
    Column("hidden_by", String(EMAIL)),
    Column("hidden_reason", Text),
    Column("hidden_at", UtcDateTime()),
    ForeignKeyConstraint(["thread"], ["board_threads.id"], ondelete="CASCADE"),
    Index(None, "thread", "id"),
)

board_follows = Table(
    "board_follows",
    metadata,
    Column("thread", Integer, primary_key=True),
    Column("email", String(EMAIL), primary_key=True),
    Column("followed_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["thread"], ["board_threads.id"], ondelete="CASCADE"),
    Index(None, "email"),
)

# -- the lesson library: lessons published from cycles, read program-wide (store/lessons.py) -----------------------
# Not sealed: a lesson is written to be read by everyone in the program, and its text is what the database searches.

lessons = Table(
    "lessons",
    metadata,
    # An INTEGER PRIMARY KEY is SQLite's rowid, which the full-text index follows and which VACUUM never renumbers
    Column("id", Integer, primary_key=True),
    Column("cohort", String(60), nullable=False),
    Column("partnership", Text, nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("coach", String(EMAIL), nullable=False),
    # Kept as the lesson was published, so it reads the same to next year's cohorts, whatever becomes of this one
    Column("coach_name", Text, nullable=False),
    Column("school_name", Text, nullable=False),
    Column("program", Text, nullable=False),
    Column("school_year", String(9), nullable=False),
    Column("status", String(20), nullable=False),  # draft | published
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("standards", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime()),
    Column("featured_at", UtcDateTime()),
    Column("featured_by", String(EMAIL)),
    UniqueConstraint("cohort", "partnership", "cycle"),
    Index(None, "status", "featured_at", "published_at"),
)

lesson_tags = Table(
    "lesson_tags",
    metadata,
    Column("lesson", Integer, primary_key=True),
    Column("facet", String(20), primary_key=True),  # grade | subject | technology
    Column("value", String(60), primary_key=True),
    ForeignKeyConstraint(["lesson"], ["lessons.id"], ondelete="CASCADE"),
    Index(None, "facet", "value"),
)

lesson_agreements = Table(
    "lesson_agreements",
    metadata,
    Column("lesson", Integer, primary_key=True),
    Column("teacher", String(EMAIL), primary_key=True),  # each collaborating teacher of the partnership, asked at publishing
    Column("agreed_at", UtcDateTime()),
    ForeignKeyConstraint(["lesson"], ["lessons.id"], ondelete="CASCADE"),
    Index(None, "teacher"),
)

lesson_attachments = Table(
    "lesson_attachments",
    metadata,
    Column("lesson", Integer, primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),  # link | file
    Column("title", Text, nullable=False),
    Column("link", Text),
    Column("file_name", Text),
    Column("media_type", String(100)),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary),  # a file's bytes: the lesson's own copy of the artifact
    ForeignKeyConstraint(["lesson"], ["lessons.id"], ondelete="CASCADE"),
)

# The lessons' full-text index is the database's own, made by migration 0010 for each dialect and read by
# store/lessons.py: an FTS5 table (and the shadow tables FTS5 keeps) on SQLite, a generated tsvector column and
# its GIN index on PostgreSQL. Neither is a table or column this module describes; `described` leaves them out
# when the schema is compared with this module.
LESSON_SEARCH_TABLE = "lessons_fts"
LESSON_SEARCH_COLUMN = "search"
LESSON_SEARCH_INDEX = "ix_lessons_search"


def described(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Alembic's `include_name`: everything but the lessons' full-text index."""
    if type_ == "table" and name is not None and name.startswith(LESSON_SEARCH_TABLE):
        return False
    if type_ == "column" and name == LESSON_SEARCH_COLUMN and parent_names.get("table_name") == "lessons":
        return False
    return not (type_ == "index" and name == LESSON_SEARCH_INDEX)


# -- just-in-time help: a teacher's question to their coach (domain/help.py) --------------------------------
# The question and the answer are sealed (`store/sealed.py`), the teacher's and the coach's alone; the rest is the
# help request's workflow's record, written as it changes (store/help_requests.py), each write a newer revision.

help_requests = Table(
    "help_requests",
    metadata,
    Column("cohort", String(60), primary_key=True),
    Column("id", String(32), primary_key=True),
    Column("partnership", Text, nullable=False),
    Column("teacher", String(EMAIL), nullable=False),
    Column("coach", String(EMAIL), nullable=False),
    Column("focused_time", Boolean, nullable=False, default=False),
    Column("question", LargeBinary, nullable=False),  # sealed
    Column("asked_at", UtcDateTime(), nullable=False),
    Column("status", String(20), nullable=False),  # open | answered | closed
    Column("remind_at", UtcDateTime()),
    Column("reminded_at", UtcDateTime()),
    Column("answer_kind", String(20)),  # answered | pointed_elsewhere
    Column("answer", LargeBinary),  # sealed
    Column("answered_at", UtcDateTime()),
    Column("revision", Integer, nullable=False),
    ForeignKeyConstraint(["cohort"], ["cohorts.cohort"], ondelete="CASCADE"),
    Index(None, "cohort", "coach"),
    Index(None, "cohort", "teacher"),
)
