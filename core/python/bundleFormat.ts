/**
 * The multi-module bundle format: the one place that says how the user's own modules travel inside
 * the single source text a function is registered with (`serializeCode(name, source, "st")`).
 *
 * The endpoint (ours or a real Globus Compute endpoint) only `exec`s that source and looks the entry
 * point up, so everything module semantics need is in the source itself: a stdlib-only loader,
 * written below once, installs an import hook that serves the shipped modules by their own names.
 * Each module then runs once, in its own namespace, under its own `__name__` (so classes get their
 * true `__module__` and results pickle by reference), when it is first imported. Before installing,
 * the loader forgets every module of an earlier bundle and every module under the names it ships:
 * endpoint workers are reused, and two versions of a module (or two users' modules of the same name)
 * must never meet through `sys.modules`. The modules stay importable after the entry point returns,
 * because the endpoint pickles the result after that; the local worker forgets them after each task
 * (`globus_compute_forget`, core/local/worker.py), a real endpoint at the next bundle.
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

/** Attribute of the loader's import hook; the worker calls it to forget a bundle's modules. */
export const FORGET_HOOK = "globus_compute_forget";

// Kept small and stdlib-only: it runs on every endpoint, whatever its Python (3.8+).
const LOADER = `def __globus_compute_modules__(modules):
    import linecache, sys
    from importlib.machinery import ModuleSpec
    class BundledModules:
        def find_spec(self, name, path=None, target=None):
            entry = modules.get(name)
            if entry is None:
                return None
            spec = ModuleSpec(name, self, origin=entry[0], is_package=entry[1])
            spec.has_location = True
            return spec
        def create_module(self, spec):
            return None
        def exec_module(self, module):
            path, _, source = modules[module.__name__]
            module.__dict__["__globus_compute_bundle__"] = True
            exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
        def get_source(self, name):
            return modules[name][2]
        def ${FORGET_HOOK}(self):
            for key, module in list(sys.modules.items()):
                if key.partition(".")[0] in tops or getattr(module, "__dict__", {}).get("__globus_compute_bundle__"):
                    del sys.modules[key]
            sys.meta_path[:] = [f for f in sys.meta_path if not hasattr(f, "${FORGET_HOOK}")]
    tops = set(name.partition(".")[0] for name in modules)
    for finder in list(sys.meta_path):
        if hasattr(finder, "${FORGET_HOOK}"):
            finder.${FORGET_HOOK}()
    hook = BundledModules()
    hook.${FORGET_HOOK}()
    sys.meta_path.insert(0, hook)
    for path, _, source in modules.values():
        linecache.cache[path] = (len(source), None, source.splitlines(True), path)`;

/**
 * The lines that install `modules` (to put after the entry's `from __future__` imports and before the
 * rest of its text); none when there are no modules. Each module takes one line.
 */
export function moduleLoaderLines(modules: readonly BundledModuleSource[]): string[] {
  if (modules.length === 0) return [];
  const table = modules.map((m) => `    ${pythonString(m.name)}: (${pythonString(m.path)}, ${m.isPackage ? "True" : "False"}, ${pythonString(m.source)}),`);
  return [...LOADER.split("\n"), "__globus_compute_modules__({", ...table, "})", "del __globus_compute_modules__"];
}

/**
 * A Python string literal for `text` on one line. JSON's escapes are all valid in Python, and JSON
 * escapes a lone surrogate as `\\udXXX`, which Python reads back as the same code unit.
 */
function pythonString(text: string): string {
  return JSON.stringify(text);
}
