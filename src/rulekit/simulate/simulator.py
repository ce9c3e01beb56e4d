"""A seeded, realistic event history for a policy: reps, admins and customers over a year.

    from rulekit.simulate.simulator import simulate
    sim = simulate(policy, reps=20, customers=2000, start=datetime(2026, 1, 1), days=365)
    sim.rows     # dicts with the contract's columns (at, customer, type, actor, stage, to, ...)
    sim.people   # dicts: id, name, team, role

The generator walks the simulated days. Reps archive new customers (within their slot limit,
except a few greedy ones), promote them stage by stage along the policy's path with delays
around each stage's target days and the stage-to-stage reach as the odds of going on, release
the ones that stall to the public pool, and renew signed customers now and then. Admins
publish lapsed customers, decide claims, and reassign a customer now and then. Activities run
throughout. Which event does what is read from the policy's transitions, not assumed.

The engine is the oracle: every generated event is applied to a `Replayer` (timers first) as
it is written, so each choice is made on the true state, and the refusals are known. A `noise`
share of the events is deliberately wrong (an unknown id, a duplicate archive, a rep doing an
admin's job, a skipped stage...), chosen so that every refusal reason the policy allows occurs.

Deterministic for a seed: one `random.Random(seed)`, and no iteration over unordered sets.
"""

from __future__ import annotations

import csv
import heapq
import math
import os
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from rulekit.compiler import CompiledPolicy
from rulekit.engine.core.event import Event
from rulekit.engine.core.people import People, Person
from rulekit.engine.core.program import START, Move, Program, build
from rulekit.engine.core.record import Customer
from rulekit.engine.replay.replayer import Replayer
from rulekit.engine.replay.world import REASONS

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
class _Rep:
    id: str
    team: str | None
    weight: float  # how busy: share of the archives and claims
    skill: float  # multiplies the odds of going on to the next stage
    hoarder: bool  # keeps stalled customers and archives past the limit


@dataclass(slots=True)
class _Roles:
    """What each event of the policy is for, read from its transitions."""

    create_rep: str | None = None  # archive by a rep
    create_admin: str | None = None  # archive into the pool by an admin
    promote: str | None = None
    release: str | None = None
    claim: str | None = None
    claim_needs_approval: bool = False
    grant: str | None = None
    deny: str | None = None
    renew: str | None = None
    publish: dict[str, str] = field(default_factory=dict)  # lapsed state -> admin event
    reassign: str | None = None
    activity: str | None = None
    presale: frozenset[str] = frozenset()
    signed: frozenset[str] = frozenset()
    public: frozenset[str] = frozenset()
    renew_span: float = 60.0  # days a signed customer stays renewable
    admin_only: tuple[str, ...] = ()
    others: tuple[str, ...] = ()


