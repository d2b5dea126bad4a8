"""Postprocessing hooks that make the OpenAPI documents a contract clients can be generated from.

Strict tools (openapi-python-client, Spectral's ``spectral:oas``) refuse or misread what
drf-spectacular and pydantic emit in a few places; these hooks say the same thing the way OpenAPI
3.0 means it, for every schema and operation of both documents:

- a nullable reference is ``oneOf: [{$ref}, {type, nullable: true, enum: [null]}]``: ``nullable``
  beside ``allOf``/``anyOf`` without a ``type`` is a no-op in 3.0 (and an error for Spectral);
- a ``default`` stands beside a ``oneOf``, not inside the one alternative it may not fit (an empty
  string is no URI);
- the tags the operations use are declared at the top level, with their descriptions (``TAGS``);
- the server is the host that serves the document;
- request components that nothing references are dropped (a generator would make models of them);
- every operation must have a summary and a description (a warning otherwise: the tests generate
  the documents with ``--fail-on-warn``).
"""

from __future__ import annotations

from drf_spectacular.drainage import warn

# Every tag of both documents, in the order Swagger UI shows them, with what integrators find there.
TAGS = {
    "auth": "Logging in and out, registration, email confirmation, password resets, invitations "
    "and the end of an impersonation. Log in on the domain you call: a key works nowhere else.",
    "portal": "What every portal page needs for this domain, without logging in.",
    "portal: account": "The logged-in resident: who they are, and their language.",
    "portal: overview": "The resident's overview: balance, open invoices, services, messages.",
    "portal: contracts": "The resident's contracts and their advance payments.",
    "portal: invoices": "The resident's invoices, statements, charges and transactions.",
    "portal: documents": "Documents the organisation shared with the resident.",
    "portal: consumption": "The resident's meter data per year, month and day, with costs when "
    "the organisation shows them.",
    "portal: my details": "The resident's personal details, addresses and email address.",
    "portal: my data": "An archive of everything the portal holds about the resident, prepared in the "
    "background and downloaded once with the key from its email; deleting the portal account (asked "
    "with the password, confirmed with the emailed link).",
    "portal: devices": "The browsers and API clients signed in with the resident's account on this "
    "portal: list them, sign one out, or all but the one in use.",
    "portal: moves": "Moves reported by a logged-in resident: moving out, or into another address.",
    "portal: meter readings": "Meter readings a resident submits outside a move, for meters not read remotely.",
    "portal: help": "The resident's own help requests and the answers to them.",
    "help": "Help requests and frequently asked questions, also without logging in.",
    "move in": "The move-in wizard for new residents: a draft in seven steps, resumable by link.",
    "admin: customers": "Staff: customers and their details.",
    "admin: portal card": "Staff: a customer's portal account, invitations, resets and activity.",
    "admin: impersonation": "Staff: acting as a resident, time-limited and audited.",
    "admin: staff": "Administrators: the organisation's staff members and their roles.",
    "admin: configuration": "Staff: portal preferences, branding and billing settings.",
    "admin: messages": "Staff: messages shown on the portal's pages.",
    "admin: emails": "Staff: the wording of every email the portal sends, per language.",
    "admin: domains": "Administrators: the portal's own domains, added and removed (the operator makes one primary).",
    "admin: contracts": "Staff: contracts and the locations they supply.",
    "admin: billing": "Staff: invoices and transactions.",
    "admin: documents": "Staff: documents shared with customers, and who opened them.",
    "admin: consumption": "Staff: meters, readings, gaps in the data and recomputation.",
    "admin: moves": "Staff: move-ins and move-outs to approve, process or reject; meter photos.",
    "admin: help": "Staff: help requests, replies and attachments.",
    "admin: account deletions": "Staff: residents' requests to delete their portal account, what each "
    "removed, and calling off one that waits for confirmation.",
    "admin: faq": "Staff: the frequently asked questions and their categories.",
    "admin: integration": "Administrators: the billing system's integration tokens.",
    "integration": "The billing system's API (an integration token): imports, readings and the "
    "changes made in the portal.",
    "platform: organisations": "Platform operators: onboarding, suspending and reactivating organisations.",
    "platform: domains": "Platform operators: an organisation's domains and which one is primary.",
    "platform: cluster": "Platform operators: the database's nodes, where each organisation lives, "
    "and moving one to another node of a Citus cluster.",
}


def _walk(node, change):
    """``change`` applied to every schema-like dict of ``node``, innermost first."""
    if isinstance(node, list):
        return [_walk(item, change) for item in node]
    if not isinstance(node, dict):
        return node
    return change({key: _walk(value, change) for key, value in node.items()})


