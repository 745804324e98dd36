"""Asset metadata a person reads in the UI: markdown with inline images, tables, rounded numbers."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dagster as dg

from ilid_platform import previews

DIGITS = 3


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> dg.MetadataValue:
    return dg.MetadataValue.md(previews.markdown_table(headers, rows))


def rounded(value: Any) -> Any:
    """Floats to DIGITS places, recursively, so the UI shows 0.634 rather than 0.6339285714."""
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, Mapping):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def _interval(metrics: Mapping[str, Any], key: str) -> tuple[float, float] | None:
    for name in (f"{key}_ci", key.removesuffix("_acc") + "_ci"):
        ci = metrics.get(name)
        if isinstance(ci, list | tuple) and len(ci) == 2:
            return float(ci[0]), float(ci[1])
    return None


_METRICS_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("metric", "string"),
        dg.TableColumn("value", "float"),
        dg.TableColumn("ci95_low", "float", description="Wilson 95 % interval, where one applies"),
        dg.TableColumn("ci95_high", "float"),
    ]
)


def metrics_table(metrics: Mapping[str, Any]) -> dg.MetadataValue:
    """Every scalar metric with its 95 % interval beside it, rounded."""
    records = []
    for key, value in metrics.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        ci = _interval(metrics, key)
        records.append(
            dg.TableRecord(
                {
                    "metric": key,
                    "value": round(float(value), DIGITS),
                    "ci95_low": round(ci[0], DIGITS) if ci else None,
                    "ci95_high": round(ci[1], DIGITS) if ci else None,
                }
            )
        )
    return dg.MetadataValue.table(records, schema=_METRICS_SCHEMA)


def counts_table(counts: Mapping[str, int], key: str) -> dg.MetadataValue:
    """A {name: count} mapping as a two-column table."""
    schema = dg.TableSchema(columns=[dg.TableColumn(key, "string"), dg.TableColumn("count", "int")])
    records = [dg.TableRecord({key: str(k), "count": int(v)}) for k, v in counts.items()]
    return dg.MetadataValue.table(records, schema=schema)
