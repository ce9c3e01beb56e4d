"""The words of every report, in Chinese and English: one table, one `Labels` per report.

`Labels(lang, policy, people)` gives a report its words: `t("key", n=3)` a label or message
by key; `state(code)` / `stage(code)` the policy's own Chinese `name` (zh) or English `title`
(en) after the code (`D 建立联系`); `reason(code)` a refusal reason's words; `person(id)` the
name the people file gives (`王伟 (r07)`). The language is `--lang`, else `RULEKIT_LANG`,
else the system's locale (`LANG`, `LC_ALL`, `LC_MESSAGES` starting with `zh`), else English.
"""

from __future__ import annotations

import os
from typing import Any

LANGS = ("zh", "en")

#: key -> (Chinese, English); `{name}` placeholders are filled by `t`.
WORDS: dict[str, tuple[str, str]] = {
    "as_of": ("截至 {date}", "as of {date}"),
    "rep": ("销售", "rep"),
    "slots": ("销售权", "slots"),
    "refused": ("被拒", "refused"),
    "state": ("状态", "state"),
    "reason": ("原因", "reason"),
    "customer": ("客户", "customer"),
    "owner": ("负责人", "owner"),
    "stage": ("阶段", "stage"),
    "since": ("起始", "since"),
    "priority": ("优先级", "priority"),
    "overdue": ("逾期", "overdue"),
    "overdue_days": ("逾期天数", "overdue days"),
    "due": ("下一定时", "next timer"),
    "level": ("级别", "level"),
    "rule": ("规则", "rule"),
    "message": ("说明", "message"),
    "baseline": ("现行", "baseline"),
    "candidate": ("方案", "candidate"),
    "change": ("变化", "change"),
    "expected_signings": ("预计签约", "signings"),
    "run_counts": ("客户 {customers} · 销售 {reps}", "customers {customers} · reps {reps}"),
    "slots_used": ("已用/上限", "used/limit"),
    "pursuit": ("跟进顺序", "pursuit list"),
    "counts": (
        "事件 {events} · 生效 {applied} · 被拒 {refused} · 定时触发 {timers} · 客户 {customers}"
        " · 销售 {reps}",
        "events {events} · applied {applied} · refused {refused} · timers fired {timers} · "
        "customers {customers} · reps {reps}",
    ),
    "refused_of": ("被拒 {n} / {total} 个事件：", "refused {n} of {total} events: "),
    "by_state": ("各状态客户：", "customers by state: "),
    "alerts": ("提醒 {n}：", "alerts {n}: "),
    "first_of": ("前 {shown} 条，共 {total} 条", "first {shown} of {total}"),
    "see_all_alerts": (
        "全部提醒：--out alerts.xlsx 或 --format json --alerts",
        "all of them: --out alerts.xlsx or --format json --alerts",
    ),
    "see_all_customers": (
        "全部客户：--out FILE 或 --format json",
        "all customers: --out FILE or --format json",
    ),
    "top_reps_refused": (
        "以上为被拒事件最多的 {n} 名销售（共 {total} 名）；"
        "其余：--rep REP 查看，全部见 --format json",
        "the {n} of {total} reps with the most refused events; the others: --rep REP, or "
        "--format json for all",
    ),
    "top_reps_overdue": (
        "以上为逾期客户最多的 {n} 名销售（共 {total} 名）；"
        "其余：--rep REP 查看，全部见 --format json",
        "the {n} of {total} reps with the most overdue customers; the others: --rep REP, or "
        "--format json for all",
    ),
    "more": ("另有 {n} 条", "{n} more"),
    "reps_title": ("{policy} · {as_of}", "{policy} · {as_of}"),
    "per_rep": (
        "各销售：销售权、预计签约、逾期与跟进顺序",
        "per rep: slots, expected signings, overdue and the pursuit list",
    ),
    "forecast": ("预计签约合计 {n}", "expected signings in all {n}"),
    "none": ("无", "none"),
    "policy_diff": ("规则变化", "policy diff"),
    "customers_by_state": ("各状态客户", "customers by state"),
    "refused_by_reason": ("按原因统计的被拒事件", "refused events by reason"),
    "reps_at_limit": ("销售权用满的销售：{a} → {b} / {n}", "reps at the limit: {a} → {b} of {n}"),
    "slots_per_rep": ("各销售已用销售权", "slots used per rep"),
    "changed": ("结果不同的客户：{n}", "customers that end differently: {n}"),
    "changed_first": (
        "（下列前 {n} 个；全部见 --format json）",
        " (first {n} below; --format json for all)",
    ),
    "dry_run_head": (
        "现行 {a} · 方案 {b} · {events} 个事件 · 截至 {as_of}",
        "baseline {a} · candidate {b} · {events} events · as of {as_of}",
    ),
    "exported": (
        "已写出 {n} 条提醒与 {m} 条被拒事件到 {path}",
        "wrote {n} alerts and {m} refused events to {path}",
    ),
    "filtered": ("（筛选：{what}）", " (filtered: {what})"),
    # explain
    "explain_head": (
        "{customer} · 现为 {state}，自 {since}，负责人 {owner}，"
        "断约 {lapses} 次，续约 {renewals} 次",
        "{customer} · now {state} since {since}, owner {owner}, lapses {lapses}, "
        "renewals {renewals}",
    ),
    "never_archived": (
        "{customer} · 从未存档（关于它的事件都被拒）",
        "{customer} · never archived (every event about it was refused)",
    ),
    "refused_word": ("被拒", "refused"),
    "transition_word": ("流转", "transition"),
    "by_actor": ("{what}，操作人 {actor}", "{what} by {actor}"),
    "next_timer": ("下一定时：{move} 至 {to}，于 {at}", "next: {move} to {to} at {at}"),
    # the HTML report of a dry-run
    "html_title": ("规则试运行", "Policy dry-run"),
    "html_meta": (
        "回放 {events} 个事件 · 截至 {as_of} · 客户 {a} → {b}",
        "{events} events replayed · as of {as_of} · {a} → {b} customers",
    ),
    "events": ("事件", "events"),
    "applied": ("生效", "applied"),
    "timers_fired": ("定时触发", "timers fired"),
    "reps_at_limit_card": ("销售权用满", "reps at limit"),
    "of_n": ("共 {n}", "of {n}"),
    "customers_changed": ("结果不同的客户", "customers changed"),
    "differences": ("{n} 处不同", "{n} differences"),
    "at_as_of": ("截至日", "at as-of"),
    "most_frequent": ("多者在前", "most frequent first"),
    "slots_hint": ("持有的销售权；红线为上限", "sales rights held; red mark = limit"),
    "flow": ("客户流转（方案）", "Lifecycle flow (candidate)"),
    "flow_hint": (
        "方案回放中每条流转发生的次数",
        "times each transition was taken in the candidate's replay",
    ),
    "states_table": ("状态", "States"),
    "refusals_table": ("被拒原因", "Refusals"),
    "transitions_taken": ("发生的流转", "Transitions taken"),
    "metrics": ("截至日的指标", "Metrics at as-of"),
    "changed_title": ("结果不同的客户", "Customers that end differently"),
    "changed_hint": ("{n} 个客户 · 状态或负责人不同", "{n} customers · state or owner differs"),
    "download_csv": ("下载 CSV", "download CSV"),
    "footer": (
        "rulekit 规则试运行 · 离线生成；点击表头排序",
        "rulekit dry-run · generated offline; click a column head to sort",
    ),
}

