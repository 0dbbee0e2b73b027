/**
 * Turns a failed submission into what the person reads: a specific message and the action that fixes it
 * (sign in, pick another endpoint, change a setting). The cause is found through `cause` chains, since the
 * Executor wraps service errors in its own.
 */
import { ExecutorError } from "../../core/executor/errors";
import { ComputeApiError } from "../../core/protocol/apiError";
import { ArgumentSyntaxError } from "../../core/python/argumentParser";
import { AuthError } from "../auth/authError";
import { describeSyntaxError } from "./argumentInput";

export interface FixAction {
  title: string;
  command: string;
  arguments?: unknown[];
}

export interface FailureMessage {
  message: string;
  actions: FixAction[];
}

const SIGN_IN: FixAction = { title: "Sign In", command: "globusCompute.signIn" };
const SELECT_ENDPOINT: FixAction = { title: "Select Endpoint", command: "globusCompute.selectEndpoint" };
const SHOW_OUTPUT: FixAction = { title: "Show Output", command: "globusCompute.showOutput" };
const settingAction = (key: string): FixAction => ({
  title: "Open Setting",
  command: "workbench.action.openSettings",
  arguments: [key],
});

export function describeFailure(err: unknown, endpointName: string): FailureMessage {
  const api = findCause(err, ComputeApiError);
  const auth = findCause(err, AuthError);
  const syntax = findCause(err, ArgumentSyntaxError);
  if (syntax) return { message: `The arguments are not Python literals. ${describeSyntaxError(syntax)}`, actions: [] };
  if (auth?.code === "NOT_SIGNED_IN" || api?.httpStatus === 401)
    return { message: `Endpoint "${endpointName}" is in the cloud: sign in to Globus to submit to it.`, actions: [SIGN_IN] };
  if (auth?.code === "NOT_THIS_SERVICE") return { message: auth.message, actions: [settingAction("globusCompute.serviceUrl")] };
  if (auth) return { message: `Signing in to Globus failed: ${auth.message}`, actions: [SIGN_IN] };
  if (api) {
    switch (api.code) {
      case "ENDPOINT_NOT_FOUND":
        return { message: `The service does not know endpoint "${endpointName}": check its id, or pick another.`, actions: [SELECT_ENDPOINT] };
      case "RATE_LIMITED":
        return {
          message: `The Globus Compute service is rate limiting requests${api.retryAfterS ? `; try again in ${api.retryAfterS} s` : "; try again shortly"}, or lower the batch rate with a larger batch size.`,
          actions: [settingAction("globusCompute.batchSize")],
        };
      case "PAYLOAD_TOO_LARGE":
      case "TASK_PAYLOAD_TOO_LARGE":
      case "BATCH_RUN_TOO_LARGE":
        // Refused batches are split until a task goes alone, so the task itself is too large.
        return {
          message:
            "The task's arguments are larger than the service accepts in one submission (10 MB): pass something smaller, such as a path or URL the function reads on the endpoint.",
          actions: [SHOW_OUTPUT],
        };
      case "FORBIDDEN":
        return {
          message: `Not allowed to use endpoint "${endpointName}" (${api.detail}): sign in with an account that may, or pick another endpoint.`,
          actions: [SIGN_IN, SELECT_ENDPOINT],
        };
      case "NETWORK_ERROR":
        return { message: `The Globus Compute service cannot be reached: ${api.detail}. Check the network or the service URL.`, actions: [settingAction("globusCompute.serviceUrl")] };
    }
    return { message: `The Globus Compute service refused the submission: ${api.message}`, actions: [SHOW_OUTPUT] };
  }
  if (err instanceof ExecutorError && err.code === "INVALID_ARGUMENTS")
    return { message: err.message, actions: [settingAction("globusCompute.argumentSerialization")] };
  if (err instanceof ExecutorError && err.code === "INVALID_OPTION")
    return { message: `A setting is not usable: ${err.message}`, actions: [settingAction("globusCompute")] };
  const message = err instanceof Error ? err.message : String(err);
  if (/python|spawn|ENOENT/i.test(message) && endpointName === "local")
    return { message: `The local endpoint could not start: ${message}`, actions: [settingAction("globusCompute.local.pythonPath")] };
  return { message, actions: [SHOW_OUTPUT] };
}

function findCause<T>(err: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof type) return e;
  }
  return undefined;
}
