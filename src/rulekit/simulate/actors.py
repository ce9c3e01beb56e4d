"""The simulated people's decisions: how a customer's course goes on (promote, release,
renew), and what reps and admins do each day (archive, claim, decide, publish, reassign)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from rulekit.engine.core.program import Move
from rulekit.engine.core.record import Customer
from rulekit.simulate.world import Rep, World


class Actors(World):
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

    # -- what people do ---------------------------------------------------------------------
    def pick_rep(self, exclude: str | None = None) -> Rep:
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


def _actor_for(
    move: Move, c: Customer, admins: list[str], reps: list[str], rng: random.Random
) -> str:
    roles = move.roles
    if "owner" in roles and c.owner is not None:
        return c.owner
    if "admin" in roles:
        return rng.choice(admins)
    return rng.choice(reps)
