// The classic demonstration, by clicking: split five servers 2 + 3 with a
// preset, write on both sides, see the minority's write fail and its stale
// read flagged in the CAP view; then Share, open the link in a fresh page
// and find the same state (same trace hash, same verdicts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, openPage, run, waitConnected, screenshot, linkOf, consoleSel } from "./lib.mjs";

let server, browser, page, errors;
const text = (sel) => page.textContent(sel);

before(async () => {
  server = await serveDist();
  browser = await launch();
  ({ page, errors } = await openPage(browser, server.url + linkOf("tests/browser/cap.json")));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("a write before the split reaches both sides", async () => {
  await page.waitForFunction(() => document.querySelector("[data-role=headline]")?.textContent?.includes("leads epoch 1"), null, {
    timeout: 20000,
  });
  await waitConnected(page, "a");
  await waitConnected(page, "b");
  assert.deepEqual(await run(page, "a", "create /x before"), ["Created /x"]);
  assert.match(await text("[data-cap-latest=a]"), /create \/x committed as 0x1/);
  assert.match(await text("[data-role=verdict]"), /0 violations/);
  // Let b's server apply it too, so the split starts from a settled state.
  assert.deepEqual(await run(page, "b", "get /x", { settleMs: 300 }), ["before"]);
});

test("the 2 + 3 preset cuts the minority off: its side can no longer write", async () => {
  await page.click('[data-preset="split-2-3"]');
  await page.waitForSelector('[data-side-name="side 1"]');
  assert.equal(await text('[data-side-name="side 1"] [data-role=side-writes]'), "writes fail");
  assert.equal(await text('[data-side-name="side 2"] [data-role=side-writes]'), "writes commit");
  assert.match(await text('[data-side-name="side 1"] h3'), /servers 1, 2; clients a/);
});

test("the majority writes; the minority still reads the old value, flagged stale", async () => {
  assert.deepEqual(await run(page, "b", "set /x after"), []);
  await page.waitForFunction(() => /setData \/x committed/.test(document.querySelector("[data-cap-latest=b]")?.textContent ?? ""));
  // a's follower has not noticed the split yet (syncLimit × tickTime = 10 s).
  assert.deepEqual(await run(page, "a", "get /x"), ["before"]);
  const line = await text("[data-cap-latest=a]");
  assert.match(line, /getData \/x on server [12] is stale by 1 zxid/);
  assert.match(line, /cut off from the leader/);
  assert.equal(await page.getAttribute("[data-cap-latest=a]", "class"), "op-line stale");
  assert.match(await text("[data-cap-client=a] [data-role=reads]"), /1 stale \(≤ 1 zxids\)/);
  await screenshot(page, "cap-stale-read");
});

test("the minority's write waits, then fails; nothing breaks a guarantee", async () => {
  await page.selectOption("[data-role=speed]", "4");
  const input = page.locator(`${consoleSel("a")} [data-role=input]`);
  await input.fill("set /x minority");
  await input.press("Enter");
  await page.waitForFunction(() => /setData \/x waiting/.test(document.querySelector("[data-cap-waiting=a]")?.textContent ?? ""));
  await screenshot(page, "cap-minority-write-waiting");
  await page.waitForFunction(
    (sel) => [...document.querySelectorAll(`${sel} [data-role=output] .line`)].some((l) => /ConnectionLoss/.test(l.textContent)),
    consoleSel("a"),
    { timeout: 60000 },
  );
  await page.waitForFunction(() => /setData \/x failed: ConnectionLoss/.test(document.querySelector("[data-cap-latest=a]")?.textContent ?? ""));
  assert.match(await text("[data-cap-client=a] [data-role=writes]"), /1 committed · \d+ waiting · 1 failed/);
  assert.match(await text("[data-cap-client=b] [data-role=writes]"), /1 committed · 0 waiting · 0 failed/);
  assert.match(await text("[data-role=verdict]"), /0 violations; 1 stale reads/);
  await screenshot(page, "cap-minority-write-failed");
});

test("Share puts the situation in a link that replays to the same state", async () => {
  await page.click("[data-action=share]");
  await page.waitForFunction(() => document.querySelector("[data-role=status]")?.textContent === "paused");
  const url = await page.inputValue("[data-role=share-link]");
  assert.match(url, /#v\d+\./);
  assert.equal(await page.evaluate(() => location.href), url, "the link is in the address bar too");
  // Headless Chromium may refuse the clipboard: then the note says so, and nothing escapes.
  await page.waitForFunction(() => (document.querySelector("[data-role=copy-note]")?.textContent ?? "") !== "");
  const want = {
    hash: await text("[data-role=trace-hash]"),
    clock: await text("[data-role=clock]"),
    a: await text("[data-cap-latest=a]"),
    verdict: await text("[data-role=verdict]"),
    sides: await page.$$eval("[data-side-name]", (els) => els.map((e) => e.textContent)),
  };
  const fresh = await openPage(browser, url);
  try {
    const p = fresh.page;
    await p.waitForFunction(() => document.querySelector("[data-role=status]")?.textContent === "paused", null, { timeout: 120000 });
    const got = {
      hash: await p.textContent("[data-role=trace-hash]"),
      clock: await p.textContent("[data-role=clock]"),
      a: await p.textContent("[data-cap-latest=a]"),
      verdict: await p.textContent("[data-role=verdict]"),
      sides: await p.$$eval("[data-side-name]", (els) => els.map((e) => e.textContent)),
    };
    assert.deepEqual(got, want);
    await screenshot(p, "cap-shared-link");
    assert.deepEqual(fresh.errors, []);
  } finally {
    await fresh.page.close();
  }
  console.log(`shared link: ${url.length - url.indexOf("#")} characters of fragment`);
});

test("a damaged link shows a clear message and the default scenario", async () => {
  const bad = await openPage(browser, server.url + "#v1.not-a-real-payload");
  try {
    const p = bad.page;
    await p.waitForSelector("[data-role=notice]", { timeout: 20000 });
    assert.match(await p.textContent("[data-role=notice]"), /link/i);
    await p.waitForFunction(() => document.querySelectorAll("g.server").length === 5, null, { timeout: 20000 });
    const old = await openPage(browser, server.url + "#v999.abc");
    await old.page.waitForSelector("[data-role=notice]", { timeout: 20000 });
    assert.match(await old.page.textContent("[data-role=notice]"), /v999|version|newer/i);
    await old.page.close();
    // A link pasted into the address bar of the open page is opened there.
    await p.evaluate((h) => {
      location.hash = h;
    }, linkOf("scenarios/stale-read-and-sync.json"));
    await p.waitForFunction(() => document.querySelector(".subtitle")?.textContent === "A stale read on a lagging follower, and sync", null, {
      timeout: 20000,
    });
    await p.waitForFunction(() => document.querySelectorAll("g.server").length === 3, null, { timeout: 20000 });
    assert.equal(await p.$("[data-role=notice]"), null, "the old notice is gone");
    assert.deepEqual(bad.errors.concat(old.errors), []);
  } finally {
    await bad.page.close();
  }
});

test("turning read-only mode on replays the run: the minority serves reads again", async () => {
  await page.click("[data-toggle=read-only]");
  await page.waitForFunction(() => document.querySelector("[data-toggle=read-only]")?.checked === true);
  // The replay stops where Share paused it; a LOOKING server turns read-only a moment later.
  await page.click("[data-role=play]");
  await page.waitForFunction(
    () => /read-only clients/.test(document.querySelector('[data-side-name="side 1"] .why-line')?.textContent ?? ""),
    null,
    { timeout: 60000 },
  );
  assert.equal(await text('[data-side-name="side 1"] [data-role=side-reads]'), "reads may be stale");
  const states = await page.$$eval("g.server", (els) => els.map((e) => e.dataset.state));
  assert.equal(states.filter((s) => s === "LOOKING").length, 2, states.join());
  assert.equal(await page.$$eval("g.server[data-read-only]", (els) => els.map((e) => e.dataset.server).join()), "1,2");
  assert.equal(await text('[data-side-name="side 1"] [data-role=side-writes]'), "writes fail");
  await screenshot(page, "cap-read-only");
});

test("no uncaught error", () => {
  assert.deepEqual(errors, []);
});
