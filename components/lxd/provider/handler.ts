import { CheckFailure } from "@pulumi/pulumi/provider";
import { PlannedDiff } from "./diff";

/** Plain property bags: secrets unwrapped (the provider re-marks them), unknowns as sentinels. */
export type Props = Record<string, unknown>;

/**
 * One resource type's CRUD, on plain values. The provider around it unwraps secrets before
 * and marks them again after, so handlers never see wrappers.
 */
export interface ResourceHandler {
    /** Validates and fills defaults; `olds` are the previous checked inputs (for keeping an auto-name). */
    check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }>;
    /** Compares the last known outputs with the new checked inputs. */
    diff(olds: Props, news: Props): PlannedDiff;
    /**
     * Properties whose live value has left what the state records, checked against the daemon
     * on every diff (no `--refresh` needed): an instance that should run but was stopped.
     */
    liveDrift?(olds: Props, news: Props): Promise<string[]>;
    /** Creates the object; on failure nothing is left behind (or the error carries the id). */
    create(inputs: Props): Promise<{ id: string; outs: Props }>;
    /** Reads the live object; no id when it is gone. */
    read(id: string, props: Props): Promise<{ id?: string; props?: Props; inputs?: Props }>;
    /** Changes the object in place. */
    update(id: string, olds: Props, news: Props): Promise<Props>;
    /** Deletes the object; one that is already gone counts as deleted. */
    delete(id: string, props: Props): Promise<void>;
    /**
     * Outputs computed from all the inputs together (a command's stdout): the provider
     * marks them secret whenever the program marked any input secret, since per-key
     * copying of secrecy cannot see that a secret went into them.
     */
    derivedOutputs?: string[];
}

/**
 * A create that made the object but could not finish (and could not undo it either): the
 * provider server reports it with the id, so the engine keeps the object in its state
 * instead of losing track of it.
 */
export class PartialCreateError extends Error {
    constructor(
        message: string,
        public readonly id: string,
        public readonly properties: Props,
        public readonly reasons: string[] = [message],
    ) {
        super(message);
        this.name = "PartialCreateError";
    }
}
