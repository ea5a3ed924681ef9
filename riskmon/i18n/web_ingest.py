"""The words of the web's 取込 page and 日次業務報告 form (issue #14; riskmon.app_ingest), and the
columns of the rejects CSV they hand out. Part of the ``web`` namespace (riskmon.i18n joins it),
so the pages' ``t('key')`` and the library's ``phrase("web", key)`` say the same thing."""

from __future__ import annotations

INGEST_WORDS: dict[str, tuple[str, str]] = {
    # イベント: a cell an office form rewrote, beside the value read from it (riskmon.ingest.cells)
    "ev_as_written": ("（ファイルの記載：{text}）", "(as written in the file: {text})"),
    "nav_upload": ("取込", "Upload"),
    "nav_daily": ("日次業務報告", "Daily report"),
    "upload_title": ("データの取込", "Upload event files"),
    "upload_intro": (
        "イベントファイル（.jsonl / .csv / .xlsx）を送ると、riskmon ingest と同じ手順で取り込みます。"
        "取り込めない記録は理由とともに取込エラーとして残り、ほかの記録は取り込まれます",
        "Event files (.jsonl / .csv / .xlsx) sent here are ingested exactly as riskmon ingest does: a record that cannot be taken is "
        "kept as an import error with its reasons, and the other records go in",
    ),
    "upload_own_units": ("取り込めるのは自部署（{units}）の記録だけです", "Only your own unit's records ({units}) can be uploaded"),
    "upload_files": ("ファイル", "Files"),
    "upload_help": (
        "一度に{files}個、合わせて{max}バイトまで。送ったファイルは取込実行ごとに保管されます",
        "Up to {files} files and {max} bytes at once. The files sent are kept with their ingest run",
    ),
    "upload_button": ("取り込む", "Upload"),
    "upload_result": ("取込実行{run}の結果", "Ingest run {run}"),
    "upload_files_sent": ("送ったファイル", "Files sent"),
    "up_accepted": ("取込", "accepted"),
    "up_duplicates": ("重複（登録済み）", "duplicates (already stored)"),
    "up_conflicts": ("競合", "conflicts"),
    "up_rejected": ("取込エラー", "rejected"),
    "up_skipped": ("読み込まなかったファイル", "Files not read"),
    "up_all_in": ("すべての記録を取り込みました", "Every record went in"),
    "up_rejects_title": ("取り込めなかった記録", "Records not taken"),
    "up_rejects_help": (
        "CSVをダウンロードし、元のファイルの該当行を直して、もう一度送ってください",
        "Download the CSV, correct those lines in your file and upload it again",
    ),
    "up_more": ("…ほか{n}件（CSVには全件あります）", "... and {n} more (the CSV has them all)"),
    "up_download": ("取込エラーをCSVでダウンロード", "Download the import errors as CSV"),
    "ingest_refused_line": (
        "取込は第一線と第二線の利用者だけが行えます（第三線・役員は閲覧のみ）",
        "only first- and second-line users upload (the third line and executives read only)",
    ),
    "daily_refused": (
        "日次業務報告を提出できるのは第一線の所属長だけです",
        "only a first-line office head (site_manager) submits the daily report",
    ),
    "daily_title": ("日次業務報告", "Daily report"),
    "daily_intro": (
        "拠点長の日次業務報告です。提出すると、ファイルの取込と同じ手順で取り込みます。"
        "同じ業務日の報告を同じ内容でもう一度送ると重複、違う内容なら競合として扱い、登録済みの報告は上書きしません",
        "The office head's daily report. It is ingested exactly as a file is: sending the same day's report again with the "
        "same content is a duplicate, with different content a conflict, and a stored report is never overwritten",
    ),
    "daily_unit": ("部署", "Unit"),
    "daily_required": ("必須項目", "Required"),
    "daily_optional": ("任意項目（届書別・媒体別の処理件数と処理日数）", "Optional (forms processed and days, by form and medium)"),
    "daily_optional_help": (
        "処理件数と処理日数は両方書くか両方空欄にしてください",
        "Give both the count and the days of a line, or leave both empty",
    ),
    "daily_submit": ("提出する", "Submit"),
    "daily_problems": ("入力内容を確認してください（{n}件）。何も提出していません", "Check the form ({n} problems); nothing was submitted"),
    "daily_accepted": (
        "{date}の日次業務報告を受け付けました（取込実行{run}）",
        "The daily report for {date} was accepted (ingest run {run})",
    ),
    "daily_duplicate": (
        "{date}の日次業務報告は同じ内容で提出済みです。変更はありません（重複、取込実行{run}）",
        "The daily report for {date} was already submitted with this content; nothing changed (duplicate, ingest run {run})",
    ),
    "daily_conflict": (
        "{date}の日次業務報告は既に別の内容で提出されています。提出済みの報告は上書きしません（競合、取込実行{run}）",
        "A daily report for {date} was already submitted with different content; the stored report is not overwritten "
        "(conflict, ingest run {run})",
    ),
    "daily_rejected": (
        "{date}の日次業務報告は取り込めませんでした（取込実行{run}）",
        "The daily report for {date} was not taken (ingest run {run})",
    ),
    "rj_file": ("ファイル", "file"),
    "rj_line": ("行", "line"),
    "rj_type": ("種類", "type"),
    "rj_event_id": ("イベントID", "event id"),
    "rj_field": ("項目", "field"),
    "rj_reason": ("理由", "reason"),
    "rj_raw": ("元の記録", "record as read"),
}
