"""The four shipped forms, pinned against the printed notices in ../shared/seeds."""

from __future__ import annotations

import re

import pytest

from unionforms import Form, Kind, Registry


def _fields(form: Form) -> dict[str, tuple[str | None, str, str]]:
    return {f.code: (f.letter, f.unit, f.label) for f in form.iter_fields()}


def test_all_four_forms_register_without_problems(registry: Registry) -> None:
    assert registry.problems == []
    assert {f.id for f in registry} >= {"songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016"}


def test_every_printed_label_stands_in_the_seed_text(form: Form, seed_text: str) -> None:
    """Each label's words (blanks removed) appear in the original notice, spaces ignored."""
    squeezed = "".join(seed_text.split()).replace("\u3000", "")
    for field in form.iter_fields():
        for piece in field.label.replace("：", "___").split("___"):
            piece = piece.strip("户名人次")
            assert "".join(piece.split()) in squeezed, (field.code, piece)


def test_labels_are_unique_within_each_form(form: Form) -> None:
    """A finding names a field by its label too; a filler must be able to tell the blanks apart."""
    seen: dict[str, str] = {}
    for field in form.iter_fields():
        assert field.label not in seen, (field.code, seen.get(field.label), field.label)
        seen[field.label] = field.code


def test_songwennuan_2014_quirks(registry: Registry) -> None:
    f = _fields(registry.get("songwennuan-2014"))
    assert f["01A.1"] == ("A", "人", "当地职工总数")
    assert f["01A.2"] == ("A", "人", "其中农民工总数")
    assert f["07I.1"] == ("I", "户", "为___户困难职工家庭提供过冬取暖补贴")
    assert f["07I.2"] == ("I", "万元", "提供过冬取暖补贴")
    assert f["10B.2"] == ("B", "人次", "共包专列：运送")
    assert f["05"] == (None, "万元", "2014年元旦、春节期间送温暖活动中筹集慰问款物总额")
    assert [c for c in f if c.startswith("10")][-2:] == ["10G", "10H"]
    form = registry.get("songwennuan-2014")
    row = next(r for r in form.lines[6].rows if "G" in r.letters)
    assert row.letters == ("G", "H", "I")  # printed together in one cell
    assert form.notes.items == ("本表中职工均包括农民工",)
    assert len(form.fields) == 69


def test_songwennuan_2017_letters_inline(registry: Registry) -> None:
    form = registry.get("songwennuan-2017")
    f = _fields(form)
    assert f["01B"] == ("B", "人", "其中农民工总数")
    assert f["07I"][1:] == ("户", "为___户困难职工家庭提供过冬取暖补贴")
    assert f["07J"][1] == "万元"
    assert f["11"] == (None, "万元", "为农民工返乡争取经济补贴")
    assert form.lines[0].rows[0].printed == "（A）当地职工总数___人，（B）其中农民工总数___人。"
    assert form.notes.position == "top" and form.header.filler_label == "填 报 人"
    assert len(form.fields) == 60


def test_bangfu_2013_quirks(registry: Registry) -> None:
    form = registry.get("bangfu-2013")
    f = _fields(form)
    assert "12G" not in f and f["12H"] == ("H", "个", "工会共有职业介绍机构")
    assert f["05B"][1] == "是/否" and form.fields["05B"].kind is Kind.FLAG
    assert form.line_label("01") == "（01）"
    assert form.header.unit_label == "填表单位" and form.header.filler_label == "填表人"
    assert [c for c in f if c.startswith("10D")] == ["10D.1", "10D.2", "10D.3"]
    assert len(form.fields) == 86


def test_bangfu_2016_line_05_starts_at_b(registry: Registry) -> None:
    form = registry.get("bangfu-2016")
    codes = [c for c in form.fields if c.startswith("05")]
    assert codes == ["05", "05B", "05C", "05D", "05E", "05F"]
    assert form.fields["06B"].kind is Kind.FLAG
    assert form.notes.items[0] == "1.统计数据截至2016年12月31日；"
    assert len(form.fields) == 85


