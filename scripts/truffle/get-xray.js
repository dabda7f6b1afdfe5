// `npx truffle exec scripts/truffle/get-xray.js <index>`: prints xry.getXrayhash(index) and the
// record count as JSON, read through Truffle from whatever chain the network points at.
const xr = artifacts.require("xr");

module.exports = async function (callback) {
  try {
    const index = Number(process.argv[process.argv.length - 1]) || 0;
    const xry = await xr.deployed();
    const r = await xry.getXrayhash(index);
    const count = await xry.getXrayhashCount();
    console.log(JSON.stringify({ address: xry.address, count: count.toString(), doctor: r[0], part: r[1], sha256: r[2] }));
    callback();
  } catch (err) {
    callback(err);
  }
};
