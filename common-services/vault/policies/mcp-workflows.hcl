# Policy of the Vault role `mcp-workflows`: the workflows MCP server when it runs as its own
# process (the local launcher; compose and Kubernetes serve the workflow tools from the
# `temporal-worker` service and role). It reads no secret at all: only its own token.
# Least privilege: one role and one policy per service (docs/security.md, "Secrets: one Vault
# role per service"). Secrets live in the KV v2 engine mounted at "secret/".

# Keep its own token alive and inspect it (TTL, policies) for /readyz.
path "auth/token/renew-self" {
  capabilities = ["update"]
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}
