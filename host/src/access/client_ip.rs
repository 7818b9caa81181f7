//! The client's IP address: the socket peer, unless the peer is a trusted proxy
//! (`HOOKLINE_TRUSTED_PROXIES`), in which case the one forwarding header the proxies write
//! (`HOOKLINE_FORWARDED_HEADER`: `X-Forwarded-For` or `Forwarded`, never both — a proxy that
//! writes one passes the other through from the client, who could then choose their address)
//! is walked from the nearest hop outwards, skipping trusted proxies; the first untrusted
//! address is the client. A header from an untrusted peer is ignored, so it cannot be spoofed.
//! Per-IP limits key an IPv6 client by its network (`HOOKLINE_IPV6_LIMIT_PREFIX`, /64), which
//! one subscriber usually holds whole.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The forwarding header trusted proxies write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, most load balancers).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
}

/// Resolves client IPs; built once from the settings.
#[derive(Debug, Clone)]
pub struct ClientIpResolver {
    trusted: Vec<IpNet>,
    header: ForwardedHeader,
    ipv6_prefix: u8,
}

impl Default for ClientIpResolver {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

/// An address as rules compare it: IPv4-mapped IPv6 (`::ffff:10.0.0.1`) becomes IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// Parses an address or CIDR; a bare address is a /32 or /128 network.
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(|ip| IpNet::from(canonical(ip)))
        .map_err(|_| format!("{text:?} is not an IP address or CIDR"))
}

/// Parses a comma-separated list of addresses and CIDRs.
pub fn parse_list(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_net)
        .collect()
}

/// Whether `ip` is inside any of `nets` (IPv4-mapped addresses compared as IPv4).
pub fn contains(nets: &[IpNet], ip: IpAddr) -> bool {
    let ip = canonical(ip);
    nets.iter().any(|net| net.contains(&ip))
}

/// One `for=` value of a `Forwarded` element: `for=192.0.2.1`, `for="[2001:db8::1]:4711"`.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then(|| value.trim())
    })
}

/// An address from a forwarding header: optional quotes, brackets, port and IPv6 zone
/// (`fe80::1%eth0`) removed.
fn parse_hop(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
    let unzoned;
    let raw = match raw.split_once('%') {
        Some((address, zone)) => {
            // The zone runs to the closing bracket of `[fe80::1%eth0]:80`, if there is one.
            unzoned = match zone.split_once(']') {
                Some((_, rest)) => format!("{address}]{rest}"),
                None => address.to_owned(),
            };
            unzoned.as_str()
        }
        None => raw,
    };
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok().map(canonical);
    }
    let (host, port) = raw.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse().ok().map(canonical)
}

impl ClientIpResolver {
    /// Trusting `trusted`, reading `X-Forwarded-For`, keying IPv6 clients by /64.
    pub fn new(trusted: Vec<IpNet>) -> Self {
        Self {
            trusted,
            header: ForwardedHeader::default(),
            ipv6_prefix: crate::config::DEFAULT_IPV6_LIMIT_PREFIX,
        }
    }

    /// Reads `header` from trusted proxies.
    pub fn reading(mut self, header: ForwardedHeader) -> Self {
        self.header = header;
        self
    }

    /// Keys IPv6 clients by their `/prefix` network in per-IP limits.
    pub fn keying_ipv6_by(mut self, prefix: u8) -> Self {
        self.ipv6_prefix = prefix.clamp(1, 128);
        self
    }

    /// Who a per-IP limit counts `ip` as: an IPv4 address itself, an IPv6 address its network
    /// (`2001:db8:1:2::/64`).
    pub fn limit_subject(&self, ip: IpAddr) -> String {
        match canonical(ip) {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => ipnet::Ipv6Net::new(v6, self.ipv6_prefix)
                .map(|net| net.trunc().to_string())
                .unwrap_or_else(|_| v6.to_string()),
        }
    }

    /// The client address of a request from `peer` with `headers`.
    pub fn resolve(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !contains(&self.trusted, peer) {
            return peer;
        }
        let hops = self.hops(headers);
        // Nearest hop last: walk back from it while the hops are trusted proxies.
        let mut client = peer;
        for hop in hops.iter().rev() {
            match hop {
                Some(ip) => {
                    client = *ip;
                    if !contains(&self.trusted, *ip) {
                        break;
                    }
                }
                // An unparseable hop ends what can be believed.
                None => break,
            }
        }
        client
    }

