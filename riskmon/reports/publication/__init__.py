"""The 機構's publications of 事務処理誤り等: the 月次公表 (riskmon.reports.monthly) and the 年次公表
(:mod:`.annual`), over one selection of cases (:mod:`.cases`), one set of aggregates (:mod:`.tables`)
and one writer (:mod:`.output`) — so the year's tables always add up to its months' lists."""
