from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from common.datafile import ContentError
from pes import content
from tests.conftest import ROOT


def test_shipped_content_is_valid() -> None:
    data = content.load()
    assert set(data.programmes) == set(content.PROGRAMME_IDS)
    assert len(data.offices) >= 6
    assert data.programmes["on_the_job_training"].duration_months == 6
    for office in data.offices.values():
        assert office.hours, office.city


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    for name in ("programmes.yml", "offices.yml"):
        shutil.copy(ROOT / "data" / "content" / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text("utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), "utf-8")
    return line


def test_unknown_programme_id_names_file_and_line(content_dir: Path) -> None:
    line = _edit(content_dir / "programmes.yml", "id: job_club", "id: jobclub")
    with pytest.raises(ContentError) as err:
        content.load(content_dir)
    assert err.value.path.endswith("programmes.yml") and err.value.line == line
    assert "jobclub" in str(err.value)


def test_bad_opening_hours_name_the_office(content_dir: Path) -> None:
    line = _edit(content_dir / "offices.yml", '"08:00-12:30"', '"8-12.30"')
    with pytest.raises(ContentError) as err:
        content.load(content_dir)
    assert err.value.line == line and "fri" in str(err.value)


def test_missing_field_names_the_entry(content_dir: Path) -> None:
    _edit(content_dir / "offices.yml", '    phone: "+386 2 235 77 00"\n', "")
    with pytest.raises(ContentError, match="phone"):
        content.load(content_dir)


def test_duplicate_office(content_dir: Path) -> None:
    _edit(content_dir / "offices.yml", "city: celje", "city: maribor")
    with pytest.raises(ContentError, match="twice"):
        content.load(content_dir)


def test_link_must_be_https(content_dir: Path) -> None:
    _edit(content_dir / "programmes.yml", '"https://www.enic-naric.gov.si/"', '"enic-naric.gov.si"')
    with pytest.raises(ContentError, match="https"):
        content.load(content_dir)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="file not found"):
        content.load(tmp_path)
