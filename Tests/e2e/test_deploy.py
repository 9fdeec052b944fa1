"""What can be checked of deploy/ without a container engine or a cluster: every file parses, the
image is multi-stage, static and unprivileged, compose runs the fleet the README describes, and the
Kubernetes manifests have what a production rollout needs (kustomize renders them when kubectl is
installed). The config they ship is one `switchyard config check` accepts."""

import os
import pathlib
import shutil
import subprocess

import pytest
import yaml

from conftest import BIN_DIR, ROOT

DEPLOY = ROOT / "deploy"


def load_all(path: pathlib.Path) -> list[dict]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def test_the_dockerfile_is_multi_stage_static_and_runs_unprivileged():
    text = (DEPLOY / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) >= 2 and " AS build" in stages[0]
    assert "--static-swift-stdlib" in text
    assert "COPY --from=build" in text
    user = [line for line in text.splitlines() if line.startswith("USER ")]
    assert user and not user[-1].split()[1].startswith(("0", "root"))
    assert '"serve"' in text and "/readyz" not in text  # probes belong to the orchestrator


def test_compose_runs_postgres_redis_three_replicas_and_nginx():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "nginx"} <= services.keys()
    replicas = [name for name in services if name.startswith("switchyard-")]
    assert len(replicas) == 3
    for name in replicas:
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert any(volume.endswith("/var/lib/switchyard") for volume in services[name]["volumes"])
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert all(f"server {name}:8080" in nginx for name in replicas)
    assert "proxy_buffering off" in nginx


def test_the_kubernetes_manifests_have_what_a_rollout_needs():
    documents = [doc for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")) for doc in load_all(path)]
    kinds = {doc["kind"]: doc for doc in documents}
    assert {"Deployment", "Service", "ConfigMap", "Secret", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds.keys()
    deployment = kinds["Deployment"]["spec"]
    assert deployment["replicas"] >= 2
    container = deployment["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"secretRef": {"name": "switchyard-secrets"}} in container["envFrom"]
    assert deployment["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    assert kinds["HorizontalPodAutoscaler"]["spec"]["minReplicas"] >= 2
    assert kinds["PodDisruptionBudget"]["spec"]["minAvailable"] < deployment["replicas"]
    config = kinds["ConfigMap"]["data"]["switchyard.yaml"]
    assert "${PGPASSWORD}" in config and "${SWITCHYARD_MASTER_KEY}" in config  # secrets by reference only


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_manifests_offline():
    rendered = subprocess.run(["kubectl", "kustomize", str(DEPLOY / "kubernetes")], capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    kinds = {doc["kind"] for doc in yaml.safe_load_all(rendered.stdout) if doc}
    assert kinds == {"ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"}


@pytest.mark.parametrize("config", ["compose", "kubernetes"])
def test_the_shipped_configuration_passes_config_check(tmp_path, config):
    if config == "compose":
        text = (DEPLOY / "switchyard.yaml").read_text()
    else:
        text = yaml.safe_load((DEPLOY / "kubernetes" / "configmap.yaml").read_text())["data"]["switchyard.yaml"]
    path = tmp_path / "switchyard.yaml"
    path.write_text(text)
    env = dict(os.environ, SWITCHYARD_MASTER_KEY="sk-master", PGPASSWORD="pw", OPENAI_API_KEY="sk-test", PGHOST="db",
               REDIS_URL="redis://redis:6379/0")
    checked = subprocess.run([str(BIN_DIR / "switchyard"), "config", "check", "--config", str(path)], capture_output=True, text=True, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
