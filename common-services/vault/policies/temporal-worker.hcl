# Policy for the Temporal worker: the same read-only access as the MCP servers, nothing more.
# Kept as its own policy so the worker's access can change without touching the servers'.

path "secret/data/api/*" {
  capabilities = ["read"]
}

path "secret/metadata/api/*" {
  capabilities = ["read", "list"]
}

path "auth/token/renew-self" {
  capabilities = ["update"]
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}
