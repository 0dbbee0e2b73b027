/**
 * How an endpoint row looks: its status in the description (online/offline, idle of total workers,
 * pending tasks), an icon for the state, a tooltip with the status details and the endpoint's metadata,
 * and, when something is wrong, a click that runs the fix (sign in, consent, pick another endpoint).
 */
import type { EndpointEntry } from "../../core/endpoints/endpointDirectory";
import type { EndpointProblem } from "../../core/endpoints/endpointProblem";
import type { EndpointMetadata } from "../../core/endpoints/endpointRecords";
import { describeProbe } from "../../core/endpoints/environmentProbe";
import type { EndpointStatus } from "../../core/service/computeService";
import type { GlobusComputeSettings } from "../state/settings";
import { codeSpan } from "../util/format";
import type { TreeItemData } from "../vscode/treeItemData";
import type { EndpointRow } from "./endpointViewModel";
import type { ProbeEntry } from "./environmentProbes";
import { summary } from "./configurationChooser";
import type { CheckedConfiguration } from "./endpointConfigurations";
import type { InterpreterSource, LocalInterpreter } from "./localInterpreter";

export interface FixCommand {
  title: string;
  command: string;
  arguments?: unknown[];
}

/** The action that fixes a problem, if one does. */
export function problemFix(problem: EndpointProblem): FixCommand | undefined {
  switch (problem.code) {
    case "NOT_SIGNED_IN":
      return { title: "Sign In", command: "globusCompute.signIn" };
    case "CONSENT_REQUIRED":
      return { title: "Sign In Again to Consent", command: "globusCompute.signIn" };
    case "NOT_FOUND":
    case "FORBIDDEN":
      return { title: "Select Another Endpoint", command: "globusCompute.selectEndpoint" };
    case "RATE_LIMITED":
    case "UNREACHABLE":
    case "FAILED":
      return { title: "Refresh", command: "globusCompute.refreshEndpoints" };
  }
}

/** What a problem means for one endpoint, in a few words. */
export function problemLabel(problem: EndpointProblem): string {
  switch (problem.code) {
    case "NOT_SIGNED_IN":
      return "sign in to see its status";
    case "CONSENT_REQUIRED":
      return "consent needed";
    case "NOT_FOUND":
      return "deleted, or not visible to you";
    case "FORBIDDEN":
      return "not allowed for you";
    case "RATE_LIMITED":
      return "rate limited, retrying";
    case "UNREACHABLE":
      return "service unreachable";
    case "FAILED":
      return "status unknown";
  }
}

/** `online · 3 of 4 idle · 2 pending`. */
export function statusSummary(status: EndpointStatus): string {
  const d = status.details;
  const parts = [status.status];
  if (status.status === "online" && d?.total_workers !== undefined) parts.push(`${d.idle_workers ?? 0} of ${d.total_workers} idle`);
  if (d?.pending_tasks) parts.push(`${d.pending_tasks} pending`);
  return parts.join(" · ");
}

const INTERPRETER_ORIGIN: Record<InterpreterSource, string> = {
  "python-extension": "the interpreter selected in the Python extension",
  venv: "the workspace's virtual environment",
  setting: "`globusCompute.local.pythonPath`",
  path: "`python3` on PATH",
};

export function localEndpointItem(
  row: EndpointRow,
  settings: GlobusComputeSettings,
  status: EndpointStatus | undefined,
  statusError: string | undefined,
  interpreter?: LocalInterpreter,
  /** The latest probe of this very interpreter. */
  probe?: ProbeEntry,
  inspecting = false,
): TreeItemData {
  const python = interpreter?.python ?? (settings.local.pythonPath || "python3");
  // `Python 3.11 · .venv`: the version once a probe told it, and where the interpreter came from.
  const version = probe?.probe.pythonMajorMinor.join(".");
  const interpreterLabel = `Python${version ? ` ${version}` : ""}${interpreter ? ` · ${interpreter.sourceLabel}` : ""}`;
  const from = interpreter ? ` (from ${INTERPRETER_ORIGIN[interpreter.source]})` : "";
  const skipped = interpreter?.skippedUntrusted
    ? `\n\n${codeSpan(interpreter.skippedUntrusted)} is not used: this workspace is not trusted.`
    : "";
  const d = status?.details;
  const workers =
    d?.total_workers !== undefined
      ? `${d.idle_workers ?? 0} of ${d.total_workers} workers idle${d.pending_tasks ? ` · ${d.pending_tasks} waiting` : ""}`
      : `${settings.local.workers} workers`;
  return {
    id: "endpoint/local",
    label: row.name,
    description: `this machine · ${interpreterLabel} · ${workers}${inspecting ? ` · ${INSPECTING}` : ""}${row.selected ? " · selected" : ""}`,
    tooltip: `**Local endpoint**: runs functions on this machine with ${settings.local.workers} workers of ${codeSpan(python)}${from}.${skipped}${
      statusError ? `\n\nStatus: ${statusError}` : ""
    }${probe ? `\n\n${probeLine(probe, Date.now())}` : ""}`,
    icon: { id: row.selected ? "pass-filled" : "vm" },
    contextValue: row.selected ? "endpoint.local.selected" : "endpoint.local",
    collapsible: "none",
  };
}

/** Said on a row while its environment probe runs. */
const INSPECTING = "inspecting environment…";

