"""Import definition modules (dashboards/*.py, alerts/*.py) and turn their failures into one
line naming the file and line, never a traceback."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from generator.errors import DefinitionError


def discover(directory: Path) -> list[Path]:
    """Definition modules in a directory: every *.py not starting with an underscore."""
    if not directory.is_dir():
        raise DefinitionError(f"{directory}: definitions directory not found")
    return sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))


def slug_of(path: Path) -> str:
    return path.stem.replace("_", "-")


def _where(exc: BaseException, path: Path) -> str:
    """file:line of the deepest frame inside the definition file (else the file itself)."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = frame.lineno
    return f"{path}:{line}" if line else str(path)


def load_module(path: Path, package: str) -> ModuleType:
    """Import one definition file as `package.<stem>`."""
    name = f"{package}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DefinitionError(f"{path}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise DefinitionError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except SystemExit as exc:
        sys.modules.pop(name, None)
        raise DefinitionError(_exit_message(exc, path)) from None
    except Exception as exc:  # noqa: BLE001 - any failure of user code becomes one line
        sys.modules.pop(name, None)
        raise DefinitionError(f"{_where(exc, path)}: {type(exc).__name__}: {exc}") from None
    return module


def call_definition(path: Path, module: ModuleType, function: str, *args: Any) -> Any:
    """Call the module's definition function, reporting user errors with file and line."""
    func: Callable[..., Any] | None = getattr(module, function, None)
    if not callable(func):
        raise DefinitionError(f"{path}: defines no `{function}(config)` function")
    try:
        return func(*args)
    except SystemExit as exc:
        raise DefinitionError(_exit_message(exc, path)) from None
    except Exception as exc:  # noqa: BLE001
        raise DefinitionError(f"{_where(exc, path)}: {type(exc).__name__}: {exc}") from None


def _exit_message(exc: SystemExit, path: Path) -> str:
    # Letting it through would exit with the definition's code, silently (3 is deploy's drift code).
    return (f"{_where(exc, path)}: called sys.exit({exc.code!r}); a definition returns its result and "
            "must not exit (raise an exception to report a problem)")
