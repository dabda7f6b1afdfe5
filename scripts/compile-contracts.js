#!/usr/bin/env node
// Compiles contracts/*.sol with the solc-js package and the settings in truffle-config.js,
// writing build/xray-artifacts.json (abi, bytecode, link references) for the xray CLI.
// Skips the work when the sources and compiler are unchanged since the last build.
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

const root = path.resolve(__dirname, "..");
const contractsDir = path.join(root, "contracts");
const outFile = path.join(root, "build", "xray-artifacts.json");
const { settings } = require(path.join(root, "truffle-config.js")).compilers.solc;

const sources = {};
for (const name of fs.readdirSync(contractsDir).filter((f) => f.endsWith(".sol")).sort()) {
  sources[name] = { content: fs.readFileSync(path.join(contractsDir, name), "utf8") };
}
// Imported packages (OpenZeppelin's Clones) are read from node_modules: part of the fingerprint.
function findImports(name) {
  try {
    return { contents: fs.readFileSync(require.resolve(name, { paths: [root] }), "utf8") };
  } catch (err) {
    return { error: `${name}: ${err.message}` };
  }
}
const openzeppelin = require("@openzeppelin/contracts/package.json").version;
const solcVersion = require("solc/package.json").version;
const fingerprint = crypto
  .createHash("sha256")
  .update(JSON.stringify({ sources, settings, solcVersion, openzeppelin, format: 2 }))
  .digest("hex");

if (fs.existsSync(outFile)) {
  try {
    if (JSON.parse(fs.readFileSync(outFile, "utf8")).fingerprint === fingerprint) process.exit(0);
  } catch {
    /* rebuild a damaged file */
  }
}

const solc = require("solc");
const input = {
  language: "Solidity",
  sources,
  settings: {
    ...settings,
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.bytecode.linkReferences", "evm.deployedBytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) process.stderr.write(e.formattedMessage + "\n");
if (errors.length) process.exit(1);

const contracts = {};
for (const [file, byName] of Object.entries(output.contracts)) {
  if (!sources[file]) continue; // a library imported from node_modules: compiled into ours
  for (const [name, c] of Object.entries(byName)) {
    if (!c.evm.bytecode.object && !c.abi.length) continue;
    contracts[name] = {
      sourceName: file,
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
      linkReferences: c.evm.bytecode.linkReferences,
    };
  }
}
// keccak-256 of every function, event and error signature, so that a command need not hash them
// at start-up (selectors and topics: ~19 hashes a set-xray-hash, ~8 ms of CPU in JavaScript).
// js-sha3 is the keccak solc-js itself uses (pinned by its exact version).
const { keccak256 } = require(require.resolve("js-sha3", { paths: [path.dirname(require.resolve("solc/package.json"))] }));
const canonical = (p) => (p.type.startsWith("tuple") ? `(${p.components.map(canonical).join(",")})${p.type.slice(5)}` : p.type);
const hashes = { "Error(string)": "0x" + keccak256("Error(string)"), "Panic(uint256)": "0x" + keccak256("Panic(uint256)") };
for (const c of Object.values(contracts)) {
  for (const item of c.abi) {
    if (!["function", "event", "error"].includes(item.type)) continue;
    const signature = `${item.name}(${(item.inputs || []).map(canonical).join(",")})`;
    hashes[signature] = "0x" + keccak256(signature);
  }
}
fs.mkdirSync(path.dirname(outFile), { recursive: true });
const tmp = outFile + "." + process.pid + ".tmp";
fs.writeFileSync(tmp, JSON.stringify({ fingerprint, compiler: `solc-js ${solcVersion}`, settings, contracts, hashes }));
fs.renameSync(tmp, outFile);
console.error(`compiled ${Object.keys(contracts).join(", ")} with solc-js ${solcVersion} (${settings.evmVersion})`);
