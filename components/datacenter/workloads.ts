// The workload tiers a data center knows, one line each; a tier of any other name gets its
// containers and overlay and runs what the user deploys there.
import { bitcoinWorkload } from "../bitcoin/workload";
import { kafkaWorkload } from "../kafka/workload";
import type { Workload } from "./workload";

export const workloads: readonly Workload<any>[] = [kafkaWorkload, bitcoinWorkload];
