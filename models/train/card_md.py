#!/usr/bin/python3
"""Writes docs/classifier.md, the model card for people, from models/xray-vgg-cxr4.json.

    /usr/bin/python3 models/train/card_md.py     (card.py calls it after writing the card)
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def f3(v):
    return "-" if v is None else f"{v:.3f}"


def pct(v):
    return "-" if v is None else f"{100 * v:.1f}%"


def reliability(rows):
    out = ["| top probability | images | mean confidence | accuracy |", "|---|---:|---:|---:|"]
    out += [f"| {r['bin']} | {r['count']} | {f3(r['confidence'])} | {f3(r['accuracy'])} |" for r in rows]
    return out


def render(card):
    loso, test, ab, cal = card["leaveOneSourceOut"], card["metrics"]["test"], card["abstention"], card["calibration"]
    labels = card["labels"]
    L = [f"# The chest X-ray classifier: {card['name']}", "",
         f"Generated from `models/{card['name']}.json` by `models/train/card_md.py`. {card['intendedUse']}", "",
         "## At a hospital it has not seen: leave-one-source-out", "",
         card["atANewHospital"], "",
         "Each row: a network trained (same recipe) without that source, its epoch picked on the other sources' validation images, tested on every image of that source (macro-F1 over the classes that source has).", "",
         "| held-out source | classes | images | macro-F1 | accuracy | per-class F1 | rejected as non_cxr | ECE before -> after | answered | answered right | epochs |",
         "|---|---|---:|---:|---:|---|---:|---|---:|---:|---:|"]
    for s, r in loso["perSource"].items():
        per = ", ".join(f"{k} {f3(v)}" for k, v in r["perClassF1"].items())
        L.append(f"| {s} | {', '.join(r['classes'])} | {r['images']} | **{f3(r['macroF1'])}** | {f3(r['accuracy'])} | {per} | {pct(r['rejectedAsNonCxr'])} | {f3(r['ece']['before'])} -> {f3(r['ece']['after'])} | {pct(r['abstention']['coverage'])} | {pct(r['abstention']['answeredAccuracy'])} | {r['bestEpoch']}/{r['epochs']} |")
    L += ["", f"**Mean leave-one-source-out macro-F1: {f3(loso['meanMacroF1'])}** (target 0.70).", ""]
    split = card["data"]["split"]
    L += ["## On the test split of its own sources", "",
          f"{len(split['testFiles'])} images, {split['method']}. Accuracy {f3(test['accuracy'])}, **macro-F1 {f3(test['macroF1'])}** (target 0.85; validation {f3(card['metrics']['validation']['macroF1'])}).", "",
          "| class | precision | recall | F1 | images |", "|---|---:|---:|---:|---:|"]
    L += [f"| {l} | {f3(v['precision'])} | {f3(v['recall'])} | {f3(v['f1'])} | {v['support']} |" for l, v in test["perClass"].items()]
    L += ["", "Confusion (rows: truth; columns: predicted " + ", ".join(labels) + "):", "", "| | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
    L += [f"| **{l}** | " + " | ".join(str(v) for v in row) + " |" for l, row in zip(labels, test["confusion"])]
    L += ["", "By source (test split):", "", "| source | images | macro-F1 | accuracy | rejected as non_cxr |", "|---|---:|---:|---:|---:|"]
    L += [f"| {s} | {r['n']} | {f3(r['macroF1'])} | {f3(r['accuracy'])} | {pct(r.get('rejectedAsNonCxr'))} |" for s, r in card["metrics"]["testPerSource"].items()]
    L += ["", "## Calibration and the `uncertain` verdict", "",
          f"{cal['method']}: T = {cal['temperature']}. Test ECE {f3(cal['test']['eceBefore'])} before, {f3(cal['test']['eceAfter'])} after ({cal['bins']}).", "",
          "Before (test split):", ""] + reliability(cal["test"]["reliabilityBefore"]) + ["", "After:", ""] + reliability(cal["test"]["reliabilityAfter"])
    t = ab["test"]
    L += ["", f"Threshold **{ab['threshold']}**, {ab['chosenOn']}. On the test split it answers {pct(t['coverage'])} of the images and {pct(t['answeredAccuracy'])} of those answers are right (all images, no abstention: {pct(t['accuracyWithoutAbstention'])}); the rest are `uncertain`. At the held-out sources (each run's own temperature and threshold): "
          + "; ".join(f"{s} answers {pct(v['coverage'])}, {pct(v['answeredAccuracy'])} right" for s, v in ab["leaveOneSourceOut"].items()) + ".", ""]
    nc = card["notChestXrayCheck"]
    L += ["## Not a chest X-ray", "", f"Wallpaper recall on the test split: {f3(nc['wallpaperRecallTest'])}. Chest X-rays rejected as non_cxr: test split "
          + ", ".join(f"{s} {pct(v)}" for s, v in nc["chestXraysRejectedAsNonCxr"]["test"].items()) + "; held-out sources "
          + ", ".join(f"{s} {pct(v)}" for s, v in nc["chestXraysRejectedAsNonCxr"]["leaveOneSourceOut"].items()) + ".", ""]
    L += ["## Known failure modes", ""] + [f"- {m}" for m in card["knownFailureModes"]]
    L += ["", "## Training choices and their measured effect", ""] + [f"- {c['choice']}: {c['effect']}" for c in card["choices"]]
    tr = card["training"]
    L += ["", "## Data and licences", "", "| source | classes | data set | licence |", "|---|---|---|---|"]
    L += [f"| {s['source']} | {', '.join(f'{k} {v}' for k, v in s['classes'].items())} | {s['dataSet']} | {s['licence']} |" for s in card["data"]["sources"]]
    L += ["", "## Network and training", "", card["architecture"], "", card["input"]["preprocessing"], "",
          f"`{tr['command']}`: {tr['framework']}; {tr['optimiser']}; {tr['epochs']} epochs ({tr['epochMeaning']}), best {tr['bestEpoch']}. Final model {tr['seconds']} s, all runs {tr['secondsAllRuns']} s ({tr['secondsNote']}).", ""]
    return "\n".join(L)


def main(name="xray-vgg-cxr4", root=ROOT):
    card = json.load(open(os.path.join(root, "models", name + ".json")))
    out = os.path.join(root, "docs", "classifier.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".tmp", "w") as f:
        f.write(render(card))
    os.replace(out + ".tmp", out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
