"""Fixed phrases of the documents riskmon writes: the committee pack (Markdown, HTML, xlsx sheet
names and headers), the assurance report, and the daily digests of the outbox.

Catalogue content only, read through :func:`riskmon.i18n.phrase` (namespaces ``report`` and
``review``); :func:`riskmon.i18n.catalogue` walks it for the completeness test.
"""

from __future__ import annotations

#: ``report``: the committee pack and the assurance report (riskmon.reports, riskmon.review.assurance).
REPORT: dict[str, tuple[str, str]] = {
    "stop": ("。", "."),
    "colon": ("：", ": "),
    "prepared_on": ("作成日", "Prepared on"),
    "department": ("作成部署", "Prepared by"),
    "handling": ("取扱区分", "Handling"),
    "appendix": ("付録：データの出所", "Appendix: where the data comes from"),
    "title": ("リスク管理委員会資料", "Risk Management Committee pack"),
    "period": ("対象期間", "Period"),
    "prev_period": ("前年同期", "same period last year"),
    "as_of": ("データ時点", "Data as of"),
    "data_hash": ("データハッシュ", "data hash"),
    "rule_versions": ("ルール版", "Rule versions"),
    "s1": ("1. 外部委託検査の実施状況", "1. Outsourcing inspections"),
    "count": ("実施件数", "inspections"),
    "ncs": ("不適事項件数", "nonconformities"),
    "ref": ("参考：", "for reference: "),
    "nc_details": ("不適事項の内容", "Nonconformities"),
    "no_ncs": ("不適事項はありません。", "No nonconformities."),
    "h_date": ("検査日", "inspected"),
    "h_type": ("検査", "inspection"),
    "h_contractor": ("委託先", "contractor"),
    "h_contract": ("契約", "contract"),
    "h_aspect": ("観点", "aspect"),
    "h_desc": ("内容", "description"),
    "h_due": ("改善期限", "due"),
    "h_fix": ("改善状況", "remediation"),
    "nc_open": ("未解消", "open"),
    "nc_same_day": ("検査当日に解消", "remedied on the inspection day"),
    "nc_footnote_same_day": (
        "※不適事項：{what}{etc}。いずれのケースも検査当日に不備が解消。",
        "* Nonconformities: {what}{etc}. In every case the defect was remedied on the inspection day.",
    ),
    "nc_footnote": ("※不適事項：{what}{etc}。うち未解消{open}件。", "* Nonconformities: {what}{etc}. Still open: {open}."),
    "contract_findings": ("契約単位の指摘事項", "Findings about contracts"),
    "no_contract_findings": ("契約単位の指摘事項はありません。", "No findings about contracts."),
    "h_finding": ("指摘", "finding"),
    "h_state": ("状況", "state"),
    "cf_open": ("対応中", "open"),
    "cf_closed": ("完了", "closed"),
    "nc_remedied_on": ("{day}に解消", "remedied {day}"),
    "s2": ("2. 事務処理誤り", "2. Processing errors"),
    "ytd": ("年度累計", "Fiscal year to date"),
    "errors_sentence": (
        "{period}の事務処理誤り発生件数は{total}件、うち重点三事案{priority}件。{fy}の累計は{ytd}件（{month}末時点）。",
        "{period}: {total} processing errors, of which {priority} priority incidents. {fy} to date: {ytd} (to the end of {month}).",
    ),
    "flags_sentence": (
        "新規{opened}件、完了{closed}件、未完了{open}件（うち期限超過{overdue}件）、エスカレーション{escalations}件。",
        "Opened {opened}, closed {closed}, open {open} (of which overdue {overdue}), escalations {escalations}.",
    ),
    "score_formula": (
        "スコア（最大25点）＝フラグ点（未完了の重大3点・高2点・中1点、上限10点）＋事務処理誤り点（期間中の重点三事案2点・"
        "その他1点、上限10点）＋滞留点（最古の未処理日数が4日を超える日数、上限5点）。"
        "事務処理誤りは1回だけ数え、事案に対するフラグは対応期限のあるものだけをフラグ点に含める。",
        "score (at most 25) = flag points (open critical 3, high 2, medium 1; at most 10) + error points (priority incidents"
        " of the period 2, other errors 1; at most 10) + backlog points (days the oldest pending item exceeds 4; at most 5)."
        " An error counts once: of the flags about an error case, only those with a deadline add flag points.",
    ),
    "month": ("月", "month"),
    "n": ("件数", "count"),
    "by_month": ("月別件数", "By month"),
    "by_category": ("分類別件数（赤は重点三事案）", "By category (red: priority incidents)"),
    "category": ("分類", "category"),
    "priority_tag": ("（重点三事案）", " (priority)"),
    "count_item": ("{label}{n}件", "{label} {n}"),
    "by_area": ("業務区分別", "By business area"),
    "by_cause": ("原因別", "By cause"),
    "overdue_priority": ("期限を過ぎている重点三事案", "Overdue priority incidents"),
    "none": ("ありません。", "None."),
    "h_case": ("事案", "case"),
    "h_owner": ("担当", "owner"),
    "h_over": ("超過（営業日）", "business days overdue"),
    "s3": ("3. フラグ（検知事項）", "3. Flags"),
    "opened": ("新規", "opened"),
    "resolved": ("完了", "closed"),  # 完了, never クローズ (riskmon.domain)
    "open": ("未完了", "open"),
    "overdue": ("期限超過", "overdue"),
    "escalations": ("エスカレーション", "escalations"),
    "by_line": ("三線防御の区分別", "by line of defence"),
    "by_severity": ("重大度別", "by severity"),
    "by_risk": ("リスク区分別", "by risk category"),
    "overdue_by_line": ("期限超過（三線防御の区分別）", "overdue by line of defence"),
    "breakdown": ("内訳（未完了）", "breakdown (open)"),
    "group": ("区分", "group"),
    "risky": ("リスクの高い拠点", "Highest-risk offices"),
    "formula": ("算式", "Formula"),
    "h_office": ("拠点", "office"),
    "h_score": ("スコア", "score"),
    "h_prio": ("重点三事案", "priority"),
    "h_other": ("その他の誤り", "other errors"),
    "h_backlog": ("滞留", "backlog"),
    "s4": ("4. 前回資料からの変化", "4. Changes since the previous pack"),
    "since_prev": (
        "前回（{period}）：新規{new}件、完了{closed}件、悪化{worse}件。",
        "Since the previous pack ({period}): opened {new}, closed {closed}, worsened {worse}.",
    ),
    "worsened": ("悪化", "worsened"),
    "first_pack": ("前回の資料はありません（初回）。", "No previous pack (this is the first)."),
    # the xlsx: sheet names and the headers not named above
    "x_inspections": ("外部委託検査", "Inspections"),
    "x_ncs": ("不適事項", "Nonconformities"),
    "x_errors_by_month": ("事務処理誤り_月別", "Errors by month"),
    "x_errors_by_category": ("事務処理誤り_分類別", "Errors by category"),
    "x_overdue_priority": ("重点三事案_期限超過", "Overdue priority"),
    "x_risky": ("リスクの高い拠点", "Highest-risk offices"),
    "x_priority_mark": ("○", "yes"),
    "h_other_short": ("その他", "other"),
    "h_deadline": ("対応期限", "deadline"),
    "h_done": ("対応完了日", "completed"),
    "h_late": ("遅延（営業日）", "business days late"),
    "funnel": ("拠点別の発生率（処理件数1万件当たり）", "Error rates by office (per 10,000 forms processed)"),
    "funnel_method": (
        "各拠点の事務処理誤り件数を、日報の処理件数1万件当たりの発生率として全国平均（{national}件）と比べた。"
        "全国平均と同じ発生率であれば、件数は処理件数に応じたポアソン分布に従い、95％限界の内側に20拠点中19拠点、"
        "99.8％限界の内側に1,000拠点中998拠点が収まる。限界は処理件数が少ないほど広いため、規模の大きい拠点が件数の多さだけで、"
        "小さい拠点が件数の少なさだけで目立つことはない。99.8％限界の外側の拠点は偶然では説明しにくく、"
        "上側は処理量を超えて誤りが多いこと、下側は誤りが少ないか報告漏れの可能性を示す。"
        "対象：{offices}拠点、誤り{errors}件、処理件数{forms}件。",
        "Each office's processing errors per 10,000 forms processed (daily reports) against the national rate ({national}). "
        "At the national rate an office's count would be Poisson with a mean set by its volume, and 19 offices in 20 would fall "
        "inside the 95 % limits, 998 in 1,000 inside the 99.8 % limits. The limits are wider for smaller volumes, so a large "
        "office does not stand out for being large, nor a small one for small counts. An office outside the 99.8 % limits is "
        "unlikely to differ by chance: above, more errors than its volume explains; below, fewer — or errors not reported. "
        "Covered: {offices} offices, {errors} errors, {forms} forms processed.",
    ),
    "funnel_x": ("処理件数（期間計）", "forms processed (period)"),
    "funnel_y": ("1万件当たり誤り件数", "errors per 10,000 forms"),
    "funnel_national": ("全国平均", "national rate"),
    "funnel_l95": ("95％限界", "95 % limits"),
    "funnel_l998": ("99.8％限界", "99.8 % limits"),
    "funnel_outside": ("限界の外側にある拠点", "Offices outside the limits"),
    "funnel_none": ("95％限界の外側にある拠点はありません。", "No office is outside the 95 % limits."),
    "h_errors": ("誤り件数", "errors"),
    "h_forms": ("処理件数", "forms processed"),
    "h_rate": ("1万件当たり", "per 10,000"),
    "h_expected": ("全国平均での期待件数", "expected at the national rate"),
    "h_position": ("位置", "position"),
    "above_998": ("99.8％限界の上", "above the 99.8 % limit"),
    "below_998": ("99.8％限界の下", "below the 99.8 % limit"),
    "above_95": ("95％限界の上", "above the 95 % limit"),
    "below_95": ("95％限界の下", "below the 95 % limit"),
    "x_funnel": ("拠点別発生率", "Error rates by office"),
    "late_priority": ("期限後に対応が完了した事案", "Priority incidents completed after the deadline"),
    "x_late_priority": ("重点三事案_期限後完了", "Completed late"),
}

#: ``review``: the daily digests of the outbox (riskmon.review.escalation).
REVIEW: dict[str, tuple[str, str]] = {
    "n_title": ("riskmon 通知", "riskmon notifications"),
    "n_new": ("新規", "new"),
    "n_escalated": ("エスカレーション", "escalated"),
    "n_informed": ("通知（担当外）", "for information"),
    # the users master (riskmon users load, 利用者管理's upload): riskmon.review.users
    "users_unknown_role": ("不明なロール「{value}」です{hint}。候補：{roles}", "unknown role '{value}'{hint}; valid roles: {roles}"),
    "users_did_you_mean": ("（もしかして「{guess}」？）", " (did you mean '{guess}'?)"),
    "users_bad_id": (
        "「{value}」は利用者IDに使えません。英字・数字・「.」「_」「-」だけで、英字か数字で始まる{max}文字以内にしてください",
        "'{value}' cannot be a user id: use letters, digits, '.', '_' and '-' only, start with a letter or digit, at most {max} characters",
    ),
    "users_nothing_loaded": (
        "利用者は1名も登録していません。ファイルを直して再度読み込んでください",
        "no user was loaded; fix the file and load it again",
    ),
}
