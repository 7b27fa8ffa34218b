"""The desk's pages (Flask): one per step of the round — 表式, 收回, 进度, 汇总, 导出 — and a unit's page.

Each page asks :class:`.workspace.Workspace`, which calls the library; the routes only translate requests
and render templates. Every request passes :meth:`.guard.Guard.refusal` first. A problem the library
reports (an ``UnionformsError``) is shown in Chinese on the page; nothing else reaches the user as a
traceback.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import IO, Any

import attrs
from flask import Flask, Request, abort, jsonify, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from unionforms.core.errors import InputError, UnionformsError
from unionforms.desk.guard import COOKIE, Guard
from unionforms.desk.workspace import MAX_FILES, MAX_UPLOAD_BYTES, Workspace

#: The unit states of the 进度 page, with the colour class each is shown in.
STATE_CLASS = {"未报": "missing", "冲突": "conflict", "有错误": "errors", "有警告": "warnings", "通过": "ok"}


class _Request(Request):
    """Uploads spooled inside the round folder (输出/.上传中), never in the system's temporary folder."""

    spool: Path

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        self.spool.mkdir(exist_ok=True)
        return tempfile.TemporaryFile(dir=self.spool)


def create_app(workspace: Workspace, guard: Guard) -> Flask:
    """The desk's Flask application for ``workspace``, answering only what ``guard`` lets through."""
    app = Flask(__name__)
    app.request_class = type("DeskRequest", (_Request,), {"spool": workspace.outputs / ".上传中"})
    app.config.update(MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES, MAX_FORM_PARTS=MAX_FILES + 10)
    app.jinja_env.globals.update(csrf=guard.form_check, STATE_CLASS=STATE_CLASS)

    @app.before_request
    def _guard() -> Response | None:
        key = request.args.get("token") or request.cookies.get(COOKIE)
        why = guard.refusal(
            host=request.headers.get("Host"),
            key=key,
            method=request.method,
            form_check=request.form.get("csrf") if request.method == "POST" and not _is_xhr() else
            request.headers.get("X-CSRF"),
            origin=request.headers.get("Origin"),
        )  # fmt: skip
        if why is not None:
            return _problem(str(InputError("DESK-005", why=why)), 403)
        if "token" in request.args and request.method == "GET":  # once: the key moves into a cookie
            response = redirect(request.path)
            response.set_cookie(COOKIE, guard.key, httponly=True, samesite="Strict")
            return response
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"  # no-referrer would make Origin "null"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(UnionformsError)
    def _library_problem(exc: UnionformsError) -> Response:
        return _problem(str(exc), 400)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge) -> Response:
        limit = MAX_UPLOAD_BYTES // (1024 * 1024)
        return _problem(str(InputError("DESK-006", limit_mib=limit, files=MAX_FILES)), 413)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return _problem(f"{exc.code} {exc.name}", exc.code or 500)
        print(f"unionforms desk: {type(exc).__name__}: {exc}", file=sys.stderr)
        text = f"操作未完成（{type(exc).__name__}）。请重试；如仍不行，请把本页内容告诉信息技术人员。"
        return _problem(text, 500)

    @app.get("/")
    def home() -> Response:
        return redirect(url_for("progress_page"))

    @app.get("/forms")
    def forms_page() -> str:
        forms = sorted(workspace.registry.forms.values(), key=lambda f: f.id)
        return render_template("forms.html", page="forms", forms=forms, ws=workspace)

    @app.post("/forms/<form_id>/blank")
    def blank(form_id: str) -> Response:
        return _download(workspace.blank(form_id))

    @app.get("/collect")
    def collect_page() -> str:
        return render_template("collect.html", page="collect", ws=workspace, max_files=MAX_FILES)

    @app.post("/collect")
    def collect() -> Response:
        files = request.files.getlist("files")
        receipts = workspace.receive((f.filename or "", f.stream) for f in files)
        workspace.check()
        if _is_xhr():
            return jsonify(
                [{"name": r.name, "saved": r.saved, "problem": r.problem, "same": r.same} for r in receipts]
            )
        return redirect(url_for("collect_page"))

    @app.post("/check")
    def check() -> Response:
        workspace.check()
        return redirect(url_for("progress_page"))

    @app.get("/api/state")
    def state() -> Response:
        return jsonify(workspace.state())

    @app.get("/progress")
    def progress_page() -> str:
        from unionforms.collect.current import Standing, explain
        from unionforms.collect.progress import counts_line

        p = workspace.checking.progress
        files = []
        if p is not None:
            for v in p.round.verdicts:
                if v.standing is not Standing.CURRENT:
                    code, why = explain(v, p.round)
                    unit = v.entry.unit or ""
                    files.append((v.standing.chinese, _shown(v.file), unit, code or "", why or ""))
        return render_template(
            "progress.html",
            page="progress",
            ws=workspace,
            p=p,
            counts=counts_line(p) if p is not None else "",
            files=files,
            shown=_shown,
        )

    @app.get("/unit/<int:n>")
    def unit_page(n: int) -> str:
        from unionforms.core.display import finding_line

        u = _unit(n)
        # the file is named above the list: each line says sheet, cells, 错误/警告, code and rule, message
        lines = [
            (f.is_error, finding_line(attrs.evolve(f, file=None)))
            for file in u.files
            for f in workspace.findings(file)
        ]
        return render_template(
            "unit.html", page="progress", ws=workspace, u=u, n=n, lines=lines, shown=_shown
        )

    @app.post("/unit/<int:n>/annotated")
    def annotated(n: int) -> Response:
        u = _unit(n)
        if not u.files:
            abort(404)
        return _download(workspace.annotated(u.files[0]))

    @app.get("/total")
    def total_page() -> str:
        return render_template("total.html", page="total", ws=workspace, p=workspace.checking.progress)

    @app.post("/total/<kind>")
    def total(kind: str) -> Response:
        if kind not in ("xlsx", "pdf"):
            abort(404)
        unit = (request.form.get("unit") or workspace.unit or "").strip() or "汇总"
        path, _ = workspace.total(unit, pdf=kind == "pdf")
        return _download(path)

    @app.post("/total/compare")
    def compare() -> str:
        from unionforms.authoring.compare import DEFAULT_JUMP
        from unionforms.core.display import finding_line

        last = request.files.get("last")
        if last is None or not last.filename:
            abort(400)
        unit = (request.form.get("unit") or workspace.unit or "").strip() or "汇总"
        result, findings = workspace.compare(last.filename, last.stream, unit)
        return render_template(
            "compare.html",
            page="total",
            ws=workspace,
            last=result.files[0],
            this=result.files[1],
            jump=DEFAULT_JUMP,
            text=result.text(),
            lines=[finding_line(f) for f in findings],
        )

    @app.get("/export")
    def export_page() -> str:
        return render_template("export.html", page="export", ws=workspace)

    @app.post("/export/<kind>")
    def export(kind: str) -> Response:
        if kind not in ("csv", "xlsx", "sqlite"):
            abort(404)
        path, _ = workspace.export(kind)
        return _download(path)

    def _unit(n: int) -> Any:
        p = workspace.checking.progress
        if p is None or not 0 <= n < len(p.units):
            abort(404)
        return p.units[n]

    def _shown(file: str) -> str:
        """A return's path as the statistician knows it: relative to 收回."""
        try:
            return str(Path(file).resolve().relative_to(workspace.returns.resolve()))
        except ValueError:
            return file

    def _download(path: Path) -> Response:
        """A file the desk has just written under 输出 (nothing else is ever served)."""
        if not path.resolve().is_relative_to(workspace.outputs.resolve()):
            abort(403)
        return send_file(path, as_attachment=True, download_name=path.name)

    def _problem(text: str, status: int) -> Response:
        response: Response
        if _is_xhr():
            response = jsonify({"problem": text})
        else:
            page = render_template("problem.html", page="", ws=workspace, text=text)
            response = Response(page, mimetype="text/html")
        response.status_code = status
        return response

    return app


def _is_xhr() -> bool:
    return request.headers.get("X-Requested-With") == "unionforms-desk"
