"""Review: flags worked as cases on the 三線防御 model, escalation, and the audit trail."""
