import { xrCall, xrSend, type TxOutcome, type XrContext } from "../xr";
import { userTypeName, type UserTypeName } from "../roles";
import { checkText } from "../../validate";

export interface SetPermissionParameters {
  account: string;
  name: string;
  /** 1 Doctor, 2 Host. */
  userType: number;
  enabled: boolean;
  /** Must be gov. */
  from: string;
}

/** Grants (or suspends, with enabled false) a role. */
export async function setPermission(ctx: XrContext, p: SetPermissionParameters): Promise<TxOutcome> {
  checkText(p.name, "name");
  return xrSend(ctx, "setPermission", [p.account, p.name, p.userType, p.enabled], p.from);
}

/** Removes `account`'s permission; from gov, or from the account itself (resigning). */
export function removePermission(ctx: XrContext, p: { account: string; from: string }): Promise<TxOutcome> {
  return xrSend(ctx, "removePermission", [p.account], p.from);
}

export interface Permission {
  account: string;
  name: string;
  userType: UserTypeName;
  enabled: boolean;
  /** The role the account lost, when its permission was removed. */
  removed?: UserTypeName;
}

/** What the contract says about `account`; gov and the patient are reported as such. */
export async function getPermission(ctx: XrContext, account: string): Promise<Permission> {
  const [name, role, enabled, removed] = await xrCall(ctx, "getPermission", [account]);
  const lower = account.toLowerCase();
  const fixed =
    lower === ctx.deployment.roles.gov.toLowerCase() ? "gov" : lower === ctx.deployment.roles.patient.toLowerCase() ? "patient" : undefined;
  const removedName = userTypeName(removed);
  return {
    account,
    name: String(name),
    userType: fixed ?? userTypeName(role),
    enabled: fixed ? true : Boolean(enabled),
    ...(removedName !== "none" ? { removed: removedName } : {}),
  };
}