@pytest.mark.parametrize(
    ("form_id", "rule_id", "expr"),
    [
        ("songwennuan-2017", "05-sum", "#05 = 05A + 05B + 05C + 05D + 05E"),
        ("songwennuan-2017", "01B-part", "01B <= 01A"),
        ("songwennuan-2017", "02A-01A", "02A <= 01A"),
        ("songwennuan-2017", "10B-returned", "10B <= #10"),
        ("songwennuan-2017", "04F-part", "04F <= 04D"),
        ("songwennuan-2014", "04C-migrant-part", "04C.3 <= 04C.1"),
        ("bangfu-2013", "02-levels", "02B + 02C + 02D <= 02A"),
        ("bangfu-2016", "10D-persons", "10D > 0 -> 10C > 0"),
        ("songwennuan-2017", "07I-money", "07I > 0 -> 07J > 0"),
        ("bangfu-2013", "01-sum", "01A = 01B + 01C + 01D"),
        ("bangfu-2016", "05-sum", "#05 = 05B + 05C + 05D + 05E + 05F"),
    ],
)
def test_rules_derived_from_wording(registry: Registry, form_id: str, rule_id: str, expr: str) -> None:
    rule = registry.get(form_id).rule(rule_id)
    assert rule.expr == expr
    assert rule.reason


def _printed_texts(form: Form) -> list[str]:
    rows = [row.printed for line in form.lines for row in line.rows]
    return [form.title, *form.notes.items, *rows]


def _quoted_in(quote: str, texts: list[str]) -> bool:
    """``quote`` stands in one printed text; ``……`` elides words between its pieces, in order."""
    pieces = quote.split("……")
    for text in texts:
        at = 0
        for piece in pieces:
            at = text.find(piece, at)
            if at < 0:
                break
            at += len(piece)
        else:
            return True
    return False


def test_every_rule_quotes_the_printed_form_and_says_why_its_severity(form: Form) -> None:
    """Each reason quotes 「…」 words printed on the form (rows, notes or title) and names its 审核 kind."""
    texts = _printed_texts(form)
    for rule in form.rules:
        quotes = re.findall(r"「([^」]+)」", rule.reason)
        assert quotes, (rule.id, "quotes nothing")
        assert [q for q in quotes if not _quoted_in(q, texts)] == [], rule.id
        kind = "逻辑性审核（错误）" if rule.severity.value == "error" else "合理性审核（警告）"
        assert kind in rule.reason, rule.id


@pytest.mark.parametrize(
    ("form_id", "rule_id", "severity"),
    [
        ("songwennuan-2014", "02-01-needy", "warning"),
        ("songwennuan-2014", "04C-migrant", "warning"),
        ("songwennuan-2014", "04C-migrant-part", "error"),
        ("songwennuan-2017", "02A-01A", "warning"),
        ("songwennuan-2017", "04F-migrant", "error"),
        ("bangfu-2013", "09B.1-08B.1", "warning"),
        ("bangfu-2013", "02-01-staffed", "warning"),
        ("bangfu-2016", "10C-09C", "warning"),
        ("bangfu-2016", "02-levels-cover", "warning"),
        ("songwennuan-2014", "10B-returned", "warning"),
        ("songwennuan-2014", "10F-returned", "warning"),
        ("songwennuan-2014", "10G-returned", "warning"),
        ("songwennuan-2017", "10B-returned", "error"),
        ("songwennuan-2017", "10K-returned", "error"),
    ],
)
def test_regraded_rules(registry: Registry, form_id: str, rule_id: str, severity: str) -> None:
    assert registry.get(form_id).rule(rule_id).severity.value == severity


def test_every_rule_has_a_reason_and_every_unit_is_known(form: Form) -> None:
    assert all(r.reason for r in form.rules)
    assert all(f.kind in Kind for f in form.iter_fields())


def test_2014_chartered_buses_carrying_more_than_returned_home_is_no_error(registry: Registry) -> None:
    """2014 line 10 prints no 其中 between (A) and (B)-(F): 60 buses carrying 2,600 人次 (family members
    included) against 1,800 返乡 is unusual, not wrong; 2017 prints 其中 and blocks the same figures."""
    from unionforms import Report, Severity, validate

    form = registry.get("songwennuan-2014")
    found = validate(form, Report(form.id, values={"10A": 1800, "10D.1": 60, "10D.2": 2600}))
    assert [(f.rule, f.severity) for f in found] == [("10D-returned", Severity.WARNING)]
    form = registry.get("songwennuan-2017")
    found = validate(form, Report(form.id, values={"10": 1800, "10E": 60, "10F": 2600}))
    assert [(f.rule, f.severity) for f in found] == [("10F-returned", Severity.ERROR)]


