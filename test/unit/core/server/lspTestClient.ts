// Test helper: the client side of a real LSP connection to the Globus Compute language server.
import {
  CodeActionRequest,
  CodeLensRequest,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  createProtocolConnection,
  type CodeAction,
  type ClientCapabilities,
  type CodeLens,
  type Diagnostic,
  type FileEvent,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Registration,
  type TextDocumentContentChangeEvent,
} from "vscode-languageserver-protocol/node";
import { PassThrough } from "node:stream";
import { ProposedFeatures, createConnection } from "vscode-languageserver/node";
import type { PythonAnalyzer } from "../../../../core/python/pythonAnalyzer";
import { startLanguageServer } from "../../../../core/server/languageServer";

/**
 * The language server running in this process over in-memory streams, with a client on the other end.
 * `close()` shuts the client down and disposes the server, its connection and the analyzer.
 */
export function inProcessServer(analyzer: Promise<PythonAnalyzer>): { client: LspTestClient; close(): Promise<void> } {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const connection = createConnection(ProposedFeatures.all, toServer, toClient);
  const server = startLanguageServer(connection, analyzer, { diagnosticsDelayMs: 20 });
  connection.listen();
  const client = LspTestClient.over(toClient, toServer);
  return {
    client,
    async close() {
      await client.shutdown(false);
      server.dispose();
      connection.dispose();
      (await analyzer).dispose();
    },
  };
}

export class LspTestClient {
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: (() => void)[] = [];
  readonly refreshRequests: string[] = [];
  /** Capabilities the server has registered, by registration id. */
  readonly registrations = new Map<string, Registration>();
  /** `window/logMessage` texts from the server, to explain failures. */
  readonly log: string[] = [];

  constructor(readonly connection: ProtocolConnection) {
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const list = this.diagnostics.get(p.uri) ?? [];
      list.push(p);
      this.diagnostics.set(p.uri, list);
      for (const w of this.waiters.splice(0)) w();
    });
    connection.onNotification("window/logMessage", (p: { message: string }) => void this.log.push(p.message));
    connection.onRequest("workspace/codeLens/refresh", () => {
      this.refreshRequests.push("codeLens");
      return null;
    });
    connection.onRequest("client/registerCapability", (p: { registrations: Registration[] }) => {
      for (const r of p.registrations) this.registrations.set(r.id, r);
      return null;
    });
    connection.listen();
  }

  static over(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): LspTestClient {
    return new LspTestClient(createProtocolConnection(input, output));
  }

  /**
   * `workspace`: the folders (file URIs) and `initializationOptions` an editor opening a project sends;
   * `watchesFiles`: the client watches files for the server as VS Code's does (with patterns relative to a folder).
   */
  async initialize(workspace: { folders?: string[]; initializationOptions?: unknown; watchesFiles?: boolean } = {}): Promise<InitializeResult> {
    const capabilities: ClientCapabilities = { workspace: { codeLens: { refreshSupport: true } } };
    if (workspace.watchesFiles) capabilities.workspace!.didChangeWatchedFiles = { dynamicRegistration: true, relativePatternSupport: true };
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: null, // a real pid makes vscode-languageserver poll for that process to exit
      rootUri: null,
      capabilities,
      workspaceFolders: workspace.folders?.map((uri, i) => ({ uri, name: `folder${i}` })) ?? null,
      initializationOptions: workspace.initializationOptions,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "python", version, text },
    });
  }

  /** Files changed on disk, as the client's watchers report them. */
  async filesChanged(changes: FileEvent[]): Promise<void> {
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
  }

  /** Resolves with the first diagnostics published for `uri` at `version` (or later). */
  diagnosticsFor(uri: string, version: number, timeoutMs = 20_000): Promise<Diagnostic[]> {
    return this.waitFor(uri, (list) => list.find((p) => (p.version ?? 0) >= version), `v${version}`, timeoutMs);
  }

  /** How many times diagnostics have been published for `uri`. */
  publishCount(uri: string): number {
    return this.diagnostics.get(uri)?.length ?? 0;
  }

  /** Resolves with the diagnostics of the first publish for `uri` after its first `count`. */
  diagnosticsAfter(uri: string, count: number, timeoutMs = 20_000): Promise<Diagnostic[]> {
    return this.waitFor(uri, (list) => list[count], `publish #${count + 1}`, timeoutMs);
  }

  private async waitFor(
    uri: string,
    pick: (list: PublishDiagnosticsParams[]) => PublishDiagnosticsParams | undefined,
    what: string,
    timeoutMs: number,
  ): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = pick(this.diagnostics.get(uri) ?? []);
      if (found) return found.diagnostics;
      if (Date.now() > deadline) throw new Error(`no diagnostics for ${uri} ${what} within ${timeoutMs} ms; server log:\n${this.log.join("\n")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  codeLens(uri: string): Promise<CodeLens[] | null> {
    return this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
  }

  codeActions(uri: string, diagnostics: Diagnostic[]): Promise<(CodeAction | { command: string })[] | null> {
    return this.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics },
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  /** `exit` makes a vscode-languageserver process exit, so an in-process server only gets `shutdown`. */
  async shutdown(exit: boolean): Promise<void> {
    await this.connection.sendRequest(ShutdownRequest.type);
    if (exit) await this.connection.sendNotification(ExitNotification.type);
    this.connection.dispose();
  }
}
