"""The four shipped forms pass the conformance kit, as any plugin's form must (specs/conformance.md)."""

from __future__ import annotations

from unionforms.testing import FormConformance


class TestSongwennuan2014(FormConformance):
    form_id = "songwennuan-2014"


class TestSongwennuan2017(FormConformance):
    form_id = "songwennuan-2017"


class TestBangfu2013(FormConformance):
    form_id = "bangfu-2013"


class TestBangfu2016(FormConformance):
    form_id = "bangfu-2016"
