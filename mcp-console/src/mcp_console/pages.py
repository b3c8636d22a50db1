"""The console's pages: my tools, a tool's form and result, deployments, platform status.

Server-rendered (Jinja2) with htmx for partial updates (ADR 0009): every form also works
as a plain form post; htmx requests get just the fragment they replace.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from mcp_common.client import McpCallError, ToolInfo

from .audit import LogFeed
from .csrf import checked_form
from .deployments import timeline
from .explain import explain
from .forms import FormErrors, fields_of, parse_form
from .gateway import Gateway
from .results import view_of
from .settings import ConsoleSettings
from .signin import Identity
from .status import StatusBoard, sparkline

__all__ = ["Pages", "badges"]

log = logging.getLogger("mcp_console.pages")

_MY_DEPLOYMENTS = "deployments"
_MAX_REMEMBERED = 20


def badges(tool: ToolInfo) -> list[tuple[str, str]]:
    """(css class, label) badges from the tool's declared action and annotations."""
    hints = tool.annotations
    found = []
    if hints.get("readOnlyHint") is True or tool.action == "read":
        found.append(("read", "read"))
    else:
        found.append(("write", tool.action if tool.action != "read" else "write"))
    if hints.get("destructiveHint") is True:
        found.append(("destructive", "destructive"))
    if hints.get("idempotentHint") is True and tool.action != "read":
        found.append(("idempotent", "idempotent"))
    return found


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


