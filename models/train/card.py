"""Exports the final model to ONNX and writes its model card from the run files train.py left in
models/train/.cache (run-final.json, run-loso-<source>.json, and the ablation's run-loso-<source>-plain.json).

    /usr/bin/python3 models/train/card.py      (train.py calls it after its runs)
"""
import hashlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cxr import CHANNELS, CROP, INPUT, LABELS, SOURCES, VggCxr  # noqa: E402
from card_text import FAILURE_MODES, SOURCE_TEXT, choices  # noqa: E402


def load(cache, name):
    path = os.path.join(cache, f"run-{name}.json")
    return json.load(open(path)) if os.path.exists(path) else None


def loso_table(cache, tag=""):
    rows = {}
    for s in SOURCES:
        r = load(cache, f"loso-{s}{tag}")
        if r:
            rows[s] = {
                "classes": [l for l in LABELS if r["metrics"]["perClass"].get(l)],
                "images": r["test"], "macroF1": r["metrics"]["macroF1"], "accuracy": r["metrics"]["accuracy"],
                "perClassF1": {l: v["f1"] for l, v in r["metrics"]["perClass"].items()},
                "rejectedAsNonCxr": r["rejectedAsNonCxr"],
                "ece": {"before": r["calibration"]["before"]["ece"], "after": r["calibration"]["after"]["ece"]},
                "abstention": {k: r["abstention"][k] for k in ("threshold", "coverage", "answeredAccuracy")},
                "epochs": r["settings"]["epochs"], "bestEpoch": r["bestEpoch"], "seconds": r["seconds"], "cutShort": r.get("cutShort", False),
            }
    mean = round(float(np.mean([v["macroF1"] for v in rows.values()])), 4) if rows else None
    return {"meanMacroF1": mean, "complete": len(rows) == len(SOURCES), "perSource": rows}


