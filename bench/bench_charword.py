"""The reference's character-level against word-level table (RNN_Captioning.ipynb's optional
section), and how long the section takes.

    .venv/bin/python bench/bench_charword.py [--runs 3] [--data DIR | --coco-shaped]

Runs the section's own cells, as they are in source/ (default settings), in a Jupyter kernel with
the reference cs231n package: the notebook's setup and data cells first, then every code cell of
the section, timed. Prints the table (each value the median over the runs), the section's time
(median, min, max) and the machine's load. --data runs on another dataset folder (e.g. the real
COCO download); --coco-shaped on random data of COCO's shapes (bench/coco_shaped.py: timings
only, its losses and captions mean nothing).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECTION_PREFIX = "charword-"
BEFORE_SECTION = ("setup", "load-data")      # the notebook's cells the section needs
COLLECT = ("import json\n"
           "print(json.dumps([{k: v for k, v in r.items() if k != 'samples'} for r in results]))\n"
           "print(json.dumps({r['level']: r['samples'][:3] for r in results}))\n"
           "print(json.dumps(words_to_text(data['val_captions'][rows[:3]], data['idx_to_word'])))")


def section_notebook(course):
    """The cells to run: the setup and data cells, the section's code cells, a collector."""
    import nbformat

    source = nbformat.read(str(course.assignment_dir("source") / "RNN_Captioning.ipynb"), as_version=4)
    cells = [c for c in source.cells if c.cell_type == "code"
             and (c.get("id") in BEFORE_SECTION or c.get("id", "").startswith(SECTION_PREFIX))]
    if len(cells) <= len(BEFORE_SECTION):
        raise SystemExit("no cell of the section (ids charword-*) in RNN_Captioning.ipynb")
    nb = nbformat.v4.new_notebook(metadata=source.metadata)
    nb.cells = cells + [nbformat.v4.new_code_cell(COLLECT)]
    return nb


def run_once(course, data_dir: Path) -> dict:
    """Execute the cells once; the section's seconds and the collector's values."""
    from nbclient import NotebookClient

    from coursekit.build.execute import KERNEL_ENV

    nb = section_notebook(course)
    env = dict(os.environ, **KERNEL_ENV, CS231N_DATA_DIR=str(data_dir))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    client = NotebookClient(nb, timeout=900, kernel_name="python3", extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(course.assignment_dir("source"))}})
    section = 0.0
    with client.setup_kernel(env=env, cwd=str(course.assignment_dir("source"))):
        for index, cell in enumerate(nb.cells):
            began = time.perf_counter()
            client.execute_cell(cell, index)
            if cell.get("id", "").startswith(SECTION_PREFIX):
                section += time.perf_counter() - began
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    results, samples, truths = (json.loads(line) for line in printed.strip().splitlines()[-3:])
    return {"seconds": section, "results": results, "samples": samples, "truths": truths}


def median_results(runs: list[dict]) -> list[dict]:
    """Per model, the median of every value over the runs (integers stay integers)."""
    merged = []
    for level_runs in zip(*(run["results"] for run in runs)):
        row = dict(level_runs[0])
        for key, value in row.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                middle = statistics.median(r[key] for r in level_runs)
                row[key] = int(round(middle)) if isinstance(value, int) else middle
        merged.append(row)
    return merged


def markdown_table(results: list[dict]) -> str:
    from coursekit.reference import reference, submodule

    rows = submodule(reference(), "level_comparison").TABLE_ROWS
    fmt = submodule(reference(), "level_comparison").format_cell
    lines = ["| | " + " | ".join(f"{r['level']}-level" for r in results) + " |",
             "|---|" + "---:|" * len(results)]
    lines += [f"| {label} | " + " | ".join(fmt(r[key], f) for r in results) + " |" for label, key, f in rows]
    return "\n".join(lines)


def main() -> int:
    from coursekit import config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data", type=Path, help="a dataset folder (default: the embedded dataset)")
    where.add_argument("--coco-shaped", action="store_true", help="random data of COCO's shapes (timings only)")
    args = parser.parse_args()
    course = config.load()
    with tempfile.TemporaryDirectory(prefix="bench-charword-") as tmp:
        if args.coco_shaped:
            import coco_shaped
            data_dir, label = coco_shaped.write(Path(tmp) / "coco-shaped"), "random data of COCO's shapes (timings only)"
        else:
            data_dir = args.data or course.embedded_dataset
            label = str(data_dir)
        load_before = os.getloadavg()
        runs = [run_once(course, data_dir) for _ in range(args.runs)]
        load_after = os.getloadavg()
    results = median_results(runs)
    seconds = [run["seconds"] for run in runs]
    print(f"dataset: {label}; {os.cpu_count()} cores; load average {load_before[0]:.1f} before, "
          f"{load_after[0]:.1f} after; budget {results[0]['budget']:g} s of training per model")
    print(f"each value: the median of {args.runs} runs\n")
    print(markdown_table(results))
    print(f"\nthe section's cells: {statistics.median(seconds):.1f} s (median of {args.runs}; "
          f"min {min(seconds):.1f}, max {max(seconds):.1f})")
    print("\nsampled captions (last run):")
    last = runs[-1]
    for i, truth in enumerate(last["truths"]):
        print(f"  GT:   {truth}")
        for level, texts in last["samples"].items():
            print(f"  {level}: {texts[i]}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
