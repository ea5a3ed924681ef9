"""Reports for the リスク管理委員会 and the 月次公表: data, then Markdown / HTML / xlsx."""
