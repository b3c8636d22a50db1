# Unit tests for policy.rego: run with `opa test common-services/opa/ -v` (OPA >= 1.0).
# CI does not run these; common-services/opa/tests/test_policy.py checks they parse and
# pass under regopy, and holds the full decision table.
#
# Input fields are overridden one by one (`with input.groups as ...`) rather than with a
# whole object: both are valid Rego, but `with input as {...}` can segfault regopy 1.5.2.
package authz

test_admin_allowed if {
	allow with input.groups as ["admin"] with input.resource as "any-new-server" with input.action as "read"
}

test_admin_needs_mfa_to_write_on_network if {
	not allow with input.groups as ["admin"] with input.resource as "catalyst-center" with input.action as "write"
}

test_admin_with_mfa_executes_on_radkit if {
	allow with input.groups as ["admin"] with input.resource as "radkit" with input.action as "execute" with input.mfa as true
}

test_unknown_action_denied_even_for_admin if {
	not allow with input.groups as ["admin"] with input.resource as "github" with input.action as "delete" with input.mfa as true
}

test_network_engineer_writes_catalyst_center_with_mfa if {
	allow with input.groups as ["network-engineers"] with input.resource as "catalyst-center" with input.action as "write" with input.mfa as true
}

test_network_engineer_denied_on_servicenow if {
	not allow with input.groups as ["network-engineers"] with input.resource as "servicenow" with input.action as "read" with input.mfa as true
}

test_service_desk_reads_catalyst_center if {
	allow with input.groups as ["service-desk"] with input.resource as "catalyst-center" with input.action as "read"
}

test_service_desk_cannot_write_catalyst_center_even_with_mfa if {
	not allow with input.groups as ["service-desk"] with input.resource as "catalyst-center" with input.action as "write" with input.mfa as true
}

test_developer_writes_github_without_mfa if {
	allow with input.groups as ["developers"] with input.resource as "github" with input.action as "write"
}

test_groups_combine if {
	allow with input.groups as ["developers", "service-desk"] with input.resource as "servicenow" with input.action as "execute"
}

test_no_group_denied if {
	not allow with input.groups as [] with input.resource as "github" with input.action as "read"
}

test_mfa_must_be_boolean_true if {
	not allow with input.groups as ["admin"] with input.resource as "radkit" with input.action as "write" with input.mfa as "true"
}

test_reasons_explain_missing_mfa if {
	reasons == {"mfa required for write on catalyst-center"} with input.groups as ["network-engineers"] with input.resource as "catalyst-center" with input.action as "write" with input.mfa as false
}

test_reasons_empty_when_allowed if {
	count(reasons) == 0 with input.groups as ["developers"] with input.resource as "github" with input.action as "read"
}

test_automation_deploys_a_template_for_a_person_without_mfa if {
	allow with input.groups as ["automation"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.on_behalf_of as "alice"
}

test_automation_acts_for_nobody_is_denied if {
	not allow with input.groups as ["automation"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template"
}

test_automation_empty_on_behalf_of_is_denied if {
	not allow with input.groups as ["automation"] with input.resource as "servicenow" with input.action as "write" with input.tool as "create_change" with input.on_behalf_of as ""
}

test_automation_gets_only_the_named_tools if {
	not allow with input.groups as ["automation"] with input.resource as "catalyst-center" with input.action as "execute" with input.tool as "run_show_commands" with input.on_behalf_of as "alice"
}

test_automation_tool_must_match_its_action if {
	not allow with input.groups as ["automation"] with input.resource as "servicenow" with input.action as "read" with input.tool as "create_change" with input.on_behalf_of as "alice"
}

test_automation_cannot_start_workflows if {
	not allow with input.groups as ["automation"] with input.resource as "workflows" with input.action as "execute" with input.tool as "start_template_deployment" with input.on_behalf_of as "alice" with input.mfa as true
}

test_network_engineer_starts_a_deployment_with_mfa_only if {
	allow with input.groups as ["network-engineers"] with input.resource as "workflows" with input.action as "execute" with input.mfa as true
	not allow with input.groups as ["network-engineers"] with input.resource as "workflows" with input.action as "execute" with input.mfa as false
}

test_service_desk_reads_workflows_only if {
	allow with input.groups as ["service-desk"] with input.resource as "workflows" with input.action as "read"
	not allow with input.groups as ["service-desk"] with input.resource as "workflows" with input.action as "execute" with input.mfa as true
}

test_reasons_explain_a_workload_acting_for_nobody if {
	reasons == {"a workload must act on behalf of a person", "no group grants read on servicenow"} with input.groups as ["automation"] with input.resource as "servicenow" with input.action as "read" with input.tool as "get_change"
}

test_reasons_empty_for_an_allowed_workload_call if {
	count(reasons) == 0 with input.groups as ["automation"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.on_behalf_of as "alice"
}
