#!/bin/bash
# One-shot ELK bootstrap for docker compose (runs in the Elasticsearch image, which has curl).
#   setup.sh elasticsearch  users for Kibana and Filebeat, the mcp-logs index template
#   setup.sh kibana         the data view and saved searches (kibana/saved-objects.ndjson)
# Idempotent: every `docker compose up` may run it again. Passwords come from the
# environment (.env), never from this file; keep them to letters, digits, '-' and '_'.
set -euo pipefail

ES_URL=${ES_URL:-http://elasticsearch:9200}
KIBANA_URL=${KIBANA_URL:-http://kibana:5601}
HERE=$(cd "$(dirname "$0")" && pwd)
: "${ELASTIC_PASSWORD:?}"

# The superuser's password reaches curl through a config on a file descriptor, never argv.
es() {
  local method=$1 path=$2; shift 2
  curl -fsS -X "$method" --config <(printf 'user = "elastic:%s"\n' "$ELASTIC_PASSWORD") \
    -H 'Content-Type: application/json' "$ES_URL$path" "$@"
}

setup_elasticsearch() {
  : "${KIBANA_SYSTEM_PASSWORD:?}" "${FILEBEAT_WRITER_PASSWORD:?}"
  es POST /_security/user/kibana_system/_password \
    --data-binary @<(printf '{"password":"%s"}' "$KIBANA_SYSTEM_PASSWORD") > /dev/null
  # Filebeat may only create and write mcp-logs-* documents (no read, no delete, no setup).
  es PUT /_security/role/mcp_logs_writer --data-binary @- > /dev/null <<'JSON'
{
  "cluster": ["monitor", "read_ilm", "read_pipeline"],
  "indices": [
    {
      "names": ["mcp-logs-*"],
      "privileges": ["create_doc", "create_index", "auto_configure", "view_index_metadata"]
    }
  ]
}
JSON
  es PUT /_security/user/filebeat_writer \
    --data-binary @<(printf '{"password":"%s","roles":["mcp_logs_writer"],"full_name":"Filebeat (MCP platform)"}' \
      "$FILEBEAT_WRITER_PASSWORD") > /dev/null
  es PUT /_index_template/mcp-logs --data-binary "@$HERE/index-template.json" > /dev/null
  echo "elk-setup: users, role and index template ready"
}

setup_kibana() {
  local answer
  answer=$(curl -fsS -X POST --config <(printf 'user = "elastic:%s"\n' "$ELASTIC_PASSWORD") \
    -H 'kbn-xsrf: mcp-platform' \
    --form "file=@$HERE/kibana/saved-objects.ndjson" \
    "$KIBANA_URL/api/saved_objects/_import?overwrite=true")
  # Kibana answers 200 even when objects fail to import: check the verdict.
  grep -q '"success":true' <<<"$answer" || { echo "kibana-setup: $answer" >&2; exit 1; }
  echo "kibana-setup: data view mcp-logs-* and saved searches imported"
}

case "${1:-}" in
  elasticsearch) setup_elasticsearch ;;
  kibana) setup_kibana ;;
  *) echo "usage: $0 elasticsearch|kibana" >&2; exit 2 ;;
esac
