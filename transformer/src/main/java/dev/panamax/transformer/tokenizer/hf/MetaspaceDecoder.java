package dev.panamax.transformer.tokenizer.hf;

import java.util.ArrayList;
import java.util.List;

/** {@code Metaspace}: {@code ▁} back to spaces, and the first piece loses the space encoding prepended. */
public record MetaspaceDecoder(String replacement, boolean stripFirstSpace) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> pieces) {
        List<String> out = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            String p = pieces.get(i).replace(replacement, " ");
            out.add(i == 0 && stripFirstSpace && p.startsWith(" ") ? p.substring(1) : p);
        }
        return out;
    }
}
