import { decodeEvents, eventTopic } from "../abi";
import { artifact } from "../artifacts";
import { xrLogs, type XrContext } from "../xr";

/**
 * Every CID the chain records: shared images (ImageShared) and the copies approved for
 * requesters (AccessApproved). These are roots `xray ipfs gc` must keep, pinned or not.
 */
export async function recordedCids(ctx: XrContext): Promise<string[]> {
  const abi = artifact("xr").abi;
  const logs = await xrLogs(ctx, [[eventTopic(abi, "ImageShared"), eventTopic(abi, "AccessApproved")]]);
  const { CID } = await import("multiformats/cid");
  return decodeEvents(abi, logs).map((e) => CID.decode(Buffer.from(String(e.args.cid).slice(2), "hex")).toString());
}
