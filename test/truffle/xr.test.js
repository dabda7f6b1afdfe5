// The paper's truffle console session, as a Truffle test (`npx truffle test`).
// Runs on Truffle's own throw-away chain, deployed by migrations/1_initial_migration.js.
const xr = artifacts.require("xr");

const HASH = "16c8a694c91b80f1d97efb91455ab8b3facd6221ea401d740086722d4bad0134";

async function revertName(promise) {
  try {
    await promise;
  } catch (err) {
    const data = err.data && (err.data.result || err.data.data || err.data);
    const selector = typeof data === "string" ? data.slice(0, 10) : "";
    return { selector, message: String(err.message) };
  }
  throw new Error("expected a revert");
}

contract("xr (the paper's console session)", (accounts) => {
  const [gov, host, doctor, patient] = accounts;

  it("runs the reference workflow end to end", async () => {
    const xry = await xr.deployed();
    await xry.setPermission(doctor, "Dr.Lee", 1, true, { from: gov });
    const tx = await xry.setXrayhash("chest", HASH, { from: doctor });
    assert.equal(tx.logs[0].event, "XrayhashSet");
    await xry.setBirthday("19970522", { from: host });
    await xry.setContact("0912-321-456", { from: host });

    const p = await xry.profile();
    assert.equal(p[0], "Ken");
    assert.equal(p[1], patient);
    assert.equal(p[2].toString(), "25");
    assert.equal(p[5], "19970522");
    assert.equal(p[6], "0912-321-456");

    assert.equal((await xry.getXrayhashCount()).toString(), "1");
    const r = await xry.getXrayhash(0);
    assert.deepEqual([r[0], r[1], r[2]], ["Dr.Lee", "chest", HASH]);

    await xry.removePermission(doctor, { from: gov });
    const failure = await revertName(xry.setXrayhash("chest", HASH, { from: doctor }));
    // PermissionRemoved(address,uint8)
    assert.equal(failure.selector, web3.eth.abi.encodeFunctionSignature("PermissionRemoved(address,uint8)"));
    assert.equal((await xry.getXrayhashCount()).toString(), "1");
  });

  it("lets only the host set the birthday, and only real dates", async () => {
    const xry = await xr.deployed();
    const notHost = await revertName(xry.setBirthday("19970522", { from: doctor }));
    assert.equal(notHost.selector, web3.eth.abi.encodeFunctionSignature("MissingRole(address,uint8)"));
    const badDate = await revertName(xry.setBirthday("19970230", { from: host }));
    assert.equal(badDate.selector, web3.eth.abi.encodeFunctionSignature("BadDate(string)"));
  });
});
