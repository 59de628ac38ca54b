"""Measurement: the activity log, scrubbing, the desk's feedback, and kb report with its page."""
