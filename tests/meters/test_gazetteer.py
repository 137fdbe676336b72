"""The gazetteer of the data's areas: today's wards, and the old wards, districts and provinces.

The expected wards are those of the 2025 resolutions (HCMC: Nghị quyết 1685/NQ-UBTVQH15; Đà
Nẵng: 1659/NQ-UBTVQH15), written out here, not computed.
"""

from __future__ import annotations

import logging

import pytest

from meters import gazetteer
from meters.gazetteer import gazetteer_of, name_of

# Today's wards, as the data names them since 1 July 2025 (a few without their province).
HCMC = (
    "Phường Bến Thành",
    "Phường Sài Gòn",
    "Phường Tân Định",
    "Phường Cầu Ông Lãnh",
    "Phường Tân Sơn Hòa",
    "Phường Tân Sơn Nhất",
    "Phường Tân Bình",
)
DA_NANG = ("Phường Hải Châu", "Phường An Hải, TP. Đà Nẵng")


def test_an_old_district_covers_every_ward_that_took_part_of_it() -> None:
    gazetteer = gazetteer_of((*HCMC, "Điện lực Gia Định"))

    assert gazetteer.covered("Quận Tân Bình") == (
        "Phường Tân Sơn Hòa",
        "Phường Tân Sơn Nhất",
        "Phường Tân Bình",
    )
    assert gazetteer.covered("Quận 1") == HCMC[:4]
    assert gazetteer.covered("Thành phố Hồ Chí Minh") == HCMC


def test_an_old_ward_covers_the_wards_it_went_into() -> None:
    gazetteer = gazetteer_of(HCMC)

    assert gazetteer.covered("Phường Bến Nghé, Quận 1") == ("Phường Sài Gòn",)
    # Đa Kao was divided between Sài Gòn and Tân Định.
    assert gazetteer.covered("Phường Đa Kao, Quận 1") == ("Phường Sài Gòn", "Phường Tân Định")
    assert gazetteer.covered("Phường 2, Quận Tân Bình") == ("Phường Tân Sơn Hòa",)
    assert gazetteer.covered("Phường 13, Quận Tân Bình") == ("Phường Tân Bình",)


def test_every_area_is_a_name_of_itself_and_names_of_nothing_in_the_data_are_left_out() -> None:
    gazetteer = gazetteer_of((*HCMC, "Điện lực Gia Định"))

    assert list(gazetteer) == [*HCMC, "Điện lực Gia Định"]
    assert gazetteer.covered("Điện lực Gia Định") == ("Điện lực Gia Định",)
    assert gazetteer.covered("Phường Tân Sơn Hòa") == ("Phường Tân Sơn Hòa",)
    assert gazetteer.covered("Quận Gò Vấp") == ()  # no ward of the data took part of it
    assert "Quận Gò Vấp" not in gazetteer.names
    assert gazetteer.covered("Thành phố Hà Nội") == ()


def test_an_area_stored_under_its_old_name_is_found_by_its_new_one() -> None:
    gazetteer = gazetteer_of(("Phường 2, Quận Tân Bình", "Phường Bến Nghé, Quận 1"))

    assert gazetteer.covered("Phường Tân Sơn Hòa") == ("Phường 2, Quận Tân Bình",)
    assert gazetteer.covered("Phường Sài Gòn") == ("Phường Bến Nghé, Quận 1",)
    assert gazetteer.covered("Quận Tân Bình") == ("Phường 2, Quận Tân Bình",)


def test_a_ward_name_of_several_provinces_is_the_one_where_the_data_is() -> None:
    # "Phường An Hải" is a ward of Đà Nẵng and one of Hải Phòng; the data is in Đà Nẵng.
    gazetteer = gazetteer_of((*DA_NANG[:1], "Phường An Hải"))

    assert gazetteer.covered("Phường An Hải Bắc, Quận Sơn Trà") == ("Phường An Hải",)
    assert gazetteer.covered("Quận Sơn Trà") == ("Phường An Hải",)
    assert gazetteer.covered("Thành phố Đà Nẵng") == ("Phường Hải Châu", "Phường An Hải")
    assert gazetteer.covered("Thành phố Hải Phòng") == ()


def test_a_name_that_fits_several_places_stands_only_for_itself(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="meters.gazetteer"):
        gazetteer = gazetteer_of(("Phường An Hải",))

    assert gazetteer.covered("Thành phố Đà Nẵng") == ()
    assert gazetteer.covered("Phường An Hải") == ("Phường An Hải",)
    assert "Phường An Hải" in caplog.text


def test_the_province_written_after_the_ward_settles_it() -> None:
    gazetteer = gazetteer_of(DA_NANG[1:])

    assert gazetteer.covered("Thành phố Đà Nẵng") == ("Phường An Hải, TP. Đà Nẵng",)


def test_an_area_knows_its_former_district() -> None:
    gazetteer = gazetteer_of((*HCMC, "Điện lực Gia Định"))

    assert gazetteer.wider("Phường Sài Gòn") == "Quận 1"
    assert gazetteer.wider("Phường Tân Sơn Nhất") == "Quận Tân Bình"
    assert gazetteer.wider("Điện lực Gia Định") is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Phường Bến Nghé", ("phuong", "ben nghe")),
        ("P. Bến Nghé", ("phuong", "ben nghe")),
        ("Bến Nghé", ("", "ben nghe")),
        ("Q.10", ("quan", "10")),
        ("q1", ("quan", "1")),
        ("Quận 1", ("quan", "1")),
        ("TP. Hồ Chí Minh", ("thanh pho", "ho chi minh")),
        ("Thành phố Thủ Đức", ("thanh pho", "thu duc")),
        ("Tỉnh Quảng Nam", ("tinh", "quang nam")),
        ("Thị xã Kinh Môn", ("thi xa", "kinh mon")),
    ],
)
def test_names_are_compared_by_kind_and_name(text: str, name: tuple[str, str]) -> None:
    assert name_of(text) == name


def test_without_the_library_s_data_each_area_is_found_by_its_own_name(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(gazetteer, "_LIBRARY", "no_such_package_of_units")
    gazetteer._units.cache_clear()
    gazetteer._gazetteer.cache_clear()
    try:
        with caplog.at_level(logging.ERROR, logger="meters.gazetteer"):
            found = gazetteer_of(("Phường Sài Gòn", "Điện lực Gia Định"))
    finally:
        gazetteer._units.cache_clear()
        gazetteer._gazetteer.cache_clear()

    assert list(found) == ["Phường Sài Gòn", "Điện lực Gia Định"]
    assert found.names == ("Phường Sài Gòn", "Điện lực Gia Định")
    assert found.covered("Quận 1") == ()
    assert "cannot read the administrative units" in caplog.text
