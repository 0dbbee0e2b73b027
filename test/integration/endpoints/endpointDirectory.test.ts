/**
 * The endpoint directory against the emulator (real HTTP, real RabbitMQ, real Python workers): the
 * catalog of owned, shared, offline, multi-user and high-assurance endpoints is listed by name with
 * status and metadata, a rate-limited service is backed off from and said so, and a multi-user endpoint
 * fails tasks whose user_endpoint_config its schema refuses, with the endpoint manager's message.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { EndpointDirectory, type BackOff } from "../../../core/endpoints/endpointDirectory";
import { Executor } from "../../../core/executor";
import type { TaskExecutionFailed } from "../../../core/executor/errors";
import { CATALOG_IDS, catalogEndpoints } from "../../emulator/endpointCatalog";
import { startEmulator, type Emulator } from "../../emulator/emulator";
import { cloudService } from "../executor/cloudSupport";
import { control } from "../emulator/helpers";

let em: Emulator;

before(async () => {
  em = await startEmulator({ endpoints: catalogEndpoints(), rateLimit: null });
});

after(async () => {
  await em?.stop();
});

it("lists what the identity can see, marks what it owns, and reads statuses and metadata", async () => {
  const { service } = cloudService(em);
  const directory = new EndpointDirectory({ api: async () => service, changeDelayMs: 1 });
  try {
    const listed = await directory.list();
    const names = new Map(listed.map((e) => [e.id, e.displayName]));
    assert.equal(names.get(CATALOG_IDS.shared), "Group Cluster (shared)");
    assert.equal(names.has(CATALOG_IDS.hidden), false, "another user's private endpoint is not listed");
    assert.equal(directory.owned(CATALOG_IDS.laptop), true);
    assert.equal(directory.owned(CATALOG_IDS.shared), false);

    await directory.refreshStatuses([CATALOG_IDS.laptop, CATALOG_IDS.offline, CATALOG_IDS.hidden]);
    assert.equal(directory.entry(CATALOG_IDS.laptop).status?.value.status, "online");
    assert.equal(directory.entry(CATALOG_IDS.laptop).status?.value.details?.total_workers, 2);
    assert.equal(directory.entry(CATALOG_IDS.offline).status?.value.status, "offline");
    assert.equal(directory.entry(CATALOG_IDS.hidden).statusProblem?.code, "FORBIDDEN");

    const mep = await directory.metadata(CATALOG_IDS.mep);
    assert.equal(mep.multiUser, true);
    assert.deepEqual((mep.userConfigSchema?.required as string[]).sort(), ["account", "partition"]);
    assert.match(mep.userConfigTemplate ?? "", /\{\{ account \}\}/);
    assert.equal((await directory.metadata(CATALOG_IDS.highAssurance)).highAssurance, true);
  } finally {
    directory.dispose();
    service.dispose();
  }
});

it("a rate-limited service is backed off from (Retry-After), and the back-off is announced", async () => {
  const { service } = cloudService(em, { retry: { baseMs: 20, maxSleepMs: 2000 } });
  const directory = new EndpointDirectory({ api: async () => service, changeDelayMs: 1 });
  const notices: BackOff[] = [];
  directory.onDidBackOff((b) => notices.push(b));
  await control(em, "POST", "/faults/fail", { count: 1, status: 429, retry_after: 1, route: "/status" });
  try {
    const started = Date.now();
    await directory.refreshStatuses([CATALOG_IDS.laptop]);
    assert.equal(directory.entry(CATALOG_IDS.laptop).status?.value.status, "online", "the retry got the status");
    assert.deepEqual(notices.map((n) => [n.status, n.delayMs]), [[429, 1000]]);
    assert.ok(Date.now() - started >= 900, "it waited for Retry-After");
  } finally {
    await control(em, "DELETE", "/faults");
    directory.dispose();
    service.dispose();
  }
});

it("a multi-user endpoint runs a valid user_endpoint_config and fails an invalid one as the endpoint manager does", async () => {
  const { service } = cloudService(em);
  const fn = { name: "double", source: "def double(x):\n    return 2 * x\n" };
  const valid = { account: "ABC123", partition: "debug", nodes_per_block: 2 };
  const good = new Executor({ endpointId: CATALOG_IDS.mep, service, userEndpointConfig: valid });
  const bad = new Executor({ endpointId: CATALOG_IDS.mep, service, userEndpointConfig: { account: "ABC123", partition: "debug", nodes_per_block: "two" } });
  try {
    assert.equal(await good.submit(fn, 21).result(60_000), 42);
    const err = (await bad.submit(fn, 1).exception(60_000)) as TaskExecutionFailed;
    assert.equal(err.name, "TaskExecutionFailed");
    assert.equal(
      err.remoteTraceback,
      "Unable to start user endpoint process for tester [exit code: 78; (ValidationError) 'two' is not of type 'integer'\n\n" +
        "Failed validating 'type' in schema['properties']['nodes_per_block']:\n" +
        "    {'type': 'integer', 'minimum': 1, 'maximum': 16, 'default': 1, 'description': 'Nodes per block.'}\n\n" +
        "On instance['nodes_per_block']:\n    'two']",
    );
    assert.match(err.message, /: Unable to start user endpoint process for tester \[exit code: 78; \(ValidationError\) 'two' is not of type 'integer'\.$/, "the summary names the field's problem");
    const received = (await control(em, "GET", `/endpoints/${CATALOG_IDS.mep}/submissions`)).body as { user_endpoint_config: unknown }[];
    assert.deepEqual(received[0].user_endpoint_config, valid, "the endpoint received exactly the configuration");
  } finally {
    good.dispose();
    bad.dispose();
    service.dispose();
  }
});
