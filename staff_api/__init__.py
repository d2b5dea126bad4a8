"""The staff admin API (/api/admin/ on a portal domain): one package per area, above the domain apps
whose services and selectors it calls (docs/architecture.md)."""
