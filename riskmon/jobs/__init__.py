"""Scheduled jobs below the app: the catalogue (what each job does, in calls on the composition
root), the run bookkeeping (claims, locks, crash recovery, ``job_runs``) and the ``rm.jobs``
facade. The APScheduler timer that decides *when* lives above, in riskmon.scheduler."""
