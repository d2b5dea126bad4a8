"""The Helm chart (helm/) rendered offline: what a cluster would get, without a cluster.

These tests reuse scripts/check_chart.py (also `make chart-check`) and need no database.
"""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def _load_check_chart() -> ModuleType:
    """scripts/ is no package; load the checker from its file so tests and CI share one copy."""
    path = Path(__file__).resolve().parent.parent / "scripts" / "check_chart.py"
    spec = importlib.util.spec_from_file_location("check_chart", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_chart", module)
    spec.loader.exec_module(module)
    return module


cc = _load_check_chart()
TENANT_DOMAINS = ("portaal.warmtenet-noord.be", "portail.chaleur-sud.be")
VALUES_FILES = pytest.mark.parametrize("values_file", cc.VALUES_FILES, ids=lambda p: p.stem)


@pytest.fixture(scope="module")
def default_objects() -> list[dict[str, Any]]:
    return cc.render_chart(cc.DEFAULT_VALUES)


@pytest.fixture(scope="module")
def production_objects() -> list[dict[str, Any]]:
    return cc.render_chart(cc.PRODUCTION_VALUES)


def one(objects: list[dict[str, Any]], kind: str, component: str | None = None) -> dict[str, Any]:
    found = cc.find(objects, kind, component)
    assert len(found) == 1, f"expected one {kind} {component or ''}, found {len(found)}"
    return found[0]


def workloads(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] in cc.WORKLOAD_KINDS]


@VALUES_FILES
def test_lint_is_clean(values_file: Path) -> None:
    errors, warnings = cc.lint_chart(values_file)
    assert errors == []
    assert warnings == []


@VALUES_FILES
def test_values_file_renders_valid_kubernetes_objects_that_meet_the_policies(values_file: Path) -> None:
    objects = cc.render_chart(values_file)
    assert objects
    assert cc.validate_objects(objects) == []
    assert cc.policy_errors(objects, cc.load_values(values_file)) == []


def test_production_serves_both_tenant_domains_with_their_own_certificates(production_objects) -> None:
    ingress = one(production_objects, "Ingress")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt-production"
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "10m"
    rules = {rule["host"]: rule for rule in ingress["spec"]["rules"]}
    tls = {tuple(entry["hosts"]): entry["secretName"] for entry in ingress["spec"]["tls"]}
    web_service = one(production_objects, "Service", "web")["metadata"]["name"]
    for host in (*TENANT_DOMAINS, "platform.energy-portal.eu"):
        backend = rules[host]["http"]["paths"][0]["backend"]["service"]
        assert backend == {"name": web_service, "port": {"number": 80}}
        # One TLS entry and one Secret per domain: cert-manager issues one certificate for each.
        assert tls[(host,)] == host.replace(".", "-") + "-tls"
    assert len(set(tls.values())) == len(tls)
    assert None not in rules, "no catch-all rule unless asked for"


def test_catch_all_rule_serves_domains_not_listed_yet_and_warns() -> None:
    values = cc.merge_values(cc.load_values(cc.PRODUCTION_VALUES), {"ingress": {"catchAll": True}})
    manifests = cc.render_manifests(values)
    ingress = one(cc.split_objects(manifests), "Ingress")
    hostless = [rule for rule in ingress["spec"]["rules"] if "host" not in rule]
    assert len(hostless) == 1
    assert all(len(entry["hosts"]) == 1 for entry in ingress["spec"]["tls"])
    assert "ingress.catchAll is on" in manifests["energy-portal/templates/NOTES.txt"]


def test_wildcard_hosts_share_one_secret_in_their_own_ingress() -> None:
    values = cc.merge_values(
        cc.load_values(cc.PRODUCTION_VALUES),
        {
            "ingress": {
                "wildcard": {"hosts": ["*.portal.energy-portal.eu"], "secretName": "portal-wildcard-tls"}
            }
        },
    )
    objects = cc.render_values(values)
    assert cc.validate_objects(objects) == []
    wildcard = next(i for i in cc.find(objects, "Ingress") if i["metadata"]["name"].endswith("-wildcard"))
    assert wildcard["spec"]["tls"] == [
        {"hosts": ["*.portal.energy-portal.eu"], "secretName": "portal-wildcard-tls"}
    ]
    # HTTP-01 cannot issue wildcards: cert-manager stays out unless wildcard.certManager says DNS-01 is there.
    assert "cert-manager.io/cluster-issuer" not in (wildcard["metadata"].get("annotations") or {})