def _read_roles(program: Program) -> _Roles:
    r = _Roles(public=program.public_states)
    by_event = program.moves_by_event
    events = sorted(by_event)
    r.admin_only = tuple(e for e in events if program.event_roles.get(e) == frozenset({"admin"}))
    promotes = sorted(program.promotes & set(by_event))
    r.promote = promotes[0] if promotes else None
    presale: set[str] = set()
    sign_targets: set[str] = set()
    for e in promotes:
        for m in by_event[e]:
            presale |= m.sources - {START}
    for e in promotes:
        for m in by_event[e]:
            if m.target is not None and m.target not in presale:
                sign_targets.add(m.target)
    r.presale = frozenset(presale)
    used: set[str] = set(promotes)
    for e in events:
        moves = by_event[e]
        if e in program.decides or e in used:
            continue
        roles = program.event_roles.get(e, frozenset())
        if any(START in m.sources for m in moves):
            if any(m.roles & {"rep", "anyone"} for m in moves):
                r.create_rep = r.create_rep or e
            if any("admin" in m.roles for m in moves):
                r.create_admin = r.create_admin or e
            used.add(e)
        elif "to" in program.needs.get(e, ()) and r.reassign is None:
            r.reassign = e
            used.add(e)
        elif all(m.target is None for m in moves) and roles & {"anyone", "owner", "rep"}:
            if r.activity is None and not program.needs.get(e):
                r.activity = e
                used.add(e)
        elif all(m.sources <= r.public for m in moves) and roles & {"rep", "anyone"}:
            if r.claim is None:
                r.claim = e
                r.claim_needs_approval = any(m.approval for m in moves)
                used.add(e)
        elif any(m.sources & presale and m.target in r.public for m in moves):
            if r.release is None and roles & {"owner", "rep", "anyone"}:
                r.release = e
                used.add(e)
    for e, decision in sorted(program.decides.items()):
        if decision == "grant" and r.grant is None:
            r.grant = e
        elif decision == "deny" and r.deny is None:
            r.deny = e
        used.add(e)
    # signed states: from the signing targets, by timers and owner events, outside the pool
    signed: set[str] = set()
    todo = sorted(sign_targets)
    while todo:
        s = todo.pop()
        if s in signed or s in r.public or s in presale:
            continue
        signed.add(s)
        nxt = [m.target for m in program.timers_from.get(s, ()) if m.target]
        for e in events:
            if e in used and e != r.renew:
                continue
            for m in by_event[e]:
                if s in m.sources and m.target and "owner" in m.roles:
                    nxt.append(m.target)
        todo.extend(sorted(t for t in nxt if t is not None))
    r.signed = frozenset(signed)
    for e in events:
        if e in used:
            continue
        moves = by_event[e]
        if any(m.sources & signed and m.target in signed and "owner" in m.roles for m in moves):
            r.renew = e
            used.add(e)
            break
    # lapsed states: the only event way forward is an admin's
    for s in program.states:
        outs = [
            (e, m)
            for e in events
            for m in by_event[e]
            if s in m.sources and m.target is not None and m.target != s
        ]
        if outs and all(m.roles == frozenset({"admin"}) for _, m in outs):
            if s not in presale and s not in r.public:
                r.publish[s] = sorted(e for e, _ in outs)[0]
                used.update(e for e, _ in outs)
    r.others = tuple(e for e in events if e not in used)
    # how long a signed customer stays renewable: follow the timers through renewable states
    renew_from: frozenset[str] = frozenset()
    if r.renew:
        renew_from = frozenset().union(*(m.sources for m in by_event[r.renew]))
    span, state, seen = 0.0, sorted(sign_targets)[0] if sign_targets else None, set()
    while state is not None and state in renew_from and state not in seen:
        seen.add(state)
        timers = program.timers_from.get(state, ())
        if not timers or timers[0].after is None:
            span += 60.0
            break
        span += timers[0].after.approx_days
        state = timers[0].target
    r.renew_span = span or 60.0
    return r


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


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class _Sim:
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
        self.roles = _read_roles(program)
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
        self.reps: list[_Rep] = []
        for i in range(reps):
            self.reps.append(
                _Rep(
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
        self.rows: list[dict[str, Any]] = []
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
        before = len(self.world.rejected)
        self.replayer.apply(Event(len(self.rows), at, cid, kind, actor, stage, to, typed))
        if len(self.world.rejected) > before:
            reason = self.world.rejected[-1].reason
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

    # -- the customer's course --------------------------------------------------------------
    def replan(self, cid: str, now: datetime) -> None:
        """Decide what happens next to a customer that just changed."""
        c = self.customer(cid)
        r = self.rng
        if c is None or c.owner is None or c.pending is not None:
            self.unplan(cid)
            return
        rep = self.rep_by_id.get(c.owner)
        if c.state in self.roles.presale:
            index = c.stage_index()
            nxt = self.program.stage_at(index + 1)
            if nxt is None:
                self.unplan(cid)
                return
            here = self.program.stage_at(index)
            reach_here = (here.target.reach if here else None) or 1.0
            reach_next = nxt.target.reach if nxt.target.reach is not None else reach_here * 0.5
            odds = min(0.97, reach_next / reach_here) if reach_here else 0.5
            if index == 0:
                odds = 0.9  # most new customers are contacted; a few are dropped at once
            odds = min(0.97, odds * (rep.skill if rep else 1.0))
            target = nxt.target.days if nxt.target.days is not None else 14.0
            if r.random() < odds:
                if target <= 0:
                    delay = r.expovariate(1 / 1.2)
                else:
                    delay = target * r.lognormvariate(0, 0.45)
                self.plan(self.later(now, delay), "promote", cid)
            else:
                keep = 0.2 if rep is not None and rep.hoarder else 0.95
                if r.random() < keep:
                    delay = (max(target, 3.0) + 7) * r.uniform(0.5, 1.8)
                    self.plan(self.later(now, delay), "release", cid)
                else:
                    self.unplan(cid)
        elif c.state in self.roles.signed and self.roles.renew:
            first = c.fields.get("renewals") in (0, None)
            odds = 0.5 if first else 0.38
            if r.random() < odds:
                span = self.roles.renew_span
                self.plan(self.later(now, span * r.uniform(0.1, 0.93)), "renew", cid)
            else:
                self.unplan(cid)
        else:
            self.unplan(cid)

    def run_plan(self, kind: str, cid: str, at: datetime) -> None:
        if kind == "decide":
            self.do_decide(cid, at)
            return
        c = self.customer(cid)
        if c is None or c.owner is None:
            return
        owner = c.owner
        if kind == "promote" and self.roles.promote:
            nxt = self.program.stage_at(c.stage_index() + 1)
            if nxt is None or c.state not in self.roles.presale:
                return
            reason = self.emit(
                at, cid, self.roles.promote, owner, nxt.code, fields=self.evidence_for(nxt.code)
            )
            if reason is None:
                self.replan(cid, at)
        elif kind == "release" and self.roles.release:
            if c.state not in self.roles.presale:
                return
            if self.emit(at, cid, self.roles.release, owner) is None:
                self.released_by[cid] = (owner, at)
                self.unplan(cid)
        elif kind == "renew" and self.roles.renew:
            if c.state not in self.roles.signed:
                return
            if self.emit(at, cid, self.roles.renew, owner) is None:
                self.replan(cid, at)

    # -- daily rounds -----------------------------------------------------------------------
    def run(self) -> Simulation:
        r = self.rng
        first = self.start.date()
        workdays = [
            first + timedelta(days=d)
            for d in range(self.days)
            if (first + timedelta(days=d)).weekday() < 5
        ] or [first]
        per_day = self.target / len(workdays)
        done_days = 0
        for d in range(self.days):
            day = first + timedelta(days=d)
            weekday = day.weekday() < 5
            saturday = day.weekday() == 5
            intents: list[tuple[datetime, int, Callable[[datetime], None]]] = []

            def add(
                at: datetime, fn: Callable[[datetime], None], intents: list[Any] = intents
            ) -> None:
                self.seq += 1
                intents.append((at, self.seq, fn))

            if weekday:
                done_days += 1
            # archives: keep on course for the target number of customers
            due = round(per_day * done_days) if d < self.days - 1 else self.target
            last = d == self.days - 1
            want = max(0, due - self.archived) if weekday or saturday or last else 0
            if weekday and want > 0 and not last:
                want = max(0, want + r.choice((-1, 0, 0, 1)))
            for _ in range(want):
                add(self.work_time(day), self.do_archive)
            # a look at every known customer: activities, the pool, lapsed ones, claims
            self.replayer.advance(self.at_minute(day, 0))
            pool: list[str] = []
            lapsed: list[str] = []
            pending: list[str] = []
            busy = 1.0 if weekday else (0.25 if saturday else 0.08)
            for cid in self.known:
                c = self.world.customers.get(cid)
                if c is None:
                    continue
                if c.pending is not None:
                    pending.append(cid)
                elif c.state in self.roles.public:
                    pool.append(cid)
                    if r.random() < 0.002 * busy:
                        add(self.work_time(day), _bind(self.do_activity, cid, "pool"))
                elif c.state in self.roles.publish:
                    lapsed.append(cid)
                if c.owner is not None:
                    p = 0.11 if c.state in self.roles.presale else 0.025
                    if r.random() < p * busy:
                        add(self.work_time(day), _bind(self.do_activity, cid, "owner"))
            if weekday:
                # claims from the pool, first come first served
                for cid in pool:
                    if r.random() < 0.013:
                        add(self.work_time(day), _bind(self.do_claim, cid))
                # admins: publish the lapsed in a batch twice a week
                if lapsed and day.weekday() in (1, 4):
                    at = self.at_minute(day, 16 * 60 + r.randrange(0, 60))
                    add(at, _bind(self.do_publish, tuple(lapsed)))
                # a reassignment now and then
                if self.roles.reassign and r.random() < 0.2:
                    add(self.work_time(day), self.do_reassign)
                # other events the policy has: tried now and then, as the state allows
                for kind in self.roles.others:
                    if r.random() < 0.05:
                        add(self.work_time(day), _bind(self.do_other, kind))
            # noise: a share of deliberately wrong events
            n_noise = sum(1 for _ in range(len(intents)) if r.random() < self.noise)
            for _ in range(n_noise):
                add(self.work_time(day), self.do_noise)
            # today's intents and the planned steps falling due today (even those planned
            # today), in time order
            heapq.heapify(intents)
            end_of_day = self.at_minute(day, 23 * 60 + 59)
            while intents or (self.plans and self.plans[0][0] <= end_of_day):
                if self.plans and self.plans[0][0] <= end_of_day:
                    if not intents or self.plans[0][:2] < intents[0][:2]:
                        at, _, kind, cid, token = heapq.heappop(self.plans)
                        if self.token.get(cid) == token:
                            self.run_plan(kind, cid, at)
                        continue
                at, _, fn = heapq.heappop(intents)
                fn(at)
        self.replayer.advance(self.end)
        return Simulation(
            self.rows,
            self.people_rows,
            self.columns,
            self.start,
            self.end,
            Counter(j.reason for j in self.world.rejected),
            self.archived,
        )

    # -- what people do ---------------------------------------------------------------------
    def pick_rep(self, exclude: str | None = None) -> _Rep:
        reps = [x for x in self.reps if x.id != exclude] or self.reps
        return self.rng.choices(reps, weights=[x.weight for x in reps])[0]

    def stalest(self, rep: str) -> str | None:
        """The rep's customer at the lowest stage that has waited longest (to release)."""
        best: tuple[int, datetime, str] | None = None
        for cid in self.known:
            c = self.world.customers.get(cid)
            if c is None or c.owner != rep or c.state not in self.roles.presale:
                continue
            since = c.state_since or self.start
            key = (c.stage_index(), since, cid)
            if best is None or key < best:
                best = key
        return best[2] if best else None

    def do_archive(self, at: datetime) -> None:
        r = self.rng
        if self.archived >= self.target:
            return
        cid = self.new_id()
        if self.roles.create_admin and (r.random() < 0.08 or not self.roles.create_rep):
            admin = r.choice(self.admins)
            if self.emit(at, cid, self.roles.create_admin, admin, fields=self.attributes()) is None:
                self.known.append(cid)
                self.archived += 1
            else:
                self.free_ids.append(cid)
            return
        if not self.roles.create_rep:
            self.free_ids.append(cid)
            return
        rep = self.pick_rep()
        if self.room(rep.id) <= 0:
            if rep.hoarder and r.random() < 0.35:
                pass  # greedy: tries anyway, and is refused
            elif not rep.hoarder and (old := self.stalest(rep.id)) and self.roles.release:
                if self.emit(at, old, self.roles.release, rep.id) is None:
                    self.released_by[old] = (rep.id, at)
                    self.unplan(old)
                at += timedelta(minutes=r.randrange(1, 10))
            else:
                rep = min(self.reps, key=lambda x: (-self.room(x.id), x.id))
        fields = self.attributes()
        reason = self.emit(at, cid, self.roles.create_rep, rep.id, fields=fields)
        if reason == "quota_exceeded":  # the lead goes to the colleague with the most room
            rep = min(self.reps, key=lambda x: (-self.room(x.id), x.id))
            if self.room(rep.id) <= 0 and (old := self.stalest(rep.id)) and self.roles.release:
                if self.emit(at, old, self.roles.release, rep.id) is None:
                    self.released_by[old] = (rep.id, at)
                    self.unplan(old)
            if self.room(rep.id) > 0:
                reason = self.emit(at, cid, self.roles.create_rep, rep.id, fields=fields)
        if reason is None:
            self.known.append(cid)
            self.archived += 1
            self.replan(cid, at)
        else:
            self.free_ids.append(cid)

    def do_activity(self, cid: str, who: str, at: datetime) -> None:
        c = self.customer(cid)
        if c is None or not self.roles.activity:
            return
        if who == "owner":
            if c.owner is None:
                return
            actor = c.owner if self.rng.random() < 0.96 else self.rng.choice(self.admins)
        else:
            actor = self.pick_rep().id
        self.emit(at, cid, self.roles.activity, actor)

    def do_claim(self, cid: str, at: datetime) -> None:
        r = self.rng
        c = self.customer(cid)
        if c is None or c.state not in self.roles.public or not self.roles.claim:
            return
        last = self.released_by.get(cid)
        for _ in range(5):
            rep = self.pick_rep()
            if last and rep.id == last[0] and at - last[1] < timedelta(days=30):
                continue
            if self.room(rep.id) > 2 or (rep.hoarder and r.random() < 0.1):
                break
        else:
            return
        if self.emit(at, cid, self.roles.claim, rep.id) is not None:
            return
        c = self.customer(cid)
        if c is not None and c.pending is not None:
            wait = r.choice((0.05, 0.2, 0.9, 1.0, 1.1, 2.0, 3.0))
            self.plan(self.later(at, wait), "decide", cid)
        else:
            self.replan(cid, at)

    def do_decide(self, cid: str, at: datetime) -> None:
        c = self.customer(cid)
        if c is None or c.pending is None:
            return
        grant = self.rng.random() < 0.85
        kind = self.roles.grant if grant or not self.roles.deny else self.roles.deny
        if kind is None:
            return
        if self.emit(at, cid, kind, self.rng.choice(self.admins)) is None:
            self.replan(cid, at)

    def do_publish(self, cids: tuple[str, ...], at: datetime) -> None:
        admin = self.rng.choice(self.admins)
        for cid in cids:
            c = self.customer(cid)
            if c is None or c.state not in self.roles.publish:
                continue
            if c.state_since is not None and at - c.state_since < timedelta(days=1):
                continue
            self.emit(at, cid, self.roles.publish[c.state], admin)
            self.unplan(cid)
            at += timedelta(minutes=self.rng.choice((0, 0, 1)))

    def do_reassign(self, at: datetime) -> None:
        r = self.rng
        kind = self.roles.reassign
        if kind is None or len(self.reps) < 2:
            return
        ranked = sorted(self.reps, key=lambda x: (self.room(x.id), x.id))
        signed = r.random() < 0.25
        giver = ranked[0] if not signed else r.choice(self.reps)
        taker = ranked[-1] if ranked[-1].id != giver.id else ranked[-2]
        states = self.roles.signed if signed else self.roles.presale
        options = [
            cid
            for cid in self.known
            if (c := self.world.customers.get(cid)) is not None
            and c.owner == giver.id
            and c.state in states
            and c.pending is None
        ]
        if not options:
            return
        cid = r.choice(options)
        if self.emit(at, cid, kind, r.choice(self.admins), to=taker.id) is None:
            self.replan(cid, at)

    def do_other(self, kind: str, at: datetime) -> None:
        moves = self.program.moves_by_event.get(kind, [])
        r = self.rng
        for cid in r.sample(self.known, min(20, len(self.known))):
            c = self.world.customers[cid]
            for m in moves:
                if c.state not in m.sources:
                    continue
                actor = _actor_for(m, c, self.admins, [x.id for x in self.reps], r)
                stage = m.argument
                if kind in self.program.promotes and stage is None:
                    nxt = self.program.stage_at(c.stage_index() + 1)
                    stage = nxt.code if nxt else None
                if kind in self.program.promotes and stage is None:
                    continue
                to = self.pick_rep().id if "to" in self.program.needs.get(kind, ()) else None
                if self.emit(at, cid, kind, actor, stage, to) is None:
                    self.replan(cid, at)
                return

    # -- noise --------------------------------------------------------------------------------
    def do_noise(self, at: datetime) -> None:
        r = self.rng
        makers: dict[str, Callable[[datetime], bool]] = {
            "unknown_customer": self.n_unknown,
            "duplicate_customer": self.n_duplicate,
            "not_admin": self.n_not_admin,
            "not_owner": self.n_not_owner,
            "not_public": self.n_not_public,
            "claim_pending": self.n_claim_pending,
            "no_pending_claim": self.n_no_pending,
            "stage_skipped": self.n_skip,
            "invalid_transition": self.n_invalid,
            "stage_lock": self.n_lock,
            "quota_exceeded": self.n_quota,
        }
        order = list(REASONS)
        missing = [x for x in order if x in makers and self.produced[x] == 0]
        if missing and r.random() < 0.5:
            order = missing
        r.shuffle(order)
        for reason in order:
            maker = makers.get(reason)
            if maker is not None and maker(at):
                return

    def presale_customer(self) -> Customer | None:
        cands = [
            c
            for cid in self.rng.sample(self.known, min(40, len(self.known)))
            if (c := self.world.customers[cid]).owner is not None
            and c.state in self.roles.presale
            and c.pending is None
        ]
        return cands[0] if cands else None

    def n_unknown(self, at: datetime) -> bool:
        r = self.rng
        cid = self.id_format.format(self.target * 2 + r.randrange(1, 10**4))
        if cid.lower() != cid and r.random() < 0.5 and self.known:
            cid = r.choice(self.known).lower()  # a typo: c00012 for C00012
        if cid in self.world.customers:
            return False
        kinds = [k for k in (self.roles.activity, self.roles.promote, self.roles.grant) if k]
        if not kinds:
            return False
        kind = r.choice(kinds)
        stage = self.program.stages[0].code if kind in self.program.promotes else None
        actor = r.choice(self.admins) if kind == self.roles.grant else self.pick_rep().id
        self.emit(at, cid, kind, actor, stage)
        return True

    def n_duplicate(self, at: datetime) -> bool:
        if not self.roles.create_rep or not self.known:
            return False
        self.emit(at, self.rng.choice(self.known), self.roles.create_rep, self.pick_rep().id)
        return True

    def n_not_admin(self, at: datetime) -> bool:
        kinds = list(self.roles.admin_only)
        if self.roles.grant and self.program.approver_roles == frozenset({"admin"}):
            kinds.append(self.roles.grant)
        if not kinds or not self.known:
            return False
        kind = self.rng.choice(kinds)
        cid = self.rng.choice(self.known)
        to = self.pick_rep().id if "to" in self.program.needs.get(kind, ()) else None
        stage = self.program.stages[0].code if kind in self.program.promotes else None
        self.emit(at, cid, kind, self.pick_rep().id, stage, to)
        return True

    def n_not_owner(self, at: datetime) -> bool:
        c = self.presale_customer()
        if c is None or c.owner is None or not self.roles.promote:
            return False
        nxt = self.program.stage_at(c.stage_index() + 1)
        if nxt is None:
            return False
        other = self.pick_rep(exclude=c.owner).id
        if other == c.owner:
            return False
        if self.roles.release and self.rng.random() < 0.4:
            self.emit(at, c.id, self.roles.release, other)
        else:
            self.emit(at, c.id, self.roles.promote, other, nxt.code)
        return True

    def n_not_public(self, at: datetime) -> bool:
        c = self.presale_customer()
        if c is None or not self.roles.claim:
            return False
        self.emit(at, c.id, self.roles.claim, self.pick_rep(exclude=c.owner).id)
        return True

    def n_claim_pending(self, at: datetime) -> bool:
        if not self.roles.claim or not self.roles.claim_needs_approval:
            return False
        cands = [cid for cid in self.known if (c := self.world.customers[cid]).pending is not None]
        if not cands:
            return False
        cid = self.rng.choice(cands)
        c = self.world.customers[cid]
        self.emit(at, cid, self.roles.claim, self.pick_rep(exclude=c.pending_owner).id)
        return True

    def n_no_pending(self, at: datetime) -> bool:
        kinds = [k for k in (self.roles.grant, self.roles.deny) if k]
        if not kinds or not self.known:
            return False
        cid = self.rng.choice(self.known)
        if self.world.customers[cid].pending is not None:
            return False
        self.emit(at, cid, self.rng.choice(kinds), self.rng.choice(self.admins))
        return True

    def n_skip(self, at: datetime) -> bool:
        c = self.presale_customer()
        if c is None or c.owner is None or not self.roles.promote:
            return False
        far = self.program.stage_at(c.stage_index() + 2)
        if far is None:
            return False
        self.emit(at, c.id, self.roles.promote, c.owner, far.code)
        return True

    def n_invalid(self, at: datetime) -> bool:
        r = self.rng
        c = self.presale_customer()
        if c is not None and c.owner is not None and self.roles.promote and r.random() < 0.6:
            here = self.program.stage_at(c.stage_index())
            if here is not None:  # the same stage entered twice
                self.emit(at, c.id, self.roles.promote, c.owner, here.code)
                return True
        if self.roles.publish and c is not None:  # publishing a customer that has not lapsed
            kind = sorted(self.roles.publish.values())[0]
            self.emit(at, c.id, kind, r.choice(self.admins))
            return True
        if self.roles.renew and c is not None and c.owner is not None:
            self.emit(at, c.id, self.roles.renew, c.owner)
            return True
        return False

    def n_lock(self, at: datetime) -> bool:
        if not self.evidence or not self.roles.promote:
            return False
        c = self.presale_customer()
        if c is None or c.owner is None:
            return False
        nxt = self.program.stage_at(c.stage_index() + 1)
        if nxt is None or nxt.code not in self.evidence:
            return False
        self.emit(at, c.id, self.roles.promote, c.owner, nxt.code)  # no evidence attached
        if self.world.rejected and self.world.rejected[-1].customer == c.id:
            return True
        self.replan(c.id, at)  # the lock let it through after all
        return True

    def n_quota(self, at: datetime) -> bool:
        full = [x for x in self.reps if self.room(x.id) <= 0]
        if not full or not self.roles.create_rep or self.archived >= self.target:
            return False
        rep = self.rng.choice(full)
        cid = self.new_id()
        if self.emit(at, cid, self.roles.create_rep, rep.id, fields=self.attributes()) is None:
            self.known.append(cid)
            self.archived += 1
            self.replan(cid, at)
        else:
            self.free_ids.append(cid)
        return True


def _bind(fn: Callable[..., None], *args: Any) -> Callable[[datetime], None]:
    def call(at: datetime) -> None:
        fn(*args, at)

    return call


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def _typed(value: Any, kind: str) -> Any:
    if kind == "bool":
        return str(value) in ("1", "true", "是", "yes")
    if kind == "number":
        return value if isinstance(value, int | float) else float(value)
    return value


def _actor_for(
    move: Move, c: Customer, admins: list[str], reps: list[str], rng: random.Random
) -> str:
    roles = move.roles
    if "owner" in roles and c.owner is not None:
        return c.owner
    if "admin" in roles:
        return rng.choice(admins)
    return rng.choice(reps)


def simulate(
    policy: CompiledPolicy,
    *,
    reps: int = 20,
    customers: int = 2000,
    start: datetime | None = None,
    days: int = 365,
    seed: int = 0,
    admins: Sequence[str] = ("admin",),
    noise: float = 0.03,
) -> Simulation:
    """Generate a seeded event history for `policy` (see the module's docstring).

    Args:
        policy: The compiled policy whose events, stages, lifecycle and quota drive it.
        reps: How many reps (ids rep01...; Chinese names in `people`).
        customers: How many distinct customers are archived over the period.
        start: The first instant (a naive datetime is in the policy's timezone);
            default 2026-01-01 00:00.
        days: How many days to simulate; the history ends before `start + days`.
        seed: The seed of the one random generator: the same seed gives the same rows.
        admins: The admins' ids.
        noise: The share of deliberately wrong events (refused by the engine).
    """
    begin = start if start is not None else datetime(2026, 1, 1)
    return _Sim(policy, reps, customers, begin, days, seed, admins, noise).run()


def write_rows(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    rows: Sequence[dict[str, Any]],
    encoding: str = "utf-8",
) -> None:
    """Write rows as a table: .csv (UTF-8 with BOM, or GB18030 without), .xlsx, .jsonl,
    .parquet by extension."""
    from rulekit.tables import write_table

    name = os.fspath(path)
    cells = [[row.get(c) for c in columns] for row in rows]
    if encoding.lower().replace("-", "") in ("utf8", "utf8sig"):
        write_table(name, list(columns), cells)
        return
    if not name.lower().endswith((".csv", ".tsv")):
        raise ValueError(f"--encoding {encoding} applies to .csv files only")
    temp = f"{name}.{os.getpid()}.tmp"
    try:
        with open(temp, "w", encoding=encoding, newline="") as out:
            writer = csv.writer(out, delimiter="\t" if name.lower().endswith(".tsv") else ",")
            writer.writerow(columns)
            for row in cells:
                writer.writerow(["" if v is None else v for v in row])
        os.replace(temp, name)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


__all__ = ["CORE", "PEOPLE_COLUMNS", "Simulation", "simulate", "write_rows"]
