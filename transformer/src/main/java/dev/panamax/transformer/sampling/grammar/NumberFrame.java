package dev.panamax.transformer.sampling.grammar;

/**
 * Inside a number. A number has no closing byte: where one may end, a byte that cannot continue it is
 * handed to the parent. Digits are bounded (16 before and after the point, 2 in the exponent), so a
 * number stays within a double and a model cannot write digits forever.
 *
 * @param parent  where the number goes
 * @param integer whether a fraction and an exponent are refused
 * @param phase   which part is being read
 * @param digits  digits read in that part
 */
record NumberFrame(Frame parent, boolean integer, int phase, int digits) implements Frame {
    static final int MAX_DIGITS = 16;
    static final int MAX_EXPONENT_DIGITS = 2;
    private static final int MINUS = 0;
    private static final int ZERO = 1;
    private static final int INT = 2;
    private static final int DOT = 3;
    private static final int FRACTION = 4;
    private static final int EXPONENT = 5;
    private static final int EXPONENT_SIGN = 6;
    private static final int EXPONENT_DIGITS = 7;

    /** {@return the state after the first byte of a number, or null} */
    static Frame start(Frame parent, boolean integer, int b) {
        if (b == '-') {
            return new NumberFrame(parent, integer, MINUS, 0);
        }
        return b >= '0' && b <= '9' ? new NumberFrame(parent, integer, b == '0' ? ZERO : INT, 1) : null;
    }

    @Override
    public Frame next(int b) {
        boolean digit = b >= '0' && b <= '9';
        switch (phase) {
            case MINUS:
                return digit ? new NumberFrame(parent, integer, b == '0' ? ZERO : INT, 1) : null;
            case DOT:
                return digit ? new NumberFrame(parent, integer, FRACTION, 1) : null;
            case EXPONENT:
                if (b == '+' || b == '-') {
                    return new NumberFrame(parent, integer, EXPONENT_SIGN, 0);
                }
                return digit ? new NumberFrame(parent, integer, EXPONENT_DIGITS, 1) : null;
            case EXPONENT_SIGN:
                return digit ? new NumberFrame(parent, integer, EXPONENT_DIGITS, 1) : null;
            case INT, FRACTION:
                if (digit && digits < MAX_DIGITS) {
                    return new NumberFrame(parent, integer, phase, digits + 1);
                }
                break;
            case EXPONENT_DIGITS:
                if (digit && digits < MAX_EXPONENT_DIGITS) {
                    return new NumberFrame(parent, integer, phase, digits + 1);
                }
                return digit ? null : parent.resume().next(b);
            default:
                break;
        }
        if (!integer && b == '.' && (phase == ZERO || phase == INT)) {
            return new NumberFrame(parent, integer, DOT, 0);
        }
        if (!integer && (b == 'e' || b == 'E')) {
            return new NumberFrame(parent, integer, EXPONENT, 0);
        }
        return digit ? null : parent.resume().next(b); // the number ends here: the byte is the parent's
    }
}
