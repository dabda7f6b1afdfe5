// pacs anchor and pacs verify against a real Orthanc started by the test: push -> anchor ->
// verify, then changes made in the PACS behind xray's back (one pixel, a Patient ID, an
// instance deleted and one added), each reported for that instance only; anchor killed and rerun;
// a PACS that answers one instance's GET with another instance's file.
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { eventTopic } from "../src/core/chain/abi";
import { artifact } from "../src/core/chain/artifacts";
import { connectChain } from "../src/core/chain/chain";
import { PatientRegister } from "../src/core/hospital/register";
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
    // a cursor ahead of the PACS's feed (Orthanc reset): every study walked again, none anchored twice
    const file = path.join(home, "hospital", fs.readdirSync(path.join(home, "hospital")).find((f) => f.endsWith(".sqlite"))!);
    const reg = await PatientRegister.open(file);
    reg.transaction(() => reg.setMeta(`pacs-cursor ${orthanc.url}`, "999999"));
    reg.close();
    const reset = await pacs(["anchor", "--json"]);
    ok(reset);
    expect(reset.json).to.include({ walked: true, anchored: 0 });
    expect(reset.json.studies.map((s: any) => s.status)).to.deep.equal(Array(4).fill("already-anchored"));
    const v = await pacs(["verify", "--all", "--json"]);
    ok(v);
    expect(v.json.studies).to.have.length(4);
    for (const s of v.json.studies) expect(Object.keys(s.counts)).to.deep.equal(["matched"]);
    const first = await xray(home, ["--patient", "#1", "pacs", "verify", "--json"], { env });
    ok(first);
    const mine = v.json.studies.filter((s: any) => s.patient === 1).map((s: any) => s.studyUid);
    expect(mine.length).to.be.within(1, 3);
    expect(first.json.studies.map((s: any) => s.studyUid)).to.deep.equal(mine);
  });

  it("anchor killed with kill -9 at several moments, rerun: every study anchored exactly once", async () => {
    const home2 = tempHome("pacs-anchor-kill");
    try {
      ok(await xray(home2, ["hospital", "init", "-q"]));
      ok(await xray(home2, ["set-permission", "doctor", "Dr.Lee", "doctor", "-q"]));
      let killed = 0;
      for (const delay of [1200, 2200, 3200]) {
        const run = spawn(process.execPath, [BIN, "pacs", "anchor", "--create-patients"], { env: { ...process.env, ...env, XRAY_HOME: home2, XRAY_RPC: "" }, stdio: "ignore" });
        await sleep(delay);
        if (run.exitCode === null) {
          const gone = new Promise((r) => run.once("exit", r));
          run.kill("SIGKILL");
          await gone;
          killed++;
        }
      }
      expect(killed, "runs killed before they ended").to.be.at.least(1);
      ok(await pacs(["anchor", "--create-patients", "-q"], home2));
      const v = await pacs(["verify", "--all", "--json"], home2);
      ok(v);
      expect(v.json.studies).to.have.length(4);
      const chain = await connectChain({ home: home2 });
      try {
        const logs = await chain.provider.request<{ topics: string[] }[]>("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest", topics: [eventTopic(artifact("xr").abi, "BatchAnchored")] }]);
        expect(logs).to.have.length(4);
        expect(new Set(logs.map((l) => l.topics[1])).size).to.equal(4);
      } finally {
        await chain.close();
      }
    } finally {
      fs.rmSync(home2, { recursive: true, force: true });
    }
  });

  it("one pixel, a Patient ID, an instance deleted and one added in the PACS: each reported for that instance only", async () => {
    const all = await instances();
    const studies = [...new Set(all.map((i) => i.study))];
    const px = all.find((i) => i.ts === "1.2.840.10008.1.2.1" || i.ts === "1.2.840.10008.1.2")!;
    expect(px, "an uncompressed instance in the set").to.not.equal(undefined);
    const [b, c] = studies.filter((s) => s !== px.study);
    const pid = all.find((i) => i.study === b)!;
    const del = all.find((i) => i.study === c)!;
    // one sample changed by hand: the low bit of the last sample's first byte
    const bytes = Buffer.from(await (await req(`/instances/${px.id}/file`)).arrayBuffer());
    bytes[bytes.length - 2] ^= 1;
    await replace(px.id, bytes);
    await replace(pid.id, await modify(pid.id, { Replace: { PatientID: "SOMEONE-ELSE" }, Keep: ["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"] }));
    const added = await modify(del.id, { Replace: { PatientName: "Added^Later" }, Keep: ["StudyInstanceUID", "SeriesInstanceUID"] });
    expect((await req(`/instances/${del.id}`, { method: "DELETE" })).status).to.equal(200);
    const stored = await (await req("/instances", { method: "POST", body: new Uint8Array(added), headers: { "content-type": "application/dicom" } })).json();
    const addedSop = (await get(`/instances/${stored.ID}/tags?simplify`)).SOPInstanceUID;

    const v = await pacs(["verify", "--all", "--json"]);
    expect(v.code, v.stderr).to.equal(1);
    const differences = (uid: string) =>
      v.json.studies.find((s: any) => s.studyUid === uid).instances.filter((i: any) => i.verdict !== "matched").map((i: any) => [i.verdict, i.sopInstanceUid, i.changed]);
    expect(differences(px.study)).to.deep.equal([["image-changed", px.sop, []]]);
    expect(differences(b)).to.deep.equal([["identity-changed", pid.sop, ["PatientID"]]]);
    expect(differences(c).sort()).to.deep.equal([["missing", del.sop, []], ["new", addedSop, []]].sort());
    expect(v.json.studies.filter((s: any) => s.ok)).to.have.length(1);
    const text = await pacs(["verify", px.study]);
    expect(text.code).to.equal(1);
    expect(text.stdout).to.include(`image-changed    ${px.sop}`);
    expect(text.stdout.match(/^ {2}\S/gm), "one instance line").to.have.length(1);

    // offline, without the PACS: the register's proof and the chain
    const d = studies.find((s) => ![px.study, b, c].includes(s))!;
    const untouched = path.join(work, "untouched.dcm");
    fs.writeFileSync(untouched, Buffer.from(await (await req(`/instances/${all.find((i) => i.study === d)!.id}/file`)).arrayBuffer()));
    const tampered = path.join(work, "tampered.dcm");
    fs.writeFileSync(tampered, bytes);
    const offline = await xray(home, ["verify", untouched, tampered, "--json"], { env: { XRAY_PACS: "http://127.0.0.1:9" } });
    expect(offline.code, offline.stderr).to.equal(1);
    expect(offline.json.files.map((f: any) => [f.verdict, f.studyUid])).to.deep.equal([["identical", d], ["image-changed", px.study]]);
  });

  it("--follow anchors a study that arrives while it watches, and stops cleanly on SIGTERM", async () => {
    const run = spawn(process.execPath, [BIN, "pacs", "anchor", "--follow"], { env: { ...process.env, ...env, XRAY_HOME: home, XRAY_RPC: "" } });
    let stdout = "";
    run.stdout.on("data", (b) => (stdout += b));
    const exited = new Promise<number | null>((r) => run.once("exit", (code) => r(code)));
    try {
      await sleep(1500);
      const first = (await get("/studies?expand")).find((s: any) => s.PatientMainDicomTags.PatientID !== "SOMEONE-ELSE").ID;
      const copy = await (await req(`/studies/${first}/modify`, { method: "POST", body: JSON.stringify({ Replace: { StudyDescription: "copy" } }), headers: { "content-type": "application/json" } })).json();
      const uid = (await get(`/studies/${copy.ID}`)).MainDicomTags.StudyInstanceUID;
      for (let i = 0; i < 150 && !stdout.includes(`${uid}  anchored`); i++) await sleep(200);
      expect(stdout).to.include(`${uid}  anchored`);
    } finally {
      run.kill("SIGTERM");
    }
    expect(await exited).to.equal(0);
    expect(stdout).to.match(/stopped; 1 studies anchored/);
  });

  it("a study that changes while it is being anchored is left out, then anchored whole by the next run", async () => {
    // a new one-instance study of a known patient, stable
    const some = (await get("/studies?expand")).find((s: any) => s.PatientMainDicomTags.PatientID !== "SOMEONE-ELSE");
    const copy = await (await req(`/studies/${some.ID}/modify`, { method: "POST", body: JSON.stringify({ Replace: { StudyDescription: "grows" } }), headers: { "content-type": "application/json" } })).json();
    const uid = (await get(`/studies/${copy.ID}`)).MainDicomTags.StudyInstanceUID;
    for (let i = 0; i < 100 && !(await get(`/studies/${copy.ID}`)).IsStable; i++) await sleep(200);
    const held = await get(`/studies/${copy.ID}/instances`);
    const first = held[0].ID;
    // Not a stand-in: a pass-through to the real Orthanc that only times a real change, adding
    // one more instance to the study (as a modality would) when xray first fetches one of its files.
    let added = "";
    const proxy = await proxyTo(orthanc.url, async (url) => {
      if (added || url !== `/instances/${first}/file`) return undefined;
      const more = await modify(first, { Replace: { SeriesDescription: "late view" }, Keep: ["StudyInstanceUID", "SeriesInstanceUID"] });
      added = (await (await req("/instances", { method: "POST", body: new Uint8Array(more), headers: { "content-type": "application/dicom" } })).json()).ID;
      return undefined; // then passed through
    });
    try {
      const during = await xray(home, ["pacs", "anchor", "--json"], { env: { ...env, XRAY_PACS: proxy.url } });
      expect(during.code, during.stderr).to.equal(0);
      expect(added, "the proxy added an instance").to.not.equal("");
      expect(during.json.studies.find((s: any) => s.studyUid === uid)?.status).to.equal("changed");
    } finally {
      await proxy.close();
    }
    for (let i = 0; i < 100 && !(await get(`/studies/${copy.ID}`)).IsStable; i++) await sleep(200);
    const after = await pacs(["anchor", "--json"]);
    expect(after.code, after.stderr).to.equal(0);
    const done = after.json.studies.find((s: any) => s.studyUid === uid);
    expect(done).to.include({ status: "anchored", instances: held.length + 1 });
    const v = await pacs(["verify", uid, "--json"]);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.json.studies[0].counts).to.deep.equal({ matched: held.length + 1 });
  });

  it("a PACS that returns a different instance than asked: verify names that instance (exit 1), anchor refuses the study and resumes", async () => {
    // a study of two instances untouched by the tests above
    const untouched = (await pacs(["verify", "--all", "--json"])).json.studies.find((s: any) => s.ok && s.instances.length === 2);
    expect(untouched, "an untouched study of two instances").to.not.equal(undefined);
    const [asked, other] = (await instances()).filter((i) => i.study === untouched.studyUid);
    const swapped = Buffer.from(await (await req(`/instances/${other.id}/file`)).arrayBuffer());
    const proxy = await proxyTo(orthanc.url, (url) => (url.startsWith(`/instances/${asked.id}/file`) ? swapped : undefined));
    try {
      const v = await pacs(["verify", untouched.studyUid, "--pacs", proxy.url, "--json"]);
      expect(v.code, v.stderr).to.equal(1);
      const got = v.json.studies[0].instances.map((i: any) => [i.verdict, i.sopInstanceUid]);
      expect(got.sort()).to.deep.equal([["matched", other.sop], ["wrong-instance", asked.sop]].sort());
      expect(v.json.studies[0].instances.find((i: any) => i.verdict === "wrong-instance").detail).to.include(`${asked.sop} came back as ${other.sop}`);
      const text = await pacs(["verify", untouched.studyUid, "--pacs", proxy.url]);
      expect(text.code).to.equal(1);
      expect(text.stdout).to.include(`wrong-instance   ${asked.sop}: the PACS returned a different instance than asked`);

      // anchoring a new study through it: one line, exit 1, nothing recorded; through the real PACS it is anchored
      const [found] = await (await req("/tools/lookup", { method: "POST", body: untouched.studyUid })).json();
      const copy = await (await req(`/studies/${found.ID}/modify`, { method: "POST", body: JSON.stringify({ Replace: { StudyDescription: "second copy" } }), headers: { "content-type": "application/json" } })).json();
      for (let i = 0; i < 100 && !(await get(`/studies/${copy.ID}`)).IsStable; i++) await sleep(200);
      const copied = await get(`/studies/${copy.ID}/instances`);
      const copyUid = (await get(`/studies/${copy.ID}`)).MainDicomTags.StudyInstanceUID;
      const through = await proxyTo(orthanc.url, (url) => (url.startsWith(`/instances/${copied[0].ID}/file`) ? swapped : undefined));
      try {
        const refused = await pacs(["anchor", "--pacs", through.url]);
        expect(refused.code, refused.stderr).to.equal(1);
        expect(refused.stderr.trim().split("\n")).to.have.length(1);
        expect(refused.stderr).to.match(/the PACS returned a different instance than asked/);
      } finally {
        await through.close();
      }
      const anchored = await pacs(["anchor", "--json"]);
      expect(anchored.json.studies.filter((s: any) => s.studyUid === copyUid).map((s: any) => s.status)).to.deep.equal(["anchored"]);
    } finally {
      await proxy.close();
    }
  });
});

/**
 * An HTTP pass-through to the Orthanc that first calls `before` for each GET: it may make a real
 * change in Orthanc at that moment (then answer undefined: passed through), or answer other bytes
 * itself: a stand-in for a fault no real PACS can be made to produce on demand (another
 * instance's file for the one asked).
 */
async function proxyTo(target: string, before: (url: string) => Buffer | undefined | Promise<Buffer | undefined>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const other = req.method === "GET" ? await before(req.url ?? "") : undefined;
    if (other) {
      res.writeHead(200, { "content-type": "application/dicom", "content-length": other.length });
      return void res.end(other);
    }
    const up = http.request(target + req.url, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
