"""A throwaway tenant app for benchmarks/upgrades.py: its second migration is the "release" applied
to every organisation's schema. Installed only by benchmarks/upgrade_settings.py, never by the platform."""
