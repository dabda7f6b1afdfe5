#!/usr/bin/python3
"""Trains xray's VGG-style chest X-ray classifier, evaluates it source by source, calibrates it,
and exports it to ONNX with its model card.

Run from the project root (CPU only, 1 thread a run: on a busy 2-core machine 2 threads were
2.5x slower). The shipped model took 1,473 s (final, 16 epochs) + 2,355 s (4 leave-one-source-out
runs, 10 epochs each) on the shared machine, 30-100 s an epoch; about 8 s an epoch when idle.
    npm run train   (= npm run build && node dist/models/train/prepare.js && /usr/bin/python3 models/train/train.py)
Two runs side by side (as done for the shipped model):
    /usr/bin/python3 models/train/train.py --runs final & /usr/bin/python3 models/train/train.py --runs loso-hannover,loso-cohen,loso-kermany,loso-nih

Reads the pixels prepare.js wrote with xray's own preprocessing (models/train/.cache/cxr4-112.*).
Runs, in turn, each written to models/train/.cache/run-<name>.json and skipped when that file
exists with the same settings (so a killed run resumes):
  final          train on the 70% train split of every source, pick the epoch on validation,
                 fit the temperature and the abstention threshold on validation, test on test;
  loso-<source>  for each of the 4 sources: train without it, test on all of its images.
Then writes models/<name>.onnx and models/<name>.json (card.py).
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calib import abstention, choose_threshold, fit_temperature, metrics, reliability, softmax  # noqa: E402
from cxr import LABELS, SOURCES, VggCxr, augment, draw_weights, split_groups  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, "models/train/.cache")
NON_CXR = LABELS.index("non_cxr")


def fit(x, y, items, train, val, args, seed, log):
    """Trains on `train` (drawn by draw_weights, augmented) and returns the model at the epoch with the best validation macro-F1."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = VggCxr()
    if args.variant == "plain":
        model.core[0] = torch.nn.Identity()
    weights = torch.tensor(draw_weights(items, train, balance=args.variant != "plain"))
    per_epoch = len(train) // args.batch
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=args.epochs * per_epoch, pct_start=0.2)
    yt = torch.from_numpy(y)
    best, best_state, best_epoch, started = -1.0, None, 0, time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        draws = train[torch.multinomial(weights, per_epoch * args.batch, replacement=True, generator=gen).numpy()]
        total = 0.0
        for i in range(0, len(draws), args.batch):
            b = draws[i : i + args.batch]
            xb = augment(x[b], gen, strength=0.0 if args.variant == "plain" else 1.0)
            loss = F.cross_entropy(model.core(xb), yt[b], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        score = metrics(y[val], logits(model, x, val).argmax(1))["macroF1"]
        log(f"epoch {epoch:2d} loss {total / per_epoch:.4f} val macro-F1 {score:.3f} ({time.time() - started:.0f} s)")
        if score > best:
            best, best_epoch = score, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
            if args.checkpoint:
                torch.save(best_state, args.checkpoint + ".tmp")
                os.replace(args.checkpoint + ".tmp", args.checkpoint)
    model.load_state_dict(best_state)
    model.eval()
    return model, best_epoch, round(time.time() - started)


def logits(model, x, idx, batch=128):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[idx[i : i + batch]]) for i in range(0, len(idx), batch)]).numpy()


def calibrated(model, x, y, val, test, classes=None):
    """Temperature and threshold from validation; metrics, calibration and abstention on `test`."""
    zv, zt = logits(model, x, val), logits(model, x, test)
    T = fit_temperature(zv, y[val])
    threshold = choose_threshold(softmax(zv, T), y[val])
    pt = softmax(zt, T)
    return zt, pt, {
        "metrics": metrics(y[test], zt.argmax(1), classes),
        "temperature": T,
        "calibration": {"before": reliability(softmax(zt), y[test]), "after": reliability(pt, y[test])},
        "abstention": abstention(pt, y[test], threshold),
        "rejectedAsNonCxr": r4((zt.argmax(1) == NON_CXR)[y[test] != NON_CXR].mean()) if (y[test] != NON_CXR).any() else None,
    }