def write_model(root, cache, name):
    final = load(cache, "final")
    model = VggCxr()
    model.load_state_dict(torch.load(os.path.join(cache, "final.pt")))
    model.eval()
    onnx_path = os.path.join(root, "models", name + ".onnx")
    torch.onnx.export(
        model, torch.zeros(1, 1, INPUT, INPUT), onnx_path + ".tmp", input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13, do_constant_folding=True,
    )
    os.replace(onnx_path + ".tmp", onnx_path)
    digest = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    loso, plain = loso_table(cache), loso_table(cache, "-plain")
    runs = [final] + [load(cache, f"loso-{s}") for s in SOURCES]
    seconds = sum(r["seconds"] or 0 for r in runs if r)
    st = final["settings"]
    ab = final["abstention"]
    card = {
        "name": name,
        "model": name + ".onnx",
        "sha256": digest,
        "intendedUse": "Research use only, not for clinical decisions. Not a medical device.",
        "atANewHospital": (
            "Leave-one-source-out (train without a source, test on all of it) is the honest estimate for a site the model has not seen: "
            f"mean macro-F1 {loso['meanMacroF1']} over the 4 sources, against {final['metrics']['macroF1']} on the test split of the sources it was trained on. "
            "Expect the lower figure, and treat 'covid' as 'looks like the COVID-19 images of two sources', not as a diagnosis."
        ),
        "leaveOneSourceOut": loso,
        "task": "Chest X-ray triage into covid, normal, pneumonia, and non_cxr (not a chest X-ray: the Medchain paper's 'ignore'), with an 'uncertain' verdict below the abstention threshold.",
        "labels": LABELS,
        "notChestXray": "non_cxr",
        "input": {
            "name": "image", "layout": "NCHW", "channels": 1, "colour": "grey: Y = 0.2126 R + 0.7152 G + 0.0722 B in linear light, sRGB-encoded (libvips b-w)",
            "height": INPUT, "width": INPUT, "resize": "fill: stretched to exactly width x height, aspect not kept, Lanczos-3",
            "scale": "pixel / 255", "mean": [0], "std": [1],
            "preprocessing": f"EXIF rotation, alpha flattened on black, grey, resize, pixel / 255: xray's loadPixels + normalise. Inside the network: the centre {CROP}x{CROP} (the border of {(INPUT - CROP) // 2} px a side cut off), then each image standardised to mean 0, standard deviation 1.",
        },
        "output": {"name": "logits", "activation": "softmax", "temperature": final["temperature"]},
        "abstention": {
            "label": "uncertain", "threshold": ab["threshold"],
            "rule": "uncertain when the top probability of softmax(logits / temperature) is below the threshold; the probabilities are still given",
            "chosenOn": "validation split: the lowest threshold (0.40-0.99, step 0.01) at which at least 95% of the verdicts kept are right",
            "test": {"coverage": ab["coverage"], "answeredAccuracy": ab["answeredAccuracy"], "accuracyWithoutAbstention": ab["accuracyWithoutAbstention"]},
            "leaveOneSourceOut": {s: v["abstention"] for s, v in loso["perSource"].items()},
        },
        "calibration": {
            "method": "temperature scaling, T fitted on the validation split by negative log-likelihood (grid 0.25-8)",
            "temperature": final["temperature"],
            "test": {"eceBefore": final["calibration"]["before"]["ece"], "eceAfter": final["calibration"]["after"]["ece"], "reliabilityBefore": final["calibration"]["before"]["table"], "reliabilityAfter": final["calibration"]["after"]["table"]},
            "leaveOneSourceOut": {s: v["ece"] for s, v in loso["perSource"].items()},
            "bins": "10 equal-width bins of the top probability; ECE = sum over bins of (share of images) x |accuracy - mean confidence|",
        },
        "notChestXrayCheck": {
            "wallpaperRecallTest": final["metrics"]["perClass"]["non_cxr"]["recall"],
            "chestXraysRejectedAsNonCxr": {"test": {s: v["rejectedAsNonCxr"] for s, v in final["perSource"].items() if s != "wallpaper"}, "leaveOneSourceOut": {s: v["rejectedAsNonCxr"] for s, v in loso["perSource"].items()}},
        },
        "knownFailureModes": FAILURE_MODES,
        "architecture": f"VGG-style: per-image standardisation, 4 blocks of 2 x (3x3 conv, batch norm, ReLU) + 2x2 max-pool, channels {'-'.join(map(str, CHANNELS))}, a 3x3 conv to {CHANNELS[-1] * 2} at 6x6, global average pool, dropout 0.3, linear {CHANNELS[-1] * 2}-4. {sum(p.numel() for p in model.parameters())} parameters.",
        "data": {
            "sources": SOURCE_TEXT,
            "root": "../shared/data (cxr/images/<label>/*.jpg, non-cxr/images/*.jpg: at most 320x320; cxr/labels.csv gives source and patient group)",
            "split": {
                "method": f"70/15/15 by patient group (labels.csv `group`; a wallpaper's crops are one group), dealt per source x label with seed {st['seed']}: no patient in two splits",
                "seed": st["seed"], "train": final["counts"]["train"], "validation": final["counts"]["val"], "test": final["counts"]["test"],
                "testFiles": final["testFiles"],
            },
        },
        "choices": choices(final, loso, plain),
        "training": {
            "command": "npm run train  (= npm run build && node dist/models/train/prepare.js && /usr/bin/python3 models/train/train.py)",
            "framework": f"PyTorch {torch.__version__} (Debian python3-torch), CPU, 1 thread per run (the final model and the leave-one-source-out runs ran side by side)",
            "epochs": st["epochs"], "bestEpoch": final["bestEpoch"], "batch": st["batch"],
            "epochMeaning": "one epoch = as many weighted draws as there are training images",
            "optimiser": "AdamW (weight decay 5e-4), one-cycle learning rate up to 3e-3, cross-entropy with label smoothing 0.05; the epoch with the best validation macro-F1 is kept",
            "seconds": final["seconds"],
            "secondsAllRuns": seconds,
            "secondsNote": "training seconds on a 2-core CPU shared with other work (final model + the 4 leave-one-source-out runs); preparing the pixels takes about 2 minutes more",
            "exportedWith": "torch.onnx.export, opset 13, dynamic batch",
        },
        "metrics": {"validation": {"accuracy": final["validation"]["accuracy"], "macroF1": final["validation"]["macroF1"]}, "test": final["metrics"], "testPerSource": final["perSource"]},
    }
    card_path = os.path.join(root, "models", name + ".json")
    with open(card_path + ".tmp", "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    os.replace(card_path + ".tmp", card_path)
    print(f"wrote {onnx_path} ({digest[:12]}) and {card_path}: test macro-F1 {final['metrics']['macroF1']}, leave-one-source-out mean {loso['meanMacroF1']}")
    import card_md

    card_md.main(name, root)


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    write_model(root, os.path.join(root, "models/train/.cache"), sys.argv[1] if len(sys.argv) > 1 else "xray-vgg-cxr4")
