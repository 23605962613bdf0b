// The page a newcomer opens: five servers in five Web Workers elect a
// leader within seconds; crashing the leader from its button brings a new
// one; a write typed into a console on a follower reaches every replica.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, openPage, run, waitConnected, screenshot, serverStates } from "./lib.mjs";

let server, browser, page, errors;

before(async () => {
  server = await serveDist();
  browser = await launch();
  ({ page, errors } = await openPage(browser, server.url));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const leaderOf = (states) => Object.keys(states).find((id) => states[id] === "LEADING");

test("five servers in workers elect a leader within a few seconds", async () => {
  const t0 = Date.now();
  await page.waitForFunction(() => document.querySelector("[data-role=headline]")?.textContent?.includes("leads epoch 1"), null, {
    timeout: 15000,
  });
  const waited = (Date.now() - t0) / 1000;
  const states = await serverStates(page);
  assert.equal(Object.keys(states).length, 5);
  const leader = leaderOf(states);
  assert.ok(leader, JSON.stringify(states));
  assert.equal(Object.values(states).filter((s) => s === "FOLLOWING").length, 4, JSON.stringify(states));
  assert.ok(waited < 10, `a leader after ${waited} s of wall time`);
  assert.equal(await page.getAttribute("[data-role=hosting]", "data-hosting"), "workers");
  assert.match(await page.textContent("[data-role=headline]"), new RegExp(`^Server ${leader} leads epoch 1`));
  await page.waitForTimeout(3000);
  await screenshot(page, "cluster-elected");
});

test("crashing the leader from its button brings a new leader", async () => {
  const old = leaderOf(await serverStates(page));
  await page.click(`[data-buttons="${old}"] [data-action=crash]`);
  await page.waitForFunction((id) => document.querySelector(`g.server[data-server="${id}"]`)?.dataset.state === "CRASHED", old, {
    timeout: 10000,
  });
  await page.waitForFunction(
    (id) => [...document.querySelectorAll('g.server[data-state="LEADING"]')].some((g) => g.dataset.server !== id),
    old,
    { timeout: 20000 },
  );
  await page.waitForFunction(() => document.querySelector("[data-role=headline]")?.textContent?.includes("leads epoch 2"), null, {
    timeout: 20000,
  });
  const fresh = leaderOf(await serverStates(page));
  assert.notEqual(fresh, old);
  assert.match(await page.textContent("[data-role=headline]"), new RegExp(`^Server ${fresh} leads epoch 2`));
  const timeline = await page.$$eval(".timeline .mark", (els) => els.map((e) => e.getAttribute("class")));
  assert.ok(timeline.includes("mark fault") && timeline.filter((c) => c === "mark election").length >= 2, timeline.join());
  await screenshot(page, "cluster-new-leader");
});

test("a write through a follower reaches every replica's tree", async () => {
  // Speed up so the write commits quickly.
  await page.selectOption("[data-role=speed]", "1");
  await waitConnected(page, "b", 30000);
  const states = await serverStates(page);
  // Point client b at a follower with its server chooser.
  const follower = Object.keys(states).find((id) => states[id] === "FOLLOWING");
  await page.selectOption("section.console[data-console=b] [data-role=server]", follower);
  await page.waitForFunction(
    (id) => {
      const s = document.querySelector("section.console[data-console=b] [data-role=session-status]")?.textContent ?? "";
      return s.startsWith("CONNECTED") && s.endsWith(`server ${id}`);
    },
    follower,
    { timeout: 30000 },
  );
  // The welcome scenario's own commands are done by 5 s.
  await page.waitForFunction(() => parseFloat(document.querySelector("[data-role=now]")?.textContent) > 5, null, { timeout: 30000 });
  await run(page, "b", "create /from-a-follower hello");
  await page.waitForFunction(
    () => [...document.querySelectorAll("section.console[data-console=b] [data-role=output] .line")].some((l) => l.textContent === "Created /from-a-follower"),
    null,
    { timeout: 10000 },
  );
  for (const [id, state] of Object.entries(states)) {
    if (state === "CRASHED") continue;
    await page.selectOption("[data-role=replica]", id);
    await page.waitForSelector('[data-role=tree] li[data-path="/from-a-follower"]', { timeout: 10000 });
  }
  await page.click('[data-role=tree] li[data-path="/from-a-follower"]');
  assert.equal(await page.textContent("[data-role=data]"), "hello");
  await screenshot(page, "cluster-write");
});

test("the inspector shows a server's log and its four-letter words", async () => {
  const leader = leaderOf(await serverStates(page));
  await page.click(`[data-buttons="${leader}"] button.name`);
  await page.waitForSelector(`[data-inspect="${leader}"]`);
  const log = await page.textContent("[data-role=log]");
  assert.match(log, /create \/from-a-follower/);
  assert.match(log, /committed/);
  await page.click("[data-word=srvr]");
  await page.waitForSelector('[data-answer="srvr"]', { timeout: 10000 });
  assert.match(await page.textContent('[data-answer="srvr"]'), /Mode: leader/);
  assert.deepEqual(errors, []);
  await screenshot(page, "cluster-inspector");
});
