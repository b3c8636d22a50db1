# Policy of the Vault role `mcp-catalyst-center`: the Catalyst Center MCP server reads its
# backend's credentials and its ServiceNow read account, nothing else.
# Least privilege: one role and one policy per service (docs/security.md, "Secrets: one Vault
# role per service"). Secrets live in the KV v2 engine mounted at "secret/".

# Read the current (or a given) version of its own secret; no list, write, delete or destroy,
# and no other path under secret/.
path "secret/data/api/catalyst-center" {
  capabilities = ["read"]
}

# ... and its own read-only ServiceNow account, for the change gate (a worker's deployment is
# checked against its change as ServiceNow has it). Not mcp-service-now's credential.
path "secret/data/api/catalyst-center/servicenow" {
  capabilities = ["read"]
}

# Keep its own token alive and inspect it (TTL, policies) for /readyz.
path "auth/token/renew-self" {
  capabilities = ["update"]
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}
