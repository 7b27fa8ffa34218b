"""What keeps the desk to its one user: the key, the Host header, the form check, safe upload names.

The key is random per start and travels in the printed address once, then in a cookie that the browser
sends only to this origin (SameSite=Strict); the Host header must name the loopback address and port the
desk is bound to, so a page elsewhere that rebinds its DNS name to 127.0.0.1 is refused; every POST must
carry the form check derived from the key (a page elsewhere cannot read it).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from pathlib import PurePosixPath

import attrs

from unionforms.core.errors import InputError

COOKIE = "unionforms_desk"

#: Names Windows keeps for devices, whatever the extension (CON.xlsx is the console too).
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{d}{i}" for d in ("COM", "LPT") for i in (*range(1, 10), "¹", "²", "³")]
)
_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_DEPTH = 8
_LENGTH = 120


@attrs.frozen
class Guard:
    """The desk's key and the host it answers to (``127.0.0.1:PORT``)."""

    key: str = attrs.field(factory=lambda: secrets.token_urlsafe(24), repr=False)
    port: int = 0

    @property
    def form_check(self) -> str:
        """The CSRF value every POST carries: derived from the key, useless without it."""
        return hmac.new(self.key.encode(), b"csrf", hashlib.sha256).hexdigest()

    def hosts(self) -> frozenset[str]:
        return frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})

    def refusal(
        self, *, host: str | None, key: str | None, method: str, form_check: str | None, origin: str | None
    ) -> str | None:
        """Why a request is refused (the DESK-005 reason), or None when it may be answered."""
        if host is None or host.lower() not in self.hosts():
            return f"主机名 {host!r} 不是本机地址 127.0.0.1:{self.port}"
        if key is None or not hmac.compare_digest(key.encode(), self.key.encode()):
            return "缺少或不符的访问密钥（token）"
        if method not in ("GET", "HEAD"):
            if origin is not None and origin.lower() not in {f"http://{h}" for h in self.hosts()}:
                return f"请求来自其他网页（{origin}）"
            if form_check is None or not hmac.compare_digest(form_check.encode(), self.form_check.encode()):
                return "缺少表单校验值（csrf）"
        return None


def upload_path(name: str) -> PurePosixPath:
    """The path under the round's 收回 folder that an uploaded file named ``name`` is written to.

    A browser sends a folder's files as ``folder/sub/file.xlsx``, with ``/`` or ``\\``. Each part is made
    a name every system takes (characters Windows refuses become ``_``, trailing dots and spaces go,
    a device name such as ``CON`` gets a ``_`` in front); a name that climbs out (``..``), is absolute or
    names a drive is refused with DESK-003, as is one too deep or too long.
    """
    text = unicodedata.normalize("NFC", name)
    if text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", text):
        raise InputError("DESK-003", name=name, why="绝对路径或盘符")
    parts = []
    for raw in re.split(r"[/\\]", text):
        if raw in ("", "."):
            continue
        if raw == "..":
            raise InputError("DESK-003", name=name, why="含“..”，会跳出轮次文件夹")
        part = _FORBIDDEN.sub("_", raw).rstrip(". ")
        if not part:
            raise InputError("DESK-003", name=name, why="只有点或空格")
        if part.split(".")[0].upper() in _RESERVED:
            part = "_" + part
        if len(part) > _LENGTH:
            raise InputError("DESK-003", name=name, why=f"超过 {_LENGTH} 个字符")
        parts.append(part)
    if not parts:
        raise InputError("DESK-003", name=name, why="空文件名")
    if len(parts) > _DEPTH:
        raise InputError("DESK-003", name=name, why=f"文件夹超过 {_DEPTH} 层")
    return PurePosixPath(*parts)
