"""Check the Helm chart in helm/ without a cluster: lint, render, Kubernetes schemas, our policies.

There is no helm binary here: helm-python-sdk (Helm v4 as a library) lints and renders offline, and
kubernetes-validate checks every rendered object against the Kubernetes 1.31 JSON schemas. The
policies are the container contract and the production rules a schema cannot see (read-only root,
limits, beat as a single Recreate replica, hook ordering, one TLS entry per tenant domain...;
chart_policies.py), NetworkPolicies, probes and the image digest (chart_network.py); checkov scans
the production render (chart_scanner.py).

Used by `make chart-check` (CI) and by tests/test_helm_chart.py, which imports these functions.
"""

from __future__ import annotations

import copy
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import chart_network
import chart_scanner
import helm_python as helm
import kubernetes_validate
import yaml
from chart_policies import (  # noqa: F401 - also what tests/test_helm_chart.py reads as check_chart.*
    PROMETHEUS_DIR,
    TMP_DIR,
    WORKLOAD_KINDS,
    container_errors,
    containers,
    describe,
    find,
    hook_annotations,
    hook_errors,
    ingress_errors,
    is_hook,
    media_errors,
    pod_spec,
    pod_template_annotations,
    secret_errors,
    settings_errors,
    workload_errors,
)

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "helm"
DEFAULT_VALUES = CHART / "ci" / "default-values.yaml"
PRODUCTION_VALUES = CHART / "ci" / "production-values.yaml"
VALUES_FILES = (DEFAULT_VALUES, PRODUCTION_VALUES)
KUBE_VERSION = "1.31"
RELEASE = "energy-portal"
NAMESPACE = "energy-portal"
# What a render without secrets must fail with (helm/templates/_helpers.tpl, energy-portal.validate).
MISSING_SECRETS_MESSAGE = "secrets are required"
# The production values file's hosts: the platform and two organisations.
PRODUCTION_HOSTS = ("platform.energy-portal.eu", "portaal.warmtenet-noord.be", "portail.chaleur-sud.be")
# Value sets the schema must refuse (each merged over the default CI values).
BAD_VALUES: dict[str, dict[str, Any]] = {
    "replicas as a word": {"web": {"replicas": "two"}},
    "unknown top-level key": {"replicaCount": 3},
    "unknown pull policy": {"image": {"pullPolicy": "Sometimes"}},
    "latest tag": {"image": {"tag": "latest"}},
    "host that is no domain": {"ingress": {"hosts": [{"host": "Portal Noord", "tls": True}]}},
    "resources without limits": {"beat": {"resources": {"limits": None}}},
    "negative migration processes": {"config": {"tenantMigrationProcesses": 0}},
    "trusted proxies as a word": {"config": {"trustedProxies": "ingress"}},
    "negative spare schemas": {"config": {"tenantSpareSchemas": -1}},
    "short secret key fallback": {"secrets": {"secretKeyFallbacks": ["too-short"]}},
    "secret key fallbacks as one string": {"secrets": {"secretKeyFallbacks": "a" * 40}},
}
CUSTOM_RESOURCE_GROUPS = {"monitoring.coreos.com"}

helm.disable_logging()


# --- values -----------------------------------------------------------------------------------


def load_values(values_file: Path | str) -> dict[str, Any]:
    """Read a values file (an empty file is no values)."""
    return yaml.safe_load(Path(values_file).read_text()) or {}


