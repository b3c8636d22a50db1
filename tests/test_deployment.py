"""Static checks of the deployment: docker compose, Dockerfiles, ELK, Keycloak, Kubernetes.

Nothing here starts a container: the files are parsed and cross-checked against the repository
(paths, settings classes, policy roles) so that a broken deployment fails in CI, not on a host.
"""

from __future__ import annotations

import fnmatch
import importlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest
import yaml

from mcp_common.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"

# Compose service (and Kubernetes Deployment) -> (workspace member, module, port).
MEMBERS = {
    "mcp-catalyst-center": ("mcp-catalyst-center", "mcp_catalyst_center", 8002),
    "mcp-service-now": ("mcp-service-now", "mcp_service_now", 8080),
    "mcp-github": ("mcp-github", "mcp_github", 8003),
    "mcp-radkit": ("mcp-radkit", "mcp_radkit", 8004),
    "mcp-rest-api-proxy": ("mcp-rest-api-proxy", "mcp_rest_api_proxy", 8001),
    "temporal-worker": ("temporal-service", "temporal_service", 8005),
}
# Built from the same Dockerfile but not an MCP service (no policy, no Vault): the console.
WEB_APPS = {"mcp-console": ("mcp-console", "mcp_console", 8010)}
IMAGES = MEMBERS | WEB_APPS
# The REST proxy forwards each caller's own token and reads no backend secret: no Vault login.
NO_SECRET_STORE = {"mcp-rest-api-proxy"}
HUMAN_ROLES = {"admin", "network-engineers", "service-desk", "developers"}
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET_ID|SECRET$|TOKEN$|_KEY$|ENCRYPTIONKEY", re.I)
# ${VAR}, ${VAR:-default}, ${VAR:?message}...; "$${" is an escaped dollar, not a reference.
VAR = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)((?::?[-?+])[^}]*)?\}")
PINNED_TAG = re.compile(r":v?\d+\.\d+[\w.-]*$")


