/**
 * Where an OpenPGP passphrase comes from: XRAY_PASSPHRASE, a file (--passphrase-file or
 * XRAY_PASSPHRASE_FILE), or a hidden prompt on a terminal. Never a command-line argument,
 * never printed. The prompt (inquirer) loads only when one is needed.
 */
import { readSecret } from "../core/chain/signer";
import type { KeyEntry } from "../core/crypto/keyring";
import type { PassphraseSource } from "../core/share";
import { UsageError } from "../errors";
import type { Globals } from "./context";
import { safeText } from "../core/text";

const fromScript = (g: Globals, env: NodeJS.ProcessEnv): string | undefined => {
  if (g.passphraseFile) return readSecret(g.passphraseFile, "passphrase");
  return env.XRAY_PASSPHRASE || undefined;
};

const interactive = () => Boolean(process.stdin.isTTY && process.stderr.isTTY);

async function ask(message: string): Promise<string> {
  const inquirer = (await import("inquirer")).default;
  const prompt = inquirer.createPromptModule({ output: process.stderr });
  const { secret } = await prompt<{ secret: string }>([{ type: "password", name: "secret", message }]);
  return secret;
}

const keyLabel = (k: KeyEntry) => `${k.fingerprint.slice(-16).toUpperCase()}${k.userIds[0] ? ` (${safeText(k.userIds[0])})` : ""}`;

/** The passphrase of an existing key, asked for only when a private key must be unlocked. */
export function passphraseSource(g: Globals, env: NodeJS.ProcessEnv = process.env): PassphraseSource {
  return async (key) => {
    const given = fromScript(g, env);
    if (given !== undefined) return given;
    if (!interactive()) {
      throw new UsageError(`the private key ${keyLabel(key)} is locked: give its passphrase in XRAY_PASSPHRASE or --passphrase-file <file>`);
    }
    return ask(`Passphrase for ${keyLabel(key)}:`);
  };
}

/** A new key's passphrase: from the script's source, or typed twice on a terminal. */
export async function newPassphrase(g: Globals, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const given = fromScript(g, env);
  if (given !== undefined) {
    if (!given) throw new UsageError("the passphrase is empty: a private key must be protected");
    return given;
  }
  if (!interactive()) throw new UsageError("a new private key needs a passphrase: XRAY_PASSPHRASE or --passphrase-file <file> (never on the command line)");
  const first = await ask("Passphrase for the new private key:");
  if (!first) throw new UsageError("the passphrase is empty: a private key must be protected");
  if ((await ask("Repeat the passphrase:")) !== first) throw new UsageError("the passphrases differ: no key was made");
  return first;
}