def merge_values(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge like Helm does with several -f files: maps merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_values(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def chart_values(values: dict[str, Any]) -> dict[str, Any]:
    """The chart's defaults coalesced with ``values`` by Helm itself: what the templates see."""
    with helm.Chart.load(CHART) as chart:
        return chart.merge_values(values)


# --- lint -------------------------------------------------------------------------------------


def lint_chart(values_file: Path | str = DEFAULT_VALUES) -> tuple[list[str], list[str]]:
    """``helm lint --strict --kube-version v1.31.0`` with a values file: (errors, warnings)."""
    report = helm.lint(CHART, load_values(values_file), strict=True, kube_version=f"v{KUBE_VERSION}.0")
    errors = [f"{m['path']}: {m['error']}" for m in report.get("messages", []) if m["severity"] >= 3]
    errors += [str(e) for e in report.get("errors") or [] if str(e) not in " ".join(errors)]
    warnings = [f"{m['path']}: {m['error']}" for m in report.get("messages", []) if m["severity"] == 2]
    return errors, warnings


def lint_infos(values_file: Path | str = DEFAULT_VALUES) -> list[str]:
    """Lint's informational messages (e.g. "icon is recommended"); reported, never a failure."""
    report = helm.lint(CHART, load_values(values_file), strict=True, kube_version=f"v{KUBE_VERSION}.0")
    return [f"{m['path']}: {m['error']}" for m in report.get("messages", []) if m["severity"] < 2]


# --- render -----------------------------------------------------------------------------------


def render_manifests(values: dict[str, Any]) -> dict[str, str]:
    """Template path -> rendered text, for a first install (schema checked first, as Helm does)."""
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(values)
        return chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)


def split_objects(manifests: dict[str, str]) -> list[dict[str, Any]]:
    """Every Kubernetes object of a render: multi-document YAML split, empty documents and NOTES skipped."""
    objects = []
    for path in sorted(manifests):
        if path.endswith("NOTES.txt"):
            continue
        for document in yaml.safe_load_all(manifests[path]):
            if document:
                objects.append(document)
    return objects


def render_values(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Render a values mapping into its Kubernetes objects."""
    return split_objects(render_manifests(values))


def render_chart(values_file: Path | str, overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Render with a values file (and optional overrides on top) into its Kubernetes objects."""
    return render_values(merge_values(load_values(values_file), overrides or {}))


def render_error(values: dict[str, Any]) -> str | None:
    """The message a render fails with, or None when it succeeds."""
    try:
        render_manifests(values)
    except helm.HelmError as exc:
        return str(exc)
    return None


def without_secrets(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every secret value removed (so that the chart has nothing to build one from)."""
    stripped = copy.deepcopy(values)
    stripped.pop("secrets", None)
    return stripped


def schema_rejections(base: dict[str, Any] | None = None) -> dict[str, str | None]:
    """Each bad value set -> the schema's complaint, or None when the schema let it through."""
    base = load_values(DEFAULT_VALUES) if base is None else base
    results: dict[str, str | None] = {}
    with helm.Chart.load(CHART) as chart:
        for label, bad in BAD_VALUES.items():
            try:
                chart.validate_schema(merge_values(base, bad))
            except helm.HelmValuesError as exc:
                results[label] = str(exc).strip()
            else:
                results[label] = None
    return results


# --- Kubernetes schemas -----------------------------------------------------------------------


def validate_objects(objects: Iterable[dict[str, Any]]) -> list[str]:
    """Each object against the Kubernetes 1.31 schemas (strict: unknown fields are errors).

    Custom resources (the Prometheus Operator's PodMonitor) have no schema there; checkov and the
    policies below look at them instead.
    """
    errors = []
    for obj in objects:
        if obj.get("apiVersion", "").split("/")[0] in CUSTOM_RESOURCE_GROUPS:
            continue
        try:
            kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
            errors.append(f"{describe(obj)}: {where}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{describe(obj)}: {exc.message}")
    return errors


def policy_errors(objects: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """All policy violations of a render; ``values`` are the values it was rendered with."""
    values = chart_values(values)
    errors = []
    for obj in objects:
        if obj.get("kind") in WORKLOAD_KINDS:
            errors += container_errors(obj)
    errors += secret_errors(objects, values)
    errors += settings_errors(objects)
    errors += hook_errors(objects, values)
    errors += ingress_errors(objects, values)
    errors += workload_errors(objects, values)
    errors += media_errors(objects, values)
    errors += chart_network.network_policy_errors(objects, values)
    errors += chart_network.probe_errors(objects)
    return errors


def expected_host_errors(objects: list[dict[str, Any]], hosts: Iterable[str]) -> list[str]:
    """Named hosts are served with TLS (the production file's platform and tenant domains)."""
    ingresses = find(objects, "Ingress")
    rules = {rule.get("host") for ing in ingresses for rule in ing["spec"].get("rules") or []}
    tls_hosts = {
        host for ing in ingresses for entry in ing["spec"].get("tls") or [] for host in entry.get("hosts", [])
    }
    return [f"{host} is not served with TLS" for host in hosts if host not in rules or host not in tls_hosts]


# --- report -----------------------------------------------------------------------------------


def scan_with_checkov(objects: list[dict[str, Any]]) -> list[str]:
    """checkov on the production render: every check passes except the justified skips."""
    chart_scanner.print_skips()
    failed, passed = chart_scanner.scan(objects, PRODUCTION_VALUES.stem)
    print(f"checkov on {PRODUCTION_VALUES.name}: {passed} passed, {len(failed)} failed")
    for failure in failed:
        print(f"    {failure}")
    if not passed and not failed:
        return ["checkov ran no check"]
    return [f"checkov: {failure}" for failure in failed]


def main() -> int:
    """Run every check, print a short report, and return 1 on any failure."""
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    print(
        f"chart {CHART.relative_to(ROOT)}/: {chart['name']} {chart['version']} (appVersion {chart['appVersion']})"
    )
    failures = lint_all()
    render_failures, production_objects = render_all()
    failures += render_failures
    if production_objects:
        failures += scan_with_checkov(production_objects)

    rejections = schema_rejections()
    accepted = [label for label, message in rejections.items() if message is None]
    print(f"schema rejects bad values: {len(rejections) - len(accepted)}/{len(rejections)}")
    failures += [f"schema accepted bad values: {label}" for label in accepted]

    message = render_error(without_secrets(load_values(DEFAULT_VALUES)))
    if message and MISSING_SECRETS_MESSAGE in message:
        print(f"render without secrets fails: {message.strip().splitlines()[-1]}")
    else:
        failures.append(f"render without secrets must fail with {MISSING_SECRETS_MESSAGE!r}, got {message!r}")

    if failures:
        print(f"FAILED ({len(failures)}):")
        for failure in failures:
            print(f"  {failure}")
        return 1
    print("OK")
    return 0


def lint_all() -> list[str]:
    """helm lint (strict) with every values file; errors and warnings fail, infos are shown."""
    failures = []
    print(f"lint (strict, kube v{KUBE_VERSION}.0):")
    for values_file in VALUES_FILES:
        errors, warnings = lint_chart(values_file)
        infos = lint_infos(values_file)
        print(f"  {values_file.name}: {len(errors)} errors, {len(warnings)} warnings, {len(infos)} infos")
        for message in errors + warnings:
            print(f"    {message}")
        for message in infos:
            print(f"    info: {message}")
        failures += [f"lint {values_file.name}: {m}" for m in errors + warnings]
    return failures


def render_all() -> tuple[list[str], list[dict[str, Any]]]:
    """Render with every values file, validate against the schemas and the policies; the failures
    and the production render (for checkov)."""
    failures: list[str] = []
    print(f"render, Kubernetes {KUBE_VERSION} schemas (strict), policies:")
    production_objects: list[dict[str, Any]] = []
    for values_file in VALUES_FILES:
        values = load_values(values_file)
        try:
            objects = render_chart(values_file)
        except helm.HelmError as exc:
            failures.append(f"render {values_file.name}: {exc}")
            print(f"  {values_file.name}: render FAILED: {exc}")
            continue
        kinds = Counter(obj["kind"] for obj in objects)
        print(
            f"  {values_file.name}: {len(objects)} objects: "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        )
        problems = validate_objects(objects) + policy_errors(objects, values)
        if values_file == PRODUCTION_VALUES:
            problems += expected_host_errors(objects, PRODUCTION_HOSTS)
            problems += chart_network.digest_errors(objects)
            production_objects = objects
        for problem in problems:
            print(f"    {problem}")
        failures += [f"{values_file.name}: {p}" for p in problems]
    return failures, production_objects


if __name__ == "__main__":
    sys.exit(main())
