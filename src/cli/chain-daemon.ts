/**
 * Entry point of the background chain process (started by daemon-client.ts, never by hand):
 * `node chain-daemon.js <home> <idle seconds> <lock wait ms>`. Prints one JSON line on stdout: the info
 * once it serves, or {error, code} when it cannot (the chain busy or damaged); its stdout
 * is closed after that and messages go to stderr (the home's chain-daemon.log).
 */
import { runDaemon } from "../core/chain/daemon";

async function main(): Promise<void> {
  const [home, idle, wait] = process.argv.slice(2);
  const idleMs = Math.max(1, Number(idle) || 120) * 1000;
  const waitMs = Math.max(0, Number(wait) || 0);
  let handle;
  try {
    handle = await runDaemon(home, idleMs, waitMs);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    process.stdout.write(JSON.stringify({ error: e.message ?? String(err), code: e.code ?? "DAEMON_FAILED" }) + "\n");
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(handle.info) + "\n", () => process.stdout.destroy());
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => handle.stop());
  process.on("uncaughtException", (err) => {
    process.stderr.write(`${new Date().toISOString()} xray chain daemon: ${err.stack ?? err}\n`);
    process.exit(1);
  });
  await handle.stopped;
  process.stderr.write(`${new Date().toISOString()} xray chain daemon ${process.pid}: stopped\n`);
  process.exit(0);
}

void main();
