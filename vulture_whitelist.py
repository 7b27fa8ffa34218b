"""Names vulture cannot see used (read by ``vulture`` through ``[tool.vulture]`` in pyproject.toml; never run).

Only true false positives belong here: names that Python, a framework or a library reads, or public API
that the documentation offers to plugin authors. What only the tests use is moved to the tests instead.
"""

# ruff: noqa
# mypy: ignore-errors
_ = object()

# Python itself: the package's lazy attributes (PEP 562) and its module class; pickle's hooks; the
# arguments of __exit__ and of a signal handler, which Python passes whether they are read or not.
__getattr__  # src/unionforms/__init__.py
__dir__  # src/unionforms/__init__.py
_.__class__  # src/unionforms/__init__.py
_.find_spec  # src/unionforms/__init__.py (_Moved: the import system's finder protocol)
_.create_module  # src/unionforms/__init__.py (_Moved: the loader protocol)
_.exec_module  # src/unionforms/__init__.py (_Moved: the loader protocol)
_.persistent_id  # src/unionforms/collect/export.py (pickle.Pickler)
_.persistent_load  # src/unionforms/collect/export.py (pickle.Unpickler)
exc_type  # src/unionforms/excel/safety.py (__exit__)
tb  # src/unionforms/excel/safety.py, excel/findings_book.py (__exit__)
signum  # src/unionforms/collect/workers.py (signal handler)

# Flask and Werkzeug: the request class and its spooling method (with Werkzeug's signature), a
# response's status, and a workspace attribute read by the Jinja template progress.html.
_._get_file_stream  # src/unionforms/desk/app.py
total_content_length  # src/unionforms/desk/app.py
content_type  # src/unionforms/desk/app.py
content_length  # src/unionforms/desk/app.py
_.request_class  # src/unionforms/desk/app.py
_.status_code  # src/unionforms/desk/app.py
checked_at  # src/unionforms/desk/workspace.py (templates/progress.html)

# pytest calls a test class's pytest_generate_tests (the conformance kit).
_.pytest_generate_tests  # src/unionforms/testing.py

# SQLAlchemy's TypeDecorator protocol.
impl  # src/unionforms/io/sql.py
cache_ok  # src/unionforms/io/sql.py
_.load_dialect_impl  # src/unionforms/io/sql.py
_.process_bind_param  # src/unionforms/io/sql.py
_.process_result_value  # src/unionforms/io/sql.py

# expat parser handlers and options, set on pyexpat parsers.
_.CharacterDataHandler
_.StartElementHandler
_.EndElementHandler
_.CommentHandler
_.ProcessingInstructionHandler
_.StartCdataSectionHandler
_.DefaultHandlerExpand
_.ordered_attributes

# openpyxl attributes set on its objects (worksheets, cells, page setup, validations, protection).
_.freeze_panes
_.data_type
_._value
_.number_format
_.sheet_state
_.workbookPassword
_.fullCalcOnLoad
_.paperSize
_.orientation
_.scale
_.blackAndWhite
_.horizontalCentered
_.fitToWidth
_.fitToHeight
_.fitToPage
_.bottom
_.footer
_.oddHeader
_.evenHeader
_.evenFooter
_.firstHeader
_.firstFooter
_.print_title_rows
_.promptTitle
_.showInputMessage
_.errorTitle
_.showErrorMessage

# An enum member reached by its value: Missing("zero") from a rule's ``missing = "zero"``.
ZERO  # src/unionforms/core/rules.py

# Public API for plugin authors, documented in specs/plugins.md: a registry of given plugin objects,
# and the first row of a layout's lines (the hook ``unionforms_adjust_template`` reads it).
_.from_plugins  # src/unionforms/plugins/registry.py
first_row  # src/unionforms/excel/layout.py

# The measured cost of each item of workers.imap (its ``usage`` argument): a record for the caller, as
# the hostile-input test reads it to print each file's peak memory.
peak_memory  # src/unionforms/collect/workers.py
