#!/usr/bin/python3
"""PyTorch CPU peer of `npm run bench:classify` (needs Debian's python3-torch, python3-torchvision, python3-onnx).

    torch_bench.py small <model.onnx> <batch.bin> <n,c,h,w> <batches> <threads> [<ort-logits.bin>]
        Rebuilds the ONNX graph as a torch.nn.Sequential with the ONNX file's own weights (the
        same network ONNX Runtime runs: batch norm already folded into the convolutions),
        checks its logits against ONNX Runtime's, and times it at each batch size.
    torch_bench.py vgg16 <out.onnx> <batches> <threads>
        Exports torchvision's VGG-16 (random weights, 224x224x3) to <out.onnx> if missing, and
        times it in PyTorch.
Prints one JSON document: {"batches": {b: {"msPerRun": [...], "imagesPerSecond": x}}, ...}.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn


class Crop(nn.Module):
    """An ONNX Slice on the spatial axes (the model's centre crop)."""

    def __init__(self, starts, ends, axes):
        super().__init__()
        self.cuts = list(zip(starts, ends, axes))

    def forward(self, x):
        for start, end, axis in self.cuts:
            x = x.narrow(axis, start, min(end, x.shape[axis]) - start)
        return x


class Standardise(nn.Module):
    """Per image: (x - mean) / sqrt(var + 1e-4): the ONNX ReduceMean/Sub/Mul/Add/Sqrt/Div run."""

    def forward(self, x):
        d = x - x.mean(dim=(1, 2, 3), keepdim=True)
        return d / torch.sqrt((d * d).mean(dim=(1, 2, 3), keepdim=True) + 1e-4)


STANDARDISE_OPS = {"ReduceMean", "Sub", "Mul", "Add", "Sqrt", "Div", "Pow"}


def from_onnx(path):
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    layers = []
    for node in model.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Constant":
            weights[node.output[0]] = torch.from_numpy(numpy_helper.to_array(attrs["value"]).copy())
        elif node.op_type == "Slice":
            starts, ends, axes = (weights[node.input[k]].tolist() for k in (1, 2, 3))
            layers.append(Crop(starts, ends, axes))
        elif node.op_type in STANDARDISE_OPS:
            if not any(isinstance(l, Standardise) for l in layers):
                layers.append(Standardise())
        elif node.op_type == "GlobalAveragePool":
            layers.append(nn.AdaptiveAvgPool2d(1))
        elif node.op_type == "Conv":
            w = weights[node.input[1]]
            conv = nn.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]), stride=tuple(attrs.get("strides", [1, 1])), padding=tuple(attrs.get("pads", [0, 0, 0, 0])[:2]), bias=len(node.input) > 2)
            conv.weight.data = w
            if len(node.input) > 2:
                conv.bias.data = weights[node.input[2]]
            layers.append(conv)
        elif node.op_type == "Relu":
            layers.append(nn.ReLU())
        elif node.op_type == "MaxPool":
            layers.append(nn.MaxPool2d(tuple(attrs["kernel_shape"]), tuple(attrs.get("strides", attrs["kernel_shape"]))))
        elif node.op_type == "Flatten":
            layers.append(nn.Flatten())
        elif node.op_type == "Gemm":
            w = weights[node.input[1]]
            if not attrs.get("transB", 0):
                w = w.t()
            fc = nn.Linear(w.shape[1], w.shape[0])
            fc.weight.data, fc.bias.data = w.contiguous(), weights[node.input[2]]
            layers.append(fc)
        else:
            raise SystemExit(f"torch_bench: unsupported ONNX op {node.op_type} (the small model is a plain sequence)")
    return nn.Sequential(*layers).eval()


def time_batches(model, x, batches):
    out = {}
    with torch.inference_mode():
        for b in batches:
            xb = x[:b].contiguous()
            runs = max(5, 256 // b) if x.shape[-1] < 200 else max(3, 16 // b)
            for _ in range(2):
                model(xb)
            ms = []
            for _ in range(runs):
                t = time.perf_counter()
                model(xb)
                ms.append((time.perf_counter() - t) * 1000)
            med = float(np.median(ms))
            out[str(b)] = {"runs": runs, "msPerRun": round(med, 3), "imagesPerSecond": round(b * 1000 / med, 2)}
    return out


def main():
    mode = sys.argv[1]
    if mode == "small":
        onnx_path, data, shape, batches, threads = sys.argv[2], sys.argv[3], [int(v) for v in sys.argv[4].split(",")], [int(v) for v in sys.argv[5].split(",")], int(sys.argv[6])
        torch.set_num_threads(threads)
        x = torch.from_numpy(np.fromfile(data, dtype=np.float32).reshape(shape))
        model = from_onnx(onnx_path)
        result = {"torch": torch.__version__, "threads": torch.get_num_threads()}
        if len(sys.argv) > 7:
            ort = np.fromfile(sys.argv[7], dtype=np.float32).reshape(shape[0], -1)
            with torch.inference_mode():
                mine = model(x).numpy()
            result["maxAbsDiffVsOrt"] = float(np.abs(mine - ort).max())
            result["sameLabels"] = int((mine.argmax(1) == ort.argmax(1)).sum())
        result["batches"] = time_batches(model, x, batches)
    else:
        import torchvision

        out, batches, threads = sys.argv[2], [int(v) for v in sys.argv[3].split(",")], int(sys.argv[4])
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        model = torchvision.models.vgg16().eval()
        if not os.path.exists(out):
            torch.onnx.export(model, torch.zeros(1, 3, 224, 224), out + ".tmp", input_names=["image"], output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
            os.replace(out + ".tmp", out)
        x = torch.randn(max(batches), 3, 224, 224, generator=torch.Generator().manual_seed(1))
        result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "batches": time_batches(model, x, batches)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
