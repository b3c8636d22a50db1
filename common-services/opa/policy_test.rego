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

test_worker_deploys_for_a_network_engineer_with_mfa_and_an_approved_change_in_implement if {
	allow with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as {"number": "CHG0030001", "state": "implement", "approval": "approved", "start_date": "2026-12-06 10:00:00", "end_date": "2026-12-06 12:00:00"}
}

test_worker_deploy_naming_a_change_servicenow_does_not_have_is_denied if {
	not allow with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"}
	not allow with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as null
	reasons == {"change CHG0030001 was not found in ServiceNow"} with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as null
}

test_worker_deploy_of_a_change_not_approved_is_denied if {
	not allow with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as {"number": "CHG0030001", "state": "authorize", "approval": "requested"}
	reasons == {"change CHG0030001 is not approved (approval: requested)", "change CHG0030001 is not in Implement (state: authorize)"} with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as {"number": "CHG0030001", "state": "authorize", "approval": "requested"}
}

test_worker_deploy_of_an_approved_change_not_in_implement_is_denied if {
	not allow with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as {"number": "CHG0030001", "state": "scheduled", "approval": "approved"}
	reasons == {"change CHG0030001 is not in Implement (state: scheduled)"} with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as {"number": "CHG0030001", "state": "scheduled", "approval": "approved"}
}

test_worker_deploy_needs_the_change_it_names_not_another if {
	not allow with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as {"number": "CHG0030002", "state": "implement", "approval": "approved"}
	reasons == {"the change record read is not CHG0030001"} with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as {"number": "CHG0030002", "state": "implement", "approval": "approved"}
}

test_a_person_s_own_deploy_needs_no_change if {
	allow with input.groups as ["network-engineers"] with input.mfa as true with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template"
}

test_worker_for_a_developer_cannot_deploy if {
	not allow with input.groups as ["developers"] with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"}
}

test_worker_deploy_without_a_change_is_denied if {
	not allow with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template"
}

test_worker_gets_only_its_named_tools_whatever_the_person_may if {
	not allow with input.groups as ["admin"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "execute" with input.tool as "run_show_commands"
}

test_worker_tool_must_match_its_action if {
	not allow with input.groups as ["admin"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "servicenow" with input.action as "read" with input.tool as "create_change"
}

test_proxy_acts_within_the_person_s_rights if {
	allow with input.groups as ["service-desk"] with input.actors as ["rest-api-proxy"] with input.resource as "servicenow" with input.action as "write" with input.tool as "create_incident"
	not allow with input.groups as ["developers"] with input.actors as ["rest-api-proxy"] with input.resource as "servicenow" with input.action as "write" with input.tool as "create_incident"
}

test_proxy_reaches_only_the_servers_it_fronts if {
	not allow with input.groups as ["admin"] with input.mfa as true with input.actors as ["rest-api-proxy"] with input.resource as "billing" with input.action as "read" with input.tool as "get_invoice"
}

test_unknown_actor_is_denied if {
	not allow with input.groups as ["admin"] with input.mfa as true with input.actors as ["mallory"] with input.resource as "github" with input.action as "read" with input.tool as "get_repo"
}

test_workload_s_own_token_naming_a_person_is_denied if {
	not allow with input.groups as ["automation"] with input.resource as "servicenow" with input.action as "write" with input.tool as "create_change" with input.on_behalf_of as "alice"
}

test_worker_cannot_start_workflows if {
	not allow with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "workflows" with input.action as "execute" with input.tool as "start_template_deployment"
}

test_network_engineer_starts_a_deployment_with_mfa_only if {
	allow with input.groups as ["network-engineers"] with input.resource as "workflows" with input.action as "execute" with input.mfa as true
	not allow with input.groups as ["network-engineers"] with input.resource as "workflows" with input.action as "execute" with input.mfa as false
}

test_service_desk_reads_workflows_only if {
	allow with input.groups as ["service-desk"] with input.resource as "workflows" with input.action as "read"
	not allow with input.groups as ["service-desk"] with input.resource as "workflows" with input.action as "execute" with input.mfa as true
}

test_reasons_name_the_person_s_missing_rights if {
	reasons == {"no group grants write on catalyst-center", "mfa required for write on catalyst-center"} with input.groups as ["developers"] with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as {"number": "CHG0030001", "state": "implement", "approval": "approved", "start_date": "2026-12-06 10:00:00", "end_date": "2026-12-06 12:00:00"}
}

test_reasons_name_the_actor if {
	reasons == {"actor temporal-worker may not call run_show_commands (execute on catalyst-center)"} with input.groups as ["admin"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "execute" with input.tool as "run_show_commands"
}

test_reasons_empty_for_an_allowed_delegated_call if {
	count(reasons) == 0 with input.groups as ["network-engineers"] with input.mfa as true with input.actors as ["temporal-worker"] with input.resource as "catalyst-center" with input.action as "write" with input.tool as "deploy_template" with input.arguments as {"change_number": "CHG0030001"} with input.change as {"number": "CHG0030001", "state": "implement", "approval": "approved", "start_date": "2026-12-06 10:00:00", "end_date": "2026-12-06 12:00:00"}
}
