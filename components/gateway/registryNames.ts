// The private registry's names, shared by the gateway tier that makes it and the backup that
// reads its storage (automation/backup/plan.ts), so neither can drift from the other.

/** The docker volume both registry services keep their storage in. */
export const registryVolume = "bcm-registry-data";

/** The swarm services on that storage: `registry` serves pulls (5010), `registry-push` takes pushes (5011). */
export const registryServiceNames = { pull: "registry", push: "registry-push" } as const;
