# Authorization policy for the MCP platform: role-based access per resource (server) and
# action, plus MFA (Cisco Duo via the IdP) for changes on network devices. Workloads (the
# Temporal worker, the REST proxy) act only for a person, through RFC 8693 token exchange,
# and then only within what both the person and the workload may do.
#
# Input: {subject, groups, mfa, client_id, actors, on_behalf_of, server, resource, action,
# tool, arguments, change}. `actors` is the delegation chain (current actor first, from the
# token's `act` claim); `subject`, `groups` and `mfa` are then the person's. `change` is what
# the server read from ServiceNow for a change-gated call (below), null otherwise. Groups combine: a caller
# is allowed when any of its groups grants the action. Rego v1 syntax (OPA >= 1.0, regopy).
package authz

# The only actions a tool can declare; anything else is denied for everyone, admin included.
actions := {"read", "write", "execute"}

# Role table: group -> resource -> allowed actions. "*" means every resource (admin only).
role_permissions := {
	"admin": {"*": {"read", "write", "execute"}},
	"network-engineers": {
		"catalyst-center": {"read", "write", "execute"},
		"radkit": {"read", "write", "execute"},
		"workflows": {"read", "write", "execute"},
	},
	"service-desk": {
		"servicenow": {"read", "write", "execute"},
		"catalyst-center": {"read"},
		# Ticketing scripts reach ServiceNow through the REST proxy; each server still
		# decides per tool, so this opens no tool the group could not call directly.
		"rest-api-proxy": {"read", "write", "execute"},
		"workflows": {"read"},
	},
	"developers": {
		"github": {"read", "write", "execute"},
		"rest-api-proxy": {"read", "write", "execute"},
	},
}

# Changes on network devices need a second factor, whatever the group. Starting or
# cancelling a workflow (template deployments) changes network devices too.
network_resources := {"catalyst-center", "radkit", "workflows"}

# Tool-level grants on top of the role table: group -> resource -> action -> tools. Network
# engineers file and follow the change records of their own changes (and so may the worker
# acting for them: a delegation never gives more than the person has).
group_tools := {"network-engineers": {"servicenow": {
	"read": {"search_changes", "get_change", "get_change_approvals"},
	"write": {"create_change", "update_change"},
}}}

mfa_actions := {"write", "execute"}

# Workloads acting for a person (RFC 8693 token exchange: `sub` is the person, `act.sub` the
# workload's client id, `input.actors` the chain, current actor first). Each actor may call
# only these: actor -> resource -> action -> tools, "*" meaning every tool of the resource.
proxied := {"read": {"*"}, "write": {"*"}, "execute": {"*"}}

actor_tools := {
	# The Temporal worker runs TemplateDeploymentWorkflow and needs exactly these.
	"temporal-worker": {
		"catalyst-center": {
			"read": {"get_template", "get_device", "get_device_health"},
			"execute": {"preview_template"},
			"write": {"deploy_template"},
		},
		"servicenow": {
			# get_change_approvals: who approved, for the approval binding's audit event
			"read": {"search_changes", "get_change", "get_change_approvals"},
			"write": {"create_change", "update_change"},
		},
	},
	# The operator console calls every server as the signed-in person, any tool they may.
	"mcp-console": {
		"catalyst-center": proxied,
		"servicenow": proxied,
		"github": proxied,
		"radkit": proxied,
		"workflows": proxied,
	},
	# The REST proxy calls the servers it fronts (its MCP_SERVERS), any tool the person may.
	"rest-api-proxy": {
		"catalyst-center": proxied,
		"servicenow": proxied,
		"github": proxied,
		"radkit": proxied,
		"workflows": proxied,
	},
}

# A deployment by the worker implements a change: it names the change (`change_number`), and
# the server does not take the workflow's word that the CAB approved it: it reads the change
# from ServiceNow with its own read-only account and passes what it found as `input.change`
# ({number, state, approval, start_date, end_date}; null when ServiceNow has no such change).
# (docs/adr/0006-token-exchange.md; mcp_catalyst_center/change_gate.py)
change_gated := {"temporal-worker": {"catalyst-center": {"deploy_template"}}}

