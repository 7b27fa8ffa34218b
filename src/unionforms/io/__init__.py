"""Reports in and out of files: the read dispatch (by extension), report JSON and its JSON Schema."""
