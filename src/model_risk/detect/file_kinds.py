"""Which files each built-in detector reads, decided from the name alone.

The detectors' ``accepts`` are these functions, and the built-in plugins register their detectors with
them (:class:`model_risk.detect.lazy.LazyDetector`): the walk chooses files before any detector module
is loaded, so a scan loads only the detectors its files need (a pre-commit run on one Python file
loads neither the Markdown nor the YAML detector). Nothing here may import more than the standard
library's string methods need.
"""

from __future__ import annotations

#: The user's policy (model-risk's own configuration), not dependencies.
OWN_CONFIG = (".model-risk.yaml", ".model-risk.yml")
JAVASCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
#: Where a Hub link is a dependency: code, configuration and scripts (documents have their own detectors).
HUB_URL_SUFFIXES = (".py", ".pyi", ".yaml", ".yml", ".json", ".toml", ".cfg", ".ini", ".sh", ".bash", ".zsh",
                    ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".mts", ".cts")
#: Files whose text the door detectors (Ollama, hosting providers, ModelScope) read: code, configuration
#: and scripts; documentation has its own door detector, which ``docs: false`` turns off.
DOOR_CODE_SUFFIXES = (".py", ".pyi", ".ipynb", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx", ".yaml",
                      ".yml", ".json", ".toml", ".sh", ".bash", ".zsh", ".env", ".cfg", ".ini", ".conf", ".dockerfile")
_DOOR_CODE_NAMES = frozenset({"Dockerfile", "Containerfile", "Makefile", ".env", ".envrc", "Procfile"})
#: model-risk's own files and package managers' lockfiles: never a door's use.
_NOT_A_DOOR = frozenset({".model-risk.yaml", ".model-risk.yml", ".model-risk-baseline.json", "package-lock.json",
                         "pnpm-lock.yaml", "composer.lock"})
_SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".env", ".dockerfile", ".mk")
_SCRIPT_NAMES = frozenset({"Dockerfile", "Containerfile", "Makefile", "GNUmakefile", "makefile", "Procfile",
                           ".env", ".envrc"})


def python(filename: str) -> bool:
    return filename.endswith((".py", ".pyi"))


def yaml(filename: str) -> bool:
    return filename.endswith((".yaml", ".yml")) and filename not in OWN_CONFIG


def json(filename: str) -> bool:
    return filename.endswith((".json", ".jsonc")) and filename != "package-lock.json"


def toml(filename: str) -> bool:
    return filename.endswith(".toml")


def javascript(filename: str) -> bool:
    return filename.endswith(JAVASCRIPT_SUFFIXES) and not filename.endswith(".min.js")


def markdown(filename: str) -> bool:
    return filename.endswith((".md", ".mdx", ".markdown"))


def rst(filename: str) -> bool:
    return filename.endswith((".rst", ".rest"))


def notebook(filename: str) -> bool:
    return filename.endswith(".ipynb")


def shell(filename: str) -> bool:
    """Shell scripts, Dockerfiles, Makefiles, Procfiles and .env files."""
    return (filename in _SCRIPT_NAMES or filename.endswith(_SCRIPT_SUFFIXES)
            or filename.startswith(("Dockerfile.", "Containerfile.", ".env.")))


def hub_url(filename: str) -> bool:
    return filename not in OWN_CONFIG and (filename.endswith(HUB_URL_SUFFIXES) or shell(filename))


def door_code(filename: str) -> bool:
    """Code, configuration and scripts, where a door detector looks for Ollama, hosted or ModelScope models."""
    return filename not in _NOT_A_DOOR and (filename.endswith(DOOR_CODE_SUFFIXES) or filename in _DOOR_CODE_NAMES
                                            or filename.startswith(("Dockerfile.", "Containerfile.", ".env.")))


def modelfile(filename: str) -> bool:
    """Ollama's ``Modelfile`` (also ``Modelfile.NAME``, ``NAME.modelfile``)."""
    return filename == "Modelfile" or filename.startswith("Modelfile.") or filename.lower().endswith(".modelfile")


def ollama(filename: str) -> bool:
    return modelfile(filename) or door_code(filename)


def door_document(filename: str) -> bool:
    return filename.endswith((".md", ".mdx", ".rst"))
