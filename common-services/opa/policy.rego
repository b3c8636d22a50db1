# Authorization policy for the MCP platform: role-based access per resource (server) and
# action, plus MFA (Cisco Duo via the IdP) for changes on network devices; workload
# identities (automation) get named tools only, and only while acting for a person.
#
# Input: {subject, groups, mfa, client_id, on_behalf_of, server, resource, action, tool,
# arguments}. Groups combine: a caller is allowed when any of its groups grants the action.
# Rego v1 syntax (OPA >= 1.0, regopy).
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

# Workload groups: resource -> action -> the only tools the workload may call. The Temporal
# worker (group automation) runs TemplateDeploymentWorkflow and needs exactly these.
workload_tools := {"automation": {
	"catalyst-center": {
		"read": {"get_template", "get_device", "get_device_health"},
		"execute": {"preview_template"},
		"write": {"deploy_template"},
	},
	"servicenow": {
		"read": {"search_changes", "get_change"},
		"write": {"create_change", "update_change"},
	},
}}

mfa_actions := {"write", "execute"}

default allow := false

allow if {
	input.action in actions
	role_grants
	mfa_satisfied
}

# A workload has no second factor of its own: the person it acts for passed MFA when the
# work started (the workflows resource requires it), and is named in every audit event.
allow if {
	input.action in actions
	workload_grants
}

workload_grants if {
	some group in input.groups
	input.tool in workload_tools[group][input.resource][input.action]
	acting_for_a_person
}

acting_for_a_person if {
	is_string(input.on_behalf_of)
	input.on_behalf_of != ""
}

# Some group of the caller grants the action on the resource (or on every resource).
role_grants if {
	some group in input.groups
	some resource in [input.resource, "*"]
	input.action in role_permissions[group][resource]
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
	not workload_grants
	msg := sprintf("no group grants %v on %v", [input.action, input.resource])
}

reasons contains msg if {
	mfa_required
	not input.mfa == true
	not workload_grants
	msg := sprintf("mfa required for %v on %v", [input.action, input.resource])
}

reasons contains "a workload must act on behalf of a person" if {
	some group in input.groups
	workload_tools[group]
	not acting_for_a_person
}
