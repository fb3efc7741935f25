"""Sections remembered: a re-run restores what has not changed and runs only the rest.

So that a chapter's code can be plain library code (``model.fit(X, y)``, with no caching
call), the worker remembers the chapter's state between runs. After a section, once the
sections run since the last checkpoint took ``checkpoint-after`` seconds or more, it saves a
checkpoint keyed by the code (and first line) of that section and of every section before
it, and by everything else that can change what they computed: the helper modules those
sections import, the chapter's other inputs (the data, the versions, the thread count),
the pinned machine code, the processor, the SVG salt and the engine's own code that records
a run. A later run restores the longest prefix of unchanged sections that has a checkpoint
and runs the sections after it; editing the last section re-runs that section alone.

A checkpoint holds:

- the namespace: every name the sections bound, pickled with cloudpickle. Functions the
  chapter defines are saved by value and bound again to the chapter's namespace (so they
  see its later globals, as in a run from the start); NumPy arrays of 1 MB or more are
  stored once, by content, under ``arrays/`` (shared by every checkpoint and chapter);
- the state outside the namespace that one section can change and a later one read:
  Python's and NumPy's global random generators, ``os.environ``, ``sys.path``, the working
  directory, matplotlib's rcParams, NumPy's print options, scikit-learn's and pandas'
  options, and the files the sections wrote in the reader's folder (a closed file object
  that a ``with open(...) as f:`` block leaves comes back closed, without its name);
- what the restored sections recorded (printed text, values, figures) and how long each
  took, so that a page shows the times of the real run.

PyTorch and Keras (on PyTorch) keep state of their own, which is saved beside the rest:
PyTorch's random generator, thread count, default dtype and gradient mode; Keras's global
seed and seed generator, its layer-name counters (``conv2d_2`` is the third ``Conv2D``) and
its configuration. A Keras model is saved as Keras pickles it (its ``.keras`` zip, with the
optimizer's state) and then every variable it holds is set back, its layers' seed generators
too (the zip leaves those out, and a dropout layer draws from one), so that training a
restored model goes on exactly as in the run that saved it.

What cannot be restored is not guessed at. Once a chapter has imported a library whose
state is not saved (TensorFlow, JAX), no later checkpoint is saved; a namespace that cannot
be pickled (an open file, a generator, a Keras layer outside a model) ends the chapter's
checkpoints too. The
log says which and why; the sections after the last checkpoint then run on every re-run.
A restored array is a copy: one that was a view of another is no longer.

Checkpoints hold pickles, which run code when loaded: load only those this machine wrote
(``.cache/`` is never committed).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import json
import marshal
import os
import pickle
import random
import sys
import time
import types
from pathlib import Path

# Libraries whose state (random generators, counters, threads) a namespace does not hold and
# a checkpoint does not save (PyTorch's and Keras's is saved: ``_torch_state``, ``_keras_state``)
STATE_OUTSIDE = ("tensorflow", "jax")
ARRAY_BYTES = 1 << 20  # arrays this large are stored once, by content
ENGINE_CODE = ("worker.py", "capture.py", "figures.py", "checkpoints.py", "sections.py")
KEEP_UNUSED_ARRAYS_S = 600  # an array no checkpoint names yet may be a run's, still saving


class CannotSave(Exception):
    """This chapter's state cannot be checkpointed from here on; the message says why."""


