"""The simulator's world: the people it invents, the engine every event is written into at
once, the plans it keeps for each customer, and the helpers the actors share."""

from __future__ import annotations

import heapq
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from rulekit.compiler import CompiledPolicy
from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People, Person
from rulekit.engine.core.program import build
from rulekit.engine.core.record import Customer
from rulekit.engine.replay.replayer import Replayer
from rulekit.simulate.roles import read_roles

CORE = ("at", "customer", "type", "actor", "stage", "to")
PEOPLE_COLUMNS = ("id", "name", "team", "role")

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_GIVEN = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 华 飞 鑫 波 宇 浩 "
    "凯 健 俊 帆 帅 旭 宁 婷 雪 琳 晨 欣 悦 博 文 斌 峰 海燕 建国 志强 晓东 丹 萍 红 玲 亮 斌"
).split()
_TEAMS = ("华东销售部", "华南销售部", "华北销售部", "大客户部", "渠道销售部")
_REGIONS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北")
_INDUSTRIES = ("石油化工", "电力", "水务", "冶金", "制药", "食品饮料", "造纸", "船舶", "暖通")
_ADMIN_NAMES = ("赵敏", "钱芳", "孙丽", "周静", "吴芳")

_WORK_START, _WORK_END = 8 * 60 + 30, 19 * 60  # minutes of the working day
#: the engine's refusals kept at most: they are counted as they come, so memory stays bounded
_KEEP_REFUSALS = 4096


@dataclass(slots=True)
class Simulation:
    """A generated history, its people, and what the engine made of it."""

    rows: list[dict[str, Any]]
    people: list[dict[str, Any]]
    columns: list[str]
    start: datetime
    end: datetime  # exclusive: replay with --as-of end
    refusals: Counter[str] = field(default_factory=Counter)
    customers: int = 0  # distinct customers archived

    def counts(self) -> Counter[str]:
        """Rows by event type."""
        return Counter(str(r["type"]) for r in self.rows)


@dataclass(slots=True)
class Rep:
    id: str
    team: str | None
    weight: float  # how busy: share of the archives and claims
    skill: float  # multiplies the odds of going on to the next stage
    hoarder: bool  # keeps stalled customers and archives past the limit


