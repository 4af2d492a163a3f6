"""Artifacts in the coaching cycle: links and small files a partnership keeps beside its stages.

A lesson plan, a photo of the board, a student-work sample: the coach and the collaborating
teachers add them while the partnership is open, each tagged with the cycle and stage it was
in. Like notes they are private to the partnership: only its coach and teachers see, open and
download them; a principal or a coordinator sees none of them, not even their titles. Only the
person who added one removes it.

What a file is, is decided from its bytes, never from its name or what the browser said:
a download is sent as the kind found here, so a page or a script named `.pdf` is refused.
"""

from __future__ import annotations

import io
import math
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from pydantic import BaseModel

from domain.cohort import PartnershipSummary
from domain.cycle import OPEN_STAGES, Stage, _is_web_address
from domain.problems import Refused

MB = 1024 * 1024
ARTIFACT_MAX_BYTES = 5 * MB  # a lesson plan or a photo, not a video: the web app holds an upload in memory while it is sealed
PARTNERSHIP_MAX_ARTIFACTS = 100  # links and files together
PARTNERSHIP_MAX_BYTES = 50 * MB  # every file of one partnership together
TITLE_MAX_CHARS = 200
LINK_MAX_CHARS = 2000
FILE_NAME_MAX_CHARS = 120  # longer names are shortened, keeping their suffix


class ArtifactKind(StrEnum):
    link = "link"
    file = "file"


@dataclass(frozen=True)
class FileKind:
    """A kind of file an artifact may be: what people call it, the media type it is sent as, the suffixes its name may have."""

    label: str
    media_type: str
    suffixes: tuple[str, ...]  # the first is the one a download's name gets if it has none of them


PDF = FileKind("PDF", "application/pdf", (".pdf",))
PNG = FileKind("PNG image", "image/png", (".png",))
JPEG = FileKind("JPEG image", "image/jpeg", (".jpg", ".jpeg"))
GIF = FileKind("GIF image", "image/gif", (".gif",))
WEBP = FileKind("WebP image", "image/webp", (".webp",))
DOCX = FileKind("Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = FileKind("PowerPoint presentation", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
TEXT = FileKind("plain text", "text/plain; charset=utf-8", (".txt", ".md", ".csv"))
FILE_KINDS = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, TEXT)

# What the `filetype` library finds, by the media type it reports: the kinds recognised by their first bytes.
_BY_SIGNATURE = {k.media_type: k for k in (PDF, PNG, JPEG, GIF, WEBP)}
# An Office file is a zip; it is the one it claims only if the zip holds that program's main part.
_OFFICE_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml", PPTX: "ppt/presentation.xml"}
_MACROS = "vbaProject.bin"  # a macro-enabled Office file (.docm, .xlsm) carries code: not an artifact
_TEXT_CONTROLS = bytes(sorted(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}))  # a text file has tabs and line ends, not other controls


def kinds_named() -> str:
    return ", ".join(k.label for k in FILE_KINDS)


def accepted_suffixes() -> list[str]:
    """For a file input's `accept`: the browser offers these first; the bytes still decide."""
    return [s for k in FILE_KINDS for s in k.suffixes]


class Artifact(BaseModel):
    """An artifact as its partnership's people see it listed: never a file's bytes."""

    id: str
    partnership: str
    cycle: int
    stage: Stage
    kind: ArtifactKind
    title: str
    link: str | None = None  # a link's address
    file_name: str | None = None  # a file's name, as it was uploaded (cleaned)
    media_type: str | None = None  # a file's kind, as found from its bytes
    size: int = 0  # a file's bytes; 0 for a link
    added_by: str
    added_at: datetime


# -- who may do what -----------------------------------------------------------------------


def may_add_now(partnership: PartnershipSummary, person: str) -> bool:
    """Whether the page offers this person the forms to add (adding checks again)."""
    return is_theirs(partnership, person) and partnership.stage in OPEN_STAGES


def is_theirs(partnership: PartnershipSummary, person: str) -> bool:
    """The partnership's coach or one of its collaborating teachers: the only people who see its artifacts."""
    return person == partnership.coach or person in partnership.partners


NOT_THEIRS = "only the coach and the collaborating teachers of a partnership see its artifacts"


def check_see(partnership: PartnershipSummary, person: str) -> None:
    if not is_theirs(partnership, person):
        raise Refused(NOT_THEIRS)


def unseen(artifact_id: str) -> str:
    """What someone is told of an artifact that is not there or not theirs to see: the same words, so nothing is revealed."""
    return f"there is no artifact {artifact_id} among your partnerships' artifacts"


def check_add(partnership: PartnershipSummary, person: str) -> None:
    if not is_theirs(partnership, person):
        raise Refused("only the coach and the collaborating teachers of a partnership add artifacts to it")
    if partnership.stage not in OPEN_STAGES:
        raise Refused(
            f"the partnership is {partnership.stage.label}; artifacts can no longer be added, but the ones it has stay yours to open"
        )


def check_remove(partnership: PartnershipSummary, artifact: Artifact, person: str) -> None:
    check_see(partnership, person)
    if artifact.added_by != person:
        raise Refused(f"only the person who added “{artifact.title}” removes it; ask them to")


