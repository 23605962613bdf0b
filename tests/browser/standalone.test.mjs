// A standalone scenario opened from its link: a ZooKeeper server in a Web
// Worker, two zkCli consoles, the znode tree and the watches — driven as a
// person would, in real time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveDist, launch, openPage, run, waitConnected, consoleLines, screenshot, linkOf, root } from "./lib.mjs";

let server, browser, page, errors;
const standaloneLink = () => linkOf(join(root, "tests", "browser", "standalone.json"));

before(async () => {
  server = await serveDist();
  browser = await launch();
  ({ page, errors } = await openPage(browser, server.url + "?speed=1" + standaloneLink()));
  await waitConnected(page, "a");
  await waitConnected(page, "b");
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const treePaths = () => page.$$eval("[data-role=tree] li", (els) => els.map((e) => e.dataset.path));

test("both consoles get their own session from the server in the worker", async () => {
  const a = await page.textContent(`section.console[data-console=a] [data-role=session-status]`);
  const b = await page.textContent(`section.console[data-console=b] [data-role=session-status]`);
  assert.match(a, /^CONNECTED · session 0x[0-9a-f]+ · server 1$/);
  assert.match(b, /^CONNECTED · session 0x[0-9a-f]+ · server 1$/);
  assert.notEqual(a, b, "two sessions");
  assert.deepEqual(await treePaths(), ["/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"]);
});

test("a watch set in one console fires when the other changes the node", async () => {
  assert.deepEqual(await run(page, "a", "create /app hello"), ["Created /app"]);
  assert.deepEqual(await run(page, "b", "get -w /app"), ["hello"]);
  await run(page, "a", "set /app world");
  await page.waitForFunction(() => document.querySelector("[data-role=delivered]")?.textContent?.includes("NodeDataChanged"));
  const log = await page.textContent("[data-role=delivered]");
  assert.match(log, /client b/);
  assert.match(log, /NodeDataChanged \/app/);
  assert.match(log, /setData \/app at 0x/, "the transaction that fired it");
  const b = await consoleLines(page, "b");
  assert.ok(b.includes("WATCHER::"), "zkCli prints the event in the watching console");
  assert.ok(b.includes("WatchedEvent state:SyncConnected type:NodeDataChanged path:/app"));
  assert.ok((await treePaths()).includes("/app"), "the tree shows the new node");
});

test("selecting a node shows its data, Stat and ACL", async () => {
  await page.click('[data-role=tree] li[data-path="/app"]');
  await page.waitForSelector("[data-role=detail]");
  assert.equal(await page.textContent("[data-role=data]"), "world");
  const detail = await page.textContent("[data-role=detail]");
  assert.match(detail, /dataVersion = 1/);
  assert.match(detail, /'world,'anyone/);
});

test("ephemeral nodes show their owner", async () => {
  assert.deepEqual(await run(page, "b", "create -e /app/lock x"), ["Created /app/lock"]);
  const row = await page.textContent('[data-role=tree] li[data-path="/app/lock"]');
  assert.match(row, /ephemeral · client b/);
});

test("bad input shows ZooKeeper's error and changes nothing", async () => {
  const paths = await treePaths();
  assert.deepEqual(await run(page, "a", "get app"), ["Path must start with / character"]);
  const usage = await run(page, "a", "create");
  assert.ok(usage.some((l) => l.includes("create [-s] [-e] [-c] [-t ttl] path [data] [acl]")), usage.join("\n"));
  const unknown = await run(page, "a", "frobnicate /x");
  assert.ok(unknown.includes("Command not found: Command not found frobnicate"), unknown.join("\n"));
  assert.deepEqual(await run(page, "a", "set -v 7 /app nope"), ["version No is not valid : /app"]);
  assert.deepEqual(await run(page, "a", "delete /missing"), ["Node does not exist: /missing"]);
  assert.deepEqual(await treePaths(), paths, "the tree is unchanged");
});

test("a forbidden ACL refuses the write", async () => {
  assert.deepEqual(await run(page, "a", "create /ro data world:anyone:r"), ["Created /ro"]);
  assert.deepEqual(await run(page, "a", "set /ro other"), ["Insufficient permission : /ro"]);
  assert.deepEqual(await run(page, "a", "create /ro/child x"), ["Insufficient permission : /ro/child"]);
  assert.deepEqual(await run(page, "b", "get /ro"), ["data"]);
  assert.ok(!(await treePaths()).includes("/ro/child"));
});

test("data over the 1 MiB packet limit loses the connection and is not stored", async () => {
  const big = "x".repeat(1024 * 1024 + 16);
  const out = await run(page, "a", `create /big ${big}`, { timeout: 30000 });
  assert.ok(out.includes("KeeperErrorCode = ConnectionLoss for /big"), out.map((l) => l.slice(0, 80)).join("\n"));
  await waitConnected(page, "a", 30000);
  assert.ok(!(await treePaths()).includes("/big"));
  assert.deepEqual(await run(page, "a", "get /app"), ["world"], "the session survives the reconnect");
});

test("the page looks right and raised no uncaught error", async () => {
  const path = await screenshot(page, "standalone");
  assert.ok(path.endsWith("standalone.png"));
  assert.deepEqual(errors, []);
});
