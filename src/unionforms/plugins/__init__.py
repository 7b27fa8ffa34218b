"""Forms from plugins: the extension points (hookspecs), the registry that loads every form through entry
points, built-ins and third parties alike, and its cache.
"""
