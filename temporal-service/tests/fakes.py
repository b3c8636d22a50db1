"""Test doubles: an in-memory PlatformTools (Catalyst Center and ServiceNow) with fault knobs."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Unpack

from temporal_service.activities.platform import (
    ChangeSpec,
    ChangeUpdate,
    DeploySpec,
    DeviceHealthInfo,
    DeviceInfo,
    PreviewInfo,
    TemplateInfo,
    ToolCallFailed,
)
from temporal_service.models import ChangeRecord, DeploymentRequest, DeployOutcome, Timings

__all__ = ["ALICE", "DEVICES", "NTP_REQUEST", "TEMPLATE_ID", "FakeChange", "FakePlatformTools"]

TEMPLATE_ID = "11111111-1111-4111-8111-111111111111"
DEVICES = {
    "22222222-2222-4222-8222-000000000001": ("par-acc-01", "10.10.2.11"),
    "22222222-2222-4222-8222-000000000002": ("par-acc-02", "10.10.2.12"),
}

# The requester of the workflow tests (a verified subject) and the deployment they ask for.
ALICE = "6b1e4c0e-0000-4000-8000-00000000a11c"
NTP_REQUEST = DeploymentRequest(
    template_id=TEMPLATE_ID,
    device_ids=list(DEVICES),
    reason="Regional NTP servers changed (INC0010042)",
    requested_by=ALICE,
    requester_name="network-engineer-mfa",
    params={"ntp_primary": "10.0.0.123", "ntp_secondary": "10.0.1.123"},
    version=2,
    timings=Timings(approval_poll_max_seconds=3_600),
)


@dataclass
class FakeChange:
    """A change request as the fake ServiceNow keeps it."""

    sys_id: str
    number: str
    spec: ChangeSpec
    state: str = "new"
    approval: str = "not requested"
    work_notes: list[str] = field(default_factory=list)
    close_code: str | None = None
    close_notes: str | None = None

    def record(self, *, created: bool = True) -> ChangeRecord:
        """What the tools answer about this change."""
        return ChangeRecord(self.sys_id, self.number, self.state, self.approval, created)


class FakePlatformTools:
    """In-memory PlatformTools: one template (versions 1-3), two devices, a change table.

    Knobs: `approve`/`reject` a change, `fail_versions` (deployments of these versions
    fail), `unhealthy_after_deploy` (hostnames unreachable once deployed), `lose_create`
    (create_change creates, then fails as if the answer was lost), `deploy_gate` (deploys
    wait for it). `calls` records (method, on_behalf_of) for every call.
    """

    def __init__(self) -> None:
        self.template = TemplateInfo(TEMPLATE_ID, "NTP-Servers", {1: "v1", 2: "v2", 3: "v3"})
        self.reachable = dict.fromkeys(DEVICES, True)
        self.changes: dict[str, FakeChange] = {}
        self.deployments: list[tuple[int | None, tuple[str, ...]]] = []
        self.calls: list[tuple[str, str]] = []
        self.fail_versions: set[int] = set()
        self.unhealthy_after_deploy: set[str] = set()
        self.lose_create = 0
        self.deploy_gate: asyncio.Event | None = None
        self.deploy_started = asyncio.Event()

    # -- knobs -------------------------------------------------------------------------

    def only_change(self) -> FakeChange:
        """The one change created (fails the test if there are several or none)."""
        assert len(self.changes) == 1, f"expected one change, found {len(self.changes)}"
        return next(iter(self.changes.values()))

    def approve(self) -> None:
        """The CAB approves the change waiting in authorize."""
        change = self.only_change()
        assert change.state == "authorize", change.state
        change.state, change.approval = "scheduled", "approved"

    def reject(self) -> None:
        """The CAB rejects: back to new, approval rejected (as ServiceNow does)."""
        change = self.only_change()
        change.state, change.approval = "new", "rejected"

    def count(self, method: str) -> int:
        """How many times a method was called."""
        return sum(1 for name, _ in self.calls if name == method)

    def _seen(self, method: str, on_behalf_of: str) -> None:
        self.calls.append((method, on_behalf_of))

    # -- Catalyst Center -----------------------------------------------------------------

    async def get_template(self, template_id: str, *, on_behalf_of: str) -> TemplateInfo:
        """The one template, or a refusal."""
        self._seen("get_template", on_behalf_of)
        if template_id != TEMPLATE_ID:
            raise ToolCallFailed(
                "get_template", f"template {template_id} was not found", retryable=False
            )
        return self.template

    async def get_device(self, device_id: str, *, on_behalf_of: str) -> DeviceInfo:
        """One of the two devices, or a refusal."""
        self._seen("get_device", on_behalf_of)
        if device_id not in DEVICES:
            raise ToolCallFailed("get_device", f"device {device_id} was not found", retryable=False)
        hostname, ip = DEVICES[device_id]
        return DeviceInfo(device_id, hostname, ip, self.reachable[device_id])

    async def device_health(self, *, on_behalf_of: str) -> Sequence[DeviceHealthInfo]:
        """GOOD for reachable devices."""
        self._seen("device_health", on_behalf_of)
        return [
            DeviceHealthInfo(
                hostname, ip, "GOOD" if self.reachable[i] else "POOR", self.reachable[i]
            )
            for i, (hostname, ip) in DEVICES.items()
        ]

    async def preview_template(
        self, template_id: str, params: Mapping[str, Any], device_id: str, *, on_behalf_of: str
    ) -> PreviewInfo:
        """Complete when ntp_primary is given."""
        self._seen("preview_template", on_behalf_of)
        if "ntp_primary" not in params:
            return PreviewInfo(False, ("missing parameter ntp_primary",))
        return PreviewInfo(True, (), f"ntp server {params['ntp_primary']} prefer")

    async def deploy_template(self, spec: DeploySpec, *, on_behalf_of: str) -> DeployOutcome:
        """Record the deployment; fail it or break devices as the knobs say."""
        self._seen("deploy_template", on_behalf_of)
        self.deploy_started.set()
        if self.deploy_gate is not None:
            await self.deploy_gate.wait()
        self.deployments.append((spec.version, tuple(spec.device_ids)))
        number = len(self.deployments)
        if spec.version in self.fail_versions:
            return DeployOutcome(
                "FAILURE",
                f"dep-{number}",
                "failed on every device",
                [DEVICES[d][0] for d in spec.device_ids],
            )
        for device_id in spec.device_ids:
            if DEVICES[device_id][0] in self.unhealthy_after_deploy:
                self.reachable[device_id] = False
        return DeployOutcome("SUCCESS", f"dep-{number}", f"deployed on {len(spec.device_ids)}")

    # -- ServiceNow ----------------------------------------------------------------------

    async def find_change(self, correlation_id: str, *, on_behalf_of: str) -> ChangeRecord | None:
        """The change with this correlation id, if any."""
        self._seen("find_change", on_behalf_of)
        for change in self.changes.values():
            if change.spec.correlation_id == correlation_id:
                return change.record(created=False)
        return None

    async def create_change(self, spec: ChangeSpec, *, on_behalf_of: str) -> ChangeRecord:
        """Create a change; with `lose_create`, fail after creating it (a lost answer)."""
        self._seen("create_change", on_behalf_of)
        number = f"CHG{30001 + len(self.changes)}"
        change = FakeChange(f"sys-{number}", number, spec)
        self.changes[change.sys_id] = change
        if self.lose_create > 0:
            self.lose_create -= 1
            raise ToolCallFailed(
                "create_change", "servicenow timed out after 15.0 s", retryable=True
            )
        return change.record()

    async def get_change(self, sys_id: str, *, on_behalf_of: str) -> ChangeRecord:
        """Where a change stands."""
        self._seen("get_change", on_behalf_of)
        return self.changes[sys_id].record()

    async def update_change(
        self, sys_id: str, *, on_behalf_of: str, **update: Unpack[ChangeUpdate]
    ) -> ChangeRecord:
        """Apply the update (states are not checked here: the simulator does that)."""
        self._seen("update_change", on_behalf_of)
        change = self.changes[sys_id]
        state = update.get("state")
        if state == "authorize":
            change.approval = "requested"
        change.state = state or change.state
        if work_notes := update.get("work_notes"):
            change.work_notes.append(work_notes)
        change.close_code = update.get("close_code") or change.close_code
        change.close_notes = update.get("close_notes") or change.close_notes
        return change.record()
