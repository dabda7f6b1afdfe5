import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cxrData, freePort, ROOT } from "./helpers/cli";
import { readmeSessions, sessionScript, type ReadmeSession } from "./helpers/readme";

// Every ```sh session of the README runs as written, in a new shell with a fresh home, in a
// fresh copy of the clone's root (where ../shared resolves), with this clone's xray and
// truffle on the PATH as the README's set-up says. `# => text` after a command asserts what it
// prints (see test/helpers/readme.ts); every session must exit 0.
//
// README_SESSION=<line> runs only the session whose fence is on that line of README.md;
// README_VERBOSE=1 prints every session's output.

const README = path.join(ROOT, "README.md");
const SESSION_TIMEOUT_MS = 240_000;

/** The clone as a user has it, without its state: links to what the sessions read, a copy of build/. */
function tempClone(sharedData: { cxr: string; nonCxr?: string }): { root: string; clone: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-readme-"));
  const clone = path.join(root, "xray");
  fs.mkdirSync(clone);
  for (const entry of ["bin", "dist", "node_modules", "models", "contracts", "migrations", "scripts", "src", "test", "bench", "truffle-config.js", "package.json", "tsconfig.json", "README.md"]) {
    if (fs.existsSync(path.join(ROOT, entry))) fs.symlinkSync(path.join(ROOT, entry), path.join(clone, entry));
  }
  // `truffle migrate` writes its artifacts: a copy, so the clone's own build/ is left alone.
  fs.cpSync(path.join(ROOT, "build"), path.join(clone, "build"), { recursive: true });
  const data = path.join(root, "shared", "data");
  fs.mkdirSync(data, { recursive: true });
  fs.symlinkSync(sharedData.cxr, path.join(data, "cxr"));
  if (sharedData.nonCxr) fs.symlinkSync(sharedData.nonCxr, path.join(data, "non-cxr"));
  return { root, clone };
}

/** A new shell's environment: none of xray's variables, this clone's commands first on the PATH. */
function freshEnv(clone: string, home: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(XRAY_|ETH_RPC_URL$|ETH_FROM$)/.test(k) || k === "XRAY_CXR_DATA") env[k] = v;
  }
  env.PATH = `${path.join(clone, "bin")}:${path.join(clone, "node_modules", ".bin")}:${process.env.PATH}`;
  env.XRAY_HOME = home;
  // The Truffle session's `xray node` and truffle-config.js both read this: a free port, so
  // tests running beside each other never meet on 8545.
  env.XRAY_NODE_PORT = String(port);
  return env;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a script with bash in its own process group; the whole group is stopped afterwards. */
function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-euo", "pipefail", script], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const stopGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is gone already
      }
    };
    const timer = setTimeout(() => {
      output += `\n[readme test: timed out after ${timeoutMs} ms]\n`;
      stopGroup("SIGKILL");
    }, timeoutMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      // Whatever the session left running in the background (an `xray node &` before a failure).
      stopGroup("SIGTERM");
      const done = () => resolve({ code, signal, output });
      const grace = setTimeout(() => {
        stopGroup("SIGKILL");
        done();
      }, 5000);
      child.on("close", () => {
        clearTimeout(grace);
        done();
      });
    });
  });
}

describe("README sessions", function () {
  const sessions = readmeSessions(fs.readFileSync(README, "utf8"));
  const only = process.env.README_SESSION ? Number(process.env.README_SESSION) : undefined;

  it("has sessions to run, and says why for each one it skips", () => {
    expect(sessions.filter((s) => s.skip === undefined).length).to.be.greaterThan(5);
    for (const s of sessions.filter((s) => s.skip !== undefined)) expect(s.skip, `README line ${s.line}: not run, but why?`).to.match(/\w{3,}/);
  });

  it("runs a session as written and checks its `# =>` lines (a made-up session)", async () => {
    const code = [
      `echo "hello, world"      # => hello...world`,
      `echo 'a*b?' >&2          # => a*b?`,
      `false || echo "exit $?"`,
      `# => exit 1`,
    ];
    const ok = await runMadeUp(code.join("\n"));
    expect(ok.code, ok.output).to.equal(0);
    const wrong = await runMadeUp([...code, `echo nope # => yes`].join("\n"));
    expect(wrong.code).to.equal(90);
    expect(wrong.output).to.include("README: echo nope: expected in its output: yes");
    const failed = await runMadeUp([...code, `false`, `echo never`].join("\n"));
    expect(failed.code).to.equal(1);
    expect(failed.output).to.include("README: exit 1 at: false").and.not.include("never");
    // What a failed session left in the background is stopped with it.
    const left = await runMadeUp(`sleep 600 &\necho "pid $!"\nfalse`);
    const pid = Number(/pid (\d+)/.exec(left.output)![1]);
    expect(await gone(pid), `process ${pid} still running`).to.equal(true);
  });

  // Two sessions at a time (each is one command after another, mostly one core's work);
  // each test waits for its own session and asserts on it.
  const selected = sessions.filter((s) => s.skip === undefined && (only === undefined || only === s.line));
  const runs = new Map<ReadmeSession, Promise<SessionRun>>();
  before(() => {
    const queue = [...selected];
    const worker = async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const run = runSession(s);
        runs.set(s, run);
        await run;
      }
    };
    void Promise.all([worker(), worker()]);
  });

  for (const session of sessions) {
    const title = `${session.heading} (README line ${session.line})`;
    if (!selected.includes(session)) {
      it.skip(`${title}: ${session.skip ?? "not selected"}`);
      continue;
    }
    it(title, async function () {
      this.timeout(selected.length * (SESSION_TIMEOUT_MS + 20_000));
      while (!runs.has(session)) await new Promise((resolve) => setTimeout(resolve, 50));
      const { code, shown } = await runs.get(session)!;
      if (process.env.README_VERBOSE) console.log(shown);
      expect(code, shown).to.equal(0);
    });
  }
});

/** Whether a process has ended (waiting a little for it to be reaped). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function runMadeUp(code: string): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xray-test-readme-"));
  try {
    const script = path.join(dir, "session.sh");
    fs.writeFileSync(script, sessionScript({ line: 1, heading: "made up", code }));
    return await runBash(script, dir, { PATH: process.env.PATH }, 10_000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface SessionRun {
  code: number | null;
  shown: string;
}

/** Runs one session in its own temporary clone; never rejects (a failure is in `code`). */
async function runSession(session: ReadmeSession): Promise<SessionRun> {
  const cxr = cxrData();
  const nonCxr = path.resolve(cxr, "..", "non-cxr");
  const { root, clone } = tempClone({ cxr, nonCxr: fs.existsSync(nonCxr) ? nonCxr : undefined });
  try {
    const script = path.join(root, "session.sh");
    fs.writeFileSync(script, sessionScript(session));
    const env = freshEnv(clone, path.join(clone, ".xray"), await freePort());
    const run = await runBash(script, clone, env, SESSION_TIMEOUT_MS);
    return { code: run.code, shown: `README line ${session.line}, exit ${run.code ?? run.signal}:\n${run.output}` };
  } catch (err) {
    return { code: null, shown: `README line ${session.line}: ${(err as Error).stack ?? err}` };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