@VALUES_FILES
def test_beat_is_a_single_replica_replaced_with_recreate(values_file: Path) -> None:
    beat = one(cc.render_chart(values_file), "Deployment", "beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert cc.pod_spec(beat)["containers"][0]["args"] == ["beat"]


def test_migration_job_runs_after_the_config_and_secret_it_needs(default_objects) -> None:
    job = one(default_objects, "Job", "migrate")
    events, weight, policies = cc.hook_annotations(job)
    assert events == {"pre-install", "pre-upgrade"}
    assert weight == 0
    assert policies == {"before-hook-creation", "hook-succeeded"}
    assert cc.pod_spec(job)["containers"][0]["args"] == ["migrate"]
    assert job["spec"]["backoffLimit"] >= 0
    assert job["spec"]["activeDeadlineSeconds"] > 0
    for kind in ("ConfigMap", "Secret"):
        hook_events, hook_weight, hook_policies = cc.hook_annotations(one(default_objects, kind))
        assert {"pre-install", "pre-upgrade"} <= hook_events
        assert hook_weight == -10 < weight
        assert hook_policies == {"before-hook-creation"}
    service_account = cc.pod_spec(job)["serviceAccountName"]
    account = next(
        a for a in cc.find(default_objects, "ServiceAccount") if a["metadata"]["name"] == service_account
    )
    assert cc.hook_annotations(account)[1] == -10
    # The media claim is a normal object: hooks are recreated on upgrade and never uninstalled.
    assert cc.hook_annotations(one(default_objects, "PersistentVolumeClaim")) == (set(), None, set())


def test_existing_secret_means_no_secret_object_and_pods_read_it(production_objects) -> None:
    assert cc.find(production_objects, "Secret") == []
    for workload in workloads(production_objects):
        for container in cc.containers(workload):
            refs = {
                env["name"]: env["valueFrom"]["secretKeyRef"]
                for env in container["env"]
                if "secretKeyRef" in env.get("valueFrom", {})
            }
            assert {ref["name"] for ref in refs.values()} == {"energy-portal-production"}
            assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(refs)
            assert not refs["SECRET_KEY"].get("optional")
            assert refs["CELERY_BROKER_URL"]["optional"] is True


def test_chart_made_secret_holds_the_values_and_pods_read_it(default_objects) -> None:
    secret = one(default_objects, "Secret")
    values = cc.load_values(cc.DEFAULT_VALUES)["secrets"]
    data = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert data == {
        "SECRET_KEY": values["secretKey"],
        "DATABASE_URL": values["databaseUrl"],
        "REDIS_URL": values["redisUrl"],
    }
    assert cc.secret_errors(default_objects, cc.load_values(cc.DEFAULT_VALUES)) == []


def test_rendering_without_secrets_fails_with_a_clear_message() -> None:
    message = cc.render_error(cc.without_secrets(cc.load_values(cc.DEFAULT_VALUES)))
    assert message is not None
    assert cc.MISSING_SECRETS_MESSAGE in message
    assert "secrets.existingSecret" in message
    assert "secrets.secretKey, secrets.databaseUrl and secrets.redisUrl" in message
    # The chart's own defaults carry no secrets either.
    assert cc.MISSING_SECRETS_MESSAGE in (cc.render_error({}) or "")


def test_too_short_secret_key_is_refused_without_echoing_it() -> None:
    short = "only-twenty-chars-ok"
    values = cc.merge_values(cc.load_values(cc.DEFAULT_VALUES), {"secrets": {"secretKey": short}})
    message = cc.render_error(values) or ""
    assert "at least 32 characters" in message
    assert short not in message


@pytest.fixture(scope="module")
def rejections() -> dict[str, str | None]:
    return cc.schema_rejections()


@pytest.mark.parametrize("label", sorted(cc.BAD_VALUES))
def test_schema_rejects_bad_values(rejections: dict[str, str | None], label: str) -> None:
    assert rejections[label] is not None, f"the schema accepted: {label}"


@VALUES_FILES
def test_schema_accepts_the_ci_values(values_file: Path) -> None:
    import helm_python as helm

    with helm.Chart.load(cc.CHART) as chart:
        chart.validate_schema(cc.load_values(values_file))


@VALUES_FILES
def test_web_and_worker_autoscale_and_have_disruption_budgets(values_file: Path) -> None:
    objects = cc.render_chart(values_file)
    for component in ("web", "worker"):
        deployment = one(objects, "Deployment", component)
        hpa = one(objects, "HorizontalPodAutoscaler", component)
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": deployment["metadata"]["name"],
        }
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
        pdb = one(objects, "PodDisruptionBudget", component)
        assert pdb["apiVersion"] == "policy/v1"
        assert pdb["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
        assert ("minAvailable" in pdb["spec"]) != ("maxUnavailable" in pdb["spec"])


def _checksums(values: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        obj["metadata"]["name"]: {
            k: v for k, v in cc.pod_template_annotations(obj).items() if k.startswith("checksum/")
        }
        for obj in workloads(cc.render_values(values))
    }


def test_pods_restart_when_config_or_secret_changes_and_only_then() -> None:
    base = cc.load_values(cc.DEFAULT_VALUES)
    before = _checksums(base)
    log_level = _checksums(cc.merge_values(base, {"config": {"logLevel": "WARNING"}}))
    secret_key = _checksums(
        cc.merge_values(base, {"secrets": {"secretKey": "another-secret-key-0123456789-abcdefgh"}})
    )
    resources = _checksums(cc.merge_values(base, {"beat": {"resources": {"limits": {"memory": "512Mi"}}}}))
    for name, sums in before.items():
        assert log_level[name]["checksum/config"] != sums["checksum/config"]
        assert log_level[name]["checksum/secret"] == sums["checksum/secret"]
        assert secret_key[name]["checksum/secret"] != sums["checksum/secret"]
        assert secret_key[name]["checksum/config"] == sums["checksum/config"]
        assert resources[name] == sums


def test_config_map_follows_the_container_contract(default_objects) -> None:
    data = one(default_objects, "ConfigMap")["data"]
    assert {
        key: data[key]
        for key in (
            "DEBUG",
            "ALLOWED_HOSTS",
            "PORTAL_URL_SCHEME",
            "PORTAL_URL_PORT",
            "LOG_FORMAT",
            "PROMETHEUS_MULTIPROC_DIR",
            "MEDIA_ROOT",
        )
    } == {
        "DEBUG": "0",
        "ALLOWED_HOSTS": "*",
        "PORTAL_URL_SCHEME": "https",
        "PORTAL_URL_PORT": "",
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": cc.PROMETHEUS_DIR,
        "MEDIA_ROOT": "/app/media",
    }
    assert data["PLATFORM_DOMAIN"] == "platform.energy-portal.test"
    assert data["SECURE_HSTS_SECONDS"] == "31536000", "integers must not turn into 3.1536e+07"
    for key in (
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        "LOG_LEVEL",
        "TENANT_MIGRATION_PROCESSES",
        "SECURE_SSL_REDIRECT",
        "SENTRY_ENVIRONMENT",
        "SENTRY_TRACES_SAMPLE_RATE",
        "CELERY_METRICS_PORT",
        "DB_CONN_MAX_AGE",
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "CELERY_CONCURRENCY",
    ):
        assert data[key] != "", key
    worker = one(default_objects, "Deployment", "worker")
    ports = {p["name"]: p["containerPort"] for p in cc.pod_spec(worker)["containers"][0]["ports"]}
    assert ports == {"metrics": int(data["CELERY_METRICS_PORT"])}


def test_media_without_persistence_is_an_empty_dir_with_a_loud_warning() -> None:
    values = cc.merge_values(
        cc.load_values(cc.DEFAULT_VALUES), {"media": {"persistence": {"enabled": False}}}
    )
    manifests = cc.render_manifests(values)
    objects = cc.split_objects(manifests)
    assert cc.find(objects, "PersistentVolumeClaim") == []
    web = one(objects, "Deployment", "web")
    media = next(v for v in cc.pod_spec(web)["volumes"] if v["name"] == "media")
    assert media == {"name": "media", "emptyDir": {}}
    assert "WARNING: media.persistence.enabled is false" in manifests["energy-portal/templates/NOTES.txt"]


def test_notes_explain_onboarding_for_every_domain() -> None:
    notes = cc.render_manifests(cc.load_values(cc.PRODUCTION_VALUES))["energy-portal/templates/NOTES.txt"]
    for host in TENANT_DOMAINS:
        assert f"https://{host}/" in notes
    assert "exec deploy/energy-portal-web -- /app/docker/entrypoint.sh manage" in notes
    assert "onboard_organisation" in notes
    assert "helm upgrade" in notes
    assert "helm uninstall" in notes
