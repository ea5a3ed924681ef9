"""The words of the rule and config change records (issue #12): their kinds, what sort of change
each is, and the ルール・設定の変更記録 page. Part of the ``web`` namespace (riskmon.i18n.pages adds
them), so the page's ``t('key')`` and the CLI's ``phrase("web", key)`` say the same thing."""

from __future__ import annotations

CHANGE_WORDS: dict[str, tuple[str, str]] = {
    "nav_changes": ("変更記録", "Change records"),
    "changes_title": ("ルール・設定の変更記録", "Rule and config change records"),
    "changes_intro": (
        "ルールブック（rules/*.yaml）と評価に使う設定値の変更です。"
        "承認は第二線の別の担当者が CLI（riskmon rules changes approve）で行います",
        "Changes of the rule book (rules/*.yaml) and of the config values evaluation reads. Another second-line user approves "
        "them with the CLI (riskmon rules changes approve)",
    ),
    "change_kind_rule": ("ルール", "rule"),
    "change_kind_config": ("設定値", "config value"),
    "change_initial": ("初回記録", "baseline"),
    "change_added": ("追加", "added"),
    "change_changed": ("変更", "changed"),
    "change_removed": ("削除", "removed"),
    "change_id": ("番号", "id"),
    "change_kind": ("種類", "kind"),
    "change_key": ("対象", "key"),
    "change_change": ("区分", "change"),
    "change_before": ("変更前", "before"),
    "change_after": ("変更後", "after"),
    "change_diff": ("差分", "diff"),
    "change_by": ("記録者", "recorded by"),
    "change_at": ("記録日時", "recorded at"),
    "change_approved_by": ("承認者", "approved by"),
    "change_approved_at": ("承認日時", "approved at"),
    "change_note": ("承認の説明", "approval note"),
    "change_unapproved": ("未承認", "not approved"),
    "changes_only_unapproved": ("未承認のみ", "Not approved only"),
    "changes_from": ("記録日（から）", "Recorded from"),
    "changes_to": ("記録日（まで）", "Recorded to"),
    "changes_filter": ("絞り込み", "Filter"),
    "changes_none": ("該当する変更記録はありません", "No change records match"),
    "changes_unapproved_count": ("未承認の変更", "Changes not approved"),
    "changes_second_third_line": (
        "ルール・設定の変更記録は第二線（リスク統括部等）と第三線（監査部）だけが閲覧できます",
        "Only the second line (risk management) and the third line (audit) may read the rule and config change records",
    ),
}
