"""``assurance``: the words of the 監査部's audit document on the second line
(riskmon.reports.assurance, data from riskmon.review.assurance)."""

from __future__ import annotations

ASSURANCE: dict[str, tuple[str, str]] = {
    "title": (
        "第二線のリスク管理体制の整備・運用状況に関する監査資料",
        "Audit of the second line's risk-management set-up and its operation",
    ),
    "department": ("監査部", "Internal Audit Department"),
    "basis": (
        "三線防御体制における第三線（監査部）による、第二線に対するリスク管理体制の整備・運用状況の有効性に関する監査（S4:41）のための資料。",
        "Material for the third line's (Internal Audit) audit of the effectiveness of the second line's risk-management "
        "set-up and its operation (three lines of defence, S4:41).",
    ),
    "none": ("該当なし", "None"),
    "yes": ("あり", "yes"),
    "no": ("なし", "no"),
    "n_cases": ("{n}件", "{n}"),
    "days_median": ("{median}営業日（{n}件）", "{median} business days ({n})"),
    # 1. handling
    "s_handling": ("1. 第二線による案件対応", "1. How the second line handled cases"),
    "handling_lead": (
        "対象期間に検知されたフラグ{flags}件、うち完了{closed}件。時間は営業日で数える（検知日から当該手続の日まで、同日は0）。",
        "{flags} flags raised in the period, {closed} closed. Times are business days (from the day a flag was raised to "
        "the day of the step; the same day is 0).",
    ),
    "h_severity": ("重大度", "Severity"),
    "h_ack": ("受領までの営業日（中央値）", "Business days to acknowledge (median)"),
    "h_close": ("完了までの営業日（中央値）", "Business days to close (median)"),
    "within": ("{days}営業日以内の完了率", "Closed within {days} business days"),
    "four_eyes": ("四つの目の遵守（高・重大の完了）", "Four-eyes compliance (high and critical closures)"),
    "reopen": ("再開率", "Reopen rate"),
    "dismiss_reason": ("却下の理由", "Dismissals by reason"),
    "dismiss_person": ("却下した担当者", "Dismissals by person"),
    "never_fired": ("対象期間に一度も検知しなかったルール", "Rules that never fired in the period"),
    "most_dismissed": ("却下の多いルール", "Rules with most dismissals"),
    # 2. sample
    "s_sample": ("2. 監査テスト用サンプル（層別抽出）", "2. Audit-test sample (stratified)"),
    "sample_size": (
        "完了案件{population}件から{size}件を抽出（指定{requested}件、シード{seed}、{strata}層）。",
        "{size} of {population} closed cases drawn ({requested} requested, seed {seed}, {strata} strata).",
    ),
    "sample_method": (
        "抽出方法：完了案件を重大度・完了区分・リスク領域の組合せで層に分け、標本数が層の数以上のときは各層に1件を割り当てたうえで、"
        "残りを各層の残りの件数に比例して配分する（最大剰余法）。標本数が層の数より少ないときは件数の多い層から1件ずつ割り当てる。"
        "各層の中では、案件番号の昇順に並べた案件から「シード:層」を種とする乱数で抽出する。同じシードと同じデータからは常に同じ標本が得られる。",
        "Method: the closed cases are split into strata by severity, resolution and risk domain. When the sample is at "
        "least as large as the number of strata, each stratum gets one case and the rest is shared out in proportion to "
        "the strata's remaining sizes (largest remainder); a smaller sample takes one case from each of the largest "
        "strata. Within a stratum, cases are drawn from the ids in ascending order with a random generator seeded with "
        "'seed:stratum'. The same seed and data always give the same sample.",
    ),
    "h_resolution": ("完了区分", "Resolution"),
    "h_domain": ("リスク領域", "Risk domain"),
    "h_stratum_size": ("層の件数", "Stratum size"),
    "h_drawn": ("抽出数", "Drawn"),
    "sample_cases": ("抽出された案件", "Cases drawn"),
    "h_flag": ("フラグ番号", "Flag"),
    "h_rule": ("ルール", "Rule"),
    "h_subject": ("対象", "Subject"),
    "h_closed_on": ("完了日", "Closed on"),
    "h_closed_by": ("完了者", "Closed by"),
    # 3. coverage
    "s_coverage": ("3. 要件とルールの対応（カバレッジ）", "3. Requirements and the rules that cover them"),
    "coverage_basis": (
        "要件は各ルールが根拠として引用する資料の箇所（sources）から作成した。リポジトリには義務の一覧表がないため、"
        "どのルールにも引用されていない要件はこの表に現れない。",
        "The requirements are the seed passages the rules cite as their sources. The repository holds no table of "
        "obligations, so a requirement no rule cites does not appear here.",
    ),
    "coverage_lead": (
        "要件{requirements}件、うち対象期間に一度も検知がなかった要件{never}件。",
        "{requirements} requirements; {never} of them with no flag in the period.",
    ),
    "uncited": ("根拠の引用がない有効なルール", "Enabled rules citing no source"),
    "h_source": ("要件（根拠）", "Requirement (source)"),
    "h_title": ("ルール名", "Rule title"),
    "h_enabled": ("有効", "Enabled"),
    "h_flags": ("検知数", "Flags"),
    "h_fired": ("検知", "Fired"),
    "fired": ("検知あり", "fired"),
    "never": ("検知なし", "never fired"),
    # 4. acceptances
    "s_acceptances": ("4. リスク受容とその期限", "4. Risk acceptances and their end dates"),
    "acceptances_lead": (
        "リスク受容{total}件：期限切れ{expired}件、{days}日以内に期限{expiring}件、期限内{in_force}件。",
        "{total} risk acceptances: {expired} expired, {expiring} ending within {days} days, {in_force} in force.",
    ),
    "h_accepted_on": ("受容日", "Accepted on"),
    "h_accepted_by": ("受容者", "Accepted by"),
    "h_until": ("期限", "Until"),
    "h_state": ("状態", "State"),
    "st_expired": ("期限切れ", "expired"),
    "st_expiring": ("期限間近", "ending soon"),
    "st_in_force": ("期限内", "in force"),
    "st_no_end": ("期限の記録なし", "no end date recorded"),
    # 5. cadence
    "s_cadence": ("5. リスク管理委員会への報告の頻度", "5. Reporting cadence to the risk management committee"),
    "cadence_lead": (
        "委託先の点検状況は2か月ごとにリスク管理委員会へ報告する（S2:270）。作成された委員会資料と、資料のない期間（空白）を示す。",
        "The status of contractor inspections goes to the risk management committee every two months (S2:270). The "
        "committee packs generated, and the stretches of the period no pack covers (gaps).",
    ),
    "h_pack_period": ("資料の対象期間", "Pack period"),
    "h_months": ("月数", "Months"),
    "h_versions": ("版数", "Versions"),
    "h_first_as_of": ("初版のデータ時点", "First version's data date"),
    "h_cadence_ok": ("2か月以内", "Within two months"),
    "gaps": ("空白期間", "Gaps"),
    "no_gaps": ("空白期間なし", "No gaps"),
    "no_packs": ("委員会資料は作成されていません", "No committee pack was generated"),
    # 6. completeness
    "s_completeness": ("6. データの完全性", "6. Data completeness"),
    "daily_lead": (
        "日次業務報告：対象拠点{units}か所、営業日ごとに1件。提出率{rate}（受領{received}件／予定{expected}件）。",
        "Daily reports: {units} units owe one per business day. Submission rate {rate} ({received} received of {expected} expected).",
    ),
    "h_month": ("月", "Month"),
    "h_business_days": ("営業日数", "Business days"),
    "h_expected": ("予定", "Expected"),
    "h_received": ("受領", "Received"),
    "h_rate": ("提出率（％）", "Rate (%)"),
    "rejects_lead": (
        "取込を拒否したレコード{total}件（未処理{unhandled}件）。ルールの対象にならなかったデータである。",
        "{total} records rejected at ingest ({unhandled} not yet dealt with): data no rule saw.",
    ),
    "h_file": ("取込元", "Source"),
    "h_record_type": ("レコード種別", "Record type"),
    "h_rejected": ("拒否", "Rejected"),
    "h_unhandled": ("未処理", "Not dealt with"),
    # 7. publication
    "s_publication": ("7. 事務処理誤り報告と公表判断の照合", "7. Error reports reconciled with publication decisions"),
    "publication_lead": (
        "対象期間に発見された事務処理誤り{reports}件：公表{publish}件、非公表{withhold}件、公表判断なし{undecided}件（発見月別）。",
        "{reports} errors discovered in the period: {publish} to publish, {withhold} withheld, {undecided} with no "
        "decision (by month of discovery).",
    ),
    "h_reports": ("報告", "Reports"),
    "h_publish": ("公表", "Publish"),
    "h_withhold": ("非公表", "Withhold"),
    "h_undecided": ("判断なし", "No decision"),
    "undecided_cases": ("公表判断のない事案", "Cases without a publication decision"),
    "h_case": ("事案番号", "Case"),
    "h_unit": ("部署", "Unit"),
    "h_discovered_on": ("発見日", "Discovered on"),
    "h_category": ("分類", "Category"),
    # 8. findings
    "s_findings": ("8. 監査指摘事項のフォローアップ", "8. Follow-up of audit findings"),
    "findings_lead": (
        "対象期間の指摘{reported}件。データ時点で改善確認前の指摘{open}件、"
        "うち期限超過の検知がある指摘{overdue}件（R32改善計画、R33フォローアップ報告）。",
        "{reported} findings reported in the period. {open} not yet confirmed as improved at the data date, {overdue} "
        "of them with an overdue flag (R32 improvement plan, R33 follow-up report).",
    ),
    "h_finding": ("指摘番号", "Finding"),
    "h_reported_on": ("指摘日", "Reported on"),
    "h_level": ("区分", "Level"),
    "h_plan_on": ("改善計画", "Improvement plan"),
    "h_followup_on": ("フォローアップ報告", "Follow-up report"),
    "h_overdue": ("期限超過の検知", "Overdue flags"),
    # 9. changes
    "s_changes": ("9. ルール・設定の変更と承認", "9. Rule and config changes and their approvers"),
    "changes_lead": (
        "対象期間の変更{total}件、うち承認なし{unapproved}件、変更者自身による承認{self_approved}件。",
        "{total} changes in the period: {unapproved} not approved, {self_approved} approved by the person who made them.",
    ),
    "h_kind": ("種別", "Kind"),
    "h_key": ("対象", "Item"),
    "h_diff": ("変更内容", "Change"),
    "h_changed_by": ("変更者", "Changed by"),
    "h_changed_at": ("変更日時", "Changed at"),
    "h_approved_by": ("承認者", "Approved by"),
    "h_approved_at": ("承認日時", "Approved at"),
    "h_note": ("備考", "Note"),
    "ch_unapproved": ("承認なし", "not approved"),
    "ch_self_approved": ("自己承認", "self-approved"),
    "ch_approved": ("承認済", "approved"),
    # 10. audit planning
    "s_planning": ("10. 監査計画への入力", "10. Input to audit planning"),
    "planning_lead": (
        "同種の事務処理誤りの再発（R05）。第三線はエスカレーション先ではなく（独立性、S3:530）、監査計画の入力として受け取る（S3:562-563）。",
        "Recurring errors of one kind (R05). The third line is no escalation target (independence, S3:530); it takes "
        "them as an input to its audit plan (S3:562-563).",
    ),
    # sheet names (31 characters at most)
    "x_handling": ("案件対応", "Handling"),
    "x_strata": ("サンプル_層", "Sample strata"),
    "x_sample": ("サンプル_案件", "Sample cases"),
    "x_coverage": ("カバレッジ", "Coverage"),
    "x_acceptances": ("リスク受容", "Risk acceptances"),
    "x_cadence": ("委員会報告", "Committee packs"),
    "x_gaps": ("委員会報告_空白", "Committee gaps"),
    "x_daily": ("日報提出率", "Daily reports"),
    "x_rejects": ("取込拒否", "Rejected records"),
    "x_publication": ("公表判断", "Publication"),
    "x_undecided": ("公表判断なし", "No decision"),
    "x_findings": ("監査指摘", "Audit findings"),
    "x_changes": ("変更と承認", "Changes"),
    "x_planning": ("監査計画への入力", "Audit planning"),
    "h_from": ("開始", "From"),
    "h_to": ("終了", "To"),
}
