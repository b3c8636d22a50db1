# Authorization policy for the MCP platform: role-based access per resource (server) and
# action, plus MFA (Cisco Duo via the IdP) for changes on network devices.
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
	},
	"service-desk": {
		"servicenow": {"read", "write", "execute"},
		"catalyst-center": {"read"},
	},
	"developers": {
		"github": {"read", "write", "execute"},
		"rest-api-proxy": {"read", "write", "execute"},
	},
}

# Changes on network devices need a second factor, whatever the group.
network_resources := {"catalyst-center", "radkit"}

mfa_actions := {"write", "execute"}

default allow := false

allow if {
	input.action in actions
	role_grants
	mfa_satisfied
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
	msg := sprintf("no group grants %v on %v", [input.action, input.resource])
}

reasons contains msg if {
	mfa_required
	not input.mfa == true
	msg := sprintf("mfa required for %v on %v", [input.action, input.resource])
}
