// Deploys strlib, links it into xr, deploys xr('Ken', <patient>, 25, 0, 1) as in the paper,
// and grants accounts[1] the Host role (the hospital that keeps birthday and contact).
//
// On the `development` network (the chain `xray node` serves) a deployment made by `xray init`
// is adopted instead of deploying a second copy, so `xr.deployed()` in truffle console
// and truffle exec sees exactly what the xray CLI wrote.
const fs = require("fs");
const path = require("path");

const strlib = artifacts.require("strlib");
const xr = artifacts.require("xr");

const HOST = 2; // UserType.Host

function xrayDeployment() {
  const home = path.resolve(process.env.XRAY_HOME || ".xray");
  const file = path.join(home, "deployments.json");
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, "utf8")).embedded || null;
}

module.exports = async function (deployer, network, accounts) {
  const existing = network === "development" ? xrayDeployment() : null;
  if (existing) {
    strlib.address = existing.strlib;
    xr.address = existing.xr;
    console.log(`  adopted the xray CLI's deployment: xr at ${existing.xr}, strlib at ${existing.strlib}`);
    return;
  }
  const [gov, host, , patient] = accounts;
  await deployer.deploy(strlib);
  await deployer.link(strlib, xr);
  await deployer.deploy(xr, "Ken", patient, 25, 0, 1, { from: gov });
  const xry = await xr.deployed();
  await xry.setPermission(host, "Host", HOST, true, { from: gov });
};
