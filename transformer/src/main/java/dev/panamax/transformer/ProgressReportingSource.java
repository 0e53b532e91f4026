package dev.panamax.transformer;

import dev.panamax.tensor.Tensor;
import java.nio.file.Path;
import java.util.Optional;

/** A {@link WeightSource} that tells a {@link LoadListener} the bytes of the tensors fetched before each one. */
final class ProgressReportingSource implements WeightSource {
    private final WeightSource source;
    private final long total;
    private final LoadListener listener;
    private long done;

    ProgressReportingSource(WeightSource source, long total, LoadListener listener) {
        this.source = source;
        this.total = total;
        this.listener = listener;
    }

    @Override
    public Optional<Tensor> find(String name) {
        Optional<Tensor> t = source.find(name);
        if (t.isPresent()) {
            listener.loaded(done, total);
            done = Math.min(total, done + t.get().byteSize());
        }
        return t;
    }

    @Override
    public Path file() {
        return source.file();
    }
}
