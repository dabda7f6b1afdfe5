// Truffle configuration. The compiler is the solc-js package from npm (pinned in
// package.json), so `truffle compile` downloads nothing. scripts/compile-contracts.js
// reads the same settings, so the xray CLI and Truffle build identical bytecode.
const path = require("path");

function isTrufflesTestCommand() {
  return process.argv.slice(2).find((a) => !a.startsWith("-")) === "test";
}

module.exports = {
  contracts_directory: "./contracts",
  migrations_directory: "./migrations",
  // Only the Truffle (JavaScript) tests: test/ also holds the CLI's mocha suite.
  test_directory: "./test/truffle",
  contracts_build_directory: "./build/contracts",

  // `development` is the chain `xray node` serves (the xray CLI's embedded chain), so
  // `truffle migrate`, `truffle console` and `truffle exec` see what the CLI wrote.
  // `truffle test` leaves it out and runs on Truffle's own throw-away chain, so tests
  // never write to the operator's chain.
  networks: isTrufflesTestCommand()
    ? {}
    : {
        development: {
          host: "127.0.0.1",
          port: Number(process.env.XRAY_NODE_PORT || 8545),
          network_id: 5777,
        },
      },

  compilers: {
    solc: {
      // A path makes Truffle load this solc-js instead of fetching a compiler.
      version: path.dirname(require.resolve("solc/package.json")),
      settings: {
        optimizer: { enabled: true, runs: 200 },
        // Ganache 7.9 runs up to Shanghai; solc 0.8.28 would target Cancun by default.
        evmVersion: "shanghai",
      },
    },
  },
};