export function cloudEndpointItem(row: EndpointRow, entry: EndpointEntry, now = Date.now(), probe?: ProbeEntry, inspecting = false): TreeItemData {
  const status = entry.status?.value;
  const problem = entry.statusProblem;
  const parts: string[] = [];
  if (row.owned) parts.push("yours");
  if (problem) parts.push(problemLabel(problem));
  else if (status) parts.push(statusSummary(status));
  if (inspecting) parts.push(INSPECTING);
  if (row.selected) parts.push("selected");
  const fix = problem && problemFix(problem);
  const metadata = entry.metadata?.value;
  return {
    id: `endpoint/${row.id}`,
    label: row.name,
    description: parts.join(" · "),
    tooltip: cloudTooltip(row, entry, now) + (probe ? `\n- ${probeLine(probe, now)}` : ""),
    icon: row.selected
      ? { id: "pass-filled" }
      : problem
        ? { id: "warning", color: "problemsWarningIcon.foreground" }
        : status?.status === "online"
          ? { id: metadata?.multiUser ? "organization" : "cloud", color: "testing.iconPassed" }
          : status
            ? { id: "cloud-offline", color: "disabledForeground" }
            : { id: metadata?.multiUser ? "organization" : "cloud" },
    contextValue: `endpoint.cloud${row.selected ? ".selected" : ""}`,
    collapsible: "none",
    ...(fix ? { command: { command: fix.command, title: fix.title, arguments: fix.arguments } } : {}),
  };
}

/** A named configuration under its endpoint: valid, or the first problem (all in the tooltip). */
export function configurationItem(row: EndpointRow, { configuration, issues }: CheckedConfiguration, probe?: ProbeEntry, now = Date.now()): TreeItemData {
  const values = summary(configuration);
  const validity = issues === undefined ? "not checked yet" : issues.length ? `invalid: ${issues[0]}` : "valid";
  // The environment it gave (its own probe), e.g. `valid · Python 3.11 · account=abc`.
  const state = probe ? `${validity} · Python ${probe.probe.pythonMajorMinor.join(".")}` : validity;
  const problems = issues?.length ? `\n\nNot valid for ${escape(row.name)}:\n${issues.map((i) => `- ${escape(i)}`).join("\n")}` : "";
  return {
    id: `endpoint/${row.id}/configuration/${configuration.name}`,
    label: configuration.name,
    description: `${state}${values ? ` · ${values}` : ""}`,
    tooltip: `**${escape(configuration.name)}** (configuration of ${escape(row.name)})${configuration.description ? `\n\n${escape(configuration.description)}` : ""}\n\n${codeSpan(JSON.stringify(configuration.userEndpointConfig))}${problems}${probe ? `\n\n${probeLine(probe, now)}` : ""}`,
    icon: issues?.length ? { id: "error", color: "problemsErrorIcon.foreground" } : { id: "settings" },
    contextValue: "endpoint.configuration",
    collapsible: "none",
    command: { command: "globusCompute.openEndpointConfigurations", title: "Open Configurations" },
  };
}

function cloudTooltip(row: EndpointRow, entry: EndpointEntry, now: number): string {
  const lines = [`**${escape(row.name)}**${row.owned ? " (yours)" : row.listed ? " (shared with you)" : ""}`, "", `- Endpoint id: ${codeSpan(row.id)}`];
  const status = entry.status;
  if (status) {
    const d = status.value.details;
    lines.push(`- Status: **${status.value.status}** (${ago(now - status.at)})`);
    if (d) {
      const counts = [
        d.total_workers !== undefined ? `${d.total_workers} workers, ${d.idle_workers ?? 0} idle` : undefined,
        d.pending_tasks !== undefined ? `${d.pending_tasks} pending` : undefined,
        d.outstanding_tasks !== undefined ? `${d.outstanding_tasks} outstanding` : undefined,
        d.managers !== undefined ? `${d.managers} manager${d.managers === 1 ? "" : "s"}` : undefined,
      ].filter(Boolean);
      if (counts.length) lines.push(`- ${counts.join(", ")}`);
    }
  }
  if (entry.statusProblem) {
    const fix = problemFix(entry.statusProblem);
    lines.push(`- ${escape(entry.statusProblem.message)}${fix ? ` (click: ${fix.title})` : ""}`);
  }
  const m = entry.metadata?.value;
  if (m) lines.push(...metadataLines(m));
  else if (entry.metadataProblem) lines.push(`- Details: ${escape(entry.metadataProblem.message)}`);
  return lines.join("\n");
}

function metadataLines(m: EndpointMetadata): string[] {
  const kind = [m.multiUser ? "multi-user" : "single-user", m.highAssurance ? "high-assurance" : undefined, m.public ? "public" : "private"]
    .filter(Boolean)
    .join(", ");
  const lines = [`- ${kind}`];
  if (m.description) lines.push(`- ${escape(m.description)}`);
  if (m.hostname) lines.push(`- Host: ${codeSpan(m.hostname)}${m.localUser ? ` as ${codeSpan(m.localUser)}` : ""}`);
  const versions = [
    m.endpointVersion ? `endpoint ${m.endpointVersion}` : undefined,
    m.sdkVersion ? `SDK ${m.sdkVersion}` : undefined,
    m.pythonVersion ? `Python ${m.pythonVersion}` : undefined,
  ].filter(Boolean);
  if (versions.length) lines.push(`- ${versions.join(", ")}`);
  if (m.multiUser) lines.push(`- Configuration: ${m.userConfigSchema ? "schema" : m.userConfigTemplate ? "template variables" : "free-form"}`);
  return lines;
}

/** `Environment: Python 3.11.4 (CPython) on Linux x86_64 · 143 distributions (debug, 5 min ago)`. */
export function probeLine(p: ProbeEntry, now: number): string {
  return `Environment: ${describeProbe(p.probe)} (${p.configuration ? `${escape(p.configuration)}, ` : ""}inspected ${ago(now - p.at)})`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!<>|]/g, "\\$&");
}
