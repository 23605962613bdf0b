// The Paxos page (?paxos): the duelling-proposers livelock — ballots rising,
// nothing chosen — and its cure by back-off; one proposer gets its value
// chosen on every learner; ZAB beside Multi-Paxos on the same network;
// the same trace hash with nodes in workers, in the page and natively.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, openPage, screenshot, zooscope } from "./lib.mjs";

let server, browser, page, errors;
const text = (sel) => page.textContent(sel);
const ballots = async () => parseInt(await text("[data-role=ballot-count]"), 10);

before(async () => {
  server = await serveDist();
  browser = await launch();
  ({ page, errors } = await openPage(browser, server.url + "?paxos"));
  await page.waitForSelector("[data-role=paxos-headline]");
  await page.selectOption("[data-role=speed]", "1");
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("duelling proposers without back-off: ballots keep rising and nothing is chosen", async () => {
  await page.waitForFunction(() => parseInt(document.querySelector("[data-role=ballot-count]")?.textContent ?? "0", 10) > 40, null, {
    timeout: 30000,
  });
  const first = await page.getAttribute('g.series[data-proposer="1"]', "data-last-round");
  await page.waitForTimeout(1000);
  const later = await page.getAttribute('g.series[data-proposer="1"]', "data-last-round");
  assert.ok(parseInt(later, 10) > parseInt(first, 10), `${first} → ${later}`);
  assert.match(await text("[data-role=paxos-headline]"), /Nothing chosen after \d+ ballots.*livelock/);
  const learned = await page.$$eval("[data-role=learned]", (els) => els.map((e) => e.textContent));
  assert.ok(learned.every((l) => l === "nothing yet"), learned.join());
  const promised = await page.textContent('[data-node="3"] [data-role=promised]');
  assert.match(promised, /^\d+\.[12]$/);
  const drawn = await page.$$eval("g.server", (els) => els.map((e) => e.dataset.state));
  assert.equal(drawn.length, 5, drawn.join());
  assert.ok(drawn.slice(2).every((st) => st === "PROMISED"), drawn.join());
  await screenshot(page, "paxos-livelock");
});

test("randomized back-off cures it: a value is chosen and every learner agrees", async () => {
  await page.selectOption("[data-role=paxos-preset]", "duel-backoff");
  await page.waitForFunction(() => /is chosen/.test(document.querySelector("[data-role=paxos-headline]")?.textContent ?? ""), null, {
    timeout: 30000,
  });
  await page.waitForFunction(
    () => [...document.querySelectorAll("[data-role=learned]")].every((e) => e.textContent !== "nothing yet"),
    null,
    { timeout: 30000 },
  );
  const learned = new Set(await page.$$eval("[data-role=learned]", (els) => els.map((e) => e.textContent)));
  assert.equal(learned.size, 1, [...learned].join());
  assert.ok(["\"A\"", "\"B\""].includes([...learned][0]));
  assert.ok((await ballots()) < 20);
  await screenshot(page, "paxos-backoff");
});

test("one proposer: its value is chosen with one ballot", async () => {
  await page.selectOption("[data-role=paxos-preset]", "one-proposer");
  await page.waitForFunction(() => /"A" is chosen/.test(document.querySelector("[data-role=paxos-headline]")?.textContent ?? ""), null, {
    timeout: 30000,
  });
  assert.equal(await ballots(), 1);
  assert.match(await page.textContent('[data-node="4"] [data-role=accepted]'), /^1\.1 "A"$/);
});

test("the network editor edits a link and partitions the nodes", async () => {
  await page.click('[data-pair="1-3"]');
  await page.waitForSelector('[data-role=link-editor][data-link="1-3"]');
  await page.click("[data-role=link-editor] [data-action=cut]");
  await page.waitForFunction(() => /CUT/.test(document.querySelector("[data-role=link-editor]")?.textContent ?? ""));
  await page.click("[data-role=link-editor] [data-action=restore]");
  await page.waitForFunction(() => !/CUT/.test(document.querySelector("[data-role=link-editor]")?.textContent ?? ""));
  // Node 1 to side 1; node 3 to side 2 (a click moves a node one side on).
  await page.click('.board [data-node="1"]');
  await page.click('.board [data-node="3"]');
  await page.click('.board [data-node="3"]');
  await page.click("[data-action=apply-partition]");
  await page.waitForSelector('.board [data-side="1"] [data-node="1"]');
  await page.waitForSelector('.board [data-side="2"] [data-node="3"]');
  await page.waitForFunction(() => document.querySelector("[data-action=apply-partition]")?.disabled === true);
  await page.click(".network [data-action=heal]");
  await page.waitForSelector('.board [data-side="none"] [data-node="1"]');
});

test("Share makes a link that replays the run, edits included, to the same trace hash", async () => {
  await page.selectOption("[data-role=paxos-preset]", "duel");
  await page.waitForFunction(() => parseInt(document.querySelector("[data-role=ballot-count]")?.textContent ?? "0", 10) > 10);
  await page.click('[data-buttons="2"] [data-action=crash]').catch(async () => page.click('[data-node="2"] [data-action=crash]'));
  await page.waitForTimeout(200);
  await page.click('[data-node="2"] [data-action=restart-node]');
  await page.click("[data-action=share]");
  await page.waitForFunction(() => document.querySelector("[data-role=status]")?.textContent === "paused");
  const url = await page.inputValue("[data-role=share-link]");
  assert.match(url, /\?paxos=duel&seed=1&hosting=workers&until=\d+&edits=/);
  assert.equal(await page.evaluate(() => location.href), url, "the link is in the address bar too");
  await page.waitForFunction(() => (document.querySelector("[data-role=copy-note]")?.textContent ?? "") !== "copying…");
  const want = [await text("[data-role=trace-hash]"), await text("[data-role=clock]"), await text("[data-role=ballot-count]")];
  const fresh = await openPage(browser, url);
  try {
    await fresh.page.waitForFunction(() => document.querySelector("[data-role=status]")?.textContent === "paused", null, { timeout: 60000 });
    const got = [
      await fresh.page.textContent("[data-role=trace-hash]"),
      await fresh.page.textContent("[data-role=clock]"),
      await fresh.page.textContent("[data-role=ballot-count]"),
    ];
    assert.deepEqual(got, want);
    assert.deepEqual(fresh.errors, []);
  } finally {
    await fresh.page.close();
  }
  const bad = await openPage(browser, `${server.url}?paxos=duel&edits=%21%21`);
  try {
    await bad.page.waitForSelector("[data-role=notice]");
    assert.match(await bad.page.textContent("[data-role=notice]"), /edits cannot be replayed/);
    assert.deepEqual(bad.errors, []);
  } finally {
    await bad.page.close();
  }
  await page.click("[data-role=play]");
});

test("ZAB beside Multi-Paxos: both figures for the same network and workload", async () => {
  await page.click("[data-action=compare]");
  await page.waitForSelector("[data-role=compare-table]", { timeout: 60000 });
  const row = await page.$$eval('[data-row="messages per committed write"] td', (els) => els.map((e) => e.textContent));
  assert.equal(row.length, 2);
  for (const v of row) assert.ok(parseFloat(v) > 1, row.join());
  assert.match(await text("[data-role=zab-change]"), /established epoch 2/);
  assert.match(await text("[data-role=paxos-change]"), /won phase 1/);
  await screenshot(page, "paxos-compare");
});

test("the ZooKeeper page links to the Paxos page; no uncaught error", async () => {
  const zk = await openPage(browser, server.url);
  try {
    await zk.page.waitForSelector("[data-role=paxos-link]");
    assert.equal(await zk.page.getAttribute("[data-role=paxos-link]", "href"), "?paxos");
    assert.deepEqual(zk.errors, []);
  } finally {
    await zk.page.close();
  }
  assert.deepEqual(errors, []);
});

test("in Web Workers, in the page and natively, a Paxos run has the same trace hash", async () => {
  const m = /trace hash ([0-9a-f]{16})/.exec(zooscope("paxos", "run", "duel", "--seed", "2", "--ms", "300"));
  assert.ok(m, "the native run prints its hash");
  const hashes = {};
  for (const hosting of ["workers", "page"]) {
    const p = await openPage(browser, `${server.url}?paxos=duel&seed=2&until=300&hosting=${hosting}`);
    try {
      await p.page.waitForFunction(
        () => document.querySelector("[data-role=status]")?.textContent === "paused" && document.querySelector("[data-role=clock]")?.textContent === "0.300s",
        null,
        { timeout: 60000 },
      );
      assert.equal(await p.page.getAttribute("[data-role=hosting]", "data-hosting"), hosting);
      hashes[hosting] = await p.page.textContent("[data-role=trace-hash]");
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  }
  assert.deepEqual(hashes, { workers: m[1], page: m[1] });
});
