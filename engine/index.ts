export { bcmHome, backendUrl, homeLayout, repoRoot } from "./paths";
export { Engine, findEngine, readEngine } from "./toolchain";
export { engineEnv } from "./environment";
export { installPlugins, typescriptPlugins } from "./plugins";
export { openStack, StackOptions } from "./workspace";
export { Progress, describeEvent, stripColor, urnName } from "./progress";
export { developmentDeviceEnv, stackPassphrase } from "./passphrase";
export { setSecretConfig } from "./secretConfig";
