// Shared helpers for ZooScope's browser tests: serve dist/ on a free port,
// launch Debian's Chromium through playwright-core, and drive the page the
// way a person would. Nothing here downloads anything.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { extname, join, normalize, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { spawnSync } from "node:child_process";

const here = dirname(fileURLToPath(import.meta.url));
export const root = normalize(join(here, "..", ".."));
export const dist = join(root, "dist");
export const outputDir = join(root, "tests", "output");

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** A plain static file server over dist/ — no special headers, as any host would be. */
export async function serveDist() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(dist, path === "/" ? "index.html" : path));
    if (!file.startsWith(dist)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Chromium as TOOLCHAIN.md says it works here: headless, no sandbox (root), no outside traffic. */
export async function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Open the page and collect every uncaught error and console error. */
export async function openPage(browser, url, viewport = { width: 1600, height: 1000 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}

export const consoleSel = (name) => `section.console[data-console="${name}"]`;

/** Wait until a console's client is connected. */
export async function waitConnected(page, name, timeout = 20000) {
  await page.waitForFunction(
    (sel) => document.querySelector(`${sel} [data-role=session-status]`)?.textContent?.startsWith("CONNECTED"),
    consoleSel(name),
    { timeout },
  );
}

/** All output lines of a console, in order. */
export async function consoleLines(page, name) {
  return page.$$eval(`${consoleSel(name)} [data-role=output] .line`, (els) => els.map((e) => e.textContent));
}

/** Type a command, wait until the console's shell is done with it, and return its output lines. */
export async function run(page, name, command, { settleMs = 100, timeout = 20000 } = {}) {
  const input = page.locator(`${consoleSel(name)} [data-role=input]`);
  const before = (await consoleLines(page, name)).length;
  await input.fill(command);
  await input.press("Enter");
  await page.waitForFunction(
    ([sel, n]) =>
      document.querySelector(sel)?.dataset.busy === "false" &&
      document.querySelectorAll(`${sel} [data-role=output] .line`).length > n,
    [consoleSel(name), before],
    { timeout },
  );
  // Let events the command caused elsewhere arrive too.
  await page.waitForTimeout(settleMs);
  const lines = await consoleLines(page, name);
  // Output after the echoed command line.
  return lines.slice(before + 1);
}

export async function screenshot(page, name) {
  await mkdir(outputDir, { recursive: true });
  const path = join(outputDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Run the native `zooscope` (debug build, through cargo) and return its stdout. */
export function zooscope(...args) {
  const r = spawnSync("cargo", ["run", "--quiet", "-p", "zooscope", "--", ...args], { cwd: root, encoding: "utf8" });
  if (r.status !== 0 && r.status !== 1) throw new Error(`zooscope ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

/** The link (`#v1.…`) of a scenario file. */
export function linkOf(file) {
  const lines = zooscope("link", "encode", file).trim().split("\n");
  return lines[lines.length - 1];
}

/** The trace hash `zooscope run` prints for a scenario file. */
export function nativeHash(file) {
  const m = /trace hash ([0-9a-f]{16})/.exec(zooscope("run", file));
  if (!m) throw new Error(`no trace hash from zooscope run ${file}`);
  return m[1];
}

/** Wait until the page has run its scenario to the end. */
export async function waitFinished(page, timeout = 120000) {
  await page.waitForFunction(() => document.querySelector("[data-role=status]")?.textContent === "finished", null, { timeout });
}

/** The states the cluster view shows, by server id. */
export async function serverStates(page) {
  return page.$$eval("g.server", (els) => Object.fromEntries(els.map((e) => [e.dataset.server, e.dataset.state])));
}
