// The bcm package: Pulumi components for a self-hosted, Tor-only Bitcoin and Lightning data
// center, the Automation API layer that deploys them with the policy pack, and the device
// (Trezor, or the software device) every key comes from. Each area is also its own entry
// point: `bcm/components/<area>`, `bcm/automation`, `bcm/device`, `bcm/engine`.
export * as components from "./components";
export * as automation from "./automation";
export * as device from "./device";
export * as engine from "./engine";
