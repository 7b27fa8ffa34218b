"""A round of returns: many inputs in worker processes, the 名录, each unit's current return, progress, the
total, annotated copies and the export.
"""
