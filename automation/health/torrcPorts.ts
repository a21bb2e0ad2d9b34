// The onion services a gateway's torrc publishes, with their virtual ports (pure).

/** `HiddenServiceDir …/hs-<name>` followed by `HiddenServicePort <virtual> <target>` lines → name → first virtual port. */
export function onionPorts(torrc: string): Record<string, number> {
    const out: Record<string, number> = {};
    let current: string | undefined;
    for (const line of torrc.split("\n").map((l) => l.trim())) {
        const dir = /^HiddenServiceDir\s+\S*\/hs-([A-Za-z0-9_-]+)$/.exec(line);
        if (dir) {
            current = dir[1];
            continue;
        }
        const port = /^HiddenServicePort\s+(\d+)\s/.exec(line);
        if (port && current && out[current] === undefined) out[current] = Number(port[1]);
    }
    return out;
}