# Ready to deploy: approved, and moved to Implement (the workflow's start_implementation does
# so just before it deploys; Scheduled means approved but not started).
change_ready_states := {"implement"}

default allow := false

# A person's own call: some group grants it, with MFA where required.
allow if {
	not delegated
	person_may
}

# A workload acting for a person: the person may make the call AND every actor in the chain
# may; a delegation never widens the person's rights, nor the workload's.
allow if {
	delegated
	person_may
	actors_may
	change_named
	change_ready
}

person_may if {
	input.action in actions
	role_grants
	mfa_satisfied
}

# Any `actors` value but an absent or empty one means delegation (and a malformed one denies).
delegated if {
	input.actors != []
	input.actors != null
}

actors_may if {
	is_array(input.actors)
	every actor in input.actors {
		actor_may(actor)
	}
}

actor_may(actor) if input.tool in actor_tools[actor][input.resource][input.action]

actor_may(actor) if {
	is_string(input.tool)
	"*" in actor_tools[actor][input.resource][input.action]
}

change_named if not change_required

change_named if {
	is_string(input.arguments.change_number)
	regex.match(`^CHG[0-9]{4,12}$`, input.arguments.change_number)
}

change_required if {
	some actor in input.actors
	input.tool in change_gated[actor][input.resource]
}

# The change ServiceNow has under that number: this very one, approved and being implemented.
change_ready if not change_required

change_ready if {
	is_object(input.change)
	input.change.number == input.arguments.change_number
	input.change.approval == "approved"
	input.change.state in change_ready_states
}

# Some group of the caller grants the action on the resource (or on every resource).
role_grants if {
	some group in input.groups
	some resource in [input.resource, "*"]
	input.action in role_permissions[group][resource]
}

# ... or grants this very tool.
role_grants if {
	some group in input.groups
	input.tool in group_tools[group][input.resource][input.action]
}

mfa_required if {
	input.resource in network_resources
	input.action in mfa_actions
}

# Strictly boolean true: a string "true" or a missing claim is no MFA.
mfa_satisfied if not mfa_required

mfa_satisfied if input.mfa == true

# Why a request is denied (empty when allowed); for audit logs and error messages.
reasons contains msg if {
	not input.action in actions
	msg := sprintf("unknown action %v", [input.action])
}

reasons contains msg if {
	input.action in actions
	not role_grants
	msg := sprintf("no group grants %v on %v", [input.action, input.resource])
}

reasons contains msg if {
	mfa_required
	not input.mfa == true
	msg := sprintf("mfa required for %v on %v", [input.action, input.resource])
}

reasons contains msg if {
	delegated
	some actor in input.actors
	not actor_may(actor)
	msg := sprintf("actor %v may not call %v (%v on %v)", [actor, input.tool, input.action, input.resource])
}

reasons contains "malformed actor chain" if {
	delegated
	not is_array(input.actors)
}

reasons contains "a workload acts for a person only with an exchanged token (act)" if {
	not delegated
	is_string(input.on_behalf_of)
	input.on_behalf_of != ""
}

reasons contains msg if {
	delegated
	not change_named
	msg := sprintf("%v needs the approved change it implements (change_number)", [input.tool])
}

# A change named and well formed, but not one the deploy may implement:
reasons contains msg if {
	change_required
	change_named
	not is_object(input.change)
	msg := sprintf("change %v was not found in ServiceNow", [input.arguments.change_number])
}

reasons contains msg if {
	change_required
	change_named
	is_object(input.change)
	not input.change.number == input.arguments.change_number
	msg := sprintf("the change record read is not %v", [input.arguments.change_number])
}

reasons contains msg if {
	change_required
	change_named
	input.change.number == input.arguments.change_number
	not input.change.approval == "approved"
	approval := object.get(input.change, "approval", "")
	msg := sprintf("change %v is not approved (approval: %v)", [input.change.number, approval])
}

reasons contains msg if {
	change_required
	change_named
	input.change.number == input.arguments.change_number
	not input.change.state in change_ready_states
	state := object.get(input.change, "state", "")
	msg := sprintf("change %v is not in Implement (state: %v)", [input.change.number, state])
}
