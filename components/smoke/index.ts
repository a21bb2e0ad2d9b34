export { EngineCheck, EngineCheckArgs } from "./engineCheck";
