/** Shared by the executor's emulator tests: a GlobusComputeService with test-speed retry timing. */
import type { Emulator } from "../../emulator/emulator";
import { GlobusComputeService, type GlobusComputeServiceOptions } from "../../../core/service/globus/globusComputeService";

export function cloudService(em: Pick<Emulator, "baseUrl" | "token">, overrides: Partial<GlobusComputeServiceOptions> = {}) {
  const errors: Error[] = [];
  const service = new GlobusComputeService({
    baseUrl: em.baseUrl,
    token: async () => em.token,
    retry: { baseMs: 20, maxSleepMs: 200 },
    ...overrides,
    watcher: { reconnectMinMs: 50, reconnectMaxMs: 500, pollIntervalMs: 200, onError: (e) => errors.push(e), ...overrides.watcher },
  });
  return { service, errors };
}
