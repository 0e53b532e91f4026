package dev.panamax.tensor;

/**
 * Where a tensor's memory lives: the host (readable from Java) or a compute device such as
 * {@code cuda:0}, whose memory only that device's backend touches.
 *
 * @param kind  "host", or the backend's device kind, e.g. "cuda"
 * @param index the device's ordinal among those of its kind
 */
public record Device(String kind, int index) {
    /** Ordinary process memory. */
    public static final Device HOST = new Device("host", 0);

    @Override
    public String toString() {
        return this.equals(HOST) ? "host" : kind + ":" + index;
    }
}
