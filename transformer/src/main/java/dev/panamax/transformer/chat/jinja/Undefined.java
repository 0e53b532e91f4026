package dev.panamax.transformer.chat.jinja;

/** The value of a name or attribute that does not exist: falsy, prints as nothing, {@code is undefined}. */
enum Undefined {
    VALUE;

    @Override
    public String toString() {
        return "";
    }
}
