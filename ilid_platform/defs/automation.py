"""When downstream assets refresh on their own: only after an upstream's data really changed."""

import dagster as dg

on_upstream_data_change = (
    dg.AutomationCondition.any_deps_match(dg.AutomationCondition.data_version_changed())
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("upstream data version changed")
"""A nightly crawl that finds nothing new keeps every data version, so this stays false and
nothing downstream runs; one changed product re-materialises only the assets that depend on it."""
