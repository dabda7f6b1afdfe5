import { serveEmbedded } from "../../core/chain/serve";
import { EMBEDDED_CHAIN } from "../../core/chain/embedded";
import { parseIndex } from "../../core/validate";
import { UsageError } from "../../errors";
import { toJson } from "../output";
import type { Globals } from "../context";

/** Serves until SIGINT/SIGTERM; prints the endpoint once listening. Never returns output. */
export async function run(g: Globals, o: { port: string; host: string; unsafeExpose?: boolean }): Promise<void> {
  if (g.rpc) throw new UsageError("xray node serves the embedded chain; it cannot be combined with --rpc");
  const port = parseIndex(o.port, "port");
  if (port < 1 || port > 65535) throw new UsageError(`port ${port} is out of range (1-65535)`);
  if (!isLoopback(o.host)) {
    // every role account is unlocked on the embedded chain: anyone who reaches the port can sign as gov
    if (!o.unsafeExpose) {
      throw new UsageError(`refusing to serve on ${o.host}: the embedded chain's accounts are unlocked, so anyone reaching it could act as gov, host, doctor or patient; use 127.0.0.1, or --unsafe-expose on a trusted network`);
    }
    process.stderr.write(`xray: warning: serving on ${o.host} with every role account unlocked: anyone who reaches port ${port} can send transactions as gov, host, doctor or patient\n`);
  }
  const node = await serveEmbedded(g.home, { port, host: o.host, waitMs: g.wait * 1000 });
  const info = { ...node.info, chainId: EMBEDDED_CHAIN.chainId, networkId: EMBEDDED_CHAIN.networkId, home: g.home };
  process.stdout.write(
    g.json
      ? toJson(info) + "\n"
      : `serving the embedded chain of ${g.home} at ${info.url} (chain id ${info.chainId}, network id ${info.networkId})\n` +
          `xray commands on this home now go through it; truffle: npx truffle console\nCtrl-C to stop\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => void node.stop().then(resolve, resolve);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    process.once("SIGHUP", stop);
  });
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1";
}
