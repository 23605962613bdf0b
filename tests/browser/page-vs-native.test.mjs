// The page's server lives in a Web Worker and is reached only by
// postMessage. The same zkCli sequence typed into the page and run
// natively by `zooscope zkcli` must print the same transcript (timestamps
// and session ids aside: the page runs in real time, the CLI in virtual).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveDist, launch, openPage, run, waitConnected, consoleLines, root, linkOf } from "./lib.mjs";

const script = [
  ["a", "create /app hello"],
  ["b", "get -w /app"],
  ["b", "ls -w /app"],
  ["a", "create -e /app/e1 eph"],
  ["a", "set -v 0 /app world"],
  ["b", "stat /app"],
  ["a", "create -s /app/seq- one"],
  ["a", "create -s /app/seq- two"],
  ["b", "ls -R /app"],
  ["a", "addWatch -m PERSISTENT_RECURSIVE /app"],
  ["b", "delete /app/seq-0000000001"],
  ["a", "getAcl /app"],
  ["a", "create /app/ro x world:anyone:r"],
  ["b", "set /app/ro y"],
  ["a", "multi-is-not-a-command"],
  ["b", "get -s /app/e1"],
  ["a", "close"],
  ["b", "ls /app"],
];

/** Timestamps and session ids differ between real and virtual time. */
function normalize(lines) {
  return lines
    .map((l) => l.replace(/^(ctime|mtime) = .*$/, "$1 = <time>"))
    .map((l) => l.replace(/0x[0-9a-f]{9,}/g, "<session>"));
}

let server, browser;
before(async () => {
  server = await serveDist();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the page and zooscope give the same answers for the same sequence", async () => {
  const dir = mkdtempSync(join(tmpdir(), "zooscope-"));
  try {
    const file = join(dir, "script.txt");
    writeFileSync(file, script.map(([c, l]) => `${c}> ${l}`).join("\n") + "\n");
    const native = spawnSync("cargo", ["run", "--quiet", "-p", "zooscope", "--", "zkcli", "--clients", "a,b", "--transcript", "--script", file], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(native.status, 0, native.stderr);
    const nativeBy = { a: [], b: [] };
    for (const line of native.stdout.split("\n")) {
      const m = /^\[(a|b)\] ?(.*)$/.exec(line);
      if (m) nativeBy[m[1]].push(m[2]);
    }

    const link = linkOf(join(root, "tests", "browser", "standalone.json"));
    const { page, errors } = await openPage(browser, server.url + "?speed=1" + link);
    await waitConnected(page, "a");
    await waitConnected(page, "b");
    for (const [c, line] of script) await run(page, c, line);
    await page.waitForTimeout(300);
    for (const c of ["a", "b"]) {
      const inPage = normalize(await consoleLines(page, c));
      assert.deepEqual(inPage, normalize(nativeBy[c]), `console ${c}`);
    }
    assert.ok(nativeBy.b.some((l) => l.includes("type:NodeDataChanged path:/app")), "the watch fired natively too");
    assert.deepEqual(errors, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
