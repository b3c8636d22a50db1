"""The change request's text: who asked, why, the plans, and ServiceNow's limits."""

from __future__ import annotations

from typing import Any

from temporal_service.activities.change_text import MAX_CIS, change_spec
from temporal_service.models import (
    DeploymentRequest,
    DeviceTarget,
    OpenChangeInput,
    ValidationResult,
)


def opening(hosts: int, previous: int | None = 1, reason: str = "NTP servers moved") -> Any:
    devices = [DeviceTarget(f"id-{i}", f"par-acc-{i:02d}") for i in range(hosts)]
    request = DeploymentRequest(
        template_id="tmpl",
        device_ids=[d.device_id for d in devices],
        reason=reason,
        requested_by="sub-alice",
        requester_name="alice",
        params={"snmp_community": "s3cr3t-community", "ntp_primary": "10.0.0.1"},
    )
    validation = ValidationResult(True, [], "NTP-Servers", 2, previous, devices, "ntp server x")
    return OpenChangeInput(
        "wf-1", request, validation, "2026-01-01T00:00:00+00:00", "2026-01-02T00:00:00+00:00"
    )


def test_the_change_names_the_requester_the_reason_and_every_device() -> None:
    spec = change_spec(opening(2))
    assert "Requested by alice (subject sub-alice)" in spec.description
    assert "workflow wf-1" in spec.description and "NTP servers moved" in spec.description
    assert spec.configuration_items == ("par-acc-00", "par-acc-01")
    assert spec.correlation_id == "wf-1" and spec.justification == "NTP servers moved"
    assert "Re-deploy version 1 of template NTP-Servers" in spec.backout_plan


def test_parameter_values_stay_out_of_the_change() -> None:
    spec = change_spec(opening(1))
    text = " ".join([spec.description, spec.implementation_plan, spec.short_description])
    assert "snmp_community" in text and "s3cr3t-community" not in text


def test_many_devices_fit_the_limits() -> None:
    spec = change_spec(opening(40, reason="x" * 5000))
    assert len(spec.configuration_items) == MAX_CIS
    assert len(spec.short_description) <= 160 and spec.short_description.endswith("...")
    assert len(spec.description) <= 4000 and len(spec.justification) <= 4000
    assert "par-acc-39" in spec.implementation_plan


def test_without_a_previous_version_the_backout_is_manual() -> None:
    assert "by hand" in change_spec(opening(1, previous=None)).backout_plan