def check_room(artifacts: int, stored_bytes: int, adding_bytes: int) -> None:
    """Whether one more artifact (of `adding_bytes`, 0 for a link) fits the partnership's share."""
    if artifacts >= PARTNERSHIP_MAX_ARTIFACTS:
        raise Refused(f"a partnership keeps at most {PARTNERSHIP_MAX_ARTIFACTS} artifacts and this one has {artifacts}; remove one first")
    if adding_bytes and stored_bytes + adding_bytes > PARTNERSHIP_MAX_BYTES:
        room = max(PARTNERSHIP_MAX_BYTES - stored_bytes, 0)
        raise Refused(
            f"the partnership's files take {megabytes(stored_bytes)} of the {megabytes(PARTNERSHIP_MAX_BYTES)} it may keep; "
            f"this file is {megabytes(adding_bytes)} and {megabytes(room)} is left: remove a file first, or add a link to it instead"
        )


# -- what an artifact holds ----------------------------------------------------------------


def megabytes(size: int) -> str:
    """Rounded up, so a file one byte past the limit is not said to be at the limit."""
    shown = f"{math.ceil(size * 10 / MB) / 10:.1f}".removesuffix(".0")
    return f"{shown} MB"


def size_label(size: int) -> str:
    """A file's size as a list shows it: kilobytes under one megabyte."""
    return megabytes(size) if size >= MB else f"{max(round(size / 1024), 1)} KB"


def checked_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise Refused("give the artifact a title that says what it is, for example “Lesson plan, week 3”")
    if len(title) > TITLE_MAX_CHARS:
        raise Refused(f"an artifact's title is at most {TITLE_MAX_CHARS} characters; this one has {len(title)}")
    return title


def checked_link(link: str) -> str:
    link = link.strip()
    if not link:
        raise Refused("give the link's address, starting with https://")
    if len(link) > LINK_MAX_CHARS:
        raise Refused(f"a link is at most {LINK_MAX_CHARS} characters; this one has {len(link)}: link to a shorter address for it")
    if not _is_web_address(link):
        raise Refused(f"a link must be a web address starting with http:// or https://, got {link[:80]!r}")
    return link


def clean_file_name(name: str) -> str:
    """The name as shown and downloaded: the last part of any path a browser sent, without control characters, shortened."""
    name = PureWindowsPath(PurePosixPath(name).name).name  # some browsers send C:\fakepath\plan.pdf
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip().strip(".")
    if len(name) > FILE_NAME_MAX_CHARS:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: FILE_NAME_MAX_CHARS - len(suffix)].rstrip() + suffix
    return name or "artifact"


def file_kind(content: bytes) -> FileKind | None:
    """What the bytes are, or None if they are none of the kinds an artifact may be."""
    found = filetype.guess(content)
    if found is not None and found.mime in _BY_SIGNATURE:
        return _BY_SIGNATURE[found.mime]
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content)
    if found is None and _is_text(content):
        return TEXT
    return None


def _office_kind(content: bytes) -> FileKind | None:
    """An Office file by the parts its zip holds (names only: nothing is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if any(part.endswith(_MACROS) for part in parts):
        return None
    return next((kind for kind, main in _OFFICE_PARTS.items() if main in parts), None)


def _is_text(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return len(content.translate(None, _TEXT_CONTROLS)) == len(content)


def checked_file(file_name: str, content: bytes) -> FileKind:
    """The file's kind if it may be an artifact; refused, saying what is wrong, if not."""
    if not content:
        raise Refused(f"{clean_file_name(file_name)} is empty; choose the file again" if file_name.strip() else NO_FILE)
    if len(content) > ARTIFACT_MAX_BYTES:
        raise too_big(len(content))
    kind = file_kind(content)
    if kind is None:
        suffix = PurePosixPath(clean_file_name(file_name)).suffix.lower()
        what = f"a {suffix} file" if suffix else "this file"
        raise Refused(f"{what} is not one of the kinds an artifact may be: {kinds_named()}. Save it as one of them, or add a link to it")
    return kind


NO_FILE = "choose a file to add (or add a link instead)"


def too_big(size: int) -> Refused:
    """The refusal for a file known to be too big before all of it is read (the door reads one byte past the limit)."""
    return Refused(
        f"the file is {megabytes(size)}; an artifact is at most {megabytes(ARTIFACT_MAX_BYTES)}: "
        "make it smaller (a PDF of fewer pages, a smaller photo), or add a link to it instead"
    )


def download_name(artifact: Artifact) -> str:
    """The name a download is saved under: the uploaded name, with a suffix that says what the bytes are."""
    name = artifact.file_name or "artifact"
    kind = next((k for k in FILE_KINDS if k.media_type == artifact.media_type), None)
    if kind is None:
        return name
    path = PurePosixPath(name)
    if path.suffix.lower() in kind.suffixes:
        return name
    return (path.stem if path.suffix else name) + kind.suffixes[0]


def by_cycle_and_stage(artifacts: list[Artifact]) -> list[tuple[int, Stage, list[Artifact]]]:
    """The artifacts grouped as the cycle went: cycle by cycle, stage by stage, oldest first."""
    groups: dict[tuple[int, Stage], list[Artifact]] = {}
    for artifact in sorted(artifacts, key=lambda a: (a.cycle, _stage_order(a.stage), a.added_at)):
        groups.setdefault((artifact.cycle, artifact.stage), []).append(artifact)
    return [(cycle, stage, found) for (cycle, stage), found in groups.items()]


def _stage_order(stage: Stage) -> int:
    return list(Stage).index(stage)
