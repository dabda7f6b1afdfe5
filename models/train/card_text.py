"""The model card's words: its sources with their licences, its known failure modes, its choices."""

SOURCE_TEXT = [
    {"source": "cohen", "classes": {"covid": 360, "normal": 12, "pneumonia": 119},
     "dataSet": "COVID-19 image data collection (Cohen et al., arXiv 2006.11988; github ieee8023/covid-chestxray-dataset, snapshot of 2020-06-22): adults, many hospitals and paper figures",
     "licence": "per image (see ../shared/data/cxr/provenance-*.csv): mostly CC BY-NC-SA or CC BY-NC-ND (non-commercial), some CC BY / CC BY-SA, some 'authorized for everyone'"},
    {"source": "hannover", "classes": {"covid": 243},
     "dataSet": "Hannover Medical School COVID-19 image repository (github ml-workgroup/covid-19-image-repository, doi 10.6084/m9.figshare.12275009): adults, one hospital, contrast-enhanced downscales",
     "licence": "CC BY 3.0"},
    {"source": "kermany", "classes": {"normal": 435, "pneumonia": 700},
     "dataSet": "Kermany et al., Cell 2018 (Mendeley Data doi 10.17632/rscbjbr9sj), the pediatric Guangzhou set published on Kaggle as 'Chest X-Ray Images (Pneumonia)': children aged 1-5; pneumonia 350 bacterial, 350 viral",
     "licence": "CC BY 4.0"},
    {"source": "nih", "classes": {"normal": 500, "pneumonia": 500},
     "dataSet": "NIH ChestX-ray8 (Wang et al., CVPR 2017), 'No Finding' and 'Pneumonia' as selected by muhammedtalo/COVID-19: adults, labels mined from reports",
     "licence": "NIH Clinical Center: no restriction on use; cite Wang et al. and acknowledge the NIH Clinical Center"},
    {"source": "wallpaper", "classes": {"non_cxr": 138},
     "dataSet": "crops of Debian gnome-backgrounds and mate-backgrounds wallpapers, every second one grey",
     "licence": "as the Debian packages (GPL, CC BY-SA and similar free licences)"},
]

FAILURE_MODES = [
    "The worst one, measured: an image from a site the model has not seen tends to be called covid. With NIH held out, 394 of its 500 normals and 306 of its 500 pneumonias were called covid; with kermany held out, 161 of 435 normals and 256 of 700 pneumonias. 'covid' partly means 'not like the normal and pneumonia sources I know': do not trust a covid verdict on images from a new hospital.",
    "COVID-19 comes from two sources only (cohen, hannover). With cohen held out (covid then learnt from hannover's contrast-enhanced images alone) 243 of cohen's 360 covid images were called pneumonia; with hannover held out, 75% of its covid images were still found.",
    "Abstention does not rescue a new site: the threshold is chosen on validation images of the training sources, where the calibrated model is nearly calibrated; at held-out sources it is confidently wrong (ECE 0.26-0.49 there), and the few verdicts it still answers can all be wrong (nih: 7% answered, none right).",
    "Children: every pediatric image is from kermany. Held out, it shows how the model treats children's chest X-rays when it has only seen adults; on adults of a new site, expect the nih/cohen rows.",
    "Label noise: NIH labels were mined from reports (normal vs pneumonia is the weakest pair on NIH); 8 of the 12 cohen normals are from COVID-positive patients; 22 cohen 'pneumonia' images are non-infectious types and 16 are SARS.",
    "Normal vs pneumonia on adult films (nih) is the weakest pair: the network sees 112 px (a 96 px centre), so large opacities, not subtle ones; many NIH pneumonias are called normal.",
    "Not a chest X-ray: the 2% target is missed on two sources of the test split. Chest X-rays with wide black borders or bands (letterboxed, or a paper figure's panel with its letter) can be called non_cxr (2 of 70 cohen, 1 of 36 hannover test images; 4% of hannover when held out), and a soft grey wallpaper was called pneumonia (1 of 18 test wallpapers: recall 0.944, under the 0.95 aimed at).",
    "Lateral views, CT slices, photographs of films, heavily annotated figures and inverted (MONOCHROME1 shown raw) images are outside the training data; a wallpaper-like non-X-ray is caught as non_cxr, other medical images may not be.",
]


def choices(final, loso, plain):
    """Each training choice and what was measured for it."""
    out = [
        {"choice": "split by patient group within each source x label (70/15/15)", "effect": "no patient straddles train and test; figures per source are in testPerSource"},
        {"choice": "leave-one-source-out runs, epochs picked on the other sources' validation images only", "effect": f"mean macro-F1 {loso['meanMacroF1']} vs test-split {final['metrics']['macroF1']}: the gap is the site effect"},
    ]
    if plain["perSource"]:
        rows = {s: (plain["perSource"][s]["macroF1"], loso["perSource"].get(s, {}).get("macroF1")) for s in plain["perSource"]}
        text = "; ".join(f"{s} {p} -> {r}" for s, (p, r) in rows.items())
        out.append({"choice": "per-image standardisation in the network + square-root source balance within each class + photometric augmentation (gamma 0.6-1.65, unsharp mask or blur, resolution jitter 40-80 px, noise)",
                    "effect": f"leave-one-source-out macro-F1 without them ('plain': geometric crops only, sampling as found, no standardisation) -> with them: {text}",
                    "ablationEpochs": next(iter(plain["perSource"].values()))["epochs"]})
    out += [
        {"choice": "random zoomed crops (70-95% of the image, +-10 deg, +-8% shift) and a fixed centre crop at inference", "effect": "borders, burned-in markers and text are mostly cut off; not ablated separately"},
        {"choice": "112 px input, 96 px crop, channels 8-16-32-64", "effect": "sized for a 2-core CPU: 8 s an epoch (2 threads) on an idle machine, 30-80 s (1 thread; 2 threads were 2.5x slower) on the shared one this was trained on; larger inputs and networks were not tried within the time budget"},
        {"choice": "temperature scaling on validation", "effect": f"test ECE {final['calibration']['before']['ece']} -> {final['calibration']['after']['ece']} (T {final['temperature']}): the network was already close to calibrated in-distribution (T near 1), and the validation fit did not carry over to the test split; kept because it is what the issue asks and is cheap, not because it helped"},
        {"choice": "ablation kept small", "effect": "the shared 2-core CPU gave 30-100 s an epoch during this training (8 s idle): the site-hiding measures were ablated together, on " + (", ".join(plain["perSource"]) or "no") + " of the 4 held-out sources; each measure alone is not measured"},
    ]
    return out
