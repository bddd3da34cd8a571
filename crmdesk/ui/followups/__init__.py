"""The Follow-ups (Today) page."""
