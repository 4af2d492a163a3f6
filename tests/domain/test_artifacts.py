"""Artifacts' rules: who adds, sees and removes them, what a file may be (from its bytes), and each refusal's words."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from domain import artifacts
from domain.artifacts import (
    ARTIFACT_MAX_BYTES,
    DOCX,
    GIF,
    JPEG,
    LINK_MAX_CHARS,
    PARTNERSHIP_MAX_ARTIFACTS,
    PARTNERSHIP_MAX_BYTES,
    PDF,
    PNG,
    PPTX,
    TEXT,
    TITLE_MAX_CHARS,
    WEBP,
    XLSX,
    Artifact,
    ArtifactKind,
)
from domain.cohort import PartnershipSummary
from domain.cycle import Stage
from domain.problems import Refused

COACH, TEACHER, OTHER_COACH = "ann@hazel.test", "tia@hazel.test", "bob@hazel.test"
PRINCIPAL, COORDINATOR = "pat@hazel.test", "cora@esd.test"
AT = datetime(2026, 11, 29, 12, tzinfo=UTC)

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20)
GIF_BYTES = b"GIF89a" + bytes(20)
WEBP_BYTES = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(20)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64)


def office(*parts: str) -> bytes:
    """A zip holding these parts, as Word, Excel and PowerPoint write theirs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for part in parts:
            archive.writestr(part, "<x/>")
    return buffer.getvalue()


def partnership(stage: Stage = Stage.co_plan) -> PartnershipSummary:
    return PartnershipSummary(id="ann--tia", coach=COACH, partners=[TEACHER], school="hazel", stage=stage, cycle=2)


def an_artifact(added_by: str = TEACHER, **fields: object) -> Artifact:
    values: dict[str, object] = {
        "id": "a1",
        "partnership": "ann--tia",
        "cycle": 2,
        "stage": Stage.co_plan,
        "kind": ArtifactKind.file,
        "title": "Lesson plan",
        "file_name": "plan.pdf",
        "media_type": PDF.media_type,
        "size": 10,
        "added_by": added_by,
        "added_at": AT,
    }
    return Artifact.model_validate(values | fields)


def refusal(call: object, *args: object) -> str:
    with pytest.raises(Refused) as refused:
        call(*args)  # type: ignore[operator]
    return refused.value.reason


# -- who --------------------------------------------------------------------------------


def test_the_coach_and_the_teachers_add_while_the_partnership_is_open() -> None:
    for stage in (Stage.pending, Stage.initiate, Stage.co_plan, Stage.modeling, Stage.observe, Stage.reflect):
        artifacts.check_add(partnership(stage), COACH)
        artifacts.check_add(partnership(stage), TEACHER)


@pytest.mark.parametrize("person", [OTHER_COACH, PRINCIPAL, COORDINATOR])
def test_nobody_else_adds_or_sees(person: str) -> None:
    said = refusal(artifacts.check_add, partnership(), person)
    assert said == "only the coach and the collaborating teachers of a partnership add artifacts to it"
    assert refusal(artifacts.check_see, partnership(), person) == artifacts.NOT_THEIRS
    assert not artifacts.is_theirs(partnership(), person)


@pytest.mark.parametrize("stage", [Stage.closed, Stage.withdrawn])
def test_an_ended_partnership_takes_no_more_but_its_people_still_see_them(stage: Stage) -> None:
    said = refusal(artifacts.check_add, partnership(stage), COACH)
    assert said.startswith(f"the partnership is {stage.label}; artifacts can no longer be added")
    artifacts.check_see(partnership(stage), TEACHER)


def test_only_who_added_it_removes_it() -> None:
    artifacts.check_remove(partnership(), an_artifact(TEACHER), TEACHER)
    assert refusal(artifacts.check_remove, partnership(), an_artifact(TEACHER), COACH) == (
        "only the person who added “Lesson plan” removes it; ask them to"
    )
    assert refusal(artifacts.check_remove, partnership(), an_artifact(PRINCIPAL), PRINCIPAL) == artifacts.NOT_THEIRS


def test_a_partnership_has_room_for_so_many_artifacts_and_bytes() -> None:
    artifacts.check_room(PARTNERSHIP_MAX_ARTIFACTS - 1, PARTNERSHIP_MAX_BYTES - 10, 10)
    artifacts.check_room(0, PARTNERSHIP_MAX_BYTES, 0)  # a link takes no bytes
    assert refusal(artifacts.check_room, PARTNERSHIP_MAX_ARTIFACTS, 0, 0) == (
        f"a partnership keeps at most {PARTNERSHIP_MAX_ARTIFACTS} artifacts and this one has {PARTNERSHIP_MAX_ARTIFACTS}; remove one first"
    )
    said = refusal(artifacts.check_room, 3, 48 * artifacts.MB, 3 * artifacts.MB)
    assert said == (
        "the partnership's files take 48 MB of the 50 MB it may keep; this file is 3 MB and 2 MB is left: "
        "remove a file first, or add a link to it instead"
    )


# -- what -------------------------------------------------------------------------------


def test_titles_are_trimmed_and_limited() -> None:
    assert artifacts.checked_title("  Lesson \n plan ") == "Lesson plan"
    assert refusal(artifacts.checked_title, "  ").startswith("give the artifact a title that says what it is")
    long = "x" * (TITLE_MAX_CHARS + 1)
    assert (
        refusal(artifacts.checked_title, long)
        == f"an artifact's title is at most {TITLE_MAX_CHARS} characters; this one has {TITLE_MAX_CHARS + 1}"
    )


