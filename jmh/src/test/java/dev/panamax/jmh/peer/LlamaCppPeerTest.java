package dev.panamax.jmh.peer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaCppPeerTest {

    @Test
    void without_node_llama_cpp_the_peer_says_where_it_looked_and_how_to_install_it(@TempDir Path dir) {
        String why = new LlamaCppPeer(dir).unavailableReason().orElseThrow();
        assertTrue(why.contains(dir.toString()), why);
        assertTrue(why.contains("npm install --prefix " + dir) && why.contains("node-llama-cpp@" + LlamaCppPeer.NODE_LLAMA_CPP), why);
    }

    @Test
    void the_node_script_ships_with_the_module() {
        assertTrue(LlamaCppPeer.class.getResource("llamacpp-bench.mjs") != null, "llamacpp-bench.mjs resource");
    }
}