LEVELS = {
    "critical": ("严重", "critical"),
    "warning": ("警告", "warning"),
    "info": ("提示", "info"),
}
LEVEL_ORDER = {"critical": 0, "warning": 1, "info": 2}

REASONS: dict[str, tuple[str, str]] = {
    "unknown_customer": ("客户未存档", "unknown customer"),
    "duplicate_customer": ("客户已存档", "customer already archived"),
    "not_admin": ("需管理员操作", "needs an admin"),
    "not_owner": ("非负责人", "not the owner"),
    "not_public": ("不在公海", "not in the public pool"),
    "claim_pending": ("已有保留申请", "a claim is pending"),
    "no_pending_claim": ("无待批申请", "no pending claim"),
    "stage_skipped": ("跳过阶段", "a stage skipped"),
    "invalid_transition": ("当前状态不允许", "not allowed in this state"),
    "stage_lock": ("阶段锁未满足", "the stage lock holds"),
    "quota_exceeded": ("销售权已满", "quota exceeded"),
    "bad_row": ("格式错误的行", "malformed row"),
}


def default_lang() -> str:
    """`RULEKIT_LANG`, else the system locale's language if Chinese, else English."""
    wanted = os.environ.get("RULEKIT_LANG", "").lower()
    if wanted in LANGS:
        return wanted
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