def test_links_are_web_addresses_of_a_limited_length() -> None:
    assert artifacts.checked_link(" https://docs.example.org/plan ") == "https://docs.example.org/plan"
    assert artifacts.checked_link("http://example.org") == "http://example.org"
    assert refusal(artifacts.checked_link, "") == "give the link's address, starting with https://"
    for bad in ("javascript:alert(1)", "ftp://example.org/x", "file:///etc/passwd", "https://", "https://a b.org"):
        assert refusal(artifacts.checked_link, bad).startswith("a link must be a web address starting with http:// or https://")
    long = "https://example.org/" + "a" * LINK_MAX_CHARS
    assert refusal(artifacts.checked_link, long).startswith(f"a link is at most {LINK_MAX_CHARS} characters; this one has {len(long)}")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF_BYTES, PDF),
        (PNG_BYTES, PNG),
        (JPEG_BYTES, JPEG),
        (GIF_BYTES, GIF),
        (WEBP_BYTES, WEBP),
        (office("word/document.xml"), DOCX),
        (office("xl/workbook.xml", "xl/worksheets/sheet1.xml"), XLSX),
        (office("ppt/presentation.xml"), PPTX),
        ("Notes from the debrief: “exit tickets” worked.\n".encode(), TEXT),
    ],
)
def test_a_file_is_the_kind_its_bytes_are(content: bytes, kind: artifacts.FileKind) -> None:
    assert artifacts.checked_file("whatever.name", content) == kind


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("setup.exe", EXE_BYTES, "a .exe file"),
        ("plan.pdf", EXE_BYTES, "a .pdf file"),  # the name does not make it one
        ("macros.docx", office("word/document.xml", "word/vbaProject.bin"), "a .docx file"),
        ("archive.zip", office("readme.txt"), "a .zip file"),
        ("broken.docx", b"PK\x03\x04not really a zip", "a .docx file"),
        ("latin1.txt", "café".encode("latin-1"), "a .txt file"),
        ("nul.txt", b"text\x00with a NUL", "a .txt file"),
        ("noname", EXE_BYTES, "a file named noname"),
    ],
)
def test_other_files_are_refused_naming_the_kinds_allowed(name: str, content: bytes, what: str) -> None:
    said = refusal(artifacts.checked_file, name, content)
    expected = "this file" if what.startswith("a file named") else what
    assert said == (
        f"{expected} is not one of the kinds an artifact may be: PDF, PNG image, JPEG image, GIF image, WebP image, Word document, "
        "Excel workbook, PowerPoint presentation, plain text. Save it as one of them, or add a link to it"
    )


def test_an_empty_or_too_big_file_is_refused_with_its_size() -> None:
    assert refusal(artifacts.checked_file, "plan.pdf", b"") == "plan.pdf is empty; choose the file again"
    big = PDF_BYTES + bytes(int(7.2 * artifacts.MB) - len(PDF_BYTES))
    assert refusal(artifacts.checked_file, "plan.pdf", big).startswith("the file is 7.2 MB; an artifact is at most 5 MB: make it smaller")
    assert artifacts.checked_file("plan.pdf", PDF_BYTES + bytes(ARTIFACT_MAX_BYTES - len(PDF_BYTES))) == PDF
    assert artifacts.too_big(ARTIFACT_MAX_BYTES + 1).reason.startswith("the file is 5.1 MB; an artifact is at most 5 MB")
    assert [artifacts.size_label(n) for n in (10, 2048, artifacts.MB, 3 * artifacts.MB // 2)] == ["1 KB", "2 KB", "1 MB", "1.5 MB"]


def test_file_names_are_cleaned_and_downloads_say_what_the_bytes_are() -> None:
    assert artifacts.clean_file_name("C:\\fakepath\\Week 3 plan.pdf") == "Week 3 plan.pdf"
    assert artifacts.clean_file_name("../../etc/passwd") == "passwd"
    assert artifacts.clean_file_name("a\r\nb\x00.txt") == "ab.txt"
    assert artifacts.clean_file_name("...") == "artifact"
    long = artifacts.clean_file_name("x" * 300 + ".docx")
    assert len(long) == artifacts.FILE_NAME_MAX_CHARS and long.endswith(".docx")
    assert artifacts.download_name(an_artifact(file_name="plan.PDF")) == "plan.PDF"
    assert artifacts.download_name(an_artifact(file_name="photo.exe", media_type=PNG.media_type)) == "photo.png"
    assert artifacts.download_name(an_artifact(file_name="page.html", media_type=TEXT.media_type)) == "page.txt"
    assert artifacts.download_name(an_artifact(file_name="README", media_type=TEXT.media_type)) == "README.txt"


def test_artifacts_are_grouped_by_cycle_then_stage() -> None:
    later = datetime(2026, 12, 1, tzinfo=UTC)
    found = [
        an_artifact(id="c", cycle=2, stage=Stage.initiate, added_at=later),
        an_artifact(id="a", cycle=1, stage=Stage.observe),
        an_artifact(id="b", cycle=1, stage=Stage.initiate),
        an_artifact(id="d", cycle=2, stage=Stage.initiate),
    ]
    grouped = [(cycle, stage, [x.id for x in these]) for cycle, stage, these in artifacts.by_cycle_and_stage(found)]
    assert grouped == [(1, Stage.initiate, ["b"]), (1, Stage.observe, ["a"]), (2, Stage.initiate, ["d", "c"])]
