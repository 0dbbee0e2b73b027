/** One line of the extension-host results file (written by host/index.ts, read by harness.ts). */
export type HostTestRecord =
  | { type: "test"; title: string; state: "passed" | "failed" | "pending"; durationMs: number; error?: string }
  | { type: "end"; failed: number }
  /** Figures a test measured (e.g. event-loop delay), printed by the harness as diagnostics. */
  | { type: "figures"; name: string; values: Record<string, number> };
