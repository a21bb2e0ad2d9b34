import { EngineCheck } from "../../components/smoke";

const check = new EngineCheck("check");

export const secret = check.secret;
export const commandOutput = check.commandOutput;
export const networkName = check.networkName;
export const networkId = check.networkId;