# ---------------------------------------------------------------- loading helpers
@cache
def compose() -> dict[str, Any]:
    return cast(dict[str, Any], yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


@cache
def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution, for the forms this repository uses."""

    def substitute(match: re.Match[str]) -> str:
        name, op = match.group(1), match.group(2) or ""
        value = env.get(name)
        if op.startswith(":-"):
            return value or op[2:]
        if op.startswith(("-", "?", ":?")):
            if op.startswith("-"):
                return op[1:] if value is None else value
            assert value, f"${{{name}}} is required ({op}) and .env.example leaves it empty"
        return value or ""

    return VAR.sub(substitute, text).replace("$$", "$")


def services() -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], compose()["services"])


def awaited_to_complete() -> set[str]:
    """Services others wait to *complete*: bootstrap jobs, for which health means nothing."""
    return {
        target
        for svc in services().values()
        for target, dep in (svc.get("depends_on") or {}).items()
        if dep.get("condition") == "service_completed_successfully"
    }


def environment(service: str) -> dict[str, str]:
    env = services()[service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


@cache
def settings_classes() -> dict[str, type[CommonSettings]]:
    """Member directory -> its settings class (a settings.py that does not import fails)."""
    found: dict[str, type[CommonSettings]] = {}
    for path in sorted(ROOT.glob("*/src/*/settings.py")):
        if path.parts[-4] == "mcp-common-app":
            continue
        module = importlib.import_module(f"{path.parent.name}.settings")
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, CommonSettings)
            and obj.__module__ == module.__name__
        ]
        if classes:
            found[path.parts[-4]] = classes[-1]
    return found


def allowed_names(service: str) -> tuple[type[CommonSettings], set[str]]:
    """The settings class a service loads and the MCP_* names it reads."""
    cls = settings_classes()[MEMBERS[service][0]]
    return cls, {f"MCP_{field.upper()}" for field in cls.model_fields}


def load_settings(
    cls: type[CommonSettings], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> CommonSettings:
    for key in [k for k in os.environ if k.startswith("MCP_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return cls()


def dockerfile(service: str) -> list[tuple[str, str]]:
    """The service's image recipe as (INSTRUCTION, arguments) pairs: continuation lines joined,
    comments dropped, and ${ARG}s replaced by the service's build args (else their defaults)."""
    build = services()[service]["build"]
    text = re.sub(r"\\\n", " ", (ROOT / build["context"] / build["dockerfile"]).read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            pairs.append((instruction.upper(), rest.strip()))
    values = {str(k): str(v) for k, v in (build.get("args") or {}).items()}
    for ins, rest in pairs:
        if ins == "ARG" and "=" in rest:
            name, default = rest.split("=", 1)
            values.setdefault(name, default.strip('"'))

    def substitute(text: str) -> str:
        for _ in range(3):  # defaults may name other args (SERVICE=${MEMBER})
            text = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)
        return text

    return [(ins, substitute(rest)) for ins, rest in pairs]


def dockerignored(path: str) -> bool:
    patterns = [
        p.strip()
        for p in (ROOT / ".dockerignore").read_text().splitlines()
        if p.strip() and not p.startswith(("#", "!"))
    ]
    prefixes = [str(Path(*Path(path).parts[: i + 1])) for i in range(len(Path(path).parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(prefix, pattern.removeprefix("**/"))
        for prefix in prefixes
        for pattern in patterns
    )


@cache
def k8s_docs() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def k8s(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in k8s_docs() if doc["kind"] == kind]


def schema_in(package: str, *parts: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return path if path.exists() else None


# ---------------------------------------------------------------- docker compose
def test_compose_file_uses_the_compose_specification_without_a_version_key() -> None:
    doc = compose()
    assert "version" not in doc
    assert set(MEMBERS) <= set(services())
    declared = set(doc["networks"])
    for name, svc in services().items():
        assert set(svc.get("networks") or []) <= declared, name
    assert doc["networks"]["internal"]["internal"] is True


def test_compose_file_validates_against_the_compose_specification_schema() -> None:
    # check-jsonschema (dev group) ships the Compose Specification schema.
    schema = schema_in("check_jsonschema", "builtin_schemas", "vendor", "compose-spec.json")
    assert schema is not None, "check-jsonschema lost its vendored compose-spec.json"
    jsonschema.validate(compose(), json.loads(schema.read_text()))


def test_every_service_has_an_image_or_build_and_pinned_tags() -> None:
    for name, svc in services().items():
        assert "image" in svc or "build" in svc, name
        image = svc.get("image", "")
        assert PINNED_TAG.search(image), f"{name}: {image!r} is not pinned to a version"
        assert not image.endswith((":latest", "-envoy")), name


def test_every_long_running_service_has_a_healthcheck() -> None:
    for name, svc in services().items():
        if name in awaited_to_complete():
            assert svc.get("restart") == "no", f"{name} is a one-shot job"
        if svc.get("restart") == "no":
            assert "ports" not in svc and "healthcheck" not in svc, f"{name} is a one-shot job"
            continue
        check = svc.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"


def test_dependencies_wait_for_health_or_completion() -> None:
    for name, svc in services().items():
        for target, dep in (svc.get("depends_on") or {}).items():
            condition = dep.get("condition")
            assert condition in {"service_healthy", "service_completed_successfully"}, name
            if condition == "service_healthy":
                assert services()[target].get("healthcheck"), f"{name} waits on {target}"


def test_no_secret_is_written_inline() -> None:
    for name in services():
        for key, value in environment(name).items():
            if SECRET_NAME.search(key):
                assert VAR.fullmatch(value), f"{name}.{key} must be a ${{VAR}} from .env"
            for userinfo in re.findall(r"://[^/@\s]*:([^/@\s]+)@", value):
                assert VAR.fullmatch(userinfo), f"{name}.{key} has a password in its URL"


def test_env_example_defines_every_variable_with_placeholder_secrets() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    referenced = {match.group(1) for match in VAR.finditer(text)}
    assert referenced - set(env_example()) == set()
    for key, value in env_example().items():
        if SECRET_NAME.search(key) and value:
            assert "CHANGE-ME" in value, f"{key} must be an obvious placeholder"


def test_builds_volumes_and_files_named_in_commands_exist() -> None:
    for name, svc in services().items():
        build = svc.get("build")
        if build:
            assert (ROOT / build["context"] / build["dockerfile"]).is_file(), name
        mounts = {}
        for volume in svc.get("volumes") or []:
            source, target = volume.split(":")[:2]
            if source.startswith("."):
                assert (ROOT / source).exists(), f"{name}: {source} missing"
                mounts[target] = ROOT / source
        words = [*(svc.get("command") or []), *(svc.get("entrypoint") or [])]
        for word in [w.split("=", 1)[-1] for w in words if isinstance(w, str)]:
            for target, source in mounts.items():
                if word.startswith(target + "/") or word == target:
                    assert (source / Path(word).relative_to(target)).exists(), f"{name}: {word}"


@pytest.mark.parametrize("service", sorted(MEMBERS))
def test_mcp_service_sets_only_settings_that_exist(service: str) -> None:
    _, names = allowed_names(service)
    used = {key for key in environment(service) if key.startswith("MCP_")}
    assert used - names == set()


@pytest.mark.parametrize("service", sorted(MEMBERS))
def test_mcp_service_environment_loads_into_its_settings(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls, _ = allowed_names(service)
    env = {key: interpolate(value, env_example()) for key, value in environment(service).items()}
    settings = load_settings(cls, env, monkeypatch)
    port = MEMBERS[service][2]
    assert (settings.service_name, settings.port, settings.host) == (service, port, "0.0.0.0")
    assert {service, "localhost"} <= set(settings.allowed_hosts)
    assert (settings.policy_engine, str(settings.opa_url)) == ("remote", "http://opa:8181/")
    if service in NO_SECRET_STORE:
        assert settings.secrets_backend == "file"
        assert not [key for key in env if key.startswith("MCP_VAULT_")]
    else:
        assert (settings.secrets_backend, settings.vault_auth) == ("vault", "approle")
        assert settings.vault_role_id == service
    assert settings.oidc_groups_claim == "realm_access.roles"
    assert str(settings.oidc_issuer).rstrip("/").endswith("/realms/mcp")
    assert f"{port}:{port}" in services()[service]["ports"]
    assert env["MCP_WORKERS"] == "0"  # one worker process per CPU the container may use


def test_opa_runs_a_pinned_release_serving_the_policy_file() -> None:
    opa = services()["opa"]
    assert re.fullmatch(r"openpolicyagent/opa:\d+\.\d+\.\d+", opa["image"])
    assert "--addr=0.0.0.0:8181" in opa["command"]
    assert "/policies/policy.rego" in opa["command"]


def test_vault_is_a_real_server_and_internal_services_are_not_published() -> None:
    vault = services()["vault"]
    assert vault["command"] == ["server"]
    assert not any("DEV" in key for key in environment("vault"))
    assert json.loads(environment("vault")["VAULT_LOCAL_CONFIG"])["storage"]["file"]
    for name in ("vault", "opa", "redis", "postgresql", "elasticsearch", "temporal"):
        assert "ports" not in services()[name], f"{name} must stay on the internal network"
        assert services()[name]["networks"] == ["internal"], name


def test_vault_init_registers_an_approle_for_every_service_that_logs_in() -> None:
    script = (ROOT / "deploy/compose/vault-init.sh").read_text()
    registered = {
        name: (policy, var)
        for name, policy, var in re.findall(r'^register (\S+) (\S+) "\$\{(\w+):-\}"', script, re.M)
    }
    logging_in = {name for name in services() if "MCP_VAULT_ROLE_ID" in environment(name)}
    assert set(registered) == logging_in
    for name in logging_in:
        policy, var = registered[name]
        assert environment(name)["MCP_VAULT_ROLE_ID"] == name
        assert VAR.fullmatch(environment(name)["MCP_VAULT_SECRET_ID"]).group(1) == var  # type: ignore[union-attr]
        assert var in environment("vault-init")
        assert (ROOT / "common-services/vault/policies" / f"{policy}.hcl").is_file()


def test_compose_gives_each_service_its_own_vault_role_policy_and_secret_id() -> None:
    """Least privilege: no shared role; each AppRole is bound to its own policy only."""
    script = (ROOT / "deploy/compose/vault-init.sh").read_text()
    registered = re.findall(r'^register (\S+) (\S+) "\$\{(\w+):-\}"', script, re.M)
    assert registered, "vault-init registers no AppRole"
    names, policies, variables = (list(column) for column in zip(*registered, strict=True))
    assert policies == names, "each role must be bound to the policy of its own name"
    assert len(set(names)) == len(names) and len(set(variables)) == len(variables)
    secret_ids = {environment(name)["MCP_VAULT_SECRET_ID"] for name in services() if name in names}
    assert len(secret_ids) == len(names), "every service has its own secret_id"
    assert "token_no_default_policy=true" in script
    assert not (ROOT / "common-services/vault/policies/mcp-server.hcl").exists()
    # The worker's client secret is in Vault (its role alone reads it), not in its environment.
    assert "MCP_WORKER_CLIENT_SECRET" not in environment("temporal-worker")
    assert "put_secret api/temporal-worker client_secret" in script


@pytest.mark.parametrize(
    ("shell", "script"),
    [
        ("sh", "deploy/compose/vault-init.sh"),
        ("sh", "common-services/vault/kubernetes-roles.sh"),
        ("bash", "common-services/elk/setup.sh"),
    ],
)
def test_bootstrap_scripts_are_valid_shell(shell: str, script: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} not installed")
    result = subprocess.run([shell, "-n", str(ROOT / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- Dockerfiles
def test_every_image_is_built_from_the_one_dockerfile() -> None:
    builds = {name: svc["build"] for name, svc in services().items() if "build" in svc}
    assert set(builds) == set(IMAGES)
    recipes = {(b["context"], b["dockerfile"]) for b in builds.values()}
    assert recipes == {(".", "deploy/Dockerfile")}
    for name, build in builds.items():
        member, module, port = IMAGES[name]
        assert build["args"]["MEMBER"] == member and build["args"]["MODULE"] == module
        assert build["args"]["PORT"] == str(port)
    assert list(ROOT.glob("*/Dockerfile")) == [ROOT / "deploy" / "Dockerfile"]


@pytest.mark.parametrize("service", sorted(IMAGES))
def test_dockerfile_builds_from_the_lock_and_runs_unprivileged(service: str) -> None:
    member, _, port = IMAGES[service]
    pairs = dockerfile(service)
    bases = [rest.split()[0] for ins, rest in pairs if ins == "FROM"]
    assert len(bases) >= 2 and all(re.fullmatch(r"python:3\.11\.\d+-slim\S*", b) for b in bases)
    project = tomllib.loads((ROOT / member / "pyproject.toml").read_text())["project"]["name"]
    syncs = [rest for ins, rest in pairs if ins == "RUN" and "uv sync" in rest]
    assert syncs and all("--frozen --no-dev" in s and f"--package {project}" in s for s in syncs)
    final = pairs[max(i for i, (ins, _) in enumerate(pairs) if ins == "FROM") :]
    users = [rest for ins, rest in final if ins == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert any(ins == "HEALTHCHECK" and "/healthz" in rest for ins, rest in final)
    assert ("EXPOSE", str(port)) in final
    for ins, rest in pairs:
        if ins == "COPY" and "--from=" not in rest:
            for source in [w for w in shlex.split(rest) if not w.startswith("--")][:-1]:
                assert (ROOT / source).exists(), f"{member}: COPY {source}"
                assert not dockerignored(source), f"{member}: {source} is in .dockerignore"


@pytest.mark.parametrize("service", sorted(IMAGES))
def test_dockerfile_cmd_runs_the_members_main_module(service: str) -> None:
    member, module, port = IMAGES[service]
    pairs = dockerfile(service)
    cmd = [json.loads(rest) for ins, rest in pairs if ins == "CMD"][-1]
    assert cmd == ["sh", "-c", 'exec python -m "$APP_MODULE"']
    env = " ".join(rest for ins, rest in pairs if ins == "ENV").split()
    assert f"APP_MODULE={module}" in env and f"MCP_PORT={port}" in env
    assert (ROOT / member / "src" / module / "__main__.py").is_file()


# ---------------------------------------------------------------- ELK
def test_kibana_saved_objects_parse_and_point_at_the_data_view() -> None:
    lines = (ROOT / "common-services/elk/kibana/saved-objects.ndjson").read_text().splitlines()
    objects = [json.loads(line) for line in lines if line.strip()]
    views = {o["id"]: o for o in objects if o["type"] == "index-pattern"}
    assert [v["attributes"]["title"] for v in views.values()] == ["mcp-logs-*"]
    searches = [o for o in objects if o["type"] == "search"]
    assert len(searches) >= 2
    for search in searches:
        source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert source["query"]["language"] == "kuery" and source["query"]["query"]
        assert {ref["id"] for ref in search["references"]} <= set(views)


def test_index_template_maps_the_platform_fields() -> None:
    template = json.loads((ROOT / "common-services/elk/index-template.json").read_text())
    assert template["index_patterns"] == ["mcp-logs-*"]
    properties = template["template"]["mappings"]["properties"]

    def mapping(path: str) -> dict[str, Any]:
        node = {"properties": properties}
        for part in path.split("."):
            node = node["properties"][part]
        return node

    assert mapping("@timestamp")["type"] == "date"
    assert mapping("event.duration")["type"] == "long"
    assert mapping("duration_ms")["type"] == "double"
    for field in ("log.level", "service.name", "trace.id", "user.id", "event.action",
                  "event.outcome", "authz.decision", "authz.resource", "secret.path",
                  "tool_name", "status"):  # fmt: skip
        assert mapping(field)["type"] == "keyword", field


def test_filebeat_decodes_container_json_and_takes_credentials_from_the_environment() -> None:
    config = yaml.safe_load((ROOT / "common-services/elk/filebeat.yml").read_text())
    assert config["filebeat.inputs"][0]["type"] == "container"
    decoders = [p["decode_json_fields"] for p in config["processors"] if "decode_json_fields" in p]
    assert any(d["target"] == "" and d["expand_keys"] for d in decoders)
    output = config["output.elasticsearch"]
    assert output["index"].startswith("mcp-logs-")
    assert output["password"].startswith("${") and output["username"].startswith("${")


def test_opa_config_logs_decisions_to_the_console() -> None:
    config = yaml.safe_load((ROOT / "common-services/opa/config.yaml").read_text())
    assert config["decision_logs"]["console"] is True


# ---------------------------------------------------------------- Keycloak
@cache
def realm() -> dict[str, Any]:
    path = ROOT / "common-services/keycloak/realm-export.json"
    return cast(dict[str, Any], json.loads(path.read_text()))


def test_realm_has_the_policy_roles_and_one_demo_user_per_role() -> None:
    roles = {role["name"] for role in realm()["roles"]["realm"]}
    assert roles == HUMAN_ROLES | {"automation"}
    policy = (ROOT / "common-services/opa/policy.rego").read_text()
    assert all(f'"{role}"' in policy for role in HUMAN_ROLES)
    humans = [u for u in realm()["users"] if "serviceAccountClientId" not in u]
    assert {role for u in humans for role in u["realmRoles"]} == HUMAN_ROLES
    for user in humans:
        (credential,) = user["credentials"]
        assert credential["temporary"] is True and VAR.fullmatch(credential["value"])


def test_realm_clients_put_audience_roles_and_mfa_into_tokens() -> None:
    clients = {client["clientId"]: client for client in realm()["clients"]}
    platform, worker = clients["mcp-platform"], clients["temporal-worker"]
    mappers = {m["protocolMapper"]: m for m in platform["protocolMappers"]}
    assert mappers["oidc-audience-mapper"]["config"]["included.client.audience"] == "mcp-platform"
    assert "oidc-amr-mapper" in mappers
    assert platform["publicClient"] and not platform["directAccessGrantsEnabled"]
    assert worker["serviceAccountsEnabled"] and VAR.fullmatch(worker["secret"])
    (account,) = [
        u for u in realm()["users"] if u.get("serviceAccountClientId") == "temporal-worker"
    ]
    assert account["realmRoles"] == ["automation"]
    configs = {c["alias"]: c["config"] for c in realm()["authenticatorConfig"]}
    flows = {flow["alias"]: flow for flow in realm()["authenticationFlows"]}
    executions = [e for f in flows.values() for e in f["authenticationExecutions"]]
    references = {configs[e["authenticatorConfig"]]["default.reference.value"]
                  for e in executions if "authenticatorConfig" in e}  # fmt: skip
    assert {"pwd", "otp"} <= references
    assert realm()["browserFlow"] in flows
    assert all(e["flowAlias"] in flows for e in executions if e.get("authenticatorFlow"))


# ---------------------------------------------------------------- Kubernetes
def test_k8s_manifests_parse_and_kustomization_names_existing_files() -> None:
    assert all(doc.get("apiVersion") and doc["metadata"].get("name") for doc in k8s_docs())
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert {(K8S / r).name for r in kustomization["resources"]} == {
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    }
    for generator in kustomization["configMapGenerator"]:
        for item in generator["files"]:
            assert (K8S / item.split("=", 1)[-1]).is_file(), item


def test_k8s_deployments_are_probed_non_root_and_read_only() -> None:
    deployments = {d["metadata"]["name"]: d for d in k8s("Deployment")}
    assert set(IMAGES) | {"opa"} == set(deployments)
    service_names = {s["metadata"]["name"] for s in k8s("Service")}
    hpa_targets = {h["spec"]["scaleTargetRef"]["name"] for h in k8s("HorizontalPodAutoscaler")}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert name in service_names
        for container in pod["containers"]:
            assert container["readinessProbe"] and container["livenessProbe"], name
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert PINNED_TAG.search(container["image"]), name
            assert not container["image"].endswith("-envoy"), name
            if name in IMAGES:
                assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
                assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert set(MEMBERS) <= hpa_targets
    policies = k8s("NetworkPolicy")
    assert any(p["spec"]["podSelector"] == {} and "ingress" not in p["spec"] for p in policies)


@pytest.mark.parametrize("service", sorted(MEMBERS))
def test_k8s_environment_uses_real_settings_and_loads(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (common,) = [c for c in k8s("ConfigMap") if c["metadata"]["name"] == "mcp-common"]
    (deployment,) = [d for d in k8s("Deployment") if d["metadata"]["name"] == service]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = dict(common["data"])
    for item in container["env"]:
        secret_ref = item.get("valueFrom", {}).get("secretKeyRef", {})
        if not secret_ref.get("optional"):
            env[item["name"]] = item.get("value", "from-a-kubernetes-secret")
    cls, names = allowed_names(service)
    assert {key for key in env if key.startswith("MCP_")} - names == set()
    settings = load_settings(cls, env, monkeypatch)
    if service in NO_SECRET_STORE:
        assert settings.secrets_backend == "file"
    else:
        # Its own Vault role, named like the service (and its service account).
        assert (settings.vault_auth, settings.vault_kubernetes_role) == ("kubernetes", service)
    assert container["ports"][0]["containerPort"] == settings.port == MEMBERS[service][2]
    assert env["MCP_WORKERS"] == "0"  # one worker process per CPU the pod may use


def test_k8s_gives_each_service_its_own_service_account_and_vault_role() -> None:
    """One ServiceAccount per service, bound by Vault's Kubernetes auth to its own role."""
    accounts = [a["metadata"]["name"] for a in k8s("ServiceAccount")]
    assert sorted(accounts) == sorted(MEMBERS), "exactly one service account per service"
    deployments = {d["metadata"]["name"]: d for d in k8s("Deployment")}
    for name in MEMBERS:
        pod = deployments[name]["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == name
    (common,) = [c for c in k8s("ConfigMap") if c["metadata"]["name"] == "mcp-common"]
    assert "MCP_VAULT_KUBERNETES_ROLE" not in common["data"], "no role shared by default"
    script = (ROOT / "common-services/vault/kubernetes-roles.sh").read_text()
    roles = re.findall(r"^role (\S+)$", script, re.M)
    assert len(set(roles)) == len(roles) and set(roles) <= set(accounts)
    assert re.search(r'bound_service_account_names="\$1".*token_policies="\$1"', script, re.S), (
        "each role binds the service account and the policy of its own name"
    )
    for deployment in deployments.values():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {item["name"]: item.get("value") for item in container.get("env", [])}
        if "MCP_VAULT_KUBERNETES_ROLE" in env:
            name = deployment["metadata"]["name"]
            assert env["MCP_VAULT_KUBERNETES_ROLE"] == name in roles
            assert (ROOT / "common-services/vault/policies" / f"{name}.hcl").is_file()


def test_k8s_manifests_validate_against_the_kubernetes_schemas() -> None:
    import kubernetes_validate  # dev group: schemas for every Kubernetes version

    docs = k8s_docs()
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)


def test_kustomize_builds_the_platform_with_the_policy_configmap() -> None:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl not installed")
    result = subprocess.run(
        ["kubectl", "kustomize", "--load-restrictor=LoadRestrictionsNone", str(K8S)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    built = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    (policy,) = [d for d in built if d["metadata"]["name"].startswith("opa-policy-")]
    assert policy["data"]["policy.rego"] == (ROOT / "common-services/opa/policy.rego").read_text()
    assert {d["metadata"].get("namespace") for d in built if d["kind"] != "Namespace"} == {"mcp"}


# ---------------------------------------------------------------- operator console
def _console_settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    from mcp_console.settings import ConsoleSettings

    for key in [k for k in os.environ if k.startswith("MCP_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return ConsoleSettings()  # type: ignore[call-arg]


def test_compose_console_loads_its_settings_and_signs_in_at_keycloak(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mcp_console.settings import ConsoleSettings

    env = {k: interpolate(v, env_example()) for k, v in environment("mcp-console").items()}
    assert {k for k in env if k.startswith("MCP_")} <= {
        f"MCP_{name.upper()}" for name in ConsoleSettings.model_fields
    }
    settings = _console_settings(env, monkeypatch)
    assert (settings.port, settings.host, settings.oidc_client_id) == (
        8010,
        "0.0.0.0",
        "mcp-console",
    )
    assert settings.issuer.endswith("/realms/mcp")
    assert set(settings.servers) == {
        "catalyst-center",
        "servicenow",
        "github",
        "radkit",
        "workflows",
    }
    assert "8010:8010" in services()["mcp-console"]["ports"]
    clients = {c["clientId"]: c for c in realm()["clients"]}
    console = clients["mcp-console"]
    assert console["standardFlowEnabled"] and not console["publicClient"]
    assert console["attributes"]["pkce.code.challenge.method"] == "S256"
    assert console["attributes"]["standard.token.exchange.enabled"] == "true"
    assert VAR.fullmatch(console["secret"]) and not console["directAccessGrantsEnabled"]


def test_k8s_console_loads_its_settings_with_the_secret_from_a_kubernetes_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (common,) = [c for c in k8s("ConfigMap") if c["metadata"]["name"] == "mcp-common"]
    (deployment,) = [d for d in k8s("Deployment") if d["metadata"]["name"] == "mcp-console"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = dict(common["data"])
    for item in container["env"]:
        assert "value" in item or "secretKeyRef" in item.get("valueFrom", {}), item["name"]
        env[item["name"]] = item.get("value", "from-a-kubernetes-secret")
    settings = _console_settings(env, monkeypatch)
    assert settings.secure_cookies  # served over TLS behind the ingress
    assert container["ports"][0]["containerPort"] == settings.port == 8010
    assert deployment["spec"]["replicas"] == 1  # sessions live in the process
