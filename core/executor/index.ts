export { Executor, MapResult, type CallArguments, type ShutdownOptions } from "./executor";
export type { MalformedResult, WatchStateChange } from "./resultRouter";
export { ComputeFuture, type CancelOutcome, type FutureState } from "./computeFuture";
export { asCompleted, type Completed } from "./asCompleted";
export { ExecutorError, TaskCancelledError, TaskExecutionFailed, type ExecutorErrorCode } from "./errors";
export { DEFAULT_RESULT_SERIALIZERS, type ArgumentSerialization, type ExecutorOptions } from "./options";
export type { PythonFunction } from "./functionRegistry";
export { SDK_VERSION } from "../service/sdkVersion";
export type { Kwargs } from "./taskPayload";
