"""`timeutil.zone` takes exactly the names of the zone database that are places, whether a name
is found in the tzdata package's short list or by the walk over the system's zone files."""

from __future__ import annotations

from zoneinfo import available_timezones

from rulekit import timeutil

ODD = ["UTC", "Factory", "localtime", "posixrules", "right/UTC", "posix/Asia/Shanghai",
       "Nowhere/Town", "zone.tab", "iso3166.tab", "leap-seconds.list", "tzdata.zi", "",
       "Asia//Shanghai", "./UTC", "../zoneinfo/UTC", "asia/shanghai"]  # fmt: skip


DATABASE = available_timezones()


def _reference(name: str) -> bool:
    """The rule as written before the short list: a known place of the database."""
    names = DATABASE
    if name in {"Factory", "localtime", "posixrules"} or name.startswith(("posix/", "right/")):
        return False
    if names and name not in names and name != "UTC":
        return False
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(name)
    except Exception:  # noqa: BLE001
        return False
    return True


def _taken(name: str) -> bool:
    try:
        timeutil.zone(name)
    except ValueError:
        return False
    return True


def test_the_short_list_is_part_of_the_database() -> None:
    assert timeutil._listed_zones() <= DATABASE


def test_zone_takes_what_the_database_holds() -> None:
    for name in [*sorted(DATABASE), *ODD]:
        assert _taken(name) == _reference(name), name


def test_a_listed_zone_is_taken_without_walking_the_zone_files() -> None:
    timeutil.zone.cache_clear()
    timeutil._zone_names.cache_clear()
    timeutil.zone("Asia/Shanghai")
    assert timeutil._zone_names.cache_info().currsize == 0