    /// The addresses a trusted proxy reported, farthest first, from the header it writes.
    fn hops(&self, headers: &HeaderMap) -> Vec<Option<IpAddr>> {
        let joined = |name: &str| -> Option<String> {
            let values: Vec<&str> = headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            (!values.is_empty()).then(|| values.join(","))
        };
        match self.header {
            ForwardedHeader::XForwardedFor => joined("x-forwarded-for")
                .map(|xff| xff.split(',').map(parse_hop).collect())
                .unwrap_or_default(),
            ForwardedHeader::Forwarded => joined("forwarded")
                .map(|forwarded| {
                    forwarded
                        .split(',')
                        .map(|element| forwarded_for(element).and_then(parse_hop))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_headers_are_ignored() {
        let resolver = ClientIpResolver::default();
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(resolver.resolve(ip("10.0.0.9"), &spoofed), ip("10.0.0.9"));
    }

    #[test]
    fn a_trusted_proxy_chain_is_walked_from_the_nearest_hop() {
        let resolver = ClientIpResolver::new(parse_list("10.0.0.0/8, ::1").unwrap());
        let chain = headers(&[("x-forwarded-for", "9.9.9.9, 1.2.3.4, 10.0.0.7")]);
        // 10.0.0.7 is a trusted proxy; 1.2.3.4 is the first untrusted hop: the client.
        assert_eq!(resolver.resolve(ip("10.0.0.1"), &chain), ip("1.2.3.4"));
        assert_eq!(resolver.resolve(ip("::1"), &chain), ip("1.2.3.4"));
        // The peer is not trusted: its header is not believed.
        assert_eq!(resolver.resolve(ip("192.0.2.1"), &chain), ip("192.0.2.1"));
        // All hops trusted: the farthest one.
        let inside = headers(&[("x-forwarded-for", "10.1.1.1, 10.2.2.2")]);
        assert_eq!(resolver.resolve(ip("10.0.0.1"), &inside), ip("10.1.1.1"));
        // Garbage stops the walk at the last good hop.
        let garbage = headers(&[("x-forwarded-for", "1.2.3.4, nonsense")]);
        assert_eq!(resolver.resolve(ip("10.0.0.1"), &garbage), ip("10.0.0.1"));
    }

    #[test]
    fn only_the_configured_header_is_read_when_both_are_there() {
        let both = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("forwarded", "for=203.0.113.5"),
        ]);
        let trusted = parse_list("10.0.0.0/8").unwrap();
        let xff = ClientIpResolver::new(trusted.clone());
        assert_eq!(xff.resolve(ip("10.0.0.1"), &both), ip("198.51.100.1"));
        let forwarded = ClientIpResolver::new(trusted).reading(ForwardedHeader::Forwarded);
        assert_eq!(forwarded.resolve(ip("10.0.0.1"), &both), ip("203.0.113.5"));
        // A proxy writing one header: a client's copy of the other changes nothing.
        let only_xff = headers(&[("forwarded", "for=203.0.113.5")]);
        assert_eq!(xff.resolve(ip("10.0.0.1"), &only_xff), ip("10.0.0.1"));
    }

    #[test]
    fn an_ipv6_zone_does_not_stop_the_walk() {
        let resolver = ClientIpResolver::new(parse_list("10.0.0.0/8, fe80::/10").unwrap());
        let chain = headers(&[("x-forwarded-for", "2001:db8::7, fe80::1%eth0")]);
        assert_eq!(resolver.resolve(ip("10.0.0.1"), &chain), ip("2001:db8::7"));
        let bracketed = headers(&[("x-forwarded-for", "[2001:db8::8%2]:443")]);
        assert_eq!(
            resolver.resolve(ip("10.0.0.1"), &bracketed),
            ip("2001:db8::8")
        );
    }

    #[test]
    fn per_ip_limits_key_ipv6_clients_by_their_network() {
        let resolver = ClientIpResolver::new(Vec::new());
        assert_eq!(resolver.limit_subject(ip("192.0.2.1")), "192.0.2.1");
        assert_eq!(resolver.limit_subject(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(
            resolver.limit_subject(ip("2001:db8:1:2:aaaa::1")),
            resolver.limit_subject(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_eq!(
            resolver.limit_subject(ip("2001:db8:1:2::1")),
            "2001:db8:1:2::/64"
        );
        let full = resolver.keying_ipv6_by(128);
        assert_ne!(
            full.limit_subject(ip("2001:db8::1")),
            full.limit_subject(ip("2001:db8::2"))
        );
    }

    #[test]
    fn forwarded_is_read_when_configured() {
        let resolver = ClientIpResolver::new(parse_list("10.0.0.0/8").unwrap())
            .reading(ForwardedHeader::Forwarded);
        let forwarded = headers(&[(
            "forwarded",
            r#"for="[2001:db8::1]:4711";proto=https, for=10.0.0.3"#,
        )]);
        assert_eq!(
            resolver.resolve(ip("10.0.0.1"), &forwarded),
            ip("2001:db8::1")
        );
        let with_port = headers(&[("forwarded", "for=198.51.100.7:8080")]);
        assert_eq!(
            resolver.resolve(ip("10.0.0.1"), &with_port),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn nets_parse_and_match_v4_v6_and_mapped_addresses() {
        let nets = parse_list("10.0.0.0/8, 2001:db8::/32, 192.0.2.7").unwrap();
        assert!(contains(&nets, ip("10.255.255.255")));
        assert!(!contains(&nets, ip("11.0.0.0")));
        assert!(contains(&nets, ip("::ffff:10.1.2.3")), "IPv4-mapped IPv6");
        assert!(contains(&nets, ip("2001:db8:ffff::1")));
        assert!(!contains(&nets, ip("2001:db9::1")));
        assert!(contains(&nets, ip("192.0.2.7")));
        assert!(!contains(&nets, ip("192.0.2.8")));
        assert!(parse_net("10.0.0.0/33").is_err());
        assert!(parse_net("not-an-ip").is_err());
        assert_eq!(parse_net("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
    }
}
