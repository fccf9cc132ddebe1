"""Figures the benchmarks print: percentiles and a p50/p95/max line of timings."""

import statistics


def percentile(values: list[float], share: float) -> float:
    """The value below which the share of the sorted values lies (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def ms_figures(values: list[float]) -> str:
    """Timings in seconds as "p50 … ms  p95 … ms  max … ms  (n runs)"."""
    return (
        f"p50 {statistics.median(values) * 1000:6.1f} ms"
        f"  p95 {percentile(values, 0.95) * 1000:6.1f} ms"
        f"  max {max(values) * 1000:6.1f} ms  ({len(values)} runs)"
    )


def report_service_and_page(app, service: dict[str, list[float]], page: list[float], names):
    """Print a service's figures per kind of query and overall, then its page's.

    `names` are (the service's, the page's); the app's database engine is added to each.
    """
    engine = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
    print(f"{names[0]}, {engine}:")
    for group, values in service.items():
        print(f"  {group:14} {ms_figures(values)}")
    every = [value for values in service.values() for value in values]
    print(f"  {'all queries':14} {ms_figures(every)}")
    print(f"{names[1]}, {engine}:")
    print(f"  {'all queries':14} {ms_figures(page)}")
