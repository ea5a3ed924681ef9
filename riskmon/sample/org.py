"""A realistic organisation: 11 地域部, ~300 年金事務所, 16 事務センター, HQ, the second-line
departments and 監査部 (domain.md §1.2, §1.5), plus a few dozen contractors."""

from __future__ import annotations

import random
from dataclasses import dataclass

# (地域部 name, English, prefectures) — eleven divisions as in FY2025 (S2:369).
REGIONS: list[tuple[str, str, list[str]]] = [
    ("北海道地域部", "Hokkaido", ["北海道"]),
    ("東北地域部", "Tohoku", ["青森", "岩手", "宮城", "秋田", "山形", "福島"]),
    ("北関東・信越地域部", "Kita-Kanto/Shinetsu", ["茨城", "栃木", "群馬", "埼玉", "新潟", "長野"]),
    ("南関東地域部", "Minami-Kanto", ["千葉", "神奈川", "山梨"]),
    ("東京地域部", "Tokyo", ["東京"]),
    ("中部地域部", "Chubu", ["富山", "石川", "福井", "岐阜", "静岡", "愛知", "三重"]),
    ("近畿地域部", "Kinki", ["滋賀", "京都", "大阪", "兵庫", "奈良", "和歌山"]),
    ("中国地域部", "Chugoku", ["鳥取", "島根", "岡山", "広島", "山口"]),
    ("四国地域部", "Shikoku", ["徳島", "香川", "愛媛", "高知"]),
    ("九州地域部", "Kyushu", ["福岡", "佐賀", "長崎", "熊本", "大分", "宮崎", "鹿児島"]),
    ("沖縄地域部", "Okinawa", ["沖縄"]),
]
_BIG = {"東京": 5, "大阪": 4, "神奈川": 4, "愛知": 3, "埼玉": 3, "千葉": 3, "北海道": 4, "兵庫": 3, "福岡": 3}
_SUFFIX = ["中央", "東", "西", "南", "北", "第一", "第二", "第三", "駅前", "港", "新都心", "川沿い", "山手", "本町"]

HQ_DEPARTMENTS = [
    ("HQ-NP", "国民年金部", "National Pension Dept."),
    ("HQ-EPI", "厚生年金保険部", "Employees' Pension Insurance Dept."),
    ("HQ-BEN", "年金給付業務部", "Benefit Operations Dept."),
    ("HQ-REC", "記録管理部", "Records Management Dept."),
    ("HQ-CS", "お客様サービス推進部", "Customer Service Dept."),
    ("HQ-SYS", "システム運用部", "System Operations Dept."),
    ("HQ-ADM", "事務センター統括部", "Administration Centres Dept."),
    ("HQ-SPC", "特別法人対策部", "Special Corporate Collection Dept."),
]
SECOND_LINE = [
    ("RMD", "リスク統括部", "Risk Management Dept.", "risk_management_department"),
    ("BQM", "業務品質管理部", "Business Quality Management Dept.", "business_quality_management_department"),
    ("PPD", "調達企画部", "Procurement Planning Dept.", "procurement_planning_department"),
    ("IMO", "情報管理対策室", "Information Management Office", "information_management_office"),
    ("SPD", "システム企画部", "System Planning Dept.", "system_planning_department"),
    ("CMP", "コンプライアンス部", "Compliance Dept.", "compliance_department"),
    ("CSIRT", "機構CSIRT", "JPS CSIRT", "csirt"),
]
_CO_A = ["日本", "東洋", "中央", "第一", "太平洋", "みらい", "さくら", "ひかり", "あおば", "大和"]
_CO_B = ["データサービス", "情報処理", "ビジネスサポート", "コールセンター", "印刷", "システムズ", "アウトソーシング"]


@dataclass(frozen=True)
class Org:
    units: list[dict[str, object]]
    offices: list[str]  # 年金事務所 and 事務センター: the sites that send daily reports
    pension_offices: list[str]
    hq_departments: list[str]
    contractors: list[tuple[str, str]]


def build_org(offices: int, rng: random.Random, contractors: int = 40) -> Org:
    units: list[dict[str, object]] = []
    weights = [_BIG.get(p, 1) for _, _, prefs in REGIONS for p in prefs]
    prefs = [(i, p) for i, (_, _, ps) in enumerate(REGIONS) for p in ps]
    # every prefecture gets at least one office, the rest by weight
    per_pref = [1] * len(prefs)
    for i in rng.choices(range(len(prefs)), weights=weights, k=max(0, offices - len(prefs))):
        per_pref[i] += 1
    if offices < len(prefs):
        per_pref = [1 if i < offices else 0 for i in range(len(prefs))]
    for i, (name, en, _) in enumerate(REGIONS, 1):
        units.append(_unit(f"RD{i:02d}", name, "regional_division", f"{en} Regional Division"))
    pension_offices: list[str] = []
    n = 0
    for (region, pref), count in zip(prefs, per_pref, strict=True):
        for k in range(count):
            n += 1
            uid = f"PO-{n:03d}"
            suffix = _SUFFIX[k % len(_SUFFIX)] + ("" if k < len(_SUFFIX) else str(k // len(_SUFFIX) + 1))
            units.append(
                _unit(
                    uid,
                    f"{pref}{suffix}年金事務所",
                    "pension_office",
                    f"{uid} pension office",
                    parent=f"RD{region + 1:02d}",
                    prefecture=pref,
                )
            )
            pension_offices.append(uid)
    centers: list[str] = []
    region_ids = rng.sample(range(len(REGIONS)), k=len(REGIONS)) + list(range(len(REGIONS)))
    for i in range(16):
        region = region_ids[i % len(region_ids)]
        pref = REGIONS[region][2][i % len(REGIONS[region][2])]
        uid = f"AC-{i + 1:02d}"
        units.append(
            _unit(
                uid,
                f"{pref}事務センター",
                "administration_center",
                f"{uid} administration centre",
                parent=f"RD{region + 1:02d}",
                prefecture=pref,
            )
        )
        centers.append(uid)
    for uid, ja, en in HQ_DEPARTMENTS:
        units.append(_unit(uid, ja, "hq_business_department", en))
    units.append(_unit("PC-C", "中央年金センター", "pension_center", "Central Pension Centre"))
    units.append(_unit("PC-D", "障害年金センター", "pension_center", "Disability Pension Centre"))
    for uid, ja, en, kind in SECOND_LINE:
        units.append(_unit(uid, ja, kind, en))
    units.append(_unit("AUD", "監査部", "audit_department", "Audit Dept."))
    units.append(_unit("EXEC", "役員", "executive", "Executives"))
    units.append(_unit("SEC", "常勤役員会", "standing_executive_committee", "Standing Executive Committee"))
    units.append(_unit("RMC", "リスク管理委員会", "risk_management_committee", "Risk Management Committee"))
    names = sorted({f"株式会社{a}{b}" for a in _CO_A for b in _CO_B})
    chosen = rng.sample(names, k=min(contractors, len(names)))
    return Org(
        units=units,
        offices=pension_offices + centers,
        pension_offices=pension_offices,
        hq_departments=[u for u, _, _ in HQ_DEPARTMENTS],
        contractors=[(f"CT-{i + 1:03d}", name) for i, name in enumerate(chosen)],
    )


def _unit(uid: str, ja: str, kind: str, en: str, *, parent: str | None = None, prefecture: str | None = None) -> dict[str, object]:
    return {
        "unit_id": uid,
        "name_ja": ja,
        "name_en": en,
        "unit_type": kind,
        "line": "",
        "parent_unit_id": parent or "",
        "prefecture": prefecture or "",
        "active": "true",
    }
