"""Templates (list, get, preview, deploy, rollback), tasks and the command runner."""

from __future__ import annotations

from typing import Any

import pytest

from simulator_kit.network import DEVICES

V1 = "/dna/intent/api/v1"
TP = f"{V1}/template-programmer/template"
DEPLOY = "/dna/intent/api/v2/template-programmer/template/deploy"
NTP = {"ntp_primary": "10.0.0.123", "ntp_secondary": "10.0.1.123", "timezone": "CET"}


def _id(hostname: str) -> str:
    return next(d.id for d in DEVICES if d.hostname == hostname)


def _templates(cc: Any) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in cc.get(TP).json()}


def _deploy(cc: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Deploy, wait for the task, then for the deployment; return the final status."""
    response = cc.post(DEPLOY, json=body)
    assert response.status_code == 202, response.text
    accepted = response.json()["response"]
    assert accepted["url"] == f"/api/v1/task/{accepted['taskId']}"
    task = cc.wait_task(accepted["taskId"])
    assert task["isError"] is False
    deployment_id = task["progress"].split("Template Deployemnt Id: ")[1]
    return dict(cc.wait_deployment(deployment_id))


def _target(ip: str, **params: Any) -> dict[str, Any]:
    return {"id": ip, "type": "MANAGED_DEVICE_IP", "params": params}


def test_template_list_names_projects_and_versions(cc: Any) -> None:
    templates = _templates(cc)
    assert {"NTP-Servers", "Banner-MOTD", "Access-VLANs", "Broken-Template"} <= set(templates)
    for template in templates.values():
        assert template["projectName"] and template["templateId"]
        assert len(template["versionsInfo"]) >= 2
        assert {"id", "version", "versionTime"} <= set(template["versionsInfo"][0])


def test_template_by_id_is_the_latest_version_with_its_parameters(cc: Any) -> None:
    ntp = _templates(cc)["NTP-Servers"]
    detail = cc.get(f"{TP}/{ntp['templateId']}").json()
    assert detail["version"] == "2"
    assert "$ntp_primary" in detail["templateContent"]
    assert "clock timezone $timezone" in detail["templateContent"]
    names = [p["parameterName"] for p in detail["templateParams"]]
    assert names == ["timezone", "ntp_primary", "ntp_secondary"]
    assert detail["language"] == "VELOCITY"


def test_template_by_version_id_is_that_older_version(cc: Any) -> None:
    ntp = _templates(cc)["NTP-Servers"]
    v1 = next(v for v in ntp["versionsInfo"] if v["version"] == "1")
    detail = cc.get(f"{TP}/{v1['id']}").json()
    assert detail["version"] == "1"
    assert detail["parentTemplateId"] == ntp["templateId"]
    assert "timezone" not in detail["templateContent"]


def test_unknown_template_is_404(cc: Any) -> None:
    response = cc.get(f"{TP}/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json()["response"]["errorCode"] == "NOT_FOUND"


def test_preview_renders_the_cli(cc: Any) -> None:
    vlans = _templates(cc)["Access-VLANs"]
    params = {"vlan_id": "30", "vlan_name": "CAMERAS", "access_ports": ["Gi1/0/7", "Gi1/0/8"]}
    body = {"templateId": vlans["templateId"], "params": params}
    preview = cc.request("PUT", f"{TP}/preview", json=body).json()
    assert preview["validationErrors"] == []
    assert preview["templateId"] == vlans["templateId"]
    assert (
        "interface Gi1/0/8\n switchport mode access\n switchport access vlan 30"
        in (preview["cliPreview"])
    )


def test_preview_with_a_missing_parameter_reports_validation_errors(cc: Any) -> None:
    ntp = _templates(cc)["NTP-Servers"]
    body = {"templateId": ntp["templateId"], "params": {"ntp_primary": "10.0.0.1"}}
    preview = cc.request("PUT", f"{TP}/preview", json=body).json()
    assert {e["paramName"] for e in preview["validationErrors"]} == {"timezone", "ntp_secondary"}
    assert "ntp server 10.0.0.1 prefer" in preview["cliPreview"]


def test_deploy_task_completes_after_the_configured_polls(cc: Any) -> None:
    ntp = _templates(cc)["NTP-Servers"]
    body = {"templateId": ntp["templateId"], "targetInfo": [_target("10.10.0.1", **NTP)]}
    task_id = cc.post(DEPLOY, json=body).json()["response"]["taskId"]
    first = cc.get(f"{V1}/task/{task_id}").json()["response"]
    assert "endTime" not in first and first["isError"] is False
    second = cc.get(f"{V1}/task/{task_id}").json()["response"]
    assert second["endTime"] >= second["startTime"]
    assert second["progress"].startswith("Template Deployemnt Id: ")


def test_deploy_succeeds_and_the_device_then_runs_that_version(cc: Any, http: Any) -> None:
    ntp = _templates(cc)["NTP-Servers"]
    body = {"templateId": ntp["templateId"], "forcePushTemplate": True,
            "targetInfo": [_target("10.10.0.1", **NTP)]}  # fmt: skip
    status = _deploy(cc, body)
    assert status["status"] == "SUCCESS"
    assert status["templateName"] == "NTP-Servers" and status["endTime"]
    assert status["devices"][0]["deviceId"] == _id("par-core-01")
    assert status["devices"][0]["status"] == "SUCCESS"
    deployed = http.get("/sandbox/deployed").json()[_id("par-core-01")]
    assert deployed["templates"]["NTP-Servers"]["version"] == 2
    config = cc.get(f"{V1}/network-device/{_id('par-core-01')}/config").json()["response"]
    assert "ntp server 10.0.1.123\n" in config and "clock timezone CET 0 0" in config


def test_deployment_status_is_in_progress_before_it_is_final(cc: Any) -> None:
    banner = _templates(cc)["Banner-MOTD"]
    body = {"templateId": banner["templateId"],
            "targetInfo": [_target("10.20.0.1", banner_text="Hi", site_name="LON")]}  # fmt: skip
    task = cc.wait_task(cc.post(DEPLOY, json=body).json()["response"]["taskId"])
    path = f"{TP}/deploy/status/{task['data']}"
    assert cc.get(path).json()["status"] in ("INIT", "IN_PROGRESS")
    assert cc.get(path).json()["status"] == "SUCCESS"


def test_redeploying_an_older_version_is_a_visible_rollback(cc: Any, http: Any) -> None:
    ntp = _templates(cc)["NTP-Servers"]
    v1 = next(v["id"] for v in ntp["versionsInfo"] if v["version"] == "1")
    _deploy(cc, {"templateId": ntp["templateId"], "targetInfo": [_target("10.10.0.2", **NTP)]})
    back = _deploy(cc, {"templateId": v1, "targetInfo": [_target("10.10.0.2", **NTP)]})
    assert back["status"] == "SUCCESS" and back["templateVersion"] == "1"
    deployed = http.get("/sandbox/deployed").json()[_id("par-core-02")]
    assert deployed["templates"]["NTP-Servers"]["versioned_template_id"] == v1
    assert [h["version"] for h in deployed["history"]] == [2, 1]
    config = cc.get(f"{V1}/network-device/{_id('par-core-02')}/config").json()["response"]
    assert "clock timezone CET 0 0" not in config


def test_broken_template_fails_on_the_device(cc: Any, http: Any) -> None:
    broken = _templates(cc)["Broken-Template"]
    target = _target("10.10.2.11", interface="GigabitEthernet1/0/3")
    status = _deploy(cc, {"templateId": broken["templateId"], "targetInfo": [target]})
    assert status["status"] == "FAILURE"
    assert "Invalid input" in status["devices"][0]["detailedStatusMessage"]
    assert http.get("/sandbox/deployed").json() == {}


def test_deploy_to_an_unreachable_device_fails_for_that_device_only(cc: Any) -> None:
    ntp = _templates(cc)["NTP-Servers"]
    targets = [_target("10.10.0.1", **NTP), _target("10.10.2.13", **NTP)]
    status = _deploy(cc, {"templateId": ntp["templateId"], "targetInfo": targets})
    assert status["status"] == "FAILURE"
    outcome = {d["ipAddress"]: d for d in status["devices"]}
    assert outcome["10.10.0.1"]["status"] == "SUCCESS"
    assert outcome["10.10.2.13"]["status"] == "FAILURE"
    assert "unreachable" in outcome["10.10.2.13"]["detailedStatusMessage"]


def test_deploy_targets_by_hostname_or_uuid_and_reports_missing_params(cc: Any) -> None:
    ntp = _templates(cc)["NTP-Servers"]
    targets = [
        {"hostName": "lon-acc-01", "type": "MANAGED_DEVICE_HOSTNAME", "params": NTP},
        {"id": _id("lon-acc-02"), "type": "MANAGED_DEVICE_UUID", "params": {"timezone": "GMT"}},
        {"id": "10.99.99.99", "type": "MANAGED_DEVICE_IP", "params": NTP},
    ]
    status = _deploy(cc, {"templateId": ntp["templateId"], "targetInfo": targets})
    results = [(d["name"], d["status"]) for d in status["devices"]]
    assert results == [("lon-acc-01", "SUCCESS"), ("lon-acc-02", "FAILURE"), (None, "FAILURE")]
    assert "ntp_primary" in status["devices"][1]["detailedStatusMessage"]
    assert "not found" in status["devices"][2]["detailedStatusMessage"]


@pytest.mark.parametrize(
    ("body", "status"),
    [({"targetInfo": [_target("10.10.0.1")]}, 400),
     ({"templateId": "nope", "targetInfo": [_target("10.10.0.1")]}, 404),
     ({"templateId": "<ntp>", "targetInfo": []}, 400),
     ({"templateId": "<ntp>", "targetInfo": [{"id": "10.10.0.1", "type": "SERIAL"}]}, 400)],
    ids=["no-template", "unknown-template", "no-targets", "bad-type"],
)  # fmt: skip
def test_invalid_deploy_requests_are_rejected(cc: Any, body: dict[str, Any], status: int) -> None:
    if body.get("templateId") == "<ntp>":
        body = {**body, "templateId": _templates(cc)["NTP-Servers"]["templateId"]}
    response = cc.post(DEPLOY, json=body)
    assert response.status_code == status
    assert response.json()["response"]["message"]


def test_unknown_task_and_deployment_are_404(cc: Any) -> None:
    assert cc.get(f"{V1}/task/nope").status_code == 404
    assert cc.get(f"{TP}/deploy/status/nope").status_code == 404


def test_command_runner_returns_outputs_per_device_through_a_file(cc: Any) -> None:
    results = cc.run_cli(["show version", "show ip interface brief"], "par-acc-01", "lon-rtr-01")
    assert [r["deviceUuid"] for r in results] == [_id("par-acc-01"), _id("lon-rtr-01")]
    ok = results[0]["commandResponses"]["SUCCESS"]
    assert "Cisco IOS XE Software, Version 17.09.04" in ok["show version"]
    assert "System Serial Number               : FOC2404X004" in ok["show version"]
    assert "GigabitEthernet1/0/6" in ok["show ip interface brief"]
    assert "administratively down" in ok["show ip interface brief"]
    assert results[0]["commandResponses"]["FAILURE"] == {}


def test_command_runner_outputs_running_config_inventory_and_ping(cc: Any) -> None:
    commands = ["show running-config", "show inventory", "ping 10.10.0.2", "ping 10.10.2.13"]
    ok = cc.run_cli(commands, "par-core-01")[0]["commandResponses"]["SUCCESS"]
    assert "enable secret 9 $9$" in ok["show running-config"]
    assert 'NAME: "Chassis"' in ok["show inventory"]
    assert "Success rate is 100 percent (5/5)" in ok["ping 10.10.0.2"]
    assert "Success rate is 0 percent (0/5)" in ok["ping 10.10.2.13"]


def test_command_runner_accepts_abbreviations_and_rejects_unknown_commands(cc: Any) -> None:
    responses = cc.run_cli(["sh ver", "show foo", "show tech-support"], "sjc-acc-01")[0]
    assert "sjc-acc-01 uptime is" in responses["commandResponses"]["SUCCESS"]["sh ver"]
    assert "% Invalid input detected" in responses["commandResponses"]["FAILURE"]["show foo"]
    assert "show tech-support" in responses["commandResponses"]["BLACKLISTED"]


def test_command_runner_accepts_config_commands_and_records_them(cc: Any, http: Any) -> None:
    responses = cc.run_cli(["configure terminal", "no ip domain lookup"], "par-acc-02")[0]
    assert set(responses["commandResponses"]["SUCCESS"]) == {"configure terminal",
                                                               "no ip domain lookup"}  # fmt: skip
    sent = [c["command"] for c in http.get("/sandbox/stats").json()["cli_commands"]]
    assert sent == ["configure terminal", "no ip domain lookup"]


def test_command_runner_on_an_unreachable_device_fails_each_command(cc: Any) -> None:
    responses = cc.run_cli(["show version"], "par-acc-03")[0]["commandResponses"]
    assert responses["SUCCESS"] == {}
    assert "unreachable" in responses["FAILURE"]["show version"]


@pytest.mark.parametrize(
    "body",
    [{"commands": [], "deviceUuids": ["x"]}, {"commands": ["show version"]},
     {"commands": ["show version"], "deviceUuids": ["not-a-device"]},
     {"commands": [""], "deviceUuids": ["x"]}],
    ids=["no-commands", "no-devices", "unknown-device", "blank-command"],
)  # fmt: skip
def test_invalid_command_runner_requests_are_400(cc: Any, body: dict[str, Any]) -> None:
    response = cc.post(f"{V1}/network-device-poller/cli/read-request", json=body)
    assert response.status_code == 400


def test_unknown_file_is_404(cc: Any) -> None:
    assert cc.get(f"{V1}/file/nope").status_code == 404
