"""The form and one return: units, rules, the definition, typed values, the report, its checks and findings,
and what everything stands on (the message catalogue, errors, bounded input, atomic output, safe text,
platform differences).
"""
