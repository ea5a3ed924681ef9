"""The words of the 機構's publications: the 月次公表 「事務処理誤り等（令和7年5月分）の公表について」
and the 年次公表 「令和7年度事務処理誤り等の状況」 (S1:2090, S1:2642-2647; S2:366, S2:395).

A namespace of its own (``publication``) rather than more keys in ``report``: the publication is read
by the public, the committee pack by the committee, and the two are worded apart. The seeds name the
publications but not their column labels; the labels below are the ones the 機構's monthly release
uses (番号, 事象, 発生（判明）年月日, 拠点, 概要, 影響お客様数, 金額, 対応状況), given in the brief;
事象 is what the error did to the customer's money (未払い・過払い・過徴収・未徴収・誤還付, issue #13),
and 種類 the case's category (誤送付, 給付誤り …) in the list.

判明契機 (how a case was found) are worded here too, keyed ``ch_<discovery_channel>``: the event
vocabulary names the event types (日次業務報告), not the way a case came to light.
"""

from __future__ import annotations

PUBLICATION: dict[str, tuple[str, str]] = {
    # titles and the draft mark (the document is a draft until the 情報開示 decision publishes it)
    "title_monthly": ("事務処理誤り等（{month}分）の公表について", "Publication of processing errors etc. ({month})"),
    "title_annual": ("{fy}事務処理誤り等の状況", "Processing errors etc. in {fy}"),
    "draft": ("（案）", " (draft)"),
    "colon": ("：", ": "),
    "as_of": ("データ時点", "Data as of"),
    "data_hash": ("データハッシュ", "Data hash"),
    "published_count": ("公表件数", "Cases published"),
    "count_unit": ("{n}件", "{n}"),
    "monthly_scope": (
        "{month}中にお客様への対応及び詳細報告（原因と再発防止策）が完了した事務処理誤り等（事件・事故を含む）を公表します。",
        "Processing errors etc. (incidents and accidents included) whose customer response and detailed report "
        "(cause and prevention measures) were completed in {month}.",
    ),
    "annual_scope": (
        "{fy}の月次公表の対象となった事案（各月中にお客様への対応及び詳細報告が完了した事案）の状況です。",
        "The cases of {fy}'s monthly publications (customer response and detailed report completed in the month).",
    ),
    "withheld_sentence": (
        "このほか、公表しないと判断した事案が{n}件あります（理由別の件数は下表）。",
        "Besides, decided not to publish: {n} (by reason below).",
    ),
    "undecided_sentence": (
        "公表判断が未了の事案が{n}件あります。公表の対象ではありません（確認用に末尾へ掲げます）。",
        "No publication decision yet: {n}. Not published (listed at the end for checking).",
    ),
    "undecided_annual": (
        "公表判断が未了の事案が{n}件あります（公表の対象外）。",
        "No publication decision yet: {n} (not published).",
    ),
    "no_cases": ("該当する事案はありません。", "No cases."),
    # sections
    "s_list": ("公表事案", "Cases published"),
    "s_by_impact": ("事象別の件数・金額", "By financial impact"),
    "s_by_channel": ("判明契機別の件数", "By how discovered"),
    "s_by_scheme": ("制度別の件数", "By scheme"),
    "amount_note": (
        "金額はお客様への影響額（円）で、その事象（未払い・過払い・過徴収・未徴収・誤還付）の額です。",
        "Amounts are the amount of impact on the customers (yen), of the case's financial impact (underpayment, overpayment, "
        "overcollection, undercollection or wrong refund).",
    ),
    "impact_note": (
        "事象ごとの金額の合計です。「うち金銭的影響あり」は未払い・過払い・過徴収・未徴収・誤還付の計です。",
        "Amounts are summed by financial impact; 'of which with financial impact' adds up the first five rows.",
    ),
    "unrecorded_note": (
        "未記録は、事象・制度の項目がない事務処理誤り報告（項目の追加前に報告されたもの）です。",
        "'Not recorded': the error report has no financial impact or scheme (reported before those fields existed).",
    ),
    "subtotal_financial": ("うち金銭的影響あり", "of which with financial impact"),
    "unrecorded": ("未記録", "not recorded"),
    "s_withheld": ("公表しない事案（理由別）", "Not published (by reason)"),
    "s_undecided": ("公表判断未了の事案（公表対象外・確認用）", "No publication decision yet (not published; for checking)"),
    "s_by_fy_occurred": ("発生年度別の件数", "By fiscal year of occurrence"),
    "s_by_fy_discovered": ("判明年度別の件数", "By fiscal year of discovery"),
    # the case list's columns, as the monthly release heads them
    "h_no": ("番号", "No."),
    "h_kind": ("種類", "Kind"),
    "h_event": ("事象", "Financial impact"),
    "h_scheme": ("制度", "Scheme"),
    "h_date": ("発生（判明）年月日", "Occurred (discovered)"),
    "h_occurred": ("発生年月日", "Occurred on"),
    "h_discovered": ("判明年月日", "Discovered on"),
    "h_office": ("拠点", "Office"),
    "h_summary": ("概要", "Summary"),
    "h_customers": ("影響お客様数", "Customers affected"),
    "h_amount": ("金額", "Amount (yen)"),
    "h_status": ("対応状況", "Status"),
    "h_cause": ("発生原因", "Cause"),
    "h_prevention": ("再発防止策", "Prevention measures"),
    "of_which": (
        "（うち金銭的影響あり{money}件、個人情報の関与あり{personal}件）",
        " (with financial impact: {money}; personal information involved: {personal})",
    ),
    "h_case": ("事案番号", "Case"),
    "h_count": ("件数", "Cases"),
    "h_reason": ("理由", "Reason"),
    "h_ready": ("詳細報告完了日", "Detailed report completed on"),
    "h_channel": ("判明契機", "How discovered"),
    "total": ("合計", "Total"),
    "unknown": ("不明", "unknown"),
    # 対応状況 of a published case (every one has its customer response and detailed report done)
    "st_closed": ("対応完了", "Completed"),
    "st_rollout": ("お客様対応済み（再発防止策の徹底中）", "Customers handled (prevention being rolled out)"),
    # 事件・事故 are named in the 事象 column: 「誤送付（事件）」
    "kind_suffix": ("（{kind}）", " ({kind})"),
    # 判明契機 (DiscoveryChannel)
    "ch_daily_report": ("日報", "Daily report"),
    "ch_error_report": ("事務処理誤り報告", "Error report"),
    "ch_customer_voice": ("お客様の声", "Customer voice"),
    "ch_award_check": ("年金決定時等の確認", "Check at award"),
    "ch_system_check": ("システムによる確認", "System check"),
    "ch_audit": ("監査", "Audit"),
    "ch_outsourcing_inspection": ("外部委託検査", "Outsourcing inspection"),
    "ch_contractor_report": ("委託業者からの報告", "Contractor's report"),
    "ch_other": ("その他", "Other"),
}
