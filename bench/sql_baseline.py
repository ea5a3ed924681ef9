"""A hand-written SQLite baseline computing the same flags as the shipped rules (bench only).

Used by bench/evaluate.py to measure the engine against plain SQL on the same store, and to check
that both find the same (rule, subject, severity) triples. Business days come from a calendar
table built from the same BusinessCalendar; everything else is SQL.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

from riskmon.business_calendar import BusinessCalendar

LOCAL = "date({col}, '+9 hours')"  # stored instants are UTC; Asia/Tokyo has no DST


def _calendar(con: sqlite3.Connection, cal: BusinessCalendar) -> None:
    con.execute("CREATE TEMP TABLE bd (d TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
    days, n, d = [], 0, date(2018, 1, 1)
    while d <= date(2028, 12, 31):
        if cal.is_business_day(d):
            n += 1
            days.append((d.isoformat(), n))
        d += timedelta(days=1)
    con.executemany("INSERT INTO bd VALUES (?, ?)", days)
    # every calendar day → index of the last business day on or before it
    con.execute("CREATE TEMP TABLE cd (d TEXT PRIMARY KEY, upto INTEGER, nxt INTEGER) WITHOUT ROWID")
    rows, d, last, bdays = [], date(2018, 1, 1), 0, dict(days)
    while d <= date(2028, 12, 31):
        last = bdays.get(d.isoformat(), last)
        rows.append([d.isoformat(), last, None])
        d += timedelta(days=1)
    nxt = None
    for row in reversed(rows):
        if row[0] in bdays:
            nxt = bdays[row[0]]
        row[2] = nxt
    con.executemany("INSERT INTO cd VALUES (?, ?, ?)", rows)


def flags(db: str, as_of: datetime, cal: BusinessCalendar) -> set[tuple[str, str, str]]:
    con = sqlite3.connect(db)
    _calendar(con, cal)
    p = {"asof": as_of.astimezone(cal.tz).strftime("%Y-%m-%d %H:%M:%S"), "asof_d": as_of.astimezone(cal.tz).date().isoformat()}
    con.execute("CREATE TEMP TABLE asof AS SELECT :asof AS t, :asof_d AS d", p)
    out: set[tuple[str, str, str]] = set()
    steps = """
      CREATE TEMP TABLE cases AS
      SELECT er.*, {disc} AS disc_d, datetime(er.discovered_at, '+9 hours') AS disc_t,
             u.parent_unit_id AS region_id, s.notified, s.responded, s.prevention
      FROM error_reports er LEFT JOIN units u ON u.unit_id = er.unit_id
      LEFT JOIN (SELECT case_id,
                   MIN(CASE WHEN step='risk_notified' THEN datetime(at, '+9 hours') END) AS notified,
                   MIN(CASE WHEN step='customer_response_done' THEN datetime(at, '+9 hours') END) AS responded,
                   MIN(CASE WHEN step='prevention_set' THEN datetime(at, '+9 hours') END) AS prevention
                 FROM error_updates WHERE datetime(at, '+9 hours') <= (SELECT t FROM asof) GROUP BY case_id) s
        ON s.case_id = er.case_id
      WHERE datetime(er.discovered_at, '+9 hours') <= (SELECT t FROM asof)
    """.format(disc=LOCAL.format(col="er.discovered_at"))
    con.execute(steps)
    # deadline in business days: due = the N-th business day after the first business day on/after the start
    for rule, stop, days_expr, where, sev in [
        ("R01", "notified", "0", "report_kind = 'processing_error'", "CASE WHEN over_bd >= 3 THEN 'critical' ELSE 'high' END"),
        ("R03", "responded", "5", "is_priority_incident = 0", "CASE WHEN ratio >= 2 THEN 'high' ELSE 'medium' END"),
        ("R03P", "responded", "3", "is_priority_incident = 1", "CASE WHEN ratio >= 2 THEN 'critical' ELSE 'high' END"),
    ]:
        q = f"""
          SELECT case_id, {sev} FROM (
            SELECT c.case_id, due.d AS due_d, COALESCE(c.{stop}, (SELECT t FROM asof)) AS until_t,
                   (SELECT upto FROM cd WHERE d = substr(COALESCE(c.{stop}, (SELECT t FROM asof)), 1, 10)) - due.n AS over_bd,
                   (julianday(COALESCE(c.{stop}, (SELECT t FROM asof))) - julianday(c.disc_t))
                     / (julianday(due.d || ' 23:59:59') - julianday(c.disc_t)) AS ratio
            FROM cases c JOIN cd s ON s.d = c.disc_d JOIN bd due ON due.n = s.nxt + {days_expr}
            WHERE {where})
          WHERE until_t > due_d || ' 23:59:59'
        """
        out |= {(rule, cid, s) for cid, s in con.execute(q)}
    q = """SELECT case_id, CASE WHEN is_priority_incident = 1 THEN 'high' ELSE 'medium' END FROM cases
           WHERE COALESCE(prevention, (SELECT t FROM asof)) > date(disc_t, '+30 days') || ' 23:59:59'"""
    out |= {("R04", cid, s) for cid, s in con.execute(q)}
    q = """SELECT case_id, CASE WHEN personal_info_involved = 1 OR my_number_involved = 1 OR affected_customers >= 10
                  THEN 'critical' ELSE 'high' END FROM cases WHERE is_priority_incident = 1"""
    out |= {("R02", cid, s) for cid, s in con.execute(q)}
    first365 = (as_of.astimezone(cal.tz).date() - timedelta(days=364)).isoformat()
    first30 = (as_of.astimezone(cal.tz).date() - timedelta(days=29)).isoformat()
    q = f"""SELECT unit_id, category, COUNT(*) FROM cases WHERE disc_d >= '{first365}' GROUP BY unit_id, category HAVING COUNT(*) >= 2"""
    out |= {("R05", f"{u}|{c}|{first365}..{p['asof_d']}", "high" if n >= 3 else "medium") for u, c, n in con.execute(q)}
    q = f"""SELECT unit_id, COUNT(*) FROM cases WHERE disc_d >= '{first30}' GROUP BY unit_id HAVING COUNT(*) >= 3"""
    out |= {("R06", f"{u}|{first30}..{p['asof_d']}", "high" if n >= 5 else "medium") for u, n in con.execute(q)}
    month = p["asof_d"][:7]
    last_year = f"{int(month[:4]) - 1}{month[4:]}"
    q = f"""SELECT SUM(disc_d BETWEEN '{month}-01' AND '{p["asof_d"]}'),
                   SUM(disc_d BETWEEN '{last_year}-01' AND '{int(p["asof_d"][:4]) - 1}{p["asof_d"][4:]}')
            FROM cases WHERE is_priority_incident = 1"""
    now_n, before_n = con.execute(q).fetchone()
    if before_n and now_n is not None and (now_n - before_n) / before_n * 100 >= 20:
        out.add(("R07", month, "medium"))
    con.execute("""
      CREATE TEMP TABLE ncs AS
      SELECT nc.nc_id, nc.aspect, nc.due_on, i.inspected_on,
             (SELECT MIN(x) FROM (SELECT nc.resolved_on AS x UNION ALL SELECT MIN(resolved_on) FROM nonconformity_updates
                                  WHERE nc_id = nc.nc_id AND resolved_on <= (SELECT d FROM asof))
              WHERE x IS NOT NULL AND x <= (SELECT d FROM asof)) AS resolved
      FROM nonconformities nc JOIN inspections i ON i.inspection_id = nc.inspection_id
      WHERE i.inspected_on <= (SELECT d FROM asof)""")
    sev = "CASE WHEN aspect IN ('personal_info_protection', 'infosec_compliance') THEN 'high' ELSE 'medium' END"
    out |= {("R08", n, s) for n, s in con.execute(f"SELECT nc_id, {sev} FROM ncs")}
    q = f"SELECT nc_id, {sev} FROM ncs WHERE due_on IS NOT NULL AND COALESCE(resolved, (SELECT d FROM asof) || ' x') > due_on"
    out |= {("R09", n, s) for n, s in con.execute(q)}
    con.execute("""
      CREATE TEMP TABLE ct AS
      SELECT c.*, h.pre_ok, h.last_perf, h.post_on FROM contracts c LEFT JOIN (
        SELECT contract_id, MAX(inspection_type = 'pre_commencement' AND nonconformity_count = 0) AS pre_ok,
               MAX(CASE WHEN inspection_type IN ('in_performance', 'delivery') THEN inspected_on END) AS last_perf,
               MIN(CASE WHEN inspection_type = 'post_completion' THEN inspected_on END) AS post_on
        FROM inspections WHERE inspected_on <= (SELECT d FROM asof) GROUP BY contract_id) h ON h.contract_id = c.contract_id""")
    q = """SELECT contract_id, CASE WHEN new_contractor = 1 OR handles_personal_info = 1 THEN 'critical' ELSE 'high' END
           FROM ct WHERE start_on <= (SELECT d FROM asof) AND COALESCE(pre_ok, 0) = 0"""
    out |= {("R10", c, s) for c, s in con.execute(q)}
    q = """SELECT contract_id FROM ct WHERE start_on <= (SELECT d FROM asof) AND end_on >= (SELECT d FROM asof)
           AND julianday((SELECT d FROM asof)) - julianday(COALESCE(last_perf, start_on)) > 60"""
    out |= {("R11", c, "medium") for (c,) in con.execute(q)}
    q = """SELECT contract_id FROM ct WHERE end_on < (SELECT d FROM asof)
           AND COALESCE(CASE WHEN post_on <= (SELECT d FROM asof) THEN post_on || ' 23:59:59' END, (SELECT t FROM asof))
               > date(end_on, '+30 days') || ' 23:59:59'"""
    out |= {("R12", c, "medium") for (c,) in con.execute(q)}
    # R13: the last five business days whose next-business-day 10:00 cut-off has passed
    due_days = [
        d
        for (d,) in con.execute("""
        SELECT b.d FROM bd b JOIN bd nx ON nx.n = b.n + 1
        WHERE b.d <= (SELECT d FROM asof) AND nx.d || ' 10:00:00' <= (SELECT t FROM asof) ORDER BY b.n DESC LIMIT 5""")
    ]
    if due_days:
        marks = ",".join("?" * len(due_days))
        q = f"""SELECT u.unit_id, COUNT(*) FROM units u CROSS JOIN (SELECT d FROM bd WHERE d IN ({marks})) x
                LEFT JOIN (SELECT DISTINCT unit_id, business_date FROM daily_reports WHERE business_date IN ({marks})) r
                  ON r.unit_id = u.unit_id AND r.business_date = x.d
                WHERE u.active = 1 AND u.unit_type IN ('pension_office', 'administration_center') AND r.unit_id IS NULL
                GROUP BY u.unit_id"""
        out |= {("R13", u, "medium" if n >= 3 else "low") for u, n in con.execute(q, due_days + due_days)}
    first7 = (as_of.astimezone(cal.tz).date() - timedelta(days=6)).isoformat()
    q = f"""SELECT unit_id, oldest_pending_days FROM (
              SELECT unit_id, oldest_pending_days, ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY business_date DESC) AS k
              FROM daily_reports WHERE business_date BETWEEN '{first7}' AND (SELECT d FROM asof))
            WHERE k = 1 AND oldest_pending_days >= 4"""
    out |= {("R14", f"{u}|{first7}..{p['asof_d']}", "high" if v >= 8 else "medium") for u, v in con.execute(q)}
    con.close()
    return out