def run(name, x, y, items, parts, args, log):
    src = np.array([it["source"] for it in items])
    seed = args.seed
    if name.startswith("loso-"):
        held = name[5:]
        train = np.where((parts == "train") & (src != held))[0]
        val = np.where((parts == "val") & (src != held))[0]
        test = np.where(src == held)[0]
        classes = sorted({int(c) for c in y[test]})
    else:
        train, val, test = (np.where(parts == p)[0] for p in ("train", "val", "test"))
        classes = None
    if args.from_checkpoint:  # a run cut short: its best epoch so far, as saved during training
        model = VggCxr()
        model.load_state_dict(torch.load(args.checkpoint))
        model.eval()
        best_epoch, seconds = None, None
    else:
        model, best_epoch, seconds = fit(x, y, items, train, val, args, seed, log)
    zt, pt, result = calibrated(model, x, y, val, test, classes)
    result.update({"run": name, "settings": settings(args), "bestEpoch": best_epoch, "seconds": seconds, "train": len(train), "val": len(val), "test": len(test), "cutShort": bool(args.from_checkpoint)})
    if name == "final":
        per_source = {}
        for s in SOURCES + ["wallpaper"]:
            m = src[test] == s
            cls = sorted({int(c) for c in y[test][m]})
            per_source[s] = {"n": int(m.sum()), "macroF1": metrics(y[test][m], zt[m].argmax(1), cls)["macroF1"], "accuracy": r4((zt[m].argmax(1) == y[test][m]).mean())}
            if s != "wallpaper":
                per_source[s]["rejectedAsNonCxr"] = r4((zt[m].argmax(1) == NON_CXR).mean())
        result["perSource"] = per_source
        result["validation"] = metrics(y[val], logits(model, x, val).argmax(1))
        result["testFiles"] = [items[i]["file"] for i in test]
        result["counts"] = {p: {l: int(((parts == p) & (y == i)).sum()) for i, l in enumerate(LABELS)} for p in ("train", "val", "test")}
    return model, result


def settings(args):
    return {"epochs": args.epochs, "batch": args.batch, "seed": args.seed, "variant": args.variant}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(CACHE, "cxr4-112"))
    ap.add_argument("--name", default="xray-vgg-cxr4")
    ap.add_argument("--runs", default="final,loso-cohen,loso-hannover,loso-kermany,loso-nih")
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--loso-epochs", type=int, default=10, help="epochs of each leave-one-source-out run (fewer than the final model's, for time)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--threads", type=int, default=1, help="1 is faster than 2 on a 2-core machine that is busy with other work (measured: 31 vs 79 s an epoch)")
    ap.add_argument("--variant", default="robust", choices=["robust", "plain"], help="plain: no per-image standardisation, no source balance, geometric augmentation only (ablation)")
    ap.add_argument("--tag", default="", help="suffix for the run files (ablations)")
    ap.add_argument("--from-checkpoint", action="store_true", help="evaluate each run's best-<run>.pt as saved so far instead of training (a run cut short)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    np.random.seed(args.seed)
    random.seed(args.seed)

    meta = json.load(open(args.data + ".json"))
    items, h, w = meta["items"], meta["height"], meta["width"]
    x = torch.from_numpy(np.fromfile(args.data + ".bin", dtype=np.uint8).reshape(len(items), 1, h, w)).float() / 255
    y = np.array([LABELS.index(it["label"]) for it in items])
    parts = split_groups(items, args.seed)
    final_epochs = args.epochs
    for name in args.runs.split(","):
        args.epochs = final_epochs if name == "final" else (args.loso_epochs or final_epochs)
        out = os.path.join(CACHE, f"run-{name}{args.tag}.json")
        done = os.path.exists(out) and json.load(open(out)).get("settings") == settings(args) and not args.from_checkpoint
        if done and (name != "final" or os.path.exists(os.path.join(CACHE, "final.pt"))):
            print(f"{name}: done before ({out})", flush=True)
            continue
        log = lambda s: print(f"{name}: {s}", flush=True)
        args.checkpoint = os.path.join(CACHE, f"best-{name}{args.tag}.pt")  # the best epoch so far, should the run be cut short
        model, result = run(name, x, y, items, parts, args, log)
        with open(out + ".tmp", "w") as f:
            json.dump(result, f, indent=1)
        os.replace(out + ".tmp", out)
        log(f"macro-F1 {result['metrics']['macroF1']} ECE {result['calibration']['before']['ece']} -> {result['calibration']['after']['ece']} (T {result['temperature']}) abstention {result['abstention']}")
        if name == "final" and not args.tag:
            torch.save(model.state_dict(), os.path.join(CACHE, "final.pt"))
    if "final" in args.runs.split(",") and not args.tag:
        from card import write_model  # the ONNX file and its card, from final.pt and the run files

        write_model(ROOT, CACHE, args.name)


def r4(v):
    return round(float(v), 4)


if __name__ == "__main__":
    main()
