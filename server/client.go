package server

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/weekback/weekback"
)

// clientAddr returns the address of the request's client: the TCP peer,
// or, when the peer is a trusted proxy, the right-most address of
// X-Forwarded-For that is not a trusted proxy.
func (s *Server) clientAddr(c *fiber.Ctx) string {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	var xff []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		xff = append(xff, string(v))
	}
	return clientAddress(peer, xff, s.TrustedProxies).String()
}

// clientAddress walks X-Forwarded-For (all its headers, in order) from the
// right while the hop that reported it is trusted: it returns peer when
// peer is not trusted, else the first untrusted hop from the right, else
// the left-most hop when all are trusted. A malformed entry ends the walk
// at the trusted hop that added it.
func clientAddress(peer netip.Addr, xff []string, trusted []netip.Prefix) netip.Addr {
	addr := peer.Unmap()
	var hops []string
	for _, h := range xff {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0 && isTrusted(addr, trusted); i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			break
		}
		addr = hop
	}
	return addr
}

// parseHop reads one X-Forwarded-For entry: an address, with or without a
// port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies reads server.trusted_proxies: IP addresses or CIDR
// ranges. It returns an error naming the first entry that is neither.
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for i, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, errBadProxy(i, s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func errBadProxy(i int, s string) error {
	return weekback.Errorf(weekback.EINVALID, "server.trusted_proxies[%d] %q must be an IP address or a CIDR range, such as 10.0.0.0/8", i, s)
}
