"""Drives the clients generated from the two OpenAPI documents (run by tests/test_api_clients.py).

Runs in the generator's own virtualenv (.var/tools/openapi-python-client), not in the project's:
``python client_calls.py <plan.json>`` imports every module of both generated packages, then logs
in through them (JSON bodies) and calls a few resident, staff and operator operations against the
running portal. It prints one JSON object: what was imported, every request's media type, and
what the generated models parsed, for the test to assert.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import traceback
from io import BytesIO
from pathlib import Path


def import_everything(package_name: str) -> dict:
    """Import the package and every module in it: a module that does not import is a finding."""
    package = importlib.import_module(package_name)
    imported, failed = [], {}
    for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
        try:
            importlib.import_module(module.name)
            imported.append(module.name)
        except Exception as error:  # every failure is reported, not only the first
            failed[module.name] = f"{type(error).__name__}: {error}"
    operations = [name for name in imported if ".api." in name and not name.endswith("__init__")]
    return {"modules": len(imported), "operations": len(operations), "failed": failed}


class Recorder:
    """httpx event hook: method, path and media type of every request the clients send."""

    def __init__(self) -> None:
        self.requests: list[dict] = []

    def __call__(self, request) -> None:
        media_type = request.headers.get("content-type", "").split(";")[0]
        self.requests.append({"method": request.method, "path": request.url.path, "media_type": media_type})


def clients(package, plan: dict, host: str, recorder: Recorder):
    """An anonymous client and a factory of authenticated ones, for ``host`` on the test server."""
    options = {
        "base_url": plan["base_url"],
        "headers": {"Host": host, "Accept-Language": "en"},
        "raise_on_unexpected_status": True,
        "httpx_args": {"event_hooks": {"request": [recorder]}},
    }

    def authenticated(key: str):
        return package.AuthenticatedClient(token=key, prefix="Token", **options)

    return package.Client(**options), authenticated


def log_in(package_name: str, anonymous, email: str, password: str):
    login = importlib.import_module(f"{package_name}.api.auth.auth_login_create")
    models = importlib.import_module(f"{package_name}.models")
    answer = login.sync(client=anonymous, body=models.LoginRequest(email=email, password=password))
    return answer


def as_resident(plan: dict, recorder: Recorder) -> dict:
    name = plan["tenant_package"]
    package = importlib.import_module(name)
    anonymous, authenticated = clients(package, plan, plan["tenant_host"], recorder)
    token = log_in(name, anonymous, plan["resident"]["email"], plan["resident"]["password"])
    client = authenticated(token.key)
    api = f"{name}.api"
    me = importlib.import_module(f"{api}.portal_account.portal_me_retrieve").sync(client=client)
    overview = importlib.import_module(f"{api}.portal_overview.portal_overview_retrieve").sync(client=client)
    invoices = importlib.import_module(f"{api}.portal_invoices.portal_invoices_list").sync(client=client)
    return {
        "token_type": type(token).__name__,
        "me": {"type": type(me).__name__, "email": me.email, "customer_number": me.customer.customer_number},
        "overview": {
            "type": type(overview).__name__,
            "latest_invoice": type(overview.latest_invoice).__name__,
            "latest_invoice_number": getattr(overview.latest_invoice, "number", None),
        },
        "invoices": {
            "type": type(invoices).__name__,
            "count": invoices.count,
            "numbers": sorted(invoice.number for invoice in invoices.results),
            "amounts": sorted(invoice.amount_incl_tax for invoice in invoices.results),
        },
    }


def as_staff(plan: dict, recorder: Recorder) -> dict:
    name = plan["tenant_package"]
    package = importlib.import_module(name)
    models = importlib.import_module(f"{name}.models")
    types = importlib.import_module(f"{name}.types")
    anonymous, authenticated = clients(package, plan, plan["tenant_host"], recorder)
    token = log_in(name, anonymous, plan["staff"]["email"], plan["staff"]["password"])
    client = authenticated(token.key)
    api = f"{name}.api"
    customers = importlib.import_module(f"{api}.admin_customers.admin_customers_list").sync(
        client=client, search=plan["resident"]["customer_number"]
    )
    message = importlib.import_module(f"{api}.admin_messages.admin_configuration_messages_create").sync(
        client=client,
        body=models.PageMessageRequest(
            page=models.PageEnum("home"),
            kind=models.PageMessageKindEnum("neutral"),
            bodies=models.PageMessageRequestBodies.from_dict({"en": plan["staff"]["message"]}),
        ),
    )
    # An upload: the preferences take the logo as a file, so this body is multipart/form-data.
    logo = types.File(payload=BytesIO(Path(plan["staff"]["logo"]).read_bytes()), file_name="logo.png")
    preferences = importlib.import_module(
        f"{api}.admin_configuration.admin_configuration_preferences_partial_update"
    ).sync(
        client=client,
        body=models.PatchedPortalPreferencesRequest(support_phone=plan["staff"]["phone"], logo=logo),
    )
    return {
        "customers": {
            "type": type(customers).__name__,
            "numbers": [customer.customer_number for customer in customers.results],
        },
        "message": {"type": type(message).__name__, "id": message.id, "bodies": message.bodies.to_dict()},
        "preferences": {
            "type": type(preferences).__name__,
            "support_phone": preferences.support_phone,
            "logo_url": preferences.logo_url,
        },
    }


def as_operator(plan: dict, recorder: Recorder) -> dict:
    name = plan["platform_package"]
    package = importlib.import_module(name)
    anonymous, authenticated = clients(package, plan, plan["platform_host"], recorder)
    token = log_in(name, anonymous, plan["operator"]["email"], plan["operator"]["password"])
    client = authenticated(token.key)
    api = f"{name}.api"
    organisations = importlib.import_module(f"{api}.platform_organisations.platform_organisations_list").sync(
        client=client, search=plan["operator"]["slug"]
    )
    return {
        "organisations": {
            "type": type(organisations).__name__,
            "slugs": [organisation.slug for organisation in organisations.results],
        }
    }


def main() -> None:
    plan = json.loads(Path(sys.argv[1]).read_text())
    sys.path[:0] = plan["paths"]
    report: dict = {
        "imports": {
            name: import_everything(name) for name in (plan["tenant_package"], plan["platform_package"])
        }
    }
    recorder = Recorder()
    for role, calls in (("resident", as_resident), ("staff", as_staff), ("operator", as_operator)):
        try:
            report[role] = calls(plan, recorder)
        except Exception:  # the test shows where the generated client broke
            report[role] = {"error": traceback.format_exc()[-3000:]}
    report["requests"] = recorder.requests
    print(json.dumps(report))


if __name__ == "__main__":
    main()
