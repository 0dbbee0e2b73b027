/**
 * The multi-module bundle format: the one place that says how the user's own modules travel inside
 * the single source text a function is registered with (`serializeCode(name, source, "st")`).
 *
 * The endpoint (ours or a real Globus Compute endpoint) only `exec`s that source in a fresh namespace
 * and looks the entry point up, so everything module semantics need is in the source itself: a
 * stdlib-only loader, written below once, installs an import hook that serves the shipped modules by
 * their own names. Each module then runs once, in its own namespace, under its own `__name__` (so
 * classes get their true `__module__` and results pickle by reference), when it is first imported.
 * The function's own file is a module too: the namespace the endpoint runs the source in takes the
 * file's module name and is registered under it, so the classes defined next to the function pickle by
 * reference as well, and load on a client as the file's own classes.
 *
 * Endpoint workers are reused, and two versions of a module (or two users' modules of the same name)
 * must never meet through `sys.modules`. Before installing, the loader forgets every module of an
 * earlier bundle and every module under the names it ships. After the call the modules must stay,
 * because the endpoint pickles the result after the function returns (by reference: pickle imports the
 * class's module again). They are forgotten when the worker's next task starts, whatever that task is:
 * an audit hook, installed once per worker process, sees the next task's function being loaded (an
 * `exec` of its source, or dill unpickling it) and forgets every bundle none of whose code is running.
 */

/** One user module as shipped: its text keeps the file's line numbers (what is not shipped is blanked). */
export interface BundledModuleSource {
  /** Its import name, `lab.units`. */
  name: string;
  /** The local file it comes from: frames of tracebacks name it, so they point at the workspace. */
  path: string;
  isPackage: boolean;
  source: string;
}

/** The module name of code run as a script or in a notebook's kernel: never registered (the worker has its own). */
export const MAIN_MODULE = "__main__";

/** Marks the namespaces of a bundle's code (its modules' and the entry's): a frame in one means the bundle is running. */
const MARK = "__globus_compute_bundle__";
/** The finder's method that forgets its bundle. */
const FORGET = "globus_compute_forget";
/** The audit event by which a bundle asks whether the worker's audit hook is installed. */
const ASK = "globus_compute.bundle";

/**
 * The audit hook (run in a namespace of its own, so it keeps no bundle alive): when a task's function
 * is loaded (`exec` of a source, or dill unpickling one) and no code of a bundle is on the stack, it is
 * the next task starting, so the bundles still installed are forgotten. Neither other unpickling nor a
 * module's code run by an import is a sign: the endpoint unpickles a task's arguments after loading its
 * function, and they may name any class (a `datetime.date`, whose module is then imported). Never
 * raises: an audit hook that raises fails the event.
 */
const AUDIT_HOOK = `def hook(event, args):
    if event == ${pythonString(ASK)}:
        args[0].append(True)
    elif event == "exec" or (event == "pickle.find_class" and str(args[0]).partition(".")[0] == "dill"):
        try:
            finders = [f for f in sys.meta_path if hasattr(f, ${pythonString(FORGET)})]
            frame = sys._getframe(1) if finders else None
            while frame is not None:
                if ${pythonString(MARK)} in frame.f_globals or frame.f_globals.get("__name__", "").startswith("importlib._bootstrap"):
                    return
                frame = frame.f_back
            for finder in finders:
                finder.${FORGET}()
        except Exception:
            pass
`;

// Kept small and stdlib-only: it runs on every endpoint, whatever its Python (3.8+).
const LOADER = `def __globus_compute_modules__(entry, is_package, namespace, modules):
    import linecache, sys
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    class BundledModules:
        def find_spec(self, name, path=None, target=None):
            found = modules.get(name)
            if found is None:
                return None
            spec = ModuleSpec(name, self, origin=found[0], is_package=found[1])
            spec.has_location = True
            return spec
        def create_module(self, spec):
            return None
        def exec_module(self, module):
            path, _, source = modules[module.__name__]
            module.__dict__["${MARK}"] = True
            if module.__name__ == parent:
                setattr(module, child, entry_module)
            exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
        def get_source(self, name):
            return modules[name][2]
        def ${FORGET}(self):
            for key, module in list(sys.modules.items()):
                if key.partition(".")[0] in tops or getattr(module, "__dict__", {}).get("${MARK}"):
                    del sys.modules[key]
            sys.meta_path[:] = [f for f in sys.meta_path if not hasattr(f, "${FORGET}")]
    class EntryModule(ModuleType):
        def __getattr__(self, name):
            try:
                return namespace[name]
            except KeyError:
                raise AttributeError(name) from None
    namespace["${MARK}"] = True
    namespace["__name__"] = entry
    tops = set(name.partition(".")[0] for name in modules)
    parent, _, child = entry.rpartition(".")
    if entry != "${MAIN_MODULE}":
        tops.add(entry.partition(".")[0])
    for finder in list(sys.meta_path):
        if hasattr(finder, "${FORGET}"):
            finder.${FORGET}()
    hook = BundledModules()
    hook.${FORGET}()
    sys.meta_path.insert(0, hook)
    for path, _, source in modules.values():
        linecache.cache[path] = (len(source), None, source.splitlines(True), path)
    if entry != "${MAIN_MODULE}":
        entry_module = EntryModule(entry)
        entry_module.${MARK} = True
        if is_package:
            entry_module.__path__ = []
        sys.modules[entry] = entry_module
    installed = []
    sys.audit("${ASK}", installed)
    if not installed:
        scope = {"sys": sys}
        exec('''${AUDIT_HOOK}''', scope)
        sys.addaudithook(scope["hook"])`;

/**
 * The lines that make the entry's namespace the module `entry` and install `modules` (to put after the
 * entry's `from __future__` imports and before the rest of its text). Each module takes one line. Code
 * run as `__main__` with no modules only needs its name.
 */
export function moduleLoaderLines(entry: string, isPackage: boolean, modules: readonly BundledModuleSource[]): string[] {
  if (modules.length === 0 && entry === MAIN_MODULE) return [`__name__ = ${pythonString(MAIN_MODULE)}`];
  const table = modules.map((m) => `    ${pythonString(m.name)}: (${pythonString(m.path)}, ${m.isPackage ? "True" : "False"}, ${pythonString(m.source)}),`);
  return [...LOADER.split("\n"), `__globus_compute_modules__(${pythonString(entry)}, ${isPackage ? "True" : "False"}, globals(), {`, ...table, "})", "del __globus_compute_modules__"];
}

/**
 * A Python string literal for `text` on one line. JSON's escapes are all valid in Python, and JSON
 * escapes a lone surrogate as `\\udXXX`, which Python reads back as the same code unit.
 */
function pythonString(text: string): string {
  return JSON.stringify(text);
}
