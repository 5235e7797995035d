from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from common.datafile import ContentError
from language.languages import CORE
from pes import institutions
from tests.conftest import ROOT, replace_once

SHIPPED = ROOT / "data" / "content" / "institutions.yml"
EXPECTED = ("uoim", "mnz", "upravna_enota", "csd", "zzzs", "enic_naric", "pic")


def test_shipped_institutions_are_valid() -> None:
    data = institutions.load()
    assert set(EXPECTED) <= set(data.by_id)
    for institution in data.by_id.values():
        assert set(institution.names) == set(CORE) == set(institution.does)
        assert institution.source.strip()
        assert institution.address or institution.many_offices or not institution.verified
    assert data.by_id["uoim"].address == "Cesta v Gorice 15, 1000 Ljubljana"


def test_every_topic_has_an_institution() -> None:
    data = institutions.load()
    for topic in institutions.TOPICS:
        assert data.for_topic(topic), topic


def test_lookup_by_topic() -> None:
    data = institutions.load()
    assert [i.id for i in data.for_topic("residence_permit")] == ["upravna_enota"]
    assert [i.id for i in data.for_topic("asylum_decision")] == ["mnz"]
    assert [i.id for i in data.for_topic("health_insurance_card")] == ["zzzs"]
    assert [i.id for i in data.for_topic("child_benefit")] == ["csd"]
    assert data.for_topic("nothing_like_this") == ()


def test_which_topics_are_not_for_the_ess() -> None:
    data = institutions.load()
    assert data.not_for_ess("residence_permit")
    assert data.not_for_ess("asylum_decision")
    assert data.not_for_ess("legal_help")
    # The ESS runs Slovene courses and helps with recognition too.
    assert not data.not_for_ess("slovene_course")
    assert not data.not_for_ess("diploma_recognition")
    assert not data.not_for_ess(None)


def test_answer_picks_the_card_and_whether_to_say_not_ess() -> None:
    data = institutions.load()
    named = data.answer("uoim", None)
    assert named.institution is not None and named.institution.id == "uoim"
    assert not named.not_for_ess
    by_topic = data.answer(None, "asylum_decision")
    assert by_topic.institution is not None and by_topic.institution.id == "mnz"
    assert by_topic.not_for_ess
    # "Does UOIM renew residence permits?": the administrative unit does.
    moved = data.answer("uoim", "residence_permit")
    assert moved.institution is not None and moved.institution.id == "upravna_enota"
    assert moved.not_for_ess
    # A topic the ESS shares: the card, without "not for the ESS".
    shared = data.answer(None, "slovene_course")
    assert shared.institution is not None and shared.institution.id == "uoim"
    assert not shared.not_for_ess
    assert data.answer(None, None).institution is None
    assert data.answer("no_such_office", None).institution is None


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    path = tmp_path / "institutions.yml"
    shutil.copy(SHIPPED, path)
    return path


def _error(path: Path) -> ContentError:
    with pytest.raises(ContentError) as err:
        institutions.load(path)
    assert err.value.path == str(path)
    return err.value


def test_unknown_topic_names_file_and_line(copy: Path) -> None:
    line = replace_once(copy, "topics: [legal_help]", "topics: [legal_aid]")
    err = _error(copy)
    assert err.line == line and "legal_aid" in str(err) and "pic" in str(err)


def test_missing_language_names_the_entry(copy: Path) -> None:
    replace_once(copy, '      fa: "PIC – کمک حقوقی رایگان"\n', "")
    err = _error(copy)
    assert err.line is not None and "pic" in str(err) and "fa" in str(err)


def test_website_must_be_https(copy: Path) -> None:
    line = replace_once(copy, 'website: "https://www.zzzs.si/"', 'website: "www.zzzs.si"')
    err = _error(copy)
    assert err.line == line and "https" in str(err)


def test_verified_needs_the_day_it_was_checked(copy: Path) -> None:
    old = '    verified: false\n    source: "Website from memory, not checked. ZZZS'
    line = replace_once(copy, old, old.replace("false", "true"))
    err = _error(copy)
    assert err.line == line and "checked_on" in str(err)
    replace_once(copy, "    verified: true\n", "    verified: true\n    checked_on: 2026-11-30\n")
    zzzs = institutions.load(copy).by_id["zzzs"]
    assert zzzs.verified and str(zzzs.checked_on) == "2026-11-30"


def test_misspelt_field_is_named(copy: Path) -> None:
    line = replace_once(copy, 'address: "Tavčarjeva', 'adress: "Tavčarjeva')
    err = _error(copy)
    assert err.line == line and "adress" in str(err)


def test_missing_required_field(copy: Path) -> None:
    replace_once(copy, '    website: "https://www.csd-slo.si/"\n', "")
    assert "website" in str(_error(copy))


def test_duplicate_institution(copy: Path) -> None:
    line = replace_once(copy, "  - id: pic", "  - id: csd")
    err = _error(copy)
    assert err.line == line and "twice" in str(err)


def test_a_topic_nobody_handles(copy: Path) -> None:
    replace_once(copy, "topics: [health_insurance_card]", "topics: [social_assistance]")
    assert "health_insurance_card" in str(_error(copy))


def test_bad_hours_name_the_line(copy: Path) -> None:
    old = '    website: "https://www.pic.si/"\n'
    line = replace_once(copy, old, old + '    hours: {mon: "9-12"}\n')
    err = _error(copy)
    assert err.line == line + 1 and "pic mon" in str(err)


def test_broken_yaml_names_the_line(copy: Path) -> None:
    line = replace_once(copy, "  - id: zzzs", "  - id: [zzzs")
    err = _error(copy)
    assert err.line is not None and err.line >= line and "YAML" in str(err)
