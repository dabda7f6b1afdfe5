// `npx truffle exec scripts/truffle/set-xray-hash.js [part] [sha256]` (the benchmark's peer):
// what an operator did by hand in truffle console, as one script. Writes from accounts[2].
const xr = artifacts.require("xr");

module.exports = async function (callback) {
  try {
    const args = process.argv.slice(process.argv.indexOf("--") >= 0 ? process.argv.indexOf("--") + 1 : 4);
    const [part = "chest", hash = "16c8a694c91b80f1d97efb91455ab8b3facd6221ea401d740086722d4bad0134"] = args.filter((a) => !a.startsWith("--"));
    const accounts = await web3.eth.getAccounts();
    const xry = await xr.deployed();
    const tx = await xry.setXrayhash(part, hash, { from: accounts[2] });
    console.log(JSON.stringify({ tx: tx.tx, block: tx.receipt.blockNumber, gasUsed: tx.receipt.gasUsed }));
    callback();
  } catch (err) {
    callback(err);
  }
};
