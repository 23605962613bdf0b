// `make bench-page`: open the page's benchmark (`?bench`) in headless
// Chromium and print what it measured in one run — the raw postMessage
// round trip to a worker, and a three-server ensemble written to flat out
// with its servers in Web Workers and then all in the page. A measurement,
// not a test: nothing here fails on a number.
import { serveDist, launch, openPage } from "./lib.mjs";

const server = await serveDist();
const browser = await launch();
try {
  const { page, errors } = await openPage(browser, server.url + "?bench");
  await page.waitForSelector("[data-role=bench][data-done=true]", { timeout: 600000 });
  const f = JSON.parse(await page.textContent("[data-role=bench]"));
  const row = (name, r) =>
    console.log(
      `${name.padEnd(10)} ${r.inputs_per_s.toFixed(0).padStart(12)} ${r.rounds_per_s.toFixed(0).padStart(10)} ${r.commits_per_s
        .toFixed(0)
        .padStart(12)} ${r.wall_s.toFixed(2).padStart(8)} s   ${r.trace_hash}`,
    );
  console.log(`raw postMessage round trips to one worker: ${f.round_trips_per_s.toFixed(0)} per second`);
  console.log(`three servers, two clients with 50 writes each in flight, ${f.workers.virtual_s} s of virtual time:`);
  console.log(`${"mode".padEnd(10)} ${"inputs/s".padStart(12)} ${"rounds/s".padStart(10)} ${"commits/s".padStart(12)} ${"wall".padStart(8)}     trace hash`);
  row("workers", f.workers);
  row("in-page", f.in_page);
  console.log(`worker mode handles at least half the raw round-trip rate in inputs: ${f.workers_at_least_half_raw}`);
  console.log(`worker mode commits at least 1,800 writes/s (real ZooKeeper 3.8 on this loopback): ${f.workers_commit_like_zookeeper}`);
  console.log(`same trace in both modes: ${f.workers.trace_hash === f.in_page.trace_hash}`);
  if (errors.length) console.log("page errors:", errors);
} finally {
  await browser.close();
  await server.close();
}
