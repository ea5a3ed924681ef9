"""The APScheduler timing shell: it decides *when* each job fires and calls ``rm.jobs.fire``;
what a job does and how a run is made safe are riskmon.jobs' business."""
