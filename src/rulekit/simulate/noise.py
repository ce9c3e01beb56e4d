"""The simulator's noise: a share of deliberately wrong events, chosen so that every refusal
reason the policy allows occurs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rulekit.engine.core.record import Customer
from rulekit.engine.replay.world import REASONS
from rulekit.simulate.actors import Actors


class Noise(Actors):
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
