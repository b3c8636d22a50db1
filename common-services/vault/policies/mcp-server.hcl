# Policy for the MCP servers: read-only access to the platform's backend credentials.
# Secrets live in the KV v2 engine mounted at "secret/", under "api/<backend>".

# Read the current (or a given) version of a secret.
path "secret/data/api/*" {
  capabilities = ["read"]
}

# Read version metadata and list the secrets under api/ (no write, no delete, no destroy).
path "secret/metadata/api/*" {
  capabilities = ["read", "list"]
}

# Let the server keep its own token alive and inspect it (TTL, policies) for /readyz.
path "auth/token/renew-self" {
  capabilities = ["update"]
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}
