"""Benchmark: does the captioning model learn the embedded dataset?

Trains the reference CaptioningRNN (source/) on the embedded train split for a time budget
(whole epochs of CaptioningSolver, stopping before the budget would be exceeded), greedily
samples a caption for every val image, and prints BLEU-1 (clipped unigram precision with
brevity penalty, against the 5 reference captions of the image, averaged over images) of
the model and of a baseline that always answers the most frequent train caption.

    .venv/bin/python bench/bench_captions.py [--seconds 150] [--cell rnn|lstm]
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import Counter

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

SPECIAL = {"<NULL>", "<START>", "<END>", "<UNK>"}


def bleu1(candidate: list[str], references: list[list[str]]) -> float:
    """Sentence BLEU-1: clipped unigram precision times the brevity penalty."""
    if not candidate or not references:
        return 0.0
    max_ref = Counter()
    for ref in references:
        max_ref |= Counter(ref)
    clipped = sum(min(n, max_ref[w]) for w, n in Counter(candidate).items())
    precision = clipped / len(candidate)
    c = len(candidate)
    r = min((len(ref) for ref in references), key=lambda n: (abs(n - c), n))   # closest, shorter on ties
    penalty = 1.0 if c > r else math.exp(1 - r / c)
    return precision * penalty


def words(row, idx_to_word) -> list[str]:
    out = []
    for i in row:
        w = idx_to_word[int(i)]
        if w == "<END>":
            break
        if w not in SPECIAL:
            out.append(w)
    return out


def references_by_image(data, split: str) -> dict[int, list[list[str]]]:
    refs: dict[int, list[list[str]]] = {}
    for row, img in zip(data[f"{split}_captions"], data[f"{split}_image_idxs"]):
        refs.setdefault(int(img), []).append(words(row, data["idx_to_word"]))
    return refs


def most_frequent_caption(data) -> list[str]:
    counts = Counter(" ".join(words(r, data["idx_to_word"])) for r in data["train_captions"])
    return counts.most_common(1)[0][0].split()


def dataset_dir(arg: str | None):
    from coursekit.config import load
    from coursekit.data import generate

    if arg:
        return arg
    course = load()
    ds = course.dataset
    generate(course.embedded_dataset, seed=ds.seed, num_train_images=ds.num_train_images,
             num_val_images=ds.num_val_images, captions_per_image=ds.captions_per_image)
    return str(course.embedded_dataset)


def train(pkg, data, args):
    """Whole epochs until the next one would overrun the budget -> (model, epochs, seconds)."""
    from coursekit.reference import submodule

    np.random.seed(args.seed)
    model = submodule(pkg, "classifiers.rnn").CaptioningRNN(
        word_to_idx=data["word_to_idx"], input_dim=data["train_features"].shape[1],
        hidden_dim=args.hidden, wordvec_dim=args.wordvec, cell_type=args.cell, dtype=np.float32)
    solver = submodule(pkg, "captioning_solver").CaptioningSolver(
        model, data, update_rule="adam", num_epochs=1, batch_size=args.batch_size,
        optim_config={"learning_rate": args.lr}, lr_decay=args.lr_decay, verbose=False)
    start, epochs, last = time.perf_counter(), 0, 0.0
    while epochs == 0 or time.perf_counter() - start + last <= args.seconds:
        t0 = time.perf_counter()
        solver.train()
        last, epochs = time.perf_counter() - t0, epochs + 1
        print(f"  epoch {epochs}: loss {np.mean(solver.loss_history[-20:]):.3f} ({last:.1f} s)", flush=True)
    return model, epochs, time.perf_counter() - start


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="dataset folder (default: the embedded dataset, generated if needed)")
    p.add_argument("--seconds", type=float, default=150.0, help="training time budget (default 150)")
    p.add_argument("--cell", choices=("rnn", "lstm"), default="rnn")
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--wordvec", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=5e-3)
    p.add_argument("--lr-decay", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=231)
    p.add_argument("--examples", type=int, default=5, help="val captions to print")
    args = p.parse_args(argv)

    from coursekit.reference import reference, submodule

    pkg = reference()
    data = submodule(pkg, "coco_utils").load_coco_data(base_dir=dataset_dir(args.data))
    print(f"training a {args.cell} captioning model for at most {args.seconds:.0f} s ...")
    model, epochs, seconds = train(pkg, data, args)

    refs = references_by_image(data, "val")
    images = sorted(refs)
    sampled = model.sample(data["val_features"][images], max_length=data["val_captions"].shape[1])
    model_scores = [bleu1(words(row, data["idx_to_word"]), refs[i]) for row, i in zip(sampled, images)]
    baseline = most_frequent_caption(data)
    base_scores = [bleu1(baseline, refs[i]) for i in images]

    print(f"\nval images: {len(images)}; train captions: {len(data['train_captions'])}; "
          f"training: {epochs} epochs in {seconds:.1f} s")
    print("\n| system | BLEU-1 (val) |\n|---|---|")
    print(f"| CaptioningRNN ({args.cell}, hidden {args.hidden}, {epochs} epochs, {seconds:.0f} s) "
          f"| {np.mean(model_scores):.3f} |")
    print(f"| most frequent train caption (\"{' '.join(baseline)}\") | {np.mean(base_scores):.3f} |")
    print()
    for row, i in list(zip(sampled, images))[: args.examples]:
        print(f"val image {i}: {' '.join(words(row, data['idx_to_word']))!r}  "
              f"(reference: {' '.join(refs[i][0])!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
