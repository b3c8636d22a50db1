#!/bin/sh
# One-shot bootstrap of the compose Vault (runs in the hashicorp/vault image, busybox sh).
#
# Every `docker compose up` runs it again; each step is idempotent:
#   1. first run only: initialize Vault (1 key share) and keep the unseal key and the root
#      token in the private `vault-init` volume (demo only: see docs below);
#   2. unseal when sealed (after any restart of the vault container);
#   3. KV v2 at secret/, the platform's policies (one per service: /policies/<role>.hcl, each
#      reading its own path only), a file audit device on stdout (to ELK);
#   4. one AppRole per service that logs in to Vault (role name = role_id = policy name =
#      compose service name; not the REST proxy, which reads nothing from Vault yet), bound
#      to its own policy only (no `default` policy), whose secret_id is the one given in .env
#      (custom secret_id), every other secret_id revoked;
#   5. backend credentials from .env written to secret/api/<backend> when given, and the
#      worker's OIDC client secret to secret/api/temporal-worker (read by its role only).
#
# Production: use auto-unseal (cloud KMS / HSM / transit), keep recovery keys offline, revoke
# the root token, and deliver secret_ids with response wrapping. See
# common-services/vault/README.md for the operator's runbook.
set -eu

: "${VAULT_ADDR:=http://vault:8200}"
export VAULT_ADDR
STATE=/vault-init
umask 077

log() { printf 'vault-init: %s\n' "$*"; }

# -- 0. wait for the API (sealed or not) ---------------------------------------------------
tries=0
until wget -q -O /dev/null "$VAULT_ADDR/v1/sys/health?uninitcode=200&sealedcode=200&standbyok=true"; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { log "Vault did not answer at $VAULT_ADDR"; exit 1; }
  sleep 2
done

# -- 1. initialize once ----------------------------------------------------------------------
if wget -q -O - "$VAULT_ADDR/v1/sys/init" | grep -q '"initialized":false'; then
  log "initializing (first run)"
  vault operator init -key-shares=1 -key-threshold=1 > "$STATE/init.out"
  awk '/^Unseal Key 1:/ {print $NF}' "$STATE/init.out" > "$STATE/unseal-key"
  awk '/^Initial Root Token:/ {print $NF}' "$STATE/init.out" > "$STATE/root-token"
  rm -f "$STATE/init.out"
fi
[ -s "$STATE/unseal-key" ] && [ -s "$STATE/root-token" ] || {
  log "Vault is initialized but $STATE holds no unseal key: unseal it by hand"; exit 1; }

# -- 2. unseal (the key goes on stdin, never on a command line) -------------------------------
if wget -q -O - "$VAULT_ADDR/v1/sys/seal-status" | grep -q '"sealed":true'; then
  log "unsealing"
  vault write -format=json sys/unseal key=- < "$STATE/unseal-key" > /dev/null
fi

VAULT_TOKEN="$(cat "$STATE/root-token")"
export VAULT_TOKEN

