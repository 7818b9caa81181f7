//! The client's IP address: the socket peer, unless the peer is a trusted proxy
//! (`HOOKLINE_TRUSTED_PROXIES`), in which case `X-Forwarded-For` (or, without it, `Forwarded`)
//! is walked from the nearest hop outwards, skipping trusted proxies; the first untrusted
//! address is the client. A header from an untrusted peer is ignored, so it cannot be spoofed.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Resolves client IPs; built once from the settings.
#[derive(Debug, Clone, Default)]
pub struct ClientIpResolver {
    trusted: Vec<IpNet>,
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

/// An address from a forwarding header: optional quotes, brackets and port removed.
fn parse_hop(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim().trim_matches('"');
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
    pub fn new(trusted: Vec<IpNet>) -> Self {
        Self { trusted }
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

    /// The addresses a trusted proxy reported, farthest first: `X-Forwarded-For` when present,
    /// else the `for=` values of `Forwarded`.
    fn hops(&self, headers: &HeaderMap) -> Vec<Option<IpAddr>> {
        let joined = |name: &str| -> Option<String> {
            let values: Vec<&str> = headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            (!values.is_empty()).then(|| values.join(","))
        };
        if let Some(xff) = joined("x-forwarded-for") {
            return xff.split(',').map(parse_hop).collect();
        }
        if let Some(forwarded) = joined("forwarded") {
            return forwarded
                .split(',')
                .map(|element| forwarded_for(element).and_then(parse_hop))
                .collect();
        }
        Vec::new()
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
    fn forwarded_is_read_when_x_forwarded_for_is_absent() {
        let resolver = ClientIpResolver::new(parse_list("10.0.0.0/8").unwrap());
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
