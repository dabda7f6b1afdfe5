import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ok, tempHome, xray } from "./helpers/cli";
import { startOrthanc, type TestOrthanc } from "./helpers/orthanc";

describe("pacs push, to a real Orthanc started by the test", function () {
  this.timeout(120_000);
  const home = tempHome("pacs");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "xray-pacs-"));
  const set = path.join(work, "set");
  let orthanc: TestOrthanc;
  let auth: string;
  const get = async (route: string) => (await fetch(orthanc.url + route, { headers: { authorization: auth, "accept-encoding": "identity" } })).json() as Promise<any>;

  before(async function () {
    orthanc = await startOrthanc();
    auth = "Basic " + Buffer.from(`${orthanc.user}:${orthanc.password}`).toString("base64");
    ok(await xray(home, ["dataset", set, "--dicom", "--studies", "4", "--patients", "2", "--max-size", "64"]));
  });
  after(async () => {
    await orthanc?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("stores every instance, counts those already there; what Orthanc returns, re-encodes or moves is told apart", async function () {
    const files = fs.readdirSync(set, { recursive: true }).map(String).filter((f) => f.endsWith(".dcm"));
    const r = await xray(home, ["pacs", "push", set, "--pacs", orthanc.url, "--pacs-credentials-file", orthanc.credentialsFile, "--json"]);
    ok(r);
    expect(r.json).to.include({ stored: files.length, alreadyStored: 0, failedCount: 0 });
    const stats = await get("/statistics");
    expect([stats.CountInstances, stats.CountStudies, stats.CountPatients]).to.deep.equal([files.length, 4, 2]);
    // Credentials from the environment this time: nothing sent twice.
    const again = await xray(home, ["pacs", "push", set, "--json"], { env: { XRAY_PACS: orthanc.url, XRAY_PACS_USER: orthanc.user, XRAY_PACS_PASSWORD: orthanc.password } });
    ok(again);
    expect(again.json).to.include({ stored: 0, alreadyStored: files.length });
    // What Orthanc returns is the image xray hashed: identical bytes, and DICOMweb lists the studies.
    const manifest = path.join(work, "set.json");
    ok(await xray(home, ["hash", set, "--manifest", manifest, "-q"]));
    const one = r.json.instances[0];
    const back = path.join(work, "back.dcm");
    const res = await fetch(`${orthanc.url}/instances/${one.id}/file`, { headers: { authorization: auth, "accept-encoding": "identity" } });
    fs.writeFileSync(back, Buffer.from(await res.arrayBuffer()));
    const v = await xray(home, ["verify", back, "--manifest", manifest, "--json"]);
    ok(v);
    expect(v.json.files[0]).to.include({ sopInstanceUid: one.sopInstanceUid });
    expect(v.json.files[0].verdict).to.be.oneOf(["identical", "re-encoded"]);
    const studies = await get("/dicom-web/studies");
    expect(studies).to.have.length(4);

    // Orthanc re-encodes an instance (JPEG-LS, UIDs kept), and moves one to another patient.
    const modified = async (body: object, name: string) => {
      const res = await fetch(`${orthanc.url}/instances/${one.id}/modify`, {
        method: "POST",
        headers: { authorization: auth, "accept-encoding": "identity", "content-type": "application/json" },
        body: JSON.stringify({ Keep: ["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"], Force: true, ...body }),
      });
      expect(res.status).to.equal(200);
      const file = path.join(work, name);
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      return file;
    };
    const jpls = await modified({ Transcode: "1.2.840.10008.1.2.4.80" }, "orthanc-jpls.dcm");
    const moved = await modified({ Replace: { PatientID: "SOMEONE-ELSE" } }, "orthanc-moved.dcm");
    const check = await xray(home, ["verify", jpls, moved, "--manifest", manifest, "--json"]);
    expect(check.code).to.equal(1);
    expect(check.json.files.map((f: any) => [f.verdict, f.changed])).to.deep.equal([
      ["re-encoded", []],
      ["identity-changed", ["PatientID"]],
    ]);
  });

  it("says in one line when the PACS refuses the credentials, is unreachable, or a file is not DICOM", async function () {
    const png = path.join(work, "not.dcm");
    fs.writeFileSync(png, "plain text, not DICOM");
    const bad = path.join(work, "bad-credentials");
    fs.writeFileSync(bad, "xray:wrong\n");
    const refused = await xray(home, ["pacs", "push", set, "--pacs", orthanc.url, "--pacs-credentials-file", bad, "--json"]);
    expect(refused.code).to.equal(1);
    expect(refused.json.error.code).to.equal("PACS_UNAUTHORIZED");
    const gone = await xray(home, ["pacs", "push", set, "--pacs", "http://127.0.0.1:9", "--json"]);
    expect(gone.code).to.equal(1);
    expect(gone.json.error.code).to.equal("PACS_UNREACHABLE");
    const mixed = await xray(home, ["pacs", "push", png, set, "--pacs", orthanc.url, "--pacs-credentials-file", orthanc.credentialsFile]);
    expect(mixed.code).to.equal(1);
    expect(mixed.stderr).to.match(/not\.dcm: not a DICOM file/);
    expect(mixed.stdout).to.match(/0 instances stored in .*, \d+ already there/);
  });
});
