"""Metrics, calibration (temperature scaling, ECE, reliability table) and the abstention threshold."""
import numpy as np
import torch
import torch.nn.functional as F

from cxr import LABELS


def metrics(y_true, y_pred, labels=None):
    """Accuracy, macro-F1 over `labels` (default: all), per-class precision/recall/F1, confusion.
    A prediction of a class outside `labels` counts against recall (a miss), never as a class."""
    labels = list(range(len(LABELS))) if labels is None else labels
    k = len(LABELS)
    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    per = {}
    for i in labels:
        tp, fp, fn = cm[i, i], cm[labels, i].sum() - cm[i, i], cm[i, :].sum() - cm[i, i]
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[LABELS[i]] = {"precision": r4(prec), "recall": r4(rec), "f1": r4(f1), "support": int(cm[i, :].sum())}
    macro = float(np.mean([per[LABELS[i]]["f1"] for i in labels]))
    return {"accuracy": r4(np.trace(cm) / max(1, cm.sum())), "macroF1": r4(macro), "perClass": per, "confusion": cm.tolist()}


def fit_temperature(logits, y):
    """The temperature T > 0 minimising the negative log-likelihood of softmax(logits / T) on (logits, y)."""
    z, t = torch.as_tensor(logits, dtype=torch.float64), torch.as_tensor(y)
    best = min((F.cross_entropy(z / T, t).item(), T) for T in np.exp(np.linspace(np.log(0.25), np.log(8), 300)))
    return r4(best[1])


def softmax(logits, T=1.0):
    z = np.asarray(logits, dtype=np.float64) / T
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def reliability(probs, y, bins=10):
    """Expected calibration error of the top probability (10 equal-width bins) and the table behind it."""
    conf, pred = probs.max(1), probs.argmax(1)
    right = pred == np.asarray(y)
    table, ece = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        m = (conf > lo) & (conf <= hi) if b else (conf >= lo) & (conf <= hi)
        if m.sum():
            gap = abs(conf[m].mean() - right[m].mean())
            ece += m.mean() * gap
            table.append({"bin": f"{lo:.1f}-{hi:.1f}", "count": int(m.sum()), "confidence": r4(conf[m].mean()), "accuracy": r4(right[m].mean())})
    return {"ece": r4(ece), "table": table}


def choose_threshold(probs, y, target=0.95):
    """The lowest top-probability threshold at which the verdicts kept on validation are at least
    `target` correct (the rest are `uncertain`); with it, the coverage and precision it gives."""
    conf, right = probs.max(1), probs.argmax(1) == np.asarray(y)
    for t in np.round(np.arange(0.40, 0.991, 0.01), 2):
        keep = conf >= t
        if keep.sum() >= 10 and right[keep].mean() >= target:
            return float(t)
    return 0.99


def abstention(probs, y, threshold):
    """Coverage (share answered), accuracy of the answered verdicts, and accuracy with no abstention."""
    conf, right = probs.max(1), probs.argmax(1) == np.asarray(y)
    keep = conf >= threshold
    return {"threshold": threshold, "coverage": r4(keep.mean()), "answeredAccuracy": r4(right[keep].mean() if keep.any() else 0.0), "accuracyWithoutAbstention": r4(right.mean()), "n": int(len(right))}


def r4(v):
    return round(float(v), 4)
