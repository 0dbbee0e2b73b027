/**
 * The user's project as Python sees it: which of the workspace's files an import names. The closure
 * asks it "where does `lab.units` come from?"; a name it cannot find is the standard library's or a
 * third party's, and stays an import.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve as resolvePath, sep } from "node:path";
import { MAIN_MODULE } from "./bundleFormat";

/** What the resolver reads: the file system, with the editor's unsaved documents over it. */
export interface SourceFiles {
  /** The text of a file, or undefined when it is not a readable file. */
  read(path: string): string | undefined;
  kind(path: string): "file" | "dir" | undefined;
  /** Entry names of a directory (empty when it is not one). */
  list(dir: string): string[];
}

export type ModuleKind = "module" | "package" | "namespace" | "extension";

export interface ResolvedModule {
  name: string;
  kind: ModuleKind;
  /** The module's file (`__init__.py` for a package, the shared library for an extension); none for a namespace package. */
  path?: string;
  /** Where its submodules are looked up (a package's `__path__`). */
  searchPaths: string[];
}

/** Where Python looks for the project's modules, in `sys.path` order. */
export interface SourceRootOptions {
  /** Workspace folders (absolute paths). */
  folders: readonly string[];
  /** Extra roots (`globusCompute.python.extraPaths`, else `python.analysis.extraPaths`), absolute or relative to the first folder. */
  extraPaths?: readonly string[];
}

const EXTENSION_SUFFIX = /\.(?:cpython-[^.]*|abi3|cp\d+-[^.]*)?\.?(?:so|pyd)$/;

export class ModuleResolver {
  private readonly memo = new Map<string, ResolvedModule | null>();

  constructor(
    readonly roots: readonly string[],
    private readonly files: SourceFiles,
  ) {}

  /**
   * The module for an absolute import name, as the import system would find it on `roots`: per root,
   * a regular package wins over a module file; namespace portions count only when no root has
   * either, and only when the directory holds Python files (so a data folder named like an installed
   * package does not hide it).
   */
  resolve(name: string): ResolvedModule | undefined {
    const hit = this.memo.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const dot = name.lastIndexOf(".");
    let found: ResolvedModule | undefined;
    if (dot < 0) found = this.find(name, name, this.roots);
    else {
      const parent = this.resolve(name.slice(0, dot));
      if (parent && parent.kind !== "module" && parent.kind !== "extension") found = this.find(name, name.slice(dot + 1), parent.searchPaths);
    }
    this.memo.set(name, found ?? null);
    return found;
  }

  private find(name: string, last: string, dirs: readonly string[]): ResolvedModule | undefined {
    const portions: string[] = [];
    for (const dir of dirs) {
      const pkg = join(dir, last);
      if (this.files.kind(pkg) === "dir") {
        const init = join(pkg, "__init__.py");
        if (this.files.kind(init) === "file") return { name, kind: "package", path: init, searchPaths: [pkg] };
      }
      const file = join(dir, `${last}.py`);
      if (this.files.kind(file) === "file") return { name, kind: "module", path: file, searchPaths: [] };
      const extension = this.files.list(dir).find((f) => f.startsWith(`${last}.`) && EXTENSION_SUFFIX.test(f.slice(last.length)));
      if (extension) return { name, kind: "extension", path: join(dir, extension), searchPaths: [] };
      if (this.files.kind(pkg) === "dir" && this.holdsPython(pkg)) portions.push(pkg);
    }
    return portions.length ? { name, kind: "namespace", searchPaths: portions } : undefined;
  }

  private holdsPython(dir: string): boolean {
    return this.files.list(dir).some((f) => f.endsWith(".py") || this.files.kind(join(dir, f)) === "dir");
  }
}

/** An importable name: what a file or package directory must be called to be a module. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The import name of the file at `path` and the roots to resolve its imports on. A file in a package
 * (its directory has `__init__.py`) is named from the top of the package chain, as `python -m` run from
 * that package's parent would; a loose file is a top-level module of its own directory (sys.path[0]
 * when Python runs it as a script, or a notebook's kernel directory).
 */
export function locateModule(path: string, options: SourceRootOptions, files: SourceFiles): { name: string; isPackage: boolean; roots: string[] } {
  const folders = options.folders.map((f) => resolvePath(f));
  const base = folders[0] ?? dirname(path);
  const extra = (options.extraPaths ?? []).map((p) => (isAbsolute(p) ? p : resolvePath(base, p)));
  const file = path.split(sep).pop() ?? path;
  const isPackage = file === "__init__.py";
  const stem = /\.pyi?$/.test(file) ? file.replace(/\.pyi?$/, "") : "";
  // A notebook's cells run in its kernel's __main__, from the notebook's directory; a file whose name is
  // no identifier cannot be imported, only run as a script.
  const script = !isPackage && !IDENTIFIER.test(stem);
  const parts = isPackage || script ? [] : [stem];
  let dir = dirname(path);
  while (!script && files.kind(join(dir, "__init__.py")) === "file" && IDENTIFIER.test(dir.split(sep).pop() ?? "")) {
    parts.unshift(dir.split(sep).pop()!);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const srcs = folders.map((f) => join(f, "src")).filter((s) => files.kind(s) === "dir");
  const roots = unique([dir, ...extra, ...folders, ...srcs]);
  return { name: parts.join(".") || MAIN_MODULE, isPackage, roots };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The absolute name of a relative import (`..pkg.mod` in `lab.sub.analysis`), or undefined when it goes above the top package. */
export function absoluteImportName(relative: string, fromModule: string, fromIsPackage: boolean): string | undefined {
  const level = /^\.*/.exec(relative)![0].length;
  const rest = relative.slice(level);
  const pkg = fromModule.split(".");
  if (!fromIsPackage) pkg.pop();
  if (level - 1 >= pkg.length) return undefined; // "attempted relative import beyond top-level package"
  const base = pkg.slice(0, pkg.length - (level - 1));
  return [...base, ...(rest ? [rest] : [])].join(".");
}

/**
 * The file system, with a short-lived memo: one bundle asks about the same directories many times,
 * and an editor's next request must see files saved meanwhile.
 */
export function fileSystemSources(overlay: (path: string) => string | undefined = () => undefined): SourceFiles {
  const kinds = new Map<string, "file" | "dir" | undefined>();
  const listings = new Map<string, string[]>();
  return {
    read(path) {
      const open = overlay(path);
      if (open !== undefined) return open;
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
    kind(path) {
      if (kinds.has(path)) return kinds.get(path);
      let k: "file" | "dir" | undefined;
      if (overlay(path) !== undefined) k = "file";
      else {
        try {
          const s = statSync(path);
          k = s.isFile() ? "file" : s.isDirectory() ? "dir" : undefined;
        } catch {
          k = undefined;
        }
      }
      kinds.set(path, k);
      return k;
    },
    list(dir) {
      let l = listings.get(dir);
      if (!l) {
        try {
          l = readdirSync(dir);
        } catch {
          l = [];
        }
        listings.set(dir, l);
      }
      return l;
    },
  };
}
