"""The round folder as the desk keeps it: uploads copied, never over a file, bounded; outputs new files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionforms import Registry
from unionforms.core.errors import InputError
from unionforms.core.inputs import MAX_WORKBOOK_BYTES
from unionforms.desk.workspace import MAX_FILES, Workspace


@pytest.fixture
def ws(tmp_path: Path, registry: Registry) -> Workspace:
    return Workspace.open(tmp_path / "轮次", registry)


def test_opening_makes_the_round_folders(ws: Workspace) -> None:
    assert ws.returns.is_dir() and ws.outputs.is_dir()


def test_a_round_folder_that_is_a_file_is_refused(tmp_path: Path, registry: Registry) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError) as info:
        Workspace.open(tmp_path / "f", registry)
    assert info.value.code == "DESK-002"


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a.json", "b/a.json", "a (2).json"]), st.binary(max_size=3)), max_size=8
    )
)
def test_no_upload_ever_replaces_a_file(
    tmp_path_factory: pytest.TempPathFactory, uploads: list[tuple[str, bytes]]
) -> None:
    from unionforms import default_registry

    ws = Workspace.open(tmp_path_factory.mktemp("r"), default_registry())
    kept: dict[Path, bytes] = {}
    for name, data in uploads:
        [receipt] = ws.receive([(name, io.BytesIO(data))])
        assert receipt.problem is None and receipt.saved is not None
        path = ws.returns / receipt.saved
        assert path.read_bytes() == data
        if not receipt.same:
            assert path not in kept
            kept[path] = data
        for p, d in kept.items():  # everything taken before is still there, unchanged
            assert p.read_bytes() == d


def test_a_file_over_the_input_cap_is_refused_and_the_rest_taken(ws: Workspace) -> None:
    big = io.BytesIO(b"\0" * (MAX_WORKBOOK_BYTES + 1))
    receipts = ws.receive([("big.xlsx", big), ("ok.json", io.BytesIO(b"{}"))])
    assert receipts[0].problem is not None and "IN-091" in receipts[0].problem
    assert receipts[1].saved == "ok.json"
    assert sorted(p.name for p in ws.returns.iterdir()) == ["ok.json"]


def test_too_many_files_are_refused_whole(ws: Workspace) -> None:
    with pytest.raises(InputError) as info:
        ws.receive([(f"{i}.json", io.BytesIO(b"{}")) for i in range(MAX_FILES + 1)])
    assert info.value.code == "DESK-004"
    assert not list(ws.returns.iterdir())


def test_what_the_desk_writes_is_always_a_new_file_under_outputs(ws: Workspace) -> None:
    first = ws.blank("songwennuan-2017")
    second = ws.blank("songwennuan-2017")
    assert first != second and first.exists() and second.exists()
    assert first.parent == second.parent == ws.outputs / "表式"
    assert ws.output("汇总", "a/b.xlsx") == ws.outputs / "汇总" / "b.xlsx"
    with pytest.raises(InputError):
        ws.output("汇总", "../x.xlsx")