# -- 3. engines, policies, audit --------------------------------------------------------------
vault secrets list | grep -q '^secret/' || vault secrets enable -path=secret -version=2 kv
for policy in /policies/*.hcl; do
  vault policy write "$(basename "$policy" .hcl)" "$policy" > /dev/null
done
vault audit list 2>/dev/null | grep -q '^stdout/' || \
  vault audit enable -path=stdout file file_path=stdout > /dev/null
vault auth list | grep -q '^approle/' || vault auth enable approle

# -- 4. AppRoles: role_id = service name = its policy, secret_id from .env -------------------
# Least privilege: one role per service, each bound to its own policy and nothing else (no
# shared role, no `default` policy): a leaked secret_id exposes one service's secret only.
register() {
  name=$1 policy=$2 secret_id=$3
  [ -n "$secret_id" ] || { log "no secret_id for $name (see .env.example)"; exit 1; }
  [ "$policy" = "$name" ] || { log "role $name must use its own policy, not $policy"; exit 1; }
  vault write auth/approle/role/"$name" token_policies="$policy" token_no_default_policy=true \
    token_ttl=1h token_max_ttl=24h secret_id_ttl=0 secret_id_num_uses=0 > /dev/null
  vault write auth/approle/role/"$name"/role-id role_id="$name" > /dev/null
  # Exactly one valid secret_id per service: the one in .env (rotation = edit .env, re-run).
  for accessor in $(vault list auth/approle/role/"$name"/secret-id 2>/dev/null | tail -n +3); do
    vault write auth/approle/role/"$name"/secret-id-accessor/destroy \
      secret_id_accessor="$accessor" > /dev/null
  done
  printf '%s' "$secret_id" | vault write auth/approle/role/"$name"/custom-secret-id \
    secret_id=- > /dev/null
  log "approle $name ready (policy $policy)"
}
register mcp-catalyst-center mcp-catalyst-center "${VAULT_SECRET_ID_CATALYST_CENTER:-}"
register mcp-service-now mcp-service-now "${VAULT_SECRET_ID_SERVICE_NOW:-}"
register mcp-github mcp-github "${VAULT_SECRET_ID_GITHUB:-}"
register mcp-radkit mcp-radkit "${VAULT_SECRET_ID_RADKIT:-}"
register temporal-worker temporal-worker "${VAULT_SECRET_ID_TEMPORAL_WORKER:-}"
# The shared role and policy of earlier versions, if still there: gone.
vault delete auth/approle/role/mcp-server > /dev/null 2>&1 || true
vault policy delete mcp-server > /dev/null 2>&1 || true

# -- 5. backend credentials (optional; otherwise write them yourself, see the vault README) ---
# Secret values go on stdin (`key=-`), one per write: `kv put` then `kv patch`.
put_secret() {
  path=$1 secret_key=$2 secret_value=$3; shift 3
  printf '%s' "$secret_value" | vault kv put -mount=secret "$path" "$@" "$secret_key"=- > /dev/null
}
patch_secret() {
  path=$1 secret_key=$2 secret_value=$3
  [ -n "$secret_value" ] || return 0
  printf '%s' "$secret_value" | vault kv patch -mount=secret "$path" "$secret_key"=- > /dev/null
}
if [ -n "${CATALYST_CENTER_URL:-}" ]; then
  put_secret api/catalyst-center password "${CATALYST_CENTER_PASSWORD:-}" \
    base_url="$CATALYST_CENTER_URL" username="${CATALYST_CENTER_USERNAME:-}" \
    verify_tls="${CATALYST_CENTER_VERIFY_TLS:-true}"
  log "secret/api/catalyst-center written"
fi
if [ -n "${SERVICENOW_INSTANCE_URL:-}" ]; then
  put_secret api/servicenow password "${SERVICENOW_PASSWORD:-}" \
    instance_url="$SERVICENOW_INSTANCE_URL" username="${SERVICENOW_USERNAME:-}" \
    client_id="${SERVICENOW_CLIENT_ID:-}"
  patch_secret api/servicenow client_secret "${SERVICENOW_CLIENT_SECRET:-}"
  log "secret/api/servicenow written"
fi
# Catalyst Center's change gate reads change requests with an account of its own, read only.
if [ -n "${SERVICENOW_READ_USERNAME:-}" ]; then
  put_secret api/catalyst-center/servicenow password "${SERVICENOW_READ_PASSWORD:-}" \
    username="$SERVICENOW_READ_USERNAME"
  log "secret/api/catalyst-center/servicenow written"
fi
if [ -n "${GITHUB_TOKEN:-}" ]; then
  put_secret api/github token "$GITHUB_TOKEN" base_url="${GITHUB_BASE_URL:-https://api.github.com}"
  log "secret/api/github written"
fi
if [ -n "${RADKIT_SERVICE_ID:-}" ]; then
  put_secret api/radkit client_private_key_password "${RADKIT_CLIENT_PRIVATE_KEY_PASSWORD:-}" \
    service_id="$RADKIT_SERVICE_ID" identity="${RADKIT_IDENTITY:-}"
  log "secret/api/radkit written"
fi
# The worker's client secret (the Keycloak client `temporal-worker`, same value as the realm's).
if [ -n "${TEMPORAL_WORKER_CLIENT_SECRET:-}" ]; then
  put_secret api/temporal-worker client_secret "$TEMPORAL_WORKER_CLIENT_SECRET"
  log "secret/api/temporal-worker written"
fi
log "done"
