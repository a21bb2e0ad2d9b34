// The gateway's own firewall, inside the first gateway container: the private registry (pull
// 5010, push 5011), the Docker Hub mirror (5000) and Tor's SOCKS (9050) and DNS (9053/udp),
// which swarm publishes on the container's addresses, answer only the data center: its
// endpoint host (whose LXD proxy devices carry every tier container's 127.0.0.1:5010, and
// which is the controller) and the other endpoints' hosts. Services reach Tor over their
// overlays, which never pass these rules. Installed as a systemd unit that runs before
// dockerd at every boot, so a restarted container is never open.
import { gatewayPorts } from "./ports";

/** The ports guarded: TCP and UDP. */
export const guardedPorts = {
    tcp: [gatewayPorts.mirror, gatewayPorts.registry, gatewayPorts.registryPush, gatewayPorts.socks],
    udp: [gatewayPorts.dns],
} as const;

/** An IPv4 address or CIDR the firewall may name (anything else would be shell or iptables syntax). */
const ipv4 = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/** Checks the extra sources (other endpoints' host addresses): IPv4 addresses or CIDRs only. */
export function checkAllowed(sources: readonly string[]): string[] {
    for (const s of sources) if (!ipv4.test(s)) throw new Error(`gateway firewall: "${s}" is not an IPv4 address or CIDR; give the endpoint's address (bcm:endpoints[].address)`);
    return [...sources];
}

/** The rules script, run at boot and on every deploy: it reads /etc/bcm/gateway-allow. */
export function firewallRules(): string {
    const tcp = guardedPorts.tcp.join(",");
    const udp = guardedPorts.udp.join(",");
    return [
        "#!/bin/sh",
        "# BCM: the gateway's registry, mirror and Tor answer the data center only (components/gateway/firewall.ts).",
        "set -eu",
        "ipt() { iptables -w 10 -t mangle \"$@\"; }",
        // The endpoint host is the default route's gateway (LXD's bridge address); wait for it at boot.
        "host=''",
        "for i in $(seq 1 60); do host=$(ip -4 route show default | awk '{print $3; exit}'); [ -n \"$host\" ] && break; sleep 0.5; done",
        "ipt -N BCM-GATEWAY 2>/dev/null || ipt -F BCM-GATEWAY",
        "ipt -C PREROUTING -j BCM-GATEWAY 2>/dev/null || ipt -I PREROUTING 1 -j BCM-GATEWAY",
        // Only what arrives from the LXD bridge; docker's own bridges and the overlays are the data center's.
        "ipt -A BCM-GATEWAY ! -i eth+ -j RETURN",
        "ipt -A BCM-GATEWAY -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
        "for src in $host $(cat /etc/bcm/gateway-allow 2>/dev/null); do ipt -A BCM-GATEWAY -s \"$src\" -j RETURN; done",
        `ipt -A BCM-GATEWAY -p tcp -m multiport --dports ${tcp} -j DROP`,
        `ipt -A BCM-GATEWAY -p udp -m multiport --dports ${udp} -j DROP`,
        "",
    ].join("\n");
}

/** The systemd unit that applies the rules before dockerd at every boot. */
export const firewallUnit = [
    "[Unit]",
    "Description=BCM: the gateway's services answer the data center only",
    "After=systemd-networkd.service",
    "Before=docker.service",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    "ExecStart=/usr/local/sbin/bcm-gateway-firewall",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
].join("\n");

/** Installs the rules and the unit ($ALLOW: the other endpoints' addresses), applies them, and prints the chain. */
export function firewallInstallScript(): string {
    return [
        "set -eu",
        "mkdir -p /etc/bcm",
        "printf '%s\\n' $ALLOW > /etc/bcm/gateway-allow",
        "cat > /usr/local/sbin/bcm-gateway-firewall <<'BCM_RULES'",
        firewallRules().trimEnd(),
        "BCM_RULES",
        "chmod 0755 /usr/local/sbin/bcm-gateway-firewall",
        "cat > /etc/systemd/system/bcm-gateway-firewall.service <<'BCM_UNIT'",
        firewallUnit.trimEnd(),
        "BCM_UNIT",
        "systemctl daemon-reload",
        "systemctl enable bcm-gateway-firewall.service >/dev/null 2>&1",
        "/usr/local/sbin/bcm-gateway-firewall",
        "iptables -w 10 -t mangle -S BCM-GATEWAY",
    ].join("\n");
}
