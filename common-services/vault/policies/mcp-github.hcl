# Policy of the Vault role `mcp-github`: the GitHub MCP server reads its backend's credentials
# and nothing else.
# Least privilege: one role and one policy per service (docs/security.md, "Secrets: one Vault
# role per service"). Secrets live in the KV v2 engine mounted at "secret/".

# Read the current (or a given) version of its own secret; no list, write, delete or destroy,
# and no other path under secret/.
path "secret/data/api/github" {
  capabilities = ["read"]
}

# Keep its own token alive and inspect it (TTL, policies) for /readyz.
path "auth/token/renew-self" {
  capabilities = ["update"]
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}
