"""Issue 13, items 13 and 18: the watch survives what breaks one check; simulate and init
refuse what they cannot write or read back, naming the right file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.helpers import POLICY, invoke


def test_item13_watch_survives_a_check_that_crashes(capsys: pytest.CaptureFixture[str]) -> None:
    from rulekit.authoring.watch import watch_validate

    calls: list[int] = []

    def check() -> int:
        calls.append(1)
        if len(calls) == 2:
            raise RecursionError("maximum recursion depth exceeded")
        return 0

    changes = [{("modified", "a.yaml")}, {("modified", "a.yaml")}]
    assert watch_validate(["a.yaml"], [], check, changes=changes) == 0
    assert len(calls) == 3
    assert "this check failed (RecursionError" in capsys.readouterr().err


class _Blocked(BaseException):
    """Raised by the alarm: not an Exception, so the watch cannot take it for a failed check."""


def test_item13_a_policy_that_became_a_fifo_is_reported_not_waited_on(tmp_path: Path) -> None:
    import os
    import signal

    from rulekit.authoring.watch import watch_validate
    from rulekit.cli.validate import command

    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)

    def check() -> int:
        try:
            command.callback((str(fifo),), "json", False, False, ())  # type: ignore[misc]
        except SystemExit as exc:
            return int(exc.code or 0)
        return 0

    def blocked(signum: int, frame: object) -> None:
        raise _Blocked

    old = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(20)  # a bound on the wait: before the fix, opening the FIFO blocked for ever
    try:
        status: int | None = watch_validate(
            [str(fifo)], [], check, changes=[{("modified", str(fifo))}]
        )
    except _Blocked:
        status = None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert status is not None, "the check blocked on the FIFO for 20 s instead of refusing it"
    assert status == 2  # a file that cannot be read


def test_item13_the_watch_notices_a_folder_made_again(tmp_path: Path) -> None:
    from rulekit.authoring.watch import Folders

    folder = tmp_path / "client"
    folder.mkdir()
    folders = Folders([str(folder)])
    try:
        assert not folders.changed()
        folder.rmdir()
        assert folders.changed() and folders.present() == []
        folder.mkdir()  # made again (perhaps under the same inode number)
        assert folders.changed() and folders.present() == [str(folder)]
    finally:
        folders.close()


@pytest.mark.parametrize("name", ["x#y", "Ωmega", "ａｂｃ", "a" * 300, "a b", "x@1"])
def test_item18_init_refuses_what_validate_refuses(tmp_path: Path, name: str) -> None:
    code, out, err = invoke("init", name, "--dir", str(tmp_path))
    assert code != 0 and "Traceback" not in out + err
    assert list(tmp_path.iterdir()) == []


def test_item18_init_names_validate_takes(tmp_path: Path) -> None:
    for name in ("acme-valves", "华东", "a.b_c"):
        code, _, err = invoke("init", name, "--dir", str(tmp_path))
        assert code == 0, err
        code, out, _ = invoke("validate", str(tmp_path / name / "policy.yaml"))
        assert code == 0, out


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-01"])
def test_item18_simulate_refuses_dates_it_cannot_read_back(tmp_path: Path, start: str) -> None:
    out = tmp_path / "h.csv"
    code, _, err = invoke(
        "simulate", POLICY, "--start", start, "--customers", "5", "--days", "10", "--out", str(out)
    )
    assert code == 2 and "years rulekit reads" in err and not out.exists()


def test_item18_people_out_errors_name_the_people_file(tmp_path: Path) -> None:
    out = tmp_path / "h.csv"
    people = tmp_path / "nodir" / "p.csv"
    code, _, err = invoke(
        "simulate", POLICY, "--customers", "5", "--days", "10", "--out", str(out),
        "--people-out", str(people),
    )  # fmt: skip
    assert code == 2 and "--people-out" in err and "nodir" in err and not out.exists()
