// Entry of dist/server.js: the Globus Compute Python language server. VS Code starts it over IPC;
// other editors run `node dist/server.js --stdio` (createConnection reads the transport from argv).
import { ProposedFeatures, createConnection } from "vscode-languageserver/node";
import { PythonAnalyzer } from "../python/pythonAnalyzer";
import { startLanguageServer } from "./languageServer";

const connection = createConnection(ProposedFeatures.all);
const analyzer = PythonAnalyzer.load();
analyzer.catch((e: unknown) => connection.console.error(`Python parser failed to load: ${e instanceof Error ? e.message : String(e)}`));
const server = startLanguageServer(connection, analyzer);
connection.onExit(() => {
  server.dispose();
  void analyzer.then((a) => a.dispose());
});
connection.listen();
