/**
 * The guide's reload example, first half, literally: submit five tasks, print the task group id, wait
 * until every task was sent upstream, then die by SIGKILL. Run by reload tests as a child process.
 * Env: GC_BASE_URL, GC_TOKEN, GC_ENDPOINT.
 */
import { Executor } from "../../../core/executor";
import { GlobusComputeService } from "../../../core/service/globus/globusComputeService";
import { taskKernel } from "../../demo/seedFunctions";

const service = new GlobusComputeService({ baseUrl: process.env.GC_BASE_URL as string, token: async () => process.env.GC_TOKEN as string });
const gce = new Executor({ endpointId: process.env.GC_ENDPOINT as string, service });
const numTasks = 5;
for (let i = 0; i < numTasks; i++) gce.submit(taskKernel, i + 1);
const timer = setInterval(() => {
  if (gce.taskCountSubmitted < numTasks) return;
  clearInterval(timer);
  console.log(`TASK_GROUP ${gce.taskGroupId}`);
  console.log("Simulating unexpected process death!  Now reload the session");
  process.kill(process.pid, "SIGKILL");
}, 5);
