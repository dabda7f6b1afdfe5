// `XRAY_MANIFEST=m.json npx truffle exec scripts/truffle/anchor-manifest.js` (the anchor
// benchmark's peer): one setXrayhash per image, awaited in turn, as Lin et al.'s upload loop
// and a hand-written truffle script do it. Writes from accounts[2].
const fs = require("fs");
const xr = artifacts.require("xr");

module.exports = async function (callback) {
  try {
    const manifest = JSON.parse(fs.readFileSync(process.env.XRAY_MANIFEST, "utf8"));
    const accounts = await web3.eth.getAccounts();
    const xry = await xr.deployed();
    let gas = 0;
    for (const f of manifest.files) {
      const tx = await xry.setXrayhash("chest", f.sha256, { from: accounts[2] });
      gas += tx.receipt.gasUsed;
    }
    console.log(JSON.stringify({ records: manifest.files.length, gasUsed: gas }));
    callback();
  } catch (err) {
    callback(err);
  }
};
