"""Korean and English names for what the tables hold (groups, activity categories, line items, columns)."""

from __future__ import annotations

import re

LANGS = ("ko", "en")

CATEGORY = {
    "webinar": ("웨비나", "Webinars"),
    "seminar": ("세미나", "Seminars"),
    "training": ("연수", "Training"),
    "conference": ("컨퍼런스", "Conferences"),
    "congress": ("총회", "Congress"),
    "executive_committee": ("집행위원회", "Executive committees"),
    "partnership": ("파트너십", "Partnerships"),
    "platform": ("온라인 플랫폼", "Online platform"),
    "cluster": ("클러스터", "Clusters"),
    "course": ("온라인 강좌", "Courses"),
    "technical_cooperation": ("기술협력", "Technical cooperation"),
    "event": ("행사", "Events"),
    "other": ("기타", "Other"),
}

GROUP = {
    "personnel": ("인건비", "Personnel"),
    "rent_management": ("임대료 및 관리비", "Rent and management"),
    "programs": ("사업비", "Programs"),
    "events": ("행사", "Events"),
    "administration": ("사무관리비", "Office administration"),
    "promotion": ("업무추진비", "Business promotion"),
    "other": ("기타", "Other"),
    "overhead": ("운영경비", "Overhead"),
    "program": ("사업성 경비", "Programs and events"),
}

# English names of line items, matched on words in the Korean name (first match wins).
ITEM_EN = (
    ("임대료", "Rent and building management"),
    ("인건비", "Personnel"),
    ("역량강화", "Member-city capacity training"),
    ("플랫폼", "Online platform"),
    ("클러스터", "Cluster activities"),
    ("네트워크", "City network activities"),
    ("서울의 밤", "Seoul Night reception"),
    ("사무관리비", "Office administration"),
    ("업무추진비", "Business promotion"),
    ("사업비", "Program costs"),
)

METRIC = {
    "cost per event": ("행사당 비용", "cost per event"),
    "cost per event by type": ("항목별 행사 단가", "cost per event by type"),
    "activities": ("활동 현황", "activities"),
    "composition": ("예산 구성", "composition"),
    "execution rate": ("집행률", "execution rate"),
    "personnel cost per head": ("1인당 인건비", "personnel cost per head"),
    "program breakdown": ("사업비 세부 내역", "program breakdown"),
    "budget trend": ("예산 추이", "budget trend"),
}

MEASURE = {
    "amount_krw": ("명목", "Nominal"),
    "amount_2020krw": ("실질 (2020년 불변가격)", "Real (constant 2020 won)"),
    "amount_usd": ("미 달러", "US dollars"),
}

COLUMNS = {
    "fiscal_year": ("회계연도", "Fiscal year"),
    "name_ko": ("항목", "Item"),
    "group": ("항목 구분", "Group"),
    "side": ("경비 성격", "Side"),
    "category": ("유형", "Type"),
    "amount_krw": ("금액 (백만원)", "Amount (million KRW)"),
    "budget_krw": ("예산 (백만원)", "Budget (million KRW)"),
    "executed_krw": ("집행액 (백만원)", "Executed (million KRW)"),
    "available_krw": ("예산현액 (백만원)", "Available (million KRW)"),
    "carried_out_krw": ("차년이월 (백만원)", "Carried over (million KRW)"),
    "unspent_krw": ("집행잔액 (백만원)", "Unspent (million KRW)"),
    "amount_2020krw": ("2020년 불변 (백만원)", "Constant 2020 (million KRW)"),
    "amount_usd": ("미화 (천 달러)", "USD (thousand)"),
    "share_pct": ("비중 (%)", "Share (%)"),
    "share_of_total_pct": ("총액 대비 (%)", "Share of total (%)"),
    "share_of_parent_pct": ("상위 항목 대비 (%)", "Share of parent (%)"),
    "yoy_nominal_pct": ("전년 대비 명목 (%)", "YoY nominal (%)"),
    "yoy_real_pct": ("전년 대비 실질 (%)", "YoY real (%)"),
    "yoy_usd_pct": ("전년 대비 달러 (%)", "YoY USD (%)"),
    "execution_rate_pct": ("집행률 (%)", "Execution rate (%)"),
    "events": ("행사 수", "Events"),
    "activities": ("활동 수", "Activities"),
    "without_count": ("횟수 미기재", "Without count"),
    "cost_per_event_krw": ("행사당 비용 (백만원)", "Cost per event (million KRW)"),
    "cost_per_head_krw": ("1인당 인건비 (백만원)", "Cost per head (million KRW)"),
    "heads": ("인원", "Heads"),
    "basis": ("기준", "Basis"),
    "note": ("비고", "Note"),
    "measure": ("지표", "Measure"),
    "cagr_pct": ("연평균 증가율 (%)", "CAGR (%)"),
    "start": ("시작", "Start"),
    "end": ("종료", "End"),
    "years": ("기간 (년)", "Years"),
    "severity": ("수준", "Severity"),
    "check": ("점검 항목", "Check"),
    "message": ("내용", "Message"),
    "source_line": ("원문 행", "Source line"),
    "document_id": ("문서", "Document"),
    "description_ko": ("내용", "Description"),
    "count": ("횟수", "Count"),
    "month": ("월", "Month"),
    "events_by_category": ("유형별 행사", "Events by type"),
    "uncounted_activities": ("횟수 미기재 활동", "Activities without count"),
    "date": ("연월", "Date"),
    "event_ko": ("내용", "Event"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return pair[0] if lang == "ko" else pair[1]


def category_label(category: str, lang: str) -> str:
    return _pick(CATEGORY.get(category, (category, category)), lang)


def group_label(group: str, lang: str) -> str:
    return _pick(GROUP.get(group, (group, group)), lang)


def metric_label(metric: str, lang: str) -> str:
    return _pick(METRIC.get(metric, (metric, metric)), lang)


def measure_label(measure: str, lang: str) -> str:
    return _pick(MEASURE.get(measure, (measure, measure)), lang)


def column_label(column: str, lang: str) -> str:
    return _pick(COLUMNS.get(column, (column, column)), lang)


def item_label(name_ko: str, lang: str) -> str:
    """A line item's name in the chosen language; numbered committees become '44th Executive Committee'.
    Names without an English entry stay in Korean (the figures' font renders them)."""
    if lang == "ko":
        return name_ko
    _pick(("", ""), lang)
    if m := re.search(r"제\s*(\d+)\s*차\s*집행위원회", name_ko):
        return f"{_ordinal(int(m.group(1)))} Executive Committee"
    if m := re.search(r"제\s*(\d+)\s*차.*총회", name_ko):
        return f"{_ordinal(int(m.group(1)))} Congress"
    for word, english in ITEM_EN:
        if word in name_ko:
            return english
    return name_ko


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


__all__ = ["category_label", "group_label", "column_label", "item_label", "metric_label", "measure_label"]
