import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import {
  BUNDLE_REQUEST,
  FUNCTION_AT_REQUEST,
  FUNCTIONS_REQUEST,
  PROJECT_SETTINGS_NOTIFICATION,
  RESULT_STATUS_NOTIFICATION,
  type BundleParams,
  type BundleResult,
  type FunctionAtParams,
  type FunctionAtResult,
  type FunctionsParams,
  type FunctionsResult,
  type ProjectSettings,
  type ResultStatusParams,
} from "../../core/server/protocol";
import { SERVER_NODE_FLAGS } from "../../core/server/nodeFlags";
import { chooseExtraPaths } from "./extraPaths";

/** The extension's handle on the Python language server (dist/server.js): the typed custom messages. */
export interface PythonLanguageClient extends vscode.Disposable {
  /** The innermost function definition at a document location, or null. */
  functionAt(params: FunctionAtParams): Promise<FunctionAtResult>;
  /** Every function definition of a document. */
  functions(params: FunctionsParams): Promise<FunctionsResult>;
  /** The function at a location with its dependency closure, ready for `serializeCode(name, source, "st")`. */
  bundle(params: BundleParams): Promise<BundleResult>;
  /** Shows (or with `status: null` clears) the last result as a CodeLens above the function. */
  notifyResultStatus(params: ResultStatusParams): Promise<void>;
  /** Stops the server process (what deactivate should await); dispose() does the same without waiting. */
  stop(): Promise<void>;
}

/**
 * Starts the language server over IPC for Python documents (files and untitled editors). CodeLens
 * commands it contributes are `globusCompute.submitFunction` / `globusCompute.submitFunctionWithArguments`
 * with one argument `{ uri: string, name: string, offset: number }` (SubmitFunctionArguments).
 */
export async function startLanguageClient(context: vscode.ExtensionContext): Promise<PythonLanguageClient> {
  const module = context.asAbsolutePath("dist/server.js");
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, "--nolazy", "--inspect=6011"] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: "python", scheme: "file" },
      { language: "python", scheme: "untitled" },
      // Code cells of Jupyter notebooks (synced as notebooks: the server analyses each with the cells above).
      { notebook: "jupyter-notebook", language: "python" },
    ],
    diagnosticCollectionName: "globusCompute",
    initializationOptions: projectSettings(),
  };
  const client = new LanguageClient("globusComputePython", "Globus Compute (Python analysis)", serverOptions, clientOptions);
  // A window reload stops the client while results still settle: a message sent then would make the client
  // "start" a server that is stopping ("Starting server failed"). Once stopping, nothing more is sent.
  let stopping: Promise<void> | undefined;
  const starting = client.start();
  const stop = () =>
    (stopping ??= starting.then(
      () => (client.isRunning() ? client.dispose() : undefined),
      () => undefined, // it never started: nothing to stop
    ));
  const running = (what: string) => {
    if (stopping !== undefined || !client.isRunning()) throw new Error(`The Python analysis is not running (${what} while it stops or restarts); try again.`);
  };
  await starting;
  const resend = () => {
    if (stopping === undefined && client.isRunning()) void client.sendNotification(PROJECT_SETTINGS_NOTIFICATION, projectSettings());
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      const keys = ["globusCompute.python.extraPaths", "python.analysis.extraPaths", "globusCompute.codeLens.privateFunctions"];
      if (keys.some((k) => e.affectsConfiguration(k))) resend();
    }),
    // The workspace's own values of the Python extension's setting count from now on.
    vscode.workspace.onDidGrantWorkspaceTrust(resend),
  );
  return {
    functionAt: async (params) => (running("functionAt"), client.sendRequest<FunctionAtResult>(FUNCTION_AT_REQUEST, params)),
    functions: async (params) => (running("functions"), client.sendRequest<FunctionsResult>(FUNCTIONS_REQUEST, params)),
    bundle: async (params) => (running("bundle"), client.sendRequest<BundleResult>(BUNDLE_REQUEST, params)),
    // The lens is a hint: one that cannot be shown now is dropped, never an error.
    notifyResultStatus: async (params) => {
      if (stopping === undefined && client.isRunning()) await client.sendNotification(RESULT_STATUS_NOTIFICATION, params).catch(() => undefined);
    },
    stop,
    dispose: () => void stop(),
  };
}

/** The server's settings: where the project's own modules are found (see extraPaths.ts), and lenses on `_private` functions. */
function projectSettings(): ProjectSettings {
  const own = vscode.workspace.getConfiguration("globusCompute.python").get<unknown>("extraPaths");
  const analysis = vscode.workspace.getConfiguration("python.analysis");
  const python = { value: analysis.get<unknown>("extraPaths"), userValue: analysis.inspect<unknown>("extraPaths")?.globalValue };
  const privateFunctionLenses = vscode.workspace.getConfiguration("globusCompute.codeLens").get<unknown>("privateFunctions") === true;
  return { extraPaths: chooseExtraPaths(own, python, vscode.workspace.isTrusted), privateFunctionLenses };
}
