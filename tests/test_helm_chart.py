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

pytestmark = pytest.mark.slow


def _load_check_chart() -> ModuleType:
    """scripts/ is no package; load the checker from its file so tests and CI share one copy."""
    path = Path(__file__).resolve().parent.parent / "scripts" / "check_chart.py"
    if str(path.parent) not in sys.path:
        sys.path.append(str(path.parent))  # check_chart imports its sibling chart_network
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


def main_ingress(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The Ingress of every listed host's whole site (not the wildcard's nor the bulk endpoints')."""
    found = [
        i for i in cc.find(objects, "Ingress") if not i["metadata"]["name"].endswith(("-wildcard", "-bulk"))
    ]
    assert len(found) == 1, f"expected one main Ingress, found {len(found)}"
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
    ingress = main_ingress(production_objects)
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt-production"
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "12m"
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


def test_only_the_bulk_endpoints_take_bodies_larger_than_an_upload(production_objects) -> None:
    """The import and the readings take hundreds of MB; every other path only an upload's 12 MB."""
    bulk = next(i for i in cc.find(production_objects, "Ingress") if i["metadata"]["name"].endswith("-bulk"))
    annotations = bulk["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == "500m"
    # No TLS section and no issuer: the hosts' certificates come from the main Ingress, issued once.
    assert "tls" not in bulk["spec"]
    assert "cert-manager.io/cluster-issuer" not in annotations
    assert bulk["spec"]["ingressClassName"] == "nginx"
    web_service = one(production_objects, "Service", "web")["metadata"]["name"]
    for rule in bulk["spec"]["rules"]:
        assert {path["path"] for path in rule["http"]["paths"]} == {
            "/api/integration/",
            "/api/admin/consumption/readings/",
        }
        assert {path["backend"]["service"]["name"] for path in rule["http"]["paths"]} == {web_service}
    assert {rule["host"] for rule in bulk["spec"]["rules"]} == {*TENANT_DOMAINS, "platform.energy-portal.eu"}
    without = cc.render_values(
        cc.merge_values(cc.load_values(cc.PRODUCTION_VALUES), {"ingress": {"bulk": {"enabled": False}}})
    )
    assert [i["metadata"]["name"] for i in cc.find(without, "Ingress")] == ["energy-portal"]


def test_catch_all_rule_serves_domains_not_listed_yet_and_warns() -> None:
    values = cc.merge_values(cc.load_values(cc.PRODUCTION_VALUES), {"ingress": {"catchAll": True}})
    manifests = cc.render_manifests(values)
    ingress = main_ingress(cc.split_objects(manifests))
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


def _job_reads(objects: list[dict[str, Any]], job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ConfigMap and Secret objects the migration Job's container reads, by kind."""
    container = cc.pod_spec(job)["containers"][0]
    config_map = container["envFrom"][0]["configMapRef"]["name"]
    [secret] = {env["valueFrom"]["secretKeyRef"]["name"] for env in container["env"] if "valueFrom" in env}
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    # An existing Secret is the operator's, not rendered: None.
    return {"ConfigMap": by_name[("ConfigMap", config_map)], "Secret": by_name.get(("Secret", secret))}


def test_migration_job_runs_after_the_config_and_secret_it_needs(default_objects) -> None:
    job = one(default_objects, "Job", "migrate")
    events, weight, policies = cc.hook_annotations(job)
    assert events == {"pre-install", "pre-upgrade"}
    assert weight == 0
    assert policies == {"before-hook-creation", "hook-succeeded"}
    assert cc.pod_spec(job)["containers"][0]["args"] == ["migrate"]
    assert job["spec"]["backoffLimit"] >= 0
    assert job["spec"]["activeDeadlineSeconds"] > 0
    for kind, obj in _job_reads(default_objects, job).items():
        assert obj is not None, kind
        hook_events, hook_weight, hook_policies = cc.hook_annotations(obj)
        assert hook_events == {"pre-install", "pre-upgrade"}, kind
        assert hook_weight == -10 < weight
        # Deleted with the Job once the upgrade's hooks succeeded; a failed run keeps them to inspect.
        assert hook_policies == {"before-hook-creation", "hook-succeeded"}
    service_account = cc.pod_spec(job)["serviceAccountName"]
    account = next(
        a for a in cc.find(default_objects, "ServiceAccount") if a["metadata"]["name"] == service_account
    )
    assert cc.hook_annotations(account)[1] == -10
    # The media claim is a normal object: hooks are recreated on upgrade and never uninstalled.
    assert cc.hook_annotations(one(default_objects, "PersistentVolumeClaim")) == (set(), None, set())


def _ordinary(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    [found] = [o for o in cc.find(objects, kind) if not cc.is_hook(o)]
    return found


@VALUES_FILES
def test_pods_read_ordinary_settings_objects_that_a_failed_upgrade_leaves_alone(values_file: Path) -> None:
    """Hooks are replaced before the migration Job runs: pods must not read them (old pods restart too)."""
    objects = cc.render_chart(values_file)
    config_map = _ordinary(objects, "ConfigMap")
    assert cc.hook_annotations(config_map) == (set(), None, set())
    job_config = _job_reads(objects, one(objects, "Job", "migrate"))["ConfigMap"]
    assert job_config["metadata"]["name"] != config_map["metadata"]["name"]
    assert job_config["data"] == config_map["data"], "the Job migrates with the release's settings"
    for deployment in cc.find(objects, "Deployment"):
        container = cc.pod_spec(deployment)["containers"][0]
        assert container["envFrom"] == [{"configMapRef": {"name": config_map["metadata"]["name"]}}]
        secrets = {env["valueFrom"]["secretKeyRef"]["name"] for env in container["env"] if "valueFrom" in env}
        assert len(secrets) == 1
        [secret_name] = secrets
        for secret in cc.find(objects, "Secret"):
            if secret["metadata"]["name"] == secret_name:
                assert not cc.is_hook(secret)
    assert cc.settings_errors(objects) == []


def test_settings_check_catches_pods_reading_a_hook(default_objects) -> None:
    import copy

    objects = copy.deepcopy(default_objects)
    _ordinary(objects, "ConfigMap")["metadata"]["annotations"] = {"helm.sh/hook": "pre-upgrade"}
    errors = cc.settings_errors(objects)
    assert len(errors) == 3  # web, worker and beat
    assert all("a hook (replaced before the upgrade succeeded)" in error for error in errors)


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
    values = cc.load_values(cc.DEFAULT_VALUES)["secrets"]
    job_secret = _job_reads(default_objects, one(default_objects, "Job", "migrate"))["Secret"]
    for secret in (_ordinary(default_objects, "Secret"), job_secret):
        data = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
        assert data == {
            "SECRET_KEY": values["secretKey"],
            "DATABASE_URL": values["databaseUrl"],
            "REDIS_URL": values["redisUrl"],
        }
    assert cc.secret_errors(default_objects, cc.load_values(cc.DEFAULT_VALUES)) == []


def test_secret_key_fallbacks_reach_every_container() -> None:
    old_keys = ["previous-secret-key-0123456789-abcdefghij", "older-secret-key-0123456789-abcdefghijkl"]
    values = cc.merge_values(cc.load_values(cc.DEFAULT_VALUES), {"secrets": {"secretKeyFallbacks": old_keys}})
    objects = cc.render_values(values)
    secret = _ordinary(objects, "Secret")
    assert base64.b64decode(secret["data"]["SECRET_KEY_FALLBACKS"]).decode() == ",".join(old_keys)
    for workload in workloads(objects):
        container = cc.pod_spec(workload)["containers"][0]
        [fallbacks] = [env for env in container["env"] if env["name"] == "SECRET_KEY_FALLBACKS"]
        # Optional: an existing Secret without the key leaves the setting empty.
        assert fallbacks["valueFrom"]["secretKeyRef"]["key"] == "SECRET_KEY_FALLBACKS"
        assert fallbacks["valueFrom"]["secretKeyRef"]["optional"] is True
    # Changing the fallbacks is a Secret change: the pods restart with them.
    assert _checksums(values) != _checksums(cc.load_values(cc.DEFAULT_VALUES))


def test_existing_secret_may_hold_secret_key_fallbacks(production_objects) -> None:
    for workload in workloads(production_objects):
        container = cc.pod_spec(workload)["containers"][0]
        refs = {
            env["name"]: env["valueFrom"]["secretKeyRef"] for env in container["env"] if "valueFrom" in env
        }
        assert refs["SECRET_KEY_FALLBACKS"] == {
            "name": "energy-portal-production",
            "key": "SECRET_KEY_FALLBACKS",
            "optional": True,
        }


def test_hosts_whose_tls_secret_names_collide_are_refused() -> None:
    base = cc.load_values(cc.PRODUCTION_VALUES)
    hosts = base["ingress"]["hosts"] + [
        {"host": "portal.a-b.be", "tls": True},
        {"host": "portal.a.b.be", "tls": True},
    ]
    message = cc.render_error(cc.merge_values(base, {"ingress": {"hosts": hosts}})) or ""
    assert "portal.a-b.be and portal.a.b.be would share the TLS Secret portal-a-b-be-tls" in message
    assert "secretName" in message
    # With its own secretName the second host is accepted, and each keeps its own Secret.
    hosts[-1] = {"host": "portal.a.b.be", "tls": True, "secretName": "portal-a-dot-b-be-tls"}
    objects = cc.render_values(cc.merge_values(base, {"ingress": {"hosts": hosts}}))
    tls = {entry["hosts"][0]: entry["secretName"] for entry in main_ingress(objects)["spec"]["tls"]}
    assert tls["portal.a-b.be"] == "portal-a-b-be-tls"
    assert tls["portal.a.b.be"] == "portal-a-dot-b-be-tls"
    assert cc.policy_errors(objects, cc.merge_values(base, {"ingress": {"hosts": hosts}})) == []
    # A host's explicit secretName may not take the wildcard's Secret either.
    wildcard = {"hosts": ["*.portal.energy-portal.eu"], "secretName": "portal-a-b-be-tls"}
    clash = cc.merge_values(base, {"ingress": {"hosts": hosts, "wildcard": wildcard}})
    assert "the wildcard hosts and portal.a-b.be would share" in (cc.render_error(clash) or "")


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
    data = _ordinary(default_objects, "ConfigMap")["data"]
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
    # Behind the ingress controller: its X-Forwarded-For entry is the client's address.
    assert data["TRUSTED_PROXIES"] == "1"
    assert data["TENANT_SPARE_SCHEMAS"] == "2"
    tuned = cc.render_values(
        cc.merge_values(
            cc.load_values(cc.DEFAULT_VALUES), {"config": {"trustedProxies": 2, "tenantSpareSchemas": 0}}
        )
    )
    tuned_data = _ordinary(tuned, "ConfigMap")["data"]
    assert (tuned_data["TRUSTED_PROXIES"], tuned_data["TENANT_SPARE_SCHEMAS"]) == ("2", "0")
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


# --- issue 15: NetworkPolicies, liveness that sees work, images by digest, scraping with the token ---


def _policy(objects: list[dict[str, Any]], role: str) -> dict[str, Any]:
    return one(objects, "NetworkPolicy", role)["spec"]


@VALUES_FILES
def test_every_role_has_its_own_network_policy_by_default(values_file: Path) -> None:
    objects = cc.render_chart(values_file)
    values = cc.chart_values(cc.load_values(values_file))
    assert cc.chart_network.network_policy_errors(objects, values) == []
    for role in ("web", "worker", "beat", "migrate"):
        assert set(_policy(objects, role)["policyTypes"]) == {"Ingress", "Egress"}
    web = _policy(objects, "web")
    sources = [rule["from"] for rule in web["ingress"]]
    assert sources == [values["networkPolicy"]["ingressFrom"], values["networkPolicy"]["metricsFrom"]]
    assert {p["port"] for rule in web["ingress"] for p in rule["ports"]} == {"http"}
    assert _policy(objects, "beat")["ingress"] == []
    assert _policy(objects, "migrate")["ingress"] == []
    worker_ports = {p["port"] for rule in _policy(objects, "worker")["egress"] for p in rule["ports"]}
    assert values["email"]["port"] in worker_ports
    assert values["email"]["port"] not in {p["port"] for rule in web["egress"] for p in rule["ports"]}
    migrate = one(objects, "NetworkPolicy", "migrate")
    assert cc.hook_annotations(migrate)[0] == {"pre-install", "pre-upgrade"}


def test_network_policy_check_catches_what_would_let_traffic_through(default_objects) -> None:
    import copy

    values = cc.chart_values(cc.load_values(cc.DEFAULT_VALUES))
    opened = copy.deepcopy(default_objects)
    beat = one(opened, "NetworkPolicy", "beat")["spec"]
    beat["policyTypes"] = ["Ingress"]
    beat["egress"].append({"ports": [{"port": 5432, "protocol": "TCP"}]})
    web = one(opened, "NetworkPolicy", "web")["spec"]
    web["ingress"].append({"ports": [{"port": "http"}]})
    errors = cc.chart_network.network_policy_errors(opened, values)
    assert "beat: NetworkPolicy must restrict Ingress and Egress" in errors
    assert "beat: egress opens ['5432'] beyond what it needs" in errors
    assert "web: an ingress rule without 'from' admits every pod and address" in errors
    without = [
        o for o in default_objects if not (o["kind"] == "NetworkPolicy" and "worker" in o["metadata"]["name"])
    ]
    assert "worker: expected one NetworkPolicy, found 0" in cc.chart_network.network_policy_errors(
        without, values
    )


def test_network_policies_can_be_switched_off() -> None:
    objects = cc.render_chart(cc.DEFAULT_VALUES, {"networkPolicy": {"enabled": False}})
    assert cc.find(objects, "NetworkPolicy") == []


def test_production_pins_the_image_by_digest(production_objects, default_objects) -> None:
    assert cc.chart_network.digest_errors(production_objects) == []
    digest = cc.load_values(cc.PRODUCTION_VALUES)["image"]["digest"]
    for obj in workloads(production_objects):
        for container in cc.containers(obj):
            assert container["image"].endswith(f"@{digest}")
    assert cc.chart_network.digest_errors(default_objects), "without a digest the check must complain"


@VALUES_FILES
def test_worker_and_beat_probes_read_the_file_their_loops_touch(values_file: Path) -> None:
    objects = cc.render_chart(values_file)
    assert cc.chart_network.probe_errors(objects) == []
    assert _ordinary(objects, "ConfigMap")["data"]["CELERY_LIVENESS_FILE"].startswith(cc.TMP_DIR + "/")
    worker = cc.pod_spec(one(objects, "Deployment", "worker"))["containers"][0]
    assert worker["livenessProbe"]["exec"]["command"][:3] == ["python", "-m", "observability.liveness"]
    assert "tcpSocket" not in worker["livenessProbe"]


def test_pod_monitor_scrapes_web_and_worker_with_the_token_from_the_secret(production_objects) -> None:
    monitor = one(production_objects, "PodMonitor")
    endpoints = monitor["spec"]["podMetricsEndpoints"]
    assert [(e["port"], e["path"]) for e in endpoints] == [("http", "/metrics"), ("metrics", "/metrics")]
    secret = cc.load_values(cc.PRODUCTION_VALUES)["secrets"]["existingSecret"]
    for endpoint in endpoints:
        assert endpoint["authorization"] == {
            "type": "Bearer",
            "credentials": {"name": secret, "key": "METRICS_TOKEN"},
        }
    assert cc.find(cc.render_chart(cc.DEFAULT_VALUES), "PodMonitor") == []