def _null_alternative(reference: dict, schemas: dict) -> dict:
    """The alternative that admits null, typed like the schema it stands beside (3.0 needs a type)."""
    name = reference.get("$ref", "").rsplit("/", 1)[-1]
    kind = schemas.get(name, {}).get("type", "object") if "$ref" in reference else reference.get("type")
    return {"type": kind or "object", "nullable": True, "enum": [None]}


def strict_nullable(result: dict, generator, request, public, **kwargs) -> dict:
    """Postprocessing hook: "or null" the OpenAPI 3.0 way, for drf-spectacular's nullable
    references (``allOf`` + ``nullable``) and the import API's pydantic rows (``anyOf`` with
    ``{"type": "null"}``, which 3.0 lacks)."""
    schemas = result.get("components", {}).get("schemas", {})

    def fix(node: dict) -> dict:
        options = node.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            node.pop("anyOf")
            if len(rest) == 1 and "$ref" not in rest[0]:
                node = {**rest[0], **node, "nullable": True}
                if "enum" in node and None not in node["enum"]:
                    node["enum"] = [*node["enum"], None]  # 3.0: a nullable enum lists null
                return node
            node["anyOf" if len(rest) > 1 else "allOf"] = rest
            node["nullable"] = True
        if node.get("nullable") and "type" not in node:
            for combiner in ("allOf", "anyOf", "oneOf"):
                if combiner in node:
                    alternatives = node.pop(combiner)
                    node.pop("nullable")
                    if combiner == "allOf":  # "all of these, or null": one alternative of two
                        combiner = "oneOf"
                        alternatives = alternatives if len(alternatives) == 1 else [{"allOf": alternatives}]
                    node[combiner] = [*alternatives, _null_alternative(alternatives[0], schemas)]
                    break
        return node

    return _walk(result, fix)


def defaults_beside_alternatives(result: dict, generator, request, public, **kwargs) -> dict:
    """Postprocessing hook: a ``default`` inside one alternative of a ``oneOf``/``anyOf`` moves up
    beside it, where it is checked against all of them (drf-spectacular puts a blank URL field's
    ``""`` into the URI alternative, which ``""`` does not fit)."""

    def fix(node: dict) -> dict:
        for combiner in ("oneOf", "anyOf"):
            for alternative in node.get(combiner, []):
                if isinstance(alternative, dict) and "default" in alternative:
                    node.setdefault("default", alternative.pop("default"))
        return node

    return _walk(result, fix)


def declare_tags(result: dict, generator, request, public, **kwargs) -> dict:
    """Postprocessing hook: the document's tags, declared at the top level with their descriptions."""
    used = {
        tag for item in result.get("paths", {}).values() for op in item.values() for tag in op.get("tags", [])
    }
    for tag in sorted(used - set(TAGS)):
        warn(f"tag {tag!r} has no description in config.openapi_contract.TAGS")
    result["tags"] = [{"name": name, "description": text} for name, text in TAGS.items() if name in used]
    result["tags"] += [{"name": name} for name in sorted(used - set(TAGS))]
    return result


def served_here(result: dict, generator, request, public, **kwargs) -> dict:
    """Postprocessing hook: the server is the host that serves the document (each host serves its
    own operations, and a key works only on the domain that issued it)."""
    result["servers"] = [{"url": "/", "description": "The domain that serves this document"}]
    return result


def _references(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_references(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_references(item) for item in node))
    return set()


def drop_unused_components(result: dict, generator, request, public, **kwargs) -> dict:
    """Postprocessing hook: schemas that no operation reaches (request twins of read-only nested
    serializers) are not part of the contract."""
    schemas = result.get("components", {}).get("schemas", {})
    reached, todo = set(), _references(result.get("paths", {}))
    while todo:
        name = todo.pop()
        if name not in reached and name in schemas:
            reached.add(name)
            todo |= _references(schemas[name])
    for name in set(schemas) - reached:
        del schemas[name]
    return result


def check_operation_texts(result: dict, generator, request, public, **kwargs) -> dict:
    """Postprocessing hook: every operation has a one-line summary and a description of its own
    (config.openapi_schema takes them from the docstrings); summaries differ within a document."""
    seen: dict[str, str] = {}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            summary = operation.get("summary") or ""
            if not summary or "\n" in summary or len(summary) > 80:
                warn(f"{where} needs a one-line summary (the first line of its docstring)")
            if not operation.get("description") or operation["description"] == summary:
                warn(f"{where} needs a description (its docstring's paragraphs after the summary)")
            if summary and summary in seen:
                warn(f"{where} has the same summary as {seen[summary]}: {summary!r}")
            seen.setdefault(summary, where)
    return result
