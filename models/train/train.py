#!/usr/bin/python3
"""Trains xray's VGG-style chest X-ray classifier and exports it to ONNX with its model card.

Run from the project root (CPU only; about 15 minutes on 2 cores):
    npm run build && node dist/models/train/prepare.js && /usr/bin/python3 models/train/train.py

Reads the pixels prepare.js wrote with xray's own preprocessing (models/train/.cache/cxr4-128.*),
splits them 70/15/15 by group with a fixed seed (one NIH patient, one paper's figures or one
wallpaper's crops never straddle two splits), trains with augmentation, keeps the epoch with the
best validation macro-F1, and writes models/<name>.onnx and models/<name>.json.
"""
import argparse
import hashlib
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LABELS = ["covid", "normal", "pneumonia", "non_cxr"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def vgg_cxr(channels=(16, 32, 64, 128), classes=len(LABELS)):
    """VGG in miniature: 4 blocks of two 3x3 conv + BN + ReLU and a 2x2 max-pool, then 2 FC layers."""
    layers, c_in = [], 1
    for c in channels:
        for _ in range(2):
            layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
            c_in = c
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(
        *layers,
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(c_in * 8 * 8, 256),
        nn.ReLU(inplace=True),
        nn.Dropout(0.5),
        nn.Linear(256, classes),
    )


def split_groups(items, seed, fractions=(0.70, 0.15, 0.15)):
    """Per label, shuffles the groups with `seed` and fills train, validation, test in turn."""
    rng = random.Random(seed)
    split = {}
    for label in LABELS:
        groups = sorted({it["group"] for it in items if it["label"] == label})
        rng.shuffle(groups)
        sizes = {g: sum(1 for it in items if it["group"] == g) for g in groups}
        total, acc = sum(sizes.values()), 0
        for g in groups:
            part = "train" if acc < fractions[0] * total else "val" if acc < (fractions[0] + fractions[1]) * total else "test"
            split[g] = part
            acc += sizes[g]
    return [split[it["group"]] for it in items]


def augment(x, gen):
    """Random affine (rotate +-8 deg, scale 0.9-1.1, shift +-6%) and brightness/contrast +-15%, on a batch."""
    n = x.shape[0]
    ang = (torch.rand(n, generator=gen) * 2 - 1) * (8 * np.pi / 180)
    scale = 1 + (torch.rand(n, generator=gen) * 2 - 1) * 0.1
    tx, ty = [(torch.rand(n, generator=gen) * 2 - 1) * 0.12 for _ in range(2)]
    cos, sin = torch.cos(ang) / scale, torch.sin(ang) / scale
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    contrast = 1 + (torch.rand(n, 1, 1, 1, generator=gen) * 2 - 1) * 0.15
    bright = (torch.rand(n, 1, 1, 1, generator=gen) * 2 - 1) * 0.15
    return x * contrast + bright


def metrics(y_true, y_pred):
    k = len(LABELS)
    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    per = {}
    for i, label in enumerate(LABELS):
        tp, fp, fn = cm[i, i], cm[:, i].sum() - cm[i, i], cm[i, :].sum() - cm[i, i]
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[label] = {"precision": round(float(prec), 4), "recall": round(float(rec), 4), "f1": round(float(f1), 4), "support": int(cm[i, :].sum())}
    macro = float(np.mean([per[l]["f1"] for l in LABELS]))
    return {"accuracy": round(float(np.trace(cm) / cm.sum()), 4), "macroF1": round(macro, 4), "perClass": per, "confusion": cm.tolist()}


def predict(model, x, batch=64):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out.append(model(x[i : i + batch]).argmax(1))
    return torch.cat(out).numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "models/train/.cache/cxr4-128"))
    ap.add_argument("--name", default="xray-vgg-cxr4")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)

    meta = json.load(open(args.data + ".json"))
    items, h, w = meta["items"], meta["height"], meta["width"]
    pixels = np.fromfile(args.data + ".bin", dtype=np.uint8).reshape(len(items), 1, h, w)
    y = np.array([LABELS.index(it["label"]) for it in items])
    parts = np.array(split_groups(items, args.seed))
    idx = {p: np.where(parts == p)[0] for p in ("train", "val", "test")}

    train_px = pixels[idx["train"]].astype(np.float32) / 255
    mean, std = round(float(train_px.mean()), 4), round(float(train_px.std()), 4)
    x = (torch.from_numpy(pixels.astype(np.float32)) / 255 - mean) / std
    yt = torch.from_numpy(y)

    counts = np.bincount(y[idx["train"]], minlength=len(LABELS))
    weights = torch.tensor(len(idx["train"]) / (len(LABELS) * counts), dtype=torch.float32)
    model = vgg_cxr()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    steps = args.epochs * ((len(idx["train"]) + 31) // 32)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.15)
    gen = torch.Generator().manual_seed(args.seed)

    best, best_state, best_epoch, started = -1.0, None, 0, time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = idx["train"][torch.randperm(len(idx["train"]), generator=gen).numpy()]
        total = 0.0
        for i in range(0, len(order), 32):
            b = order[i : i + 32]
            xb = augment(x[b], gen)
            loss = F.cross_entropy(model(xb), yt[b], weight=weights, label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(b)
        val = metrics(y[idx["val"]], predict(model, x[idx["val"]]))
        print(f"epoch {epoch:2d} loss {total / len(order):.4f} val acc {val['accuracy']:.3f} macro-F1 {val['macroF1']:.3f} ({time.time() - started:.0f} s)", flush=True)
        if val["macroF1"] > best:
            best, best_epoch = val["macroF1"], epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}

    model.load_state_dict(best_state)
    model.eval()
    val = metrics(y[idx["val"]], predict(model, x[idx["val"]]))
    test = metrics(y[idx["test"]], predict(model, x[idx["test"]]))
    print(f"best epoch {best_epoch}: val macro-F1 {val['macroF1']}, test macro-F1 {test['macroF1']}, accuracy {test['accuracy']}")

    onnx_path = os.path.join(ROOT, "models", args.name + ".onnx")
    tmp = onnx_path + ".tmp"
    torch.onnx.export(
        model, torch.zeros(1, 1, h, w), tmp, input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13, do_constant_folding=True,
    )
    os.replace(tmp, onnx_path)
    digest = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()

    def count(part):
        return {l: int((y[idx[part]] == i).sum()) for i, l in enumerate(LABELS)}

    card = {
        "name": args.name,
        "model": args.name + ".onnx",
        "sha256": digest,
        "intendedUse": "Research use only, not for clinical decisions. Not a medical device.",
        "task": "Chest X-ray triage into covid, normal, pneumonia, and non_cxr (not a chest X-ray: the Medchain paper's 'ignore').",
        "labels": LABELS,
        "notChestXray": "non_cxr",
        "input": {
            "name": "image", "layout": "NCHW", "channels": 1, "colour": "grey: Y = 0.2126 R + 0.7152 G + 0.0722 B in linear light, sRGB-encoded (libvips b-w)",
            "height": h, "width": w, "resize": "fill: stretched to exactly width x height, aspect not kept, Lanczos-3",
            "scale": "pixel / 255", "mean": [mean], "std": [std],
            "preprocessing": "EXIF rotation, alpha flattened on black, grey, resize, (pixel / 255 - mean) / std: xray's loadPixels + normalise",
        },
        "output": {"name": "logits", "activation": "softmax"},
        "architecture": "VGG-style: 4 blocks of 2 x (3x3 conv, batch norm, ReLU) + 2x2 max-pool, channels 16-32-64-128; dropout 0.5, FC 8192-256, ReLU, dropout 0.5, FC 256-4. %d parameters." % sum(p.numel() for p in model.parameters()),
        "data": {
            "sources": [
                "covid: COVID-19 image data collection (Cohen et al., github ieee8023/covid-chestxray-dataset), as selected by muhammedtalo/COVID-19",
                "normal: NIH ChestX-ray8 'No Finding' (Wang et al., CVPR 2017), as selected by muhammedtalo/COVID-19",
                "pneumonia: NIH ChestX-ray8 'Pneumonia' (Wang et al., CVPR 2017), as selected by muhammedtalo/COVID-19",
                "non_cxr: crops of Debian gnome-backgrounds and mate-backgrounds wallpapers, half of them grey",
            ],
            "root": "../shared/data (cxr/images/<label>/*.jpg, non-cxr/images/*.jpg: at most 320x320)",
            "split": {
                "method": "70/15/15 per label by group, seed %d: an NIH patient, a paper's figures, a wallpaper's crops stay in one split" % args.seed,
                "seed": args.seed,
                "train": count("train"), "validation": count("val"), "test": count("test"),
                "testFiles": [items[i]["file"] for i in idx["test"]],
            },
        },
        "training": {
            "command": "npm run train  (= npm run build && node dist/models/train/prepare.js && /usr/bin/python3 models/train/train.py)",
            "framework": "PyTorch %s (Debian python3-torch), CPU, %d threads" % (torch.__version__, args.threads),
            "epochs": args.epochs, "bestEpoch": best_epoch, "batch": 32,
            "optimiser": "AdamW (weight decay 1e-4), one-cycle learning rate up to 2e-3, class-weighted cross-entropy, label smoothing 0.05",
            "augmentation": "random rotation +-8 deg, scale 0.9-1.1, shift +-6%, brightness and contrast +-15%",
            "seconds": round(time.time() - started),
            "exportedWith": "torch.onnx.export, opset 13, dynamic batch",
        },
        "metrics": {"validation": {"accuracy": val["accuracy"], "macroF1": val["macroF1"]}, "test": test},
    }
    card_path = os.path.join(ROOT, "models", args.name + ".json")
    with open(card_path + ".tmp", "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    os.replace(card_path + ".tmp", card_path)
    print(json.dumps(test, indent=1))


if __name__ == "__main__":
    main()
