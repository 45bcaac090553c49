package io.microchatbot.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Addresses a webhook may not reach: whatever is not the public internet, where a URL chosen by a tenant could
 * reach this service's own network (SSRF). Cloud metadata endpoints fall in these ranges: 169.254.169.254 (link-local),
 * fd00:ec2::254 (unique local), 100.100.100.200 (shared), 192.0.0.192 (IETF reserved). IPv6 forms that carry an IPv4
 * address (mapped, compatible, NAT64, 6to4) are judged by that address.
 */
final class ForbiddenAddresses {

    private static final List<Range> RANGES = List.of(
            // 0.x.x.x reaches the local host on Linux, not only 0.0.0.0
            range("0.0.0.0", 8, "unspecified"),
            range("10.0.0.0", 8, "private"),
            range("100.64.0.0", 10, "shared (carrier-grade NAT)"),
            range("127.0.0.0", 8, "loopback"),
            range("169.254.0.0", 16, "link-local"),
            range("172.16.0.0", 12, "private"),
            range("192.0.0.0", 24, "reserved"),
            range("192.168.0.0", 16, "private"),
            range("198.18.0.0", 15, "reserved"),
            range("224.0.0.0", 4, "multicast"),
            // includes the broadcast address 255.255.255.255
            range("240.0.0.0", 4, "reserved"),
            range("::", 128, "unspecified"),
            range("::1", 128, "loopback"),
            range("fe80::", 10, "link-local"),
            range("fec0::", 10, "site-local"),
            range("fc00::", 7, "private (unique local)"),
            range("ff00::", 8, "multicast"));
    /** IPv6 forms ending in an IPv4 address: mapped (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96). */
    private static final List<Range> CARRYING_IPV4_AT_12 = List.of(
            new Range(mappedPrefix(), 96, ""), range("::", 96, ""), range("64:ff9b::", 96, ""));
    /** 6to4 (2002::/16) carries its IPv4 address in bytes 2 to 5. */
    private static final Range SIX_TO_FOUR = range("2002::", 16, "");

    private ForbiddenAddresses() {
    }

    /** Why the address may not be reached; empty when it is a public address. */
    static Optional<String> reason(InetAddress address) {
        byte[] bytes = address.getAddress();
        Optional<String> own = reason(bytes);
        return own.isPresent() ? own : carriedIpv4(bytes).flatMap(ForbiddenAddresses::reason);
    }

    private static Optional<String> reason(byte[] bytes) {
        return RANGES.stream().filter(range -> range.contains(bytes)).map(Range::reason).findFirst();
    }

    private static Optional<byte[]> carriedIpv4(byte[] bytes) {
        if (CARRYING_IPV4_AT_12.stream().anyMatch(range -> range.contains(bytes))) {
            return Optional.of(Arrays.copyOfRange(bytes, 12, 16));
        }
        return SIX_TO_FOUR.contains(bytes) ? Optional.of(Arrays.copyOfRange(bytes, 2, 6)) : Optional.empty();
    }

    /** Written out: Java turns the text ::ffff:0:0 into the IPv4 address 0.0.0.0. */
    private static byte[] mappedPrefix() {
        byte[] prefix = new byte[16];
        prefix[10] = (byte) 0xff;
        prefix[11] = (byte) 0xff;
        return prefix;
    }

    private static Range range(String literal, int bits, String reason) {
        try {
            return new Range(InetAddress.getByName(literal).getAddress(), bits, reason);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(literal + " is not an IP address", e);
        }
    }

    private record Range(byte[] prefix, int bits, String reason) {

        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[whole] & mask) == (prefix[whole] & mask);
        }
    }
}
