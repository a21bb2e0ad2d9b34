/** The `bcm` command's exit codes, documented in `bcm --help`. */
export const ExitCode = {
    /** The command did what was asked. */
    ok: 0,
    /** The command failed: a device, daemon, engine or deploy error; the message says which. */
    failed: 1,
    /** The command line was wrong: an unknown command or option, or a malformed value. */
    usage: 2,
    /** A deploy was refused by a mandatory policy; nothing changed. */
    policy: 3,
    /** Interrupted (Ctrl-C); a running engine operation was cancelled cleanly. */
    interrupted: 130,
} as const;

export const exitCodeHelp = `Exit codes:
  0    success
  1    failure (the message names what failed and how to fix it)
  2    bad command line (unknown command or option, malformed value)
  3    a deploy refused by a mandatory policy (nothing changed)
  130  interrupted (Ctrl-C)`;
