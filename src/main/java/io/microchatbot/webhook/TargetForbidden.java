package io.microchatbot.webhook;

/** A webhook URL whose host is, or resolves to, an address that is not on the public internet. */
public class TargetForbidden extends RuntimeException {

    TargetForbidden(String host, String address, String reason) {
        super(host.equals(address)
                ? host + " is a " + reason + " address"
                : host + " resolves to " + address + ", a " + reason + " address", null, false, false);
    }
}
