// Across the worker boundary the run is the same, byte for byte: each
// scenario, run in the page with every server in its own Web Worker, ends
// with the trace hash `zooscope run` prints for it natively.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveDist, launch, openPage, linkOf, nativeHash, waitFinished, root } from "./lib.mjs";

let server, browser, dir;
before(async () => {
  server = await serveDist();
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), "zooscope-det-"));
});
after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function scenario(seed, faults) {
  return {
    format: 1,
    name: `determinism seed ${seed}`,
    seed,
    servers: [{ id: 1 }, { id: 2 }, { id: 3 }],
    network: { default: { latency_us: 1500, jitter_us: 1000, loss_ppm: 20000, dup_ppm: 0 } },
    clients: [
      { name: "a", workload: { start_ms: 300, rate_per_sec: 40, keys: 10, prefix: "/a" } },
      { name: "b", workload: { start_ms: 300, rate_per_sec: 40, keys: 10, prefix: "/b" }, commands: [{ at_ms: 2000, line: "ls /a" }] },
    ],
    faults,
    end_ms: 6000,
  };
}

const cases = [
  ["seed 11, no faults", scenario(11, [])],
  ["seed 12, leader crash and restart", scenario(12, [
    { at_ms: 2000, fault: { kind: "crash", node: 3 } },
    { at_ms: 4000, fault: { kind: "restart", node: 3 } },
  ])],
  ["seed 13, partition and heal", scenario(13, [
    { at_ms: 1500, fault: { kind: "partition", groups: [[1, 101], [2, 3, 102]] } },
    { at_ms: 4500, fault: { kind: "heal" } },
  ])],
];

for (const [name, s] of cases) {
  test(`${name}: the page's hash is the native one`, async () => {
    const file = join(dir, `${s.seed}.json`);
    writeFileSync(file, JSON.stringify(s));
    const want = nativeHash(file);
    const { page, errors } = await openPage(browser, server.url + "?speed=max" + linkOf(file));
    await waitFinished(page);
    assert.equal(await page.getAttribute("[data-role=hosting]", "data-hosting"), "workers");
    assert.equal(await page.textContent("[data-role=trace-hash]"), want);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