def test_2017_tickets_bought_while_nobody_returned_home_is_an_error(registry: Registry) -> None:
    from unionforms import Report, Severity, validate

    form = registry.get("songwennuan-2017")
    found = validate(form, Report(form.id, values={"10": 0, "10K": 540}))
    assert [(f.rule, f.severity) for f in found] == [("10K-returned", Severity.ERROR)]
    assert validate(form, Report(form.id, values={"10": 300, "10K": 540})) == []


@pytest.mark.parametrize("form_id", ["bangfu-2013", "bangfu-2016"])
def test_bangfu_job_placement_for_migrants_beyond_needy_workers_is_quiet(
    registry: Registry, form_id: str
) -> None:
    """春风行动: 职业介绍 and 就业培训 for 农民工 in general outnumber those for 困难职工 on a true return."""
    from unionforms import Report, validate

    form = registry.get(form_id)
    codes = {
        "bangfu-2013": ("08A.1", "09A.1", "08E.1", "09E.1", "08F.1", "09F.1"),
        "bangfu-2016": ("09A", "10A", "09I", "10I", "09K", "10K"),
    }
    needy, migrants, needy_jobs, migrant_jobs, needy_training, migrant_training = codes[form_id]
    values = {needy_jobs: 120, migrant_jobs: 3400, needy_training: 80, migrant_training: 2100}
    values |= {needy: 200, migrants: 5500}
    assert validate(form, Report(form.id, values=values)) == []


_PLAUSIBLE = re.compile(r"-(range|per-person|per-household)$")


@pytest.mark.parametrize(
    ("form_id", "values", "rule_id"),
    [
        ("bangfu-2016", {"05": "2368000.00"}, "05-range"),  # a county's 236.80 万元 typed in 元
        ("bangfu-2016", {"09C": 620, "09D": "1200000.00"}, "09D-per-person"),
        ("bangfu-2016", {"09C": 620, "09D": "1240.00"}, "09D-per-person"),  # 124.00 ten times too large
        ("bangfu-2013", {"08C.1": 300, "08C.2": "1500.00"}, "08C-per-person"),
        ("songwennuan-2017", {"07I": 200, "07J": "200.00"}, "07J-per-household"),  # 1 万元 a household
        ("songwennuan-2014", {"05": "1500000.00", "05A": "1500000.00"}, "05-range"),
    ],
)
def test_plausible_sizes_catch_yuan_typed_as_wanyuan_and_tenfold_figures(
    registry: Registry, form_id: str, values: dict[str, object], rule_id: str
) -> None:
    from unionforms import Report, Severity, validate

    form = registry.get(form_id)
    found = validate(form, Report(form.id, values=values))  # the totals left blank are asked for too
    sized = [(f.rule, f.severity) for f in found if f.code == "CHK-002"]
    assert sized == [(rule_id, Severity.WARNING)]


_LEGITIMATE = {
    # a county's return with ordinary figures: 生活救助 about 1,000 元, 医疗救助 about 3,000 元 a 人次
    "bangfu-2016": {"05": "236.80", "05D": "236.80", "09A": 770, "09B": "107.00"}
    | {"09C": 620, "09D": "62.00", "09E": 150, "09F": "45.00"},
    "bangfu-2013": {"04A": "180.00", "04D": "180.00", "08A.1": 490, "08A.2": "66.00"}
    | {"08B.1": 400, "08B.2": "48.00", "08D.1": 90, "08D.2": "18.00"},
    "songwennuan-2017": {"05": "366.00", "05C": "366.00", "06": "330.00", "07I": 200, "07J": "16.00"},
    "songwennuan-2014": {"05": "1865.00", "05B": "1865.00", "06": "1500.00", "07I.1": 300, "07I.2": "24.00"},
}


@pytest.mark.parametrize("form_id", sorted(_LEGITIMATE))
def test_plausible_sizes_are_quiet_on_ordinary_returns(registry: Registry, form_id: str) -> None:
    from unionforms import Report, validate

    form = registry.get(form_id)
    assert any(_PLAUSIBLE.search(r.id) for r in form.rules)
    assert validate(form, Report(form.id, values=_LEGITIMATE[form_id])) == []


def test_every_plausible_size_is_a_warning(form: Form) -> None:
    """Sizes are judged by experience, never by printed words: they are never errors."""
    sized = [r for r in form.rules if _PLAUSIBLE.search(r.id)]
    assert sized and all(r.severity.value == "warning" for r in sized)
