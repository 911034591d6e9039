"""Benchmark: the full signed report for one unit (55 measures, 120 evidence images).

Run: .venv/bin/python benchmarks/bench_report.py [--measures 55] [--images 120] [--keep DIR]

Prints the time to render and to sign, pages, ms/page, peak memory (ru_maxrss
and tracemalloc) and the file size. Targets: ≤ 3 s and ≤ 300 MB.
Evidence images are generated 1200×900 JPEGs (made before timing starts).
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gongkai_desktop.model import Plan  # noqa: E402
from gongkai_desktop.paths import seed_database  # noqa: E402
from gongkai_desktop.plan.store import read_plan  # noqa: E402
from gongkai_desktop.report import ReportContent, ReportEvidence, render_report  # noqa: E402
from gongkai_desktop.report.sample import (  # noqa: E402
    loader,
    make_image,
    sample_content,
    sample_seal,
)
from gongkai_desktop.signing import SigningIdentity, sign_pdf, verify_pdf  # noqa: E402
from gongkai_desktop.typeset.fonts import default_font_book  # noqa: E402


def load_plan() -> Plan:
    conn = sqlite3.connect(seed_database())
    try:
        return read_plan(conn)
    finally:
        conn.close()


def jpeg_evidence(count: int, measure_ids: list[str]) -> list[ReportEvidence]:
    """Distinct 1200×900 JPEGs, as evidence read lazily from storage."""
    items: list[ReportEvidence] = []
    for i in range(count):
        data = make_image(1200, 900, "JPEG", f"evidence {i + 1}")
        items.append(ReportEvidence(
            name=f"截图{i + 1}.jpg", media_type="image/jpeg", size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), measure_id=measure_ids[i % len(measure_ids)],
            load_bytes=loader(data)))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measures", type=int, default=55)
    parser.add_argument("--images", type=int, default=120)
    parser.add_argument("--keep", type=Path, help="folder to keep the PDFs in")
    args = parser.parse_args()

    plan = load_plan()
    content = sample_content(plan, measures=args.measures, seal_png=sample_seal())
    content = replace(content, evidence=jpeg_evidence(args.images,
                                                      [r.measure.id for r in content.rows]))
    identity = SigningIdentity.generate(content.unit_full_name, "张三", "benchmark")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(content, identity, args.keep, rss_before, args.images)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
            run(content, identity, Path(folder), rss_before, args.images)


def run(content: ReportContent, identity: SigningIdentity, out_dir: Path, rss_before: float,
        images: int) -> None:
    unsigned, signed = out_dir / "report.pdf", out_dir / "report-signed.pdf"

    t0 = time.perf_counter()
    default_font_book()  # first use in a process: find and load fonts
    t_fonts = time.perf_counter()
    result = render_report(content, unsigned)
    t_render = time.perf_counter()
    sign_pdf(unsigned, signed, identity, signer_name="张三", unit_name=content.unit_full_name)
    t_sign = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    check = verify_pdf(signed, identity.certificate_der())
    # Again under tracemalloc (which slows Python down a lot): the Python heap's peak.
    tracemalloc.start()
    render_report(content, out_dir / "again.pdf")
    sign_pdf(out_dir / "again.pdf", out_dir / "again.pdf", identity, signer_name="张三",
             unit_name=content.unit_full_name)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    total = t_sign - t0
    print(f"measures {len(content.rows)}, images {images}, pages {result.pages}")
    print(f"fonts  {t_fonts - t0:6.2f} s")
    print(f"render {t_render - t_fonts:6.2f} s  ({(t_render - t_fonts) * 1000 / result.pages:.0f}"
          " ms/page)")
    print(f"sign   {t_sign - t_render:6.2f} s")
    print(f"total  {total:6.2f} s  (target ≤ 3 s)  {total * 1000 / result.pages:.0f} ms/page")
    print(f"peak RSS {rss:.0f} MB (before rendering {rss_before:.0f} MB, with the {images}"
          " source images in memory), "
          f"tracemalloc peak {traced_peak / 2**20:.0f} MB  (target ≤ 300 MB)")
    print(f"size unsigned {unsigned.stat().st_size / 2**20:.1f} MB, "
          f"signed {signed.stat().st_size / 2**20:.1f} MB")
    print(f"verify: intact={check.intact} trusted={check.trusted}")
    print(f"PDFs in {out_dir}")


if __name__ == "__main__":
    main()
