"""The message catalogue: one template per code, Chinese first with English beside it.

Every problem unionforms reports, raised (:mod:`unionforms.core.errors`) or found
(:mod:`unionforms.core.findings`), is built from the entry of its code here, never written at the place that
reports it. An entry holds what is wrong (``zh``/``en``) and how to fix it (``fix_zh``/``fix_en``), with named
``{placeholders}`` filled from the report's location and parameters; where (file, form, sheet, cell …) is put
in front by the exception or the finding. Codes are topic-prefixed (``DEF`` form definitions, ``RULE`` rule
text, ``PLUG`` plugin loading, ``IN`` unusable input, ``OUT`` an output that cannot or must not be written,
``ENV`` the machine, ``TPL`` a damaged but readable template, ``VAL`` a value, ``META`` the header,
``CHK`` a rule a report breaks, ``AGG`` a return left out of a total, ``ROS`` the list of units (名录),
``EXP`` an export). ``docs/errors.md`` is generated from this module (:func:`markdown`) and a test keeps
the two equal.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

#: The blocks a Chinese template must use some of: CJK punctuation, unified ideographs, full-width forms
#: (compared character by character: a regular expression of these ranges takes 2 ms to compile).
_CJK = (("\u3000", "\u303f"), ("\u4e00", "\u9fff"), ("\uff00", "\uffef"))


def _chinese(text: str) -> bool:
    return any(low <= char <= high for char in text for low, high in _CJK)


def _names(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _bilingual(instance: Message, attribute: attrs.Attribute[str], value: str) -> None:
    if attribute.name in ("zh", "fix_zh") and value and not _chinese(value):
        raise ValueError(f"{attribute.name} must be Chinese: {value!r}")
    _names(value)  # malformed braces raise here, when the catalogue is built


@attrs.frozen
class Message:
    """One code's template: a one-line English ``summary`` (docs), what is wrong and how to fix it.

    ``severity`` is ``"error"`` or ``"warning"`` for a finding code and None for a code that is raised.
    ``show_detail``: the raw detail (an exception's own text) is printed too, for codes whose readers are
    developers (a plugin that cannot be imported); otherwise it is kept for ``--json`` only.
    """

    summary: str
    zh: str = attrs.field(validator=_bilingual)
    en: str = attrs.field(validator=_bilingual)
    fix_zh: str = attrs.field(default="", validator=_bilingual)
    fix_en: str = attrs.field(default="", validator=_bilingual)
    severity: str | None = attrs.field(
        default=None, validator=attrs.validators.in_((None, "error", "warning"))
    )
    show_detail: bool = False

    def __attrs_post_init__(self) -> None:
        if _names(self.zh) | _names(self.fix_zh) != _names(self.en) | _names(self.fix_en):
            raise ValueError(f"Chinese and English templates take different placeholders: {self.zh!r}")
        if bool(self.fix_zh) != bool(self.fix_en):
            raise ValueError(f"a fix is given in one language only: {self.zh!r}")

    @property
    def placeholders(self) -> frozenset[str]:
        """The parameter names the templates use."""
        return _names(self.zh) | _names(self.fix_zh)

    def render(self, params: Mapping[str, object]) -> Rendered:
        """The four texts with ``params`` filled in; KeyError names a placeholder not supplied."""
        missing = self.placeholders - set(params)
        if missing:
            raise KeyError(f"no value for {sorted(missing)} in {self.zh!r}")
        shown = {k: "" if v is None else v for k, v in params.items()}
        return Rendered(
            self.zh.format_map(shown),
            self.en.format_map(shown),
            self.fix_zh.format_map(shown),
            self.fix_en.format_map(shown),
        )


@attrs.frozen
class Rendered:
    """A message with its parameters filled in: what is wrong and how to fix it, in both languages."""

    zh: str
    en: str
    fix_zh: str
    fix_en: str

    @property
    def text_zh(self) -> str:
        return self.zh + self.fix_zh

    @property
    def text_en(self) -> str:
        return f"{self.en} — {self.fix_en}" if self.fix_en else self.en


def render(code: str, params: Mapping[str, object]) -> Rendered:
    """The message of ``code`` with ``params``; ValueError for a code not in the catalogue."""
    try:
        message = CATALOGUE[code]
    except KeyError:
        raise ValueError(f"unknown message code {code!r}") from None
    return message.render(params)


_SEND_XLSX_ZH = "请用 Excel、WPS 或 LibreOffice 打开，另存为 .xlsx 格式后再提交。"
_SEND_XLSX_EN = "open it in Excel, WPS or LibreOffice and save it as an .xlsx workbook"
_NEW_TEMPLATE_ZH = "请用 `unionforms blank FORM` 生成模板，填写后提交该文件。"
_NEW_TEMPLATE_EN = "generate a template with `unionforms blank FORM`, fill it in and send that file"
_REFUSE_ZH = "请不要处理此文件，请填报单位重新报送原模板。"
_REFUSE_EN = "do not process this file; ask the sender for the original template"
_MARKUP_ZH = "栏目字母写作 [A]，填报栏写作 {{单位}} 或 {{单位|名称}}（见 specs/form-definition.md）。"
_MARKUP_EN = "letters are written [A], blanks {{unit}} or {{unit|label}} (specs/form-definition.md)"
_GRAMMAR_ZH = "规则写作“和 运算符 和”或“比较 -> 比较”，如 `05 = 05A + 05B`（见 specs/rules.md）。"
_GRAMMAR_EN = "a rule is `sum OP sum` or `comparison -> comparison`, e.g. `05 = 05A + 05B` (specs/rules.md)"

#: The arguments of a :class:`Message`.
Spec = tuple[tuple[Any, ...], dict[str, Any]]


class _Lazy(Mapping[str, Message]):
    """Code -> message, each :class:`Message` built (and so checked) when first looked up.

    Building all of them at import would cost every command start-up time for messages it never shows;
    the tests build every one (``tests/test_errors.py``).
    """

    def __init__(self, specs: dict[str, Spec]) -> None:
        self._specs = specs
        self._built: dict[str, Message] = {}

    def __getitem__(self, code: str) -> Message:
        message = self._built.get(code)
        if message is None:
            args, kwargs = self._specs[code]
            message = self._built[code] = Message(*args, **kwargs)
        return message

    def __contains__(self, code: object) -> bool:
        return code in self._specs

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


def M(*args: Any, **kwargs: Any) -> Spec:
    """A :class:`Message` to be built when its code is first looked up."""
    return args, kwargs


_CATALOGUE: dict[str, Spec] = {
    # --- DEF: form definitions ---------------------------------------------------------------------
    "DEF-001": M(
        "a form definition lacks a required key",
        "表式定义缺少必需的项 {key}。",
        "the definition lacks the required key {key}",
        "必需的项见 specs/form-definition.md。",
        "see specs/form-definition.md for the required keys",
    ),
    "DEF-002": M(
        "a line number appears twice in one form",
        "行号 {line} 出现了两次。",
        "line {line} appears twice",
        "每个 [[lines]] 用其印刷的行号；同一印刷行的各行合并为一个 [[lines]]。",
        "give each [[lines]] its printed number; merge the rows of one printed line into one [[lines]]",
    ),
    "DEF-003": M(
        "a letter mark in a row's markup is not one capital letter in square brackets",
        "第 {position} 个字符处的栏目字母格式不对：应为方括号中的一个大写字母，如 [A]（行文字 {row}）。",
        "at character {position}, a letter mark is not one capital letter in brackets like [A] (row {row})",
        _MARKUP_ZH,
        _MARKUP_EN,
    ),
    "DEF-004": M(
        "a blank has no printed words around it to label it",
        "填报栏前后没有印刷文字可作为它的名称。",
        "the blank has no printed words before or after it to label it",
        "请写作 {{单位|名称}}，名称取自本行印刷文字。",
        "write the blank as {{unit|label}}, the label taken from the printed row",
    ),
    "DEF-005": M(
        "two rules of one form have the same id",
        "规则编号 {rule} 出现了两次。",
        "rule id {rule} appears twice",
        "请改掉其中一个；规则编号在一个表式内唯一，并出现在审核结果中。",
        "rename one of them; rule ids are unique per form and appear in findings",
    ),
    "DEF-006": M(
        "a definition file cannot be opened",
        "无法打开表式定义文件。",
        "the definition file cannot be opened",
        "请检查路径；插件应把 form.toml 作为包数据发布（见 docs/plugin-authoring.md）。",
        "check the path; ship form.toml as package data (docs/plugin-authoring.md)",
        show_detail=True,
    ),
    "DEF-022": M(
        "a plugin package folder holds no form.toml, or more than one",
        "插件包文件夹中应有一个 form.toml，找到 {count} 个。",
        "expected one form.toml in the package folder, found {count}",
        "请直接给出 form.toml 的路径。",
        "give the path of the form.toml itself",
    ),
    "DEF-023": M(
        "a definition does not load",
        "表式定义无法加载：{first}",
        "the definition does not load: {first}",
        "请运行 `unionforms check {path}` 查看全部问题。",
        "run `unionforms check {path}` to see every problem",
    ),
    "DEF-024": M(
        "a declared number of decimal places (money_decimals, decimals) is not a whole number from 0 to 6",
        "万元栏的小数位数应为 0 到 {most} 的整数，而不是 {places}。",
        "decimal places of a 万元 blank must be a whole number from 0 to {most}, not {places}",
        "印刷表式未注明时按 2 位（到百元）填写 money_decimals（见 specs/form-definition.md）。",
        "write money_decimals = 2 (to the hundred yuan) unless the printed form says otherwise"
        " (specs/form-definition.md)",
    ),
    "DEF-025": M(
        "the decimals table names a code that is not a 万元 blank of the form",
        "decimals 中的代码不是本表的万元填写栏。",
        "decimals names a code that is not a 万元 blank of this form",
        "只能为万元栏单独规定小数位数；请核对代码。",
        "declare decimal places only for 万元 blanks; check the code",
    ),
    "DEF-011": M(
        "a form definition entry has a wrong type or value",
        "表式定义中有一项的类型或取值不对。",
        "a definition entry has a wrong type or value",
        "请对照 specs/form-definition.md 检查各项。",
        "compare the definition with specs/form-definition.md",
        show_detail=True,
    ),
    "DEF-012": M(
        "a form id is not lower-case words joined by '-'",
        "表式代码 {id} 应为以“-”连接的小写单词，如 songwennuan-2018。",
        "form id {id} must be lower-case words joined by '-', like songwennuan-2018",
    ),
    "DEF-013": M(
        "a line number is not two digits",
        "行号 {number} 应为两位数字。",
        "line number {number} must be two digits",
        '行号写作字符串：number = "01"。',
        'line numbers are strings: number = "01"',
    ),
    "DEF-014": M(
        "a form has no blank at all",
        "表式中没有任何填报栏。",
        "a form needs at least one blank",
        "用 {{单位}} 标出印刷表中的填报栏。",
        "mark the printed blanks as {{unit}}",
    ),
    "DEF-015": M(
        "two blanks of one form have the same field code",
        "栏目代码 {field} 出现了两次。",
        "field code {field} appears twice",
        "每个印刷行只写一次行号。",
        "give each printed line its number once",
    ),
    "DEF-016": M(
        "a blank's brace is not closed",
        "第 {position} 个字符处的 {{ 没有对应的 }}（行文字 {row}）。",
        "at character {position}, {{ is not closed (row {row})",
        _MARKUP_ZH,
        _MARKUP_EN,
    ),
    "DEF-017": M(
        "a blank names an unknown unit",
        "第 {position} 个字符处的单位 {unit} 不认识（行文字 {row}）；可用的单位：{units}。",
        "at character {position}, unit {unit} is unknown (row {row}); known: {units}",
        _MARKUP_ZH,
        _MARKUP_EN,
    ),
    "DEF-018": M(
        "a row's markup has a stray closing bracket or brace",
        "第 {position} 个字符处多了一个 {char}（行文字 {row}）。",
        "at character {position}, a stray {char} (row {row})",
        "印刷的括号请用全角“（）”。" + _MARKUP_ZH,
        "printed brackets are the full-width （）; " + _MARKUP_EN,
    ),
    "DEF-019": M(
        "a sub-item letter starts twice in one line",
        "栏目字母（{letter}）在第 {line} 行出现了两次。",
        "letter ({letter}) appears twice in line {line}",
        "每个分项字母在一行中只开始一次。",
        "each sub-item letter starts once per line",
    ),
    "DEF-020": M(
        "a blank's explicit label is not printed wording of its row",
        "名称 {label} 不是本行印刷文字 {printed} 中的文字。",
        "label {label} is not printed wording of its row {printed}",
        "名称须引用本行印刷文字，其中的其他填报栏写作 ___；“：”之前的限定语可引用同一行次的任一行。",
        "a label quotes the printed row, with the blank as ___; a qualifier before '：' quotes any row of "
        "the same line",
    ),
    "DEF-021": M(
        "a definition file is not valid TOML",
        "表式定义文件不是有效的 TOML（第 {line_no} 行第 {column} 列）。",
        "the definition file is not valid TOML (line {line_no}, column {column})",
        "请按提示的行列修正 TOML 语法。",
        "fix the TOML syntax at that line and column",
        show_detail=True,
    ),
    "DEF-030": M(
        "a definition's [aggregate] is not a table of field code = way",
        "[aggregate] 应为“栏目代码 = 汇总方式”的表。",
        "[aggregate] must be a table of field code = way",
        '如 [aggregate] 后写 "04" = "any"（见 specs/form-definition.md §9）。',
        'e.g. "04" = "any" under [aggregate] (specs/form-definition.md §9)',
    ),
    "DEF-031": M(
        "an [aggregate] entry names a way of adding up that does not exist",
        "[aggregate] 中的汇总方式 {way} 不认识。",
        "[aggregate]: unknown way {way}",
        "汇总方式只有 sum、blank、any、all（见 specs/form-definition.md §9）。",
        "the ways are sum, blank, any and all (specs/form-definition.md §9)",
    ),
    "DEF-032": M(
        "an [aggregate] entry names a field code the form does not have",
        "[aggregate] 中的栏目代码不是本表式的栏目。",
        "[aggregate] names a field code the form does not have",
        "请改正栏目代码，或删去该项。",
        "correct the field code or remove the entry",
    ),
    "DEF-033": M(
        "an [aggregate] way does not fit the field's kind of value",
        "[aggregate] 中 {way} 不适用于单位为 {unit} 的栏目（可用：{allowed}）。",
        "[aggregate]: {way} does not fit a field in {unit} (allowed: {allowed})",
        "人数、户数和万元按 sum（默认）或 blank 汇总；"
        "是/否按 blank（默认，是、否各计数于汇总来源）、any 或 all。",
        "counts and 万元 add up as sum (the default) or blank; 是/否 as blank (the default, answers tallied "
        "in the provenance), any or all",
    ),
    "DEF-040": M(
        "a table of a definition has a key the format does not know, close to a known key (did you mean)",
        "{table} 中有未知的项 {key}，是否应为 {guess}？",
        "{table}: unknown key {key}; did you mean {guess}?",
        "未知的项会被忽略，所以不能接受：请改正或删去。"
        "此处可用的项：{known}（见 specs/form-definition.md）。",
        "an unknown key would be ignored, so it is refused: correct or delete it; the keys here are {known}"
        " (specs/form-definition.md)",
    ),
    "DEF-041": M(
        "a table of a definition has a key the format does not know",
        "{table} 中有未知的项 {key}。",
        "{table}: unknown key {key}",
        "未知的项会被忽略，所以不能接受：请删去。此处可用的项：{known}（见 specs/form-definition.md）。",
        "an unknown key would be ignored, so it is refused: delete it; the keys here are {known}"
        " (specs/form-definition.md)",
    ),
    "DEF-042": M(
        "a definition's family or year contradicts its id (the id is family-year)",
        "表式代码 {id} 与 family = {family}、year = {year} 不一致：代码应为“family-year”，即 {want}。",
        "form id {id} contradicts family = {family}, year = {year}: the id is family-year, {want}",
        "请改正 id、family 或 year，使三者一致（见 specs/versioning.md）。",
        "correct id, family or year so that the three agree (specs/versioning.md)",
    ),
    # --- RULE: rules ---------------------------------------------------------------------------------
    "RULE-001": M(
        "a rule's text has something unexpected at a position",
        "无法解析规则 {expr}：第 {position} 个字符处的 {found} 不应出现在这里。",
        "cannot parse {expr}: {found} at character {position} is not expected there",
        _GRAMMAR_ZH,
        _GRAMMAR_EN,
    ),
    "RULE-002": M(
        "a rule names a field code the form does not have",
        "规则 {expr} 用到了 {code}，表式 {form} 没有这个栏目代码。",
        "{expr} names {code}, which form {form} does not have",
        "请使用 `unionforms show FORM` 列出的代码；数字十写作 10.0。",
        "use a code that `unionforms show FORM` lists; write the number ten as 10.0",
    ),
    "RULE-003": M(
        "a rule compares counts with 万元",
        "规则中的比较把人数等计数与金额（万元）混在一起。",
        "a comparison mixes counts and 万元",
        "计数与金额分开比较（“->”前后可以不同）。",
        "compare like with like (the two sides of `->` may differ)",
    ),
    "RULE-004": M(
        "a rule's severity, missing-value policy or tolerance has a value it cannot take",
        "规则的 severity（{severity}）、missing（{missing}）或 tolerance（{tolerance}）取值不对。",
        "bad severity ({severity}), missing ({missing}) or tolerance ({tolerance})",
        "severity 为 error 或 warning，missing 为 skip 或 zero，tolerance 为十进制数字字符串。",
        "severity is error|warning, missing is skip|zero, tolerance a decimal string",
    ),
    "RULE-011": M(
        "a rule's text ends too early",
        "规则 {expr} 不完整，结尾处缺少内容。",
        "{expr} ends too early",
        _GRAMMAR_ZH,
        _GRAMMAR_EN,
    ),
    "RULE-012": M(
        "a rule has no comparison operator where one is needed",
        "规则 {expr} 第 {position} 个字符处应为比较运算符（{ops}），实际是 {found}。",
        "{expr}: expected one of {ops} at character {position}, found {found}",
        _GRAMMAR_ZH,
        _GRAMMAR_EN,
    ),
    "RULE-013": M(
        "a rule compares a count with a fraction",
        "规则把计数与小数比较。",
        "a count is compared with a fraction",
        "计数只与整数比较。",
        "compare counts with whole numbers",
    ),
    "RULE-014": M(
        "a 是/否 field is compared other than as CODE = 是 or CODE != 否",
        "是/否 栏目只能写作 `代码 = 是` 或 `代码 != 否`。",
        "a 是/否 field is compared only as `CODE = 是` or `CODE != 否`",
        "通常作为前提，如 `05B = 是 -> 05A > 0`。",
        "usually as a premise, e.g. `05B = 是 -> 05A > 0`",
    ),
    "RULE-015": M(
        "a missing-value policy other than skip is used with a 是/否 field",
        "missing = '{missing}' 对是/否栏目没有意义。",
        "missing = '{missing}' has no meaning for a 是/否 field",
        "请用 'skip'。",
        "use 'skip'",
    ),
    "RULE-016": M(
        "a rule's tolerance is not a non-negative decimal",
        "容差 tolerance 应为非负的十进制数，不能是 {tolerance}。",
        "tolerance must be a non-negative decimal, not {tolerance}",
        '写作十进制数字字符串，如 tolerance = "0.01"。',
        'write it as a decimal string, e.g. tolerance = "0.01"',
    ),
    "RULE-017": M(
        "a rule id has characters other than letters, digits, '.', '_' and '-'",
        "规则编号 {rule} 只能由字母、数字和“.”“_”“-”组成。",
        "rule id {rule} must be letters, digits, '.', '_' or '-'",
    ),
    "RULE-018": M(
        "a rule names no field, so it would never be checked",
        "规则 {expr} 没有用到任何栏目，永远不会被检查。",
        "{expr} names no field, so it would never be checked",
    ),
    "RULE-019": M(
        "a rule's message template is malformed",
        "规则的提示模板格式不对。",
        "the message template is malformed",
        "花括号写作 {{{{ 或 }}}}；可用的名称只有 {{left}}、{{right}}、{{expr}}。",
        "write a literal brace as {{{{ or }}}}; use only {{left}}, {{right}} and {{expr}}",
        show_detail=True,
    ),
    "RULE-020": M(
        "a rule's message template uses names other than {left}, {right}, {expr}",
        "规则的提示模板用到了 {names}。",
        "the message template uses {names}",
        "只能用 {{left}}、{{right}} 和 {{expr}}；花括号本身写作 {{{{ 或 }}}}。",
        "use only {{left}}, {{right}} and {{expr}}; write a literal brace as {{{{ or }}}}",
    ),
    "RULE-022": M(
        "a rule lacks a required text (id, expr or reason)",
        "规则缺少非空的文字项 {key}。",
        "the rule needs a non-empty string {key}",
        "每条规则都要有 id、expr 和 reason（依据的印刷文字）。",
        "every rule has an id, an expr and a reason (the printed words it comes from)",
    ),
    "RULE-005": M(
        "a rule compares fields of different units (人 with 户) and does not say why",
        "规则 {expr} 比较了不同单位的栏目（{units}）。",
        "{expr} compares fields in different units ({units})",
        '请同单位相比；确需比较时，用 mixed_units = "…" 说明理由。',
        'compare like with like, or say why the units may be compared: mixed_units = "…"',
    ),
    "RULE-023": M(
        "missing = 'total' is used on a rule without one field alone on a side",
        "missing = 'total' 要求比较的一边只有一个栏目（合计），而规则是 {expr}。",
        "missing = 'total' needs a comparison with one field alone on one side, not {expr}",
        "请写作 `各部分 <= 合计` 或 `合计 = 各部分`。",
        "write the rule as `parts <= TOTAL` or `TOTAL = parts`",
    ),
    "RULE-024": M(
        "a rule's mixed_units is not a non-empty text",
        "mixed_units 应为说明理由的非空文字。",
        "mixed_units must be a non-empty string saying why the units may differ",
        "请写明为什么可以比较不同单位的栏目。",
        "say why fields of different units may be compared",
    ),
    "RULE-025": M(
        "a code with a letter is written with #",
        "{found}：带字母的栏目代码不加 #，应写作 {code}。",
        "{found}: a code with a letter is written without #, as {code}",
        "请去掉 #。",
        "remove the #",
    ),
    "RULE-026": M(
        "# is followed by something other than a line code",
        "{found}：# 后应为行次代码，如 #05 或 #09.1。",
        "{found}: # is followed by a line code such as #05 or #09.1",
        "请改正该代码。",
        "correct the code",
    ),
    "RULE-027": M(
        "a bare two-digit token could be a field or a number",
        "{found} 既可能是栏目 {code}，也可能是数字。",
        "{found} could be the field {code} or a number",
        "栏目请写作 #{code}，数字请写作 {number}。",
        "write the field as #{code}, or the number as {number}",
    ),
    "RULE-028": M(
        "a rule gives mixed_units, but all its comparisons are in one unit",
        "规则给出了 mixed_units，但每个比较都是同一单位。",
        "mixed_units is given, but every comparison of the rule is in one unit",
        "请删除 mixed_units。",
        "remove mixed_units",
    ),
    # --- PLUG: plugins -------------------------------------------------------------------------------
    "PLUG-001": M(
        "a plugin's entry point cannot be imported",
        "插件 {plugin}（{target}）无法导入。",
        "plugin {plugin} ({target}) cannot be imported",
        "请修复或卸载该插件；其他表式仍可使用。",
        "fix or uninstall that plugin; the other forms are available",
        show_detail=True,
    ),
    "PLUG-002": M(
        "a plugin's unionforms_forms hook raised an exception",
        "插件 {plugin} 的 unionforms_forms 出错。",
        "plugin {plugin}: unionforms_forms raised an error",
        "请更新或卸载该插件；其他表式仍可使用。",
        "update or uninstall that plugin; the other forms are available",
        show_detail=True,
    ),
    "PLUG-003": M(
        "two plugins register the same form id",
        "插件 {plugin} 提供的表式 {form} 已由另一个插件提供。",
        "plugin {plugin} registers form {form}, which another plugin has",
        "请卸载其中一个插件（`pip list` 可查看已安装的插件）。",
        "uninstall one of the two plugins (`pip list` shows what is installed)",
    ),
    "PLUG-004": M(
        "a plugin cannot be registered (its hooks do not match the hook specifications)",
        "插件 {plugin} 无法注册：钩子名称或参数与规范不符。",
        "plugin {plugin} cannot register: its hooks do not match the specification",
        "钩子名称和参数须与 specs/plugins.md 一致。",
        "hook names and arguments must match specs/plugins.md",
        show_detail=True,
    ),
    "PLUG-005": M(
        "a plugin implements no unionforms hook",
        "插件 {plugin} 没有实现任何 unionforms 钩子。",
        "plugin {plugin} implements no unionforms hook",
        "请用 @unionforms.hookimpl 标记每个钩子函数。",
        "mark each hook function with @unionforms.hookimpl",
    ),
    "PLUG-006": M(
        "a form definition inside a plugin is invalid",
        "插件 {plugin} 中的表式定义有错误：{inner}",
        "plugin {plugin} has an invalid form definition: {inner}",
        "请更新或卸载该插件；其他表式仍可使用。",
        "update or uninstall that plugin; the other forms are available",
    ),
    "PLUG-007": M(
        "a plugin's unionforms_forms hook returned something that is not a list of forms",
        "插件 {plugin} 的 unionforms_forms 返回的是 {type}，不是表式（Form）列表。",
        "plugin {plugin}: unionforms_forms returned {type}, not a list of Form",
        "钩子应返回 [Form.from_toml(…)]。",
        "return [Form.from_toml(…)]",
    ),
    "PLUG-010": M(
        "a plugin's hook raised an exception while a command used it (writing a template …)",
        "插件 {plugin} 的钩子 {hook} 出错，本次操作未完成。",
        "plugin {plugin}: the hook {hook} raised an error; nothing was written",
        "请修复或卸载该插件；加 --traceback（或设置 UNIONFORMS_TRACEBACK=1）可看到 Python 调用栈。",
        "fix or uninstall that plugin; --traceback (or UNIONFORMS_TRACEBACK=1) shows the Python traceback",
        show_detail=True,
    ),
    "PLUG-011": M(
        "a plugin's hook returned a value where its specification says it returns nothing",
        "插件 {plugin} 的钩子 {hook} 返回了 {type}，按规范应不返回任何值（None）。",
        "plugin {plugin}: the hook {hook} returned {type}; it must return None",
        "请修复该插件：钩子只在原处修改模板，不返回值（specs/plugins.md §2.2）。",
        "fix that plugin: the hook changes the template in place and returns nothing (specs/plugins.md §2.2)",
    ),
    "PLUG-012": M(
        "unionforms_adjust_template moved a cell or a defined name the reader finds values by",
        "插件 {plugin} 的钩子 unionforms_adjust_template 移动了 {name}：版式中它在 {expected}，"
        "钩子运行后在 {found}；这样的模板会把数字读到别的栏目。",
        "plugin {plugin}: unionforms_adjust_template moved {name} from {expected} to {found}; "
        "such a template reads figures into the wrong fields",
        "该钩子不得插入、删除或移动行、列和单元格，不得改名或删除定义名称（specs/plugins.md §2.2）；"
        "请修复或卸载该插件。",
        "the hook must not insert, delete or move rows, columns or cells, nor rename or delete defined "
        "names (specs/plugins.md §2.2); fix or uninstall that plugin",
    ),
    "PLUG-013": M(
        "unionforms_adjust_template changed what it must leave alone (an input cell, the form sheet's "
        "name, the _unionforms sheet)",
        "插件 {plugin} 的钩子 unionforms_adjust_template 改动了不得改动的 {name}。",
        "plugin {plugin}: unionforms_adjust_template changed {name}, which it must leave alone",
        "该钩子不得改动输入单元格（值、锁定）、表名和 _unionforms 工作表（specs/plugins.md §2.2）；"
        "请修复或卸载该插件。",
        "the hook must leave input cells (values, locking), the sheet's name and the _unionforms sheet "
        "alone (specs/plugins.md §2.2); fix or uninstall that plugin",
    ),
    "PLUG-014": M(
        "a plugin's unionforms_mappings hook returned something that is not a list of mappings",
        "插件 {plugin} 的 unionforms_mappings 返回的是 {type}，不是跨年对照（FormMapping）列表。",
        "plugin {plugin}: unionforms_mappings returned {type}, not a list of FormMapping",
        "钩子应返回 [FormMapping.from_toml(…)]（specs/plugins.md）；请修复或卸载该插件。",
        "return [FormMapping.from_toml(…)] (specs/plugins.md); fix or uninstall that plugin",
    ),
    # --- IN: unusable input ---------------------------------------------------------------------------
    "IN-001": M(
        "the file does not exist",
        "文件不存在。",
        "the file does not exist",
        "请检查文件名和路径。",
        "check the file name and path",
    ),
    "IN-002": M(
        "the file is of a type unionforms does not read",
        "不支持 {suffix} 类型的文件。",
        "unsupported file type {suffix}",
        "请提交 .json 报表、填写好的 .xlsx 模板，或 `unionforms export` 格式的表格（.csv/.xlsx）。",
        "give a .json report, a filled .xlsx template or a table (.csv/.xlsx) as `unionforms export` writes",
    ),
    "IN-003": M(
        "the report names a form that is not registered",
        "表式 {form_id} 未安装（已安装：{known}）。",
        "form {form_id} is not registered (registered: {known})",
        "请用 `unionforms list` 核对表式代码，或安装提供该表式的插件。",
        "check the form id with `unionforms list`, or install the plugin that provides it",
    ),
    "IN-004": M(
        "the file is of another form than expected",
        "该文件是表式 {found}，但要求的是 {expected}。",
        "this file is form {found}, but {expected} was expected",
        "请使用 {expected} 的模板填报（`unionforms blank {expected}`）。",
        "fill in a template generated by `unionforms blank {expected}`",
    ),
    "IN-005": M(
        "a workbook member expands too many times (a possible zip bomb)",
        "压缩包中的 {part} 解压后放大 {ratio} 倍（{compressed} 字节到 {size} 字节），"
        "可能是“压缩炸弹”，已拒绝读取。",
        "member {part} expands {ratio} times ({compressed} to {size} bytes); refused as a possible zip bomb",
        _REFUSE_ZH,
        _REFUSE_EN,
    ),
    "IN-010": M(
        "the file exists but cannot be read (permissions, a folder, a disk error)",
        "无法读取该文件（可能没有读取权限、是文件夹或磁盘出错）。",
        "the file cannot be read (permissions, a folder, or a disk error)",
        "请检查文件权限，或把文件复制到本机后重试。",
        "check its permissions, or copy it to this computer and try again",
    ),
    "IN-011": M(
        "a report file is not valid JSON",
        "不是有效的 JSON（第 {line_no} 行第 {column} 列）。",
        "not valid JSON (line {line_no}, column {column})",
        "请在该位置修正；报表格式见 specs/report-json.md，"
        "`unionforms schema FORM` 给出校验用的 JSON Schema。",
        "fix it there; the format is in specs/report-json.md and `unionforms schema FORM` gives its schema",
    ),
    "IN-012": M(
        "a report file is not text in an encoding unionforms reads (UTF-8, UTF-16, GBK)",
        "文件不是可识别编码（UTF-8、UTF-16 或 GBK）的文本。",
        "the file is not text in UTF-8, UTF-16 or GBK",
        "请用文本编辑器另存为 UTF-8 编码。",
        "save it as UTF-8 text in a text editor",
    ),
    "IN-013": M(
        "a JSON document is not an object with a string 'form'",
        "不是 unionforms 报表：应为含有文字项 form 的对象。",
        "not a unionforms report: expected an object with a string 'form'",
        '报表形如 {{"form": "songwennuan-2017", "meta": {{…}}, "values": {{…}}}}'
        "（见 specs/report-json.md）。",
        'a report looks like {{"form": "songwennuan-2017", "meta": {{…}}, "values": {{…}}}} '
        "(specs/report-json.md)",
    ),
    "IN-014": M(
        "a JSON report has unknown top-level keys",
        "报表中有不认识的顶层项 {keys}。",
        "unknown top-level keys {keys}",
        "顶层只有 form、meta、values 和 explanations 四项（汇总表另有 provenance）。",
        "the top level has only form, meta, values and explanations (and provenance in a total)",
    ),
    "IN-016": M(
        "a JSON report's 'explanations' is not an object of rule id -> text",
        "报表的 explanations 应为“规则编号 → 说明文字”的对象。",
        "'explanations' must be an object of rule id -> text",
        '如 "explanations": {{"06-05-spent": "含上年结转款物 2 万元"}}。',
        'e.g. "explanations": {{"06-05-spent": "含上年结转款物 2 万元"}}',
    ),
    "IN-015": M(
        "a JSON report's 'values' is not an object",
        "报表的 values 应为“栏目代码 → 数值”的对象。",
        "'values' must be an object of field code -> value",
        '如 "values": {{"01A": 5000, "05": "100.50"}}。',
        'e.g. "values": {{"01A": 5000, "05": "100.50"}}',
    ),
    "IN-020": M(
        "the file is an old .xls workbook or a password-protected file",
        "这是旧版 Excel 97–2003 工作簿（.xls）或设置了打开密码的文件，不是 .xlsx 工作簿。",
        "this is an old Excel 97–2003 workbook (.xls) or a password-protected file, not an .xlsx workbook",
        "请另存为 .xlsx 格式，不要设置打开密码。",
        "save it as .xlsx without an opening password",
    ),
    "IN-021": M(
        "the file is empty",
        "文件是空的，不是 .xlsx 工作簿。",
        "the file is empty, not an .xlsx workbook",
        _SEND_XLSX_ZH,
        _SEND_XLSX_EN,
    ),
    "IN-022": M(
        "the file is a PDF",
        "这是 PDF 文件，不是 .xlsx 工作簿。",
        "this is a PDF, not an .xlsx workbook",
        "请提交填写好的 .xlsx 文件本身，而不是打印件。",
        "send the filled .xlsx workbook itself, not a printout",
    ),
    "IN-023": M(
        "the file is not a zip archive, so not an .xlsx workbook",
        "不是 .xlsx 工作簿（.xlsx 文件是 zip 压缩包，此文件不是）。",
        "not an .xlsx workbook (an .xlsx file is a zip archive; this one is not)",
        _SEND_XLSX_ZH,
        _SEND_XLSX_EN,
    ),
    "IN-024": M(
        "the workbook's zip structure is damaged",
        "工作簿已损坏：zip 结构无法读取。",
        "the workbook is damaged: its zip structure cannot be read",
        _SEND_XLSX_ZH,
        _SEND_XLSX_EN,
    ),
    "IN-025": M(
        "the file is an Excel binary workbook (.xlsb)",
        "这是 Excel 二进制工作簿（.xlsb），不是 .xlsx 工作簿。",
        "this is an Excel binary workbook (.xlsb), not an .xlsx workbook",
        "请另存为 .xlsx 格式。",
        "save it as an .xlsx workbook",
    ),
    "IN-026": M(
        "the file is a zip archive but not an Excel workbook",
        "这是 zip 压缩包，但不是 Excel 工作簿（没有 xl/workbook.xml）。",
        "a zip file but not an Excel workbook (it has no xl/workbook.xml)",
        "请提交填写好的 .xlsx 文件。",
        "send the filled .xlsx template",
    ),
    "IN-027": M(
        "the file is an OpenDocument spreadsheet (.ods)",
        "这是 OpenDocument 表格（.ods），不是 .xlsx 工作簿。",
        "this is an OpenDocument file (.ods), not an .xlsx workbook",
        _SEND_XLSX_ZH,
        _SEND_XLSX_EN,
    ),
    "IN-028": M(
        "a part of the workbook is damaged (cannot be decompressed or parsed)",
        "工作簿已损坏：其中的 {part} 无法读取。",
        "the workbook is damaged: its part {part} cannot be read",
        _SEND_XLSX_ZH,
        _SEND_XLSX_EN,
    ),
    "IN-029": M(
        "a cell refers to a shared string the workbook does not have",
        "工作簿已损坏：单元格 {ref} 引用的共享文字 {index} 不存在。",
        "the workbook is damaged: cell {ref} refers to shared string {index}, which it does not have",
        _SEND_XLSX_ZH,
        _SEND_XLSX_EN,
    ),
    "IN-030": M(
        "the workbook is not a unionforms template (no identity sheet, no field names)",
        "不是 unionforms 模板：工作簿中没有 {id_sheet} 工作表。",
        "not a unionforms template: the workbook has no {id_sheet} sheet",
        _NEW_TEMPLATE_ZH,
        _NEW_TEMPLATE_EN,
    ),
    "IN-031": M(
        "a template's identity sheet was deleted or renamed",
        "模板已被改动：标识工作表 {id_sheet} 被删除或改名，无法确认表式。",
        "the template was altered: its identity sheet {id_sheet} was deleted or renamed",
        "请在原模板上填写，不要删除或改名工作表；" + _NEW_TEMPLATE_ZH,
        "fill in the original template without deleting or renaming sheets; " + _NEW_TEMPLATE_EN,
    ),
    "IN-032": M(
        "a template's identity sheet does not name the form",
        "不是 unionforms 模板：{id_sheet} 工作表没有写明表式。",
        "not a unionforms template: the {id_sheet} sheet does not name the form",
        _NEW_TEMPLATE_ZH,
        _NEW_TEMPLATE_EN,
    ),
    "IN-033": M(
        "a template follows another workbook contract version",
        "该工作簿遵循模板约定第 {contract} 版，本程序读取第 {supported} 版。",
        "the workbook follows template contract {contract}; this unionforms reads {supported}",
        "请升级 unionforms，或在本版本生成的模板上填写。",
        "upgrade unionforms, or fill in a template generated by this version",
    ),
    "IN-034": M(
        "a template was made from another definition version of its form than the one installed",
        "该文件是表式 {form} 定义第 {version} 版的模板，已安装的定义是第 {installed} 版。",
        "this file is definition version {version} of form {form}, "
        "but the installed definition is {installed}",
        "请用 `unionforms blank {form}` 生成新模板填写，或安装制作该模板时的插件版本。",
        "fill in a new template from `unionforms blank {form}`, or install the plugin version the template "
        "was made with",
    ),
    "IN-035": M(
        "a template's identity does not match its field layout: the identity sheet was edited",
        "模板已被改动：{id_sheet} 工作表写明的表式（{form} 第 {version} 版）与各栏目单元格的布局不符。",
        "the template was altered: the form its {id_sheet} sheet names ({form}, version {version}) "
        "does not match the layout of its field cells",
        "请不要修改模板的隐藏工作表；请填报单位在原模板上重新填写。",
        "do not edit the template's hidden sheet; ask the sender to fill in the original template",
    ),
    "IN-036": M(
        "a template's form sheet was deleted",
        "模板已被改动：填报表所在的工作表 {sheet} 被删除，所有栏目都无法读取。",
        "the template was altered: its form sheet {sheet} was deleted, so no field can be read",
        "请在原模板上填写，不要删除工作表。",
        "fill in the original template without deleting sheets",
    ),
    "IN-037": M(
        "a sheet of the workbook has no worksheet part",
        "工作簿已损坏：工作表 {sheet} 没有内容部分。",
        "the workbook is damaged: sheet {sheet} has no worksheet part",
        _SEND_XLSX_ZH,
        _SEND_XLSX_EN,
    ),
    "IN-041": M(
        "a report to write has a field code its form does not have",
        "报表中有 {field}，表式 {form} 没有这个栏目代码。",
        "the report has {field}, which form {form} does not have",
        "请先用 `unionforms validate` 审核报表。",
        "check the report with `unionforms validate` first",
    ),
    "IN-042": M(
        "a report to write has a value that is not a count, an amount or 是/否",
        "栏目 {field} 的值 {value} 无法写入模板。",
        "{field}: cannot write {value}",
        "请先用 `unionforms validate` 审核报表。",
        "check the report with `unionforms validate` first",
    ),
    "IN-043": M(
        "the file to print is not an .xlsx workbook",
        "只能打印 .xlsx 模板，不能打印 {suffix} 文件。",
        "only an .xlsx template can be printed, not a {suffix} file",
        "请先用 `unionforms fill` 生成填好的模板。",
        "`unionforms fill` makes one",
    ),
    "IN-044": M(
        "LibreOffice failed to convert a file",
        "LibreOffice 转换失败（退出码 {exit}），未写出：{missing}。",
        "LibreOffice failed (exit {exit}); not written: {missing}",
        "请确认文件能用 LibreOffice 打开；加 --json 可看到 LibreOffice 的输出。",
        "check that LibreOffice opens the file; --json shows LibreOffice's own output",
    ),
    "IN-045": M(
        "LibreOffice did not finish in time",
        "LibreOffice 在 {seconds} 秒内没有完成转换。",
        "LibreOffice did not finish within {seconds} s",
        "请确认文件能用 LibreOffice 打开，或稍后重试。",
        "check that LibreOffice opens the file, or try again later",
    ),
    "IN-050": M(
        "a workbook has too many members (a possible zip bomb)",
        "压缩包有 {count} 个成员（最多 {limit} 个），可能是“压缩炸弹”，已拒绝读取。",
        "the archive has {count} members (at most {limit}); refused as a possible zip bomb",
        _REFUSE_ZH,
        _REFUSE_EN,
    ),
    "IN-051": M(
        "a workbook member is too large",
        "压缩包中的 {part} 解压后有 {size} 字节（最多 {limit} 字节），已拒绝读取。",
        "member {part} expands to {size} bytes (at most {limit}); refused as too large",
        _REFUSE_ZH,
        _REFUSE_EN,
    ),
    "IN-052": M(
        "a workbook's members are too large in all",
        "压缩包解压后总共超过 {limit} 字节，已拒绝读取。",
        "the members expand to more than {limit} bytes in all; refused as too large",
        _REFUSE_ZH,
        _REFUSE_EN,
    ),
    "IN-053": M(
        "a workbook member expands past the size its directory declares",
        "压缩包中的 {part} 解压后超过了目录中声明的大小或上限，已拒绝读取。",
        "member {part} expands past its declared size or the bounds; refused as a possible zip bomb",
        _REFUSE_ZH,
        _REFUSE_EN,
    ),
    "IN-054": M(
        "a workbook part declares a DTD or entities (a possible XML bomb)",
        "{part} 声明了 DTD 或实体，Excel 工作簿不会这样做，可能是“XML 炸弹”，已拒绝读取。",
        "{part} declares a DTD or entities, which no Excel workbook has; refused as a possible XML bomb",
        _REFUSE_ZH,
        _REFUSE_EN,
    ),
    # --- ENV: the machine -----------------------------------------------------------------------------
    "IN-006": M(
        "two returns of different forms are compared, and no mapping between them is declared",
        "没有声明从 {old} 到 {new} 的对照关系，两张表无法逐行比较。",
        "no mapping from {old} to {new} is declared",
        "后一年表式的插件应在 mapping.toml 中声明对照关系（specs/mapping.md）；"
        "不声明时可用 `unionforms diff` 查看变化。",
        "the later form's plugin declares one in mapping.toml (specs/mapping.md); "
        "`unionforms diff` shows the changes without one",
    ),
    "IN-060": M(
        "a new form id does not have the shape family-year",
        "新表式编号 {id} 不是“表族-年份”的形式。",
        "new form id {id} is not family-year",
        "例如 songwennuan-2018：小写表族名、连字符、标题中的四位年份。",
        "e.g. songwennuan-2018: lower-case family, '-', the four-digit year printed in the title",
    ),
    "IN-061": M(
        "the folder for a new plugin package exists and is not empty",
        "文件夹已存在且不为空，未写入任何文件。",
        "the folder exists and is not empty; nothing was written",
        "请指定一个新的或空的文件夹。",
        "give a new or empty folder",
    ),
    "IN-062": M(
        "the definition file of a registered form cannot be found",
        "找不到表式 {form_id} 的定义文件。",
        "the definition file of {form_id} cannot be found",
        "其插件应把 form.toml 放在入口点所指模块旁，作为包数据发布。",
        "its plugin must ship form.toml beside the module its entry point names",
    ),
    "IN-063": M(
        "a new form id is already registered",
        "表式 {id} 已经注册。",
        "form {id} is already registered",
        "请另选一个编号。",
        "choose another id",
    ),
    "IN-064": M(
        "a path given to a command does not exist",
        "文件或文件夹不存在。",
        "no such file or folder",
        "请检查路径。",
        "check the path",
    ),
    "IN-089": M(
        "a table's header names one column twice: which one holds cannot be told",
        "表格的表头中“{column}”列出现了两次，无法判断哪一列有效。",
        "the table's header names the column “{column}” twice: which one holds cannot be told",
        "请删除多余的一列，只保留正确的一列后再提交。",
        "delete the extra column, keeping the right one, and send it again",
    ),
    "IN-090": M(
        "the path is a named pipe, a device or a socket, not a regular file",
        "这不是普通文件，而是{kind}；只读取普通文件。",
        "this is not a regular file but {kind}; only regular files are read",
        "请提供报表文件本身。",
        "give the report file itself",
    ),
    "IN-091": M(
        "the file is larger than any report of its kind can be (checked before it is read)",
        "文件有 {size} 字节，超过此类报表的上限 {limit} 字节，不是报表文件，未读取。",
        "the file is {size} bytes, more than the {limit} bytes a report of this kind can be; not read",
        "请确认这是报表文件；真实的报表远小于此。",
        "check that this is the report file; a real report is far smaller",
    ),
    "IN-092": M(
        "reading one file took longer than its time budget in a bulk run",
        "读取该文件超过了 {seconds} 秒的时限，已停止读取，其余文件照常审核。",
        "reading the file took more than {seconds} s; it was stopped and the other files go on",
        _REFUSE_ZH,
        _REFUSE_EN,
    ),
    "IN-093": M(
        "reading one file needed more memory than its budget in a bulk run (or the reader was killed)",
        "读取该文件所需内存超过 {memory} MiB 的上限（或读取被中止：{how}），其余文件照常审核。",
        "reading the file needed more than {memory} MiB (or the reader was stopped: {how}); "
        "the other files go on",
        _REFUSE_ZH,
        _REFUSE_EN,
    ),
    "IN-094": M(
        "reading a file failed in a way no other code names (the raw error is the detail)",
        "读取该文件时发生意外错误，无法作为报表读取；其余文件照常审核。",
        "the file cannot be read as a report (an unexpected error); the other files go on",
        "请填报单位重新报送；加 --json 可看到详情，请报告给 unionforms 维护者。",
        "ask the sender for the original file; --json shows the detail, please report it to the maintainers",
    ),
    "IN-095": M(
        "a JSON report nests arrays and objects deeper than the bound (specs/report-json.md §5.1)",
        "JSON 的数组和对象嵌套了 {depth} 层（最多 {limit} 层），报表只有 2 层，不是报表文件。",
        "arrays and objects nest {depth} deep (at most {limit}); a report nests 2 deep",
        "请确认这是 unionforms 报表文件。",
        "check that this is a unionforms report",
    ),
    "IN-096": M(
        "a JSON number literal is longer than the bound (specs/report-json.md §5.1)",
        "JSON 中有一个 {chars} 个字符长的数（最多 {limit} 个），不是实际的统计数。",
        "a number has {chars} characters (at most {limit}); no figure is that long",
        "请核对数值；报表中的数最多 15 位有效数字。",
        "check the figure; a report's numbers have at most 15 significant digits",
    ),
    "IN-097": M(
        "a JSON report holds NaN or Infinity, which JSON does not allow",
        "JSON 中的 {text} 不是数（JSON 不允许 NaN、Infinity）。",
        "{text} is not a number JSON allows (RFC 8259)",
        "请填写实际的数值，空白的栏目不写。",
        "write the figure itself, or leave the field out when it is blank",
    ),
    "IN-098": M(
        "a JSON string holds a lone UTF-16 surrogate, which is not a character",
        "{where} 处的文字含有单独的 UTF-16 代理码（\\ud800–\\udfff），不是有效字符。",
        "the text at {where} holds a lone UTF-16 surrogate (\\ud800–\\udfff), which is not a character",
        "请用生成该报表的程序重新保存为 UTF-8。",
        "save the report again, as UTF-8, from the program that made it",
    ),
    "IN-099": M(
        "a JSON object gives one key twice: which value holds cannot be told",
        "JSON 中的“{key}”出现了两次，无法判断哪个值有效。",
        "the key “{key}” is given twice in a JSON object: which value holds cannot be told",
        "请删除多余的一个，只保留正确的值后再提交。",
        "delete the extra one, keeping the right value, and send it again",
    ),
    "IN-065": M(
        "a table holds more returns than one run takes: it is not read in part",
        "表格中的报表超过 {limit} 份，超出一次处理的上限，整个表格未读取。",
        "the table holds more than {limit} returns, more than one run takes: none of it was read",
        "请把表格按地区或单位拆分成几个文件，分别审核后再汇总各部分的汇总表。",
        "split the table by region or unit into several files, check each, and add up their totals",
    ),
    "IN-017": M(
        "the file is open in another program that keeps others out (Excel or WPS on Windows)",
        "该文件正被其他程序占用（在 Excel/WPS 中打开着），无法读取；其余文件照常处理。",
        "the file is held open by another program (Excel or WPS), so it cannot be read; "
        "the other files go on",
        "请先在 Excel/WPS 中关闭该文件，再重新运行。",
        "close it in Excel/WPS first, then run the command again",
    ),
    "IN-109": M(
        "a date given on the command line (aggregate --date) is not a date",
        "{option} 给出的 {value} 不是日期。",
        "{option}: {value} is not a date",
        "请写成日期，如 2017-01-15 或 2017年1月15日。",
        "give a date, e.g. 2017-01-15",
    ),
    "IN-066": M(
        "a worksheet gives one of the form's cells twice: which value holds cannot be told",
        "工作表中单元格 {cell} 出现了两次（{part}），无法判断哪个值有效，不是正常保存的工作簿。",
        "the worksheet gives cell {cell} twice ({part}): which value holds cannot be told; no program saves "
        "a workbook so",
        "请用 Excel、WPS 或 LibreOffice 打开，另存为 .xlsx 格式后再提交。",
        "open it in Excel, WPS or LibreOffice and save it as an .xlsx workbook",
    ),
    "IN-071": M(
        "none of the inputs of a total is a usable return",
        "没有可以汇总的报表：所有输入都无法读取或已跳过。",
        "no usable return to add up: every input is unusable or skipped",
        "请给出报表所在的文件夹；`unionforms validate` 列出每个文件无法使用的原因。",
        "give the folder of returns; `unionforms validate` shows why each one is unusable",
    ),
    "IN-073": M(
        "the annotated copy of a return could not be made (the check result still stands)",
        "无法写出该报表的批注副本（审核结果不受影响）。",
        "the annotated copy of this return could not be made (its check result stands)",
        "请按审核结果工作簿或屏幕上的审核结果退回修改；加 --json 可看到原因。",
        "send the findings from the report workbook or the screen instead; --json shows why",
    ),
    "IN-074": M(
        "the 汇总来源 (provenance) of a total cannot be read",
        "汇总表的汇总来源无法读取。",
        "the provenance (汇总来源) of this total cannot be read",
        "请使用 `unionforms aggregate` 写出的汇总表，不要修改其汇总来源工作表或 provenance 项。",
        "use the total as `unionforms aggregate` wrote it, without editing its 汇总来源 sheet or provenance",
    ),
    "IN-075": M(
        "a total is written to a file that is neither .xlsx nor .json",
        "汇总表只能写为 .xlsx 或 .json，不能写为 {suffix}。",
        "a total is written as .xlsx or .json, not {suffix}",
        "请用 -o 汇总.xlsx 或 -o 汇总.json。",
        "give -o total.xlsx or -o total.json",
    ),
    "IN-076": M(
        "an input is skipped: an Office lock file (~$…), made while a workbook is open, not a return",
        "Office 锁定文件（工作簿打开时产生的 ~$ 文件），不是报表，已跳过。",
        "an Office lock file (~$…, made while a workbook is open), not a return: skipped",
        "无需处理；如需审核该报表，请关闭 Excel 或 WPS 后审核原文件。",
        "nothing to do; close Excel or WPS and check the workbook itself",
    ),
    "IN-077": M(
        "an input is skipped: a hidden file, or a hidden folder that is not searched",
        "隐藏的文件或文件夹，未读取，已跳过。",
        "a hidden file or folder: not read, skipped",
        "如其中确有报表，请改名去掉开头的“.”，或直接给出该文件。",
        "if it holds a return, rename it without the leading '.', or give the file itself",
    ),
    "IN-078": M(
        "an input is skipped: a file in a folder that is not a return (.xlsx, .json) nor a spreadsheet",
        "不是 .xlsx 或 .json 报表文件，已跳过。",
        "not an .xlsx or .json return: skipped",
        "如这是报表，请另存为 .xlsx 后再审核。",
        "if it is a return, save it as .xlsx and check it again",
    ),
    "IN-079": M(
        "an input is skipped: the same file was already given (by another argument or through a link)",
        "同一文件已经列出，不重复处理，已跳过。",
        "the same file was already given: skipped",
        "无需处理：每个文件只审核一次。",
        "nothing to do: each file is checked once",
    ),
    "IN-086": M(
        "an input is skipped: a link inside a folder points to a folder outside it",
        "这是指向所给文件夹之外的链接，未读取，已跳过。",
        "a link to a folder outside the folder given: not read, skipped",
        "如其中确有本轮的报表，请直接给出那个文件夹。",
        "if it holds returns of this round, give that folder itself",
    ),
    "IN-087": M(
        "an input is skipped: a link leads to a folder already searched (a loop, or a second link to it)",
        "这个文件夹（经由链接）已经查找过，不重复查找，已跳过。",
        "this folder (reached through a link) was searched already: skipped",
        "无需处理：每个文件夹只查找一次。",
        "nothing to do: each folder is searched once",
    ),
    "IN-088": M(
        "a folder cannot be listed (no permission, or it vanished): the returns in it cannot be read",
        "无法列出这个文件夹中的文件（没有权限或已被移走），其中的报表没有读取。",
        "this folder cannot be listed (no permission, or it is gone): the returns in it were not read",
        "请检查该文件夹的访问权限，或把其中的报表复制到可读的文件夹后再运行。",
        "check the folder's permissions, or copy its returns into a folder you can read, and run again",
    ),
    "IN-080": M(
        "a row of a table names no form: its form cell is blank",
        "该行没有表式（form 列为空），不能作为一份报表读取；其他行照常读取。",
        "the row names no form (its form cell is blank), so it is not a return; the other rows are read",
        "请在 form 列填写表式代码（见 `unionforms list`），或删除该行。",
        "put the form id (see `unionforms list`) in its form column, or delete the row",
    ),
    "IN-081": M(
        "a row of a table has more cells than its header has columns",
        "该行有 {cells} 个单元格，多于表头的 {columns} 列，不能作为报表读取；其他行照常读取。",
        "the row has {cells} cells, more than the header's {columns} columns; the other rows are read",
        "请删除多出的单元格，或改正该行（各列见 specs/export.md）。",
        "delete the extra cells or correct the row (specs/export.md lists the columns)",
    ),
    "IN-082": M(
        "a table (CSV or xlsx sheet) has no header row with a form column: it is not a unionforms table",
        "该表格的第一行没有 form 列（或表格为空），不是 unionforms 表格。",
        "the table's first row has no form column (or the table is empty): not a unionforms table",
        "请用 `unionforms export` 导出表格；各列见 specs/export.md。",
        "write it with `unionforms export`; specs/export.md lists the columns",
    ),
    "IN-083": M(
        "a CSV file cannot be parsed as CSV",
        "无法按 CSV 格式读取该文件。",
        "the file cannot be read as CSV",
        "请用 Excel、WPS 或 LibreOffice 打开，另存为“CSV UTF-8”后重试。",
        "open it in Excel, WPS or LibreOffice, save it as CSV UTF-8 and try again",
        show_detail=True,
    ),
    "IN-084": M(
        "a row of a table has an explanations cell that is not a JSON object of rule id -> text",
        "该行的合理性审核说明（explanations 列）应为“规则编号 → 说明文字”的 JSON 对象，不能作为报表读取；"
        "其他行照常读取。",
        "the row's explanations cell must be a JSON object of rule id -> text; the other rows are read",
        '如 {{"06-05-spent": "含上年结转款物 2 万元"}}；没有说明时留空。',
        'e.g. {{"06-05-spent": "含上年结转款物 2 万元"}}; leave it blank when there is none',
    ),
    "IN-085": M(
        "a table (CSV or xlsx sheet) has its header but no row: it holds no return",
        "该表格只有表头，没有任何报表行。",
        "the table has its header but no row: it holds no return",
        "请确认导出时选中了报表；如确实没有报表，可删除该文件。",
        "check that the export had returns in it; if there are none, delete the file",
    ),
    "ENV-001": M(
        "a program unionforms needs (LibreOffice, for PDF) is not installed",
        "没有安装 LibreOffice，无法转换。",
        "LibreOffice is not installed, so nothing can be converted",
        "请安装 LibreOffice 及中文字体（Debian：apt-get install libreoffice-calc-nogui fonts-noto-cjk"
        " fonts-crosextra-carlito）后重试。",
        "install it (Debian: apt-get install libreoffice-calc-nogui fonts-noto-cjk fonts-crosextra-carlito)"
        " and try again",
    ),
    "ENV-002": M(
        "a file name or argument holds bytes the locale cannot decode (Linux under a non-UTF-8 locale)",
        "文件名或命令参数中有当前区域设置（locale）无法解码的字符，结果无法写出。",
        "a file name or argument holds characters the current locale cannot decode, so the result could "
        "not be written",
        "请在 UTF-8 区域设置下运行（如 export LANG=zh_CN.UTF-8），或设置 PYTHONUTF8=1。",
        "run under a UTF-8 locale (e.g. export LANG=zh_CN.UTF-8), or set PYTHONUTF8=1",
    ),
    # --- OUT: outputs ---------------------------------------------------------------------------------
    "OUT-001": M(
        "the output would replace an input of the same command",
        "输出文件就是输入文件 {input}，写出会毁掉输入，未写出。",
        "the output is the input {input}; writing it would destroy the input, so nothing was written",
        "请换一个输出文件名。",
        "write to another file",
    ),
    "OUT-002": M(
        "the output exists already and --force was not given",
        "输出文件已存在，已保留原文件，未写出。",
        "the output exists already; it is kept and nothing was written",
        "请换一个文件名；确需覆盖时加 --force。",
        "give another name, or --force to replace it",
    ),
    "OUT-003": M(
        "the output's extension does not match the format written",
        "输出格式为 {kind}，但文件名的扩展名是 {suffix}。",
        "the output is written as {kind}, but its name ends in {suffix}",
        "请把输出文件命名为 …{expected}。",
        "name the output …{expected}",
    ),
    "OUT-004": M(
        "the output cannot be written (disk full, no permission, no such folder); nothing was written",
        "无法写出文件：{reason}；未写出任何内容，原有文件不变。",
        "cannot write the file: {reason}; nothing was written and any old file is unchanged",
        "请腾出磁盘空间或换一个位置后重新运行。",
        "free some space or choose another place, then run the command again",
    ),
    "OUT-005": M(
        "the command's result cannot be written to standard output (a full disk behind > FILE)",
        "无法输出结果：标准输出拒绝写入（{reason}），输出不完整。",
        "the result cannot be written to standard output ({reason}); what was written is incomplete",
        "请腾出磁盘空间或把结果重定向到其他位置后重新运行。",
        "free some space or redirect the result elsewhere, then run the command again",
    ),
    "OUT-006": M(
        "the output is open in another program that keeps others out (Excel or WPS on Windows), or read-only",
        "输出文件无法替换：它正被其他程序打开（如 Excel/WPS），或是只读文件；未写出，原有文件不变。",
        "the output cannot be replaced: another program (Excel or WPS) holds it open, or it is read-only; "
        "nothing was written and the old file is unchanged",
        "请先在 Excel/WPS 中关闭该文件（只读文件请取消只读），再重新运行。",
        "close it in Excel/WPS first (or clear its read-only flag), then run the command again",
    ),
    # --- TPL: a damaged template that can still be read -------------------------------------------------
    "TPL-001": M(
        "a field's cell name in a template was deleted or damaged (#REF!): the field cannot be read",
        "{place}：模板中该栏目的单元格名称 {name} 已被删除或损坏，无法读取该栏目（不是空白）。",
        "{place}: the template's cell name {name} of this field was deleted or damaged; the field cannot "
        "be read (it is not blank)",
        "请在原模板上填写，不要删除行、列或单元格。",
        "fill in the original template without deleting rows, columns or cells",
        severity="error",
    ),
    "TPL-002": M(
        "a header cell's name in a template was deleted or damaged (#REF!)",
        "{place}：模板中表头的单元格名称 {name} 已被删除或损坏，无法读取。",
        "{place}: the template's cell name {name} of this header entry was deleted or damaged",
        "请在原模板上填写，不要删除行、列或单元格。",
        "fill in the original template without deleting rows, columns or cells",
        severity="error",
    ),
    "TPL-003": M(
        "a template's form sheet was renamed",
        "填报表的工作表名称被改为 {sheet}（模板中为 {declared}）。",
        "the form sheet was renamed to {sheet} (the template calls it {declared})",
        "不影响读取；今后请不要修改模板的结构。",
        "this does not stop reading; please leave the template's structure as it is",
        severity="warning",
    ),
    # --- VAL: values -------------------------------------------------------------------------------------
    "VAL-001": M(
        "a count is negative",
        "{place}：{unit}数不能为负数（填写的是 {value}）。",
        "{place}: a count of {unit} cannot be negative (typed {value})",
        "请填写 0 或正整数。",
        "type 0 or a positive whole number",
        severity="error",
    ),
    "VAL-002": M(
        "a count has a fractional part",
        "{place}：应填写整数{unit}数，不能有小数（填写的是 {value}）。",
        "{place}: a count of {unit} has no fraction (typed {value})",
        "请填写整数。",
        "type a whole number",
        severity="error",
    ),
    "VAL-003": M(
        "a value is not a number",
        "{place}：应填写数字（{unit}），填写的是 {value}。",
        "{place}: a number ({unit}) is wanted, not {value}",
        "请只填写数字，如 12 或 3.5。",
        "type digits only, e.g. 12 or 3.5",
        severity="error",
    ),
    "VAL-004": M(
        "a 是/否 blank holds something other than 是 or 否",
        "{place}：只能填写“是”或“否”（填写的是 {value}）。",
        "{place}: only 是 or 否 may be typed (typed {value})",
        "请从下拉列表中选择。",
        "choose from the dropdown list",
        severity="error",
    ),
    "VAL-005": M(
        "the report has a value for a field code the form does not have",
        "{place}：表 {form} 没有这个栏目代码。",
        "{place}: form {form} has no such field code",
        "请删除该值，或核对表式与年份。",
        "remove the value, or check the form and year",
        severity="error",
    ),
    "VAL-006": M(
        "money is negative",
        "{place}：金额不能为负数（填写的是 {value}）。",
        "{place}: money cannot be negative (typed {value})",
        "请填写 0 或正数。",
        "type 0 or a positive amount",
        severity="error",
    ),
    "VAL-007": M(
        "a formula cell has no cached result",
        "{place}：该单元格是公式，但文件中没有公式的计算结果。",
        "{place}: the cell is a formula, but the file holds no computed result",
        "请用 Excel、WPS 或 LibreOffice 打开并保存一次，或直接填写内容。",
        "open and save the file in Excel, WPS or LibreOffice, or type the value itself",
        severity="error",
    ),
    "VAL-008": M(
        "a number is too large or too precise to be a real figure (more than 15 digits)",
        "{place}：数值过大（填写的是 {value}），不是实际的统计数。",
        "{place}: the number is too large to be a real figure (typed {value})",
        "请核对单位和位数。",
        "check the unit and the number of digits",
        severity="error",
    ),
    "VAL-010": M(
        "a long table gives one field twice for one return",
        "{place}：同一报表中该栏目出现了两次（第 {row} 行），只保留了第一次的数值。",
        "{place}: the field is given twice in one return (row {row}); the first value is kept",
        "请删除重复的行。",
        "delete the repeated row",
        severity="error",
    ),
    "VAL-011": M(
        "a row of a long table has a value but no field code",
        "第 {row} 行有数值 {value}，但没有栏目代码（code 列为空），该数值未读取。",
        "row {row} has the value {value} but no field code (its code cell is blank); the value is not read",
        "请在 code 列填写栏目代码，或删除该行。",
        "put the field code in its code column, or delete the row",
        severity="error",
    ),
    "VAL-012": M(
        "a blank holds a 不适用 mark (a dash, 不适用 or 无), read as blank or as 0",
        "{place}：填写的是“{mark}”，已按 {reading} 读取。",
        "{place}: “{mark}” is typed, read as {reading} (空白: blank, not 0)",
        "如不是此意，请填写数字；没有发生的填 0。",
        "if that is not what was meant, type the figure; write 0 for none",
        severity="warning",
    ),
    "VAL-020": M(
        "a 万元 figure has more decimal places than the form declares for it: worth a look (a warning, since"
        " finer amounts exist: 3.695 万元 is 36 950 元)",
        "{place}：填写的 {value} 有 {typed} 位小数，本栏按 {places} 位小数填报（已按填写的数值读取）。",
        "{place}: {value} has {typed} decimal places; the field is filled to {places} (read as typed)",
        "请核对单位是否为万元（不是元）、小数点位置是否正确；如数值无误可不修改。",
        "check that the unit is 万元 (not 元) and where the decimal point stands; if the figure is right,"
        " leave it",
        severity="warning",
    ),
    # --- META: the header ----------------------------------------------------------------------------------
    "META-001": M(
        "the header date is not a date",
        "{place}：{value} 不是日期。",
        "{place}: {value} is not a date",
        "请填写日期，如 2017-01-15 或 2017年1月15日。",
        "type a date, e.g. 2017-01-15",
        severity="error",
    ),
    "META-002": M(
        "a header entry is not text",
        "{place}：应填写文字，填写的是 {value}。",
        "{place}: text is wanted, not {value}",
        "请改为文字。",
        "type it as text",
        severity="error",
    ),
    "META-003": M(
        "a JSON report's header (meta) is not an object",
        "表头（meta）应为对象。",
        "the header (meta) must be an object",
        '如 "meta": {{"unit": "…", "date": "2017-01-15"}}。',
        'e.g. "meta": {{"unit": "…", "date": "2017-01-15"}}',
        severity="error",
    ),
    "META-004": M(
        "a JSON report's header has an unknown entry",
        "表头没有 {key} 这一项（可用：{entries}）。",
        "the header has no entry {key} (known: {entries})",
        "请删除该项。",
        "remove that entry",
        severity="error",
    ),
    "META-005": M(
        "a header text holds control characters or invalid Unicode, which a workbook cannot hold",
        "{place}：文字中含有不可见的控制字符或无效字符（{char}），工作簿无法保存，该项未写入。",
        "{place}: the text holds an invisible control or invalid character ({char}), which a workbook "
        "cannot hold; it was left out",
        "请重新输入这一项。",
        "type that entry again",
        severity="error",
    ),
    # --- CHK: rules a report breaks --------------------------------------------------------------------
    "CHK-001": M(
        "a logic rule (逻辑性审核) is broken: must be fixed",
        "{relation}。",
        "{relation}",
        "请核对并修改有关数字。",
        "correct the numbers named",
        severity="error",
    ),
    "CHK-002": M(
        "a plausibility rule (合理性审核) is broken: worth a look",
        "{relation}。",
        "{relation}",
        "如数字无误，请在合理性审核说明中写明理由。",
        "if the figures are right, write why in the explanation (合理性审核说明) beside the warning",
        severity="warning",
    ),
    "CHK-003": M(
        "the report has no figures at all: every blank is empty",
        "报表没有填写任何数字：{title}的全部 {count} 个填写栏都是空白，无法审核。",
        "the report has no figures at all: all {count} blanks of {title} are empty; nothing can be checked",
        "空白不等于 0：请填写有关数字，没有发生的事项填 0。",
        "a blank is not a 0: fill in the figures, and write 0 for what did not happen",
        severity="error",
    ),
    "CHK-004": M(
        "an explanation (合理性审核说明) names a logic rule (逻辑性审核), which no explanation can excuse",
        "规则 {rule} 是逻辑性审核，不通过必须修改数字，不能以说明代替：所填说明未予采纳。",
        "rule {rule} is a logic rule (逻辑性审核): figures that break it must be corrected, not explained;"
        " the explanation is ignored",
        "请修改有关数字并删去该说明；只有合理性审核（警告）可以填写说明。",
        "correct the figures and remove the explanation; only warnings (合理性审核) take one",
        severity="warning",
    ),
    "CHK-005": M(
        "an explanation (合理性审核说明) names a rule the form does not have",
        "本表没有审核规则 {explained}，所填说明未予采纳。",
        "the form has no rule {explained}; the explanation is ignored",
        "请核对规则编号（`unionforms show {form}` 列出全部规则）。",
        "check the rule id (`unionforms show {form}` lists every rule)",
        severity="warning",
    ),
    "CHK-006": M(
        "a plausibility rule (合理性审核) is broken, and the report explains why (合理性审核说明)",
        "{relation}。已说明：“{explanation}”。",
        "{relation}; explained: “{explanation}”",
        "请审核人员核实说明；说明不成立时请修改数字。",
        "the reviewer checks the explanation; if it does not hold, correct the figures",
        severity="warning",
    ),
    "CHK-007": M(
        "a total or companion figure is blank while the figures that make it non-zero are filled: must be"
        " filled",
        "{place}没有填，而{beside}已填，它不可能是 0。",
        "{place} is blank beside {beside}, so it cannot be 0",
        "请填写 {place_short}（空栏不当作 0）。",
        "fill in {place_short} (a blank is never counted as 0)",
        severity="error",
    ),
    "CHK-008": M(
        "a total or companion figure is blank while the figures beside it are filled: worth a look",
        "{place}没有填，而{beside}已填。",
        "{place} is blank beside {beside}",
        "请填写 {place_short}，没有发生的填 0。",
        "fill in {place_short}; write 0 if there was none",
        severity="warning",
    ),
    # --- MAP: cross-year mappings -------------------------------------------------------------------
    "MAP-001": M(
        "a mapping entry has the wrong number of codes for its kind",
        "“{kind}”条目应有 {want_old} 个旧代码、{want_new} 个新代码，而不是 {old} → {new}。",
        "a {kind!r} entry takes {want_old} old and {want_new} new codes, not {old} → {new}",
        "same/renamed 一对一，split 一对多，merged 多对一，new 只有新代码，dropped 只有旧代码。",
        "same/renamed 1 → 1, split 1 → 2+, merged 2+ → 1, new → 1+, dropped 1+ →",
    ),
    "MAP-002": M(
        "a mapping joins other forms than the ones it is used for",
        "对照关系连接的是 {old} → {new}，不是 {want_old} → {want_new}。",
        "the mapping joins {old} → {new}, not {want_old} → {want_new}",
        "请核对 mapping.toml 中的 from 和 to。",
        "check from and to in mapping.toml",
    ),
    "MAP-003": M(
        "a mapping entry gives no reason (why)",
        "对照条目 {entry} 没有说明依据（why）。",
        "entry {entry} has no `why`",
        "请引用两年表式上印的栏目名称。",
        "quote the printed labels of both years",
    ),
    "MAP-005": M(
        "a mapping entry's kind is unknown",
        "第 {index} 个对照条目的类型 {kind} 不是 {kinds} 之一。",
        "entry {index}: kind {kind} is not one of {kinds}",
        "请改用规定的类型。",
        "use one of the kinds listed",
    ),
    "MAP-006": M(
        "a mapping entry's exact is not true or false",
        "第 {index} 个对照条目的 exact 只能是 true 或 false。",
        "entry {index}: exact must be true or false",
        "请改为 true 或 false。",
        "write true or false",
    ),
    "MAP-007": M(
        "a mapping file lacks an entry or has one of the wrong type",
        "对照文件缺少必需的项，或某项类型不对（{what}）。",
        "the mapping is missing or has a wrong entry ({what})",
        "格式见 specs/mapping.md。",
        "see specs/mapping.md for the format",
    ),
    "MAP-008": M(
        "a mapping file cannot be read",
        "无法读取对照文件。",
        "the mapping file cannot be read",
        "请检查文件是否存在、是否为有效的 TOML。",
        "check that it exists and is valid TOML",
        show_detail=True,
    ),
    "MAP-009": M(
        "a mapping entry names a code its form does not have",
        "对照条目 {entry} 中的 {code} 在表式 {form_id} 中不存在。",
        "entry {entry} names {code}, which {form_id} does not have",
        "请用 `unionforms show {form_id}` 列出的代码。",
        "use a code that `unionforms show {form_id}` lists",
    ),
    "MAP-010": M(
        "a code stands in more than one mapping entry",
        "表式 {form_id} 的代码出现在多个对照条目中：{codes}。",
        "codes of {form_id} in more than one entry: {codes}",
        "每个代码只能出现在一个条目中。",
        "each code stands in exactly one entry",
    ),
    "MAP-011": M(
        "a code stands in no mapping entry",
        "表式 {form_id} 的代码没有出现在任何对照条目中：{codes}。",
        "codes of {form_id} in no entry: {codes}",
        "每个代码都应标明为 same、renamed、split、merged、new 或 dropped。",
        "every code is same, renamed, split, merged, new or dropped",
    ),
    "MAP-012": M(
        "a mapping entry joins fields of different units",
        "对照条目 {entry} 连接了不同单位的栏目（{units}）。",
        "entry {entry} joins fields of different units ({units})",
        "不同单位的数字不能比较：请改用 dropped 和 new。",
        "figures in different units are not comparable: use dropped and new",
    ),
    "MAP-013": M(
        "a mapping entry says same, but the printed labels differ",
        "对照条目 {entry} 标为 same，但两年的栏目名称不同：“{label_old}” / “{label_new}”。",
        "entry {entry} is 'same' but the labels differ: “{label_old}” / “{label_new}”",
        "请改为 renamed（口径变了再加 exact = false），或改正代码。",
        "use 'renamed' (and exact = false if the scope changed), or fix the codes",
    ),
    "MAP-014": M(
        "a mapping does not fit its two forms",
        "对照关系与两张表式不符：{problems}",
        "the mapping does not fit its forms: {problems}",
        "请运行 `unionforms check` 检查插件包，逐条修正。",
        "run `unionforms check` on the plugin package and fix each problem",
    ),
    "MAP-020": M(
        "a table of a mapping file has a key the format does not know, close to a known key (did you mean)",
        "{table} 中有未知的项 {key}，是否应为 {guess}？",
        "{table}: unknown key {key}; did you mean {guess}?",
        "未知的项会被忽略，所以不能接受：请改正或删去。此处可用的项：{known}（见 specs/mapping.md）。",
        "an unknown key would be ignored, so it is refused: correct or delete it; the keys here are {known}"
        " (specs/mapping.md)",
    ),
    "MAP-021": M(
        "a table of a mapping file has a key the format does not know",
        "{table} 中有未知的项 {key}。",
        "{table}: unknown key {key}",
        "未知的项会被忽略，所以不能接受：请删去。此处可用的项：{known}（见 specs/mapping.md）。",
        "an unknown key would be ignored, so it is refused: delete it; the keys here are {known}"
        " (specs/mapping.md)",
    ),
    # --- CMP: year-over-year comparison ----------------------------------------------------------------
    "CMP-001": M(
        "a figure changed implausibly from last year's (a jump): worth a look",
        "{codes} {label}：上年 {last}，本年 {this} {unit}，变化达 {jump} 倍以上。",
        "{codes} {label}: last year {last}, this year {this} {unit}, a change of {jump} times or more",
        "如数字无误，可在报送说明中解释。",
        "if the figures are right, explain them in the note sent with the report",
        severity="warning",
    ),
    # --- LINT: definitions that load but are probably wrong -----------------------------------------
    "LINT-002": M(
        "a rule kept from the earlier form reads as it did, but its codes now name other blanks: its meaning"
        " changed",
        "规则的文字与 {source} 中的相同，但其中的代码在本表指的是别的栏目，规则的含义已经变了：{moved}。",
        "the rule reads as in {source}, but its codes now name other blanks, so its meaning changed: {moved}",
        "请按新的栏目代码改写规则，使它仍核对原来的栏目。",
        "rewrite the rule with the new codes, so that it checks the blanks it checked before",
        severity="warning",
    ),
    "LINT-003": M(
        "two rows of one line read the same, giving two blanks one label: a copied row not edited?",
        "{code} 与 {first} 的名称相同（“{label}”），所在的行也一样。",
        "{code} repeats the label “{label}” of {first} in a row that reads the same",
        "复制的行是否忘了修改？",
        "a copied row not yet edited?",
        severity="warning",
    ),
    # --- AGG: returns left out of a total ------------------------------------------------------------
    "AGG-001": M(
        "a return is not added up: it has error findings (unless --include-errors)",
        "有 {errors} 个错误，未计入汇总。",
        "{errors} errors: not added up",
        "请把批注副本（validate --annotate）退回填报单位修改；如确需计入，使用 --include-errors。",
        "send the annotated copy (validate --annotate) back for correction, or add it anyway with "
        "--include-errors",
    ),
    "AGG-002": M(
        "a return is not added up: it is of another form or year than the total",
        "表式或年份与汇总表不同（{form}，汇总表为 {total}），未计入汇总。",
        "another form or year ({form}; the total is {total}): not added up",
        "请按表式分别汇总（--form 表式），或请填报单位改用正确年份的表式。",
        "aggregate each form separately (--form FORM), or ask the unit for the right year's form",
    ),
    "AGG-003": M(
        "a return is not added up: it is superseded by the unit's current return (a correction, or the "
        "same return sent twice)",
        "该单位的当前有效报表是 {kept}，本份已被替代，未计入。",
        "the unit's current return is {kept}; this one is superseded and not added up",
        "如本份才是正确的一份，请把它的填报日期改为更晚的日期，或在文件名中注明“更正”，然后重新运行。",
        "if this one is the right return, give it a later date (填报日期) or put 更正 in its file name, "
        "and run again",
    ),
    "AGG-004": M(
        "a return is not added up: its 填报单位 is blank, so a second return of it could not be told",
        "填报单位为空，无法核对是否重复报送，未计入汇总。",
        "填报单位 is blank, so a second return of the unit could not be told: not added up",
        "请补填填报单位后重新汇总。",
        "fill in 填报单位 and run again",
    ),
    "AGG-005": M(
        "a return is not added up: the unit sent returns that differ, with the same date, and none is "
        "marked a correction (a conflict)",
        "同一单位还有填报日期相同、数字不同的报表（{others}），无法判断哪一份有效，均未计入。",
        "the unit also sent {others}, with the same date and other figures: which one holds cannot be "
        "told, so none is added up",
        "请删除错误的一份，或在正确一份的文件名中注明“更正”（或填写更晚的填报日期），然后重新运行。",
        "delete the wrong one, or put 更正 in the right one's file name (or give it a later date), and run "
        "again",
    ),
    "AGG-006": M(
        "a return is not added up: its 填报单位 is not on the list of units (名录)",
        "填报单位“{unit}”不在名录 {roster} 中（相近的名称：{suggest}），未计入。",
        "填报单位 “{unit}” is not on the list {roster} (names close to it: {suggest}): not added up",
        "如是名录中的单位，请更正填报单位，或把此名称加入名录的“别名”列；如是新单位，请加入名录。",
        "if it is a listed unit, correct 填报单位 or add this name to the list's 别名 column; if it is a new "
        "unit, add it to the list",
    ),
    "AGG-007": M(
        "the total is incomplete: units on the list of units (名录) have not reported",
        "名录应报 {expected} 个单位，实报 {reported} 个，缺报 {count} 个：{missing}。",
        "{expected} units listed, {reported} reported, {count} missing: {missing}",
        "汇总不完整：请催报缺报单位后重新汇总；如确需先行上报，请在报送时说明缺报情况。",
        "the total is incomplete: chase the missing units and aggregate again, or say what is missing when "
        "you report it",
        severity="warning",
    ),
    "AGG-008": M(
        "a total is not added up: returns it holds are added up too (a total among its own returns)",
        "这是一份汇总表，其中已包含本次也在汇总的单位（{units}），计入会重复计算，未计入。",
        "this is a total holding units that are added up in this run too ({units}): adding it would "
        "count them twice, so it is not added up",
        "请把上级或本级的汇总表移出收回的文件夹，或只汇总各下级的汇总表。",
        "move the total out of the folder of returns, or add up only the totals of the level below",
    ),
    # --- ROS: the list of units (名录) -------------------------------------------------------------------
    "ROS-001": M(
        "the list of units (名录) is not an .xlsx or .csv file",
        "名录文件的格式（{suffix}）无法读取。",
        "cannot read a list of units from a {suffix} file",
        "请把名录另存为 .xlsx 或 .csv（UTF-8）后再试，格式见 specs/roster.md。",
        "save the list as .xlsx or .csv (UTF-8) and try again; the format is in specs/roster.md",
    ),
    "ROS-002": M(
        "the list of units (名录) has rows that cannot be used: blank names, or a name or alias listed twice",
        "名录有问题：{problems}。",
        "the list of units has problems: {problems}",
        "请逐条修改名录：每个单位一行，单位名称不能为空，名称和别名都不能重复。",
        "fix each row: one unit a row, a name in every row, no name or alias twice",
    ),
    "ROS-003": M(
        "the list of units (名录) has no column 单位名称",
        "名录第 {row} 行（表头）没有“单位名称”列，只有：{found}。",
        "the header (row {row}) of the list has no column 单位名称, only: {found}",
        "请在第一行写表头：单位名称（必填），以及可选的单位代码、上级单位、联系人、联系电话、别名。",
        "write the header in the first row: 单位名称 (required) and optionally 单位代码, 上级单位, 联系人, "
        "联系电话, 别名",
    ),
    # --- EXP: exports ------------------------------------------------------------------------------------
    "EXP-001": M(
        "the export's output is neither a .csv, .jsonl or .xlsx file nor a database URL",
        "无法判断要写出的格式：{output}。",
        "cannot tell what to write from {output}",
        "请给出 .csv、.jsonl 或 .xlsx 文件名，或数据库地址，如 sqlite:///figures.db。",
        "name a .csv, .jsonl or .xlsx file, or a database URL such as sqlite:///figures.db",
    ),
    "EXP-002": M(
        "the database refused the export (cannot connect, no rights, an error in the database)",
        "数据库拒绝了导出，未写入任何数据（已全部回滚）。",
        "the database refused the export; nothing was written (all rolled back)",
        "请核对数据库地址、服务器是否运行，以及账号能否建表和写入。",
        "check the URL, that the server runs and that the account may create tables and write",
        show_detail=True,
    ),
    "EXP-003": M(
        "a wide table (a CSV or a DataFrame) would hold returns of more than one form",
        "宽表只能容纳一种表式，但导出内容中有 {first} 和 {second}。",
        "a wide table holds one form; found {first} and {second}",
        "请写出 .xlsx（每种表式一个工作表），或按表式分别导出。",
        "write .xlsx (one sheet per form) or export each form apart",
    ),
    "EXP-005": M(
        "a database URL cannot be used (malformed, or its driver is not installed)",
        "无法使用该数据库地址（格式不对，或未安装相应的驱动）。",
        "the database URL cannot be used (malformed, or its driver is not installed)",
        "写作 sqlite:///figures.db 或 postgresql+psycopg://用户@主机/库"
        "（PostgreSQL 需 pip install unionforms[postgresql]）。",
        "write sqlite:///figures.db or postgresql+psycopg://user@host/db "
        "(PostgreSQL needs pip install unionforms[postgresql])",
        show_detail=True,
    ),
    "EXP-006": M(
        "the database has a table named like unionforms' tables that is not one of them",
        "数据库中已有表 {table}，但缺少列 {columns}，不是 unionforms 的表；未写入任何数据。",
        "the database has a table {table} without the columns {columns}: not a unionforms table; "
        "nothing was written",
        "请导出到另一个数据库，或删除该表。",
        "export into another database, or drop that table",
    ),
    "EXP-007": M(
        "a return holds text the database cannot store (a NUL character, or text that is not Unicode): "
        "that return is not exported, the others are",
        "{where} 中有数据库无法保存的字符（空字符 \\x00 或无效的文字编码），本份报表未导出，其他报表已导出。",
        "{where} holds characters the database cannot store (a NUL \\x00, or invalid text): this return "
        "was not exported, the others were",
        "请删除该处的特殊字符（常见于从其他软件粘贴的文字或文件名）后重新导出。",
        "remove those characters (often pasted from other programs, or in a file name) and export again",
    ),
    # --- DESK: the statistician's desk (unionforms serve) -------------------------------------------------
    "DESK-001": M(
        "the desk (unionforms serve) is not installed: its optional packages are missing",
        "桌面版未安装（缺少 {package}）。",
        "the desk is not installed ({package} is missing)",
        '请运行 pip install "unionforms[desk]" 后再试。',
        'run pip install "unionforms[desk]" and try again',
    ),
    "DESK-002": M(
        "the round folder given to the desk is not a folder, or cannot be made",
        "轮次文件夹无法使用：{reason}。",
        "the round folder cannot be used: {reason}",
        "请给出一个文件夹（不存在时会新建），收回的报表放在其中的“收回”文件夹。",
        "name a folder (made when missing); the returns collected go into its folder 收回",
    ),
    "DESK-003": M(
        "an uploaded file's name leaves the round folder or cannot be a file name",
        "文件名 {name} 不能使用（{why}），该文件未收下。",
        "the file name {name} cannot be used ({why}); the file was not taken",
        "请改用普通文件名（不含“..”、盘符或以斜杠开头的路径）后重新上传。",
        "rename it to a plain name (no '..', drive letter or leading slash) and upload it again",
    ),
    "DESK-004": M(
        "one upload holds more files than the desk takes at once",
        "一次上传了 {count} 个文件，超过上限 {limit} 个，未收下任何文件。",
        "{count} files in one upload, over the limit of {limit}; no file was taken",
        "请分几次上传，每次不超过 {limit} 个文件。",
        "upload them in several goes, at most {limit} files each",
    ),
    "DESK-006": M(
        "one upload is larger in all than the desk takes at once",
        "一次上传的文件过大或过多（上限：共 {limit_mib} MiB、{files} 个文件），未收下任何文件。",
        "the upload is too large or holds too many files (at most {limit_mib} MiB and {files} files); "
        "no file was taken",
        "请分几次上传。",
        "upload the files in several goes",
    ),
    "DESK-005": M(
        "a request to the desk was refused: no valid key, a foreign Host header or a missing form check",
        "请求被拒绝：{why}。",
        "the request was refused: {why}",
        "请用启动时显示的完整地址（含 token=…）打开桌面版。",
        "open the desk with the full address printed when it started (with token=…)",
    ),
}

#: code -> its message. ``docs/errors.md`` is generated from this table (:func:`markdown`).
CATALOGUE: Mapping[str, Message] = _Lazy(_CATALOGUE)

#: Codes no longer emitted, with what replaced them; a code is never reused (``specs/versioning.md``).
RETIRED: dict[str, str] = {
    "RULE-021": "an unknown key in a rule is DEF-040 (with did you mean) or DEF-041, as in every table",
    "MAP-004": "an unknown key in a mapping entry is MAP-020 (with did you mean) or MAP-021, as anywhere",
    "LINT-001": "a comparison of different units is refused at load since definitions version 2 (RULE-005)",
}

#: Sentences added to a finding of any code (no code of their own: they say more about that finding).
_NOTES: dict[str, Spec] = {
    "unchecked": M(
        "added to a value's finding when the value kept rules from being checked (one mistake, one finding)",
        "该值有误，以下审核未检查：{rules}。",
        "because of this value these rules were not checked: {rules}",
    ),
}

NOTES: Mapping[str, Message] = _Lazy(_NOTES)

#: prefix -> (title, how it is reported, who fixes it); the topics of ``docs/errors.md`` in order.
TOPICS: dict[str, tuple[str, str, str]] = {
    "DEF": (
        "form definitions / 表式定义",
        "`DefinitionError` when the form is loaded",
        "form author 表式作者",
    ),
    "RULE": ("rules / 审核规则", "`RuleSyntaxError` (a `DefinitionError`)", "form author 表式作者"),
    "PLUG": (
        "plugins / 插件",
        "`PluginError`, collected in `Registry.problems`, printed as `警告：…`",
        "plugin author / IT 插件作者、信息技术人员",
    ),
    "IN": (
        "unusable input / 无法使用的输入",
        "`InputError`; the CLI prints it and exits 2",
        "whoever runs the command 使用者",
    ),
    "OUT": (
        "outputs / 输出文件",
        "`InputError` before anything is written; the CLI prints it and exits 2",
        "whoever runs the command 使用者",
    ),
    "ENV": ("the machine / 运行环境", "`InputError`; the CLI prints it and exits 2", "IT 信息技术人员"),
    "TPL": (
        "damaged templates / 模板被改动",
        "finding (error, or warning for a renamed sheet)",
        "filler 填报人",
    ),
    "VAL": ("values / 填报数值", "finding, severity error", "filler 填报人"),
    "META": ("report header / 表头", "finding, severity error", "filler 填报人"),
    "CHK": (
        "rules broken by a report / 审核未通过",
        "finding, error (CHK-001, CHK-003) or warning (CHK-002, CHK-004 … CHK-006)",
        "filler 填报人",
    ),
    "MAP": ("cross-year mappings / 跨年对照", "`MappingError` (a `DefinitionError`)", "form author 表式作者"),
    "CMP": ("year-over-year comparison / 跨年比较", "finding, severity warning", "statistician 统计人员"),
    "LINT": (
        "definitions that load but look wrong / 表式定义疑点",
        "warning from `unionforms check`",
        "form author 表式作者",
    ),
    "AGG": (
        "returns left out of a round's total / 未计入汇总",
        "the standing of an input in `validate`, `status` and `export`, a rejection in a total's "
        "provenance (`aggregate`); AGG-007 a warning finding on the total",
        "the collecting statistician 汇总人",
    ),
    "ROS": (
        "the list of units / 名录",
        "`InputError` before anything is read; the CLI prints it and exits 2",
        "the collecting statistician 汇总人",
    ),
    "EXP": ("exports / 导出", "`InputError`; the CLI prints it and exits 2", "IT 信息技术人员"),
    "DESK": (
        "the desk / 桌面版",
        "`InputError`, shown on the page (a refused request: HTTP 403 or 400)",
        "the collecting statistician 汇总人",
    ),
}

_INTRO = """\
# Error catalogue / 错误代码表

<!-- Generated from src/unionforms/core/catalogue.py by
     `python -m unionforms.core.catalogue > docs/errors.md`; tests/test_errors.py fails when the two
     differ. Edit the catalogue, not this file. -->

Every problem unionforms reports carries a code from the catalogue in `src/unionforms/core/catalogue.py`
(`unionforms.CATALOGUE`). Each code has one message, Chinese first with English beside it: what is
wrong, then how to fix it. Where (file, form, sheet, cell, line, field, rule, character position) is
put in front by the error or finding. Words in `{braces}` are filled in from the problem. Codes are
topic-prefixed; a code never changes its meaning and is never reused (`specs/versioning.md`).

unionforms 报告的每个问题都带一个代码，前缀表示类别。每个代码只有一条提示：
先中文，后英文；先说明问题，再说明改法。

An error prints as `unionforms: [文件 r.json] IN-011 不是有效的 JSON（第 1 行第 1 列）。请在该位置修正…`,
the English on the next line. The raw text of the exception behind it (an operating-system or parser
message) is never printed, except for the codes marked *detail shown* (their readers are developers);
`--json` carries it as `detail`. A finding prints as `file sheet cells: 错误 [CODE rule] message`; its
JSON (`--json`) has `message` (Chinese), `message_en` and `detail`.

| prefix | topic | reported as | who fixes it |
|---|---|---|---|
"""


def markdown() -> str:
    """``docs/errors.md``: the topics, then every code with its summary and both templates."""
    out = [_INTRO]
    for prefix, (title, raised, who) in TOPICS.items():
        out.append(f"| `{prefix}` | {title} | {raised} | {who} |\n")
    for prefix, (title, _, _) in TOPICS.items():
        out.append(f"\n---\n\n## {prefix} — {title}\n")
        for code, m in CATALOGUE.items():
            if code.split("-")[0] != prefix:
                continue
            extra = f" ({m.severity})" if m.severity else ""
            extra += " *detail shown*" if m.show_detail else ""
            out.append(f"\n### {code}\n\n{m.summary[:1].upper()}{m.summary[1:]}{extra}.\n\n")
            shown = m.render({name: "{" + name + "}" for name in m.placeholders})
            out.append(f"- 中文：{shown.text_zh}\n")
            out.append(f"- English: {shown.text_en}\n")
    out.append("\n---\n\n## Notes added to findings / 附加说明\n\nAdded after a finding's message.\n")
    for key, m in NOTES.items():
        shown = m.render({name: "{" + name + "}" for name in m.placeholders})
        out.append(f"\n### {key}\n\n{m.summary[:1].upper()}{m.summary[1:]}.\n\n")
        out.append(f"- 中文：{shown.text_zh}\n- English: {shown.text_en}\n")
    if RETIRED:
        out.append("\n---\n\n## Retired codes / 停用的代码\n\nNever emitted again and never reused.\n\n")
        out += [f"- `{code}`: {why}.\n" for code, why in RETIRED.items()]
    return "".join(out)


if __name__ == "__main__":  # pragma: no cover - the docs generator
    print(markdown(), end="")
