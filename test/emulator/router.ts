/** Method + path-pattern routing (`/v2/tasks/:task_id`), nothing more. */
import type { BodyLimit, Reply, Request } from "./http";

/** `compute`: Bearer token of the Compute resource server; `none`: public; `control`: the control secret. */
export type RouteAuth = "compute" | "none" | "control";

export interface Route {
  method: string;
  pattern: string;
  auth: RouteAuth;
  handler: (req: Request) => Promise<Reply> | Reply;
  /** Overrides the default request-body limit and the code of its 413. */
  bodyLimit?: BodyLimit;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { route: undefined; allowed: string[] };

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(...routes: Route[]): void {
    for (const r of routes) {
      const names: string[] = [];
      const source = r.pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:(\w+)/g, (_m, name: string) => {
        names.push(name);
        return "([^/]+)";
      });
      this.routes.push({ ...r, regex: new RegExp(`^${source}/?$`), names });
    }
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method !== method) {
        allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { route: r, params };
    }
    return { route: undefined, allowed };
  }
}
