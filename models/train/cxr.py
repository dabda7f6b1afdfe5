"""The network, splits, sampling and augmentation train.py uses (see models/train/train.py)."""
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LABELS = ["covid", "normal", "pneumonia", "non_cxr"]
SOURCES = ["cohen", "hannover", "kermany", "nih"]
INPUT = 112  # what xray's loadPixels gives the model
CROP = 96  # what the convolutions see: the centre at inference, a random crop in training
CHANNELS = (8, 16, 32, 64)
# Share of each class among training draws; within a class, each source's share is proportional
# to the square root of its image count (between "as found" and "equal per source").
CLASS_SHARE = {"covid": 0.3, "normal": 0.3, "pneumonia": 0.3, "non_cxr": 0.1}


class Standardise(nn.Module):
    """Per image: zero mean, unit standard deviation, so a site's exposure and window do not show."""

    def forward(self, x):
        m = x.mean(dim=(1, 2, 3), keepdim=True)
        d = x - m
        return d / torch.sqrt((d * d).mean(dim=(1, 2, 3), keepdim=True) + 1e-4)


class VggCxr(nn.Module):
    """VGG in miniature on a 96x96 grey crop: 4 blocks of 2 x (3x3 conv, BN, ReLU) + 2x2 max-pool,
    a 3x3 conv block at 6x6, global average pool, dropout, one linear layer."""

    def __init__(self, channels=CHANNELS, classes=len(LABELS)):
        super().__init__()
        layers, c_in = [Standardise()], 1
        for c in channels:
            for _ in range(2):
                layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
                c_in = c
            layers.append(nn.MaxPool2d(2))
        c = channels[-1] * 2
        layers += [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(c, classes)]
        self.core = nn.Sequential(*layers)

    def forward(self, x):
        """x: N x 1 x 112 x 112, pixel / 255. The border (8 px a side) is cut off, as in training."""
        b = (INPUT - CROP) // 2
        return self.core(x[:, :, b : b + CROP, b : b + CROP])


def split_groups(items, seed, fractions=(0.70, 0.15, 0.15)):
    """Splits by group (a patient within its source; a wallpaper), never by file. Groups are dealt
    per stratum (source x the group's first label) in shuffled order: 70/15/15 of its images."""
    rng = random.Random(seed)
    first, sizes = {}, {}
    for it in items:
        first.setdefault(it["group"], (it["source"], it["label"]))
        sizes[it["group"]] = sizes.get(it["group"], 0) + 1
    split = {}
    for stratum in sorted(set(first.values())):
        groups = sorted(g for g, s in first.items() if s == stratum)
        rng.shuffle(groups)
        total, acc = sum(sizes[g] for g in groups), 0
        for g in groups:
            split[g] = "train" if acc < fractions[0] * total else "val" if acc < (fractions[0] + fractions[1]) * total else "test"
            acc += sizes[g]
    return np.array([split[it["group"]] for it in items])


def draw_weights(items, index, balance=True):
    """Sampling weight of each training image: CLASS_SHARE per class, sqrt-balanced across sources within it."""
    w = np.zeros(len(index))
    for label, share in CLASS_SHARE.items():
        in_class = [k for k, i in enumerate(index) if items[i]["label"] == label]
        sources = {}
        for k in in_class:
            sources.setdefault(items[index[k]]["source"], []).append(k)
        mass = {s: (np.sqrt(len(ks)) if balance else len(ks)) for s, ks in sources.items()}
        total = sum(mass.values())
        for s, ks in sources.items():
            w[ks] = share * mass[s] / total / len(ks)
    return w / w.sum()


def augment(x, gen, strength=1.0):
    """A batch of 112x112 images in [0,1] -> random 96x96 views that hide where an image was taken:
    a zoomed, rotated, shifted crop (drops borders and burned-in text), gamma jitter, unsharp-mask or blur (a contrast-enhanced site, a soft one), resolution
    jitter (down to 40-80 px and back) and noise."""
    n = x.shape[0]
    r = lambda *shape: torch.rand(*shape, generator=gen)
    u = lambda lo, hi, *shape: lo + (hi - lo) * r(*shape)
    ang = u(-10, 10, n) * np.pi / 180
    zoom = u(0.70, 0.95, n)  # fraction of the 112 px image the 96 px view spans (centre crop: 0.857)
    aspect = u(0.9, 1.1, n)
    sx, sy = zoom * aspect, zoom / aspect
    tx, ty = u(-0.08, 0.08, n), u(-0.08, 0.08, n)
    cos, sin = torch.cos(ang), torch.sin(ang)
    theta = torch.stack([torch.stack([cos * sx, -sin * sy, tx], 1), torch.stack([sin * sx, cos * sy, ty], 1)], 1)
    grid = F.affine_grid(theta, [n, 1, CROP, CROP], align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False).clamp(0, 1)
    if strength <= 0:
        return x
    x = x.clamp(1e-4, 1) ** torch.exp(u(-0.5, 0.5, n, 1, 1, 1))  # gamma 0.6-1.65
    blur = F.avg_pool2d(F.pad(x, (3, 3, 3, 3), mode="reflect"), 7, stride=1)
    amount = u(-0.6, 1.5, n, 1, 1, 1)  # < 0 softens, > 0 sharpens local contrast
    x = x + amount * (x - blur)
    low = r(n) < 0.5
    if low.any():
        size = int(u(40, 80, 1).item())
        small = F.interpolate(x[low], size=(size, size), mode="area")
        x[low] = F.interpolate(small, size=(CROP, CROP), mode="bilinear", align_corners=False)
    # (no brightness or contrast jitter: the network standardises each image, which undoes them)
    return x + torch.randn(x.shape, generator=gen) * u(0, 0.03, n, 1, 1, 1)