def base_key(inputs: dict, extra: dict) -> str:
    """What every prefix key shares: the inputs but the code (the script and its helper
    modules: ``prefix_keys`` adds each where it comes in), and ``extra`` (the pins, the
    processor, the salt...), with the engine code that records a run."""
    others = {key: value for key, value in inputs.items() if key != "files"}
    here = Path(__file__).parent
    engine = {name: hashlib.sha256((here / name).read_bytes()).hexdigest()
              for name in ENGINE_CODE}
    material = json.dumps([others, extra, engine], sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()


def prefix_keys(base: str, sections, helpers: dict[str, str]) -> list[str]:
    """``keys[i]``: the key of the state after sections ``0..i``. ``helpers``: the digest
    of each helper module with those it imports, counted from the first section that
    imports it: editing a helper that only the last sections import (the site's
    bookkeeping, say) re-runs those sections, not the chapter."""
    from .inputs import imported_modules

    keys, running, seen = [], hashlib.sha256(base.encode()), set()
    for section in sections:
        new = sorted((imported_modules(section.code) & helpers.keys()) - seen)
        seen.update(new)
        running.update(json.dumps([section.name, section.line, section.code,
                                   [[name, helpers[name]] for name in new]]).encode())
        keys.append(running.copy().hexdigest()[:40])
    return keys


class Store:
    """A chapter's checkpoints in ``root/<chapter>/``, arrays in ``root/arrays/``."""

    def __init__(self, root: Path | str, chapter: str):
        self.root = Path(root)
        self.folder = self.root / chapter
        self.arrays = self.root / "arrays"

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.pkl"

    def latest(self, keys: list[str]) -> int:
        """How many sections the longest saved prefix holds (0: none)."""
        return next((i + 1 for i in reversed(range(len(keys))) if self.path(keys[i]).exists()),
                    0)

    def save(self, key: str, namespace: dict, records: list[dict], figures: dict[str, bytes],
             seconds: list[float], folder: Path, initial: dict, environ: dict) -> None:
        """Checkpoint the state after the sections of ``records``, which took ``seconds``
        each (raises ``CannotSave``). ``initial`` and ``environ``: the reader's folder and
        the environment as the worker started; what the sections changed in them is saved."""
        outside = [name for name in STATE_OUTSIDE if name in sys.modules]
        if outside:
            raise CannotSave(f"{outside[0]} is imported, and keeps state of its own that a "
                             "checkpoint cannot hold")
        names = {k: v for k, v in namespace.items()
                 if not (k.startswith("__") and k.endswith("__"))}
        head = {"outside": outside_state(folder, environ), "files": written_files(folder, initial),
                "records": records, "figures": figures, "seconds": seconds}
        buffer = io.BytesIO()
        pickle.dump(head, buffer, protocol=5)
        pickler = _pickler_class()(buffer, self.arrays)
        try:
            pickler.dump(names)
        except Exception as error:  # what pickling raises is any type: say it, go on
            raise CannotSave(f"the namespace cannot be pickled ({type(error).__name__}: "
                             f"{str(error)[:200]})") from None
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.path(key).with_suffix(".partial")
        partial.write_bytes(buffer.getvalue())
        os.replace(partial, self.path(key))
        self.path(key).with_suffix(".arrays").write_text(json.dumps(sorted(pickler.stored)))

    def restore(self, key: str, namespace: dict, out: Path, folder: Path, environ: dict,
                keep=frozenset()) -> tuple[list[dict], dict[str, bytes], list[float]]:
        """Put back the state saved under ``key``; return its records, figures and each
        section's seconds. Everything is loaded before anything is put back: a damaged
        checkpoint (raising here) leaves the process as it was. ``environ``: the worker's
        at its start. ``keep``: names of the namespace left as they are (a kernel's own)."""
        with self.path(key).open("rb") as file:
            head = pickle.load(file)
            before = dict(os.environ)
            # the environment first: a module imported while loading may read it
            set_environment(environ, head["outside"]["environ"])
            try:
                names = _Unpickler(file, self.arrays).load()
            except BaseException:
                set_environment(before, {"set": {}, "unset": []})
                raise
        restore_outside(head["outside"], folder)
        restore_files(folder, head["files"])
        for name in [n for n in namespace
                     if not (n.startswith("__") and n.endswith("__")) and n not in keep]:
            del namespace[name]
        namespace.update(names)
        for name, data in head["figures"].items():
            (out / name).write_bytes(data)
        return head["records"], head["figures"], head["seconds"]

    def prune(self, keys: list[str]) -> None:
        """Drop this chapter's checkpoints of code that is gone, and arrays that no
        checkpoint of any chapter names (unless new: a run beside this one may be saving)."""
        wanted = set(keys)
        for path in self.folder.glob("*.pkl"):
            if path.stem not in wanted:
                path.unlink(missing_ok=True)
                path.with_suffix(".arrays").unlink(missing_ok=True)
        named = set()
        for listing in self.root.glob("*/*.arrays"):
            try:
                named |= set(json.loads(listing.read_text()))
            except (OSError, ValueError):
                return  # being written: prune another time
        now = time.time()
        for path in self.arrays.glob("*.npy"):
            try:
                if path.stem not in named and now - path.stat().st_mtime > KEEP_UNUSED_ARRAYS_S:
                    path.unlink()
            except FileNotFoundError:
                pass


def _portable(path: str, folder: Path) -> str:
    """A path in this run's reader folder as ``{folder}/...``: the next run has another."""
    try:
        inside = Path(path).relative_to(folder)
    except ValueError:
        return path
    return "{folder}" + ("" if inside == Path() else "/" + inside.as_posix())


def _local(path: str, folder: Path) -> str:
    return str(folder) + path.removeprefix("{folder}") if path.startswith("{folder}") else path


def environment_changes(start: dict) -> dict:
    """What the sections changed in ``os.environ`` since ``start``: the next run keeps its
    own values of the rest (a caller's setting, which the next caller may give otherwise)."""
    return {"set": {k: v for k, v in os.environ.items() if start.get(k) != v},
            "unset": sorted(k for k in start if k not in os.environ)}


def set_environment(start: dict, changes: dict) -> None:
    os.environ.clear()
    os.environ.update(start)
    os.environ.update(changes["set"])
    for name in changes["unset"]:
        os.environ.pop(name, None)


def outside_state(folder: Path, environ: dict) -> dict:
    import matplotlib
    import numpy as np

    state = {"environ": environment_changes(environ), "path": [_portable(p, folder) for p in sys.path],
             "cwd": _portable(os.getcwd(), folder),
             "random": random.getstate(), "numpy_random": np.random.get_state(),
             "printoptions": np.get_printoptions(), "rcParams": dict(matplotlib.rcParams)}
    if "sklearn" in sys.modules:
        state["sklearn"] = sys.modules["sklearn"].get_config()
    if "pandas" in sys.modules:
        try:
            from pandas._config import config as pandas_config
        except ImportError as error:
            raise CannotSave(f"pandas' options cannot be read ({error})") from None
        state["pandas"] = copy.deepcopy(pandas_config._global_config)
    if "torch" in sys.modules:
        state["torch"] = _torch_state(sys.modules["torch"])
    if "keras" in sys.modules:
        state["keras"] = _keras_state()
    return state


def _torch_state(torch) -> dict:
    # plain values only: the head is unpickled before the chapter's environment is back, so
    # it must not import PyTorch
    return {"rng": torch.get_rng_state().numpy().copy(), "threads": torch.get_num_threads(),
            "dtype": str(torch.get_default_dtype()).removeprefix("torch."),
            "grad": torch.is_grad_enabled()}


def _restore_torch(state: dict) -> None:
    import torch

    torch.set_rng_state(torch.from_numpy(state["rng"].copy()))
    torch.set_num_threads(state["threads"])
    torch.set_default_dtype(getattr(torch, state["dtype"]))
    torch.set_grad_enabled(state["grad"])


def _keras_state() -> dict:
    import keras
    from keras.src.backend.common import global_state

    generator = global_state.get_global_attribute("global_seed_generator")
    if generator is not None:
        generator = (generator._initial_seed, keras.ops.convert_to_numpy(generator.state))
    return {"name_uids": dict(global_state.get_global_attribute("object_name_uids") or {}),
            "seed": global_state.get_global_attribute("global_random_seed"),
            "generator": generator, "floatx": keras.config.floatx(),
            "epsilon": keras.config.epsilon(),
            "image_data_format": keras.config.image_data_format(),
            "dtype_policy": keras.config.dtype_policy().name}


def _restore_keras(state: dict) -> None:
    import collections

    import keras
    from keras.src.backend.common import global_state

    keras.config.set_floatx(state["floatx"])
    keras.config.set_epsilon(state["epsilon"])
    keras.config.set_image_data_format(state["image_data_format"])
    keras.config.set_dtype_policy(state["dtype_policy"])
    generator = None
    if state["generator"] is not None:
        seed, value = state["generator"]
        generator = keras.random.SeedGenerator(seed)
        generator.state.assign(value)
    global_state.set_global_attribute("global_seed_generator", generator)
    global_state.set_global_attribute("global_random_seed", state["seed"])
    # last: making the seed generator above counted a name
    global_state.set_global_attribute(
        "object_name_uids", collections.defaultdict(int, state["name_uids"]))


def _keras_model(load, args, values, built):
    """A Keras model as Keras unpickles it, with every variable set back (its layers' seed
    generators: the zip leaves them out), and its optimizer's. ``built``: the saved model
    had built its loss and metrics (in a fit or an evaluate)."""
    model = load(*args)
    variables = _keras_variables(model)
    if len(variables) != len(values):
        raise ValueError(f"the restored Keras model has {len(variables)} variables, the saved "
                         f"one {len(values)}")
    for variable, value in zip(variables, values):
        variable.assign(value)
    if built:
        _build_without_drawing(model)
    return model


def _loss_built(model) -> bool:
    if "_symbolic_build" in vars(model):  # restored built, not yet fitted here
        return True
    return any(part is not None and part.built
               for part in (getattr(model, "_compile_loss", None),
                            getattr(model, "_compile_metrics", None)))


def _build_without_drawing(model) -> None:
    """A loaded model builds its loss and metrics again at its first fit or evaluate, from a
    first batch, and making that batch's loader draws from PyTorch's generator: a draw the
    run that saved the model made in an earlier fit. So the restored model's next build puts
    the random generators back as they were before it, and later draws are the saved run's."""
    build = model._symbolic_build

    def once(*args, **kwargs):
        import numpy as np
        import torch

        states = random.getstate(), np.random.get_state(), torch.get_rng_state()
        try:
            return build(*args, **kwargs)
        finally:
            random.setstate(states[0])
            np.random.set_state(states[1])
            torch.set_rng_state(states[2])
            object.__delattr__(model, "_symbolic_build")

    object.__setattr__(model, "_symbolic_build", once)


def _keras_variables(model) -> list:
    optimizer = getattr(model, "optimizer", None)
    return list(model.variables) + (list(optimizer.variables) if optimizer is not None else [])


def restore_outside(state: dict, folder: Path) -> None:
    import matplotlib
    import numpy as np

    sys.path[:] = [_local(p, folder) for p in state["path"]]
    os.chdir(_local(state["cwd"], folder))
    random.setstate(state["random"])
    np.random.set_state(state["numpy_random"])
    np.set_printoptions(**state["printoptions"])
    # as rc_context restores them; not the backend, which is the restoring process's choice
    # (Agg in a worker, a kernel's inline one)
    rcParams = {k: v for k, v in state["rcParams"].items() if k != "backend"}
    dict.update(matplotlib.rcParams, rcParams)
    if "sklearn" in state:
        import sklearn

        sklearn.set_config(**state["sklearn"])
    if "pandas" in state:
        from pandas._config import config as pandas_config

        pandas_config._global_config.clear()
        pandas_config._global_config.update(copy.deepcopy(state["pandas"]))
    if "torch" in state:
        _restore_torch(state["torch"])
    if "keras" in state:
        _restore_keras(state["keras"])


def folder_listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Files in the reader's folder (not links, not ``__pycache__``): size and mtime."""
    found = {}
    for path in folder.rglob("*"):
        if "__pycache__" in path.parts or path.is_symlink() or not path.is_file():
            continue
        stat = path.stat()
        found[path.relative_to(folder).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def written_files(folder: Path, initial: dict) -> dict[str, bytes | None]:
    """What the sections wrote in the reader's folder (None: a file they deleted)."""
    now = folder_listing(folder)
    changed = {name: (folder / name).read_bytes() for name, mark in now.items()
               if initial.get(name) != mark}
    return {**changed, **{name: None for name in initial if name not in now}}


def restore_files(folder: Path, files: dict[str, bytes | None]) -> None:
    for name, data in files.items():
        path = folder / name
        path.unlink(missing_ok=True)  # a link (to the data) is replaced, never written through
        if data is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def _main() -> dict:
    return sys.modules["__main__"].__dict__


def _new_function(code: bytes, name: str, cells: int):
    """A function of the chapter's, bound to the namespace it is restored into."""
    closure = tuple(types.CellType() for _ in range(cells)) or None
    return types.FunctionType(marshal.loads(code), _main(), name, None, closure)


def _closed_file(text: bool):
    """What a ``with open(...) as f:`` block leaves in ``f``: a closed file (its name and
    mode are not kept)."""
    file = io.StringIO() if text else io.BytesIO()
    file.close()
    return file


def _set_function_state(function, state: dict):
    for cell, (filled, value) in zip(function.__closure__ or (), state.pop("cells")):
        if filled:
            cell.cell_contents = value
    for attribute, value in state.items():
        setattr(function, attribute, value)
    return function


@functools.cache
def _pickler_class():
    """cloudpickle, with the chapter's functions bound to its namespace and big arrays
    stored once by content (cloudpickle is imported only where a checkpoint is saved)."""
    import cloudpickle

    class Pickler(cloudpickle.Pickler):
        def __init__(self, file, arrays: Path):
            super().__init__(file, protocol=5)
            self.arrays = arrays
            self.stored: set[str] = set()
            self.seen: dict[int, tuple] = {}
            self.keep: list = []  # ids stay unique while the dump runs

        def reducer_override(self, obj):
            if isinstance(obj, types.FunctionType) and obj.__globals__ is _main():
                cells = []
                for cell in obj.__closure__ or ():
                    try:
                        cells.append((True, cell.cell_contents))
                    except ValueError:  # a cell not yet filled
                        cells.append((False, None))
                state = {"cells": cells, "__defaults__": obj.__defaults__,
                         "__kwdefaults__": obj.__kwdefaults__, "__dict__": obj.__dict__,
                         "__doc__": obj.__doc__, "__qualname__": obj.__qualname__,
                         "__module__": obj.__module__, "__annotations__": obj.__annotations__}
                return (_new_function, (marshal.dumps(obj.__code__), obj.__name__, len(cells)),
                        state, None, None, _set_function_state)
            if isinstance(obj, io.IOBase) and obj.closed:  # `with open(...) as f:`
                return _closed_file, (isinstance(obj, io.TextIOBase),)
            keras = sys.modules.get("keras")
            if keras is not None and isinstance(obj, keras.Model):
                import numpy as np

                if keras.backend.backend() != "torch":
                    raise CannotSave(f"Keras runs on {keras.backend.backend()}, whose state a "
                                     "checkpoint does not save")

                load, args = obj.__reduce__()
                values = [np.array(keras.ops.convert_to_numpy(v))
                          for v in _keras_variables(obj)]
                return _keras_model, (load, args, values, _loss_built(obj))
            return super().reducer_override(obj)

        def persistent_id(self, obj):
            np = sys.modules.get("numpy")
            if (np is None or type(obj) is not np.ndarray or obj.nbytes < ARRAY_BYTES
                    or obj.dtype.hasobject):
                return None
            if id(obj) in self.seen:
                return self.seen[id(obj)]
            if not (obj.flags.c_contiguous or obj.flags.f_contiguous):
                return None  # pickled as NumPy pickles it (a contiguous copy)
            try:
                data = memoryview(obj if obj.flags.c_contiguous else obj.T).cast("B")
            except (TypeError, ValueError):  # a dtype no buffer takes (datetime64, say)
                return None
            digest = hashlib.blake2b(data, digest_size=20)
            digest.update(repr((obj.dtype.str, obj.shape, obj.flags.f_contiguous)).encode())
            name = digest.hexdigest()
            path = self.arrays / f"{name}.npy"
            if path.exists():
                os.utime(path)  # in use: pruning leaves it
            else:
                self.arrays.mkdir(parents=True, exist_ok=True)
                partial = self.arrays / f".{name}.{os.getpid()}.partial"
                with partial.open("wb") as handle:
                    np.save(handle, obj, allow_pickle=False)
                os.replace(partial, path)
            self.stored.add(name)
            self.keep.append(obj)
            self.seen[id(obj)] = ("array", name, len(self.seen))
            return self.seen[id(obj)]

    return Pickler


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, arrays: Path):
        super().__init__(file)
        self.arrays = arrays
        self.loaded: dict[tuple, object] = {}

    def persistent_load(self, pid):
        if pid not in self.loaded:  # one array named twice is one object again
            import numpy as np

            self.loaded[pid] = np.load(self.arrays / f"{pid[1]}.npy", allow_pickle=False)
        return self.loaded[pid]
