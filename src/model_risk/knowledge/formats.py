"""Weight formats from a repo's file names.

Pickle-based formats can run code when loaded; safetensors, GGUF and ONNX cannot. Sources: the Hub's
pickle scanning docs (https://huggingface.co/docs/hub/security-pickle) and huggingface_hub's own
constant comment ``pytorch_model{suffix}.bin  # Unsafe pickle: use safetensors instead``.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Formats a model can be loaded from without unpickling anything.
SAFE_FORMATS = frozenset({"safetensors", "gguf", "onnx"})
PICKLE = "pickle"

_SUFFIXES = {
    ".safetensors": "safetensors",
    ".gguf": "gguf",
    ".onnx": "onnx",
    ".pt": PICKLE,
    ".pth": PICKLE,
    ".ckpt": PICKLE,
    ".pkl": PICKLE,
    ".pickle": PICKLE,
    ".h5": "keras-h5",
    ".keras": "keras",
    ".msgpack": "flax",
    ".tflite": "tflite",
    ".mlmodel": "coreml",
    ".ot": "rust",
    ".npz": "numpy",
}


def weight_format(filename: str) -> str | None:
    name = filename.rsplit("/", 1)[-1].lower()
    if name.endswith(".bin"):
        # PyTorch's pickled state dicts; other .bin files (OpenVINO, CoreML, ggml) are raw tensors.
        if name.startswith(("pytorch_model", "diffusion_pytorch_model", "adapter_model", "pytorch_lora")):
            return PICKLE
        if name == "openvino_model.bin":
            return "openvino"
        return None
    if name == "openvino_model.xml":
        return "openvino"
    dot = name.rfind(".")
    return _SUFFIXES.get(name[dot:]) if dot > 0 else None


def weight_formats(filenames: Iterable[str]) -> set[str]:
    return {fmt for fmt in map(weight_format, filenames) if fmt is not None}


def pickle_only(formats: Iterable[str]) -> bool:
    present = set(formats)
    return PICKLE in present and not (present & SAFE_FORMATS)
