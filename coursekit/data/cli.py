"""`coursekit data`: write the embedded captioning dataset (skipped when already up to date)."""
from __future__ import annotations

import sys
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--out", metavar="DIR", help="output folder (default: KIT['dataset']['embedded_dir'])")
    parser.add_argument("--seed", type=int, help="dataset seed (default: KIT['dataset']['seed'])")
    parser.add_argument("--force", action="store_true", help="regenerate even when the manifest matches")
    parser.add_argument("--quiet", action="store_true", help="print nothing unless something goes wrong")


def _settings(args):
    """(out_dir, generate() keyword arguments) from course_config.py and the command line."""
    from coursekit.config import load

    course = load()
    ds = course.dataset
    out = Path(args.out) if args.out else course.embedded_dataset
    kwargs = {
        "seed": args.seed if args.seed is not None else ds.seed,
        "num_train_images": ds.num_train_images,
        "num_val_images": ds.num_val_images,
        "captions_per_image": ds.captions_per_image,
    }
    return out, kwargs


def run(args) -> int:
    from coursekit.config import ConfigError
    from coursekit.data import DatasetError, generate

    try:
        out, kwargs = _settings(args)
        result = generate(out, force=args.force, **kwargs)
    except (ConfigError, DatasetError, OSError) as exc:
        print(f"coursekit data: error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        if result.skipped:
            print(f"embedded dataset in {out} is up to date (seed {kwargs['seed']}); nothing to do")
        else:
            n, c = result.num_images, result.num_captions
            print(f"wrote the embedded dataset to {out}: {n['train']} train / {n['val']} val images, "
                  f"{c['train']} / {c['val']} captions, in {result.seconds:.1f} s")
    return 0
