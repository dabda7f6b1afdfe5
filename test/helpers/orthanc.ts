import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, stopProcess } from "./cli";

const BINARY = "/usr/sbin/Orthanc";
const DICOMWEB = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

export interface TestOrthanc {
  /** http://127.0.0.1:<port> */
  url: string;
  dicomPort: number;
  aet: string;
  /** The AET Orthanc knows as a modality on 127.0.0.1: dcmtk's getscu calls with it (`-aet`). */
  peerAet: string;
  user: string;
  password: string;
  /** A file holding "user:password", as `--pacs-credentials-file` reads it. */
  credentialsFile: string;
  dir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A real Orthanc of the tests' own: Debian's binary, a configuration written here (storage in a
 * temporary folder, free HTTP and DICOM ports on 127.0.0.1, RemoteAccessAllowed false, one user,
 * the DICOMweb plugin, StableAge 1 s, TCP_NODELAY=1, one DICOM modality for getscu). Never the system Orthanc on 8042/4242.
 * A machine without Orthanc fails here, loudly: .ci/run installs orthanc and orthanc-dicomweb.
 */
export async function startOrthanc(): Promise<TestOrthanc> {
  for (const f of [BINARY, DICOMWEB]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: install Debian's orthanc and orthanc-dicomweb (.ci/run does)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "xray-orthanc-"));
  const [httpPort, dicomPort] = [await freePort(), await freePort()];
  const user = "xray";
  const password = `pw-${process.pid}-${httpPort}`;
  const aet = "XRAYTEST";
  const peerAet = "XRAYPEER";
  const config = {
    Name: "xray-test",
    StorageDirectory: path.join(dir, "storage"),
    IndexDirectory: path.join(dir, "index"),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: aet,
    // C-GET answers only modalities it knows: getscu (bench:pacs's peer) calls as this one
    DicomModalities: { peer: [peerAet, "127.0.0.1", 104] },
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [user]: password },
    HttpCompressionEnabled: false,
    StableAge: 1,
    Plugins: [DICOMWEB],
    DicomWeb: { Enable: true, Root: "/dicom-web/" },
    SaveJobs: false,
    ConcurrentJobs: 2,
  };
  const configFile = path.join(dir, "orthanc.json");
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const credentialsFile = path.join(dir, "credentials");
  fs.writeFileSync(credentialsFile, `${user}:${password}\n`, { mode: 0o600 });
  const child = spawn(BINARY, [`--logdir=${dir}`, configFile], { env: { ...process.env, TCP_NODELAY: "1" }, stdio: "ignore" });
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    await stopProcess(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const auth = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = fs.readdirSync(dir).filter((f) => f.endsWith(".log")).map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n");
      await stop();
      throw new Error(`Orthanc exited (${child.exitCode}) before it answered:\n${log.slice(-2000)}`);
    }
    try {
      const r = await fetch(`${url}/system`, { headers: { authorization: auth } });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("Orthanc did not answer within 30 s");
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  return { url, dicomPort, aet, peerAet, user, password, credentialsFile, dir, child, stop };
}
