"""Writing next year's form: a definition checked from its file, a plugin scaffolded, two definitions
compared, the cross-year mapping and year-over-year comparison.
"""