def _names(rng: random.Random, n: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        if rng.random() < 0.5 and len(name) == 2:
            name += rng.choice(_GIVEN)[0]
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def _typed(value: Any, kind: str) -> Any:
    if kind == "bool":
        return str(value) in ("1", "true", "是", "yes")
    if kind == "number":
        return value if isinstance(value, int | float) else float(value)
    return value


class World:
    def __init__(
        self,
        policy: CompiledPolicy,
        reps: int,
        customers: int,
        start: datetime,
        days: int,
        seed: int,
        admins: Sequence[str],
        noise: float,
    ) -> None:
        if reps < 1 or customers < 1 or days < 1:
            raise ValueError("reps, customers and days must be at least 1")
        if not admins:
            raise ValueError("at least one admin is needed")
        self.program = program = build(policy)
        self.tz = program.tz
        self.rng = rng = random.Random(seed)
        self.roles = read_roles(program)
        self.start = start.astimezone(self.tz) if start.tzinfo else start.replace(tzinfo=self.tz)
        self.end = self.start + timedelta(days=days)
        self.days = days
        self.target = customers
        self.noise = noise
        self.admins = list(admins)
        # people
        taken: set[str] = set()
        names = _names(rng, reps, taken)
        n_teams = 2 if reps <= 8 else (3 if reps <= 20 else 4)
        teams = [t for t in sorted(program.team_limits) if t]
        teams += [t for t in _TEAMS if t not in teams]
        teams = teams[:n_teams]
        width = max(2, len(str(reps)))
        n_hoarders = max(1, round(reps * 0.1)) if reps >= 3 else 0
        hoarders = set(rng.sample(range(reps), n_hoarders))
        self.reps: list[Rep] = []
        for i in range(reps):
            self.reps.append(
                Rep(
                    f"rep{i + 1:0{width}d}",
                    teams[i % len(teams)],
                    rng.lognormvariate(0, 0.35) * (1.6 if i in hoarders else 1.0),
                    min(1.5, max(0.6, rng.gauss(1.0, 0.18))),
                    i in hoarders,
                )
            )
        self.rep_by_id = {r.id: r for r in self.reps}
        self.people_rows: list[dict[str, Any]] = [
            {"id": r.id, "name": n, "team": r.team, "role": "rep"}
            for r, n in zip(self.reps, names, strict=True)
        ]
        admin_names = [n for n in _ADMIN_NAMES if n not in taken]
        for i, a in enumerate(self.admins):
            name = admin_names[i] if i < len(admin_names) else f"管理员{i + 1}"
            self.people_rows.append({"id": a, "name": name, "team": "销售运营部", "role": "admin"})
        people = People(from_file=True)
        for p in self.people_rows:
            people.listed[p["id"]] = Person(p["id"], p["name"], p["team"], p["role"])
        self.replayer = Replayer(program, people)
        self.world = self.replayer.world
        # extra columns: region and industry on archives, evidence on locked promotions
        self.field_column = {f: c for c, f in program.columns.items()}
        self.extras: list[str] = []
        for f in ("region", "industry"):
            if program.field_types.get(f) == "string":
                self.extras.append(f)
        self.evidence: dict[str, list[str]] = {}
        for stage in program.stages:
            if stage.requires is not None:
                text = stage.requires.text
                self.evidence[stage.code] = [
                    f for f in sorted(program.field_types) if _mentions(text, f)
                ]
        for fields in self.evidence.values():
            for f in fields:
                if f not in self.extras:
                    self.extras.append(f)
        self.columns = list(CORE) + [self.field_column.get(f, f) for f in self.extras]
        # state of the generator
        self.rows: list[dict[str, Any]] = []  # the rows not yet handed out (see `take_rows`)
        self.n_rows = 0  # the rows written so far
        self.days_done = 0
        self.known: list[str] = []  # customer ids archived, in order
        self.next_id = 1
        self.free_ids: list[str] = []  # ids whose archive was refused: archived again later
        self.archived = 0
        self.plans: list[tuple[datetime, int, str, str, int]] = []  # at, seq, kind, cid, token
        self.token: dict[str, int] = {}
        self.seq = 0
        self.clock = self.start
        self.released_by: dict[str, tuple[str, datetime]] = {}
        self.produced: Counter[str] = Counter()
        id_width = max(5, len(str(customers * 2)))
        self.id_format = f"C{{:0{id_width}d}}"

    # -- helpers ----------------------------------------------------------------------------
    def limit(self, rep: str) -> int | None:
        return self.program.limit_for(self.replayer.people.team(rep))

    def used(self, rep: str) -> int:
        return self.world.ledger.used.get(rep, 0)

    def room(self, rep: str) -> int:
        limit = self.limit(rep)
        return 10**9 if limit is None else limit - self.used(rep)

    def take_rows(self) -> list[dict[str, Any]]:
        """The rows written since the last call (the generator keeps no others)."""
        rows, self.rows = self.rows, []
        return rows

    def customer(self, cid: str) -> Customer | None:
        return self.world.customers.get(cid)

    def at_minute(self, day: date, minute: int) -> datetime:
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.tz)

    def work_time(self, day: date) -> datetime:
        r = self.rng
        minute = _WORK_START + int(r.triangular(0, _WORK_END - _WORK_START, 150))
        if 12 * 60 <= minute < 13 * 60 + 30 and r.random() < 0.7:  # lunch
            minute += 90
        if r.random() < 0.04:  # working late
            minute = 19 * 60 + r.randrange(0, 150)
        return self.at_minute(day, min(minute, 23 * 60 + 59))

    def emit(
        self,
        at: datetime,
        cid: str,
        kind: str,
        actor: str,
        stage: str | None = None,
        to: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> str | None:
        """Write a row and apply it; return the refusal reason, or None if applied."""
        at = max(at, self.clock)
        if at < self.start or at >= self.end:
            return "outside"
        self.clock = at
        self.replayer.advance(at)
        row: dict[str, Any] = {
            "at": f"{at:%Y-%m-%d %H:%M}",
            "customer": cid,
            "type": kind,
            "actor": actor,
            "stage": stage,
            "to": to,
        }
        typed: dict[str, Any] = {}
        for f in self.extras:
            value = (fields or {}).get(f)
            row[self.field_column.get(f, f)] = value
            if value is not None:
                typed[f] = _typed(value, self.program.field_types.get(f, "string"))
        self.rows.append(row)
        self.n_rows += 1
        rejected = self.world.rejected
        if len(rejected) >= _KEEP_REFUSALS:  # counted in `produced`; only the last is read
            del rejected[:-1]
        before = len(rejected)
        self.replayer.apply(Event(self.n_rows, at, cid, kind, actor, stage, to, typed))
        if len(rejected) > before:
            reason = rejected[-1].reason
            self.produced[reason] += 1
            return reason
        return None

    def plan(self, at: datetime, kind: str, cid: str) -> None:
        token = self.token.get(cid, 0) + 1
        self.token[cid] = token
        self.seq += 1
        heapq.heappush(self.plans, (at, self.seq, kind, cid, token))

    def unplan(self, cid: str) -> None:
        self.token[cid] = self.token.get(cid, 0) + 1

    def later(self, now: datetime, days: float) -> datetime:
        """A working moment about `days` after `now` (weekends mostly skipped)."""
        when = now + timedelta(days=days)
        day = when.date()
        if day.weekday() >= 5 and self.rng.random() < 0.85:
            day += timedelta(days=7 - day.weekday())
        at = self.work_time(day)
        return at if at > now else now + timedelta(minutes=self.rng.randrange(5, 90))

    def new_id(self) -> str:
        if self.free_ids:
            return self.free_ids.pop(0)
        cid = self.id_format.format(self.next_id)
        self.next_id += 1
        return cid

    def attributes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "region" in self.extras:
            out["region"] = self.rng.choice(_REGIONS)
        if "industry" in self.extras:
            out["industry"] = self.rng.choice(_INDUSTRIES)
        return out

    def evidence_for(self, stage: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.evidence.get(stage, ()):
            kind = self.program.field_types.get(f, "string")
            out[f] = {"bool": "1", "number": 1}.get(kind, "有")
        return out
