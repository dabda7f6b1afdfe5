import { RevertError } from "../../errors";
import { labelAccount } from "./accounts";
import type { Deployment } from "./deployment";
import { ACCESS_STATES, userTypeName } from "./roles";

/** What each xr function lets its caller do, for "only the host may set the contact". */
const ACTIONS: Record<string, string> = {
  setPermission: "grant permissions",
  removePermission: "remove another account's permission",
  setXrayhash: "record X-ray hashes",
  setXrayhashes: "record X-ray hashes",
  setBirthday: "set the birthday",
  setContact: "set the contact",
  anchorBatch: "anchor data sets",
  shareImage: "share images",
  approveAccess: "approve access",
  denyAccess: "deny access",
  revokeAccess: "revoke access",
};

/**
 * Rewrites a decoded revert as a sentence: who lacked which role, which input was bad.
 * Keeps the error's name and arguments for scripts.
 */
export function explainRevert(err: RevertError, fn: string, deployment?: Deployment): RevertError {
  const label = (a: unknown) => labelAccount(String(a), deployment);
  const action = ACTIONS[fn] ?? `call ${fn}`;
  const a = err.args;
  let message: string | undefined;
  switch (err.errorName) {
    case "MissingRole":
      message = `${label(a[0])} is not ${article(userTypeName(a[1]))}: only the ${userTypeName(a[1])} may ${action}`;
      break;
    case "PermissionRemoved":
      message = `the ${userTypeName(a[1])} permission of ${label(a[0])} was removed: it may no longer ${action}`;
      break;
    case "PermissionDisabled":
      message = `the ${userTypeName(a[1])} permission of ${label(a[0])} is disabled: it may not ${action} until gov enables it`;
      break;
    case "BadHash":
      message = `not a SHA-256: "${a[0]}" is not 64 hex digits`;
      break;
    case "BadDate":
      message = `not a real date: "${a[0]}" (expected YYYYMMDD)`;
      break;
    case "AlreadyAnchored":
      message = `this data set (root ${a[0]}) was anchored already, by ${label(a[1])} at ${new Date(Number(a[2]) * 1000).toISOString()}`;
      break;
    case "EmptyBatch":
      message = "an empty data set cannot be anchored";
      break;
    case "IndexOutOfRange":
      message = `there is no X-ray record #${a[0]}: ${a[1]} recorded`;
      break;
    case "InvalidUserType":
      message = `user type ${a[0]} cannot be granted: only doctor (1) and host (2) can`;
      break;
    case "NoPermission":
      message = `${label(a[0])} has no permission to remove`;
      break;
    case "ZeroAddress":
      message = "the zero address is not an account";
      break;
    case "InvalidProfile":
      message = `invalid patient ${a[0]}`;
      break;
    case "InvalidAccess":
      message = `not allowed while the access of ${label(a[0])} is ${ACCESS_STATES[Number(a[1])] ?? a[1]}`;
      break;
    case "SelfRequest":
      message = "the patient cannot request or be granted access to their own images";
      break;
    case "MissingData":
      message = `missing ${a[0]}`;
      break;
    case "InvalidPrediction":
      message = `invalid prediction ${a[0]}: the label must be 1 to 32 bytes, the confidence 0-10000 basis points, the model hash not zero`;
      break;
    case "InvalidPart":
      message = `the body part must be 1 to 32 bytes, got "${a[0]}"`;
      break;
  }
  return message ? new RevertError(message, err.errorName, err.args, { cause: err }) : err;
}

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);
