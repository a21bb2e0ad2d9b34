// Reading a complete process trace (`strace -f -tt -v -s 65536 -e trace=execve -o FILE`, one
// line per execve with its whole argv and environment, and one per exit) and finding every
// secret that was on a command line, or in the environment of a process that lived long. Pure,
// so the rules are tested on real strace output without a deploy.

/** One execve: who, when, what it ran with. */
export interface ExecRecord {
    pid: number;
    /** Seconds since midnight (strace -tt). */
    at: number;
    path: string;
    argv: string[];
    env: string[];
    /** When this program image ended: the pid's next execve or its exit; undefined = still running when the trace ended. */
    until?: number;
}

/** Reads a C string literal of strace's (`"…"` with \n, \", \\, \xNN, \NNN escapes) from `s` at `i`; returns it and the index after it. */
function cString(s: string, i: number): [string, number] {
    if (s[i] !== '"') throw new Error(`strace line: expected a string at ${i}`);
    let out = "";
    for (i++; i < s.length; i++) {
        const c = s[i];
        if (c === '"') return [out, i + 1];
        if (c !== "\\") {
            out += c;
            continue;
        }
        const n = s[++i];
        const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", v: "\v", f: "\f", '"': '"', "\\": "\\" };
        if (n in simple) out += simple[n];
        else if (n === "x") {
            out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
            i += 2;
        } else if (/[0-7]/.test(n)) {
            let j = i;
            while (j < i + 3 && /[0-7]/.test(s[j])) j++;
            out += String.fromCharCode(parseInt(s.slice(i, j), 8));
            i = j - 1;
        } else out += n;
    }
    throw new Error("strace line: unterminated string");
}

/** Reads `["a", "b"…]` (strace may end a long array with `...`); returns the strings and the index after `]`. */
function stringArray(s: string, i: number): [string[], number] {
    if (s[i] !== "[") throw new Error(`strace line: expected [ at ${i}`);
    const out: string[] = [];
    i++;
    while (i < s.length) {
        if (s[i] === "]") return [out, i + 1];
        if (s[i] === '"') {
            const [str, j] = cString(s, i);
            out.push(str);
            i = j;
        } else i++; // ", " separators and a trailing "..."
    }
    throw new Error("strace line: unterminated array");
}

const seconds = (t: string) => {
    const [h, m, s] = t.split(":");
    return Number(h) * 3600 + Number(m) * 60 + Number(s);
};

/** Every execve of the trace, each with the time its program image ended. */
export function parseExecTrace(text: string): ExecRecord[] {
    const execs: ExecRecord[] = [];
    const current = new Map<number, ExecRecord>();
    for (const line of text.split("\n")) {
        const m = /^(\d+)\s+(\d\d:\d\d:\d\d\.\d+)\s+(.*)$/.exec(line);
        if (!m) continue;
        const pid = Number(m[1]);
        const at = seconds(m[2]);
        const rest = m[3];
        if (rest.startsWith("execve(")) {
            const [path, afterPath] = cString(rest, "execve(".length);
            const [argv, afterArgv] = stringArray(rest, afterPath + 2);
            const env = rest[afterArgv + 2] === "[" ? stringArray(rest, afterArgv + 2)[0] : [];
            const failed = /\)\s*=\s*-1\s/.test(rest);
            const prev = current.get(pid);
            const rec: ExecRecord = { pid, at, path, argv, env };
            execs.push(rec);
            if (!failed) {
                if (prev) prev.until = at;
                current.set(pid, rec);
            } else rec.until = at;
        } else if (/^\+\+\+ (exited|killed)/.test(rest)) {
            const prev = current.get(pid);
            if (prev) prev.until = at;
            current.delete(pid);
        }
    }
    return execs;
}

/** A secret found where it must not be. */
export interface Leak {
    secret: string;
    where: "argv" | "env";
    pid: number;
    program: string;
    /** How long the program ran with it, seconds (Infinity: still running). */
    lived: number;
}

export interface LeakRules {
    /** Programs allowed to hold secrets in their environment: the engine and its plugins. */
    engine: (r: ExecRecord) => boolean;
    /** A process that lives longer than this (seconds) must not hold a secret in its environment. */
    longLived: number;
}

/** The engine's own processes: the CLI, its plugins and language host, and the Node programs it runs. */
export function isEngineProcess(r: ExecRecord): boolean {
    const base = r.path.split("/").pop() ?? "";
    if (/^pulumi(-|$)/.test(base)) return true;
    return base === "node" && r.argv.some((a) => /@pulumi\/pulumi\/cmd\/(run|run-policy-pack|dynamic-provider)|components\/lxd\/provider\/main/.test(a));
}

/** Every secret on a command line (anywhere), or in the environment of a long-lived process that is not the engine. */
export function secretLeaks(execs: ExecRecord[], secrets: Record<string, string>, rules: LeakRules): Leak[] {
    const leaks: Leak[] = [];
    for (const r of execs) {
        const lived = r.until === undefined ? Infinity : r.until - r.at;
        for (const [name, value] of Object.entries(secrets)) {
            if (value === "") continue;
            if (r.argv.some((a) => a.includes(value))) leaks.push({ secret: name, where: "argv", pid: r.pid, program: r.path, lived });
            if (lived > rules.longLived && !rules.engine(r) && r.env.some((e) => e.includes(value))) leaks.push({ secret: name, where: "env", pid: r.pid, program: r.path, lived });
        }
    }
    return leaks;
}
