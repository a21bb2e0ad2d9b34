import { EndpointSpec, endpointNameForHost, parseSshTarget, SpecError, validateEndpoints } from "../../components/datacenter/spec";

/** The flags of `bcm cluster create` that name endpoints. */
export interface EndpointFlags {
    local?: boolean;
    ssh: string[];
    sshKey?: string;
    clientCert?: string;
    clientKey?: string;
    /** The pinned host key of each --ssh host, in order (pinHostKey). */
    hostKeys?: string[];
}

/** Endpoints from `--local` and `--ssh user@host[:port]` (repeated); errors name the flag. */
export function endpointsFromFlags(o: EndpointFlags): EndpointSpec[] {
    const endpoints: EndpointSpec[] = [];
    if (o.local) endpoints.push({ name: "local", mode: "local" });
    if (o.ssh.length === 0) {
        for (const [flag, v] of [["--ssh-key", o.sshKey], ["--client-cert", o.clientCert], ["--client-key", o.clientKey]] as const) {
            if (v !== undefined) throw new SpecError(`${flag}: only with --ssh`);
        }
    } else if (o.clientCert === undefined || o.clientKey === undefined) {
        throw new SpecError("--ssh: give both --client-cert and --client-key, or neither (bcm then uses its own certificate, made once in the BCM home)");
    }
    for (const [i, target] of o.ssh.entries()) {
        const { user, host, port } = parseSshTarget(target);
        let name = endpointNameForHost(host);
        for (let i = 2; endpoints.some((e) => e.name === name); i++) name = `${endpointNameForHost(host).slice(0, 58)}-${i}`;
        endpoints.push({
            name,
            mode: "ssh",
            host,
            port,
            user,
            ...(o.sshKey ? { sshKeyPath: o.sshKey } : {}),
            ...(o.hostKeys?.[i] ? { hostKey: o.hostKeys[i] } : {}),
            clientCertificatePath: o.clientCert,
            clientKeyPath: o.clientKey,
        });
    }
    if (endpoints.length === 0) throw new SpecError("no endpoints: give --local, --ssh user@host[:port] or --file cluster.json");
    return validateEndpoints(endpoints, "endpoints");
}

/** The endpoint list of a cluster file (`{"endpoints": [...]}` or the list itself), not yet checked. */
export function rawEndpointsFromFile(text: string, file: string): unknown {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (err) {
        throw new SpecError(`--file ${file}: not JSON (${(err as Error).message}); write {"endpoints": [{"name": "local", "mode": "local"}]}`);
    }
    return Array.isArray(raw) ? raw : (raw as { endpoints?: unknown } | null)?.endpoints;
}

/** Endpoints from a cluster file: `{"endpoints": [...]}` (or the list itself). */
export function endpointsFromFile(text: string, file: string): EndpointSpec[] {
    return validateEndpoints(rawEndpointsFromFile(text, file), `${file}: endpoints`);
}
