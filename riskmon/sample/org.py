"""A realistic organisation: 11 地域部, ~300 年金事務所, 16 事務センター, HQ, the second-line
departments and 監査部 (domain.md §1.2, §1.5), plus a few dozen contractors.

Offices are named after a municipality or ward of their prefecture (riskmon/sample/places.py), one
name each; the 16 事務センター are the 広域事務センター of the consolidation (S0:926, S0:1030), five
of them where S0:330-335 names one (埼玉, 東京, 広島, 名古屋, 高松), the rest one per large region."""

from __future__ import annotations

import random
from dataclasses import dataclass

from riskmon.sample.places import PLACES

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
# the 16 事務センター (S0:926): (name, region index in REGIONS, prefecture)
CENTRES: list[tuple[str, int, str]] = [
    ("北海道広域事務センター", 0, "北海道"),
    ("宮城広域事務センター", 1, "宮城"),
    ("埼玉広域事務センター", 2, "埼玉"),
    ("群馬広域事務センター", 2, "群馬"),
    ("千葉広域事務センター", 3, "千葉"),
    ("神奈川広域事務センター", 3, "神奈川"),
    ("東京広域事務センター", 4, "東京"),
    ("名古屋広域事務センター", 5, "愛知"),
    ("静岡広域事務センター", 5, "静岡"),
    ("大阪広域事務センター", 6, "大阪"),
    ("兵庫広域事務センター", 6, "兵庫"),
    ("広島広域事務センター", 7, "広島"),
    ("高松広域事務センター", 8, "香川"),
    ("福岡広域事務センター", 9, "福岡"),
    ("熊本広域事務センター", 9, "熊本"),
    ("沖縄事務センター", 10, "沖縄"),
]

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
    per_pref = _allocate(offices, prefs, weights, rng)
    for i, (name, en, _) in enumerate(REGIONS, 1):
        units.append(_unit(f"RD{i:02d}", name, "regional_division", f"{en} Regional Division"))
    pension_offices: list[str] = []
    n = 0
    for (region, pref), count in zip(prefs, per_pref, strict=True):
        for k in range(count):
            n += 1
            uid = f"PO-{n:03d}"
            units.append(
                _unit(
                    uid,
                    _office_name(pref, k),
                    "pension_office",
                    f"{uid} pension office",
                    parent=f"RD{region + 1:02d}",
                    prefecture=pref,
                )
            )
            pension_offices.append(uid)
    centers: list[str] = []
    for i, (name, region, pref) in enumerate(CENTRES):
        uid = f"AC-{i + 1:02d}"
        units.append(
            _unit(uid, name, "administration_center", f"{uid} administration centre", parent=f"RD{region + 1:02d}", prefecture=pref)
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


def _office_name(pref: str, k: int) -> str:
    """The k-th office of a prefecture: its own place name; past the names (benchmark sizes only)
    the place name again with a running number, still unique (「八王子第2年金事務所」)."""
    places = PLACES[pref]
    place = places[k % len(places)]
    return f"{place}年金事務所" if k < len(places) else f"{place}第{k // len(places) + 1}年金事務所"


def _allocate(offices: int, prefs: list[tuple[int, str]], weights: list[int], rng: random.Random) -> list[int]:
    """Offices per prefecture: one each, the rest by weight, none beyond the prefecture's names —
    unless there are more offices than names (the benchmarks' thousands), then by weight alone."""
    capacity = [len(PLACES[p]) for _, p in prefs]
    if offices > sum(capacity):
        capacity = [offices] * len(prefs)
    if offices < len(prefs):
        return [1 if i < offices else 0 for i in range(len(prefs))]
    per_pref = [1] * len(prefs)
    for _ in range(offices - len(prefs)):
        room = [w if n < c else 0 for w, n, c in zip(weights, per_pref, capacity, strict=True)]
        per_pref[rng.choices(range(len(prefs)), weights=room)[0]] += 1
    return per_pref


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