class Pages:
    """Route handlers over the gateway, the status board and the log feed."""

    def __init__(
        self,
        settings: ConsoleSettings,
        identity: Identity,
        gateway: Gateway,
        board: StatusBoard,
        feed: LogFeed,
        templates: Jinja2Templates,
    ) -> None:
        self.settings, self.identity, self.gateway = settings, identity, gateway
        self.board, self.feed, self.templates = board, feed, templates

    def render(
        self, request: Request, name: str, context: Mapping[str, Any], status: int = 200
    ) -> Response:
        """A template with the person, CSRF token and navigation in its context."""
        response: Response = self.templates.TemplateResponse(
            request,
            name,
            {
                "person": self.identity.person(request),
                "admin_group": self.settings.admin_group,
                **context,
            },
            status_code=status,
        )
        return response

    def _subject(self, request: Request) -> Any:
        async def subject() -> str:
            return await self.identity.access_token(request)

        return subject

    # -- home -----------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        """Signed in: my tools; otherwise the welcome page with the sign-in button."""
        if self.identity.person(request) is not None:
            return RedirectResponse("/tools", status_code=303)
        return self.render(request, "home.html", {"next_path": "/tools"})

    async def signed_out(self, request: Request) -> Response:
        """After logout."""
        return self.render(request, "signed_out.html", {})

    # -- my tools -------------------------------------------------------------------------

    async def tools(self, request: Request) -> Response:
        """Per server, the tools this person may call."""
        self.identity.require(request)
        listed = await self.gateway.all_tools(self._subject(request))
        servers = [
            {
                "name": entry.server,
                "tools": [{"info": t, "badges": badges(t)} for t in entry.tools],
                "error": explain(entry.error) if entry.error else None,
            }
            for entry in listed
        ]
        return self.render(request, "tools.html", {"servers": servers})

    async def _tool_or_404(self, request: Request, server: str, name: str) -> ToolInfo:
        if not self.gateway.has(server):
            raise HTTPException(404, f"no server named {server}")
        try:
            tool = await self.gateway.tool(server, name, self._subject(request))
        except McpCallError as exc:
            raise HTTPException(502, explain(exc).detail) from None
        if tool is None:
            raise HTTPException(404, f"{server} offers you no tool named {name}")
        return tool

    async def tool(self, request: Request) -> Response:
        """One tool: description, badges, its input form."""
        self.identity.require(request)
        server, name = request.path_params["server"], request.path_params["tool"]
        tool = await self._tool_or_404(request, server, name)
        return self.render(request, "tool.html", self._tool_context(server, tool))

    def _tool_context(self, server: str, tool: ToolInfo, **extra: Any) -> dict[str, Any]:
        return {
            "server": server,
            "tool": tool,
            "badges": badges(tool),
            "fields": fields_of(tool.input_schema),
            "values": {},
            "errors": {},
            **extra,
        }

    async def call(self, request: Request) -> Response:
        """Call the tool with the submitted form; the result (or why not) below the form."""
        self.identity.require(request)
        server, name = request.path_params["server"], request.path_params["tool"]
        form = await checked_form(request, self.settings.base_url)
        tool = await self._tool_or_404(request, server, name)
        context = self._tool_context(server, tool)
        try:
            arguments = parse_form(tool.input_schema, {k: str(v) for k, v in form.items()})
        except FormErrors as errors:
            context.update(errors=errors.messages, values=errors.values)
            return self._call_answer(request, context, status=422)
        context["values"] = {k[4:]: str(v) for k, v in form.items() if k.startswith("arg.")}
        try:
            result = await self.gateway.call(server, name, arguments, self._subject(request))
            context["view"] = view_of(result.value)
        except McpCallError as exc:
            context["problem"] = explain(exc)
        return self._call_answer(request, context)

    def _call_answer(
        self, request: Request, context: dict[str, Any], status: int = 200
    ) -> Response:
        if _is_htmx(request):
            return self.render(request, "_call_answer.html", context, status)
        return self.render(request, "tool.html", context, status)

    # -- deployments ----------------------------------------------------------------------

    async def _choices(self, request: Request) -> dict[str, Any]:
        """Templates and devices to pick from (empty when the person may not list them)."""
        cc = self.settings.catalyst_center_server
        found: dict[str, Any] = {"templates": [], "devices": [], "choice_error": None}
        if not self.gateway.has(cc):
            return found
        subject = self._subject(request)
        try:
            templates = await self.gateway.call(cc, "get_all_templates", {}, subject)
            devices = await self.gateway.call(cc, "list_devices", {"limit": 100}, subject)
        except McpCallError as exc:
            found["choice_error"] = explain(exc)
            return found
        found["templates"] = (templates.value or {}).get("templates", [])
        found["devices"] = (devices.value or {}).get("devices", [])
        return found

    async def deployments(self, request: Request) -> Response:
        """Start a deployment (with a preview first), and the ones started here."""
        self.identity.require(request)
        context = await self._choices(request)
        context.update(
            mine=list(request.session.get(_MY_DEPLOYMENTS, [])),
            values={"risk": "moderate"},
            errors={},
        )
        return self.render(request, "deployments.html", context)

    def _deployment_request(self, form: Mapping[str, Any]) -> tuple[dict[str, Any], FormErrors]:
        errors = FormErrors()
        devices = [str(d) for d in form.get("device_ids", []) if str(d).strip()]
        params_text = str(form.get("params") or "").strip()
        params: Any = {}
        if params_text:
            try:
                params = json.loads(params_text)
            except ValueError:
                errors.add("params", "is not valid JSON")
            if not isinstance(params, dict):
                errors.add("params", "must be a JSON object of name: value")
        args = {
            "template_id": str(form.get("template_id") or "").strip(),
            "device_ids": devices,
            "params": params if isinstance(params, dict) else {},
            "reason": str(form.get("reason") or "").strip(),
            "risk": str(form.get("risk") or "moderate"),
        }
        if not args["template_id"]:
            errors.add("template_id", "choose a template")
        if not devices:
            errors.add("device_ids", "choose at least one device")
        errors.values = {**args, "params": params_text, "device_ids": devices}
        return args, errors

    async def _form_with_devices(self, request: Request) -> dict[str, Any]:
        form = await checked_form(request, self.settings.base_url)
        data: dict[str, Any] = {k: v for k, v in form.items() if k != "device_ids"}
        # Checkboxes send one value each; the fallback textarea sends one per line.
        data["device_ids"] = [
            line.strip()
            for value in form.getlist("device_ids")
            for line in str(value).splitlines()
            if line.strip()
        ]
        return data

    async def preview(self, request: Request) -> Response:
        """Render the template for each chosen device (Catalyst Center preview_template)."""
        self.identity.require(request)
        data = await self._form_with_devices(request)
        args, errors = self._deployment_request(data)
        context: dict[str, Any] = {"previews": [], "errors": errors.messages}
        if not errors.messages:
            subject = self._subject(request)
            for device in args["device_ids"][:10]:
                try:
                    result = await self.gateway.call(
                        self.settings.catalyst_center_server,
                        "preview_template",
                        {
                            "template_id": args["template_id"],
                            "params": args["params"],
                            "device_id": device,
                        },
                        subject,
                    )
                    context["previews"].append({"device": device, "value": result.value})
                except McpCallError as exc:
                    context["previews"].append({"device": device, "problem": explain(exc)})
        return self.render(request, "_previews.html", context)

    async def start(self, request: Request) -> Response:
        """Start the deployment through the workflows server; then follow it."""
        self.identity.require(request)
        data = await self._form_with_devices(request)
        args, errors = self._deployment_request(data)
        if len(args["reason"]) < 10:
            errors.add("reason", "say why in at least 10 characters (it goes into the change)")
        problem = None
        if not errors.messages:
            args["idempotency_key"] = str(data.get("idempotency_key") or uuid.uuid4().hex)[:64]
            try:
                result = await self.gateway.call(
                    self.settings.workflows_server,
                    "start_template_deployment",
                    args,
                    self._subject(request),
                )
                workflow_id = str((result.value or {}).get("workflow_id") or "")
                mine = [workflow_id, *request.session.get(_MY_DEPLOYMENTS, [])]
                request.session[_MY_DEPLOYMENTS] = list(dict.fromkeys(mine))[:_MAX_REMEMBERED]
                target = f"/deployments/{workflow_id}"
                if _is_htmx(request):
                    return Response(status_code=204, headers={"HX-Redirect": target})
                return RedirectResponse(target, status_code=303)
            except McpCallError as exc:
                problem = explain(exc)
        context = await self._choices(request)
        context.update(
            mine=list(request.session.get(_MY_DEPLOYMENTS, [])),
            values=errors.values or data,
            errors=errors.messages,
            problem=problem,
        )
        return self.render(request, "deployments.html", context, 422)

    async def _status(self, request: Request, workflow_id: str) -> dict[str, Any]:
        try:
            result = await self.gateway.call(
                self.settings.workflows_server,
                "get_deployment_status",
                {"workflow_id": workflow_id},
                self._subject(request),
            )
        except McpCallError as exc:
            return {"problem": explain(exc), "workflow_id": workflow_id}
        return {"timeline": timeline(result.value or {}), "workflow_id": workflow_id}

    async def deployment(self, request: Request) -> Response:
        """Follow one deployment live (the panel polls itself until the end)."""
        self.identity.require(request)
        workflow_id = request.path_params["workflow_id"]
        context = await self._status(request, workflow_id)
        return self.render(request, "deployment.html", context)

    async def deployment_panel(self, request: Request) -> Response:
        """The live panel alone (htmx polling)."""
        self.identity.require(request)
        context = await self._status(request, request.path_params["workflow_id"])
        return self.render(request, "_deployment_panel.html", context)

    async def cancel(self, request: Request) -> Response:
        """Ask the workflow to cancel (refused once deployment has started)."""
        self.identity.require(request)
        workflow_id = request.path_params["workflow_id"]
        form = await checked_form(request, self.settings.base_url)
        reason = str(form.get("reason") or "").strip() or "cancelled from the console"
        context: dict[str, Any]
        try:
            result = await self.gateway.call(
                self.settings.workflows_server,
                "cancel_deployment",
                {"workflow_id": workflow_id, "reason": reason[:500]},
                self._subject(request),
            )
            answer = result.value or {}
            context = await self._status(request, workflow_id)
            context["cancel_message"] = str(answer.get("message") or "")
        except McpCallError as exc:
            context = await self._status(request, workflow_id)
            context["problem"] = explain(exc)
        if _is_htmx(request):
            return self.render(request, "_deployment_panel.html", context)
        return self.render(request, "deployment.html", context)

    # -- status ---------------------------------------------------------------------------

    async def _status_context(self, request: Request) -> dict[str, Any]:
        person = self.identity.require(request)
        services = await self.board.sample()
        circuits = self.feed.circuits()
        rows = []
        for service in services:
            breakers = list(service.breakers) or [
                (c.backend, c.state) for c in circuits.get(service.name, [])
            ]
            rows.append(
                {"status": service, "chart": sparkline(service.history), "breakers": breakers}
            )
        admin = person.in_group(self.settings.admin_group)
        decisions = self.feed.decisions(self.settings.audit_feed_size) if admin else []
        return {
            "services": rows,
            "admin": admin,
            "decisions": decisions,
            "feed_available": self.feed.available,
        }

    async def status(self, request: Request) -> Response:
        """Readiness, rates, circuits; the decision feed for admins."""
        return self.render(request, "status.html", await self._status_context(request))

    async def status_panel(self, request: Request) -> Response:
        """The status panel alone (refreshes itself)."""
        return self.render(request, "_status_panel.html", await self._status_context(request))
