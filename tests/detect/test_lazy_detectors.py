"""Built-in detectors are registered by name: a scan loads only the detector modules its files need."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

from model_risk.app.plugins import load_plugins
from model_risk.detect.lazy import LazyDetector

NAMES = ["README.md", "app.py", "types.pyi", "serve.yaml", ".model-risk.yaml", "package.json", "package-lock.json",
         "pyproject.toml", "index.ts", "bundle.min.js", "guide.rst", "demo.ipynb", "Dockerfile", "Dockerfile.gpu",
         "run.sh", ".env", "Makefile", "notes.txt", "image.png", "Modelfile", "llama.modelfile", "Procfile"]


def test_each_built_in_detector_stands_in_for_its_class_exactly():
    for name, detector in load_plugins().detectors.items():
        assert isinstance(detector, LazyDetector)
        implementation = detector.implementation
        assert implementation.name == name
        assert implementation.documentation == detector.documentation
        assert implementation.description == detector.description
        assert [implementation.accepts(n) for n in NAMES] == [detector.accepts(n) for n in NAMES]
        copy = pickle.loads(pickle.dumps(detector))  # as it travels to a worker process
        assert copy.name == name and [copy.accepts(n) for n in NAMES] == [detector.accepts(n) for n in NAMES]


def test_a_scan_of_one_python_file_loads_only_the_detectors_it_needs(tmp_path):
    (tmp_path / "app.py").write_text('from transformers import AutoModel\nAutoModel.from_pretrained("gpt2")\n')
    probe = ("import sys, io, contextlib; from model_risk.cli import run\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    run(['scan', '--offline', '--quiet', '--fail-on', 'never', '--', 'app.py'])\n"
             "print(__import__('json').dumps(sorted(m for m in sys.modules if m.startswith('model_risk.detect.'))))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True,
                          env={"MODEL_RISK_CACHE_DIR": str(tmp_path / "cache"), "HOME": str(tmp_path),
                               "PATH": "/usr/bin:/bin"})
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "model_risk.detect.python_source" in loaded
    assert not loaded & {"model_risk.detect.markdown", "model_risk.detect.rst", "model_risk.detect.notebooks",
                         "model_risk.detect.javascript", "model_risk.detect.config_files"}
