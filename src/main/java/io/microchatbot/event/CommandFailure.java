package io.microchatbot.event;

/**
 * Why a command was not carried out: {@code permanent} ones (invalid, unknown, refused by validation) go to the
 * dead-letter stream at once, the others are tried again with backoff first.
 */
public class CommandFailure extends RuntimeException {

    private final String code;
    private final boolean permanent;

    private CommandFailure(String code, String detail, boolean permanent) {
        super(detail, null, false, false);
        this.code = code;
        this.permanent = permanent;
    }

    public static CommandFailure permanent(String code, String detail) {
        return new CommandFailure(code, detail, true);
    }

    public static CommandFailure passing(String code, String detail) {
        return new CommandFailure(code, detail, false);
    }

    public String code() {
        return code;
    }

    public boolean permanent() {
        return permanent;
    }
}
