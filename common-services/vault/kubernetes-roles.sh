#!/bin/sh
# Vault side of deploy/k8s, run once (and after any change) by an operator with an admin
# token (VAULT_ADDR, VAULT_TOKEN; `vault` or `bao`): the per-service policies, and one
# Kubernetes auth role per service account, bound to the policy of the same name only.
#
#   NAMESPACE=mcp sh common-services/vault/kubernetes-roles.sh
#
# Least privilege: a pod's service account token logs in to its own role alone, whose token
# reads that service's own secret (policies/<role>.hcl) and nothing else, not even Vault's
# `default` policy. Configure the auth method for your cluster first (README.md).
set -eu

NAMESPACE=${NAMESPACE:-mcp}
POLICIES=$(dirname "$0")/policies
VAULT=${VAULT:-vault}

for policy in "$POLICIES"/*.hcl; do
  "$VAULT" policy write "$(basename "$policy" .hcl)" "$policy" > /dev/null
done
"$VAULT" auth list | grep -q '^kubernetes/' || {
  echo "enable and configure the kubernetes auth method first (README.md)" >&2; exit 1; }

# role <name>: service account <name> in $NAMESPACE -> Vault role <name> -> policy <name>.
role() {
  "$VAULT" write auth/kubernetes/role/"$1" bound_service_account_names="$1" \
    bound_service_account_namespaces="$NAMESPACE" token_policies="$1" \
    token_no_default_policy=true token_ttl=1h token_max_ttl=24h > /dev/null
  echo "kubernetes role $1 -> policy $1"
}
role mcp-catalyst-center
role mcp-service-now
role mcp-github
role mcp-radkit
role mcp-rest-api-proxy
role temporal-worker

# The shared role and policy of earlier versions, if still there: gone.
"$VAULT" delete auth/kubernetes/role/mcp-server > /dev/null 2>&1 || true
"$VAULT" policy delete mcp-server > /dev/null 2>&1 || true
