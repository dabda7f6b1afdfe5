import * as fs from "node:fs";
import { addFile } from "../../core/ipfs/add";
import { exportCar, importCar } from "../../core/ipfs/car";
import { getFile } from "../../core/ipfs/get";
import { UsageError } from "../../errors";
import { withIpfs, type Globals } from "../context";
import type { CommandOutput } from "../output";
import { formatBytes } from "../progress";

const seconds = (t0: number) => (performance.now() - t0) / 1000;

export async function add(g: Globals, file: string, o: { cidVersion: string }): Promise<CommandOutput> {
  if (o.cidVersion !== "0" && o.cidVersion !== "1") throw new UsageError(`--cid-version must be 0 or 1, got "${o.cidVersion}"`);
  const t0 = performance.now();
  const r = await withIpfs(g, (s) => addFile(s, file, { cidVersion: Number(o.cidVersion) as 0 | 1 }));
  const t = seconds(t0);
  return { json: { ...r, file, seconds: t }, text: `${r.cid}\n${file}: ${formatBytes(r.size)} added in ${t.toFixed(2)} s` };
}

export async function get(g: Globals, cid: string, o: { out: string }): Promise<CommandOutput> {
  if (fs.statSync(o.out, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--out ${o.out} is a folder; give a file name`);
  const t0 = performance.now();
  const r = await withIpfs(g, (s) => getFile(s, cid, o.out));
  const t = seconds(t0);
  return { json: { ...r, out: o.out, seconds: t }, text: `${o.out}: ${formatBytes(r.size)} from ${r.cid}, every block checked, in ${t.toFixed(2)} s` };
}

export async function exportCmd(g: Globals, cid: string, o: { car: string }): Promise<CommandOutput> {
  const r = await withIpfs(g, (s) => exportCar(s, cid, o.car));
  return { json: { ...r, car: o.car }, text: `${o.car}: ${r.blocks} blocks, ${formatBytes(r.bytes)}, root ${r.root}` };
}

export async function importCmd(g: Globals, car: string): Promise<CommandOutput> {
  const r = await withIpfs(g, (s) => importCar(s, car));
  return { json: { ...r, car }, text: `${r.roots.join("\n")}\n${car}: ${r.blocks} blocks imported, each checked against its CID` };
}
