"""`peercoach offering check`: the program office reads back what its offering file holds, or every problem with its field."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Terminal

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "offering.yaml"


async def test_an_offering_file_is_read_back_or_its_problems_named(terminal: Terminal, tmp_path: Path) -> None:
    checked = await terminal("offering", "check", str(SAMPLE))
    assert checked.code == 0, checked.err
    said = " ".join(checked.out.split())  # the terminal wraps long lines
    assert "applications from Monday February 15, 2027 to the end of Thursday March 18, 2027" in said
    assert "799 USD per participant" in said and "esd-189" in said and "Anacortes" in said
    assert "wlma" in said and "one per" in said and "Second-year coaches attend sessions 6, 7, 8." in said

    bad = tmp_path / "offering.yaml"
    text = SAMPLE.read_text().replace("currency: USD", "currency: dollars")
    bad.write_text(text.replace("minimum: 12, maximum: 30, nearby: [esd-123]}", "minimum: 40, maximum: 30, nearby: [esd-123]}", 1))
    refused = await terminal("offering", "check", str(bad))
    assert refused.code == 1 and "Traceback" not in refused.err
    assert f"{bad}, field 'fee.currency': 'dollars' is not a currency code; write its three capital letters" in refused.err
    assert f"{bad}, field 'sites[1]': the maximum (30) is below the minimum (40)" in refused.err

    missing = await terminal("offering", "check", str(tmp_path / "nowhere.yaml"))
    assert missing.code == 1 and "cannot read the offering file" in missing.err and "No such file" in missing.err
