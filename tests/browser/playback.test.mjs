// Playback: pause from the keyboard, jump ahead, jump back (the run replays
// from the start to the same state and hash), and step one event.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveDist, launch, openPage, linkOf, root, screenshot } from "./lib.mjs";

let server, browser, page, errors;
const clock = async () => parseFloat(await page.textContent("[data-role=now]"));
const hash = () => page.textContent("[data-role=trace-hash]");

before(async () => {
  server = await serveDist();
  browser = await launch();
  const link = linkOf(join(root, "scenarios", "ensemble-leader-crash.json"));
  ({ page, errors } = await openPage(browser, server.url + "?speed=1" + link));
  await page.waitForFunction(() => document.querySelector("[data-role=status]")?.textContent === "running", null, { timeout: 20000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function jump(seconds) {
  await page.fill("[data-role=jump]", String(seconds));
  await page.click("form.jump button");
  await page.waitForFunction(
    (s) => document.querySelector("[data-role=status]")?.textContent === "paused" && parseFloat(document.querySelector("[data-role=now]")?.textContent) >= s,
    seconds,
    { timeout: 60000 },
  );
}

test("space pauses and the clock stops", async () => {
  await page.keyboard.press("Space");
  await page.waitForFunction(() => document.querySelector("[data-role=status]")?.textContent === "paused");
  const t = await clock();
  await page.waitForTimeout(500);
  assert.equal(await clock(), t);
});

test("jumping back replays to the same state", async () => {
  await jump(6);
  const at6 = await hash();
  const states6 = await page.$$eval("g.server", (els) => els.map((e) => e.dataset.state).join());
  await jump(12);
  assert.notEqual(await hash(), at6);
  await jump(6);
  assert.equal(await hash(), at6, "the same trace up to 6 s");
  assert.equal(await page.$$eval("g.server", (els) => els.map((e) => e.dataset.state).join()), states6);
  const marks = await page.$$eval(".timeline .mark", (els) => els.map((e) => e.getAttribute("class")));
  assert.ok(marks.includes("mark fault"), "the crash at 5 s is on the timeline");
  await screenshot(page, "playback");
});

test("a step runs the next event and nothing more", async () => {
  const before = parseInt(await page.textContent("[data-role=entries]"));
  const t = await clock();
  await page.keyboard.press(".");
  await page.waitForFunction((n) => parseInt(document.querySelector("[data-role=entries]")?.textContent) > n, before);
  assert.ok((await clock()) >= t);
  assert.equal(await page.textContent("[data-role=status]"), "paused");
  assert.deepEqual(errors, []);
});
