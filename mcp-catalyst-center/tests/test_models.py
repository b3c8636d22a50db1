"""Reading API records into results: keys, fallbacks, lenient values, computed fields."""

from __future__ import annotations

from mcp_catalyst_center.models.assurance import DeviceHealth
from mcp_catalyst_center.models.inventory import DeviceSummary, Interface, Site
from mcp_catalyst_center.models.operations import TaskStatus
from mcp_catalyst_center.models.templates import TemplateDetail


def test_fields_are_read_from_their_camel_case_or_named_keys() -> None:
    interface = Interface.from_api(
        {"id": "i1", "portName": "Gi1/0/1", "adminStatus": "UP", "speed": "1000000"}
    )
    assert (interface.name, interface.admin_status, interface.speed_kbps) == (
        "Gi1/0/1",
        "UP",
        1_000_000,
    )


def test_absent_empty_or_malformed_values_read_as_null() -> None:
    device = DeviceSummary.from_api({"hostname": "", "platformId": None, "extra": 1})
    assert device.id == ""
    assert (device.hostname, device.platform, device.management_ip) == (None, None, None)
    assert Interface.from_api({"speed": "fast"}).speed_kbps is None


def test_of_several_keys_the_first_with_a_value_counts() -> None:
    assert DeviceSummary.from_api({"id": "", "instanceUuid": "u1"}).id == "u1"
    assert DeviceSummary.from_api({"id": "d1", "instanceUuid": "u1"}).id == "d1"
    assert Site.from_api({"siteNameHierarchy": "Global/EMEA"}).hierarchy == "Global/EMEA"


def test_computed_fields_are_worked_out_from_the_record() -> None:
    health = DeviceHealth.from_api({"overallHealth": "9", "cpuUlitilization": 0})
    assert (health.health, health.cpu_utilization) == ("GOOD", 0.0)
    site = Site.from_api({"id": "s1", "additionalInfo": [{"attributes": {"type": "floor"}}]})
    assert site.type == "floor"
    task = TaskStatus.from_api({"taskId": "t1", "isError": True, "startTime": 1_700_000_000_000})
    assert (task.task_id, task.done, task.started_at) == ("t1", True, "2023-11-14T22:13:20Z")


def test_a_template_shows_its_parameters_in_order_and_no_content_until_set() -> None:
    detail = TemplateDetail.from_api(
        {
            "id": "t1",
            "content": "not from here",
            "templateParams": [
                {"parameterName": "b", "order": 2, "required": True},
                {"parameterName": "hidden", "order": 0, "notParam": True},
                {"parameterName": "a", "order": "1", "paramArray": True},
            ],
            "versionsInfo": [{"id": "v2", "version": 2}, {"id": "v1", "version": "1"}],
        }
    )
    assert [(p.name, p.required, p.is_list) for p in detail.parameters] == [
        ("a", False, True),
        ("b", True, False),
    ]
    assert [v.id for v in detail.versions] == ["v1", "v2"]
    assert detail.content is None