class Labels:
    """The words of one report in one language (see the module's docstring)."""

    def __init__(self, lang: str | None = None, policy: Any = None, people: Any = None) -> None:
        self.lang = lang if lang in LANGS else default_lang()
        self.zh = self.lang == "zh"
        model = getattr(policy, "model", None)
        self._states = dict(getattr(model, "states", None) or {})
        self._stages = dict(getattr(model, "stages", None) or {})
        self._people = dict(getattr(people, "listed", None) or {})

    def t(self, key: str, **values: Any) -> str:
        """The label or message `key`, its placeholders filled (numbers with thousands)."""
        zh, en = WORDS[key]
        text = zh if self.zh else en
        return text.format(**{k: f"{v:,}" if isinstance(v, int) else v for k, v in values.items()})

    def _named(self, code: str, spec: Any) -> str:
        word = getattr(spec, "name" if self.zh else "title", None) if spec is not None else None
        return f"{code} {word}" if word else code

    def state(self, code: str) -> str:
        """`D 建立联系` (zh) or `D Contact established` (en); the code if the policy names none."""
        return self._named(code, self._states.get(code))

    def stage(self, code: str) -> str:
        """A stage's code and name, as `state`."""
        return self._named(code, self._stages.get(code))

    def reason(self, code: str) -> str:
        """A refusal reason's words after its code: `quota_exceeded 销售权已满`."""
        words = REASONS.get(code)
        if words is None:
            return code
        return f"{code} {words[0]}" if self.zh else code

    def level(self, code: str) -> str:
        """A rule level's word."""
        words = LEVELS.get(code)
        return (words[0] if self.zh else words[1]) if words else code

    def person(self, pid: str | None) -> str:
        """`王伟 (r07)` when the people file names `pid`; else `pid`; `—` for nobody."""
        if pid is None:
            return "—"
        person = self._people.get(pid)
        name = getattr(person, "name", None)
        return f"{name} ({pid})" if name and name != pid else pid

    def date(self, value: Any) -> str:
        """An instant (in its own zone) as a date, `2026-06-30`, with the time to the minute
        unless it is midnight: `2026-06-30 09:30`."""
        if value is None:
            return ""
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return str(value.strftime("%Y-%m-%d"))
        return str(value.strftime("%Y-%m-%d %H:%M"))


def level_rank(level: str) -> int:
    """critical first, then warning, info, anything else."""
    return LEVEL_ORDER.get(level, len(LEVEL_ORDER))


#: the capability profile's words (`rulekit profile`, dry-run's profile section):
#: key -> (Chinese, English), read by `label`.
PROFILE_WORDS: dict[str, tuple[str, str]] = {
    "profile": ("能力定性", "Capability profile"),
    "rep": ("销售", "rep"),
    "reps": ("销售", "reps"),
    "team": ("团队", "team"),
    "teams": ("团队", "teams"),
    "all": ("全体销售", "all reps"),
    "stage": ("阶段", "stage"),
    "capability": ("能力", "capability"),
    "count": ("晋级数", "count"),
    "target": ("目标", "target"),
    "targets": ("每人每周期目标", "targets per rep and cycle"),
    "attainment": ("达成率", "attainment"),
    "conversion": ("转化率", "conversion"),
    "conversion_target": ("目标转化率", "target conversion"),
    "reach": ("到达率", "reach"),
    "reach_target": ("目标到达率", "target reach"),
    "median_days": ("中位天数", "median days"),
    "days_target": ("目标天数", "target days"),
    "days_known": ("可计天数", "days known"),
    "weakest": ("最弱能力", "weakest capability"),
    "none_below": ("均达目标", "none below target"),
    "weakest_common": ("多数销售的最弱能力", "most reps' weakest"),
    "cycle": ("周期", "cycle"),
    "cycles": ("周期", "cycles"),
    "as_of": ("截至", "as of"),
    "from": ("自", "from"),
    "to": ("至", "to"),
    "promotions": ("晋级", "promotions"),
    "unattributed": ("无负责人的晋级", "promotions with no owner"),
    "history": ("事件历史", "history"),
    "snapshot": ("客户快照", "snapshot"),
    "distribution": ("团队分布", "team distribution"),
    "distribution_hint": (
        "每个点为一名销售在该阶段的达成率；横线为团队中位数",
        "each dot a rep's attainment at a stage; bar = team median",
    ),
    "bars_hint": ("柱 = 本周期晋级数，刻度 = 目标", "bar = promotions in the cycle, mark = target"),
    "baseline": ("现行", "baseline"),
    "candidate": ("候选", "candidate"),
    "change": ("变化", "change"),
    "profile_change": (
        "能力定性（截至当日的周期）：各阶段晋级数",
        "capability profile (cycle ending at as-of): promotions per stage",
    ),
    "name": ("姓名", "name"),
    "current": ("本期", "current"),
    "median": ("中位数", "median"),
}


def label(key: str, lang: str) -> str:
    """A profile word in `lang` (`zh` or `en`); a report word without placeholders next; else
    the key itself, so a report never fails on a missing word."""
    pair = PROFILE_WORDS.get(key) or WORDS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]
